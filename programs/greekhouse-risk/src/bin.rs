//! `Bf`: a non-negative binary number `m * 2^e` with a 64-bit *integer* mantissa. It is the
//! internal working format for quantities whose range is too wide for a fixed binary point
//! (K/S, 1/(sigma sqrt T), e^x). Integer instructions only: no hardware floating point is
//! involved. Products cost one 64x64->128 multiply and no division; the reciprocal costs one
//! native 64-bit division plus a Newton step.
//!
//! Precision: every operation truncates; the relative error of one operation is below
//! 2^-62 (mul: 2^-63, recip: about 2^-62, sqrt: 2^-64).

use crate::tables::{F_TEN_M12, F_TEN_M24};
use crate::wide::{mul64, mulhi_fast};

/// `m * 2^e`, with `m == 0` (zero) or `2^63 <= m < 2^64` (normalised).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bf {
    pub m: u64,
    pub e: i32,
}

const TOP: u64 = 1 << 63;

impl Bf {
    pub const ZERO: Bf = Bf { m: 0, e: 0 };
    pub const ONE: Bf = Bf { m: TOP, e: -63 };
    /// `10^-12` (decimal raw unit of `Fixed`).
    pub const TEN_M12: Bf = Bf::from_const(F_TEN_M12);
    /// `10^-24`.
    pub const TEN_M24: Bf = Bf::from_const(F_TEN_M24);

    pub const fn from_const(c: (u64, i32)) -> Bf {
        Bf { m: c.0, e: c.1 }
    }

    #[inline]
    pub fn from_u64(x: u64) -> Bf {
        if x == 0 {
            return Bf::ZERO;
        }
        let (m, z) = normalize(x);
        Bf { m, e: -(z as i32) }
    }

    /// Truncates to 64 significant bits.
    #[inline]
    pub fn from_u128(x: u128) -> Bf {
        let hi = (x >> 64) as u64;
        if hi == 0 {
            return Bf::from_u64(x as u64);
        }
        let (m, z) = normalize(hi);
        // the top `z` bits of the low half fill the mantissa (z < 64)
        let lo = x as u64;
        let m = if z == 0 { m } else { m | (lo >> (64 - z)) };
        Bf {
            m,
            e: 64 - z as i32,
        }
    }

    /// `x * 2^-q`.
    #[inline]
    pub fn from_q(x: u64, q: i32) -> Bf {
        let mut b = Bf::from_u64(x);
        b.e = b.e.wrapping_sub(q);
        b
    }

    /// A decimal `Fixed` raw value (`raw * 10^-12`), raw >= 0.
    #[inline]
    pub fn from_fixed_raw(raw: u128) -> Bf {
        Bf::from_u128(raw).mul(Bf::TEN_M12)
    }

    #[inline]
    pub fn mul(self, o: Bf) -> Bf {
        if self.m == 0 || o.m == 0 {
            return Bf::ZERO;
        }
        // exponents stay far inside i32 (inputs are at most 128-bit, chains are short); the
        // three-product high half is at most two units below the exact one (2^-62 relative)
        let e = self.e.wrapping_add(o.e);
        let hi = mulhi_fast(self.m, o.m);
        if hi & TOP != 0 {
            Bf {
                m: hi,
                e: e.wrapping_add(64),
            }
        } else {
            Bf {
                m: hi << 1,
                e: e.wrapping_add(63),
            }
        }
    }

    /// `self * 2^k`.
    #[inline]
    pub fn shl(self, k: i32) -> Bf {
        if self.m == 0 {
            return self;
        }
        Bf {
            m: self.m,
            e: self.e.wrapping_add(k),
        }
    }

    /// Sum of two non-negative numbers (truncated).
    pub fn add(self, o: Bf) -> Bf {
        if self.m == 0 {
            return o;
        }
        if o.m == 0 {
            return self;
        }
        let (a, b) = if self.e >= o.e { (self, o) } else { (o, self) };
        let d = a.e.wrapping_sub(b.e) as u32;
        let bm = if d >= 64 { 0 } else { b.m >> d };
        let (s, c) = a.m.overflowing_add(bm);
        if c {
            Bf {
                m: (s >> 1) | TOP,
                e: a.e.wrapping_add(1),
            }
        } else {
            Bf { m: s, e: a.e }
        }
    }

    /// `1 / self` for `self != 0` (returns zero for zero; callers check). One native 64-bit
    /// division gives 31 bits, one Newton step `y (2 - m y)` gives the rest; the result is
    /// below the true reciprocal by less than 2^-61 relative.
    pub fn recip(self) -> Bf {
        let m = self.m;
        if m == 0 {
            return Bf::ZERO;
        }
        if m == TOP {
            return Bf {
                m: TOP,
                e: -self.e - 126,
            };
        }
        // y0 ~ 2^127 / m, relative error below 2^-30.
        let q = u64::MAX / (m >> 32); // in (2^32, 2^33)
        let y0 = q << 31;
        // high half of 2^128 - m y0 (~ 2^127 (1 + eps)), within a few units
        let eh = !mulhi_fast(m, y0);
        let mut y = mulhi_fast(y0, eh) << 1; // y0 eh / 2^63, below 2^127/m < 2^64
        let mut e = (-127i32).wrapping_sub(self.e);
        if y & TOP == 0 {
            y <<= 1;
            e -= 1;
        }
        Bf { m: y, e }
    }

