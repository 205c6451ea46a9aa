//! The guardian (or the admin) pauses risk-increasing actions. Only flags in
//! [`pause::PAUSABLE`] exist, so deposits, burns, repayments and liquidations cannot be paused.

use anchor_lang::prelude::*;

use crate::errors::GreekhouseError;
use crate::events::PauseFlagsChanged;
use crate::state::{pause, Clearinghouse};

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
        let ch = self.clearinghouse.load()?;
        let key = self.authority.key();
        require!(
            key == ch.guardian || key == ch.admin,
            GreekhouseError::NotGuardian
        );
        require!(
            flags != 0 && flags & !pause::PAUSABLE == 0,
            GreekhouseError::NotPausable
        );
        Ok(())
    }
}

pub fn pause_handler(ctx: Context<Pause>, flags: u32) -> Result<()> {
    let mut ch = ctx.accounts.clearinghouse.load_mut()?;
    let previous = ch.paused;
    ch.paused |= flags;
    ch.invariant()?;
    let event = PauseFlagsChanged {
        clearinghouse: ctx.accounts.clearinghouse.key(),
        by: ctx.accounts.authority.key(),
        previous,
        paused: ch.paused,
    };
    drop(ch);
    emit_cpi!(event);
    Ok(())
}
