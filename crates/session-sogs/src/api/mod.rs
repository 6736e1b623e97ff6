//! One request type per endpoint of spec/sogs-api.md §2.1–2.6.
//!
//! Each type implements [`Endpoint`](crate::Endpoint): build it, then send it with
//! [`SogsClient::send`](crate::SogsClient::send) or put it in a [`Batch`](crate::Batch).
//! [`SogsClient`](crate::SogsClient) also has one convenience method per endpoint.

mod dm;
mod files;
mod general;
mod messages;
mod permissions;
mod pins;
mod reactions;
mod rooms;
mod users;

pub use dm::{ClearInbox, Cleared, Inbox, InboxSince, Outbox, OutboxSince, SendDm};
pub use files::{DownloadFile, File, FileId, UploadFile};
pub use general::GetCapabilities;
pub use messages::MAX_PAGE;
pub use messages::{
    DeleteAllFrom, DeleteMessage, EditMessage, GetMessage, MessagesBefore, MessagesSince,
    PostMessage, RecentMessages,
};
pub use permissions::{
    FuturePermission, GetFuturePermissions, GetPermissions, GetUserPermissions, PermissionChanges,
    SchedulePermissions, SetPermissions,
};
pub use pins::{Pin, Unpin, UnpinAll, Unpinned, UnpinnedAll};
pub use reactions::{
    AddReaction, ClearReactions, ReactionAdded, ReactionRemoved, ReactionsCleared, Reactors,
    RemoveReaction,
};
pub use rooms::{GetPollInfo, GetRoom, GetRooms, RoomUpdate, UpdateRoom};
pub use users::{Ban, Scope, SetModerator, Unban};

use crate::encoding::encode_segment;
use crate::link::RoomToken;

/// `/room/{token}` with the token percent-encoded (tokens are `[\w-]`, so this is a no-op for
/// valid tokens; kept for safety).
pub(crate) fn room_path(room: &RoomToken) -> String {
    format!("/room/{}", encode_segment(room.as_str()))
}

/// Appends `?a=b&c=d` for the parameters that are set.
pub(crate) fn with_query(mut path: String, params: &[(&str, Option<String>)]) -> String {
    let mut first = true;
    for (k, v) in params {
        if let Some(v) = v {
            path.push(if first { '?' } else { '&' });
            first = false;
            path.push_str(k);
            path.push('=');
            path.push_str(v);
        }
    }
    path
}
