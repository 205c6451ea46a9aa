//! The portfolio file against the program: its capacities, its default config and its
//! conversions are the program's (`greekhouse::constants`, `GlobalParams::DEFAULT`,
//! `greekhouse::engine::convert`). Each test would fail if the CLI declared its own again and
//! the program's changed.

use greekhouse::constants::{MAX_COLLATERALS, MAX_POSITIONS};
use greekhouse::engine::convert;
use greekhouse::state::GlobalParams;
use greekhouse_risk::Rounding;

use super::*;

const UNDERLYING: &str =
    r#"{"name": "SOL", "spot": "150", "surface": {"tenors": [{"days": 30, "atm_vol": "0.6"}]}}"#;

fn position(days: &str, contract_size: &str) -> String {
    format!(
        r#"{{"underlying": "SOL", "kind": "put", "strike": "140", "days": {days},
            "contracts": 1, "contract_size": "{contract_size}"}}"#
    )
}

fn collateral(symbol: usize) -> String {
    format!(
        r#"{{"symbol": "T{symbol}", "decimals": 6, "amount": "1", "price": "1",
            "init_weight": "0.9", "maint_weight": "0.95"}}"#
    )
}

fn file(positions: &[String], collaterals: &[String], config: &str) -> String {
    format!(
        r#"{{"underlyings": [{UNDERLYING}], "positions": [{}], "collaterals": [{}]{config}}}"#,
        positions.join(","),
        collaterals.join(",")
    )
}

#[test]
fn a_file_beyond_a_writer_accounts_capacity_is_refused_with_the_programs_numbers() {
    let p = position("30", "1");
    let full = vec![p.clone(); MAX_POSITIONS];
    let parsed = Portfolio::parse(&file(&full, &[], "")).unwrap();
    assert_eq!(parsed.positions.len(), MAX_POSITIONS);
    let over = vec![p; MAX_POSITIONS + 1];
    let e = Portfolio::parse(&file(&over, &[], "")).unwrap_err();
    let want = format!(
        "at most {MAX_POSITIONS} positions, the file has {}",
        MAX_POSITIONS + 1
    );
    assert!(e.contains(&want), "{e}");

    let full: Vec<String> = (0..MAX_COLLATERALS).map(collateral).collect();
    let parsed = Portfolio::parse(&file(&[], &full, "")).unwrap();
    assert_eq!(parsed.collaterals.len(), MAX_COLLATERALS);
    let over: Vec<String> = (0..=MAX_COLLATERALS).map(collateral).collect();
    let e = Portfolio::parse(&file(&[], &over, "")).unwrap_err();
    let want = format!(
        "at most {MAX_COLLATERALS} collateral balances, the file has {}",
        MAX_COLLATERALS + 1
    );
    assert!(e.contains(&want), "{e}");
}

