//! Program-derived addresses, with the seeds of `greekhouse::constants`.

use anchor_lang::prelude::Pubkey;
use greekhouse::constants::*;

fn find(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &greekhouse::ID).0
}

pub fn clearinghouse(quote_mint: &Pubkey, creator: &Pubkey) -> Pubkey {
    find(&[CLEARINGHOUSE_SEED, quote_mint.as_ref(), creator.as_ref()])
}

pub fn quote_vault(clearinghouse: &Pubkey) -> Pubkey {
    find(&[QUOTE_VAULT_SEED, clearinghouse.as_ref()])
}

pub fn underlying(clearinghouse: &Pubkey, id: u16) -> Pubkey {
    find(&[UNDERLYING_SEED, clearinghouse.as_ref(), &id.to_le_bytes()])
}

pub fn underlying_ledger(underlying: &Pubkey) -> Pubkey {
    find(&[UNDERLYING_LEDGER_SEED, underlying.as_ref()])
}

pub fn insurance_fund(clearinghouse: &Pubkey) -> Pubkey {
    find(&[INSURANCE_FUND_SEED, clearinghouse.as_ref()])
}

pub fn insurance_vault(clearinghouse: &Pubkey) -> Pubkey {
    find(&[INSURANCE_VAULT_SEED, clearinghouse.as_ref()])
}

pub fn insurance_stake(insurance_fund: &Pubkey, owner: &Pubkey) -> Pubkey {
    find(&[
        INSURANCE_STAKE_SEED,
        insurance_fund.as_ref(),
        owner.as_ref(),
    ])
}

pub fn settlement_price(underlying: &Pubkey, expiry: i64) -> Pubkey {
    find(&[
        SETTLEMENT_PRICE_SEED,
        underlying.as_ref(),
        &expiry.to_le_bytes(),
    ])
}

pub fn collateral_asset(clearinghouse: &Pubkey, mint: &Pubkey) -> Pubkey {
    find(&[COLLATERAL_SEED, clearinghouse.as_ref(), mint.as_ref()])
}

pub fn collateral_vault(collateral_asset: &Pubkey) -> Pubkey {
    find(&[COLLATERAL_VAULT_SEED, collateral_asset.as_ref()])
}

pub fn writer_account(clearinghouse: &Pubkey, owner: &Pubkey, index: u32) -> Pubkey {
    find(&[
        WRITER_SEED,
        clearinghouse.as_ref(),
        owner.as_ref(),
        &index.to_le_bytes(),
    ])
}

pub fn series(underlying: &Pubkey, expiry: i64, strike: u64, kind: u8) -> Pubkey {
    find(&[
        SERIES_SEED,
        underlying.as_ref(),
        &expiry.to_le_bytes(),
        &strike.to_le_bytes(),
        &[kind],
    ])
}

pub fn option_mint(series: &Pubkey) -> Pubkey {
    find(&[OPTION_MINT_SEED, series.as_ref()])
}

/// Anchor's event-CPI authority.
pub fn event_authority() -> Pubkey {
    find(&[b"__event_authority"])
}

/// Associated token account of `owner` for `mint` under `token_program`.
pub fn associated_token(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[owner.as_ref(), token_program.as_ref(), mint.as_ref()],
        &anchor_spl::associated_token::ID,
    )
    .0
}

/// A governance change queued with `change_id` (the proposer's choice of a free id).
pub fn param_change(clearinghouse: &Pubkey, change_id: u64) -> Pubkey {
    find(&[
        PARAM_CHANGE_SEED,
        clearinghouse.as_ref(),
        &change_id.to_le_bytes(),
    ])
}
