//! Fuzz target `sogs_json`: the body is `common/sogs_json.rs`, which session-sogs's tests also run
//! over this target's corpus on stable.
#![no_main]

#[path = "../common/sogs_json.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::exercise(data));
