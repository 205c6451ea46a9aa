//! The admin proposes a change of one governed value. A tightening applies at once (step
//! limits and the tighten interval still bind); a loosening is queued as a `ParamChange`
//! executable by anyone after the timelock (docs/governance.md).
//!
//! The proposer names the change id (the `ParamChange` address): a multisig proposes several
//! changes from the same state and executes them in any order, so the address must not depend
//! on a counter read at proposal time. An id already used is refused (`AccountAddressInUse`);
//! the clearing house's `change_count` stays one past the highest id queued, the next id when
//! nothing is pending.

use anchor_lang::prelude::*;

use super::{with_target_mut, with_targets};
use crate::constants::PARAM_CHANGE_SEED;
use crate::engine::actions::governance::{
    apply_tightening, fill_param_change, queue_verdict, take_change_id, Verdict,
};
use crate::engine::create::{load_new, Creator};
use crate::engine::governance::{self, Class};
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, CollateralAsset, GovValue, ParamChange, Underlying};

#[event_cpi]
#[derive(Accounts)]
pub struct QueueChange<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ GreekhouseError::NotAdmin)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    /// The target of an underlying's value.
    #[account(mut)]
    pub underlying: Option<AccountLoader<'info, Underlying>>,
    /// The target of a collateral asset's value.
    #[account(mut)]
    pub collateral_asset: Option<AccountLoader<'info, CollateralAsset>>,
    /// The underlying pricing the collateral asset (weights and price-source changes).
    pub price_underlying: Option<AccountLoader<'info, Underlying>>,
    /// CHECK: the `ParamChange` PDA at the proposer's `change_id`; created only when the
    /// change is queued (checked in `validate`; an existing account is refused on creation).
    #[account(mut)]
    pub param_change: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

/// Address and bump of the `ParamChange` with `change_id`.
pub fn param_change_address(clearinghouse: &Pubkey, change_id: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            PARAM_CHANGE_SEED,
            clearinghouse.as_ref(),
            &change_id.to_le_bytes(),
        ],
        &crate::ID,
    )
}

impl QueueChange<'_> {
    /// The engine's verdict on the change (target, class, step limits, hard bounds, tighten
    /// interval: `queue_verdict`).
    fn verdict(&self, change: &GovValue, now: i64) -> Result<Verdict> {
        with_targets(
            &self.clearinghouse,
            &self.underlying,
            &self.collateral_asset,
            &self.price_underlying,
            |targets| {
                // the rule itself is the engine's (the SDK's proposals call it too)
                queue_verdict(targets, change, now).inspect_err(|_| {
                    if let Ok(old) = targets.current(change) {
                        governance::log_step_violation(&old, change);
                    }
                })
            },
        )
    }

    /// The verdict; for a loosening, the `ParamChange` address at `change_id` (this
    /// instruction's account check).
    pub fn validate(&self, change: &GovValue, change_id: u64) -> Result<()> {
        let verdict = self.verdict(change, Clock::get()?.unix_timestamp)?;
        if verdict.class == Class::Loosening {
            let (expected, _) = param_change_address(&self.clearinghouse.key(), change_id);
            require_keys_eq!(
                self.param_change.key(),
                expected,
                GreekhouseError::WrongParamChange
            );
        }
        Ok(())
    }
}

pub fn queue_change_handler(
    ctx: Context<QueueChange>,
    change: GovValue,
    change_id: u64,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let verdict = a.verdict(&change, now)?;
    let clearinghouse_key = a.clearinghouse.key();
    match verdict.class {
        Class::Tightening => {
            let event = with_target_mut(
                change.target_kind(),
                &a.clearinghouse,
                &a.underlying,
                &a.collateral_asset,
                |target| apply_tightening(target, clearinghouse_key, &verdict, &change, now),
            )?;
            emit_cpi!(event);
        }
        Class::Loosening => {
            let id = take_change_id(&mut *a.clearinghouse.load_mut()?, &verdict, change_id, now)?;
            let (_, bump) = param_change_address(&clearinghouse_key, id.change_id);
            let creator = Creator {
                payer: &a.payer.to_account_info(),
                system_program: &a.system_program.to_account_info(),
            };
            let id_bytes = id.change_id.to_le_bytes();
            creator.create_zero_copy::<ParamChange>(
                &a.param_change,
                &[
                    PARAM_CHANGE_SEED,
                    clearinghouse_key.as_ref(),
                    &id_bytes,
                    &[bump],
                ],
            )?;
            let event = fill_param_change(
                &mut *load_new::<ParamChange>(&a.param_change)?,
                a.param_change.key(),
                bump,
                clearinghouse_key,
                a.admin.key(),
                &verdict,
                id,
                &change,
                now,
            )?;
            emit_cpi!(event);
        }
    }
    Ok(())
}
