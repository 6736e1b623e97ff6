//! The onion endpoint (spec/sogs-api.md §2.7) with both ciphers. The client side of the layer
//! (key agreement, AEAD, framing, bencoding) is built here from libsodium and by hand, not
//! with the project's onion code, so the server is checked against an independent
//! implementation; plus the `onion_parser_*` and 3-hop server vectors of vectors-onion.json.

use serde_json::{Value, json};
use session_sogs_server::testing::TestServer;

use crate::client::{Client, User, b64, unb64};
use crate::sodium;
use crate::vectors::{self, Tally};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cipher {
    AesGcm,
    XChaCha20,
}

impl Cipher {
    fn name(self) -> &'static str {
        match self {
            Self::AesGcm => "aes-gcm",
            Self::XChaCha20 => "xchacha20",
        }
    }
}

/// The client's view of one onion layer to the server.
struct Layer {
    cipher: Cipher,
    key: [u8; 32],
    ephemeral_pk: [u8; 32],
}

impl Layer {
    fn new(server_pk: &[u8; 32], ephemeral_sk: [u8; 32], cipher: Cipher) -> Self {
        let ephemeral_pk = sodium::x25519_public(&ephemeral_sk);
        let dh = sodium::x25519(&ephemeral_sk, server_pk);
        let key = match cipher {
            Cipher::AesGcm => sodium::hmac_sha256(b"LOKI", &dh),
            Cipher::XChaCha20 => sodium::blake2b_256(&[&dh, &ephemeral_pk, server_pk]),
        };
        Self {
            cipher,
            key,
            ephemeral_pk,
        }
    }

    fn random(server_pk: &[u8; 32], cipher: Cipher) -> Self {
        let mut sk = [0u8; 32];
        getrandom::fill(&mut sk).unwrap();
        Self::new(server_pk, sk, cipher)
    }

    fn seal(&self, pt: &[u8]) -> Vec<u8> {
        match self.cipher {
            Cipher::AesGcm if sodium::aesgcm_available() => {
                let mut iv = [0u8; 12];
                getrandom::fill(&mut iv).unwrap();
                sodium::aesgcm_seal(&self.key, &iv, pt)
            }
            Cipher::AesGcm => panic!("this CPU has no AES-GCM in libsodium"),
            Cipher::XChaCha20 => {
                let mut n = [0u8; 24];
                getrandom::fill(&mut n).unwrap();
                sodium::xchacha_seal(&self.key, &n, pt)
            }
        }
    }

    fn open(&self, ct: &[u8]) -> Option<Vec<u8>> {
        match self.cipher {
            Cipher::AesGcm => sodium::aesgcm_open(&self.key, ct),
            Cipher::XChaCha20 => sodium::xchacha_open(&self.key, ct),
        }
    }

    /// The body the last snode POSTs: `u32le(len) ‖ ciphertext ‖ route JSON`.
    fn frame(&self, plaintext: &[u8]) -> Vec<u8> {
        let ct = self.seal(plaintext);
        let meta = json!({
            "host": "127.0.0.1", "port": 80, "protocol": "http", "target": "/oxen/v4/lsrpc",
            "ephemeral_key": hex::encode(self.ephemeral_pk), "enc_type": self.cipher.name(),
        });
        [
            &(ct.len() as u32).to_le_bytes()[..],
            &ct,
            &serde_json::to_vec(&meta).unwrap(),
        ]
        .concat()
    }
}

fn bencode(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = b"l".to_vec();
    for p in parts {
        out.extend_from_slice(format!("{}:", p.len()).as_bytes());
        out.extend_from_slice(p);
    }
    out.push(b'e');
    out
}

fn unbencode(b: &[u8]) -> Vec<Vec<u8>> {
    assert_eq!((b[0], b[b.len() - 1]), (b'l', b'e'), "not a bencoded list");
    let mut rest = &b[1..b.len() - 1];
    let mut parts = Vec::new();
    while !rest.is_empty() {
        let colon = rest.iter().position(|&c| c == b':').unwrap();
        let n: usize = std::str::from_utf8(&rest[..colon])
            .unwrap()
            .parse()
            .unwrap();
        parts.push(rest[colon + 1..colon + 1 + n].to_vec());
        rest = &rest[colon + 1 + n..];
    }
    parts
}

