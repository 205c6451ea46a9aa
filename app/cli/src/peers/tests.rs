//! Tests of `peers.rs`: the formulas against f64, their refusals, and the capital-efficiency
//! table of `docs/risk-model.md` (section 11), which moved here from the risk crate's
//! `tests/margin_v2.rs` with the code it compares.
//!
//! Floating point is fine here: test code only. The f64 references are written out from the
//! formulas; the Greekhouse columns come from the risk crate's public margin API.

use greekhouse_risk::margin::{self, MarginConfig, MarginParams, MarginSummary};
use greekhouse_risk::{
    bs, math, AccountRisk, BsInput, CollateralRisk, Fixed, OptionKind, PositionRisk, RiskError,
    TenorPoint, UnderlyingRisk, VolSurface,
};

use super::*;

const DAY: i64 = 86_400;

fn fx(x: f64) -> Fixed {
    Fixed::from_raw((x * 1e12).round() as i128)
}

fn ff(x: Fixed) -> f64 {
    x.raw() as f64 / 1e12
}

/// The formulas of `peers.rs`'s header in f64: Opyn's naked margin with `UB`, `h`, and Zeta's
/// `max(dynamic - OTM/S, floor) S`, puts capped at `cap K`, both per unit.
fn opyn_f64(kind: OptionKind, s: f64, k: f64, h: f64, ub: f64) -> f64 {
    match kind {
        OptionKind::Put => ub * k.min(s * (1.0 - h)) + (k - s * (1.0 - h)).max(0.0),
        OptionKind::Call => {
            let r = k / (s * (1.0 + h));
            (ub * r.min(1.0) + (1.0 - r).max(0.0)) * s
        }
    }
}

fn zeta_f64(kind: OptionKind, s: f64, k: f64, dynamic: f64, floor: f64, cap: f64) -> f64 {
    let otm = match kind {
        OptionKind::Call => (k - s).max(0.0),
        OptionKind::Put => (s - k).max(0.0),
    };
    let m = (dynamic - otm / s).max(floor) * s;
    match kind {
        OptionKind::Call => m,
        OptionKind::Put => m.min(cap * k),
    }
}

#[test]
fn the_formulas_match_f64_and_round_up() {
    let zeta = ZetaParams {
        dynamic_pct: fx(0.25),
        spot_pct: fx(0.10),
        put_cap_pct: fx(0.5),
    };
    for kind in [OptionKind::Call, OptionKind::Put] {
        for (s, k, q) in [
            (100.0, 100.0, 1.0),
            (100.0, 60.0, 2.5),
            (100.0, 150.0, 0.001),
            (150.0, 130.0, 200.0),
            (105_000.0, 90_000.0, 3.0),
        ] {
            for (h, ub) in [(0.2, 0.1), (0.0, 1.0), (0.9, 0.0)] {
                let p = OpynParams {
                    spot_shock: fx(h),
                    upper_bound: fx(ub),
                };
                let got = opyn_naked_margin(kind, fx(s), fx(k), fx(q), &p).unwrap();
                let want = opyn_f64(kind, s, k, h, ub) * q;
                assert!(
                    (ff(got) - want).abs() <= 1e-9 * want.max(1.0),
                    "{got} {want}"
                );
            }
            let got = zeta_short_margin(kind, fx(s), fx(k), fx(q), &zeta).unwrap();
            let want = zeta_f64(kind, s, k, 0.25, 0.10, 0.5) * q;
            assert!(
                (ff(got) - want).abs() <= 1e-9 * want.max(1.0),
                "{got} {want}"
            );
        }
    }
    // a requirement rounds up: `(UB 0.8 + 0.2) q` with UB = q = 0.333333333333 is at least its
    // exact value and at most two units of the last place above it (one rounding per product)
    let third = Fixed::from_raw(333_333_333_333);
    let p = OpynParams {
        spot_shock: fx(0.2),
        upper_bound: third,
    };
    let got = opyn_naked_margin(OptionKind::Put, Fixed::ONE, Fixed::ONE, third, &p).unwrap();
    let (t, one) = (third.raw(), Fixed::ONE.raw());
    // got / 10^12 against (0.8 t / 10^12 + 0.2) t / 10^12, both sides times 10^25
    let exact = (8 * t + 2 * one) * t;
    assert!(got.raw() * 10 * one >= exact, "{got}");
    assert!((got.raw() - 2) * 10 * one < exact, "{got}");
}

