//! Governance changes (docs/governance.md): `queue_change` applies a tightening at once and
//! queues a loosening as a `ParamChange` behind the timelock; `execute_change` (anyone, after
//! the timelock) applies a queued change the target still matches; `cancel_change` (admin or
//! guardian) withdraws one. The verdict on a proposed change is
//! [`queue_verdict`](crate::engine::governance_verdict::queue_verdict), re-exported here.

use crate::prelude::*;

use crate::constants::ACCOUNT_VERSION;
use crate::engine::governance::{self, Class};
use crate::errors::GreekhouseError;
use crate::events::{ChangeApplied, ChangeCancelled, ChangeExecuted, ChangeQueued};
use crate::state::{ChangeStatus, Clearinghouse, CollateralAsset, GovValue, ParamChange};

pub use crate::engine::governance_verdict::{queue_verdict, Targets, Verdict};

/// The one account a change writes, loaded for writing, with its key.
pub enum TargetMut<'a> {
    Clearinghouse(Pubkey, &'a mut Clearinghouse),
    Underlying(Pubkey, &'a mut crate::state::Underlying),
    CollateralAsset(Pubkey, &'a mut CollateralAsset),
}

impl TargetMut<'_> {
    pub fn key(&self) -> Pubkey {
        match self {
            TargetMut::Clearinghouse(k, _)
            | TargetMut::Underlying(k, _)
            | TargetMut::CollateralAsset(k, _) => *k,
        }
    }

    /// The value of `like`'s kind the target holds now.
    pub fn current(&self, like: &GovValue) -> Result<GovValue> {
        match self {
            TargetMut::Clearinghouse(_, ch) => governance::read_clearinghouse(ch, like),
            TargetMut::Underlying(_, u) => governance::read_underlying(u, like),
            TargetMut::CollateralAsset(_, c) => governance::read_collateral(c, like),
        }
    }

    /// Write `value`, stamp the last tightening when `tightened_at` is given, and check the
    /// account's invariant.
    fn write(&mut self, value: &GovValue, tightened_at: Option<i64>) -> Result<()> {
        match self {
            TargetMut::Clearinghouse(_, ch) => {
                governance::write_clearinghouse(ch, value)?;
                if let Some(t) = tightened_at {
                    ch.last_tightened_at = t;
                }
                ch.invariant()
            }
            TargetMut::Underlying(_, u) => {
                governance::write_underlying(u, value)?;
                if let Some(t) = tightened_at {
                    u.last_tightened_at = t;
                }
                u.invariant()
            }
            TargetMut::CollateralAsset(_, c) => {
                governance::write_collateral(c, value)?;
                if let Some(t) = tightened_at {
                    c.last_tightened_at = t;
                }
                c.invariant()
            }
        }
    }
}

/// Apply a tightening at once (`verdict` from [`queue_verdict`] on the same accounts): write it
/// to `target` and, for a rate-limited value, stamp the target's last tightening at `now`.
pub fn apply_tightening(
    mut target: TargetMut,
    clearinghouse: Pubkey,
    verdict: &Verdict,
    change: &GovValue,
    now: i64,
) -> Result<ChangeApplied> {
    require!(
        verdict.class == Class::Tightening,
        GreekhouseError::InvariantViolated
    );
    require_keys_eq!(
        target.key(),
        verdict.target,
        GreekhouseError::WrongChangeTarget
    );
    let stamp = governance::rate_limited(change).then_some(now);
    target.write(change, stamp)?;
    Ok(ChangeApplied {
        clearinghouse,
        target: verdict.target,
        old: verdict.old,
        new: *change,
    })
}

/// The id and the executable time of a loosening queued at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuedId {
    pub change_id: u64,
    pub eta: i64,
}

/// Take the proposer's `change_id` for a loosening queued at `now` (its `ParamChange` lives at
/// that id's address, which must still be free); the change is executable after the timelock.
/// The clearing house's `change_count` becomes one past the highest id taken, so it names a
/// free id whenever no proposal is pending.
pub fn take_change_id(
    ch: &mut Clearinghouse,
    verdict: &Verdict,
    change_id: u64,
    now: i64,
) -> Result<QueuedId> {
    require!(
        verdict.class == Class::Loosening,
        GreekhouseError::InvariantViolated
    );
    let eta = now.saturating_add(i64::from(ch.params.timelock_secs));
    let next = change_id
        .checked_add(1)
        .ok_or(GreekhouseError::MathOverflow)?;
    ch.change_count = ch.change_count.max(next);
    ch.invariant()?;
    Ok(QueuedId { change_id, eta })
}

/// Fill the just created (zeroed) `ParamChange` `pc` (address `param_change`, PDA `bump`) of
/// the loosening `change` proposed by `proposer`, with the id taken by [`take_change_id`].
pub fn fill_param_change(
    pc: &mut ParamChange,
    param_change: Pubkey,
    bump: u8,
    clearinghouse: Pubkey,
    proposer: Pubkey,
    verdict: &Verdict,
    id: QueuedId,
    change: &GovValue,
    now: i64,
) -> Result<ChangeQueued> {
    pc.version = ACCOUNT_VERSION;
    pc.bump = bump;
    pc.status = ChangeStatus::Queued as u8;
    pc.kind = change.kind();
    pc.change_id = id.change_id;
    pc.clearinghouse = clearinghouse;
    pc.target = verdict.target;
    pc.proposer = proposer;
    pc.queued_at = now;
    pc.eta = id.eta;
    pc.old_value = verdict.old.to_bytes();
    pc.new_value = change.to_bytes();
    pc.invariant()?;
    Ok(ChangeQueued {
        clearinghouse,
        param_change,
        change_id: id.change_id,
        target: verdict.target,
        old: verdict.old,
        new: *change,
        queued_at: now,
        eta: id.eta,
    })
}

