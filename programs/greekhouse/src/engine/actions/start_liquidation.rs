//! `start_liquidation`: freeze an account below maintenance, or a settlement debtor past its
//! grace period, start its Dutch auction and tip the caller (docs/liquidation.md).

use crate::prelude::*;
use greekhouse_risk::auction::{self, TipLimits};
use greekhouse_risk::{Fixed, MarginSummary, Rounding};

use crate::engine::ledger;
use crate::engine::liquidation::{self, to_native_i64, to_native_u64};
use crate::engine::margin::{self, LoadedMargin};
use crate::engine::safe_math::{pow10, to_signed};
use crate::errors::GreekhouseError;
use crate::events::LiquidationStarted;
use crate::state::{Clearinghouse, LiquidationState, WriterAccount, WriterStatus};

/// The rules of a liquidation start that need no price.
pub fn check_start_liquidation(writer: &WriterAccount, now: i64) -> Result<()> {
    writer.require_active()?;
    // an account without shorts or debt has non-negative equity at every level
    require!(writer.has_liabilities(), GreekhouseError::NotLiquidatable);
    liquidation::require_no_expired_position(writer, now)
}

/// What a liquidation start did.
#[derive(Clone, Debug)]
pub struct StartOutcome {
    /// The account's margin when it was frozen.
    pub margin: MarginSummary,
    /// Keeper tip moved to the caller's writer account (quote native units).
    pub tip: u64,
    /// Mark-to-market at the start, whole quote native units rounded down.
    pub mark_to_market: i64,
    /// The earliest expiry among its positions (zero for none): the curve ends by it.
    pub earliest_expiry: i64,
    pub start_time: i64,
}

impl StartOutcome {
    /// The event the program emits for this start.
    pub fn event(
        &self,
        writer_account: Pubkey,
        caller: Pubkey,
        tip_account: Pubkey,
    ) -> Result<LiquidationStarted> {
        Ok(LiquidationStarted {
            writer_account,
            caller,
            tip_account,
            tip: self.tip,
            maintenance_equity: margin::equity_native(self.margin.maintenance.equity)?,
            mark_to_market: self.mark_to_market,
            addon_maintenance: to_native_u64(self.margin.maintenance.addon, Rounding::Up)?,
            earliest_expiry: self.earliest_expiry,
            start_time: self.start_time,
        })
    }
}

/// The keeper tip for starting the liquidation of `writer` with `summary` (quote native).
pub fn keeper_tip(
    ch: &Clearinghouse,
    writer: &WriterAccount,
    summary: &MarginSummary,
) -> Result<u64> {
    let p = &ch.params.liquidation;
    let whole_quote = pow10(u32::from(ch.quote_decimals))?;
    let scaled = |v: u32| {
        i128::from(v)
            .checked_mul(whole_quote)
            .ok_or_else(|| error!(GreekhouseError::MathOverflow))
    };
    let tip = auction::keeper_tip(
        summary.maintenance.addon,
        Fixed::from_bps(i64::from(p.tip_bps)),
        &TipLimits {
            tip_max: scaled(p.tip_max_quote)?,
            dust_min: scaled(p.tip_dust_min_quote)?,
            quote_balance: i128::from(writer.quote_balance),
        },
    )
    .map_err(|e| error!(GreekhouseError::from(e)))?;
    u64::try_from(tip).map_err(|_| error!(GreekhouseError::MathOverflow))
}

/// Start the liquidation of `writer`, priced by `loaded` for a liquidation: it must be below
/// maintenance, or owe a settlement debt past its grace period whatever its margin. It is
/// frozen with its start recorded, and `tip_account` receives the keeper tip from its
/// positive quote balance.
pub fn start_liquidation(
    ch: &Clearinghouse,
    writer: &mut WriterAccount,
    tip_account: &mut WriterAccount,
    loaded: &LoadedMargin,
    now: i64,
) -> Result<StartOutcome> {
    check_start_liquidation(writer, now)?;
    let summary = loaded.margin_of(ch, writer, now)?;
    // below maintenance, or a settlement debt unpaid after its grace period
    if !summary.maintenance.equity.is_negative() {
        require!(
            writer.has_settlement_debt(),
            GreekhouseError::NotLiquidatable
        );
        let grace = i64::from(ch.params.settlement.debt_grace_secs);
        require!(
            now >= writer.debt_since.saturating_add(grace),
            GreekhouseError::DebtGraceNotOver
        );
    }
    let tip = keeper_tip(ch, writer, &summary)?;
    if tip > 0 {
        ledger::move_quote(writer, tip_account, to_signed(tip)?)?;
    }
    let mark_to_market = to_native_i64(summary.mark_to_market, Rounding::Down)?;
    let earliest_expiry = writer.earliest_short_expiry().unwrap_or(0);
    writer.status = WriterStatus::Liquidating as u8;
    writer.liquidation = LiquidationState {
        start_time: now,
        start_mark_to_market: mark_to_market,
        earliest_expiry,
        tip_paid: tip,
        ..LiquidationState::default()
    };
    writer.invariant()?;
    Ok(StartOutcome {
        margin: summary,
        tip,
        mark_to_market,
        earliest_expiry,
        start_time: now,
    })
}
