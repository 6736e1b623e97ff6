//! Every reply form of network.md §3.5–3.7 through a real build: 3-hop requests to a snode
//! and to a server, answered by the destination (or a hop) in each documented way, opened by
//! the client into a value or the typed error that names the failure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use session_crypto::X25519Keypair;
use session_crypto::onion::HopCipher;
use session_net::onion::{
    self, Destination, EncType, HopInstruction, HopKeys, OnionError, OnionRequest, PathErrorKind,
    Protocol, ServerDestination, V4Request, V4Response, bencode,
};

struct World {
    hops: Vec<X25519Keypair>,
    path: Vec<HopKeys>,
    dest: X25519Keypair,
}

fn world() -> World {
    let hops: Vec<X25519Keypair> = (1..=3u8)
        .map(|i| X25519Keypair::from_secret([i; 32]))
        .collect();
    let path = hops
        .iter()
        .enumerate()
        .map(|(i, k)| HopKeys {
            ed25519: [i as u8 + 1; 32],
            x25519: *k.public_key(),
        })
        .collect();
    World {
        hops,
        path,
        dest: X25519Keypair::from_secret([42; 32]),
    }
}

/// Peels the three hops; returns the last instruction.
fn through_path(w: &World, body: &[u8]) -> HopInstruction {
    let mut body = body.to_vec();
    for (i, key) in w.hops.iter().enumerate() {
        let instruction = onion::peel(key, &body).unwrap().instruction;
        if i == 2 {
            return instruction;
        }
        body = instruction.forward_body().unwrap();
    }
    unreachable!()
}

/// A server request; returns it and the cipher the server answers with (from the layer
/// the last hop posts).
fn server_request(w: &World, enc: EncType) -> (OnionRequest, onion::ServerLayer) {
    let server = ServerDestination::new("127.0.0.1", 80, Protocol::Http, *w.dest.public_key());
    let req = onion::build_v4(&w.path, &server, &V4Request::new("GET", "/x"), enc).unwrap();
    let HopInstruction::Server { payload, .. } = through_path(w, &req.body) else {
        panic!()
    };
    let layer = onion::ServerLayer::open(&payload, std::slice::from_ref(&w.dest)).unwrap();
    (req, layer)
}

