//! Stake quote in the insurance fund for shares, priced on the fund's ledger balance with
//! virtual offsets (`greekhouse_risk::insurance`): no first-stake inflation attack. Never paused.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{ledger, tokens};
use crate::errors::GreekhouseError;
use crate::events::Staked;
use crate::state::{Clearinghouse, InsuranceFund, InsuranceStake};

#[event_cpi]
#[derive(Accounts)]
pub struct Stake<'info> {
    pub owner: Signer<'info>,
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
        has_one = owner @ GreekhouseError::NotStakeOwner,
        has_one = insurance_fund @ GreekhouseError::WrongInsuranceStake,
    )]
    pub insurance_stake: AccountLoader<'info, InsuranceStake>,
    #[account(
        mut,
        constraint = owner_token_account.mint == quote_mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = owner_token_account.owner == owner.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub owner_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl Stake<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(amount > 0, GreekhouseError::ZeroAmount);
        Ok(())
    }
}

pub fn stake_handler(ctx: Context<Stake>, amount: u64) -> Result<()> {
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    // shares are priced before the stake arrives
    let shares = ctx
        .accounts
        .insurance_fund
        .load()?
        .shares()
        .shares_for_stake(amount)
        .map_err(risk)?;
    require!(shares > 0, GreekhouseError::StakeTooSmall);
    let before = ctx.accounts.insurance_vault.amount;
    {
        let a = &ctx.accounts;
        tokens::transfer_in(
            &a.token_program,
            &a.owner_token_account,
            &a.insurance_vault,
            &a.quote_mint,
            &a.owner,
            amount,
        )?;
    }
    ctx.accounts.insurance_vault.reload()?;
    ledger::require_vault_delta(before, ctx.accounts.insurance_vault.amount, amount, true)?;

    let a = &ctx.accounts;
    let mut fund = a.insurance_fund.load_mut()?;
    let mut stake = a.insurance_stake.load_mut()?;
    ledger::stake(&mut fund, &mut stake, amount, shares)?;
    let event = Staked {
        insurance_stake: a.insurance_stake.key(),
        owner: stake.owner,
        amount,
        shares,
        fund_balance_after: fund.balance,
        total_shares_after: fund.total_shares,
    };
    drop((fund, stake));
    emit_cpi!(event);
    Ok(())
}
