//! Record an underlying's newest oracle price (permissionless crank). Margin checks only read
//! underlyings, refusing prices older than the last recorded one; recording moves that floor
//! forward, so after a crank nobody can use an older price for that underlying. Liquidation
//! and settlement record as they go.

use anchor_lang::prelude::*;

use crate::engine::actions::record_price::record_price;
use crate::oracle::parse_oracle_account;
use crate::state::Underlying;

#[event_cpi]
#[derive(Accounts)]
pub struct RecordPrice<'info> {
    #[account(mut)]
    pub underlying: AccountLoader<'info, Underlying>,
    /// CHECK: checked by the oracle adapter against the underlying's configuration.
    pub oracle: UncheckedAccount<'info>,
}

pub fn record_price_handler(ctx: Context<RecordPrice>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let mut u = a.underlying.load_mut()?;
    let price = {
        let data = a.oracle.try_borrow_data()?;
        parse_oracle_account(&u, a.oracle.key, a.oracle.owner, &data)?
    };
    let event = record_price(&mut u, a.underlying.key(), &price, now)?;
    drop(u);
    emit_cpi!(event);
    Ok(())
}
