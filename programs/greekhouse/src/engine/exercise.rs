//! American exercise arithmetic (docs/protocol.md section 5b), pure so the SDK computes the same
//! numbers: the series' exercise index after an exercise, and what one short accrues from it.
//!
//! An exercise of `q` contracts out of `N` writers' shorts closes the same share `q / N` of every
//! short, and charges each the intrinsic value (the writers' rounded-up obligation per contract)
//! of its closed share. Nobody chooses who is assigned and nothing iterates over writers: the
//! series keeps
//! - `scale`: the surviving share of a short held since the series began, `prod (1 - q/N)` at
//!   exponent 18, rounded up at each exercise (a short survives slightly larger: more
//!   obligation, never less);
//! - `payout_index`: the exercise debt per contract held at scale one, `sum scale * q * I / N`
//!   at exponent 6 beyond quote native units, rounded up at each exercise.
//!
//! A short of `c` contracts snapshotted at `(scale0, index0)` is now `ceil(c * scale / scale0)`
//! contracts and owes `ceil(c * (index - index0) / scale0)` (scale at exponent 18, index at 6):
//! every rounding is up, so the writers together never owe less than the holders were paid;
//! the excess (at most a unit per short and exercise) stays in the series and is swept to the
//! insurance fund with its dust.

use crate::prelude::*;

use crate::engine::safe_math::Cast;
use crate::errors::GreekhouseError;
use crate::state::{ExerciseSnapshot, EXERCISE_PAYOUT_SCALE, EXERCISE_SCALE_ONE};

fn overflow() -> Error {
    error!(GreekhouseError::MathOverflow)
}

/// The series' exercise index after an exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexAfter {
    pub scale: u64,
    pub payout_index: u64,
}

/// The index after `contracts` of `writer_shorts` (`N`) are exercised at `obligation` per
/// contract (quote native, the writers' rounded-up intrinsic value), from `scale` and
/// `payout_index`. `contracts < writer_shorts` (the scale never reaches zero).
pub fn index_after(
    scale: u64,
    payout_index: u64,
    writer_shorts: u64,
    contracts: u64,
    obligation: u64,
) -> Result<IndexAfter> {
    require!(
        contracts > 0 && contracts < writer_shorts,
        GreekhouseError::ExerciseExceedsWriterShorts
    );
    let n = u128::from(writer_shorts);
    let q = u128::from(contracts);
    // scale * (N - q) / N, rounded up (>= 1 since scale >= 1 and N - q >= 1)
    let new_scale = (u128::from(scale) * (n - q)).div_ceil(n);
    // scale * q * obligation * 10^6 / (N * 10^18), rounded up
    let num = u128::from(scale)
        .checked_mul(q)
        .and_then(|v| v.checked_mul(u128::from(obligation)))
        .and_then(|v| v.checked_mul(u128::from(EXERCISE_PAYOUT_SCALE)))
        .ok_or_else(overflow)?;
    let den = n * u128::from(EXERCISE_SCALE_ONE);
    let step = num.div_ceil(den);
    let new_index = u128::from(payout_index)
        .checked_add(step)
        .ok_or_else(overflow)?;
    Ok(IndexAfter {
        scale: new_scale.cast::<u64>()?,
        payout_index: u64::try_from(new_index).map_err(|_| overflow())?,
    })
}

/// What a short accrues when brought to the series' current index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accrual {
    /// The short's contracts afterwards (its surviving share, rounded up; at least one).
    pub contracts: u64,
    /// Exercise debt it owes (quote native, rounded up).
    pub debt: u64,
}

