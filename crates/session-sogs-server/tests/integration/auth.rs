//! Authentication (spec/sogs-api.md §1.5): every check, its status and text, and the order in
//! which they apply; plus the pysogs `pysogs_auth_*` vectors.

use session_crypto::SigningMode;
use session_sogs_server::ModScope;
use session_sogs_server::testing::TestServer;

use crate::client::{Client, Resp, User, b64, now};
use crate::vectors::{self, Tally};

/// An endpoint that needs a (blinded) user and answers 200 `[]` for one.
const WHOAMI: &str = "/inbox";

fn set(headers: &mut [(String, String)], name: &str, value: &str) {
    for (k, v) in headers.iter_mut() {
        if k.eq_ignore_ascii_case(name) {
            *v = value.to_owned();
        }
    }
}

fn get<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    &headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .unwrap()
        .1
}

fn without(headers: &[(String, String)], name: &str) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case(name))
        .cloned()
        .collect()
}

fn assert_reason(r: &Resp, status: u16, text: &str) {
    assert_eq!(
        (r.status, r.text().as_str()),
        (status, text),
        "wrong answer"
    );
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
}

const MISSING_1: &str = "Invalid authentication headers: missing 1/4 required X-SOGS-* headers";
const BAD_PUBKEY: &str = "Invalid authentication: X-SOGS-Pubkey is not a valid 66-hex digit id";
const BAD_PREFIX: &str = "Invalid authentication: X-SOGS-Pubkey must be 00- or 15- prefixed";
const BAD_POINT: &str = "Invalid authentication: given X-SOGS-Pubkey is not a valid Ed25519 pubkey";
const NEED_BLIND: &str = "Invalid authentication: this server requires the use of blinded ids";
const BAD_NONCE: &str =
    "Invalid authentication: X-SOGS-Nonce must be 16 bytes (encoded as base64 or hex)";
const BAD_SIG: &str = "Invalid authentication: X-SOGS-Signature is not base64[88]";
const BAD_TS: &str = "Invalid authentication: X-SOGS-Timestamp is not a valid timestamp";
const FAR_TS: &str = "Invalid authentication: X-SOGS-Timestamp is too far from current time";
const REUSED: &str = "Invalid authentication: X-SOGS-Nonce cannot be reused";
const SIG_FAIL: &str = "Invalid authentication: X-SOGS-Signature verification failed";

#[tokio::test]
async fn every_check_of_section_1_5_wins_over_the_later_ones() {
    let server = TestServer::spawn().await;
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let good = alice.auth_headers("GET", WHOAMI, b"");

    // 1. Missing beats a malformed pubkey.
    let mut h = without(&good, "X-SOGS-Timestamp");
    set(&mut h, "X-SOGS-Pubkey", "zz");
    assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 400, MISSING_1);

    // 2. A malformed pubkey beats a malformed nonce.
    let mut h = good.clone();
    set(&mut h, "X-SOGS-Pubkey", "15abcd");
    set(&mut h, "X-SOGS-Nonce", "x");
    assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 400, BAD_PUBKEY);

    // 3. A wrong prefix beats a malformed nonce.
    let mut h = good.clone();
    let key = &get(&good, "X-SOGS-Pubkey")[2..].to_owned();
    set(&mut h, "X-SOGS-Pubkey", &format!("05{key}"));
    set(&mut h, "X-SOGS-Nonce", "x");
    assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 400, BAD_PREFIX);

    // 4. An invalid point beats "blinding required" (00 prefix) and a malformed nonce.
    let v = vectors::get(vectors::PYSOGS, "pysogs_auth_small_subgroup");
    for bad in [
        v["expected"]["bad_unblinded_header"].as_str().unwrap(),
        v["expected"]["bad_blinded_header"].as_str().unwrap(),
    ] {
        let mut h = good.clone();
        set(&mut h, "X-SOGS-Pubkey", bad);
        set(&mut h, "X-SOGS-Nonce", "x");
        assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 400, BAD_POINT);
    }

    // 5. An unblinded key on a blinding server beats a malformed nonce.
    let plain = User::with_mode(&server, 1, SigningMode::Unblinded);
    let mut h = plain.auth_headers("GET", WHOAMI, b"");
    set(&mut h, "X-SOGS-Nonce", "x");
    assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 400, NEED_BLIND);

    // 6. A malformed nonce beats a malformed signature.
    let mut h = good.clone();
    set(&mut h, "X-SOGS-Nonce", "abc");
    set(&mut h, "X-SOGS-Signature", "abc");
    assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 400, BAD_NONCE);

    // 7. A malformed signature beats a malformed timestamp.
    let mut h = good.clone();
    set(&mut h, "X-SOGS-Signature", "abc");
    set(&mut h, "X-SOGS-Timestamp", "soon");
    assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 400, BAD_SIG);

    // 8. A malformed timestamp.
    let mut h = good.clone();
    set(&mut h, "X-SOGS-Timestamp", "12a");
    assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 400, BAD_TS);

    // An integer too large for 64 bits is still an integer (Python): too far, not invalid.
    let mut h = good.clone();
    set(&mut h, "X-SOGS-Timestamp", "99999999999999999999999");
    assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 425, FAR_TS);

    // 9. Clock skew beats a global ban (checked before the user is even looked at).
    let banned = User::new(&server, 9);
    server.ban(banned.id(), &ModScope::Global, None);
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).unwrap();
    let h = banned.auth_headers_at("GET", WHOAMI, b"", nonce, now() - 90_000);
    assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 425, FAR_TS);

    // 10. A global ban beats a bad signature and a reused nonce.
    let h = banned.auth_headers("GET", WHOAMI, b"");
    let mut bad = h.clone();
    set(&mut bad, "X-SOGS-Signature", &b64(&[0u8; 64]));
    assert_reason(&c.raw("GET", WHOAMI, &bad, vec![]).await, 403, "Banned");
    assert_reason(&c.raw("GET", WHOAMI, &bad, vec![]).await, 403, "Banned");

    // 11. A reused nonce beats a bad signature; 12. a bad signature.
    let first = c.raw("GET", WHOAMI, &good, vec![]).await;
    assert_eq!((first.status, first.json()), (200, serde_json::json!([])));
    let mut reuse_bad = good.clone();
    set(&mut reuse_bad, "X-SOGS-Signature", &b64(&[1u8; 64]));
    assert_reason(&c.raw("GET", WHOAMI, &reuse_bad, vec![]).await, 425, REUSED);
    let mut fresh_bad = alice.auth_headers("GET", WHOAMI, b"");
    set(&mut fresh_bad, "X-SOGS-Signature", &b64(&[1u8; 64]));
    assert_reason(
        &c.raw("GET", WHOAMI, &fresh_bad, vec![]).await,
        401,
        SIG_FAIL,
    );
}

