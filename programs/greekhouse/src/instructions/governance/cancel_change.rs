//! The admin or the guardian cancels a queued change before it is executed (never paused).

use anchor_lang::prelude::*;

use crate::errors::GreekhouseError;
use crate::events::ChangeCancelled;
use crate::state::{ChangeStatus, Clearinghouse, ParamChange};

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
        let ch = self.clearinghouse.load()?;
        let key = self.authority.key();
        require!(
            key == ch.admin || (key == ch.guardian && ch.guardian != Pubkey::default()),
            GreekhouseError::NotAdminOrGuardian
        );
        require!(
            self.param_change.load()?.is_queued(),
            GreekhouseError::ChangeNotQueued
        );
        Ok(())
    }
}

pub fn cancel_change_handler(ctx: Context<CancelChange>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let mut pc = ctx.accounts.param_change.load_mut()?;
    pc.status = ChangeStatus::Cancelled as u8;
    pc.resolved_at = now;
    pc.invariant()?;
    let event = ChangeCancelled {
        clearinghouse: pc.clearinghouse,
        param_change: ctx.accounts.param_change.key(),
        change_id: pc.change_id,
        target: pc.target,
        old: pc.old()?,
        new: pc.new_value()?,
        by: ctx.accounts.authority.key(),
    };
    drop(pc);
    emit_cpi!(event);
    Ok(())
}
