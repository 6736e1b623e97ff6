//! A Session account's keys, derived from its seed (spec/crypto.md §1.5).

use std::fmt;

use curve25519_dalek::Scalar;
use curve25519_dalek::scalar::clamp_integer;
use ed25519_dalek::{Signer, SigningKey};
use zeroize::Zeroizing;

use crate::blinding::{Blind15Nonce, BlindedKeypair, blind15_factor};
use crate::error::{Error, Result};
use crate::ids::{BlindedId, BlindingScheme, ServerPubkey, SessionId};
use crate::keys::X25519Keypair;
use crate::mnemonic::Mnemonic;
use crate::rng::random_array;

/// A Session identity: the Ed25519 keypair of the (zero-padded) seed, its X25519 keypair, and
/// the [`SessionId`].
///
/// Secrets are zeroized on drop; `Debug` prints only the Session ID.
///
/// ```
/// use session_crypto::Identity;
/// let id = Identity::from_mnemonic("love love love love love love love love love love love love love")?;
/// assert_eq!(
///     id.session_id().to_string(),
///     "053db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818"
/// );
/// # Ok::<(), session_crypto::Error>(())
/// ```
#[derive(Clone)]
pub struct Identity {
    /// The 16- or 32-byte seed the phrase encodes.
    seed: Mnemonic,
    /// `seed ‖ zeros`, 32 bytes: the Ed25519 seed.
    signing_key: SigningKey,
    /// The clamped, unreduced X25519 secret scalar `a` (`crypto_sign_ed25519_sk_to_curve25519`).
    x25519_secret: Zeroizing<[u8; 32]>,
    x25519_public: [u8; 32],
    ed25519_public: [u8; 32],
}

impl Identity {
    /// The identity of a recovery phrase (13 words, or a legacy 25).
    pub fn from_mnemonic(phrase: &str) -> Result<Self> {
        Ok(Self::from_phrase(Mnemonic::parse(phrase)?))
    }

    /// The identity of a decoded phrase.
    pub fn from_phrase(mnemonic: Mnemonic) -> Self {
        let mut ed_seed = Zeroizing::new([0u8; 32]);
        // A 16-byte seed is padded with zeros at the end; a 32-byte legacy seed is used as is.
        ed_seed[..mnemonic.seed().len()].copy_from_slice(mnemonic.seed());
        let signing_key = SigningKey::from_bytes(&ed_seed);
        let x25519_secret = Zeroizing::new(clamp_integer(signing_key.to_scalar_bytes()));
        let ed25519_public = signing_key.verifying_key().to_bytes();
        let x25519_public = signing_key.verifying_key().to_montgomery().to_bytes();
        Self {
            seed: mnemonic,
            signing_key,
            x25519_secret,
            x25519_public,
            ed25519_public,
        }
    }

    /// The identity of a 16-byte seed (or a legacy 32-byte one).
    pub fn from_seed(seed: &[u8]) -> Result<Self> {
        Ok(Self::from_phrase(Mnemonic::from_seed(seed)?))
    }

    /// A new identity with a 16-byte seed from the operating system's RNG.
    pub fn generate() -> Result<Self> {
        let seed = Zeroizing::new(random_array::<16>()?);
        Self::from_seed(&*seed)
    }

    /// The recovery phrase of this identity.
    pub fn mnemonic(&self) -> &Mnemonic {
        &self.seed
    }

    /// The Session ID (`05` ‖ X25519 public key).
    pub fn session_id(&self) -> SessionId {
        SessionId::from_x25519(self.x25519_public)
    }

    /// The Ed25519 public key.
    pub const fn ed25519_public_key(&self) -> &[u8; 32] {
        &self.ed25519_public
    }

    /// The X25519 public key.
    pub const fn x25519_public_key(&self) -> &[u8; 32] {
        &self.x25519_public
    }

    /// The X25519 keypair of this identity (secret = the clamped Ed25519 scalar, as libsodium's
    /// `crypto_sign_ed25519_sk_to_curve25519`): the key 1:1 messages are sealed to, for use
    /// with [`crate::sealed_box::open`].
    pub fn x25519_keypair(&self) -> X25519Keypair {
        X25519Keypair::from_secret(*self.x25519_secret)
    }

