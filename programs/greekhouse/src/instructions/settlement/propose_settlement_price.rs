//! Post the settlement price of an underlying at an expiry (anyone, at or after expiry;
//! docs/settlement.md §1). Exactly one update is accepted: the feed's update with
//! `prev_publish_time < expiry <= publish_time`, which proves by itself that it is the first
//! update at or after expiry. It is final at once when its confidence is within the governed
//! `settlement.max_conf_bps`; otherwise it is recorded as passed over and the update after it
//! (`prev_publish_time` = the passed-over update's `publish_time`, published later) is the only
//! one accepted next, and so on. No caller can choose a price; a feed gap only makes the update
//! later. Never paused.

use anchor_lang::prelude::*;

use crate::constants::SETTLEMENT_PRICE_SEED;
use crate::engine::actions::settlement_price::{
    check_settlement_price_post, check_settlement_update, post_settlement_price,
};
use crate::engine::create::{load_new, Creator};
use crate::errors::GreekhouseError;
use crate::oracle::parse_oracle_account;
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
    /// CHECK: created here on the first post (empty or pre-funded system account at the PDA
    /// address); afterwards this program's `SettlementPrice`, checked when loaded.
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
    let max_conf_bps = a.clearinghouse.load()?.params.settlement.max_conf_bps;
    let underlying = *a.underlying.load()?;
    let price = {
        let data = a.oracle.try_borrow_data()?;
        parse_oracle_account(&underlying, a.oracle.key, a.oracle.owner, &data)?
    };
    check_settlement_update(&price, expiry, now)?;
    let underlying_key = a.underlying.key();
    let bump = ctx.bumps.settlement_price;
    let first = a.settlement_price.data_is_empty();
    if first {
        // refused before the account is paid for
        check_settlement_price_post(None, &price, expiry, now)?;
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
                &[bump],
            ],
        )?;
    } else {
        require_keys_eq!(
            *a.settlement_price.owner,
            crate::ID,
            GreekhouseError::WrongSettlementPrice
        );
    }
    let mut sp = load_new::<SettlementPrice>(&a.settlement_price)?;
    let outcome = post_settlement_price(
        &mut sp,
        first,
        a.settlement_price.key(),
        underlying_key,
        expiry,
        bump,
        &price,
        max_conf_bps,
        now,
    )?;
    drop(sp);
    emit_cpi!(outcome.event);
    Ok(())
}
