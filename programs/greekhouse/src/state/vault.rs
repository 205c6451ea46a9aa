//! A writer vault (docs/vaults.md): liquidity providers' quote pooled in one writer account that
//! the vault PDA owns, sold to buyers as options of the series its policy allows, at the
//! surface's mark plus a spread. Shares are an SPL mint whose authority is the vault; shares of a
//! pending withdrawal are burned at the request and counted here until they are paid.

use crate::prelude::*;

use crate::constants::{vault as bounds, ACCOUNT_VERSION, VAULT_SEED};
use crate::engine::safe_math::SafeMath;
use crate::errors::GreekhouseError;

/// What a vault may sell and how (set at `create_vault`, by the admin).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
    AnchorSerialize,
    AnchorDeserialize,
)]
#[repr(C)]
pub struct VaultPolicy {
    /// Quote native units: the vault's value at mark plus a deposit may not pass this.
    pub deposit_cap: u64,
    /// Shortest time to expiry of a series the vault sells (seconds).
    pub min_tenor_secs: u32,
    /// Longest time to expiry of a series the vault sells (seconds).
    pub max_tenor_secs: u32,
    /// Lowest strike the vault sells, as `K / S` in bps at the oracle spot.
    pub min_strike_bps: u32,
    /// Highest strike the vault sells, as `K / S` in bps at the oracle spot.
    pub max_strike_bps: u32,
    /// Time between a withdrawal request and its payment (seconds).
    pub withdraw_cooldown_secs: u32,
    /// Largest IM requirement as a share of the account's IM collateral value, after a sale.
    pub max_utilisation_bps: u16,
    /// Buyers pay `mark * (1 + spread)`; sell-backs are paid `mark * (1 - spread)`.
    pub spread_bps: u16,
    /// Bit 0: calls; bit 1: puts.
    pub allowed_kinds: u8,
    pub _padding: [u8; 7],
}

const _: () = assert!(core::mem::size_of::<VaultPolicy>() == 40);

impl VaultPolicy {
    /// Whether the policy lets the vault sell options of `kind` (0 call, 1 put).
    pub fn allows_kind(&self, kind: u8) -> bool {
        kind <= 1 && self.allowed_kinds & (1 << kind) != 0
    }

    /// The policy's fields within their hard bounds ([`crate::constants::vault`]).
    pub fn validate(&self) -> Result<()> {
        let within = |v: u64, (lo, hi): (u64, u64)| lo <= v && v <= hi;
        require!(
            self.allowed_kinds != 0 && self.allowed_kinds <= 0b11,
            GreekhouseError::VaultPolicyInvalid
        );
        require!(
            self.min_tenor_secs <= self.max_tenor_secs && self.max_tenor_secs > 0,
            GreekhouseError::VaultPolicyInvalid
        );
        let (klo, khi) = bounds::STRIKE_BAND_BPS;
        require!(
            within(
                u64::from(self.min_strike_bps),
                (u64::from(klo), u64::from(khi))
            ) && within(
                u64::from(self.max_strike_bps),
                (u64::from(klo), u64::from(khi))
            ) && self.min_strike_bps <= self.max_strike_bps,
            GreekhouseError::VaultPolicyInvalid
        );
        let (ulo, uhi) = bounds::MAX_UTILISATION_BPS;
        let (slo, shi) = bounds::SPREAD_BPS;
        let (clo, chi) = bounds::COOLDOWN_SECS;
        require!(
            within(
                u64::from(self.max_utilisation_bps),
                (u64::from(ulo), u64::from(uhi))
            ) && within(u64::from(self.spread_bps), (u64::from(slo), u64::from(shi)))
                && within(
                    u64::from(self.withdraw_cooldown_secs),
                    (u64::from(clo), u64::from(chi))
                ),
            GreekhouseError::VaultPolicyInvalid
        );
        require!(
            self.deposit_cap > bounds::LOCKED_SHARES,
            GreekhouseError::VaultPolicyInvalid
        );
        Ok(())
    }
}

