//! The insurance fund: quote in its own vault, owned by the clearing house PDA. It takes the
//! writing fees (swept from the underlying ledgers) and, with the liquidation issue, stakes,
//! liquidation fees and the first loss.

use anchor_lang::prelude::*;

use crate::constants::ACCOUNT_VERSION;
use crate::errors::GreekhouseError;

/// PDA [`INSURANCE_FUND_SEED`](crate::constants::INSURANCE_FUND_SEED), clearinghouse.
#[account(zero_copy)]
#[derive(Debug)]
pub struct InsuranceFund {
    pub version: u8,
    pub bump: u8,
    pub vault_bump: u8,
    pub _padding: [u8; 5],
    pub clearinghouse: Pubkey,
    /// Quote token account of the fund (PDA [`INSURANCE_VAULT_SEED`](crate::constants::INSURANCE_VAULT_SEED)).
    pub vault: Pubkey,
    /// Quote the fund owns (quote native units); its vault holds at least this much.
    pub balance: u64,
    /// Writing fees received, ever (quote native units; reporting).
    pub fees_received_total: u64,
    pub reserved: [u8; 512],
}

const _: () = assert!(core::mem::size_of::<InsuranceFund>() == 8 + 32 * 2 + 16 + 512);

impl InsuranceFund {
    pub const SPACE: usize = 8 + core::mem::size_of::<InsuranceFund>();

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        Ok(())
    }
}
