//! Second step of the admin transfer: the proposed key accepts, proving it can sign.

use anchor_lang::prelude::*;

use crate::errors::GreekhouseError;
use crate::events::AdminAccepted;
use crate::state::Clearinghouse;

#[event_cpi]
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    pub pending_admin: Signer<'info>,
    #[account(mut)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
}

impl AcceptAdmin<'_> {
    pub fn validate(&self) -> Result<()> {
        let ch = self.clearinghouse.load()?;
        require!(
            ch.pending_admin != Pubkey::default(),
            GreekhouseError::NoPendingAdmin
        );
        require_keys_eq!(
            ch.pending_admin,
            self.pending_admin.key(),
            GreekhouseError::NotPendingAdmin
        );
        Ok(())
    }
}

pub fn accept_admin_handler(ctx: Context<AcceptAdmin>) -> Result<()> {
    let mut ch = ctx.accounts.clearinghouse.load_mut()?;
    let previous_admin = ch.admin;
    ch.admin = ch.pending_admin;
    ch.pending_admin = Pubkey::default();
    ch.invariant()?;
    let event = AdminAccepted {
        clearinghouse: ctx.accounts.clearinghouse.key(),
        previous_admin,
        admin: ch.admin,
    };
    drop(ch);
    emit_cpi!(event);
    Ok(())
}
