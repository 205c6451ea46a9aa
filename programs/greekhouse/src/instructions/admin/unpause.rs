//! The admin lifts pause flags (the guardian can only set them).

use anchor_lang::prelude::*;

use crate::errors::GreekhouseError;
use crate::events::PauseFlagsChanged;
use crate::state::{pause, Clearinghouse};

#[event_cpi]
#[derive(Accounts)]
pub struct Unpause<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ GreekhouseError::NotAdmin)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
}

pub fn unpause_handler(ctx: Context<Unpause>, flags: u32) -> Result<()> {
    require!(
        flags != 0 && flags & !pause::PAUSABLE == 0,
        GreekhouseError::NotPausable
    );
    let mut ch = ctx.accounts.clearinghouse.load_mut()?;
    let previous = ch.paused;
    ch.paused &= !flags;
    ch.invariant()?;
    let event = PauseFlagsChanged {
        clearinghouse: ctx.accounts.clearinghouse.key(),
        by: ctx.accounts.admin.key(),
        previous,
        paused: ch.paused,
    };
    drop(ch);
    emit_cpi!(event);
    Ok(())
}
