//! The fuzzer's runner: seeds, case counts, coverage and the paths every run must reach.
use super::*;

/// Coverage summed over the cases of a run (a case adds its counts once it has ended).
pub(super) static COVERAGE: Mutex<BTreeMap<String, [u64; 2]>> = Mutex::new(BTreeMap::new());

pub(super) fn run_case(setup: &Setup, actions: &[Action]) {
    let mut world = World::new(setup);
    check_books(&mut world, "setup");
    world.log.push(format!("setup {setup:?}"));
    for (i, a) in actions.iter().enumerate() {
        let r = apply(&mut world, a);
        let what = format!("#{i} {a:?}");
        check_step(&mut world, &what, &r);
        check_books(&mut world, &what);
    }
    drive_to_end(&mut world);
    let mut total = COVERAGE.lock().unwrap_or_else(|e| e.into_inner());
    for (k, v) in world.cov {
        let t = total.entry(k).or_default();
        t[0] += v[0];
        t[1] += v[1];
    }
}

/// The default run: this many cases from [`DEFAULT_SEED`]; the coverage assertion holds for it
/// (and any larger run from the same seed, whose first cases are the same).
pub(super) const DEFAULT_CASES: u32 = 24;
// 2 since the writer vaults' actions joined the draw: "greekhou" (0x6772_6565_6b68_6f75) no
// longer reached two refusals of `MUST_REACH` in 24 cases; 16 since governance's tightening of
// the tail and size charge joined (seed 2 no longer reached `DebtGraceNotOver`; of seeds 3 to
// 19, 16 reaches every path, and 4 found the bankruptcy of a rounded-up American short)
pub(super) const DEFAULT_SEED: u64 = 16;

/// What the default run must reach at least once (actions and drive together).
pub(super) const MUST_REACH: &[&str] = &[
    "PositionSettled with debt, other positions left",
    "LiquidationStarted: a debt sale",
    "SliceBought in a debt sale",
    "SliceBought by the owner's other account",
    "SliceBought: the fund pays",
    "DebtResolved: repaid or sold",
    "DebtResolved: written off",
    "DebtResolved: from_fund > 0",
    "DebtResolved: charged to series",
    "BankruptcyResolved",
    "BackstopBought",
    "SeriesFinalized with a haircut",
    "SeriesDustSwept of a series with burned tokens",
    "a repaid debtor closed its account",
    "refused PositionAwaitingSettlement",
    "refused SettlementDebtOpen",
    "refused DebtGraceNotOver",
    "refused AccountNotEmpty",
    "options deposited as a long",
    "options deposited against the own short",
    "a long withdrawn as tokens",
    "a long settled",
    "MarginWarning: below the warning level",
    "MarginWarning: below maintenance",
    "MarginWarning: back to healthy",
    "a vault withdrawal paid in the drive",
    "a holder bought from the vault",
    "OptionsExercised",
    "ExerciseAccrued",
    "refused ExerciseNotAccrued",
    "margin tightened by governance",
];

pub(super) fn cases() -> u32 {
    std::env::var("GREEKHOUSE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// `GREEKHOUSE_FUZZ_SEED`: a number, or `random`; default [`DEFAULT_SEED`].
pub(super) fn seed() -> Option<u64> {
    match std::env::var("GREEKHOUSE_FUZZ_SEED") {
        Ok(v) if v == "random" => None,
        Ok(v) => Some(v.parse().expect("GREEKHOUSE_FUZZ_SEED: a u64 or `random`")),
        Err(_) => Some(DEFAULT_SEED),
    }
}
pub(super) fn length() -> std::ops::Range<usize> {
    std::env::var("GREEKHOUSE_FUZZ_LEN")
        .ok()
        .and_then(|v| {
            let (a, b) = v.split_once("..")?;
            Some(a.parse().ok()?..b.parse().ok()?)
        })
        .unwrap_or(20..61)
}

#[test]
fn lifecycle_fuzz_every_sequence_ends_finalized_and_redeemed() {
    let seed = seed();
    let config = ProptestConfig {
        cases: cases(),
        max_shrink_iters: std::env::var("GREEKHOUSE_FUZZ_SHRINK")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300),
        failure_persistence: None,
        rng_seed: seed.map_or(RngSeed::Random, RngSeed::Fixed),
        ..ProptestConfig::default()
    };
    // the error names the counters use are the program's own
    let names = program_error_names();
    for e in [
        greekhouse::errors::GreekhouseError::InvariantViolated,
        greekhouse::errors::GreekhouseError::SettlementDebtOpen,
    ] {
        assert_eq!(names[e as usize], format!("{e:?}"));
    }
    COVERAGE.lock().unwrap_or_else(|e| e.into_inner()).clear();
    let started = Instant::now();
    let runs = std::cell::Cell::new(0u32);
    proptest!(config, |(setup in setup(), actions in proptest::collection::vec(action(), length()))| {
        runs.set(runs.get() + 1);
        run_case(&setup, &actions);
    });
    let n = runs.get().max(1);
    let cov = COVERAGE.lock().unwrap_or_else(|e| e.into_inner()).clone();
    println!(
        "lifecycle fuzzer: {n} cases (seed {}) in {:.1} s ({:.0} ms per case)",
        seed.map_or("random".to_string(), |s| s.to_string()),
        started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64() * 1000.0 / n as f64,
    );
    println!("coverage (actions / drive to the end):");
    for (k, [a, d]) in &cov {
        println!("  {a:>6} {d:>6}  {k}");
    }
    if seed == Some(DEFAULT_SEED) && n >= DEFAULT_CASES {
        let missing: Vec<&str> = MUST_REACH
            .iter()
            .copied()
            .filter(|k| cov.get(*k).is_none_or(|[a, d]| a + d == 0))
            .collect();
        assert!(
            missing.is_empty(),
            "the default run no longer reaches: {missing:?}"
        );
    }
}

/// Seed 4's case, shrunk (the drive does the rest): an American short exercised once, its
/// accrual rounded up to a contract no token stands against; liquidated, it could not be resolved
/// (`resolve_bankruptcy` refused with `InvariantViolated`: the series would have counted more
/// unbacked contracts than its open interest). Now it is written off for the tokens against it,
/// and every series finalizes and every holder redeems.
#[test]
fn a_bankrupt_american_short_rounded_up_by_its_accrual_is_resolved() {
    use Action::*;
    let setup = Setup {
        stake: 0,
        alice_quote: 20,
        alice_sol_tenths: 20,
        erin_quote: 324,
        repay_at_end: false,
        books: [[None, None, None], [None, Some((true, 88)), None]],
    };
    let actions = [
        Exercise {
            p: 0,
            s: 0,
            bps: 1429,
            accrue: false,
        },
        WithdrawOptions { w: 0, s: 0, bps: 1 },
        Deposit {
            w: 0,
            sol: false,
            amount: 3308,
        },
        DepositOptions {
            w: 1,
            s: 4,
            bps: 9930,
        },
        MoveSol { pct: 4 },
        JumpExpiry { e: 0, pct: -49 },
    ];
    run_case(&setup, &actions);
}
