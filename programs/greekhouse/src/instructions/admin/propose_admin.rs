//! First step of the two-step admin transfer: the admin names its successor.

use anchor_lang::prelude::*;

use crate::errors::GreekhouseError;
use crate::events::AdminProposed;
use crate::state::Clearinghouse;

#[event_cpi]
#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ GreekhouseError::NotAdmin)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
}

/// `new_admin` = default cancels a pending transfer.
pub fn propose_admin_handler(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
    let mut ch = ctx.accounts.clearinghouse.load_mut()?;
    ch.pending_admin = new_admin;
    ch.invariant()?;
    let event = AdminProposed {
        clearinghouse: ctx.accounts.clearinghouse.key(),
        admin: ch.admin,
        pending_admin: new_admin,
    };
    drop(ch);
    emit_cpi!(event);
    Ok(())
}
