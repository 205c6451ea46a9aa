//! Close an empty writer account; the rent goes back to the owner.

use anchor_lang::prelude::*;

use crate::errors::GreekhouseError;
use crate::events::WriterAccountClosed;
use crate::state::WriterAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct CloseWriterAccount<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut, has_one = owner @ GreekhouseError::NotWriterOwner, close = owner)]
    pub writer_account: AccountLoader<'info, WriterAccount>,
}

impl CloseWriterAccount<'_> {
    pub fn validate(&self) -> Result<()> {
        let w = self.writer_account.load()?;
        w.invariant()?;
        w.require_active()?;
        require!(w.is_empty(), GreekhouseError::AccountNotEmpty);
        Ok(())
    }
}

pub fn close_writer_account_handler(ctx: Context<CloseWriterAccount>) -> Result<()> {
    emit_cpi!(WriterAccountClosed {
        writer_account: ctx.accounts.writer_account.key(),
        owner: ctx.accounts.owner.key(),
    });
    Ok(())
}
