//! Messages: read (recent, since, before, single), post, edit, delete (spec §2.3).

use serde::Serialize;
use session_crypto::AccountId;

use super::{room_path, with_query};
use crate::Result;
use crate::link::RoomToken;
use crate::model::message::{parse_messages, parse_updates};
use crate::model::{Message, MessageUpdate, RawMessage};
use crate::request::{Auth, Body, Context, Endpoint, Method, Response, decode_error, empty, json};

/// The most rows one page can hold (pysogs clamps `limit` to 1..=256).
pub const MAX_PAGE: u16 = 256;

/// `GET /room/R/messages/recent`: the latest live messages, **newest first**.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentMessages {
    /// The room.
    pub room: RoomToken,
    /// Page size (server default 100, at most 256).
    pub limit: Option<u16>,
    /// How many reactors to list per reaction (0–20; server default 4).
    pub reactors: Option<u8>,
}

impl RecentMessages {
    /// The server's default page of `room`.
    pub fn new(room: RoomToken) -> Self {
        Self {
            room,
            limit: None,
            reactors: None,
        }
    }

    /// Sets the page size.
    #[must_use]
    pub fn limit(mut self, limit: u16) -> Self {
        self.limit = Some(limit);
        self
    }
}

impl Endpoint for RecentMessages {
    type Output = Vec<Message>;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        with_query(
            format!("{}/messages/recent", room_path(&self.room)),
            &[
                ("limit", self.limit.map(|l| l.to_string())),
                ("reactors", self.reactors.map(|r| r.to_string())),
            ],
        )
    }
    fn parse(cx: &Context<'_>, response: &Response) -> Result<Vec<Message>> {
        const WHAT: &str = "GET /room/R/messages/recent";
        response.error_for_status()?;
        parse_messages(WHAT, &response.body, cx)
    }
}

/// `GET /room/R/messages/since/<seqno>`: every change after `seqno`, ascending by seqno —
/// new and edited messages, tombstones, and (with `reactions`) reaction-only rows (§2.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagesSince {
    /// The room.
    pub room: RoomToken,
    /// The cursor: the highest seqno already seen.
    pub seqno: i64,
    /// Page size (server default 100, at most 256). A full page means: ask again at once.
    pub limit: Option<u16>,
    /// Include reaction-only rows (`t=r`).
    pub reactions: bool,
    /// How many reactors to list per reaction.
    pub reactors: Option<u8>,
}

impl MessagesSince {
    /// Changes of `room` after `seqno`, with reaction-only rows.
    pub fn new(room: RoomToken, seqno: i64) -> Self {
        Self {
            room,
            seqno,
            limit: None,
            reactions: true,
            reactors: None,
        }
    }

    /// Sets the page size.
    #[must_use]
    pub fn limit(mut self, limit: u16) -> Self {
        self.limit = Some(limit);
        self
    }
}

impl Endpoint for MessagesSince {
    type Output = Vec<MessageUpdate>;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        with_query(
            format!("{}/messages/since/{}", room_path(&self.room), self.seqno),
            &[
                ("limit", self.limit.map(|l| l.to_string())),
                ("t", self.reactions.then(|| "r".to_owned())),
                ("reactors", self.reactors.map(|r| r.to_string())),
            ],
        )
    }
    fn parse(cx: &Context<'_>, response: &Response) -> Result<Vec<MessageUpdate>> {
        response.error_for_status()?;
        parse_updates("GET /room/R/messages/since", &response.body, cx)
    }
}

/// `GET /room/R/messages/before/<id>`: live messages older than `id`, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagesBefore {
    /// The room.
    pub room: RoomToken,
    /// Messages with ids below this one.
    pub id: i64,
    /// Page size.
    pub limit: Option<u16>,
    /// How many reactors to list per reaction.
    pub reactors: Option<u8>,
}

impl MessagesBefore {
    /// Messages of `room` before `id`.
    pub fn new(room: RoomToken, id: i64) -> Self {
        Self {
            room,
            id,
            limit: None,
            reactors: None,
        }
    }
}

impl Endpoint for MessagesBefore {
    type Output = Vec<Message>;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        with_query(
            format!("{}/messages/before/{}", room_path(&self.room), self.id),
            &[
                ("limit", self.limit.map(|l| l.to_string())),
                ("reactors", self.reactors.map(|r| r.to_string())),
            ],
        )
    }
    fn parse(cx: &Context<'_>, response: &Response) -> Result<Vec<Message>> {
        response.error_for_status()?;
        parse_messages("GET /room/R/messages/before", &response.body, cx)
    }
}

/// `GET /room/R/message/<id>`: one live message (404 if deleted, missing or an invisible
/// whisper).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetMessage {
    /// The room.
    pub room: RoomToken,
    /// The message id.
    pub id: i64,
}

