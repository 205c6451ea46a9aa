//! Dutch auction of a liquidated account (docs/protocol.md section 7).
//!
//! Fractions are [`Fixed`] in (0, 1]. Times are seconds.
//!
//! The discount curve: `d(t)` rises linearly from `start_discount` to `fast_discount` over the
//! fast phase `[0, F)`, then linearly to 1 over the slow phase `[F, F + S)`, after which it is 1
//! (exhausted). The curve must reach 1 no later than the earliest expiry `E` in the account
//! (measured from the auction start):
//! - `E >= F + S`: nominal curve;
//! - `F <= E < F + S`: the slow phase is compressed to `[F, E)`;
//! - `0 < E < F`: the whole curve is compressed proportionally into `[0, E)` (the fast phase
//!   keeps its share `F / (F + S)` of the curve), so bidders still see the fast-phase prices
//!   first and the discount still reaches 1 exactly at expiry;
//! - `E <= 0` (already expired): the discount is 1.

use crate::fixed::{FIXED_EXP, FIXED_ONE};
use crate::wide::{self, U256};
use crate::{Fixed, RiskError, RiskResult, Rounding};

/// Hard bound on every auction duration: 30 days.
pub const MAX_AUCTION_DURATION_SECS: i64 = 30 * 86_400;

/// Auction curve parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuctionParams {
    /// Discount at the start (default 0).
    pub start_discount: Fixed,
    /// Discount at the end of the fast phase (default 0.20).
    pub fast_discount: Fixed,
    /// Length of the fast phase (default 600 s).
    pub fast_duration_secs: i64,
    /// Length of the slow phase from `fast_discount` to 100 % (compressed to end no later
    /// than the earliest expiry in the account).
    pub slow_duration_secs: i64,
}

/// Where on the curve an auction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuctionPhase {
    Fast,
    Slow,
    /// Past the slow phase: discount is 100 %.
    Exhausted,
}

impl AuctionParams {
    /// Protocol defaults (PROTOCOL 5): 0 % to 20 % over 10 minutes, then to 100 % over 6 hours.
    /// Reasoning in `docs/risk-model.md`.
    pub const DEFAULT: AuctionParams = AuctionParams {
        start_discount: Fixed::ZERO,
        fast_discount: Fixed::from_raw(FIXED_ONE / 5),
        fast_duration_secs: 600,
        slow_duration_secs: 6 * 3_600,
    };

    /// `0 <= start <= fast < 1`; every duration in `[1 s, 30 days]`.
    pub fn validate(&self) -> RiskResult<()> {
        let d_ok = |d: i64| (1..=MAX_AUCTION_DURATION_SECS).contains(&d);
        if self.start_discount.is_negative()
            || self.fast_discount < self.start_discount
            || self.fast_discount >= Fixed::ONE
            || !d_ok(self.fast_duration_secs)
            || !d_ok(self.slow_duration_secs)
        {
            return Err(RiskError::InvalidAuctionParams);
        }
        Ok(())
    }
}

/// `a + (b - a) * num / den` for raw `[a, b, num, den]`, rounded down (`0 <= num <= den`,
/// `den > 0`, `a <= b`).
fn lerp_down(v: &[i128; 4]) -> Fixed {
    let [a, b, num, den] = *v;
    Fixed::from_raw(a + (b - a) * num / den)
}

