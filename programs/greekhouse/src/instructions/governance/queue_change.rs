//! The admin proposes a change of one governed value. A tightening applies at once (step
//! limits and the tighten interval still bind); a loosening is queued as a `ParamChange`
//! executable by anyone after the timelock (docs/governance.md).

use anchor_lang::prelude::*;

use crate::constants::{ACCOUNT_VERSION, PARAM_CHANGE_SEED};
use crate::engine::create::{load_new, Creator};
use crate::engine::governance::{self, Class};
use crate::engine::governance_verdict::{queue_verdict, Targets};
use crate::errors::GreekhouseError;
use crate::events::{ChangeApplied, ChangeQueued};
use crate::state::{
    ChangeStatus, Clearinghouse, CollateralAsset, GovValue, ParamChange, TargetKind, Underlying,
};

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
    /// CHECK: the `ParamChange` PDA at the clearing house's next change id; created only when
    /// the change is queued (checked in `validate`).
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
    /// interval: `queue_verdict`); for a loosening, the `ParamChange` address.
    pub fn validate(&self, change: &GovValue) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let ch = self.clearinghouse.load()?;
        let u = self.underlying.as_ref().map(|a| a.load()).transpose()?;
        let c = self
            .collateral_asset
            .as_ref()
            .map(|a| a.load())
            .transpose()?;
        let p = self
            .price_underlying
            .as_ref()
            .map(|a| a.load())
            .transpose()?;
        let targets = Targets {
            clearinghouse_key: self.clearinghouse.key(),
            clearinghouse: &ch,
            underlying: u
                .as_ref()
                .map(|u| (self.underlying.as_ref().unwrap().key(), &**u)),
            collateral: c
                .as_ref()
                .map(|c| (self.collateral_asset.as_ref().unwrap().key(), &**c)),
            price_underlying: p
                .as_ref()
                .map(|p| (self.price_underlying.as_ref().unwrap().key(), &**p)),
        };
        // the rule itself is the engine's (the SDK's proposals call it too); the `ParamChange`
        // address of a loosening is this instruction's account check
        let verdict = queue_verdict(&targets, change, now).inspect_err(|_| {
            if let Ok(old) = targets.current(change) {
                governance::log_step_violation(&old, change);
            }
        })?;
        if verdict.class == Class::Loosening {
            let (expected, _) = param_change_address(&self.clearinghouse.key(), ch.change_count);
            require_keys_eq!(
                self.param_change.key(),
                expected,
                GreekhouseError::WrongParamChange
            );
        }
        Ok(())
    }

    /// The target's current value of `change`'s kind (the target was checked by `validate`).
    fn current(&self, change: &GovValue) -> Result<GovValue> {
        match change.target_kind() {
            TargetKind::Clearinghouse => {
                governance::read_clearinghouse(&*self.clearinghouse.load()?, change)
            }
            TargetKind::Underlying => {
                governance::read_underlying(&*self.underlying.as_ref().unwrap().load()?, change)
            }
            TargetKind::CollateralAsset => governance::read_collateral(
                &*self.collateral_asset.as_ref().unwrap().load()?,
                change,
            ),
        }
    }
}

pub fn queue_change_handler(ctx: Context<QueueChange>, change: GovValue) -> Result<()> {
    // `validate` ran through access control; the classification is a pure function of the
    // current and the new value
    let old = ctx.accounts.current(&change)?;
    let class = governance::classify(&old, &change)?;
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let clearinghouse_key = a.clearinghouse.key();
    let target = match change.target_kind() {
        TargetKind::Clearinghouse => clearinghouse_key,
        TargetKind::Underlying => a.underlying.as_ref().unwrap().key(),
        TargetKind::CollateralAsset => a.collateral_asset.as_ref().unwrap().key(),
    };
    let stamp = governance::rate_limited(&change);
    match class {
        Class::Tightening => {
            match change.target_kind() {
                TargetKind::Clearinghouse => {
                    let mut ch = a.clearinghouse.load_mut()?;
                    governance::write_clearinghouse(&mut ch, &change)?;
                    if stamp {
                        ch.last_tightened_at = now;
                    }
                    ch.invariant()?;
                }
                TargetKind::Underlying => {
                    let mut u = a.underlying.as_ref().unwrap().load_mut()?;
                    governance::write_underlying(&mut u, &change)?;
                    if stamp {
                        u.last_tightened_at = now;
                    }
                    u.invariant()?;
                }
                TargetKind::CollateralAsset => {
                    let mut c = a.collateral_asset.as_ref().unwrap().load_mut()?;
                    governance::write_collateral(&mut c, &change)?;
                    if stamp {
                        c.last_tightened_at = now;
                    }
                    c.invariant()?;
                }
            }
            emit_cpi!(ChangeApplied {
                clearinghouse: clearinghouse_key,
                target,
                old,
                new: change,
            });
        }
        Class::Loosening => {
            let mut ch = a.clearinghouse.load_mut()?;
            let change_id = ch.change_count;
            let eta = now.saturating_add(i64::from(ch.params.timelock_secs));
            ch.change_count = change_id
                .checked_add(1)
                .ok_or(GreekhouseError::MathOverflow)?;
            ch.invariant()?;
            drop(ch);

            let (_, bump) = param_change_address(&clearinghouse_key, change_id);
            let creator = Creator {
                payer: &a.payer.to_account_info(),
                system_program: &a.system_program.to_account_info(),
            };
            let id_bytes = change_id.to_le_bytes();
            creator.create_zero_copy::<ParamChange>(
                &a.param_change,
                &[
                    PARAM_CHANGE_SEED,
                    clearinghouse_key.as_ref(),
                    &id_bytes,
                    &[bump],
                ],
            )?;
            let mut pc = load_new::<ParamChange>(&a.param_change)?;
            pc.version = ACCOUNT_VERSION;
            pc.bump = bump;
            pc.status = ChangeStatus::Queued as u8;
            pc.kind = change.kind();
            pc.change_id = change_id;
            pc.clearinghouse = clearinghouse_key;
            pc.target = target;
            pc.proposer = a.admin.key();
            pc.queued_at = now;
            pc.eta = eta;
            pc.old_value = old.to_bytes();
            pc.new_value = change.to_bytes();
            pc.invariant()?;
            drop(pc);
            emit_cpi!(ChangeQueued {
                clearinghouse: clearinghouse_key,
                param_change: ctx.accounts.param_change.key(),
                change_id,
                target,
                old,
                new: change,
                queued_at: now,
                eta,
            });
        }
    }
    Ok(())
}
