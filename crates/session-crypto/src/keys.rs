//! Key conversions and a standalone X25519 keypair (for servers and snodes).

use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::{EdwardsPoint, Scalar};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::rng::random_array;

/// Decompresses 32 bytes to an Edwards point that is canonical, in the prime-order subgroup and
/// not the identity: the rules of libsodium's `crypto_core_ed25519_is_valid_point`.
pub(crate) fn valid_point(bytes: &[u8; 32], what: &'static str) -> Result<EdwardsPoint> {
    let point = CompressedEdwardsY(*bytes)
        .decompress()
        .ok_or(Error::InvalidPoint { what })?;
    // Non-canonical encodings (y ≥ p) decompress but re-compress differently.
    if point.compress().as_bytes() != bytes || point.is_small_order() || !point.is_torsion_free() {
        return Err(Error::InvalidPoint { what });
    }
    Ok(point)
}

/// Whether `pk` is a valid Ed25519 public key in libsodium's sense (canonical, prime order,
/// not small order). Servers check this before accepting an `X-SOGS-Pubkey`.
pub fn is_valid_ed25519_public_key(pk: &[u8; 32]) -> bool {
    valid_point(pk, "Ed25519 public key").is_ok()
}

/// Converts an Ed25519 public key to the X25519 public key of the same secret
/// (`crypto_sign_ed25519_pk_to_curve25519`): the Montgomery u of the point.
pub fn ed25519_to_x25519_public(ed25519_pk: &[u8; 32]) -> Result<[u8; 32]> {
    let point = valid_point(ed25519_pk, "Ed25519 public key")?;
    Ok(point.to_montgomery().to_bytes())
}

/// The Ed25519 point with sign bit `sign` whose Montgomery u is `x25519_pk`
/// (`xed25519_pubkey` / `crypto_sign_curve25519_pk_to_ed25519` for sign 0).
///
/// The top bit of `x25519_pk` is ignored, as in libsodium. Fails only for u = −1.
pub(crate) fn xed_point(x25519_pk: &[u8; 32], sign: u8) -> Result<EdwardsPoint> {
    let mut u = *x25519_pk;
    u[31] &= 0x7f;
    MontgomeryPoint(u)
        .to_edwards(sign)
        .ok_or(Error::InvalidPoint {
            what: "X25519 public key",
        })
}

/// `s·P` without clamping, with libsodium `crypto_scalarmult_ed25519_noclamp`'s failure rules:
/// `P` must be a valid prime-order point and the result must not be the identity.
pub(crate) fn mul_noclamp(
    s: &Scalar,
    p: &EdwardsPoint,
    what: &'static str,
) -> Result<EdwardsPoint> {
    if p.is_small_order() || !p.is_torsion_free() {
        return Err(Error::InvalidPoint { what });
    }
    let r = s * p;
    if r.is_small_order() {
        return Err(Error::InvalidPoint { what });
    }
    Ok(r)
}

/// An X25519 keypair: a community server's key (the `public_key` of its join link) or a
/// snode's. The secret is zeroized on drop and never printed.
#[derive(Clone)]
pub struct X25519Keypair {
    secret: Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

impl X25519Keypair {
    /// A fresh keypair from the operating system's random number generator.
    pub fn generate() -> Result<Self> {
        Ok(Self::from_secret(random_array::<32>()?))
    }

    /// The keypair of a 32-byte secret (clamped when used, as X25519 always does).
    pub fn from_secret(secret: [u8; 32]) -> Self {
        let secret = Zeroizing::new(secret);
        let public = x25519_public(&secret);
        Self { secret, public }
    }

    /// The public key.
    pub const fn public_key(&self) -> &[u8; 32] {
        &self.public
    }

    /// The secret key bytes, for storing the key (e.g. in a file of mode 0600).
    pub fn secret_bytes(&self) -> &[u8; 32] {
        &self.secret
    }

    /// X25519 Diffie-Hellman with `peer`. Fails on an all-zero result (low-order `peer`),
    /// as libsodium's `crypto_scalarmult` does.
    pub fn diffie_hellman(&self, peer: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>> {
        x25519(&self.secret, peer)
    }
}

impl std::fmt::Debug for X25519Keypair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "X25519Keypair {{ public: {}, secret: <redacted> }}",
            hex::encode(self.public)
        )
    }
}

/// The X25519 public key of `secret` (clamped), `X25519(secret, 9)`.
///
/// Computed on the Edwards curve with curve25519-dalek's precomputed basepoint table and mapped
/// to the Montgomery u-coordinate: the same bytes as the Montgomery ladder from u = 9 (checked
/// against libsodium's `crypto_scalarmult_base` by the differential tests), about 3× faster.
pub(crate) fn x25519_public(secret: &[u8; 32]) -> [u8; 32] {
    MontgomeryPoint::mul_base_clamped(*secret).to_bytes()
}

