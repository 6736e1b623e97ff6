//! The fuzz targets' bodies on stable: random and mutated bytes into every parser of remote
//! input (onion replies, bencode, v4 payloads, onion layers, seed and RPC replies). Each must
//! return a value or a typed error, never panic; canonical byte lists round-trip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use proptest::prelude::*;
use session_crypto::X25519Keypair;
use session_crypto::onion::HopCipher;
use session_net::onion::{
    self, DestinationKind, EncType, ReplyOpener, ServerLayer, SnodeReply, V4Request, V4Response,
    bencode,
};
use session_net::{rpc, snode};

/// Valid inputs from the vectors, to mutate.
fn seeds() -> Vec<Vec<u8>> {
    vec![
        br#"l58:{"code":200,"headers":{"content-type":"application/json"}}11:{"id": 123}e"#.to_vec(),
        br#"l72:{"method":"POST","endpoint":"/some/thing","headers":{"Some-Header":"a"}}14:post body heree"#.to_vec(),
        br#"{"body":"{\"hf\":[19,3]}","status":200}"#.to_vec(),
        onion::frame(b"ciphertext", br#"{"destination":"00","ephemeral_key":"11"}"#).unwrap(),
        br#"{"result":{"service_node_states":[{"public_ip":"1.2.3.4","storage_port":1}]}}"#.to_vec(),
    ]
}

/// A reply opener that also holds a hop layer's cipher (as built requests do).
fn opener_with_hop(enc: EncType, kind: DestinationKind) -> (ReplyOpener, HopCipher) {
    let hop_peer = *X25519Keypair::from_secret([6; 32]).public_key();
    let hop = HopCipher::client(&X25519Keypair::from_secret([5; 32]), &hop_peer, enc).unwrap();
    let opener = ReplyOpener::new(X25519Keypair::from_secret([3; 32]), [9; 32], enc, kind)
        .with_hop_ciphers(vec![hop.clone()]);
    (opener, hop)
}

fn exercise(data: &[u8]) {
    let key = X25519Keypair::from_secret([3; 32]);
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        for kind in [DestinationKind::Snode, DestinationKind::Server] {
            let opener = ReplyOpener::new(key.clone(), [9; 32], enc, kind);
            for status in [200, 400, 502] {
                let _ = opener.open(status, data);
            }
            let _ = opener_with_hop(enc, kind).0.open(200, data);
        }
    }
    let _ = V4Response::decode(data);
    let _ = V4Request::decode(data);
    let _ = SnodeReply::parse(data);
    if let Ok(value) = bencode::Value::decode(data) {
        assert_eq!(bencode::Value::decode(&value.encode()).unwrap(), value);
    }
    if let Ok(parts) = bencode::decode_byte_list(data) {
        assert_eq!(bencode::encode_byte_list(&parts), data);
    }
    let _ = onion::peel(&key, data);
    let _ = onion::classify(data.to_vec());
    if let Ok(layer) = ServerLayer::open(data, std::slice::from_ref(&key)) {
        let _ = layer.request();
    }
    let _ = snode::parse_service_nodes(data, None);
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = rpc::parse_retrieve(&json);
        let _ = rpc::parse_store(&json);
        let _ = rpc::parse_swarm(&json);
        let _ = rpc::parse_info(&json);
        let _ = rpc::decrypt_ons_record("alice", &json);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        exercise(&data);
    }

    /// Any plaintext a hop seals with its layer key is opened to a typed error: a path
    /// error when it is `{"status", "body"}`, else the destination key's bad tag.
    #[test]
    fn hop_sealed_plaintexts_are_typed_errors(
        plain in proptest::collection::vec(any::<u8>(), 0..256),
        status in 0u64..70_000,
        json in any::<bool>(),
    ) {
        let plain = if json {
            serde_json::json!({"status": status, "body": String::from_utf8_lossy(&plain)})
                .to_string()
                .into_bytes()
        } else {
            plain
        };
        for enc in [EncType::AesGcm, EncType::XChaCha20] {
            for kind in [DestinationKind::Snode, DestinationKind::Server] {
                let (opener, hop) = opener_with_hop(enc, kind);
                let sealed = base64::engine::general_purpose::STANDARD
                    .encode(hop.encrypt(&plain).unwrap());
                match opener.open(200, sealed.as_bytes()) {
                    Err(onion::OnionError::Path { status: s, .. }) => {
                        prop_assert!(json && u64::from(s) == status);
                    }
                    Err(_) => prop_assert!(!json || status > u64::from(u16::MAX)),
                    Ok(reply) => prop_assert!(false, "opened as a reply: {reply:?}"),
                }
            }
        }
    }

    #[test]
    fn mutated_valid_inputs_never_panic(
        seed in 0usize..5,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        let mut data = seeds()[seed].clone();
        for (pos, byte) in flips {
            let len = data.len();
            data[pos % len] = byte;
        }
        exercise(&data);
        exercise(&data[..cut % (data.len() + 1)]);
    }
}

#[test]
fn seeds_parse() {
    let s = seeds();
    assert_eq!(V4Response::decode(&s[0]).unwrap().code, 200);
    assert_eq!(V4Request::decode(&s[1]).unwrap().endpoint, "/some/thing");
    assert_eq!(SnodeReply::parse(&s[2]).unwrap().status, 200);
}

/// Every seed of the cargo-fuzz corpus (`fuzz/corpus/<target>/`) through every parser, with
/// its truncations: the fuzz targets' smoke run on stable, in CI. The seeds still reach the
/// parsers' success paths, so the corpus stays worth mutating.
#[test]
fn fuzz_corpus_seeds_run_through_every_parser() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let read = |target: &str, seed: &str| std::fs::read(corpus.join(target).join(seed)).unwrap();
    let mut seen = 0;
    for target in ["bencode", "onion_layer", "onion_reply"] {
        for entry in std::fs::read_dir(corpus.join(target)).unwrap() {
            let path = entry.unwrap().path();
            // Only the committed seeds: a local fuzzing run adds (git-ignored) inputs beside them.
            if !path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("seed-")
            {
                continue;
            }
            let data = std::fs::read(&path).unwrap();
            for cut in 0..=data.len() {
                exercise(&data[..cut]);
                // onion_reply's first byte picks the status and cipher; the rest is the body.
                exercise(&data[cut.min(1)..cut]);
            }
            seen += 1;
        }
    }
    assert_eq!(seen, 11, "the corpus has 4 + 3 + 4 seeds");

    assert!(bencode::Value::decode(&read("bencode", "seed-dict")).is_ok());
    let get = V4Request::decode(&read("bencode", "seed-get")).unwrap();
    assert_eq!(
        (get.method.as_str(), get.endpoint.as_str()),
        ("GET", "/room/some-room")
    );
    assert_eq!(
        V4Response::decode(&read("onion_reply", "seed-v4")[1..])
            .unwrap()
            .code,
        200
    );
    assert_eq!(
        SnodeReply::parse(&read("onion_reply", "seed-snode")[1..])
            .unwrap()
            .status,
        200
    );
    assert!(onion::parse_frame(&read("onion_layer", "seed-relay")).is_ok());
}
