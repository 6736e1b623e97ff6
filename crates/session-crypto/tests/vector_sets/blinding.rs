//! Blinding, blinded and unblinded signatures, request signing (spec/crypto.md §2–§4,
//! spec/sogs-api.md §1).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use session_crypto::blinding::{blind15_factor, blind25_factor};
use session_crypto::{
    Blind15Nonce, BlindedId, Identity, ServerPubkey, SessionId, SigningMode, blind15_candidates,
    blind25_id, request_message, sign_request, verify_ed25519, verify_xed25519,
};

use crate::common::{
    CRYPTO_JSON, VectorSet, arr, ensure, eq, eq_hex, hex_arr, hx, list, parse, s, sodium,
};

const SRC: &str = "vectors-crypto.json";

/// The identity of a 32-byte Ed25519 seed (a zero-padded 16-byte seed gives the same keys).
pub fn identity(ed_seed: &[u8; 32]) -> Identity {
    Identity::from_seed(ed_seed).expect("32-byte seed")
}

/// Parses a typed value, failing the vector with the parse error.
pub fn p<T: std::str::FromStr>(text: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e: T::Err| format!("parse {text}: {e}"))
}

#[test]
fn blinding() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("blinding", SRC);
    for v in list(&json, "blinding") {
        let id_label = format!("{}@{}", s(v, "name"), s(v, "server_pk_label"));
        set.run(&id_label, || {
            let id = identity(&arr(v, "ed25519_seed"));
            let server: ServerPubkey = p(s(v, "server_pk"))?;
            let sid: SessionId = p(s(v, "session_id"))?;
            eq_hex("ed25519_pk", id.ed25519_public_key(), s(v, "ed25519_pk"))?;
            eq("session_id", id.session_id(), sid)?;
            let a = *id.x25519_keypair().secret_bytes();
            eq_hex("a_clamped", &a, s(v, "a_clamped"))?;

            // blind15 (spec §2.2): our factor and public key; the scalar chain through libsodium.
            eq_hex("k15", blind15_factor(&server).as_bytes(), s(v, "k15"))?;
            let mut wide = [0u8; 64];
            wide[..32].copy_from_slice(&a);
            eq_hex(
                "a_mod_l (libsodium)",
                &sodium::scalar_reduce(&wide),
                s(v, "a_mod_l"),
            )?;
            let ka = sodium::scalar_mul(&arr(v, "k15"), &arr(v, "a_mod_l"));
            eq_hex("ka15 (libsodium)", &ka, s(v, "ka15"))?;
            let b15 = id.blind15(&server);
            eq_hex("kA15", b15.public_key(), s(v, "kA15"))?;
            eq(
                "kA15 = ka15·B (libsodium)",
                sodium::ed25519_base_noclamp(&ka),
                Some(*b15.public_key()),
            )?;
            eq(
                "blinded15_id",
                b15.id().to_string(),
                s(v, "blinded15_id").to_owned(),
            )?;

            // Candidates from the Session ID alone (spec §2.4).
            let candidates = blind15_candidates(&sid, &server).map_err(|e| e.to_string())?;
            let expected: Vec<String> = list(v, "candidates15_from_session_id")
                .iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect();
            eq(
                "candidates",
                candidates
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                expected,
            )?;
            eq(
                "raw is true id",
                candidates[0] == b15.id(),
                v["candidate15_raw_is_true_id"].as_bool().unwrap_or(false),
            )?;
            let (abs, neg) = abs_neg(&candidates);
            eq("pysogs abs", abs, s(v, "pysogs_abs_id").to_owned())?;
            eq("pysogs neg", neg, s(v, "pysogs_neg_id").to_owned())?;
            ensure(
                b15.id().matches(&sid, &server),
                "blind15 id matches its Session ID",
            )?;

            // blind25 (spec §2.5).
            eq_hex("k25", blind25_factor(&sid, &server).as_bytes(), s(v, "k25"))?;
            let k25 = arr::<32>(v, "k25");
            let k_prime = if id.ed25519_public_key()[31] & 0x80 != 0 {
                sodium::scalar_negate(&k25)
            } else {
                k25
            };
            eq_hex("k25_prime (libsodium)", &k_prime, s(v, "k25_prime"))?;
            let ka25 = sodium::scalar_mul(&k_prime, &arr(v, "a_mod_l"));
            eq_hex("ka25 (libsodium)", &ka25, s(v, "ka25"))?;
            let b25 = id.blind25(&server);
            eq_hex("kA25", b25.public_key(), s(v, "kA25"))?;
            eq(
                "kA25 = ka25·B (libsodium)",
                sodium::ed25519_base_noclamp(&ka25),
                Some(*b25.public_key()),
            )?;
            eq(
                "blinded25_id",
                b25.id().to_string(),
                s(v, "blinded25_id").to_owned(),
            )?;
            eq(
                "blind25_id from session id",
                blind25_id(&sid, &server).map_err(|e| e.to_string())?,
                b25.id(),
            )?;
            ensure(
                b25.id().matches(&sid, &server),
                "blind25 id matches its Session ID",
            )
        });
    }
    set.finish();
}

