//! The admin or the guardian cancels a queued change before it is executed (never paused; the
//! rules: `engine::actions::governance`).

use anchor_lang::prelude::*;

use crate::engine::actions::governance::{cancel_change, check_cancel_change};
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, ParamChange};

#[event_cpi]
#[derive(Accounts)]
pub struct CancelChange<'info> {
    /// The admin or the guardian.
    pub authority: Signer<'info>,
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub param_change: AccountLoader<'info, ParamChange>,
}

impl CancelChange<'_> {
    pub fn validate(&self) -> Result<()> {
        check_cancel_change(
            &*self.clearinghouse.load()?,
            &self.authority.key(),
            &*self.param_change.load()?,
        )
    }
}

pub fn cancel_change_handler(ctx: Context<CancelChange>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let event = cancel_change(
        &*a.clearinghouse.load()?,
        a.authority.key(),
        &mut *a.param_change.load_mut()?,
        a.param_change.key(),
        now,
    )?;
    emit_cpi!(event);
    Ok(())
}
