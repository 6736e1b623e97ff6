//! The crypto vectors of `vectors-pysogs.json`, blinding part (request signing, blinded DMs,
//! BLAKE2b and padding are in `pysogs_auth.rs`). The server-behaviour vectors of that file run
//! elsewhere (see `tests/vectors/README.md`);
//! [`every_pysogs_vector_is_run_here_or_listed_elsewhere`] keeps that split exhaustive.

use serde_json::Value;
use session_crypto::blinding::{blind15_factor, blind25_factor};
use session_crypto::{
    Blind15Nonce, BlindedId, ServerPubkey, SessionId, blind15_candidates, blind25_id,
    is_valid_ed25519_public_key,
};

use crate::common::{
    PYSOGS_JSON, VectorSet, arr, ensure, eq, eq_hex, hex_arr, hx, parse, s, sodium,
};
use crate::vector_sets::blinding::{abs_neg, identity, p};

const SRC: &str = "vectors-pysogs.json";

/// Vector groups (name without its `_NN` suffix) run by this file.
const RUN_HERE: &[&str] = &[
    "pysogs_blind15_derivation",
    "pysogs_pr213_blind25",
    "pysogs_auth_small_subgroup",
    "pysogs_auth_comment_example_get",
    "pysogs_auth_comment_example_post",
    "derived_auth_get_caps_unblinded",
    "derived_auth_get_caps_blinded",
    "derived_auth_post_batch_blinded",
    "derived_auth_put_reaction_emoji_blinded",
    "derived_auth_post_message_unblinded",
    "derived_dm_blinded_encrypt",
    "pysogs_onion_client_ephemeral_keypair",
    "pysogs_blake2b_keyed_salted",
    "pysogs_blake2b_salt_person",
    "pysogs_blake2b_key_person",
    "pysogs_blake2b_key_salt",
    "pysogs_blake2b_key_salt_person",
    "derived_session_message_padding",
    "sessionjs_blinded_id_realworld",
    "desktop_known_blinding_match",
    "libsession_blind15_id",
    "libsession_blind25_id",
    "libsession_blind15_sign",
    "libsession_blind25_sign",
];

/// Vector groups that describe server behaviour, parsing or onion framing, with the place they
/// run (mirrored in tests/vectors/README.md).
const RUN_ELSEWHERE: &[(&str, &str)] = &[
    (
        "pysogs_auth_error_",
        "session-sogs-server: HTTP status and text of auth failures",
    ),
    (
        "pysogs_auth_accepts_",
        "session-sogs-server: auth header encodings the server accepts",
    ),
    (
        "pysogs_auth_other_errors_not_in_tests",
        "session-sogs-server: auth error texts",
    ),
    (
        "pysogs_onion_v",
        "session-net / session-sogs-server: v3/v4 onion framing (bencoding)",
    ),
    ("pysogs_capabilities_", "session-sogs-server: /capabilities"),
    (
        "pysogs_batch_body_encoding",
        "session-sogs-server: /batch encoding",
    ),
    (
        "pysogs_sequence_stops_at_first_non_2xx",
        "session-sogs-server: /sequence",
    ),
    ("pysogs_room_update_", "session-sogs-server: room updates"),
    (
        "pysogs_messages_since_tombstones",
        "session-sogs-server: message polling",
    ),
    (
        "pysogs_pagination_limits",
        "session-sogs-server: pagination",
    ),
    (
        "pysogs_reaction_url_encoding",
        "session-sogs-server: reactions (the signing half runs here: derived_auth_put_reaction_emoji_blinded)",
    ),
    (
        "pysogs_reaction_valid_strings",
        "session-sogs-server: reaction validation",
    ),
    ("pysogs_server_url_format", "session-sogs: join links"),
    ("libsession_community_url_parse", "session-sogs: join links"),
];

/// The group of a vector: its name without a trailing `_NN` index.
pub(crate) fn group(name: &str) -> &str {
    match name.rsplit_once('_') {
        Some((head, tail)) if !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => name,
    }
}

pub(crate) fn vectors() -> Vec<Value> {
    parse(PYSOGS_JSON).as_array().cloned().unwrap_or_default()
}

/// Runs every vector of `groups` as one set named `set_name`.
pub(crate) fn run_set(
    set_name: &'static str,
    groups: &[&str],
    check: impl Fn(&Value) -> Result<(), String>,
) {
    let mut set = VectorSet::new(set_name, SRC);
    for v in vectors()
        .iter()
        .filter(|v| groups.contains(&group(s(v, "name"))))
    {
        set.run(s(v, "name"), || check(v));
    }
    set.finish();
}

