//! Decoding a whole page of community messages with one Ed25519 batch verification.
//!
//! A poll returns up to a few hundred messages; verifying them together with ed25519-dalek's
//! batch equation (random linear combination, one multiscalar multiplication) is several times
//! cheaper than one verification each. When the batch fails, every message is verified alone so
//! the bad one(s) are named and the good ones still come back verified.
//!
//! Batch and single verification agree: messages whose `R` or key is a small-order point or a
//! non-canonical encoding (which strict single verification rejects but a batch equation could
//! absorb) never enter the batch; they are verified alone. The one residual difference is the
//! textbook one: a signature whose `R` or key carries a torsion component can pass a
//! cofactorless batch with probability ≤ 1/8 while failing single verification. Only the key's
//! owner can make such a signature (it is malleability, not forgery), and servers reject such
//! blinded keys at authentication (spec/sogs-api.md §5, `pysogs_auth_small_subgroup`).

use std::collections::HashMap;

use curve25519_dalek::montgomery::MontgomeryPoint;
use ed25519_dalek::{Signature, VerifyingKey};
use session_crypto::padding::unpad;
use session_crypto::{AccountId, ServerPubkey};

use crate::content::Content;
use crate::error::{Error, Result};
use crate::sogs::{SogsMessage, decode_base64, signature_array, verify_post};

/// One message of a page, as the server returned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageItem<'a> {
    /// The `data` field (base64).
    pub data: &'a str,
    /// The `signature` field (base64).
    pub signature: &'a str,
    /// The `session_id` field: the poster's id.
    pub sender: &'a AccountId,
}

/// A decoded message waiting for its signature check.
struct Pending {
    content: Content,
    sender: AccountId,
    padded: Vec<u8>,
    /// The signature as sent (for single verification).
    raw_signature: [u8; 64],
    /// Key and signature in the form the batch equation takes, if the message may join it.
    batch: Option<(VerifyingKey, Signature)>,
}

/// Decodes and verifies a page of community messages from the server with key `server`.
///
/// Returns one result per input, in order: a malformed message is an error in its slot (as
/// [`decode_sogs_message`](crate::decode_sogs_message) would return) and does not affect the
/// others. Well-formed messages are verified together; if the batch fails, each is verified
/// alone, so exactly the messages whose signatures fail come back with
/// [`is_verified`](SogsMessage::is_verified) `false`.
pub fn decode_page<'a>(
    items: impl IntoIterator<Item = PageItem<'a>>,
    server: &ServerPubkey,
) -> Vec<Result<SogsMessage>> {
    let mut keys: HashMap<[u8; 32], Option<VerifyingKey>> = HashMap::new();
    let decoded: Vec<Result<Pending>> = items
        .into_iter()
        .map(|item| prepare(item, &mut keys))
        .collect();

    let batch: Vec<&Pending> = decoded
        .iter()
        .filter_map(|p| p.as_ref().ok())
        .filter(|p| p.batch.is_some())
        .collect();
    let batch_ok = batch.len() > 1 && verify_batch(&batch);

    decoded
        .into_iter()
        .map(|p| {
            let p = p?;
            let verified = if batch_ok && p.batch.is_some() {
                true
            } else {
                verify_single(&p)
            };
            Ok(SogsMessage::new(p.content, p.sender, *server, verified))
        })
        .collect()
}

/// Decodes one message and works out its batch form.
fn prepare(
    item: PageItem<'_>,
    keys: &mut HashMap<[u8; 32], Option<VerifyingKey>>,
) -> Result<Pending> {
    let padded = decode_base64(item.data, "data")?;
    let raw_signature = signature_array(&decode_base64(item.signature, "signature")?)?;
    let content = Content::decode(unpad(&padded).map_err(|_| Error::InvalidPadding)?)?;
    let batch = batch_form(item.sender, &raw_signature, keys);
    Ok(Pending {
        content,
        sender: *item.sender,
        padded,
        raw_signature,
        batch,
    })
}

