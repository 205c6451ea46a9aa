//! `stake`, `unstake` (and its request and cancellation) and `donate`: the shares a stake mints at the fund's value before it arrives, and
//! the payout of a matured unstake request (docs/insurance.md). The fee sweep and the fund's
//! rebase that come first are `engine::fees` and `engine::insurance`.

use crate::prelude::*;

use crate::engine::insurance::{supply_error, sync_stake};
use crate::engine::ledger;
use crate::engine::safe_math::SafeMath;
use crate::errors::GreekhouseError;
use crate::events::{StakeRebased, UnstakeCancelled, UnstakeRequested};
use crate::state::{Clearinghouse, InsuranceFund, InsuranceStake};

/// The rules of a stake that need no price.
pub fn check_stake(amount: u64) -> Result<()> {
    require!(amount > 0, GreekhouseError::ZeroAmount);
    Ok(())
}

/// The shares `amount` of quote buys from `fund` (after its sweep and rebase): priced before
/// the stake arrives, at least one, within the share supply.
pub fn quote_stake(fund: &InsuranceFund, amount: u64) -> Result<u64> {
    check_stake(amount)?;
    let shares = fund
        .shares()
        .shares_for_stake(amount)
        .map_err(supply_error)?;
    require!(shares > 0, GreekhouseError::StakeTooSmall);
    fund.total_shares
        .checked_add(shares)
        .ok_or(GreekhouseError::ShareSupplyExceeded)?;
    Ok(shares)
}

/// The rules of an unstake: a request, past its cooldown and within its window.
pub fn check_unstake(
    ch: &Clearinghouse,
    fund: &InsuranceFund,
    stake: &InsuranceStake,
    now: i64,
) -> Result<()> {
    let stake = stake.rebased(fund.shares_base)?;
    require!(stake.has_request(), GreekhouseError::NoUnstakeRequest);
    let p = ch.params.insurance;
    let unlocks_at = stake.request_time.safe_add(i64::from(p.cooldown_secs))?;
    require!(now >= unlocks_at, GreekhouseError::UnstakeCooldownNotOver);
    let lapses_at = unlocks_at.safe_add(i64::from(p.unstake_window_secs))?;
    require!(now <= lapses_at, GreekhouseError::UnstakeRequestLapsed);
    Ok(())
}

/// What an unstake did.
#[derive(Clone, Debug)]
pub struct UnstakeOutcome {
    /// Quote paid out of the insurance vault.
    pub payout: u64,
    /// Shares burned.
    pub shares: u64,
    /// The requested shares' value when requested (the payout is at most this).
    pub value_at_request: u64,
    /// The stake's sync to the fund's share base, when it moved.
    pub synced: Option<StakeRebased>,
}

/// Unstake `stake_key`'s matured request: the payout is the smaller of the shares' value now
/// and at the request (a loss since the request is shared, a gain is not).
pub fn unstake(
    ch: &Clearinghouse,
    fund: &mut InsuranceFund,
    stake: &mut InsuranceStake,
    stake_key: Pubkey,
    now: i64,
) -> Result<UnstakeOutcome> {
    check_unstake(ch, fund, stake, now)?;
    let synced = sync_stake(fund, stake, stake_key)?;
    let value_at_request = stake.pending_value;
    let payout = fund
        .shares()
        .unstake_payout(stake.pending_shares, value_at_request)
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    let shares = ledger::unstake(fund, stake, payout)?;
    Ok(UnstakeOutcome {
        payout,
        shares,
        value_at_request,
        synced,
    })
}

/// The rules of an unstake request: a positive number of the stake's shares, no request open.
pub fn check_request_unstake(
    fund: &InsuranceFund,
    stake: &InsuranceStake,
    shares: u64,
) -> Result<()> {
    require!(shares > 0, GreekhouseError::ZeroAmount);
    let stake = stake.rebased(fund.shares_base)?;
    require!(
        !stake.has_request(),
        GreekhouseError::UnstakeAlreadyRequested
    );
    require!(shares <= stake.shares, GreekhouseError::InsufficientShares);
    Ok(())
}

/// Request to unstake `shares` of `stake_key` at `now`: their value now is recorded (the
/// payout is at most that), and they unlock after the cooldown for the unstake window. Returns
/// the event and the stake's sync, when it moved.
pub fn request_unstake(
    ch: &Clearinghouse,
    fund: &mut InsuranceFund,
    stake: &mut InsuranceStake,
    stake_key: Pubkey,
    shares: u64,
    now: i64,
) -> Result<(UnstakeRequested, Option<StakeRebased>)> {
    check_request_unstake(fund, stake, shares)?;
    let synced = sync_stake(fund, stake, stake_key)?;
    let value = fund
        .shares()
        .value_of(shares)
        .map_err(|e| error!(GreekhouseError::from(e)))?;
    ledger::request_unstake(fund, stake, shares, value, now)?;
    let p = ch.params.insurance;
    let unlocks_at = now.safe_add(i64::from(p.cooldown_secs))?;
    let lapses_at = unlocks_at.safe_add(i64::from(p.unstake_window_secs))?;
    Ok((
        UnstakeRequested {
            insurance_stake: stake_key,
            shares,
            value,
            unlocks_at,
            lapses_at,
        },
        synced,
    ))
}

/// The rules of cancelling an unstake request: one is open.
pub fn check_cancel_unstake(fund: &InsuranceFund, stake: &InsuranceStake) -> Result<()> {
    require!(
        stake.rebased(fund.shares_base)?.has_request(),
        GreekhouseError::NoUnstakeRequest
    );
    Ok(())
}

/// Cancel `stake_key`'s open request: its shares stay staked.
pub fn cancel_unstake(
    fund: &mut InsuranceFund,
    stake: &mut InsuranceStake,
    stake_key: Pubkey,
) -> Result<(UnstakeCancelled, Option<StakeRebased>)> {
    check_cancel_unstake(fund, stake)?;
    let synced = sync_stake(fund, stake, stake_key)?;
    let shares = ledger::cancel_unstake(fund, stake)?;
    Ok((
        UnstakeCancelled {
            insurance_stake: stake_key,
            shares,
        },
        synced,
    ))
}

/// A donation of `amount` (already in the insurance vault) to the fund: every share's value
/// rises with it. Returns the fund's balance afterwards.
pub fn donate(fund: &mut InsuranceFund, amount: u64) -> Result<u64> {
    check_stake(amount)?;
    ledger::donate(fund, amount)?;
    Ok(fund.balance)
}
