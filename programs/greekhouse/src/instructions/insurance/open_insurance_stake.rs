//! Open a staker's account in the insurance fund (anyone, for themselves). One per owner.

use anchor_lang::prelude::*;

use crate::constants::{ACCOUNT_VERSION, INSURANCE_STAKE_SEED};
use crate::engine::create::{load_new, Creator};
use crate::events::InsuranceStakeOpened;
use crate::state::{InsuranceFund, InsuranceStake};

#[event_cpi]
#[derive(Accounts)]
pub struct OpenInsuranceStake<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub owner: Signer<'info>,
    pub insurance_fund: AccountLoader<'info, InsuranceFund>,
    /// CHECK: created here (empty or pre-funded system account at the PDA address).
    #[account(
        mut,
        seeds = [INSURANCE_STAKE_SEED, insurance_fund.key().as_ref(), owner.key().as_ref()],
        bump,
    )]
    pub insurance_stake: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn open_insurance_stake_handler(ctx: Context<OpenInsuranceStake>) -> Result<()> {
    let a = &ctx.accounts;
    let fund_key = a.insurance_fund.key();
    let owner_key = a.owner.key();
    Creator {
        payer: &a.payer.to_account_info(),
        system_program: &a.system_program.to_account_info(),
    }
    .create_zero_copy::<InsuranceStake>(
        &a.insurance_stake,
        &[
            INSURANCE_STAKE_SEED,
            fund_key.as_ref(),
            owner_key.as_ref(),
            &[ctx.bumps.insurance_stake],
        ],
    )?;
    let mut stake = load_new::<InsuranceStake>(&a.insurance_stake)?;
    stake.version = ACCOUNT_VERSION;
    stake.bump = ctx.bumps.insurance_stake;
    stake.insurance_fund = fund_key;
    stake.owner = owner_key;
    // counted at the fund's share base from the start
    stake.shares_base = a.insurance_fund.load()?.shares_base;
    stake.invariant()?;
    drop(stake);

    emit_cpi!(InsuranceStakeOpened {
        insurance_fund: fund_key,
        insurance_stake: ctx.accounts.insurance_stake.key(),
        owner: owner_key,
    });
    Ok(())
}
