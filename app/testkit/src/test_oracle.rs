//! A test-only oracle program for local validators and the embedded bank.
//!
//! Pyth's receiver program accepts only updates signed through Wormhole, which a local
//! validator cannot produce, so a local cluster prices its underlyings with legacy Pyth
//! push-format price accounts written by this program. Greekhouse accepts such an account when
//! an underlying is configured as a legacy oracle owned by [`ID`] (`OracleConfig.owner`): the
//! same parser, status, confidence, staleness and no-rollback checks run as for a real legacy
//! Pyth account. It is never deployed to a public cluster; the program id is the SHA-256 of
//! `greekhouse:test-oracle`, for which nobody holds a key.
//!
//! Instructions (first byte is the tag, integers little-endian):
//! - `CreateFeed` (0): `label [32] | expo i32`; accounts `payer (signer, w)`, `authority
//!   (signer)`, `feed (w)`, `system_program`. Creates the feed at
//!   [`feed_address`]`(authority, label)`, owned by this program, in the legacy layout.
//! - `Publish` (1): `label [32] | price i64 | conf u64 | publish_time i64`; accounts `authority
//!   (signer)`, `feed (w)`. `publish_time = 0` means the cluster's clock now. Only the authority
//!   the feed address was derived from can publish.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};

/// The test oracle's program id (no private key exists for it).
pub const ID: Pubkey =
    anchor_lang::prelude::pubkey!("9FABMmLyugcDwFa1s5WUrahRP1rSeaVaG1Yk4bzCidoG");

const TAG_CREATE_FEED: u8 = 0;
const TAG_PUBLISH: u8 = 1;
const FEED_SEED: &[u8] = b"feed";

/// A feed label: the name, zero-padded to 32 bytes.
pub fn label(name: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    let bytes = name.as_bytes();
    let n = bytes.len().min(32);
    out[..n].copy_from_slice(&bytes[..n]);
    out
}

/// The feed account of `authority` named `label`.
pub fn feed_address(authority: &Pubkey, label: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(&[FEED_SEED, authority.as_ref(), label], &ID).0
}

/// Create `authority`'s feed named `label`, with prices in units of `10^expo`.
pub fn create_feed(payer: Pubkey, authority: Pubkey, label: [u8; 32], expo: i32) -> Instruction {
    let mut data = vec![TAG_CREATE_FEED];
    data.extend_from_slice(&label);
    data.extend_from_slice(&expo.to_le_bytes());
    Instruction {
        program_id: ID,
        accounts: vec![
            AccountMeta::new(payer, true),
            AccountMeta::new_readonly(authority, true),
            AccountMeta::new(feed_address(&authority, &label), false),
            AccountMeta::new_readonly(anchor_lang::system_program::ID, false),
        ],
        data,
    }
}

/// Publish `price ± conf` (units of the feed's `10^expo`) at `publish_time` (0 = now).
pub fn publish(
    authority: Pubkey,
    label: [u8; 32],
    price: i64,
    conf: u64,
    publish_time: i64,
) -> Instruction {
    let mut data = vec![TAG_PUBLISH];
    data.extend_from_slice(&label);
    data.extend_from_slice(&price.to_le_bytes());
    data.extend_from_slice(&conf.to_le_bytes());
    data.extend_from_slice(&publish_time.to_le_bytes());
    Instruction {
        program_id: ID,
        accounts: vec![
            AccountMeta::new_readonly(authority, true),
            AccountMeta::new(feed_address(&authority, &label), false),
        ],
        data,
    }
}

pub use processor::process_instruction;

mod processor {
    use super::*;
    use anchor_lang::prelude::SolanaSysvar;
    use anchor_lang::prelude::{AccountInfo, Clock, ProgramError, Rent};
    use anchor_lang::solana_program::entrypoint::ProgramResult;
    use anchor_lang::solana_program::program::invoke_signed;
    use pyth_sdk_solana::state::{AccountType, PriceStatus, SolanaPriceAccount, MAGIC, VERSION_2};

    const FEED_LEN: usize = core::mem::size_of::<SolanaPriceAccount>();

