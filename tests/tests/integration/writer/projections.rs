//! One rulebook: the SDK's flows run the program's own actions (`greekhouse::engine::actions`) on
//! copies of the accounts, so a projection equals what the program does, byte for byte, and a
//! refusal is the program's refusal with the same error code. Each case sends the same action
//! to the program and compares.
use crate::harness;
use harness::ext_admin::*;
use harness::ext_market::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::engine::liquidation::FRACTION_ONE;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::state::{pause, GovValue, OpenInterestLimits};
use greekhouse_sdk::flows;
use greekhouse_sdk::ix::ChangeTarget;
use greekhouse_sdk::liquidation::BidSize;
use greekhouse_sdk::margin::MarginError;
use solana_signer::Signer;

use crate::liquidation::{assert_same, crashed};

/// The projection and the program refuse with the same program error; returns it.
#[track_caller]
fn same_refusal<T, U: std::fmt::Debug>(
    projected: Result<T, MarginError>,
    sent: Result<U, ChainError>,
) -> u32 {
    let projected = projected
        .err()
        .expect("the projection accepts what it should refuse");
    let sent = sent.expect_err("the program accepts what the projection refuses");
    assert_eq!(
        projected.code(),
        sent.custom_code(),
        "projection: {projected}; program: {sent}"
    );
    projected.code().expect("a coded refusal")
}

fn project_write(
    env: &mut Env,
    w: &Writer,
    series: Pubkey,
    n: u64,
) -> Result<flows::Projected, MarginError> {
    let (owner, account) = (w.owner.pubkey(), w.account);
    let recipient = env.option_ata(&owner, &series);
    env.with_flow(|chain, cx| flows::write(chain, cx, account, owner, series, recipient, n))
        .and_then(flows::Projected::accepted)
}

#[test]
fn a_write_is_projected_byte_for_byte_and_refused_as_the_program_refuses() {
    let mut env = Env::new();
    let series = crate::liquidation::call_series(&mut env);
    let w = env.writer(usd(20_000), 0);
    env.deposit_quote(&w, usd(10_000)).unwrap();

    let projected = project_write(&mut env, &w, series, 10).unwrap();
    let out = env
        .send_ix(projected.instruction.clone(), &[&w.owner])
        .unwrap();
    assert_same(&env.writer_state(&w.account), &projected.account_after);
    let written = event::<OptionsWritten>(&out);
    assert_eq!(written.fee, projected.fee);
    assert_eq!(
        Some(written.initial_equity_after),
        projected.initial_equity_after()
    );

    // beyond initial margin
    let too_many = env.max_writable(&w, &series) + 1;
    let code = same_refusal(
        project_write(&mut env, &w, series, too_many),
        env.write(&w, &series, too_many),
    );
    assert_eq!(code, harness::code(E::InitialMarginBreach));

    // beyond the writer's open-interest cap, which the projection once ignored
    let sol = env.sol.key;
    let (cap, share) = {
        let u = env.underlying(&sol);
        (u.open_interest_cap, u.writer_open_interest_share_bps)
    };
    env.queue_change(
        ChangeTarget::underlying(sol),
        GovValue::OpenInterest(OpenInterestLimits {
            open_interest_cap: cap,
            writer_share_bps: share / 2,
            _padding: 0,
        }),
    )
    .unwrap();
    let writer_cap = env.underlying(&sol).writer_open_interest_cap();
    let per_contract = env.series_state(&series).units(1).unwrap();
    let over = writer_cap / per_contract + 1;
    let code = same_refusal(
        project_write(&mut env, &w, series, over),
        env.write(&w, &series, over),
    );
    assert_eq!(code, harness::code(E::WriterOpenInterestCapExceeded));
    let writable = env
        .with_flow(|chain, cx| {
            let recipient = Pubkey::new_unique();
            flows::max_writable(chain, cx, w.account, w.owner.pubkey(), series, recipient)
        })
        .unwrap();
    assert!(
        (writable + 10) * per_contract <= writer_cap,
        "max_writable stays within the writer's cap"
    );

    // paused by the guardian
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::WRITE).unwrap();
    let code = same_refusal(
        project_write(&mut env, &w, series, 1),
        env.write(&w, &series, 1),
    );
    assert_eq!(code, harness::code(E::Paused));
    let admin = env.admin_kp();
    env.unpause_as(&admin, pause::WRITE).unwrap();

    // stale prices: nothing published for longer than a risk-increasing use accepts
    let max_age = env.underlying(&sol).oracle.max_age_secs as i64;
    env.advance(max_age + 1);
    env.refresh_surface(&sol);
    let code = same_refusal(
        project_write(&mut env, &w, series, 1),
        env.write(&w, &series, 1),
    );
    assert_eq!(code, harness::code(E::OracleStale));
}

