#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
mod content;
mod envelope;
mod error;
mod page;
mod sogs;
mod unknown;
mod verify;

/// The generated protobuf messages of package `SessionProtos` (`proto/SessionProtos.proto`,
/// compiled by `cargo xtask codegen`). Field docs are the schema's comments.
#[rustfmt::skip]
#[allow(missing_docs, clippy::all, clippy::pedantic, rustdoc::all)]
#[path = "generated/session_protos.rs"]
pub mod proto;

/// The generated table of known field numbers (see [`unknown`]).
#[rustfmt::skip]
#[path = "generated/fields.rs"]
mod fields;

pub use builder::{
    Attachment, CommunityInvitation, Profile, Quote, Reaction, ReactionAction, VisibleMessage,
    now_ms,
};
pub use content::{Content, ContentKind};
pub use envelope::{ReceivedMessage, frame, unframe, unwrap, wrap};
pub use error::{Error, Result};
pub use page::{PageItem, decode_page};
pub use session_crypto::padding::PaddingRule;
pub use sogs::{
    SogsMessage, SogsMessageData, SogsSigner, decode_sogs_message, encode_sogs_message,
};
pub use unknown::UnknownField;
