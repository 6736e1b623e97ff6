//! The crypto vectors of `vectors-pysogs.json`, signing part: the bytes a SOGS request
//! signature covers, the `X-SOGS-*` headers, blinded DMs, BLAKE2b parameters, padding.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use session_crypto::padding::{PaddingRule, pad_with};
use session_crypto::{
    Blind15Nonce, ServerPubkey, SigningMode, X25519Keypair, blake2b, blinded_dm, request_message,
    sign_request,
};

use crate::common::{arr, eq, eq_hex, hx, s, sodium};
use crate::vector_sets::blinding::{identity, p};
use crate::vector_sets::pysogs::run_set;

#[test]
fn pysogs_auth_comment_example() {
    run_set(
        "pysogs_auth_comment_example",
        &[
            "pysogs_auth_comment_example_get",
            "pysogs_auth_comment_example_post",
        ],
        |v| {
            let (i, e) = (&v["inputs"], &v["expected"]);
            let server: ServerPubkey = p(s(i, "server_pubkey"))?;
            let nonce_text = s(i, "x_sogs_nonce");
            // The header is base64 in one example and hex in the other (pysogs accepts both).
            let decoded = if nonce_text.len() == 32 {
                hex::decode(nonce_text).ok()
            } else {
                STANDARD.decode(nonce_text).ok()
            };
            let nonce: [u8; 16] = decoded.and_then(|n| n.try_into().ok()).ok_or("nonce")?;
            if let Some(expected) = e["nonce_bytes"].as_str() {
                eq_hex("nonce bytes", &nonce, expected)?;
            }
            let body = i["body_hex"]
                .as_str()
                .map(|b| hex::decode(b).unwrap_or_default())
                .unwrap_or_default();
            if let Some(h) = e["body_blake2b_512"].as_str() {
                eq_hex(
                    "body hash",
                    &blake2b(64, b"", b"", b"", &body).map_err(|e| e.to_string())?,
                    h,
                )?;
            }
            let msg = request_message(
                &server,
                &nonce,
                s(i, "x_sogs_timestamp"),
                s(i, "method"),
                s(i, "path_and_query"),
                &body,
            );
            eq_hex("message_to_sign", &msg, s(e, "message_to_sign"))?;
            eq(
                "length",
                msg.len() as u64,
                e["message_length"].as_u64().unwrap_or(0),
            )
        },
    );
}

/// pysogs' test client signs blind15 with the seed-hash nonce; our default is libsession's
/// sk-hash nonce, whose signature the vectors also give (`alt_signature_b64_libsession_nonce`).
#[test]
fn derived_auth() {
    run_set(
        "derived_auth",
        &[
            "derived_auth_get_caps_unblinded",
            "derived_auth_get_caps_blinded",
            "derived_auth_post_batch_blinded",
            "derived_auth_put_reaction_emoji_blinded",
            "derived_auth_post_message_unblinded",
        ],
        |v| {
            let (i, e) = (&v["inputs"], &v["expected"]);
            let id = identity(&arr(i, "ed25519_seed"));
            let server: ServerPubkey = p(s(i, "server_pubkey"))?;
            let nonce = arr::<16>(i, "nonce_raw_hex");
            let ts_text = s(i, "timestamp");
            let ts: u64 = ts_text.parse().map_err(|_| "timestamp")?;
            let body = i["body_hex"]
                .as_str()
                .map(|b| hex::decode(b).unwrap_or_default())
                .unwrap_or_default();
            let target = s(i, "http_request_target");
            let msg = request_message(&server, &nonce, ts_text, s(i, "method"), target, &body);
            eq_hex("message_to_sign", &msg, s(e, "message_to_sign"))?;
            // The signed path is the URL-decoded target.
            let decoded = request_message(
                &server,
                &nonce,
                ts_text,
                s(i, "method"),
                s(i, "path_signed_utf8"),
                &body,
            );
            eq("decoded path signs the same bytes", decoded, msg.clone())?;
            let blinded = i["blinded"].as_bool().unwrap_or(false);
            let mode = if blinded {
                SigningMode::Blind15
            } else {
                SigningMode::Unblinded
            };
            let auth = sign_request(
                &id,
                &server,
                mode,
                s(i, "method"),
                target,
                &body,
                &nonce,
                ts,
            );
            let h = &e["headers"];
            eq("pubkey", auth.pubkey.as_str(), s(h, "X-SOGS-Pubkey"))?;
            eq("nonce", auth.nonce.as_str(), s(h, "X-SOGS-Nonce"))?;
            eq(
                "timestamp",
                auth.timestamp.as_str(),
                s(h, "X-SOGS-Timestamp"),
            )?;
            if blinded {
                eq(
                    "signature (libsession nonce)",
                    auth.signature.as_str(),
                    s(e, "alt_signature_b64_libsession_nonce"),
                )?;
                let seedhash = id
                    .blind15_with_nonce(&server, Blind15Nonce::SeedHash)
                    .sign(&msg);
                eq(
                    "signature (pysogs seed-hash nonce)",
                    STANDARD.encode(seedhash),
                    s(h, "X-SOGS-Signature").to_owned(),
                )
            } else {
                eq(
                    "signature",
                    auth.signature.as_str(),
                    s(h, "X-SOGS-Signature"),
                )
            }
        },
    );
}

