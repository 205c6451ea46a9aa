//! One simulated run: a world on the embedded bank (the real program), a population of writers
//! with books near initial margin, a staked insurance fund, liquidator bots with latency (in
//! seconds) and limited capital, a price path, an implied-vol process posted within the
//! updater's limits, and every expiry settled, finalized and redeemed. Every action is a
//! transaction; the fund's flows are read from the program's events.

use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use greekhouse::engine::actions::buy_backstop::quote_backstop;
use greekhouse::engine::convert;
use greekhouse::engine::settlement::shortfall;
use greekhouse::state::{OptionSeries, SeriesStatus, WriterStatus};
use greekhouse_liquidator::{bot_for_scenario, Bot, HealthMemo, MemoryLog};
use greekhouse_risk::bs::OptionKind;
use greekhouse_risk::Fixed;
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::events::GreekhouseEvent;
use greekhouse_sdk::ix;
use greekhouse_testkit::scenario::{
    expiry_after, Env, Staker, Writer, LAMPORTS_PER_SOL, SPL_TOKEN, USDC,
};
use serde::Serialize;
use solana_signer::Signer;

use super::config::{Scenario, Study};
use super::ledger::{FundFlows, Recorder};
use super::paths::{paths, Pair, Rng};
use super::population::{log_uniform, strike_for_delta};
use super::vol::{clipped, VolProcess};

const PYTH: f64 = 100_000_000.0;

/// What one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub scenario: String,
    pub seed: u64,
    /// SOL price at every step (dollars).
    pub prices: Vec<f64>,
    /// ATM vol of the surface's first tenor at every step (as posted and accepted).
    pub vols: Vec<f64>,
    /// BTC's price and ATM vol at every step.
    pub btc_prices: Vec<f64>,
    pub btc_vols: Vec<f64>,
    /// Insurance fund balance at every step, settlement steps after the horizon included (USDC).
    pub fund: Vec<f64>,
    /// Hours from the start of every entry of `prices`, `vols` and `fund`.
    pub hours: Vec<f64>,
    /// Steps at which a liquidation started.
    pub liquidation_steps: Vec<usize>,
    pub liquidations: u64,
    /// Bids the bots skipped (discount below their hurdle) and lost (refused by the program).
    pub bids_skipped: u64,
    pub bids_lost: u64,
    /// Largest discount of a skipped bid (what the hurdle turned down).
    pub skipped_discount_max: f64,
    /// Errors of the bots, by kind (`program:<code>`, `margin`, ...).
    pub bot_errors: std::collections::BTreeMap<String, u64>,
    /// Settlement crank steps the bots ran.
    pub settlement_steps: u64,
    /// Events of the bots' and the run's transactions, by name.
    pub event_counts: std::collections::BTreeMap<String, u64>,
    /// The fund's flows, from the program's events.
    pub flows: FundFlows,
    /// The same total from the fund account's counters (`paid_to_bidders_total +
    /// paid_to_series_total`): a check on the events.
    pub fund_paid_account: f64,
    pub fund_start: f64,
    pub fund_min: f64,
    pub fund_end: f64,
    /// The fund fell to (nearly) nothing at some step.
    pub fund_exhausted: bool,
    /// The first staker's return: the value of its shares at the end (fund balance and the
    /// writing fees not yet swept, shared over every share, backstop buyers' included) over
    /// its stake, minus one.
    pub stakers_return: f64,
    pub bankruptcies: u64,
    /// Holders' loss: sum over series of `(payout - payout_final) * outstanding` (USDC).
    pub bad_debt: f64,
    /// Haircut of every series that had one (name, bps).
    pub haircuts: Vec<(String, u32)>,
    /// Vol-surface updates the program refused (none expected: the updater clips).
    pub vol_updates_refused: u64,
    /// Capital the same books need at the start (USDC): Greekhouse IM, Opyn naked, Zeta IM.
    pub capital_greekhouse: f64,
    pub capital_opyn: f64,
    pub capital_zeta: f64,
    /// The bots' hedging: notional traded, its cost, and what their accounts could not pay.
    pub hedging: Hedging,
    /// The path's total shift by the hedges' price impact at the end (log, SOL and BTC).
    pub impact_log: [f64; 2],
    /// The backstop investor's refused purchases.
    pub backstop: Backstop,
    /// Premiums the holders paid the writers (USDC).
    pub premiums: f64,
    /// The clearing house's writing fee (bps of premium) the run was at.
    pub write_fee_bps: u32,
    pub transactions: u64,
}

