//! Reading a Pyth account's bytes into the program's `OraclePrice`.
//!
//! The one step of the margin path the rulebook does not compile: the program's
//! `oracle::parse_oracle_account` sits behind its `anchor` feature because it reads the bytes
//! through Pyth's std crates (`pyth-sdk-solana`'s `load_price_account`,
//! `pyth-solana-receiver-sdk`'s `PriceUpdateV2`), which do not build for wasm32 without a
//! wasm-bindgen runtime. This module makes the same decisions on the same bytes, in the same
//! order, with the program's error for each: owner, then the account (legacy) or the feed id
//! (pull), then the format (legacy: size, magic, version, account type, trading status; pull:
//! discriminator, borsh layout, full verification). Every check after parsing (age, confidence,
//! rollback, usability for a liquidation) is the rulebook's own `check_price` /
//! `usable_for_margin`. `tests/fixtures` compares whole margins built on both feed kinds with
//! the Rust SDK's, and the unit tests below pin each refusal.

use greekhouse_rulebook::errors::GreekhouseError;
use greekhouse_rulebook::oracle::OraclePrice;
use greekhouse_rulebook::prelude::Pubkey;
use greekhouse_rulebook::state::{OracleKind, Underlying};

/// `size_of::<pyth_sdk_solana::state::SolanaPriceAccount>()`: 240 bytes of header and aggregate,
/// then 32 publisher components of 96 bytes. Pyth's loader refuses shorter data.
pub const LEGACY_PRICE_ACCOUNT_LEN: usize = 240 + 32 * 96;
const LEGACY_MAGIC: u32 = 0xa1b2_c3d4;
const LEGACY_VERSION_2: u32 = 2;
/// `AccountType::Price`.
const LEGACY_ACCOUNT_TYPE_PRICE: u32 = 3;
/// `PriceStatus::Trading` (a `repr(u8)` enum in the aggregate's `PriceInfo`).
const LEGACY_STATUS_TRADING: u8 = 1;
// Offsets in the legacy `GenericPriceAccount` (repr(C)).
const LEGACY_EXPO: usize = 20;
const LEGACY_TIMESTAMP: usize = 96;
const LEGACY_PREV_TIMESTAMP: usize = 200;
const LEGACY_AGG_PRICE: usize = 208;
const LEGACY_AGG_CONF: usize = 216;
const LEGACY_AGG_STATUS: usize = 224;

/// Anchor's discriminator of `PriceUpdateV2`: `sha256("account:PriceUpdateV2")[..8]`.
pub const PRICE_UPDATE_V2_DISCRIMINATOR: [u8; 8] = [34, 241, 35, 99, 157, 126, 244, 205];

fn le<const N: usize>(data: &[u8], at: usize) -> Result<[u8; N], GreekhouseError> {
    data.get(at..at + N)
        .and_then(|s| s.try_into().ok())
        .ok_or(GreekhouseError::OracleInvalidData)
}
fn i64_at(data: &[u8], at: usize) -> Result<i64, GreekhouseError> {
    Ok(i64::from_le_bytes(le(data, at)?))
}
fn u64_at(data: &[u8], at: usize) -> Result<u64, GreekhouseError> {
    Ok(u64::from_le_bytes(le(data, at)?))
}
fn i32_at(data: &[u8], at: usize) -> Result<i32, GreekhouseError> {
    Ok(i32::from_le_bytes(le(data, at)?))
}
fn u32_at(data: &[u8], at: usize) -> Result<u32, GreekhouseError> {
    Ok(u32::from_le_bytes(le(data, at)?))
}

/// The program's `parse_oracle_account` on fetched bytes.
pub fn parse_oracle_account(
    underlying: &Underlying,
    key: &Pubkey,
    owner: &Pubkey,
    data: &[u8],
) -> Result<OraclePrice, GreekhouseError> {
    if *owner != underlying.oracle.oracle_program {
        return Err(GreekhouseError::OracleWrongOwner);
    }
    match underlying.oracle_kind()? {
        OracleKind::PullV2 => parse_pull_v2(data, &underlying.oracle.feed),
        OracleKind::Legacy => {
            if key.to_bytes() != underlying.oracle.feed {
                return Err(GreekhouseError::OracleWrongAccount);
            }
            parse_legacy(data)
        }
    }
}

