//! The liquidator bot (docs/liquidator.md) on the embedded bank: it liquidates a crashed
//! account back to the end level; two bots compete and the auction ends sooner; a bot with
//! little capital bids only what its initial margin allows; one tick starts several accounts
//! below maintenance at once, and a tick's bids, sent together, are sized so the bot's account
//! carries them all; it cranks an expiry through to finalization; a bad configuration is
//! refused with the field's name.
use crate::harness;
use crate::liquidation::{assert_books_balance, bidder, call_series, writer_at_im};
use harness::ext_market::*;
use harness::*;

use greekhouse::state::{SeriesStatus, WriterStatus};
use greekhouse_liquidator::{bot_for_scenario, Bot, Config, MemoryLog};

/// Tick every bot once a minute until `done` or `max` ticks; returns the ticks taken.
fn run_until(
    env: &mut Env,
    bots: &mut [Bot],
    max: u64,
    mut done: impl FnMut(&mut Env) -> bool,
) -> u64 {
    let mut log = MemoryLog::default();
    for t in 0..max {
        if done(env) {
            return t;
        }
        for b in bots.iter_mut() {
            b.tick(&mut env.chain, &mut log);
        }
        env.advance(60);
        env.publish_prices();
    }
    max
}

fn crashed_victim(env: &mut Env) -> Writer {
    let series = call_series(env);
    let (victim, _) = writer_at_im(env, &series, 10_000);
    env.move_sol_until_liquidatable(&victim.account, 100);
    victim
}

fn restored(env: &mut Env, victim: &Writer) -> bool {
    let s = env.writer_state(&victim.account);
    s.status == WriterStatus::Active as u8 && s.liquidation.start_time == 0
}

#[test]
fn the_bot_liquidates_a_crashed_account_back_to_the_end_level() {
    let mut env = Env::new();
    let victim = crashed_victim(&mut env);
    let b = bidder(&mut env);
    let mut bots = [bot_for_scenario(&env, &b)];
    let mut started = false;
    let ticks = run_until(&mut env, &mut bots, 200, |env| {
        let s = env.writer_state(&victim.account);
        started |= s.status == WriterStatus::Liquidating as u8;
        started && restored(env, &victim)
    });
    assert!(ticks < 200, "the auction never ended");
    let c = &bots[0].counters;
    assert_eq!(c.started, 1);
    assert!(c.bids_won >= 1 && c.ended == 1, "{c:?}");
    assert!(c.quote_earned > 0);
    assert!(!env.margin_of(&victim.account).end.equity.is_negative());
    assert_books_balance(&mut env);
}

#[test]
fn two_bots_compete_and_the_auction_ends_sooner() {
    let ticks = |bots: usize| {
        let mut env = Env::new();
        let victim = crashed_victim(&mut env);
        let mut all = Vec::new();
        for _ in 0..bots {
            let b = bidder(&mut env);
            let mut bot = bot_for_scenario(&env, &b);
            // each takes a quarter at most per tick and wants 3 % of the risk it takes
            bot.limits.max_fraction_per_bid = 0.25;
            bot.strategy.hurdle_bps = 300;
            all.push(bot);
        }
        let mut started = false;
        let t = run_until(&mut env, &mut all, 300, |env| {
            let s = env.writer_state(&victim.account);
            started |= s.status == WriterStatus::Liquidating as u8;
            started && restored(env, &victim)
        });
        assert_books_balance(&mut env);
        (
            t,
            all.iter().map(|b| b.counters.bids_won).collect::<Vec<_>>(),
        )
    };
    let (alone, won_alone) = ticks(1);
    let (pair, won_pair) = ticks(2);
    assert!(pair < alone, "two bots {pair} ticks, one bot {alone}");
    assert!(
        won_pair.iter().all(|&w| w > 0),
        "both bots won slices: {won_pair:?}"
    );
    assert!(won_alone[0] > 0);
}

