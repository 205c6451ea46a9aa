//! Execute a pending unstake after its cooldown and before it lapses: burn the shares and pay
//! the lower of their value at the request and their value now. Never paused.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::{actions, ledger, tokens};
use crate::errors::GreekhouseError;
use crate::events::Unstaked;
use crate::state::{Clearinghouse, InsuranceFund, InsuranceStake};

#[event_cpi]
#[derive(Accounts)]
pub struct Unstake<'info> {
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
    /// Receives the payout; any quote token account.
    #[account(mut, constraint = recipient.mint == quote_mint.key() @ GreekhouseError::WrongTokenMint)]
    pub recipient: Box<InterfaceAccount<'info, TokenAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl Unstake<'_> {
    pub fn validate(&self) -> Result<()> {
        actions::insurance::check_unstake(
            &*self.clearinghouse.load()?,
            &*self.insurance_fund.load()?,
            &*self.insurance_stake.load()?,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn unstake_handler(ctx: Context<Unstake>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let (outcome, fund_balance_after, total_shares_after) = {
        let mut fund = a.insurance_fund.load_mut()?;
        let outcome = actions::insurance::unstake(
            &ch,
            &mut fund,
            &mut *a.insurance_stake.load_mut()?,
            a.insurance_stake.key(),
            now,
        )?;
        (outcome, fund.balance, fund.total_shares)
    };
    if let Some(e) = outcome.synced.clone() {
        emit_cpi!(e);
    }
    if outcome.payout > 0 {
        let a = &ctx.accounts;
        let before = a.insurance_vault.amount;
        tokens::transfer_out(
            &a.token_program,
            &a.insurance_vault,
            &a.recipient,
            &a.quote_mint,
            &a.clearinghouse.to_account_info(),
            &ch.signer(),
            outcome.payout,
        )?;
        ctx.accounts.insurance_vault.reload()?;
        ledger::require_vault_delta(
            before,
            ctx.accounts.insurance_vault.amount,
            outcome.payout,
            false,
        )?;
    }
    emit_cpi!(Unstaked {
        insurance_stake: ctx.accounts.insurance_stake.key(),
        shares: outcome.shares,
        amount: outcome.payout,
        value_at_request: outcome.value_at_request,
        fund_balance_after,
        total_shares_after,
    });
    Ok(())
}