#[tokio::test]
async fn a_badly_signed_request_burns_its_nonce_and_creates_the_user() {
    let server = TestServer::spawn().await;
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let bob = User::new(&server, 2);
    // Bob has never been seen: a DM to him is a 404.
    let dm = serde_json::json!({"message": b64(b"hi")});
    let r = c
        .json_as(&alice, "POST", &format!("/inbox/{}", bob.id()), &dm)
        .await;
    assert_eq!(r.status, 404);

    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).unwrap();
    let good = bob.auth_headers_at("GET", WHOAMI, b"", nonce, now());
    let mut bad = good.clone();
    set(&mut bad, "X-SOGS-Signature", &b64(&[2u8; 64]));
    assert_reason(&c.raw("GET", WHOAMI, &bad, vec![]).await, 401, SIG_FAIL);
    // The nonce is spent although the signature failed.
    assert_reason(&c.raw("GET", WHOAMI, &good, vec![]).await, 425, REUSED);
    // And Bob now exists (autovivified after the timestamp check).
    let r = c
        .json_as(&alice, "POST", &format!("/inbox/{}", bob.id()), &dm)
        .await;
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn nonces_are_remembered_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sogs.db");
    let server = TestServer::builder().database(&db).spawn().await;
    let key = server.public_key();
    let alice = User::new(&server, 1);
    let h = alice.auth_headers("GET", WHOAMI, b"");
    let c = Client::new(&server);
    assert_eq!(c.raw("GET", WHOAMI, &h, vec![]).await.status, 200);
    server.shutdown().await;

    let again = TestServer::builder().database(&db).spawn().await;
    assert_eq!(again.public_key(), key, "the key is kept in the database");
    let c = Client::new(&again);
    assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 425, REUSED);
}

#[tokio::test]
async fn signature_covers_method_path_query_and_body() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    // Signed for another path.
    let h = alice.auth_headers("GET", "/inbox/since/0", b"");
    assert_reason(&c.raw("GET", WHOAMI, &h, vec![]).await, 401, SIG_FAIL);
    // Signed without the query.
    let h = alice.auth_headers("GET", "/room/lobby/messages/recent", b"");
    let r = c
        .raw("GET", "/room/lobby/messages/recent?limit=5", &h, vec![])
        .await;
    assert_reason(&r, 401, SIG_FAIL);
    // Signed with another body.
    let body = serde_json::to_vec(&alice.post_body("hi")).unwrap();
    let h = alice.auth_headers("POST", "/room/lobby/message", b"{}");
    let r = c.raw("POST", "/room/lobby/message", &h, body.clone()).await;
    assert_reason(&r, 401, SIG_FAIL);
    // Signed as PUT, sent as POST.
    let h = alice.auth_headers("PUT", "/room/lobby/message", &body);
    let r = c.raw("POST", "/room/lobby/message", &h, body).await;
    assert_reason(&r, 401, SIG_FAIL);
}

