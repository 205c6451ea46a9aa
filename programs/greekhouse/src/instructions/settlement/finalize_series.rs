//! Finalize a settled series (anyone): every writer short settled or unbacked, no open writer
//! debt towards it, and the backstop window closed (or no shortfall). Sets the final payout
//! per contract, `min(payout, floor(ledger / outstanding))`: whatever is still uncovered is a
//! pro-rata haircut borne by this series' holders alone. Never paused.

use anchor_lang::prelude::*;

use crate::engine::settlement::require_fully_settled;
use crate::engine::settlement::{final_payout, haircut_bps, shortfall};
use crate::errors::GreekhouseError;
use crate::events::SeriesFinalized;
use crate::state::{Clearinghouse, OptionSeries, SeriesStatus};

#[event_cpi]
#[derive(Accounts)]
pub struct FinalizeSeries<'info> {
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub series: AccountLoader<'info, OptionSeries>,
}

impl FinalizeSeries<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let s = self.series.load()?;
        require_fully_settled(&s)?;
        if shortfall(s.outstanding(), s.payout_per_contract, s.settlement_ledger)? > 0 {
            // outside capital gets its chance before holders bear a loss
            require!(s.backstop_start != 0, GreekhouseError::BackstopNotOpen);
            let window = self
                .clearinghouse
                .load()?
                .params
                .settlement
                .backstop_window_secs;
            require!(
                now > s.backstop_start + i64::from(window),
                GreekhouseError::BackstopStillOpen
            );
        }
        Ok(())
    }
}

pub fn finalize_series_handler(ctx: Context<FinalizeSeries>) -> Result<()> {
    let mut s = ctx.accounts.series.load_mut()?;
    let outstanding = s.outstanding();
    s.payout_final = final_payout(s.payout_per_contract, s.settlement_ledger, outstanding);
    s.haircut_bps = haircut_bps(s.payout_per_contract, s.payout_final)?;
    s.status = SeriesStatus::Finalized as u8;
    s.invariant()?;
    let event = SeriesFinalized {
        series: ctx.accounts.series.key(),
        payout_per_contract: s.payout_per_contract,
        payout_final: s.payout_final,
        haircut_bps: s.haircut_bps,
        outstanding,
        ledger: s.settlement_ledger,
        shortfall_charged: s.shortfall,
        backstop_raised: s.backstop_raised,
        fund_cover: s.fund_cover,
    };
    drop(s);
    emit_cpi!(event);
    Ok(())
}
