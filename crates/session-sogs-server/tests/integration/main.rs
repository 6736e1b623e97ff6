//! Integration tests of session-sogs-server: a real server on an ephemeral loopback port,
//! driven over HTTP by a client that signs with session-crypto, one module per area of
//! spec/sogs-api.md. Vector sets print the `vectors:` protocol line read by `cargo xtask
//! vectors`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

mod client;
mod sodium;
mod vectors;

mod auth;
mod batch;
mod blinding;
mod cli;
mod crash;
mod dms;
mod files;
mod messages;
mod moderation;
mod onion;
mod pins;
mod reactions;
mod robustness;
mod rooms;
mod seqno;
