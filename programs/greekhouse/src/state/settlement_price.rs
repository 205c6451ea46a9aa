//! The settlement price of one underlying at one expiry (docs/settlement.md). Anyone proposes a
//! valid oracle update published in the settlement window; until the dispute deadline anyone may
//! replace it with a valid update published closer to expiry. After the deadline the price is
//! final: it is the earliest valid update anyone brought, so no caller can pick a favourable one
//! among the many updates in the window.

use anchor_lang::prelude::*;

use crate::constants::ACCOUNT_VERSION;
use crate::errors::GreekhouseError;

/// PDA [`SETTLEMENT_PRICE_SEED`](crate::constants::SETTLEMENT_PRICE_SEED), underlying, expiry (i64 LE).
#[account(zero_copy)]
#[derive(Debug)]
pub struct SettlementPrice {
    pub version: u8,
    pub bump: u8,
    /// The first proposal came from after the window (the fallback when nobody proposed in time).
    pub late: u8,
    pub _padding: [u8; 1],
    /// Number of times a proposal was replaced.
    pub disputes: u32,
    pub underlying: Pubkey,
    pub expiry: i64,
    /// The oracle price in Pyth's units: `price * 10^expo`.
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub _padding1: u32,
    pub publish_time: i64,
    /// When the first proposal landed, and the fixed deadline after which the price is final.
    pub proposed_at: i64,
    pub deadline: i64,
    pub reserved: [u8; 64],
}

const _: () = assert!(core::mem::size_of::<SettlementPrice>() == 8 + 32 + 8 * 3 + 8 + 8 * 3 + 64);

impl SettlementPrice {
    pub const SPACE: usize = 8 + core::mem::size_of::<SettlementPrice>();

    /// Final once the dispute deadline has passed.
    pub fn is_final(&self, now: i64) -> bool {
        now > self.deadline
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        require!(
            self.price > 0 && self.publish_time >= self.expiry && self.deadline > self.proposed_at,
            GreekhouseError::InvariantViolated
        );
        Ok(())
    }
}
