//! The clearing house: governance keys, quote mint and vault, parameters and pause flags.
//!
//! Configuration only: no hot-path instruction (deposit, withdraw, open, write, burn) writes
//! it, so those run in parallel across writers (`docs/accounts.md`, write-lock table). Money
//! lives in writer accounts, underlying ledgers, the insurance fund and the vaults.

use crate::prelude::*;

use super::params::{pause, GlobalParams};
use crate::constants::{ACCOUNT_VERSION, CLEARINGHOUSE_SEED};
use crate::errors::GreekhouseError;

/// PDA [`CLEARINGHOUSE_SEED`](crate::constants::CLEARINGHOUSE_SEED), quote_mint, creator.
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct Clearinghouse {
    pub version: u8,
    pub bump: u8,
    pub quote_vault_bump: u8,
    pub quote_decimals: u8,
    /// Bitset of [`pause`] flags.
    pub paused: u32,
    /// Key that created the clearing house; part of its PDA seeds so nobody can squat the
    /// address of another creator's clearing house for the same quote mint.
    pub creator: Pubkey,
    /// Governance key (a multisig vault in production).
    pub admin: Pubkey,
    /// Proposed admin; default when none.
    pub pending_admin: Pubkey,
    /// May only set pause flags.
    pub guardian: Pubkey,
    pub quote_mint: Pubkey,
    pub quote_vault: Pubkey,
    /// SPL Token or Token-2022 program of the quote mint.
    pub quote_token_program: Pubkey,
    /// The [`InsuranceFund`](super::InsuranceFund) PDA.
    pub insurance_fund: Pubkey,
    pub params: GlobalParams,
    /// Number of underlyings listed (the next underlying id).
    pub underlying_count: u16,
    /// Number of collateral assets listed.
    pub collateral_count: u16,
    pub _padding: [u8; 4],
    /// Number of governance changes queued so far (the next [`ParamChange`](super::ParamChange) id).
    pub change_count: u64,
    /// When a global parameter was last tightened (docs/governance.md, tighten interval).
    pub last_tightened_at: i64,
    pub reserved: [u8; 168],
}

const _: () = assert!(core::mem::size_of::<Clearinghouse>() == 8 + 32 * 8 + 96 + 8 + 16 + 168);

impl Clearinghouse {
    /// Account size including Anchor's 8-byte discriminator.
    pub const SPACE: usize = 8 + core::mem::size_of::<Clearinghouse>();

    /// Seeds to sign for the clearing house PDA.
    pub fn signer(&self) -> ClearinghouseSigner {
        ClearinghouseSigner {
            quote_mint: self.quote_mint,
            creator: self.creator,
            bump: [self.bump],
        }
    }

    /// True when `flag` is paused.
    pub fn is_paused(&self, flag: u32) -> bool {
        self.paused & flag != 0
    }

    /// Structural invariants; called by every instruction that mutates the clearing house.
    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        require!(
            self.paused & !pause::PAUSABLE == 0,
            GreekhouseError::InvariantViolated
        );
        self.params.validate()?;
        Ok(())
    }
}

/// Signer seeds of the clearing house PDA, which owns every vault.
pub struct ClearinghouseSigner {
    pub quote_mint: Pubkey,
    pub creator: Pubkey,
    pub bump: [u8; 1],
}

impl ClearinghouseSigner {
    pub fn seeds(&self) -> [&[u8]; 4] {
        [
            CLEARINGHOUSE_SEED,
            self.quote_mint.as_ref(),
            self.creator.as_ref(),
            &self.bump,
        ]
    }
}
