//! The bytes of Pyth's two price accounts, read without Pyth's crates.
//!
//! The program, the Rust SDK (through the program crate) and the WebAssembly engine (through
//! `greekhouse-rulebook`) all parse oracle accounts here, so there is one parser: Pyth's std
//! crates (`pyth-sdk-solana`, `pyth-solana-receiver-sdk`) do not build for `no_std` or wasm32.
//! Each function makes the decisions those crates' loaders make, in the same order and with the
//! program's error for each; `tests/tests/integration/oracle` feeds it accounts written by
//! Pyth's own crates (`app/testkit/src/pyth.rs`), and the unit tests below pin each refusal.

use crate::errors::GreekhouseError;
use crate::oracle::OraclePrice;
use crate::prelude::*;

/// `size_of::<pyth_sdk_solana::state::SolanaPriceAccount>()`: 240 bytes of header and aggregate,
/// then 32 publisher components of 96 bytes. Pyth's loader refuses shorter data and ignores
/// what follows.
pub const LEGACY_PRICE_ACCOUNT_LEN: usize = 240 + 32 * 96;
/// `pyth_sdk_solana::state::MAGIC`.
pub const LEGACY_MAGIC: u32 = 0xa1b2_c3d4;
/// `pyth_sdk_solana::state::VERSION_2`.
pub const LEGACY_VERSION_2: u32 = 2;
/// `AccountType::Price`.
pub const LEGACY_ACCOUNT_TYPE_PRICE: u32 = 3;
/// `PriceStatus::Trading` (a `repr(u8)` enum in the aggregate's `PriceInfo`).
pub const LEGACY_STATUS_TRADING: u8 = 1;
// Offsets of the fields read in the legacy `GenericPriceAccount` (repr(C), little-endian).
const LEGACY_VERSION: usize = 4;
const LEGACY_ACCOUNT_TYPE: usize = 8;
pub const LEGACY_EXPO: usize = 20;
pub const LEGACY_TIMESTAMP: usize = 96;
pub const LEGACY_PREV_TIMESTAMP: usize = 200;
pub const LEGACY_AGG_PRICE: usize = 208;
pub const LEGACY_AGG_CONF: usize = 216;
pub const LEGACY_AGG_STATUS: usize = 224;

/// Anchor's discriminator of `PriceUpdateV2`: `sha256("account:PriceUpdateV2")[..8]`.
pub const PRICE_UPDATE_V2_DISCRIMINATOR: [u8; 8] = [34, 241, 35, 99, 157, 126, 244, 205];
/// Borsh tags of `VerificationLevel`: `Partial { num_signatures: u8 }`, then `Full`.
const VERIFICATION_PARTIAL: u8 = 0;
const VERIFICATION_FULL: u8 = 1;
/// A `PriceFeedMessage` (feed id 32, price 8, conf 8, exponent 4, publish time 8, previous
/// publish time 8, EMA price 8, EMA conf 8) and the posted slot (8) after it.
const PRICE_MESSAGE_AND_SLOT_LEN: usize = 32 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 8;

fn array_at<const N: usize>(data: &[u8], at: usize) -> Result<[u8; N]> {
    data.get(at..at.saturating_add(N))
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| error!(GreekhouseError::OracleInvalidData))
}
fn i64_at(data: &[u8], at: usize) -> Result<i64> {
    Ok(i64::from_le_bytes(array_at(data, at)?))
}
fn u64_at(data: &[u8], at: usize) -> Result<u64> {
    Ok(u64::from_le_bytes(array_at(data, at)?))
}
fn i32_at(data: &[u8], at: usize) -> Result<i32> {
    Ok(i32::from_le_bytes(array_at(data, at)?))
}
fn u32_at(data: &[u8], at: usize) -> Result<u32> {
    Ok(u32::from_le_bytes(array_at(data, at)?))
}