#[test]
fn every_pysogs_vector_is_run_here_or_listed_elsewhere() {
    for v in vectors() {
        let name = s(&v, "name");
        let here = RUN_HERE.contains(&group(name));
        let elsewhere = RUN_ELSEWHERE
            .iter()
            .any(|(prefix, _)| name.starts_with(prefix));
        assert!(
            here != elsewhere,
            "{name}: run here = {here}, listed elsewhere = {elsewhere}"
        );
    }
}

#[test]
fn pysogs_blind15_derivation() {
    run_set(
        "pysogs_blind15_derivation",
        &["pysogs_blind15_derivation"],
        |v| {
            let (i, e) = (&v["inputs"], &v["expected"]);
            let id = identity(&arr(i, "ed25519_seed"));
            let server: ServerPubkey = p(s(i, "server_pubkey"))?;
            let sid: SessionId = p(s(e, "derived_session_id"))?;
            eq_hex(
                "ed25519 pk",
                id.ed25519_public_key(),
                s(e, "derived_ed25519_pubkey"),
            )?;
            eq(
                "sign bit",
                u64::from(id.ed25519_public_key()[31] >> 7),
                e["derived_ed25519_pubkey_sign_bit"].as_u64().unwrap_or(9),
            )?;
            eq("session id", id.session_id(), sid)?;
            eq_hex(
                "a",
                id.x25519_keypair().secret_bytes(),
                s(e, "derived_a_scalar"),
            )?;
            eq_hex("k", blind15_factor(&server).as_bytes(), s(e, "derived_k"))?;
            let b15 = id.blind15(&server);
            eq(
                "blinded15_id",
                b15.id().to_string(),
                s(e, "blinded15_id").to_owned(),
            )?;
            eq(
                "ka·B (libsodium)",
                sodium::ed25519_base_noclamp(&arr(e, "derived_ka")),
                Some(*b15.public_key()),
            )?;
            let candidates = blind15_candidates(&sid, &server).map_err(|e| e.to_string())?;
            eq(
                "k·|A| raw",
                candidates[0].to_string(),
                s(e, "derived_k_times_absA_raw").to_owned(),
            )?;
            let (abs, neg) = abs_neg(&candidates);
            eq(
                "abs",
                abs.clone(),
                s(e, "derived_blinded15_abs_id_from_session_id").to_owned(),
            )?;
            eq(
                "neg",
                neg,
                s(e, "derived_blinded15_neg_id_from_session_id").to_owned(),
            )?;
            eq(
                "actual is abs",
                b15.id().to_string() == abs,
                e["derived_actual_is_abs"].as_bool().unwrap_or(false),
            )
        },
    );
}

/// The unmerged pysogs PR computed `(k25·a)·B`, which differs from libsession's `k25·|A|`
/// exactly when the Ed25519 key is negative: then it is libsession's id with bit 255 flipped.
#[test]
fn pysogs_pr213_blind25() {
    run_set("pysogs_pr213_blind25", &["pysogs_pr213_blind25"], |v| {
        let (i, e) = (&v["inputs"], &v["expected"]);
        let id = identity(&arr(i, "ed25519_seed"));
        let server: ServerPubkey = p(s(i, "server_pubkey"))?;
        let b25 = id.blind25(&server).id();
        eq(
            "libsession id",
            b25.to_string(),
            s(e, "derived_blinded25_id_libsession").to_owned(),
        )?;
        eq_hex(
            "k25",
            blind25_factor(&id.session_id(), &server).as_bytes(),
            s(e, "derived_k25"),
        )?;
        let negative = id.ed25519_public_key()[31] & 0x80 != 0;
        eq(
            "sign bit",
            u64::from(negative),
            e["derived_ed25519_pubkey_sign_bit"].as_u64().unwrap_or(9),
        )?;
        let pr: BlindedId = p(s(e, "blinded25_id_pr213"))?;
        eq(
            "PR matches libsession",
            pr == b25,
            e["pr213_matches_libsession"].as_bool().unwrap_or(true),
        )?;
        let mut expected_pr = *b25.public_key();
        if negative {
            expected_pr[31] ^= 0x80;
        }
        eq(
            "PR id = ours with the key's sign",
            *pr.public_key(),
            expected_pr,
        )
    });
}

