//! Legacy attachments, attachment padding and legacy profile pictures (spec/crypto.md §9).

use session_crypto::attachment;

use crate::common::{CRYPTO_JSON, VectorSet, arr, eq, eq_hex, hx, list, parse, s, sodium};

const SRC: &str = "vectors-crypto.json";

#[test]
fn attachments_legacy_aes_cbc_hmac() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("attachments_legacy_aes_cbc_hmac", SRC);
    for (i, v) in list(&json, "attachments_legacy_aes_cbc_hmac")
        .iter()
        .enumerate()
    {
        set.run(&format!("#{i}"), || {
            let keys = arr::<64>(v, "keys64");
            eq_hex("aes_key", &keys[..32], s(v, "aes_key"))?;
            eq_hex("mac_key", &keys[32..], s(v, "mac_key"))?;
            let plaintext = hx(v, "plaintext");
            let (blob, digest) = attachment::encrypt_with(&plaintext, &keys, &arr(v, "iv"));
            eq_hex("encrypted", &blob, s(v, "encrypted"))?;
            eq_hex("digest", &digest, s(v, "digest_sha256"))?;
            eq_hex(
                "digest (libsodium SHA-256)",
                &sodium::sha256(&hx(v, "encrypted")),
                s(v, "digest_sha256"),
            )?;
            eq(
                "decrypt",
                attachment::decrypt(
                    &hx(v, "encrypted"),
                    &keys,
                    &hx(v, "digest_sha256"),
                    Some(plaintext.len()),
                ),
                Ok(plaintext),
            )
        });
    }
    set.finish();
}

#[test]
fn attachment_padding_lengths() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("attachment_padding_lengths", SRC);
    for v in list(&json, "attachment_padding_lengths") {
        set.run(&format!("n={}", v["input_len"]), || {
            let n = v["input_len"].as_u64().ok_or("input_len")? as usize;
            eq(
                "padded_len",
                attachment::padded_len(n) as u64,
                v["padded_len"].as_u64().unwrap_or(0),
            )
        });
    }
    set.finish();
}

#[test]
fn profile_avatar_legacy_aes_gcm() {
    let json = parse(CRYPTO_JSON);
    let mut set = VectorSet::new("profile_avatar_legacy_aes_gcm", SRC);
    for (i, v) in list(&json, "profile_avatar_legacy_aes_gcm")
        .iter()
        .enumerate()
    {
        set.run(&format!("#{i}"), || {
            let key = arr::<32>(v, "profile_key");
            let plaintext = hx(v, "plaintext");
            let blob = attachment::encrypt_profile_picture_with_iv(&key, &plaintext, &arr(v, "iv"))
                .map_err(|e| e.to_string())?;
            eq_hex("encrypted", &blob, s(v, "encrypted"))?;
            eq(
                "decrypt",
                attachment::decrypt_profile_picture(&key, &hx(v, "encrypted")),
                Ok(plaintext),
            )
        });
    }
    set.finish();
}
