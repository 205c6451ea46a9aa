//! `propose_settlement_price`: which feed update may be posted as an underlying's settlement
//! price at an expiry, and what posting it records (docs/settlement.md §1).
//!
//! Exactly one update is accepted: the feed's update with `prev_publish_time < expiry <=
//! publish_time`, which proves by itself that it is the first update at or after expiry. It is
//! final at once when its confidence is within the governed `settlement.max_conf_bps`; otherwise
//! it is recorded as passed over and the update after it (`prev_publish_time` = the passed-over
//! update's `publish_time`, published later) is the only one accepted next, and so on.

use crate::prelude::*;

use crate::constants::ACCOUNT_VERSION;
use crate::errors::GreekhouseError;
use crate::events::SettlementPricePosted;
use crate::oracle::{check_settlement_price, settlement_conf_within, OraclePrice};
use crate::state::{SettlementPrice, SettlementPriceStatus};

/// The rules of a posted update that need neither the settlement price account nor its
/// history: at or after expiry (`now`), a usable price, published at or after expiry.
pub fn check_settlement_update(price: &OraclePrice, expiry: i64, now: i64) -> Result<()> {
    require!(now >= expiry, GreekhouseError::NotExpired);
    check_settlement_price(price)?;
    require!(
        price.publish_time >= expiry,
        GreekhouseError::SettlementPriceBeforeExpiry
    );
    Ok(())
}

/// The rules of posting `price` as the settlement price at `expiry`: the update's own rules
/// ([`check_settlement_update`]), then for the first post (`existing` is `None`) the update at
/// expiry (its previous update was published before expiry), for a later one a price not yet
/// final and exactly the update after the one passed over.
pub fn check_settlement_price_post(
    existing: Option<&SettlementPrice>,
    price: &OraclePrice,
    expiry: i64,
    now: i64,
) -> Result<()> {
    check_settlement_update(price, expiry, now)?;
    match existing {
        None => require!(
            price.prev_publish_time < expiry,
            GreekhouseError::SettlementPriceNotFirstAfterExpiry
        ),
        Some(sp) => {
            require!(!sp.is_final(), GreekhouseError::SettlementPriceAlreadyFinal);
            require!(
                price.prev_publish_time == sp.publish_time && price.publish_time > sp.publish_time,
                GreekhouseError::SettlementPriceNotNextUpdate
            );
        }
    }
    Ok(())
}

/// What a post did.
#[derive(Clone, Debug)]
pub struct SettlementPriceOutcome {
    /// Whether the price is now final.
    pub is_final: bool,
    pub event: SettlementPricePosted,
}

