//! Open a writer (margin) account. An owner may hold several, told apart by `index`. Reads the
//! clearing house without locking it, so account openings run in parallel.

use anchor_lang::prelude::*;

use crate::constants::WRITER_SEED;
use crate::engine::actions::writer_account::open_writer_account;
use crate::engine::create::{load_new, Creator};
use crate::state::{Clearinghouse, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
#[instruction(index: u32)]
pub struct OpenWriterAccount<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub owner: Signer<'info>,
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    /// CHECK: created here (empty or pre-funded system account at the PDA address).
    #[account(
        mut,
        seeds = [WRITER_SEED, clearinghouse.key().as_ref(), owner.key().as_ref(), &index.to_le_bytes()],
        bump,
    )]
    pub writer_account: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn open_writer_account_handler(ctx: Context<OpenWriterAccount>, index: u32) -> Result<()> {
    let a = &ctx.accounts;
    let clearinghouse_key = a.clearinghouse.key();
    let owner_key = a.owner.key();
    let index_bytes = index.to_le_bytes();
    Creator {
        payer: &a.payer.to_account_info(),
        system_program: &a.system_program.to_account_info(),
    }
    .create_zero_copy::<WriterAccount>(
        &a.writer_account,
        &[
            WRITER_SEED,
            clearinghouse_key.as_ref(),
            owner_key.as_ref(),
            &index_bytes,
            &[ctx.bumps.writer_account],
        ],
    )?;

    let event = open_writer_account(
        &mut *load_new::<WriterAccount>(&a.writer_account)?,
        a.writer_account.key(),
        ctx.bumps.writer_account,
        clearinghouse_key,
        owner_key,
        index,
    )?;
    emit_cpi!(event);
    Ok(())
}
