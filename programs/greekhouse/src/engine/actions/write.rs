//! `write_options`: release the account's own long in the series first, record the rest as a
//! short, charge the writing fee on the short and require IM >= 0 afterwards;
//! `burn_options`: buy back, close the short with the tokens burned (never margin-checked).

use crate::prelude::*;
use greekhouse_risk::MarginSummary;

use super::MarginPrices;
use crate::engine::{ledger, margin, pricing};
use crate::errors::GreekhouseError;
use crate::state::{
    pause, Clearinghouse, OptionSeries, SeriesStatus, Underlying, UnderlyingLedger, WriterAccount,
    WriterStatus,
};

/// What a write did.
#[derive(Clone, Debug)]
pub struct WriteOutcome {
    /// Contracts that came out of the writer's own long in the series (no short, no fee).
    pub from_long: u64,
    /// The writer's short in the series afterwards.
    pub short_after: u64,
    /// Writing fee charged to the writer's quote balance (quote native units).
    pub fee: u64,
    /// The account's margin afterwards.
    pub margin_after: MarginSummary,
    /// Equity at IM afterwards, whole quote native units rounded down (the event's value).
    pub initial_equity_after: i64,
}

/// The rules of a write that need no price.
pub fn check_write(
    ch: &Clearinghouse,
    writer: &WriterAccount,
    series: &OptionSeries,
    underlying: &Underlying,
    contracts: u64,
    now: i64,
) -> Result<()> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    require!(!ch.is_paused(pause::WRITE), GreekhouseError::Paused);
    writer.require_active()?;
    require!(
        series.status == SeriesStatus::Active as u8,
        GreekhouseError::SeriesExpired
    );
    require!(now < series.expiry, GreekhouseError::SeriesExpired);
    // another expired short's obligation is not fixed until it is settled
    require!(
        !writer.has_expired_short(now),
        GreekhouseError::PositionAwaitingSettlement
    );
    // a settlement debt is repaid before new risk; and an account with open debt markers gains
    // no position, which keeps positions plus markers within the marker capacity
    require!(
        !writer.has_open_debt_markers(),
        GreekhouseError::SettlementDebtOpen
    );
    require!(
        !underlying.surface_is_stale(now),
        GreekhouseError::VolSurfaceStale
    );
    require!(underlying.is_enabled(), GreekhouseError::ListingNotEnabled);
    Ok(())
}

/// Write `contracts` of `series` from `writer` (the caller mints them): a long the writer holds
/// in the series is released first (the two net); the rest is a short, growing both open
/// interests within the underlying's caps, and its fee (of the premium at the oracle price)
/// moves from the writer's quote balance into the underlying's accrued fees; the account as it
/// is then must stand at IM >= 0 with prices checked for a risk-increasing use.
#[allow(clippy::too_many_arguments)]
pub fn write(
    ch: &Clearinghouse,
    underlying: &Underlying,
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    book: &mut UnderlyingLedger,
    prices: &mut impl MarginPrices,
    contracts: u64,
    now: i64,
) -> Result<WriteOutcome> {
    check_write(ch, writer, series, underlying, contracts, now)?;
    let from_long = writer.long_contracts(&series_key).min(contracts);
    if from_long > 0 {
        ledger::close_long(writer, series_key, series, from_long)?;
    }
    let written = contracts - from_long;
    if written > 0 {
        ledger::open_short(
            writer,
            series_key,
            series,
            book,
            underlying.open_interest_cap,
            written,
            underlying.writer_open_interest_cap(),
            underlying.exercise_epoch,
        )?;
    }
    let loaded = prices.load(&[writer])?;
    let fee = if written > 0 {
        let template = series.short_template(series_key);
        let premium = pricing::premium(
            loaded.underlying(&template.underlying)?,
            &template,
            written,
            now,
            ch.params.min_time_to_expiry_secs,
            ch.quote_decimals,
        )?;
        pricing::fee_native(premium, ch.params.write_fee_bps)?
    } else {
        0
    };
    if fee > 0 {
        ledger::charge_fee(writer, book, fee)?;
    }
    let margin_after = loaded.margin_of(ch, writer, now)?;
    let initial_equity_after = margin::require_initial_margin(&margin_after)?;
    Ok(WriteOutcome {
        from_long,
        short_after: writer.short_contracts(&series_key),
        fee,
        margin_after,
        initial_equity_after,
    })
}

/// The rules of burning options against the writer's own short: never a bankrupt account's,
/// at most its short, and only before settlement (afterwards the short is an obligation in the
/// series' ledger, not a token to burn). Never paused: it only reduces risk.
pub fn check_burn(
    writer: &WriterAccount,
    series_key: &Pubkey,
    series: &OptionSeries,
    contracts: u64,
) -> Result<()> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    require!(
        writer.status()? != WriterStatus::Bankrupt,
        GreekhouseError::AccountNotActive
    );
    require!(
        writer.short_contracts(series_key) >= contracts,
        GreekhouseError::InsufficientShort
    );
    require!(
        series.status == SeriesStatus::Active as u8,
        GreekhouseError::SeriesExpired
    );
    Ok(())
}

/// Close `contracts` of `writer`'s short in `series` (their tokens burned): returns the short
/// left.
pub fn burn(
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    book: &mut UnderlyingLedger,
    contracts: u64,
) -> Result<u64> {
    check_burn(writer, &series_key, series, contracts)?;
    Ok(ledger::close_short(writer, series_key, series, book, contracts)?.short_after)
}
