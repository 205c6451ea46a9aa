//! `end_liquidation`: unfreeze an account back at or above the end level, or one with no shorts
//! and no debt left (docs/liquidation.md).

use crate::prelude::*;

use super::MarginPrices;
use crate::engine::{liquidation, margin};
use crate::errors::GreekhouseError;
use crate::events::LiquidationEnded;
use crate::state::{Clearinghouse, LiquidationState, WriterAccount, WriterStatus};

/// The rules of ending a liquidation that need no price.
pub fn check_end_liquidation(writer: &WriterAccount, now: i64) -> Result<()> {
    require!(
        writer.status()? == WriterStatus::Liquidating,
        GreekhouseError::AccountNotLiquidating
    );
    // a debt sale ends when the debt is gone, not when the margin looks healthy
    require!(
        !writer.has_settlement_debt(),
        GreekhouseError::DebtStillOutstanding
    );
    // an expired position is settled first: its value is fixed by the settlement price
    liquidation::require_no_expired_position(writer, now)
}

/// What ending a liquidation did.
#[derive(Clone, Debug)]
pub struct EndOutcome {
    /// Equity at the end level, whole quote native units rounded down; `None` for an account
    /// without shorts or debt (no price needed).
    pub end_equity: Option<i64>,
    /// The auction's record, cleared on the account.
    pub record: LiquidationState,
}

impl EndOutcome {
    /// The event the program emits.
    pub fn event(&self, writer_account: Pubkey, caller: Pubkey) -> LiquidationEnded {
        LiquidationEnded {
            writer_account,
            caller,
            end_equity: self.end_equity,
            slices: self.record.slices,
            received_from_bidders: self.record.received_from_bidders,
            paid_by_fund: self.record.paid_by_fund,
            fees_paid: self.record.fees_paid,
            tip_paid: self.record.tip_paid,
        }
    }
}

/// End the liquidation of `writer`: its equity at the end level must be at or above zero with
/// prices checked for a liquidation, unless it has no shorts and no debt (`prices` is then not
/// asked). The account is active again and its auction record cleared.
pub fn end_liquidation(
    ch: &Clearinghouse,
    writer: &mut WriterAccount,
    prices: &mut impl MarginPrices,
    now: i64,
) -> Result<EndOutcome> {
    check_end_liquidation(writer, now)?;
    let end_equity = if writer.has_liabilities() {
        let loaded = prices.load(&[writer])?;
        let summary = loaded.margin_of(ch, writer, now)?;
        require!(
            !summary.end.equity.is_negative(),
            GreekhouseError::StillBelowEndLevel
        );
        Some(margin::equity_native(summary.end.equity)?)
    } else {
        None
    };
    let record = writer.liquidation;
    writer.status = WriterStatus::Active as u8;
    writer.liquidation = LiquidationState::default();
    writer.invariant()?;
    Ok(EndOutcome { end_equity, record })
}
