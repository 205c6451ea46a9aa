//! Running the bot as a service: logs through `tracing` (levels, text or JSON lines), a
//! Prometheus `/metrics` and a `/health` endpoint on a small HTTP server of its own (a thread on
//! a std `TcpListener`: two GET routes need no framework), SIGINT/SIGTERM as a flag the tick
//! loop reads between ticks, and the priority fee chosen from the node's recent fees.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::bot::Counters;
use crate::log::Log;

/// Log lines through `tracing`: an event named like the bot's (`start`, `tick`, `bid`, ...)
/// with its fields as JSON; events that report a failure are warnings.
pub struct TracingLog;

impl Log for TracingLog {
    fn log(&mut self, event: &str, fields: Value) {
        if event.contains("error") || event.contains("failed") || event.contains("lost") {
            tracing::warn!(event, fields = %fields);
        } else if event == "tick" {
            tracing::debug!(event, fields = %fields);
        } else {
            tracing::info!(event, fields = %fields);
        }
    }
}

/// Install the `tracing` subscriber: `level` (or `RUST_LOG` when set) filters, `json` writes one
/// JSON object a line (for log collectors), else human-readable lines; both on stderr.
pub fn init_logs(level: &str, json: bool) -> anyhow::Result<()> {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("RUST_LOG") {
        Ok(f) if !f.is_empty() => EnvFilter::try_new(f)?,
        _ => EnvFilter::try_new(level)?,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    }
    .map_err(|e| anyhow::anyhow!("logs: {e}"))
}

/// What the endpoints report: the counters after the last tick and when it ended.
pub struct Status {
    pub counters: Counters,
    pub last_tick: Option<Instant>,
    pub priority_fee: Option<u64>,
    /// A tick older than this makes `/health` fail.
    pub stale_after: Duration,
}

pub type Shared = Arc<Mutex<Status>>;

/// The counters in Prometheus' text format.
pub fn prometheus_text(s: &Status) -> String {
    let c = &s.counters;
    let mut out = String::new();
    let mut counter = |name: &str, help: &str, v: String| {
        out += &format!(
            "# HELP greekhouse_liquidator_{name} {help}\n# TYPE greekhouse_liquidator_{name} counter\ngreekhouse_liquidator_{name} {v}\n"
        );
    };
    counter("ticks_total", "Ticks run.", c.ticks.to_string());
    counter(
        "accounts_scanned_total",
        "Writer accounts margined.",
        c.scanned.to_string(),
    );
    counter(
        "liquidations_started_total",
        "Liquidations started.",
        c.started.to_string(),
    );
    counter(
        "bids_won_total",
        "Bids that landed.",
        c.bids_won.to_string(),
    );
    counter(
        "bids_lost_total",
        "Bids the program refused.",
        c.bids_lost.to_string(),
    );
    counter(
        "bids_skipped_total",
        "Bids whose discount did not pay the hurdle.",
        c.bids_skipped.to_string(),
    );
    counter(
        "liquidations_ended_total",
        "Liquidations ended.",
        c.ended.to_string(),
    );
    counter(
        "quote_earned_native_total",
        "Gain at mark of the bids won (quote native units).",
        c.quote_earned.to_string(),
    );
    counter(
        "settlement_steps_total",
        "Settlement cranks sent.",
        c.settlement_steps.to_string(),
    );
    counter(
        "margin_warnings_total",
        "check_margin sent for an account whose margin status moved.",
        c.warnings.to_string(),
    );
    out += "# HELP greekhouse_liquidator_errors_total Errors by kind.\n# TYPE greekhouse_liquidator_errors_total counter\n";
    for (kind, n) in &c.errors {
        out += &format!("greekhouse_liquidator_errors_total{{kind=\"{kind}\"}} {n}\n");
    }
    out += &format!(
        "# HELP greekhouse_liquidator_priority_fee_micro_lamports Priority fee of the last tick.\n# TYPE greekhouse_liquidator_priority_fee_micro_lamports gauge\ngreekhouse_liquidator_priority_fee_micro_lamports {}\n",
        s.priority_fee.unwrap_or(0)
    );
    out
}

/// Healthy: a tick ended within `stale_after` (none yet counts as starting, not healthy).
pub fn healthy(s: &Status, now: Instant) -> bool {
    s.last_tick
        .is_some_and(|t| now.duration_since(t) <= s.stale_after)
}