/// Post `price` to `sp`, the settlement price account of `underlying` at `expiry`
/// (`settlement_price` its address, `bump` its PDA bump). `first`: `sp` was just created
/// (zeroed) and is filled here; otherwise it holds the earlier posts. The update is final when
/// its confidence is within `max_conf_bps`, else counted as passed over.
pub fn post_settlement_price(
    sp: &mut SettlementPrice,
    first: bool,
    settlement_price: Pubkey,
    underlying: Pubkey,
    expiry: i64,
    bump: u8,
    price: &OraclePrice,
    max_conf_bps: u32,
    now: i64,
) -> Result<SettlementPriceOutcome> {
    check_settlement_price_post((!first).then_some(&*sp), price, expiry, now)?;
    let within = settlement_conf_within(price, max_conf_bps);
    if first {
        sp.version = ACCOUNT_VERSION;
        sp.bump = bump;
        sp.underlying = underlying;
        sp.expiry = expiry;
    }
    if !within {
        sp.passed_over = sp
            .passed_over
            .checked_add(1)
            .ok_or(GreekhouseError::MathOverflow)?;
    }
    sp.status = if within {
        SettlementPriceStatus::Final
    } else {
        SettlementPriceStatus::Walking
    } as u8;
    sp.price = price.price;
    sp.conf = price.conf;
    sp.expo = price.expo;
    sp.publish_time = price.publish_time;
    sp.prev_publish_time = price.prev_publish_time;
    sp.posted_at = now;
    sp.invariant()?;
    Ok(SettlementPriceOutcome {
        is_final: within,
        event: SettlementPricePosted {
            settlement_price,
            underlying,
            expiry,
            price: price.price,
            conf: price.conf,
            expo: price.expo,
            publish_time: price.publish_time,
            prev_publish_time: price.prev_publish_time,
            is_final: within,
            passed_over: sp.passed_over,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPIRY: i64 = 1_000_000;
    const MAX_CONF_BPS: u32 = 100;

    fn update(price: i64, conf: u64, prev_publish_time: i64, publish_time: i64) -> OraclePrice {
        OraclePrice {
            price,
            conf,
            expo: -8,
            publish_time,
            prev_publish_time,
        }
    }

    fn post(sp: &mut SettlementPrice, first: bool, p: &OraclePrice, now: i64) -> Result<bool> {
        post_settlement_price(
            sp,
            first,
            Pubkey::new_from_array([1; 32]),
            Pubkey::new_from_array([2; 32]),
            EXPIRY,
            254,
            p,
            MAX_CONF_BPS,
            now,
        )
        .map(|o| o.is_final)
    }

    fn fresh() -> SettlementPrice {
        bytemuck::Zeroable::zeroed()
    }

    #[test]
    fn refuses_before_expiry_and_updates_published_before_it() {
        let mut sp = fresh();
        let p = update(100, 0, EXPIRY - 1, EXPIRY);
        assert_eq!(
            post(&mut sp, true, &p, EXPIRY - 1),
            Err(GreekhouseError::NotExpired.into())
        );
        let early = update(100, 0, EXPIRY - 2, EXPIRY - 1);
        assert_eq!(
            post(&mut sp, true, &early, EXPIRY),
            Err(GreekhouseError::SettlementPriceBeforeExpiry.into())
        );
        let negative = update(0, 0, EXPIRY - 1, EXPIRY);
        assert_eq!(
            post(&mut sp, true, &negative, EXPIRY),
            Err(GreekhouseError::OracleNonPositivePrice.into())
        );
    }

    #[test]
    fn first_post_is_the_update_at_expiry() {
        let mut sp = fresh();
        // its previous update was published at expiry: a later update, not the first
        let later = update(100, 0, EXPIRY, EXPIRY + 5);
        assert_eq!(
            post(&mut sp, true, &later, EXPIRY + 10),
            Err(GreekhouseError::SettlementPriceNotFirstAfterExpiry.into())
        );
        let at = update(100, 0, EXPIRY - 1, EXPIRY + 1);
        assert_eq!(post(&mut sp, true, &at, EXPIRY + 10), Ok(true));
        assert!(sp.is_final());
        assert_eq!(sp.passed_over, 0);
        assert_eq!(sp.expiry, EXPIRY);
        assert_eq!(sp.bump, 254);
        assert_eq!(sp.posted_at, EXPIRY + 10);
        // final: nothing more is accepted
        let next = update(100, 0, EXPIRY + 1, EXPIRY + 2);
        assert_eq!(
            post(&mut sp, false, &next, EXPIRY + 20),
            Err(GreekhouseError::SettlementPriceAlreadyFinal.into())
        );
    }

    #[test]
    fn walks_update_by_update_past_wide_confidence() {
        let mut sp = fresh();
        // conf 2% > 1%: passed over
        let wide = update(10_000, 200, EXPIRY - 1, EXPIRY + 1);
        assert_eq!(post(&mut sp, true, &wide, EXPIRY + 1), Ok(false));
        assert!(!sp.is_final());
        assert_eq!(sp.passed_over, 1);
        // not the update right after the one passed over
        for p in [
            update(10_000, 0, EXPIRY, EXPIRY + 3),
            update(10_000, 0, EXPIRY + 2, EXPIRY + 3),
            update(10_000, 0, EXPIRY + 1, EXPIRY + 1),
        ] {
            assert_eq!(
                post(&mut sp, false, &p, EXPIRY + 5),
                Err(GreekhouseError::SettlementPriceNotNextUpdate.into())
            );
        }
        let wide_again = update(10_000, 101, EXPIRY + 1, EXPIRY + 2);
        assert_eq!(post(&mut sp, false, &wide_again, EXPIRY + 5), Ok(false));
        assert_eq!(sp.passed_over, 2);
        // conf exactly at the bound is within
        let within = update(10_000, 100, EXPIRY + 2, EXPIRY + 4);
        assert_eq!(post(&mut sp, false, &within, EXPIRY + 6), Ok(true));
        assert!(sp.is_final());
        assert_eq!(sp.passed_over, 2);
        assert_eq!(sp.price, 10_000);
        assert_eq!(sp.publish_time, EXPIRY + 4);
        assert_eq!(sp.prev_publish_time, EXPIRY + 2);
    }
}
