//! Building visible messages: [`VisibleMessage`] and the parts it carries ([`Quote`],
//! [`Reaction`], [`Attachment`], [`Profile`], [`CommunityInvitation`]).
//!
//! The part types are plain data: the builder takes them, and [`Content`]'s accessors hand
//! them back when a message is decoded, so a round trip compares like with like.
//!
//! **Timestamps are `u64` milliseconds since the Unix epoch everywhere in this crate**,
//! including the one field Session sends in seconds (`LokiProfile.lastProfileUpdateSeconds`,
//! converted at the edge).

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use session_crypto::AccountId;
use zeroize::Zeroizing;

use crate::content::Content;
use crate::proto;
use crate::proto::data_message::reaction::Action;

/// The current time in milliseconds since the Unix epoch (0 if the clock is before 1970).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A reply: the quoted message is named by its timestamp and its author's id.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quote {
    /// Timestamp (ms) of the quoted message.
    pub timestamp: u64,
    /// Id (`05…`, `15…` or `25…`) of the quoted message's author, as sent.
    pub author: String,
}

impl Quote {
    /// A quote of the message sent at `timestamp` (ms) by `author`.
    pub fn new(timestamp: u64, author: &AccountId) -> Self {
        Self {
            timestamp,
            author: author.to_string(),
        }
    }

    /// The author as a typed id, if it parses as one.
    pub fn author_id(&self) -> Option<AccountId> {
        self.author.parse().ok()
    }
}

/// Whether a reaction adds or removes an emoji.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReactionAction {
    /// Add the emoji (`REACT`).
    Add,
    /// Remove the emoji (`REMOVE`).
    Remove,
    /// A value this crate does not know, kept as received.
    Unknown(i32),
}

/// An emoji reaction to a message (1:1 and groups; communities react through the SOGS
/// reaction endpoints instead).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reaction {
    /// Timestamp (ms) of the message reacted to.
    pub timestamp: u64,
    /// Id of the author of the message reacted to.
    pub author: String,
    /// The emoji.
    pub emoji: String,
    /// Add or remove.
    pub action: ReactionAction,
}

impl Reaction {
    /// Adds `emoji` to the message sent at `timestamp` (ms) by `author`.
    pub fn add(timestamp: u64, author: &AccountId, emoji: impl Into<String>) -> Self {
        Self {
            timestamp,
            author: author.to_string(),
            emoji: emoji.into(),
            action: ReactionAction::Add,
        }
    }

    /// Removes `emoji` from the message sent at `timestamp` (ms) by `author`.
    pub fn remove(timestamp: u64, author: &AccountId, emoji: impl Into<String>) -> Self {
        Self {
            action: ReactionAction::Remove,
            ..Self::add(timestamp, author, emoji)
        }
    }
}

/// An attachment pointer: a file uploaded to a community server (plain; `url` and `size`) or
/// to the file server for a 1:1 message (encrypted; also `key` and `digest`, spec/crypto.md §9).
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Attachment {
    /// The file id on the server (`deprecated_id` on the wire; still required).
    pub id: u64,
    /// Where to download the file.
    pub url: Option<String>,
    /// MIME type, e.g. `image/png`.
    pub content_type: Option<String>,
    /// Plaintext size in bytes.
    pub size: Option<u32>,
    /// The original file name.
    pub file_name: Option<String>,
    /// Image or video width in pixels.
    pub width: Option<u32>,
    /// Image or video height in pixels.
    pub height: Option<u32>,
    /// A caption.
    pub caption: Option<String>,
    /// Decryption key of an encrypted (1:1) attachment. Never printed by `Debug`.
    pub key: Option<Zeroizing<Vec<u8>>>,
    /// SHA-256 digest of the encrypted blob.
    pub digest: Option<Vec<u8>>,
    /// Whether this is a voice message (`VOICE_MESSAGE` flag).
    pub voice_message: bool,
}

impl Attachment {
    /// An attachment with the server's file `id`, downloadable at `url`.
    pub fn new(id: u64, url: impl Into<String>) -> Self {
        Self {
            id,
            url: Some(url.into()),
            ..Self::default()
        }
    }

    /// Sets the MIME type.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sets the plaintext size in bytes.
    pub fn size(mut self, size: u32) -> Self {
        self.size = Some(size);
        self
    }

    /// Sets the file name.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the pixel dimensions.
    pub fn dimensions(mut self, width: u32, height: u32) -> Self {
        self.width = Some(width);
        self.height = Some(height);
        self
    }

