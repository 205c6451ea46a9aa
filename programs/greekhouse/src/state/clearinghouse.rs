//! The clearing house: governance keys, quote mint and vault, parameters, pause flags and the
//! quote ledger totals that the vault must always match.

use anchor_lang::prelude::*;

use super::params::{pause, GlobalParams};
use crate::constants::ACCOUNT_VERSION;
use crate::errors::GreekhouseError;

/// PDA [`CLEARINGHOUSE_SEED`](crate::constants::CLEARINGHOUSE_SEED), quote_mint, creator.
#[account(zero_copy)]
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
    pub params: GlobalParams,
    /// Sum of all writer accounts' quote balances (signed: debts count negative).
    pub writer_quote_total: i64,
    /// Quote the insurance fund owns (fees, liquidation penalties, stakes).
    pub insurance_fund: u64,
    /// Number of underlyings listed (the next underlying id).
    pub underlying_count: u16,
    /// Number of collateral assets listed.
    pub collateral_count: u16,
    pub _padding: [u8; 4],
    /// Writer accounts opened, ever.
    pub writer_accounts_opened: u64,
    /// Series created, ever.
    pub series_created: u64,
    pub reserved: [u8; 256],
}

const _: () = assert!(core::mem::size_of::<Clearinghouse>() == 8 + 32 * 7 + 24 + 16 + 8 + 16 + 256);

impl Clearinghouse {
    /// Account size including Anchor's 8-byte discriminator.
    pub const SPACE: usize = 8 + core::mem::size_of::<Clearinghouse>();

    /// Seeds to sign for the clearing house PDA.
    pub fn signer(&self) -> crate::engine::tokens::ClearinghouseSigner {
        crate::engine::tokens::ClearinghouseSigner {
            quote_mint: self.quote_mint,
            creator: self.creator,
            bump: [self.bump],
        }
    }

    /// True when `flag` is paused.
    pub fn is_paused(&self, flag: u32) -> bool {
        self.paused & flag != 0
    }

    /// Quote tokens the vault must hold: every ledger claim on it.
    pub fn quote_claims(&self) -> Result<i128> {
        (self.writer_quote_total as i128)
            .checked_add(self.insurance_fund as i128)
            .ok_or_else(|| GreekhouseError::MathOverflow.into())
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
        require!(
            self.quote_claims()? >= 0,
            GreekhouseError::InvariantViolated
        );
        Ok(())
    }

    /// Invariant plus the ledger check against the vault's actual token balance. The vault may
    /// hold more than the claims (anyone can send tokens to it), never less.
    pub fn invariant_with_vault(&self, vault_amount: u64) -> Result<()> {
        self.invariant()?;
        require!(
            self.quote_claims()? <= vault_amount as i128,
            GreekhouseError::InvariantViolated
        );
        Ok(())
    }
}