#[test]
fn the_formulas_refuse_what_is_not_a_short() {
    let opyn = OpynParams {
        spot_shock: fx(0.2),
        upper_bound: fx(0.5),
    };
    let zeta = ZetaParams {
        dynamic_pct: fx(0.25),
        spot_pct: fx(0.10),
        put_cap_pct: Fixed::ONE,
    };
    let (s, k, q) = (fx(100.0), fx(90.0), Fixed::ONE);
    let call = OptionKind::Call;
    let price = Err(RiskError::NonPositivePrice);
    assert_eq!(opyn_naked_margin(call, Fixed::ZERO, k, q, &opyn), price);
    assert_eq!(zeta_short_margin(call, s, fx(-1.0), q, &zeta), price);
    let params = Err(RiskError::InvalidMarginParams);
    assert_eq!(opyn_naked_margin(call, s, k, fx(-1.0), &opyn), params);
    let shock = OpynParams {
        spot_shock: fx(1.5),
        ..opyn
    };
    assert_eq!(opyn_naked_margin(call, s, k, q, &shock), params);
    let cap = ZetaParams {
        put_cap_pct: fx(-0.1),
        ..zeta
    };
    assert_eq!(zeta_short_margin(OptionKind::Put, s, k, q, &cap), params);
}

/// A flat-vol underlying at `spot`, r = 0, no confidence, the risk crate's default parameters.
fn flat(spot: f64, vol: f64) -> UnderlyingRisk {
    let mut tenors = [TenorPoint::default(); greekhouse_risk::surface::MAX_TENORS];
    tenors[0] = TenorPoint {
        seconds: 30 * DAY as u32,
        atm_vol: fx(vol),
    };
    UnderlyingRisk {
        spot: fx(spot),
        conf: Fixed::ZERO,
        surface: VolSurface {
            tenors,
            tenor_count: 1,
            skew: Fixed::ZERO,
            smile: Fixed::ZERO,
            min_vol: fx(0.05),
        },
        surface_stale_secs: 0,
        realized_vol: Fixed::ZERO,
        rate: Fixed::ZERO,
        params: MarginParams::DEFAULT,
    }
}

fn short(kind: OptionKind, strike: f64, seconds: i64) -> PositionRisk {
    PositionRisk {
        underlying: 0,
        kind,
        strike: fx(strike),
        time_years: bs::years_from_seconds(seconds).unwrap(),
        contracts: 1000,
        contract_size: fx(0.001),
        side: greekhouse_risk::Side::Short,
        american: false,
    }
}

/// One unit of a 6-decimal token priced by the underlying's feed.
fn linked_unit(spot: f64, w_init: f64, w_maint: f64) -> CollateralRisk {
    CollateralRisk {
        amount: 1_000_000,
        price: fx(spot / 1e6),
        conf: Fixed::ZERO,
        init_weight: fx(w_init),
        maint_weight: fx(w_maint),
        linked_underlying: Some(0),
    }
}

fn margin_of(u: &[UnderlyingRisk], p: &[PositionRisk], c: &[CollateralRisk]) -> MarginSummary {
    let account = AccountRisk {
        quote_balance: 0,
        collaterals: c,
        positions: p,
        underlyings: u,
    };
    margin::account_margin(&account, &MarginConfig::DEFAULT).unwrap()
}

/// The strike whose delta is `d` (a put's as a positive number), r = 0: `N(d1)` inverted by
/// bisection on the risk crate's normal CDF.
fn strike_for_delta(kind: OptionKind, s: f64, vol: f64, t: f64, d: f64) -> f64 {
    let target = match kind {
        OptionKind::Call => d,
        OptionKind::Put => 1.0 - d,
    };
    let (mut lo, mut hi) = (-10.0f64, 10.0f64);
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if ff(math::norm_cdf(fx(mid)).unwrap()) < target {
            lo = mid
        } else {
            hi = mid
        }
    }
    let d1 = 0.5 * (lo + hi);
    let v = vol * t.sqrt();
    s * (-(d1 * v) + 0.5 * v * v).exp()
}

