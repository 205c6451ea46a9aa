//! The rulebook without Anchor: `greekhouse-rulebook` compiles the program's own `state/`,
//! `engine/`, `oracle/`, `errors` and `events` files as `no_std + alloc`. These tests hold it to
//! the program: the same account layouts and error table, and the same actions giving the same
//! outcomes, byte for byte, and the same refusals on the same accounts and prices.
use crate::harness;
use harness::ext_market::*;
use harness::*;

use greekhouse::engine::actions::MarginPrices;
use greekhouse::engine::actions::{withdraw as program_withdraw, write as program_write};
use greekhouse::engine::margin::LoadedMargin;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::oracle::PriceUse;
use greekhouse::state::WriterAccount;
use greekhouse_rulebook as rb;

/// The same bytes as the other build's type (both are `Pod` with asserted sizes).
fn same<A: bytemuck::Pod, B: bytemuck::Pod>(a: &A) -> B {
    assert_eq!(std::mem::size_of::<A>(), std::mem::size_of::<B>());
    bytemuck::pod_read_unaligned(bytemuck::bytes_of(a))
}

fn program_margin(l: &LoadedMargin) -> LoadedMargin {
    LoadedMargin::new(l.assets.clone(), l.underlyings.clone())
}

fn rulebook_margin(l: &LoadedMargin) -> rb::engine::margin::LoadedMargin {
    rb::engine::margin::LoadedMargin::new(
        l.assets.iter().map(|(k, a)| (*k, same(a))).collect(),
        l.underlyings
            .iter()
            .map(|u| rb::engine::margin::PricedUnderlying {
                key: u.key,
                underlying: same(&u.underlying),
                price: rb::oracle::OraclePrice {
                    price: u.price.price,
                    conf: u.price.conf,
                    expo: u.price.expo,
                    publish_time: u.price.publish_time,
                    prev_publish_time: u.price.prev_publish_time,
                },
                usable: u.usable,
            })
            .collect(),
    )
}

/// The program's refusal code of an action's error.
fn program_code(e: anchor_lang::error::Error) -> u32 {
    match e {
        anchor_lang::error::Error::AnchorError(a) => a.error_code_number,
        other => panic!("not a coded refusal: {other:?}"),
    }
}

/// The margin inputs of `writer` now, priced for a risk-increasing use, as the SDK fetches them.
fn loaded_for(env: &mut Env, writer: &WriterAccount) -> (LoadedMargin, i64) {
    env.with_flow(|chain, cx| {
        let now = chain.unix_timestamp().unwrap();
        let mut prices = greekhouse_sdk::margin::FetchedPrices::new(
            chain,
            cx.ch.clearinghouse,
            cx.oracle_for,
            now,
            PriceUse::RiskIncreasing,
        );
        (prices.load(&[writer]).unwrap(), now)
    })
}

#[test]
fn the_rulebook_build_has_the_programs_layouts_and_error_table() {
    use std::mem::size_of;
    macro_rules! same_size {
        ($($t:ident),*) => {$(
            assert_eq!(
                size_of::<greekhouse::state::$t>(),
                size_of::<rb::state::$t>(),
                stringify!($t)
            );
        )*};
    }
    same_size!(
        Clearinghouse,
        CollateralAsset,
        InsuranceFund,
        InsuranceStake,
        OptionSeries,
        ParamChange,
        SettlementPrice,
        Underlying,
        UnderlyingLedger,
        Vault,
        VaultWithdrawal,
        WriterAccount
    );
    let program: Vec<_> = E::ALL
        .iter()
        .map(|e| (e.name(), e.code(), e.message()))
        .collect();
    let rulebook: Vec<_> = rb::errors::GreekhouseError::ALL
        .iter()
        .map(|e| (e.name().to_string(), e.code(), e.message()))
        .collect();
    assert_eq!(program, rulebook);
}