#[test]
fn a_withdrawal_is_projected_byte_for_byte_and_refused_as_the_program_refuses() {
    let mut env = Env::new();
    let series = crate::liquidation::call_series(&mut env);
    let w = env.writer(usd(20_000), 0);
    env.deposit_quote(&w, usd(10_000)).unwrap();
    env.write(&w, &series, 10).unwrap();
    let ledger = env.quote_ledger();
    let (owner, account, to) = (w.owner.pubkey(), w.account, w.quote_ata);
    let project = |env: &mut Env, amount: u64| {
        env.with_flow(|chain, cx| flows::withdraw(chain, cx, account, owner, &ledger, to, amount))
            .and_then(flows::Projected::accepted)
    };

    let projected = project(&mut env, usd(1_000)).unwrap();
    let out = env
        .send_ix(projected.instruction.clone(), &[&w.owner])
        .unwrap();
    assert_same(&env.writer_state(&w.account), &projected.account_after);
    assert_eq!(
        event::<Withdrawn>(&out).initial_equity_after,
        projected.initial_equity_after()
    );

    let code = same_refusal(
        project(&mut env, u64::MAX / 2),
        env.withdraw_quote(&w, u64::MAX / 2),
    );
    assert_eq!(code, harness::code(E::InsufficientQuote));
    let all = env.writer_state(&w.account).quote_balance as u64;
    let code = same_refusal(project(&mut env, all), env.withdraw_quote(&w, all));
    assert_eq!(code, harness::code(E::InitialMarginBreach));
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::WITHDRAW).unwrap();
    let code = same_refusal(project(&mut env, 1), env.withdraw_quote(&w, 1));
    assert_eq!(code, harness::code(E::Paused));
}

#[test]
fn a_bid_is_projected_byte_for_byte_with_its_event_and_refused_as_the_program_refuses() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    env.advance(60);
    env.publish_prices();

    let (out, projection) = env
        .bid(
            &c.bidder,
            &c.victim.account,
            BidSize::Fraction(FRACTION_ONE / 4),
        )
        .unwrap();
    assert_same(
        &env.writer_state(&c.victim.account),
        &projection.liquidated_after,
    );
    assert_same(
        &env.writer_state(&c.bidder.account),
        &projection.bidder_after,
    );
    assert_eq!(env.insurance_fund().balance, projection.fund_balance_after);
    let bought = event::<SliceBought>(&out);
    let expected = SliceBought {
        liquidated: c.victim.account,
        bidder_account: c.bidder.account,
        ..projection.event.clone()
    };
    assert_eq!(format!("{bought:?}"), format!("{expected:?}"));

    // a bidder too small to carry the slice at IM
    let poor = env.writer(usd(10), 0);
    env.deposit_quote(&poor, usd(10)).unwrap();
    let max = env
        .quote_bid(&c.bidder, &c.victim.account, BidSize::Max)
        .unwrap()
        .projection
        .max_fraction;
    let args = greekhouse::instructions::BidArgs {
        fraction: max,
        payment_limit: i64::MAX,
    };
    let code = same_refusal(
        env.quote_bid(&poor, &c.victim.account, BidSize::Fraction(max)),
        env.bid_with(&poor, &c.victim.account, args),
    );
    assert_eq!(code, harness::code(E::BidderBelowInitialMargin));

    // stale prices
    let sol = env.sol.key;
    let liq_max_age = env.underlying(&sol).oracle.liq_max_age_secs as i64;
    env.advance(liq_max_age + 1);
    let code = same_refusal(
        env.quote_bid(&c.bidder, &c.victim.account, BidSize::Fraction(1)),
        env.bid_with(
            &c.bidder,
            &c.victim.account,
            greekhouse::instructions::BidArgs {
                fraction: 1,
                payment_limit: i64::MAX,
            },
        ),
    );
    assert_eq!(code, harness::code(E::OracleStale));
}

