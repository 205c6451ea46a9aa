//! `resolve_debt`: close a repaid account's debt markers, or write an unpaid settlement debt
//! off: the insurance fund pays what it can, the rest is charged to the series the debt came
//! from, pro rata to what each was owed (docs/settlement.md).

use crate::prelude::*;

use crate::engine::ledger;
use crate::engine::liquidation::split_pro_rata;
use crate::engine::margin::{self, LoadedMargin};
use crate::errors::GreekhouseError;
use crate::events::{DebtCharge, DebtResolved};
use crate::state::{Clearinghouse, InsuranceFund, OptionSeries, WriterAccount};

/// The rules of resolving a debt that need no price.
pub fn check_resolve_debt(writer: &WriterAccount) -> Result<()> {
    require!(writer.debt_marker_count() > 0, GreekhouseError::NoDebt);
    if writer.quote_balance < 0 {
        require!(
            writer.position_count() == 0,
            GreekhouseError::AccountHasPositions
        );
    }
    Ok(())
}

/// Whether resolving `writer`'s debt needs its margin layout: an unpaid debt's collateral is
/// valued (it must be dust); a repaid account needs no price.
pub fn needs_prices(writer: &WriterAccount) -> bool {
    writer.quote_balance < 0
}

/// Resolve `writer`'s (at `writer_key`) debt. `series` are the series of its open debt markers
/// in marker order; `loaded` prices its collateral when [`needs_prices`], else is `None`.
/// Returns the event; its `from_fund` moves from the insurance vault to the quote vault.
pub fn resolve_debt(
    ch: &Clearinghouse,
    writer_key: Pubkey,
    writer: &mut WriterAccount,
    fund: &mut InsuranceFund,
    loaded: Option<&LoadedMargin>,
    series: &mut [&mut OptionSeries],
    now: i64,
) -> Result<DebtResolved> {
    check_resolve_debt(writer)?;
    let markers: Vec<_> = writer
        .debt_markers
        .iter()
        .filter(|m| m.owed > 0)
        .copied()
        .collect();
    require!(
        series.len() == markers.len(),
        GreekhouseError::SeriesAccountsMismatch
    );
    if needs_prices(writer) {
        // collateral worth more than dust pays the debt first (repayment or the debt sale)
        let loaded = loaded.ok_or(GreekhouseError::MarginAccountsMismatch)?;
        let summary = loaded.margin_of(ch, writer, now)?;
        require!(
            margin::collateral_is_dust(writer, loaded, &summary, ch.quote_decimals)?,
            GreekhouseError::DebtWithCollateral
        );
    } else {
        require!(loaded.is_none(), GreekhouseError::MarginAccountsMismatch);
    }
    let debt = if writer.quote_balance < 0 {
        writer.quote_balance.unsigned_abs()
    } else {
        0
    };
    let from_fund = debt.min(fund.balance);
    let weights: Vec<u64> = markers.iter().map(|m| m.owed).collect();
    let charges = split_pro_rata(debt - from_fund, &weights)?;
    {
        let mut entries: Vec<(Pubkey, &mut OptionSeries, u64)> = series
            .iter_mut()
            .zip(markers.iter())
            .zip(charges.iter())
            .map(|((s, m), c)| (m.series, &mut **s, *c))
            .collect();
        ledger::resolve_debt(writer, fund, from_fund, &mut entries)?;
    }
    Ok(DebtResolved {
        writer_account: writer_key,
        debt,
        from_fund,
        charges: markers
            .iter()
            .zip(charges.iter())
            .map(|(m, c)| DebtCharge {
                series: m.series,
                owed: m.owed,
                charged: *c,
            })
            .collect(),
        fund_balance_after: fund.balance,
    })
}
