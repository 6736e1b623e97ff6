//! Padding, sealed boxes, 1:1 messages and blinded DMs (spec/crypto.md §5–§8).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use session_crypto::blinding::blind25_factor;
use session_crypto::padding::{PaddingRule, pad_with, unpad, unpad_lenient};
use session_crypto::{
    BlindedId, BlindingScheme, Error, ServerPubkey, SessionId, X25519Keypair, blake2b, blinded_dm,
    onetoone, sealed_box,
};

use crate::common::{CRYPTO_JSON, VectorSet, arr, ensure, eq, eq_hex, hx, list, parse, s, sodium};
use crate::vector_sets::blinding::{identity, p};

const SRC: &str = "vectors-crypto.json";

#[test]
fn padding() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("padding", SRC);
    for v in list(&json, "padding") {
        set.run(&format!("n={}", v["input_len"]), || {
            let input = hx(v, "input_hex");
            eq(
                "input_len",
                input.len() as u64,
                v["input_len"].as_u64().unwrap_or(0),
            )?;
            for (rule, field, len_field) in [
                (
                    PaddingRule::LegacyJs,
                    "legacy_js_padded_hex",
                    "legacy_js_padded_len",
                ),
                (
                    PaddingRule::Libsession,
                    "libsession_padded_hex",
                    "libsession_padded_len",
                ),
            ] {
                let padded = pad_with(&input, rule);
                eq_hex(field, &padded, s(v, field))?;
                eq(
                    len_field,
                    padded.len() as u64,
                    v[len_field].as_u64().unwrap_or(0),
                )?;
                eq("padded_len", rule.padded_len(input.len()), padded.len())?;
                eq(
                    "round trip",
                    unpad(&padded).map(<[u8]>::to_vec),
                    Ok(input.clone()),
                )?;
            }
            Ok(())
        });
    }
    set.finish();
}

/// `unpad` is the strict decoder (column `strict_recommendation`); `unpad_lenient` falls back
/// to the input unchanged, which is exactly pysogs' behaviour (column `pysogs`).
#[test]
fn unpadding() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("unpadding", SRC);
    for v in list(&json, "unpadding") {
        set.run(s(v, "name"), || {
            let input = hx(v, "input_hex");
            let strict = unpad(&input).map(hex::encode);
            match v["strict_recommendation"].as_str() {
                Some(expected) => eq("strict", strict, Ok(expected.to_owned()))?,
                None => eq("strict", strict, Err(Error::InvalidPadding))?,
            }
            eq_hex("lenient (= pysogs)", unpad_lenient(&input), s(v, "pysogs"))
        });
    }
    set.finish();
}

#[test]
fn sealed_box() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("sealed_box", SRC);
    for v in list(&json, "sealed_box") {
        set.run(s(v, "name"), || {
            let recipient = X25519Keypair::from_secret(arr(v, "recipient_x25519_sk"));
            eq_hex(
                "recipient pk",
                recipient.public_key(),
                s(v, "recipient_x25519_pk"),
            )?;
            let ct = hx(v, "ciphertext");
            if v.get("expected_error").is_some() {
                return eq(
                    "tampered",
                    sealed_box::open(&ct, &recipient),
                    Err(Error::DecryptionFailed { what: "sealed box" }),
                );
            }
            let esk = arr::<32>(v, "ephemeral_sk");
            let epk = X25519Keypair::from_secret(esk);
            eq_hex("ephemeral_pk", epk.public_key(), s(v, "ephemeral_pk"))?;
            let mut nonce_input = epk.public_key().to_vec();
            nonce_input.extend_from_slice(recipient.public_key());
            eq_hex(
                "nonce",
                &blake2b(24, b"", b"", b"", &nonce_input).map_err(|e| e.to_string())?,
                s(v, "nonce_blake2b24"),
            )?;
            let shared = epk
                .diffie_hellman(recipient.public_key())
                .map_err(|e| e.to_string())?;
            eq_hex("x25519_shared", &*shared, s(v, "x25519_shared"))?;
            eq_hex(
                "box_beforenm_key (libsodium)",
                &sodium::box_beforenm(recipient.public_key(), &esk).unwrap_or_default(),
                s(v, "box_beforenm_key"),
            )?;
            let plaintext = hx(v, "plaintext");
            let sealed = sealed_box::seal_with_ephemeral(&plaintext, recipient.public_key(), &esk)
                .map_err(|e| e.to_string())?;
            eq_hex("ciphertext", &sealed, s(v, "ciphertext"))?;
            eq(
                "open",
                sealed_box::open(&ct, &recipient),
                Ok(plaintext.clone()),
            )?;
            eq(
                "libsodium opens",
                sodium::box_seal_open(&ct, recipient.public_key(), recipient.secret_bytes()),
                Some(plaintext),
            )
        });
    }
    set.finish();
}

