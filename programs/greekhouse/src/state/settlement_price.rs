//! The settlement price of one underlying at one expiry (docs/settlement.md §1). It is exactly
//! one update of the feed: the one with `prev_publish_time < expiry <= publish_time`, which the
//! update itself proves (Pyth's pull message and the legacy account both carry the previous
//! publish time), so no caller can choose among updates. A feed gap changes nothing: the first
//! update after the gap is that update. When its confidence is wider than the governed bound,
//! the updates after it are posted one by one, each proving it follows the last (its
//! `prev_publish_time` is the last one's `publish_time`), until one is within the bound: still
//! one update, fixed by the feed's history.

use crate::prelude::*;

use crate::constants::ACCOUNT_VERSION;
use crate::errors::GreekhouseError;

/// Where a settlement price stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SettlementPriceStatus {
    /// The last posted update's confidence was too wide: the next one is awaited.
    Walking = 0,
    /// The price is final.
    Final = 1,
}

/// PDA [`SETTLEMENT_PRICE_SEED`](crate::constants::SETTLEMENT_PRICE_SEED), underlying, expiry (i64 LE).
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct SettlementPrice {
    pub version: u8,
    pub bump: u8,
    /// [`SettlementPriceStatus`].
    pub status: u8,
    pub _padding: [u8; 1],
    /// Number of updates passed over for a confidence wider than the bound (the last posted one
    /// included while walking).
    pub passed_over: u32,
    pub underlying: Pubkey,
    pub expiry: i64,
    /// The last posted update in Pyth's units (`price * 10^expo`): the settlement price once
    /// final.
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub _padding1: u32,
    pub publish_time: i64,
    /// The posted update's previous publish time (before expiry for the first one).
    pub prev_publish_time: i64,
    /// When the last update was posted.
    pub posted_at: i64,
    pub reserved: [u8; 64],
}

const _: () = assert!(core::mem::size_of::<SettlementPrice>() == 8 + 32 + 8 * 3 + 8 + 8 * 3 + 64);

impl SettlementPrice {
    pub const SPACE: usize = 8 + core::mem::size_of::<SettlementPrice>();

    /// Final once an update within the confidence bound was posted.
    pub fn is_final(&self) -> bool {
        self.status == SettlementPriceStatus::Final as u8
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        require!(
            self.price > 0
                && self.status <= SettlementPriceStatus::Final as u8
                && self.publish_time >= self.expiry
                && self.prev_publish_time < self.publish_time
                && (self.passed_over > 0 || self.prev_publish_time < self.expiry)
                && (self.is_final() || self.passed_over > 0),
            GreekhouseError::InvariantViolated
        );
        Ok(())
    }
}
