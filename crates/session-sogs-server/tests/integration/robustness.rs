//! Bad input never stops the server (issue 5 §2): malformed headers, bad hex/base64, wrong
//! signatures, unknown rooms, oversized bodies, invalid UTF-8 and emoji paths, garbage bodies
//! and onion frames get their statuses, and the next good request is served.

use serde_json::json;
use session_sogs_server::testing::TestServer;

use crate::client::{Client, User};

/// A deterministic byte generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

async fn still_serving(c: &Client, alice: &User) {
    let r = c.get("/capabilities").await;
    assert_eq!(r.status, 200);
    let r = c.post_text(alice, "lobby", "still here").await;
    assert!(r.status == 201 || r.status == 429, "{}", r.status);
}

#[tokio::test]
async fn malformed_requests_get_statuses_and_the_server_keeps_serving() {
    let server = TestServer::builder().rate_limit(None).spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);

    let cases: Vec<(&str, &str, Vec<(String, String)>, Vec<u8>, u16)> = vec![
        ("GET", "/nope", vec![], vec![], 404),
        ("GET", "/room/%FF%FE/messages/recent", vec![], vec![], 404),
        ("GET", "/room/lobby/message/99999999999999999999999", vec![], vec![], 404),
        ("GET", "/room/lobby/messages/since/-1", vec![], vec![], 404),
        ("PATCH", "/room/lobby", vec![], vec![], 405),
        ("POST", "/batch", vec![], b"\xff\xfe".to_vec(), 400),
        ("POST", "/room/lobby/message", alice.auth_headers("POST", "/room/lobby/message", b"[1,2"), b"[1,2".to_vec(), 400),
        ("GET", "/inbox", vec![("X-SOGS-Pubkey".into(), "\u{1F34D}".into())], vec![], 400),
        ("GET", "/inbox", vec![
            ("X-SOGS-Pubkey".into(), "15".repeat(33)),
            ("X-SOGS-Nonce".into(), "%%%%%%%%%%%%%%%%%%%%%%".into()),
            ("X-SOGS-Timestamp".into(), "1".into()),
            ("X-SOGS-Signature".into(), "?".repeat(88)),
        ], vec![], 400),
        // A truncated emoji: the path decodes with U+FFFD, still a valid 1-character reaction.
        ("PUT", "/room/lobby/reaction/1/%F0%9F", alice.auth_headers("PUT", "/room/lobby/reaction/1/%F0%9F", b""), vec![], 200),
        ("PUT", "/room/lobby/reaction/1/%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D", alice.auth_headers("PUT", "/room/lobby/reaction/1/%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D%F0%9F%8D%8D", b""), vec![], 400),
        ("POST", "/oxen/v4/lsrpc", vec![], b"garbage".to_vec(), 400),
        ("POST", "/oxen/v4/lsrpc", vec![], vec![0xff, 0xff, 0xff, 0xff, 1, 2], 400),
        ("POST", "/oxen/v4/lsrpc", vec![], vec![], 400),
        ("POST", "/loki/v3/lsrpc", vec![], b"{}".to_vec(), 400),
    ];
    // Seed a message so message paths exist.
    c.post_text(&alice, "lobby", "seed").await;
    for (method, path, headers, body, status) in cases {
        let r = c.raw(method, path, &headers, body).await;
        assert_eq!(r.status, status, "{method} {path}");
        still_serving(&c, &alice).await;
    }
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let r = c.raw("POST", "/batch", &[], vec![b' '; 11_000_001]).await;
    assert_eq!(r.status, 413);
    still_serving(&c, &alice).await;
}

#[tokio::test]
async fn random_garbage_never_stops_the_server() {
    let server = TestServer::builder().rate_limit(None).spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    c.post_text(&alice, "lobby", "seed").await;
    let mut rng = Rng(0x5eed_5eed_1234_5678);
    let paths = [
        "/batch",
        "/sequence",
        "/room/lobby/message",
        "/room/lobby/message/1",
        "/room/lobby",
        "/room/lobby/reaction/1/x",
        "/room/lobby/file",
        "/user/15aa/ban",
        "/inbox",
        "/oxen/v4/lsrpc",
        "/room/lobby/permissions/15aa",
        "/capabilities?required=%ff",
    ];
    let methods = ["GET", "POST", "PUT", "DELETE"];
    for i in 0..300 {
        let method = rng.pick(&methods);
        let path = rng.pick(&paths);
        let len = (rng.next() % 64) as usize;
        let body = if i % 3 == 0 {
            // Structurally valid JSON with hostile types.
            serde_json::to_vec(&json!({"data": 5, "signature": [1], "rooms": {"a": null}, "json": i, "method": "GET", "path": "/x"})).unwrap()
        } else {
            rng.bytes(len)
        };
        let headers = if i % 2 == 0 {
            alice.auth_headers(method, path, &body)
        } else {
            vec![]
        };
        let r = c.raw(method, path, &headers, body).await;
        assert!((200..600).contains(&r.status));
    }
    still_serving(&c, &alice).await;
}
