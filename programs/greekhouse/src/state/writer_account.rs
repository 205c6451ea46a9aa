//! A writer's margin account: collateral balances, a signed quote balance and option positions
//! (shorts it wrote, longs it deposited), in fixed capacity so one transaction can always check
//! its whole margin.

use crate::prelude::*;

use crate::constants::{ACCOUNT_VERSION, MAX_COLLATERALS, MAX_DEBT_MARKERS, MAX_POSITIONS};
use crate::errors::GreekhouseError;

/// Lifecycle of a writer account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum WriterStatus {
    Active = 0,
    /// Frozen for its Dutch auction: no withdraw, no write.
    Liquidating = 1,
    /// Shorts moved to the series' unbacked contracts, longs forfeited to the insurance fund.
    Bankrupt = 2,
}

/// Where an account's margin stood at its last `check_margin` (docs/liquidation.md, "Margin
/// warnings"): informational, for writers' alerts and the dashboard; no rule reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum MarginStatus {
    /// At or above the warning level (or never checked).
    Healthy = 0,
    /// Below the warning level, at or above maintenance.
    Warning = 1,
    /// Below maintenance: liquidatable.
    BelowMaintenance = 2,
}

impl MarginStatus {
    pub fn from_u8(value: u8) -> Result<Self> {
        match value {
            0 => Ok(MarginStatus::Healthy),
            1 => Ok(MarginStatus::Warning),
            2 => Ok(MarginStatus::BelowMaintenance),
            _ => err!(GreekhouseError::InvariantViolated),
        }
    }
}

/// One collateral balance (slot empty when `amount == 0` and `asset` is default).
#[cfg_attr(feature = "anchor", zero_copy)]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CollateralBalance {
    /// The [`CollateralAsset`](super::CollateralAsset) account.
    pub asset: Pubkey,
    /// Native token units.
    pub amount: u64,
}

/// Which way a position faces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Side {
    /// Written by the account: an obligation at settlement, tokens outstanding.
    Short = 0,
    /// Option tokens the account deposited: the program burned them and holds the claim
    /// (`OptionSeries::long_contracts`), paid into the quote balance once the series finalizes.
    Long = 1,
}

/// One option position. The series' immutable terms are copied in, so a margin check needs the
/// underlyings' accounts but not every series account. An account holds at most one position
/// per series and side; a long and a short in the same series may stand side by side only after
/// a liquidation slice moved one onto the other (the margin offsets them exactly), and the next
/// deposit or write in that series nets them.
#[cfg_attr(feature = "anchor", zero_copy)]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Position {
    pub series: Pubkey,
    pub underlying: Pubkey,
    /// Quote native units per whole underlying unit.
    pub strike: u64,
    pub expiry: i64,
    /// Underlying units per contract, exponent 6.
    pub contract_size: u64,
    /// Contracts on `side`; the slot is empty when zero.
    pub contracts: u64,
    /// 0 call, 1 put.
    pub kind: u8,
    /// [`Side`] as u8 (0 short, 1 long).
    pub side: u8,
    /// The series' [`ExerciseStyle`](super::ExerciseStyle) as u8 (0 European, 1 American).
    pub style: u8,
    pub _padding: u8,
    /// An American short: the underlying's exercise epoch its exercise snapshot is known to be
    /// current at. A margin check refuses the account while this is behind the underlying's
    /// (`ExerciseNotAccrued`): `accrue_exercise` brings it up. Zero otherwise.
    pub exercise_epoch: u32,
}

/// Where an American short's exercise accrual stands (docs/protocol.md section 5b): the series'
/// exercise scale and payout index when the position last accrued. Zero for any other slot.
#[cfg_attr(feature = "anchor", zero_copy)]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ExerciseSnapshot {
    /// [`OptionSeries::exercise_scale`](super::OptionSeries::exercise_scale) at the last accrual.
    pub scale: u64,
    /// [`OptionSeries::exercise_payout_index`](super::OptionSeries::exercise_payout_index) then.
    pub payout_index: u64,
}

impl Position {
    pub fn side(&self) -> Result<Side> {
        match self.side {
            0 => Ok(Side::Short),
            1 => Ok(Side::Long),
            _ => err!(GreekhouseError::InvariantViolated),
        }
    }

