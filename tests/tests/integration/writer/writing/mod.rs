//! Series creation, writing and burning: decoded state and events on success, one test per
//! refusal with its exact error, and agreement of the program's margin with the SDK's.
use crate::harness;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use greekhouse::errors::GreekhouseError as E;
use greekhouse::instructions::CreateSeriesArgs;
use greekhouse::state::{pause, Position, SeriesStatus};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::events::GreekhouseEvent;
use greekhouse_sdk::{ix, pda};
use greekhouse_testkit::pyth::{self, PriceObservation};
use harness::ext_market::*;
use harness::*;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_signer::Signer;

/// SPL Token's `InsufficientFunds`.
pub(super) const TOKEN_INSUFFICIENT_FUNDS: u32 = 1;

pub(super) fn sol_call(env: &mut Env, strike_usd: u64, days: i64) -> Pubkey {
    let (sol, now) = (env.sol, env.now());
    env.create_series(sol, 0, usd(strike_usd), expiry_after(now, days))
        .expect("create SOL call")
}

pub(super) fn sol_put(env: &mut Env, strike_usd: u64, days: i64) -> Pubkey {
    let (sol, now) = (env.sol, env.now());
    env.create_series(sol, 1, usd(strike_usd), expiry_after(now, days))
        .expect("create SOL put")
}

pub(super) fn btc_series(env: &mut Env, kind: u8, strike_usd: u64, days: i64) -> Pubkey {
    let (btc, now) = (env.btc, env.now());
    env.create_series(btc, kind, usd(strike_usd), expiry_after(now, days))
        .expect("create BTC series")
}

/// A writer with `quote_usd` dollars deposited (and 100 000 more in the wallet).
pub(super) fn funded_writer(env: &mut Env, quote_usd: u64) -> Writer {
    let w = env.writer(usd(quote_usd + 100_000), 1_000 * LAMPORTS_PER_SOL);
    if quote_usd > 0 {
        env.deposit_quote(&w, usd(quote_usd)).unwrap();
    }
    w
}

/// Every account a write or burn on `series` touches, to show a refusal changed nothing.
pub(super) fn touched(env: &mut Env, series: &Pubkey, writers: &[&Writer]) -> Vec<Pubkey> {
    let s = env.series_state(series);
    let mut keys = vec![
        env.ch.clearinghouse,
        env.ch.quote_vault,
        s.underlying,
        *series,
        s.option_mint,
        env.sol.key,
        env.btc.key,
    ];
    for w in writers {
        keys.push(w.account);
        keys.push(pda::associated_token(
            &w.owner.pubkey(),
            &s.option_mint,
            &SPL_TOKEN,
        ));
    }
    keys
}

mod burn_options;
mod create_series;
mod long_options;
mod margin_agreement;
mod write_options;

#[allow(unused_imports)]
use self::{burn_options::*, create_series::*, margin_agreement::*, write_options::*};
