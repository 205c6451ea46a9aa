//! The end of a settled series: `open_backstop` when its ledger cannot pay its holders in full,
//! then `finalize_series`, which fixes the final payout and the haircut once the backstop had
//! its window (docs/settlement.md, docs/insurance.md).

use crate::prelude::*;

use crate::engine::settlement::{final_payout, haircut_bps, require_fully_settled, shortfall};
use crate::errors::GreekhouseError;
use crate::events::{BackstopOpened, SeriesFinalized};
use crate::state::{Clearinghouse, OptionSeries, SeriesStatus};

fn series_shortfall(s: &OptionSeries) -> Result<u64> {
    // an American series' exercise deficit comes out of its ledger at finalization
    let ledger = s.settlement_ledger.saturating_sub(s.exercise_deficit());
    shortfall(s.outstanding(), s.payout_per_contract, ledger)
}

/// The rules of opening a backstop: fully settled, not yet open, a shortfall to cover.
pub fn check_open_backstop(series: &OptionSeries) -> Result<()> {
    require_fully_settled(series)?;
    require!(
        series.backstop_start == 0,
        GreekhouseError::BackstopAlreadyOpen
    );
    require!(series_shortfall(series)? > 0, GreekhouseError::NoShortfall);
    Ok(())
}

/// Open `series`' backstop auction at `now`, from the share value recorded at settlement
/// (before the series' loss reached the fund).
pub fn open_backstop(
    ch: &Clearinghouse,
    series_key: Pubkey,
    series: &mut OptionSeries,
    now: i64,
) -> Result<BackstopOpened> {
    check_open_backstop(series)?;
    let window = i64::from(ch.params.settlement.backstop_window_secs);
    let gap = series_shortfall(series)?;
    series.backstop_start = now;
    series.invariant()?;
    Ok(BackstopOpened {
        series: series_key,
        shortfall: gap,
        start_price: series.backstop_start_price,
        start_time: now,
        end_time: now
            .checked_add(window)
            .ok_or(GreekhouseError::MathOverflow)?,
    })
}

/// The rules of finalizing: fully settled and, when holders would bear a loss, the backstop
/// opened and its window over (outside capital gets its chance first).
pub fn check_finalize_series(ch: &Clearinghouse, series: &OptionSeries, now: i64) -> Result<()> {
    require_fully_settled(series)?;
    if series_shortfall(series)? > 0 {
        require!(series.backstop_start != 0, GreekhouseError::BackstopNotOpen);
        let window = i64::from(ch.params.settlement.backstop_window_secs);
        let closes = series
            .backstop_start
            .checked_add(window)
            .ok_or(GreekhouseError::MathOverflow)?;
        require!(now > closes, GreekhouseError::BackstopStillOpen);
    }
    Ok(())
}

/// Finalize `series`: the final payout is what its ledger holds per outstanding token (at most
/// the payout), the difference is the holders' haircut.
pub fn finalize_series(
    ch: &Clearinghouse,
    series_key: Pubkey,
    series: &mut OptionSeries,
    now: i64,
) -> Result<SeriesFinalized> {
    check_finalize_series(ch, series, now)?;
    // an American series' exercise debt written off (`resolve_debt`) was advanced to holders
    // out of the quote vault: the series' ledger repays it first, so the loss stays in the series
    let repaid = series.exercise_deficit().min(series.settlement_ledger);
    series.settlement_ledger -= repaid;
    series.exercise_collected = series
        .exercise_collected
        .checked_add(repaid)
        .ok_or(GreekhouseError::MathOverflow)?;
    let outstanding = series.outstanding();
    series.payout_final = final_payout(
        series.payout_per_contract,
        series.settlement_ledger,
        outstanding,
    );
    series.haircut_bps = haircut_bps(series.payout_per_contract, series.payout_final)?;
    series.status = SeriesStatus::Finalized as u8;
    series.invariant()?;
    Ok(SeriesFinalized {
        series: series_key,
        payout_per_contract: series.payout_per_contract,
        payout_final: series.payout_final,
        haircut_bps: series.haircut_bps,
        outstanding,
        ledger: series.settlement_ledger,
        shortfall_charged: series.shortfall,
        backstop_raised: series.backstop_raised,
        fund_cover: series.fund_cover,
    })
}
