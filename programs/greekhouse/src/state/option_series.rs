//! An option series: one strike, expiry and kind on one underlying, with its SPL mint.

use crate::prelude::*;

use crate::constants::{ACCOUNT_VERSION, SERIES_SEED};
use crate::errors::GreekhouseError;
use crate::state::{Position, Side};

/// Lifecycle of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SeriesStatus {
    /// Writable until expiry.
    Active = 0,
    /// Settlement price recorded.
    Settled = 1,
    /// Every short settled or unbacked; holders may redeem.
    Finalized = 2,
}

/// PDA [`SERIES_SEED`](crate::constants::SERIES_SEED), underlying, expiry (i64 LE),
/// strike (u64 LE), kind (u8).
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct OptionSeries {
    pub version: u8,
    pub bump: u8,
    pub mint_bump: u8,
    /// 0 call, 1 put.
    pub kind: u8,
    /// [`SeriesStatus`] as u8.
    pub status: u8,
    /// [`ExerciseStyle`] as u8: 0 European (exercised only at expiry, by settlement), 1 American
    /// (`exercise` before expiry less the governed cut-off). Chosen at `create_series`.
    pub style: u8,
    pub _padding: [u8; 2],
    pub clearinghouse: Pubkey,
    pub underlying: Pubkey,
    /// SPL Token mint of the option tokens; mint authority is this series PDA.
    pub option_mint: Pubkey,
    /// Quote native units per whole underlying unit.
    pub strike: u64,
    /// Unix timestamp of expiry.
    pub expiry: i64,
    /// Underlying units per contract at exponent 6.
    pub contract_size: u64,
    /// Contracts written and not burned (== option mint supply before settlement).
    pub open_interest: u64,
    /// Contracts whose writer went bankrupt (their payout is covered by insurance or haircut).
    pub unbacked_contracts: u64,
    /// Settlement price (quote native per unit) once settled.
    pub settlement_price: u64,
    /// Payout per contract (quote native) once settled.
    pub payout_per_contract: u64,
    /// Quote held for this series' holders (settlement ledger).
    pub settlement_ledger: u64,
    /// Pro-rata haircut on payouts (bps) once finalized.
    pub haircut_bps: u32,
    /// The insurance fund's share base `backstop_start_price` is quoted at (docs/insurance.md).
    pub backstop_price_base: u32,
    /// Quote the bankrupt writers of this series left towards its unbacked contracts (quote
    /// native units, held in the quote vault for this series' holders; moved into the settlement
    /// ledger at settlement).
    pub unbacked_cover: u64,
    /// What a writer owes per contract at settlement (rounded up; holders get `payout`, rounded down).
    pub obligation_per_contract: u64,
    /// Writers' short contracts not yet settled (set at settlement, counted down).
    pub shorts_to_settle: u64,
    /// Quote the insurance fund put in for the unbacked contracts at settlement.
    pub fund_cover: u64,
    /// Unpaid writer debt charged to this series (its holders' loss, before the backstop).
    pub shortfall: u64,
    /// Start of the backstop auction (zero when none).
    pub backstop_start: i64,
    /// Starting price of the backstop's shares: the fund's share value at settlement, before
    /// this series' loss (quote native per share, exponent 12).
    pub backstop_start_price: u64,
    /// Quote the backstop raised for this series.
    pub backstop_raised: u64,
    /// Final payout per contract once finalized (`payout` less the haircut).
    pub payout_final: u64,
    /// Contracts redeemed after finalization.
    pub redeemed_contracts: u64,
    /// Writers whose unpaid settlement debt includes this series (debt markers open).
    pub open_debts: u32,
    /// 1 once the rounding dust was swept to the insurance fund.
    pub dust_swept: u8,
    pub _padding2: [u8; 3],
    /// Long contracts writer accounts hold in custody: tokens deposited (burned) whose claims
    /// the program keeps for them, paid at `payout_final` by `settle_long` (docs/protocol.md
    /// section 5). Holders' claims are the mint's supply plus these.
    pub long_contracts: u64,
    /// American series (docs/protocol.md section 5b): the share of each short that survives the
    /// exercises so far, exponent 18 ([`EXERCISE_SCALE_ONE`] at creation; times `(1 - q/N)` per
    /// exercise of `q` out of `N` writers' shorts, rounded up). Zero on a European series.
    pub exercise_scale: u64,
    /// American series: cumulative exercise debt per short contract held at scale one, quote
    /// native at exponent 6 ([`EXERCISE_PAYOUT_SCALE`]); each exercise adds
    /// `scale * q * obligation / N`, rounded up. A short accrues
    /// `contracts * (index - snapshot) / snapshot_scale`, rounded up.
    pub exercise_payout_index: u64,
    /// Contracts exercised before expiry (their tokens burned, their shorts' share closed).
    pub exercised_contracts: u64,
    /// Quote paid to exercising holders out of the quote vault (advanced for the writers).
    pub exercise_advanced: u64,
    /// Exercise debt accrued into writers' quote balances so far (rounded up per short, so it
    /// reaches at least `exercise_advanced` once every short accrued; the excess is swept to the
    /// insurance fund with the series' dust).
    pub exercise_collected: u64,
    /// American series: the writers' short contracts as their accounts record them (before
    /// their pending exercises accrue); at least the shorts' exact share. Settlement settles
    /// this many (`shorts_to_settle`). Zero on a European series.
    pub recorded_shorts: u64,
    /// The underlying's exercise epoch after this series' last exercise (zero when none).
    pub last_exercise_epoch: u32,
    pub _padding3: u32,
    pub reserved: [u8; 32],
}

