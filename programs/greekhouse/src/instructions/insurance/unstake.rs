//! Execute a pending unstake after its cooldown and before it lapses: burn the shares and pay
//! the lower of their value at the request and their value now. Never paused.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::engine::insurance::sync_stake;
use crate::engine::safe_math::SafeMath;
use crate::engine::{ledger, tokens};
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
        let now = Clock::get()?.unix_timestamp;
        let fund_base = self.insurance_fund.load()?.shares_base;
        let stake = self.insurance_stake.load()?.rebased(fund_base)?;
        require!(stake.has_request(), GreekhouseError::NoUnstakeRequest);
        let p = self.clearinghouse.load()?.params.insurance;
        let unlocks_at = stake.request_time.safe_add(i64::from(p.cooldown_secs))?;
        require!(now >= unlocks_at, GreekhouseError::UnstakeCooldownNotOver);
        let lapses_at = unlocks_at.safe_add(i64::from(p.unstake_window_secs))?;
        require!(now <= lapses_at, GreekhouseError::UnstakeRequestLapsed);
        Ok(())
    }
}

pub fn unstake_handler(ctx: Context<Unstake>) -> Result<()> {
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    let (payout, shares, value_at_request, fund_balance_after, total_shares_after, synced) = {
        let a = &ctx.accounts;
        let mut fund = a.insurance_fund.load_mut()?;
        let mut stake = a.insurance_stake.load_mut()?;
        let synced = sync_stake(&fund, &mut stake, a.insurance_stake.key())?;
        let value_at_request = stake.pending_value;
        let payout = fund
            .shares()
            .unstake_payout(stake.pending_shares, value_at_request)
            .map_err(risk)?;
        let shares = ledger::unstake(&mut fund, &mut stake, payout)?;
        (
            payout,
            shares,
            value_at_request,
            fund.balance,
            fund.total_shares,
            synced,
        )
    };
    if let Some(e) = synced {
        emit_cpi!(e);
    }
    if payout > 0 {
        let a = &ctx.accounts;
        let signer = a.clearinghouse.load()?.signer();
        let before = a.insurance_vault.amount;
        tokens::transfer_out(
            &a.token_program,
            &a.insurance_vault,
            &a.recipient,
            &a.quote_mint,
            &a.clearinghouse.to_account_info(),
            &signer,
            payout,
        )?;
        ctx.accounts.insurance_vault.reload()?;
        ledger::require_vault_delta(before, ctx.accounts.insurance_vault.amount, payout, false)?;
    }
    emit_cpi!(Unstaked {
        insurance_stake: ctx.accounts.insurance_stake.key(),
        shares,
        amount: payout,
        value_at_request,
        fund_balance_after,
        total_shares_after,
    });
    Ok(())
}
