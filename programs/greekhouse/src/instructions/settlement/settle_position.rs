//! Settle a writer's short in a settled series (anyone): the obligation moves from the writer's
//! quote balance into the series' ledger and the short leaves the account. The balance may go
//! negative: that debt is marked against the series, and the account's collateral pays it
//! (repayment by deposit, or the auction after the grace period) or, failing that, the insurance
//! fund and then the series' own holders (`resolve_debt`). Never paused; needs no price.

use anchor_lang::prelude::*;

use crate::engine::actions;
use crate::errors::GreekhouseError;
use crate::state::{OptionSeries, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct SettlePosition<'info> {
    #[account(
        mut,
        constraint = writer_account.load()?.clearinghouse == series.load()?.clearinghouse @ GreekhouseError::WrongClearinghouse,
    )]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(mut)]
    pub series: AccountLoader<'info, OptionSeries>,
}

impl SettlePosition<'_> {
    pub fn validate(&self) -> Result<()> {
        actions::settle::check_settle_position(
            &*self.writer_account.load()?,
            &self.series.key(),
            &*self.series.load()?,
        )
    }
}

pub fn settle_position_handler(ctx: Context<SettlePosition>) -> Result<()> {
    let a = &ctx.accounts;
    let event = actions::settle::settle_position(
        a.writer_account.key(),
        &mut *a.writer_account.load_mut()?,
        a.series.key(),
        &mut *a.series.load_mut()?,
        Clock::get()?.unix_timestamp,
    )?;
    emit_cpi!(event);
    Ok(())
}
