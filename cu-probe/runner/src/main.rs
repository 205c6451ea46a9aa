//! Host side of the compute-unit probe: loads the sBPF probe into LiteSVM, runs every case,
//! checks the probe's return data against the same code run natively, and prints compute units.
//!
//! Usage: greekhouse-cu-runner [--no-stack-gaps] [PATH_TO_PROBE_SO]
//! The last line printed is machine-readable: `cu option=<units> margin16=<units>` followed by
//! more `key=<units>` pairs (`slice`, `bid_max`, `tip`, `stake`, `unstake`, `margin_pair16`,
//! `margin_pair_bidder`, `margin16_longs`, `american_put`; `NA` where a case could not be measured).

#[path = "../../src/cases.rs"]
#[allow(dead_code)]
mod cases;
#[path = "../../src/fixture.rs"]
#[allow(dead_code)]
mod fixture;

use cases::{Meter, Out};
use litesvm::LiteSVM;
use solana_address::Address;
use solana_compute_budget::compute_budget::ComputeBudget;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signer::Signer;
use solana_transaction::Transaction;
use std::panic::{self, AssertUnwindSafe};

const OPTION_BAR: u64 = 5_000;
const MARGIN_BAR: u64 = 100_000;

struct NoMeter;
impl Meter for NoMeter {
    fn mark(&self) {}
}

/// One invocation of the probe.
struct Run {
    /// `compute_units_consumed` of the whole transaction (one instruction: the probe).
    total: u64,
    /// "units remaining" at each `sol_log_compute_units`, in order.
    marks: Vec<u64>,
    return_data: Vec<u8>,
    error: Option<String>,
    logs: Vec<String>,
}

impl Run {
    /// Consumption between marks `i` and `i + 1`.
    fn span(&self, i: usize) -> Option<u64> {
        self.marks.get(i)?.checked_sub(*self.marks.get(i + 1)?)
    }
}

struct Probe {
    svm: LiteSVM,
    program: Address,
    payer: Keypair,
}

impl Probe {
    /// `stack_gaps`: keep the 4 KiB gaps between stack frames that mainnet still has for
    /// SBPFv0 programs (the default). The upstream-LLVM route passes arguments beyond the fifth
    /// register just above the caller's frame pointer, which lands in such a gap; for a probe
    /// that does so the runner falls back to `virtual_address_space_adjustments` (contiguous
    /// frames). The compute-unit meter counts instructions and syscalls only, so the choice
    /// does not change any figure.
    fn new(so: &str, stack_gaps: bool) -> Result<Self, String> {
        let budget = ComputeBudget {
            compute_unit_limit: 1_400_000,
            ..ComputeBudget::new_with_defaults(false)
        };
        let mut features = LiteSVM::mainnet_feature_set();
        if !stack_gaps {
            features.activate(
                &agave_feature_set::virtual_address_space_adjustments::id(),
                0,
            );
        }
        let mut svm = LiteSVM::default()
            .with_feature_set(features)
            .with_builtins()
            .with_lamports(1_000_000_000_000_000)
            .with_sysvars()
            .with_feature_accounts()
            .with_compute_budget(budget);
        let program = Address::new_from_array([7; 32]);
        let bytes = std::fs::read(so).map_err(|e| format!("cannot read {so}: {e}"))?;
        svm.add_program(program, &bytes)
            .map_err(|e| format!("LiteSVM rejected {so}: {e:?}"))?;
        let payer = Keypair::new();
        svm.airdrop(&payer.pubkey(), 1_000_000_000)
            .map_err(|e| format!("airdrop: {e:?}"))?;
        Ok(Probe {
            svm,
            program,
            payer,
        })
    }