    fn read<const N: usize>(data: &[u8], at: usize) -> Result<[u8; N], ProgramError> {
        data.get(at..at + N)
            .and_then(|s| s.try_into().ok())
            .ok_or(ProgramError::InvalidInstructionData)
    }

    /// The oracle's entrypoint (registered natively on the bank and the local validator).
    pub fn process_instruction(
        program_id: &Pubkey,
        accounts: &[AccountInfo],
        data: &[u8],
    ) -> ProgramResult {
        let (&tag, rest) = data
            .split_first()
            .ok_or(ProgramError::InvalidInstructionData)?;
        let label: [u8; 32] = read(rest, 0)?;
        match tag {
            TAG_CREATE_FEED => {
                let expo = i32::from_le_bytes(read(rest, 32)?);
                let [payer, authority, feed, system] = accounts else {
                    return Err(ProgramError::NotEnoughAccountKeys);
                };
                let bump = check_feed(program_id, authority, feed, &label)?;
                let lamports = Rent::get()?.minimum_balance(FEED_LEN);
                let create = anchor_lang::solana_program::system_instruction::create_account(
                    payer.key,
                    feed.key,
                    lamports,
                    FEED_LEN as u64,
                    program_id,
                );
                invoke_signed(
                    &create,
                    &[payer.clone(), feed.clone(), system.clone()],
                    &[&[FEED_SEED, authority.key.as_ref(), &label, &[bump]]],
                )?;
                let mut account: SolanaPriceAccount = bytemuck::Zeroable::zeroed();
                account.magic = MAGIC;
                account.ver = VERSION_2;
                account.atype = AccountType::Price as u32;
                account.size = FEED_LEN as u32;
                account.expo = expo;
                // no price yet: a reader sees an unknown status and refuses it
                account.agg.status = PriceStatus::Unknown;
                feed.try_borrow_mut_data()?
                    .copy_from_slice(bytemuck::bytes_of(&account));
                Ok(())
            }
            TAG_PUBLISH => {
                let price = i64::from_le_bytes(read(rest, 32)?);
                let conf = u64::from_le_bytes(read(rest, 40)?);
                let mut publish_time = i64::from_le_bytes(read(rest, 48)?);
                let [authority, feed] = accounts else {
                    return Err(ProgramError::NotEnoughAccountKeys);
                };
                check_feed(program_id, authority, feed, &label)?;
                if feed.owner != program_id {
                    return Err(ProgramError::IllegalOwner);
                }
                let clock = Clock::get()?;
                if publish_time == 0 {
                    publish_time = clock.unix_timestamp;
                }
                let mut data = feed.try_borrow_mut_data()?;
                let account: &mut SolanaPriceAccount = bytemuck::try_from_bytes_mut(&mut data[..])
                    .map_err(|_| ProgramError::InvalidAccountData)?;
                // the previous aggregate moves to prev_*, as Pyth's own publisher does
                account.prev_price = account.agg.price;
                account.prev_conf = account.agg.conf;
                account.prev_timestamp = account.timestamp;
                account.prev_slot = account.agg.pub_slot;
                account.timestamp = publish_time;
                account.agg.price = price;
                account.agg.conf = conf;
                account.agg.status = PriceStatus::Trading;
                account.agg.pub_slot = clock.slot;
                account.valid_slot = clock.slot;
                account.ema_price.val = price;
                account.ema_conf.val = conf as i64;
                Ok(())
            }
            _ => Err(ProgramError::InvalidInstructionData),
        }
    }

    /// The authority signed and `feed` is its feed named `label`; returns the address's bump.
    fn check_feed(
        program_id: &Pubkey,
        authority: &AccountInfo,
        feed: &AccountInfo,
        label: &[u8; 32],
    ) -> Result<u8, ProgramError> {
        if !authority.is_signer {
            return Err(ProgramError::MissingRequiredSignature);
        }
        let (expected, bump) =
            Pubkey::find_program_address(&[FEED_SEED, authority.key.as_ref(), label], program_id);
        if expected != *feed.key {
            return Err(ProgramError::InvalidSeeds);
        }
        Ok(bump)
    }
}
