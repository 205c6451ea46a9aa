//! docs/protocol.md §12 as properties: random sequences of deposits, withdrawals (quote and SOL),
//! writes, burns, SOL price moves and clock advances across three writers. After every step:
//! 1. the quote vault equals the writers' quote plus the insurance fund; the SOL vault equals
//!    `total_deposits` and the writers' SOL balances;
//! 2. each series' open interest equals its mint's supply and the writers' shorts; each
//!    underlying's open interest is the sum over its series of OI x contract size;
//! 3. no successful withdrawal or write leaves the account below IM (SDK margin);
//! 4. the program's reported equity at IM equals the SDK's.
//!
//! Each operation's outcome is predicted exactly from the model (the SDK's margin of the
//! account as the operation would leave it, balances, shorts, tokens, oracle freshness), and
//! a refused operation must leave every account byte-for-byte unchanged.
use crate::harness;

use greekhouse::engine::margin::equity_native;
use greekhouse::errors::GreekhouseError as E;
use greekhouse_sdk::chain::{ChainError, TxOutcome};
use greekhouse_sdk::events::GreekhouseEvent;
use greekhouse_sdk::margin::with_added_short;
use harness::ext_market::*;
use harness::ext_props::*;
use harness::*;
use proptest::prelude::*;

/// SPL Token's `InsufficientFunds`.
const TOKEN_INSUFFICIENT_FUNDS: u32 = 1;
const WRITERS: usize = 3;

#[derive(Clone, Debug)]
enum Op {
    DepositQuote {
        w: usize,
        dollars: u64,
    },
    DepositSol {
        w: usize,
        tenths: u64,
    },
    /// A share (bps, may exceed 100 %) of the current balance.
    WithdrawQuote {
        w: usize,
        bps: u64,
    },
    WithdrawSol {
        w: usize,
        bps: u64,
    },
    /// Write `contracts` of series `s` into writer `to`'s token account.
    Write {
        w: usize,
        s: usize,
        to: usize,
        contracts: u64,
    },
    /// Burn a share (bps, may exceed 100 %) of max(short, tokens held) in one of the series
    /// the writer is short or holds tokens of (`pick` modulo their number), else in series
    /// `pick` modulo the number of series.
    Burn {
        w: usize,
        pick: usize,
        bps: u64,
    },
    /// Move SOL by `pct` percent (a few seconds later) and publish fresh prices.
    MoveSol {
        pct: i64,
    },
    /// Let time pass, with or without fresh prices.
    Advance {
        secs: i64,
        publish: bool,
    },
}

/// The writer's own token account most of the time, else any writer's.
fn recipient() -> impl Strategy<Value = Option<usize>> {
    prop_oneof![2 => Just(None), 1 => (0..WRITERS).prop_map(Some)]
}

/// Opening deposits of each writer (some writers start with nothing).
fn opening() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec((0u64..8_000, 0u64..300), WRITERS).prop_map(|v| {
        let mut ops = Vec::new();
        for (w, (dollars, tenths)) in v.into_iter().enumerate() {
            if dollars > 0 {
                ops.push(Op::DepositQuote { w, dollars });
            }
            if tenths > 0 {
                ops.push(Op::DepositSol { w, tenths });
            }
        }
        ops
    })
}

fn op() -> impl Strategy<Value = Op> {
    let w = 0..WRITERS;
    prop_oneof![
        3 => (w.clone(), 100u64..30_000).prop_map(|(w, dollars)| Op::DepositQuote { w, dollars }),
        3 => (w.clone(), 1u64..400).prop_map(|(w, tenths)| Op::DepositSol { w, tenths }),
        2 => (w.clone(), 1u64..10_500).prop_map(|(w, bps)| Op::WithdrawQuote { w, bps }),
        2 => (w.clone(), 1u64..10_500).prop_map(|(w, bps)| Op::WithdrawSol { w, bps }),
        5 => (w.clone(), 0..WORLD_SERIES.len(), recipient(), 1u64..60).prop_map(
            |(w, s, to, contracts)| Op::Write { w, s, to: to.unwrap_or(w), contracts }
        ),
        3 => (w.clone(), 0..WORLD_SERIES.len(), 1u64..12_000)
            .prop_map(|(w, pick, bps)| Op::Burn { w, pick, bps }),
        2 => (-8i64..=8).prop_map(|pct| Op::MoveSol { pct }),
        1 => (1i64..45, any::<bool>()).prop_map(|(secs, publish)| Op::Advance { secs, publish }),
    ]
}

