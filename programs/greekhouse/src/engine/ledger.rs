//! The ledger layer: every movement of money or risk between the program's ledgers, each as one
//! function that changes both sides at once and checks the invariants of what it touched.
//! Handlers call these and never update a pair of ledgers by hand.
//!
//! The ledgers: a writer account's quote balance, collateral balances, shorts and longs; a
//! series' open interest and longs in custody; an underlying ledger's open interest and accrued fees; the insurance fund's
//! balance; and each vault's token balance (token movements are matched by
//! [`require_vault_delta`]; option tokens burned into custody or minted out of it are matched by
//! the series' `long_contracts`). A Dutch-auction bid is [`move_position`] + [`move_collateral`]
//! + [`move_quote`] per slice; a settlement is [`close_short`] plus a quote move into the series.
//!
//! Conservation: each function moves the same amount out of one ledger and into another, so
//! the quote vault always equals the writers' quote balances plus the underlyings' accrued
//! fees, each collateral vault the writers' balances of it, and the insurance vault the fund's
//! balance (`docs/protocol.md` §12, first invariant; reconciled after every step in the tests).

use crate::prelude::*;

use crate::engine::exercise::{accrual, index_after, Accrual};
use crate::engine::liquidation::SlicePlan;
use crate::engine::safe_math::{to_signed, Cast, SafeMath};
use crate::errors::GreekhouseError;
use crate::state::{
    ExerciseSnapshot, InsuranceFund, InsuranceStake, OptionSeries, Position, Side,
    UnderlyingLedger, WriterAccount,
};
use greekhouse_risk::insurance::rebase_shares;
use greekhouse_risk::SliceSettlement;

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
/// interest and the underlying's open interest grow together; the underlying's cap binds, and
/// so does `writer_open_interest_cap` on the writer's open interest in the underlying. An
/// American short adds to the series' recorded shorts; one it opens starts at the series'
/// exercise index, current at the underlying's `exercise_epoch` (an existing one must have
/// accrued).
#[allow(clippy::too_many_arguments)]
pub fn open_short(
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    ledger: &mut UnderlyingLedger,
    open_interest_cap: u64,
    contracts: u64,
    writer_open_interest_cap: u64,
    exercise_epoch: u32,
) -> Result<ShortChange> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    let units = series.units(contracts)?;
    let open_interest = ledger.open_interest.safe_add(units)?;
    require!(
        open_interest <= open_interest_cap,
        GreekhouseError::OpenInterestCapExceeded
    );
    if series.is_american() {
        require_accrued(writer, &series_key, series)?;
    }
    let (slot, opened) =
        writer.add_position_at(&series.short_template(series_key), Side::Short, contracts)?;
    if series.is_american() {
        if opened {
            // a new American short starts at the series' current index
            writer.exercise_snapshots[slot] = current_snapshot(series);
            writer.positions[slot].exercise_epoch = exercise_epoch;
        }
        series.recorded_shorts = series.recorded_shorts.safe_add(contracts)?;
    }
    require!(
        writer_open_interest(writer, &series.underlying) <= u128::from(writer_open_interest_cap),
        GreekhouseError::WriterOpenInterestCapExceeded
    );
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
    if series.is_american() {
        require_accrued(writer, &series_key, series)?;
        series.recorded_shorts = series
            .recorded_shorts
            .checked_sub(contracts)
            .ok_or(GreekhouseError::InvariantViolated)?;
    }
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

/// Record `contracts` deposited tokens of `series` (already burned) as the writer's long: the
/// account's long and the series' custody count grow together. Returns the long afterwards.
pub fn open_long(
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    contracts: u64,
) -> Result<u64> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    writer.add_position(&series.short_template(series_key), Side::Long, contracts)?;
    series.long_contracts = series.long_contracts.safe_add(contracts)?;
    writer.invariant()?;
    series.invariant()?;
    Ok(writer.long_contracts(&series_key))
}

/// Release `contracts` of the writer's long in `series` (the caller mints the same number of
/// tokens): the account's long and the series' custody count shrink together. Returns the
/// long afterwards.
pub fn close_long(
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    contracts: u64,
) -> Result<u64> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    writer.reduce_position(&series_key, Side::Long, contracts)?;
    series.long_contracts = series
        .long_contracts
        .checked_sub(contracts)
        .ok_or(GreekhouseError::InvariantViolated)?;
    writer.invariant()?;
    series.invariant()?;
    Ok(writer.long_contracts(&series_key))
}

