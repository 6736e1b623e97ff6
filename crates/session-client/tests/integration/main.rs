//! session-client against a real server (the facade and each example) and a local Session
//! network (1:1 messages).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod direct;
mod examples;
mod facade;
