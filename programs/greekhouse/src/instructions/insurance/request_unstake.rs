//! Request to unstake `shares`: records their value now, the most the unstake will pay. The
//! shares keep bearing losses through the cooldown, so a staker cannot flee a loss it sees
//! coming. One request at a time. Never paused.

use anchor_lang::prelude::*;

use crate::engine::insurance::sync_stake;
use crate::engine::ledger;
use crate::engine::safe_math::SafeMath;
use crate::errors::GreekhouseError;
use crate::events::UnstakeRequested;
use crate::state::{Clearinghouse, InsuranceFund, InsuranceStake};

#[event_cpi]
#[derive(Accounts)]
pub struct RequestUnstake<'info> {
    pub owner: Signer<'info>,
    #[account(has_one = insurance_fund @ GreekhouseError::WrongInsuranceFund)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut)]
    pub insurance_fund: AccountLoader<'info, InsuranceFund>,
    #[account(
        mut,
        has_one = owner @ GreekhouseError::NotStakeOwner,
        has_one = insurance_fund @ GreekhouseError::WrongInsuranceStake,
    )]
    pub insurance_stake: AccountLoader<'info, InsuranceStake>,
}

impl RequestUnstake<'_> {
    pub fn validate(&self, shares: u64) -> Result<()> {
        require!(shares > 0, GreekhouseError::ZeroAmount);
        let fund_base = self.insurance_fund.load()?.shares_base;
        let stake = self.insurance_stake.load()?.rebased(fund_base)?;
        require!(
            !stake.has_request(),
            GreekhouseError::UnstakeAlreadyRequested
        );
        require!(shares <= stake.shares, GreekhouseError::InsufficientShares);
        Ok(())
    }
}

pub fn request_unstake_handler(ctx: Context<RequestUnstake>, shares: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    let params = ctx.accounts.clearinghouse.load()?.params.insurance;
    let a = &ctx.accounts;
    let mut fund = a.insurance_fund.load_mut()?;
    let mut stake = a.insurance_stake.load_mut()?;
    let synced = sync_stake(&fund, &mut stake, a.insurance_stake.key())?;
    let value = fund.shares().value_of(shares).map_err(risk)?;
    ledger::request_unstake(&mut fund, &mut stake, shares, value, now)?;
    let unlocks_at = now.safe_add(i64::from(params.cooldown_secs))?;
    let lapses_at = unlocks_at.safe_add(i64::from(params.unstake_window_secs))?;
    drop((fund, stake));
    if let Some(e) = synced {
        emit_cpi!(e);
    }
    emit_cpi!(UnstakeRequested {
        insurance_stake: ctx.accounts.insurance_stake.key(),
        shares,
        value,
        unlocks_at,
        lapses_at,
    });
    Ok(())
}
