//! Host-side throughput of the risk engine, each case beside an f64 closed-form baseline
//! measured in the same run.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-risk cargo bench -p greekhouse-risk --bench risk
//! ```
//!
//! Cases: (a) price + Greeks of one option (`bs::greeks`), and price only (`bs::price`);
//! (b) the margin of a 16-position account over 2 underlyings with 3 collateral assets
//! (`margin::account_margin`); the liquidation and insurance-fund arithmetic (`slice_settlement`,
//! `bid_max_fraction`, `keeper_tip`, `shares_for_stake`, `unstake_payout`) and the two margins a
//! bid computes (the fixture and a 2-position bidder). After the criterion run a summary prints the mean time per call
//! of every case, the fixed-point / f64 ratio and the derived "option evaluations per second
//! per core" (goal >= 1,000,000). On Linux the times (criterion's too) are the benchmark
//! thread's CPU time, so a machine shared with other builds inflates them far less than
//! wall-clock time; the summary shows wall-clock beside them. The fixture is the sBPF compute-unit probe's own
//! `cu-probe/src/fixture.rs`, included by path, so both measure the same inputs.

use criterion::{Bencher, Criterion};
use greekhouse_risk::{
    auction, bs, margin, AccountRisk, BsInput, Fixed, Greeks, MarginConfig, MarginSummary,
    OptionKind, VolSurface,
};
use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};

// The fixture is the CU probe's own file, so both measure exactly the same inputs. On-chain
// units: quote = USDC in micro-units, spot and strike in quote native units per whole unit.
#[path = "../../../cu-probe/src/fixture.rs"]
mod fixture;

// ------------------------------------------------------------------------------------------
// f64 baseline: closed-form Black-Scholes with libm, and the same margin model in f64.
// ------------------------------------------------------------------------------------------

fn f(x: Fixed) -> f64 {
    x.raw() as f64 * 1e-12
}

#[derive(Clone, Copy, Debug, Default)]
struct GreeksF64 {
    price: f64,
    delta: f64,
    gamma: f64,
    vega: f64,
    theta: f64,
}

#[derive(Clone, Copy, Debug)]
struct BsF64 {
    put: bool,
    s: f64,
    k: f64,
    vol: f64,
    t: f64,
    r: f64,
}

impl From<&BsInput> for BsF64 {
    fn from(i: &BsInput) -> Self {
        BsF64 {
            put: i.kind == OptionKind::Put,
            s: f(i.spot),
            k: f(i.strike),
            vol: f(i.vol),
            t: f(i.time_years),
            r: f(i.rate),
        }
    }
}

const INV_SQRT_2: f64 = std::f64::consts::FRAC_1_SQRT_2;
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Standard normal cdf.
fn n_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * INV_SQRT_2)
}

fn n_pdf(x: f64) -> f64 {
    INV_SQRT_2PI * libm::exp(-0.5 * x * x)
}

fn bs_price_f64(o: &BsF64) -> f64 {
    if o.t <= 0.0 {
        return if o.put {
            (o.k - o.s).max(0.0)
        } else {
            (o.s - o.k).max(0.0)
        };
    }
    let sd = o.vol * libm::sqrt(o.t);
    let d1 = (libm::log(o.s / o.k) + (o.r + 0.5 * o.vol * o.vol) * o.t) / sd;
    let d2 = d1 - sd;
    let df_k = o.k * libm::exp(-o.r * o.t);
    if o.put {
        df_k * n_cdf(-d2) - o.s * n_cdf(-d1)
    } else {
        o.s * n_cdf(d1) - df_k * n_cdf(d2)
    }
}

