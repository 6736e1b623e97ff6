//! Rooms: the room object, pollInfo, pins and permission flags (spec §2.2).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::null_default;

/// A pinned message of a room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PinnedMessage {
    /// The message id.
    pub id: i64,
    /// When it was pinned (Unix seconds).
    pub pinned_at: f64,
    /// Who pinned it (an id as the server shows it).
    pub pinned_by: String,
}

/// A room, as `GET /room/R`, `GET /rooms` and pollInfo `details` give it (spec §2.2).
///
/// Keys the server omits default; mod-only fields are `None` for other users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomInfo {
    /// The room token.
    pub token: String,
    /// The display name.
    pub name: String,
    /// The description, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Bumped on name/description/image, moderator and pin changes (spec §2.10).
    pub info_updates: i64,
    /// Bumped on every post, edit, deletion and reaction change.
    pub message_sequence: i64,
    /// When the room was created (Unix seconds).
    #[serde(default)]
    pub created: f64,
    /// Users active within `active_users_cutoff` seconds.
    #[serde(default)]
    pub active_users: i64,
    /// The activity window, seconds.
    #[serde(default)]
    pub active_users_cutoff: i64,
    /// The file id of the room image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<i64>,
    /// Pinned messages, oldest pin first.
    #[serde(default, deserialize_with = "null_default")]
    pub pinned_messages: Vec<PinnedMessage>,
    /// Visible moderators.
    #[serde(default, deserialize_with = "null_default")]
    pub moderators: Vec<String>,
    /// Visible admins.
    #[serde(default, deserialize_with = "null_default")]
    pub admins: Vec<String>,
    /// Hidden moderators (shown to moderators only).
    #[serde(default, deserialize_with = "null_default")]
    pub hidden_moderators: Vec<String>,
    /// Hidden admins (shown to moderators only).
    #[serde(default, deserialize_with = "null_default")]
    pub hidden_admins: Vec<String>,
    /// Whether the requesting user may read.
    #[serde(default, deserialize_with = "null_default")]
    pub read: bool,
    /// Whether the requesting user may post.
    #[serde(default, deserialize_with = "null_default")]
    pub write: bool,
    /// Whether the requesting user may upload.
    #[serde(default, deserialize_with = "null_default")]
    pub upload: bool,
    /// Whether the requesting user moderates the room.
    #[serde(default, deserialize_with = "null_default")]
    pub moderator: bool,
    /// Whether the requesting user administers the room.
    #[serde(default, deserialize_with = "null_default")]
    pub admin: bool,
    /// Whether the requesting user is a global moderator.
    #[serde(default, deserialize_with = "null_default")]
    pub global_moderator: bool,
    /// Whether the requesting user is a global admin.
    #[serde(default, deserialize_with = "null_default")]
    pub global_admin: bool,
    /// The room's default read permission (moderators only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_read: Option<bool>,
    /// The room's default accessible permission (moderators only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_accessible: Option<bool>,
    /// The room's default write permission (moderators only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_write: Option<bool>,
    /// The room's default upload permission (moderators only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_upload: Option<bool>,
}

/// `GET /room/R/pollInfo/<info_updates>`: the cheap per-poll room status, with the full room
/// in `details` only when its `info_updates` changed (spec §2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollInfo {
    /// The room token.
    pub token: String,
    /// Active users.
    #[serde(default)]
    pub active_users: i64,
    /// Whether the user may read.
    #[serde(default, deserialize_with = "null_default")]
    pub read: bool,
    /// Whether the user may post.
    #[serde(default, deserialize_with = "null_default")]
    pub write: bool,
    /// Whether the user may upload.
    #[serde(default, deserialize_with = "null_default")]
    pub upload: bool,
    /// The full room, when it changed since the polled `info_updates`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<RoomInfo>,
}

/// `{"info_updates": n}`: the answer of `PUT /room/R` and pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoUpdates {
    /// The room's new `info_updates`.
    pub info_updates: i64,
}

/// `{"info_updates": {token: n}}`: the answer of `POST /user/<id>/moderator`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RoomInfoUpdates {
    /// New `info_updates` per room token.
    #[serde(default, deserialize_with = "null_default")]
    pub info_updates: BTreeMap<String, i64>,
}

/// Permission overrides of one user in a room (`/room/R/permissions`, spec §2.2).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RoomPermissions {
    /// Read override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
    /// Accessible override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessible: Option<bool>,
    /// Write override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<bool>,
    /// Upload override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<bool>,
    /// Room moderator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderator: Option<bool>,
    /// Room admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<bool>,
    /// Hidden moderator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// Banned from the room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn room_info_reads_pysogs_omissions_and_bunsogs_nulls() {
        let pysogs = r#"{"token":"lobby","name":"Lobby","info_updates":3,"message_sequence":9,
            "created":1.5,"active_users":2,"active_users_cutoff":604800,"moderators":[],
            "admins":["15ab"],"read":true,"write":true,"upload":false}"#;
        let r: RoomInfo = serde_json::from_str(pysogs).unwrap();
        assert_eq!((r.info_updates, r.message_sequence), (3, 9));
        assert!(r.pinned_messages.is_empty() && r.description.is_none() && !r.moderator);
        let bunsogs = r#"{"token":"lobby","name":"Lobby","info_updates":3,"message_sequence":9,
            "created":1.5,"active_users":2,"active_users_cutoff":604800,"moderators":null,
            "admins":[],"read":true,"write":true,"upload":true,"moderator":false,"admin":false,
            "pinned_messages":[{"id":4,"pinned_at":2.5,"pinned_by":"15ab"}],"description":null,
            "image_id":null,"unknown":{"x":1}}"#;
        let b: RoomInfo = serde_json::from_str(bunsogs).unwrap();
        assert_eq!(b.pinned_messages[0].id, 4);
        assert_eq!(b.image_id, None);
    }

    #[test]
    fn poll_info_details_are_optional() {
        let p: PollInfo = serde_json::from_str(
            r#"{"token":"t","active_users":1,"read":true,"write":false,"upload":false}"#,
        )
        .unwrap();
        assert!(p.details.is_none() && p.read && !p.write);
        assert!(serde_json::from_str::<PollInfo>(r#"{"token":5}"#).is_err());
    }
}