/// Pay the writer's whole long in a finalized `series` into its quote balance at the final
/// payout, as a redemption of the same number of tokens would. Returns `(contracts, amount)`.
pub fn settle_long(
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
) -> Result<(u64, u64)> {
    let contracts = writer.long_contracts(&series_key);
    require!(contracts > 0, GreekhouseError::NoLongInSeries);
    close_long(writer, series_key, series, contracts)?;
    let amount = redeem(series, contracts)?;
    writer.add_quote(to_signed(amount)?)?;
    writer.invariant()?;
    Ok((contracts, amount))
}

/// A bankrupt writer's long in `series` is forfeited: it leaves the account and the series'
/// custody count, so nobody holds its claim and its payout stays in the series' ledger until
/// the dust sweep moves it to the insurance fund, which bears the bankruptcy's deficits.
pub fn forfeit_long(
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    contracts: u64,
) -> Result<()> {
    close_long(writer, series_key, series, contracts).map(|_| ())
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

/// Move `contracts` of a position (short or long, as `position.side` says) from one writer
/// account to another (a liquidation slice): no series count changes. The receiver keeps it on
/// the same side, beside an opposite position in the same series if it has one.
pub fn move_position(
    from: &mut WriterAccount,
    to: &mut WriterAccount,
    position: &Position,
    contracts: u64,
) -> Result<()> {
    let side = position.side()?;
    let american = position.is_american_short();
    let snapshot = match from.position_slot(&position.series, side) {
        Some(i) if american => from.exercise_snapshots[i],
        _ => ExerciseSnapshot::default(),
    };
    from.reduce_position(&position.series, side, contracts)?;
    let (slot, opened) = to.add_position_at(position, side, contracts)?;
    if american {
        // an American short moves with its exercise snapshot; joining the receiver's short in
        // the series needs the two at the same index (both accrued: the margin checks of a
        // bid refuse an account with an exercise to accrue)
        if opened {
            to.exercise_snapshots[slot] = snapshot;
            to.positions[slot].exercise_epoch = position.exercise_epoch;
        } else {
            require!(
                to.exercise_snapshots[slot] == snapshot,
                GreekhouseError::ExerciseNotAccrued
            );
            let epoch = &mut to.positions[slot].exercise_epoch;
            *epoch = (*epoch).min(position.exercise_epoch);
        }
    }
    from.invariant()?;
    to.invariant()
}

/// Move a liquidation slice's items from the liquidated account to the bidder: each position,
/// each collateral balance and the quote share of [`SlicePlan`]. Open interest and custody
/// counts are unchanged.
#[inline(never)] // its own sBPF stack frame (docs/performance.md, "Stack frames")
pub fn apply_slice(
    liquidated: &mut WriterAccount,
    bidder: &mut WriterAccount,
    plan: &SlicePlan,
) -> Result<()> {
    for (position, contracts) in &plan.positions {
        if *contracts > 0 {
            move_position(liquidated, bidder, position, *contracts)?;
        }
    }
    for (asset, amount) in &plan.collaterals {
        move_collateral(liquidated, bidder, asset, *amount)?;
    }
    if plan.quote != 0 {
        move_quote(liquidated, bidder, plan.quote)?;
    }
    Ok(())
}

/// Settle a slice's quote: a positive payment leaves the bidder's quote balance, its fee goes
/// to the insurance fund and the rest to the liquidated account; a negative payment comes out
/// of the fund's balance (never more than it holds) into the bidder's; the liquidated account's
/// auction record counts the slice. Token movements: the fee
/// from the quote vault to the insurance vault, a fund payment the other way.
#[inline(never)] // its own sBPF stack frame (docs/performance.md, "Stack frames")
pub fn settle_slice(
    liquidated: &mut WriterAccount,
    bidder: &mut WriterAccount,
    fund: &mut InsuranceFund,
    s: &SliceSettlement,
) -> Result<()> {
    let native = |v: i128| i64::try_from(v).map_err(|_| error!(GreekhouseError::MathOverflow));
    let (to_account, fee, from_fund) =
        (native(s.to_account)?, native(s.fee)?, native(s.from_fund)?);
    require!(
        to_account >= 0 && fee >= 0 && from_fund >= 0 && (fee == 0 || from_fund == 0),
        GreekhouseError::InvariantViolated
    );
    if to_account > 0 {
        move_quote(bidder, liquidated, to_account)?;
    }
    if fee > 0 {
        bidder.add_quote(-fee)?;
        fund.balance = fund.balance.safe_add(fee.cast::<u64>()?)?;
        fund.liquidation_fees_total = fund.liquidation_fees_total.safe_add(fee.cast::<u64>()?)?;
    }
    if from_fund > 0 {
        fund.balance = fund
            .balance
            .checked_sub(from_fund.cast::<u64>()?)
            .ok_or(GreekhouseError::InsuranceFundInsufficient)?;
        fund.paid_to_bidders_total = fund
            .paid_to_bidders_total
            .safe_add(from_fund.cast::<u64>()?)?;
        bidder.add_quote(from_fund)?;
    }
    // the auction's own record of what the account received and cost
    let record = &mut liquidated.liquidation;
    record.slices = record.slices.safe_add(1)?;
    record.received_from_bidders = record
        .received_from_bidders
        .safe_add(to_account.cast::<u64>()?)?;
    record.paid_by_fund = record.paid_by_fund.safe_add(from_fund.cast::<u64>()?)?;
    record.fees_paid = record.fees_paid.safe_add(fee.cast::<u64>()?)?;
    liquidated.invariant()?;
    bidder.invariant()?;
    fund.invariant()
}

/// A bankrupt writer's short of `contracts` in `series` becomes the series' unbacked contracts,
/// with `cover` of the writer's positive quote balance set aside towards them (held in the
/// quote vault for that series). Open interest is unchanged: the tokens are still outstanding.
/// Returns the contracts the series records as unbacked: the short, except in an American
/// series where it exceeds what the writers back in all (`writer_shorts`): accruals round each
/// short up, so a short can hold contracts no token stands against, and those are no claim
/// on anyone (counting them would take the unbacked count past the open interest).
pub fn make_unbacked(
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    contracts: u64,
    cover: u64,
) -> Result<u64> {
    require!(
        cover == 0 || writer.quote_balance >= to_signed(cover)?,
        GreekhouseError::InsufficientQuote
    );
    let unbacked = if series.is_american() {
        require_accrued(writer, &series_key, series)?;
        series.recorded_shorts = series
            .recorded_shorts
            .checked_sub(contracts)
            .ok_or(GreekhouseError::InvariantViolated)?;
        contracts.min(series.writer_shorts())
    } else {
        contracts
    };
    writer.reduce_short(&series_key, contracts)?;
    writer.add_quote(-to_signed(cover)?)?;
    series.unbacked_contracts = series.unbacked_contracts.safe_add(unbacked)?;
    series.unbacked_cover = series.unbacked_cover.safe_add(cover)?;
    writer.invariant()?;
    series.invariant()?;
    Ok(unbacked)
}

/// Rebase the insurance fund's shares when it needs it before minting
/// ([`FundShares::rebase_digits`](greekhouse_risk::FundShares::rebase_digits): a wiped fund's old
/// shares to zero, a share value fallen tenfold back near the initial one): the total and the
/// pending total divided by `10^digits`, rounded down, and the base raised by `digits`. Stakes
/// catch up lazily ([`sync_stake`]). Returns `digits` (zero: no rebase).
pub fn rebase_fund(fund: &mut InsuranceFund) -> Result<u32> {
    let digits = fund.shares().rebase_digits();
    if digits > 0 {
        fund.total_shares = rebase_shares(fund.total_shares, digits);
        fund.pending_unstake_shares = rebase_shares(fund.pending_unstake_shares, digits);
        fund.shares_base = fund.shares_base.safe_add(digits)?;
    }
    fund.invariant()?;
    Ok(digits)
}

/// Bring a stake to the fund's share base (rounding its shares down, so the stakes never sum
/// to more than the fund's total); true when that changed it. Every instruction on a stake
/// calls this first.
pub fn sync_stake(fund: &InsuranceFund, stake: &mut InsuranceStake) -> Result<bool> {
    let changed = stake.shares_base != fund.shares_base;
    if changed {
        *stake = stake.rebased(fund.shares_base)?;
    }
    require!(
        stake.shares <= fund.total_shares,
        GreekhouseError::InvariantViolated
    );
    Ok(changed)
}

/// The stake is counted at the fund's share base ([`sync_stake`] ran).
fn require_synced(fund: &InsuranceFund, stake: &InsuranceStake) -> Result<()> {
    require!(
        stake.shares_base == fund.shares_base,
        GreekhouseError::InvariantViolated
    );
    Ok(())
}

/// A stake of `amount` (already received by the insurance vault) mints `shares`.
pub fn stake(
    fund: &mut InsuranceFund,
    stake: &mut InsuranceStake,
    amount: u64,
    shares: u64,
) -> Result<()> {
    require!(shares > 0, GreekhouseError::StakeTooSmall);
    require_synced(fund, stake)?;
    fund.balance = fund.balance.safe_add(amount)?;
    fund.total_shares = fund
        .total_shares
        .checked_add(shares)
        .ok_or(GreekhouseError::ShareSupplyExceeded)?;
    fund.staked_total = fund.staked_total.safe_add(amount)?;
    stake.shares = stake.shares.safe_add(shares)?;
    fund.invariant()?;
    stake.invariant()
}

/// Record an unstake request of `shares` worth `value` now.
pub fn request_unstake(
    fund: &mut InsuranceFund,
    stake: &mut InsuranceStake,
    shares: u64,
    value: u64,
    now: i64,
) -> Result<()> {
    require_synced(fund, stake)?;
    require!(
        !stake.has_request(),
        GreekhouseError::UnstakeAlreadyRequested
    );
    require!(shares > 0, GreekhouseError::ZeroAmount);
    require!(shares <= stake.shares, GreekhouseError::InsufficientShares);
    stake.pending_shares = shares;
    stake.pending_value = value;
    stake.request_time = now;
    fund.pending_unstake_shares = fund.pending_unstake_shares.safe_add(shares)?;
    fund.invariant()?;
    stake.invariant()
}

/// Drop a pending unstake request; returns its shares.
pub fn cancel_unstake(fund: &mut InsuranceFund, stake: &mut InsuranceStake) -> Result<u64> {
    require_synced(fund, stake)?;
    require!(stake.has_request(), GreekhouseError::NoUnstakeRequest);
    let shares = stake.pending_shares;
    fund.pending_unstake_shares = fund
        .pending_unstake_shares
        .checked_sub(shares)
        .ok_or(GreekhouseError::InvariantViolated)?;
    stake.pending_shares = 0;
    stake.pending_value = 0;
    stake.request_time = 0;
    fund.invariant()?;
    stake.invariant()?;
    Ok(shares)
}

/// Execute a pending unstake: burn its shares and pay `payout` out of the fund's balance.
pub fn unstake(fund: &mut InsuranceFund, stake: &mut InsuranceStake, payout: u64) -> Result<u64> {
    let shares = cancel_unstake(fund, stake)?;
    stake.shares = stake
        .shares
        .checked_sub(shares)
        .ok_or(GreekhouseError::InvariantViolated)?;
    fund.total_shares = fund
        .total_shares
        .checked_sub(shares)
        .ok_or(GreekhouseError::InvariantViolated)?;
    fund.balance = fund
        .balance
        .checked_sub(payout)
        .ok_or(GreekhouseError::InsuranceFundInsufficient)?;
    fund.unstaked_total = fund.unstaked_total.safe_add(payout)?;
    fund.invariant()?;
    stake.invariant()?;
    Ok(shares)
}

/// A donation of `amount` (already received by the insurance vault).
pub fn donate(fund: &mut InsuranceFund, amount: u64) -> Result<()> {
    fund.balance = fund.balance.safe_add(amount)?;
    fund.donations_total = fund.donations_total.safe_add(amount)?;
    fund.invariant()
}

/// Settle a series: the insurance fund's cover of its unbacked contracts (`from_fund`, paid
/// from the fund's balance; the caller moves the tokens from the insurance vault to the quote
/// vault) and the bankrupt writers' cover join the series' settlement ledger.
pub fn settle_series_cover(
    series: &mut OptionSeries,
    fund: &mut InsuranceFund,
    from_fund: u64,
) -> Result<()> {
    fund.balance = fund
        .balance
        .checked_sub(from_fund)
        .ok_or(GreekhouseError::InsuranceFundInsufficient)?;
    fund.paid_to_series_total = fund.paid_to_series_total.safe_add(from_fund)?;
    series.settlement_ledger = series
        .settlement_ledger
        .safe_add(series.unbacked_cover)?
        .safe_add(from_fund)?;
    series.unbacked_cover = 0;
    series.fund_cover = from_fund;
    series.invariant()?;
    fund.invariant()
}

/// An expired series leaves its underlying's open interest at settlement: all of its contracts'
/// units come off the underlying ledger (the series keeps its own count for settling them).
pub fn release_series_open_interest(
    series: &OptionSeries,
    ledger: &mut UnderlyingLedger,
) -> Result<()> {
    let units = series.units(series.open_interest)?;
    ledger.open_interest = ledger
        .open_interest
        .checked_sub(units)
        .ok_or(GreekhouseError::InvariantViolated)?;
    ledger.invariant()
}

/// Settle a writer's short in an expired series: the obligation moves from its quote balance
/// (which may go negative: a debt, marked against this series) into the series' ledger, and
/// the short leaves the account. Returns `(owed, debt_part)`.
pub fn settle_position(
    writer: &mut WriterAccount,
    series_key: Pubkey,
    series: &mut OptionSeries,
    now: i64,
) -> Result<(u64, u64)> {
    let contracts = writer.short_contracts(&series_key);
    require!(contracts > 0, GreekhouseError::NoShortInSeries);
    let owed = contracts.safe_mul(series.obligation_per_contract)?;
    if series.is_american() {
        require_accrued(writer, &series_key, series)?;
        series.recorded_shorts = series
            .recorded_shorts
            .checked_sub(contracts)
            .ok_or(GreekhouseError::InvariantViolated)?;
    }
    writer.reduce_short(&series_key, contracts)?;
    writer.add_quote(-to_signed(owed)?)?;
    series.settlement_ledger = series.settlement_ledger.safe_add(owed)?;
    series.shorts_to_settle = series
        .shorts_to_settle
        .checked_sub(contracts)
        .ok_or(GreekhouseError::InvariantViolated)?;
    // the part of the obligation the account could not pay is its debt to this series
    let debt_part = if writer.quote_balance < 0 {
        owed.min(writer.quote_balance.unsigned_abs())
    } else {
        0
    };
    if debt_part > 0 {
        if writer.mark_debt(&series_key, debt_part)? {
            series.open_debts = series.open_debts.safe_add(1)?;
        }
        if writer.debt_since == 0 {
            writer.debt_since = now;
        }
    }
    writer.invariant()?;
    series.invariant()?;
    Ok((owed, debt_part))
}

/// Resolve a writer's settlement debt: the insurance fund pays `from_fund` of it (the caller
/// moves the tokens) and each marked series bears `charges[i]` (its ledger shrinks, its
/// shortfall grows); the markers close. A repaid account (`quote_balance >= 0`) only closes them.
pub fn resolve_debt(
    writer: &mut WriterAccount,
    fund: &mut InsuranceFund,
    from_fund: u64,
    series: &mut [(Pubkey, &mut OptionSeries, u64)],
) -> Result<()> {
    if from_fund > 0 {
        fund.balance = fund
            .balance
            .checked_sub(from_fund)
            .ok_or(GreekhouseError::InsuranceFundInsufficient)?;
        fund.paid_to_series_total = fund.paid_to_series_total.safe_add(from_fund)?;
        writer.add_quote(to_signed(from_fund)?)?;
    }
    for (_, s, charge) in series.iter_mut() {
        if s.settlement_ledger >= *charge || !s.is_american() {
            s.settlement_ledger = s
                .settlement_ledger
                .checked_sub(*charge)
                .ok_or(GreekhouseError::InvariantViolated)?;
        } else {
            // an exercise debt written off before the series' ledger holds it: the quote
            // advanced to exercising holders is short by it, and finalization takes it out of
            // the ledger (the series' remaining holders bear it, after the backstop)
            s.exercise_collected = s
                .exercise_collected
                .checked_sub(*charge)
                .ok_or(GreekhouseError::InvariantViolated)?;
        }
        s.shortfall = s.shortfall.safe_add(*charge)?;
        s.open_debts = s
            .open_debts
            .checked_sub(1)
            .ok_or(GreekhouseError::InvariantViolated)?;
        writer.add_quote(to_signed(*charge)?)?;
    }
    require!(
        writer.quote_balance >= 0,
        GreekhouseError::InvariantViolated
    );
    writer.debt_markers = Default::default();
    writer.debt_since = 0;
    writer.invariant()?;
    for (_, s, _) in series.iter() {
        s.invariant()?;
    }
    fund.invariant()
}

/// A backstop purchase: `amount` of quote (received by the quote vault) joins the series'
/// ledger and `shares` new insurance shares go to the buyer's stake, diluting stakers.
pub fn buy_backstop(
    series: &mut OptionSeries,
    fund: &mut InsuranceFund,
    stake: &mut InsuranceStake,
    amount: u64,
    shares: u64,
) -> Result<()> {
    require!(shares > 0, GreekhouseError::StakeTooSmall);
    series.settlement_ledger = series.settlement_ledger.safe_add(amount)?;
    series.backstop_raised = series.backstop_raised.safe_add(amount)?;
    require_synced(fund, stake)?;
    fund.total_shares = fund
        .total_shares
        .checked_add(shares)
        .ok_or(GreekhouseError::ShareSupplyExceeded)?;
    stake.shares = stake.shares.safe_add(shares)?;
    series.invariant()?;
    fund.invariant()?;
    stake.invariant()
}

/// Redeem `contracts` tokens at the final payout: the series' ledger pays the holder (the
/// caller moves the tokens). Returns the amount.
pub fn redeem(series: &mut OptionSeries, contracts: u64) -> Result<u64> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    let amount = contracts.safe_mul(series.payout_final)?;
    series.settlement_ledger = series
        .settlement_ledger
        .checked_sub(amount)
        .ok_or(GreekhouseError::InvariantViolated)?;
    series.redeemed_contracts = series.redeemed_contracts.safe_add(contracts)?;
    series.invariant()?;
    Ok(amount)
}

