//! Onion-request hop encryption (network.md §3.1): the symmetric layer between a client's
//! fresh ephemeral X25519 key and a snode's or server's X25519 key.
//!
//! Two ciphers exist, named by the `enc_type` field of the routing JSON:
//!
//! | `enc_type` | key | layout |
//! |---|---|---|
//! | `aes-gcm` (default when absent; alias `gcm`) | HMAC-SHA256(key = `"LOKI"`, msg = X25519 DH) | `iv(12) ‖ ct ‖ tag(16)` |
//! | `xchacha20` (alias `xchacha20-poly1305`) | BLAKE2b-256(DH ‖ client_pk ‖ server_pk) | `nonce(24) ‖ ct ‖ tag(16)` |
//!
//! Neither uses associated data. Both directions use the same key: the client encrypts the
//! request layer and decrypts the reply with it; the hop decrypts the request and encrypts its
//! reply with it. The XChaCha20 key always orders the *client's* (ephemeral) public key first.
//!
//! A [`HopCipher`] holds one such key. The client side makes one per layer with
//! [`HopCipher::client`] (from its ephemeral keypair and the hop's public key); the receiving
//! side with [`HopCipher::server`] (from its own keypair and the `ephemeral_key` it was sent).
//!
//! ```
//! use session_crypto::X25519Keypair;
//! use session_crypto::onion::{EncType, HopCipher};
//!
//! let snode = X25519Keypair::generate()?;
//! let ephemeral = X25519Keypair::generate()?;
//! let client = HopCipher::client(&ephemeral, snode.public_key(), EncType::XChaCha20)?;
//! let layer = client.encrypt(b"request")?;
//!
//! let hop = HopCipher::server(&snode, ephemeral.public_key(), EncType::XChaCha20)?;
//! assert_eq!(hop.decrypt(&layer)?, b"request");
//! let reply = hop.encrypt(b"reply")?;
//! assert_eq!(client.decrypt(&reply)?, b"reply");
//! # Ok::<(), session_crypto::Error>(())
//! ```

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Nonce};
use chacha20poly1305::XChaCha20Poly1305;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::hash::blake2b_256;
use crate::keys::{X25519Keypair, x25519};
use crate::rng::random_array;

/// The AEAD tag length of both ciphers.
pub const TAG_LEN: usize = 16;
/// The AES-GCM IV length.
pub const GCM_IV_LEN: usize = 12;
/// The XChaCha20-Poly1305 nonce length.
pub const XCHACHA_NONCE_LEN: usize = 24;

/// The cipher of an onion layer, as named by `enc_type` in the routing JSON (network.md §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum EncType {
    /// AES-256-GCM with an HMAC-SHA256 `"LOKI"` key: the protocol default when `enc_type` is
    /// absent, and the only cipher Session Desktop sends.
    #[default]
    AesGcm,
    /// XChaCha20-Poly1305 (IETF) with a BLAKE2b-256 key; what libsession sends.
    XChaCha20,
}

impl EncType {
    /// The canonical `enc_type` string: `"aes-gcm"` or `"xchacha20"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AesGcm => "aes-gcm",
            Self::XChaCha20 => "xchacha20",
        }
    }

    /// Bytes a layer adds to its plaintext: nonce plus tag (28 for AES-GCM, 40 for XChaCha20).
    pub const fn overhead(self) -> usize {
        self.nonce_len() + TAG_LEN
    }

    /// The nonce (IV) length: 12 or 24.
    pub const fn nonce_len(self) -> usize {
        match self {
            Self::AesGcm => GCM_IV_LEN,
            Self::XChaCha20 => XCHACHA_NONCE_LEN,
        }
    }
}

impl std::fmt::Display for EncType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EncType {
    type Err = Error;

    /// Parses an `enc_type`, accepting the aliases storage servers accept (`gcm`,
    /// `xchacha20-poly1305`). `aes-cbc` is legacy and deliberately rejected.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "aes-gcm" | "gcm" => Ok(Self::AesGcm),
            "xchacha20" | "xchacha20-poly1305" => Ok(Self::XChaCha20),
            other => Err(Error::UnknownCipher {
                name: other.chars().take(32).collect(),
            }),
        }
    }
}

/// The symmetric key of one onion layer for one [`EncType`], for both directions.
///
/// The key is zeroized on drop and never printed.
#[derive(Clone)]
pub struct HopCipher {
    enc: EncType,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for HopCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HopCipher {{ enc: {}, key: <redacted> }}", self.enc)
    }
}

