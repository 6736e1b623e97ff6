//! The published vectors (copied into `tests/vectors/`) and the vector-line protocol.

use serde_json::Value;

/// `vectors-pysogs.json`.
pub const PYSOGS: &str = include_str!("../vectors/vectors-pysogs.json");
/// `vectors-onion.json`.
#[allow(dead_code)]
pub const ONION: &str = include_str!("../vectors/vectors-onion.json");

/// The vector named `name` of a vector file.
pub fn get(file: &str, name: &str) -> Value {
    let all: Vec<Value> = serde_json::from_str(file).unwrap();
    all.into_iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
}

/// Every vector whose name starts with `prefix`.
pub fn with_prefix(file: &str, prefix: &str) -> Vec<Value> {
    let all: Vec<Value> = serde_json::from_str(file).unwrap();
    all.into_iter()
        .filter(|v| v["name"].as_str().is_some_and(|n| n.starts_with(prefix)))
        .collect()
}

/// Tallies one vector set and prints its protocol line when finished.
pub struct Tally {
    set: &'static str,
    source: &'static str,
    passed: usize,
    failures: Vec<String>,
}

impl Tally {
    pub fn new(set: &'static str, source: &'static str) -> Self {
        Self {
            set,
            source,
            passed: 0,
            failures: Vec::new(),
        }
    }

    /// Records one case: `ok`, or a mismatch described by `what`.
    pub fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(what());
        }
    }

    /// Prints the line and fails the test on any mismatch.
    pub fn finish(self) {
        println!(
            "vectors: set={} source={} passed={} failed={}",
            self.set,
            self.source,
            self.passed,
            self.failures.len()
        );
        assert!(
            self.failures.is_empty(),
            "{}: first mismatch: {}",
            self.set,
            self.failures[0]
        );
        assert!(self.passed > 0, "{}: no vector ran", self.set);
    }
}