    /// An open short (an obligation).
    pub fn is_short(&self) -> bool {
        self.contracts > 0 && self.side == Side::Short as u8
    }

    /// An open long (a claim).
    pub fn is_long(&self) -> bool {
        self.contracts > 0 && self.side == Side::Long as u8
    }

    /// An open short in an American series: it carries an exercise snapshot.
    pub fn is_american_short(&self) -> bool {
        self.is_short() && self.style == super::ExerciseStyle::American as u8
    }
}

/// State of a running liquidation (docs/liquidation.md); zero when the account is active.
#[cfg_attr(feature = "anchor", zero_copy)]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LiquidationState {
    /// When `start_liquidation` ran (unix seconds).
    pub start_time: i64,
    /// Mark-to-market at the start (quote native, signed, rounded down).
    pub start_mark_to_market: i64,
    /// Earliest expiry among the positions at the start (zero when there was none): the
    /// auction's discount reaches 100 % by then.
    pub earliest_expiry: i64,
    /// Slices sold so far.
    pub slices: u64,
    /// Quote the liquidated account received from bidders, net of fees.
    pub received_from_bidders: u64,
    /// Quote the insurance fund paid bidders for this account's slices.
    pub paid_by_fund: u64,
    /// Liquidation fees paid to the insurance fund.
    pub fees_paid: u64,
    /// Keeper tip paid at the start.
    pub tip_paid: u64,
}

/// A settlement debt's share owed to one series (docs/settlement.md): kept while the account's
/// quote balance is negative, so an unpaid debt is charged to the series it came from.
#[cfg_attr(feature = "anchor", zero_copy)]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DebtMarker {
    pub series: Pubkey,
    /// Obligation settled into the debt (quote native units); zero when the slot is free.
    pub owed: u64,
}

/// PDA [`WRITER_SEED`](crate::constants::WRITER_SEED), clearinghouse, owner, index (u32 LE).
#[cfg_attr(feature = "anchor", account(zero_copy))]
#[cfg_attr(
    not(feature = "anchor"),
    derive(Copy, Clone, bytemuck::Pod, bytemuck::Zeroable),
    repr(C)
)]
#[derive(Debug)]
pub struct WriterAccount {
    pub version: u8,
    pub bump: u8,
    /// [`WriterStatus`] as u8.
    pub status: u8,
    /// [`MarginStatus`] as u8, as of the last `check_margin`.
    pub margin_status: u8,
    pub index: u32,
    pub clearinghouse: Pubkey,
    pub owner: Pubkey,
    /// Signed quote balance in quote native units; negative is a debt.
    pub quote_balance: i64,
    pub collaterals: [CollateralBalance; MAX_COLLATERALS],
    pub positions: [Position; MAX_POSITIONS],
    pub liquidation: LiquidationState,
    /// Series whose settlement left the account in debt.
    pub debt_markers: [DebtMarker; MAX_DEBT_MARKERS],
    /// When the account first went into settlement debt (zero when it has none).
    pub debt_since: i64,
    /// Exercise snapshots of the American shorts, by position slot (`positions[i]`'s is
    /// `exercise_snapshots[i]`); zero for every other slot.
    pub exercise_snapshots: [ExerciseSnapshot; MAX_POSITIONS],
    pub reserved: [u8; 88],
}

const _: () = assert!(core::mem::size_of::<CollateralBalance>() == 40);
const _: () = assert!(core::mem::size_of::<Position>() == 104);
const _: () = assert!(core::mem::size_of::<DebtMarker>() == 40);
const _: () = assert!(core::mem::size_of::<ExerciseSnapshot>() == 16);
const _: () = assert!(
    core::mem::size_of::<WriterAccount>()
        == 8 + 64
            + 8
            + 40 * MAX_COLLATERALS
            + 104 * MAX_POSITIONS
            + 64
            + 40 * MAX_DEBT_MARKERS
            + 8
            + 16 * MAX_POSITIONS
            + 88
);

impl WriterAccount {
    pub const SPACE: usize = 8 + core::mem::size_of::<WriterAccount>();

