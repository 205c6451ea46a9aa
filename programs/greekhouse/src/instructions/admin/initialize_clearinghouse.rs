//! Create the clearing house for one quote mint: governance keys, parameters, quote vault.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{ACCOUNT_VERSION, CLEARINGHOUSE_SEED, QUOTE_VAULT_SEED};
use crate::engine::tokens::check_mint_extensions;
use crate::errors::GreekhouseError;
use crate::events::ClearinghouseInitialized;
use crate::state::{Clearinghouse, GlobalParams};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeClearinghouseArgs {
    /// Governance key; in production a multisig vault PDA.
    pub admin: Pubkey,
    /// Key that may pause risk-increasing actions.
    pub guardian: Pubkey,
    pub params: GlobalParams,
}

#[event_cpi]
#[derive(Accounts)]
pub struct InitializeClearinghouse<'info> {
    #[account(mut)]
    pub creator: Signer<'info>,
    #[account(
        init,
        payer = creator,
        space = Clearinghouse::SPACE,
        seeds = [CLEARINGHOUSE_SEED, quote_mint.key().as_ref(), creator.key().as_ref()],
        bump,
    )]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    /// Its owner must be the token program (the vault `init` below fails otherwise).
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        init,
        payer = creator,
        seeds = [QUOTE_VAULT_SEED, clearinghouse.key().as_ref()],
        bump,
        token::mint = quote_mint,
        token::authority = clearinghouse,
        token::token_program = quote_token_program,
    )]
    pub quote_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    pub quote_token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl InitializeClearinghouse<'_> {
    pub fn validate(&self, args: &InitializeClearinghouseArgs) -> Result<()> {
        args.params.validate()?;
        require!(args.admin != Pubkey::default(), GreekhouseError::NotAdmin);
        require!(
            args.guardian != Pubkey::default(),
            GreekhouseError::NotGuardian
        );
        check_mint_extensions(&self.quote_mint.to_account_info())
    }
}

pub fn initialize_clearinghouse_handler(
    ctx: Context<InitializeClearinghouse>,
    args: InitializeClearinghouseArgs,
) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let mut ch = ctx.accounts.clearinghouse.load_init()?;
    ch.version = ACCOUNT_VERSION;
    ch.bump = ctx.bumps.clearinghouse;
    ch.quote_vault_bump = ctx.bumps.quote_vault;
    ch.quote_decimals = ctx.accounts.quote_mint.decimals;
    ch.creator = ctx.accounts.creator.key();
    ch.admin = args.admin;
    ch.guardian = args.guardian;
    ch.quote_mint = ctx.accounts.quote_mint.key();
    ch.quote_vault = ctx.accounts.quote_vault.key();
    ch.quote_token_program = ctx.accounts.quote_token_program.key();
    ch.params = args.params;
    ch.invariant()?;
    let event = ClearinghouseInitialized {
        clearinghouse: ctx.accounts.clearinghouse.key(),
        creator: ch.creator,
        quote_token_program: ch.quote_token_program,
        admin: ch.admin,
        guardian: ch.guardian,
        quote_mint: ch.quote_mint,
        quote_vault: ch.quote_vault,
        params: ch.params,
    };
    drop(ch);
    emit_cpi!(event);
    Ok(())
}
