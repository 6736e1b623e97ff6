//! Fuzzes everything that opens an onion reply from the network: the guard's status + body
//! for both destination kinds, the decrypted v4 reply and snode reply parsers, and the
//! classification of hop error texts. Nothing may panic; every failure is a typed error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_crypto::X25519Keypair;
use session_net::onion::{self, DestinationKind, EncType, ReplyOpener, SnodeReply, V4Response};

fuzz_target!(|data: &[u8]| {
    let (selector, body) = data.split_first().unwrap_or((&0, &[]));
    let status = match selector % 4 {
        0 => 200,
        1 => 502,
        2 => 400,
        _ => 500 + u16::from(*selector),
    };
    let enc = if selector & 0x10 == 0 {
        EncType::AesGcm
    } else {
        EncType::XChaCha20
    };
    for kind in [DestinationKind::Snode, DestinationKind::Server] {
        let opener = ReplyOpener::new(X25519Keypair::from_secret([7; 32]), [9; 32], enc, kind);
        let _ = opener.open(status, body);
    }
    let _ = V4Response::decode(body);
    let _ = SnodeReply::parse(body);
    let _ = onion::classify_path_error(status, &String::from_utf8_lossy(body));
});
