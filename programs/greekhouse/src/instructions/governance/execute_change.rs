//! Anyone executes a queued change after its timelock. The change is re-checked: the target
//! must still hold the value it was queued against (else it is stale and refused: a tightening
//! since, or another change executed first) and the new value must be within the hard bounds.

use anchor_lang::prelude::*;

use super::{with_target_mut, with_targets};
use crate::engine::actions::governance::{check_execute_change, execute_change};
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, CollateralAsset, ParamChange, Underlying};

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
        with_targets(
            &self.clearinghouse,
            &self.underlying,
            &self.collateral_asset,
            &self.price_underlying,
            |targets| check_execute_change(targets, &pc, now),
        )
    }
}

pub fn execute_change_handler(ctx: Context<ExecuteChange>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let mut pc = a.param_change.load_mut()?;
    let kind = pc.new_value()?.target_kind();
    let event = with_target_mut(
        kind,
        &a.clearinghouse,
        &a.underlying,
        &a.collateral_asset,
        |target| execute_change(target, &mut pc, a.param_change.key(), a.executor.key(), now),
    )?;
    drop(pc);
    emit_cpi!(event);
    Ok(())
}