/// pysogs' "abs" (bit 255 clear) and "neg" (bit 255 set) forms of two candidates.
pub fn abs_neg(candidates: &[BlindedId; 2]) -> (String, String) {
    let (a, b) = (candidates[0].to_string(), candidates[1].to_string());
    if candidates[0].public_key()[31] & 0x80 == 0 {
        (a, b)
    } else {
        (b, a)
    }
}

#[test]
fn blinded_signatures() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("blinded_signatures", SRC);
    for (i, v) in list(&json, "blinded_signatures").iter().enumerate() {
        set.run(&format!("{}#{i}:{}", s(v, "case"), s(v, "kind")), || {
            let id = identity(&arr(v, "ed25519_seed"));
            let server: ServerPubkey = p(s(v, "server_pk"))?;
            let msg = hx(v, "message_hex");
            let b15 = id.blind15(&server);
            let seedhash = id.blind15_with_nonce(&server, Blind15Nonce::SeedHash);
            let b25 = id.blind25(&server);
            eq_hex(
                "blinded15_pubkey",
                b15.public_key(),
                s(v, "blinded15_pubkey"),
            )?;
            eq(
                "blinded15_id",
                b15.id().to_string(),
                s(v, "blinded15_id").to_owned(),
            )?;
            eq_hex(
                "blinded25_pubkey",
                b25.public_key(),
                s(v, "blinded25_pubkey"),
            )?;
            eq_hex(
                "sig15 seed-hash nonce",
                &seedhash.sign(&msg),
                s(v, "sig15_seedhash_nonce"),
            )?;
            eq_hex(
                "sig15 sk-hash nonce",
                &b15.sign(&msg),
                s(v, "sig15_skhash_nonce"),
            )?;
            eq_hex("sig25", &b25.sign(&msg), s(v, "sig25"))?;
            // ka·B = kA for the published blinded scalars (libsodium).
            eq(
                "ka15·B",
                sodium::ed25519_base_noclamp(&arr(v, "ka15")),
                Some(*b15.public_key()),
            )?;
            eq(
                "ka25·B",
                sodium::ed25519_base_noclamp(&arr(v, "ka25")),
                Some(*b25.public_key()),
            )?;
            // Every signature verifies as plain Ed25519, in this crate and in libsodium.
            for (field, key) in [
                ("sig15_seedhash_nonce", b15.public_key()),
                ("sig15_skhash_nonce", b15.public_key()),
                ("sig25", b25.public_key()),
            ] {
                let sig = arr::<64>(v, field);
                verify_ed25519(key, &msg, &sig).map_err(|e| format!("{field}: {e}"))?;
                ensure(
                    sodium::verify_detached(&sig, &msg, key),
                    &format!("libsodium verifies {field}"),
                )?;
            }
            match s(v, "kind") {
                "sogs_request_GET" | "sogs_request_POST" => check_request(v, &id, &server, &msg),
                "sogs_post_padded_content" => {
                    let padded = STANDARD
                        .decode(s(v, "data_b64"))
                        .map_err(|e| e.to_string())?;
                    eq(
                        "data_b64 is the signed message",
                        padded.clone(),
                        msg.clone(),
                    )?;
                    eq(
                        "unpadded content",
                        session_crypto::padding::unpad(&padded).map(<[u8]>::to_vec),
                        Ok(hx(v, "content_unpadded")),
                    )
                }
                _ => Ok(()),
            }
        });
    }
    set.finish();
}

/// A SOGS request vector: the signed bytes and the headers of [`sign_request`].
fn check_request(
    v: &Value,
    id: &Identity,
    server: &ServerPubkey,
    msg: &[u8],
) -> Result<(), String> {
    let nonce = arr::<16>(v, "nonce");
    let ts = v["timestamp"].as_u64().ok_or("timestamp")?;
    let body = v["body_hex"]
        .as_str()
        .map(|b| hex::decode(b).unwrap_or_default())
        .unwrap_or_default();
    let method = s(v, "method");
    let path = s(v, "path");
    eq(
        "request bytes",
        request_message(server, &nonce, &ts.to_string(), method, path, &body),
        msg.to_vec(),
    )?;
    for (mode, field) in [
        (SigningMode::Blind15, "sig15_skhash_nonce"),
        (SigningMode::Blind25, "sig25"),
    ] {
        let auth = sign_request(id, server, mode, method, path, &body, &nonce, ts);
        eq(
            &format!("{mode:?} signature header"),
            auth.signature,
            STANDARD.encode(hx(v, field)),
        )?;
        eq(
            &format!("{mode:?} nonce header"),
            auth.nonce,
            STANDARD.encode(nonce),
        )?;
        eq(
            &format!("{mode:?} timestamp header"),
            auth.timestamp,
            ts.to_string(),
        )?;
    }
    Ok(())
}