#[tokio::test]
async fn header_encodings_hex_and_unpadded_base64_are_accepted() {
    let server = TestServer::spawn().await;
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    // Base64 pubkey, hex nonce, unpadded base64 signature, all in one request.
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).unwrap();
    let mut h = alice.auth_headers_at("GET", WHOAMI, b"", nonce, now());
    let pk = hex::decode(get(&h, "X-SOGS-Pubkey")).unwrap();
    set(&mut h, "X-SOGS-Pubkey", &b64(&pk));
    set(&mut h, "X-SOGS-Nonce", &hex::encode(nonce));
    let sig = get(&h, "X-SOGS-Signature").trim_end_matches('=').to_owned();
    set(&mut h, "X-SOGS-Signature", &sig);
    assert_eq!(c.raw("GET", WHOAMI, &h, vec![]).await.status, 200);
}

#[tokio::test]
async fn anonymous_requests_reach_public_endpoints_only() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    assert_eq!(c.get("/room/lobby/messages/recent").await.status, 200);
    assert_reason(
        &c.get(WHOAMI).await,
        401,
        "X-SOGS-* request authentication required",
    );
    // Empty headers count as missing: all four empty is anonymous.
    let empty: Vec<(String, String)> = [
        "X-SOGS-Pubkey",
        "X-SOGS-Nonce",
        "X-SOGS-Timestamp",
        "X-SOGS-Signature",
    ]
    .iter()
    .map(|k| (k.to_string(), String::new()))
    .collect();
    let r = c
        .raw("GET", "/room/lobby/messages/recent", &empty, vec![])
        .await;
    assert_eq!(r.status, 200);
}

