//! One simulated run: a world on the embedded bank (the real program), a population of writers
//! with books near initial margin, a staked insurance fund, liquidator bots with latency and
//! limited capital, a price path, a vol surface that reacts to it within the updater's limits,
//! and every expiry settled, finalized and redeemed. Every action is a transaction.

use greekhouse::engine::convert;
use greekhouse::state::{SeriesStatus, StoredVolSurface, WriterStatus};
use greekhouse_liquidator::{bot_for_scenario, Bot, HealthMemo, MemoryLog};
use greekhouse_risk::Fixed;
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::ix;
use greekhouse_testkit::scenario::{expiry_after, Env, Staker, Writer, LAMPORTS_PER_SOL, USDC};
use serde::Serialize;
use solana_signer::Signer;

use super::config::{Scenario, Study};
use super::paths::{path, Rng};

const PYTH: f64 = 100_000_000.0;

/// What one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub scenario: String,
    pub seed: u64,
    /// SOL price at every step (dollars).
    pub prices: Vec<f64>,
    /// Insurance fund balance at every step, settlement steps after the horizon included (USDC).
    pub fund: Vec<f64>,
    /// Steps at which a liquidation started.
    pub liquidation_steps: Vec<usize>,
    pub liquidations: u64,
    pub slices: u64,
    /// Discount of every slice bought.
    pub discounts: Vec<f64>,
    pub fund_start: f64,
    pub fund_min: f64,
    pub fund_end: f64,
    /// The fund fell to (nearly) nothing at some step.
    pub fund_exhausted: bool,
    /// Paid by the fund to bidders and to series (USDC).
    pub fund_paid: f64,
    pub bankruptcies: u64,
    pub backstop_raised: f64,
    /// Holders' loss: sum over series of `(payout - payout_final) * outstanding` (USDC).
    pub bad_debt: f64,
    /// Haircut of every series that had one (name, bps).
    pub haircuts: Vec<(String, u32)>,
    /// Capital the same books need at the start (USDC): Greekhouse IM, Opyn naked, Zeta IM.
    pub capital_greekhouse: f64,
    pub capital_opyn: f64,
    pub capital_zeta: f64,
    pub transactions: u64,
}

fn usd(native: u64) -> f64 {
    native as f64 / USDC as f64
}

/// The vol updater's reaction to a move: ATM vols scaled by the size of the return, within
/// 90 % of the underlying's step limit.
fn react(surface: &StoredVolSurface, ret: f64, max_change_bps: u32) -> StoredVolSurface {
    let c = max_change_bps as f64 / 10_000.0 * 0.9;
    let factor = (1.0 + 4.0 * (ret.abs() - 0.005)).clamp(1.0 - c, 1.0 + c);
    let mut s = *surface;
    for v in s.atm_vol_bps.iter_mut().take(s.tenor_count as usize) {
        *v = ((*v as f64 * factor) as u32).clamp(2_000, 40_000);
    }
    s
}

/// Series names for the report.
fn name(kind: u8, strike: u64, expiry_day: i64) -> String {
    format!(
        "{} {} d{}",
        if kind == 0 { "call" } else { "put" },
        strike,
        expiry_day
    )
}