impl HopCipher {
    /// The client side of a layer: `ephemeral` is the client's fresh keypair for this layer,
    /// `server_pk` the X25519 key of the snode or server that will peel it.
    ///
    /// Fails with [`Error::WeakKeyExchange`] if `server_pk` is a low-order point.
    pub fn client(ephemeral: &X25519Keypair, server_pk: &[u8; 32], enc: EncType) -> Result<Self> {
        let shared = ephemeral.diffie_hellman(server_pk)?;
        Ok(Self {
            enc,
            key: derive_key(enc, &shared, ephemeral.public_key(), server_pk),
        })
    }

    /// The receiving side of a layer: `own` is the snode's or server's keypair,
    /// `client_ephemeral_pk` the `ephemeral_key` that came with the layer.
    ///
    /// Fails with [`Error::WeakKeyExchange`] if the ephemeral key is a low-order point.
    pub fn server(
        own: &X25519Keypair,
        client_ephemeral_pk: &[u8; 32],
        enc: EncType,
    ) -> Result<Self> {
        let shared = own.diffie_hellman(client_ephemeral_pk)?;
        Ok(Self {
            enc,
            key: derive_key(enc, &shared, client_ephemeral_pk, own.public_key()),
        })
    }

    /// The cipher of this layer. (libsession retries a failed XChaCha20 reply as AES-GCM,
    /// network.md §3.1: a caller that wants this keeps the ephemeral keypair and builds a
    /// second `HopCipher` with [`HopCipher::client`].)
    pub const fn enc_type(&self) -> EncType {
        self.enc
    }

    /// Encrypts with a fresh random nonce: `nonce ‖ ciphertext ‖ tag`.
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>> {
        match self.enc {
            EncType::AesGcm => self.encrypt_with_nonce(plaintext, &random_array::<GCM_IV_LEN>()?),
            EncType::XChaCha20 => {
                self.encrypt_with_nonce(plaintext, &random_array::<XCHACHA_NONCE_LEN>()?)
            }
        }
    }

