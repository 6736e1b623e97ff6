//! SOGS blinding: blind15 and blind25 keypairs, ids and signatures (spec/crypto.md §2).
//!
//! A community server never sees a user's Session ID; it sees a blinded Ed25519 key
//! `kA`, where `k` is derived from the server's public key (blind15) or from the server's and
//! the user's keys (blind25). Blinded scalars are never clamped.
//!
//! ## Nonce variants of blind15 signatures
//! Two constructions of the deterministic nonce exist upstream; both verify under `kA`:
//! - [`Blind15Nonce::SecretKeyHash`] (libsession `blind15_sign`, the **default** here):
//!   `r = H(SHA-512(seed ‖ A)[32..] ‖ kA ‖ M)`.
//! - [`Blind15Nonce::SeedHash`] (pysogs tests, Session Desktop, Session.js):
//!   `r = H(SHA-512(seed)[32..] ‖ kA ‖ M)`.
//!
//! Both reproduce their published vectors byte for byte.
//!
//! Deriving a keypair again for the same identity and server takes its public key `kA` from a
//! bounded memo of public keys (`memo`), skipping one fixed-base multiplication.

use std::fmt;

use curve25519_dalek::Scalar;
use zeroize::Zeroizing;

use crate::error::Result;
use crate::hash::{blake2b_512, blake2b_keyed_256, blake2b_keyed_512, sha512};
use crate::identity::Identity;
use crate::ids::{BlindedId, BlindingScheme, ServerPubkey, SessionId};
use crate::keys::{mul_noclamp, xed_point};

mod memo;

/// BLAKE2b key of the blind25 seed hash.
const BLIND25_SEED_KEY: &[u8] = b"SessCommBlind25_seed";
/// BLAKE2b key of the blind25 signature nonce.
const BLIND25_SIG_KEY: &[u8] = b"SessCommBlind25_sig";

/// The blind15 factor of a server: `k = reduce(BLAKE2b-512(server_pk))`.
pub fn blind15_factor(server: &ServerPubkey) -> Scalar {
    Scalar::from_bytes_mod_order_wide(&blake2b_512(&[server.as_bytes()]))
}

/// The blind25 factor of a user on a server: `k25 = reduce(BLAKE2b-512(0x05 ‖ X ‖ server_pk))`.
pub fn blind25_factor(session_id: &SessionId, server: &ServerPubkey) -> Scalar {
    Scalar::from_bytes_mod_order_wide(&blake2b_512(&[
        &[0x05],
        session_id.x25519_public_key(),
        server.as_bytes(),
    ]))
}

/// Which nonce construction a blind15 signature uses (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Blind15Nonce {
    /// libsession: the nonce key is `SHA-512(seed ‖ A)[32..64]`.
    #[default]
    SecretKeyHash,
    /// pysogs tests, Session Desktop, Session.js: the nonce key is `SHA-512(seed)[32..64]`.
    SeedHash,
}

/// A blinded keypair `(ka, kA)` for one server, able to sign as the blinded id.
#[derive(Clone)]
pub struct BlindedKeypair {
    scheme: BlindingScheme,
    /// The blinded secret scalar `ka` (blind15) or `k'·a` (blind25).
    secret: Zeroizing<Scalar>,
    /// The blinded public key `kA`.
    public: [u8; 32],
    /// The secret prefix of the nonce hash (its meaning depends on the scheme).
    nonce_key: Zeroizing<[u8; 32]>,
}

impl BlindedKeypair {
    pub(crate) fn blind15(identity: &Identity, server: &ServerPubkey, nonce: Blind15Nonce) -> Self {
        let k = blind15_factor(server);
        let secret = Zeroizing::new(k * *identity.secret_scalar());
        let public = blinded_public(15, identity, server, &secret);
        let seed = identity.ed25519_seed();
        let hashed = Zeroizing::new(match nonce {
            Blind15Nonce::SeedHash => sha512(&[seed]),
            Blind15Nonce::SecretKeyHash => sha512(&[seed, identity.ed25519_public_key()]),
        });
        let mut nonce_key = Zeroizing::new([0u8; 32]);
        nonce_key.copy_from_slice(&hashed[32..]);
        Self {
            scheme: BlindingScheme::Blind15,
            secret,
            public,
            nonce_key,
        }
    }

    pub(crate) fn blind25(identity: &Identity, server: &ServerPubkey) -> Self {
        let k25 = blind25_factor(&identity.session_id(), server);
        // k' = ±k25 so that k'·A = k25·|A|, where |A| has sign bit 0.
        let negative = identity.ed25519_public_key()[31] & 0x80 != 0;
        let k_prime = if negative { -k25 } else { k25 };
        let secret = Zeroizing::new(k_prime * *identity.secret_scalar());
        let public = blinded_public(25, identity, server, &secret);
        let nonce_key = Zeroizing::new(blake2b_keyed_256(
            BLIND25_SEED_KEY,
            &[identity.ed25519_seed()],
        ));
        Self {
            scheme: BlindingScheme::Blind25,
            secret,
            public,
            nonce_key,
        }
    }

