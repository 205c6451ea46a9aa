//! `exercise` (the holder, American series) and `accrue_exercise` (anyone): docs/protocol.md
//! section 5b.
//!
//! An exercise burns the holder's tokens before expiry less the governed cut-off and pays their
//! intrinsic value at a fresh, confidence-checked oracle price (rounded down) out of the quote
//! vault. Nobody chooses the writers assigned: the series' exercise index closes the same share
//! of every writer's short and charges each its share of the intrinsic value (rounded up), and
//! each short accrues that lazily. Until it has, margin checks refuse its account (the
//! underlying's exercise epoch moved past the position's), so no margin decision is ever taken
//! without the debt; `accrue_exercise` is permissionless, so no writer can keep it pending.

use crate::prelude::*;

use crate::engine::ledger;
use crate::engine::settlement::contract_amounts;
use crate::errors::GreekhouseError;
use crate::events::{ExerciseAccrued, OptionsExercised};
use crate::oracle::{check_price, record_price, OraclePrice, PriceUse};
use crate::state::{
    pause, Clearinghouse, OptionSeries, SeriesStatus, Underlying, UnderlyingLedger, WriterAccount,
};

/// The rules of an exercise that need no price: not paused, an American series still active
/// and before its exercise cut-off, a positive quantity the holder holds, and at least one
/// writers' short left outstanding afterwards.
pub fn check_exercise(
    ch: &Clearinghouse,
    series: &OptionSeries,
    contracts: u64,
    held: u64,
    now: i64,
) -> Result<()> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    require!(series.is_american(), GreekhouseError::SeriesNotAmerican);
    require!(!ch.is_paused(pause::EXERCISE), GreekhouseError::Paused);
    require!(
        series.status == SeriesStatus::Active as u8,
        GreekhouseError::ExerciseWindowClosed
    );
    let cutoff = series
        .expiry
        .checked_sub(i64::from(ch.params.settlement.exercise_cutoff_secs))
        .ok_or(GreekhouseError::MathOverflow)?;
    require!(now < cutoff, GreekhouseError::ExerciseWindowClosed);
    require!(held >= contracts, GreekhouseError::InsufficientOptionTokens);
    require!(
        contracts < series.writer_shorts(),
        GreekhouseError::ExerciseExceedsWriterShorts
    );
    Ok(())
}

/// Exercise `contracts` of `series` (the caller burns the holder's tokens and pays the returned
/// amount out of the quote vault) at `price`, parsed from the underlying's oracle account:
/// checked as for a write (age, confidence, no rollback) and recorded on `u`. The intrinsic
/// value must be positive.
#[allow(clippy::too_many_arguments)]
pub fn exercise(
    ch: &Clearinghouse,
    u: &mut Underlying,
    series_key: Pubkey,
    series: &mut OptionSeries,
    book: &mut UnderlyingLedger,
    price: &OraclePrice,
    holder: Pubkey,
    contracts: u64,
    held: u64,
    now: i64,
) -> Result<OptionsExercised> {
    check_exercise(ch, series, contracts, held, now)?;
    check_price(u, price, now, PriceUse::RiskIncreasing)?;
    record_price(u, price)?;
    let amounts = contract_amounts(
        series.kind,
        series.strike,
        series.contract_size,
        price.price,
        price.expo,
        ch.quote_decimals,
    )?;
    require!(amounts.payout > 0, GreekhouseError::ExerciseOutOfTheMoney);
    let mut epoch = u.exercise_epoch;
    let (amount, shorts) = ledger::exercise(
        series,
        book,
        &mut epoch,
        contracts,
        amounts.payout,
        amounts.obligation,
    )?;
    u.exercise_epoch = epoch;
    u.invariant()?;
    Ok(OptionsExercised {
        series: series_key,
        holder,
        contracts,
        price: price.price,
        conf: price.conf,
        expo: price.expo,
        publish_time: price.publish_time,
        payout_per_contract: amounts.payout,
        obligation_per_contract: amounts.obligation,
        amount,
        writer_shorts_before: shorts,
        exercise_scale_after: series.exercise_scale,
        exercise_payout_index_after: series.exercise_payout_index,
        exercise_epoch: epoch,
    })
}

/// The rules of an accrual: an American series, a short in it, something to accrue (an index
/// step or an epoch behind the underlying's). Never paused: it only collects.
pub fn check_accrue(
    writer: &WriterAccount,
    series_key: &Pubkey,
    series: &OptionSeries,
    u: &Underlying,
) -> Result<()> {
    require!(series.is_american(), GreekhouseError::SeriesNotAmerican);
    let slot = writer
        .position_slot(series_key, crate::state::Side::Short)
        .ok_or(GreekhouseError::NoShortInSeries)?;
    let current = writer.exercise_snapshots[slot] == ledger::current_snapshot(series)
        && writer.positions[slot].exercise_epoch == u.exercise_epoch;
    require!(!current, GreekhouseError::ExerciseAlreadyAccrued);
    Ok(())
}

/// Accrue the writer's American short in `series` (of underlying `u`) to the series' index and
/// the underlying's exercise epoch ([`ledger::accrue_exercise`]).
pub fn accrue(
    writer_key: Pubkey,
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    u: &Underlying,
    now: i64,
) -> Result<ExerciseAccrued> {
    check_accrue(writer, &series_key, series, u)?;
    let (before, a) = ledger::accrue_exercise(writer, &series_key, series, u.exercise_epoch, now)?;
    Ok(ExerciseAccrued {
        writer_account: writer_key,
        series: series_key,
        contracts_before: before,
        contracts_after: a.contracts,
        debt: a.debt,
        quote_balance_after: writer.quote_balance,
        exercise_epoch: u.exercise_epoch,
    })
}
