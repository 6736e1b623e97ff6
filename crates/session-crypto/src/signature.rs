//! Signature verification, and the XEd25519 signatures of unblinded SOGS posts
//! (spec/crypto.md §4).

use curve25519_dalek::Scalar;
use ed25519_dalek::{Signature, VerifyingKey};
use zeroize::Zeroizing;

use crate::blinding::sign_with_nonce;
use crate::error::{Error, Result};
use crate::hash::blake2b_personal_512;
#[cfg(test)]
use crate::hash::sha512;
use crate::keys::xed_point;

/// Personalisation of the XEd25519 nonce hash (libsession `xed25519::sign`).
const XED25519_PERSONAL: &[u8; 16] = b"xed25519signatur";

/// Reads a 64-byte signature from a slice.
pub(crate) fn signature_bytes(sig: &[u8]) -> Result<[u8; 64]> {
    sig.try_into().map_err(|_| Error::InvalidLength {
        what: "signature",
        expected: 64,
        actual: sig.len(),
    })
}

/// Verifies a standard Ed25519 signature under `public_key`, strictly: canonical `S`, no
/// small-order `R` or key (the rules of libsodium's `crypto_sign_verify_detached`).
///
/// Blinded signatures (15/25) verify with this under the blinded key.
pub fn verify_ed25519(public_key: &[u8; 32], message: &[u8], signature: &[u8]) -> Result<()> {
    let sig = Signature::from_bytes(&signature_bytes(signature)?);
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| Error::BadSignature)?;
    key.verify_strict(message, &sig)
        .map_err(|_| Error::BadSignature)
}

/// Signs `message` with an X25519 secret key in the XEd25519 form (libsession
/// `xed25519::sign`): the published key always has sign bit 0, so every verifier (libsession,
/// curve25519-js, [`verify_xed25519`]) accepts it. `random` is 64 bytes of fresh randomness.
///
/// This is how unblinded (`05`) senders sign SOGS posts (spec/crypto.md §4.3).
pub fn sign_xed25519(x25519_secret: &[u8; 32], message: &[u8], random: &[u8; 64]) -> [u8; 64] {
    let a = Zeroizing::new(Scalar::from_bytes_mod_order(
        curve25519_dalek::scalar::clamp_integer(*x25519_secret),
    ));
    let big_a = crate::basepoint::mul_base_compressed(&a);
    // Negate a when A is negative so that the public key is |A| (sign bit 0).
    let (a, public) = if big_a[31] & 0x80 != 0 {
        let mut pos = big_a;
        pos[31] &= 0x7f;
        (Zeroizing::new(-*a), pos)
    } else {
        (a, big_a)
    };
    let r = Zeroizing::new(Scalar::from_bytes_mod_order_wide(&blake2b_personal_512(
        XED25519_PERSONAL,
        &[a.as_bytes(), message, random],
    )));
    sign_with_nonce(&a, &public, &r, message)
}

/// Verifies an unblinded post signature against a Session ID's X25519 key with the
/// curve25519-js algorithm: the Ed25519 sign bit of the key travels in bit 255 of `S`.
/// Accepts both curve25519-js and libsession XEd25519 signatures (spec/crypto.md §4.3).
pub fn verify_xed25519(x25519_public: &[u8; 32], message: &[u8], signature: &[u8]) -> Result<()> {
    let mut sig = signature_bytes(signature)?;
    let sign = sig[63] >> 7;
    sig[63] &= 0x7f;
    let public = xed_point(x25519_public, sign)
        .map_err(|_| Error::BadSignature)?
        .compress()
        .to_bytes();
    verify_ed25519(&public, message, &sig)
}

/// A plain Ed25519 signature with the C25JS-style deterministic nonce, used only to
/// reproduce curve25519-js vectors in tests: `r = H(a ‖ M)`, sign bit of A stored in S.
#[cfg(test)]
pub(crate) fn sign_curve25519_js(x25519_secret: &[u8; 32], message: &[u8]) -> [u8; 64] {
    let a_bytes = curve25519_dalek::scalar::clamp_integer(*x25519_secret);
    let a = Scalar::from_bytes_mod_order(a_bytes);
    let big_a = curve25519_dalek::EdwardsPoint::mul_base(&a)
        .compress()
        .to_bytes();
    let r = Scalar::from_bytes_mod_order_wide(&sha512(&[&a_bytes, message]));
    let mut sig = sign_with_nonce(&a, &big_a, &r, message);
    sig[63] |= big_a[31] & 0x80;
    sig
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::Identity;

    #[test]
    fn xed25519_signatures_verify_for_both_key_signs() {
        for seed in 0u8..8 {
            let id = Identity::from_seed(&[seed; 16]).unwrap();
            let sig = sign_xed25519(id.x25519_secret(), b"hello", &[seed; 64]);
            assert_eq!(sig[63] & 0x80, 0);
            verify_xed25519(id.x25519_public_key(), b"hello", &sig).unwrap();
            assert_eq!(
                verify_xed25519(id.x25519_public_key(), b"hellO", &sig),
                Err(Error::BadSignature)
            );
            let js = sign_curve25519_js(id.x25519_secret(), b"hello");
            verify_xed25519(id.x25519_public_key(), b"hello", &js).unwrap();
        }
    }

    #[test]
    fn wrong_length_and_non_canonical_signatures_are_typed_errors() {
        let id = Identity::from_seed(&[3; 16]).unwrap();
        let sig = id.sign(b"m");
        verify_ed25519(id.ed25519_public_key(), b"m", &sig).unwrap();
        assert_eq!(
            verify_ed25519(id.ed25519_public_key(), b"m", &sig[..63]),
            Err(Error::InvalidLength {
                what: "signature",
                expected: 64,
                actual: 63
            })
        );
        // S + L is the same scalar but non-canonical: strict verification rejects it.
        let mut s = [0u8; 32];
        s.copy_from_slice(&sig[32..]);
        let l: [u8; 32] =
            hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
                .unwrap()
                .try_into()
                .unwrap();
        let mut carry = 0u16;
        for i in 0..32 {
            let v = u16::from(s[i]) + u16::from(l[i]) + carry;
            s[i] = v as u8;
            carry = v >> 8;
        }
        let mut bad = sig;
        bad[32..].copy_from_slice(&s);
        assert_eq!(
            verify_ed25519(id.ed25519_public_key(), b"m", &bad),
            Err(Error::BadSignature)
        );
    }
}