    /// Encrypts with the given nonce (12 bytes for AES-GCM, 24 for XChaCha20).
    ///
    /// Only for reproducing test vectors and deterministic tests: reusing a nonce with the same
    /// key destroys confidentiality and, for AES-GCM, authenticity. Use [`HopCipher::encrypt`].
    pub fn encrypt_with_nonce(&self, plaintext: &[u8], nonce: &[u8]) -> Result<Vec<u8>> {
        let expected = self.enc.nonce_len();
        if nonce.len() != expected {
            return Err(Error::InvalidLength {
                what: "onion layer nonce",
                expected,
                actual: nonce.len(),
            });
        }
        let sealed = match self.enc {
            EncType::AesGcm => aead_seal::<Aes256Gcm>(&self.key, nonce, plaintext),
            EncType::XChaCha20 => aead_seal::<XChaCha20Poly1305>(&self.key, nonce, plaintext),
        }?;
        let mut out = Vec::with_capacity(nonce.len() + sealed.len());
        out.extend_from_slice(nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts `nonce ‖ ciphertext ‖ tag`.
    ///
    /// Fails with [`Error::TooShort`] if the input is shorter than the overhead and with
    /// [`Error::DecryptionFailed`] if the tag does not verify (wrong key, wrong cipher, or
    /// tampered data).
    pub fn decrypt(&self, data: &[u8]) -> Result<Vec<u8>> {
        let minimum = self.enc.overhead();
        if data.len() < minimum {
            return Err(Error::TooShort {
                what: "onion layer ciphertext",
                minimum,
                actual: data.len(),
            });
        }
        let (nonce, sealed) = data.split_at(self.enc.nonce_len());
        match self.enc {
            EncType::AesGcm => {
                aead_open::<Aes256Gcm>(&self.key, nonce, sealed).ok_or(Error::DecryptionFailed {
                    what: "onion layer (AES-256-GCM)",
                })
            }
            EncType::XChaCha20 => aead_open::<XChaCha20Poly1305>(&self.key, nonce, sealed).ok_or(
                Error::DecryptionFailed {
                    what: "onion layer (XChaCha20-Poly1305)",
                },
            ),
        }
    }
}

/// `ciphertext ‖ tag` of `plaintext` under `key` and `nonce` (already checked to be the
/// cipher's nonce length), no associated data.
fn aead_seal<A: KeyInit + Aead>(key: &[u8; 32], nonce: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    let bad_nonce = Error::InvalidLength {
        what: "onion layer nonce",
        expected: nonce.len(),
        actual: nonce.len(),
    };
    let cipher = A::new_from_slice(key).map_err(|_| Error::InvalidLength {
        what: "onion layer key",
        expected: 32,
        actual: 32,
    })?;
    let nonce = Nonce::<A>::try_from(nonce).map_err(|_| bad_nonce)?;
    cipher
        .encrypt(&nonce, plaintext)
        .map_err(|_| Error::EncryptionFailed {
            what: "onion layer (plaintext too long)",
        })
}

/// The plaintext of `ciphertext ‖ tag`, or `None` if the tag does not verify.
fn aead_open<A: KeyInit + Aead>(key: &[u8; 32], nonce: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let cipher = A::new_from_slice(key).ok()?;
    let nonce = Nonce::<A>::try_from(nonce).ok()?;
    cipher.decrypt(&nonce, sealed).ok()
}

/// The layer key for `enc` from the X25519 output `shared` (network.md §3.1):
/// AES-GCM: HMAC-SHA256(key = `"LOKI"`, msg = shared);
/// XChaCha20: BLAKE2b-256(shared ‖ client_pk ‖ server_pk).
///
/// Public so that implementations can be checked against published derived keys.
pub fn derive_key(
    enc: EncType,
    shared: &[u8; 32],
    client_pk: &[u8; 32],
    server_pk: &[u8; 32],
) -> Zeroizing<[u8; 32]> {
    match enc {
        EncType::AesGcm => {
            // Invariant: HMAC accepts keys of any length, so `new_from_slice` cannot fail.
            #[allow(clippy::expect_used)]
            let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(b"LOKI")
                .expect("HMAC accepts any key length");
            mac.update(shared);
            Zeroizing::new(mac.finalize().into_bytes().into())
        }
        EncType::XChaCha20 => Zeroizing::new(blake2b_256(&[shared, client_pk, server_pk])),
    }
}

/// X25519 of `secret` and `peer`, rejecting an all-zero output: the `X25519(b, A)` that the
/// derived-key vectors list. Exposed for checking against vectors; callers normally use
/// [`HopCipher`].
pub fn shared_secret(secret: &[u8; 32], peer: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>> {
    x25519(secret, peer)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn pair(seed: u8) -> X25519Keypair {
        X25519Keypair::from_secret([seed; 32])
    }

    #[test]
    fn both_sides_derive_the_same_key_for_both_ciphers() {
        let (server, eph) = (pair(1), pair(2));
        for enc in [EncType::AesGcm, EncType::XChaCha20] {
            let c = HopCipher::client(&eph, server.public_key(), enc).unwrap();
            let s = HopCipher::server(&server, eph.public_key(), enc).unwrap();
            assert_eq!(*c.key, *s.key);
            let ct = c.encrypt(b"abc").unwrap();
            assert_eq!(ct.len(), 3 + enc.overhead());
            assert_eq!(s.decrypt(&ct).unwrap(), b"abc");
        }
    }

    #[test]
    fn rejects_tampered_and_short_ciphertexts() {
        let (server, eph) = (pair(3), pair(4));
        for enc in [EncType::AesGcm, EncType::XChaCha20] {
            let c = HopCipher::client(&eph, server.public_key(), enc).unwrap();
            let mut ct = c.encrypt(b"hello").unwrap();
            let last = ct.len() - 1;
            ct[last] ^= 1;
            assert!(matches!(
                c.decrypt(&ct),
                Err(Error::DecryptionFailed { .. })
            ));
            assert_eq!(
                c.decrypt(&ct[..enc.overhead() - 1]),
                Err(Error::TooShort {
                    what: "onion layer ciphertext",
                    minimum: enc.overhead(),
                    actual: enc.overhead() - 1
                })
            );
        }
    }

    #[test]
    fn rejects_wrong_nonce_length_and_low_order_keys() {
        let c = HopCipher::client(&pair(5), pair(6).public_key(), EncType::XChaCha20).unwrap();
        assert!(matches!(
            c.encrypt_with_nonce(b"x", &[0; 12]),
            Err(Error::InvalidLength {
                expected: 24,
                actual: 12,
                ..
            })
        ));
        assert_eq!(
            HopCipher::client(&pair(5), &[0; 32], EncType::AesGcm).unwrap_err(),
            Error::WeakKeyExchange
        );
    }

    #[test]
    fn parses_enc_type_aliases_and_rejects_cbc() {
        assert_eq!("gcm".parse::<EncType>().unwrap(), EncType::AesGcm);
        assert_eq!("aes-gcm".parse::<EncType>().unwrap(), EncType::AesGcm);
        assert_eq!(
            "xchacha20-poly1305".parse::<EncType>().unwrap(),
            EncType::XChaCha20
        );
        assert_eq!(
            "aes-cbc".parse::<EncType>().unwrap_err(),
            Error::UnknownCipher {
                name: "aes-cbc".into()
            }
        );
    }

    #[test]
    fn debug_redacts_the_key() {
        let c = HopCipher::client(&pair(7), pair(8).public_key(), EncType::AesGcm).unwrap();
        let text = format!("{c:?}");
        assert!(text.contains("redacted"));
        assert!(!text.contains(&hex::encode(*c.key)));
    }
}