#[test]
fn pysogs_auth_small_subgroup() {
    run_set(
        "pysogs_auth_small_subgroup",
        &["pysogs_auth_small_subgroup"],
        |v| {
            let (i, e) = (&v["inputs"], &v["expected"]);
            let id = identity(&arr(i, "ed25519_seed"));
            let server: ServerPubkey = p(s(i, "server_pubkey"))?;
            for (field, good) in [
                ("bad_unblinded_header", *id.ed25519_public_key()),
                ("bad_blinded_header", *id.blind15(&server).public_key()),
            ] {
                let bad = hex_arr::<32>(&s(e, field)[2..]);
                ensure(bad != good, "the bad key differs from the real one")?;
                eq(
                    field,
                    is_valid_ed25519_public_key(&bad),
                    e["is_valid_point"].as_bool().unwrap_or(true),
                )?;
                eq("libsodium agrees", sodium::is_valid_point(&bad), false)?;
                ensure(is_valid_ed25519_public_key(&good), "the real key is valid")?;
            }
            Ok(())
        },
    );
}

#[test]
fn sessionjs_blinded_id_realworld() {
    run_set(
        "sessionjs_blinded_id_realworld",
        &[
            "sessionjs_blinded_id_realworld",
            "desktop_known_blinding_match",
        ],
        |v| {
            let (i, e) = (&v["inputs"], &v["expected"]);
            let sid: SessionId = p(s(i, "session_id"))?;
            let server: ServerPubkey = p(s(i, "server_pubkey"))?;
            let observed: BlindedId = p(e["observed_blinded15_id"]
                .as_str()
                .or(e["blinded15_id"].as_str())
                .ok_or("id")?)?;
            ensure(observed.matches(&sid, &server), "observed id matches")?;
            let (abs, neg) =
                abs_neg(&blind15_candidates(&sid, &server).map_err(|e| e.to_string())?);
            if let Some(a) = e["derived_abs"].as_str() {
                eq("abs", abs.as_str(), a)?;
                eq("neg", neg.as_str(), s(e, "derived_neg"))?;
            }
            let is_abs = e["observed_is_abs"]
                .as_bool()
                .or(e["derived_is_abs"].as_bool())
                .ok_or("is_abs")?;
            eq("observed is abs", observed.to_string() == abs, is_abs)
        },
    );
}

#[test]
fn libsession_blind_ids() {
    run_set(
        "libsession_blind_ids",
        &["libsession_blind15_id", "libsession_blind25_id"],
        |v| {
            let (i, e) = (&v["inputs"], &v["expected"]);
            let sid: SessionId = p(s(i, "session_id"))?;
            let server: ServerPubkey = p(s(i, "server_pubkey"))?;
            if let Some(id15) = e["blinded15_id"].as_str() {
                // libsession's blind15_id returns [raw, flipped]; the vector is element [0].
                let candidates = blind15_candidates(&sid, &server).map_err(|e| e.to_string())?;
                eq("blind15 [0]", candidates[0].to_string(), id15.to_owned())?;
                let id: BlindedId = p(id15)?;
                ensure(id.matches(&sid, &server), "matches")
            } else {
                let id25: BlindedId = p(s(e, "blinded25_id"))?;
                eq(
                    "blind25",
                    blind25_id(&sid, &server).map_err(|e| e.to_string())?,
                    id25,
                )?;
                ensure(id25.matches(&sid, &server), "matches")
            }
        },
    );
}

#[test]
fn libsession_blind_sign() {
    run_set(
        "libsession_blind_sign",
        &["libsession_blind15_sign", "libsession_blind25_sign"],
        |v| {
            let (i, e) = (&v["inputs"], &v["expected"]);
            let sk = hx(i, "ed25519_secret_key_64");
            let seed: [u8; 32] = sk[..32].try_into().map_err(|_| "seed")?;
            let id = identity(&seed);
            eq_hex(
                "pk half of the secret key",
                id.ed25519_public_key(),
                &hex::encode(&sk[32..]),
            )?;
            let server: ServerPubkey = p(s(i, "server_pubkey"))?;
            let msg = hx(i, "message_hex");
            if s(v, "name").starts_with("libsession_blind15_sign") {
                let kp = id.blind15(&server);
                eq_hex("kA", kp.public_key(), s(e, "derived_signing_pubkey_kA"))?;
                eq_hex(
                    "signature (libsession nonce)",
                    &kp.sign(&msg),
                    s(e, "signature"),
                )?;
                let alt = id
                    .blind15_with_nonce(&server, Blind15Nonce::SeedHash)
                    .sign(&msg);
                eq_hex(
                    "signature (desktop nonce)",
                    &alt,
                    s(e, "derived_signature_desktop_nonce"),
                )
            } else {
                let kp = id.blind25(&server);
                eq_hex("kA25", kp.public_key(), s(e, "derived_signing_pubkey"))?;
                eq_hex("signature", &kp.sign(&msg), s(e, "signature"))
            }
        },
    );
}