fn bs_greeks_f64(o: &BsF64) -> GreeksF64 {
    if o.t <= 0.0 {
        let itm = if o.put { o.k > o.s } else { o.s > o.k };
        let delta = match (itm, o.put) {
            (false, _) => 0.0,
            (true, false) => 1.0,
            (true, true) => -1.0,
        };
        return GreeksF64 {
            price: bs_price_f64(o),
            delta,
            ..GreeksF64::default()
        };
    }
    let sqrt_t = libm::sqrt(o.t);
    let sd = o.vol * sqrt_t;
    let d1 = (libm::log(o.s / o.k) + (o.r + 0.5 * o.vol * o.vol) * o.t) / sd;
    let d2 = d1 - sd;
    let df_k = o.k * libm::exp(-o.r * o.t);
    let pdf1 = n_pdf(d1);
    let (nd1, nd2) = (n_cdf(d1), n_cdf(d2));
    let decay = -o.s * pdf1 * o.vol / (2.0 * sqrt_t);
    let gamma = pdf1 / (o.s * sd);
    let vega = o.s * pdf1 * sqrt_t;
    if o.put {
        GreeksF64 {
            price: df_k * (1.0 - nd2) - o.s * (1.0 - nd1),
            delta: nd1 - 1.0,
            gamma,
            vega,
            theta: decay + o.r * df_k * (1.0 - nd2),
        }
    } else {
        GreeksF64 {
            price: o.s * nd1 - df_k * nd2,
            delta: nd1,
            gamma,
            vega,
            theta: decay - o.r * df_k * nd2,
        }
    }
}

/// sigma(K, T): ATM vol interpolated linearly in total variance between tenors (flat outside),
/// times (1 + skew ln(K/S) + smile ln(K/S)^2), floored at min_vol.
fn surface_vol_f64(s: &VolSurface, k: f64, spot: f64, t: f64) -> f64 {
    let n = s.tenor_count as usize;
    let tenor = |i: usize| {
        (
            s.tenors[i].seconds as f64 / 31_536_000.0,
            f(s.tenors[i].atm_vol),
        )
    };
    let (t0, v0) = tenor(0);
    let (tn, vn) = tenor(n - 1);
    let atm = if t <= t0 {
        v0
    } else if t >= tn {
        vn
    } else {
        let mut atm = vn;
        for i in 1..n {
            let (ta, va) = tenor(i - 1);
            let (tb, vb) = tenor(i);
            if t <= tb {
                let w = (t - ta) / (tb - ta);
                let var = va * va * ta + w * (vb * vb * tb - va * va * ta);
                atm = libm::sqrt(var / t);
                break;
            }
        }
        atm
    };
    let m = libm::log(k / spot);
    (atm * (1.0 + f(s.skew) * m + f(s.smile) * m * m)).max(f(s.min_vol))
}

