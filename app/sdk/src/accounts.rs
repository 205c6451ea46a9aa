//! Decoding of the program's zero-copy accounts from raw account data.

use anchor_lang::{Discriminator, ZeroCopy};
use greekhouse::state::{
    Clearinghouse, CollateralAsset, InsuranceFund, OptionSeries, Underlying, UnderlyingLedger,
    WriterAccount,
};

/// Why account data did not decode.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("account data too short")]
    TooShort,
    #[error("account discriminator does not match")]
    WrongDiscriminator,
}

/// Decode a zero-copy account (discriminator checked; data copied out, so alignment is moot).
pub fn decode<T: ZeroCopy + Discriminator + bytemuck::Pod>(data: &[u8]) -> Result<T, DecodeError> {
    let disc = T::DISCRIMINATOR;
    let size = core::mem::size_of::<T>();
    if data.len() < disc.len() + size {
        return Err(DecodeError::TooShort);
    }
    if &data[..disc.len()] != disc {
        return Err(DecodeError::WrongDiscriminator);
    }
    Ok(bytemuck::pod_read_unaligned(
        &data[disc.len()..disc.len() + size],
    ))
}

pub fn clearinghouse(data: &[u8]) -> Result<Clearinghouse, DecodeError> {
    decode(data)
}
pub fn underlying(data: &[u8]) -> Result<Underlying, DecodeError> {
    decode(data)
}
pub fn collateral_asset(data: &[u8]) -> Result<CollateralAsset, DecodeError> {
    decode(data)
}
pub fn writer_account(data: &[u8]) -> Result<WriterAccount, DecodeError> {
    decode(data)
}
pub fn option_series(data: &[u8]) -> Result<OptionSeries, DecodeError> {
    decode(data)
}
pub fn underlying_ledger(data: &[u8]) -> Result<UnderlyingLedger, DecodeError> {
    decode(data)
}
pub fn insurance_fund(data: &[u8]) -> Result<InsuranceFund, DecodeError> {
    decode(data)
}

/// Discovery filters: the accounts of one clearing house, by the offset of their
/// `clearinghouse` field (after the 8-byte discriminator), for
/// [`crate::chain::Chain::program_accounts_where`] (`getProgramAccounts` memcmp on a node).
pub mod of_clearinghouse {
    use super::*;
    use crate::chain::FieldFilter;
    use anchor_lang::prelude::Pubkey;
    use core::mem::offset_of;

    const DISCRIMINATOR_LEN: usize = 8;

    pub fn writer_accounts(clearinghouse: &Pubkey) -> FieldFilter {
        let at = DISCRIMINATOR_LEN + offset_of!(WriterAccount, clearinghouse);
        FieldFilter::pubkey_at(at, clearinghouse)
    }

    pub fn series(clearinghouse: &Pubkey) -> FieldFilter {
        let at = DISCRIMINATOR_LEN + offset_of!(OptionSeries, clearinghouse);
        FieldFilter::pubkey_at(at, clearinghouse)
    }

    pub fn underlyings(clearinghouse: &Pubkey) -> FieldFilter {
        let at = DISCRIMINATOR_LEN + offset_of!(Underlying, clearinghouse);
        FieldFilter::pubkey_at(at, clearinghouse)
    }
}
