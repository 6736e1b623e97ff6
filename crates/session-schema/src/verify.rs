//! Post signature verification with libsodium's acceptance rules, shared by the single and the
//! batch paths so that both accept exactly the same signatures (spec/crypto.md §4.2–§4.3).
//!
//! The rules are those of `crypto_sign_verify_detached`: `S` reduced (`S < L`); `R` and the
//! key canonical and not of small order (checked on their encodings, as libsodium does); and
//! the cofactorless equation `R == S·B − H(R ‖ A ‖ M)·A`, compared as encodings. They are also
//! what ed25519-dalek's `verify_strict` accepts, for every signature anyone can produce.

use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::{EdwardsPoint, Scalar};
use session_crypto::AccountId;
use sha2::{Digest, Sha512};

/// The Ed25519 key a post by `sender` verifies under, with the signature to check: for `15`/
/// `25` senders the key of the id; for `05` senders the curve25519-js rule (the sign of the key
/// travels in bit 255 of `S`, which is cleared). `None` if the sender has no usable key.
pub(crate) fn post_key(sender: &AccountId, sig: &[u8; 64]) -> Option<(PostKey, [u8; 64])> {
    let mut sig = *sig;
    let key = match sender {
        AccountId::Blinded(b) => {
            let bytes = *b.public_key();
            if !batchable_point(&bytes) {
                return None;
            }
            PostKey {
                bytes,
                point: CompressedEdwardsY(bytes).decompress()?,
            }
        }
        AccountId::Session(s) => {
            let sign = sig[63] >> 7;
            sig[63] &= 0x7f;
            let mut u = *s.x25519_public_key();
            u[31] &= 0x7f;
            let point = MontgomeryPoint(u).to_edwards(sign)?;
            let bytes = point.compress().to_bytes();
            if !batchable_point(&bytes) {
                return None;
            }
            PostKey { bytes, point }
        }
    };
    Some((key, sig))
}

/// A verification key: its encoding (hashed into the challenge) and its point.
#[derive(Clone, Copy)]
pub(crate) struct PostKey {
    pub(crate) bytes: [u8; 32],
    pub(crate) point: EdwardsPoint,
}

/// The signature halves in checked form: `R`'s encoding (canonical, not small order) and `S`
/// (reduced).
pub(crate) fn signature_parts(sig: &[u8; 64]) -> Option<([u8; 32], Scalar)> {
    let (r_half, s_half) = sig.split_at(32);
    let r: [u8; 32] = r_half.try_into().ok()?;
    let s: [u8; 32] = s_half.try_into().ok()?;
    if !batchable_point(&r) {
        return None;
    }
    Some((r, Scalar::from_canonical_bytes(s).into_option()?))
}

/// The challenge `h = H(R ‖ A ‖ M) mod L`.
pub(crate) fn challenge(r: &[u8; 32], key: &[u8; 32], message: &[u8]) -> Scalar {
    Scalar::from_bytes_mod_order_wide(
        &Sha512::new()
            .chain_update(r)
            .chain_update(key)
            .chain_update(message)
            .finalize()
            .into(),
    )
}

/// Whether `sig` is a valid signature of `message` by `sender` (a post signature over the
/// padded data).
pub(crate) fn verify_post(message: &[u8], sig: &[u8; 64], sender: &AccountId) -> bool {
    let Some((key, sig)) = post_key(sender, sig) else {
        return false;
    };
    let Some((r, s)) = signature_parts(&sig) else {
        return false;
    };
    let h = challenge(&r, &key.bytes, message);
    let expected = EdwardsPoint::vartime_double_scalar_mul_basepoint(&h, &-key.point, &s);
    expected.compress().to_bytes() == r
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

/// Whether a point encoding is acceptable as `R` or a key: canonical (y < p) and not of small
/// order.
pub(crate) fn batchable_point(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    y[31] &= 0x7f;
    let canonical = y[31] != 0x7f || y[1..31].iter().any(|&b| b != 0xff) || y[0] < 0xed;
    canonical && !SMALL_ORDER.contains(&y)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use session_crypto::{Identity, ServerPubkey};

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

    #[test]
    fn agrees_with_session_crypto_on_valid_and_invalid_signatures() {
        let server = ServerPubkey::from_bytes([1; 32]);
        for n in 0..8u8 {
            let id = Identity::from_seed(&[n; 16]).unwrap();
            let kp = id.blind15(&server);
            let sender: AccountId = kp.id().into();
            let sig = kp.sign(b"message");
            assert!(verify_post(b"message", &sig, &sender));
            assert!(!verify_post(b"messagE", &sig, &sender));
            let mut bad = sig;
            bad[0] ^= 1;
            assert_eq!(
                verify_post(b"message", &bad, &sender),
                session_crypto::verify_ed25519(kp.public_key(), b"message", &bad).is_ok()
            );
        }
    }
}
