//! The precomputed multiples of the Ed25519 basepoint B and their constant-time lookup.
//!
//! Row `j` holds `k·256ʲ·B` for k = 1..=8 as [`AffineNiels`], 32 rows (30 KiB), built once
//! per process on first use (about a millisecond: 289 inversions) from B's affine
//! coordinates with this module's own arithmetic, so that no table is transcribed by hand.

use std::sync::OnceLock;

use super::field::Fe;
use super::point::{AffineNiels, Extended};

/// The 32 rows of multiples.
pub(super) type Table = [[AffineNiels; 8]; 32];

/// B's x, big-endian hex (RFC 8032 §5.1: the positive x with y = 4/5).
const BASE_X: &str = "216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a";
/// B's y = 4/5 mod p, big-endian hex.
const BASE_Y: &str = "6666666666666666666666666666666666666666666666666666666666666658";

/// The table, built on first use.
pub(super) fn table() -> &'static Table {
    static TABLE: OnceLock<Box<Table>> = OnceLock::new();
    TABLE.get_or_init(build)
}

/// 2d, where d = −121665/121666 is the curve constant.
pub(super) fn two_d() -> Fe {
    let d = Fe::from_u64(121_665)
        .neg()
        .carry()
        .mul(Fe::from_u64(121_666).invert());
    d.add(d).carry()
}

/// The basepoint B.
pub(super) fn basepoint() -> Extended {
    Extended::from_affine(fe_from_be_hex(BASE_X), fe_from_be_hex(BASE_Y))
}

/// A field element from 64 big-endian hex digits; only ever given the constants above.
fn fe_from_be_hex(hex: &str) -> Fe {
    let mut bytes = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks_exact(2).enumerate() {
        let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        bytes[31 - i] = digit(pair[0]) << 4 | digit(pair[1]);
    }
    Fe::from_bytes(&bytes)
}

fn build() -> Box<Table> {
    let two_d = two_d();
    let mut table = Box::new([[AffineNiels::identity(); 8]; 32]);
    let mut row_base = basepoint();
    for row in table.iter_mut() {
        let step = row_base.to_affine_niels(two_d);
        let mut multiple = row_base;
        for (k, entry) in row.iter_mut().enumerate() {
            if k > 0 {
                multiple = multiple.add_affine(&step).to_extended();
            }
            *entry = multiple.to_affine_niels(two_d);
        }
        for _ in 0..8 {
            row_base = row_base.projective().double().to_extended();
        }
    }
    table
}

/// `digit·256ʲ·B` from row `j`, for `digit` in [−8, 8], reading every entry of the row
/// (no index or branch depends on the digit): the limbs of entry |digit| (or of the
/// identity for 0) are ORed in under an all-ones mask, every other entry under a zero mask.
pub(super) fn select(row: &[AffineNiels; 8], digit: i8) -> AffineNiels {
    let sign_mask = digit >> 7;
    let magnitude = u64::from(((digit ^ sign_mask) - sign_mask) as u8);
    // masks[k] is all ones when magnitude = k ((magnitude ^ k) − 1 borrows exactly then).
    // The masks go through black_box as one array: an optimizer that could see that exactly
    // one of them is set would turn the scan into a branch on the digit (LLVM does).
    let masks: [u64; 9] =
        core::array::from_fn(|k| ((magnitude ^ k as u64).wrapping_sub(1) >> 63).wrapping_neg());
    let masks = core::hint::black_box(masks);
    let mut limbs = [0u64; 15];
    for (limb, identity) in limbs.iter_mut().zip(AffineNiels::identity().limbs()) {
        *limb = identity & masks[0];
    }
    for (entry, mask) in row.iter().zip(&masks[1..]) {
        for (limb, theirs) in limbs.iter_mut().zip(entry.limbs()) {
            *limb |= theirs & mask;
        }
    }
    let mut out = AffineNiels::from_limbs(limbs);
    out.conditional_negate(((sign_mask as u8) & 1).into());
    out
}
