//! Decimal fixed-point numbers with named precisions.
//!
//! Products and quotients are computed exactly in 256 bits and rounded once, in the direction
//! the caller names. Division by a power of ten is a shift plus a division by `5^k < 2^32`
//! (see `wide.rs`), never a 128-bit division.

use crate::wide;
use crate::{RiskError, RiskResult};

/// Decimal exponent of [`Fixed`]: a raw value `r` means `r * 10^-12`.
pub const FIXED_EXP: u32 = 12;
/// `10^FIXED_EXP`, the raw value of 1.0 in [`Fixed`].
pub const FIXED_ONE: i128 = 1_000_000_000_000; // 10^12

/// Decimal exponent of [`Fixed18`]: a raw value `r` means `r * 10^-18`. Used where 12 digits
/// are too coarse (gamma of a high-priced underlying).
pub const FIXED18_EXP: u32 = 18;
/// `10^FIXED18_EXP`.
pub const FIXED18_ONE: i128 = 1_000_000_000_000_000_000; // 10^18

/// Basis points: 10^4 bps = 1.
pub const BPS_EXP: u32 = 4;
/// `10^BPS_EXP`.
pub const BPS_ONE: i128 = 10_000; // 10^4

/// `10^0` to `10^38`: every power of ten an `i128` holds.
const POW10: [i128; 39] = {
    let mut t = [1i128; 39];
    let mut i = 1;
    while i < t.len() {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// `10^exp`, `None` when it leaves `i128` (`exp > 38`). The one helper for scaling by a
/// decimal exponent (token decimals, oracle exponents) in the program, the SDK and the CLI, so
/// none of them writes `10.pow(..)` again (an unchecked `pow` panics where this returns
/// `None`). A table lookup: no multiplication loop on chain.
pub const fn pow10(exp: u32) -> Option<i128> {
    if (exp as usize) < POW10.len() {
        Some(POW10[exp as usize])
    } else {
        None
    }
}

/// Which way a lossy step rounds. The clearing house always picks the direction in its own
/// favour: requirements and debts `Up`, collateral values and payouts `Down`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Toward negative infinity.
    Down,
    /// Toward positive infinity.
    Up,
}

/// Signed decimal fixed point, scale 10^12 (see [`FIXED_EXP`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fixed(i128);

/// Signed decimal fixed point, scale 10^18 (see [`FIXED18_EXP`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fixed18(i128);

impl Fixed {
    pub const ZERO: Fixed = Fixed(0);
    pub const ONE: Fixed = Fixed(FIXED_ONE);

    /// From a raw scaled value.
    pub const fn from_raw(raw: i128) -> Self {
        Fixed(raw)
    }
    /// The raw scaled value.
    pub const fn raw(self) -> i128 {
        self.0
    }
    /// An integer.
    pub fn from_int(value: i64) -> Self {
        Fixed(value as i128 * FIXED_ONE)
    }
    /// An unsigned integer (token amounts).
    pub fn from_u64(value: u64) -> Self {
        Fixed(value as i128 * FIXED_ONE)
    }
    /// `numerator / denominator`, rounded as asked.
    #[inline(always)]
    pub fn from_ratio(numerator: i128, denominator: i128, rounding: Rounding) -> RiskResult<Self> {
        Fixed::ratio_ref(&(numerator, denominator, rounding))
    }
    // sBPF passes at most five arguments in registers (a 128-bit value takes two, a returned
    // value wider than 64 bits a hidden pointer), and LLVM's argument promotion turns a
    // reference to one or two scalars back into values: out-of-line bodies take one reference
    // to three or more values (or at most two 128-bit values).
    fn ratio_ref(args: &(i128, i128, Rounding)) -> RiskResult<Self> {
        let (numerator, denominator, rounding) = *args;
        if denominator == 0 {
            return Err(RiskError::DivisionByZero);
        }
        let negative = (numerator < 0) != (denominator < 0);
        let n = wide::mul_128x128(numerator.unsigned_abs(), FIXED_ONE as u128);
        let (q, r) =
            wide::div_256_by_128(&n, denominator.unsigned_abs()).ok_or(RiskError::Overflow)?;
        let q = wide::bump(q, r != 0, wide::mag_up(rounding, negative))?;
        Ok(Fixed(wide::signed(q, negative && q != 0)?))
    }
    /// A value given in basis points.
    pub fn from_bps(bps: i64) -> Self {
        Fixed(bps as i128 * (FIXED_ONE / BPS_ONE))
    }
    /// A value given as a raw integer at another decimal exponent (e.g. a Pyth price with
    /// exponent -8 is `from_scaled(price, 8, ..)`), rounded as asked.
    pub fn from_scaled(value: i128, exp: u32, rounding: Rounding) -> RiskResult<Self> {
        let negative = value < 0;
        let mag: [u64; 4] = wide::from_u128(value.unsigned_abs());
        let q = if exp <= FIXED_EXP {
            let x = wide::mul_pow10(&mag, FIXED_EXP - exp).ok_or(RiskError::Overflow)?;
            wide::to_u128(&x).ok_or(RiskError::Overflow)?
        } else {
            let (x, inexact) = wide::div_pow10(&mag, exp - FIXED_EXP);
            let x = wide::to_u128(&x).ok_or(RiskError::Overflow)?;
            wide::bump(x, inexact, wide::mag_up(rounding, negative))?
        };
        Ok(Fixed(wide::signed(q, negative)?))
    }
    pub fn checked_add(self, other: Self) -> RiskResult<Self> {
        self.0
            .checked_add(other.0)
            .map(Fixed)
            .ok_or(RiskError::Overflow)
    }
    pub fn checked_sub(self, other: Self) -> RiskResult<Self> {
        self.0
            .checked_sub(other.0)
            .map(Fixed)
            .ok_or(RiskError::Overflow)
    }
    pub fn checked_neg(self) -> RiskResult<Self> {
        self.0.checked_neg().map(Fixed).ok_or(RiskError::Overflow)
    }
    /// `self * other`, rounded as asked.
    #[inline(always)]
    pub fn checked_mul(self, other: Self, rounding: Rounding) -> RiskResult<Self> {
        Fixed::mul_ref(&self, &other, rounding)
    }
    fn mul_ref(a: &Fixed, b: &Fixed, rounding: Rounding) -> RiskResult<Self> {
        let negative = (a.0 < 0) != (b.0 < 0);
        let p = wide::mul_128x128(a.0.unsigned_abs(), b.0.unsigned_abs());
        let (q, inexact) = wide::scale_down_floor(&p, 0, FIXED_EXP)?;
        let q = wide::bump(q, inexact, wide::mag_up(rounding, negative))?;
        Ok(Fixed(wide::signed(q, negative)?))
    }
    /// `self / other`, rounded as asked.
    #[inline(always)]
    pub fn checked_div(self, other: Self, rounding: Rounding) -> RiskResult<Self> {
        Fixed::ratio_ref(&(self.0, other.0, rounding))
    }
    /// `self * n` for an integer `n` (exact).
    pub fn checked_mul_int(self, n: i128) -> RiskResult<Self> {
        self.0.checked_mul(n).map(Fixed).ok_or(RiskError::Overflow)
    }
    /// The integer part, rounded as asked (token amounts out of a value).
    pub fn to_int(self, rounding: Rounding) -> RiskResult<i128> {
        let q = self.0.div_euclid(FIXED_ONE);
        let r = self.0.rem_euclid(FIXED_ONE);
        Ok(match rounding {
            Rounding::Down => q,
            Rounding::Up => q + (r != 0) as i128,
        })
    }
    pub fn abs(self) -> RiskResult<Self> {
        self.0.checked_abs().map(Fixed).ok_or(RiskError::Overflow)
    }
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
    /// Convert to [`Fixed18`] (exact).
    pub fn to_fixed18(self) -> RiskResult<Fixed18> {
        self.0
            .checked_mul(FIXED18_ONE / FIXED_ONE)
            .map(Fixed18)
            .ok_or(RiskError::Overflow)
    }
    /// The smaller of two values.
    pub fn min_of(self, other: Self) -> Self {
        if self.0 <= other.0 {
            self
        } else {
            other
        }
    }
    /// The larger of two values.
    pub fn max_of(self, other: Self) -> Self {
        if self.0 >= other.0 {
            self
        } else {
            other
        }
    }
}

impl Fixed18 {
    pub const ZERO: Fixed18 = Fixed18(0);
    pub const fn from_raw(raw: i128) -> Self {
        Fixed18(raw)
    }
    pub const fn raw(self) -> i128 {
        self.0
    }
    /// Convert to [`Fixed`], rounded as asked.
    pub fn to_fixed(self, rounding: Rounding) -> RiskResult<Fixed> {
        const D: i128 = FIXED18_ONE / FIXED_ONE; // 10^6
        let q = self.0.div_euclid(D);
        let r = self.0.rem_euclid(D);
        Ok(Fixed(match rounding {
            Rounding::Down => q,
            Rounding::Up => q + (r != 0) as i128,
        }))
    }
}

/// Exact decimal rendering (`-12.345000000000`), no floating point.
impl core::fmt::Display for Fixed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mag = self.0.unsigned_abs();
        let one = FIXED_ONE as u128;
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{}{}.{:012}", sign, mag / one, mag % one)
    }
}

/// Exact decimal rendering (`-0.000000000000000012`), no floating point.
impl core::fmt::Display for Fixed18 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mag = self.0.unsigned_abs();
        let one = FIXED18_ONE as u128;
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{}{}.{:018}", sign, mag / one, mag % one)
    }
}

#[cfg(test)]
#[path = "tests/fixed.rs"]
mod tests;