impl Endpoint for GetMessage {
    type Output = Message;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        format!("{}/message/{}", room_path(&self.room), self.id)
    }
    fn parse(cx: &Context<'_>, response: &Response) -> Result<Message> {
        const WHAT: &str = "GET /room/R/message";
        let raw: RawMessage = json(WHAT, response)?;
        Message::from_raw(raw, cx).map_err(|e| decode_error(WHAT, &e))
    }
}

/// The JSON body of a post or edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct PostBody<'a> {
    data: &'a str,
    signature: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    whisper_to: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    whisper_mods: bool,
    #[serde(skip_serializing_if = "<[i64]>::is_empty")]
    files: &'a [i64],
}

/// `POST /room/R/message`: posts signed message data (answer **201** with the stored message).
///
/// `data` and `signature` come from `session_schema::encode_sogs_message` (padded `Content`,
/// signed with the key the server sees); [`SogsClient::post`](crate::SogsClient::post) does
/// both steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostMessage {
    /// The room.
    pub room: RoomToken,
    /// Base64 of the padded `Content`.
    pub data: String,
    /// Base64 of the 64-byte signature over the padded bytes.
    pub signature: String,
    /// Whisper to one user (moderators only).
    pub whisper_to: Option<AccountId>,
    /// Whisper to all moderators (moderators only).
    pub whisper_mods: bool,
    /// Uploaded file ids this post uses (keeps them from expiring, spec §2.4).
    pub files: Vec<i64>,
}

impl PostMessage {
    /// A post of already encoded and signed data.
    pub fn new(room: RoomToken, data: String, signature: String) -> Self {
        Self {
            room,
            data,
            signature,
            whisper_to: None,
            whisper_mods: false,
            files: Vec::new(),
        }
    }

    /// Makes the post a whisper to `to`.
    #[must_use]
    pub fn whisper_to(mut self, to: AccountId) -> Self {
        self.whisper_to = Some(to);
        self
    }

    /// Makes the post a whisper to all moderators.
    #[must_use]
    pub fn whisper_mods(mut self) -> Self {
        self.whisper_mods = true;
        self
    }

    /// Attaches uploaded files.
    #[must_use]
    pub fn files(mut self, files: Vec<i64>) -> Self {
        self.files = files;
        self
    }
}

impl Endpoint for PostMessage {
    type Output = Message;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("{}/message", room_path(&self.room))
    }
    fn body(&self) -> Result<Body> {
        Body::json(&PostBody {
            data: &self.data,
            signature: &self.signature,
            whisper_to: self.whisper_to.map(|w| w.to_string()),
            whisper_mods: self.whisper_mods,
            files: &self.files,
        })
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(cx: &Context<'_>, response: &Response) -> Result<Message> {
        const WHAT: &str = "POST /room/R/message";
        let raw: RawMessage = json(WHAT, response)?;
        Message::from_raw(raw, cx).map_err(|e| decode_error(WHAT, &e))
    }
}

/// `PUT /room/R/message/<id>`: replaces the data of one's own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditMessage {
    /// The room.
    pub room: RoomToken,
    /// The message id.
    pub id: i64,
    /// Base64 of the new padded `Content`.
    pub data: String,
    /// Base64 of its signature.
    pub signature: String,
    /// Uploaded file ids the new version uses.
    pub files: Vec<i64>,
}

impl Endpoint for EditMessage {
    type Output = ();
    fn method(&self) -> Method {
        Method::Put
    }
    fn path(&self) -> String {
        format!("{}/message/{}", room_path(&self.room), self.id)
    }
    fn body(&self) -> Result<Body> {
        Body::json(&PostBody {
            data: &self.data,
            signature: &self.signature,
            whisper_to: None,
            whisper_mods: false,
            files: &self.files,
        })
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<()> {
        empty(response)
    }
}

/// `DELETE /room/R/message/<id>`: deletes one's own message (or any, as a moderator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteMessage {
    /// The room.
    pub room: RoomToken,
    /// The message id.
    pub id: i64,
}

impl Endpoint for DeleteMessage {
    type Output = ();
    fn method(&self) -> Method {
        Method::Delete
    }
    fn path(&self) -> String {
        format!("{}/message/{}", room_path(&self.room), self.id)
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<()> {
        empty(response)
    }
}

/// `DELETE /room/R/all/<id>`: deletes every message of a user in the room (oneself, or anyone
/// as a moderator). Prefer a blinded id (spec §6.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteAllFrom {
    /// The room.
    pub room: RoomToken,
    /// The user.
    pub user: AccountId,
}

impl Endpoint for DeleteAllFrom {
    type Output = ();
    fn method(&self) -> Method {
        Method::Delete
    }
    fn path(&self) -> String {
        format!("{}/all/{}", room_path(&self.room), self.user)
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<()> {
        empty(response)
    }
}
