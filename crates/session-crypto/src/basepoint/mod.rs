//! Fixed-base scalar multiplication on edwards25519, straight to the 32-byte encoding:
//! `s ↦ enc(s·B)`, in constant time.
//!
//! Every Ed25519-style signature this crate makes computes `R = r·B` and encodes it, and
//! every blinded key is `enc(k·a·B)`. curve25519-dalek does the same multiplication, but its
//! encoding inverts Z by Fermat's little theorem, which is about a quarter of a signature's
//! time; libsodium inverts by safegcd divsteps in half that. curve25519-dalek keeps point
//! coordinates private, so the faster inversion needs its own points, hence this module:
//!
//! - [`field`]: arithmetic mod 2²⁵⁵ − 19 on fiat-crypto's formally verified functions, but
//!   for the multiplication, whose faster carry chain is tested against fiat-crypto's;
//! - [`inverse`]: the safegcd inversion;
//! - [`point`]: the standard extended-coordinate formulas;
//! - [`table`]: `k·256ʲ·B` for k = 1..=8, j = 0..32, built once, read in constant time.
//!
//! The algorithm is the usual signed radix-16 one (also ref10's and curve25519-dalek's): with
//! `s = Σ sᵢ·16ⁱ`, sᵢ ∈ [−8, 8) (the last in [−8, 8]), `s·B = Σ_even sᵢ·16ⁱ·B + 16·Σ_odd sᵢ·16ⁱ⁻¹·B`, 64 table
//! additions and 4 doublings; sums that are only doubled or encoded next stay projective.
//!
//! Constant time: the table scan reads all 8 entries of a row under masks that pass through
//! `black_box` (without it LLVM turns the scan into a branch on the digit), the inversion is
//! a fixed 590 masked divsteps, and nothing else looks at the scalar. `black_box` is an
//! optimization barrier on a best-effort basis, the same protection `subtle` (and so
//! curve25519-dalek) relies on; the disassembly of `select` was checked to have no branch.
//!
//! Tests check the result against curve25519-dalek
//! (`EdwardsPoint::mul_base(s).compress()`) and libsodium
//! (`crypto_scalarmult_ed25519_base_noclamp`).

mod field;
mod inverse;
mod point;
mod table;

use curve25519_dalek::Scalar;
use zeroize::Zeroizing;

use point::Extended;

/// `enc(s·B)`: the compressed Edwards encoding of `scalar` times the Ed25519 basepoint.
pub(crate) fn mul_base_compressed(scalar: &Scalar) -> [u8; 32] {
    let rows = table::table();
    let digits = Zeroizing::new(radix16(&Zeroizing::new(scalar.to_bytes())));
    // Σ odd digits: the last sum is only doubled next, so it stops in projective form.
    let mut acc = Extended::IDENTITY;
    for (row, pair) in rows[..31].iter().zip(digits.chunks_exact(2)) {
        acc.add_assign_affine(&table::select(row, pair[1]));
    }
    let mut sum = acc
        .add_affine(&table::select(&rows[31], digits[63]))
        .to_projective();
    // ×16: only the fourth doubling feeds an addition, so only it yields T.
    for _ in 0..3 {
        sum = sum.double().to_projective();
    }
    let mut acc = sum.double().to_extended();
    // + Σ even digits; the last sum is only encoded, so it stops in projective form too.
    for (row, pair) in rows[..31].iter().zip(digits.chunks_exact(2)) {
        acc.add_assign_affine(&table::select(row, pair[0]));
    }
    acc.add_affine(&table::select(&rows[31], digits[62]))
        .to_projective()
        .compress()
}

/// The signed radix-16 digits of a scalar below 2²⁵⁵, least significant first, each in
/// [−8, 8) except the last, in [−8, 8].
fn radix16(bytes: &[u8; 32]) -> [i8; 64] {
    let mut digits = [0i8; 64];
    for (pair, byte) in digits.chunks_exact_mut(2).zip(bytes) {
        pair[0] = (byte & 15) as i8;
        pair[1] = (byte >> 4) as i8;
    }
    // Digits are at most 15 + 1 here, so (digit + 8) >> 4 is the carry 0 or 1.
    for i in 0..63 {
        let carry = (digits[i] + 8) >> 4;
        digits[i] -= carry << 4;
        digits[i + 1] += carry;
    }
    digits
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use curve25519_dalek::EdwardsPoint;
    use curve25519_dalek::constants::ED25519_BASEPOINT_COMPRESSED;
    use proptest::prelude::*;

    fn dalek(scalar: &Scalar) -> [u8; 32] {
        EdwardsPoint::mul_base(scalar).compress().to_bytes()
    }

    #[test]
    fn the_basepoint_is_on_the_curve_and_encodes_as_published() {
        let b = table::basepoint();
        assert_eq!(
            b.projective().compress(),
            ED25519_BASEPOINT_COMPRESSED.to_bytes()
        );
        assert_eq!(mul_base_compressed(&Scalar::ONE), b.projective().compress());
        assert_eq!(
            mul_base_compressed(&Scalar::ZERO),
            Extended::IDENTITY.projective().compress()
        );
        assert_eq!(Extended::IDENTITY.projective().compress()[0], 1);
    }

    #[test]
    fn radix16_digits_recombine() {
        let bytes = (-Scalar::ONE).to_bytes();
        let digits = radix16(&bytes);
        assert!(digits[..63].iter().all(|d| (-8..8).contains(d)));
        let mut value = Scalar::ZERO;
        for d in digits.iter().rev() {
            value = value * Scalar::from(16u8)
                + Scalar::from(d.unsigned_abs()) * if *d < 0 { -Scalar::ONE } else { Scalar::ONE };
        }
        assert_eq!(value, -Scalar::ONE);
    }

    #[test]
    fn every_table_entry_and_sign_matches_dalek() {
        // k·16ⁱ for k in −8..=8 and every i: each table entry, both signs, at both phases.
        let sixteen = Scalar::from(16u8);
        let mut position = Scalar::ONE;
        for _ in 0..63 {
            for k in 1u8..=8 {
                let s = position * Scalar::from(k);
                assert_eq!(mul_base_compressed(&s), dalek(&s));
                assert_eq!(mul_base_compressed(&-s), dalek(&-s));
            }
            position *= sixteen;
        }
    }

    #[test]
    fn edge_scalars_match_dalek() {
        let l_minus_one = -Scalar::ONE;
        let mut cases = vec![l_minus_one, Scalar::from(2u8), Scalar::from(u64::MAX)];
        for byte in [0x77u8, 0x88, 0xff, 0x0f, 0xf0, 0x80, 0x7f] {
            cases.push(Scalar::from_bytes_mod_order([byte; 32]));
        }
        let mut two_252 = [0u8; 32];
        two_252[31] = 0x10;
        cases.push(Scalar::from_bytes_mod_order(two_252));
        for s in cases {
            assert_eq!(mul_base_compressed(&s), dalek(&s));
        }
    }

    proptest! {
        #[test]
        fn random_scalars_match_dalek(bytes in any::<[u8; 64]>()) {
            let s = Scalar::from_bytes_mod_order_wide(&bytes);
            prop_assert_eq!(mul_base_compressed(&s), dalek(&s));
        }
    }
}
