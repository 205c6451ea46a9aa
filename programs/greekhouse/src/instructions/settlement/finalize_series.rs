//! Finalize a settled series (anyone): every writer short settled or unbacked, no open writer
//! debt towards it, and the backstop window closed (or no shortfall). Sets the final payout
//! per contract, `min(payout, floor(ledger / outstanding))`: whatever is still uncovered is a
//! pro-rata haircut borne by this series' holders alone. Never paused.

use anchor_lang::prelude::*;

use crate::engine::actions;
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, OptionSeries};

#[event_cpi]
#[derive(Accounts)]
pub struct FinalizeSeries<'info> {
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub series: AccountLoader<'info, OptionSeries>,
}

impl FinalizeSeries<'_> {
    pub fn validate(&self) -> Result<()> {
        actions::finalize::check_finalize_series(
            &*self.clearinghouse.load()?,
            &*self.series.load()?,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn finalize_series_handler(ctx: Context<FinalizeSeries>) -> Result<()> {
    let a = &ctx.accounts;
    let event = actions::finalize::finalize_series(
        &*a.clearinghouse.load()?,
        a.series.key(),
        &mut *a.series.load_mut()?,
        Clock::get()?.unix_timestamp,
    )?;
    emit_cpi!(event);
    Ok(())
}
