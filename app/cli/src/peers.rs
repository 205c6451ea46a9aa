//! What two public option venues would require for the same short, for `greekhouse margin
//! --compare` (capital-efficiency comparison). CLI code: nothing on chain uses it, so it lives
//! here rather than in the on-chain risk crate, whose public API it is written against.
//!
//! - [`opyn_naked_margin`]: Opyn Gamma's naked (partially collateralised) margin, the formula of
//!   `MarginCalculator._getNakedMarginRequired` in `opynfinance/GammaProtocol`:
//!   puts `(UB a + b) q` with `a = min(K, S (1 - h))`, `b = max(K - S (1 - h), 0)`; calls (in
//!   underlying units, here times S) `(UB a + b) q` with `a = min(1, K / S')`,
//!   `b = max(1 - K / S', 0)`, `S' = S (1 + h)`. `UB` is governance's "option upper bound
//!   value" for the option's time-to-expiry bucket, `h` its spot shock. The result is the
//!   whole collateral the vault must hold (the premium is the writer's, outside the vault).
//! - [`opyn_spread_margin`]: Opyn Gamma's spread vault (one short series, one long series of
//!   the same underlying, expiry and kind), the rules its `MarginCalculator` documents: puts
//!   `max(q_s K_s - K_l min(q_s, q_l), 0)` in quote; calls, in underlying units times S,
//!   `max((K_l - K_s) q_s / K_l, max(q_s - q_l, 0))`. The whole collateral the vault holds.
//! - [`zeta_short_margin`]: Zeta Markets' percentage-of-spot margin for a short option
//!   (`zeta-options` program, `MarginParameters`): `max(dynamic - OTM / S, floor) S q`, puts
//!   capped at `put_cap K q`; it is required on top of the option's mark (the account's
//!   unrealised P&L already charges the mark).
//!
//! Parameter values are the caller's (see `docs/risk-model.md`, 11, for the ones the table uses
//! and where they come from). Everything rounds up (a requirement).

use greekhouse_risk::{Fixed, OptionKind, RiskError, RiskResult, Rounding};

/// Opyn Gamma naked-margin parameters of one product and expiry bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpynParams {
    /// Spot shock `h` (puts: the spot falls to `S (1 - h)`; calls: rises to `S (1 + h)`).
    pub spot_shock: Fixed,
    /// Upper bound value `UB` of the option's time-to-expiry bucket, in [0, 1].
    pub upper_bound: Fixed,
}

/// Zeta-style percentage-of-spot parameters of one level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZetaParams {
    /// `dynamic`: percentage of spot before the out-of-the-money reduction (e.g. 0.25).
    pub dynamic_pct: Fixed,
    /// `floor`: minimum percentage of spot (e.g. 0.10).
    pub spot_pct: Fixed,
    /// Short puts: at most this fraction of the strike (1.0 = the maximum payoff).
    pub put_cap_pct: Fixed,
}

fn check(spot: Fixed, strike: Fixed, qty: Fixed) -> RiskResult<()> {
    if !spot.is_positive() || !strike.is_positive() {
        return Err(RiskError::NonPositivePrice);
    }
    if qty.is_negative() {
        return Err(RiskError::InvalidMarginParams);
    }
    Ok(())
}