/// The capital-efficiency table of `docs/risk-model.md` (section 11): Greekhouse IM and MM
/// against Opyn Gamma's naked margin and a Zeta-style percentage-of-spot margin, S = 100,
/// flat 80 % vol, r = 0, one unit. Prints the table (`--nocapture`) and checks each row
/// against the table in the doc, to the cent.
#[test]
fn capital_efficiency_table() {
    let (s, vol) = (100.0, 0.8);
    // the parameters `compare.rs` uses, as numbers
    let opyn = |t: f64| OpynParams {
        spot_shock: fx(0.2),
        upper_bound: fx((0.4 * t.sqrt()).min(1.0)),
    };
    let zeta_im = ZetaParams {
        dynamic_pct: fx(0.25),
        spot_pct: fx(0.10),
        put_cap_pct: fx(1.0),
    };
    let zeta_mm = ZetaParams {
        dynamic_pct: fx(0.125),
        spot_pct: fx(0.05),
        put_cap_pct: fx(1.0),
    };
    let t30 = 30.0 / 365.0;
    let k_call25 = strike_for_delta(OptionKind::Call, s, vol, t30, 0.25);
    let k_put25 = strike_for_delta(OptionKind::Put, s, vol, t30, 0.25);
    let k_put5 = strike_for_delta(OptionKind::Put, s, vol, 1.0 / 365.0, 0.05);
    let (call, put) = (OptionKind::Call, OptionKind::Put);
    // book, its shorts, covered by one linked unit, and the doc's row:
    // mark, GH IM, GH MM, Opyn naked (None: the unit), Zeta IM, Zeta MM
    type Row = (
        &'static str,
        Vec<(OptionKind, f64, i64)>,
        bool,
        [Option<f64>; 6],
    );
    let rows: Vec<Row> = vec![
        (
            "30-day ATM call",
            vec![(call, 100.0, 30 * DAY)],
            false,
            [9.13, 26.21, 19.01, 26.22, 34.13, 21.63].map(Some),
        ),
        (
            "30-day 25-delta put",
            vec![(put, k_put25, 30 * DAY)],
            false,
            [3.86, 15.14, 10.00, 17.12, 16.81, 8.86].map(Some),
        ),
        (
            "30-day 25-delta call",
            vec![(call, k_call25, 30 * DAY)],
            false,
            [3.06, 15.38, 9.66, 11.58, 13.06, 8.06].map(Some),
        ),
        (
            "30-day ATM straddle",
            vec![(call, 100.0, 30 * DAY), (put, 100.0, 30 * DAY)],
            false,
            [18.26, 32.41, 26.01, 55.40, 68.26, 43.26].map(Some),
        ),
        (
            "30-day 25-delta covered call",
            vec![(call, k_call25, 30 * DAY)],
            true,
            [
                Some(3.06),
                Some(0.0),
                Some(0.0),
                None,
                Some(13.06),
                Some(8.06),
            ],
        ),
        (
            "1-day 5-delta put",
            vec![(put, k_put5, DAY)],
            false,
            [0.09, 13.75, 6.48, 15.10, 18.51, 6.01].map(Some),
        ),
    ];
    println!("| book (1 unit, S = 100, 80 % vol) | mark | GH IM | GH MM | Opyn naked | Zeta IM | Zeta MM |");
    println!("|---|---|---|---|---|---|---|");
    for (name, legs, covered, doc) in rows {
        let unds = [flat(s, vol)];
        let ps: Vec<PositionRisk> = legs.iter().map(|&(k, x, t)| short(k, x, t)).collect();
        let cs = if covered {
            vec![linked_unit(s, 0.9, 0.95)]
        } else {
            vec![]
        };
        let m = margin_of(&unds, &ps, &cs);
        let mark = ff(m.liability);
        let (mut op, mut zi, mut zm) = (0.0, 0.0, 0.0);
        for p in &ps {
            let (k, t) = (ff(p.strike), ff(p.time_years));
            let q = Fixed::ONE;
            let o = ff(opyn_naked_margin(p.kind, fx(s), p.strike, q, &opyn(t)).unwrap());
            let want = opyn_f64(p.kind, s, k, 0.2, (0.4 * t.sqrt()).min(1.0));
            assert!((o - want).abs() < 1e-9, "{o} vs {want}");
            op += o;
            let input = BsInput {
                kind: p.kind,
                spot: fx(s),
                strike: p.strike,
                vol: fx(vol),
                time_years: p.time_years,
                rate: Fixed::ZERO,
            };
            let price = ff(bs::price(&input).unwrap());
            zi += price + ff(zeta_short_margin(p.kind, fx(s), p.strike, q, &zeta_im).unwrap());
            zm += price + ff(zeta_short_margin(p.kind, fx(s), p.strike, q, &zeta_mm).unwrap());
        }
        let (gi, gm, opyn) = if covered {
            // quote needed beside the unit: GH the shortfall of equity, Opyn none (the unit
            // fully collateralises the call), Zeta the whole margin (USDC-only account)
            let need = |equity: Fixed| (-ff(equity)).max(0.0);
            (need(m.initial.equity), need(m.maintenance.equity), None)
        } else {
            (
                ff(m.initial.requirement),
                ff(m.maintenance.requirement),
                Some(op),
            )
        };
        let opyn_s = opyn.map_or("0 (the unit)".into(), |o| format!("{o:.2}"));
        println!("| {name} | {mark:.2} | {gi:.2} | {gm:.2} | {opyn_s} | {zi:.2} | {zm:.2} |");
        let got = [Some(mark), Some(gi), Some(gm), opyn, Some(zi), Some(zm)];
        for (col, (g, d)) in got.iter().zip(doc).enumerate() {
            let same = match (g, d) {
                (Some(g), Some(d)) => (g - d).abs() <= 0.005 + 1e-9,
                (g, d) => g.is_none() && d.is_none(),
            };
            assert!(
                same,
                "{name}, column {col}: {g:?}, docs/risk-model.md says {d:?}"
            );
        }
    }
}

