#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod api;
mod batch;
mod capabilities;
mod client;
pub mod clock;
mod content;
mod encoding;
mod error;
mod link;
pub mod model;
pub mod poller;
mod request;

pub use batch::{Batch, BatchKind, BatchResponses, Handle};
pub use capabilities::Capabilities;
pub use client::{SigningPolicy, SogsClient, account_id};
pub use error::{DEFAULT_RETRY_AFTER, Error, Result};
pub use link::{BASE_URL_MAX_LENGTH, JoinLink, LinkError, ROOM_MAX_LENGTH, RoomToken, Server};
pub use model::{
    DecodeError, DirectMessage, Message, MessageUpdate, PinnedMessage, PollInfo, Reaction,
    ReactionsUpdate, RoomInfo,
};

pub use poller::{Event, Poller, PollerConfig, PollerCursor, RoomCursor};
pub use request::{Auth, Body, Context, Endpoint, Method, Response};

/// Re-exported so that callers need not depend on session-schema for the message types.
pub use session_schema::{Content, VisibleMessage};
