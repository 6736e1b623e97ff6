//! session-net's integration tests, one binary (fast to link): transports against loopback
//! servers, onion replies, parsers under random input, and the network client against an
//! in-process fake Session network.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod network;
mod onion_reply_errors;
mod parsers_never_panic;
mod transport_direct;
mod transport_tls_socks;