    fn run(&self, case: u8, arg: u8) -> Run {
        let ix = Instruction {
            program_id: self.program,
            accounts: vec![],
            data: vec![case, arg],
        };
        let tx = Transaction::new(
            &[&self.payer],
            Message::new(&[ix], Some(&self.payer.pubkey())),
            self.svm.latest_blockhash(),
        );
        let (meta, error) = match self.svm.simulate_transaction(tx) {
            Ok(info) => (info.meta, None),
            Err(failed) => (failed.meta, Some(format!("{:?}", failed.err))),
        };
        let marks = meta
            .logs
            .iter()
            .filter_map(|l| {
                l.strip_prefix("Program log: ")
                    .unwrap_or(l)
                    .strip_prefix("Program consumption: ")?
                    .strip_suffix(" units remaining")?
                    .parse()
                    .ok()
            })
            .collect();
        Run {
            total: meta.compute_units_consumed,
            marks,
            return_data: meta.return_data.data.clone(),
            error,
            logs: meta.logs,
        }
    }
}

/// The return data the probe should produce, computed natively by the same code.
fn native(case: u8, arg: u8) -> Result<Vec<u8>, String> {
    let prev = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let r = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut out = Out::new();
        cases::run(case, arg, &NoMeter, &mut out);
        out.buf[..out.len].to_vec()
    }));
    panic::set_hook(prev);
    r.map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into())
    })
}

/// A measured case: bracket cost (marks 0..1 minus the empty bracket) and total minus empty.
struct Measured {
    bracket: Option<u64>,
    whole: u64,
    ok: bool,
}

/// Whether the probe ran and returned exactly what the native run returns; else why not.
fn check(what: &str, run: &Run, native: &Result<Vec<u8>, String>) -> Result<(), String> {
    if let Some(e) = &run.error {
        let mut msg = format!("{what}: the probe failed: {e}");
        for l in run
            .logs
            .iter()
            .filter(|l| l.contains("failed") || l.contains("anicked"))
        {
            msg += &format!("\n    | {l}");
        }
        if let Err(p) = native {
            msg += &format!("\n    natively: panicked: {p}");
        }
        return Err(msg);
    }
    match native {
        Ok(n) if *n == run.return_data => Ok(()),
        Ok(_) => Err(format!(
            "{what}: MISMATCH between the sBPF result and the native result (miscompile or builtin bug)"
        )),
        Err(p) => Err(format!("{what}: native run panicked ({p}) but the probe succeeded")),
    }
}

/// Prints each distinct failure once.
#[derive(Default)]
struct Failures(std::cell::RefCell<Vec<String>>);
impl Failures {
    fn note(&self, msg: String) {
        let key: String = msg.lines().skip(1).collect();
        let mut seen = self.0.borrow_mut();
        if key.is_empty() || !seen.contains(&key) {
            println!("  {msg}");
            seen.push(key);
        } else {
            println!(
                "  {} (same failure as above)",
                msg.lines().next().unwrap_or("")
            );
        }
    }
}

fn measure(
    p: &Probe,
    f: &Failures,
    what: &str,
    case: u8,
    arg: u8,
    empty: &Run,
    calib: u64,
) -> Measured {
    let run = p.run(case, arg);
    let checked = check(what, &run, &native(case, arg));
    let ok = checked.is_ok();
    if let Err(msg) = checked {
        f.note(msg);
    }
    Measured {
        bracket: if ok {
            run.span(0).map(|s| s.saturating_sub(calib))
        } else {
            None
        },
        whole: run.total.saturating_sub(empty.total),
        ok,
    }
}

fn fmt(v: Option<u64>) -> String {
    v.map_or("NA".into(), |v| v.to_string())
}