    /// The blinded id (`15…` or `25…`).
    pub fn id(&self) -> BlindedId {
        BlindedId::new(self.scheme, self.public)
    }

    /// The blinded public key `kA`.
    pub const fn public_key(&self) -> &[u8; 32] {
        &self.public
    }

    /// The blinding scheme.
    pub const fn scheme(&self) -> BlindingScheme {
        self.scheme
    }

    /// The blinded secret scalar, for key exchange in blinded DMs.
    pub(crate) fn secret_scalar(&self) -> &Scalar {
        &self.secret
    }

    /// Signs `message` as the blinded id: a standard Ed25519 signature under
    /// [`public_key`](Self::public_key) with a deterministic nonce (spec/crypto.md §2.3, §2.5).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let r = Zeroizing::new(match self.scheme {
            BlindingScheme::Blind15 => Scalar::from_bytes_mod_order_wide(&sha512(&[
                &*self.nonce_key,
                &self.public,
                message,
            ])),
            BlindingScheme::Blind25 => Scalar::from_bytes_mod_order_wide(&blake2b_keyed_512(
                BLIND25_SIG_KEY,
                &[&*self.nonce_key, &self.public, message],
            )),
        });
        sign_with_nonce(&self.secret, &self.public, &r, message)
    }
}

/// The blinded public key `secret·B` of `identity` on `server`, through the memo of public
/// keys ([`memo`]): `tag` is 15 or 25, and `secret` must be that scheme's blinded scalar of
/// `identity` for `server` (then `secret·B` is determined by the public key and the server).
fn blinded_public(
    tag: u8,
    identity: &Identity,
    server: &ServerPubkey,
    secret: &Scalar,
) -> [u8; 32] {
    memo::blinded_public_key(
        (tag, *identity.ed25519_public_key(), *server.as_bytes()),
        || crate::basepoint::mul_base_compressed(secret),
    )
}

/// The Ed25519 signature equation with a caller-chosen nonce `r`:
/// `R = r·B; S = r + H(R ‖ A ‖ M)·a`.
pub(crate) fn sign_with_nonce(
    a: &Scalar,
    public: &[u8; 32],
    r: &Scalar,
    message: &[u8],
) -> [u8; 64] {
    let big_r = crate::basepoint::mul_base_compressed(r);
    let h = Scalar::from_bytes_mod_order_wide(&sha512(&[&big_r, public, message]));
    let s = r + h * a;
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&big_r);
    sig[32..].copy_from_slice(s.as_bytes());
    sig
}

impl fmt::Debug for BlindedKeypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlindedKeypair")
            .field("id", &self.id())
            .finish_non_exhaustive()
    }
}

/// The two blind15 ids a Session ID may have on a server: `[raw, raw with the sign bit
/// flipped]` (spec/crypto.md §2.4). Which one is real depends on the sign of the user's Ed25519
/// key, which a Session ID does not carry; the first is **not** necessarily the real one.
pub fn blind15_candidates(session_id: &SessionId, server: &ServerPubkey) -> Result<[BlindedId; 2]> {
    let a_plus = xed_point(session_id.x25519_public_key(), 0)?;
    let raw = mul_noclamp(&blind15_factor(server), &a_plus, "Session ID key")?
        .compress()
        .to_bytes();
    let mut flipped = raw;
    flipped[31] ^= 0x80;
    Ok([
        BlindedId::new(BlindingScheme::Blind15, raw),
        BlindedId::new(BlindingScheme::Blind15, flipped),
    ])
}

/// The blind25 id of a Session ID on a server: `25 ‖ k25·|A|` (no sign ambiguity).
pub fn blind25_id(session_id: &SessionId, server: &ServerPubkey) -> Result<BlindedId> {
    let a_plus = xed_point(session_id.x25519_public_key(), 0)?;
    let key = mul_noclamp(
        &blind25_factor(session_id, server),
        &a_plus,
        "Session ID key",
    )?
    .compress()
    .to_bytes();
    Ok(BlindedId::new(BlindingScheme::Blind25, key))
}

impl BlindedId {
    /// Whether this blinded id belongs to `session_id` on `server`: one of the two blind15
    /// candidates, or the blind25 id.
    pub fn matches(&self, session_id: &SessionId, server: &ServerPubkey) -> bool {
        match self.scheme() {
            BlindingScheme::Blind15 => blind15_candidates(session_id, server)
                .map(|c| c.contains(self))
                .unwrap_or(false),
            BlindingScheme::Blind25 => blind25_id(session_id, server)
                .map(|id| id == *self)
                .unwrap_or(false),
        }
    }
}

/// The blind15 public key of an unblinded Ed25519 key: `k·A` (used to bind the sender of a
/// blinded DM to its blinded id).
pub(crate) fn blind15_public_of(ed25519_pk: &[u8; 32], server: &ServerPubkey) -> Result<[u8; 32]> {
    let a = crate::keys::valid_point(ed25519_pk, "Ed25519 public key")?;
    Ok(
        mul_noclamp(&blind15_factor(server), &a, "Ed25519 public key")?
            .compress()
            .to_bytes(),
    )
}