/// Opyn Gamma's margin of a spread vault: a short of `short_qty` underlying units at
/// `short_strike` and a long of `long_qty` at `long_strike`, same underlying, expiry and
/// `kind`; quote units, rounded up.
pub fn opyn_spread_margin(
    kind: OptionKind,
    spot: Fixed,
    short_strike: Fixed,
    short_qty: Fixed,
    long_strike: Fixed,
    long_qty: Fixed,
) -> RiskResult<Fixed> {
    check(spot, short_strike, short_qty)?;
    check(spot, long_strike, long_qty)?;
    let up = Rounding::Up;
    match kind {
        OptionKind::Put => {
            let covered = long_strike.checked_mul(short_qty.min_of(long_qty), Rounding::Down)?;
            Ok(short_strike
                .checked_mul(short_qty, up)?
                .checked_sub(covered)?
                .max_of(Fixed::ZERO))
        }
        OptionKind::Call => {
            // underlying units, then their value at spot
            let spread = long_strike
                .checked_sub(short_strike)?
                .checked_mul(short_qty, up)?
                .checked_div(long_strike, up)?;
            let naked = short_qty.checked_sub(long_qty)?.max_of(Fixed::ZERO);
            spread.max_of(naked).checked_mul(spot, up)
        }
    }
}

/// Opyn Gamma's naked margin of a short of `qty` underlying units, quote units, rounded up.
pub fn opyn_naked_margin(
    kind: OptionKind,
    spot: Fixed,
    strike: Fixed,
    qty: Fixed,
    p: &OpynParams,
) -> RiskResult<Fixed> {
    check(spot, strike, qty)?;
    let unit = |x: Fixed| !x.is_negative() && x <= Fixed::ONE;
    if !unit(p.spot_shock) || !unit(p.upper_bound) {
        return Err(RiskError::InvalidMarginParams);
    }
    let up = Rounding::Up;
    let per_unit = match kind {
        OptionKind::Put => {
            // shocked spot rounded down (a larger b)
            let s_dn = spot.checked_mul(Fixed::ONE.checked_sub(p.spot_shock)?, Rounding::Down)?;
            let a = strike.min_of(s_dn);
            let b = strike.checked_sub(s_dn)?.max_of(Fixed::ZERO);
            p.upper_bound.checked_mul(a, up)?.checked_add(b)?
        }
        OptionKind::Call => {
            let s_up = spot.checked_mul(Fixed::ONE.checked_add(p.spot_shock)?, Rounding::Up)?;
            // K / S' rounded down makes b larger; a's share is then at most one unit low,
            // but UB a + b = UB + (1 - UB) b is increasing in b
            let ratio = strike.checked_div(s_up, Rounding::Down)?;
            let a = ratio.min_of(Fixed::ONE);
            let b = Fixed::ONE.checked_sub(ratio)?.max_of(Fixed::ZERO);
            let units = p.upper_bound.checked_mul(a, up)?.checked_add(b)?;
            units.checked_mul(spot, up)?
        }
    };
    per_unit.checked_mul(qty, up)
}

/// Zeta-style margin of a short of `qty` underlying units (on top of its mark), quote units,
/// rounded up: `max(dynamic - OTM / S, floor) S q`, puts at most `put_cap K q`.
pub fn zeta_short_margin(
    kind: OptionKind,
    spot: Fixed,
    strike: Fixed,
    qty: Fixed,
    p: &ZetaParams,
) -> RiskResult<Fixed> {
    check(spot, strike, qty)?;
    let unit = |x: Fixed| !x.is_negative() && x <= Fixed::ONE;
    if !unit(p.dynamic_pct) || !unit(p.spot_pct) || !unit(p.put_cap_pct) {
        return Err(RiskError::InvalidMarginParams);
    }
    let otm = match kind {
        OptionKind::Call => strike.checked_sub(spot)?,
        OptionKind::Put => spot.checked_sub(strike)?,
    }
    .max_of(Fixed::ZERO);
    // OTM / S rounded down: a larger percentage
    let pct = p
        .dynamic_pct
        .checked_sub(otm.checked_div(spot, Rounding::Down)?)?
        .max_of(p.spot_pct);
    let mut per_unit = pct.checked_mul(spot, Rounding::Up)?;
    if kind == OptionKind::Put {
        per_unit = per_unit.min_of(p.put_cap_pct.checked_mul(strike, Rounding::Up)?);
    }
    per_unit.checked_mul(qty, Rounding::Up)
}

#[cfg(test)]
mod tests;