    pub fn status(&self) -> Result<WriterStatus> {
        match self.status {
            0 => Ok(WriterStatus::Active),
            1 => Ok(WriterStatus::Liquidating),
            2 => Ok(WriterStatus::Bankrupt),
            _ => err!(GreekhouseError::InvariantViolated),
        }
    }

    pub fn require_active(&self) -> Result<()> {
        require!(
            self.status()? == WriterStatus::Active,
            GreekhouseError::AccountNotActive
        );
        Ok(())
    }

    /// Slot index of `asset`'s balance, if any.
    pub fn collateral_slot(&self, asset: &Pubkey) -> Option<usize> {
        self.collaterals
            .iter()
            .position(|c| c.asset == *asset && *asset != Pubkey::default())
    }

    /// Balance of `asset` (zero when the account holds none).
    pub fn collateral_amount(&self, asset: &Pubkey) -> u64 {
        self.collateral_slot(asset)
            .map(|i| self.collaterals[i].amount)
            .unwrap_or(0)
    }

    /// Contracts on `side` in `series` (zero when none).
    pub fn contracts(&self, series: &Pubkey, side: Side) -> u64 {
        self.position_slot(series, side)
            .map(|i| self.positions[i].contracts)
            .unwrap_or(0)
    }

    /// Short contracts in `series` (zero when none).
    pub fn short_contracts(&self, series: &Pubkey) -> u64 {
        self.contracts(series, Side::Short)
    }

    /// Long contracts in `series` (zero when none).
    pub fn long_contracts(&self, series: &Pubkey) -> u64 {
        self.contracts(series, Side::Long)
    }

    /// True when the account has something the clearing house could lose on: a short or a
    /// debt. Without either, every level's equity is a sum of non-negative collateral and long
    /// values (a long alone never needs more margin than it is worth), so no price is needed
    /// and no pause applies to its withdrawals.
    pub fn has_liabilities(&self) -> bool {
        self.short_count() > 0 || self.quote_balance < 0
    }

    /// Add `amount` of `asset`, taking a free slot if needed.
    pub fn credit_collateral(&mut self, asset: &Pubkey, amount: u64) -> Result<()> {
        let slot = match self.collateral_slot(asset) {
            Some(i) => i,
            None => {
                let free = self
                    .collaterals
                    .iter()
                    .position(|c| c.asset == Pubkey::default())
                    .ok_or(GreekhouseError::CollateralSlotsFull)?;
                self.collaterals[free].asset = *asset;
                free
            }
        };
        let c = &mut self.collaterals[slot];
        c.amount = c
            .amount
            .checked_add(amount)
            .ok_or(GreekhouseError::MathOverflow)?;
        Ok(())
    }

    /// Remove `amount` of `asset`; frees the slot when it reaches zero.
    pub fn debit_collateral(&mut self, asset: &Pubkey, amount: u64) -> Result<()> {
        let slot = self
            .collateral_slot(asset)
            .ok_or(GreekhouseError::InsufficientCollateral)?;
        let c = &mut self.collaterals[slot];
        c.amount = c
            .amount
            .checked_sub(amount)
            .ok_or(GreekhouseError::InsufficientCollateral)?;
        if c.amount == 0 {
            *c = CollateralBalance::default();
        }
        Ok(())
    }

    /// Change the quote balance by `delta` (signed).
    pub fn add_quote(&mut self, delta: i64) -> Result<()> {
        self.quote_balance = self
            .quote_balance
            .checked_add(delta)
            .ok_or(GreekhouseError::MathOverflow)?;
        Ok(())
    }

    /// Slot index of the position on `side` in `series`, if any.
    pub fn position_slot(&self, series: &Pubkey, side: Side) -> Option<usize> {
        self.positions
            .iter()
            .position(|p| p.contracts > 0 && p.series == *series && p.side == side as u8)
    }

    /// Number of open positions, shorts and longs.
    pub fn position_count(&self) -> usize {
        self.positions.iter().filter(|p| p.contracts > 0).count()
    }

