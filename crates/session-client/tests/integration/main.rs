//! session-client against a real server: the facade and each example.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod examples;
mod facade;