#[test]
fn onetoone_messages() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("onetoone_messages", SRC);
    for (i, v) in list(&json, "onetoone_messages").iter().enumerate() {
        set.run(
            &format!(
                "#{i}:{}",
                s(v, "data_message_body")
                    .get(..20)
                    .unwrap_or(s(v, "data_message_body"))
            ),
            || {
                let sender = identity(&arr(v, "sender_ed25519_seed"));
                let me = identity(&arr(v, "recipient_ed25519_seed"));
                eq(
                    "sender id",
                    sender.session_id().to_string(),
                    s(v, "sender_session_id").to_owned(),
                )?;
                eq(
                    "recipient id",
                    me.session_id().to_string(),
                    s(v, "recipient_session_id").to_owned(),
                )?;
                eq_hex(
                    "recipient x25519 sk",
                    me.x25519_keypair().secret_bytes(),
                    s(v, "recipient_x25519_sk"),
                )?;
                let ct = hx(v, "sealed_box_ciphertext");
                let msg = onetoone::decrypt(&me, &ct).map_err(|e| e.to_string())?;
                eq(
                    "sender",
                    msg.sender.to_string(),
                    s(v, "sender_session_id").to_owned(),
                )?;
                eq_hex(
                    "sender ed25519",
                    &msg.sender_ed25519,
                    s(v, "sender_ed25519_pk"),
                )?;
                eq_hex("content", &msg.content, s(v, "content_plaintext"))?;
                eq_hex("signature", &msg.signature, s(v, "signature"))?;

                let rule = match s(v, "padding_rule") {
                    "legacy_js_160n_minus_1" => PaddingRule::LegacyJs,
                    "libsession_160n" => PaddingRule::Libsession,
                    other => return Err(format!("unknown padding rule {other}")),
                };
                let padded = pad_with(&msg.content, rule);
                eq_hex(
                    "padded plaintext",
                    &padded,
                    s(v, "decrypted_padded_plaintext"),
                )?;
                // The signature is a standard Ed25519 signature over P ‖ A ‖ Y (libsodium verifies).
                let mut signed = padded.clone();
                signed.extend_from_slice(&msg.sender_ed25519);
                signed.extend_from_slice(me.x25519_public_key());
                ensure(
                    sodium::verify_detached(&msg.signature, &signed, &msg.sender_ed25519),
                    "libsodium verifies",
                )?;

                // The libsession vector is deterministic: re-encrypt it byte for byte.
                if s(v, "source").contains("encrypt_for_recipient_deterministic") {
                    let again =
                        onetoone::encrypt_padded_deterministic(&sender, &me.session_id(), &padded)
                            .map_err(|e| e.to_string())?;
                    eq(
                        "deterministic re-encryption",
                        hex::encode(again),
                        hex::encode(&ct),
                    )?;
                }
                // Outer layers are session-schema's job; check that they carry this ciphertext.
                let envelope = hx(v, "envelope_hex");
                let data = STANDARD
                    .decode(s(v, "snode_data_base64"))
                    .map_err(|e| e.to_string())?;
                ensure(contains(&envelope, &ct), "envelope carries the sealed box")?;
                ensure(
                    contains(&data, &envelope),
                    "WebSocketMessage carries the envelope",
                )
            },
        );
    }
    set.finish();
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn blinded_dm() {
    let json = parse(CRYPTO_JSON);
    let vectors = list(&json, "blinded_dm");
    let mut set = VectorSet::new("blinded_dm", SRC);
    for (i, v) in vectors.iter().enumerate() {
        set.run(&format!("#{i}"), || {
            if let Some(base) = v["based_on"].as_u64() {
                // A framing error on top of another vector's keys.
                let base = &vectors[base as usize];
                let me = identity(&arr(base, "recipient_ed25519_seed"));
                let server: ServerPubkey = p(s(base, "server_pk"))?;
                let sender: BlindedId = p(s(base, "sender_blinded_id"))?;
                let data = hx(v, "data_hex");
                let version = data.first().copied().unwrap_or_default();
                eq(
                    s(v, "expected_error"),
                    blinded_dm::decrypt_inbox(&me, &server, &sender, &data),
                    Err(Error::UnsupportedVersion {
                        what: "blinded DM",
                        version,
                    }),
                )?;
                return eq("version", version, 1);
            }
            check_blinded_dm(v)
        });
    }
    set.finish();
}

