//! `check_margin`: where an account stands against its warning level, so a writer hears of a
//! falling margin before a liquidation does it for them.
//!
//! The warning level sits between maintenance and initial margin: its equity is
//! `MM equity + w * (IM equity - MM equity)`, `w = margin_warning_bps` (the end level's
//! interpolation, at its own share). The account's stored [`MarginStatus`] is what the last
//! check found; a check that finds another status stores it and reports the crossing (the
//! handler emits `MarginWarning`), one that finds the same changes nothing. No rule reads the
//! status: it is for alerts and the dashboard.
//!
//! Margin-checked instructions (write, withdraw) leave the account at IM or above, hence above
//! the warning level, whatever the stored status says until the next check: the status is
//! "as of the last check", and any crank (the liquidator, the dashboard) may run one.

use greekhouse_risk::{Fixed, MarginSummary, Rounding};

use super::MarginPrices;
use crate::engine::margin::{self, equity_native};
use crate::errors::GreekhouseError;
use crate::prelude::*;
use crate::state::{Clearinghouse, MarginStatus, WriterAccount};

/// What one check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarginCheck {
    /// The stored status before the check.
    pub before: MarginStatus,
    /// The status found (now stored).
    pub after: MarginStatus,
    /// Equity at the warning level, whole quote native units rounded down (zero for an account
    /// without shorts or debt: it needs no price and cannot fall).
    pub warning_equity: i64,
    /// Equity at maintenance, same units.
    pub maintenance_equity: i64,
    /// Equity at initial margin, same units.
    pub initial_equity: i64,
}

impl MarginCheck {
    /// Whether the check crossed a level (the handler emits only then).
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// Equity at the warning level, `MM + w (IM - MM)` with `w = warning_bps / 10,000`, rounded
/// down (a warning a little early rather than late).
pub fn warning_equity(summary: &MarginSummary, warning_bps: u32) -> Result<Fixed> {
    let risk = |e: greekhouse_risk::RiskError| error!(GreekhouseError::from(e));
    let mm = summary.maintenance.equity;
    let spread = summary.initial.equity.checked_sub(mm).map_err(risk)?;
    let share = spread
        .checked_mul(Fixed::from_bps(i64::from(warning_bps)), Rounding::Down)
        .map_err(risk)?;
    mm.checked_add(share).map_err(risk)
}

/// The status a margin summary puts an account in.
pub fn status_of(summary: &MarginSummary, warning_bps: u32) -> Result<MarginStatus> {
    Ok(if summary.maintenance.equity.is_negative() {
        MarginStatus::BelowMaintenance
    } else if warning_equity(summary, warning_bps)?.is_negative() {
        MarginStatus::Warning
    } else {
        MarginStatus::Healthy
    })
}

/// Check `writer`'s margin with the prices `prices` gives (asked only when it has shorts or
/// debt) and store the status found.
pub fn check_margin(
    ch: &Clearinghouse,
    writer: &mut WriterAccount,
    prices: &mut impl MarginPrices,
    now: i64,
) -> Result<MarginCheck> {
    let before = MarginStatus::from_u8(writer.margin_status)?;
    let check = if margin::needs_margin_check(writer) {
        let loaded = prices.load(&[writer])?;
        let summary = loaded.margin_of(ch, writer, now)?;
        let warning_bps = ch.params.margin_warning_bps;
        MarginCheck {
            before,
            after: status_of(&summary, warning_bps)?,
            warning_equity: equity_native(warning_equity(&summary, warning_bps)?)?,
            maintenance_equity: equity_native(summary.maintenance.equity)?,
            initial_equity: equity_native(summary.initial.equity)?,
        }
    } else {
        // every level's equity is a sum of non-negative values: nothing to warn of
        MarginCheck {
            before,
            after: MarginStatus::Healthy,
            warning_equity: 0,
            maintenance_equity: 0,
            initial_equity: 0,
        }
    };
    writer.margin_status = check.after as u8;
    writer.invariant()?;
    Ok(check)
}