/// A legacy push price account (`load_price_account::<32, ()>`): size, magic, version and
/// account type, then the aggregate in trading status.
pub fn parse_legacy(data: &[u8]) -> Result<OraclePrice> {
    require!(
        data.len() >= LEGACY_PRICE_ACCOUNT_LEN
            && u32_at(data, 0)? == LEGACY_MAGIC
            && u32_at(data, LEGACY_VERSION)? == LEGACY_VERSION_2
            && u32_at(data, LEGACY_ACCOUNT_TYPE)? == LEGACY_ACCOUNT_TYPE_PRICE,
        GreekhouseError::OracleInvalidData
    );
    require!(
        data[LEGACY_AGG_STATUS] == LEGACY_STATUS_TRADING,
        GreekhouseError::OracleNotTrading
    );
    Ok(OraclePrice {
        price: i64_at(data, LEGACY_AGG_PRICE)?,
        conf: u64_at(data, LEGACY_AGG_CONF)?,
        expo: i32_at(data, LEGACY_EXPO)?,
        publish_time: i64_at(data, LEGACY_TIMESTAMP)?,
        prev_publish_time: i64_at(data, LEGACY_PREV_TIMESTAMP)?,
    })
}

/// A pull `PriceUpdateV2` (Anchor's `try_deserialize`: the discriminator, then borsh, every field
/// present, trailing bytes allowed): discriminator, write authority (32), verification level,
/// the price message and the posted slot; then the configured feed id, then full verification.
pub fn parse_pull_v2(data: &[u8], feed_id: &[u8; 32]) -> Result<OraclePrice> {
    require!(
        data.get(..8) == Some(&PRICE_UPDATE_V2_DISCRIMINATOR[..]),
        GreekhouseError::OracleInvalidData
    );
    let level_at = 8 + 32;
    let (full, message_at) = match data.get(level_at) {
        Some(&VERIFICATION_PARTIAL) => (false, level_at + 2),
        Some(&VERIFICATION_FULL) => (true, level_at + 1),
        _ => return err!(GreekhouseError::OracleInvalidData),
    };
    require!(
        data.len() >= message_at + PRICE_MESSAGE_AND_SLOT_LEN,
        GreekhouseError::OracleInvalidData
    );
    let message_feed: [u8; 32] = array_at(data, message_at)?;
    require!(message_feed == *feed_id, GreekhouseError::OracleWrongFeedId);
    require!(full, GreekhouseError::OraclePartialVerification);
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
    use crate::oracle::parse_oracle_account;
    use crate::state::{OracleKind, Underlying};
    use bytemuck::Zeroable;

    fn underlying(kind: OracleKind, program: Pubkey, feed: [u8; 32]) -> Underlying {
        let mut u = Underlying::zeroed();
        u.oracle.kind = kind as u8;
        u.oracle.oracle_program = program;
        u.oracle.feed = feed;
        u
    }

    fn put(d: &mut [u8], at: usize, bytes: &[u8]) {
        d[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn legacy_bytes(status: u8) -> Vec<u8> {
        let mut d = vec![0u8; LEGACY_PRICE_ACCOUNT_LEN];
        put(&mut d, 0, &LEGACY_MAGIC.to_le_bytes());
        put(&mut d, LEGACY_VERSION, &LEGACY_VERSION_2.to_le_bytes());
        put(
            &mut d,
            LEGACY_ACCOUNT_TYPE,
            &LEGACY_ACCOUNT_TYPE_PRICE.to_le_bytes(),
        );
        put(&mut d, LEGACY_EXPO, &(-8i32).to_le_bytes());
        put(&mut d, LEGACY_TIMESTAMP, &1_000i64.to_le_bytes());
        put(&mut d, LEGACY_PREV_TIMESTAMP, &990i64.to_le_bytes());
        put(&mut d, LEGACY_AGG_PRICE, &15_000_000_000i64.to_le_bytes());
        put(&mut d, LEGACY_AGG_CONF, &1_000_000u64.to_le_bytes());
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
        // longer data is read as Pyth's loader reads it: the struct's bytes, the rest ignored
        let mut longer = legacy_bytes(1);
        longer.extend_from_slice(&[0xAB; 16]);
        assert_eq!(parse_oracle_account(&u, &key, &program, &longer), Ok(p));
    }

    #[test]
    fn a_legacy_account_is_refused_for_each_cause() {
        let (program, key) = (
            Pubkey::new_from_array([7; 32]),
            Pubkey::new_from_array([9; 32]),
        );
        let u = underlying(OracleKind::Legacy, program, key.to_bytes());
        let refused =
            |k: &Pubkey, o: &Pubkey, d: &[u8]| parse_oracle_account(&u, k, o, d).unwrap_err();
        let with = |at: usize, bytes: &[u8]| {
            let mut d = legacy_bytes(1);
            put(&mut d, at, bytes);
            d
        };
        let invalid: Error = GreekhouseError::OracleInvalidData.into();
        assert_eq!(
            refused(&key, &key, &legacy_bytes(1)),
            GreekhouseError::OracleWrongOwner.into()
        );
        assert_eq!(
            refused(&program, &program, &legacy_bytes(1)),
            GreekhouseError::OracleWrongAccount.into()
        );
        assert_eq!(
            refused(&key, &program, &legacy_bytes(2)),
            GreekhouseError::OracleNotTrading.into()
        );
        let short = &legacy_bytes(1)[..LEGACY_PRICE_ACCOUNT_LEN - 1];
        assert_eq!(refused(&key, &program, short), invalid);
        assert_eq!(refused(&key, &program, &with(0, &[1, 2, 3, 4])), invalid);
        assert_eq!(
            refused(&key, &program, &with(LEGACY_VERSION, &1u32.to_le_bytes())),
            invalid
        );
        assert_eq!(
            refused(
                &key,
                &program,
                &with(LEGACY_ACCOUNT_TYPE, &2u32.to_le_bytes())
            ),
            invalid
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
        // EMA price, EMA conf, posted slot
        d.extend_from_slice(&[0; 24]);
        d
    }

    #[test]
    fn a_pull_update_needs_full_verification_and_the_feed_id() {
        let program = Pubkey::new_from_array([7; 32]);
        let u = underlying(OracleKind::PullV2, program, [3; 32]);
        let any = Pubkey::new_from_array([1; 32]);
        let full = pull_bytes(&[VERIFICATION_FULL], [3; 32]);
        let p = parse_oracle_account(&u, &any, &program, &full).unwrap();
        assert_eq!(
            (p.price, p.conf, p.expo, p.publish_time, p.prev_publish_time),
            (15_000_000_000, 2_000_000, -8, 1_000, 999)
        );
        let refused = |d: &[u8]| parse_oracle_account(&u, &any, &program, d).unwrap_err();
        let invalid: Error = GreekhouseError::OracleInvalidData.into();
        assert_eq!(
            parse_oracle_account(&u, &any, &any, &full).unwrap_err(),
            GreekhouseError::OracleWrongOwner.into()
        );
        assert_eq!(
            refused(&pull_bytes(&[VERIFICATION_PARTIAL, 13], [3; 32])),
            GreekhouseError::OraclePartialVerification.into()
        );
        assert_eq!(
            refused(&pull_bytes(&[VERIFICATION_FULL], [4; 32])),
            GreekhouseError::OracleWrongFeedId.into()
        );
        // every field must be there (the posted slot too); a wrong feed id in a short account
        // is garbage first
        assert_eq!(refused(&full[..full.len() - 1]), invalid);
        assert_eq!(
            refused(&pull_bytes(&[VERIFICATION_FULL], [4; 32])[..100]),
            invalid
        );
        assert_eq!(refused(&pull_bytes(&[2], [3; 32])), invalid);
        let mut wrong_discriminator = full.clone();
        wrong_discriminator[0] ^= 1;
        assert_eq!(refused(&wrong_discriminator), invalid);
        assert_eq!(refused(&[]), invalid);
    }
}