/// A v4 request's plaintext, signed by `user` if given.
fn v4_request(user: Option<&User>, method: &str, endpoint: &str, body: Option<&[u8]>) -> Vec<u8> {
    let mut headers = serde_json::Map::new();
    if let Some(u) = user {
        for (k, v) in u.auth_headers(method, endpoint, body.unwrap_or_default()) {
            headers.insert(k, Value::String(v));
        }
    }
    if body.is_some() {
        headers.insert("Content-Type".into(), "application/json".into());
    }
    let info =
        serde_json::to_vec(&json!({"method": method, "endpoint": endpoint, "headers": headers}))
            .unwrap();
    match body {
        Some(b) => bencode(&[&info, b]),
        None => bencode(&[&info]),
    }
}

/// Sends one v4 onion request; returns (meta, body) of the decrypted reply.
async fn onion(
    c: &Client,
    server: &TestServer,
    cipher: Cipher,
    plaintext: &[u8],
) -> (Value, Vec<u8>) {
    let layer = Layer::random(server.public_key().as_bytes(), cipher);
    let r = c
        .raw("POST", "/oxen/v4/lsrpc", &[], layer.frame(plaintext))
        .await;
    assert_eq!(r.status, 200, "outer status is always 200");
    let reply = layer
        .open(&r.body)
        .expect("the reply decrypts with the layer key");
    let parts = unbencode(&reply);
    assert_eq!(parts.len(), 2);
    (serde_json::from_slice(&parts[0]).unwrap(), parts[1].clone())
}

fn ciphers() -> Vec<Cipher> {
    if sodium::aesgcm_available() {
        vec![Cipher::AesGcm, Cipher::XChaCha20]
    } else {
        println!(
            "NOTE: libsodium has no AES-GCM on this CPU; the AES-GCM path is covered by the vectors only"
        );
        vec![Cipher::XChaCha20]
    }
}

#[tokio::test]
async fn onion_requests_work_with_both_ciphers() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    for cipher in ciphers() {
        let (meta, body) = onion(
            &c,
            &server,
            cipher,
            &v4_request(None, "GET", "/capabilities", None),
        )
        .await;
        assert_eq!(
            meta,
            json!({"code": 200, "headers": {"content-type": "application/json"}}),
            "{cipher:?}"
        );
        assert_eq!(
            serde_json::from_slice::<Value>(&body).unwrap()["capabilities"],
            json!(["blind", "reactions", "sogs"])
        );

        // A signed post inside the onion: the inner headers authenticate it.
        let post = serde_json::to_vec(&alice.post_body(&format!("via {cipher:?}"))).unwrap();
        let req = v4_request(Some(&alice), "POST", "/room/lobby/message", Some(&post));
        let (meta, body) = onion(&c, &server, cipher, &req).await;
        assert_eq!(meta["code"], 201);
        let msg: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(msg["session_id"], alice.id());
        let direct = c
            .get(&format!("/room/lobby/message/{}", msg["id"]))
            .await
            .json();
        assert_eq!(direct["data"], msg["data"]);

        // Inner errors come back inside, with their text bodies.
        let mut bad = alice.auth_headers("GET", "/inbox", b"");
        bad[3].1 = b64(&[0u8; 64]);
        let info = json!({"method": "GET", "endpoint": "/inbox", "headers": bad.into_iter().map(|(k, v)| (k, Value::String(v))).collect::<serde_json::Map<String, Value>>()});
        let req = bencode(&[&serde_json::to_vec(&info).unwrap()]);
        let (meta, body) = onion(&c, &server, cipher, &req).await;
        assert_eq!(meta["code"], 401);
        assert_eq!(meta["headers"]["content-type"], "text/plain; charset=utf-8");
        assert_eq!(
            body,
            b"Invalid authentication: X-SOGS-Signature verification failed"
        );
    }
}

