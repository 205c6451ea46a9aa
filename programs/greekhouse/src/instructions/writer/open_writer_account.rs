//! Open a writer (margin) account. An owner may hold several, told apart by `index`.

use anchor_lang::prelude::*;

use crate::constants::{ACCOUNT_VERSION, WRITER_SEED};
use crate::errors::GreekhouseError;
use crate::events::WriterAccountOpened;
use crate::state::{Clearinghouse, WriterAccount, WriterStatus};

#[event_cpi]
#[derive(Accounts)]
#[instruction(index: u32)]
pub struct OpenWriterAccount<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub owner: Signer<'info>,
    #[account(mut)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(
        init,
        payer = payer,
        space = WriterAccount::SPACE,
        seeds = [WRITER_SEED, clearinghouse.key().as_ref(), owner.key().as_ref(), &index.to_le_bytes()],
        bump,
    )]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    pub system_program: Program<'info, System>,
}

pub fn open_writer_account_handler(ctx: Context<OpenWriterAccount>, index: u32) -> Result<()> {
    let clearinghouse_key = ctx.accounts.clearinghouse.key();
    let mut ch = ctx.accounts.clearinghouse.load_mut()?;
    ch.writer_accounts_opened = ch
        .writer_accounts_opened
        .checked_add(1)
        .ok_or(GreekhouseError::MathOverflow)?;
    ch.invariant()?;
    drop(ch);

    let mut w = ctx.accounts.writer_account.load_init()?;
    w.version = ACCOUNT_VERSION;
    w.bump = ctx.bumps.writer_account;
    w.status = WriterStatus::Active as u8;
    w.index = index;
    w.clearinghouse = clearinghouse_key;
    w.owner = ctx.accounts.owner.key();
    w.invariant()?;
    drop(w);

    emit_cpi!(WriterAccountOpened {
        clearinghouse: clearinghouse_key,
        writer_account: ctx.accounts.writer_account.key(),
        owner: ctx.accounts.owner.key(),
        index,
    });
    Ok(())
}