/// PDA [`VAULT_SEED`], clearinghouse, index (u32 LE).
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct Vault {
    pub version: u8,
    pub bump: u8,
    pub share_mint_bump: u8,
    pub _padding0: u8,
    pub index: u32,
    pub clearinghouse: Pubkey,
    /// The only underlying whose series the vault sells.
    pub underlying: Pubkey,
    /// SPL Token mint of the shares (quote decimals; the vault PDA mints).
    pub share_mint: Pubkey,
    /// The vault's writer account: PDA `writer`, clearinghouse, this vault, index 0.
    pub writer_account: Pubkey,
    pub policy: VaultPolicy,
    /// Shares burned at a withdrawal request and not yet paid: they still count in the total.
    pub pending_shares: u64,
    /// Shares of the first deposit kept by nobody ([`crate::constants::vault::LOCKED_SHARES`]).
    pub locked_shares: u64,
    /// Quote deposited by LPs, ever (reporting).
    pub deposited_total: u64,
    /// Quote paid to withdrawing LPs, ever.
    pub withdrawn_total: u64,
    /// Quote paid by buyers, ever.
    pub premiums_total: u64,
    /// Quote paid to holders selling back, ever.
    pub sell_backs_total: u64,
    pub reserved: [u8; 128],
}

const _: () = assert!(core::mem::size_of::<Vault>() == 8 + 32 * 4 + 40 + 8 * 6 + 128);

/// The seeds the vault PDA signs with (share mints).
pub struct VaultSigner {
    pub clearinghouse: Pubkey,
    pub index: [u8; 4],
    pub bump: [u8; 1],
}

impl VaultSigner {
    pub fn seeds(&self) -> [&[u8]; 4] {
        [
            VAULT_SEED,
            self.clearinghouse.as_ref(),
            &self.index,
            &self.bump,
        ]
    }
}

impl Vault {
    pub const SPACE: usize = 8 + core::mem::size_of::<Vault>();

    pub fn signer(&self) -> VaultSigner {
        VaultSigner {
            clearinghouse: self.clearinghouse,
            index: self.index.to_le_bytes(),
            bump: [self.bump],
        }
    }

    /// Every share the vault's value is divided by: the mint's supply (`share_supply`), the
    /// shares pending withdrawal and the locked ones.
    pub fn total_shares(&self, share_supply: u64) -> Result<u64> {
        share_supply
            .safe_add(self.pending_shares)?
            .safe_add(self.locked_shares)
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        self.policy.validate()?;
        // the locked shares exist from the first deposit on, and only then
        require!(
            self.locked_shares == 0 || self.locked_shares == bounds::LOCKED_SHARES,
            GreekhouseError::InvariantViolated
        );
        require!(
            self.locked_shares > 0 || (self.pending_shares == 0 && self.deposited_total == 0),
            GreekhouseError::InvariantViolated
        );
        Ok(())
    }
}

/// One LP's pending withdrawal from a vault. PDA
/// [`VAULT_WITHDRAWAL_SEED`](crate::constants::VAULT_WITHDRAWAL_SEED), vault, owner: one at a
/// time; closed (rent to the owner) when paid or cancelled.
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct VaultWithdrawal {
    pub version: u8,
    pub bump: u8,
    pub _padding: [u8; 6],
    pub vault: Pubkey,
    pub owner: Pubkey,
    /// Shares burned at the request (counted in the vault's `pending_shares`).
    pub shares: u64,
    /// When requested (unix seconds).
    pub requested_at: i64,
    /// Payable from then on, at the vault's value per share at the payment.
    pub matures_at: i64,
    pub reserved: [u8; 32],
}

const _: () = assert!(core::mem::size_of::<VaultWithdrawal>() == 8 + 32 * 2 + 8 * 3 + 32);

impl VaultWithdrawal {
    pub const SPACE: usize = 8 + core::mem::size_of::<VaultWithdrawal>();

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        require!(
            self.shares > 0 && self.matures_at >= self.requested_at,
            GreekhouseError::InvariantViolated
        );
        Ok(())
    }
}