fn verdict(v: Option<u64>, bar: u64) -> &'static str {
    match v {
        None => "not measured",
        Some(v) if v * 2 <= bar => "meets goal (<= half the bar)",
        Some(v) if v <= bar => "meets bar",
        Some(_) => "MISSES BAR",
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut stack_gaps = !args.iter().any(|a| a == "--no-stack-gaps");
    let so = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../target/bpfel-unknown-none/release/libgreekhouse_cu_probe.so"
            )
            .into()
        });
    let load = |gaps: bool| match Probe::new(&so, gaps) {
        Ok(p) => p,
        Err(e) => {
            println!("runner: {e}");
            println!("cu option=NA margin16=NA");
            std::process::exit(2);
        }
    };
    let mut probe = load(stack_gaps);
    if stack_gaps {
        let faulting: Vec<&str> = [
            ("greeks", cases::CASE_GREEKS),
            ("margin16", cases::CASE_MARGIN16),
            ("vol16", cases::CASE_VOL16),
            ("breakdown", cases::CASE_BREAKDOWN),
        ]
        .into_iter()
        .filter(|&(_, c)| {
            probe
                .run(c, 0)
                .logs
                .iter()
                .any(|l| l.contains("Access violation in stack frame"))
        })
        .map(|(name, _)| name)
        .collect();
        if !faulting.is_empty() {
            println!(
                "WARNING: under mainnet's stack-frame gaps the probe faults in: {}. Some call passes more than \
                 5 registers of arguments (an i128 takes 2), which this compiler route puts on the stack \
                 above the frame. Measuring with contiguous frames instead (same CU).",
                faulting.join(", ")
            );
            stack_gaps = false;
            probe = load(false);
        }
    }

    // Baseline: entrypoint, dispatch, two back-to-back marks, empty return data.
    let empty = probe.run(cases::CASE_EMPTY, 0);
    if let Some(e) = &empty.error {
        println!(
            "runner: the empty invocation fails: {e}\n{}",
            empty.logs.join("\n")
        );
        println!("cu option=NA margin16=NA");
        std::process::exit(2);
    }
    let calib = empty.span(0).unwrap_or(0);
    println!("probe: {so}");
    println!(
        "VM: LiteSVM 0.16.0, mainnet feature set{}, compute_unit_limit 1,400,000",
        if stack_gaps {
            " (SBPFv0 stack-frame gaps, as on mainnet)"
        } else {
            " + virtual_address_space_adjustments (contiguous stack frames)"
        }
    );
    println!(
        "empty invocation: {} CU in all (entrypoint + dispatch + 2 x sol_log_compute_units + return data); empty bracket: {} CU",
        empty.total, calib
    );

    // Route self-test (128-bit integer builtins), independent of the risk crate.
    let failures = Failures::default();
    let f = &failures;
    let st = measure(
        &probe,
        f,
        "selftest",
        cases::CASE_SELFTEST,
        3,
        &empty,
        calib,
    );
    println!(
        "route self-test (i128 / % checked_mul on sBPF vs native): {}{}",
        if st.ok { "ok" } else { "FAILED" },
        st.bracket.map_or(String::new(), |b| format!(", {b} CU"))
    );

    let greeks = measure(&probe, f, "greeks", cases::CASE_GREEKS, 0, &empty, calib);
    let price = measure(&probe, f, "price", cases::CASE_PRICE, 0, &empty, calib);
    let margin = measure(
        &probe,
        f,
        "margin16",
        cases::CASE_MARGIN16,
        0,
        &empty,
        calib,
    );

    println!();
    println!(
        "{:<44} {:>10} {:>14} {:>9}  verdict",
        "case", "CU", "whole-empty", "bar"
    );
    let row = |name: &str, m: &Measured, bar: Option<u64>| {
        println!(
            "{:<44} {:>10} {:>14} {:>9}  {}",
            name,
            fmt(m.bracket),
            m.whole,
            bar.map_or("-".into(), |b| b.to_string()),
            bar.map_or("", |b| verdict(m.bracket, b))
        );
    };
    row("(a) bs::greeks, one option", &greeks, Some(OPTION_BAR));
    row("(a') bs::price, one option", &price, Some(OPTION_BAR));
    row(
        "(b) margin::account_margin, 16 positions",
        &margin,
        Some(MARGIN_BAR),
    );

    // Spread over the 16 fixture options (vol from the surface, outside the bracket).
    let mut per: Vec<u64> = Vec::new();
    for i in 0..16u8 {
        let m = measure(
            &probe,
            f,
            &format!("position {i} greeks"),
            cases::CASE_POSITION_GREEKS,
            i,
            &empty,
            calib,
        );
        if let Some(b) = m.bracket {
            per.push(b);
        }
    }
    if per.len() == 16 {
        let sum: u64 = per.iter().sum();
        println!(
            "bs::greeks over the 16 fixture options: min {} / mean {} / max {} CU",
            per.iter().min().unwrap(),
            sum / 16,
            per.iter().max().unwrap()
        );
    }
    let vol16 = measure(&probe, f, "vol16", cases::CASE_VOL16, 0, &empty, calib);
    let greeks16 = measure(
        &probe,
        f,
        "greeks16",
        cases::CASE_GREEKS16,
        0,
        &empty,
        calib,
    );
    if let (Some(v), Some(g), Some(m)) = (vol16.bracket, greeks16.bracket, margin.bracket) {
        println!(
            "for comparison: 16 x VolSurface::vol {} CU + 16 x bs::greeks {} CU = {} CU through the public API, against {} CU for the whole margin (which uses internal entry points and shares work between positions)",
            v,
            g,
            v + g,
            m
        );
    }

    // How the margin scales: positions are a prefix of the fixture (1..8 on SOL, 9..16 add BTC).
    let margin_n = |n: u8| {
        measure(
            &probe,
            f,
            &format!("margin over {n} positions"),
            cases::CASE_MARGIN_N,
            n,
            &empty,
            calib,
        )
        .bracket
    };
    let gap_n = |n: u8| {
        measure(
            &probe,
            f,
            &format!("expansion_gap over {n} positions"),
            cases::CASE_GAP_N,
            n,
            &empty,
            calib,
        )
        .bracket
    };
    let ns = [0u8, 1, 2, 4, 8, 9, 12, 16];
    let ms: Vec<Option<u64>> = ns.iter().map(|&n| margin_n(n)).collect();
    if ms.iter().all(Option::is_some) {
        let m: Vec<i64> = ms.iter().map(|v| v.unwrap() as i64).collect();
        println!();
        println!("margin scaling (account_margin over the first N fixture positions):");
        println!(
            "  {}",
            ns.iter()
                .zip(&m)
                .map(|(n, c)| format!("N={n}: {c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let slope = (m[4] - m[1]) as f64 / 7.0;
        let und = m[1] as f64 - m[0] as f64 - slope;
        println!(
            "  account overhead (config, collateral, levels; N=0): {} CU",
            m[0]
        );
        let cs: Vec<Option<u64>> = (0..=3u8)
            .map(|n| {
                measure(
                    &probe,
                    f,
                    &format!("margin with {n} collaterals"),
                    cases::CASE_COLLATERAL_N,
                    n,
                    &empty,
                    calib,
                )
                .bracket
            })
            .collect();
        if let [Some(c0), Some(c1), Some(c2), Some(c3)] = cs[..] {
            println!(
                "    of which: no position and no collateral {c0} CU; collaterals 1 / 2 / 3 add {} / {} / {} CU",
                c1 as i64 - c0 as i64,
                c2 as i64 - c1 as i64,
                c3 as i64 - c2 as i64
            );
        }
        println!("  per position (SOL, N=1..8 slope): {slope:.0} CU");
        println!("  per underlying (N=1 minus N=0 minus one position): {und:.0} CU");
        if let (Some(g1), Some(g8)) = (gap_n(1), gap_n(8)) {
            let gslope = (g8 as f64 - g1 as f64) / 7.0;
            println!(
                "  expansion_gap per position (10 full revaluations): {gslope:.0} CU; the margin revalues 4 (IM and MM, each at -h' and +h' with the vols shocked up), so one more revaluation + its accumulation ~ {:.0} CU",
                (gslope - slope) / 6.0
            );
        }
    }

    // Per-function breakdown.
    let bd = probe.run(cases::CASE_BREAKDOWN, 0);
    let bd_ok = match check("breakdown", &bd, &native(cases::CASE_BREAKDOWN, 0)) {
        Ok(()) => true,
        Err(msg) => {
            f.note(msg);
            false
        }
    };
    if bd_ok && bd.marks.len() == cases::BREAKDOWN_LABELS.len() + 2 {
        let cal = bd.span(0).unwrap_or(0);
        println!();
        println!("per-function breakdown (one call each, sol_log_compute_units brackets, {cal} CU bracket overhead subtracted):");
        for (i, label) in cases::BREAKDOWN_LABELS.iter().enumerate() {
            println!(
                "  {:<44} {:>8} CU",
                label,
                fmt(bd.span(i + 1).map(|s| s.saturating_sub(cal)))
            );
        }
    } else if !bd_ok {
        println!("per-function breakdown: not available");
    }

    // Liquidation and insurance-fund arithmetic, and the two margins a bid computes.
    let one = |what: &str, case: u8, arg: u8| measure(&probe, f, what, case, arg, &empty, calib);
    let slice = one("slice_settlement (solvent)", cases::CASE_SLICE, 0);
    let slice_fund = one("slice_settlement (insolvent)", cases::CASE_SLICE, 1);
    let bid_max = one("bid_max_fraction", cases::CASE_BID_MAX_FRACTION, 0);
    let tip = one("keeper_tip", cases::CASE_KEEPER_TIP, 0);
    let stake = one("shares_for_stake", cases::CASE_STAKE, 0);
    let unstake = one("unstake_payout", cases::CASE_UNSTAKE, 0);
    let pair16 = one("margin pair (16 + 16)", cases::CASE_MARGIN_PAIR, 0);
    let pair_small = one("margin pair (16 + bidder)", cases::CASE_MARGIN_PAIR, 1);
    let bidder = one("margin (bidder alone)", cases::CASE_MARGIN_PAIR, 2);
    let spreads16 = one("margin16 with longs", cases::CASE_MARGIN16_LONGS, 0);
    let american_put = one("american put", cases::CASE_AMERICAN_PUT, 0);
    println!();
    println!("liquidation and insurance fund (one call each):");
    for (name, m) in [
        ("auction::slice_settlement, bidder pays", &slice),
        ("auction::slice_settlement, fund pays", &slice_fund),
        ("auction::bid_max_fraction", &bid_max),
        ("auction::keeper_tip", &tip),
        ("FundShares::shares_for_stake", &stake),
        ("FundShares::unstake_payout", &unstake),
        ("account_margin x 2 (16 + 16 positions)", &pair16),
        ("account_margin x 2 (16 + 2-position bidder)", &pair_small),
        ("account_margin, 2-position bidder alone", &bidder),
        ("account_margin, 8 spreads (16 legs, 8 longs)", &spreads16),
        ("american::price, put (64-step tree)", &american_put),
    ] {
        println!("  {:<44} {:>8} CU", name, fmt(m.bracket));
    }

    println!();
    println!(
        "cu option={} margin16={} slice={} bid_max={} tip={} stake={} unstake={} margin_pair16={} margin_pair_bidder={} margin16_longs={} american_put={}",
        fmt(greeks.bracket),
        fmt(margin.bracket),
        fmt(slice.bracket),
        fmt(bid_max.bracket),
        fmt(tip.bracket),
        fmt(stake.bracket),
        fmt(unstake.bracket),
        fmt(pair16.bracket),
        fmt(pair_small.bracket),
        fmt(spreads16.bracket),
        fmt(american_put.bracket)
    );
    let _ = price;
}
