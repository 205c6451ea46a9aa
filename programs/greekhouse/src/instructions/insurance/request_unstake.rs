//! Request to unstake `shares`: records their value now, the most the unstake will pay. The
//! shares keep bearing losses through the cooldown, so a staker cannot flee a loss it sees
//! coming. One request at a time. Never paused.

use anchor_lang::prelude::*;

use crate::engine::actions;
use crate::errors::GreekhouseError;
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
        actions::insurance::check_request_unstake(
            &*self.insurance_fund.load()?,
            &*self.insurance_stake.load()?,
            shares,
        )
    }
}

pub fn request_unstake_handler(ctx: Context<RequestUnstake>, shares: u64) -> Result<()> {
    let a = &ctx.accounts;
    let (event, synced) = actions::insurance::request_unstake(
        &*a.clearinghouse.load()?,
        &mut *a.insurance_fund.load_mut()?,
        &mut *a.insurance_stake.load_mut()?,
        a.insurance_stake.key(),
        shares,
        Clock::get()?.unix_timestamp,
    )?;
    if let Some(e) = synced {
        emit_cpi!(e);
    }
    emit_cpi!(event);
    Ok(())
}
