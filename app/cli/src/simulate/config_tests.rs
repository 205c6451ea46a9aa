//! Study files: every scenario kind and every documented example loads; unknown fields are
//! refused with their name.

use super::*;

fn one_scenario(body: &str) -> Result<Scenario, StudyError> {
    let s = Study::parse(&format!("[[scenarios]]\nname = \"s\"\n{body}"))?;
    assert_eq!(s.scenarios.len(), 1);
    Ok(s.scenarios[0].clone())
}

#[test]
fn a_gbm_scenario_loads() {
    let s = one_scenario("kind = \"gbm\"\ndrift = 0.0\nvol = 0.4").unwrap();
    assert_eq!(s.name, "s");
    assert_eq!(
        s.path,
        PathKind::Gbm {
            drift: 0.0,
            vol: 0.4
        }
    );
}

#[test]
fn a_jump_scenario_loads() {
    let s = one_scenario(
        "kind = \"jump\"\ndrift = 0.1\nvol = 0.6\njumps_per_day = 0.5\njump_mean = -0.05\njump_std = 0.12",
    )
    .unwrap();
    assert_eq!(
        s.path,
        PathKind::Jump {
            drift: 0.1,
            vol: 0.6,
            jumps_per_day: 0.5,
            jump_mean: -0.05,
            jump_std: 0.12
        }
    );
}

#[test]
fn a_shape_scenario_loads() {
    let s =
        one_scenario("kind = \"shape\"\nwaypoints = [[0.0, 0.0], [2.0, -30.0]]\nnoise_vol = 0.5")
            .unwrap();
    assert_eq!(
        s.path,
        PathKind::Shape {
            waypoints: vec![(0.0, 0.0), (2.0, -30.0)],
            noise_vol: 0.5
        }
    );
}

#[test]
fn a_gap_at_expiry_scenario_loads() {
    let s = one_scenario("kind = \"gap_at_expiry\"\ngap_pct = -30.0\nvol = 0.4").unwrap();
    assert_eq!(
        s.path,
        PathKind::GapAtExpiry {
            gap_pct: -30.0,
            vol: 0.4
        }
    );
}

#[test]
fn an_unknown_scenario_field_is_refused_by_name() {
    let e = one_scenario("kind = \"gbm\"\ndrift = 0.0\nvol = 0.4\nvolatility = 0.3").unwrap_err();
    assert!(e.problem.contains("volatility"), "{e}");
    let e = one_scenario("kind = \"shape\"\nwaypoints = [[0.0, 0.0]]\nnoise_vol = 0.1\nvol = 0.1")
        .unwrap_err();
    assert!(e.problem.contains("unknown field `vol`"), "{e}");
}

#[test]
fn a_scenario_without_name_kind_or_a_field_is_refused() {
    let e = Study::parse("[[scenarios]]\nkind = \"gbm\"\ndrift = 0.0\nvol = 0.4").unwrap_err();
    assert!(e.problem.contains("name"), "{e}");
    let e = one_scenario("drift = 0.0\nvol = 0.4").unwrap_err();
    assert!(e.problem.contains("kind"), "{e}");
    let e = one_scenario("kind = \"brownian\"\nvol = 0.4").unwrap_err();
    assert!(e.problem.contains("brownian"), "{e}");
    let e = one_scenario("kind = \"gbm\"\nvol = 0.4").unwrap_err();
    assert!(e.problem.contains("drift"), "{e}");
}

#[test]
fn unknown_study_and_bot_fields_are_refused_by_name() {
    let e = Study::parse("writerz = 3").unwrap_err();
    assert!(e.problem.contains("writerz"), "{e}");
    let e = Study::parse(
        "[[bots]]\ncapital = 1\nhurdle_bps = 1\nlatency_steps = 1\nmax_fraction_per_bid = 1.0",
    )
    .unwrap_err();
    assert!(e.problem.contains("latency_steps"), "{e}");
    let e = Study::parse("[vol]\nhalf_life = 3.0").unwrap_err();
    assert!(e.problem.contains("half_life"), "{e}");
}