/// X25519 of `secret` (clamped) and `peer`, rejecting the all-zero result.
pub(crate) fn x25519(secret: &[u8; 32], peer: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>> {
    let shared = x25519_raw(secret, peer);
    if bool::from(subtle::ConstantTimeEq::ct_eq(&shared[..], &[0u8; 32][..])) {
        return Err(Error::WeakKeyExchange);
    }
    Ok(shared)
}

/// RFC 7748 X25519 (`crypto_scalarmult`), byte for byte, computed on the Edwards curve when
/// `peer` is on the curve.
///
/// Why: curve25519-dalek's Montgomery ladder is serial code, while its Edwards variable-base
/// multiplication uses the AVX2 backend it selects at run time; with the two conversions
/// (u → Edwards: one inversion and one square root; back to u: one inversion) it is still
/// about 15 % faster (docs/PERFORMANCE.md, `session-crypto/x25519`).
///
/// Why the bytes are the same: X25519 is the u-coordinate of `c·P` for the clamped scalar
/// `c` and either point `P` with u-coordinate `peer` (u does not see the sign), and
/// `mul_clamped` computes exactly `c·P` on the Edwards curve (an unreduced multiple of 8, so
/// small-order components vanish as in the ladder). The identity maps back to u = 0, the
/// ladder's output for small-order `P`. A `peer` on the twist (or u = −1) has no Edwards
/// point: those take the ladder. The differential tests against libsodium and the unit tests
/// against the ladder pin this.
///
/// Constant time in `secret`: the branch depends only on the public `peer`.
fn x25519_raw(secret: &[u8; 32], peer: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let Some(point) = MontgomeryPoint(*peer).to_edwards(0) else {
        return Zeroizing::new(x25519_dalek::x25519(*secret, *peer));
    };
    let mut shared_point = point.mul_clamped(*secret);
    let shared = Zeroizing::new(shared_point.to_montgomery().to_bytes());
    shared_point.zeroize();
    shared
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn ed_to_x_matches_published_key() {
        let ed = hex_32("74e0e0e4b519045d4347b26ba24e6e9eda7124e19794d8039f47a36048137687");
        assert_eq!(
            hex::encode(ed25519_to_x25519_public(&ed).unwrap()),
            "3db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818"
        );
    }

    #[test]
    fn small_order_and_non_canonical_points_are_rejected() {
        let identity = [1u8; 1]
            .iter()
            .copied()
            .chain([0u8; 31])
            .collect::<Vec<_>>();
        let identity: [u8; 32] = identity.try_into().unwrap();
        assert!(!is_valid_ed25519_public_key(&identity));
        assert!(!is_valid_ed25519_public_key(&[0xff; 32]));
        assert_eq!(
            ed25519_to_x25519_public(&identity),
            Err(Error::InvalidPoint {
                what: "Ed25519 public key"
            })
        );
    }

    #[test]
    fn x25519_rejects_low_order_peer() {
        let kp = X25519Keypair::from_secret([7; 32]);
        assert_eq!(kp.diffie_hellman(&[0; 32]), Err(Error::WeakKeyExchange));
        let other = X25519Keypair::from_secret([9; 32]);
        assert_eq!(
            *kp.diffie_hellman(other.public_key()).unwrap(),
            *other.diffie_hellman(kp.public_key()).unwrap()
        );
        assert!(!format!("{kp:?}").contains(&hex::encode([7u8; 32])));
    }

    /// The Edwards route of `x25519` gives the Montgomery ladder's bytes (x25519-dalek, an
    /// independent implementation) for keys on the curve and on the twist, for every
    /// small-order u (libsodium's list), non-canonical encodings, u = −1 and the top bit set.
    #[test]
    fn x25519_equals_the_montgomery_ladder() {
        let special = [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ];
        let mut peers: Vec<[u8; 32]> = special.iter().map(|h| hex_32(h)).collect();
        for i in 0u8..64 {
            // Hash outputs: about half are u-coordinates of the twist.
            peers.push(crate::hash::blake2b_256(&[b"x25519 peer", &[i]]));
            peers.push(*X25519Keypair::from_secret([i; 32]).public_key());
        }
        let with_top_bit: Vec<[u8; 32]> = peers
            .iter()
            .map(|p| {
                let mut q = *p;
                q[31] |= 0x80;
                q
            })
            .collect();
        peers.extend(with_top_bit);

        let on_curve = peers
            .iter()
            .filter(|p| MontgomeryPoint(**p).to_edwards(0).is_some())
            .count();
        assert!(
            on_curve >= 64 && peers.len() - on_curve >= 32,
            "{on_curve} on the curve"
        );
        for (j, peer) in peers.iter().enumerate() {
            let secret = crate::hash::blake2b_256(&[b"x25519 secret", &j.to_le_bytes()]);
            assert_eq!(
                *x25519_raw(&secret, peer),
                x25519_dalek::x25519(secret, *peer),
                "peer {}",
                hex::encode(peer)
            );
        }
        // Small-order peers give the all-zero output, which the public API rejects.
        for h in special.iter().filter(|h| !h.starts_with("ec")) {
            assert_eq!(
                x25519(&[5; 32], &hex_32(h)),
                Err(Error::WeakKeyExchange),
                "{h}"
            );
        }
    }

    #[test]
    fn x25519_matches_rfc7748_section_5_2() {
        let out = x25519(
            &hex_32("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
            &hex_32("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
        )
        .unwrap();
        assert_eq!(
            hex::encode(*out),
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"
        );
    }

    fn hex_32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }
}
