//! Per-user permission overrides and scheduled changes (moderators; spec §2.2).
//!
//! With blinding required, the `<id>` in these paths must be a blinded (`15…`) id: the server
//! answers 404 for a `05` id (spec §2.2, `SessionID` converter).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use session_crypto::AccountId;

use super::room_path;
use crate::Result;
use crate::link::RoomToken;
use crate::model::RoomPermissions;
use crate::request::{Auth, Body, Context, Endpoint, Method, Response, json};

/// `GET /room/R/permissions`: every user's overrides in the room, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetPermissions {
    /// The room.
    pub room: RoomToken,
}

impl Endpoint for GetPermissions {
    type Output = BTreeMap<String, RoomPermissions>;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        format!("{}/permissions", room_path(&self.room))
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<Self::Output> {
        json("GET /room/R/permissions", response)
    }
}

/// `GET /room/R/permissions/<id>`: one user's overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetUserPermissions {
    /// The room.
    pub room: RoomToken,
    /// The user.
    pub user: AccountId,
}

impl Endpoint for GetUserPermissions {
    type Output = RoomPermissions;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        format!("{}/permissions/{}", room_path(&self.room), self.user)
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<RoomPermissions> {
        json("GET /room/R/permissions/ID", response)
    }
}

/// What `POST /room/R/permissions/<id>` changes: `Some(x)` sets an override, `reset_*`
/// removes one (back to the room default). Setting and resetting the same permission is a
/// 400.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PermissionChanges {
    /// Read override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
    /// Accessible override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accessible: Option<bool>,
    /// Write override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write: Option<bool>,
    /// Upload override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload: Option<bool>,
    /// Back to the room's default read permission.
    #[serde(rename = "default_read", skip_serializing_if = "std::ops::Not::not")]
    pub reset_read: bool,
    /// Back to the room's default accessible permission.
    #[serde(
        rename = "default_accessible",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub reset_accessible: bool,
    /// Back to the room's default write permission.
    #[serde(rename = "default_write", skip_serializing_if = "std::ops::Not::not")]
    pub reset_write: bool,
    /// Back to the room's default upload permission.
    #[serde(rename = "default_upload", skip_serializing_if = "std::ops::Not::not")]
    pub reset_upload: bool,
}

/// `POST /room/R/permissions/<id>`: sets or clears one user's overrides (and, as pysogs
/// does by default, drops scheduled changes of the permissions touched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetPermissions {
    /// The room.
    pub room: RoomToken,
    /// The user.
    pub user: AccountId,
    /// The changes.
    pub changes: PermissionChanges,
}

impl Endpoint for SetPermissions {
    type Output = RoomPermissions;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("{}/permissions/{}", room_path(&self.room), self.user)
    }
    fn body(&self) -> Result<Body> {
        Body::json(&self.changes)
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<RoomPermissions> {
        json("POST /room/R/permissions/ID", response)
    }
}

/// A scheduled permission change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FuturePermission {
    /// The user (absent in a per-user listing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// When it applies (Unix seconds).
    pub at: f64,
    /// New read override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
    /// New write override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<bool>,
    /// New upload override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<bool>,
    /// A scheduled unban.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
}

/// `GET /room/R/futurePermissions[/<id>]`: scheduled changes, soonest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetFuturePermissions {
    /// The room.
    pub room: RoomToken,
    /// Only this user's, or everyone's.
    pub user: Option<AccountId>,
}

impl Endpoint for GetFuturePermissions {
    type Output = Vec<FuturePermission>;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        match &self.user {
            Some(u) => format!("{}/futurePermissions/{u}", room_path(&self.room)),
            None => format!("{}/futurePermissions", room_path(&self.room)),
        }
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<Vec<FuturePermission>> {
        json("GET /room/R/futurePermissions", response)
    }
}

#[derive(Serialize)]
struct ScheduleBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    read: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    write: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    upload: Option<bool>,
    #[serde(rename = "in")]
    in_secs: f64,
}

/// `POST /room/R/futurePermissions/<id>`: schedules overrides `in_secs` seconds from now
/// (0 < in < 10⁹); the server applies them from its cleanup job.
#[derive(Debug, Clone, PartialEq)]
pub struct SchedulePermissions {
    /// The room.
    pub room: RoomToken,
    /// The user.
    pub user: AccountId,
    /// Read override to apply.
    pub read: Option<bool>,
    /// Write override to apply.
    pub write: Option<bool>,
    /// Upload override to apply.
    pub upload: Option<bool>,
    /// Seconds from now.
    pub in_secs: f64,
}

impl Endpoint for SchedulePermissions {
    type Output = Vec<FuturePermission>;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("{}/futurePermissions/{}", room_path(&self.room), self.user)
    }
    fn body(&self) -> Result<Body> {
        Body::json(&ScheduleBody {
            read: self.read,
            write: self.write,
            upload: self.upload,
            in_secs: self.in_secs,
        })
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<Vec<FuturePermission>> {
        json("POST /room/R/futurePermissions/ID", response)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn change_bodies_follow_the_spec() {
        let c = PermissionChanges {
            write: Some(false),
            reset_upload: true,
            ..PermissionChanges::default()
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"write":false,"default_upload":true}"#
        );
        let s = SchedulePermissions {
            room: RoomToken::new("r").unwrap(),
            user: "15c3a36a220ce3a60b51dc2790d2f349ae3e933736046b26b6e5c3c8354ebeb82c"
                .parse()
                .unwrap(),
            read: None,
            write: Some(true),
            upload: None,
            in_secs: 60.0,
        };
        assert_eq!(s.body().unwrap().bytes(), br#"{"write":true,"in":60.0}"#);
        assert!(s.path().starts_with("/room/r/futurePermissions/15c3"));
    }
}