#[test]
fn xchacha20_reply_in_aes_gcm_is_accepted_by_the_fallback() {
    let w = world();
    let server = ServerDestination::new("127.0.0.1", 80, Protocol::Http, *w.dest.public_key());
    let req = onion::build_v4(
        &w.path,
        &server,
        &V4Request::new("GET", "/x"),
        EncType::XChaCha20,
    )
    .unwrap();
    let HopInstruction::Server { payload, .. } = through_path(&w, &req.body) else {
        panic!()
    };
    // The server answers in GCM with the same DH (what a GCM-only server does).
    let (_, meta) = onion::parse_frame(&payload).unwrap();
    let meta: serde_json::Value = serde_json::from_slice(meta).unwrap();
    let eph: [u8; 32] = hex::decode(meta["ephemeral_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let gcm = HopCipher::server(&w.dest, &eph, EncType::AesGcm).unwrap();
    let reply = gcm
        .encrypt(&V4Response::new(201, Default::default(), b"ok".to_vec()).encode())
        .unwrap();
    let opened = req.reply.open_server(200, &reply).unwrap();
    assert_eq!((opened.code, opened.body.as_slice()), (201, &b"ok"[..]));
}

#[test]
fn server_reply_forms_open_to_values_or_typed_errors() {
    let w = world();
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let (req, layer) = server_request(&w, enc);
        // A 2xx and a non-2xx meta are both valid replies; only error_for_status fails.
        let r = req
            .reply
            .open_server(
                200,
                &layer
                    .reply(&V4Response::new(403, Default::default(), b"no".to_vec()))
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(r.code, 403);
        assert_eq!(
            r.error_for_status(),
            Err(OnionError::Destination {
                status: 403,
                text: "no".into()
            })
        );
        // The server's invalid-request reply.
        let r = req
            .reply
            .open_server(200, &layer.reply_invalid().unwrap())
            .unwrap();
        assert_eq!(
            (r.code, r.body.as_slice()),
            (400, onion::INVALID_V4_BODY.as_bytes())
        );
        // Valid encryption of bytes that are not bencode.
        assert!(matches!(
            req.reply
                .open_server(200, &layer.reply_raw(b"not bencode").unwrap()),
            Err(OnionError::Bencode(_))
        ));
        // Bencode of the wrong shape, and metadata without a code.
        assert!(matches!(
            req.reply.open_server(
                200,
                &layer
                    .reply_raw(&bencode::encode_byte_list(&[b"a", b"b", b"c"]))
                    .unwrap()
            ),
            Err(OnionError::BadV4 { .. })
        ));
        assert!(matches!(
            req.reply.open_server(
                200,
                &layer
                    .reply_raw(&bencode::encode_byte_list(&[b"{}", b""]))
                    .unwrap()
            ),
            Err(OnionError::MissingField { field: "code", .. })
        ));
        // Tampered tag, truncated reply.
        let mut good = layer
            .reply(&V4Response::new(200, Default::default(), b"x".to_vec()))
            .unwrap();
        let last = good.len() - 1;
        good[last] ^= 1;
        assert_eq!(
            req.reply.open_server(200, &good),
            Err(OnionError::BadTag {
                what: "onion reply"
            })
        );
        assert!(matches!(
            req.reply.open_server(200, &good[..10]),
            Err(OnionError::Truncated { .. })
        ));
        // Plain-text hop errors with a non-200 guard status.
        let ed = "cd".repeat(32);
        let cases = [
            (
                502,
                format!("Next node not found: {ed}"),
                PathErrorKind::NodeNotFound {
                    ed25519: [0xcd; 32],
                },
            ),
            (
                400,
                "Invalid ciphertext".to_owned(),
                PathErrorKind::InvalidCiphertext,
            ),
            (504, "Request time out".to_owned(), PathErrorKind::Timeout),
            (
                503,
                "Snode not ready: ab".to_owned(),
                PathErrorKind::SnodeNotReady,
            ),
            (502, "Bad Gateway".to_owned(), PathErrorKind::BadGateway),
            (400, "Invalid url".to_owned(), PathErrorKind::InvalidUrl),
            (
                500,
                "Oxen Server error".to_owned(),
                PathErrorKind::OxenServerError,
            ),
            (
                500,
                "Invalid response from snode".to_owned(),
                PathErrorKind::Other,
            ),
        ];
        for (status, text, kind) in cases {
            match req.reply.open_server(status, text.as_bytes()) {
                Err(OnionError::Path {
                    status: s, kind: k, ..
                }) => assert_eq!((s, k), (status, kind)),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}

#[test]
fn snode_reply_forms_open_to_values_or_typed_errors() {
    let w = world();
    let dest_kp = X25519Keypair::from_secret([77; 32]);
    let dest = HopKeys {
        ed25519: [77; 32],
        x25519: *dest_kp.public_key(),
    };
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let req = onion::build(
            &w.path,
            &Destination::Snode(dest),
            br#"{"method":"info","params":{}}"#,
            enc,
        )
        .unwrap();
        let relay = through_path(&w, &req.body);
        let at_dest = onion::peel(&dest_kp, &relay.forward_body().unwrap()).unwrap();
        let HopInstruction::Final { body, .. } = &at_dest.instruction else {
            panic!()
        };
        assert_eq!(body.as_slice(), br#"{"method":"info","params":{}}"#);
        // 200 with base64, and the same wrapped in {"result": …}.
        let b64 = onion::snode_reply(&at_dest.reply, 200, r#"{"t":5}"#).unwrap();
        let r = req.reply.open_snode(200, b64.as_bytes()).unwrap();
        assert_eq!((r.status, r.json().unwrap()["t"].as_u64()), (200, Some(5)));
        let wrapped = serde_json::json!({ "result": b64 }).to_string();
        assert_eq!(req.reply.open_snode(200, wrapped.as_bytes()).unwrap(), r);
        // A destination error status inside the encrypted reply (421 with a swarm body).
        let r = req
            .reply
            .open_snode(
                200,
                onion::snode_reply(&at_dest.reply, 421, r#"{"snodes":[]}"#)
                    .unwrap()
                    .as_bytes(),
            )
            .unwrap();
        assert_eq!(r.status, 421);
        assert!(matches!(
            r.error_for_status(),
            Err(OnionError::Destination { status: 421, .. })
        ));
        // Not base64; base64 of garbage; valid encryption of non-JSON.
        assert_eq!(
            req.reply.open_snode(200, b"%%%"),
            Err(OnionError::BadBase64)
        );
        let garbage = base64::engine::general_purpose::STANDARD.encode([1u8; 64]);
        assert_eq!(
            req.reply.open_snode(200, garbage.as_bytes()),
            Err(OnionError::BadTag {
                what: "onion reply"
            })
        );
        let not_json = base64::engine::general_purpose::STANDARD
            .encode(at_dest.reply.encrypt(b"nope").unwrap());
        assert!(matches!(
            req.reply.open_snode(200, not_json.as_bytes()),
            Err(OnionError::BadJson { .. })
        ));
        // A hop error.
        let err = req
            .reply
            .open_snode(
                502,
                format!("Next node not found: {}", hex::encode([77u8; 32])).as_bytes(),
            )
            .unwrap_err();
        assert!(
            matches!(&err, OnionError::Path { kind: PathErrorKind::NodeNotFound { ed25519 }, .. } if *ed25519 == [77; 32]),
            "{err:?}"
        );
    }
}

#[test]
fn builder_rejects_unusable_paths() {
    let w = world();
    let dest = HopKeys {
        ed25519: w.path[1].ed25519,
        x25519: w.path[1].x25519,
    };
    assert!(matches!(
        onion::build(&w.path, &Destination::Snode(dest), b"{}", EncType::AesGcm),
        Err(OnionError::InvalidPath { .. })
    ));
    assert!(matches!(
        onion::build(&[], &Destination::Snode(dest), b"{}", EncType::AesGcm),
        Err(OnionError::InvalidPath { .. })
    ));
    let long: Vec<HopKeys> = (0..16u8)
        .map(|i| HopKeys {
            ed25519: [i; 32],
            x25519: w.path[0].x25519,
        })
        .collect();
    let server = Destination::Server(ServerDestination::new("h", 1, Protocol::Https, [1; 32]));
    assert!(matches!(
        onion::build(&long, &server, b"", EncType::AesGcm),
        Err(OnionError::InvalidPath { .. })
    ));
    // A low-order destination key is refused, not encrypted to.
    let weak = Destination::Server(ServerDestination::new("h", 1, Protocol::Https, [0; 32]));
    assert!(matches!(
        onion::build(&w.path, &weak, b"", EncType::AesGcm),
        Err(OnionError::WeakKey { .. })
    ));
}

/// Peels the three hops of `body`; returns every peeled layer, guard first.
fn peel_all(w: &World, body: &[u8]) -> Vec<onion::PeeledLayer> {
    let mut body = body.to_vec();
    let mut layers = Vec::new();
    for key in &w.hops {
        let layer = onion::peel(key, &body).unwrap();
        if let Some(next) = layer.forward_body() {
            body = next;
        }
        layers.push(layer);
    }
    layers
}

#[test]
fn relays_count_hops_as_storage_servers_do() {
    // SS https.cpp reads `hop_no` from the guard's JSON (absent = 0) and service_node.cpp
    // forwards `hop_no + 1`; so hop i (0-based) sees i, and the 16th hop is refused.
    let w = world();
    let dest = HopKeys {
        ed25519: [77; 32],
        x25519: *X25519Keypair::from_secret([77; 32]).public_key(),
    };
    let req = onion::build(
        &w.path,
        &Destination::Snode(dest),
        br#"{"method":"info","params":{}}"#,
        EncType::XChaCha20,
    )
    .unwrap();
    let layers = peel_all(&w, &req.body);
    let seen: Vec<Option<u64>> = layers.iter().map(|l| l.hop_no).collect();
    assert_eq!(seen, [None, Some(1), Some(2)]);
    let forwarded = layers[2].forward_body().unwrap();
    let (_, meta) = onion::parse_frame(&forwarded).unwrap();
    let meta: serde_json::Value = serde_json::from_slice(meta).unwrap();
    assert_eq!(meta["hop_no"], 3);
    assert_eq!(meta["enc_type"], "xchacha20");
    // The ciphertext is untouched: the destination opens it.
    let at_dest = onion::peel(&X25519Keypair::from_secret([77; 32]), &forwarded).unwrap();
    assert!(matches!(at_dest.instruction, HopInstruction::Final { .. }));
    assert!(at_dest.forward_body().is_none());
}

#[test]
fn a_refused_proxy_target_is_the_typed_invalid_url_path_error() {
    let w = world();
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let mut server =
            ServerDestination::new("127.0.0.1", 80, Protocol::Http, *w.dest.public_key());
        server.target = "/not/an/onion/endpoint".into();
        let req = onion::build_v4(&w.path, &server, &V4Request::new("GET", "/x"), enc).unwrap();
        let layers = peel_all(&w, &req.body);
        let HopInstruction::Server { target, .. } = &layers[2].instruction else {
            panic!("the last hop proxies")
        };
        assert!(!onion::target_allowed(target));
        // SS wrap_proxy_response: HTTP 200, base64 of {"status":400,"body":"Invalid url"}
        // sealed with the last hop's layer key.
        let reply = onion::snode_reply(&layers[2].reply, 400, "Invalid url").unwrap();
        assert_eq!(
            req.reply.open(200, reply.as_bytes()).unwrap_err(),
            OnionError::Path {
                status: 400,
                kind: PathErrorKind::InvalidUrl,
                text: "Invalid url".into()
            }
        );
        let err = req.reply.open_server(200, reply.as_bytes()).unwrap_err();
        assert!(!err.is_path_failure(), "our target, not the path, is wrong");
    }
}

#[test]
fn a_hop_encrypted_error_from_any_hop_is_a_path_error() {
    // "Invalid json" comes back sealed with the key of the hop that could not read its
    // inner JSON, for server and snode destinations alike.
    let w = world();
    let dest_kp = X25519Keypair::from_secret([77; 32]);
    let dest = HopKeys {
        ed25519: [77; 32],
        x25519: *dest_kp.public_key(),
    };
    let server = ServerDestination::new("127.0.0.1", 80, Protocol::Http, *w.dest.public_key());
    for destination in [Destination::Snode(dest), Destination::Server(server)] {
        let req = onion::build(&w.path, &destination, b"{}", EncType::AesGcm).unwrap();
        let layers = peel_all(&w, &req.body);
        for layer in &layers {
            let reply = onion::snode_reply(&layer.reply, 400, "Invalid json").unwrap();
            let err = req.reply.open(200, reply.as_bytes()).unwrap_err();
            assert_eq!(
                err,
                OnionError::Path {
                    status: 400,
                    kind: PathErrorKind::Other,
                    text: "Invalid json".into()
                }
            );
            assert!(err.is_path_failure());
        }
        // Bytes sealed with a key no hop used stay a bad tag.
        let stranger = HopCipher::client(
            &X25519Keypair::from_secret([9; 32]),
            &w.path[2].x25519,
            EncType::AesGcm,
        )
        .unwrap();
        let reply = onion::snode_reply(&stranger, 400, "Invalid json").unwrap();
        assert_eq!(
            req.reply.open(200, reply.as_bytes()).unwrap_err(),
            OnionError::BadTag {
                what: "onion reply"
            }
        );
    }
}
