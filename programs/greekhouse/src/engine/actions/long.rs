//! Long positions (docs/protocol.md section 5): `deposit_options` burns option tokens into a
//! writer account (first against its own short in the series, the rest held as a long),
//! `withdraw_options` mints a long back out as tokens when the account stays at IM, and
//! `settle_long` pays a long in a finalized series into the account's quote balance.
//!
//! Custody is by burning: the program is the series' mint authority, so it holds a long as a
//! claim (`OptionSeries::long_contracts`) rather than as tokens in a vault, and re-mints it on
//! withdrawal. The series' conservation reads: open interest less redeemed contracts is at
//! least the mint's supply plus the longs in custody (equal but for claims nobody holds). A
//! long therefore needs no custody account, and a liquidation slice moves it between accounts
//! without a token transfer.

use crate::prelude::*;
use greekhouse_risk::MarginSummary;

use super::MarginPrices;
use crate::engine::ledger;
use crate::errors::GreekhouseError;
use crate::events::{LongSettled, OptionsDeposited};
use crate::state::{
    pause, Clearinghouse, OptionSeries, SeriesStatus, UnderlyingLedger, WriterAccount, WriterStatus,
};

/// The rules of a deposit of option tokens that need no price. It only reduces risk (a long
/// never needs more margin than it is worth, and the netted part closes a short): never
/// paused, never priced. Refused for a bankrupt account, after the series' expiry (its tokens
/// are redeemed instead), and while settlement debt markers are open (the account gains no
/// position then, as in a write).
pub fn check_deposit_options(
    writer: &WriterAccount,
    series: &OptionSeries,
    contracts: u64,
    now: i64,
) -> Result<()> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    require!(
        writer.status()? != WriterStatus::Bankrupt,
        GreekhouseError::AccountNotActive
    );
    require!(
        series.status == SeriesStatus::Active as u8 && now < series.expiry,
        GreekhouseError::SeriesExpired
    );
    require!(
        !writer.has_open_debt_markers(),
        GreekhouseError::SettlementDebtOpen
    );
    Ok(())
}

/// Record `contracts` tokens of `series` (the caller burns them from the owner) in `writer`:
/// first closing its own short in the series, as `burn_options` would (the series' and the
/// underlying's open interest shrink), then holding the rest as a long.
pub fn deposit_options(
    writer_key: Pubkey,
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    book: &mut UnderlyingLedger,
    contracts: u64,
    now: i64,
) -> Result<OptionsDeposited> {
    check_deposit_options(writer, series, contracts, now)?;
    let netted = writer.short_contracts(&series_key).min(contracts);
    if netted > 0 {
        ledger::close_short(writer, series_key, series, book, netted)?;
    }
    let rest = contracts - netted;
    if rest > 0 {
        ledger::open_long(writer, series_key, series, rest)?;
    }
    Ok(OptionsDeposited {
        writer_account: writer_key,
        series: series_key,
        contracts,
        netted,
        short_after: writer.short_contracts(&series_key),
        long_after: writer.long_contracts(&series_key),
    })
}

/// The rules of a withdrawal of a long as tokens that need no price: an active account (not
/// in an auction, which sells its longs), not paused (a long backs the account's shorts), a
/// long that large, a live series, no expired short awaiting settlement and no unpaid
/// settlement debt (as for any withdrawal).
pub fn check_withdraw_options(
    ch: &Clearinghouse,
    writer: &WriterAccount,
    series_key: &Pubkey,
    series: &OptionSeries,
    contracts: u64,
    now: i64,
) -> Result<()> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    writer.require_active()?;
    require!(
        !(ch.is_paused(pause::WITHDRAW) && writer.has_liabilities()),
        GreekhouseError::Paused
    );
    require!(
        writer.long_contracts(series_key) >= contracts,
        GreekhouseError::InsufficientLong
    );
    require!(
        series.status == SeriesStatus::Active as u8 && now < series.expiry,
        GreekhouseError::SeriesExpired
    );
    require!(
        !writer.has_expired_short(now),
        GreekhouseError::PositionAwaitingSettlement
    );
    require!(
        !writer.has_settlement_debt(),
        GreekhouseError::SettlementDebtOpen
    );
    Ok(())
}

/// What a withdrawal of options did.
#[derive(Clone, Debug)]
pub struct WithdrawOptionsOutcome {
    pub long_after: u64,
    /// The account's margin afterwards; `None` without shorts or debt (no price needed).
    pub margin_after: Option<MarginSummary>,
    /// Equity at IM afterwards, whole quote native units rounded down, when checked.
    pub initial_equity_after: Option<i64>,
}

/// Release `contracts` of `writer`'s long in `series` (the caller mints them to the
/// recipient); an account with liabilities must then stand at IM >= 0 with prices checked for
/// a risk-increasing use (`prices` is asked only then).
#[allow(clippy::too_many_arguments)]
pub fn withdraw_options(
    ch: &Clearinghouse,
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    prices: &mut impl MarginPrices,
    contracts: u64,
    now: i64,
) -> Result<WithdrawOptionsOutcome> {
    check_withdraw_options(ch, writer, &series_key, series, contracts, now)?;
    let long_after = ledger::close_long(writer, series_key, series, contracts)?;
    let (margin_after, initial_equity_after) =
        super::withdraw::initial_margin_if_liable(ch, writer, prices, now)?;
    Ok(WithdrawOptionsOutcome {
        long_after,
        margin_after,
        initial_equity_after,
    })
}

/// The rules of settling a long: the series is finalized (its final payout, after any haircut,
/// is known) and the account is long in it. Anyone may call it, for any account.
pub fn check_settle_long(
    writer: &WriterAccount,
    series_key: &Pubkey,
    series: &OptionSeries,
) -> Result<()> {
    require!(
        series.status == SeriesStatus::Finalized as u8,
        GreekhouseError::SeriesNotFinalized
    );
    require!(
        writer.long_contracts(series_key) > 0,
        GreekhouseError::NoLongInSeries
    );
    Ok(())
}

/// Pay `writer`'s whole long in the finalized `series` into its quote balance at the final
/// payout (a redemption without tokens: the series' ledger pays, the quote stays in the vault).
pub fn settle_long(
    writer_key: Pubkey,
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
) -> Result<LongSettled> {
    check_settle_long(writer, &series_key, series)?;
    let (contracts, amount) = ledger::settle_long(writer, series_key, series)?;
    Ok(LongSettled {
        writer_account: writer_key,
        series: series_key,
        contracts,
        amount,
        quote_balance_after: writer.quote_balance,
    })
}
