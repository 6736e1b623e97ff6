//! Reactions: add, remove, clear, list reactors (spec §2.3).

use serde::Deserialize;

use super::{room_path, with_query};
use crate::Result;
use crate::encoding::encode_segment;
use crate::error::Error;
use crate::link::RoomToken;
use crate::request::{Auth, Context, Endpoint, Method, Response, json};

/// Checks a reaction: 1 to 12 Unicode code points (pysogs counts with Python `len`).
fn valid_reaction(emoji: &str) -> Result<String> {
    let n = emoji.chars().count();
    if (1..=12).contains(&n) {
        Ok(emoji.to_owned())
    } else {
        Err(Error::InvalidInput {
            what: "reaction",
            reason: format!("must be 1 to 12 characters, got {n}"),
        })
    }
}

/// `/room/R/reaction/<id>/<emoji>` with the emoji percent-encoded (signed decoded, §1.2).
fn reaction_path(kind: &str, room: &RoomToken, id: i64, emoji: &str) -> String {
    format!("{}/{kind}/{id}/{}", room_path(room), encode_segment(emoji))
}

/// `{"added": bool, "seqno": n}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct ReactionAdded {
    /// False if the user had already reacted so (not an error).
    pub added: bool,
    /// The room seqno after the change; polls older than this are stale.
    #[serde(default)]
    pub seqno: i64,
}

/// `{"removed": bool, "seqno": n}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct ReactionRemoved {
    /// False if the user had not reacted so.
    pub removed: bool,
    /// The room seqno after the change.
    #[serde(default)]
    pub seqno: i64,
}

/// `{"removed": count, "seqno": n}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct ReactionsCleared {
    /// How many reactions were removed.
    pub removed: i64,
    /// The room seqno after the change.
    #[serde(default)]
    pub seqno: i64,
}

/// `PUT /room/R/reaction/<id>/<emoji>`: adds the user's reaction.
///
/// Sent with an empty body: pysogs ignores the reserved `{}`, and bunsogs verifies clearnet
/// PUTs without their body hash, so a signed `{}` would fail there (spec §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddReaction {
    room: RoomToken,
    id: i64,
    emoji: String,
}

impl AddReaction {
    /// Reacts to message `id` with `emoji` (1–12 characters).
    pub fn new(room: RoomToken, id: i64, emoji: &str) -> Result<Self> {
        Ok(Self {
            room,
            id,
            emoji: valid_reaction(emoji)?,
        })
    }
}

impl Endpoint for AddReaction {
    type Output = ReactionAdded;
    fn method(&self) -> Method {
        Method::Put
    }
    fn path(&self) -> String {
        reaction_path("reaction", &self.room, self.id, &self.emoji)
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<ReactionAdded> {
        json("PUT /room/R/reaction", response)
    }
}

/// `DELETE /room/R/reaction/<id>/<emoji>`: removes the user's own reaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveReaction {
    room: RoomToken,
    id: i64,
    emoji: String,
}

impl RemoveReaction {
    /// Removes the user's `emoji` reaction from message `id`.
    pub fn new(room: RoomToken, id: i64, emoji: &str) -> Result<Self> {
        Ok(Self {
            room,
            id,
            emoji: valid_reaction(emoji)?,
        })
    }
}

impl Endpoint for RemoveReaction {
    type Output = ReactionRemoved;
    fn method(&self) -> Method {
        Method::Delete
    }
    fn path(&self) -> String {
        reaction_path("reaction", &self.room, self.id, &self.emoji)
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<ReactionRemoved> {
        json("DELETE /room/R/reaction", response)
    }
}

/// `DELETE /room/R/reactions/<id>[/<emoji>]` (moderator): removes everyone's reactions, or
/// all of one emoji.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearReactions {
    room: RoomToken,
    id: i64,
    emoji: Option<String>,
}

impl ClearReactions {
    /// Clears reactions of message `id`: all of them, or only `emoji`.
    pub fn new(room: RoomToken, id: i64, emoji: Option<&str>) -> Result<Self> {
        Ok(Self {
            room,
            id,
            emoji: emoji.map(valid_reaction).transpose()?,
        })
    }
}

impl Endpoint for ClearReactions {
    type Output = ReactionsCleared;
    fn method(&self) -> Method {
        Method::Delete
    }
    fn path(&self) -> String {
        match &self.emoji {
            Some(e) => reaction_path("reactions", &self.room, self.id, e),
            None => format!("{}/reactions/{}", room_path(&self.room), self.id),
        }
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<ReactionsCleared> {
        json("DELETE /room/R/reactions", response)
    }
}

/// `GET /room/R/reactors/<id>/<emoji>`: who reacted, oldest first, as `(id, time)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reactors {
    room: RoomToken,
    id: i64,
    emoji: String,
    limit: Option<u32>,
}

impl Reactors {
    /// Lists the reactors of `emoji` on message `id` (all of them).
    pub fn new(room: RoomToken, id: i64, emoji: &str) -> Result<Self> {
        Ok(Self {
            room,
            id,
            emoji: valid_reaction(emoji)?,
            limit: None,
        })
    }

    /// Lists at most `limit` reactors.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}

impl Endpoint for Reactors {
    type Output = Vec<(String, f64)>;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        with_query(
            reaction_path("reactors", &self.room, self.id, &self.emoji),
            &[("limit", self.limit.map(|l| l.to_string()))],
        )
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<Vec<(String, f64)>> {
        json("GET /room/R/reactors", response)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn room() -> RoomToken {
        RoomToken::new("test-room").unwrap()
    }

    #[test]
    fn accepts_the_pysogs_valid_reactions_and_rejects_the_invalid() {
        // vector pysogs_reaction_valid_strings
        for ok in [
            "🖕",
            "🍆",
            "f",
            "y/n",
            "abcdefghijkl",
            "🦒🦍🐍🐊🦢🦁🦎",
            "‽",
            "🫑",
        ] {
            assert!(AddReaction::new(room(), 1, ok).is_ok(), "{ok}");
        }
        for bad in ["", "abcdefghijklm"] {
            assert!(matches!(
                AddReaction::new(room(), 1, bad),
                Err(Error::InvalidInput {
                    what: "reaction",
                    ..
                })
            ));
        }
    }

    #[test]
    fn reaction_paths_are_percent_encoded_and_sign_as_raw_utf8() {
        // vector pysogs_reaction_url_encoding: the encoded and raw paths are one reaction.
        let r = AddReaction::new(room(), 1, "🍍").unwrap();
        assert_eq!(r.path(), "/room/test-room/reaction/1/%F0%9F%8D%8D");
        assert_eq!(
            session_crypto::percent_decode_path(&r.path()),
            "/room/test-room/reaction/1/🍍".as_bytes()
        );
        let slash = RemoveReaction::new(room(), 2, "y/n").unwrap();
        assert_eq!(slash.path(), "/room/test-room/reaction/2/y%2Fn");
    }
}
