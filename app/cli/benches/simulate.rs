//! The simulator's speed on a release build: one run of `WRITERS` writers over `DAYS` days of
//! 10-minute steps (the built-in `gbm` scenario, one seed, one thread: a run is one bank and
//! cannot be split), timed end to end through the `greekhouse` binary, against the goal, 500
//! writers x 30 days within 5 minutes on 2 cores (docs/performance.md, "The simulator on a
//! release build").
//!
//! `cargo bench --workspace --locked --bench simulate`; sizes through the environment:
//! `GREEKHOUSE_BENCH_WRITERS` (default 500), `GREEKHOUSE_BENCH_DAYS` (default 30: the goal
//! itself, about two minutes on a shared core), and
//! `GREEKHOUSE_BENCH_BIN`, the binary to time (default: the one cargo built for the bench; `cargo
//! bench` builds its own dependency set, dev-dependencies' features included, so a tree with a
//! warm `cargo build --release` may rather time `target/release/greekhouse`). The cost of a
//! run grows with writers x steps while books are open (every bot tick scans every writer
//! account and margins those whose state changed), so other sizes are extrapolated to the goal
//! from writer-steps per second.

use std::process::Command;
use std::time::Instant;

fn var(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not meaningful here
    let writers = var("GREEKHOUSE_BENCH_WRITERS", 500);
    let days = var("GREEKHOUSE_BENCH_DAYS", 30);
    let out =
        std::env::temp_dir().join(format!("greekhouse-bench-simulate-{}", std::process::id()));
    let started = Instant::now();
    let bin = std::env::var("GREEKHOUSE_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_greekhouse").to_string());
    let status = Command::new(&bin)
        .args(["simulate", "--out"])
        .arg(&out)
        .args([
            "--scenario",
            "gbm",
            "--seeds",
            "1",
            "--threads",
            "1",
            "--quiet",
        ])
        .args([
            "--writers",
            &writers.to_string(),
            "--days",
            &days.to_string(),
        ])
        .status()
        .expect("running greekhouse simulate");
    let secs = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&out);
    assert!(status.success(), "greekhouse simulate failed: {status}");
    let steps = days * 144;
    let rate = (writers * steps) as f64 / secs;
    let goal_secs = (500 * 30 * 144) as f64 / rate;
    println!(
        "simulate ({bin}): {writers} writers x {days} days ({steps} steps of 10 minutes) in {secs:.1} s: \
         {rate:.0} writer-steps per second; 500 writers x 30 days would take about {goal_secs:.0} s \
         on one core (goal: 300 s on 2 cores)"
    );
}