fn answer(stream: &mut TcpStream, shared: &Shared) -> std::io::Result<()> {
    let mut line = String::new();
    BufReader::new(&*stream).read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("");
    let (status, body) = {
        let s = shared.lock().unwrap_or_else(|p| p.into_inner());
        match path {
            "/metrics" => ("200 OK", prometheus_text(&s)),
            "/health" if healthy(&s, Instant::now()) => ("200 OK", "ok\n".to_string()),
            "/health" => ("503 Service Unavailable", "no recent tick\n".to_string()),
            _ => ("404 Not Found", "not found\n".to_string()),
        }
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Serve `/metrics` and `/health` on `addr` from a thread; returns the bound address (port 0
/// picks a free one).
pub fn serve(addr: SocketAddr, shared: Shared) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)?;
    let bound = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            if let Err(e) = answer(&mut stream, &shared) {
                tracing::debug!(error = %e, "metrics request");
            }
        }
    });
    Ok(bound)
}

/// A flag SIGINT and SIGTERM set.
pub fn shutdown_flag() -> std::io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&flag))?;
    signal_hook::flag::register(signal_hook::consts::SIGTERM, Arc::clone(&flag))?;
    Ok(flag)
}

/// Sleep `total`, waking early when `stop` is set.
pub fn sleep_unless(stop: &AtomicBool, total: Duration) {
    let until = Instant::now() + total;
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now >= until {
            return;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(100)));
    }
}

/// The priority fee to pay from the node's recent fees: their 75th percentile (a fee that
/// landed in most recent slots), at most `cap`; 0 when the node reports none.
pub fn priority_fee(recent: &[u64], cap: u64) -> u64 {
    if recent.is_empty() {
        return 0;
    }
    let mut fees = recent.to_vec();
    fees.sort_unstable();
    let i = (fees.len() * 3).div_ceil(4).saturating_sub(1);
    fees[i].min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> Status {
        let mut counters = Counters {
            ticks: 3,
            started: 2,
            ..Counters::default()
        };
        counters.errors.insert("backend".into(), 1);
        Status {
            counters,
            last_tick: None,
            priority_fee: Some(1_500),
            stale_after: Duration::from_secs(30),
        }
    }

    #[test]
    fn the_fee_is_the_recent_75th_percentile_capped() {
        assert_eq!(priority_fee(&[], 10_000), 0);
        assert_eq!(priority_fee(&[0, 0, 0, 500], 10_000), 0);
        assert_eq!(priority_fee(&[100, 400, 200, 300], 10_000), 300);
        assert_eq!(priority_fee(&[50_000; 8], 10_000), 10_000);
    }

    #[test]
    fn metrics_and_health_are_served() {
        let shared: Shared = Arc::new(Mutex::new(status()));
        let addr = serve("127.0.0.1:0".parse().unwrap(), Arc::clone(&shared)).unwrap();
        let get = |path: &str| {
            let mut s = TcpStream::connect(addr).unwrap();
            write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut out = String::new();
            std::io::Read::read_to_string(&mut s, &mut out).unwrap();
            out
        };
        let m = get("/metrics");
        assert!(m.starts_with("HTTP/1.1 200"), "{m}");
        assert!(m.contains("greekhouse_liquidator_ticks_total 3\n"), "{m}");
        assert!(m.contains("greekhouse_liquidator_liquidations_started_total 2\n"));
        assert!(m.contains("greekhouse_liquidator_errors_total{kind=\"backend\"} 1\n"));
        assert!(m.contains("greekhouse_liquidator_priority_fee_micro_lamports 1500\n"));
        // no tick yet: not healthy; after one: healthy
        assert!(get("/health").starts_with("HTTP/1.1 503"));
        shared.lock().unwrap().last_tick = Some(Instant::now());
        assert!(get("/health").starts_with("HTTP/1.1 200"));
        assert!(get("/other").starts_with("HTTP/1.1 404"));
    }

    #[test]
    fn a_stale_tick_is_unhealthy() {
        let mut s = status();
        let start = Instant::now();
        s.last_tick = Some(start);
        assert!(healthy(&s, start + Duration::from_secs(30)));
        assert!(!healthy(&s, start + Duration::from_secs(31)));
    }
}