fn usd(native: u64) -> f64 {
    native as f64 / USDC as f64
}

/// When each bot acts within a step of `step_secs`: at its latency, then twice, four times, ...
/// that delay, while inside the step; (offset, bot index), in time order.
pub fn schedule(latencies: &[u32], step_secs: i64) -> Vec<(i64, usize)> {
    let mut out = Vec::new();
    for (b, l) in latencies.iter().enumerate() {
        let mut t = (*l as i64).max(1);
        while t < step_secs {
            out.push((t, b));
            t *= 2;
        }
        if *l as i64 >= step_secs {
            // a bot slower than a step acts once, at the end of the step
            out.push((step_secs, b));
        }
    }
    out.sort();
    out
}

/// The bots' hedges over a run (USD).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Hedging {
    pub notional: f64,
    pub cost: f64,
    /// Costs a bot's account could not pay (the withdrawal was refused).
    pub unpaid: f64,
    pub bots_out_of_capital: u64,
}

/// The delta of an account's book per underlying (`keys`), in underlying units: its options'
/// (the SDK's margin, the engine's Greeks; a short call's is negative) plus the collateral
/// priced by that underlying.
fn book_delta(env: &mut Env, account: &Pubkey, keys: [Pubkey; 2]) -> [f64; 2] {
    let state = env.writer_state(account);
    if !state.positions.iter().any(|p| p.contracts > 0)
        && !state.collaterals.iter().any(|c| c.amount > 0)
    {
        return [0.0; 2];
    }
    let inputs = env.margin_inputs(state);
    let now = env.now();
    let mut out = [0.0; 2];
    if let Ok(m) = inputs.compute(
        &mut env.chain,
        now,
        greekhouse::oracle::PriceUse::RiskIncreasing,
    ) {
        for s in &m.underlyings[..m.underlying_count as usize] {
            if let Some((key, ..)) = inputs.underlyings.get(s.underlying as usize) {
                if let Some(u) = keys.iter().position(|k| k == key) {
                    out[u] += s.delta.raw() as f64 / 1e12;
                }
            }
        }
    }
    for c in state.collaterals.iter().filter(|c| c.amount > 0) {
        if let Some((_, asset)) = inputs.assets.iter().find(|(k, _)| *k == c.asset) {
            if let Some(u) = keys.iter().position(|k| *k == asset.price_underlying) {
                out[u] += c.amount as f64 / 10f64.powi(asset.decimals as i32);
            }
        }
    }
    out
}

/// The backstop investor's purchases the program refused (the price moved between its quote
/// and the purchase; none expected).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Backstop {
    pub refused: u64,
}