#[derive(Clone, Copy, Debug, Default)]
struct LevelF64 {
    addon: f64,
    requirement: f64,
    collateral_value: f64,
    equity: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct MarginF64 {
    liability: f64,
    initial: LevelF64,
    end: LevelF64,
    maintenance: LevelF64,
}

/// The margin model of `margin::account_margin` in f64: per underlying the short book's
/// liability and Greeks; per level (IM, MM) full revaluation at the two ends of the spot box
/// with every vol shocked up (relative, term-scaled), together with the linked collateral;
/// the per-contract floor; the cap (puts' strikes plus the linked collateral's MM credit when
/// it covers every call); then weighted collateral.
fn margin_f64(a: &AccountRisk<'_>, cfg: &MarginConfig) -> MarginF64 {
    let (mut liab, mut addon_im, mut addon_mm) = (0.0, 0.0, 0.0);
    let buffer_ = f(cfg.end_buffer);
    for (idx, u) in a.underlyings.iter().enumerate() {
        let s = f(u.spot);
        let r = f(u.rate);
        let pm = &u.params;
        let stale = (f(pm.stale_vol_per_hour) * u.surface_stale_secs as f64 / 3600.0)
            .min(f(pm.stale_vol_cap));
        let t_ref = pm.vol_ref_secs as f64 / 31_536_000.0;
        let mult =
            |v: f64, t: f64| 1.0 + v * (t_ref / t).powf(f(pm.vol_power)).min(f(pm.vol_term_cap));
        let h_im = (f(pm.initial.spot_shock) + f(u.conf) / s).min(0.99);
        let h_mm = (f(pm.maintenance.spot_shock) + f(u.conf) / s).min(0.99);
        let (v_im, v_mm) = (f(pm.initial.vol_shock), f(pm.maintenance.vol_shock));
        // linked collateral: credit at IM and MM, oracle value
        let (mut c_im, mut c_mm, mut c_or) = (0.0, 0.0, 0.0);
        for c in a
            .collaterals
            .iter()
            .filter(|c| c.linked_underlying == Some(idx as u8))
        {
            let adj = (f(c.price) - f(cfg.conf_multiplier) * f(c.conf)).max(0.0) * c.amount as f64;
            c_im += adj * f(c.init_weight);
            c_mm += adj * f(c.maint_weight);
            c_or += f(c.price) * c.amount as f64;
        }
        let (mut l, mut floor_base, mut payoff, mut call_q) = (0.0, 0.0, 0.0, 0.0);
        let mut reval = [0.0f64; 4];
        let mut any = c_or > 0.0;
        for p in a.positions.iter().filter(|p| p.underlying as usize == idx) {
            any = true;
            let q = p.contracts as f64 * f(p.contract_size);
            let k = f(p.strike);
            let t = f(p.time_years);
            let put = p.kind == OptionKind::Put;
            floor_base += if put { s.min(k) } else { s } * q;
            if put {
                payoff += k * q;
            } else {
                call_q += q;
            }
            let scen = [(-h_im, v_im), (h_im, v_im), (-h_mm, v_mm), (h_mm, v_mm)];
            if t <= 0.0 {
                let iv = |x: f64| {
                    if put {
                        (k - x).max(0.0)
                    } else {
                        (x - k).max(0.0)
                    }
                };
                l += iv(s) * q;
                for (j, &(ds, _)) in scen.iter().enumerate() {
                    reval[j] += iv(s * (1.0 + ds)) * q;
                }
                continue;
            }
            let vol = surface_vol_f64(&u.surface, k, s, t) * (1.0 + stale);
            l += bs_price_f64(&BsF64 {
                put,
                s,
                k,
                vol,
                t,
                r,
            }) * q;
            for (j, &(ds, v)) in scen.iter().enumerate() {
                let vol = vol * mult(v, t);
                reval[j] += bs_price_f64(&BsF64 {
                    put,
                    s: s * (1.0 + ds),
                    k,
                    vol,
                    t,
                    r,
                }) * q;
            }
        }
        if !any {
            continue;
        }
        let level = |h: f64, credit: f64, floor_pct: f64, j: usize| {
            let dn = reval[j] - l + credit * h;
            let up = reval[j + 1] - l - credit * h;
            dn.max(up).max(0.0).max(floor_pct * floor_base)
        };
        let mut mm = level(h_mm, c_mm, f(pm.maintenance.floor_pct), 2);
        let mut im = level(h_im, c_im, f(pm.initial.floor_pct), 0).max(mm);
        if call_q * s <= c_or {
            let cap = payoff + c_mm;
            l = l.min(cap);
            im = im.min(cap - l);
            mm = mm.min(cap - l);
        }
        liab += l;
        addon_im += im;
        addon_mm += mm;
    }
    let _ = buffer_;
    let buffer = f(cfg.end_buffer);
    let addon_end = addon_mm + buffer * (addon_im - addon_mm);
    let mut coll = [0.0f64; 3];
    for c in a.collaterals {
        let adj = (f(c.price) - f(cfg.conf_multiplier) * f(c.conf)).max(0.0) * c.amount as f64;
        let (wi, wm) = (f(c.init_weight), f(c.maint_weight));
        let we = wm - buffer * (wm - wi);
        for (slot, w) in coll.iter_mut().zip([wi, we, wm]) {
            *slot += adj * w;
        }
    }
    let quote = a.quote_balance as f64;
    let lvl = |addon: f64, cv: f64| {
        let requirement = liab + addon;
        let collateral_value = cv + quote;
        LevelF64 {
            addon,
            requirement,
            collateral_value,
            equity: collateral_value - requirement,
        }
    };
    MarginF64 {
        liability: liab,
        initial: lvl(addon_im, coll[0]),
        end: lvl(addon_end, coll[1]),
        maintenance: lvl(addon_mm, coll[2]),
    }
}

// ------------------------------------------------------------------------------------------
// Measurement
// ------------------------------------------------------------------------------------------

/// CPU time consumed by the calling thread (`CLOCK_THREAD_CPUTIME_ID`). Unlike wall-clock time
/// it does not count the time the thread waited for a core, so figures stay meaningful on a
/// machine shared with other builds.
#[cfg(target_os = "linux")]
fn thread_cpu_time() -> Duration {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: libc's clock_gettime (std links libc on Linux) writing into a valid timespec.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Every timed batch of every case (criterion's warm-up included): CPU time, wall time and
/// iterations.
struct Totals {
    name: &'static str,
    cpu: Duration,
    wall: Duration,
    iters: u64,
}

thread_local! {
    static TOTALS: RefCell<Vec<Totals>> = const { RefCell::new(Vec::new()) };
}

/// Times `routine` with criterion and records the totals for the summary. On Linux criterion is
/// handed the thread's CPU time (so its report is CPU time per call), elsewhere wall time.
fn timed<O>(b: &mut Bencher<'_>, name: &'static str, mut routine: impl FnMut() -> O) {
    b.iter_custom(|iters| {
        #[cfg(target_os = "linux")]
        let cpu0 = thread_cpu_time();
        let start = Instant::now();
        for _ in 0..iters {
            black_box(routine());
        }
        let wall = start.elapsed();
        #[cfg(target_os = "linux")]
        let cpu = thread_cpu_time() - cpu0;
        #[cfg(not(target_os = "linux"))]
        let cpu = wall;
        TOTALS.with(|t| {
            let mut t = t.borrow_mut();
            match t.iter_mut().find(|x| x.name == name) {
                Some(x) => {
                    x.cpu += cpu;
                    x.wall += wall;
                    x.iters += iters;
                }
                None => t.push(Totals {
                    name,
                    cpu,
                    wall,
                    iters,
                }),
            }
        });
        cpu
    });
}

/// (CPU ns, wall ns) per call.
fn ns_per_call(name: &str) -> Option<(f64, f64)> {
    TOTALS.with(|t| {
        t.borrow()
            .iter()
            .find(|x| x.name == name && x.iters > 0)
            .map(|x| {
                (
                    x.cpu.as_nanos() as f64 / x.iters as f64,
                    x.wall.as_nanos() as f64 / x.iters as f64,
                )
            })
    })
}

fn bench_option(c: &mut Criterion) {
    let input = fixture::OPTION;
    let input64 = BsF64::from(&input);
    let mut g = c.benchmark_group("option");
    g.bench_function("greeks/fixed", |b| {
        timed(b, "greeks/fixed", || bs::greeks(black_box(&input)))
    });
    g.bench_function("greeks/f64", |b| {
        timed(b, "greeks/f64", || bs_greeks_f64(black_box(&input64)))
    });
    g.bench_function("price/fixed", |b| {
        timed(b, "price/fixed", || bs::price(black_box(&input)))
    });
    g.bench_function("price/f64", |b| {
        timed(b, "price/f64", || bs_price_f64(black_box(&input64)))
    });
    g.finish();
}

fn bench_margin(c: &mut Criterion) {
    let account = fixture::account(
        &fixture::POSITIONS,
        &fixture::UNDERLYINGS,
        &fixture::COLLATERALS,
    );
    let config = fixture::CONFIG;
    let mut g = c.benchmark_group("margin16");
    g.bench_function("fixed", |b| {
        timed(b, "margin16/fixed", || {
            margin::account_margin(black_box(&account), black_box(&config))
        })
    });
    g.bench_function("f64", |b| {
        timed(b, "margin16/f64", || {
            margin_f64(black_box(&account), black_box(&config))
        })
    });
    // margin v3: 8 vertical spreads (8 longs), the grid, the allowance and the payoff cap
    let spreads = fixture::account(
        &fixture::POSITIONS_SPREADS,
        &fixture::UNDERLYINGS,
        &fixture::COLLATERALS,
    );
    g.bench_function("spreads", |b| {
        timed(b, "margin16/spreads", || {
            margin::account_margin(black_box(&spreads), black_box(&config))
        })
    });
    g.finish();
}

/// The liquidation and insurance-fund arithmetic on the fixture's inputs (no f64 baseline:
/// each is a handful of exact integer operations), and the two margins a bid computes.
fn bench_liquidation(c: &mut Criterion) {
    let mut g = c.benchmark_group("liquidation");
    for (name, inputs) in [
        ("slice_settlement/solvent", fixture::BID_SOLVENT),
        ("slice_settlement/insolvent", fixture::BID_INSOLVENT),
    ] {
        g.bench_function(name, |b| {
            timed(b, name, || {
                auction::slice_settlement(black_box(&inputs), black_box(fixture::BID_FRACTION))
            })
        });
    }
    g.bench_function("bid_max_fraction", |b| {
        timed(b, "bid_max_fraction", || {
            auction::bid_max_fraction(
                black_box(&fixture::BID_SOLVENT),
                black_box(fixture::EQUITY_END),
            )
        })
    });
    g.bench_function("keeper_tip", |b| {
        timed(b, "keeper_tip", || {
            auction::keeper_tip(
                black_box(fixture::BID_SOLVENT.addon_maintenance),
                black_box(fixture::TIP_RATE),
                black_box(&fixture::TIP_LIMITS),
            )
        })
    });
    g.bench_function("shares_for_stake", |b| {
        timed(b, "shares_for_stake", || {
            black_box(&fixture::FUND).shares_for_stake(black_box(fixture::STAKE))
        })
    });
    g.bench_function("unstake_payout", |b| {
        timed(b, "unstake_payout", || {
            black_box(&fixture::FUND).unstake_payout(
                black_box(fixture::UNSTAKE_SHARES),
                black_box(fixture::UNSTAKE_VALUE_AT_REQUEST),
            )
        })
    });
    let liquidated = fixture::account(
        &fixture::POSITIONS,
        &fixture::UNDERLYINGS,
        &fixture::COLLATERALS,
    );
    let bidder = fixture::account(
        &fixture::POSITIONS[..2],
        &fixture::UNDERLYINGS,
        &fixture::COLLATERALS[..1],
    );
    let config = fixture::CONFIG;
    g.bench_function("margin_pair_bidder", |b| {
        timed(b, "margin_pair_bidder", || {
            (
                margin::account_margin(black_box(&liquidated), black_box(&config)),
                margin::account_margin(black_box(&bidder), black_box(&config)),
            )
        })
    });
    g.finish();
}

/// Both implementations on the fixture, side by side, so the baseline is seen to compute the
/// same thing (f64 rounding and the fixed-point engine's conservative rounding differ slightly).
fn print_agreement() {
    let input = fixture::OPTION;
    let g: Result<Greeks, _> = bs::greeks(&input);
    let g64 = bs_greeks_f64(&BsF64::from(&input));
    println!("\nfixture check, option (a): fixed vs f64");
    match g {
        Ok(g) => {
            println!("  price {:>22} vs {:.6}", g.price.to_string(), g64.price);
            println!("  delta {:>22} vs {:.9}", g.delta.to_string(), g64.delta);
            println!(
                "  gamma {:>22.6e} vs {:.6e}",
                g.gamma.raw() as f64 * 1e-18,
                g64.gamma
            );
            println!("  vega  {:>22} vs {:.6}", g.vega.to_string(), g64.vega);
            println!("  theta {:>22} vs {:.6}", g.theta.to_string(), g64.theta);
        }
        Err(e) => println!("  bs::greeks failed: {e:?}"),
    }
    let account = fixture::account(
        &fixture::POSITIONS,
        &fixture::UNDERLYINGS,
        &fixture::COLLATERALS,
    );
    let m: Result<MarginSummary, _> = margin::account_margin(&account, &fixture::CONFIG);
    let m64 = margin_f64(&account, &fixture::CONFIG);
    println!("fixture check, margin (b), quote native units: fixed vs f64");
    match m {
        Ok(m) => {
            let usdc = |x: Fixed| x.raw() as f64 * 1e-12;
            println!(
                "  liability          {:>20.0} vs {:.0}",
                usdc(m.liability),
                m64.liability
            );
            for (name, l, l64) in [
                ("IM", m.initial, m64.initial),
                ("end", m.end, m64.end),
                ("MM", m.maintenance, m64.maintenance),
            ] {
                println!(
                    "  {name:<3} add-on         {:>20.0} vs {:.0}",
                    usdc(l.addon),
                    l64.addon
                );
                println!(
                    "  {name:<3} requirement    {:>20.0} vs {:.0}",
                    usdc(l.requirement),
                    l64.requirement
                );
                println!(
                    "  {name:<3} collateral     {:>20.0} vs {:.0}",
                    usdc(l.collateral_value),
                    l64.collateral_value
                );
                println!(
                    "  {name:<3} equity         {:>20.0} vs {:.0}",
                    usdc(l.equity),
                    l64.equity
                );
            }
        }
        Err(e) => println!("  account_margin failed: {e:?}"),
    }
}

fn summary() {
    const GOAL: f64 = 1_000_000.0;
    let row = |what: &str, fixed: &str, base: &str| {
        let (a, b) = (ns_per_call(fixed), ns_per_call(base));
        let show =
            |x: Option<(f64, f64)>| x.map_or("n/a".to_string(), |v| format!("{:.1} ns", v.0));
        let wall = |x: Option<(f64, f64)>| x.map_or("n/a".to_string(), |v| format!("{:.1}", v.1));
        let ratio = match (a, b) {
            (Some(a), Some(b)) if b.0 > 0.0 => format!("{:.1}x", a.0 / b.0),
            _ => "n/a".into(),
        };
        println!(
            "  {what:<34} {:>14} {:>14} {:>8}   {:>10} / {:<10}",
            show(a),
            show(b),
            ratio,
            wall(a),
            wall(b)
        );
    };
    println!("\n=== summary: mean per call over all timed batches of this run, one thread ===");
    println!(
        "  {:<34} {:>14} {:>14} {:>8}   wall ns (fixed / f64)",
        "case", "fixed-point", "f64 baseline", "ratio"
    );
    row(
        "(a) price + Greeks, one option",
        "greeks/fixed",
        "greeks/f64",
    );
    row("(a') price only, one option", "price/fixed", "price/f64");
    row("(b) margin, 16 positions", "margin16/fixed", "margin16/f64");
    println!("  (thread CPU time; wall-clock beside it: they differ when the machine is busy)");
    if let Some((ns, _)) = ns_per_call("greeks/fixed") {
        let per_sec = 1e9 / ns;
        println!(
            "  option evaluations (price + Greeks) per second per core: {:.0} (goal >= {:.0}: {})",
            per_sec,
            GOAL,
            if per_sec >= GOAL { "met" } else { "NOT met" }
        );
    }
    if let Some((ns, _)) = ns_per_call("margin16/fixed") {
        println!("  16-position margins per second per core: {:.0}", 1e9 / ns);
    }
    println!("\n  liquidation and insurance fund (fixed-point only):");
    for name in [
        "slice_settlement/solvent",
        "slice_settlement/insolvent",
        "bid_max_fraction",
        "keeper_tip",
        "shares_for_stake",
        "unstake_payout",
        "margin_pair_bidder",
    ] {
        if let Some((cpu, wall)) = ns_per_call(name) {
            println!("  {name:<34} {cpu:>11.1} ns   wall {wall:.1} ns");
        }
    }
}

/// User + system CPU time of this process, from /proc (Linux; `None` elsewhere).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ = 100 on Linux
}

fn main() {
    let (wall0, cpu0) = (Instant::now(), cpu_time());
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
        .configure_from_args();
    bench_option(&mut c);
    bench_margin(&mut c);
    bench_liquidation(&mut c);
    c.final_summary();
    print_agreement();
    summary();
    if let (Some(c0), Some(c1)) = (cpu0, cpu_time()) {
        let share = (c1 - c0).as_secs_f64() / wall0.elapsed().as_secs_f64();
        println!(
            "  CPU share of this process during the run: {:.0} % of one core{}",
            share * 100.0,
            if share < 0.9 {
                " (busy machine: wall-clock figures are inflated, CPU-time figures much less)"
            } else {
                ""
            }
        );
    }
}
