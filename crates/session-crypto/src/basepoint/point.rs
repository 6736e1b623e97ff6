//! Points of edwards25519 (−x² + y² = 1 + d·x²·y²) in the three forms the fixed-base
//! multiplication needs, with the formulas of Hisil, Wong, Carter and Dawson ("Twisted
//! Edwards curves revisited", 2008) for a = −1:
//!
//! - [`Extended`] `(X : Y : Z : T)` with x = X/Z, y = Y/Z, x·y = T/Z: the accumulator;
//! - [`Completed`] `((X : Z), (Y : T))` with x = X/Z, y = Y/T: what an addition or a
//!   doubling yields before four multiplications bring it back to extended form;
//! - [`AffineNiels`] `(y + x, y − x, 2d·x·y)`: a table entry, added with 7 multiplications.

use subtle::Choice;

use super::field::{Fe, Loose};

/// A point in extended coordinates.
#[derive(Clone, Copy)]
pub(super) struct Extended {
    x: Fe,
    y: Fe,
    z: Fe,
    t: Fe,
}

/// A point in projective coordinates `(X : Y : Z)`: an extended point without T, enough for
/// a doubling or the encoding (one multiplication cheaper to reach than extended form).
#[derive(Clone, Copy)]
pub(super) struct Projective {
    x: Fe,
    y: Fe,
    z: Fe,
}

/// The result of an addition or a doubling, before [`Completed::to_extended`].
pub(super) struct Completed {
    x: Loose,
    y: Loose,
    z: Loose,
    t: Loose,
}

/// An affine point as `(y + x, y − x, 2d·x·y)`, kept as their 15 limbs in a row so that the
/// table scan ([`super::table::select`]) is one flat loop.
#[derive(Clone, Copy)]
pub(super) struct AffineNiels {
    limbs: [u64; 15],
}

impl Extended {
    pub(super) const IDENTITY: Extended = Extended {
        x: Fe::ZERO,
        y: Fe::ONE,
        z: Fe::ONE,
        t: Fe::ZERO,
    };

    /// The affine point `(x, y)`; the caller guarantees that it is on the curve.
    pub(super) fn from_affine(x: Fe, y: Fe) -> Extended {
        Extended {
            x,
            y,
            z: Fe::ONE,
            t: x.mul(y),
        }
    }

    /// `self + q` (add-2008-hwcd-3 with Z₂ = 1): E = B − A, H = B + A, G = D + C, F = D − C
    /// where A = (Y₁ − X₁)(y₂ − x₂), B = (Y₁ + X₁)(y₂ + x₂), C = T₁·2d·x₂y₂, D = 2Z₁.
    pub(super) fn add_affine(&self, q: &AffineNiels) -> Completed {
        let b = self.y.add(self.x).mul(q.y_plus_x().relax());
        let a = self.y.sub(self.x).mul(q.y_minus_x().relax());
        let c = self.t.mul(q.xy2d());
        let d = self.z.add(self.z).carry();
        Completed {
            x: b.sub(a),
            y: b.add(a),
            z: d.add(c),
            t: d.sub(c),
        }
    }

    /// `self ← self + q`.
    pub(super) fn add_assign_affine(&mut self, q: &AffineNiels) {
        self.add_affine(q).store_extended(self);
    }

    /// The same point without T.
    pub(super) fn projective(&self) -> Projective {
        Projective {
            x: self.x,
            y: self.y,
            z: self.z,
        }
    }

    /// This point as a table entry; `two_d` is 2d.
    pub(super) fn to_affine_niels(self, two_d: Fe) -> AffineNiels {
        let (x, y) = self.projective().to_affine();
        AffineNiels::new(y.add(x).carry(), y.sub(x).carry(), x.mul(y).mul(two_d))
    }
}

