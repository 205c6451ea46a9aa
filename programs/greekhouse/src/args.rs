//! The instructions' argument types: the program's wire interface, which the SDK and the IDL
//! build instructions from. They hold data only, so a client needs them without any handler's
//! rules (the SDK imports this module, never `instructions/`).

use crate::prelude::*;

use crate::state::{GlobalParams, OracleConfig, SeriesRules, StoredMarginParams, StoredVolSurface};

// `initialize_clearinghouse`
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeClearinghouseArgs {
    /// Governance key; in production a multisig vault PDA.
    pub admin: Pubkey,
    /// Key that may pause risk-increasing actions.
    pub guardian: Pubkey,
    pub params: GlobalParams,
}

// `list_underlying`
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ListUnderlyingArgs {
    /// Must equal the clearing house's `underlying_count` (the PDA's id seed).
    pub id: u16,
    pub symbol: [u8; 16],
    pub oracle: OracleConfig,
    pub vol_updater: Pubkey,
    pub surface: StoredVolSurface,
    pub surface_max_age_secs: u32,
    pub surface_max_change_bps: u32,
    pub margin: StoredMarginParams,
    pub series_rules: SeriesRules,
    /// Underlying units at exponent 6.
    pub open_interest_cap: u64,
}

// `list_collateral`
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ListCollateralArgs {
    /// [`PriceSource`](crate::state::PriceSource) as u8.
    pub price_source: u8,
    pub init_weight_bps: u16,
    pub maint_weight_bps: u16,
    /// Largest total deposit, native units.
    pub deposit_cap: u64,
}

// `create_series`
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateSeriesArgs {
    /// 0 call, 1 put.
    pub kind: u8,
    /// Quote native units per whole underlying unit.
    pub strike: u64,
    pub expiry: i64,
    /// 0 European (the default), 1 American: exercisable before expiry less the governed
    /// cut-off. An American series' PDA seeds carry `kind + 2` (`OptionSeries::seed_kind`).
    pub style: u8,
}

// `bid`
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BidArgs {
    /// Share of the account to take, exponent 12 (`10^12` = all of it).
    pub fraction: u64,
    /// Most the bidder will pay (quote native, signed): a negative limit demands at least that
    /// much from the insurance fund. Guards against a state changed by earlier transactions.
    pub payment_limit: i64,
}

// `buy_backstop`
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuyBackstopArgs {
    /// Quote to pay at most (native units).
    pub amount: u64,
    /// Highest price per share accepted (quote native per share, exponent 12).
    pub max_price: u64,
}

// `create_vault`
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateVaultArgs {
    /// The vault PDA's index seed (any unused one).
    pub index: u32,
    pub policy: crate::state::VaultPolicy,
}

// `vault_buy`
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct VaultBuyArgs {
    pub contracts: u64,
    /// Most the buyer pays for all of them (quote native units).
    pub max_price: u64,
}

// `vault_sell_back`
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct VaultSellBackArgs {
    pub contracts: u64,
    /// Least the holder accepts for all of them (quote native units).
    pub min_price: u64,
}
