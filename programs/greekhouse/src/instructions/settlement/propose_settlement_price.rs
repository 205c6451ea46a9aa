//! Propose the settlement price of an underlying at an expiry (anyone): a valid oracle update
//! published in `[expiry, expiry + settle_window]` opens a dispute period with a fixed deadline.
//! Fallback, so an oracle outage cannot block settlement forever: once
//! `expiry + settle_window + dispute` has passed with no proposal, an update published later is
//! accepted under the same dispute rule. Never paused.

use anchor_lang::prelude::*;

use crate::constants::{ACCOUNT_VERSION, SETTLEMENT_PRICE_SEED};
use crate::engine::create::{load_new, Creator};
use crate::engine::safe_math::SafeMath;
use crate::errors::GreekhouseError;
use crate::events::SettlementPriceProposed;
use crate::oracle::{check_settlement_price, parse_oracle_account};
use crate::state::{Clearinghouse, SettlementPrice, Underlying};

#[event_cpi]
#[derive(Accounts)]
#[instruction(expiry: i64)]
pub struct ProposeSettlementPrice<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub underlying: AccountLoader<'info, Underlying>,
    /// CHECK: parsed and checked against the underlying's oracle configuration.
    pub oracle: UncheckedAccount<'info>,
    /// CHECK: created here (empty or pre-funded system account at the PDA address).
    #[account(
        mut,
        seeds = [SETTLEMENT_PRICE_SEED, underlying.key().as_ref(), &expiry.to_le_bytes()],
        bump,
    )]
    pub settlement_price: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl ProposeSettlementPrice<'_> {
    pub fn validate(&self, expiry: i64) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        require!(now >= expiry, GreekhouseError::NotExpired);
        Ok(())
    }
}

pub fn propose_settlement_price_handler(
    ctx: Context<ProposeSettlementPrice>,
    expiry: i64,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let params = a.clearinghouse.load()?.params.settlement;
    let underlying = *a.underlying.load()?;
    let price = {
        let data = a.oracle.try_borrow_data()?;
        parse_oracle_account(&underlying, a.oracle.key, a.oracle.owner, &data)?
    };
    check_settlement_price(&underlying, &price)?;
    require!(
        price.publish_time >= expiry,
        GreekhouseError::SettlementPriceBeforeExpiry
    );
    let window_end = expiry.safe_add(params.settle_window_secs as i64)?;
    let late = price.publish_time > window_end;
    if late {
        // nobody brought an update from the window in time: the earliest later one will do
        let fallback_opens = window_end.safe_add(params.dispute_secs as i64)?;
        require!(
            now > fallback_opens,
            GreekhouseError::SettlementPriceOutsideWindow
        );
    }
    require!(
        a.settlement_price.data_is_empty(),
        GreekhouseError::SettlementAlreadyProposed
    );
    let underlying_key = a.underlying.key();
    let expiry_bytes = expiry.to_le_bytes();
    Creator {
        payer: &a.payer.to_account_info(),
        system_program: &a.system_program.to_account_info(),
    }
    .create_zero_copy::<SettlementPrice>(
        &a.settlement_price,
        &[
            SETTLEMENT_PRICE_SEED,
            underlying_key.as_ref(),
            &expiry_bytes,
            &[ctx.bumps.settlement_price],
        ],
    )?;
    let deadline = now.safe_add(params.dispute_secs as i64)?;
    let mut sp = load_new::<SettlementPrice>(&a.settlement_price)?;
    sp.version = ACCOUNT_VERSION;
    sp.bump = ctx.bumps.settlement_price;
    sp.late = late as u8;
    sp.underlying = underlying_key;
    sp.expiry = expiry;
    sp.price = price.price;
    sp.conf = price.conf;
    sp.expo = price.expo;
    sp.publish_time = price.publish_time;
    sp.proposed_at = now;
    sp.deadline = deadline;
    sp.invariant()?;
    drop(sp);

    emit_cpi!(SettlementPriceProposed {
        settlement_price: ctx.accounts.settlement_price.key(),
        underlying: underlying_key,
        expiry,
        price: price.price,
        expo: price.expo,
        publish_time: price.publish_time,
        deadline,
        late,
    });
    Ok(())
}
