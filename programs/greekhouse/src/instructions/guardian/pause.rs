//! The guardian (or the admin) pauses risk-increasing actions. Only flags in
//! [`pause::PAUSABLE`] exist, so deposits, burns, repayments and liquidations cannot be paused.

use anchor_lang::prelude::*;

use crate::engine::actions::pause::{check_pause, pause};
use crate::state::Clearinghouse;

#[event_cpi]
#[derive(Accounts)]
pub struct Pause<'info> {
    /// The guardian or the admin.
    pub authority: Signer<'info>,
    #[account(mut)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
}

impl Pause<'_> {
    pub fn validate(&self, flags: u32) -> Result<()> {
        check_pause(&*self.clearinghouse.load()?, &self.authority.key(), flags)
    }
}

pub fn pause_handler(ctx: Context<Pause>, flags: u32) -> Result<()> {
    let a = &ctx.accounts;
    let event = pause(
        &mut *a.clearinghouse.load_mut()?,
        a.clearinghouse.key(),
        a.authority.key(),
        flags,
    )?;
    emit_cpi!(event);
    Ok(())
}