/// What the backstop investor buys of a settled series' shortfall now, and at what largest
/// price: the most, up to the shortfall, whose new shares are worth at least `1 +
/// backstop_required_return` times what it pays, valued at the fund's balance and unswept
/// writing fees over every share (its own included); `None` when not even one USDC is. Prices
/// and shares are the program's own (`quote_backstop`), found by bisection on the amount.
fn backstop_purchase(
    env: &mut Env,
    series: &OptionSeries,
    now: i64,
    study: &Study,
) -> Option<(u64, u64)> {
    let gap = shortfall(
        series.outstanding(),
        series.payout_per_contract,
        series.settlement_ledger,
    )
    .ok()?;
    if gap == 0 {
        return None;
    }
    let ch = env.clearinghouse();
    let fund = env.insurance_fund();
    let backing = (fund.balance + env.fees_accrued_total()) as f64;
    let demanded = 1.0 + study.backstop_required_return;
    // the investor's quote for `amount`: the program's price, and whether it pays
    let pays = |amount: u64| -> Option<(bool, u64)> {
        let q = quote_backstop(&ch, series, &fund, amount, u64::MAX, now).ok()?;
        let value = q.shares as f64 * backing / (fund.total_shares as f64 + q.shares as f64);
        Some((value >= demanded * q.amount as f64, q.price))
    };
    if let (true, price) = pays(gap)? {
        return Some((gap, price));
    }
    let (mut lo, mut hi) = (0u64, gap);
    while hi - lo > USDC {
        let mid = lo + (hi - lo) / 2;
        match pays(mid) {
            Some((true, _)) => lo = mid,
            _ => hi = mid,
        }
    }
    if lo < USDC {
        return None;
    }
    pays(lo).map(|(_, price)| (lo, price))
}

/// A listed series of the run.
struct Listed {
    key: Pubkey,
    name: String,
    kind: u8,
    /// 0: SOL, 1: BTC.
    underlying: usize,
}

const UNDERLYINGS: [&str; 2] = ["SOL", "BTC"];