#[test]
fn the_rulebook_writes_and_withdraws_as_the_program_does_refusals_included() {
    let mut env = Env::new();
    let series = crate::liquidation::call_series(&mut env);
    let w = env.writer(usd(20_000), 0);
    env.deposit_quote(&w, usd(10_000)).unwrap();
    env.write(&w, &series, 5).unwrap();

    let ch = env.clearinghouse();
    let sol = env.sol.key;
    let underlying = env.underlying(&sol);
    let series_state = env.series_state(&series);
    let book = env.underlying_ledger(&sol);
    let writer = env.writer_state(&w.account);
    let (loaded, now) = loaded_for(&mut env, &writer);
    // a write's layout is the account's own plus the series' underlying: here the same
    let max = env.max_writable(&w, &series);

    let (mut accepted, mut refused) = (0, 0);
    for contracts in [0, 1, max, max + 1, u64::MAX] {
        let (mut pw, mut ps, mut pb) = (writer, series_state, book);
        let program = program_write::write(
            &ch,
            &underlying,
            &mut pw,
            series,
            &mut ps,
            &mut pb,
            &mut |_: &[&WriterAccount]| Ok(program_margin(&loaded)),
            contracts,
            now,
        );
        let (mut rw, mut rs, mut rbook): (
            rb::state::WriterAccount,
            rb::state::OptionSeries,
            rb::state::UnderlyingLedger,
        ) = (same(&writer), same(&series_state), same(&book));
        let rulebook = rb::engine::actions::write::write(
            &same(&ch),
            &same(&underlying),
            &mut rw,
            series,
            &mut rs,
            &mut rbook,
            &mut |_: &[&rb::state::WriterAccount]| Ok(rulebook_margin(&loaded)),
            contracts,
            now,
        );
        match (program, rulebook) {
            (Ok(p), Ok(r)) => {
                accepted += 1;
                assert_eq!(
                    (p.short_after, p.fee, p.margin_after, p.initial_equity_after),
                    (r.short_after, r.fee, r.margin_after, r.initial_equity_after),
                    "{contracts}"
                );
                assert_eq!(bytemuck::bytes_of(&pw), bytemuck::bytes_of(&rw));
                assert_eq!(bytemuck::bytes_of(&ps), bytemuck::bytes_of(&rs));
                assert_eq!(bytemuck::bytes_of(&pb), bytemuck::bytes_of(&rbook));
            }
            (Err(p), Err(r)) => {
                refused += 1;
                assert_eq!(program_code(p), r.code(), "{contracts}: {r:?}");
            }
            (p, r) => panic!(
                "{contracts}: program {:?}, rulebook {:?}",
                p.is_ok(),
                r.is_ok()
            ),
        }
    }
    assert_eq!((accepted, refused), (2, 3));

    let quote = || {
        (
            program_withdraw::TokenLedger::Quote,
            rb::engine::actions::withdraw::TokenLedger::Quote,
        )
    };
    let (mut accepted, mut refused) = (0, 0);
    let mut codes = vec![];
    for amount in [0, 1, usd(1_000), usd(9_000), usd(10_000), usd(50_000)] {
        let (pl, rl) = quote();
        let mut pw = writer;
        let program = program_withdraw::withdraw(
            &ch,
            &mut pw,
            pl,
            amount,
            &mut |_: &[&WriterAccount]| Ok(program_margin(&loaded)),
            now,
        );
        let mut rw: rb::state::WriterAccount = same(&writer);
        let rulebook = rb::engine::actions::withdraw::withdraw(
            &same(&ch),
            &mut rw,
            rl,
            amount,
            &mut |_: &[&rb::state::WriterAccount]| Ok(rulebook_margin(&loaded)),
            now,
        );
        match (program, rulebook) {
            (Ok(p), Ok(r)) => {
                accepted += 1;
                assert_eq!(
                    (p.balance_after, p.margin_after, p.initial_equity_after),
                    (r.balance_after, r.margin_after, r.initial_equity_after),
                    "{amount}"
                );
                assert_eq!(bytemuck::bytes_of(&pw), bytemuck::bytes_of(&rw));
            }
            (Err(p), Err(r)) => {
                refused += 1;
                let code = program_code(p);
                assert_eq!(code, r.code(), "{amount}: {r:?}");
                codes.push(code);
            }
            (p, r) => panic!(
                "{amount}: program {:?}, rulebook {:?}",
                p.is_ok(),
                r.is_ok()
            ),
        }
    }
    assert!(accepted >= 2 && refused >= 2, "{accepted} {refused}");
    assert!(codes.contains(&harness::code(E::ZeroAmount)), "{codes:?}");
    assert!(
        codes.contains(&harness::code(E::InitialMarginBreach))
            || codes.contains(&harness::code(E::InsufficientQuote)),
        "{codes:?}"
    );
}