#[test]
fn libsession_test_signatures() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("libsession_test_signatures", SRC);
    for (i, v) in list(&json, "libsession_test_signatures").iter().enumerate() {
        set.run(&format!("{}#{i}", s(v, "scheme")), || {
            let id = identity(&arr(v, "ed25519_seed"));
            let server: ServerPubkey = p(s(v, "server_pk"))?;
            let kp = match s(v, "scheme") {
                "blind15" => id.blind15(&server),
                "blind25" => id.blind25(&server),
                other => return Err(format!("unknown scheme {other}")),
            };
            let msg = hx(v, "message_hex");
            eq_hex("blinded_pubkey", kp.public_key(), s(v, "blinded_pubkey"))?;
            eq_hex("signature", &kp.sign(&msg), s(v, "signature"))?;
            verify_ed25519(kp.public_key(), &msg, &arr::<64>(v, "signature"))
                .map_err(|e| e.to_string())
        });
    }
    set.finish();
}

#[test]
fn sogs_request_signature_unblinded() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("sogs_request_signature_unblinded", SRC);
    for v in list(&json, "sogs_request_signature_unblinded") {
        set.run(s(v, "path"), || {
            let id = identity(&arr(v, "ed25519_seed"));
            let server: ServerPubkey = p(s(v, "server_pk"))?;
            let nonce = arr::<16>(v, "nonce");
            let ts = v["timestamp"].as_u64().ok_or("timestamp")?;
            let msg = request_message(
                &server,
                &nonce,
                &ts.to_string(),
                s(v, "method"),
                s(v, "path"),
                b"",
            );
            eq_hex("request bytes", &msg, s(v, "message_hex"))?;
            let auth = sign_request(
                &id,
                &server,
                SigningMode::Unblinded,
                s(v, "method"),
                s(v, "path"),
                b"",
                &nonce,
                ts,
            );
            eq(
                "pubkey header",
                auth.pubkey,
                s(v, "x_sogs_pubkey").to_owned(),
            )?;
            eq(
                "signature",
                auth.signature,
                STANDARD.encode(hx(v, "signature")),
            )?;
            // Standard Ed25519: libsodium signs the same bytes identically.
            let (_, sk) = sodium::sign_seed_keypair(&arr(v, "ed25519_seed"));
            eq_hex(
                "libsodium signature",
                &sodium::sign_detached(&sk, &msg),
                s(v, "signature"),
            )
        });
    }
    set.finish();
}

#[test]
fn session_id_to_blinded_candidates() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("session_id_to_blinded_candidates", SRC);
    for (i, v) in list(&json, "session_id_to_blinded_candidates")
        .iter()
        .enumerate()
    {
        set.run(&format!("#{i}"), || {
            let sid: SessionId = p(s(v, "session_id"))?;
            let server: ServerPubkey = p(s(v, "server_pk"))?;
            if let Some(tested) = v["blinded_id_tested"].as_str() {
                // The negative case: an id of the same user on another server.
                let id: BlindedId = p(tested)?;
                return eq(
                    "matches",
                    id.matches(&sid, &server),
                    v["matches"].as_bool().unwrap_or(true),
                );
            }
            let candidates = blind15_candidates(&sid, &server).map_err(|e| e.to_string())?;
            eq(
                "raw",
                candidates[0].to_string(),
                s(v, "candidate_raw").to_owned(),
            )?;
            eq(
                "flipped",
                candidates[1].to_string(),
                s(v, "candidate_flipped").to_owned(),
            )?;
            let (abs, neg) = abs_neg(&candidates);
            eq("pysogs abs", abs.clone(), s(v, "pysogs_abs").to_owned())?;
            eq("pysogs neg", neg.clone(), s(v, "pysogs_neg").to_owned())?;
            eq(
                "session.js form (always abs)",
                abs.clone(),
                s(v, "sessionjs_blindSessionId").to_owned(),
            )?;
            let observed: BlindedId = p(s(v, "observed_blinded15_id"))?;
            ensure(
                observed.matches(&sid, &server),
                "observed id matches the Session ID",
            )?;
            let which = if observed == candidates[0] {
                "raw"
            } else {
                "flipped"
            };
            let form = if observed.to_string() == abs {
                "abs"
            } else {
                "neg"
            };
            eq(
                "observed_is",
                format!("{which}/{form}"),
                s(v, "observed_is").to_owned(),
            )?;
            let b25: BlindedId = p(s(v, "blinded25_id"))?;
            eq(
                "blind25",
                blind25_id(&sid, &server).map_err(|e| e.to_string())?,
                b25,
            )?;
            ensure(b25.matches(&sid, &server), "blind25 id matches")
        });
    }
    set.finish();
}