#[test]
fn a_bot_with_little_capital_bids_only_what_its_initial_margin_allows() {
    let mut env = Env::new();
    let victim = crashed_victim(&mut env);
    let poor = env.writer(usd(800), 0);
    env.deposit_quote(&poor, usd(800)).unwrap();
    let mut bots = [bot_for_scenario(&env, &poor)];
    let mut log = MemoryLog::default();
    for _ in 0..30 {
        bots[0].tick(&mut env.chain, &mut log);
        env.advance(60);
        env.publish_prices();
    }
    let won: Vec<_> = log.0.iter().filter(|(e, _)| e == "bid_won").collect();
    assert!(
        !won.is_empty(),
        "the small bot bid nothing: {:?}",
        bots[0].counters
    );
    for (_, f) in &won {
        assert!(f["fraction"].as_f64().unwrap() < 1.0);
    }
    // its own account stands at IM after every slice it took
    assert!(!env.margin_of(&poor.account).initial.equity.is_negative());
    let _ = victim;
    assert_books_balance(&mut env);
}

/// Writers at IM on the same SOL calls, SOL raised until every one is below maintenance.
fn crashed_victims(env: &mut Env, n: usize) -> Vec<Writer> {
    let series = call_series(env);
    let victims: Vec<Writer> = (0..n)
        .map(|_| writer_at_im(env, &series, 10_000).0)
        .collect();
    for v in &victims {
        env.move_sol_until_liquidatable(&v.account, 100);
    }
    victims
}

#[test]
fn one_tick_starts_every_account_below_maintenance_and_the_counters_add_up() {
    let mut env = Env::new();
    let victims = crashed_victims(&mut env, 4);
    let b = bidder(&mut env);
    let mut bot = bot_for_scenario(&env, &b);
    let mut log = MemoryLog::default();
    // the starts go out together in the first tick
    bot.tick(&mut env.chain, &mut log);
    assert_eq!(bot.counters.started, 4, "{:?}", bot.counters);
    assert!(bot.counters.errors.is_empty(), "{:?}", bot.counters);
    for v in &victims {
        assert_eq!(
            env.writer_state(&v.account).status,
            WriterStatus::Liquidating as u8
        );
    }
    let started = log
        .0
        .iter()
        .filter(|(e, _)| e == "liquidation_started")
        .count();
    assert_eq!(started, 4);
    // then the bids on the four, then the ends
    let mut bots = [bot];
    let ticks = run_until(&mut env, &mut bots, 200, |env| {
        victims.iter().all(|v| restored(env, v))
    });
    assert!(
        ticks < 200,
        "the auctions never ended: {:?}",
        bots[0].counters
    );
    let c = &bots[0].counters;
    assert_eq!((c.started, c.ended, c.bids_lost), (4, 4, 0), "{c:?}");
    assert!(c.bids_won >= 4, "{c:?}");
    let won = log.0.iter().filter(|(e, _)| e == "bid_won").count() as u64;
    assert!(won <= c.bids_won);
    assert_books_balance(&mut env);
}

#[test]
fn bids_sent_together_are_sized_so_the_bots_account_carries_them_all() {
    // a bot with little capital and several auctions: each slice is sized on the account as
    // the earlier slices of the same tick leave it, so none is refused for the bidder's margin
    let mut env = Env::new();
    let victims = crashed_victims(&mut env, 3);
    let poor = env.writer(usd(1_500), 0);
    env.deposit_quote(&poor, usd(1_500)).unwrap();
    let mut bot = bot_for_scenario(&env, &poor);
    let mut log = MemoryLog::default();
    let mut most_in_a_tick = 0;
    for _ in 0..20 {
        let before = bot.counters.bids_won;
        bot.tick(&mut env.chain, &mut log);
        most_in_a_tick = most_in_a_tick.max(bot.counters.bids_won - before);
        assert!(
            !env.margin_of(&poor.account).initial.equity.is_negative(),
            "the bot's account stands at IM after every tick"
        );
        env.advance(60);
        env.publish_prices();
    }
    let c = &bot.counters;
    assert_eq!(c.started, 3, "{c:?}");
    assert!(most_in_a_tick >= 2, "several bids in one tick: {c:?}");
    assert_eq!(c.bids_lost, 0, "no bid refused for the bot's margin: {c:?}");
    let _ = victims;
    assert_books_balance(&mut env);
}

