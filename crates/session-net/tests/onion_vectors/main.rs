//! Every vector of `vectors-onion.json` (copy in `tests/vectors/`, provenance in its
//! README.md) through session-net's public API: hop layers opened as a server would, frame
//! parsing, v4 bencoding, hop classification, the proxy target filter, swarm selection, and
//! the two byte-exact 3-hop onions built, peeled hop by hop, answered and opened.
//!
//! Each test prints `vectors: set=… source=vectors-onion.json passed=… failed=…` for
//! `cargo xtask vectors` and fails naming the first mismatch.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod derived;
mod upstream;

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::Value;
use session_net::onion::{self, EncType};

const ONION_JSON: &str = include_str!("../vectors/vectors-onion.json");
const SOURCE: &str = "vectors-onion.json";

pub(crate) fn named(prefix: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(ONION_JSON).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|v| v["name"].as_str().unwrap().starts_with(prefix))
        .cloned()
        .collect()
}

pub(crate) fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("field {key} is not a string"))
}
pub(crate) fn hx(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(s(v, key)).unwrap_or_else(|_| panic!("field {key} is not hex"))
}
pub(crate) fn k32(v: &Value, key: &str) -> [u8; 32] {
    hx(v, key).try_into().unwrap()
}
pub(crate) fn ensure(cond: bool, what: impl Into<String>) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what.into()) }
}
pub(crate) fn eq<T: PartialEq + std::fmt::Debug>(field: &str, a: T, b: T) -> Result<(), String> {
    ensure(a == b, format!("{field}: got {a:?}, expected {b:?}"))
}
pub(crate) fn eq_hex(field: &str, actual: &[u8], expected: &str) -> Result<(), String> {
    eq(field, hex::encode(actual).as_str(), expected)
}

/// Runs every vector whose name starts with one of `prefixes` and prints the protocol line.
pub(crate) fn run_set(set: &str, prefixes: &[&str], check: impl Fn(&Value) -> Result<(), String>) {
    let (mut passed, mut failed, mut first) = (0, 0, None);
    for prefix in prefixes {
        for v in named(prefix) {
            let outcome = catch_unwind(AssertUnwindSafe(|| check(&v)))
                .unwrap_or_else(|p| Err(format!("panicked: {:?}", p.downcast_ref::<String>())));
            match outcome {
                Ok(()) => passed += 1,
                Err(e) => {
                    failed += 1;
                    first.get_or_insert(format!("{}: {e}", s(&v, "name")));
                }
            }
        }
    }
    println!("\nvectors: set={set} source={SOURCE} passed={passed} failed={failed}");
    assert!(passed + failed > 0, "set {set} ran nothing");
    assert_eq!(
        failed,
        0,
        "set {set}: first mismatch: {}",
        first.unwrap_or_default()
    );
}

/// The frame a hop receives for a bare ciphertext from ephemeral key `a` with `enc`.
pub(crate) fn frame_for(ct: &[u8], a: &[u8; 32], enc: EncType) -> Vec<u8> {
    let meta = format!(
        r#"{{"enc_type": "{enc}", "ephemeral_key": "{}"}}"#,
        hex::encode(a)
    );
    onion::frame(ct, meta.as_bytes()).unwrap()
}