/// The rules of executing `pc` that need only the change itself: queued, and its timelock over
/// at `now`.
pub fn check_change_due(pc: &ParamChange, now: i64) -> Result<()> {
    require!(pc.is_queued(), GreekhouseError::ChangeNotQueued);
    require!(now >= pc.eta, GreekhouseError::TimelockNotOver);
    Ok(())
}

/// The rules of executing `pc` at `now` against `targets`: due ([`check_change_due`]), the
/// accounts of its target, the target still holding the value the change was queued against
/// (else stale: a tightening since, or another change executed first) and the new value within
/// the hard bounds in its context.
pub fn check_execute_change(targets: &Targets, pc: &ParamChange, now: i64) -> Result<()> {
    check_change_due(pc, now)?;
    let (old, new) = (pc.old()?, pc.new_value()?);
    require_keys_eq!(
        targets.target_key(&new)?,
        pc.target,
        GreekhouseError::WrongChangeTarget
    );
    require!(targets.current(&new)? == old, GreekhouseError::ChangeStale);
    targets.validate_new(&new)
}

/// Execute `pc` (address `param_change`) on `target` at `now` (`executor` signed): the change's
/// own rules and the staleness are checked again, the value written, the change closed.
pub fn execute_change(
    mut target: TargetMut,
    pc: &mut ParamChange,
    param_change: Pubkey,
    executor: Pubkey,
    now: i64,
) -> Result<ChangeExecuted> {
    check_change_due(pc, now)?;
    let (old, new) = (pc.old()?, pc.new_value()?);
    require_keys_eq!(target.key(), pc.target, GreekhouseError::WrongChangeTarget);
    require!(target.current(&new)? == old, GreekhouseError::ChangeStale);
    target.write(&new, None)?;
    pc.status = ChangeStatus::Executed as u8;
    pc.resolved_at = now;
    pc.invariant()?;
    Ok(ChangeExecuted {
        clearinghouse: pc.clearinghouse,
        param_change,
        change_id: pc.change_id,
        target: pc.target,
        old,
        new,
        by: executor,
    })
}

/// The rules of cancelling `pc`: `authority` is the admin or the guardian (when one is set),
/// and the change is still queued.
pub fn check_cancel_change(ch: &Clearinghouse, authority: &Pubkey, pc: &ParamChange) -> Result<()> {
    require!(
        *authority == ch.admin || (*authority == ch.guardian && ch.guardian != Pubkey::default()),
        GreekhouseError::NotAdminOrGuardian
    );
    require!(pc.is_queued(), GreekhouseError::ChangeNotQueued);
    Ok(())
}

/// Cancel `pc` (address `param_change`) at `now` by `authority`.
pub fn cancel_change(
    ch: &Clearinghouse,
    authority: Pubkey,
    pc: &mut ParamChange,
    param_change: Pubkey,
    now: i64,
) -> Result<ChangeCancelled> {
    check_cancel_change(ch, &authority, pc)?;
    pc.status = ChangeStatus::Cancelled as u8;
    pc.resolved_at = now;
    pc.invariant()?;
    Ok(ChangeCancelled {
        clearinghouse: pc.clearinghouse,
        param_change,
        change_id: pc.change_id,
        target: pc.target,
        old: pc.old()?,
        new: pc.new_value()?,
        by: authority,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_by_the_admin_or_a_set_guardian_while_queued() {
        let mut ch: Clearinghouse = bytemuck::Zeroable::zeroed();
        ch.admin = Pubkey::new_from_array([1; 32]);
        let mut pc: ParamChange = bytemuck::Zeroable::zeroed();
        pc.status = ChangeStatus::Queued as u8;
        // no guardian set: the default key is nobody
        assert_eq!(
            check_cancel_change(&ch, &Pubkey::default(), &pc),
            Err(GreekhouseError::NotAdminOrGuardian.into())
        );
        ch.guardian = Pubkey::new_from_array([2; 32]);
        assert_eq!(check_cancel_change(&ch, &ch.guardian, &pc), Ok(()));
        assert_eq!(check_cancel_change(&ch, &ch.admin, &pc), Ok(()));
        assert_eq!(
            check_cancel_change(&ch, &Pubkey::new_from_array([3; 32]), &pc),
            Err(GreekhouseError::NotAdminOrGuardian.into())
        );
        for status in [ChangeStatus::Executed, ChangeStatus::Cancelled] {
            pc.status = status as u8;
            assert_eq!(
                check_cancel_change(&ch, &ch.admin, &pc),
                Err(GreekhouseError::ChangeNotQueued.into())
            );
        }
    }

    #[test]
    fn a_change_is_due_once_queued_and_past_its_eta() {
        let mut pc: ParamChange = bytemuck::Zeroable::zeroed();
        pc.status = ChangeStatus::Queued as u8;
        pc.eta = 100;
        assert_eq!(
            check_change_due(&pc, 99),
            Err(GreekhouseError::TimelockNotOver.into())
        );
        assert_eq!(check_change_due(&pc, 100), Ok(()));
        pc.status = ChangeStatus::Executed as u8;
        assert_eq!(
            check_change_due(&pc, 100),
            Err(GreekhouseError::ChangeNotQueued.into())
        );
    }
}
