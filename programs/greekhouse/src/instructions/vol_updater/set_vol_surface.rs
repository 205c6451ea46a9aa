//! The underlying's vol updater sets a new vol surface, bounded in relative change per update
//! so a compromised or faulty updater cannot move margin abruptly.

use anchor_lang::prelude::*;
use greekhouse_risk::Fixed;

use crate::engine::convert;
use crate::errors::GreekhouseError;
use crate::events::VolSurfaceSet;
use crate::state::{StoredVolSurface, Underlying};

#[event_cpi]
#[derive(Accounts)]
pub struct SetVolSurface<'info> {
    pub vol_updater: Signer<'info>,
    #[account(mut, has_one = vol_updater @ GreekhouseError::NotVolUpdater)]
    pub underlying: AccountLoader<'info, Underlying>,
}

impl SetVolSurface<'_> {
    pub fn validate(&self, surface: &StoredVolSurface) -> Result<()> {
        let u = self.underlying.load()?;
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
        let now = Clock::get()?.unix_timestamp;
        let anchor = convert::vol_surface(&window_anchor(&u, now));
        let window = Fixed::from_bps(2 * i64::from(u.surface_max_change_bps));
        let up = anchor
            .within_relative_change(&new, window)
            .map_err(|_| error!(GreekhouseError::InvalidVolSurface))?;
        let down = new
            .within_relative_change(&anchor, window)
            .map_err(|_| error!(GreekhouseError::InvalidVolSurface))?;
        require!(up && down, GreekhouseError::VolSurfaceWindowExceeded);
        Ok(())
    }
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

fn window_expired(u: &Underlying, now: i64) -> bool {
    u.surface_anchor.tenor_count == 0
        || now
            >= u.surface_anchor_at
                .saturating_add(i64::from(u.surface_anchor_interval_secs))
}

pub fn set_vol_surface_handler(
    ctx: Context<SetVolSurface>,
    surface: StoredVolSurface,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let mut u = ctx.accounts.underlying.load_mut()?;
    if window_expired(&u, now) {
        u.surface_anchor = u.surface;
        u.surface_anchor_at = now;
    }
    u.surface = surface;
    u.surface_updated_at = now;
    u.invariant()?;
    drop(u);
    emit_cpi!(VolSurfaceSet {
        underlying: ctx.accounts.underlying.key(),
        surface,
        updated_at: now
    });
    Ok(())
}
