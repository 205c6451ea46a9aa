//! The underlying's vol updater sets a new vol surface, bounded in relative change per update
//! and over a window so a compromised or faulty updater cannot move margin abruptly (the rules:
//! `engine::actions::vol_surface`).

use anchor_lang::prelude::*;

use crate::engine::actions::vol_surface::{check_vol_surface, set_vol_surface};
use crate::errors::GreekhouseError;
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
        check_vol_surface(
            &*self.underlying.load()?,
            surface,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn set_vol_surface_handler(
    ctx: Context<SetVolSurface>,
    surface: StoredVolSurface,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let event = set_vol_surface(
        &mut *ctx.accounts.underlying.load_mut()?,
        ctx.accounts.underlying.key(),
        surface,
        now,
    )?;
    emit_cpi!(event);
    Ok(())
}
