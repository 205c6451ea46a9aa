//! Open a series' backstop auction (anyone): when every writer short is settled or unbacked, no
//! writer debt towards the series is open, and its ledger still holds less than its outstanding
//! tokens are owed. New insurance-fund shares are sold for quote at a price falling from the
//! fund's share value before the series' loss (recorded at settlement) to a floor over the window; the proceeds go to the series, so stakers
//! are diluted and holders are not. Never paused.

use anchor_lang::prelude::*;

use crate::engine::actions;
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, OptionSeries};

#[event_cpi]
#[derive(Accounts)]
pub struct OpenBackstop<'info> {
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub series: AccountLoader<'info, OptionSeries>,
}

impl OpenBackstop<'_> {
    pub fn validate(&self) -> Result<()> {
        actions::finalize::check_open_backstop(&*self.series.load()?)
    }
}

pub fn open_backstop_handler(ctx: Context<OpenBackstop>) -> Result<()> {
    let a = &ctx.accounts;
    let event = actions::finalize::open_backstop(
        &*a.clearinghouse.load()?,
        a.series.key(),
        &mut *a.series.load_mut()?,
        Clock::get()?.unix_timestamp,
    )?;
    emit_cpi!(event);
    Ok(())
}