const _: () = assert!(
    core::mem::size_of::<OptionSeries>()
        == 8 + 32 * 3 + 8 * 8 + 8 + 8 + 8 * 9 + 8 + 8 + 8 * 6 + 8 + 32
);

/// Exercise style of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExerciseStyle {
    European = 0,
    American = 1,
}

/// [`OptionSeries::exercise_scale`] of a series nobody exercised: one, at exponent 18.
pub const EXERCISE_SCALE_ONE: u64 = 1_000_000_000_000_000_000;
/// Exponent of [`OptionSeries::exercise_payout_index`] beyond quote native units: 10^6.
pub const EXERCISE_PAYOUT_SCALE: u64 = 1_000_000;

/// Signer seeds of a series PDA (the mint authority of its option tokens).
pub struct SeriesSigner {
    underlying: Pubkey,
    expiry: [u8; 8],
    strike: [u8; 8],
    kind: [u8; 1],
    bump: [u8; 1],
}

impl SeriesSigner {
    pub fn seeds(&self) -> [&[u8]; 6] {
        [
            SERIES_SEED,
            self.underlying.as_ref(),
            &self.expiry,
            &self.strike,
            &self.kind,
            &self.bump,
        ]
    }
}

impl OptionSeries {
    pub const SPACE: usize = 8 + core::mem::size_of::<OptionSeries>();

    /// The kind byte of the series' PDA seeds: the kind, plus 2 for an American series (so a
    /// European series keeps its address, and an American one with the same terms has its own).
    pub const fn seed_kind(kind: u8, style: u8) -> u8 {
        kind | (style << 1)
    }

    /// Whether the series is American (exercisable before expiry).
    pub fn is_american(&self) -> bool {
        self.style == ExerciseStyle::American as u8
    }

    /// Writers' short contracts the exercise index spreads an exercise over: open interest less
    /// the bankrupt writers' (unbacked) contracts.
    pub fn writer_shorts(&self) -> u64 {
        self.open_interest.saturating_sub(self.unbacked_contracts)
    }

    /// The position a writer account records for this series (`series_key` is this account's
    /// address), short, with no contracts yet: the series' immutable terms.
    pub fn short_template(&self, series_key: Pubkey) -> Position {
        Position {
            series: series_key,
            underlying: self.underlying,
            strike: self.strike,
            expiry: self.expiry,
            contract_size: self.contract_size,
            contracts: 0,
            kind: self.kind,
            side: Side::Short as u8,
            style: self.style,
            _padding: 0,
            exercise_epoch: 0,
        }
    }