    /// The distinct series of the open positions, in slot order (a series with a long and a
    /// short appears once): the series accounts a bankruptcy names.
    pub fn position_series(&self) -> Vec<Pubkey> {
        let mut keys: Vec<Pubkey> = Vec::with_capacity(self.position_count());
        for p in self.positions.iter().filter(|p| p.contracts > 0) {
            if !keys.contains(&p.series) {
                keys.push(p.series);
            }
        }
        keys
    }

    /// Number of open shorts.
    pub fn short_count(&self) -> usize {
        self.positions.iter().filter(|p| p.is_short()).count()
    }

    /// Number of non-empty collateral balances.
    pub fn collateral_count(&self) -> usize {
        self.collaterals
            .iter()
            .filter(|c| c.asset != Pubkey::default())
            .count()
    }

    /// True when a short has reached its expiry (it awaits settlement). An expired long does
    /// not count: it waits for its series to finalize, counts for nothing in margin until then
    /// and blocks nothing.
    pub fn has_expired_short(&self, now: i64) -> bool {
        self.earliest_short_expiry().is_some_and(|e| e <= now)
    }

    /// True while a settlement left debt markers open (repaid or not): the account may not write,
    /// withdraw or bid until `resolve_debt` closes them (docs/settlement.md).
    pub fn has_open_debt_markers(&self) -> bool {
        self.debt_since != 0
    }

    /// True when a settlement debt is still unpaid: markers open and a negative quote balance.
    /// After the grace period the account is sold by the auction until the debt is gone, whatever
    /// its other positions and margin (docs/settlement.md).
    pub fn has_settlement_debt(&self) -> bool {
        self.debt_since != 0 && self.quote_balance < 0
    }

    /// Number of open debt markers.
    pub fn debt_marker_count(&self) -> usize {
        self.debt_markers.iter().filter(|m| m.owed > 0).count()
    }

    /// Record `owed` of settlement debt towards `series` (adds to its marker); true when the
    /// marker is new.
    pub fn mark_debt(&mut self, series: &Pubkey, owed: u64) -> Result<bool> {
        let (slot, new) = match self
            .debt_markers
            .iter()
            .position(|m| m.owed > 0 && m.series == *series)
        {
            Some(i) => (i, false),
            None => {
                let free = self
                    .debt_markers
                    .iter()
                    .position(|m| m.owed == 0)
                    .ok_or(GreekhouseError::DebtMarkersFull)?;
                self.debt_markers[free].series = *series;
                (free, true)
            }
        };
        let m = &mut self.debt_markers[slot];
        m.owed = m
            .owed
            .checked_add(owed)
            .ok_or(GreekhouseError::MathOverflow)?;
        Ok(new)
    }

    /// Earliest expiry among the open shorts, if any.
    pub fn earliest_short_expiry(&self) -> Option<i64> {
        self.positions
            .iter()
            .filter(|p| p.is_short())
            .map(|p| p.expiry)
            .min()
    }

    /// True when nothing is left: no collateral, no quote, no positions, and no debt marker (a
    /// series counts this account among its open debts until `resolve_debt` closes the markers).
    pub fn is_empty(&self) -> bool {
        self.quote_balance == 0
            && self.collateral_count() == 0
            && self.position_count() == 0
            && !self.has_open_debt_markers()
    }

    /// Add `contracts` on `side` in `template.series`, opening a slot if needed.
    pub fn add_position(&mut self, template: &Position, side: Side, contracts: u64) -> Result<()> {
        self.add_position_at(template, side, contracts).map(|_| ())
    }

    /// [`Self::add_position`], returning the slot and whether it was opened here.
    pub fn add_position_at(
        &mut self,
        template: &Position,
        side: Side,
        contracts: u64,
    ) -> Result<(usize, bool)> {
        let opened = self.position_slot(&template.series, side).is_none();
        let slot = match self.position_slot(&template.series, side) {
            Some(i) => i,
            None => {
                let free = self
                    .positions
                    .iter()
                    .position(|p| p.contracts == 0)
                    .ok_or(GreekhouseError::PositionSlotsFull)?;
                self.positions[free] = Position {
                    contracts: 0,
                    side: side as u8,
                    // only a short carries an exercise epoch (set by the caller)
                    exercise_epoch: 0,
                    ..*template
                };
                self.exercise_snapshots[free] = ExerciseSnapshot::default();
                free
            }
        };
        let p = &mut self.positions[slot];
        p.contracts = p
            .contracts
            .checked_add(contracts)
            .ok_or(GreekhouseError::MathOverflow)?;
        Ok((slot, opened))
    }

