//! The hot half of an underlying: what writes and burns on it change (open interest, accrued
//! writing fees, series count). Kept apart from the [`Underlying`](super::Underlying)
//! configuration so a write on one underlying never write-locks an account that margin checks
//! of other writers read.

use crate::prelude::*;

use crate::constants::ACCOUNT_VERSION;
use crate::errors::GreekhouseError;

/// PDA [`UNDERLYING_LEDGER_SEED`](crate::constants::UNDERLYING_LEDGER_SEED), underlying.
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct UnderlyingLedger {
    pub version: u8,
    pub bump: u8,
    pub _padding: [u8; 6],
    pub clearinghouse: Pubkey,
    pub underlying: Pubkey,
    /// Open interest of all series on the underlying, underlying units at exponent 6.
    pub open_interest: u64,
    /// Writing fees charged on this underlying and not yet swept into the insurance fund
    /// (quote native units; a claim on the quote vault).
    pub fees_accrued: u64,
    /// Fees swept into the insurance fund, ever (quote native units; reporting).
    pub fees_swept_total: u64,
    /// Series created on the underlying, ever.
    pub series_count: u64,
    pub reserved: [u8; 128],
}

const _: () = assert!(core::mem::size_of::<UnderlyingLedger>() == 8 + 32 * 2 + 8 * 4 + 128);

impl UnderlyingLedger {
    pub const SPACE: usize = 8 + core::mem::size_of::<UnderlyingLedger>();

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        Ok(())
    }
}
