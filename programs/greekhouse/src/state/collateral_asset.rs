//! A listed collateral asset: mint, token program, vault, price source, weights, cap, totals.

use crate::prelude::*;

use crate::constants::{bounds, ACCOUNT_VERSION};
use crate::errors::GreekhouseError;
use crate::state::params::in_bounds;

/// How a collateral asset is priced in quote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PriceSource {
    /// One whole token is worth one whole quote token (a stablecoin of the same peg).
    Pegged = 0,
    /// Priced by the oracle of the underlying named in `price_underlying`.
    Underlying = 1,
}

/// PDA [`COLLATERAL_SEED`](crate::constants::COLLATERAL_SEED), clearinghouse, mint.
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct CollateralAsset {
    pub version: u8,
    pub bump: u8,
    pub vault_bump: u8,
    pub decimals: u8,
    /// [`PriceSource`] as u8.
    pub price_source: u8,
    /// 1 when the mint is a Token-2022 mint.
    pub is_token_2022: u8,
    /// Weight of the asset at initial margin (bps); <= `maint_weight_bps`.
    pub init_weight_bps: u16,
    /// Weight at maintenance margin (bps).
    pub maint_weight_bps: u16,
    pub _padding: [u8; 6],
    pub clearinghouse: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
    /// The underlying whose oracle prices this asset (default when pegged).
    pub price_underlying: Pubkey,
    /// Largest amount the vault may hold after a deposit (native units). Checked against the
    /// vault's own token balance, so deposits never write this account (it stays read-only for
    /// deposits and margin checks; `docs/accounts.md`).
    pub deposit_cap: u64,
    pub _reserved_total: u64,
    /// When the weights were last tightened (docs/governance.md, tighten interval).
    pub last_tightened_at: i64,
    /// [`ListingState`](super::ListingState) as u8: deposits need `Enabled`.
    pub listing_state: u8,
    pub _padding2: [u8; 7],
    pub reserved: [u8; 112],
}

const _: () = assert!(core::mem::size_of::<CollateralAsset>() == 16 + 32 * 5 + 16 + 16 + 112);

impl CollateralAsset {
    pub const SPACE: usize = 8 + core::mem::size_of::<CollateralAsset>();

    /// True when governance enabled the listing (after its timelock).
    pub fn is_enabled(&self) -> bool {
        self.listing_state == super::ListingState::Enabled as u8
    }

    pub fn source(&self) -> Result<PriceSource> {
        match self.price_source {
            0 => Ok(PriceSource::Pegged),
            1 => Ok(PriceSource::Underlying),
            _ => err!(GreekhouseError::InvalidPriceSource),
        }
    }

    /// Weights within bounds and ordered.
    pub fn validate_weights(init_weight_bps: u16, maint_weight_bps: u16) -> Result<()> {
        in_bounds(init_weight_bps, bounds::WEIGHT_BPS)?;
        in_bounds(maint_weight_bps, bounds::WEIGHT_BPS)?;
        require!(
            init_weight_bps <= maint_weight_bps,
            GreekhouseError::WeightsOutOfOrder
        );
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        self.source()?;
        Self::validate_weights(self.init_weight_bps, self.maint_weight_bps)?;
        super::ListingState::from_u8(self.listing_state)?;
        Ok(())
    }
}