#[test]
fn out_of_range_values_name_their_field() {
    let e = Study::parse(
        "[[bots]]\ncapital = 1\nhurdle_bps = 1\nlatency_secs = 0\nmax_fraction_per_bid = 1.0",
    )
    .unwrap_err();
    assert_eq!(e.field, "bots[0].latency_secs");
    let e = Study::parse("[vol]\nrealized_weight = 2.0").unwrap_err();
    assert_eq!(e.field, "vol.realized_weight");
    let e = one_scenario("kind = \"gbm\"\ndrift = 0.0\nvol = 9.0").unwrap_err();
    assert_eq!(e.field, "scenarios[0].vol");
}

#[test]
fn the_defaults_and_the_builtins_pass_their_own_checks() {
    let s = Study::default();
    s.check().unwrap();
    assert!(s.seeds >= 100);
    assert_eq!(s.step_minutes, 10);
    assert!(s.bots.iter().all(|b| b.latency_secs < 60 * s.step_minutes));
    assert_eq!(Study::parse("").unwrap(), s);
}

/// The TOML blocks of a markdown file.
fn toml_blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        match (&mut cur, line.trim()) {
            (None, "```toml") => cur = Some(String::new()),
            (Some(_), "```") => out.push(cur.take().unwrap_or_default()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn every_study_in_the_simulator_doc_loads() {
    let blocks = toml_blocks(include_str!("../../../../docs/simulator.md"));
    assert!(!blocks.is_empty(), "docs/simulator.md has no toml block");
    let mut names = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let s = Study::parse(b).unwrap_or_else(|e| panic!("block {i} of docs/simulator.md: {e}"));
        names.extend(s.scenarios.iter().map(|s| s.name.clone()));
    }
    // the issue's own example, and the historical shapes
    for n in [
        "calm",
        "ftx-week-nov-2022",
        "luna-may-2022",
        "black-thursday-mar-2020",
        "yen-unwind-aug-2024",
    ] {
        assert!(names.iter().any(|m| m == n), "{n} not in {names:?}");
    }
}

#[test]
fn population_fields_load_and_are_checked_by_name() {
    let s = Study::parse(
        "writer_quote_min = 500\nwriter_quote_max = 5000\nlinked_quote_buffer = 0.2\nseries_per_writer = 4\nholders = 3\nstrike_deltas = [0.2, 0.5]",
    )
    .unwrap();
    assert_eq!(s.linked_quote_buffer, 0.2);
    assert_eq!(s.series_per_writer, 4);
    assert_eq!(s.holders, 3);
    assert_eq!(s.strike_deltas, vec![0.2, 0.5]);
    let e = Study::parse("strike_delta = [0.2]").unwrap_err();
    assert!(e.problem.contains("strike_delta"), "{e}");
    let e = Study::parse("holder = 3").unwrap_err();
    assert!(e.problem.contains("holder"), "{e}");
    assert_eq!(Study::parse("holders = 0").unwrap_err().field, "holders");
    assert_eq!(
        Study::parse("strike_deltas = [1.5]").unwrap_err().field,
        "strike_deltas"
    );
    assert_eq!(
        Study::parse("linked_quote_buffer = 2.0").unwrap_err().field,
        "linked_quote_buffer"
    );
    assert_eq!(
        Study::parse("series_per_writer = 0").unwrap_err().field,
        "series_per_writer"
    );
}

#[test]
fn the_second_underlyings_fields_load_and_are_checked_by_name() {
    let s = Study::parse("btc_writer_share = 0.5\nbtc_correlation = -0.2\nbtc_move_ratio = 1.5")
        .unwrap();
    assert_eq!(s.btc_writer_share, 0.5);
    assert_eq!(s.btc_correlation, -0.2);
    assert_eq!(s.btc_move_ratio, 1.5);
    let e = Study::parse("btc_corelation = 0.5").unwrap_err();
    assert!(e.problem.contains("btc_corelation"), "{e}");
    assert_eq!(
        Study::parse("btc_correlation = 1.5").unwrap_err().field,
        "btc_correlation"
    );
    assert_eq!(
        Study::parse("btc_writer_share = -0.1").unwrap_err().field,
        "btc_writer_share"
    );
    assert_eq!(
        Study::parse("btc_move_ratio = 9.0").unwrap_err().field,
        "btc_move_ratio"
    );
}

#[test]
fn hedging_and_impact_fields_load_and_are_checked_by_name() {
    let bot =
        "[[bots]]\ncapital = 1000\nhurdle_bps = 100\nlatency_secs = 5\nmax_fraction_per_bid = 1.0";
    let s = Study::parse(&format!(
        "price_impact_bps_per_million = 50.0\n{bot}\nhedge_cost_bps = 4.0\nslippage_bps_per_million = 30.0"
    ))
    .unwrap();
    assert_eq!(s.price_impact_bps_per_million, 50.0);
    assert_eq!(s.bots[0].hedge_cost_bps, 4.0);
    assert_eq!(s.bots[0].slippage_bps_per_million, 30.0);
    // both default to zero in a bot that leaves them out
    assert_eq!(Study::parse(bot).unwrap().bots[0].hedge_cost_bps, 0.0);
    let e = Study::parse(&format!("{bot}\nhedge_cost = 4.0")).unwrap_err();
    assert!(e.problem.contains("hedge_cost"), "{e}");
    let e = Study::parse("price_impact = 1.0").unwrap_err();
    assert!(e.problem.contains("price_impact"), "{e}");
    assert_eq!(
        Study::parse(&format!("{bot}\nhedge_cost_bps = -1.0"))
            .unwrap_err()
            .field,
        "bots[0].hedge_cost_bps"
    );
    assert_eq!(
        Study::parse(&format!("{bot}\nslippage_bps_per_million = 1e9"))
            .unwrap_err()
            .field,
        "bots[0].slippage_bps_per_million"
    );
    assert_eq!(
        Study::parse("price_impact_bps_per_million = -1.0")
            .unwrap_err()
            .field,
        "price_impact_bps_per_million"
    );
}

#[test]
fn the_backstop_investors_return_loads_and_is_checked_by_name() {
    let s = Study::parse("backstop_required_return = 0.4").unwrap();
    assert_eq!(s.backstop_required_return, 0.4);
    let e = Study::parse("backstop_return = 0.4").unwrap_err();
    assert!(e.problem.contains("backstop_return"), "{e}");
    assert_eq!(
        Study::parse("backstop_required_return = -0.5")
            .unwrap_err()
            .field,
        "backstop_required_return"
    );
}

#[test]
fn the_regime_mix_and_the_exhaustion_target_load_and_are_checked_by_name() {
    let s =
        Study::parse("exhaustion_target = 0.05\n[regime_mix]\ngbm = 50.0\ncrash-40pct-6h = 2.0")
            .unwrap();
    assert_eq!(s.exhaustion_target, 0.05);
    assert_eq!(s.regime_mix.len(), 2);
    assert_eq!(s.regime_mix["crash-40pct-6h"], 2.0);
    // a study's own scenario may be named
    let s = Study::parse(
        "[regime_mix]\ncalm = 1.0\n[[scenarios]]\nname = \"calm\"\nkind = \"gbm\"\ndrift = 0.0\nvol = 0.4",
    )
    .unwrap();
    assert_eq!(s.regime_mix["calm"], 1.0);
    let e = Study::parse("[regime_mix]\ngbn = 1.0").unwrap_err();
    assert_eq!(e.field, "regime_mix.gbn");
    let e = Study::parse("[regime_mix]\ngbm = -1.0").unwrap_err();
    assert_eq!(e.field, "regime_mix.gbm");
    let e = Study::parse("exhaustion_targets = 0.1").unwrap_err();
    assert!(e.problem.contains("exhaustion_targets"), "{e}");
    assert_eq!(
        Study::parse("exhaustion_target = 0.0").unwrap_err().field,
        "exhaustion_target"
    );
}
