//! Accrue a writer's American short to its series' exercise index (anyone): the short shrinks to
//! its surviving share and its exercise debt leaves the writer's quote balance
//! (docs/protocol.md section 5b). Margin checks refuse an account with an exercise to accrue, so
//! a liquidator, a keeper or the writer runs this first; never paused, needs no price.

use anchor_lang::prelude::*;

use crate::engine::actions;
use crate::errors::GreekhouseError;
use crate::state::{OptionSeries, Underlying, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct AccrueExercise<'info> {
    #[account(
        mut,
        constraint = writer_account.load()?.clearinghouse == series.load()?.clearinghouse @ GreekhouseError::WrongClearinghouse,
    )]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(mut, has_one = underlying @ GreekhouseError::WrongUnderlying)]
    pub series: AccountLoader<'info, OptionSeries>,
    pub underlying: AccountLoader<'info, Underlying>,
}

impl AccrueExercise<'_> {
    pub fn validate(&self) -> Result<()> {
        actions::exercise::check_accrue(
            &*self.writer_account.load()?,
            &self.series.key(),
            &*self.series.load()?,
            &*self.underlying.load()?,
        )
    }
}

pub fn accrue_exercise_handler(ctx: Context<AccrueExercise>) -> Result<()> {
    let a = &ctx.accounts;
    let event = actions::exercise::accrue(
        a.writer_account.key(),
        &mut *a.writer_account.load_mut()?,
        a.series.key(),
        &mut *a.series.load_mut()?,
        &*a.underlying.load()?,
        Clock::get()?.unix_timestamp,
    )?;
    emit_cpi!(event);
    Ok(())
}
