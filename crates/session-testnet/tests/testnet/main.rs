//! session-testnet end to end: the real session-net client (paths, onion layers, failure
//! policy) against the local network, on loopback only. Every loop is bounded and no test
//! asserts on time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod dm;
mod echo;
mod faults;
mod onion;
mod rpc;
mod sogs;
