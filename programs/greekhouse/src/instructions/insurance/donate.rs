//! Donate quote to the insurance fund (anyone): it raises every staker's share value. Only
//! donations through this instruction count; tokens sent straight to the vault do not move the
//! fund's ledger balance, and so not the share price. Never paused.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{actions, ledger, tokens};
use crate::errors::GreekhouseError;
use crate::events::Donated;
use crate::state::{Clearinghouse, InsuranceFund};

#[event_cpi]
#[derive(Accounts)]
pub struct Donate<'info> {
    pub donor: Signer<'info>,
    #[account(
        has_one = quote_mint @ GreekhouseError::WrongQuoteMint,
        has_one = insurance_fund @ GreekhouseError::WrongInsuranceFund,
    )]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut)]
    pub insurance_fund: AccountLoader<'info, InsuranceFund>,
    #[account(mut, address = insurance_fund.load()?.vault @ GreekhouseError::WrongVault)]
    pub insurance_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = donor_token_account.mint == quote_mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = donor_token_account.owner == donor.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub donor_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl Donate<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        // a donation's only rule is a stake's: a positive amount
        actions::insurance::check_stake(amount)
    }
}

pub fn donate_handler(ctx: Context<Donate>, amount: u64) -> Result<()> {
    let before = ctx.accounts.insurance_vault.amount;
    {
        let a = &ctx.accounts;
        tokens::transfer_in(
            &a.token_program,
            &a.donor_token_account,
            &a.insurance_vault,
            &a.quote_mint,
            &a.donor,
            amount,
        )?;
    }
    ctx.accounts.insurance_vault.reload()?;
    ledger::require_vault_delta(before, ctx.accounts.insurance_vault.amount, amount, true)?;
    let fund_balance_after =
        actions::insurance::donate(&mut *ctx.accounts.insurance_fund.load_mut()?, amount)?;
    emit_cpi!(Donated {
        insurance_fund: ctx.accounts.insurance_fund.key(),
        donor: ctx.accounts.donor.key(),
        amount,
        fund_balance_after,
    });
    Ok(())
}
