//! Liquidation arithmetic on decoded accounts (docs/liquidation.md): what a slice moves, the
//! inputs of the auction formula from a margin summary, and the pro-rata split of a bankrupt
//! account's quote. Pure, so the SDK, bot and simulator call the same functions and predict a
//! bid to the token unit; the quote amounts themselves come from `greekhouse_risk::auction`.

use crate::prelude::*;
use greekhouse_risk::auction::{self, BidInputs, SliceSettlement};
use greekhouse_risk::{Fixed, MarginSummary, Rounding};

use crate::engine::safe_math::{Cast, SafeMath};
use crate::errors::GreekhouseError;
use crate::state::{LiquidationParams, Position, Side, WriterAccount};

/// `10^12`: a bid's `fraction` argument is a fixed-point number at exponent 12.
pub const FRACTION_ONE: u64 = 1_000_000_000_000;

/// What one slice moves from the liquidated account to the bidder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlicePlan {
    /// Each position with the contracts that move: of a short `ceil(fraction * contracts)`, of
    /// a long `floor(fraction * contracts)` (possibly zero).
    pub positions: Vec<(Position, u64)>,
    /// Each collateral balance with the amount that moves (`floor(fraction * amount)`).
    pub collaterals: Vec<(Pubkey, u64)>,
    /// Quote balance that moves (signed): a positive balance `floor`, a debt `ceil` in magnitude.
    pub quote: i64,
}

fn share(amount: u64, fraction: u64, up: bool) -> Result<u64> {
    let p = u128::from(amount) * u128::from(fraction);
    let one = u128::from(FRACTION_ONE);
    let q = p / one + u128::from(up && !p.is_multiple_of(one));
    u64::try_from(q).map_err(|_| error!(GreekhouseError::MathOverflow))
}

/// The items a bid for `fraction` (exponent 12, in `(0, 10^12]`) takes, rounded in the
/// liquidated account's favour: it keeps fewer shorts and less debt, more longs, more
/// collateral and more positive quote, so its remaining book is never larger than its share.
#[inline(never)] // its own sBPF stack frame (docs/performance.md, "Stack frames")
pub fn plan_slice(liquidated: &WriterAccount, fraction: u64) -> Result<SlicePlan> {
    require!(
        fraction > 0 && fraction <= FRACTION_ONE,
        GreekhouseError::InvalidBidFraction
    );
    let mut plan = SlicePlan::default();
    for p in liquidated.positions.iter().filter(|p| p.contracts > 0) {
        let short = p.side()? == Side::Short;
        plan.positions
            .push((*p, share(p.contracts, fraction, short)?));
    }
    for c in liquidated.collaterals.iter().filter(|c| c.amount > 0) {
        let moved = share(c.amount, fraction, false)?;
        if moved > 0 {
            plan.collaterals.push((c.asset, moved));
        }
    }
    let q = liquidated.quote_balance;
    let magnitude = share(q.unsigned_abs(), fraction, q < 0)?;
    let magnitude = i64::try_from(magnitude).map_err(|_| error!(GreekhouseError::MathOverflow))?;
    plan.quote = if q < 0 { -magnitude } else { magnitude };
    Ok(plan)
}

/// The auction inputs of the liquidated account at time `now`: its `MtM` and maintenance
/// add-on from `summary`, the discount of the curve since the start, the fee rate and the
/// fund's premium `k`.
///
/// The curve is compressed to end by the earliest expiry among the account's shorts now.
/// Every liquidation instruction refuses an account holding an expired position (it is
/// settled first, at its settlement price with no add-on, by `settle_position`), so that expiry
/// is still ahead: an expiry never makes the discount jump to 100 %, and a position that
/// expired and was settled during the auction no longer compresses it.
pub fn bid_inputs(
    params: &LiquidationParams,
    writer: &WriterAccount,
    summary: &MarginSummary,
    now: i64,
) -> Result<BidInputs> {
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    require_no_expired_position(writer, now)?;
    let start = writer.liquidation.start_time;
    let to_expiry = match writer.earliest_short_expiry() {
        None => None,
        Some(e) => Some(e.safe_sub(start)?),
    };
    let (discount, _) =
        auction::discount(&params.auction(), now.safe_sub(start)?, to_expiry).map_err(risk)?;
    Ok(BidInputs {
        mark_to_market: summary.mark_to_market,
        addon_maintenance: summary.maintenance.addon,
        discount,
        fee_rate: Fixed::from_bps(i64::from(params.fee_bps)),
        fund_premium: Fixed::from_bps(i64::from(params.fund_premium_bps)),
    })
}

/// The account is being liquidated, and holds no expired position (the rules every instruction
/// on a liquidating account shares).
pub fn require_liquidating(writer: &WriterAccount, now: i64) -> Result<()> {
    require!(
        writer.status()? == crate::state::WriterStatus::Liquidating,
        GreekhouseError::AccountNotLiquidating
    );
    require_no_expired_position(writer, now)
}

