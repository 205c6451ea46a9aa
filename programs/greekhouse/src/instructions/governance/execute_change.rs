//! Anyone executes a queued change after its timelock. The change is re-checked: the target
//! must still hold the value it was queued against (else it is stale and refused: a tightening
//! since, or another change executed first) and the new value must be within the hard bounds.

use anchor_lang::prelude::*;

use crate::engine::governance;
use crate::engine::governance_verdict::Targets;
use crate::errors::GreekhouseError;
use crate::events::ChangeExecuted;
use crate::state::{
    ChangeStatus, Clearinghouse, CollateralAsset, ParamChange, TargetKind, Underlying,
};

#[event_cpi]
#[derive(Accounts)]
pub struct ExecuteChange<'info> {
    /// Anyone.
    pub executor: Signer<'info>,
    #[account(mut)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub param_change: AccountLoader<'info, ParamChange>,
    /// The target of an underlying's value.
    #[account(mut)]
    pub underlying: Option<AccountLoader<'info, Underlying>>,
    /// The target of a collateral asset's value.
    #[account(mut)]
    pub collateral_asset: Option<AccountLoader<'info, CollateralAsset>>,
    /// The underlying pricing the collateral asset (weights and price-source changes).
    pub price_underlying: Option<AccountLoader<'info, Underlying>>,
}

impl ExecuteChange<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let pc = self.param_change.load()?;
        require!(pc.is_queued(), GreekhouseError::ChangeNotQueued);
        require!(now >= pc.eta, GreekhouseError::TimelockNotOver);
        let (old, new) = (pc.old()?, pc.new_value()?);
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
        require_keys_eq!(
            targets.target_key(&new)?,
            pc.target,
            GreekhouseError::WrongChangeTarget
        );
        require!(targets.current(&new)? == old, GreekhouseError::ChangeStale);
        targets.validate_new(&new)
    }
}

pub fn execute_change_handler(ctx: Context<ExecuteChange>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let mut pc = a.param_change.load_mut()?;
    let (old, new) = (pc.old()?, pc.new_value()?);
    match new.target_kind() {
        TargetKind::Clearinghouse => {
            let mut ch = a.clearinghouse.load_mut()?;
            governance::write_clearinghouse(&mut ch, &new)?;
            ch.invariant()?;
        }
        TargetKind::Underlying => {
            let mut u = a.underlying.as_ref().unwrap().load_mut()?;
            governance::write_underlying(&mut u, &new)?;
            u.invariant()?;
        }
        TargetKind::CollateralAsset => {
            let mut c = a.collateral_asset.as_ref().unwrap().load_mut()?;
            governance::write_collateral(&mut c, &new)?;
            c.invariant()?;
        }
    }
    pc.status = ChangeStatus::Executed as u8;
    pc.resolved_at = now;
    pc.invariant()?;
    let event = ChangeExecuted {
        clearinghouse: pc.clearinghouse,
        param_change: a.param_change.key(),
        change_id: pc.change_id,
        target: pc.target,
        old,
        new,
        by: a.executor.key(),
    };
    drop(pc);
    emit_cpi!(event);
    Ok(())
}
