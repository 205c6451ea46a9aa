//! Close an empty writer account; the rent goes back to the owner.

use anchor_lang::prelude::*;

use crate::engine::actions::writer_account::{check_close_writer_account, close_writer_account};
use crate::errors::GreekhouseError;
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
        check_close_writer_account(&*self.writer_account.load()?)
    }
}

pub fn close_writer_account_handler(ctx: Context<CloseWriterAccount>) -> Result<()> {
    let a = &ctx.accounts;
    let event = close_writer_account(
        &*a.writer_account.load()?,
        a.writer_account.key(),
        a.owner.key(),
    )?;
    emit_cpi!(event);
    Ok(())
}