    /// Square root, mantissa exact to the floor.
    pub fn sqrt(self) -> Bf {
        if self.m == 0 {
            return Bf::ZERO;
        }
        let m = self.m;
        // value = N * 2^(2k) with N = m * 2^64 (e even) or m * 2^63 (e odd).
        let (n_hi, n_lo, k) = if self.e & 1 == 0 {
            (m, 0u64, (self.e - 64) / 2)
        } else {
            (m >> 1, (m & 1) << 63, (self.e - 63) / 2)
        };
        // a = floor(sqrt(n_hi)) in [2^31, 2^32): Newton from above with native divisions,
        // starting on the tangent at 2^64 (above the concave root)
        let mut a = (1u64 << 31) + (n_hi >> 33);
        loop {
            let y = (a + n_hi / a) >> 1;
            if y >= a {
                break;
            }
            a = y;
        }
        // one Newton step in 64-bit precision: s = a 2^32 + (N - a^2 2^64) / (2 a 2^32), at most
        // a few units above floor(sqrt(N)) (relative error below 2^-62)
        let r = n_hi - a.wrapping_mul(a); // <= 2a < 2^33 (a < 2^32: the product fits)
        let delta = ((r << 31) | (n_lo >> 33)) / a;
        let s = (a << 32).saturating_add(delta); // >= 2^63: N >= 2^126
        Bf { m: s, e: k }
    }

    /// `floor(self * 2^q)` as `u64`, saturated at `u64::MAX` (cheaper than [`Bf::to_q128`]).
    #[inline]
    pub fn to_q64(self, q: i32) -> u64 {
        if self.m == 0 {
            return 0;
        }
        let s = self.e.wrapping_add(q);
        if s >= 0 {
            if s == 0 {
                self.m
            } else {
                u64::MAX
            }
        } else if s <= -64 {
            0
        } else {
            self.m >> ((-s) as u32)
        }
    }

    /// `floor(self * 2^q)`; `None` if it needs more than 128 bits.
    #[inline]
    pub fn to_q128(self, q: i32) -> Option<u128> {
        if self.m == 0 {
            return Some(0);
        }
        let s = self.e.wrapping_add(q); // exponents stay far inside i32
        if s >= 0 {
            if s > 64 {
                None
            } else {
                Some((self.m as u128) << s)
            }
        } else if s <= -64 {
            Some(0)
        } else {
            Some((self.m >> s.wrapping_neg()) as u128)
        }
    }

    /// `self * 2^q` rounded up or down; `None` if it needs more than 128 bits.
    #[inline]
    pub fn to_q128_round(self, q: i32, up: bool) -> Option<u128> {
        let f = self.to_q128(q)?;
        if !up || self.m == 0 {
            return Some(f);
        }
        let s = self.e.wrapping_add(q); // exponents stay far inside i32
        let inexact = if s >= 0 {
            false
        } else if s <= -64 {
            true
        } else {
            (self.m << 64i32.wrapping_add(s)) != 0
        };
        if inexact {
            f.checked_add(1)
        } else {
            Some(f)
        }
    }

    /// `floor(self * 2^q)` saturated to `max`.
    #[inline]
    pub fn to_q64_sat(self, q: i32, max: u64) -> u64 {
        let v = self.to_q64(q);
        if v > max {
            max
        } else {
            v
        }
    }
}

/// `x << z` with the top bit set and `z`, for `x != 0` (binary search: sBPF has no
/// count-leading-zeros instruction).
#[inline(always)]
pub(crate) fn normalize(mut x: u64) -> (u64, u32) {
    let mut z = 0;
    if x >> 32 == 0 {
        z += 32;
        x <<= 32;
    }
    if x >> 48 == 0 {
        z += 16;
        x <<= 16;
    }
    if x >> 56 == 0 {
        z += 8;
        x <<= 8;
    }
    if x >> 60 == 0 {
        z += 4;
        x <<= 4;
    }
    if x >> 62 == 0 {
        z += 2;
        x <<= 2;
    }
    if x >> 63 == 0 {
        z += 1;
        x <<= 1;
    }
    (x, z)
}

/// `floor(sqrt(n))` of a 64-bit integer, Newton from above with native divisions.
pub(crate) fn isqrt_u64(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let bits = 64 - n.leading_zeros();
    let mut x: u64 = 1u64 << bits.div_ceil(2); // >= sqrt(n), at most 2^32
    loop {
        let y = (x + n / x) >> 1;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// `floor(sqrt(n))` of a 128-bit integer: 32-bit root of the top half, one Newton step with a
/// native 64-bit division, then an exact correction of a few units.
pub(crate) fn isqrt_u128(n: u128) -> u64 {
    let hi = (n >> 64) as u64;
    if hi == 0 {
        return isqrt_u64(n as u64);
    }
    // Normalise so that the top 64 bits are >= 2^62: n = n' / 4^j.
    let z = hi.leading_zeros() & !1; // even shift
    let nn = n << z;
    let nh = (nn >> 64) as u64;
    let a = isqrt_u64(nh); // in [2^31, 2^32)
    let r = nh - a * a; // <= 2a
    let num = (r << 31) | (((nn as u64) >> 33) & 0x7FFF_FFFF);
    let delta = num / a;
    let mut s: u128 = ((a as u128) << 32) + delta as u128;
    let half = z / 2;
    s >>= half;
    // exact correction: s is within a few units of the root
    if s > u64::MAX as u128 {
        s = u64::MAX as u128;
    }
    let mut s = s as u64;
    while mul64(s, s) > n {
        s -= 1;
    }
    while s < u64::MAX && mul64(s + 1, s + 1) <= n {
        s += 1;
    }
    s
}

#[cfg(test)]
#[allow(clippy::float_arithmetic)]
#[path = "tests/bin.rs"]
mod tests;
