//! [`Content`]: a decoded (or built) Session `Content` protobuf together with its exact bytes.
//!
//! `Content` is what SOGS posts sign and 1:1 messages encrypt (spec/crypto.md §4.1, §6.1). A
//! decoded `Content` keeps the bytes it was decoded from, so fields this crate does not know
//! survive untouched (they are also listed by [`Content::unknown_fields`]) and re-sending or
//! re-verifying a message uses exactly what the sender signed.

use std::fmt;

use prost::Message;
use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::builder::{
    Attachment, CommunityInvitation, Profile, Quote, Reaction, ReactionAction, reaction_action,
};
use crate::error::{Error, Result};
use crate::proto;
use crate::unknown::{UnknownField, unknown_fields};

/// A Session `Content` message: the typed protobuf and its encoding.
///
/// ```
/// use session_schema::{Content, VisibleMessage};
/// let built = VisibleMessage::text("hello").timestamp(1_700_000_000_000).into_content();
/// let decoded = Content::decode(built.as_bytes())?;
/// assert_eq!(decoded.text(), Some("hello"));
/// assert_eq!(decoded, built);
/// # Ok::<(), session_schema::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct Content {
    proto: proto::Content,
    bytes: Vec<u8>,
}

/// What a [`Content`] carries, by the first message field present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContentKind {
    /// A visible message (`dataMessage`): text, attachments, reactions, invitations.
    Visible,
    /// A call signalling message.
    Call,
    /// A read receipt.
    Receipt,
    /// A typing indicator.
    Typing,
    /// A screenshot / media-saved notification.
    DataExtraction,
    /// A request to delete a message for everyone.
    Unsend,
    /// An answer to a message request.
    MessageRequestResponse,
    /// A legacy config sync message.
    SharedConfig,
    /// None of the above (e.g. only fields this crate does not know).
    Other,
}

impl Content {
    /// Decodes `bytes` (unpadded) as a `Content`. Unknown fields are kept, not fatal.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let proto = proto::Content::decode(bytes).map_err(|e| Error::protobuf("Content", e))?;
        Ok(Self {
            proto,
            bytes: bytes.to_vec(),
        })
    }

    /// Encodes a protobuf `Content`.
    pub fn from_proto(proto: proto::Content) -> Self {
        let bytes = proto.encode_to_vec();
        Self { proto, bytes }
    }

    /// The typed protobuf (fields this crate does not know are not in it; see
    /// [`unknown_fields`](Self::unknown_fields)).
    pub const fn proto(&self) -> &proto::Content {
        &self.proto
    }

    /// The typed protobuf, by value.
    pub fn into_proto(self) -> proto::Content {
        self.proto
    }

    /// The exact encoding: as received for a decoded message, as encoded for a built one.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The encoding, by value.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// What the message carries.
    pub fn kind(&self) -> ContentKind {
        let p = &self.proto;
        if p.data_message.is_some() {
            ContentKind::Visible
        } else if p.call_message.is_some() {
            ContentKind::Call
        } else if p.receipt_message.is_some() {
            ContentKind::Receipt
        } else if p.typing_message.is_some() {
            ContentKind::Typing
        } else if p.data_extraction_notification.is_some() {
            ContentKind::DataExtraction
        } else if p.unsend_request.is_some() {
            ContentKind::Unsend
        } else if p.message_request_response.is_some() {
            ContentKind::MessageRequestResponse
        } else if p.shared_config_message.is_some() {
            ContentKind::SharedConfig
        } else {
            ContentKind::Other
        }
    }

    fn data(&self) -> Option<&proto::DataMessage> {
        self.proto.data_message.as_ref()
    }

    /// The creation time in ms: `Content.sigTimestamp`, or for senders that only set the legacy
    /// field (Session.js, older clients) `DataMessage.timestamp`.
    pub fn timestamp(&self) -> Option<u64> {
        self.proto
            .sig_timestamp
            .filter(|&t| t != 0)
            .or_else(|| self.data().and_then(|d| d.timestamp))
    }

    /// The message text.
    pub fn text(&self) -> Option<&str> {
        self.data().and_then(|d| d.body.as_deref())
    }

    /// The quoted message, if this is a reply.
    pub fn quote(&self) -> Option<Quote> {
        self.data().and_then(|d| d.quote.as_ref()).map(|q| Quote {
            timestamp: q.id,
            author: q.author.clone(),
        })
    }

    /// The reaction carried by the message.
    pub fn reaction(&self) -> Option<Reaction> {
        self.data()
            .and_then(|d| d.reaction.as_ref())
            .map(|r| Reaction {
                timestamp: r.id,
                author: r.author.clone(),
                emoji: r.emoji.clone().unwrap_or_default(),
                action: reaction_action(r.action),
            })
    }

    /// The attachments, in order.
    pub fn attachments(&self) -> Vec<Attachment> {
        self.data()
            .map(|d| d.attachments.iter().map(Attachment::from_proto).collect())
            .unwrap_or_default()
    }

    /// The sender's profile, if the message carries one (a name, an avatar URL or its key).
    pub fn profile(&self) -> Option<Profile> {
        let d = self.data()?;
        if d.profile.is_none() && d.profile_key.is_none() {
            return None;
        }
        Some(Profile::from_parts(
            d.profile.as_ref(),
            d.profile_key.as_ref(),
        ))
    }

    /// The community invitation carried by the message.
    pub fn community_invitation(&self) -> Option<CommunityInvitation> {
        self.data()
            .and_then(|d| d.community_invitation.as_ref())
            .map(|i| CommunityInvitation {
                url: i.url.clone(),
                name: i.name.clone(),
            })
    }

    /// Fields present in the encoding that this crate's schema does not know, with their
    /// paths (e.g. `dataMessage.999`). They are kept in [`as_bytes`](Self::as_bytes).
    pub fn unknown_fields(&self) -> Vec<UnknownField> {
        unknown_fields(&self.bytes)
    }
}

impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The summary, not the raw protobuf: avatar and attachment keys stay redacted.
        f.debug_struct("Content")
            .field("kind", &self.kind())
            .field("timestamp", &self.timestamp())
            .field("text", &self.text())
            .field("attachments", &self.attachments())
            .field("profile", &self.profile())
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// A readable JSON form (what `session sogs decode` prints). Always present: `kind`,
/// `timestamp` (ms or null), `text` (or null), `profile` (null, or `display_name`,
/// `picture_url`, `key` as hex, `updated_at` ms) and `attachments` (a list of `id`, `url`,
/// `content_type`, `size`, `file_name`, `width`, `height`, `caption`, `encrypted`,
/// `voice_message`). When present: `quote`, `reaction`, `community_invitation`,
/// `unknown_fields` (paths such as `dataMessage.999`).
impl Serialize for Content {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Content", 9)?;
        st.serialize_field("kind", &self.kind())?;
        st.serialize_field("timestamp", &self.timestamp())?;
        st.serialize_field("text", &self.text())?;
        let profile = self.profile();
        st.serialize_field("profile", &profile.as_ref().map(ProfileJson))?;
        let attachments = self.attachments();
        let list: Vec<_> = attachments.iter().map(AttachmentJson).collect();
        st.serialize_field("attachments", &list)?;
        if let Some(q) = self.quote() {
            st.serialize_field(
                "quote",
                &serde_json_like::Quote {
                    timestamp: q.timestamp,
                    author: &q.author,
                },
            )?;
        }
        if let Some(r) = self.reaction() {
            st.serialize_field(
                "reaction",
                &serde_json_like::Reaction {
                    timestamp: r.timestamp,
                    author: &r.author,
                    emoji: &r.emoji,
                    action: match r.action {
                        ReactionAction::Add => "add".to_owned(),
                        ReactionAction::Remove => "remove".to_owned(),
                        ReactionAction::Unknown(v) => v.to_string(),
                    },
                },
            )?;
        }
        if let Some(i) = self.community_invitation() {
            st.serialize_field(
                "community_invitation",
                &serde_json_like::Invitation {
                    url: &i.url,
                    name: &i.name,
                },
            )?;
        }
        let unknown = self.unknown_fields();
        if !unknown.is_empty() {
            let paths: Vec<String> = unknown.iter().map(ToString::to_string).collect();
            st.serialize_field("unknown_fields", &paths)?;
        }
        st.end()
    }
}

struct ProfileJson<'a>(&'a Profile);

impl Serialize for ProfileJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let p = self.0;
        let mut st = s.serialize_struct("Profile", 4)?;
        st.serialize_field("display_name", &p.display_name)?;
        st.serialize_field("picture_url", &p.picture_url)?;
        // The avatar key travels in clear inside every message that carries the profile; a
        // reader needs it to decrypt the avatar.
        st.serialize_field("key", &p.key.as_ref().map(|k| hex::encode(&k[..])))?;
        st.serialize_field("updated_at", &p.updated_at)?;
        st.end()
    }
}

struct AttachmentJson<'a>(&'a Attachment);

impl Serialize for AttachmentJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let a = self.0;
        let mut st = s.serialize_struct("Attachment", 10)?;
        st.serialize_field("id", &a.id)?;
        st.serialize_field("url", &a.url)?;
        st.serialize_field("content_type", &a.content_type)?;
        st.serialize_field("size", &a.size)?;
        st.serialize_field("file_name", &a.file_name)?;
        st.serialize_field("width", &a.width)?;
        st.serialize_field("height", &a.height)?;
        st.serialize_field("caption", &a.caption)?;
        st.serialize_field("encrypted", &a.key.is_some())?;
        st.serialize_field("voice_message", &a.voice_message)?;
        st.end()
    }
}

/// Plain serializable shapes of the small parts.
mod serde_json_like {
    #[derive(serde::Serialize)]
    pub(super) struct Quote<'a> {
        pub timestamp: u64,
        pub author: &'a str,
    }

    #[derive(serde::Serialize)]
    pub(super) struct Reaction<'a> {
        pub timestamp: u64,
        pub author: &'a str,
        pub emoji: &'a str,
        pub action: String,
    }

    #[derive(serde::Serialize)]
    pub(super) struct Invitation<'a> {
        pub url: &'a str,
        pub name: &'a str,
    }
}
