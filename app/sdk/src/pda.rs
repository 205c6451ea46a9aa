//! Program-derived addresses, with the seeds of `greekhouse::constants`.

use anchor_lang::prelude::Pubkey;
use greekhouse::constants::*;

/// The addresses of one deployment of the program: `At(program_id)`. The free functions below
/// are the compiled program id's (`greekhouse::ID`); a clearing house deployed under another id
/// (`greekhouse deploy --program-id`) derives its addresses through `At(id)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At(pub Pubkey);

impl At {
    /// The program id this crate was compiled with.
    pub const COMPILED: At = At(greekhouse::ID);

    fn find(&self, seeds: &[&[u8]]) -> Pubkey {
        Pubkey::find_program_address(seeds, &self.0).0
    }

    pub fn clearinghouse(&self, quote_mint: &Pubkey, creator: &Pubkey) -> Pubkey {
        self.find(&[CLEARINGHOUSE_SEED, quote_mint.as_ref(), creator.as_ref()])
    }

    pub fn quote_vault(&self, clearinghouse: &Pubkey) -> Pubkey {
        self.find(&[QUOTE_VAULT_SEED, clearinghouse.as_ref()])
    }

    pub fn underlying(&self, clearinghouse: &Pubkey, id: u16) -> Pubkey {
        self.find(&[UNDERLYING_SEED, clearinghouse.as_ref(), &id.to_le_bytes()])
    }

    pub fn underlying_ledger(&self, underlying: &Pubkey) -> Pubkey {
        self.find(&[UNDERLYING_LEDGER_SEED, underlying.as_ref()])
    }

    pub fn insurance_fund(&self, clearinghouse: &Pubkey) -> Pubkey {
        self.find(&[INSURANCE_FUND_SEED, clearinghouse.as_ref()])
    }

    pub fn insurance_vault(&self, clearinghouse: &Pubkey) -> Pubkey {
        self.find(&[INSURANCE_VAULT_SEED, clearinghouse.as_ref()])
    }

    pub fn insurance_stake(&self, insurance_fund: &Pubkey, owner: &Pubkey) -> Pubkey {
        self.find(&[
            INSURANCE_STAKE_SEED,
            insurance_fund.as_ref(),
            owner.as_ref(),
        ])
    }

    pub fn settlement_price(&self, underlying: &Pubkey, expiry: i64) -> Pubkey {
        self.find(&[
            SETTLEMENT_PRICE_SEED,
            underlying.as_ref(),
            &expiry.to_le_bytes(),
        ])
    }

    pub fn collateral_asset(&self, clearinghouse: &Pubkey, mint: &Pubkey) -> Pubkey {
        self.find(&[COLLATERAL_SEED, clearinghouse.as_ref(), mint.as_ref()])
    }

    pub fn collateral_vault(&self, collateral_asset: &Pubkey) -> Pubkey {
        self.find(&[COLLATERAL_VAULT_SEED, collateral_asset.as_ref()])
    }

    pub fn writer_account(&self, clearinghouse: &Pubkey, owner: &Pubkey, index: u32) -> Pubkey {
        self.find(&[
            WRITER_SEED,
            clearinghouse.as_ref(),
            owner.as_ref(),
            &index.to_le_bytes(),
        ])
    }

    pub fn series(&self, underlying: &Pubkey, expiry: i64, strike: u64, kind: u8) -> Pubkey {
        self.find(&[
            SERIES_SEED,
            underlying.as_ref(),
            &expiry.to_le_bytes(),
            &strike.to_le_bytes(),
            &[kind],
        ])
    }

    pub fn option_mint(&self, series: &Pubkey) -> Pubkey {
        self.find(&[OPTION_MINT_SEED, series.as_ref()])
    }

    /// Anchor's event-CPI authority.
    pub fn event_authority(&self) -> Pubkey {
        self.find(&[b"__event_authority"])
    }

    /// A governance change queued with `change_id` (the proposer's choice of a free id).
    pub fn param_change(&self, clearinghouse: &Pubkey, change_id: u64) -> Pubkey {
        self.find(&[
            PARAM_CHANGE_SEED,
            clearinghouse.as_ref(),
            &change_id.to_le_bytes(),
        ])
    }
}

pub fn clearinghouse(quote_mint: &Pubkey, creator: &Pubkey) -> Pubkey {
    At::COMPILED.clearinghouse(quote_mint, creator)
}

pub fn quote_vault(clearinghouse: &Pubkey) -> Pubkey {
    At::COMPILED.quote_vault(clearinghouse)
}

pub fn underlying(clearinghouse: &Pubkey, id: u16) -> Pubkey {
    At::COMPILED.underlying(clearinghouse, id)
}

pub fn underlying_ledger(underlying: &Pubkey) -> Pubkey {
    At::COMPILED.underlying_ledger(underlying)
}

pub fn insurance_fund(clearinghouse: &Pubkey) -> Pubkey {
    At::COMPILED.insurance_fund(clearinghouse)
}

pub fn insurance_vault(clearinghouse: &Pubkey) -> Pubkey {
    At::COMPILED.insurance_vault(clearinghouse)
}

pub fn insurance_stake(insurance_fund: &Pubkey, owner: &Pubkey) -> Pubkey {
    At::COMPILED.insurance_stake(insurance_fund, owner)
}

pub fn settlement_price(underlying: &Pubkey, expiry: i64) -> Pubkey {
    At::COMPILED.settlement_price(underlying, expiry)
}

pub fn collateral_asset(clearinghouse: &Pubkey, mint: &Pubkey) -> Pubkey {
    At::COMPILED.collateral_asset(clearinghouse, mint)
}

pub fn collateral_vault(collateral_asset: &Pubkey) -> Pubkey {
    At::COMPILED.collateral_vault(collateral_asset)
}

pub fn writer_account(clearinghouse: &Pubkey, owner: &Pubkey, index: u32) -> Pubkey {
    At::COMPILED.writer_account(clearinghouse, owner, index)
}

pub fn series(underlying: &Pubkey, expiry: i64, strike: u64, kind: u8) -> Pubkey {
    At::COMPILED.series(underlying, expiry, strike, kind)
}

/// An American series' address: its seeds carry `kind + 2`
/// ([`OptionSeries::seed_kind`](greekhouse::state::OptionSeries::seed_kind)).
pub fn american_series(underlying: &Pubkey, expiry: i64, strike: u64, kind: u8) -> Pubkey {
    series(
        underlying,
        expiry,
        strike,
        greekhouse::state::OptionSeries::seed_kind(kind, 1),
    )
}

pub fn option_mint(series: &Pubkey) -> Pubkey {
    At::COMPILED.option_mint(series)
}

/// Anchor's event-CPI authority.
pub fn event_authority() -> Pubkey {
    At::COMPILED.event_authority()
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
    At::COMPILED.param_change(clearinghouse, change_id)
}
