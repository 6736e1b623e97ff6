//! Fuzz target `ids_and_links`: the body is `common/ids_and_links.rs`, which session-sogs's tests also run
//! over this target's corpus on stable.
#![no_main]

#[path = "../common/ids_and_links.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::exercise(data));
