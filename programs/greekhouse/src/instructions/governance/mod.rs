//! Governance changes (docs/governance.md): one path for every governed value.
//! `queue_change` applies a tightening at once and queues a loosening behind the timelock;
//! `execute_change` (anyone, after the timelock) and `cancel_change` (admin or guardian).

pub mod cancel_change;
pub mod execute_change;
pub mod queue_change;

pub use cancel_change::*;
pub use execute_change::*;
pub use queue_change::*;

use anchor_lang::prelude::*;

use crate::engine::actions::governance::{TargetMut, Targets};
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, CollateralAsset, TargetKind, Underlying};

/// The target accounts of a change, loaded for reading, handed to `f` as the engine's
/// [`Targets`].
fn with_targets<R>(
    clearinghouse: &AccountLoader<Clearinghouse>,
    underlying: &Option<AccountLoader<Underlying>>,
    collateral: &Option<AccountLoader<CollateralAsset>>,
    price_underlying: &Option<AccountLoader<Underlying>>,
    f: impl FnOnce(&Targets) -> Result<R>,
) -> Result<R> {
    let ch = clearinghouse.load()?;
    let u = underlying.as_ref().map(|a| a.load()).transpose()?;
    let c = collateral.as_ref().map(|a| a.load()).transpose()?;
    let p = price_underlying.as_ref().map(|a| a.load()).transpose()?;
    let targets = Targets {
        clearinghouse_key: clearinghouse.key(),
        clearinghouse: &ch,
        underlying: underlying
            .as_ref()
            .zip(u.as_deref())
            .map(|(a, u)| (a.key(), u)),
        collateral: collateral
            .as_ref()
            .zip(c.as_deref())
            .map(|(a, c)| (a.key(), c)),
        price_underlying: price_underlying
            .as_ref()
            .zip(p.as_deref())
            .map(|(a, p)| (a.key(), p)),
    };
    f(&targets)
}

/// The account of `kind` a change writes, loaded for writing, handed to `f` (the target was
/// checked by the instruction's `validate`).
fn with_target_mut<R>(
    kind: TargetKind,
    clearinghouse: &AccountLoader<Clearinghouse>,
    underlying: &Option<AccountLoader<Underlying>>,
    collateral: &Option<AccountLoader<CollateralAsset>>,
    f: impl FnOnce(TargetMut) -> Result<R>,
) -> Result<R> {
    match kind {
        TargetKind::Clearinghouse => f(TargetMut::Clearinghouse(
            clearinghouse.key(),
            &mut *clearinghouse.load_mut()?,
        )),
        TargetKind::Underlying => {
            let a = underlying
                .as_ref()
                .ok_or(GreekhouseError::WrongChangeTarget)?;
            f(TargetMut::Underlying(a.key(), &mut *a.load_mut()?))
        }
        TargetKind::CollateralAsset => {
            let a = collateral
                .as_ref()
                .ok_or(GreekhouseError::WrongChangeTarget)?;
            f(TargetMut::CollateralAsset(a.key(), &mut *a.load_mut()?))
        }
    }
}
