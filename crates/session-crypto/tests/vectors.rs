//! Known-answer tests: every vector of `vectors-crypto.json` and every crypto vector of
//! `vectors-pysogs.json` (copies in `tests/vectors/`, provenance in its README.md).
//!
//! Each test runs one set, prints `vectors: set=… source=… passed=… failed=…` for
//! `cargo xtask vectors`, and fails naming the first mismatch.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod vector_sets;

/// The 18 categories of vectors-crypto.json, each run by the test of the same name.
const CRYPTO_CATEGORIES: [&str; 18] = [
    "mnemonic_keys",
    "mnemonic_variants_valid",
    "mnemonic_invalid",
    "wordlist_english",
    "blinding",
    "blinded_signatures",
    "libsession_test_signatures",
    "sogs_request_signature_unblinded",
    "session_id_to_blinded_candidates",
    "padding",
    "unpadding",
    "sealed_box",
    "onetoone_messages",
    "blinded_dm",
    "unblinded_post_signatures",
    "attachments_legacy_aes_cbc_hmac",
    "attachment_padding_lengths",
    "profile_avatar_legacy_aes_gcm",
];

#[test]
fn every_crypto_category_has_a_set() {
    let json = common::parse(common::CRYPTO_JSON);
    let mut found: Vec<&str> = json
        .as_object()
        .expect("top-level object")
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "_meta")
        .collect();
    found.sort_unstable();
    let mut expected = CRYPTO_CATEGORIES.to_vec();
    expected.sort_unstable();
    assert_eq!(found, expected, "vectors-crypto.json categories changed");
}
