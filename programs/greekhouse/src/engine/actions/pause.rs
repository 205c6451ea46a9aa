//! `pause` (the guardian or the admin) and `unpause` (the admin only) set and lift the pause
//! flags of risk-increasing actions. Only flags in [`pause::PAUSABLE`] exist, so deposits,
//! burns, repayments and liquidations cannot be paused.

use crate::prelude::*;

use crate::errors::GreekhouseError;
use crate::events::PauseFlagsChanged;
use crate::state::{pause, Clearinghouse};

/// `flags` names at least one flag, and pausable ones only.
pub fn check_pause_flags(flags: u32) -> Result<()> {
    require!(
        flags != 0 && flags & !pause::PAUSABLE == 0,
        GreekhouseError::NotPausable
    );
    Ok(())
}

/// The rules of pausing: `authority` is the guardian or the admin, `flags` pausable.
pub fn check_pause(ch: &Clearinghouse, authority: &Pubkey, flags: u32) -> Result<()> {
    require!(
        *authority == ch.guardian || *authority == ch.admin,
        GreekhouseError::NotGuardian
    );
    check_pause_flags(flags)
}

/// Set `flags` on `ch` (address `clearinghouse`) by `authority`.
pub fn pause(
    ch: &mut Clearinghouse,
    clearinghouse: Pubkey,
    authority: Pubkey,
    flags: u32,
) -> Result<PauseFlagsChanged> {
    check_pause(ch, &authority, flags)?;
    let previous = ch.paused;
    ch.paused |= flags;
    ch.invariant()?;
    Ok(PauseFlagsChanged {
        clearinghouse,
        by: authority,
        previous,
        paused: ch.paused,
    })
}

/// Lift `flags` from `ch` (address `clearinghouse`); `admin` is the clearing house's admin (an
/// account check of the handler's).
pub fn unpause(
    ch: &mut Clearinghouse,
    clearinghouse: Pubkey,
    admin: Pubkey,
    flags: u32,
) -> Result<PauseFlagsChanged> {
    check_pause_flags(flags)?;
    require_keys_eq!(admin, ch.admin, GreekhouseError::NotAdmin);
    let previous = ch.paused;
    ch.paused &= !flags;
    ch.invariant()?;
    Ok(PauseFlagsChanged {
        clearinghouse,
        by: admin,
        previous,
        paused: ch.paused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pausable_flags_by_the_guardian_or_the_admin() {
        let mut ch: Clearinghouse = bytemuck::Zeroable::zeroed();
        ch.admin = Pubkey::new_from_array([1; 32]);
        ch.guardian = Pubkey::new_from_array([2; 32]);
        let stranger = Pubkey::new_from_array([3; 32]);
        assert_eq!(
            check_pause(&ch, &stranger, pause::PAUSABLE),
            Err(GreekhouseError::NotGuardian.into())
        );
        for who in [ch.admin, ch.guardian] {
            assert_eq!(check_pause(&ch, &who, pause::PAUSABLE), Ok(()));
            assert_eq!(
                check_pause(&ch, &who, 0),
                Err(GreekhouseError::NotPausable.into())
            );
            assert_eq!(
                check_pause(&ch, &who, !pause::PAUSABLE),
                Err(GreekhouseError::NotPausable.into())
            );
        }
    }
}
