//! Black-Scholes-Merton prices and Greeks (rate r, no dividends), European calls and puts.
//!
//! API CONTRACT (stubs).
//!
//! Units: `spot` and `strike` in any one price unit (on chain: quote native units per whole
//! underlying unit); `vol` a fraction per sqrt(year) (0.2 = 20 %); `time_years` in years of
//! 365 days of 86,400 s; `rate` continuously compounded per year. Outputs: `price`, `vega`
//! (dP/dsigma, sigma a fraction) and `theta` (dP/dt per year of calendar time, negative when
//! the option loses value as time passes) in the price unit; `delta` dimensionless; `gamma`
//! per price unit, at 18 decimals.

use crate::{Fixed, Fixed18, RiskResult};

/// Seconds in a day.
pub const SECONDS_PER_DAY: i64 = 86_400;
/// Seconds in a year of 365 days.
pub const SECONDS_PER_YEAR: i64 = 31_536_000;

/// Call or put.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum OptionKind {
    Call = 0,
    Put = 1,
}

/// The inputs of one Black-Scholes evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BsInput {
    pub kind: OptionKind,
    pub spot: Fixed,
    pub strike: Fixed,
    pub vol: Fixed,
    pub time_years: Fixed,
    pub rate: Fixed,
}

/// Price and Greeks of one option (long, one unit of underlying).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Greeks {
    pub price: Fixed,
    pub delta: Fixed,
    pub gamma: Fixed18,
    pub vega: Fixed,
    pub theta: Fixed,
}

/// Years from seconds, rounded down.
pub fn years_from_seconds(_seconds: i64) -> RiskResult<Fixed> {
    todo!()
}

/// Intrinsic value `max(S-K, 0)` / `max(K-S, 0)`.
pub fn intrinsic(_kind: OptionKind, _spot: Fixed, _strike: Fixed) -> RiskResult<Fixed> {
    todo!()
}

/// Price only (cheaper than [`greeks`]). At or after expiry (`time_years <= 0`) returns intrinsic.
pub fn price(_input: &BsInput) -> RiskResult<Fixed> {
    todo!()
}

/// Price and Greeks. At or after expiry returns intrinsic, a step delta and zero
/// gamma, vega and theta.
pub fn greeks(_input: &BsInput) -> RiskResult<Greeks> {
    todo!()
}