pub fn run(
    study: &Study,
    scenario: &Scenario,
    seed: u64,
    progress: &mut dyn FnMut(usize, usize),
) -> anyhow::Result<RunResult> {
    let err = |what: &'static str| {
        move |e: greekhouse_sdk::chain::ChainError| anyhow::anyhow!("{what}: {e}")
    };
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut env = Env::new_seeded(seed);
    env.chain.set_quiet(true);
    let start = env.now();

    // series: two expiries, strikes around the spot, calls and puts
    let expiries = [expiry_after(start, 2), expiry_after(start, 5)];
    let mut series = Vec::new();
    let sol = env.sol;
    for e in expiries {
        for kind in [0u8, 1] {
            for strike in [130u64, 150, 170] {
                let key = env
                    .create_series(sol, kind, strike * USDC, e)
                    .map_err(err("create_series"))?;
                series.push((key, name(kind, strike, (e - start) / 86_400)));
            }
        }
    }

    // writers near initial margin
    let mut writers: Vec<Writer> = Vec::new();
    for _ in 0..study.writers {
        let span = (study.writer_quote_max - study.writer_quote_min) as f64;
        let dollars = study.writer_quote_min + (rng.uniform() * span) as u64;
        let w = if rng.uniform() < study.sol_collateral_share {
            let lamports = dollars * LAMPORTS_PER_SOL / 150;
            let w = env.writer(50 * USDC, lamports);
            env.deposit_sol(&w, lamports).map_err(err("deposit"))?;
            env.deposit_quote(&w, 50 * USDC).map_err(err("deposit"))?;
            w
        } else {
            let w = env.writer(dollars * USDC, 0);
            env.deposit_quote(&w, dollars * USDC)
                .map_err(err("deposit"))?;
            w
        };
        for j in 0..3usize {
            let (s, _) = series[(rng.next_u64() % series.len() as u64) as usize];
            let max = env.max_writable(&w, &s);
            let n = (max as f64 * study.book_fill / (3 - j) as f64) as u64;
            if n > 0 {
                let _ = env.write(&w, &s, n);
            }
        }
        writers.push(w);
    }

    // the capital the same books need elsewhere
    let (mut cap_g, mut cap_o, mut cap_z) = (0.0, 0.0, 0.0);
    let now = env.now();
    for w in &writers {
        let m = env.margin_of(&w.account);
        cap_g += m.initial.requirement.raw() as f64 / 1e12 / USDC as f64;
        // Zeta: the mark (the same liability) plus its margin on top; Opyn: naked collateral
        cap_z += m.liability.raw() as f64 / 1e12 / USDC as f64;
        let state = env.writer_state(&w.account);
        let spot = Fixed::from_int(150 * USDC as i64);
        let params = env.clearinghouse().params;
        for p in state.positions.iter().filter(|p| p.contracts > 0) {
            if let Ok(pos) = convert::position(p, 0, now, params.min_time_to_expiry_secs) {
                if let Ok(peers) = crate::compare::position_peers(&pos, spot) {
                    cap_o += peers.opyn_naked.raw() as f64 / 1e12 / USDC as f64;
                    cap_z += peers.zeta_initial_margin.raw() as f64 / 1e12 / USDC as f64;
                }
            }
        }
    }

    // the fund and the bots
    let staker: Staker = env.staker(study.fund_stake * USDC + 1);
    if study.fund_stake > 0 {
        env.stake(&staker, study.fund_stake * USDC)
            .map_err(err("stake"))?;
    }
    let mut bots: Vec<(Bot, u32)> = Vec::new();
    for spec in &study.bots {
        let b = env.writer(spec.capital * USDC, 0);
        env.deposit_quote(&b, spec.capital * USDC)
            .map_err(err("deposit"))?;
        let mut bot = bot_for_scenario(&env, &b);
        bot.strategy.hurdle_bps = spec.hurdle_bps;
        bot.limits.max_fraction_per_bid = spec.max_fraction_per_bid;
        bots.push((bot, spec.latency_steps));
    }
    let investor = env.staker(10_000_000 * USDC);

    let step_secs = study.step_minutes as i64 * 60;
    let steps = (study.days as i64 * 86_400 / step_secs) as usize;
    let first_expiry_hours = (expiries[0] - start) as f64 / 3_600.0;
    let prices = path(
        &scenario.path,
        150.0,
        steps,
        step_secs as f64 / 3_600.0,
        first_expiry_hours,
        &mut rng,
    );
    let fund_start = usd(env.insurance_fund().balance);
    let mut fund = vec![fund_start];
    let mut log = MemoryLog::default();
    // one margin per account per step, shared by the bots (prices and surface are set first)
    let mut memo = HealthMemo::default();
    let mut liquidation_steps = Vec::new();
    let max_change = env.underlying(&sol.key).surface_max_change_bps;
    // horizon, then up to four more days of hourly cranks until every series is finalized
    let extra = (4 * 86_400 / step_secs) as usize;
    for i in 1..=steps + extra {
        env.advance(step_secs);
        let price = prices[i.min(steps)];
        let ret = price / prices[(i - 1).min(steps)] - 1.0;
        env.move_sol((price * PYTH) as i64);
        let surface = react(&env.underlying(&sol.key).surface, ret, max_change);
        let updater = env.vol_updater.insecure_clone();
        let _ = env.chain.send(
            &[ix::set_vol_surface(sol.key, updater.pubkey(), surface)],
            &[&updater],
        );
        let before = log.0.len();
        memo.clear();
        for (bot, latency) in bots.iter_mut() {
            if (i as u32).is_multiple_of(*latency) {
                bot.tick_shared(&mut env.chain, &mut log, &mut memo);
            }
        }
        if log.0[before..]
            .iter()
            .any(|(e, _)| e == "liquidation_started")
        {
            liquidation_steps.push(i.min(steps));
        }
        // outside capital buys a backstop once its price has fallen halfway
        let now = env.now();
        for (s, _) in &series {
            let st = env.series_state(s);
            let window = env.clearinghouse().params.settlement.backstop_window_secs as i64;
            if st.backstop_start != 0
                && st.status == SeriesStatus::Settled as u8
                && now >= st.backstop_start + window / 2
                && now <= st.backstop_start + window
            {
                let gap = (st.outstanding() * st.payout_per_contract)
                    .saturating_sub(st.settlement_ledger);
                if gap > 0 {
                    let _ = env.buy_backstop(&investor, s, gap, u64::MAX);
                }
            }
        }
        fund.push(usd(env.insurance_fund().balance));
        progress(i, steps + extra);
        if i > steps
            && series
                .iter()
                .all(|(s, _)| env.series_state(s).status == SeriesStatus::Finalized as u8)
        {
            break;
        }
    }

    // holders redeem
    for w in &writers {
        for (s, _) in &series {
            let held = env.option_balance(&w.owner.pubkey(), s);
            if held > 0 && env.series_state(s).status == SeriesStatus::Finalized as u8 {
                let _ = env.redeem(&w.owner, &w.quote_ata, s, held);
            }
        }
    }

    // the price path as run: held at its last value after the horizon
    let mut prices = prices;
    let last = *prices.last().unwrap_or(&150.0);
    prices.resize(fund.len(), last);
    let f = env.insurance_fund();
    let fund_min = fund.iter().cloned().fold(f64::INFINITY, f64::min);
    let mut haircuts = Vec::new();
    let (mut bad_debt, mut backstop) = (0.0, 0.0);
    for (s, n) in &series {
        let st = env.series_state(s);
        backstop += usd(st.backstop_raised);
        if st.haircut_bps > 0 {
            haircuts.push((n.clone(), st.haircut_bps));
            bad_debt += usd((st.payout_per_contract - st.payout_final) * st.open_interest);
        }
    }
    let bankruptcies = writers
        .iter()
        .filter(|w| env.writer_state(&w.account).status == WriterStatus::Bankrupt as u8)
        .count() as u64;
    let discounts: Vec<f64> = log
        .0
        .iter()
        .filter(|(e, _)| e == "bid_won")
        .filter_map(|(_, v)| v["discount"].as_f64())
        .collect();
    Ok(RunResult {
        scenario: scenario.name.clone(),
        seed,
        prices,
        fund_start,
        fund_min,
        fund_end: usd(f.balance),
        fund_exhausted: fund_start > 0.0 && fund_min <= fund_start * 0.01,
        fund,
        liquidation_steps,
        liquidations: bots.iter().map(|(b, _)| b.counters.started).sum(),
        slices: discounts.len() as u64,
        discounts,
        fund_paid: usd(f.paid_to_bidders_total + f.paid_to_series_total),
        bankruptcies,
        backstop_raised: backstop,
        bad_debt,
        haircuts,
        capital_greekhouse: cap_g,
        capital_opyn: cap_o,
        capital_zeta: cap_z,
        transactions: env.chain.transactions_sent(),
    })
}
