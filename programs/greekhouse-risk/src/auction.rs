//! Dutch auction of a liquidated account (PROTOCOL 5).
//!
//! API CONTRACT (stubs). Fractions are [`Fixed`] in (0, 1]. Times are seconds.

use crate::{Fixed, RiskResult};

/// Auction curve parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct AuctionParams {
    /// Discount at the start (default 0).
    pub start_discount: Fixed,
    /// Discount at the end of the fast phase (default 0.20).
    pub fast_discount: Fixed,
    /// Length of the fast phase (default 600 s).
    pub fast_duration_secs: i64,
    /// Length of the slow phase from `fast_discount` to 100 % (compressed to end no later
    /// than the earliest expiry in the account).
    pub slow_duration_secs: i64,
    /// Length of the insolvent phase over which k rises from 0 to 1.
    pub insolvent_duration_secs: i64,
}

/// Where on the curve an auction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuctionPhase {
    Fast,
    Slow,
    /// Past the slow phase: discount is 100 %.
    Exhausted,
}

impl AuctionParams {
    pub fn validate(&self) -> RiskResult<()> {
        todo!()
    }
}

/// Discount d(t) after `elapsed_secs` since the start; `secs_to_earliest_expiry` is measured from
/// the auction start (None when the account has no position). Rounded down (the bidder's
/// discount is the clearing house's cost... it is the liquidated account's loss; see docs).
pub fn discount(
    _params: &AuctionParams,
    _elapsed_secs: i64,
    _secs_to_earliest_expiry: Option<i64>,
) -> RiskResult<(Fixed, AuctionPhase)> {
    todo!()
}

/// What a bidder pays for `fraction` of a solvent account: `fraction * mtm * (1 - discount)`,
/// rounded up (the liquidated account receives it).
pub fn solvent_price(_mark_to_market: Fixed, _fraction: Fixed, _discount: Fixed) -> RiskResult<Fixed> {
    todo!()
}

/// k(t) of the insolvent phase, rising linearly from 0 to 1.
pub fn insolvent_k(_params: &AuctionParams, _elapsed_secs: i64) -> RiskResult<Fixed> {
    todo!()
}

/// What the insurance fund pays a bidder for `fraction` of an insolvent account:
/// `fraction * (-mtm + k * addon)`, rounded down; the caller caps it at the fund's balance.
pub fn insolvent_payment(
    _mark_to_market: Fixed,
    _addon: Fixed,
    _fraction: Fixed,
    _k: Fixed,
) -> RiskResult<Fixed> {
    todo!()
}

/// The fraction that returns the account exactly to the end level given the price a bidder pays
/// for the whole account: solves `(1 - f) * equity_end + f * whole_account_price = 0` for
/// `equity_end < 0`; rounded up and capped at 1. Returns 1 when no fraction below 1 restores it
/// (price <= 0).
pub fn max_fraction(_equity_end: Fixed, _whole_account_price: Fixed) -> RiskResult<Fixed> {
    todo!()
}