/// Opyn's spread vault rules against f64: a put spread needs its width, a call spread its width
/// in underlying units at spot (below the width while the spot is under the long strike), a
/// short beyond its long is naked in underlying units.
#[test]
fn opyn_spread_vaults_match_their_rules() {
    use crate::peers::opyn_spread_margin;
    let put = opyn_spread_margin(
        OptionKind::Put,
        fx(150.0),
        fx(140.0),
        fx(2.0),
        fx(130.0),
        fx(2.0),
    )
    .unwrap();
    assert!((ff(put) - 20.0).abs() < 1e-9, "{put:?}");
    // the long covers half: 140 x 2 - 130 x 1
    let half = opyn_spread_margin(
        OptionKind::Put,
        fx(150.0),
        fx(140.0),
        fx(2.0),
        fx(130.0),
        fx(1.0),
    )
    .unwrap();
    assert!((ff(half) - 150.0).abs() < 1e-9, "{half:?}");
    // a long above the short strike covers it all
    let none = opyn_spread_margin(
        OptionKind::Put,
        fx(150.0),
        fx(140.0),
        fx(1.0),
        fx(145.0),
        fx(1.0),
    )
    .unwrap();
    assert_eq!(none, Fixed::ZERO);
    let call = opyn_spread_margin(
        OptionKind::Call,
        fx(150.0),
        fx(160.0),
        fx(3.0),
        fx(170.0),
        fx(3.0),
    )
    .unwrap();
    assert!(
        (ff(call) - 10.0 * 3.0 / 170.0 * 150.0).abs() < 1e-9,
        "{call:?}"
    );
    let naked = opyn_spread_margin(
        OptionKind::Call,
        fx(150.0),
        fx(160.0),
        fx(3.0),
        fx(170.0),
        fx(1.0),
    )
    .unwrap();
    assert!((ff(naked) - 2.0 * 150.0).abs() < 1e-9, "{naked:?}");
}

/// The put spread (7 days, 140/130, spot 150, 80 %): Greekhouse requires its width at
/// IM and MM, as Opyn's spread vault does, where the short alone needs more than twice that.
#[test]
fn a_put_spread_needs_its_width_here_as_in_an_opyn_spread_vault() {
    use crate::peers::opyn_spread_margin;
    let u = [flat(150.0, 0.8)];
    let mut short_put = short(OptionKind::Put, 140.0, 7 * 86_400);
    let mut long_put = short(OptionKind::Put, 130.0, 7 * 86_400);
    long_put.side = greekhouse_risk::Side::Long;
    short_put.contracts = 1000;
    let m = margin_of(&u, &[short_put, long_put], &[]);
    assert!((ff(m.initial.requirement) - 10.0).abs() < 1e-6, "{m:?}");
    assert!((ff(m.maintenance.requirement) - 10.0).abs() < 1e-6, "{m:?}");
    let opyn = opyn_spread_margin(
        OptionKind::Put,
        fx(150.0),
        fx(140.0),
        fx(1.0),
        fx(130.0),
        fx(1.0),
    )
    .unwrap();
    assert!((ff(opyn) - 10.0).abs() < 1e-9);
    let alone = margin_of(&u, &[short_put], &[]);
    assert!(ff(alone.initial.requirement) > 2.0 * 10.0, "{alone:?}");
}
