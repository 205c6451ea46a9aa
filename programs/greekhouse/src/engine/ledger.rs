//! The ledger layer: every movement of money or risk between the program's ledgers, each as one
//! function that changes both sides at once and checks the invariants of what it touched.
//! Handlers call these and never update a pair of ledgers by hand.
//!
//! The ledgers: a writer account's quote balance, collateral balances and shorts; a series'
//! open interest; an underlying ledger's open interest and accrued fees; the insurance fund's
//! balance; and each vault's token balance (token movements are matched by
//! [`require_vault_delta`]). A Dutch-auction bid is [`move_short`] + [`move_collateral`] +
//! [`move_quote`] per slice; a settlement is [`close_short`] plus a quote move into the series.
//!
//! Conservation: each function moves the same amount out of one ledger and into another, so
//! the quote vault always equals the writers' quote balances plus the underlyings' accrued
//! fees, each collateral vault the writers' balances of it, and the insurance vault the fund's
//! balance (`docs/protocol.md` §12, first invariant; reconciled after every step in the tests).

use anchor_lang::prelude::*;

use crate::engine::safe_math::{to_signed, SafeMath};
use crate::errors::GreekhouseError;
use crate::state::{InsuranceFund, OptionSeries, ShortPosition, UnderlyingLedger, WriterAccount};

/// Credit a quote deposit: `received` is what the quote vault actually gained.
pub fn credit_quote(writer: &mut WriterAccount, received: u64) -> Result<i64> {
    writer.add_quote(to_signed(received)?)?;
    writer.invariant()?;
    Ok(writer.quote_balance)
}

/// Debit a quote withdrawal of `amount` (never into debt).
pub fn debit_quote(writer: &mut WriterAccount, amount: u64) -> Result<i64> {
    // no balance exceeds i64::MAX, so a larger request is simply more than there is
    let delta = i64::try_from(amount).map_err(|_| GreekhouseError::InsufficientQuote)?;
    require!(
        writer.quote_balance >= delta,
        GreekhouseError::InsufficientQuote
    );
    writer.add_quote(-delta)?;
    writer.invariant()?;
    Ok(writer.quote_balance)
}

/// Credit a collateral deposit of `asset`: `received` is what its vault actually gained.
pub fn credit_collateral(writer: &mut WriterAccount, asset: &Pubkey, received: u64) -> Result<u64> {
    writer.credit_collateral(asset, received)?;
    writer.invariant()?;
    Ok(writer.collateral_amount(asset))
}

/// Debit a collateral withdrawal of `amount` of `asset`.
pub fn debit_collateral(writer: &mut WriterAccount, asset: &Pubkey, amount: u64) -> Result<u64> {
    writer.debit_collateral(asset, amount)?;
    writer.invariant()?;
    Ok(writer.collateral_amount(asset))
}

/// Result of opening or closing a short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShortChange {
    /// Underlying units (exponent 6) the change moved.
    pub units: u64,
    /// The writer's short in the series afterwards.
    pub short_after: u64,
}

/// Open `contracts` of `series` short in `writer`: the writer's position, the series' open
/// interest and the underlying's open interest grow together; the underlying's cap binds.
pub fn open_short(
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    ledger: &mut UnderlyingLedger,
    open_interest_cap: u64,
    contracts: u64,
) -> Result<ShortChange> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    let units = series.units(contracts)?;
    let open_interest = ledger.open_interest.safe_add(units)?;
    require!(
        open_interest <= open_interest_cap,
        GreekhouseError::OpenInterestCapExceeded
    );
    writer.add_short(&series.short_template(series_key), contracts)?;
    series.open_interest = series.open_interest.safe_add(contracts)?;
    ledger.open_interest = open_interest;
    writer.invariant()?;
    series.invariant()?;
    ledger.invariant()?;
    Ok(ShortChange {
        units,
        short_after: writer.short_contracts(&series_key),
    })
}

/// Close `contracts` of the writer's short in `series` (tokens burned by the holder, or the
/// obligation settled): all three open-interest ledgers shrink together.
pub fn close_short(
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    ledger: &mut UnderlyingLedger,
    contracts: u64,
) -> Result<ShortChange> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    let units = series.units(contracts)?;
    writer.reduce_short(&series_key, contracts)?;
    series.open_interest = series
        .open_interest
        .checked_sub(contracts)
        .ok_or(GreekhouseError::InvariantViolated)?;
    ledger.open_interest = ledger
        .open_interest
        .checked_sub(units)
        .ok_or(GreekhouseError::InvariantViolated)?;
    writer.invariant()?;
    series.invariant()?;
    ledger.invariant()?;
    Ok(ShortChange {
        units,
        short_after: writer.short_contracts(&series_key),
    })
}

/// Charge a writing fee: the writer's quote balance pays it (it may go below zero only as far
/// as the margin check that follows allows) into the underlying's accrued fees.
pub fn charge_fee(
    writer: &mut WriterAccount,
    ledger: &mut UnderlyingLedger,
    fee: u64,
) -> Result<()> {
    writer.add_quote(-to_signed(fee)?)?;
    ledger.fees_accrued = ledger.fees_accrued.safe_add(fee)?;
    writer.invariant()?;
    ledger.invariant()
}

/// Move an underlying's accrued fees into the insurance fund; returns the amount. The caller
/// transfers the same amount from the quote vault to the insurance vault.
pub fn sweep_fees(ledger: &mut UnderlyingLedger, fund: &mut InsuranceFund) -> Result<u64> {
    let amount = ledger.fees_accrued;
    require!(amount > 0, GreekhouseError::NothingToSweep);
    ledger.fees_accrued = 0;
    ledger.fees_swept_total = ledger.fees_swept_total.safe_add(amount)?;
    fund.balance = fund.balance.safe_add(amount)?;
    fund.fees_received_total = fund.fees_received_total.safe_add(amount)?;
    ledger.invariant()?;
    fund.invariant()?;
    Ok(amount)
}

/// Move `amount` (signed) of quote balance from one writer account to another.
pub fn move_quote(from: &mut WriterAccount, to: &mut WriterAccount, amount: i64) -> Result<()> {
    from.add_quote(0i64.safe_sub(amount)?)?;
    to.add_quote(amount)?;
    from.invariant()?;
    to.invariant()
}

/// Move `amount` of collateral `asset` from one writer account to another.
pub fn move_collateral(
    from: &mut WriterAccount,
    to: &mut WriterAccount,
    asset: &Pubkey,
    amount: u64,
) -> Result<()> {
    from.debit_collateral(asset, amount)?;
    to.credit_collateral(asset, amount)?;
    from.invariant()?;
    to.invariant()
}

/// Move `contracts` of a short from one writer account to another (a liquidation slice): the
/// series' and underlying's open interest do not change.
pub fn move_short(
    from: &mut WriterAccount,
    to: &mut WriterAccount,
    template: &ShortPosition,
    contracts: u64,
) -> Result<()> {
    from.reduce_short(&template.series, contracts)?;
    to.add_short(template, contracts)?;
    from.invariant()?;
    to.invariant()
}

/// A token transfer moved the vault by exactly what the ledger recorded. `before` and `after`
/// are the vault's balances around the transfer; `inflow` says which way it went.
pub fn require_vault_delta(before: u64, after: u64, amount: u64, inflow: bool) -> Result<()> {
    let moved = if inflow {
        after.checked_sub(before)
    } else {
        before.checked_sub(after)
    };
    require!(moved == Some(amount), GreekhouseError::VaultDeltaMismatch);
    Ok(())
}
