//! Pyth accounts written by the in-process bank: pull `PriceUpdateV2` and legacy push price
//! accounts, byte-for-byte as the real programs lay them out.

use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountSerialize;
use pyth_sdk_solana::state::{AccountType, PriceStatus, SolanaPriceAccount, MAGIC, VERSION_2};
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_account::Account;

/// One oracle observation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceObservation {
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
}

/// Rent-exempt-ish lamports for test accounts (the bank does not charge rent to these).
const LAMPORTS: u64 = 10_000_000;

/// A `PriceUpdateV2` account owned by the Pyth receiver program, whose previous update was
/// published one second before it.
pub fn price_update_v2(
    feed_id: [u8; 32],
    obs: PriceObservation,
    verification: VerificationLevel,
) -> Account {
    price_update_v2_after(
        feed_id,
        obs,
        obs.publish_time.saturating_sub(1),
        verification,
    )
}

/// A `PriceUpdateV2` account whose message carries `prev_publish_time` (the publish time of the
/// feed's previous update; settlement identifies the update at an expiry with it).
pub fn price_update_v2_after(
    feed_id: [u8; 32],
    obs: PriceObservation,
    prev_publish_time: i64,
    verification: VerificationLevel,
) -> Account {
    let update = PriceUpdateV2 {
        write_authority: Pubkey::new_unique(),
        verification_level: verification,
        price_message: PriceFeedMessage {
            feed_id,
            price: obs.price,
            conf: obs.conf,
            exponent: obs.expo,
            publish_time: obs.publish_time,
            prev_publish_time,
            ema_price: obs.price,
            ema_conf: obs.conf,
        },
        posted_slot: 0,
    };
    let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
    update
        .try_serialize(&mut data)
        .expect("PriceUpdateV2 serializes");
    data.resize(PriceUpdateV2::LEN, 0);
    Account {
        lamports: LAMPORTS,
        data,
        owner: pyth_solana_receiver_sdk::ID,
        executable: false,
        rent_epoch: 0,
    }
}

/// A legacy push price account owned by `oracle_program`, whose previous aggregate was
/// published one second before it.
pub fn legacy_price(oracle_program: Pubkey, obs: PriceObservation, status: PriceStatus) -> Account {
    legacy_price_after(
        oracle_program,
        obs,
        obs.publish_time.saturating_sub(1),
        status,
    )
}

/// A legacy push price account whose previous aggregate (`prev_timestamp`, same price and
/// confidence) was published at `prev_publish_time`.
pub fn legacy_price_after(
    oracle_program: Pubkey,
    obs: PriceObservation,
    prev_publish_time: i64,
    status: PriceStatus,
) -> Account {
    let mut acc: SolanaPriceAccount = bytemuck::Zeroable::zeroed();
    acc.magic = MAGIC;
    acc.ver = VERSION_2;
    acc.atype = AccountType::Price as u32;
    acc.size = core::mem::size_of::<SolanaPriceAccount>() as u32;
    acc.expo = obs.expo;
    acc.timestamp = obs.publish_time;
    acc.agg.price = obs.price;
    acc.agg.conf = obs.conf;
    acc.agg.status = status;
    acc.ema_price.val = obs.price;
    acc.ema_conf.val = obs.conf as i64;
    acc.prev_price = obs.price;
    acc.prev_conf = obs.conf;
    acc.prev_timestamp = prev_publish_time;
    Account {
        lamports: LAMPORTS,
        data: bytemuck::bytes_of(&acc).to_vec(),
        owner: oracle_program,
        executable: false,
        rent_epoch: 0,
    }
}

/// The publish time of a `PriceUpdateV2` or legacy price account's data (`None` when it is
/// neither): what a feed's next update carries as its previous publish time.
pub fn publish_time_of(data: &[u8]) -> Option<i64> {
    use anchor_lang::AccountDeserialize;
    let mut slice = data;
    if let Ok(update) = PriceUpdateV2::try_deserialize(&mut slice) {
        return Some(update.price_message.publish_time);
    }
    pyth_sdk_solana::state::load_price_account::<32, ()>(data)
        .ok()
        .map(|a| a.timestamp)
}
