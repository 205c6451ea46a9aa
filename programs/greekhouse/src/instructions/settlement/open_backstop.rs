//! Open a series' backstop auction (anyone): when every writer short is settled or unbacked, no
//! writer debt towards the series is open, and its ledger still holds less than its outstanding
//! tokens are owed. New insurance-fund shares are sold for quote at a price falling from the
//! fund's share value before the series' loss (recorded at settlement) to a floor over the window; the proceeds go to the series, so stakers
//! are diluted and holders are not. Never paused.

use anchor_lang::prelude::*;

use crate::engine::settlement::{require_fully_settled, shortfall};
use crate::errors::GreekhouseError;
use crate::events::BackstopOpened;
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
        let s = self.series.load()?;
        require_fully_settled(&s)?;
        require!(s.backstop_start == 0, GreekhouseError::BackstopAlreadyOpen);
        require!(
            shortfall(s.outstanding(), s.payout_per_contract, s.settlement_ledger)? > 0,
            GreekhouseError::NoShortfall
        );
        Ok(())
    }
}

pub fn open_backstop_handler(ctx: Context<OpenBackstop>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let window = a
        .clearinghouse
        .load()?
        .params
        .settlement
        .backstop_window_secs;
    let mut s = a.series.load_mut()?;
    let gap = shortfall(s.outstanding(), s.payout_per_contract, s.settlement_ledger)?;
    // the share value recorded at settlement, before the series' loss reached the fund
    let start_price = s.backstop_start_price;
    s.backstop_start = now;
    s.invariant()?;
    drop(s);
    emit_cpi!(BackstopOpened {
        series: ctx.accounts.series.key(),
        shortfall: gap,
        start_price,
        start_time: now,
        end_time: now + i64::from(window),
    });
    Ok(())
}
