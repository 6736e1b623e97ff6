#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod direct;
mod error;
mod room;

pub use client::{Client, ClientBuilder, Community};
pub use direct::{DM_TTL_MS, DirectMessages, IncomingMessage, SentMessage};
pub use error::{Error, Result};
pub use room::Room;

pub use session_crypto::{AccountId, Identity, ServerPubkey, SessionId};
pub use session_net::SnodeNetwork;
pub use session_schema::{Content, ReceivedMessage, VisibleMessage};
pub use session_sogs::poller::{Event, EventStream};
pub use session_sogs::{
    DirectMessage, JoinLink, Message, PollerConfig, RoomInfo, RoomToken, Server, SogsClient,
};
