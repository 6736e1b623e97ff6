//! What a poll yields.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::link::RoomToken;
use crate::model::{DirectMessage, Message, PinnedMessage, Reaction, RoomInfo};

/// One thing that happened on the server, as the [`Poller`](super::Poller) saw it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A message the poller had not seen (in id order on a first poll, seqno order after).
    MessageNew {
        /// The room.
        room: RoomToken,
        /// The message, decoded and verified.
        message: Box<Message>,
    },
    /// A new version of a message seen before.
    MessageEdited {
        /// The room.
        room: RoomToken,
        /// The new version, decoded and verified.
        message: Box<Message>,
    },
    /// A message was deleted (a tombstone).
    MessageDeleted {
        /// The room.
        room: RoomToken,
        /// The message id.
        id: i64,
        /// The seqno of the deletion.
        seqno: i64,
    },
    /// The reactions of a message changed (and nothing else did).
    ReactionsChanged {
        /// The room.
        room: RoomToken,
        /// The message id.
        id: i64,
        /// The seqno of the change.
        seqno: i64,
        /// All reactions of the message now.
        reactions: BTreeMap<String, Reaction>,
    },
    /// The room's details changed (or were seen for the first time): name, description,
    /// image, moderators, pins.
    RoomInfoChanged {
        /// The room.
        room: RoomToken,
        /// The new details.
        info: Box<RoomInfo>,
    },
    /// The set or order of pinned messages changed.
    PinsChanged {
        /// The room.
        room: RoomToken,
        /// The pinned messages now, oldest pin first.
        pinned: Vec<PinnedMessage>,
    },
    /// A direct message arrived in the inbox.
    DirectMessage(Box<DirectMessage>),
    /// A direct message was sent from this account (the outbox; e.g. by another device).
    DirectMessageSent(Box<DirectMessage>),
    /// The server sent a row that is not a valid message; the poller moved past it.
    MalformedRow {
        /// The room.
        room: RoomToken,
        /// The message id, if readable.
        id: Option<i64>,
        /// What is wrong.
        reason: String,
    },
    /// A request failed: the whole poll (`room: None`; the poller backs off) or one room's
    /// part of it.
    Error {
        /// The room whose request failed, if only one did.
        room: Option<RoomToken>,
        /// What went wrong.
        error: Error,
    },
}

impl Event {
    /// The room the event is about, if any.
    pub fn room(&self) -> Option<&RoomToken> {
        match self {
            Self::MessageNew { room, .. }
            | Self::MessageEdited { room, .. }
            | Self::MessageDeleted { room, .. }
            | Self::ReactionsChanged { room, .. }
            | Self::RoomInfoChanged { room, .. }
            | Self::PinsChanged { room, .. }
            | Self::MalformedRow { room, .. } => Some(room),
            Self::Error { room, .. } => room.as_ref(),
            Self::DirectMessage(_) | Self::DirectMessageSent(_) => None,
        }
    }
}
