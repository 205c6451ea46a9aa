//! Liquidation (docs/liquidation.md): `start_liquidation`, `bid`, `end_liquidation` and
//! `resolve_bankruptcy`, each with its success and every way it must fail, and the scenarios of
//! the protocol: a solvent account sold in slices as the discount rises, an insolvent one paid
//! by the insurance fund, a bankruptcy, two bidders racing, a liquidation under every pause.
use crate::harness;
use harness::ext_market::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::engine::liquidation::FRACTION_ONE;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::instructions::BidArgs;
use greekhouse::state::{pause, WriterStatus};
use greekhouse_sdk::liquidation::BidSize;
use solana_signer::Signer;

/// A SOL call series at 150, a week out.
pub fn call_series(env: &mut Env) -> Pubkey {
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    env.create_series(sol, 0, usd(150), expiry).unwrap()
}

/// A writer holding `dollars` of quote, short as many `series` calls as IM allows.
pub fn writer_at_im(env: &mut Env, series: &Pubkey, dollars: u64) -> (Writer, u64) {
    let w = env.writer(usd(dollars), 0);
    env.deposit_quote(&w, usd(dollars)).unwrap();
    let n = env.write_to_initial_margin(&w, series).unwrap();
    assert!(n > 0, "the writer cannot write a single contract");
    (w, n)
}

/// Raise SOL in 1 % steps until `account` is below maintenance; returns the price (Pyth units).
pub fn rally_until_liquidatable(env: &mut Env, account: &Pubkey) -> i64 {
    env.move_sol_until_liquidatable(account, 100)
}

/// Mint `amount` of quote into a wallet token account.
pub fn fund_wallet(env: &mut Env, ata: &Pubkey, amount: u64) {
    let auth = env.mint_authority.insecure_clone();
    let mint = env.ch.quote_mint;
    env.chain
        .mint_to(&SPL_TOKEN, &mint, ata, &auth, amount)
        .unwrap();
}

/// A rich bidder with 1,000,000 USDC deposited.
pub fn bidder(env: &mut Env) -> Writer {
    let b = env.writer(usd(1_000_000), 0);
    env.deposit_quote(&b, usd(1_000_000)).unwrap();
    b
}

/// The world of most tests: a writer at IM on SOL calls, pushed below maintenance, a bidder.
pub struct Crashed {
    pub series: Pubkey,
    pub victim: Writer,
    pub contracts: u64,
    pub bidder: Writer,
}

pub fn crashed(env: &mut Env) -> Crashed {
    let series = call_series(env);
    let (victim, contracts) = writer_at_im(env, &series, 10_000);
    rally_until_liquidatable(env, &victim.account);
    let bidder = bidder(env);
    Crashed {
        series,
        victim,
        contracts,
        bidder,
    }
}

/// Two writer accounts are byte-for-byte equal (the SDK's projection is the program's state).
#[track_caller]
pub fn assert_same(
    actual: &greekhouse::state::WriterAccount,
    expected: &greekhouse::state::WriterAccount,
) {
    assert!(
        bytemuck::bytes_of(actual) == bytemuck::bytes_of(expected),
        "account differs from the projection:\n{actual:?}\n{expected:?}"
    );
}

/// Ledgers equal vaults (docs/protocol.md §12 invariant 1), series OI equals supply and shorts
/// plus unbacked contracts.
#[track_caller]
pub fn assert_books_balance(env: &mut Env) {
    assert_eq!(env.quote_vault_balance() as i128, env.quote_claims());
    assert_eq!(env.insurance_vault_balance(), env.insurance_fund().balance);
    assert_eq!(env.sol_vault_balance() as u128, env.sol_claims());
    let writers = env.writer_accounts.clone();
    for s in env.series.clone() {
        let state = env.series_state(&s);
        let shorts: u64 = writers.iter().map(|w| env.short_of(w, &s)).sum();
        if state.is_settled() {
            // settled shorts have left the accounts; the rest are still to settle
            assert_eq!(shorts, state.shorts_to_settle, "series {s}");
        } else if state.is_american() {
            // the accounts record their shorts before pending exercises accrue: at least the
            // writers' exact share of the open interest
            assert_eq!(shorts, state.recorded_shorts, "series {s}");
            assert!(
                state.open_interest <= shorts + state.unbacked_contracts,
                "series {s}"
            );
        } else {
            assert_eq!(
                state.open_interest,
                shorts + state.unbacked_contracts,
                "series {s}"
            );
        }
        // tokens burned outside the program are forfeited claims: supply may fall below
        assert!(state.outstanding() >= env.series_supply(&s), "series {s}");
        if state.status == greekhouse::state::SeriesStatus::Finalized as u8 {
            // every token that still exists is fully backed by the series' ledger
            assert!(env.series_supply(&s) * state.payout_final <= state.settlement_ledger);
        }
    }
}

mod bankruptcy;
mod bid;
mod end;
mod liquidator;
mod longs;
mod properties;
mod start;

#[allow(unused_imports)]
pub(crate) use self::{bankruptcy::*, bid::*, end::*, properties::*, start::*};