/// Discount d(t) after `elapsed_secs` since the start; `secs_to_earliest_expiry` is measured from
/// the auction start (None when the account has no position). Rounded down: a smaller discount
/// means a larger payment from the bidder and a smaller one from the insurance fund.
///
/// A negative `elapsed_secs` is treated as 0. See the module documentation for the compression
/// of the curve before an expiry.
pub fn discount(
    params: &AuctionParams,
    elapsed_secs: i64,
    secs_to_earliest_expiry: Option<i64>,
) -> RiskResult<(Fixed, AuctionPhase)> {
    params.validate()?;
    let t = elapsed_secs.max(0) as i128;
    let f = params.fast_duration_secs as i128;
    let s = params.slow_duration_secs as i128;
    let nominal_end = f + s;
    // Phase boundaries as fractions fe = fe_n / den, se = se_n / den, and t as t * den.
    let (fe_n, se_n, den) = match secs_to_earliest_expiry {
        None => (f, nominal_end, 1),
        Some(e) if e as i128 >= nominal_end => (f, nominal_end, 1),
        Some(e) if e as i128 >= f => (f, e as i128, 1),
        Some(e) if e > 0 => {
            // proportional: fe = E F / (F + S), se = E
            let e = e as i128;
            (e * f, e * nominal_end, nominal_end)
        }
        Some(_) => return Ok((Fixed::ONE, AuctionPhase::Exhausted)),
    };
    let tn = t * den;
    if tn < fe_n {
        Ok((
            lerp_down(&[
                params.start_discount.raw(),
                params.fast_discount.raw(),
                tn,
                fe_n,
            ]),
            AuctionPhase::Fast,
        ))
    } else if tn < se_n {
        Ok((
            lerp_down(&[
                params.fast_discount.raw(),
                FIXED_ONE,
                tn - fe_n,
                se_n - fe_n,
            ]),
            AuctionPhase::Slow,
        ))
    } else {
        Ok((Fixed::ONE, AuctionPhase::Exhausted))
    }
}

fn check_fraction(fraction: Fixed) -> RiskResult<()> {
    if fraction.raw() <= 0 || fraction > Fixed::ONE {
        return Err(RiskError::InvalidFraction);
    }
    Ok(())
}

fn check_unit(x: Fixed) -> RiskResult<()> {
    if x.is_negative() || x > Fixed::ONE {
        return Err(RiskError::InvalidAuctionParams);
    }
    Ok(())
}

/// The inputs of one bid, measured on the liquidated account with current prices at the bid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BidInputs {
    /// `MtM`: collateral at oracle (no haircut) + quote balance - liability (quote native units).
    pub mark_to_market: Fixed,
    /// The maintenance add-on of the whole account (quote native units, `>= 0`).
    pub addon_maintenance: Fixed,
    /// `d(t)` from [`discount`], in `[0, 1]`.
    pub discount: Fixed,
    /// Liquidation fee rate on the add-on, in `[0, 1]`.
    pub fee_rate: Fixed,
    /// `k`, in `[0, 1]`: the insurance fund adds at most the account's deficit plus `k` times
    /// the add-on, so it never pays for risk beyond the deficit it covers.
    pub fund_premium: Fixed,
}

impl BidInputs {
    fn validate(&self) -> RiskResult<()> {
        check_unit(self.discount)?;
        check_unit(self.fee_rate)?;
        check_unit(self.fund_premium)?;
        if self.addon_maintenance.is_negative() {
            return Err(RiskError::InvalidAuctionParams);
        }
        Ok(())
    }

    /// `W = MtM - min(d * (max(MtM, 0) + addon_MM), max(MtM, 0) + k * addon_MM)` for the whole
    /// account, exactly, at `10^-24` quote native units (raw times raw), as (magnitude,
    /// negative). The first term is the discount; the second caps it so that a negative `W`
    /// (the fund pays) is at most the deficit `max(-MtM, 0)` plus `k * addon_MM`. Never
    /// overflows for validated inputs: `max(MtM, 0) + addon_MM < 2^128` and `d, k <= 10^12 <
    /// 2^40`, so every magnitude is below `2^170`.
    fn whole_payment_exact(&self) -> RiskResult<(U256, bool)> {
        let mtm = self.mark_to_market.raw();
        let mtm_pos = mtm.max(0) as u128;
        let addon = self.addon_maintenance.raw() as u128;
        // both terms are in [0, i128::MAX]: the sum fits u128
        let base = mtm_pos + addon;
        let discounted = wide::mul_128x128(self.discount.raw() as u128, base);
        let mut cap = wide::mul_128x128(mtm_pos, FIXED_ONE as u128);
        wide::add_assign(
            &mut cap,
            &wide::mul_128x128(self.fund_premium.raw() as u128, addon),
        )?;
        let off = if wide::checked_sub(&discounted, &cap).is_some() {
            cap
        } else {
            discounted
        };
        let m = wide::mul_128x128(mtm.unsigned_abs(), FIXED_ONE as u128);
        if mtm >= 0 {
            Ok(wide::signed_diff(&m, &off))
        } else {
            let mut v = m;
            wide::add_assign(&mut v, &off)?;
            Ok((v, true))
        }
    }

