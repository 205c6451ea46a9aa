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
        let max_change = Fixed::from_bps(u.surface_max_change_bps as i64);
        let within = old
            .within_relative_change(&new, max_change)
            .map_err(|_| error!(GreekhouseError::InvalidVolSurface))?;
        require!(within, GreekhouseError::VolSurfaceStepTooLarge);
        Ok(())
    }
}

pub fn set_vol_surface_handler(
    ctx: Context<SetVolSurface>,
    surface: StoredVolSurface,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let mut u = ctx.accounts.underlying.load_mut()?;
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
