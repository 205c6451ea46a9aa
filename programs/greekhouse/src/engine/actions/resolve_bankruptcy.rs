//! `resolve_bankruptcy`: write an insolvent account's shorts off into their series as unbacked
//! contracts when nobody can buy them: no collateral beyond dust, insolvent at mark, and an
//! insurance fund too small for a bid of the whole account (docs/liquidation.md). Its longs are
//! forfeited to the insurance fund, which bears the deficits: their claims leave the series'
//! custody and their payout reaches the fund with the series' dust.

use crate::prelude::*;
use greekhouse_risk::{auction, Fixed, Rounding};

use crate::engine::liquidation::{self, split_pro_rata, to_native_u64};
use crate::engine::margin::{self, LoadedMargin};
use crate::engine::safe_math::Cast;
use crate::engine::{ledger, pricing};
use crate::errors::GreekhouseError;
use crate::events::{ForfeitedLong, UnbackedShort};
use crate::state::{
    Clearinghouse, LiquidationState, OptionSeries, Side, WriterAccount, WriterStatus,
};

/// The rules of a bankruptcy that need no price.
pub fn check_resolve_bankruptcy(writer: &WriterAccount, now: i64) -> Result<()> {
    // an expired position first: a settled series' short count is fixed, its shorts settle and
    // never turn unbacked (an account without positions has none, so the order of the two
    // refusals cannot be told apart)
    liquidation::require_liquidating(writer, now)?;
    require!(
        writer.short_count() > 0,
        GreekhouseError::BankruptWithoutShorts
    );
    Ok(())
}

/// What a bankruptcy did.
#[derive(Clone, Debug)]
pub struct BankruptcyOutcome {
    /// Each short written off, with the cover its series received.
    pub unbacked: Vec<UnbackedShort>,
    /// Each long forfeited to the insurance fund.
    pub forfeited: Vec<ForfeitedLong>,
    /// What a bid for the whole account would have needed from the fund.
    pub fund_needed: u64,
}

/// Resolve the bankruptcy of `writer`, priced by `loaded` for a liquidation, against a fund
/// holding `fund_balance`. `series` are the series of its positions (shorts and longs), once
/// each, in the order of [`WriterAccount::position_series`]. Its positive quote balance covers the shorts pro rata to their
/// mark value; its longs are forfeited; a settlement debt stays with its markers; the account
/// is marked bankrupt.
pub fn resolve_bankruptcy(
    ch: &Clearinghouse,
    writer: &mut WriterAccount,
    fund_balance: u64,
    loaded: &LoadedMargin,
    series: &mut [&mut OptionSeries],
    now: i64,
) -> Result<BankruptcyOutcome> {
    check_resolve_bankruptcy(writer, now)?;
    let summary = loaded.margin_of(ch, writer, now)?;
    // collateral worth more than dust is sold by the auction first
    require!(
        margin::collateral_is_dust(writer, loaded, &summary, ch.quote_decimals)?,
        GreekhouseError::BankruptWithCollateral
    );
    // a solvent account (MtM >= 0) sells without the fund at a low enough discount (its payment
    // is then >= 0), so writing it off would take its owner's surplus
    require!(
        summary.mark_to_market.is_negative(),
        GreekhouseError::AccountSolvent
    );
    // what a bid for the whole account would need from the fund now
    let inputs = liquidation::bid_inputs(&ch.params.liquidation, writer, &summary, now)?;
    let whole = auction::slice_settlement(&inputs, Fixed::ONE)
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    let fund_needed: u64 = whole.from_fund.cast()?;
    require!(
        fund_balance < fund_needed,
        GreekhouseError::InsuranceFundCanPay
    );

    let positions: Vec<_> = writer
        .positions
        .iter()
        .filter(|p| p.contracts > 0)
        .copied()
        .collect();
    let keys = writer.position_series();
    require!(
        series.len() == keys.len(),
        GreekhouseError::SeriesAccountsMismatch
    );
    // the quote balance covers the shorts' series pro rata to their mark value
    let mut weights = Vec::with_capacity(positions.len());
    for p in positions.iter().filter(|p| p.is_short()) {
        let value = pricing::premium(
            loaded.underlying(&p.underlying)?,
            p,
            p.contracts,
            now,
            ch.params.min_time_to_expiry_secs,
            ch.quote_decimals,
        )?;
        weights.push(to_native_u64(value, Rounding::Up)?);
    }
    let covers = split_pro_rata(writer.quote_balance.max(0).cast::<u64>()?, &weights)?;

    let mut covers = covers.into_iter();
    let mut unbacked = Vec::with_capacity(positions.len());
    let mut forfeited = Vec::new();
    for p in &positions {
        let i = keys
            .iter()
            .position(|k| *k == p.series)
            .ok_or(GreekhouseError::SeriesAccountsMismatch)?;
        let s = &mut *series[i];
        match p.side()? {
            Side::Short => {
                let cover = covers.next().ok_or(GreekhouseError::InvariantViolated)?;
                let contracts = ledger::make_unbacked(writer, p.series, s, p.contracts, cover)?;
                unbacked.push(UnbackedShort {
                    series: p.series,
                    contracts,
                    cover,
                });
            }
            Side::Long => {
                ledger::forfeit_long(writer, p.series, s, p.contracts)?;
                forfeited.push(ForfeitedLong {
                    series: p.series,
                    contracts: p.contracts,
                });
            }
        }
    }
    writer.status = WriterStatus::Bankrupt as u8;
    writer.liquidation = LiquidationState::default();
    writer.invariant()?;
    Ok(BankruptcyOutcome {
        unbacked,
        forfeited,
        fund_needed,
    })
}
