//! The first `session` commands (issue 3 §4: `id`, `blind`, `sogs sign`) and SOGS message data
//! (issue 4 §4: `sogs encode`, `sogs decode`), run as outside checks run them: the binary as a
//! child process, its stdout compared with the published vectors (session-crypto's copy of
//! `vectors-crypto.json`), and bad input answered by one line on stderr and a non-zero exit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use session_crypto::Mnemonic;

const BIN: &str = env!("CARGO_BIN_EXE_session");
const VECTORS: &str = include_str!("../../session-crypto/tests/vectors/vectors-crypto.json");
const LOVE: &str = "love love love love love love love love love love love love love";
const SERVER: &str = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238";

fn vectors(set: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(VECTORS).unwrap();
    all[set].as_array().unwrap().clone()
}

fn run(args: &[&str]) -> Output {
    // A backtrace would show if anything panicked: bad input must never get that far.
    Command::new(BIN)
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .env_remove("SESSION_MNEMONIC")
        .output()
        .unwrap()
}

/// stdout of a command that must succeed.
fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn ok_json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

/// The phrase of a vector's Ed25519 seed: 13 words when the seed is a 16-byte Session seed
/// zero-padded to 32, else the legacy 25-word phrase of all 32 bytes.
fn phrase_of(ed25519_seed: &str) -> String {
    let seed = hex::decode(ed25519_seed).unwrap();
    let seed = if seed[16..].iter().all(|b| *b == 0) {
        &seed[..16]
    } else {
        &seed[..]
    };
    Mnemonic::from_seed(seed).unwrap().phrase().to_string()
}

#[test]
fn id_show_prints_each_published_session_id_alone_on_one_line() {
    let cases = vectors("mnemonic_keys");
    assert_eq!(cases.len(), 10);
    for v in &cases {
        let phrase = v["mnemonic"].as_str().unwrap();
        let id = v["session_id"].as_str().unwrap();
        assert_eq!(ok(&["id", "show", "--mnemonic", phrase]), format!("{id}\n"));
        assert_eq!(
            ok_json(&["id", "show", "--mnemonic", phrase, "--json"]),
            json!({
                "session_id": id,
                "ed25519_pk": v["ed25519_pk"],
                "x25519_pk": v["x25519_pk"],
            }),
            "{}",
            v["name"]
        );
    }
}

#[test]
fn the_phrase_also_comes_from_the_environment_or_a_file() {
    let love = "053db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818\n";
    let out = Command::new(BIN)
        .args(["id", "show"])
        .env("SESSION_MNEMONIC", LOVE)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), love);

    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        file,
        "  LOVE love love love love love love love love love love love love "
    )
    .unwrap();
    let path = file.path().to_str().unwrap();
    assert_eq!(ok(&["id", "show", "--mnemonic-file", path]), love);
}

#[test]
fn id_new_prints_a_phrase_that_id_show_turns_into_the_same_session_id() {
    let new = ok_json(&["id", "new", "--json"]);
    let phrase = new["mnemonic"].as_str().unwrap();
    assert_eq!(phrase.split_whitespace().count(), 13);
    let shown = ok_json(&["id", "show", "--mnemonic", phrase, "--json"]);
    assert_eq!(shown["session_id"], new["session_id"]);
    assert_eq!(shown["ed25519_pk"], new["ed25519_pk"]);

    // The readable form: the phrase and its Session ID, each on a labelled line.
    let text = ok(&["id", "new"]);
    let field = |label: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(label))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("no {label} in {text}"))
    };
    let phrase = field("Recovery phrase:");
    let id = field("Session ID:");
    assert_eq!(
        ok(&["id", "show", "--mnemonic", &phrase]),
        format!("{id}\n")
    );
}

#[test]
fn blind_prints_the_published_blinded_ids() {
    let cases = vectors("blinding");
    assert_eq!(cases.len(), 10);
    for v in &cases {
        let phrase = phrase_of(v["ed25519_seed"].as_str().unwrap());
        let server = v["server_pk"].as_str().unwrap();
        let blind15 = v["blinded15_id"].as_str().unwrap();
        let args = ["blind", "--mnemonic", &phrase, "--server-pk", server];
        assert_eq!(ok(&args), format!("{blind15}\n"), "{}", v["name"]);
        let both = ok_json(&[&args[..], &["--json"]].concat());
        assert_eq!(
            both,
            json!({"blind15": blind15, "blind25": v["blinded25_id"]}),
            "{}",
            v["name"]
        );
    }
}