    /// Sets the caption.
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    /// Sets the decryption key and digest of an encrypted (1:1) attachment.
    pub fn encrypted(mut self, key: &[u8], digest: &[u8]) -> Self {
        self.key = Some(Zeroizing::new(key.to_vec()));
        self.digest = Some(digest.to_vec());
        self
    }

    /// Marks the attachment as a voice message.
    pub fn voice_message(mut self) -> Self {
        self.voice_message = true;
        self
    }

    pub(crate) fn to_proto(&self) -> proto::AttachmentPointer {
        proto::AttachmentPointer {
            deprecated_id: self.id,
            content_type: self.content_type.clone(),
            key: self.key.as_ref().map(|k| k.to_vec()),
            size: self.size,
            digest: self.digest.clone(),
            file_name: self.file_name.clone(),
            flags: self
                .voice_message
                .then_some(proto::attachment_pointer::Flags::VoiceMessage as u32),
            width: self.width,
            height: self.height,
            caption: self.caption.clone(),
            url: self.url.clone(),
        }
    }

    pub(crate) fn from_proto(p: &proto::AttachmentPointer) -> Self {
        let voice = proto::attachment_pointer::Flags::VoiceMessage as u32;
        Self {
            id: p.deprecated_id,
            url: p.url.clone(),
            content_type: p.content_type.clone(),
            size: p.size,
            file_name: p.file_name.clone(),
            width: p.width,
            height: p.height,
            caption: p.caption.clone(),
            key: p.key.as_ref().map(|k| Zeroizing::new(k.clone())),
            digest: p.digest.clone(),
            voice_message: p.flags.is_some_and(|f| f & voice != 0),
        }
    }
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("content_type", &self.content_type)
            .field("size", &self.size)
            .field("file_name", &self.file_name)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("caption", &self.caption)
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .field("digest", &self.digest.as_ref().map(hex::encode))
            .field("voice_message", &self.voice_message)
            .finish()
    }
}

/// The sender's public profile: display name and avatar (URL plus the key that decrypts it).
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Profile {
    /// The display name.
    pub display_name: Option<String>,
    /// The avatar URL (`LokiProfile.profilePicture`).
    pub picture_url: Option<String>,
    /// The avatar key (`DataMessage.profileKey`, 32 bytes). Never printed by `Debug`.
    pub key: Option<Zeroizing<Vec<u8>>>,
    /// When the profile last changed, in ms (sent in whole seconds).
    pub updated_at: Option<u64>,
}

impl Profile {
    /// A profile with a display name.
    pub fn new(display_name: impl Into<String>) -> Self {
        Self {
            display_name: Some(display_name.into()),
            ..Self::default()
        }
    }

    /// Sets the avatar: its download URL and its 32-byte key.
    pub fn picture(mut self, url: impl Into<String>, key: [u8; 32]) -> Self {
        self.picture_url = Some(url.into());
        self.key = Some(Zeroizing::new(key.to_vec()));
        self
    }

    /// Sets when the profile last changed, in ms. The wire carries whole seconds, so the value
    /// read back is rounded down to a multiple of 1000.
    pub fn updated_at(mut self, ms: u64) -> Self {
        self.updated_at = Some(ms);
        self
    }

    fn to_proto(&self) -> proto::LokiProfile {
        proto::LokiProfile {
            display_name: self.display_name.clone(),
            profile_picture: self.picture_url.clone(),
            last_profile_update_seconds: self.updated_at.map(|ms| ms / 1000),
        }
    }

    pub(crate) fn from_parts(p: Option<&proto::LokiProfile>, key: Option<&Vec<u8>>) -> Self {
        Self {
            display_name: p.and_then(|p| p.display_name.clone()),
            picture_url: p.and_then(|p| p.profile_picture.clone()),
            key: key.map(|k| Zeroizing::new(k.clone())),
            updated_at: p
                .and_then(|p| p.last_profile_update_seconds)
                .map(|s| s.saturating_mul(1000)),
        }
    }
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("display_name", &self.display_name)
            .field("picture_url", &self.picture_url)
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// An invitation to a community (an "open group invitation"): its join link and name.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommunityInvitation {
    /// The join link, `https://host/room?public_key=HEX`.
    pub url: String,
    /// The community's display name.
    pub name: String,
}

impl CommunityInvitation {
    /// An invitation to the community at `url` named `name`.
    pub fn new(url: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            name: name.into(),
        }
    }
}

