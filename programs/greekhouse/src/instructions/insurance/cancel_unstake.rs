//! Cancel a pending unstake request; the shares stay staked. Never paused.

use anchor_lang::prelude::*;

use crate::engine::insurance::sync_stake;
use crate::engine::ledger;
use crate::errors::GreekhouseError;
use crate::events::UnstakeCancelled;
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
        let fund_base = self.insurance_fund.load()?.shares_base;
        require!(
            self.insurance_stake
                .load()?
                .rebased(fund_base)?
                .has_request(),
            GreekhouseError::NoUnstakeRequest
        );
        Ok(())
    }
}

pub fn cancel_unstake_handler(ctx: Context<CancelUnstake>) -> Result<()> {
    let a = &ctx.accounts;
    let mut fund = a.insurance_fund.load_mut()?;
    let mut stake = a.insurance_stake.load_mut()?;
    let synced = sync_stake(&fund, &mut stake, a.insurance_stake.key())?;
    let shares = ledger::cancel_unstake(&mut fund, &mut stake)?;
    drop((fund, stake));
    if let Some(e) = synced {
        emit_cpi!(e);
    }
    emit_cpi!(UnstakeCancelled {
        insurance_stake: ctx.accounts.insurance_stake.key(),
        shares,
    });
    Ok(())
}