/// The accrual of a short of `contracts` snapshotted at `snap` to `(scale, payout_index)`.
pub fn accrual(
    contracts: u64,
    snap: &ExerciseSnapshot,
    scale: u64,
    payout_index: u64,
) -> Result<Accrual> {
    require!(
        snap.scale > 0 && scale <= snap.scale && payout_index >= snap.payout_index,
        GreekhouseError::InvariantViolated
    );
    let c = u128::from(contracts);
    let s0 = u128::from(snap.scale);
    let after = (c * u128::from(scale)).div_ceil(s0);
    // c * (index - index0) * 10^18 / (scale0 * 10^6), rounded up
    let num = c
        .checked_mul(u128::from(payout_index - snap.payout_index))
        .and_then(|v| v.checked_mul(u128::from(EXERCISE_SCALE_ONE / EXERCISE_PAYOUT_SCALE)))
        .ok_or_else(overflow)?;
    let debt = num.div_ceil(s0);
    Ok(Accrual {
        contracts: after.cast::<u64>()?,
        debt: u64::try_from(debt).map_err(|_| overflow())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: u64 = EXERCISE_SCALE_ONE;

    fn snap(scale: u64, payout_index: u64) -> ExerciseSnapshot {
        ExerciseSnapshot {
            scale,
            payout_index,
        }
    }

    #[test]
    fn one_exercise_charges_each_short_its_share() {
        // 3 of 10 shorts exercised at 25 USDC of intrinsic value per contract
        let i = index_after(ONE, 0, 10, 3, 25_000_000).unwrap();
        assert_eq!(i.scale, ONE / 10 * 7);
        // writer with 6 contracts: 6 * 0.3 = 1.8 exercised, 4.2 left -> 5 (rounded up)
        let a = accrual(6, &snap(ONE, 0), i.scale, i.payout_index).unwrap();
        assert_eq!(a.contracts, 5);
        assert_eq!(a.debt, 45_000_000);
        // writer with 4: 1.2 exercised, 2.8 left -> 3; debt 30 USDC
        let b = accrual(4, &snap(ONE, 0), i.scale, i.payout_index).unwrap();
        assert_eq!(b.contracts, 3);
        assert_eq!(b.debt, 30_000_000);
        // the writers together owe exactly q * I here, and hold at least N - q shorts
        assert_eq!(a.debt + b.debt, 3 * 25_000_000);
        assert!(a.contracts + b.contracts >= 7);
    }

    #[test]
    fn a_short_opened_later_owes_only_later_exercises() {
        let first = index_after(ONE, 0, 10, 5, 10_000_000).unwrap();
        // a new short of 10 taken at the index after the first exercise; 20 shorts in all after
        let second = index_after(first.scale, first.payout_index, 15, 3, 20_000_000).unwrap();
        let late = accrual(
            10,
            &snap(first.scale, first.payout_index),
            second.scale,
            second.payout_index,
        )
        .unwrap();
        // 3/15 = 20 % of 10 contracts exercised at 20 USDC: 40 USDC, 8 left
        assert_eq!(late.contracts, 8);
        assert_eq!(late.debt, 40_000_000);
        // an early short of 10 (5 after the first exercise): 50 USDC then 1 contract x 20
        let early = accrual(10, &snap(ONE, 0), second.scale, second.payout_index).unwrap();
        assert_eq!(early.contracts, 4);
        assert_eq!(early.debt, 50_000_000 + 20_000_000);
    }

    #[test]
    fn rounding_never_undercharges() {
        // 1 of 3 exercised at an odd obligation: each short's debt and contracts round up
        let i = index_after(ONE, 0, 3, 1, 1_000_001).unwrap();
        let each = accrual(1, &snap(ONE, 0), i.scale, i.payout_index).unwrap();
        assert_eq!(each.contracts, 1);
        assert!(3 * each.debt >= 1_000_001);
        assert!(3 * each.debt <= 1_000_001 + 3);
        // an exercise must leave a short outstanding
        assert_eq!(
            index_after(ONE, 0, 3, 3, 1),
            Err(GreekhouseError::ExerciseExceedsWriterShorts.into())
        );
        assert_eq!(
            index_after(ONE, 0, 3, 0, 1),
            Err(GreekhouseError::ExerciseExceedsWriterShorts.into())
        );
    }

    #[test]
    fn an_unchanged_index_accrues_nothing() {
        let a = accrual(7, &snap(ONE / 2, 123), ONE / 2, 123).unwrap();
        assert_eq!(
            a,
            Accrual {
                contracts: 7,
                debt: 0
            }
        );
    }
}
