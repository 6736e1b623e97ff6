//! session-sogs against a real server (`session-sogs-server`'s `TestServer`) on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod dms;
mod endpoints;
mod errors;
mod fuzz_corpus;
mod malformed;
mod poller;
