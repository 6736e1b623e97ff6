//! Pins (admin): pin, unpin, unpin all (spec §2.3). Each bumps the room's `info_updates`.

use serde::Deserialize;

use super::room_path;
use crate::Result;
use crate::link::RoomToken;
use crate::model::InfoUpdates;
use crate::request::{Auth, Body, Context, Endpoint, Method, Response, json};

/// The `{}` body pysogs expects (and ignores) on pin calls.
fn empty_object() -> Body {
    Body::Json(b"{}".to_vec())
}

/// `POST /room/R/pin/<id>`: pins a message (re-pinning moves it to the end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// The room.
    pub room: RoomToken,
    /// The message id.
    pub id: i64,
}

impl Endpoint for Pin {
    type Output = InfoUpdates;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("{}/pin/{}", room_path(&self.room), self.id)
    }
    fn body(&self) -> Result<Body> {
        Ok(empty_object())
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<InfoUpdates> {
        json("POST /room/R/pin", response)
    }
}

/// `{"unpinned": bool, "info_updates": n}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Unpinned {
    /// Whether the message was pinned.
    #[serde(default)]
    pub unpinned: bool,
    /// The room's new `info_updates`.
    pub info_updates: i64,
}

/// `POST /room/R/unpin/<id>`: unpins a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpin {
    /// The room.
    pub room: RoomToken,
    /// The message id.
    pub id: i64,
}

impl Endpoint for Unpin {
    type Output = Unpinned;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("{}/unpin/{}", room_path(&self.room), self.id)
    }
    fn body(&self) -> Result<Body> {
        Ok(empty_object())
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<Unpinned> {
        json("POST /room/R/unpin", response)
    }
}

/// `{"unpinned": count, "info_updates": n}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct UnpinnedAll {
    /// How many messages were unpinned.
    #[serde(default)]
    pub unpinned: i64,
    /// The room's new `info_updates`.
    pub info_updates: i64,
}

/// `POST /room/R/unpin/all`: unpins every message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpinAll {
    /// The room.
    pub room: RoomToken,
}

impl Endpoint for UnpinAll {
    type Output = UnpinnedAll;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("{}/unpin/all", room_path(&self.room))
    }
    fn body(&self) -> Result<Body> {
        Ok(empty_object())
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<UnpinnedAll> {
        json("POST /room/R/unpin/all", response)
    }
}