/// Liquidation values shorts before their expiry only: an expired short's obligation is fixed
/// by its settlement price, so it is settled (`settle_position`, anyone) rather than auctioned
/// with a spot add-on and a discount (docs/liquidation.md). An expired long blocks nothing: it
/// counts for nothing until its series finalizes and `settle_long` pays it.
pub fn require_no_expired_position(writer: &WriterAccount, now: i64) -> Result<()> {
    require!(
        !writer.has_expired_short(now),
        GreekhouseError::PositionAwaitingSettlement
    );
    Ok(())
}

/// The largest fraction a bid may take now: enough to bring the account back to the end level
/// and, while a settlement debt is unpaid, enough to clear it, whichever is more (each from
/// homogeneity, [`auction::bid_max_fraction`]); never more. Zero when neither is needed.
pub fn max_bid_fraction(
    writer: &WriterAccount,
    inputs: &BidInputs,
    end_equity: Fixed,
) -> Result<Fixed> {
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    let to_end = auction::bid_max_fraction(inputs, end_equity).map_err(risk)?;
    if !writer.has_settlement_debt() {
        return Ok(to_end);
    }
    // the account's quote after a slice of f is at least (1 - f) q + f P - 1 (the debt share
    // moves rounded up, the payment net of its fee loses at most one unit), the same shape as
    // the end level's equity: the same closed form clears it
    let debt = Fixed::from_int(writer.quote_balance);
    let to_clear = auction::bid_max_fraction(inputs, debt).map_err(risk)?;
    Ok(to_end.max_of(to_clear))
}

/// A slice's settlement as the insurance fund can pay it: the fund pays at most the quote it
/// holds, never more, and the bid does not fail for want of it. A negative payment beyond
/// `fund_balance` becomes `-fund_balance`; the bidder's `payment_limit` decides whether that is
/// still worth taking. A late auction on an account nobody bought in time thus stays buyable
/// when the fund is empty, and no account freezes behind a wiped fund.
pub fn fund_limited(settlement: SliceSettlement, fund_balance: u64) -> SliceSettlement {
    let available = i128::from(fund_balance);
    if settlement.from_fund <= available {
        return settlement;
    }
    SliceSettlement {
        payment: -available,
        fee: 0,
        to_account: 0,
        from_fund: available,
    }
}

/// A non-negative risk-engine value as `u64` quote native units, rounded as asked.
pub fn to_native_u64(value: Fixed, rounding: Rounding) -> Result<u64> {
    let v = value
        .to_int(rounding)
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    u64::try_from(v.max(0)).map_err(|_| error!(GreekhouseError::MathOverflow))
}

/// A signed risk-engine value as `i64` quote native units, rounded as asked.
pub fn to_native_i64(value: Fixed, rounding: Rounding) -> Result<i64> {
    let v = value
        .to_int(rounding)
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    i64::try_from(v).map_err(|_| error!(GreekhouseError::MathOverflow))
}

/// A fraction or discount in `[0, 1]` as its raw exponent-12 integer.
pub fn unit_raw(value: Fixed) -> Result<u64> {
    u64::try_from(value.raw()).map_err(|_| error!(GreekhouseError::MathOverflow))
}

/// Split `total` over `weights` pro rata, exactly: each part is `floor(total * w / sum)` and
/// the remainder goes one unit at a time to the largest fractional remainders (ties to the
/// earlier entry). All weights zero: everything to the first entry.
pub fn split_pro_rata(total: u64, weights: &[u64]) -> Result<Vec<u64>> {
    if weights.is_empty() {
        require!(total == 0, GreekhouseError::InvariantViolated);
        return Ok(Vec::new());
    }
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if sum == 0 {
        let mut parts = vec![0; weights.len()];
        parts[0] = total;
        return Ok(parts);
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: u64 = 0;
    for (i, &w) in weights.iter().enumerate() {
        let p = u128::from(total) * u128::from(w);
        // w <= sum, so the part is at most `total`: the cast never fails
        let part = (p / sum).cast::<u64>()?;
        parts.push(part);
        remainders.push((p % sum, i));
        given = given.safe_add(part)?;
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders.iter().take((total - given).cast::<usize>()?) {
        parts[*i] += 1;
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_exact_and_pro_rata() {
        assert_eq!(split_pro_rata(10, &[1, 1, 1]).unwrap(), vec![4, 3, 3]);
        assert_eq!(split_pro_rata(7, &[0, 0]).unwrap(), vec![7, 0]);
        assert_eq!(split_pro_rata(100, &[3, 1]).unwrap(), vec![75, 25]);
        assert_eq!(split_pro_rata(1, &[1, 2]).unwrap(), vec![0, 1]);
        let parts = split_pro_rata(999_999, &[7, 11, 13, 17]).unwrap();
        assert_eq!(parts.iter().sum::<u64>(), 999_999);
    }

    #[test]
    fn shares_round_in_the_liquidated_accounts_favour() {
        assert_eq!(share(3, FRACTION_ONE / 2, true).unwrap(), 2);
        assert_eq!(share(3, FRACTION_ONE / 2, false).unwrap(), 1);
        assert_eq!(share(u64::MAX, FRACTION_ONE, false).unwrap(), u64::MAX);
    }
}