#[test]
fn ending_a_liquidation_is_projected_as_the_program_decides() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    let caller = c.bidder.owner.pubkey();
    let victim = c.victim.account;
    let project = |env: &mut Env| {
        env.with_flow(|chain, cx| {
            greekhouse_sdk::liquidation::end_liquidation(chain, cx, caller, victim)
        })
        .unwrap()
    };

    // below the end level: the projection and the program both refuse
    let (ixs, accepted) = project(&mut env);
    assert!(!accepted);
    expect_err(
        env.chain.send(&ixs, &[&c.bidder.owner]),
        E::StillBelowEndLevel,
    );

    // bought back to the end level: both accept, and the account is active again
    env.bid(&c.bidder, &c.victim.account, BidSize::Max).unwrap();
    let (ixs, accepted) = project(&mut env);
    assert!(accepted);
    let out = env.chain.send(&ixs, &[&c.bidder.owner]).unwrap();
    let ended = event::<LiquidationEnded>(&out);
    assert_eq!(ended.writer_account, victim);
    assert_eq!(
        env.writer_state(&victim).status,
        greekhouse::state::WriterStatus::Active as u8
    );
}

#[test]
fn starting_a_liquidation_is_projected_as_the_program_decides() {
    let mut env = Env::new();
    let series = crate::liquidation::call_series(&mut env);
    let (victim, _) = crate::liquidation::writer_at_im(&mut env, &series, 10_000);
    let keeper = crate::liquidation::bidder(&mut env);
    let caller = keeper.owner.pubkey();
    let (target, tip_account) = (victim.account, keeper.account);
    let plan = |env: &mut Env| {
        env.with_flow(|chain, cx| {
            greekhouse_sdk::liquidation::start_liquidation(chain, cx, caller, target, tip_account)
        })
        .unwrap()
    };

    // at initial margin: the projection and the program refuse it alike
    let healthy = plan(&mut env);
    assert!(!healthy.liquidatable);
    let code = same_refusal::<(), _>(
        Err(healthy.refusal.expect("a refusal")),
        env.start_liquidation(&keeper, &target),
    );
    assert_eq!(code, harness::code(E::NotLiquidatable));

    // below maintenance: both start it, with the projected tip
    crate::liquidation::rally_until_liquidatable(&mut env, &target);
    let crashed = plan(&mut env);
    assert!(crashed.liquidatable, "{:?}", crashed.refusal);
    let out = env
        .chain
        .send(&crashed.instructions, &[&keeper.owner])
        .unwrap();
    assert_eq!(event::<LiquidationStarted>(&out).tip, crashed.tip);
}

#[test]
fn option_deposits_and_margin_checks_are_projected_byte_for_byte() {
    use greekhouse::events::MarginWarning;
    use greekhouse::state::MarginStatus;
    use greekhouse_sdk::writer_flows;
    let mut env = Env::new();
    let series = crate::liquidation::call_series(&mut env);
    let (w, _) = crate::liquidation::writer_at_im(&mut env, &series, 10_000);
    let (owner, account) = (w.owner.pubkey(), w.account);
    let ata = env.option_ata(&owner, &series);

    // a token back nets the writer's own short: the account the program leaves
    let checked = env
        .with_flow(|chain, _| writer_flows::deposit_options(chain, account, owner, series, ata, 1))
        .unwrap();
    assert!(checked.refusal.is_none(), "{:?}", checked.refusal);
    env.send_ix(checked.instruction.clone(), &[&w.owner])
        .unwrap();
    assert_same(
        &env.writer_state(&account),
        checked.account_after.as_ref().unwrap(),
    );
    let checked = env
        .with_flow(|chain, _| writer_flows::deposit_options(chain, account, owner, series, ata, 0))
        .unwrap();
    let code = same_refusal(
        checked.refusal.map_or(Ok(()), Err),
        env.send_ix(checked.instruction, &[&w.owner]),
    );
    assert_eq!(code, harness::code(E::ZeroAmount));

    // a rally below the warning level: the check the SDK projects is the one that lands
    let warning_bps = env.clearinghouse().params.margin_warning_bps;
    let status = |env: &mut Env| {
        let m = env.margin_of(&account);
        greekhouse::engine::actions::margin_status::status_of(&m, warning_bps).unwrap()
    };
    while status(&mut env) == MarginStatus::Healthy {
        let next = env.sol_price + env.sol_price / 100;
        env.move_sol(next);
    }
    let (ix, check) = env
        .with_flow(|chain, cx| flows::check_margin(chain, cx, account))
        .unwrap();
    assert!(check.changed());
    let out = env.send_ix(ix, &[]).unwrap();
    let e: MarginWarning = event(&out);
    assert_eq!(
        (
            e.status_before,
            e.status_after,
            e.warning_equity,
            e.maintenance_equity,
            e.initial_equity
        ),
        (
            check.before as u8,
            check.after as u8,
            check.warning_equity,
            check.maintenance_equity,
            check.initial_equity
        )
    );
    assert_eq!(env.writer_state(&account).margin_status, check.after as u8);
}