impl Projective {
    /// `2·self` (dbl-2008-hwcd), every coordinate negated (the same projective point):
    /// E = (X + Y)² − X² − Y², G = Y² − X², F = G − 2Z², H = −X² − Y².
    pub(super) fn double(&self) -> Completed {
        let xx = self.x.square();
        let yy = self.y.square();
        let zz = self.z.square();
        let zz2 = zz.add(zz).carry();
        let x_plus_y_squared = self.x.add(self.y).square();
        let minus_h = yy.add(xx).carry();
        let g = yy.sub(xx).carry();
        Completed {
            x: x_plus_y_squared.sub(minus_h),
            y: minus_h.relax(),
            z: g.relax(),
            t: zz2.sub(g),
        }
    }

    /// The affine coordinates `(x, y)`: one inversion.
    fn to_affine(self) -> (Fe, Fe) {
        let z_inverse = self.z.invert();
        (self.x.mul(z_inverse), self.y.mul(z_inverse))
    }

    /// The 32-byte Ed25519 encoding: y little-endian, the sign of x in bit 255.
    pub(super) fn compress(self) -> [u8; 32] {
        let (x, y) = self.to_affine();
        let mut bytes = y.to_bytes();
        bytes[31] ^= x.is_negative().unwrap_u8() << 7;
        bytes
    }
}

impl Completed {
    /// The point in projective form: three multiplications.
    pub(super) fn to_projective(&self) -> Projective {
        let mut out = Projective {
            x: Fe::ZERO,
            y: Fe::ZERO,
            z: Fe::ZERO,
        };
        self.x.mul_into(self.t, &mut out.x);
        self.y.mul_into(self.z, &mut out.y);
        self.z.mul_into(self.t, &mut out.z);
        out
    }

    pub(super) fn to_extended(&self) -> Extended {
        let mut out = Extended::IDENTITY;
        self.store_extended(&mut out);
        out
    }

    /// [`Completed::to_extended`] into `out`, field by field (no 160-byte copy).
    fn store_extended(&self, out: &mut Extended) {
        self.x.mul_into(self.t, &mut out.x);
        self.y.mul_into(self.z, &mut out.y);
        self.z.mul_into(self.t, &mut out.z);
        self.x.mul_into(self.y, &mut out.t);
    }
}

impl AffineNiels {
    /// The neutral element (x, y) = (0, 1).
    pub(super) fn identity() -> AffineNiels {
        AffineNiels::new(Fe::ONE, Fe::ONE, Fe::ZERO)
    }

    fn new(y_plus_x: Fe, y_minus_x: Fe, xy2d: Fe) -> AffineNiels {
        let mut limbs = [0u64; 15];
        limbs[..5].copy_from_slice(&y_plus_x.limbs());
        limbs[5..10].copy_from_slice(&y_minus_x.limbs());
        limbs[10..].copy_from_slice(&xy2d.limbs());
        AffineNiels { limbs }
    }

    fn coordinate(&self, index: usize) -> Fe {
        let mut limbs = [0u64; 5];
        limbs.copy_from_slice(&self.limbs[5 * index..5 * index + 5]);
        Fe::from_limbs(limbs)
    }

    fn y_plus_x(&self) -> Fe {
        self.coordinate(0)
    }

    fn y_minus_x(&self) -> Fe {
        self.coordinate(1)
    }

    fn xy2d(&self) -> Fe {
        self.coordinate(2)
    }

    /// The 15 limbs, for the table scan.
    pub(super) fn limbs(&self) -> &[u64; 15] {
        &self.limbs
    }

    /// The point with these limbs: an OR of masked table entries and the identity, of which
    /// exactly one mask was set, so the limbs are that entry's (the identity for digit 0).
    pub(super) fn from_limbs(limbs: [u64; 15]) -> AffineNiels {
        AffineNiels { limbs }
    }

    /// −(x, y) = (−x, y) when `choice` is set: y + x and y − x trade places and x·y changes
    /// sign.
    pub(super) fn conditional_negate(&mut self, choice: Choice) {
        let negated =
            AffineNiels::new(self.y_minus_x(), self.y_plus_x(), self.xy2d().neg().carry());
        let mask = u64::from(choice.unwrap_u8()).wrapping_neg();
        for (limb, theirs) in self.limbs.iter_mut().zip(negated.limbs) {
            *limb ^= mask & (*limb ^ theirs);
        }
    }
}
