//! Governance: creating the clearing house, the two-step admin transfer, and the guardian's
//! pause (docs/protocol.md §3 and 8; docs/deviations.md for the creator in the PDA seeds).
use crate::harness;
use harness::ext_admin::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::constants::{bounds, CLEARINGHOUSE_SEED, QUOTE_VAULT_SEED};
use greekhouse::errors::GreekhouseError;
use greekhouse::state::{pause, GlobalParams};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::ix::{self, ClearinghouseRef};
use greekhouse_sdk::pda;
use solana_signer::Signer;

mod admin_key;
mod initialize;
mod pause_unpause;

#[allow(unused_imports)]
use self::{admin_key::*, initialize::*, pause_unpause::*};
