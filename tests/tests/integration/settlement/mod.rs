//! Settlement (docs/settlement.md): the one update that is the settlement price, settling series
//! and positions, writer debt, the fund's cover of unbacked contracts, the backstop auction,
//! finalization with a haircut confined to its series, redemption and the dust sweep; each
//! instruction's success and refusals, and the whole life cycle on the embedded bank.
use crate::harness;
use crate::liquidation::{assert_books_balance, bidder, writer_at_im};
use harness::ext_market::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::engine::settlement::contract_amounts;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::state::{pause, SeriesStatus, WriterStatus};
use greekhouse_sdk::liquidation::BidSize;
use solana_signer::Signer;

/// A price in whole dollars as Pyth units.
pub(super) fn px(dollars: i64) -> i64 {
    dollars * 100_000_000
}

/// Series at `strike` of `kind` on SOL, expiring two days out on the grid.
pub(super) fn series(env: &mut Env, kind: u8, strike: u64, expiry: i64) -> Pubkey {
    let sol = env.sol;
    env.create_series(sol, kind, usd(strike), expiry).unwrap()
}

/// Advance to `expiry + 10` and post the update at expiry: SOL at `dollars`, published 10 s after
/// expiry, its previous update a second before expiry. Final at once.
pub(super) fn settle_price(env: &mut Env, expiry: i64, dollars: i64) {
    let now = env.now();
    if now < expiry + 10 {
        env.advance(expiry + 10 - now);
    }
    env.publish_sol_update(px(dollars), expiry + 10, expiry - 1);
    env.propose_settlement(expiry).unwrap();
}

/// Advance to `expiry + secs` (when still before it).
pub(super) fn advance_to(env: &mut Env, at: i64) {
    let now = env.now();
    if now < at {
        env.advance(at - now);
    }
}

/// Sweep `series`' dust when it holds some (a sweep of nothing is refused); returns the amount.
pub fn sweep_dust_if_any(env: &mut Env, series: &Pubkey) -> u64 {
    if env.series_dust(series) == 0 {
        expect_err(env.sweep_series_dust(series), E::NoSeriesDust);
        return 0;
    }
    let d: greekhouse::events::SeriesDustSwept = event(&env.sweep_series_dust(series).unwrap());
    d.amount
}

mod debt;
mod exercise;
mod life_cycle;
mod price;
mod properties;
mod settle;

#[allow(unused_imports)]
use self::{debt::*, life_cycle::*, price::*, properties::*, settle::*};