#[test]
fn derived_dm_blinded_encrypt() {
    run_set(
        "derived_dm_blinded_encrypt",
        &["derived_dm_blinded_encrypt"],
        |v| {
            let (i, e) = (&v["inputs"], &v["expected"]);
            let server: ServerPubkey = p(s(i, "server_pubkey"))?;
            let sender = identity(&arr(i, "sender_ed25519_seed"));
            let recipient = identity(&arr(i, "recipient_ed25519_seed"));
            let (a15, b15) = (
                sender.blind15(&server).id(),
                recipient.blind15(&server).id(),
            );
            eq(
                "sender id",
                a15.to_string(),
                s(e, "sender_blinded_id").to_owned(),
            )?;
            eq(
                "recipient id",
                b15.to_string(),
                s(e, "recipient_blinded_id").to_owned(),
            )?;
            eq_hex(
                "sender pk",
                sender.ed25519_public_key(),
                s(e, "sender_ed25519_pubkey"),
            )?;
            let message = hx(i, "message_hex");
            let data = blinded_dm::encrypt_unpadded_with_nonce(
                &sender,
                &server,
                &b15,
                &message,
                &arr(i, "nonce"),
            )
            .map_err(|e| e.to_string())?;
            eq_hex("data", &data, s(e, "data"))?;
            eq(
                "base64",
                STANDARD.encode(&data),
                s(e, "message_field_base64").to_owned(),
            )?;
            let dm = blinded_dm::decrypt_inbox(&recipient, &server, &a15, &data)
                .map_err(|e| e.to_string())?;
            eq(
                "recovered sender",
                dm.sender.to_string(),
                s(e, "recovered_sender_session_id").to_owned(),
            )?;
            eq("content", dm.content, message.clone())?;
            let mut inner = message;
            inner.extend_from_slice(sender.ed25519_public_key());
            eq_hex("plaintext", &inner, s(e, "plaintext"))?;
            let key = arr::<32>(e, "shared_key");
            let opened = sodium::xchacha_decrypt(&data[1..data.len() - 24], &arr(i, "nonce"), &key);
            eq("libsodium opens with the shared key", opened, Some(inner))
        },
    );
}

#[test]
fn pysogs_onion_client_ephemeral_keypair() {
    run_set(
        "pysogs_onion_client_ephemeral_keypair",
        &["pysogs_onion_client_ephemeral_keypair"],
        |v| {
            let kp = X25519Keypair::from_secret(arr(&v["inputs"], "x25519_private"));
            eq_hex(
                "public",
                kp.public_key(),
                s(&v["expected"], "x25519_public"),
            )
        },
    );
}

/// pysogs' `blake2b(data, digest_size, key, salt, person)`: salt and personal strings are the
/// ASCII bytes given. Checked against this crate's [`blake2b`] and libsodium.
#[test]
fn pysogs_blake2b() {
    run_set(
        "pysogs_blake2b",
        &[
            "pysogs_blake2b_keyed_salted",
            "pysogs_blake2b_salt_person",
            "pysogs_blake2b_key_person",
            "pysogs_blake2b_key_salt",
            "pysogs_blake2b_key_salt_person",
        ],
        |v| {
            let (i, e) = (&v["inputs"], &v["expected"]);
            let len = i["digest_size"].as_u64().ok_or("digest_size")? as usize;
            let key = i["key_hex"]
                .as_str()
                .map(|k| hex::decode(k).unwrap_or_default())
                .unwrap_or_default();
            let salt = i["salt_ascii"].as_str().unwrap_or_default().as_bytes();
            let person = i["person_ascii"].as_str().unwrap_or_default().as_bytes();
            let data = hx(i, "data_hex");
            let ours = blake2b(len, &key, salt, person, &data).map_err(|e| e.to_string())?;
            eq_hex("digest", &ours, s(e, "digest"))?;
            let mut salt16 = [0u8; 16];
            salt16[..salt.len()].copy_from_slice(salt);
            let mut person16 = [0u8; 16];
            person16[..person.len()].copy_from_slice(person);
            eq_hex(
                "libsodium",
                &sodium::generichash_salt_personal(len, &key, &salt16, &person16, &data),
                s(e, "digest"),
            )
        },
    );
}

#[test]
fn derived_session_message_padding() {
    run_set(
        "derived_session_message_padding",
        &["derived_session_message_padding"],
        |v| {
            let (i, e) = (&v["inputs"], &v["expected"]);
            eq_hex(
                "example",
                &pad_with(&hx(i, "example_message_hex"), PaddingRule::LegacyJs),
                s(e, "example_padded_hex"),
            )?;
            for row in e["length_table"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let n = row["unpadded_len"].as_u64().ok_or("unpadded_len")? as usize;
                eq(
                    &format!("n={n}"),
                    PaddingRule::LegacyJs.padded_len(n) as u64,
                    row["padded_len"].as_u64().unwrap_or(0),
                )?;
            }
            Ok(())
        },
    );
}
