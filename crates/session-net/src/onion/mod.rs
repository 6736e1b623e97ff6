//! Onion requests, v4, sans-I/O (network.md §3).
//!
//! Nothing here does I/O: the client side turns a path, a destination and a payload into
//! bytes for the guard plus a [`ReplyOpener`]; the hop side ([`peel`]) and the server side
//! ([`ServerLayer`]) turn received bytes into typed instructions and encrypt replies. Layer
//! crypto is [`session_crypto::onion`].
//!
//! | piece | spec | here |
//! |---|---|---|
//! | layer framing `u32le ‖ blob ‖ JSON` | §3.2 | [`frame()`], [`parse_frame`] |
//! | building, innermost first | §3.3 | [`build`], [`build_v4`], [`build_with_secrets`] |
//! | what a hop does | §3.5 | [`peel`], [`classify`], [`target_allowed`], [`snode_reply`] |
//! | snode reply | §3.6 | [`ReplyOpener::open_snode`] → [`SnodeReply`] |
//! | v4 payload and reply | §3.7 | [`V4Request`], [`V4Response`], [`ServerLayer`], [`ReplyOpener::open_server`] |
//! | bencode | §3.7 | [`bencode`] |

pub mod bencode;
mod builder;
mod error;
mod frame;
mod hop;
mod reply;
mod server;
mod v4;

pub use builder::{
    Destination, HopKeys, LayerSecret, MAX_HOPS, OnionRequest, OnionSecrets, PATH_HOPS, Protocol,
    ServerDestination, V4_TARGET, build, build_v4, build_with_secrets,
};
pub use error::{OnionError, PathErrorKind};
pub use frame::{MAX_BODY, frame, parse_frame};
pub use hop::{HopInstruction, PeeledLayer, classify, peel, snode_reply, target_allowed};
pub use reply::{DestinationKind, OnionReply, ReplyOpener, SnodeReply, classify_path_error};
pub use server::{INVALID_V4_BODY, ServerLayer};
pub use session_crypto::onion::EncType;
pub use v4::{V4Request, V4Response};
