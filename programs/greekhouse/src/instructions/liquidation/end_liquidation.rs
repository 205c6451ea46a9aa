//! End a liquidation (anyone): when the account's equity at the end level is back at or above
//! zero with current prices (within `liq_max_age`), or when it has no shorts and no debt left
//! (its equity is then non-negative at every level, so no price is needed). Unfreezes it.
//!
//! Never paused. Remaining accounts: the account's margin layout (none when it has no shorts
//! and no debt).

use anchor_lang::prelude::*;

use crate::engine::{liquidation, margin};
use crate::errors::GreekhouseError;
use crate::events::LiquidationEnded;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, LiquidationState, WriterAccount, WriterStatus};

#[event_cpi]
#[derive(Accounts)]
pub struct EndLiquidation<'info> {
    pub caller: Signer<'info>,
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub writer_account: AccountLoader<'info, WriterAccount>,
}

impl EndLiquidation<'_> {
    pub fn validate(&self) -> Result<()> {
        let w = self.writer_account.load()?;
        require!(
            w.status()? == WriterStatus::Liquidating,
            GreekhouseError::AccountNotLiquidating
        );
        // a debt sale ends when the debt is gone, not when the margin looks healthy
        require!(
            !w.has_settlement_debt(),
            GreekhouseError::DebtStillOutstanding
        );
        // an expired position is settled first: its value is fixed by the settlement price
        liquidation::require_no_expired_position(&w, Clock::get()?.unix_timestamp)?;
        Ok(())
    }
}

pub fn end_liquidation_handler<'info>(ctx: Context<'info, EndLiquidation<'info>>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let mut w = a.writer_account.load_mut()?;
    let end_equity = if w.has_liabilities() {
        let (_, summary) = margin::load_and_compute(
            &a.clearinghouse.key(),
            &ch,
            &w,
            ctx.remaining_accounts,
            now,
            PriceUse::Liquidation,
        )?;
        require!(
            !summary.end.equity.is_negative(),
            GreekhouseError::StillBelowEndLevel
        );
        Some(margin::equity_native(summary.end.equity)?)
    } else {
        None
    };
    let record = w.liquidation;
    w.status = WriterStatus::Active as u8;
    w.liquidation = LiquidationState::default();
    w.invariant()?;
    drop(w);

    emit_cpi!(LiquidationEnded {
        writer_account: ctx.accounts.writer_account.key(),
        caller: ctx.accounts.caller.key(),
        end_equity,
        slices: record.slices,
        received_from_bidders: record.received_from_bidders,
        paid_by_fund: record.paid_by_fund,
        fees_paid: record.fees_paid,
        tip_paid: record.tip_paid,
    });
    Ok(())
}
