//! End a liquidation (anyone): when the account's equity at the end level is back at or above
//! zero with current prices (within `liq_max_age`), or when it has no shorts and no debt left
//! (its equity is then non-negative at every level, so no price is needed). Unfreezes it.
//!
//! Never paused. Remaining accounts: the account's margin layout (none when it has no shorts
//! and no debt).

use anchor_lang::prelude::*;

use crate::engine::{actions, margin};
use crate::errors::GreekhouseError;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct EndLiquidation<'info> {
    pub caller: Signer<'info>,
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub writer_account: AccountLoader<'info, WriterAccount>,
}

impl EndLiquidation<'_> {
    pub fn validate(&self) -> Result<()> {
        actions::end_liquidation::check_end_liquidation(
            &*self.writer_account.load()?,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn end_liquidation_handler<'info>(ctx: Context<'info, EndLiquidation<'info>>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let clearinghouse_key = a.clearinghouse.key();
    let mut prices = margin::prices_from(
        clearinghouse_key,
        ctx.remaining_accounts,
        now,
        PriceUse::Liquidation,
    );
    let outcome = actions::end_liquidation::end_liquidation(
        &ch,
        &mut *a.writer_account.load_mut()?,
        &mut prices,
        now,
    )?;
    emit_cpi!(outcome.event(a.writer_account.key(), a.caller.key()));
    Ok(())
}
