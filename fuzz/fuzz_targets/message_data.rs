//! Fuzz target `message_data`: the body is `common/message_data.rs`, which session-sogs's tests also run
//! over this target's corpus on stable.
#![no_main]

#[path = "../common/message_data.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::exercise(data));