/// One blinded-DM vector: ids, byte-exact encryption, both decryption directions, and the
/// shared point and key through libsodium.
pub fn check_blinded_dm(v: &Value) -> Result<(), String> {
    let server: ServerPubkey = p(s(v, "server_pk"))?;
    let sender = identity(&arr(v, "sender_ed25519_seed"));
    let recipient = identity(&arr(v, "recipient_ed25519_seed"));
    let (sender_kp, recipient_kp) = match s(v, "blinding") {
        "15" => (sender.blind15(&server), recipient.blind15(&server)),
        "25" => (sender.blind25(&server), recipient.blind25(&server)),
        other => return Err(format!("unknown blinding {other}")),
    };
    let (sender_id, recipient_id) = (sender_kp.id(), recipient_kp.id());
    eq(
        "sender blinded id",
        sender_id.to_string(),
        s(v, "sender_blinded_id").to_owned(),
    )?;
    eq(
        "recipient blinded id",
        recipient_id.to_string(),
        s(v, "recipient_blinded_id").to_owned(),
    )?;
    eq(
        "sender session id",
        sender.session_id().to_string(),
        s(v, "sender_session_id").to_owned(),
    )?;

    let plaintext = hx(v, "plaintext");
    let data = blinded_dm::encrypt_unpadded_with_nonce(
        &sender,
        &server,
        &recipient_id,
        &plaintext,
        &arr(v, "nonce"),
    )
    .map_err(|e| e.to_string())?;
    eq_hex("data", &data, s(v, "data_hex"))?;
    eq(
        "message_b64",
        STANDARD.encode(&data),
        s(v, "message_b64").to_owned(),
    )?;

    for (direction, dm) in [
        (
            "inbox",
            blinded_dm::decrypt_inbox(&recipient, &server, &sender_id, &data),
        ),
        (
            "outbox",
            blinded_dm::decrypt_outbox(&sender, &server, &recipient_id, &data),
        ),
    ] {
        let dm = dm.map_err(|e| format!("{direction}: {e}"))?;
        eq(direction, dm.sender, sender.session_id())?;
        eq(direction, &dm.sender_ed25519, sender.ed25519_public_key())?;
        eq(direction, dm.content.clone(), plaintext.clone())?;
    }

    // Independent check of the key schedule: the recipient's scalar times the sender's
    // blinded key (libsodium), hashed sender-first, opens the data with libsodium.
    let b = {
        let mut wide = [0u8; 64];
        wide[..32].copy_from_slice(recipient.x25519_keypair().secret_bytes());
        sodium::scalar_reduce(&wide)
    };
    let scalar = match sender_id.scheme() {
        BlindingScheme::Blind15 => b,
        BlindingScheme::Blind25 => {
            let k25 = *blind25_factor(&recipient.session_id(), &server).as_bytes();
            let k = if recipient.ed25519_public_key()[31] & 0x80 != 0 {
                sodium::scalar_negate(&k25)
            } else {
                k25
            };
            sodium::scalar_mul(&k, &b)
        }
    };
    let shared = sodium::ed25519_noclamp(&scalar, sender_id.public_key())
        .ok_or("libsodium noclamp failed")?;
    eq_hex(
        "shared point (libsodium)",
        &shared,
        s(v, "shared_point_hex"),
    )?;
    let mut key_input = shared.to_vec();
    key_input.extend_from_slice(sender_id.public_key());
    key_input.extend_from_slice(recipient_id.public_key());
    let key = blake2b(32, b"", b"", b"", &key_input).map_err(|e| e.to_string())?;
    eq_hex("key (BLAKE2b-256)", &key, s(v, "key_blake2b32"))?;
    eq_hex(
        "key (libsodium)",
        &sodium::generichash(32, b"", &key_input),
        s(v, "key_blake2b32"),
    )?;
    let nonce = arr::<24>(v, "nonce");
    let key: [u8; 32] = key.try_into().map_err(|_| "key length")?;
    let inner = sodium::xchacha_decrypt(&data[1..data.len() - 24], &nonce, &key)
        .ok_or("libsodium decrypt failed")?;
    eq_hex(
        "inner plaintext (libsodium)",
        &inner,
        s(v, "inner_plaintext"),
    )?;
    let sid: SessionId = p(s(v, "sender_session_id"))?;
    ensure(
        sender_id.matches(&sid, &server),
        "sender id matches its Session ID",
    )
}
