//! Anonymous public-key encryption: libsodium's `crypto_box_seal` / `crypto_box_seal_open`,
//! written on X25519 + HSalsa20/XSalsa20 + Poly1305 + BLAKE2b (spec/crypto.md §8).
//!
//! A sealed box hides who sent it: each message uses a fresh ephemeral X25519 key, and only the
//! recipient's secret key opens it. Session uses it as the outer layer of 1:1 messages
//! ([`crate::onetoone`]). The layout is libsodium's (≥ 1.0.3), byte for byte:
//!
//! ```text
//! nonce = BLAKE2b-24(epk ‖ recipient_pk)
//! k     = HSalsa20(X25519(esk, recipient_pk), 0^16)        (crypto_box_beforenm)
//! out   = epk(32) ‖ Poly1305 tag(16) ‖ XSalsa20(k, nonce) ⊕ message
//! ```
//!
//! The tag comes **before** the ciphertext (NaCl box order), and the first 32 bytes of the
//! XSalsa20 keystream are the Poly1305 key. Like libsodium, sealing to and opening from a
//! low-order key fails ([`Error::WeakKeyExchange`]) instead of using an all-zero shared secret.

use poly1305::Poly1305;
use poly1305::universal_hash::KeyInit;
use salsa20::XSalsa20;
use salsa20::cipher::consts::U10;
use salsa20::cipher::{KeyIvInit, StreamCipher};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::hash::blake2b_192;
use crate::keys::{X25519Keypair, x25519, x25519_public};
use crate::rng::random_array;

/// Bytes a sealed box adds to its message: the ephemeral public key (32) and the tag (16).
pub const SEAL_OVERHEAD: usize = 32 + TAG_LEN;

/// Length of the Poly1305 tag.
const TAG_LEN: usize = 16;

/// Seals `message` to the X25519 public key `recipient` with a fresh ephemeral key from the
/// operating system's RNG (libsodium `crypto_box_seal`).
///
/// The output is `message.len() + SEAL_OVERHEAD` bytes. Fails with
/// [`Error::WeakKeyExchange`] if `recipient` is a low-order point and [`Error::Rng`] if the OS
/// RNG fails.
///
/// ```
/// use session_crypto::{X25519Keypair, sealed_box};
/// let bob = X25519Keypair::generate()?;
/// let sealed = sealed_box::seal(b"hi Bob", bob.public_key())?;
/// assert_eq!(sealed_box::open(&sealed, &bob)?, b"hi Bob");
/// # Ok::<(), session_crypto::Error>(())
/// ```
#[doc(alias = "crypto_box_seal")]
pub fn seal(message: &[u8], recipient: &[u8; 32]) -> Result<Vec<u8>> {
    let ephemeral = Zeroizing::new(random_array::<32>()?);
    seal_with_ephemeral(message, recipient, &ephemeral)
}

/// [`seal`] with a caller-chosen ephemeral secret key, for known-answer tests only: reusing an
/// ephemeral key for two messages to the same recipient reuses the keystream.
#[doc(hidden)]
pub fn seal_with_ephemeral(
    message: &[u8],
    recipient: &[u8; 32],
    ephemeral_secret: &[u8; 32],
) -> Result<Vec<u8>> {
    let ephemeral_public = x25519_public(ephemeral_secret);
    let shared = x25519(ephemeral_secret, recipient)?;
    let nonce = blake2b_192(&[&ephemeral_public, recipient]);

    let mut out = Vec::with_capacity(message.len() + SEAL_OVERHEAD);
    out.extend_from_slice(&ephemeral_public);
    out.extend_from_slice(&[0u8; TAG_LEN]);
    out.extend_from_slice(message);
    let (head, ciphertext) = out.split_at_mut(SEAL_OVERHEAD);
    let tag = xsalsa20poly1305_seal(&shared, &nonce, ciphertext);
    head[32..].copy_from_slice(&tag);
    Ok(out)
}

/// Opens a sealed box addressed to `recipient` (libsodium `crypto_box_seal_open`).
///
/// Fails with [`Error::TooShort`] for fewer than [`SEAL_OVERHEAD`] bytes,
/// [`Error::WeakKeyExchange`] for a low-order ephemeral key, and [`Error::DecryptionFailed`]
/// when the tag does not verify (wrong recipient or tampered data). Nothing is decrypted
/// before the tag has been checked.
#[doc(alias = "crypto_box_seal_open")]
pub fn open(sealed: &[u8], recipient: &X25519Keypair) -> Result<Vec<u8>> {
    open_with(sealed, recipient.public_key(), recipient.secret_bytes())
}