    /// Seeds to sign as this series (minting its option tokens).
    pub fn signer(&self) -> SeriesSigner {
        SeriesSigner {
            underlying: self.underlying,
            expiry: self.expiry.to_le_bytes(),
            strike: self.strike.to_le_bytes(),
            kind: [Self::seed_kind(self.kind, self.style)],
            bump: [self.bump],
        }
    }

    /// Underlying units (exponent 6) of `contracts` contracts.
    pub fn units(&self, contracts: u64) -> Result<u64> {
        contracts
            .checked_mul(self.contract_size)
            .ok_or_else(|| error!(GreekhouseError::MathOverflow))
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        require!(self.kind <= 1, GreekhouseError::InvalidOptionKind);
        require!(self.style <= 1, GreekhouseError::InvalidExerciseStyle);
        if self.is_american() {
            // the scale only shrinks from one and never to zero (an exercise leaves a short)
            require!(
                self.exercise_scale > 0 && self.exercise_scale <= EXERCISE_SCALE_ONE,
                GreekhouseError::InvariantViolated
            );
            // the recorded shorts cover the writers' exact share until settlement, and are
            // exactly what settlement still has to settle afterwards
            if self.is_settled() {
                require!(
                    self.recorded_shorts == self.shorts_to_settle,
                    GreekhouseError::InvariantViolated
                );
            } else {
                require!(
                    self.recorded_shorts >= self.writer_shorts(),
                    GreekhouseError::InvariantViolated
                );
            }
        } else {
            require!(
                self.exercise_scale == 0
                    && self.exercise_payout_index == 0
                    && self.exercised_contracts == 0
                    && self.exercise_advanced == 0
                    && self.exercise_collected == 0
                    && self.recorded_shorts == 0
                    && self.last_exercise_epoch == 0,
                GreekhouseError::InvariantViolated
            );
        }
        require!(
            self.status <= SeriesStatus::Finalized as u8,
            GreekhouseError::InvariantViolated
        );
        require!(
            self.strike > 0 && self.contract_size > 0,
            GreekhouseError::InvariantViolated
        );
        require!(
            self.redeemed_contracts <= self.open_interest
                && self.unbacked_contracts <= self.open_interest
                && self.long_contracts <= self.outstanding()
                && self.payout_final <= self.payout_per_contract
                && self.payout_per_contract <= self.obligation_per_contract,
            GreekhouseError::InvariantViolated
        );
        Ok(())
    }

    /// Whether the series has a settlement price and payout.
    pub fn is_settled(&self) -> bool {
        self.status >= SeriesStatus::Settled as u8
    }

    /// An American series' exercise quote advanced to holders beyond what its writers' accrued
    /// debt brought back (exercise debt written off by `resolve_debt`, net of the rounding
    /// surplus). Meaningful once every short accrued (at finalization).
    pub fn exercise_deficit(&self) -> u64 {
        self.exercise_advanced
            .saturating_sub(self.exercise_collected)
    }

    /// Tokens still outstanding: open interest less what was redeemed.
    pub fn outstanding(&self) -> u64 {
        self.open_interest.saturating_sub(self.redeemed_contracts)
    }

    /// Claims on the series' payout still held: the mint's supply plus the longs in custody.
    pub fn claims(&self, mint_supply: u64) -> Result<u64> {
        mint_supply
            .checked_add(self.long_contracts)
            .ok_or_else(|| error!(GreekhouseError::MathOverflow))
    }

    /// Invariant plus docs/protocol.md §9: the contracts outstanding (open interest less what was
    /// redeemed) are at least the claims held (the mint's supply plus the longs in custody).
    /// Equality holds until a holder burns tokens with SPL `Burn` outside the program or a
    /// bankrupt account's long is forfeited: those are claims nobody holds, not a breach, and
    /// their payout stays in the series until its dust is swept to the insurance fund.
    pub fn invariant_with_supply(&self, mint_supply: u64) -> Result<()> {
        self.invariant()?;
        require!(
            self.outstanding() >= self.claims(mint_supply)?,
            GreekhouseError::InvariantViolated
        );
        Ok(())
    }
}