    /// `fee_rate * addon_MM` exactly, at `10^-24` quote native units.
    fn fee_exact(&self) -> U256 {
        wide::mul_128x128(
            self.fee_rate.raw() as u128,
            self.addon_maintenance.raw() as u128,
        )
    }
}

/// `x * fraction` for an exact value `x` at `10^-24` quote native units, as a whole number of
/// quote native units, rounded once as asked.
fn times_fraction_to_int(
    x: &(U256, bool),
    fraction: Fixed,
    rounding: Rounding,
) -> RiskResult<i128> {
    let (mag, negative) = *x;
    // fraction <= 10^12 < 2^40 and mag < 2^169: the product fits 256 bits
    let p = wide::mul_small(&mag, fraction.raw() as u64).ok_or(RiskError::Overflow)?;
    // 10^-24 units times a 10^-12 fraction: 10^-36 units
    let q = wide::scale_down(&p, 0, 3 * FIXED_EXP, wide::mag_up(rounding, negative))?;
    wide::signed(q, negative && q != 0)
}

/// What one slice of a liquidation moves in quote (quote native units, integers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SliceSettlement {
    /// `fraction * (MtM - min(d * (max(MtM, 0) + addon_MM), max(MtM, 0) + k * addon_MM))`,
    /// computed exactly and rounded once
    /// toward +infinity: a positive payment (bidder to the liquidated account) up, the
    /// magnitude of a negative one (the insurance fund to the bidder) down.
    pub payment: i128,
    /// Liquidation fee to the insurance fund: `min(ceil(fraction * fee_rate * addon_MM),
    /// max(payment, 0))` (the product exact, rounded once), taken out of a positive payment
    /// (zero when the fund pays).
    pub fee: i128,
    /// What the liquidated account receives: `max(payment, 0) - fee` (never negative).
    pub to_account: i128,
    /// What the insurance fund pays the bidder: `max(-payment, 0)`.
    pub from_fund: i128,
}

/// The quote a bid for `fraction` of the account moves (docs/protocol.md section 7): one
/// formula, continuous in `MtM`, so no bidder gains by waiting for the account to become
/// insolvent. `InvalidFraction` outside (0, 1]; `InvalidAuctionParams` for a discount or fee
/// rate outside [0, 1] or a negative add-on.
///
/// Each integer is the exact value rounded once (no intermediate rounding): `payment` is
/// `ceil` of the exact signed product, the uncapped fee `ceil` of `fraction * fee_rate *
/// addon_MM`. No valid input overflows (the results are below `2^128` quote native units).
pub fn slice_settlement(inputs: &BidInputs, fraction: Fixed) -> RiskResult<SliceSettlement> {
    check_fraction(fraction)?;
    inputs.validate()?;
    let whole = inputs.whole_payment_exact()?;
    let payment = times_fraction_to_int(&whole, fraction, Rounding::Up)?;
    let fee_uncapped = times_fraction_to_int(&(inputs.fee_exact(), false), fraction, Rounding::Up)?;
    let paid = payment.max(0);
    let fee = fee_uncapped.min(paid);
    Ok(SliceSettlement {
        payment,
        fee,
        to_account: paid - fee,
        from_fund: (-payment).max(0),
    })
}

/// What the account would receive, net of the fee, for the whole account (`fraction = 1`):
/// `P = max(W, 0) - min(fee_rate * addon_MM, max(W, 0)) = max(W - fee_rate * addon_MM, 0)`
/// with `W` the whole-account payment of [`slice_settlement`], computed exactly and rounded down once
/// (so [`max_fraction`] rounds up).
pub fn whole_account_net(inputs: &BidInputs) -> RiskResult<Fixed> {
    inputs.validate()?;
    let (w, negative) = inputs.whole_payment_exact()?;
    if negative {
        return Ok(Fixed::ZERO);
    }
    let net = match wide::checked_sub(&w, &inputs.fee_exact()) {
        Some(net) => net,
        None => return Ok(Fixed::ZERO),
    };
    let q = wide::scale_down(&net, 0, FIXED_EXP, false)?;
    Ok(Fixed::from_raw(wide::signed(q, false)?))
}

