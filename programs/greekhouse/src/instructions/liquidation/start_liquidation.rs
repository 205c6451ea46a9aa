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
use greekhouse_risk::auction::{self, TipLimits};
use greekhouse_risk::{Fixed, Rounding};

use crate::engine::liquidation::{self, to_native_i64, to_native_u64};
use crate::engine::safe_math::to_signed;
use crate::engine::{ledger, margin};
use crate::errors::GreekhouseError;
use crate::events::LiquidationStarted;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, LiquidationState, WriterAccount, WriterStatus};

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
    /// Checks that need no price.
    pub fn validate(&self) -> Result<()> {
        let w = self.writer_account.load()?;
        w.require_active()?;
        // an account without shorts or debt has non-negative equity at every level
        require!(w.has_liabilities(), GreekhouseError::NotLiquidatable);
        liquidation::require_no_expired_position(&w, Clock::get()?.unix_timestamp)?;
        Ok(())
    }
}

pub fn start_liquidation_handler<'info>(
    ctx: Context<'info, StartLiquidation<'info>>,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let mut w = a.writer_account.load_mut()?;
    let (loaded, summary) = margin::load_and_compute(
        &a.clearinghouse.key(),
        &ch,
        &w,
        ctx.remaining_accounts,
        now,
        PriceUse::Liquidation,
    )?;
    // the prices used become the floor: no older price can be used for these underlyings again
    margin::record_used_prices(&loaded, ctx.remaining_accounts)?;
    // below maintenance, or a settlement debt unpaid after its grace period
    if !summary.maintenance.equity.is_negative() {
        require!(w.has_settlement_debt(), GreekhouseError::NotLiquidatable);
        let grace = ch.params.settlement.debt_grace_secs as i64;
        require!(
            now >= w.debt_since.saturating_add(grace),
            GreekhouseError::DebtGraceNotOver
        );
    }

    let p = &ch.params.liquidation;
    let whole_quote = crate::engine::safe_math::pow10(ch.quote_decimals as u32)?;
    let tip = auction::keeper_tip(
        summary.maintenance.addon,
        Fixed::from_bps(p.tip_bps as i64),
        &TipLimits {
            tip_max: p.tip_max_quote as i128 * whole_quote,
            dust_min: p.tip_dust_min_quote as i128 * whole_quote,
            quote_balance: w.quote_balance as i128,
        },
    )
    .map_err(risk)?;
    let tip = u64::try_from(tip).map_err(|_| error!(GreekhouseError::MathOverflow))?;
    if tip > 0 {
        let mut tip_account = a.tip_account.load_mut()?;
        ledger::move_quote(&mut w, &mut tip_account, to_signed(tip)?)?;
    }

    let mark_to_market = to_native_i64(summary.mark_to_market, Rounding::Down)?;
    let earliest_expiry = w.earliest_expiry().unwrap_or(0);
    w.status = WriterStatus::Liquidating as u8;
    w.liquidation = LiquidationState {
        start_time: now,
        start_mark_to_market: mark_to_market,
        earliest_expiry,
        tip_paid: tip,
        ..LiquidationState::default()
    };
    w.invariant()?;
    drop(w);

    emit_cpi!(LiquidationStarted {
        writer_account: ctx.accounts.writer_account.key(),
        caller: ctx.accounts.caller.key(),
        tip_account: ctx.accounts.tip_account.key(),
        tip,
        maintenance_equity: margin::equity_native(summary.maintenance.equity)?,
        mark_to_market,
        addon_maintenance: to_native_u64(summary.maintenance.addon, Rounding::Up)?,
        earliest_expiry,
        start_time: now,
    });
    Ok(())
}
