//! `set_vol_surface`: the underlying's vol updater sets a new vol surface, bounded in relative
//! change per update and over a window, so a compromised or faulty updater cannot move margin
//! abruptly (docs/governance.md).

use crate::prelude::*;
use greekhouse_risk::Fixed;

use crate::engine::convert;
use crate::errors::GreekhouseError;
use crate::events::VolSurfaceSet;
use crate::state::{StoredVolSurface, Underlying};

/// Whether the window of the stored anchor surface is over at `now` (or none was ever set): an
/// update at `now` starts a new window from the current surface.
pub fn window_expired(u: &Underlying, now: i64) -> bool {
    u.surface_anchor.tenor_count == 0
        || now
            >= u.surface_anchor_at
                .saturating_add(i64::from(u.surface_anchor_interval_secs))
}

/// The anchor surface an update at `now` is measured against: the stored anchor while its window
/// runs, else the current surface (a new window starts with this update).
pub fn window_anchor(u: &Underlying, now: i64) -> StoredVolSurface {
    if window_expired(u, now) {
        u.surface
    } else {
        u.surface_anchor
    }
}

/// The rules of setting `surface` on `u` at `now`: a valid surface, within the per-update
/// relative step `surface_max_change_bps` of the current one, and within the window bound of
/// the window's anchor.
pub fn check_vol_surface(u: &Underlying, surface: &StoredVolSurface, now: i64) -> Result<()> {
    let new = convert::vol_surface(surface);
    new.validate()
        .map_err(|_| error!(GreekhouseError::InvalidVolSurface))?;
    let old = convert::vol_surface(&u.surface);
    let max_change = Fixed::from_bps(i64::from(u.surface_max_change_bps));
    let within = old
        .within_relative_change(&new, max_change)
        .map_err(|_| error!(GreekhouseError::InvalidVolSurface))?;
    require!(within, GreekhouseError::VolSurfaceStepTooLarge);
    // over time: within a ratio of `1 + 2c` of the surface at the start of the window, in
    // both directions, so several updates in one window cannot compound
    // (docs/governance.md). `|new - anchor| <= 2c * anchor` alone has no lower bound once
    // `2c >= 1`; also requiring `|anchor - new| <= 2c * new` bounds each vol to
    // `[anchor / (1 + 2c), anchor * (1 + 2c)]`.
    let anchor = convert::vol_surface(&window_anchor(u, now));
    let window = Fixed::from_bps(
        i64::from(u.surface_max_change_bps)
            .checked_mul(2)
            .ok_or(GreekhouseError::MathOverflow)?,
    );
    let up = anchor
        .within_relative_change(&new, window)
        .map_err(|_| error!(GreekhouseError::InvalidVolSurface))?;
    let down = new
        .within_relative_change(&anchor, window)
        .map_err(|_| error!(GreekhouseError::InvalidVolSurface))?;
    require!(up && down, GreekhouseError::VolSurfaceWindowExceeded);
    Ok(())
}

/// Set `surface` on `u` (address `underlying`) at `now`, starting a new window from the
/// current surface when the last one is over.
pub fn set_vol_surface(
    u: &mut Underlying,
    underlying: Pubkey,
    surface: StoredVolSurface,
    now: i64,
) -> Result<VolSurfaceSet> {
    check_vol_surface(u, &surface, now)?;
    if window_expired(u, now) {
        u.surface_anchor = u.surface;
        u.surface_anchor_at = now;
    }
    u.surface = surface;
    u.surface_updated_at = now;
    u.invariant()?;
    Ok(VolSurfaceSet {
        underlying,
        surface,
        updated_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600;

    fn flat(vol_bps: u32) -> StoredVolSurface {
        let mut s: StoredVolSurface = bytemuck::Zeroable::zeroed();
        s.tenor_count = 1;
        s.tenor_secs[0] = 30 * 86_400;
        s.atm_vol_bps[0] = vol_bps;
        s.min_vol_bps = 1_000;
        s
    }

    /// Steps of at most 10 %, a window of an hour (within `1 + 20 %` of its anchor).
    fn underlying(current: u32) -> Underlying {
        let mut u: Underlying = bytemuck::Zeroable::zeroed();
        u.surface = flat(current);
        u.surface_max_change_bps = 1_000;
        u.surface_anchor_interval_secs = 3_600;
        u
    }

    fn check(u: &Underlying, vol_bps: u32, now: i64) -> Result<()> {
        check_vol_surface(u, &flat(vol_bps), now)
    }

    #[test]
    fn refuses_an_invalid_surface_and_a_step_too_large() {
        let u = underlying(5_000);
        let mut empty = flat(5_000);
        empty.tenor_count = 0;
        assert_eq!(
            check_vol_surface(&u, &empty, 0),
            Err(GreekhouseError::InvalidVolSurface.into())
        );
        assert_eq!(
            check(&u, 5_600, 0),
            Err(GreekhouseError::VolSurfaceStepTooLarge.into())
        );
        assert_eq!(
            check(&u, 4_400, 0),
            Err(GreekhouseError::VolSurfaceStepTooLarge.into())
        );
        assert_eq!(check(&u, 5_400, 0), Ok(()));
        assert_eq!(check(&u, 4_600, 0), Ok(()));
    }

    #[test]
    fn no_anchor_yet_starts_a_window_from_the_current_surface() {
        let u = underlying(5_000);
        assert!(window_expired(&u, 0));
        assert_eq!(window_anchor(&u, 0), u.surface);
    }

    #[test]
    fn steps_within_a_window_cannot_compound_either_way() {
        // the window opened at 0 from 50 %; two steps took the surface to 59 %
        let mut u = underlying(5_900);
        u.surface_anchor = flat(5_000);
        u.surface_anchor_at = 0;
        assert!(!window_expired(&u, HOUR - 1));
        assert_eq!(window_anchor(&u, HOUR - 1), flat(5_000));
        // 64 % is one 8.5 % step but 28 % above the anchor
        assert_eq!(
            check(&u, 6_400, HOUR - 1),
            Err(GreekhouseError::VolSurfaceWindowExceeded.into())
        );
        assert_eq!(check(&u, 6_000, HOUR - 1), Ok(()));
        // once the window is over, the current surface is the new anchor
        assert!(window_expired(&u, HOUR));
        assert_eq!(window_anchor(&u, HOUR), flat(5_900));
        assert_eq!(check(&u, 6_400, HOUR), Ok(()));

        // downwards: 41 % is within 20 % of 50 % measured from 50 %, not from 41 %
        let mut u = underlying(4_200);
        u.surface_anchor = flat(5_000);
        assert_eq!(
            check(&u, 4_100, HOUR - 1),
            Err(GreekhouseError::VolSurfaceWindowExceeded.into())
        );
        assert_eq!(check(&u, 4_200, HOUR - 1), Ok(()));
    }
}
