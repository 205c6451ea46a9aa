//! Cancel a pending unstake request; the shares stay staked. Never paused.

use anchor_lang::prelude::*;

use crate::engine::actions;
use crate::errors::GreekhouseError;
use crate::state::{InsuranceFund, InsuranceStake};

#[event_cpi]
#[derive(Accounts)]
pub struct CancelUnstake<'info> {
    pub owner: Signer<'info>,
    #[account(mut)]
    pub insurance_fund: AccountLoader<'info, InsuranceFund>,
    #[account(
        mut,
        has_one = owner @ GreekhouseError::NotStakeOwner,
        has_one = insurance_fund @ GreekhouseError::WrongInsuranceStake,
    )]
    pub insurance_stake: AccountLoader<'info, InsuranceStake>,
}

impl CancelUnstake<'_> {
    pub fn validate(&self) -> Result<()> {
        actions::insurance::check_cancel_unstake(
            &*self.insurance_fund.load()?,
            &*self.insurance_stake.load()?,
        )
    }
}

pub fn cancel_unstake_handler(ctx: Context<CancelUnstake>) -> Result<()> {
    let a = &ctx.accounts;
    let (event, synced) = actions::insurance::cancel_unstake(
        &mut *a.insurance_fund.load_mut()?,
        &mut *a.insurance_stake.load_mut()?,
        a.insurance_stake.key(),
    )?;
    if let Some(e) = synced {
        emit_cpi!(e);
    }
    emit_cpi!(event);
    Ok(())
}