/// Sweep a finalized series' dust into the insurance fund: what its ledger holds beyond the final
/// payout of the claims still held (`mint_supply` tokens and the longs in custody), so the
/// payout of tokens burned outside the program and of bankrupt accounts' forfeited longs goes
/// with the rounding dust, and an American series' exercise surplus (the writers' exercise debts
/// collected beyond what was advanced to exercising holders). Returns the amount.
pub fn sweep_series_dust(
    series: &mut OptionSeries,
    fund: &mut InsuranceFund,
    mint_supply: u64,
) -> Result<u64> {
    let claims = series.claims(mint_supply)?;
    require!(
        claims <= series.outstanding(),
        GreekhouseError::InvariantViolated
    );
    let dust = crate::engine::settlement::series_dust(
        series.settlement_ledger,
        claims,
        series.payout_final,
    )
    .ok_or(GreekhouseError::InvariantViolated)?;
    // an American series' exercise surplus: what the writers' rounded-up exercise debts
    // collected beyond the quote advanced to exercising holders (every short has accrued by
    // finalization, so never less)
    let surplus = series
        .exercise_collected
        .saturating_sub(series.exercise_advanced);
    require!(dust > 0 || surplus > 0, GreekhouseError::NoSeriesDust);
    let backing = series.settlement_ledger - dust;
    series.settlement_ledger = backing;
    series.exercise_collected = series.exercise_collected.min(series.exercise_advanced);
    let dust = dust.safe_add(surplus)?;
    series.dust_swept = 1;
    fund.balance = fund.balance.safe_add(dust)?;
    fund.series_dust_total = fund.series_dust_total.safe_add(dust)?;
    series.invariant()?;
    fund.invariant()?;
    Ok(dust)
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

/// The series' exercise index as a short's snapshot.
pub fn current_snapshot(series: &OptionSeries) -> ExerciseSnapshot {
    ExerciseSnapshot {
        scale: series.exercise_scale,
        payout_index: series.exercise_payout_index,
    }
}

/// The writer's American short in `series` (if any) is at the series' current exercise index:
/// nothing may close, grow, settle or move it before its pending exercises accrued
/// (`ExerciseNotAccrued`).
pub fn require_accrued(
    writer: &WriterAccount,
    series_key: &Pubkey,
    series: &OptionSeries,
) -> Result<()> {
    if let Some(i) = writer.position_slot(series_key, Side::Short) {
        require!(
            writer.exercise_snapshots[i] == current_snapshot(series),
            GreekhouseError::ExerciseNotAccrued
        );
    }
    Ok(())
}

/// An exercise of `contracts` tokens of an American `series` (burned by the caller) at
/// `payout` per contract to the holder and `obligation` per contract charged to the writers:
/// the series' open interest and the underlying's shrink by the exercised contracts, the
/// exercise index spreads them over the writers' shorts, the quote the holder is paid (out of
/// the quote vault, by the caller) is advanced for the writers, and the underlying's exercise
/// epoch moves on (`epoch`, the underlying's counter). Returns `(amount, writer_shorts_before)`.
pub fn exercise(
    series: &mut OptionSeries,
    book: &mut UnderlyingLedger,
    epoch: &mut u32,
    contracts: u64,
    payout: u64,
    obligation: u64,
) -> Result<(u64, u64)> {
    require!(contracts > 0, GreekhouseError::ZeroAmount);
    let shorts = series.writer_shorts();
    let next = index_after(
        series.exercise_scale,
        series.exercise_payout_index,
        shorts,
        contracts,
        obligation,
    )?;
    let amount = contracts.safe_mul(payout)?;
    let units = series.units(contracts)?;
    series.exercise_scale = next.scale;
    series.exercise_payout_index = next.payout_index;
    series.open_interest = series
        .open_interest
        .checked_sub(contracts)
        .ok_or(GreekhouseError::InvariantViolated)?;
    series.exercised_contracts = series.exercised_contracts.safe_add(contracts)?;
    series.exercise_advanced = series.exercise_advanced.safe_add(amount)?;
    book.open_interest = book
        .open_interest
        .checked_sub(units)
        .ok_or(GreekhouseError::InvariantViolated)?;
    *epoch = epoch.checked_add(1).ok_or(GreekhouseError::MathOverflow)?;
    series.last_exercise_epoch = *epoch;
    series.invariant()?;
    book.invariant()?;
    Ok((amount, shorts))
}

/// Accrue the writer's American short in `series` to the series' current exercise index: the
/// short shrinks to its surviving share and its exercise debt moves from the writer's quote
/// balance (which may go negative, a debt its margin carries) to the series' collected
/// exercise quote; what the rounding closed comes off the series' recorded shorts (and off
/// those still to settle). The position is then current at `epoch` (the underlying's exercise
/// epoch; at least the series' last exercise). What the balance cannot pay is marked as a debt
/// to the series (as at settlement). Returns the contracts before and the accrual.
pub fn accrue_exercise(
    writer: &mut WriterAccount,
    series_key: &Pubkey,
    series: &mut OptionSeries,
    epoch: u32,
    now: i64,
) -> Result<(u64, Accrual)> {
    let slot = writer
        .position_slot(series_key, Side::Short)
        .ok_or(GreekhouseError::NoShortInSeries)?;
    require!(
        epoch >= series.last_exercise_epoch,
        GreekhouseError::InvariantViolated
    );
    let before = writer.positions[slot].contracts;
    let a = accrual(
        before,
        &writer.exercise_snapshots[slot],
        series.exercise_scale,
        series.exercise_payout_index,
    )?;
    let closed = before
        .checked_sub(a.contracts)
        .ok_or(GreekhouseError::InvariantViolated)?;
    series.recorded_shorts = series
        .recorded_shorts
        .checked_sub(closed)
        .ok_or(GreekhouseError::InvariantViolated)?;
    if series.is_settled() {
        series.shorts_to_settle = series
            .shorts_to_settle
            .checked_sub(closed)
            .ok_or(GreekhouseError::InvariantViolated)?;
    }
    series.exercise_collected = series.exercise_collected.safe_add(a.debt)?;
    writer.positions[slot].contracts = a.contracts;
    writer.positions[slot].exercise_epoch = epoch;
    writer.exercise_snapshots[slot] = current_snapshot(series);
    writer.add_quote(-to_signed(a.debt)?)?;
    // the part of the debt the account could not pay is a debt to this series, as a settlement
    // debt is: marked, repaid by deposit, sold after the grace period or written off
    // (`resolve_debt`: the fund, then this series' holders)
    let debt_part = if writer.quote_balance < 0 {
        a.debt.min(writer.quote_balance.unsigned_abs())
    } else {
        0
    };
    if debt_part > 0 {
        if writer.mark_debt(series_key, debt_part)? {
            series.open_debts = series.open_debts.safe_add(1)?;
        }
        if writer.debt_since == 0 {
            writer.debt_since = now;
        }
    }
    writer.invariant()?;
    series.invariant()?;
    Ok((before, a))
}

/// A writer's open interest in one underlying: the sum of its shorts' units (exponent 6).
fn writer_open_interest(writer: &WriterAccount, underlying: &Pubkey) -> u128 {
    writer
        .positions
        .iter()
        .filter(|p| p.is_short() && p.underlying == *underlying)
        .map(|p| u128::from(p.contracts) * u128::from(p.contract_size))
        .sum()
}