#[tokio::test]
async fn raw_utf8_and_encoded_endpoints_sign_alike() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (alice, bob) = (User::new(&server, 1), User::new(&server, 2));
    c.post_text(&alice, "lobby", "react").await;
    for (who, endpoint) in [
        (&alice, "/room/lobby/reaction/1/🍍"),
        (&bob, "/room/lobby/reaction/1/%F0%9F%8D%8D"),
    ] {
        let req = v4_request(Some(who), "PUT", endpoint, Some(b"{}"));
        let (meta, body) = onion(&c, &server, Cipher::XChaCha20, &req).await;
        assert_eq!(meta["code"], 200, "{endpoint}");
        assert_eq!(
            serde_json::from_slice::<Value>(&body).unwrap()["added"],
            true
        );
    }
    let m = c.get("/room/lobby/message/1").await.json();
    assert_eq!(m["reactions"]["🍍"]["count"], 2);
}

#[tokio::test]
async fn undecryptable_or_malformed_onion_bodies() {
    let server = TestServer::spawn().await;
    let c = Client::new(&server);
    let pk = *server.public_key().as_bytes();
    // Not a frame, a truncated frame, a frame to another key: plain 400, unencrypted.
    let other = Layer::random(&sodium::x25519_public(&[3; 32]), Cipher::XChaCha20);
    for body in [
        b"garbage".to_vec(),
        vec![0xff, 0xff, 0xff, 0xff, 1, 2],
        vec![],
        other.frame(b"x"),
    ] {
        let r = c.raw("POST", "/oxen/v4/lsrpc", &[], body).await;
        assert_eq!(r.status, 400);
    }
    // Decrypts but is not a v4 request: the encrypted reference 400.
    let v = vectors::get(
        vectors::PYSOGS,
        "pysogs_onion_v4_response_invalid_request_bencoding",
    );
    let want_meta: Value =
        serde_json::from_str(v["inputs"]["json_part"].as_str().unwrap()).unwrap();
    let want_body = v["inputs"]["body_part"].as_str().unwrap().as_bytes();
    let relative = br#"{"method":"GET","endpoint":"nope","headers":{}}"#;
    let not_utf8 = br#"{"method":"GET","endpoint":"/room/%FF","headers":{}}"#;
    let bads = [
        b"hello".to_vec(),
        b"l5:helloe".to_vec(),
        bencode(&[b"{}"]),
        bencode(&[relative]),
        bencode(&[not_utf8]),
        bencode(&[
            b"{\"method\":\"GET\",\"endpoint\":\"/capabilities\"}",
            b"a",
            b"b",
        ]),
    ];
    for bad in &bads {
        let (meta, body) = onion(&c, &server, Cipher::XChaCha20, bad).await;
        assert_eq!(
            (meta.clone(), body.as_slice()),
            (want_meta.clone(), want_body),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    // The same frame sent to the server's key works once well formed.
    let (meta, _) = onion(
        &c,
        &server,
        Cipher::XChaCha20,
        &v4_request(None, "GET", "/capabilities", None),
    )
    .await;
    assert_eq!(meta["code"], 200);
    let _ = pk;
    // The server still serves.
    assert_eq!(c.get("/capabilities").await.status, 200);
}

#[tokio::test]
async fn deprecated_v3_endpoints_reply_with_base64() {
    let server = TestServer::spawn().await;
    let c = Client::new(&server);
    let layer = Layer::random(server.public_key().as_bytes(), Cipher::XChaCha20);
    let req = json!({"method": "GET", "endpoint": "/capabilities", "body": "null"});
    let r = c
        .raw(
            "POST",
            "/loki/v3/lsrpc",
            &[],
            layer.frame(&serde_json::to_vec(&req).unwrap()),
        )
        .await;
    let plain = layer.open(&unb64(&r.text())).unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&plain).unwrap()["capabilities"],
        json!(["blind", "reactions", "sogs"])
    );
    let req = json!({"method": "GET", "endpoint": "/room/nope"});
    let r = c
        .raw(
            "POST",
            "/oxen/v3/lsrpc",
            &[],
            layer.frame(&serde_json::to_vec(&req).unwrap()),
        )
        .await;
    let plain = layer.open(&unb64(&r.text())).unwrap();
    let v = vectors::get(vectors::PYSOGS, "pysogs_onion_v3_failure_plaintext");
    let want = v["expected"]["plaintext"]
        .as_str()
        .unwrap()
        .replace("403", "404");
    assert_eq!(String::from_utf8(plain).unwrap(), want);
}

