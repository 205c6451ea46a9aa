//! The insurance fund: quote in its own vault, owned by the clearing house PDA, and the share
//! accounting of its stakers (docs/insurance.md). It takes the writing fees (swept from the
//! underlying ledgers), liquidation fees, donations and stakes; it pays bidders for slices
//! worth less than nothing, only from the quote it holds.

use crate::prelude::*;
use greekhouse_risk::insurance::rebase_shares;
use greekhouse_risk::FundShares;

use crate::constants::ACCOUNT_VERSION;
use crate::errors::GreekhouseError;

/// PDA [`INSURANCE_FUND_SEED`](crate::constants::INSURANCE_FUND_SEED), clearinghouse.
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct InsuranceFund {
    pub version: u8,
    pub bump: u8,
    pub vault_bump: u8,
    pub _padding: [u8; 5],
    pub clearinghouse: Pubkey,
    /// Quote token account of the fund (PDA [`INSURANCE_VAULT_SEED`](crate::constants::INSURANCE_VAULT_SEED)).
    pub vault: Pubkey,
    /// Quote the fund owns (quote native units); its vault holds at least this much. The share
    /// price is this ledger, never the vault's token balance.
    pub balance: u64,
    /// Writing fees received, ever (quote native units; reporting).
    pub fees_received_total: u64,
    /// Stakers' shares outstanding, including shares with a pending unstake request, at
    /// `shares_base`. At least the sum of the stakes' shares (equal until a rebase; after one,
    /// the stakes' roundings down leave the difference unowned, in the fund's favour).
    pub total_shares: u64,
    /// Shares with a pending unstake request (reporting; they still bear losses; like
    /// `total_shares`, at least the stakes' sum after a rebase).
    pub pending_unstake_shares: u64,
    /// Liquidation fees received, ever.
    pub liquidation_fees_total: u64,
    /// Donations received, ever.
    pub donations_total: u64,
    /// Paid to bidders for slices worth less than nothing, ever.
    pub paid_to_bidders_total: u64,
    /// Staked, ever.
    pub staked_total: u64,
    /// Paid out to unstakers, ever.
    pub unstaked_total: u64,
    /// Paid into series at settlement (unbacked contracts, unpaid debt), ever.
    pub paid_to_series_total: u64,
    /// Rounding dust swept in from finalized series, ever.
    pub series_dust_total: u64,
    /// Share base exponent: every rebase adds its digits, one share now being `10^digits`
    /// shares of before (docs/insurance.md, "Rebase"). Stakes catch up when touched.
    pub shares_base: u32,
    pub _padding2: [u8; 4],
    pub reserved: [u8; 432],
}

const _: () = assert!(core::mem::size_of::<InsuranceFund>() == 8 + 32 * 2 + 8 * 11 + 4 + 4 + 432);

impl InsuranceFund {
    pub const SPACE: usize = 8 + core::mem::size_of::<InsuranceFund>();

    /// The fund as the risk engine's share pricing sees it.
    pub fn shares(&self) -> FundShares {
        FundShares {
            fund: self.balance,
            total_shares: self.total_shares,
        }
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        require!(
            self.pending_unstake_shares <= self.total_shares,
            GreekhouseError::InvariantViolated
        );
        Ok(())
    }
}

/// One staker's shares in the insurance fund. PDA
/// [`INSURANCE_STAKE_SEED`](crate::constants::INSURANCE_STAKE_SEED), insurance fund, owner.
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct InsuranceStake {
    pub version: u8,
    pub bump: u8,
    pub _padding: [u8; 6],
    pub insurance_fund: Pubkey,
    pub owner: Pubkey,
    /// Shares held, including `pending_shares`.
    pub shares: u64,
    /// Shares of the pending unstake request (zero when none).
    pub pending_shares: u64,
    /// Their value at the request (quote native units); the unstake pays at most this.
    pub pending_value: u64,
    /// When the request was made (unix seconds; zero when none).
    pub request_time: i64,
    /// The fund's `shares_base` the shares are counted at; behind the fund's after a rebase
    /// until the stake is touched ([`InsuranceStake::rebased`]).
    pub shares_base: u32,
    pub _padding2: [u8; 4],
    pub reserved: [u8; 56],
}

const _: () = assert!(core::mem::size_of::<InsuranceStake>() == 8 + 32 * 2 + 8 * 4 + 4 + 4 + 56);

impl InsuranceStake {
    pub const SPACE: usize = 8 + core::mem::size_of::<InsuranceStake>();

    pub fn has_request(&self) -> bool {
        self.pending_shares > 0
    }

    /// The stake counted at the fund's share base `fund_base`: shares and pending shares
    /// divided by `10^(fund_base - shares_base)`, rounded down. A request whose shares round
    /// to nothing is dropped (they were worth less than a thousandth of a quote unit, or
    /// nothing at all after a wipe). Every instruction on a stake works on this view.
    pub fn rebased(&self, fund_base: u32) -> Result<InsuranceStake> {
        let digits = fund_base
            .checked_sub(self.shares_base)
            .ok_or(GreekhouseError::InvariantViolated)?;
        let mut s = *self;
        if digits == 0 {
            return Ok(s);
        }
        s.shares = rebase_shares(self.shares, digits);
        s.pending_shares = rebase_shares(self.pending_shares, digits);
        if s.pending_shares == 0 {
            s.pending_value = 0;
            s.request_time = 0;
        }
        s.shares_base = fund_base;
        s.invariant()?;
        Ok(s)
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        require!(
            self.pending_shares <= self.shares,
            GreekhouseError::InvariantViolated
        );
        // no request leaves no trace of one
        require!(
            self.pending_shares > 0 || (self.request_time == 0 && self.pending_value == 0),
            GreekhouseError::InvariantViolated
        );
        Ok(())
    }
}