/// The blind25 public key of an unblinded Ed25519 key: `k25·|A|`.
pub(crate) fn blind25_public_of(ed25519_pk: &[u8; 32], server: &ServerPubkey) -> Result<[u8; 32]> {
    let x = crate::keys::ed25519_to_x25519_public(ed25519_pk)?;
    Ok(*blind25_id(&SessionId::from_x25519(x), server)?.public_key())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const LOVE: &str = "love love love love love love love love love love love love love";
    const SERVER: &str = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238";

    fn setup() -> (Identity, ServerPubkey) {
        (
            Identity::from_mnemonic(LOVE).unwrap(),
            SERVER.parse().unwrap(),
        )
    }

    #[test]
    fn love_13_blinds_to_the_published_ids() {
        let (id, server) = setup();
        assert_eq!(
            hex::encode(blind15_factor(&server).as_bytes()),
            "ed306e7229d51c0a14283bf90147bf7c32f245add8c39c9435f3bf5058e18505"
        );
        assert_eq!(
            id.blind15(&server).id().to_string(),
            "15c3a36a220ce3a60b51dc2790d2f349ae3e933736046b26b6e5c3c8354ebeb82c"
        );
        assert_eq!(
            id.blind25(&server).id().to_string(),
            "258c74a488fdf0b16dda458db682330e0b070f38e43108f87fae23c95b9dc819ff"
        );
    }

    #[test]
    fn candidates_and_matching() {
        let (id, server) = setup();
        let sid = id.session_id();
        let [raw, flipped] = blind15_candidates(&sid, &server).unwrap();
        assert_eq!(
            raw.to_string(),
            "15c3a36a220ce3a60b51dc2790d2f349ae3e933736046b26b6e5c3c8354ebeb8ac"
        );
        assert_eq!(flipped, id.blind15(&server).id());
        assert!(id.blind15(&server).id().matches(&sid, &server));
        assert!(raw.matches(&sid, &server), "both candidates match");
        assert!(id.blind25(&server).id().matches(&sid, &server));
        let other = Identity::from_seed(&[1; 16]).unwrap();
        assert!(
            !id.blind15(&server)
                .id()
                .matches(&other.session_id(), &server)
        );
        assert!(
            !id.blind25(&server)
                .id()
                .matches(&other.session_id(), &server)
        );
    }

    /// A keypair derived again (a memo hit) has the key of a derivation through public values
    /// only (`k·A`, `k25·|A|`, variable-base, no memo), and signs verifiably under it.
    #[test]
    fn memoized_blinded_keys_equal_the_public_derivation() {
        for i in 0u8..4 {
            let id = Identity::from_seed(&[0x50 + i; 16]).unwrap();
            let server = ServerPubkey::from_bytes([0x60 + i; 32]);
            let a = id.ed25519_public_key();
            let first = (id.blind15(&server), id.blind25(&server));
            assert_eq!(
                memo::lookup(&(15, *a, *server.as_bytes())),
                Some(*first.0.public_key())
            );
            assert_eq!(
                memo::lookup(&(25, *a, *server.as_bytes())),
                Some(*first.1.public_key())
            );
            let again = (id.blind15(&server), id.blind25(&server));
            assert_eq!(
                again.0.public_key(),
                &blind15_public_of(a, &server).unwrap()
            );
            assert_eq!(
                again.1.public_key(),
                &blind25_public_of(a, &server).unwrap()
            );
            assert_eq!(again.0.public_key(), first.0.public_key());
            for kp in [&again.0, &again.1] {
                crate::verify_ed25519(kp.public_key(), b"msg", &kp.sign(b"msg")).unwrap();
            }
        }
    }

    #[test]
    fn blinded_signatures_match_both_nonce_variants() {
        let (id, server) = setup();
        let msg = hex::decode("a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da79912380f0e0d0c0b0a09080706050403020100313730303030303030304745542f726f6f6d2f7375646f6b752f6d657373616765732f726563656e743f6c696d69743d3235").unwrap();
        assert_eq!(
            hex::encode(
                id.blind15_with_nonce(&server, Blind15Nonce::SeedHash)
                    .sign(&msg)
            ),
            "7282544df8a4e6a83ddccc35e2ef0554420285bcf94135d6f14d25581e145226364e05d8ef398974243ddc857eabeb5c571022696b044dbe55ec55edad16be0b"
        );
        assert_eq!(
            hex::encode(id.blind15(&server).sign(&msg)),
            "2eef01a14d8280f5b454251bb0a4aa2b88dfa54353495aed89dc045289a9e2f8a1c5952f7aeddc121151db7f37124dfc789c6ed83118901f81b03c109c2c9303"
        );
        assert_eq!(
            hex::encode(id.blind25(&server).sign(&msg)),
            "36d1a419c639adf3523f6bc7351c65d7a0e7531ed51cf3c9ca90fdf5618e03d447cdeff86c855c9ed32f816fb7ffa4452026f887150928a6c80306aeecac970b"
        );
    }
}