    /// Add `contracts` to the short in `template.series`, opening a slot if needed.
    pub fn add_short(&mut self, template: &Position, contracts: u64) -> Result<()> {
        self.add_position(template, Side::Short, contracts)
    }

    /// Remove `contracts` from the position on `side` in `series`; clears the slot at zero.
    pub fn reduce_position(&mut self, series: &Pubkey, side: Side, contracts: u64) -> Result<()> {
        let missing = match side {
            Side::Short => GreekhouseError::InsufficientShort,
            Side::Long => GreekhouseError::InsufficientLong,
        };
        let slot = self.position_slot(series, side).ok_or(missing)?;
        let p = &mut self.positions[slot];
        p.contracts = p.contracts.checked_sub(contracts).ok_or(missing)?;
        if p.contracts == 0 {
            *p = Position::default();
            self.exercise_snapshots[slot] = ExerciseSnapshot::default();
        }
        Ok(())
    }

    /// Remove `contracts` from the short in `series`; clears the slot at zero.
    pub fn reduce_short(&mut self, series: &Pubkey, contracts: u64) -> Result<()> {
        self.reduce_position(series, Side::Short, contracts)
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.version == ACCOUNT_VERSION,
            GreekhouseError::UnsupportedVersion
        );
        let status = self.status()?;
        MarginStatus::from_u8(self.margin_status)?;
        // only a liquidating account carries an auction record
        require!(
            (status == WriterStatus::Liquidating) == (self.liquidation.start_time != 0),
            GreekhouseError::InvariantViolated
        );
        for (i, m) in self.debt_markers.iter().enumerate() {
            if m.owed == 0 {
                require!(
                    *m == DebtMarker::default(),
                    GreekhouseError::InvariantViolated
                );
            } else {
                require!(
                    self.debt_markers[i + 1..]
                        .iter()
                        .all(|o| o.owed == 0 || o.series != m.series),
                    GreekhouseError::InvariantViolated
                );
            }
        }
        // a debt start exactly with markers (a repaid debt keeps them until `resolve_debt`)
        require!(
            (self.debt_marker_count() > 0) == (self.debt_since != 0),
            GreekhouseError::InvariantViolated
        );
        for (i, c) in self.collaterals.iter().enumerate() {
            // an empty slot has neither asset nor amount; no asset appears twice
            require!(
                (c.asset == Pubkey::default()) == (c.amount == 0),
                GreekhouseError::InvariantViolated
            );
            if c.asset != Pubkey::default() {
                require!(
                    self.collaterals[i + 1..].iter().all(|o| o.asset != c.asset),
                    GreekhouseError::InvariantViolated
                );
            }
        }
        for (i, p) in self.positions.iter().enumerate() {
            // only an American short carries an exercise snapshot and epoch, and it always has a
            // snapshot (the scale is never zero)
            if p.is_american_short() {
                require!(
                    self.exercise_snapshots[i].scale > 0,
                    GreekhouseError::InvariantViolated
                );
            } else {
                require!(
                    self.exercise_snapshots[i] == ExerciseSnapshot::default()
                        && p.exercise_epoch == 0,
                    GreekhouseError::InvariantViolated
                );
            }
            if p.contracts == 0 {
                require!(
                    *p == Position::default(),
                    GreekhouseError::InvariantViolated
                );
            } else {
                require!(
                    p.kind <= 1 && p.side <= 1 && p.strike > 0 && p.style <= 1,
                    GreekhouseError::InvariantViolated
                );
                // at most one slot per series and side
                require!(
                    self.positions[i + 1..]
                        .iter()
                        .all(|o| o.contracts == 0 || o.series != p.series || o.side != p.side),
                    GreekhouseError::InvariantViolated
                );
            }
        }
        Ok(())
    }
}
