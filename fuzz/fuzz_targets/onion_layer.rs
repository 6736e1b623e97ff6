//! Fuzzes the receiving side: a snode peeling an `/onion_req/v2` body, classifying a
//! decrypted layer, and a server opening an `/oxen/v4/lsrpc` body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_crypto::X25519Keypair;
use session_net::onion::{self, ServerLayer};

fuzz_target!(|data: &[u8]| {
    let key = X25519Keypair::from_secret([3; 32]);
    let _ = onion::peel(&key, data);
    let _ = onion::classify(data.to_vec());
    let _ = onion::parse_frame(data);
    if let Ok(layer) = ServerLayer::open(data, std::slice::from_ref(&key)) {
        let _ = layer.request();
    }
});