#[test]
fn a_warning_bot_reports_each_margin_crossing_once() {
    let mut env = Env::new();
    let series = call_series(&mut env);
    let (w, _) = writer_at_im(&mut env, &series, 10_000);
    let b = bidder(&mut env);
    let mut bot = bot_for_scenario(&env, &b);
    bot.strategy.warn = true;
    let mut log = MemoryLog::default();
    // healthy: nothing to send
    bot.tick(&mut env.chain, &mut log);
    assert_eq!(bot.counters.warnings, 0);
    // a rally in 1 % steps: each tick sees the crossing the program would store
    let mut seen = Vec::new();
    while env.writer_state(&w.account).status == WriterStatus::Active as u8 {
        let next = env.sol_price + env.sol_price / 100;
        env.move_sol(next);
        bot.tick(&mut env.chain, &mut log);
        let stored = env.writer_state(&w.account).margin_status;
        if seen.last() != Some(&stored) {
            seen.push(stored);
        }
    }
    // healthy, below the warning level, then liquidated: below maintenance the bot starts the
    // auction instead of reporting the breach
    assert_eq!(seen, [0, 1]);
    assert_eq!(bot.counters.warnings, 1, "{:?}", bot.counters);
    assert!(log.0.iter().any(|(e, _)| e == "margin_warning"));
    assert_eq!(bot.counters.started, 1);
}

#[test]
fn the_bot_cranks_an_expiry_to_finalization() {
    let mut env = Env::new();
    let series = call_series(&mut env);
    let (w, _) = writer_at_im(&mut env, &series, 10_000);
    let b = bidder(&mut env);
    let mut bots = [bot_for_scenario(&env, &b)];
    let expiry = env.series_state(&series).expiry;
    let now = env.now();
    env.advance(expiry - now + 5);
    env.publish_prices();
    let t = run_until(&mut env, &mut bots, 40, |env| {
        env.series_state(&series).status == SeriesStatus::Finalized as u8
    });
    assert!(t < 40, "the series was not finalized");
    assert_eq!(env.writer_state(&w.account).position_count(), 0);
    assert!(bots[0].counters.settlement_steps >= 4);
    assert_books_balance(&mut env);
}

#[test]
fn a_bad_configuration_names_its_field() {
    let good = r#"
clearinghouse = "11111111111111111111111111111111"
quote_mint = "11111111111111111111111111111111"
creator = "11111111111111111111111111111111"
keypair = "bot.json"
bidder_account = "11111111111111111111111111111111"
[limits]
max_fraction_per_bid = 0.5
[strategy]
hurdle_bps = 100
[backend]
kind = "rpc"
url = "http://127.0.0.1:8899"
"#;
    let cfg = Config::parse(good).unwrap();
    assert_eq!(cfg.limits.max_fraction_per_bid, 0.5);
    let bad_fraction = good.replace("0.5", "1.5");
    assert_eq!(
        Config::parse(&bad_fraction).unwrap_err().field,
        "limits.max_fraction_per_bid"
    );
    let bad_key = good.replace(
        "bidder_account = \"11111111111111111111111111111111\"",
        "bidder_account = \"not-a-key\"",
    );
    assert_eq!(Config::parse(&bad_key).unwrap_err().field, "bidder_account");
    let bad_url = good.replace("http://127.0.0.1:8899", "ftp://x");
    assert_eq!(Config::parse(&bad_url).unwrap_err().field, "backend.url");
    let unknown = format!("{good}\nsurprise = 1\n");
    assert!(Config::parse(&unknown).is_err());
}