/// The `pysogs_auth_*` vectors: each condition is rebuilt against a live server.
#[tokio::test]
async fn pysogs_auth_vectors() {
    let server = TestServer::spawn().await;
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let banned = User::new(&server, 3);
    server.ban(banned.id(), &ModScope::Global, None);
    let mut tally = Tally::new("pysogs_auth", "vectors-pysogs.json");

    for v in vectors::with_prefix(vectors::PYSOGS, "pysogs_auth_") {
        let name = v["name"].as_str().unwrap().to_owned();
        let expected = &v["expected"];
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).unwrap();
        let h = alice.auth_headers_at("GET", WHOAMI, b"", nonce, now());
        let nonce_b64 = b64(&nonce);
        let cases: Vec<(Vec<(String, String)>, u16, Option<String>)> = match name.as_str() {
            "pysogs_auth_error_no_auth_on_required_endpoint" => vec![(vec![], 401, None)],
            "pysogs_auth_error_signature_bit_flip" => {
                let mut sig = crate::client::unb64(get(&h, "X-SOGS-Signature"));
                sig[17] ^= 0x04;
                let mut h = h.clone();
                set(&mut h, "X-SOGS-Signature", &b64(&sig));
                vec![(h, 401, None)]
            }
            "pysogs_auth_error_signature_truncated" => {
                let s = get(&h, "X-SOGS-Signature");
                let mut h2 = h.clone();
                set(&mut h2, "X-SOGS-Signature", &s[..s.len() - 4]);
                vec![(h2, 400, None)]
            }
            "pysogs_auth_error_missing_one_header" => {
                vec![(without(&h, "X-SOGS-Timestamp"), 400, None)]
            }
            "pysogs_auth_error_two_empty_headers" => {
                let mut h = h.clone();
                set(&mut h, "X-SOGS-Timestamp", "");
                set(&mut h, "X-SOGS-Nonce", "");
                vec![(h, 400, None)]
            }
            "pysogs_auth_error_wrong_path_signed" => {
                vec![(alice.auth_headers("GET", "/inbox/since/1", b""), 401, None)]
            }
            "pysogs_auth_error_timestamp_not_int" => {
                let ts = format!("{}a", get(&h, "X-SOGS-Timestamp"));
                let mut h = h.clone();
                set(&mut h, "X-SOGS-Timestamp", &ts);
                vec![(h, 400, None)]
            }
            "pysogs_auth_error_nonce_b64_extra_padding"
            | "pysogs_auth_error_nonce_b64_wrong_padding"
            | "pysogs_auth_error_nonce_b64_too_short"
            | "pysogs_auth_error_nonce_hex_31"
            | "pysogs_auth_error_nonce_hex_30"
            | "pysogs_auth_error_nonce_hex_34" => {
                let hexn = hex::encode(nonce);
                let bad = match name.as_str() {
                    "pysogs_auth_error_nonce_b64_extra_padding" => format!("{nonce_b64}="),
                    "pysogs_auth_error_nonce_b64_wrong_padding" => nonce_b64[..23].to_owned(),
                    "pysogs_auth_error_nonce_b64_too_short" => nonce_b64[..18].to_owned(),
                    "pysogs_auth_error_nonce_hex_31" => hexn[..31].to_owned(),
                    "pysogs_auth_error_nonce_hex_30" => hexn[..30].to_owned(),
                    _ => format!("{hexn}ff"),
                };
                let mut h = h.clone();
                set(&mut h, "X-SOGS-Nonce", &bad);
                vec![(h, 400, None)]
            }
            "pysogs_auth_error_nonce_reuse" => {
                vec![
                    (h.clone(), 200, Some(String::new())),
                    (h.clone(), 425, None),
                ]
            }
            "pysogs_auth_error_timestamp_plus_86402"
            | "pysogs_auth_error_timestamp_minus_86402" => {
                let ts = if name.ends_with("plus_86402") {
                    now() + 86_402
                } else {
                    now() - 86_402
                };
                vec![(
                    alice.auth_headers_at("GET", WHOAMI, b"", nonce, ts),
                    425,
                    None,
                )]
            }
            "pysogs_auth_error_globally_banned_user" => {
                vec![(banned.auth_headers("GET", WHOAMI, b""), 403, None)]
            }
            "pysogs_auth_error_small_order_pubkey" => {
                let sub = vectors::get(vectors::PYSOGS, "pysogs_auth_small_subgroup");
                ["bad_unblinded_header", "bad_blinded_header"]
                    .iter()
                    .map(|k| {
                        let mut h = h.clone();
                        set(
                            &mut h,
                            "X-SOGS-Pubkey",
                            sub["expected"][k].as_str().unwrap(),
                        );
                        (h, 400, None)
                    })
                    .collect()
            }
            "pysogs_auth_small_subgroup" => {
                let mut h = h.clone();
                set(
                    &mut h,
                    "X-SOGS-Pubkey",
                    expected["bad_blinded_header"].as_str().unwrap(),
                );
                vec![(h, 400, None)]
            }
            "pysogs_auth_accepts_nonce_b64_padded_24" => vec![(h.clone(), 200, None)],
            "pysogs_auth_accepts_nonce_b64_unpadded_22" => {
                let mut h = h.clone();
                set(&mut h, "X-SOGS-Nonce", nonce_b64.trim_end_matches('='));
                vec![(h, 200, None)]
            }
            "pysogs_auth_accepts_nonce_hex_32" => {
                let mut h = h.clone();
                set(&mut h, "X-SOGS-Nonce", &hex::encode(nonce));
                vec![(h, 200, None)]
            }
            "pysogs_auth_accepts_timestamp_plus_86399"
            | "pysogs_auth_accepts_timestamp_minus_86399" => {
                let ts = if name.ends_with("plus_86399") {
                    now() + 86_399
                } else {
                    now() - 86_399
                };
                vec![(
                    alice.auth_headers_at("GET", WHOAMI, b"", nonce, ts),
                    200,
                    None,
                )]
            }
            "pysogs_auth_other_errors_not_in_tests" => {
                // Pubkey not 66 hex / 44 base64; prefix not 00/15; 00 with blinding required.
                let key = get(&h, "X-SOGS-Pubkey")[2..].to_owned();
                let plain = User::with_mode(&server, 1, SigningMode::Unblinded);
                let texts: Vec<String> = expected["body_text"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_owned())
                    .collect();
                let mut a = h.clone();
                set(&mut a, "X-SOGS-Pubkey", &key);
                let mut b = h.clone();
                set(&mut b, "X-SOGS-Pubkey", &format!("07{key}"));
                let p = plain.auth_headers("GET", WHOAMI, b"");
                vec![
                    (a, 400, Some(texts[0].clone())),
                    (b, 400, Some(texts[1].clone())),
                    (p, 400, Some(texts[2].clone())),
                ]
            }
            "pysogs_auth_comment_example_get" | "pysogs_auth_comment_example_post" => {
                // Signed-message layouts: covered by session-crypto's vectors.
                continue;
            }
            other => {
                tally.check(false, || format!("{other}: no scenario for this vector"));
                continue;
            }
        };
        for (headers, status, text) in cases {
            let r = c.raw("GET", WHOAMI, &headers, vec![]).await;
            let want_text = text.or_else(|| expected["body_text"].as_str().map(str::to_owned));
            let text_ok = match &want_text {
                Some(t) if status != 200 => r.text() == *t,
                _ => true,
            };
            tally.check(r.status == status && text_ok, || {
                format!(
                    "{name}: got {} {:?}, want {status} {want_text:?}",
                    r.status,
                    r.text()
                )
            });
        }
    }
    tally.finish();
}