/// A visible message (text, attachments, a quote, a reaction, an invitation) ready to become a
/// [`Content`].
///
/// ```
/// use session_schema::{Profile, VisibleMessage};
/// let content = VisibleMessage::text("hi")
///     .timestamp(1_700_000_000_000)
///     .profile(Profile::new("Alice"))
///     .into_content();
/// assert_eq!(content.text(), Some("hi"));
/// assert_eq!(content.timestamp(), Some(1_700_000_000_000));
/// ```
///
/// The timestamp is written twice, as current clients and Session.js each expect it:
/// `Content.sigTimestamp` (field 15, which current clients compare with the envelope or post
/// time) and the legacy `DataMessage.timestamp` (field 7).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct VisibleMessage {
    timestamp: u64,
    body: Option<String>,
    attachments: Vec<Attachment>,
    quote: Option<Quote>,
    reaction: Option<Reaction>,
    profile: Option<Profile>,
    invitation: Option<CommunityInvitation>,
}

impl VisibleMessage {
    /// An empty message stamped with the current time (for attachment-only messages,
    /// reactions and invitations).
    pub fn new() -> Self {
        Self {
            timestamp: now_ms(),
            body: None,
            attachments: Vec::new(),
            quote: None,
            reaction: None,
            profile: None,
            invitation: None,
        }
    }

    /// A text message stamped with the current time; see [`timestamp`](Self::timestamp).
    pub fn text(body: impl Into<String>) -> Self {
        Self {
            body: Some(body.into()),
            ..Self::new()
        }
    }

    /// Sets the creation time in milliseconds since the Unix epoch. For 1:1 messages it must
    /// equal the envelope timestamp; communities accept it within 6 hours of the post time.
    pub fn timestamp(mut self, ms: u64) -> Self {
        self.timestamp = ms;
        self
    }

    /// Sets the text.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Adds an attachment.
    pub fn attachment(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    /// Makes the message a reply to `quote`.
    pub fn quote(mut self, quote: Quote) -> Self {
        self.quote = Some(quote);
        self
    }

    /// Attaches a reaction (usually to a message without text).
    pub fn reaction(mut self, reaction: Reaction) -> Self {
        self.reaction = Some(reaction);
        self
    }

    /// Attaches the sender's profile.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Attaches a community ("open group") invitation.
    pub fn community_invitation(mut self, invitation: CommunityInvitation) -> Self {
        self.invitation = Some(invitation);
        self
    }

    /// The protobuf `Content` of this message.
    pub fn to_proto(&self) -> proto::Content {
        let data = proto::DataMessage {
            body: self.body.clone(),
            attachments: self.attachments.iter().map(Attachment::to_proto).collect(),
            profile_key: self
                .profile
                .as_ref()
                .and_then(|p| p.key.as_ref())
                .map(|k| k.to_vec()),
            timestamp: Some(self.timestamp),
            quote: self.quote.as_ref().map(|q| proto::data_message::Quote {
                id: q.timestamp,
                author: q.author.clone(),
            }),
            reaction: self
                .reaction
                .as_ref()
                .map(|r| proto::data_message::Reaction {
                    id: r.timestamp,
                    author: r.author.clone(),
                    emoji: Some(r.emoji.clone()),
                    action: match r.action {
                        ReactionAction::Add => Action::React as i32,
                        ReactionAction::Remove => Action::Remove as i32,
                        ReactionAction::Unknown(v) => v,
                    },
                }),
            profile: self.profile.as_ref().map(Profile::to_proto),
            community_invitation: self.invitation.as_ref().map(|i| {
                proto::data_message::CommunityInvitation {
                    url: i.url.clone(),
                    name: i.name.clone(),
                }
            }),
            ..Default::default()
        };
        proto::Content {
            data_message: Some(data),
            sig_timestamp: Some(self.timestamp),
            ..Default::default()
        }
    }

    /// The encoded [`Content`] of this message.
    pub fn into_content(self) -> Content {
        Content::from_proto(self.to_proto())
    }
}

impl Default for VisibleMessage {
    fn default() -> Self {
        Self::new()
    }
}

impl From<VisibleMessage> for Content {
    fn from(m: VisibleMessage) -> Self {
        m.into_content()
    }
}

pub(crate) fn reaction_action(action: i32) -> ReactionAction {
    match Action::try_from(action) {
        Ok(Action::React) => ReactionAction::Add,
        Ok(Action::Remove) => ReactionAction::Remove,
        Err(_) => ReactionAction::Unknown(action),
    }
}
