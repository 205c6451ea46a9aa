//! Decimal fixed-point numbers with named precisions.
//!
//! API CONTRACT (stubs; the implementation replaces the bodies, not the signatures).

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
    pub fn from_ratio(_numerator: i128, _denominator: i128, _rounding: Rounding) -> RiskResult<Self> {
        todo!()
    }
    /// A value given in basis points.
    pub fn from_bps(bps: i64) -> Self {
        Fixed(bps as i128 * (FIXED_ONE / BPS_ONE))
    }
    /// A value given as a raw integer at another decimal exponent (e.g. a Pyth price with
    /// exponent -8 is `from_scaled(price, 8, ..)`), rounded as asked.
    pub fn from_scaled(_value: i128, _exp: u32, _rounding: Rounding) -> RiskResult<Self> {
        todo!()
    }
    pub fn checked_add(self, _other: Self) -> RiskResult<Self> {
        todo!()
    }
    pub fn checked_sub(self, _other: Self) -> RiskResult<Self> {
        todo!()
    }
    pub fn checked_neg(self) -> RiskResult<Self> {
        todo!()
    }
    /// `self * other`, rounded as asked.
    pub fn checked_mul(self, _other: Self, _rounding: Rounding) -> RiskResult<Self> {
        todo!()
    }
    /// `self / other`, rounded as asked.
    pub fn checked_div(self, _other: Self, _rounding: Rounding) -> RiskResult<Self> {
        todo!()
    }
    /// `self * n` for an integer `n` (exact).
    pub fn checked_mul_int(self, _n: i128) -> RiskResult<Self> {
        todo!()
    }
    /// The integer part, rounded as asked (token amounts out of a value).
    pub fn to_int(self, _rounding: Rounding) -> RiskResult<i128> {
        todo!()
    }
    pub fn abs(self) -> RiskResult<Self> {
        todo!()
    }
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
    /// Convert to [`Fixed18`] (exact).
    pub fn to_fixed18(self) -> RiskResult<Fixed18> {
        todo!()
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
    pub fn to_fixed(self, _rounding: Rounding) -> RiskResult<Fixed> {
        todo!()
    }
}

/// Exact decimal rendering (`-12.345000000000`), no floating point.
impl core::fmt::Display for Fixed {
    fn fmt(&self, _f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        todo!()
    }
}

#[allow(dead_code)]
fn _unused(_: RiskError) {}