/// Series names for the report.
fn name(underlying: &str, kind: u8, strike: u64, expiry_day: i64) -> String {
    format!(
        "{underlying} {} {} d{}",
        if kind == 0 { "call" } else { "put" },
        strike as f64 / USDC as f64,
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
    // the program's own stdout (natively, `msg!` prints) is silenced by the caller for the
    // whole parallel section: the bank's per-transaction silencer swaps fd 1 and is not
    // thread-safe
    let mut env = Env::new_seeded(seed);
    // transactions share slots (the program never reads the slot): a slot per transaction
    // would make the bank store its slot sysvars tens of thousands of times over a run
    env.chain.set_slot_per_transaction(false);
    let start = env.now();

    // series on SOL and on BTC: two expiries, a call and a put at each of the study's deltas
    // on the underlying's starting surface (strikes across the smile)
    let expiries = [expiry_after(start, 2), expiry_after(start, 5)];
    let mut series: Vec<Listed> = Vec::new();
    let (sol, btc) = (env.sol, env.btc);
    let spot0 = [env.sol_price as f64 / PYTH, env.btc_price as f64 / PYTH];
    for (u, fixture) in [sol, btc].into_iter().enumerate() {
        let surface = env.underlying(&fixture.key).surface;
        for e in expiries {
            let days = (e - start) as f64 / 86_400.0;
            for kind in [OptionKind::Call, OptionKind::Put] {
                let mut strikes: Vec<u64> = Vec::new();
                for d in &study.strike_deltas {
                    if let Some(k) = strike_for_delta(kind, spot0[u], *d, days, &surface) {
                        let k = (k * USDC as f64).round() as u64;
                        if !strikes.contains(&k) {
                            strikes.push(k);
                        }
                    }
                }
                for strike in strikes {
                    let key = env
                        .create_series(fixture, kind as u8, strike, e)
                        .map_err(err("create_series"))?;
                    series.push(Listed {
                        key,
                        name: name(UNDERLYINGS[u], kind as u8, strike, (e - start) / 86_400),
                        kind: kind as u8,
                        underlying: u,
                    });
                }
            }
        }
    }

    // holders: they buy what the writers write, at the program's mark, and redeem at the end
    let holders: Vec<Staker> = (0..study.holders)
        .map(|_| env.staker(1_000_000_000 * USDC))
        .collect();
    // writers near initial margin, on quote or on SOL linked to SOL (covered calls)
    let mut events: Vec<GreekhouseEvent> = Vec::new();
    let mut writers: Vec<Writer> = Vec::new();
    let mut premiums = 0u64;
    for _ in 0..study.writers {
        let value = log_uniform(
            &mut rng,
            study.writer_quote_min as f64,
            study.writer_quote_max as f64,
        );
        let linked = rng.uniform() < study.sol_collateral_share;
        // a quote writer writes one underlying's series
        let on = if !linked && rng.uniform() < study.btc_writer_share {
            1
        } else {
            0
        };
        let w = if linked {
            let quote = (value * study.linked_quote_buffer * USDC as f64) as u64;
            let lamports = (value * (1.0 - study.linked_quote_buffer) / 150.0
                * LAMPORTS_PER_SOL as f64) as u64;
            let w = env.writer(quote, lamports);
            if lamports > 0 {
                env.deposit_sol(&w, lamports).map_err(err("deposit"))?;
            }
            if quote > 0 {
                env.deposit_quote(&w, quote).map_err(err("deposit"))?;
            }
            w
        } else {
            let quote = (value * USDC as f64) as u64;
            let w = env.writer(quote, 0);
            env.deposit_quote(&w, quote).map_err(err("deposit"))?;
            w
        };
        let choices: Vec<&Listed> = series
            .iter()
            .filter(|s| s.underlying == on && (!linked || s.kind == OptionKind::Call as u8))
            .collect();
        let n_series = study.series_per_writer as usize;
        for j in 0..n_series {
            let s = choices[(rng.next_u64() % choices.len() as u64) as usize].key;
            let max = env.max_writable(&w, &s);
            let n = (max as f64 * study.book_fill / (n_series - j) as f64) as u64;
            if n == 0 {
                continue;
            }
            let holder = &holders[(rng.next_u64() % holders.len() as u64) as usize];
            let mint = env.series_state(&s).option_mint;
            let recipient = env
                .chain
                .token_account(&holder.owner.pubkey(), &mint, &SPL_TOKEN)
                .map_err(err("holder token account"))?;
            let before = env.margin_of(&w.account).liability;
            let Ok(out) = env.write_to(&w, &s, n, recipient) else {
                continue;
            };
            events.extend(out.events);
            // the holder pays the option's mark (the engine's liability the write added) and
            // the writer keeps it as collateral
            let after = env.margin_of(&w.account).liability;
            let premium = ((after.raw() - before.raw()).max(0) / 1_000_000_000_000) as u64;
            if premium > 0 {
                let pay = spl_token::instruction::transfer(
                    &SPL_TOKEN,
                    &holder.quote_ata,
                    &w.quote_ata,
                    &holder.owner.pubkey(),
                    &[],
                    premium,
                )
                .map_err(|e| anyhow::anyhow!("premium transfer: {e}"))?;
                env.chain
                    .send(&[pay], &[&holder.owner])
                    .map_err(err("premium"))?;
                env.deposit_quote(&w, premium).map_err(err("deposit"))?;
                premiums += premium;
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
        let params = env.clearinghouse().params;
        for p in state.positions.iter().filter(|p| p.contracts > 0) {
            let u = usize::from(p.underlying == btc.key);
            let spot = Fixed::from_int((spot0[u] * USDC as f64) as i64);
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
    let mut bots: Vec<Bot> = Vec::new();
    let mut bot_accounts: Vec<Writer> = Vec::new();
    for spec in &study.bots {
        let b = env.writer(spec.capital * USDC, 0);
        env.deposit_quote(&b, spec.capital * USDC)
            .map_err(err("deposit"))?;
        let mut bot = bot_for_scenario(&env, &b);
        bot.strategy.hurdle_bps = spec.hurdle_bps;
        bot.limits.max_fraction_per_bid = spec.max_fraction_per_bid;
        bots.push(bot);
        bot_accounts.push(b);
    }
    let investor = env.staker(10_000_000 * USDC);
    let mut backstop = Backstop::default();

    let step_secs = study.step_minutes as i64 * 60;
    let steps = (study.days as i64 * 86_400 / step_secs) as usize;
    let first_expiry_hours = (expiries[0] - start) as f64 / 3_600.0;
    let step_hours = step_secs as f64 / 3_600.0;
    let [path_prices, btc_path] = paths(
        &scenario.path,
        spot0,
        steps,
        step_hours,
        first_expiry_hours,
        &Pair {
            correlation: study.btc_correlation,
            ratio: study.btc_move_ratio,
        },
        &mut rng,
    );
    let fund_start = usd(env.insurance_fund().balance);
    let mut fund = vec![fund_start];
    let mut prices = vec![path_prices[0]];
    let mut hours = vec![0.0];
    // each underlying has its own implied-vol process and its own surface updates
    let mut vol_processes = [
        VolProcess::new(&study.vol, &env.underlying(&sol.key).surface),
        VolProcess::new(&study.vol, &env.underlying(&btc.key).surface),
    ];
    let mut vols = vec![env.underlying(&sol.key).surface.atm_vol_bps[0] as f64 / 10_000.0];
    let mut btc_prices = vec![btc_path[0]];
    let mut btc_vols = vec![env.underlying(&btc.key).surface.atm_vol_bps[0] as f64 / 10_000.0];
    let mut vol_updates_refused = 0u64;
    let mut log = MemoryLog::default();
    // healthy accounts, shared by the bots within a step (its price and surface stand still;
    // only the clock moves, by less than a step)
    let mut memo = HealthMemo::default();
    let mut liquidation_steps = Vec::new();
    let latencies: Vec<u32> = study.bots.iter().map(|b| b.latency_secs).collect();
    // the bots' hedges (off chain): the delta each has hedged per underlying, what hedging cost
    // them, and the path's shift by the hedges' price impact (log, per underlying)
    let mut hedged = vec![[0.0f64; 2]; bots.len()];
    let mut hedging = Hedging::default();
    let mut out_of_capital = vec![false; bots.len()];
    let mut impact_log = [0.0f64; 2];
    // after the horizon, hourly steps for at most four more days until every series is final
    let tail_secs = step_secs.max(3_600);
    let tail_steps = (4 * 86_400 / tail_secs) as usize;
    let write_fee_bps = env.clearinghouse().params.write_fee_bps;
    let (mut step_start, mut clock) = (env.now(), env.now());
    for i in 1..=steps + tail_steps {
        let len = if i <= steps { step_secs } else { tail_secs };
        let previous_start = step_start;
        step_start = clock.max(step_start + len);
        // this step's first price update straddles an expiry: it is the settlement price the
        // bots' crank posts at their first tick, so it stays the feed's update until then
        let mut hold_update = expiries
            .iter()
            .any(|e| previous_start < *e && *e <= step_start);
        env.advance(step_start - clock);
        clock = step_start;
        let price = path_prices[i.min(steps)] * impact_log[0].exp();
        let btc_price = btc_path[i.min(steps)] * impact_log[1].exp();
        let log_returns = [
            (price / prices[prices.len() - 1]).ln(),
            (btc_price / btc_prices[btc_prices.len() - 1]).ln(),
        ];
        env.btc_price = (btc_price * PYTH) as i64;
        // publishes both prices
        env.move_sol((price * PYTH) as i64);
        // the vol updater: each process's target, clipped to what the program accepts
        for (u, key) in [sol.key, btc.key].into_iter().enumerate() {
            let target = vol_processes[u].step(log_returns[u], len as f64 / 3_600.0);
            let current = env.underlying(&key);
            let surface = clipped(&current, &target, clock);
            let updater = env.vol_updater.insecure_clone();
            if env
                .chain
                .send(
                    &[ix::set_vol_surface(key, updater.pubkey(), surface)],
                    &[&updater],
                )
                .is_err()
            {
                vol_updates_refused += 1;
            }
        }
        let before = log.0.len();
        memo.clear();
        for (offset, b) in schedule(&latencies, len) {
            // the step's price and surface are out at `step_start`; a bot sees them `offset`
            // seconds later
            if step_start + offset > clock {
                env.advance(step_start + offset - clock);
                clock = step_start + offset;
                // the oracle keeps publishing (the step's price, fresh: liquidations refuse a
                // price older than the underlying's `liq_max_age_secs`)
                if !hold_update {
                    env.publish_prices();
                }
            }
            hold_update = false;
            let mut chain = Recorder {
                inner: &mut env.chain,
                events: &mut events,
            };
            bots[b].tick_shared(&mut chain, &mut log, &mut memo);
        }
        // each bot hedges the delta its book took on since its last hedge, pays for it out of
        // its bidding account (a withdrawal the program must allow: capital runs out), and its
        // net sales move the next prices by the study's impact
        let spots = [price, btc_price];
        let mut net_sold = [0.0f64; 2];
        for (k, bot_account) in bot_accounts.iter().enumerate() {
            let delta = book_delta(&mut env, &bot_account.account, [sol.key, btc.key]);
            let mut cost = 0.0;
            for u in 0..2 {
                let trade = delta[u] - hedged[k][u];
                let notional = trade.abs() * spots[u];
                let spec = &study.bots[k];
                // a bot rebalances once its unhedged delta is worth 1 % of its capital, not at
                // every tick of the price
                if notional < 0.01 * spec.capital as f64 {
                    continue;
                }
                let bps = spec.hedge_cost_bps + spec.slippage_bps_per_million * notional / 1e6;
                cost += notional * bps / 10_000.0;
                hedged[k][u] = delta[u];
                net_sold[u] += trade * spots[u];
                hedging.notional += notional;
            }
            if cost <= 0.0 {
                continue;
            }
            hedging.cost += cost;
            let native = (cost * USDC as f64).ceil() as u64;
            if env.withdraw_quote(bot_account, native).is_err() {
                hedging.unpaid += cost;
                if !out_of_capital[k] {
                    // no more hedges paid: the bot stops bidding (it still starts liquidations
                    // and cranks settlements, as any keeper may)
                    out_of_capital[k] = true;
                    bots[k].strategy.min_gain = i64::MAX;
                    hedging.bots_out_of_capital += 1;
                }
            }
        }
        for u in 0..2 {
            impact_log[u] -= study.price_impact_bps_per_million / 10_000.0 * net_sold[u] / 1e6;
        }
        if log.0[before..]
            .iter()
            .any(|(e, _)| e == "liquidation_started")
        {
            liquidation_steps.push(prices.len());
        }
        // outside capital buys a backstop once the auction's price gives it its demanded return
        let now = env.now();
        for Listed { key: s, .. } in &series {
            let st = env.series_state(s);
            if st.backstop_start == 0 || st.status != SeriesStatus::Settled as u8 {
                continue;
            }
            let Some((amount, price)) = backstop_purchase(&mut env, &st, now, study) else {
                continue;
            };
            match env.buy_backstop(&investor, s, amount, price) {
                Ok(out) => events.extend(out.events),
                Err(_) => backstop.refused += 1,
            }
        }
        prices.push(price);
        btc_prices.push(btc_price);
        btc_vols.push(env.underlying(&btc.key).surface.atm_vol_bps[0] as f64 / 10_000.0);
        vols.push(env.underlying(&sol.key).surface.atm_vol_bps[0] as f64 / 10_000.0);
        fund.push(usd(env.insurance_fund().balance));
        hours.push((step_start - start) as f64 / 3_600.0);
        progress(i, steps + tail_steps);
        if i > steps
            && series
                .iter()
                .all(|l| env.series_state(&l.key).status == SeriesStatus::Finalized as u8)
        {
            break;
        }
    }

    // holders redeem
    for h in &holders {
        for Listed { key: s, .. } in &series {
            let held = env.option_balance(&h.owner.pubkey(), s);
            if held > 0 && env.series_state(s).status == SeriesStatus::Finalized as u8 {
                if let Ok(out) = env.redeem(&h.owner, &h.quote_ata, s, held) {
                    events.extend(out.events);
                }
            }
        }
    }

    let f = env.insurance_fund();
    let fund_min = fund.iter().cloned().fold(f64::INFINITY, f64::min);
    let mut haircuts = Vec::new();
    let mut bad_debt = 0.0;
    for Listed {
        key: s, name: n, ..
    } in &series
    {
        let st = env.series_state(s);
        if st.haircut_bps > 0 {
            haircuts.push((n.clone(), st.haircut_bps));
            bad_debt += usd((st.payout_per_contract - st.payout_final) * st.open_interest);
        }
    }
    let bankruptcies = writers
        .iter()
        .filter(|w| env.writer_state(&w.account).status == WriterStatus::Bankrupt as u8)
        .count() as u64;
    let mut event_counts = std::collections::BTreeMap::new();
    for e in &events {
        *event_counts.entry(e.name().to_string()).or_insert(0u64) += 1;
    }
    let mut bot_errors = std::collections::BTreeMap::new();
    for b in &bots {
        for (k, n) in &b.counters.errors {
            *bot_errors.entry(k.clone()).or_insert(0u64) += n;
        }
    }
    let mut flows = FundFlows::default();
    flows.add(&events);
    let stake = env.insurance_stake(&staker);
    let stakers_return = if study.fund_stake > 0 && f.total_shares > 0 {
        let rebased = 10f64.powi(f.shares_base as i32 - stake.shares_base as i32);
        let shares = stake.shares as f64 / rebased;
        let value = (f.balance + env.fees_accrued_total()) as f64 * shares / f.total_shares as f64;
        value / (study.fund_stake * USDC) as f64 - 1.0
    } else {
        0.0
    };
    Ok(RunResult {
        scenario: scenario.name.clone(),
        seed,
        prices,
        vols,
        btc_prices,
        btc_vols,
        hours,
        fund_start,
        fund_min,
        fund_end: usd(f.balance),
        fund_exhausted: fund_start > 0.0 && fund_min <= fund_start * 0.01,
        fund,
        liquidation_steps,
        liquidations: bots.iter().map(|b| b.counters.started).sum(),
        bids_skipped: bots.iter().map(|b| b.counters.bids_skipped).sum(),
        bids_lost: bots.iter().map(|b| b.counters.bids_lost).sum(),
        skipped_discount_max: log
            .0
            .iter()
            .filter(|(e, _)| e == "bid_skipped")
            .filter_map(|(_, v)| v["discount"].as_f64())
            .fold(0.0, f64::max),
        bot_errors,
        settlement_steps: bots.iter().map(|b| b.counters.settlement_steps).sum(),
        event_counts,
        flows,
        fund_paid_account: usd(f.paid_to_bidders_total + f.paid_to_series_total),
        stakers_return,
        bankruptcies,
        bad_debt,
        haircuts,
        vol_updates_refused,
        capital_greekhouse: cap_g,
        capital_opyn: cap_o,
        capital_zeta: cap_z,
        premiums: usd(premiums),
        backstop,
        hedging,
        impact_log,
        write_fee_bps,
        transactions: env.chain.transactions_sent(),
    })
}

#[cfg(test)]
mod tests {
    use super::schedule;

    #[test]
    fn bots_act_at_their_latency_then_at_doubling_delays_within_the_step() {
        assert_eq!(
            schedule(&[5, 60], 600),
            vec![
                (5, 0),
                (10, 0),
                (20, 0),
                (40, 0),
                (60, 1),
                (80, 0),
                (120, 1),
                (160, 0),
                (240, 1),
                (320, 0),
                (480, 1)
            ]
        );
        // a bot slower than the step acts at its end
        assert_eq!(schedule(&[900], 600), vec![(600, 0)]);
    }
}