#[tokio::test]
async fn onion_vectors_decrypt_and_answer() {
    let mut tally = Tally::new("onion_server", "vectors-onion.json");
    let invalid = vectors::get(
        vectors::PYSOGS,
        "pysogs_onion_v4_response_invalid_request_bencoding",
    );
    let want_meta: Value =
        serde_json::from_str(invalid["inputs"]["json_part"].as_str().unwrap()).unwrap();
    // onion_parser_*: a single layer carrying "Hello world" (not a v4 request).
    for name in ["onion_parser_aes_gcm", "onion_parser_xchacha20"] {
        let v = vectors::get(vectors::ONION, name);
        let sk: [u8; 32] = hex::decode(v["inputs"]["node_x25519_sec_b"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let a: [u8; 32] = hex::decode(
            v["inputs"]["client_ephemeral_x25519_sec_a"]
                .as_str()
                .unwrap(),
        )
        .unwrap()
        .try_into()
        .unwrap();
        let server = TestServer::builder().key(sk).spawn().await;
        let c = Client::new(&server);
        let cipher = if name.ends_with("gcm") {
            Cipher::AesGcm
        } else {
            Cipher::XChaCha20
        };
        let layer = Layer::new(server.public_key().as_bytes(), a, cipher);
        tally.check(
            hex::encode(layer.key)
                == v["expected"][if cipher == Cipher::AesGcm {
                    "aes_gcm_key_derived"
                } else {
                    "xchacha20_key_derived"
                }],
            || format!("{name}: key"),
        );
        let request = hex::decode(v["inputs"]["request"].as_str().unwrap()).unwrap();
        let r = c.raw("POST", "/oxen/v4/lsrpc", &[], request).await;
        tally.check(r.status == 200, || format!("{name}: status {}", r.status));
        let plain = match cipher {
            Cipher::AesGcm if !sodium::aesgcm_available() => None,
            _ => layer.open(&r.body),
        };
        if let Some(plain) = plain {
            let parts = unbencode(&plain);
            let meta: Value = serde_json::from_slice(&parts[0]).unwrap();
            tally.check(
                meta == want_meta && parts[1] == b"Invalid v4 onion request",
                || format!("{name}: reply {meta}"),
            );
            let overhead = if cipher == Cipher::AesGcm { 28 } else { 40 };
            tally.check(r.body.len() == plain.len() + overhead, || {
                format!("{name}: reply length")
            });
        }
        server.shutdown().await;
    }
    // The derived 3-hop request: what the last snode POSTs, asking GET /room/test.
    let v = vectors::get(
        vectors::ONION,
        "derived_onion_server_destination_v4_aes_gcm_3hops",
    );
    let sk: [u8; 32] = hex::decode(v["inputs"]["server_x25519_sec"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let server = TestServer::builder().key(sk).spawn().await;
    tally.check(
        server.public_key().to_string() == v["inputs"]["server_x25519_pub"],
        || "server key".into(),
    );
    server.add_room("test");
    let c = Client::new(&server);
    let body = hex::decode(v["expected"]["hop3_plaintext"].as_str().unwrap()).unwrap();
    let r = c.raw("POST", "/oxen/v4/lsrpc", &[], body).await;
    tally.check(r.status == 200, || format!("3-hop: status {}", r.status));
    if sodium::aesgcm_available() {
        let dest: [u8; 32] =
            hex::decode(v["inputs"]["ephemeral_secrets"]["dest"].as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap();
        let layer = Layer::new(server.public_key().as_bytes(), dest, Cipher::AesGcm);
        let parts = unbencode(&layer.open(&r.body).unwrap());
        let meta: Value = serde_json::from_slice(&parts[0]).unwrap();
        let room: Value = serde_json::from_slice(&parts[1]).unwrap();
        tally.check(meta["code"] == 200 && room["token"] == "test", || {
            format!("3-hop: {meta} {room}")
        });
    }
    tally.finish();
}
