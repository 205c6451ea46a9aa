//! Start the Dutch auction of an account whose equity at maintenance is below zero, or whose
//! settlement debt is still unpaid after the grace period, whatever its other positions and
//! margin (anyone). An account holding an expired position is refused until that position is
//! settled: its obligation is fixed by the settlement price, not auctioned.
//! Freezes it (no write, no withdraw; deposits and burns still work), records the start and
//! the earliest expiry its curve must end by, and pays the caller's writer account a keeper
//! tip: capped, only above a dust size, and only from the account's positive quote balance.
//!
//! Never paused. Prices must be within the underlyings' `liq_max_age`.
//! Remaining accounts: the margin layout (`engine::layout`) of the account, its underlyings
//! writable (the prices used are recorded as the no-rollback floor).

use anchor_lang::prelude::*;

use crate::engine::{actions, margin};
use crate::errors::GreekhouseError;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct StartLiquidation<'info> {
    pub caller: Signer<'info>,
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    /// Any writer account of this clearing house other than the liquidated one; receives the tip.
    #[account(
        mut,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
        constraint = tip_account.key() != writer_account.key() @ GreekhouseError::TipToLiquidatedAccount,
    )]
    pub tip_account: AccountLoader<'info, WriterAccount>,
}

impl StartLiquidation<'_> {
    /// The start's rules that need no price.
    pub fn validate(&self) -> Result<()> {
        actions::start_liquidation::check_start_liquidation(
            &*self.writer_account.load()?,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn start_liquidation_handler<'info>(
    ctx: Context<'info, StartLiquidation<'info>>,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let mut w = a.writer_account.load_mut()?;
    let loaded = margin::load_margin_accounts(
        &a.clearinghouse.key(),
        &[&w],
        ctx.remaining_accounts,
        now,
        PriceUse::Liquidation,
    )?;
    // the prices used become the floor: no older price can be used for these underlyings again
    margin::record_used_prices(&loaded, ctx.remaining_accounts)?;
    let outcome = actions::start_liquidation::start_liquidation(
        &ch,
        &mut w,
        &mut *a.tip_account.load_mut()?,
        &loaded,
        now,
    )?;
    drop(w);
    emit_cpi!(outcome.event(a.writer_account.key(), a.caller.key(), a.tip_account.key())?);
    Ok(())
}
