//! `settle_series`: fix an expired series' payout and obligation from its final settlement
//! price, release its open interest, and cover its unbacked contracts from the bankrupt
//! writers' cover and the insurance fund (docs/settlement.md).

use crate::prelude::*;

use crate::engine::ledger;
use crate::engine::settlement::{contract_amounts, fund_cover, settlement_price_native};
use crate::errors::GreekhouseError;
use crate::events::SeriesSettled;
use crate::state::{
    Clearinghouse, InsuranceFund, OptionSeries, SeriesStatus, SettlementPrice, UnderlyingLedger,
};

/// The rules of a series settlement that need nothing but the series and its price.
pub fn check_settle_series(s: &OptionSeries, sp: &SettlementPrice, now: i64) -> Result<()> {
    require!(
        s.status == SeriesStatus::Active as u8,
        GreekhouseError::SeriesAlreadySettled
    );
    require!(now >= s.expiry, GreekhouseError::NotExpired);
    require!(
        sp.underlying == s.underlying && sp.expiry == s.expiry,
        GreekhouseError::WrongSettlementPrice
    );
    require!(sp.is_final(), GreekhouseError::SettlementPriceNotFinal);
    Ok(())
}

/// Settle `series` at `sp`: returns the event, whose `fund_cover` the handler moves from the
/// insurance vault to the quote vault.
pub fn settle_series(
    ch: &Clearinghouse,
    sp: &SettlementPrice,
    series_key: Pubkey,
    series: &mut OptionSeries,
    book: &mut UnderlyingLedger,
    fund: &mut InsuranceFund,
    now: i64,
) -> Result<SeriesSettled> {
    check_settle_series(series, sp, now)?;
    let amounts = contract_amounts(
        series.kind,
        series.strike,
        series.contract_size,
        sp.price,
        sp.expo,
        ch.quote_decimals,
    )?;
    series.status = SeriesStatus::Settled as u8;
    series.settlement_price = settlement_price_native(sp.price, sp.expo, ch.quote_decimals)?;
    series.payout_per_contract = amounts.payout;
    series.obligation_per_contract = amounts.obligation;
    series.shorts_to_settle = if series.is_american() {
        // the writers' shorts as their accounts record them: each settles its accrued short
        // (pending exercises accrue first, and what they close comes off this count too)
        series.recorded_shorts
    } else {
        series
            .open_interest
            .checked_sub(series.unbacked_contracts)
            .ok_or(GreekhouseError::InvariantViolated)?
    };
    // the series no longer counts against the underlying's open-interest cap
    ledger::release_series_open_interest(series, book)?;
    let from_fund = fund_cover(
        series.unbacked_contracts,
        amounts.payout,
        series.unbacked_cover,
        fund.balance,
    )?;
    let cover = series.unbacked_cover;
    // the backstop, if one is needed, starts from the share value before this series' loss
    // (at the share base the fund will have after the rebase it needs, so a wiped fund's
    // price is not rounded to one unit; docs/insurance.md)
    let (start_price, digits) = fund
        .shares()
        .backstop_start()
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    series.backstop_start_price = start_price;
    series.backstop_price_base = fund
        .shares_base
        .checked_add(digits)
        .ok_or(GreekhouseError::MathOverflow)?;
    ledger::settle_series_cover(series, fund, from_fund)?;
    Ok(SeriesSettled {
        series: series_key,
        settlement_price: series.settlement_price,
        payout_per_contract: amounts.payout,
        obligation_per_contract: amounts.obligation,
        shorts_to_settle: series.shorts_to_settle,
        unbacked_contracts: series.unbacked_contracts,
        unbacked_cover: cover,
        fund_cover: from_fund,
        fund_balance_after: fund.balance,
    })
}
