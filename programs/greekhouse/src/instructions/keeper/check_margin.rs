//! Check a writer account's margin against its warning level and store the status found
//! (permissionless crank, never paused): `MarginWarning` when the account crossed the warning
//! level or maintenance, either way, since the last check; nothing when it did not. Writers'
//! alerts, the dashboard and the liquidator run it (docs/liquidation.md, "Margin warnings").
//!
//! Prices within the underlyings' `liq_max_age`, as a liquidation would use them; they are not
//! recorded (a check moves no value).
//! Remaining accounts: the margin layout (`engine::layout`) of the account (none when it has
//! no shorts and no debt).

use anchor_lang::prelude::*;

use crate::engine::{actions, margin};
use crate::errors::GreekhouseError;
use crate::events::MarginWarning;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct CheckMargin<'info> {
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub writer_account: AccountLoader<'info, WriterAccount>,
}

pub fn check_margin_handler<'info>(ctx: Context<'info, CheckMargin<'info>>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let mut w = a.writer_account.load_mut()?;
    let mut prices = margin::prices_from(
        a.clearinghouse.key(),
        ctx.remaining_accounts,
        now,
        PriceUse::Liquidation,
    );
    let check = actions::margin_status::check_margin(&ch, &mut w, &mut prices, now)?;
    let owner = w.owner;
    drop(w);
    if check.changed() {
        emit_cpi!(MarginWarning {
            writer_account: ctx.accounts.writer_account.key(),
            owner,
            status_before: check.before as u8,
            status_after: check.after as u8,
            warning_equity: check.warning_equity,
            maintenance_equity: check.maintenance_equity,
            initial_equity: check.initial_equity,
        });
    }
    Ok(())
}