/// [`open`] with the recipient's keys as bytes (the secret is clamped by X25519).
pub(crate) fn open_with(
    sealed: &[u8],
    recipient_public: &[u8; 32],
    recipient_secret: &[u8; 32],
) -> Result<Vec<u8>> {
    let too_short = || Error::TooShort {
        what: "sealed box",
        minimum: SEAL_OVERHEAD,
        actual: sealed.len(),
    };
    let (ephemeral_public, rest) = sealed.split_first_chunk::<32>().ok_or_else(too_short)?;
    let (tag, ciphertext) = rest.split_first_chunk::<TAG_LEN>().ok_or_else(too_short)?;
    let shared = x25519(recipient_secret, ephemeral_public)?;
    let nonce = blake2b_192(&[ephemeral_public, recipient_public]);
    let mut plaintext = ciphertext.to_vec();
    xsalsa20poly1305_open(&shared, &nonce, tag, &mut plaintext)?;
    Ok(plaintext)
}

/// `crypto_box_beforenm`: the XSalsa20-Poly1305 key of an X25519 shared secret,
/// `HSalsa20(shared, 0^16)`.
fn box_key(shared: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut key = salsa20::hsalsa::<U10>(&(*shared).into(), &[0u8; 16].into());
    let out = Zeroizing::new(key.into());
    key.zeroize();
    out
}

/// A keystream of XSalsa20 under the box key of `shared`, positioned at the start.
fn keystream(shared: &[u8; 32], nonce: &[u8; 24]) -> (XSalsa20, Poly1305) {
    let key = box_key(shared);
    let mut cipher = XSalsa20::new(&(*key).into(), &(*nonce).into());
    // The first 32 keystream bytes are the one-time Poly1305 key; the message starts at byte 32.
    let mut poly_key = Zeroizing::new([0u8; 32]);
    cipher.apply_keystream(&mut *poly_key);
    let mac = Poly1305::new(&(*poly_key).into());
    (cipher, mac)
}

/// Encrypts `buf` in place with XSalsa20-Poly1305 (`crypto_secretbox` of the box key) and
/// returns the tag.
pub(crate) fn xsalsa20poly1305_seal(
    shared: &[u8; 32],
    nonce: &[u8; 24],
    buf: &mut [u8],
) -> [u8; TAG_LEN] {
    let (mut cipher, mac) = keystream(shared, nonce);
    cipher.apply_keystream(buf);
    mac.compute_unpadded(buf).into()
}

/// Verifies `tag` over `buf` in constant time, then decrypts `buf` in place.
pub(crate) fn xsalsa20poly1305_open(
    shared: &[u8; 32],
    nonce: &[u8; 24],
    tag: &[u8; TAG_LEN],
    buf: &mut [u8],
) -> Result<()> {
    let (mut cipher, mac) = keystream(shared, nonce);
    let expected: [u8; TAG_LEN] = mac.compute_unpadded(buf).into();
    if !bool::from(expected.ct_eq(tag)) {
        return Err(Error::DecryptionFailed { what: "sealed box" });
    }
    cipher.apply_keystream(buf);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_round_trip() {
        let bob = X25519Keypair::from_secret([42; 32]);
        for len in [0usize, 1, 31, 32, 33, 64, 1000] {
            let msg: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let sealed = seal(&msg, bob.public_key()).unwrap();
            assert_eq!(sealed.len(), len + SEAL_OVERHEAD);
            assert_eq!(open(&sealed, &bob).unwrap(), msg);
        }
    }

    #[test]
    fn fresh_ephemeral_key_per_message() {
        let bob = X25519Keypair::from_secret([42; 32]);
        let a = seal(b"same", bob.public_key()).unwrap();
        let b = seal(b"same", bob.public_key()).unwrap();
        assert_ne!(a[..32], b[..32]);
    }

    #[test]
    fn rejects_tampering_short_input_and_low_order_keys() {
        let bob = X25519Keypair::from_secret([42; 32]);
        let sealed = seal(b"message", bob.public_key()).unwrap();
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(
                open(&bad, &bob).is_err(),
                "flipping byte {i} must be detected"
            );
        }
        assert_eq!(
            open(&sealed[..47], &bob),
            Err(Error::TooShort {
                what: "sealed box",
                minimum: 48,
                actual: 47
            })
        );
        assert_eq!(seal(b"x", &[0; 32]), Err(Error::WeakKeyExchange));
        let mut low_order = sealed.clone();
        low_order[..32].copy_from_slice(&[0; 32]);
        assert_eq!(open(&low_order, &bob), Err(Error::WeakKeyExchange));
        let eve = X25519Keypair::from_secret([7; 32]);
        assert_eq!(
            open(&sealed, &eve),
            Err(Error::DecryptionFailed { what: "sealed box" })
        );
    }
}
