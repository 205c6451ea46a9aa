//! Stake quote in the insurance fund for shares, priced on the fund's ledger balance with
//! virtual offsets (`greekhouse_risk::insurance`): no first-stake inflation attack. Every
//! underlying's pending writing fees are swept in first (remaining accounts: every underlying
//! ledger of the clearing house), so a staker never gains from fees accrued before its stake;
//! then the fund rebases if it needs to (a wiped fund's old shares are worth nothing). Never
//! paused.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::fees::sweep_every_underlying;
use crate::engine::insurance::rebase_for_mint;
use crate::engine::{actions, ledger, tokens};
use crate::errors::GreekhouseError;
use crate::events::Staked;
use crate::state::{Clearinghouse, InsuranceFund, InsuranceStake};

#[event_cpi]
#[derive(Accounts)]
pub struct Stake<'info> {
    pub owner: Signer<'info>,
    #[account(
        has_one = quote_mint @ GreekhouseError::WrongQuoteMint,
        has_one = quote_vault @ GreekhouseError::WrongVault,
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
    /// Source of the pending fees swept in first.
    #[account(mut)]
    pub quote_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl Stake<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        actions::insurance::check_stake(amount)
    }
}

pub fn stake_handler<'info>(ctx: Context<'info, Stake<'info>>, amount: u64) -> Result<()> {
    // the fees accrued before this stake belong to the shares outstanding before it
    let swept = {
        let a = &ctx.accounts;
        sweep_every_underlying(
            &a.clearinghouse,
            &a.insurance_fund,
            &a.insurance_vault,
            &a.quote_vault,
            &a.quote_mint,
            &a.token_program,
            ctx.remaining_accounts,
        )?
    };
    for e in swept {
        emit_cpi!(e);
    }
    let (rebased, synced, shares) = {
        let a = &ctx.accounts;
        let mut fund = a.insurance_fund.load_mut()?;
        let mut stake = a.insurance_stake.load_mut()?;
        let (rebased, synced) = rebase_for_mint(
            &mut fund,
            a.insurance_fund.key(),
            &mut stake,
            a.insurance_stake.key(),
        )?;
        // shares are priced before the stake arrives
        let shares = actions::insurance::quote_stake(&fund, amount)?;
        (rebased, synced, shares)
    };
    if let Some(e) = rebased {
        emit_cpi!(e);
    }
    if let Some(e) = synced {
        emit_cpi!(e);
    }
    let a = &ctx.accounts;
    let before = tokens::current_amount(&a.insurance_vault)?;
    tokens::transfer_in(
        &a.token_program,
        &a.owner_token_account,
        &a.insurance_vault,
        &a.quote_mint,
        &a.owner,
        amount,
    )?;
    ledger::require_vault_delta(
        before,
        tokens::current_amount(&a.insurance_vault)?,
        amount,
        true,
    )?;

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