/// The Ed25519 key and signature that verify a post, if they are safe to batch.
fn batch_form(
    sender: &AccountId,
    raw: &[u8; 64],
    keys: &mut HashMap<[u8; 32], Option<VerifyingKey>>,
) -> Option<(VerifyingKey, Signature)> {
    let mut sig = *raw;
    let key_bytes = match sender {
        AccountId::Blinded(b) => *b.public_key(),
        AccountId::Session(s) => {
            // curve25519-js rule: bit 255 of S carries the sign of the Ed25519 key.
            let sign = sig[63] >> 7;
            sig[63] &= 0x7f;
            let mut u = *s.x25519_public_key();
            u[31] &= 0x7f;
            MontgomeryPoint(u).to_edwards(sign)?.compress().to_bytes()
        }
    };
    let r: [u8; 32] = sig[..32].try_into().ok()?;
    let s: [u8; 32] = sig[32..].try_into().ok()?;
    if !batchable_point(&r) || !batchable_point(&key_bytes) || !canonical_scalar(&s) {
        return None;
    }
    let key = *keys.entry(key_bytes).or_insert_with(|| {
        VerifyingKey::from_bytes(&key_bytes)
            .ok()
            .filter(|k| !k.is_weak())
    });
    Some((key?, Signature::from_bytes(&sig)))
}

fn verify_batch(batch: &[&Pending]) -> bool {
    let mut messages = Vec::with_capacity(batch.len());
    let mut signatures = Vec::with_capacity(batch.len());
    let mut keys = Vec::with_capacity(batch.len());
    for p in batch {
        if let Some((key, sig)) = &p.batch {
            messages.push(p.padded.as_slice());
            signatures.push(*sig);
            keys.push(*key);
        }
    }
    ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok()
}

fn verify_single(p: &Pending) -> bool {
    match &p.batch {
        // Same key and signature bytes as the standalone path, without re-decompressing.
        Some((key, sig)) => key.verify_strict(&p.padded, sig).is_ok(),
        None => verify_post(&p.padded, &p.raw_signature, &p.sender),
    }
}

/// Encodings (sign bit ignored) of the small-order points and of the non-canonical encodings
/// of 0 and 1: libsodium's `has_small_order` blocklist.
const SMALL_ORDER: [[u8; 32]; 7] = [
    // 0 (order 4), 1 (the identity)
    [0; 32],
    one(),
    // order 8
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    // p − 1 (order 2), p, p + 1
    high(0xec),
    high(0xed),
    high(0xee),
];

const fn one() -> [u8; 32] {
    let mut b = [0u8; 32];
    b[0] = 1;
    b
}

/// `[lo, 0xff × 30, 0x7f]`: values just around p = 2^255 − 19.
const fn high(lo: u8) -> [u8; 32] {
    let mut b = [0xffu8; 32];
    b[0] = lo;
    b[31] = 0x7f;
    b
}

/// Whether a point encoding may join a batch: canonical (y < p) and not of small order.
fn batchable_point(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    y[31] &= 0x7f;
    let canonical = y[31] != 0x7f || y[1..31].iter().any(|&b| b != 0xff) || y[0] < 0xed;
    canonical && !SMALL_ORDER.contains(&y)
}

/// Whether `s < L` (the group order), as strict verification requires.
fn canonical_scalar(s: &[u8; 32]) -> bool {
    curve25519_dalek::Scalar::from_canonical_bytes(*s)
        .into_option()
        .is_some()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use curve25519_dalek::edwards::CompressedEdwardsY;

    #[test]
    fn blocklist_names_exactly_the_small_order_encodings() {
        for enc in SMALL_ORDER {
            if let Some(p) = CompressedEdwardsY(enc).decompress() {
                assert!(p.is_small_order(), "{}", hex::encode(enc));
            }
            assert!(!batchable_point(&enc));
        }
        let base = curve25519_dalek::constants::ED25519_BASEPOINT_COMPRESSED.to_bytes();
        assert!(batchable_point(&base));
        assert!(!batchable_point(&high(0xf0)), "y ≥ p is not canonical");
    }
}
