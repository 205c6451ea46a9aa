//! `buy_backstop`: sell new insurance-fund shares for a series' shortfall at the backstop
//! auction's current price (docs/insurance.md).

use crate::prelude::*;
use greekhouse_risk::fixed::FIXED_ONE;
use greekhouse_risk::insurance::price_at_base;
use greekhouse_risk::FundShares;

use crate::engine::insurance::supply_error;
use crate::engine::ledger;
use crate::engine::safe_math::Cast;
use crate::engine::settlement::{backstop_price, shortfall};
use crate::errors::GreekhouseError;
use crate::state::{
    pause, Clearinghouse, InsuranceFund, InsuranceStake, OptionSeries, SeriesStatus,
};

/// The rules of a backstop purchase that need nothing but the clearing house and the series.
pub fn check_buy_backstop(ch: &Clearinghouse, series: &OptionSeries, amount: u64) -> Result<()> {
    require!(amount > 0, GreekhouseError::ZeroAmount);
    require!(!ch.is_paused(pause::BACKSTOP), GreekhouseError::Paused);
    require!(series.backstop_start != 0, GreekhouseError::BackstopNotOpen);
    Ok(())
}

/// A purchase at the auction's price now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackstopQuote {
    /// Quote the buyer pays: the amount asked, capped at the series' shortfall.
    pub amount: u64,
    /// Price per share, quote native at exponent 12.
    pub price: u64,
    /// Shares the buyer's stake receives: `floor(amount * 10^12 / price)`.
    pub shares: u64,
}

/// The purchase of up to `amount` at most `max_price` from `series`' backstop at `now`, against
/// `fund` as it stands after its fee sweep and the rebase it needs.
pub fn quote_backstop(
    ch: &Clearinghouse,
    series: &OptionSeries,
    fund: &InsuranceFund,
    amount: u64,
    max_price: u64,
    now: i64,
) -> Result<BackstopQuote> {
    check_buy_backstop(ch, series, amount)?;
    require!(
        series.status == SeriesStatus::Settled as u8,
        GreekhouseError::SeriesAlreadyFinalized
    );
    let fund_price = fund.shares().price_per_share().map_err(supply_error)?;
    // the recorded start, per share at today's base, when the fund made at least the rebase it
    // was quoted at; otherwise the fund's share value now: either the shares it was quoted in
    // were wiped since, or inflows revived the old shares before the rebase the quote assumed
    // happened (carrying the price down to that base would sell shares at one raw unit,
    // `waterfall` review, found by the lifecycle fuzzer)
    let start_price = if series.backstop_price_base <= fund.shares_base {
        price_at_base(
            series.backstop_start_price,
            series.backstop_price_base,
            fund.shares_base,
        )
        .unwrap_or(fund_price)
    } else {
        fund_price
    };
    let price = backstop_price(
        &ch.params.settlement,
        series.backstop_start,
        start_price,
        now,
    )?
    .ok_or(GreekhouseError::BackstopClosed)?;
    require!(price <= max_price, GreekhouseError::BackstopPriceAboveLimit);
    let gap = shortfall(
        series.outstanding(),
        series.payout_per_contract,
        series.settlement_ledger,
    )?;
    require!(gap > 0, GreekhouseError::NoShortfall);
    let amount = amount.min(gap);
    // price is quote native per share at exponent 12: shares = amount * 10^12 / price
    let shares = FundShares::shares_at_price(amount, u128::from(price), FIXED_ONE.cast::<u128>()?)
        .map_err(supply_error)?;
    require!(shares > 0, GreekhouseError::StakeTooSmall);
    Ok(BackstopQuote {
        amount,
        price,
        shares,
    })
}

/// Book a purchase quoted by [`quote_backstop`] once its quote has arrived in the quote vault:
/// the series' ledger gains the amount, the buyer's stake the shares. Returns the shortfall
/// left.
pub fn buy_backstop(
    series: &mut OptionSeries,
    fund: &mut InsuranceFund,
    stake: &mut InsuranceStake,
    quote: &BackstopQuote,
) -> Result<u64> {
    ledger::buy_backstop(series, fund, stake, quote.amount, quote.shares)?;
    shortfall(
        series.outstanding(),
        series.payout_per_contract,
        series.settlement_ledger,
    )
}