/// curve25519-js and XEd25519 post signatures (spec §4.3). This crate signs only in the
/// XEd25519 form; the curve25519-js signatures are recomputed here from libsodium primitives
/// as an independent check of the vector, and both kinds must verify with
/// [`verify_xed25519`].
#[test]
fn unblinded_post_signatures() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("unblinded_post_signatures", SRC);
    for (i, v) in list(&json, "unblinded_post_signatures").iter().enumerate() {
        set.run(&format!("{}#{i}", s(v, "signer")), || {
            let xsk = arr::<32>(v, "x25519_sk");
            let xpk = arr::<32>(v, "x25519_pk");
            let msg = hx(v, "message_hex");
            let sig = arr::<64>(v, "signature");
            eq(
                "x25519 pk of sk (libsodium)",
                sodium::x25519_base(&xsk),
                xpk,
            )?;
            let produced = if let Some(z) = v["random64_Z"].as_str() {
                session_crypto::sign_xed25519(&xsk, &msg, &hex_arr::<64>(z))
            } else {
                let z = v["random64"].as_str().map(hex_arr::<64>);
                curve25519_js_sign(&xsk, &msg, z.as_ref())
            };
            eq("signature", hex::encode(produced), hex::encode(sig))?;
            eq(
                "verify_xed25519",
                verify_xed25519(&xpk, &msg, &sig).is_ok(),
                v["verifies_curve25519js"].as_bool().unwrap_or(false),
            )?;
            // libsession's verifier assumes sign bit 0 and a canonical S.
            eq(
                "libsession-style verify (libsodium, sign-0 key)",
                sodium::verify_detached(&sig, &msg, &xed_pk_sign0(&xpk)),
                v["verifies_libsession_xed25519"].as_bool().unwrap_or(true),
            )?;
            eq(
                "sign bit",
                u64::from(sodium::ed25519_base_noclamp(&clamp(xsk)).unwrap_or_default()[31] >> 7),
                v["ed25519_pk_sign_bit"].as_u64().unwrap_or(9),
            )
        });
    }
    set.finish();
}

/// X25519 clamping.
fn clamp(mut k: [u8; 32]) -> [u8; 32] {
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    k
}

/// The Edwards key with sign bit 0 whose Montgomery u is `x` (independent of the crate:
/// computed with curve25519-dalek's birational map).
fn xed_pk_sign0(x: &[u8; 32]) -> [u8; 32] {
    curve25519_dalek::montgomery::MontgomeryPoint(*x)
        .to_edwards(0)
        .map(|p| p.compress().to_bytes())
        .unwrap_or_default()
}

/// curve25519-js `sign`, from libsodium primitives: `a` = clamped X25519 key, `A = a·B` with
/// its real sign bit stored in bit 255 of S; `r = H(a ‖ M)` or, with randomness Z,
/// `r = H(0xFE ‖ 0xFF×31 ‖ a ‖ M ‖ Z)`.
fn curve25519_js_sign(xsk: &[u8; 32], msg: &[u8], z: Option<&[u8; 64]>) -> [u8; 64] {
    let a = clamp(*xsk);
    let mut wide = [0u8; 64];
    wide[..32].copy_from_slice(&a);
    let a_red = sodium::scalar_reduce(&wide);
    let big_a = sodium::ed25519_base_noclamp(&a_red).unwrap_or_default();
    let mut nonce_input = Vec::new();
    if z.is_some() {
        nonce_input.push(0xfe);
        nonce_input.extend_from_slice(&[0xff; 31]);
    }
    nonce_input.extend_from_slice(&a);
    nonce_input.extend_from_slice(msg);
    if let Some(z) = z {
        nonce_input.extend_from_slice(z);
    }
    let r = sodium::scalar_reduce(&sodium::sha512(&nonce_input));
    let big_r = sodium::ed25519_base_noclamp(&r).unwrap_or_default();
    let mut h_input = big_r.to_vec();
    h_input.extend_from_slice(&big_a);
    h_input.extend_from_slice(msg);
    let h = sodium::scalar_reduce(&sodium::sha512(&h_input));
    let s = sodium::scalar_add(&r, &sodium::scalar_mul(&h, &a_red));
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&big_r);
    sig[32..].copy_from_slice(&s);
    sig[63] |= big_a[31] & 0x80;
    sig
}
