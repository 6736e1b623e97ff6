//! Fuzzes the bencode decoder and the v4 payload decoders. A list of byte strings that
//! decodes must re-encode to the same bytes (the decoder accepts only canonical lengths).
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_net::onion::{V4Request, V4Response, bencode};

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = bencode::Value::decode(data) {
        // Whatever decodes re-encodes and decodes to the same value.
        let again = bencode::Value::decode(&value.encode()).expect("re-encoding decodes");
        assert_eq!(again, value);
    }
    if let Ok(parts) = bencode::decode_byte_list(data) {
        assert_eq!(bencode::encode_byte_list(&parts), data);
    }
    let _ = V4Request::decode(data);
    let _ = V4Response::decode(data);
});
