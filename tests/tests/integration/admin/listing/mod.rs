//! Listing: underlyings (oracle, vol surface, margin parameters, series rules), collateral
//! assets (SPL Token and Token-2022 with the extension screen), and the vol updater's bounded
//! surface updates (docs/protocol.md §3, 3, 4 and 8).
use crate::harness;
use harness::ext_admin::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::constants::{bounds, COLLATERAL_SEED, COLLATERAL_VAULT_SEED, UNDERLYING_SEED};
use greekhouse::errors::GreekhouseError;
use greekhouse::instructions::{ListCollateralArgs, ListUnderlyingArgs};
use greekhouse::state::{
    OracleKind, PriceSource, SeriesRules, StoredLevel, StoredMarginParams, StoredVolSurface,
};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::ix::{self, ClearinghouseRef};
use greekhouse_sdk::pda;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// A named change to a parameter struct, for tables of refused values.
pub(super) type Mutation<T> = (&'static str, Box<dyn Fn(&mut T)>);

mod helpers;
mod list_collateral;
mod list_underlying;
mod set_vol_surface;

#[allow(unused_imports)]
use self::{helpers::*, list_collateral::*, list_underlying::*, set_vol_surface::*};
