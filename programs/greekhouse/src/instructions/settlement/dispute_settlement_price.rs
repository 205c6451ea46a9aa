//! Dispute a proposed settlement price (anyone, before the deadline): a valid update published
//! closer to expiry (earlier, still at or after it) replaces the proposal; the deadline stays.
//! So the final price is the earliest valid update anyone brought. Never paused.

use anchor_lang::prelude::*;

use crate::errors::GreekhouseError;
use crate::events::SettlementPriceDisputed;
use crate::oracle::{check_settlement_price, parse_oracle_account};
use crate::state::{SettlementPrice, Underlying};

#[event_cpi]
#[derive(Accounts)]
pub struct DisputeSettlementPrice<'info> {
    pub underlying: AccountLoader<'info, Underlying>,
    /// CHECK: parsed and checked against the underlying's oracle configuration.
    pub oracle: UncheckedAccount<'info>,
    #[account(mut, has_one = underlying @ GreekhouseError::WrongSettlementPrice)]
    pub settlement_price: AccountLoader<'info, SettlementPrice>,
}

impl DisputeSettlementPrice<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        require!(
            !self.settlement_price.load()?.is_final(now),
            GreekhouseError::SettlementDisputeClosed
        );
        Ok(())
    }
}

pub fn dispute_settlement_price_handler(ctx: Context<DisputeSettlementPrice>) -> Result<()> {
    let a = &ctx.accounts;
    let underlying = *a.underlying.load()?;
    let price = {
        let data = a.oracle.try_borrow_data()?;
        parse_oracle_account(&underlying, a.oracle.key, a.oracle.owner, &data)?
    };
    check_settlement_price(&underlying, &price)?;
    let mut sp = a.settlement_price.load_mut()?;
    require!(
        price.publish_time >= sp.expiry,
        GreekhouseError::SettlementPriceBeforeExpiry
    );
    require!(
        price.publish_time < sp.publish_time,
        GreekhouseError::SettlementNotCloserToExpiry
    );
    let replaced = (sp.price, sp.expo, sp.publish_time);
    sp.price = price.price;
    sp.conf = price.conf;
    sp.expo = price.expo;
    sp.publish_time = price.publish_time;
    sp.disputes = sp.disputes.saturating_add(1);
    sp.invariant()?;
    let event = SettlementPriceDisputed {
        settlement_price: a.settlement_price.key(),
        price: price.price,
        expo: price.expo,
        publish_time: price.publish_time,
        replaced_price: replaced.0,
        replaced_expo: replaced.1,
        replaced_publish_time: replaced.2,
    };
    drop(sp);
    emit_cpi!(event);
    Ok(())
}