fn parse_legacy(data: &[u8]) -> Result<OraclePrice, GreekhouseError> {
    if data.len() < LEGACY_PRICE_ACCOUNT_LEN
        || u32_at(data, 0)? != LEGACY_MAGIC
        || u32_at(data, 4)? != LEGACY_VERSION_2
        || u32_at(data, 8)? != LEGACY_ACCOUNT_TYPE_PRICE
    {
        return Err(GreekhouseError::OracleInvalidData);
    }
    if data[LEGACY_AGG_STATUS] != LEGACY_STATUS_TRADING {
        return Err(GreekhouseError::OracleNotTrading);
    }
    Ok(OraclePrice {
        price: i64_at(data, LEGACY_AGG_PRICE)?,
        conf: u64_at(data, LEGACY_AGG_CONF)?,
        expo: i32_at(data, LEGACY_EXPO)?,
        publish_time: i64_at(data, LEGACY_TIMESTAMP)?,
        prev_publish_time: i64_at(data, LEGACY_PREV_TIMESTAMP)?,
    })
}

/// `PriceUpdateV2` in borsh: discriminator, write authority (32), verification level (enum tag,
/// `Partial` carries one u8), then the `PriceFeedMessage` and the posted slot. Anchor's
/// `try_deserialize` needs every byte of it; trailing bytes are allowed.
fn parse_pull_v2(data: &[u8], feed_id: &[u8; 32]) -> Result<OraclePrice, GreekhouseError> {
    if data.get(..8) != Some(&PRICE_UPDATE_V2_DISCRIMINATOR[..]) {
        return Err(GreekhouseError::OracleInvalidData);
    }
    let level_at = 8 + 32;
    let (full, message_at) = match data.get(level_at) {
        Some(0) => (false, level_at + 2),
        Some(1) => (true, level_at + 1),
        _ => return Err(GreekhouseError::OracleInvalidData),
    };
    // feed id 32, price 8, conf 8, exponent 4, publish 8, prev publish 8, ema price 8,
    // ema conf 8, then the posted slot 8
    let end = message_at + 32 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 8;
    if data.len() < end {
        return Err(GreekhouseError::OracleInvalidData);
    }
    let message_feed: [u8; 32] = le(data, message_at)?;
    if message_feed != *feed_id {
        return Err(GreekhouseError::OracleWrongFeedId);
    }
    if !full {
        return Err(GreekhouseError::OraclePartialVerification);
    }
    let at = message_at + 32;
    Ok(OraclePrice {
        price: i64_at(data, at)?,
        conf: u64_at(data, at + 8)?,
        expo: i32_at(data, at + 16)?,
        publish_time: i64_at(data, at + 20)?,
        prev_publish_time: i64_at(data, at + 28)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn underlying(kind: OracleKind, program: Pubkey, feed: [u8; 32]) -> Underlying {
        let mut u: Underlying = bytemuck::Zeroable::zeroed();
        u.oracle.kind = kind as u8;
        u.oracle.oracle_program = program;
        u.oracle.feed = feed;
        u
    }

    fn legacy_bytes(status: u8) -> Vec<u8> {
        let mut d = vec![0u8; LEGACY_PRICE_ACCOUNT_LEN];
        d[0..4].copy_from_slice(&LEGACY_MAGIC.to_le_bytes());
        d[4..8].copy_from_slice(&LEGACY_VERSION_2.to_le_bytes());
        d[8..12].copy_from_slice(&LEGACY_ACCOUNT_TYPE_PRICE.to_le_bytes());
        d[LEGACY_EXPO..LEGACY_EXPO + 4].copy_from_slice(&(-8i32).to_le_bytes());
        d[LEGACY_TIMESTAMP..LEGACY_TIMESTAMP + 8].copy_from_slice(&1_000i64.to_le_bytes());
        d[LEGACY_PREV_TIMESTAMP..LEGACY_PREV_TIMESTAMP + 8].copy_from_slice(&990i64.to_le_bytes());
        d[LEGACY_AGG_PRICE..LEGACY_AGG_PRICE + 8].copy_from_slice(&15_000_000_000i64.to_le_bytes());
        d[LEGACY_AGG_CONF..LEGACY_AGG_CONF + 8].copy_from_slice(&1_000_000u64.to_le_bytes());
        d[LEGACY_AGG_STATUS] = status;
        d
    }

    #[test]
    fn a_legacy_account_in_trading_reads_its_aggregate() {
        let (program, key) = (
            Pubkey::new_from_array([7; 32]),
            Pubkey::new_from_array([9; 32]),
        );
        let u = underlying(OracleKind::Legacy, program, key.to_bytes());
        let p = parse_oracle_account(&u, &key, &program, &legacy_bytes(1)).unwrap();
        assert_eq!(
            (p.price, p.conf, p.expo, p.publish_time, p.prev_publish_time),
            (15_000_000_000, 1_000_000, -8, 1_000, 990)
        );
        let refused =
            |k: &Pubkey, o: &Pubkey, d: &[u8]| parse_oracle_account(&u, k, o, d).unwrap_err();
        assert_eq!(
            refused(&key, &key, &legacy_bytes(1)),
            GreekhouseError::OracleWrongOwner
        );
        assert_eq!(
            refused(&program, &program, &legacy_bytes(1)),
            GreekhouseError::OracleWrongAccount
        );
        assert_eq!(
            refused(&key, &program, &legacy_bytes(2)),
            GreekhouseError::OracleNotTrading
        );
        assert_eq!(
            refused(&key, &program, &legacy_bytes(1)[..3000]),
            GreekhouseError::OracleInvalidData
        );
    }

    fn pull_bytes(level: &[u8], feed: [u8; 32]) -> Vec<u8> {
        let mut d = PRICE_UPDATE_V2_DISCRIMINATOR.to_vec();
        d.extend_from_slice(&[5; 32]);
        d.extend_from_slice(level);
        d.extend_from_slice(&feed);
        d.extend_from_slice(&15_000_000_000i64.to_le_bytes());
        d.extend_from_slice(&2_000_000u64.to_le_bytes());
        d.extend_from_slice(&(-8i32).to_le_bytes());
        d.extend_from_slice(&1_000i64.to_le_bytes());
        d.extend_from_slice(&999i64.to_le_bytes());
        d.extend_from_slice(&[0; 24]);
        d
    }

    #[test]
    fn a_pull_update_needs_full_verification_and_the_feed_id() {
        let program = Pubkey::new_from_array([7; 32]);
        let u = underlying(OracleKind::PullV2, program, [3; 32]);
        let any = Pubkey::new_from_array([1; 32]);
        let p = parse_oracle_account(&u, &any, &program, &pull_bytes(&[1], [3; 32])).unwrap();
        assert_eq!(
            (p.price, p.conf, p.expo, p.publish_time, p.prev_publish_time),
            (15_000_000_000, 2_000_000, -8, 1_000, 999)
        );
        let refused = |d: &[u8]| parse_oracle_account(&u, &any, &program, d).unwrap_err();
        assert_eq!(
            refused(&pull_bytes(&[0, 13], [3; 32])),
            GreekhouseError::OraclePartialVerification
        );
        assert_eq!(
            refused(&pull_bytes(&[1], [4; 32])),
            GreekhouseError::OracleWrongFeedId
        );
        assert_eq!(
            refused(&pull_bytes(&[1], [3; 32])[..100]),
            GreekhouseError::OracleInvalidData
        );
    }
}
