//! The admin lifts pause flags (the guardian can only set them).

use anchor_lang::prelude::*;

use crate::engine::actions::pause::unpause;
use crate::errors::GreekhouseError;
use crate::state::Clearinghouse;

#[event_cpi]
#[derive(Accounts)]
pub struct Unpause<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ GreekhouseError::NotAdmin)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
}

pub fn unpause_handler(ctx: Context<Unpause>, flags: u32) -> Result<()> {
    let a = &ctx.accounts;
    let event = unpause(
        &mut *a.clearinghouse.load_mut()?,
        a.clearinghouse.key(),
        a.admin.key(),
        flags,
    )?;
    emit_cpi!(event);
    Ok(())
}