/// The largest fraction a bid may take: the smallest 12-decimal fraction `f` (capped at 1) such
/// that a bid of `f` certainly leaves the account at or above the end level.
///
/// A slice of `f` credits the account `to_account > f P - 1` quote native unit (`P` the
/// [`whole_account_net`]; the payment is rounded up, but the fee, `ceil` of its exact value,
/// can take up to one unit more than `f` times the whole-account fee), and leaves it at least
/// `(1 - f)` of its book (moved items round in its favour), so its end-level equity becomes
/// more than `(1 - f) E + f P - 1`. This function asks for `(1 - f) E + f P >= 1`, i.e.
/// [`max_fraction`]`(E - 1, P - 1)` (one quote native unit off both), so that the bid restores
/// `equity(end) >= 0` up to the margin's own fixed-point rounding. Returns 0 when
/// `equity_end >= 0` (no bid needed) and 1 when `P <= 1` unit.
pub fn bid_max_fraction(inputs: &BidInputs, equity_end: Fixed) -> RiskResult<Fixed> {
    let net = whole_account_net(inputs)?;
    if !equity_end.is_negative() {
        return Ok(Fixed::ZERO);
    }
    let unit = Fixed::ONE;
    max_fraction(equity_end.checked_sub(unit)?, net.checked_sub(unit)?)
}

/// Keeper tip for starting a liquidation (quote native units): `min(tip_max,
/// ceil(tip_rate * addon_MM), max(quote_balance, 0))` when `addon_MM >= dust_min`, else zero.
/// Paid only from the account's positive quote balance, so it never creates a debt.
/// `InvalidAuctionParams` for a tip rate outside [0, 1] or a negative add-on.
pub fn keeper_tip(
    addon_maintenance: Fixed,
    tip_rate: Fixed,
    limits: &TipLimits,
) -> RiskResult<i128> {
    check_unit(tip_rate)?;
    if addon_maintenance.is_negative() {
        return Err(RiskError::InvalidAuctionParams);
    }
    if addon_maintenance < Fixed::from_raw(limits.dust_min.saturating_mul(FIXED_ONE)) {
        return Ok(0);
    }
    // one product rounded up to the 10^-12 grid, then up to an integer: the same as the
    // ceiling of the exact product (the integers lie on the finer grid)
    let tip = tip_rate
        .checked_mul(addon_maintenance, Rounding::Up)?
        .to_int(Rounding::Up)?;
    Ok(tip
        .min(limits.tip_max)
        .min(limits.quote_balance.max(0))
        .max(0))
}

/// Bounds of a keeper tip, all in quote native units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TipLimits {
    /// Largest tip.
    pub tip_max: i128,
    /// Smallest maintenance add-on for which any tip is paid (dust accounts pay none).
    pub dust_min: i128,
    /// The liquidated account's quote balance (only a positive balance pays).
    pub quote_balance: i128,
}

/// The fraction that returns the account exactly to the end level given the price a bidder pays
/// for the whole account: solves `(1 - f) * equity_end + f * whole_account_price = 0` for
/// `equity_end < 0`; rounded up and capped at 1. Returns 1 when no fraction below 1 restores it
/// (price <= 0).
///
/// `f = -E / (P - E)`, the smallest 12-decimal fraction with `(1 - f) E + f P >= 0`. An account
/// already at or above the end level (`equity_end >= 0`) needs no bid: returns 0.
pub fn max_fraction(equity_end: Fixed, whole_account_price: Fixed) -> RiskResult<Fixed> {
    if !equity_end.is_negative() {
        return Ok(Fixed::ZERO);
    }
    if !whole_account_price.is_positive() {
        return Ok(Fixed::ONE);
    }
    let num = equity_end.checked_neg()?;
    let den = whole_account_price.checked_sub(equity_end)?;
    let f = Fixed::from_ratio(num.raw(), den.raw(), Rounding::Up)?;
    Ok(f.min_of(Fixed::ONE))
}

/// The default is [`AuctionParams::DEFAULT`], never an all-zero configuration (which would
/// validate and silently mean no discount over no time).
impl Default for AuctionParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
#[path = "tests/auction.rs"]
mod tests;
