//! A writer's and a holder's side of an expired series: `settle_position` moves a writer's
//! obligation into the series' ledger (a shortfall becomes a settlement debt), `redeem` pays a
//! holder the final payout, `sweep_series_dust` gives a finalized series' leftover (rounding
//! and forfeited claims) to the insurance fund (docs/settlement.md).

use crate::prelude::*;

use crate::engine::ledger;
use crate::errors::GreekhouseError;
use crate::events::PositionSettled;
use crate::state::{InsuranceFund, OptionSeries, SeriesStatus, WriterAccount};

/// The rules of settling a position: the series is settled, not finalized, and the writer is
/// short in it.
pub fn check_settle_position(
    writer: &WriterAccount,
    series_key: &Pubkey,
    series: &OptionSeries,
) -> Result<()> {
    require!(series.is_settled(), GreekhouseError::SeriesNotSettled);
    require!(
        series.status != SeriesStatus::Finalized as u8,
        GreekhouseError::SeriesAlreadyFinalized
    );
    require!(
        writer.short_contracts(series_key) > 0,
        GreekhouseError::NoShortInSeries
    );
    Ok(())
}

/// Settle `writer`'s (at `writer_key`) whole short in `series` at `now`: its obligation leaves
/// its quote balance (which may go below zero: a debt marked against the series).
pub fn settle_position(
    writer_key: Pubkey,
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    now: i64,
) -> Result<PositionSettled> {
    check_settle_position(writer, &series_key, series)?;
    let contracts = writer.short_contracts(&series_key);
    let (owed, debt) = ledger::settle_position(writer, series_key, series, now)?;
    Ok(PositionSettled {
        writer_account: writer_key,
        series: series_key,
        contracts,
        owed,
        debt,
        quote_balance_after: writer.quote_balance,
        shorts_to_settle: series.shorts_to_settle,
    })
}

/// The rules of a redemption: a positive amount of a finalized series' tokens, held.
pub fn check_redeem(series: &OptionSeries, contracts: u64, held: u64) -> Result<()> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    require!(
        series.status == SeriesStatus::Finalized as u8,
        GreekhouseError::SeriesNotFinalized
    );
    require!(held >= contracts, GreekhouseError::InsufficientOptionTokens);
    Ok(())
}

/// Redeem `contracts` tokens of `series` (of the `held` in the holder's account): returns the
/// quote they are paid, `contracts * payout_final`, out of the series' ledger.
pub fn redeem(series: &mut OptionSeries, contracts: u64, held: u64) -> Result<u64> {
    check_redeem(series, contracts, held)?;
    ledger::redeem(series, contracts)
}

/// The rule of a dust sweep: the series is finalized.
pub fn check_sweep_series_dust(series: &OptionSeries) -> Result<()> {
    require!(
        series.status == SeriesStatus::Finalized as u8,
        GreekhouseError::SeriesNotFinalized
    );
    Ok(())
}

/// Sweep what `series`' ledger holds beyond what its `supply` of tokens (the option mint's,
/// after any outside burns) and the longs in custody can still claim into `fund`: returns the amount, never zero
/// (`NoSeriesDust`).
pub fn sweep_series_dust(
    series: &mut OptionSeries,
    fund: &mut InsuranceFund,
    supply: u64,
) -> Result<u64> {
    check_sweep_series_dust(series)?;
    ledger::sweep_series_dust(series, fund, supply)
}
