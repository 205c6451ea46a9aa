//! Settle a writer's short in a settled series (anyone): the obligation moves from the writer's
//! quote balance into the series' ledger and the short leaves the account. The balance may go
//! negative: that debt is marked against the series, and the account's collateral pays it
//! (repayment by deposit, or the auction after the grace period) or, failing that, the insurance
//! fund and then the series' own holders (`resolve_debt`). Never paused; needs no price.

use anchor_lang::prelude::*;

use crate::engine::ledger;
use crate::errors::GreekhouseError;
use crate::events::PositionSettled;
use crate::state::{OptionSeries, SeriesStatus, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct SettlePosition<'info> {
    #[account(
        mut,
        constraint = writer_account.load()?.clearinghouse == series.load()?.clearinghouse @ GreekhouseError::WrongClearinghouse,
    )]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(mut)]
    pub series: AccountLoader<'info, OptionSeries>,
}

impl SettlePosition<'_> {
    pub fn validate(&self) -> Result<()> {
        let s = self.series.load()?;
        require!(s.is_settled(), GreekhouseError::SeriesNotSettled);
        require!(
            s.status != SeriesStatus::Finalized as u8,
            GreekhouseError::SeriesAlreadyFinalized
        );
        require!(
            self.writer_account
                .load()?
                .short_contracts(&self.series.key())
                > 0,
            GreekhouseError::NoShortInSeries
        );
        Ok(())
    }
}

pub fn settle_position_handler(ctx: Context<SettlePosition>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let series_key = a.series.key();
    let mut w = a.writer_account.load_mut()?;
    let mut series = a.series.load_mut()?;
    let contracts = w.short_contracts(&series_key);
    let (owed, debt) = ledger::settle_position(&mut w, series_key, &mut series, now)?;
    let event = PositionSettled {
        writer_account: a.writer_account.key(),
        series: series_key,
        contracts,
        owed,
        debt,
        quote_balance_after: w.quote_balance,
        shorts_to_settle: series.shorts_to_settle,
    };
    drop((w, series));
    emit_cpi!(event);
    Ok(())
}