#[test]
fn the_default_config_is_the_programs() {
    let p = Portfolio::parse(&file(&[position("30", "1")], &[], "")).unwrap();
    assert_eq!(
        p.config,
        convert::margin_config(&GlobalParams::DEFAULT, true)
    );
    assert_eq!(
        p.min_time_to_expiry_secs,
        GlobalParams::DEFAULT.min_time_to_expiry_secs
    );
    // a config object leaving the fields out: the same defaults
    let p = Portfolio::parse(&file(&[position("30", "1")], &[], r#", "config": {}"#)).unwrap();
    assert_eq!(
        p.config,
        convert::margin_config(&GlobalParams::DEFAULT, true)
    );
    assert_eq!(
        p.min_time_to_expiry_secs,
        GlobalParams::DEFAULT.min_time_to_expiry_secs
    );
}

/// A position `days` from expiry converts as the program converts a stored position whose
/// expiry is that many seconds (rounded up) after the clock.
#[test]
fn time_to_expiry_is_the_programs_conversion() {
    let now = 1_700_000_000i64;
    for min_secs in [GlobalParams::DEFAULT.min_time_to_expiry_secs, 60, 3_600] {
        let config = format!(r#", "config": {{"min_time_to_expiry_secs": {min_secs}}}"#);
        for (days, seconds) in [
            ("30", 30 * 86_400),
            ("7.5", 648_000),
            ("365", 31_536_000),
            ("0.001", 87),       // 86.4 s: below every floor, rounded up
            ("0.0000001", 1),    // 0.00864 s: a moment before expiry, not expired
            ("0.0416666", 3600), // 3599.99424 s
            ("0", 0),
            ("-2", -172_800),
        ] {
            let p = Portfolio::parse(&file(&[position(days, "1")], &[], &config)).unwrap();
            let want = convert::time_to_expiry(now + seconds, now, min_secs).unwrap();
            assert_eq!(
                p.positions[0].time_years, want,
                "{days} days, floor {min_secs}"
            );
        }
    }
    // whole seconds: the same as days / 365 rounded down (the CLI's conversion before it used
    // the program's)
    let days = Fixed::from_raw(7_500_000_000_000);
    let by_days = Fixed::from_ratio(days.raw(), 365 * FIXED_ONE, Rounding::Down).unwrap();
    assert_eq!(time_to_expiry(days, 300).unwrap(), by_days);
}

#[test]
fn contract_sizes_are_the_programs() {
    for (text, stored) in [
        ("1", 1_000_000u64),
        ("0.01", 10_000),
        ("0.000001", 1),
        ("250", 250_000_000),
    ] {
        let p = Portfolio::parse(&file(&[position("30", text)], &[], "")).unwrap();
        let want = convert::contract_size(stored).unwrap();
        assert_eq!(p.positions[0].contract_size, want, "{text}");
    }
    // left out: one whole unit
    let bare =
        r#"{"underlying": "SOL", "kind": "put", "strike": "140", "days": 30, "contracts": 1}"#;
    let p = Portfolio::parse(&file(&[bare.to_string()], &[], "")).unwrap();
    assert_eq!(p.positions[0].contract_size, Fixed::ONE);
    // finer than the program stores, zero, negative: refused
    for text in ["0.0000001", "0", "-1"] {
        let e = Portfolio::parse(&file(&[position("30", text)], &[], "")).unwrap_err();
        assert!(
            e.contains("positions[0].contract_size: must be > 0"),
            "{text}: {e}"
        );
    }
}

fn leg(kind: &str, strike: &str, contracts: &str, side: Option<&str>) -> String {
    let side = side.map_or(String::new(), |s| format!(r#", "side": "{s}""#));
    format!(
        r#"{{"underlying": "SOL", "kind": "{kind}", "strike": "{strike}", "days": 7,
            "contracts": {contracts}{side}}}"#
    )
}

#[test]
fn a_long_is_a_negative_quantity_or_side_long_never_both() {
    let p = Portfolio::parse(&file(
        &[
            leg("put", "140", "2", None),
            leg("put", "130", "-2", None),
            leg("call", "170", "3", Some("long")),
            leg("call", "160", "3", Some("Short")),
        ],
        &[],
        "",
    ))
    .unwrap();
    let sides: Vec<(Side, u64)> = p.positions.iter().map(|x| (x.side, x.contracts)).collect();
    assert_eq!(
        sides,
        [
            (Side::Short, 2),
            (Side::Long, 2),
            (Side::Long, 3),
            (Side::Short, 3)
        ]
    );
    let both =
        Portfolio::parse(&file(&[leg("put", "130", "-2", Some("long"))], &[], "")).unwrap_err();
    assert!(both.contains("give one or the other"), "{both}");
    let bad =
        Portfolio::parse(&file(&[leg("put", "130", "2", Some("bought"))], &[], "")).unwrap_err();
    assert!(
        bad.contains(r#"expected "short" or "long", got "bought""#),
        "{bad}"
    );
}