    /// A standard (RFC 8032) Ed25519 signature with the master key: deterministic, equal to
    /// libsodium's `crypto_sign_detached`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing_key.sign(message).to_bytes()
    }

    /// The blind15 keypair for a server, signing with the default nonce variant
    /// ([`Blind15Nonce::SecretKeyHash`], libsession's).
    pub fn blind15(&self, server: &ServerPubkey) -> BlindedKeypair {
        self.blind15_with_nonce(server, Blind15Nonce::SecretKeyHash)
    }

    /// The blind15 keypair for a server with an explicit signature nonce variant.
    pub fn blind15_with_nonce(&self, server: &ServerPubkey, nonce: Blind15Nonce) -> BlindedKeypair {
        BlindedKeypair::blind15(self, server, nonce)
    }

    /// The blind25 keypair for a server (spec/crypto.md §2.5).
    pub fn blind25(&self, server: &ServerPubkey) -> BlindedKeypair {
        BlindedKeypair::blind25(self, server)
    }

    /// Our blind15 id on a server: [`blind15`](Self::blind15)`(server).id()` without deriving
    /// the signing nonce key (the id alone is what matching and display need).
    pub fn blind15_id(&self, server: &ServerPubkey) -> BlindedId {
        let secret = Zeroizing::new(blind15_factor(server) * *self.secret_scalar());
        let public = crate::basepoint::mul_base_compressed(&secret);
        BlindedId::new(BlindingScheme::Blind15, public)
    }

    /// The 32-byte Ed25519 seed (`seed ‖ zeros`).
    pub(crate) fn ed25519_seed(&self) -> &[u8; 32] {
        self.signing_key.as_bytes()
    }

    /// The clamped X25519 secret scalar bytes `a`.
    pub(crate) fn x25519_secret(&self) -> &[u8; 32] {
        &self.x25519_secret
    }

    /// `a mod L`, the scalar used in blinding arithmetic.
    pub(crate) fn secret_scalar(&self) -> Zeroizing<Scalar> {
        Zeroizing::new(Scalar::from_bytes_mod_order(*self.x25519_secret))
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("session_id", &self.session_id())
            .finish_non_exhaustive()
    }
}

impl std::str::FromStr for Identity {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::from_mnemonic(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn love_13_has_the_published_keys() {
        let id = Identity::from_mnemonic(
            "love love love love love love love love love love love love love",
        )
        .unwrap();
        assert_eq!(
            hex::encode(id.ed25519_public_key()),
            "74e0e0e4b519045d4347b26ba24e6e9eda7124e19794d8039f47a36048137687"
        );
        assert_eq!(
            hex::encode(id.x25519_secret()),
            "78695ed3c917884e4b464bbcb201eb3dd6974e823c11f289a9bcc1d8a7169743"
        );
        assert_eq!(
            id.session_id().to_string(),
            "053db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818"
        );
    }

    #[test]
    fn generated_identities_differ_and_round_trip_through_the_phrase() {
        let a = Identity::generate().unwrap();
        let b = Identity::generate().unwrap();
        assert_ne!(a.session_id(), b.session_id());
        let again = Identity::from_mnemonic(&a.mnemonic().phrase()).unwrap();
        assert_eq!(again.session_id(), a.session_id());
        assert_eq!(a.mnemonic().word_count(), 13);
    }

    #[test]
    fn blind15_id_equals_the_keypair_id() {
        let id = Identity::from_seed(&[0x22; 16]).unwrap();
        for server in [[0u8; 32], [0xab; 32]] {
            let server = ServerPubkey::from_bytes(server);
            assert_eq!(id.blind15_id(&server), id.blind15(&server).id());
        }
    }

    #[test]
    fn debug_never_prints_secrets() {
        let id = Identity::from_seed(&[0x11; 16]).unwrap();
        let dbg = format!("{id:?}");
        assert!(dbg.contains(&id.session_id().to_string()));
        assert!(!dbg.contains("1111111111"), "{dbg}");
    }
}
