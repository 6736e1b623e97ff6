//! Rooms: list, info, pollInfo, update (spec §2.2).

use serde::Serialize;

use super::room_path;
use crate::Result;
use crate::link::RoomToken;
use crate::model::{InfoUpdates, PollInfo, RoomInfo};
use crate::request::{Auth, Body, Context, Endpoint, Method, Response, json};

/// `GET /rooms`: every room the user can see, sorted by token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetRooms;

impl Endpoint for GetRooms {
    type Output = Vec<RoomInfo>;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        "/rooms".to_owned()
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<Vec<RoomInfo>> {
        json("GET /rooms", response)
    }
}

/// `GET /room/R`: one room's details (404 if missing or not accessible).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetRoom {
    /// The room.
    pub room: RoomToken,
}

impl GetRoom {
    /// Asks for `room`.
    pub fn new(room: RoomToken) -> Self {
        Self { room }
    }
}

impl Endpoint for GetRoom {
    type Output = RoomInfo;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        room_path(&self.room)
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<RoomInfo> {
        json("GET /room/R", response)
    }
}

/// `GET /room/R/pollInfo/<info_updates>`: the room's status, with full details when its
/// `info_updates` differs from the one given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetPollInfo {
    /// The room.
    pub room: RoomToken,
    /// The `info_updates` the caller already has (0 for none).
    pub info_updates: i64,
}

impl GetPollInfo {
    /// Polls `room` knowing `info_updates`.
    pub fn new(room: RoomToken, info_updates: i64) -> Self {
        Self { room, info_updates }
    }
}

impl Endpoint for GetPollInfo {
    type Output = PollInfo;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        format!("{}/pollInfo/{}", room_path(&self.room), self.info_updates)
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<PollInfo> {
        json("GET /room/R/pollInfo", response)
    }
}

/// The fields `PUT /room/R` may change; unset fields are left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoomUpdate {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description (`Some(None)` clears it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Option<String>>,
    /// New default read permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_read: Option<bool>,
    /// New default accessible permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_accessible: Option<bool>,
    /// New default write permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_write: Option<bool>,
    /// New default upload permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_upload: Option<bool>,
    /// A file id uploaded to this room, to become the room image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<i64>,
}

/// `PUT /room/R` (admin): changes name, description, default permissions or image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateRoom {
    /// The room.
    pub room: RoomToken,
    /// The changes.
    pub update: RoomUpdate,
}

impl Endpoint for UpdateRoom {
    type Output = InfoUpdates;
    fn method(&self) -> Method {
        Method::Put
    }
    fn path(&self) -> String {
        room_path(&self.room)
    }
    fn body(&self) -> Result<Body> {
        Body::json(&self.update)
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<InfoUpdates> {
        json("PUT /room/R", response)
    }
}