#[test]
fn blind_of_a_session_id_prints_both_published_candidates() {
    let cases: Vec<Value> = vectors("session_id_to_blinded_candidates")
        .into_iter()
        .filter(|v| v["candidate_raw"].is_string())
        .collect();
    assert_eq!(cases.len(), 8);
    for v in cases {
        let out = ok(&[
            "blind",
            "--session-id",
            v["session_id"].as_str().unwrap(),
            "--server-pk",
            v["server_pk"].as_str().unwrap(),
        ]);
        let expected = format!(
            "{}\n{}\n",
            v["candidate_raw"].as_str().unwrap(),
            v["candidate_flipped"].as_str().unwrap()
        );
        assert_eq!(out, expected);
    }
    // The love13 case of the blinding set: the real id is the second candidate.
    let love = &vectors("blinding")[0];
    let out = ok(&[
        "blind",
        "--session-id",
        love["session_id"].as_str().unwrap(),
        "--server-pk",
        SERVER,
    ]);
    let lines: Vec<Value> = out.lines().map(Value::from).collect();
    assert_eq!(
        &lines,
        love["candidates15_from_session_id"].as_array().unwrap()
    );
}

/// `sogs sign` for one `blinded_signatures` vector of a request, in the given mode.
fn sign(v: &Value, mode: Option<&str>, body: &tempfile::NamedTempFile) -> Value {
    let phrase = phrase_of(v["ed25519_seed"].as_str().unwrap());
    let timestamp = v["timestamp"].to_string();
    let mut args = vec![
        "sogs",
        "sign",
        "--mnemonic",
        &phrase,
        "--server-pk",
        v["server_pk"].as_str().unwrap(),
        "--method",
        v["method"].as_str().unwrap(),
        "--path",
        v["path"].as_str().unwrap(),
        "--nonce",
        v["nonce"].as_str().unwrap(),
        "--timestamp",
        &timestamp,
    ];
    if v["body_hex"].is_string() {
        args.extend(["--body-file", body.path().to_str().unwrap()]);
    }
    args.extend(mode);
    ok_json(&args)
}

#[test]
fn sogs_sign_prints_the_published_headers_for_blind15_and_blind25() {
    let requests: Vec<Value> = vectors("blinded_signatures")
        .into_iter()
        .filter(|v| v["kind"].as_str().unwrap().starts_with("sogs_request_"))
        .collect();
    assert_eq!(requests.len(), 8);
    for v in &requests {
        let mut body = tempfile::NamedTempFile::new().unwrap();
        if let Some(b) = v["body_hex"].as_str() {
            body.write_all(&hex::decode(b).unwrap()).unwrap();
        }
        let nonce = STANDARD.encode(hex::decode(v["nonce"].as_str().unwrap()).unwrap());
        let b64 = |field: &str| STANDARD.encode(hex::decode(v[field].as_str().unwrap()).unwrap());
        // blind15 signs with libsession's nonce (the `sk`-hash variant) by default.
        assert_eq!(
            sign(v, None, &body),
            json!({
                "X-SOGS-Pubkey": v["blinded15_id"],
                "X-SOGS-Nonce": nonce,
                "X-SOGS-Timestamp": v["timestamp"].to_string(),
                "X-SOGS-Signature": b64("sig15_skhash_nonce"),
            }),
            "{} {}",
            v["case"],
            v["kind"]
        );
        assert_eq!(
            sign(v, Some("--blind25"), &body),
            json!({
                "X-SOGS-Pubkey": format!("25{}", v["blinded25_pubkey"].as_str().unwrap()),
                "X-SOGS-Nonce": nonce,
                "X-SOGS-Timestamp": v["timestamp"].to_string(),
                "X-SOGS-Signature": b64("sig25"),
            }),
            "{} {}",
            v["case"],
            v["kind"]
        );
    }
}

#[test]
fn sogs_sign_unblinded_prints_the_published_headers() {
    let v = &vectors("sogs_request_signature_unblinded")[0];
    let body = tempfile::NamedTempFile::new().unwrap();
    let headers = sign(v, Some("--unblinded"), &body);
    assert_eq!(headers["X-SOGS-Pubkey"], v["x_sogs_pubkey"]);
    let signature = STANDARD
        .decode(headers["X-SOGS-Signature"].as_str().unwrap())
        .unwrap();
    assert_eq!(hex::encode(signature), v["signature"].as_str().unwrap());
}

/// `sogs encode` of a text, then `sogs decode` of the result as `sender`.
fn encode(mode: Option<&str>) -> Value {
    let mut args = vec![
        "sogs",
        "encode",
        "--mnemonic",
        LOVE,
        "--server-pk",
        SERVER,
        "--text",
        "hi from the CLI",
        "--timestamp",
        "1700000000123",
    ];
    args.extend(mode);
    ok_json(&args)
}

