//! session-schema integration tests: one binary, one module per area.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod builders;
mod onetoone;
mod page;
mod snapshots;
mod sodium;
mod sogs;

use session_crypto::{Identity, ServerPubkey};

/// The server key of the published vectors.
pub const SERVER: &str = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238";

pub fn server() -> ServerPubkey {
    SERVER.parse().unwrap()
}

/// A deterministic identity per `n`.
pub fn identity(n: u8) -> Identity {
    Identity::from_seed(&[n; 16]).unwrap()
}
