//! Create the clearing house for one quote mint: governance keys, parameters, the quote vault,
//! and the insurance fund with its own quote vault. Every account is created so that lamports
//! sent to its address beforehand cannot block it (`engine::create`).

use anchor_lang::prelude::*;

pub use crate::args::InitializeClearinghouseArgs;
use anchor_spl::token_interface::{Mint, TokenInterface};

use crate::constants::{
    CLEARINGHOUSE_SEED, INSURANCE_FUND_SEED, INSURANCE_VAULT_SEED, QUOTE_VAULT_SEED,
};
use crate::engine::actions::initialize::{
    check_initialize_clearinghouse, initialize_clearinghouse, NewClearinghouse,
};
use crate::engine::create::{load_new, Creator};
use crate::engine::tokens::check_mint_extensions;
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, InsuranceFund};

#[event_cpi]
#[derive(Accounts)]
pub struct InitializeClearinghouse<'info> {
    #[account(mut)]
    pub creator: Signer<'info>,
    /// CHECK: created here (empty or pre-funded system account at the PDA address).
    #[account(mut, seeds = [CLEARINGHOUSE_SEED, quote_mint.key().as_ref(), creator.key().as_ref()], bump)]
    pub clearinghouse: UncheckedAccount<'info>,
    #[account(constraint = *quote_mint.to_account_info().owner == quote_token_program.key() @ GreekhouseError::WrongTokenProgram)]
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: created here as the quote token account owned by the clearing house.
    #[account(mut, seeds = [QUOTE_VAULT_SEED, clearinghouse.key().as_ref()], bump)]
    pub quote_vault: UncheckedAccount<'info>,
    /// CHECK: created here.
    #[account(mut, seeds = [INSURANCE_FUND_SEED, clearinghouse.key().as_ref()], bump)]
    pub insurance_fund: UncheckedAccount<'info>,
    /// CHECK: created here as the insurance fund's quote token account.
    #[account(mut, seeds = [INSURANCE_VAULT_SEED, clearinghouse.key().as_ref()], bump)]
    pub insurance_vault: UncheckedAccount<'info>,
    pub quote_token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl InitializeClearinghouse<'_> {
    pub fn validate(&self, args: &InitializeClearinghouseArgs) -> Result<()> {
        check_initialize_clearinghouse(args)?;
        check_mint_extensions(&self.quote_mint.to_account_info())
    }
}

pub fn initialize_clearinghouse_handler(
    ctx: Context<InitializeClearinghouse>,
    args: InitializeClearinghouseArgs,
) -> Result<()> {
    let a = &ctx.accounts;
    let b = &ctx.bumps;
    let creator = Creator {
        payer: &a.creator.to_account_info(),
        system_program: &a.system_program.to_account_info(),
    };
    let quote_mint_key = a.quote_mint.key();
    let creator_key = a.creator.key();
    let clearinghouse_key = a.clearinghouse.key();
    let mint_info = a.quote_mint.to_account_info();
    let token_program = a.quote_token_program.to_account_info();

    creator.create_zero_copy::<Clearinghouse>(
        &a.clearinghouse,
        &[
            CLEARINGHOUSE_SEED,
            quote_mint_key.as_ref(),
            creator_key.as_ref(),
            &[b.clearinghouse],
        ],
    )?;
    creator.create_token_account(
        &a.quote_vault,
        &mint_info,
        &a.clearinghouse,
        &token_program,
        &[
            QUOTE_VAULT_SEED,
            clearinghouse_key.as_ref(),
            &[b.quote_vault],
        ],
    )?;
    creator.create_zero_copy::<InsuranceFund>(
        &a.insurance_fund,
        &[
            INSURANCE_FUND_SEED,
            clearinghouse_key.as_ref(),
            &[b.insurance_fund],
        ],
    )?;
    creator.create_token_account(
        &a.insurance_vault,
        &mint_info,
        &a.clearinghouse,
        &token_program,
        &[
            INSURANCE_VAULT_SEED,
            clearinghouse_key.as_ref(),
            &[b.insurance_vault],
        ],
    )?;

    let mut fund = load_new::<InsuranceFund>(&a.insurance_fund)?;
    let mut ch = load_new::<Clearinghouse>(&a.clearinghouse)?;
    let event = initialize_clearinghouse(
        &mut ch,
        &mut fund,
        &NewClearinghouse {
            clearinghouse: clearinghouse_key,
            bump: b.clearinghouse,
            creator: creator_key,
            quote_mint: quote_mint_key,
            quote_decimals: a.quote_mint.decimals,
            quote_token_program: a.quote_token_program.key(),
            quote_vault: a.quote_vault.key(),
            quote_vault_bump: b.quote_vault,
            insurance_fund: a.insurance_fund.key(),
            insurance_fund_bump: b.insurance_fund,
            insurance_vault: a.insurance_vault.key(),
            insurance_vault_bump: b.insurance_vault,
        },
        &args,
    )?;
    drop((ch, fund));
    emit_cpi!(event);
    Ok(())
}