/// The model's view of time: prices are fresh when published at most `max_age` ago.
struct Clock {
    last_publish: i64,
}

fn custom(err: &ChainError) -> Option<u32> {
    err.custom_code()
}

#[track_caller]
fn assert_refused(result: &Result<TxOutcome, ChainError>, expected: u32, what: &str) {
    match result {
        Err(e) => assert_eq!(custom(e), Some(expected), "{what}: {e}"),
        Ok(out) => panic!(
            "{what}: expected code {expected}, succeeded with {:?}",
            event_names(out)
        ),
    }
}

fn withdrawn(out: &TxOutcome) -> greekhouse::events::Withdrawn {
    out.events
        .iter()
        .find_map(|e| match e {
            GreekhouseEvent::Withdrawn(x) => Some(x.clone()),
            _ => None,
        })
        .expect("Withdrawn event")
}

fn deposited(out: &TxOutcome) -> greekhouse::events::Deposited {
    out.events
        .iter()
        .find_map(|e| match e {
            GreekhouseEvent::Deposited(x) => Some(x.clone()),
            _ => None,
        })
        .expect("Deposited event")
}

/// Apply one operation, predicting its outcome and checking its effects; returns the error
/// code of a refused operation.
fn step(world: &mut World, clock: &mut Clock, op: &Op) -> Option<u32> {
    let now = world.env.now();
    let fresh = now - clock.last_publish <= 30;
    let before = world.snapshot();
    let fees0 = world.env.fees_accrued_total();
    // `Some(code)` when the step is expected to be refused
    let mut refused: Option<u32> = None;

    match *op {
        Op::DepositQuote { w, dollars } => {
            let amount = dollars * USDC;
            let acc = world.writers[w].account;
            let q0 = world.env.writer_state(&acc).quote_balance;
            let wallet0 = world
                .env
                .chain
                .token_balance(&world.writers[w].quote_ata)
                .unwrap();
            let out = world
                .env
                .deposit_quote(&world.writers[w], amount)
                .expect("deposit quote");
            let ev = deposited(&out);
            assert_eq!(ev.amount, amount);
            assert_eq!(ev.balance_after, q0 + amount as i64);
            assert_eq!(
                world.env.writer_state(&acc).quote_balance,
                q0 + amount as i64
            );
            assert_eq!(
                world
                    .env
                    .chain
                    .token_balance(&world.writers[w].quote_ata)
                    .unwrap(),
                wallet0 - amount
            );
        }
        Op::DepositSol { w, tenths } => {
            let amount = tenths * LAMPORTS_PER_SOL / 10;
            let s0 = world.sol_balance(w);
            let out = world
                .env
                .deposit_sol(&world.writers[w], amount)
                .expect("deposit SOL");
            let ev = deposited(&out);
            assert_eq!(ev.amount, amount);
            assert_eq!(ev.balance_after, (s0 + amount) as i64);
            assert_eq!(world.sol_balance(w), s0 + amount);
        }
        Op::WithdrawQuote { w, bps } => {
            let acc = world.writers[w].account;
            let state = world.env.writer_state(&acc);
            let balance = state.quote_balance.max(0) as u64;
            let amount = (balance as u128 * bps as u128 / 10_000).max(1) as u64;
            let needs_price = state.position_count() > 0 || state.quote_balance < 0;
            let mut after = state;
            let predicted = if state.quote_balance < amount as i64 {
                Some(code(E::InsufficientQuote))
            } else if !needs_price {
                None
            } else if !fresh {
                Some(code(E::OracleStale))
            } else {
                after.add_quote(-(amount as i64)).unwrap();
                let m = world.sdk_margin_of_state(after).expect("SDK margin");
                m.initial
                    .equity
                    .is_negative()
                    .then(|| code(E::InitialMarginBreach))
            };
            let wallet0 = world
                .env
                .chain
                .token_balance(&world.writers[w].quote_ata)
                .unwrap();
            let result = world.env.withdraw_quote(&world.writers[w], amount);
            match predicted {
                Some(c) => {
                    assert_refused(&result, c, "withdraw quote");
                    refused = Some(c);
                }
                None => {
                    let out = result.expect("withdraw quote predicted to pass");
                    let ev = withdrawn(&out);
                    assert_eq!(ev.amount, amount);
                    assert_eq!(ev.balance_after, state.quote_balance - amount as i64);
                    check_reported_equity(world, w, ev.initial_equity_after, needs_price);
                    assert_eq!(
                        world
                            .env
                            .chain
                            .token_balance(&world.writers[w].quote_ata)
                            .unwrap(),
                        wallet0 + amount
                    );
                }
            }
        }
        Op::WithdrawSol { w, bps } => {
            let acc = world.writers[w].account;
            let state = world.env.writer_state(&acc);
            let held = world.sol_balance(w);
            let amount = (held as u128 * bps as u128 / 10_000).max(1) as u64;
            // asking for more than everyone's SOL together (or when nobody holds any) is
            // still InsufficientCollateral (see `withdrawing_more_sol_than_all_deposits_...`)
            let asset = world.sol_asset();
            let mut after = state;
            let predicted = if amount > held {
                Some(code(E::InsufficientCollateral))
            } else {
                after.debit_collateral(&asset, amount).unwrap();
                let needs_price = after.position_count() > 0 || after.quote_balance < 0;
                if !needs_price {
                    None
                } else if !fresh {
                    Some(code(E::OracleStale))
                } else {
                    let m = world.sdk_margin_of_state(after).expect("SDK margin");
                    m.initial
                        .equity
                        .is_negative()
                        .then(|| code(E::InitialMarginBreach))
                }
            };
            let wallet0 = world
                .env
                .chain
                .token_balance(&world.writers[w].sol_ata)
                .unwrap();
            let result = world.withdraw_sol_exact(w, amount);
            match predicted {
                Some(c) => {
                    assert_refused(&result, c, "withdraw SOL");
                    refused = Some(c);
                }
                None => {
                    let out = result.expect("withdraw SOL predicted to pass");
                    let ev = withdrawn(&out);
                    assert_eq!(ev.amount, amount);
                    assert_eq!(ev.balance_after, (held - amount) as i64);
                    let needs_price = after.position_count() > 0 || after.quote_balance < 0;
                    check_reported_equity(world, w, ev.initial_equity_after, needs_price);
                    assert_eq!(world.sol_balance(w), held - amount);
                    assert_eq!(
                        world
                            .env
                            .chain
                            .token_balance(&world.writers[w].sol_ata)
                            .unwrap(),
                        wallet0 + amount
                    );
                }
            }
        }
        Op::Write {
            w,
            s,
            to,
            contracts,
        } => {
            let series = world.series[s];
            let acc = world.writers[w].account;
            let state = world.env.writer_state(&acc);
            let terms = world.env.series_state(&series);
            let fee = world.env.expected_write_fee(&series, contracts);
            let mut after = with_added_short(&state, &template_of(&series, &terms), contracts)
                .expect("four series fit");
            after.add_quote(-(fee as i64)).unwrap();
            let predicted = if !fresh {
                Some(code(E::OracleStale))
            } else {
                let m = world.sdk_margin_of_state(after).expect("SDK margin");
                m.initial
                    .equity
                    .is_negative()
                    .then(|| code(E::InitialMarginBreach))
            };
            let recipient = world.option_account(to, s);
            let tokens0 = world.env.chain.token_balance(&recipient).unwrap();
            let short0 = world.env.short_of(&acc, &series);
            let result = world
                .env
                .write_to(&world.writers[w], &series, contracts, recipient);
            match predicted {
                Some(c) => {
                    assert_refused(&result, c, "write");
                    refused = Some(c);
                }
                None => {
                    let out = result.expect("write predicted to pass");
                    let ev = event::<OptionsWritten>(&out);
                    assert_eq!(ev.fee, fee);
                    assert_eq!(ev.contracts, contracts);
                    assert_eq!(ev.short_after, short0 + contracts);
                    assert_eq!(ev.recipient, recipient);
                    let (equity, _) = world.initial_equity(w);
                    assert_eq!(ev.initial_equity_after, equity, "(4) event == SDK");
                    assert!(equity >= 0, "(3) write leaves IM >= 0");
                    assert_eq!(world.env.short_of(&acc, &series), short0 + contracts);
                    assert_eq!(
                        world.env.chain.token_balance(&recipient).unwrap(),
                        tokens0 + contracts
                    );
                    assert_eq!(
                        world.env.writer_state(&acc).quote_balance,
                        state.quote_balance - fee as i64
                    );
                    assert_eq!(world.env.fees_accrued_total(), fees0 + fee);
                }
            }
        }
        Op::Burn { w, pick, bps } => {
            let acc = world.writers[w].account;
            let mut involved = Vec::new();
            for k in 0..world.series.len() {
                let key = world.series[k];
                let own = world.option_account(w, k);
                if world.env.short_of(&acc, &key) > 0
                    || world.env.chain.token_balance(&own).unwrap() > 0
                {
                    involved.push(k);
                }
            }
            let s = if involved.is_empty() {
                pick % world.series.len()
            } else {
                involved[pick % involved.len()]
            };
            let series = world.series[s];
            let own = world.option_account(w, s);
            let short = world.env.short_of(&acc, &series);
            let held = world.env.chain.token_balance(&own).unwrap();
            let amount = (short.max(held) as u128 * bps as u128 / 10_000).max(1) as u64;
            let predicted = if amount > short {
                Some(code(E::InsufficientShort))
            } else if amount > held {
                Some(TOKEN_INSUFFICIENT_FUNDS)
            } else {
                None
            };
            let result = world.env.burn(&world.writers[w], &series, amount);
            match predicted {
                Some(c) => {
                    assert_refused(&result, c, "burn");
                    refused = Some(c);
                }
                None => {
                    let out = result.expect("burn predicted to pass");
                    let ev = event::<OptionsBurned>(&out);
                    assert_eq!(ev.contracts, amount);
                    assert_eq!(ev.short_after, short - amount);
                    assert_eq!(world.env.short_of(&acc, &series), short - amount);
                    assert_eq!(world.env.chain.token_balance(&own).unwrap(), held - amount);
                }
            }
        }
        Op::MoveSol { pct } => {
            world.env.advance(2);
            let p = world.env.sol_price / 100_000_000;
            let next = (p * (100 + pct) / 100).clamp(60, 400);
            world.env.move_sol(next * 100_000_000);
            clock.last_publish = world.env.now();
        }
        Op::Advance { secs, publish } => {
            world.env.advance(secs);
            if publish {
                world.env.publish_prices();
                clock.last_publish = world.env.now();
            }
        }
    }

    if let Some(c) = refused {
        assert_eq!(
            world.snapshot(),
            before,
            "refused step (code {c}) changed state: {op:?}"
        );
    }
    world.check_ledgers();
    refused
}

