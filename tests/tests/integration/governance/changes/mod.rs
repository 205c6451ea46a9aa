//! Governance changes (docs/governance.md, docs/protocol.md §10): `queue_change`,
//! `execute_change`, `cancel_change` for every governed value; key rotation; listings as
//! loosening; the vol surface's window limit; the per-writer open-interest cap; and the
//! compromised admin, vol updater and guardian scenarios.
use crate::harness;
use crate::liquidation::{bidder, call_series, rally_until_liquidatable, writer_at_im};
use harness::ext_market::*;
use harness::ext_writer::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::constants::governance::TIGHTEN_INTERVAL_SECS;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::state::*;
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::ix::{self, ChangeTarget, TokenLedger};
use greekhouse_sdk::pda;
use solana_keypair::Keypair;
use solana_signer::Signer;

pub(super) const TIMELOCK: i64 = 172_800;

pub(super) fn sol_target(env: &Env) -> ChangeTarget {
    ChangeTarget::underlying(env.sol.key)
}

pub(super) fn sol_collateral(env: &Env) -> ChangeTarget {
    ChangeTarget::collateral(
        pda::collateral_asset(&env.ch.clearinghouse, &env.sol_mint),
        Some(env.sol.key),
    )
}

pub(super) fn sol_margin(env: &mut Env) -> StoredMarginParams {
    let key = env.sol.key;
    env.underlying(&key).margin
}

/// A margin change lowering IM's vol shock (a loosening).
pub(super) fn looser_margin(env: &mut Env) -> GovValue {
    let mut m = sol_margin(env);
    m.initial.vol_shock_bps -= 500;
    GovValue::MarginParams(m)
}

/// A margin change raising IM's spot shock (a tightening).
pub(super) fn tighter_margin(env: &mut Env) -> GovValue {
    let mut m = sol_margin(env);
    m.initial.spot_shock_bps += 500;
    GovValue::MarginParams(m)
}

mod change_ids;
mod compromised_keys;
mod every_value;
mod key_rotation;
mod listing_as_loosening;
mod queue_execute_cancel;
mod steps_and_bounds;
mod vol_surface_window;
mod writer_open_interest;

#[allow(unused_imports)]
use self::{
    compromised_keys::*, every_value::*, key_rotation::*, listing_as_loosening::*,
    queue_execute_cancel::*, steps_and_bounds::*, vol_surface_window::*, writer_open_interest::*,
};