fn decode(post: &Value, sender: &str, extra: &[&str]) -> Output {
    let args = [
        &[
            "sogs",
            "decode",
            "--data",
            post["data"].as_str().unwrap(),
            "--signature",
            post["signature"].as_str().unwrap(),
            "--sender",
            sender,
            "--server-pk",
            SERVER,
        ][..],
        extra,
    ]
    .concat();
    run(&args)
}

#[test]
fn what_sogs_encode_signs_sogs_decode_verifies_in_every_mode() {
    let love = &vectors("blinding")[0];
    for (mode, sender) in [
        (None, love["blinded15_id"].as_str().unwrap()),
        (Some("--blind25"), love["blinded25_id"].as_str().unwrap()),
        (Some("--unblinded"), love["session_id"].as_str().unwrap()),
    ] {
        let post = encode(mode);
        let data = STANDARD.decode(post["data"].as_str().unwrap()).unwrap();
        assert_eq!(data.len() % 160, 0, "padded: {post}");
        let out = decode(&post, sender, &[]);
        assert!(out.status.success(), "{mode:?}");
        let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(decoded["verified"], true, "{mode:?}: {decoded}");
        assert_eq!(decoded["content"]["text"], "hi from the CLI");
        assert_eq!(decoded["content"]["timestamp"], 1_700_000_000_123u64);
        // The same post is not verified as someone else's (puffin's blinded id).
        let other = vectors("blinding")[1]["blinded15_id"].clone();
        let out = decode(&post, other.as_str().unwrap(), &[]);
        assert!(out.status.success(), "{mode:?}");
        let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(decoded["verified"], false, "{mode:?}");
    }
}

#[test]
fn a_tampered_post_is_never_reported_verified() {
    let love = &vectors("blinding")[0];
    let sender = love["blinded15_id"].as_str().unwrap();
    let post = encode(None);

    let mut signature = STANDARD
        .decode(post["signature"].as_str().unwrap())
        .unwrap();
    signature[10] ^= 1;
    let bad_sig = json!({"data": post["data"], "signature": STANDARD.encode(&signature)});
    let mut data = STANDARD.decode(post["data"].as_str().unwrap()).unwrap();
    data[4] ^= 1;
    let bad_data = json!({"data": STANDARD.encode(&data), "signature": post["signature"]});

    // A flipped signature bit still decodes, and is reported unverified.
    let out = decode(&bad_sig, sender, &[]);
    assert!(out.status.success());
    let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decoded["verified"], false, "{decoded}");
    assert_eq!(decoded["content"]["text"], "hi from the CLI");

    for tampered in [bad_sig, bad_data] {
        // Changed data may no longer decode (an error) or decode unverified: never verified.
        let out = decode(&tampered, sender, &[]);
        if out.status.success() {
            let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(decoded["verified"], false, "{decoded}");
        }
        let strict = decode(&tampered, sender, &["--require-verified"]);
        assert!(!strict.status.success());
        assert!(!String::from_utf8_lossy(&strict.stderr).is_empty());
    }
}

#[test]
fn bad_input_is_one_line_on_stderr_and_a_non_zero_exit() {
    let love = &vectors("blinding")[0];
    let id = love["blinded15_id"].as_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["id", "show", "--mnemonic", "love love"], "13"),
        (
            vec![
                "id",
                "show",
                "--mnemonic",
                "love love love love love love love love love love love love zzzz",
            ],
            "zzzz",
        ),
        (
            vec!["id", "show", "--mnemonic-file", "/nonexistent/phrase"],
            "/nonexistent/phrase",
        ),
        (
            vec!["blind", "--mnemonic", LOVE, "--server-pk", "abcd"],
            "--server-pk",
        ),
        (
            vec!["blind", "--session-id", id, "--server-pk", SERVER],
            "--session-id",
        ),
        (
            vec![
                "sogs",
                "sign",
                "--mnemonic",
                LOVE,
                "--server-pk",
                SERVER,
                "--method",
                "GET",
                "--path",
                "/x",
                "--nonce",
                "zz",
            ],
            "--nonce",
        ),
        (
            vec![
                "sogs",
                "decode",
                "--data",
                "not base64!",
                "--signature",
                "AAAA",
                "--sender",
                id,
                "--server-pk",
                SERVER,
            ],
            "base64",
        ),
        (
            vec![
                "sogs",
                "decode",
                "--data",
                "AAAA",
                "--signature",
                "AAAA",
                "--sender",
                id,
                "--server-pk",
                SERVER,
            ],
            "64",
        ),
    ];
    for (args, named) in cases {
        let out = run(&args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("backtrace"),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