/// (3) and (4) for a successful withdrawal: a margin-checked one reports the SDK's equity,
/// which is >= 0; one without shorts or debt reports none.
fn check_reported_equity(world: &mut World, w: usize, reported: Option<i64>, needs_price: bool) {
    if needs_price {
        let (equity, m) = world.initial_equity(w);
        assert_eq!(reported, Some(equity), "(4) event == SDK");
        assert!(
            !m.initial.equity.is_negative(),
            "(3) withdraw leaves IM >= 0"
        );
        assert_eq!(equity_native(m.initial.equity).unwrap(), equity);
    } else {
        assert_eq!(reported, None, "no shorts, no debt: no margin check");
        let s = world.env.writer_state(&world.writers[w].account);
        assert_eq!(s.position_count(), 0);
        assert!(s.quote_balance >= 0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn ledgers_open_interest_and_margin_hold_after_every_step(
        opening in opening(),
        ops in proptest::collection::vec(op(), 15..=18)
    ) {
        let mut world = World::new(WRITERS);
        let mut clock = Clock { last_publish: world.env.now() };
        world.check_ledgers();
        for op in opening.iter().chain(&ops) {
            let _ = step(&mut world, &mut clock, op);
        }
    }
}

/// A fixed sequence whose every outcome is known in advance (refusals included), so the
/// property's machinery is known to bite even when the random cases are kind.
#[test]
fn scripted_sequence_hits_every_outcome() {
    let mut world = World::new(WRITERS);
    let mut clock = Clock {
        last_publish: world.env.now(),
    };
    let ok = None;
    let err = |e: E| Some(code(e));
    #[rustfmt::skip]
    let script = [
        (Op::Burn { w: 0, pick: 0, bps: 5_000 }, err(E::InsufficientShort)), // nothing to burn
        (Op::WithdrawSol { w: 0, bps: 5_000 }, err(E::InsufficientCollateral)), // nobody holds SOL
        (Op::DepositQuote { w: 0, dollars: 2_000 }, ok),
        (Op::DepositSol { w: 1, tenths: 300 }, ok),
        (Op::WithdrawSol { w: 2, bps: 5_000 }, err(E::InsufficientCollateral)), // holds none
        (Op::Write { w: 0, s: 0, to: 1, contracts: 10 }, ok), // SOL calls into w1's wallet
        (Op::Write { w: 0, s: 1, to: 0, contracts: 200 }, err(E::InitialMarginBreach)),
        (Op::Write { w: 1, s: 2, to: 1, contracts: 5 }, ok), // SOL-backed BTC calls (fee: debt)
        (Op::Write { w: 1, s: 3, to: 2, contracts: 5 }, ok),
        (Op::WithdrawQuote { w: 0, bps: 10_000 }, err(E::InitialMarginBreach)), // everything
        (Op::WithdrawQuote { w: 0, bps: 500 }, ok),
        (Op::Burn { w: 0, pick: 0, bps: 5_000 }, Some(TOKEN_INSUFFICIENT_FUNDS)), // short 10, holds 0
        (Op::Burn { w: 1, pick: 0, bps: 5_000 }, err(E::InsufficientShort)), // holds 10, short 0
        (Op::Burn { w: 1, pick: 1, bps: 6_000 }, ok), // 3 of the 5 BTC calls
        (Op::MoveSol { pct: 8 }, ok),
        (Op::MoveSol { pct: 8 }, ok),
        (Op::WithdrawSol { w: 1, bps: 10_000 }, err(E::InitialMarginBreach)), // all SOL, shorts left
        (Op::WithdrawSol { w: 1, bps: 1_000 }, ok),
        (Op::Advance { secs: 40, publish: false }, ok),
        (Op::Write { w: 1, s: 2, to: 1, contracts: 1 }, err(E::OracleStale)),
        (Op::WithdrawSol { w: 1, bps: 100 }, err(E::OracleStale)), // has shorts
        (Op::DepositQuote { w: 2, dollars: 100 }, ok), // deposits need no price
        (Op::WithdrawQuote { w: 2, bps: 10_000 }, ok), // no shorts: needs no price
        (Op::Burn { w: 1, pick: 1, bps: 10_000 }, ok), // burns need no price
        (Op::Advance { secs: 5, publish: true }, ok),
        (Op::MoveSol { pct: -8 }, ok),
        (Op::Write { w: 0, s: 0, to: 0, contracts: 1 }, ok),
        (Op::Burn { w: 0, pick: 0, bps: 10_000 }, Some(TOKEN_INSUFFICIENT_FUNDS)), // short 11, holds 1
        (Op::Burn { w: 0, pick: 0, bps: 900 }, ok), // 1 of 11
    ];
    for (op, expected) in &script {
        let outcome = step(&mut world, &mut clock, op);
        assert_eq!(outcome, *expected, "{op:?}");
    }
    assert!(world.env.fees_accrued_total() > 0);
}

/// The owner-facing error for "you hold less SOL than you asked for" should not depend on
/// how much *other* writers deposited.
#[test]
fn withdrawing_more_sol_than_all_deposits_reports_insufficient_collateral() {
    let mut env = Env::new();
    let w = env.writer(0, 10 * LAMPORTS_PER_SOL);
    env.deposit_sol(&w, 5 * LAMPORTS_PER_SOL).unwrap();
    // 6 SOL: more than the writer holds and more than everyone holds together
    expect_err(
        env.withdraw_sol(&w, 6 * LAMPORTS_PER_SOL),
        E::InsufficientCollateral,
    );
}

/// Control for the test above: below the total but above the own balance, the error is right.
#[test]
fn withdrawing_more_sol_than_held_reports_insufficient_collateral() {
    let mut env = Env::new();
    let w = env.writer(0, 10 * LAMPORTS_PER_SOL);
    let other = env.writer(0, 10 * LAMPORTS_PER_SOL);
    env.deposit_sol(&w, 5 * LAMPORTS_PER_SOL).unwrap();
    env.deposit_sol(&other, 5 * LAMPORTS_PER_SOL).unwrap();
    expect_err(
        env.withdraw_sol(&w, 6 * LAMPORTS_PER_SOL),
        E::InsufficientCollateral,
    );
}

// ---------------------------------------------------------------- burning reduces risk

/// One synthetic short: SOL or BTC, call or put, strike as % of spot, days to expiry,
/// contracts.
#[derive(Clone, Copy, Debug)]
struct Short {
    sol: bool,
    kind: u8,
    moneyness_pct: i64,
    days: i64,
    contracts: u64,
}

fn short() -> impl Strategy<Value = Short> {
    (any::<bool>(), 0u8..2, -40i64..=40, 1i64..150, 1u64..50).prop_map(
        |(sol, kind, moneyness_pct, days, contracts)| Short {
            sol,
            kind,
            moneyness_pct,
            days,
            contracts,
        },
    )
}

/// A writer-account state holding `book`, `quote_usd` and `sol` whole SOL (not on chain: the
/// SDK prices any state from the fixture's underlyings and oracles).
fn synthetic_account(
    env: &mut Env,
    base: greekhouse::state::WriterAccount,
    book: &[Short],
    quote_usd: i64,
    sol: u64,
) -> greekhouse::state::WriterAccount {
    let now = env.now();
    let mut w = base;
    w.quote_balance = quote_usd * USDC as i64;
    if sol > 0 {
        let asset = greekhouse_sdk::pda::collateral_asset(&env.ch.clearinghouse, &env.sol_mint);
        w.credit_collateral(&asset, sol * LAMPORTS_PER_SOL).unwrap();
    }
    for s in book {
        let (u, spot, tick, size) = if s.sol {
            (env.sol.key, 150u64, 1u64, 1_000_000u64)
        } else {
            (env.btc.key, 90_000, 100, 10_000)
        };
        let raw = spot as i64 * (100 + s.moneyness_pct) / 100;
        let strike = ((raw as u64 / tick).max(1) * tick) * USDC;
        let template = greekhouse::state::Position {
            series: anchor_lang::prelude::Pubkey::new_unique(),
            underlying: u,
            strike,
            expiry: now + s.days * DAY,
            contract_size: size,
            contracts: 0,
            kind: s.kind,
            side: 0,
            style: 0,
            _padding: 0,
            exercise_epoch: 0,
        };
        w.add_short(&template, s.contracts).unwrap();
    }
    w
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        max_shrink_iters: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Burning needs no margin check because it only reduces risk (docs/protocol.md §4, 8). So cutting
    /// any short of any book must never lower equity at IM, at the end level or at MM.
    #[test]
    fn reducing_a_short_never_lowers_equity(
        book in proptest::collection::vec(short(), 1..6),
        quote_usd in 0i64..20_000,
        sol in 0u64..100,
        cut_bps in 1u64..=10_000,
    ) {
        let mut world = World::new(1);
        let base = world.env.writer_state(&world.writers[0].account);
        let full = synthetic_account(&mut world.env, base, &book, quote_usd, sol);
        let m0 = world.sdk_margin_of_state(full).expect("SDK margin");
        for i in 0..full.positions.len() {
            let p = full.positions[i];
            if p.contracts == 0 {
                continue;
            }
            let cut = (p.contracts as u128 * cut_bps as u128 / 10_000).max(1) as u64;
            let mut reduced = full;
            reduced.reduce_short(&p.series, cut).unwrap();
            let m1 = world.sdk_margin_of_state(reduced).expect("SDK margin");
            for (level, before, after) in [
                ("IM", m0.initial, m1.initial),
                ("end", m0.end, m1.end),
                ("MM", m0.maintenance, m1.maintenance),
            ] {
                prop_assert!(
                    after.equity >= before.equity,
                    "burning {cut} of position {i} ({p:?}) lowers equity at {level}: \
                     {before:?} -> {after:?}"
                );
            }
        }
    }
}
