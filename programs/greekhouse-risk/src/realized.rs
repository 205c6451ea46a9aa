//! The realized-volatility estimate of an underlying: an exponentially weighted moving average
//! of squared log returns of the prices the program already reads (docs/risk-model.md 6.8).
//!
//! Samples are taken at least `sample_secs` apart (prices in between leave the anchor where
//! it is, which keeps sub-second oracle noise out); each sample's squared return is capped at
//! `max_return^2` (one bad print moves the estimate a bounded amount), annualised by the time
//! since the anchor, and weighted by `1 - 2^(-dt / half_life)`, so the estimate forgets half of
//! its past per half-life of wall time whatever the sampling rate. The caller feeds only prices
//! newer than the last it recorded (the program's no-rollback rule), so no caller can choose
//! which past prices enter. Every rounding is upward: the estimate errs high.

use crate::bs::{MAX_VOL, SECONDS_PER_YEAR};
use crate::{math, Fixed, RiskError, RiskResult, Rounding};

/// Parameters of the estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RealizedVolParams {
    /// Wall time over which a sample's weight halves, seconds, in [15 min, 30 days].
    pub half_life_secs: u32,
    /// Least time between two samples, seconds, in [1, 1 hour].
    pub sample_secs: u32,
    /// Cap of one sample's absolute log return, in [0.01, 1].
    pub max_return: Fixed,
}

/// Bounds of [`RealizedVolParams`].
pub const MIN_HALF_LIFE_SECS: u32 = 15 * 60;
pub const MAX_HALF_LIFE_SECS: u32 = 30 * 86_400;
pub const MIN_SAMPLE_SECS: u32 = 1;
pub const MAX_SAMPLE_SECS: u32 = 3_600;
pub const MIN_MAX_RETURN: Fixed = Fixed::from_raw(10_000_000_000);
pub const MAX_MAX_RETURN: Fixed = Fixed::ONE;

impl RealizedVolParams {
    /// Defaults: half-life one hour (a regime change shows within the hour: with six hours
    /// an 8-hour crash at 250 % vol breaches the static MM before the estimate has risen), a
    /// sample at most every minute, returns capped at 50 %.
    pub const DEFAULT: RealizedVolParams = RealizedVolParams {
        half_life_secs: 3_600,
        sample_secs: 60,
        max_return: Fixed::from_raw(500_000_000_000),
    };

    pub fn validate(&self) -> RiskResult<()> {
        let ok = (MIN_HALF_LIFE_SECS..=MAX_HALF_LIFE_SECS).contains(&self.half_life_secs)
            && (MIN_SAMPLE_SECS..=MAX_SAMPLE_SECS).contains(&self.sample_secs)
            && self.max_return >= MIN_MAX_RETURN
            && self.max_return <= MAX_MAX_RETURN;
        if ok {
            Ok(())
        } else {
            Err(RiskError::InvalidMarginParams)
        }
    }
}

/// The estimate's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RealizedVolState {
    /// Annualised variance, at most `MAX_VOL^2`.
    pub variance: Fixed,
    /// The last sample's price (quote per underlying unit) and time; zero time: none yet.
    pub anchor_price: Fixed,
    pub anchor_time: i64,
    /// Samples taken.
    pub samples: u32,
}

impl RealizedVolState {
    /// A state seeded with `vol` (annualised), e.g. the surface's first ATM vol at listing.
    pub fn seeded(vol: Fixed) -> RiskResult<RealizedVolState> {
        Ok(RealizedVolState {
            variance: vol.checked_mul(vol, Rounding::Up)?,
            ..RealizedVolState::default()
        })
    }

    /// The annualised vol, rounded up, at most `MAX_VOL`.
    pub fn vol(&self) -> RiskResult<Fixed> {
        let root = math::sqrt(self.variance)?;
        // sqrt rounds down
        let up = if root.checked_mul(root, Rounding::Up)? < self.variance {
            root.checked_add(Fixed::from_raw(1))?
        } else {
            root
        };
        Ok(up.min_of(MAX_VOL))
    }
}

/// The state after a price `price` (> 0) published at `time` (seconds), newer than every price
/// recorded before: the first price anchors; a price less than `sample_secs` after the anchor
/// changes nothing; otherwise one sample `x = min(r^2, max_return^2) * year / dt` with
/// `r = ln(price / anchor)`, `dt = time - anchor_time`, enters as
/// `variance += (1 - 2^(-dt / half_life)) (x - variance)` and the price becomes the anchor.
pub fn record(
    state: &RealizedVolState,
    params: &RealizedVolParams,
    price: Fixed,
    time: i64,
) -> RiskResult<RealizedVolState> {
    params.validate()?;
    if !price.is_positive() {
        return Err(RiskError::NonPositivePrice);
    }
    if state.anchor_time == 0 || !state.anchor_price.is_positive() {
        return Ok(RealizedVolState {
            anchor_price: price,
            anchor_time: time,
            ..*state
        });
    }
    let dt = time.saturating_sub(state.anchor_time);
    if dt < i64::from(params.sample_secs) {
        return Ok(*state);
    }
    let dt_fixed = Fixed::from_u64(dt as u64);
    // r = ln(P) - ln(P0): no ratio to round
    let r = math::ln(price)?.checked_sub(math::ln(state.anchor_price)?)?;
    let r = if r.is_negative() { r.checked_neg()? } else { r }.min_of(params.max_return);
    let x = r
        .checked_mul(r, Rounding::Up)?
        .checked_mul(Fixed::from_u64(SECONDS_PER_YEAR as u64), Rounding::Up)?
        .checked_div(dt_fixed, Rounding::Up)?;
    // weight a = 1 - 2^(-dt / half_life) = 1 - exp(-ln 2 dt / half_life), in (0, 1]
    let decay = math::exp(
        LN_2.checked_mul(dt_fixed, Rounding::Up)?
            .checked_div(
                Fixed::from_u64(u64::from(params.half_life_secs)),
                Rounding::Up,
            )?
            .checked_neg()?,
    )?;
    let a = Fixed::ONE.checked_sub(decay)?.max_of(Fixed::ZERO);
    // an upward move rounds up, a downward one toward zero: the estimate errs high
    let move_by = x.checked_sub(state.variance)?;
    let step = if move_by.is_negative() {
        a.checked_mul(move_by.checked_neg()?, Rounding::Down)?
            .checked_neg()?
    } else {
        a.checked_mul(move_by, Rounding::Up)?
    };
    let max_variance = MAX_VOL.checked_mul(MAX_VOL, Rounding::Up)?;
    Ok(RealizedVolState {
        variance: state
            .variance
            .checked_add(step)?
            .max_of(Fixed::ZERO)
            .min_of(max_variance),
        anchor_price: price,
        anchor_time: time,
        samples: state.samples.saturating_add(1),
    })
}

/// `ln 2`, rounded up.
const LN_2: Fixed = Fixed::from_raw(693_147_180_560);

#[cfg(test)]
#[allow(clippy::float_arithmetic)]
#[path = "tests/realized.rs"]
mod tests;
