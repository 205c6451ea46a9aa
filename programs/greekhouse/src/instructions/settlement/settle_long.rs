//! Settle a writer's long in a finalized series (anyone): its whole long is paid into the
//! account's quote balance at the series' final payout, out of the series' ledger, as a
//! redemption of the same tokens would be (the quote stays in the quote vault). Never paused;
//! needs no price. Until it runs, an expired long counts for nothing in the account's margin.

use anchor_lang::prelude::*;

use crate::engine::actions;
use crate::errors::GreekhouseError;
use crate::state::{OptionSeries, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct SettleLong<'info> {
    #[account(
        mut,
        constraint = writer_account.load()?.clearinghouse == series.load()?.clearinghouse @ GreekhouseError::WrongClearinghouse,
    )]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(mut)]
    pub series: AccountLoader<'info, OptionSeries>,
}

impl SettleLong<'_> {
    pub fn validate(&self) -> Result<()> {
        actions::long::check_settle_long(
            &*self.writer_account.load()?,
            &self.series.key(),
            &*self.series.load()?,
        )
    }
}

pub fn settle_long_handler(ctx: Context<SettleLong>) -> Result<()> {
    let a = &ctx.accounts;
    let event = actions::long::settle_long(
        a.writer_account.key(),
        &mut *a.writer_account.load_mut()?,
        a.series.key(),
        &mut *a.series.load_mut()?,
    )?;
    emit_cpi!(event);
    Ok(())
}
