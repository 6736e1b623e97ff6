//! Shared helpers of the session-crypto test binaries: the vector-set runner (with the
//! `vectors:` stdout line read by `cargo xtask vectors`), JSON accessors and libsodium wrappers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod sodium;

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::Value;

/// The vector files, embedded at compile time (tests never read /work/shared at run time).
pub const CRYPTO_JSON: &str = include_str!("../vectors/vectors-crypto.json");
/// See [`CRYPTO_JSON`].
pub const PYSOGS_JSON: &str = include_str!("../vectors/vectors-pysogs.json");

/// Parses an embedded vector file.
pub fn parse(json: &str) -> Value {
    serde_json::from_str(json).expect("embedded vector file is valid JSON")
}

/// One vector set: counts passes and failures and remembers the first failure.
pub struct VectorSet {
    name: &'static str,
    source: &'static str,
    passed: usize,
    failed: usize,
    first_failure: Option<String>,
}

impl VectorSet {
    /// A set named `name` from the JSON file `source` (file name only).
    pub fn new(name: &'static str, source: &'static str) -> Self {
        Self {
            name,
            source,
            passed: 0,
            failed: 0,
            first_failure: None,
        }
    }

    /// Runs one vector. `check` returns `Err(description)` on a mismatch; a panic inside it
    /// (an unexpected error from the code under test) counts as a failure too.
    pub fn run(&mut self, id: &str, check: impl FnOnce() -> Result<(), String>) {
        let outcome = match catch_unwind(AssertUnwindSafe(check)) {
            Ok(r) => r,
            Err(panic) => Err(format!(
                "panicked: {}",
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default()
            )),
        };
        match outcome {
            Ok(()) => self.passed += 1,
            Err(e) => {
                self.failed += 1;
                if self.first_failure.is_none() {
                    self.first_failure = Some(format!("{id}: {e}"));
                }
            }
        }
    }

    /// Prints the protocol line and asserts that nothing failed and something ran.
    ///
    /// The line starts with a newline: with `--nocapture --test-threads=1` (how `cargo xtask
    /// vectors` runs the tests) libtest has already printed `test <name> ... ` on the current
    /// line, and the protocol line must start at column 0.
    pub fn finish(self) {
        println!(
            "\nvectors: set={} source={} passed={} failed={}",
            self.name, self.source, self.passed, self.failed
        );
        assert!(
            self.passed + self.failed > 0,
            "set {} ran no vectors",
            self.name
        );
        assert_eq!(
            self.failed,
            0,
            "set {}: first mismatch: {}",
            self.name,
            self.first_failure.unwrap_or_default()
        );
    }
}

/// Compares two values, naming the field on mismatch.
pub fn eq<T: PartialEq + std::fmt::Debug>(
    field: &str,
    actual: T,
    expected: T,
) -> Result<(), String> {
    if actual == expected {
        Ok(())
    } else {
        Err(format!("{field}: got {actual:?}, expected {expected:?}"))
    }
}

/// Compares bytes as hex, naming the field on mismatch.
pub fn eq_hex(field: &str, actual: &[u8], expected_hex: &str) -> Result<(), String> {
    eq(field, hex::encode(actual), expected_hex.to_owned())
}

/// Asserts a condition, naming it on failure.
pub fn ensure(cond: bool, what: &str) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what.to_owned()) }
}

/// The string field `key` of a vector (panics, i.e. fails the vector, if absent).
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("field {key} is not a string"))
}

/// The hex field `key` decoded.
pub fn hx(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(s(v, key)).unwrap_or_else(|_| panic!("field {key} is not hex"))
}

/// The hex field `key` decoded to `N` bytes.
pub fn arr<const N: usize>(v: &Value, key: &str) -> [u8; N] {
    hx(v, key)
        .try_into()
        .unwrap_or_else(|_| panic!("field {key} is not {N} bytes"))
}

/// Hex to `N` bytes.
pub fn hex_arr<const N: usize>(h: &str) -> [u8; N] {
    hex::decode(h)
        .expect("hex")
        .try_into()
        .unwrap_or_else(|_| panic!("{h} is not {N} bytes"))
}

/// The array field `key` of a JSON object.
pub fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v[key]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("field {key} is not an array"))
}
