//! Record an underlying's newest oracle price (permissionless crank). Margin checks only read
//! underlyings, refusing prices older than the last recorded one; recording moves that floor
//! forward, so after a crank nobody can use an older price for that underlying. Liquidation
//! and settlement record as they go.

use anchor_lang::prelude::*;

use crate::errors::GreekhouseError;
use crate::events::OraclePriceAccepted;
use crate::oracle::{read_and_record_price, PriceUse};
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
    let key = ctx.accounts.underlying.key();
    let price = {
        let mut u = ctx.accounts.underlying.load_mut()?;
        let before = u.last_publish_time;
        let price =
            read_and_record_price(&mut u, &ctx.accounts.oracle, now, PriceUse::RiskIncreasing)?;
        require!(
            price.publish_time > before,
            GreekhouseError::PriceAlreadyRecorded
        );
        u.invariant()?;
        price
    };
    emit_cpi!(OraclePriceAccepted {
        underlying: key,
        price: price.price,
        conf: price.conf,
        expo: price.expo,
        publish_time: price.publish_time,
    });
    Ok(())
}
