//! List a writer vault (admin, as listings are): the `Vault` with its policy, its share mint (the
//! vault PDA mints, quote decimals) and its writer account (owned by the vault PDA, index 0),
//! margined, liquidated and settled like any other.

use anchor_lang::prelude::*;
use anchor_spl::token::Token;

pub use crate::args::CreateVaultArgs;

use crate::constants::{VAULT_SEED, VAULT_SHARE_MINT_SEED, VAULT_WRITER_INDEX, WRITER_SEED};
use crate::engine::actions::vault::{check_create_vault, create_vault, NewVault};
use crate::engine::actions::writer_account::open_writer_account;
use crate::engine::create::{load_new, Creator};
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, Underlying, Vault, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: CreateVaultArgs)]
pub struct CreateVault<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub admin: Signer<'info>,
    #[account(has_one = admin @ GreekhouseError::NotAdmin)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub underlying: AccountLoader<'info, Underlying>,
    /// CHECK: created here (empty or pre-funded system account at the PDA address).
    #[account(mut, seeds = [VAULT_SEED, clearinghouse.key().as_ref(), &args.index.to_le_bytes()], bump)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: created here as the vault's SPL Token share mint.
    #[account(mut, seeds = [VAULT_SHARE_MINT_SEED, vault.key().as_ref()], bump)]
    pub share_mint: UncheckedAccount<'info>,
    /// CHECK: created here as the vault's writer account.
    #[account(
        mut,
        seeds = [WRITER_SEED, clearinghouse.key().as_ref(), vault.key().as_ref(), &VAULT_WRITER_INDEX.to_le_bytes()],
        bump,
    )]
    pub writer_account: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl CreateVault<'_> {
    pub fn validate(&self, args: &CreateVaultArgs) -> Result<()> {
        check_create_vault(&*self.underlying.load()?, &args.policy)
    }
}

pub fn create_vault_handler(ctx: Context<CreateVault>, args: CreateVaultArgs) -> Result<()> {
    let a = &ctx.accounts;
    let clearinghouse_key = a.clearinghouse.key();
    let quote_decimals = a.clearinghouse.load()?.quote_decimals;
    let vault_key = a.vault.key();
    let index_bytes = args.index.to_le_bytes();
    let writer_index = VAULT_WRITER_INDEX.to_le_bytes();
    let creator = Creator {
        payer: &a.payer.to_account_info(),
        system_program: &a.system_program.to_account_info(),
    };
    creator.create_zero_copy::<Vault>(
        &a.vault,
        &[
            VAULT_SEED,
            clearinghouse_key.as_ref(),
            &index_bytes,
            &[ctx.bumps.vault],
        ],
    )?;
    creator.create_mint(
        &a.share_mint,
        &vault_key,
        quote_decimals,
        &a.token_program.to_account_info(),
        &[
            VAULT_SHARE_MINT_SEED,
            vault_key.as_ref(),
            &[ctx.bumps.share_mint],
        ],
    )?;
    creator.create_zero_copy::<WriterAccount>(
        &a.writer_account,
        &[
            WRITER_SEED,
            clearinghouse_key.as_ref(),
            vault_key.as_ref(),
            &writer_index,
            &[ctx.bumps.writer_account],
        ],
    )?;
    let opened = open_writer_account(
        &mut *load_new::<WriterAccount>(&a.writer_account)?,
        a.writer_account.key(),
        ctx.bumps.writer_account,
        clearinghouse_key,
        vault_key,
        VAULT_WRITER_INDEX,
    )?;
    let event = create_vault(
        &mut *load_new::<Vault>(&a.vault)?,
        clearinghouse_key,
        a.underlying.key(),
        &*a.underlying.load()?,
        &NewVault {
            vault: vault_key,
            bump: ctx.bumps.vault,
            share_mint: a.share_mint.key(),
            share_mint_bump: ctx.bumps.share_mint,
            writer_account: a.writer_account.key(),
            index: args.index,
        },
        args.policy,
    )?;
    emit_cpi!(opened);
    emit_cpi!(event);
    Ok(())
}
