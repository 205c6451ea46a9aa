//! American legs in margin (docs/risk-model.md 6.8b): a live short American put is valued at
//! its European price plus `K (1 - e^-rT)`, at its mark and in every scenario, so its liability
//! is at least its American price (the engine's tree, and the f64 bound) and its intrinsic
//! value; the add-ons are the European ones (the bound does not move with spot or vol). An
//! American call, a long, and any leg at `r = 0` are margined as the European one.
//!
//! Floating point is fine here: test code only.

mod common;

use common::*;
use greekhouse_risk::bs::BsInput;
use greekhouse_risk::margin::MarginParams;
use greekhouse_risk::{AccountRisk, Fixed, OptionKind, PositionRisk, Side, UnderlyingRisk};

const DAY: i64 = 86_400;

fn und(spot: f64, vol: f64, rate: f64) -> UnderlyingRisk {
    UnderlyingRisk {
        spot: fx(spot),
        conf: Fixed::ZERO,
        surface: surface(&[(30 * DAY as u32, vol)], 0.0, 0.0, 0.05),
        surface_stale_secs: 0,
        realized_vol: Fixed::ZERO,
        rate: fx(rate),
        params: MarginParams::DEFAULT,
    }
}

fn leg(side: Side, kind: OptionKind, strike: f64, seconds: i64, american: bool) -> PositionRisk {
    PositionRisk {
        underlying: 0,
        kind,
        strike: fx(strike),
        time_years: years(seconds),
        contracts: 10_000,
        contract_size: fx(0.001),
        side,
        american,
    }
}

fn margin(u: &UnderlyingRisk, p: PositionRisk) -> greekhouse_risk::MarginSummary {
    let positions = [p];
    let underlyings = [*u];
    margin_of(&AccountRisk {
        quote_balance: 1_000_000_000,
        collaterals: &[],
        positions: &positions,
        underlyings: &underlyings,
    })
}

#[test]
fn a_short_american_put_carries_the_early_exercise_bound() {
    // deep in the money and at the money, a quarter and a year, 5 % and 20 %
    for &(spot, strike, secs, rate) in &[
        (100.0, 140.0, 90 * DAY, 0.05),
        (100.0, 100.0, 90 * DAY, 0.05),
        (100.0, 160.0, 365 * DAY, 0.20),
        (100.0, 80.0, 30 * DAY, 0.10),
    ] {
        let u = und(spot, 0.8, rate);
        let eu = margin(&u, leg(Side::Short, OptionKind::Put, strike, secs, false));
        let am = margin(&u, leg(Side::Short, OptionKind::Put, strike, secs, true));
        let t = ff(years(secs));
        let q = 10.0;
        let bound = strike * (1.0 - (-rate * t).exp());
        let extra = ff(am.liability) - ff(eu.liability);
        assert!(
            (extra - q * bound).abs() <= 1e-6 * q * strike,
            "{strike} {secs}: liability +{extra}, bound {}",
            q * bound
        );
        // at least the American price (the engine's tree at the same mark vol) and intrinsic
        let vol = u.surface.vol(fx(strike), u.spot, years(secs)).unwrap();
        let tree = greekhouse_risk::american_price(&BsInput {
            kind: OptionKind::Put,
            spot: fx(spot),
            strike: fx(strike),
            vol,
            time_years: years(secs),
            rate: fx(rate),
        })
        .unwrap();
        assert!(ff(am.liability) >= q * ff(tree) - 1e-9, "{strike} {secs}");
        assert!(ff(am.liability) >= q * (strike - spot).max(0.0) - 1e-9);
        // the bound is a constant over the box: the add-ons are the European ones, every level's
        // requirement rises by the liability's difference
        assert_eq!(am.initial.addon, eu.initial.addon);
        assert_eq!(am.maintenance.addon, eu.maintenance.addon);
        let d_eq = ff(eu.initial.equity) - ff(am.initial.equity);
        assert!(
            (d_eq - extra).abs() <= 1e-6 * q * strike,
            "{d_eq} vs {extra}"
        );
    }
}

#[test]
fn calls_longs_and_a_zero_rate_are_margined_as_european() {
    let u = und(100.0, 0.8, 0.05);
    for (side, kind) in [
        (Side::Short, OptionKind::Call),
        (Side::Long, OptionKind::Put),
        (Side::Long, OptionKind::Call),
    ] {
        let eu = margin(&u, leg(side, kind, 110.0, 90 * DAY, false));
        let am = margin(&u, leg(side, kind, 110.0, 90 * DAY, true));
        assert_eq!(eu, am, "{side:?} {kind:?}");
    }
    let zero = und(100.0, 0.8, 0.0);
    let eu = margin(
        &zero,
        leg(Side::Short, OptionKind::Put, 120.0, 90 * DAY, false),
    );
    let am = margin(
        &zero,
        leg(Side::Short, OptionKind::Put, 120.0, 90 * DAY, true),
    );
    assert_eq!(eu, am);
}

/// A 140/130 put spread whose short leg is American: at a zero rate the payoff cap stands (IM
/// at most the width, 10 a unit); at a positive rate an early assignment could lose more than
/// the width against the European-valued long, so the book takes no cap and IM is the box's,
/// above the width; the same spread with a European short keeps its cap at either rate.
#[test]
fn an_american_short_put_spread_keeps_its_cap_only_at_a_zero_rate() {
    let book = |american: bool| {
        [
            leg(Side::Short, OptionKind::Put, 140.0, 7 * DAY, american),
            leg(Side::Long, OptionKind::Put, 130.0, 7 * DAY, false),
        ]
    };
    let im = |rate: f64, american: bool| {
        let positions = book(american);
        let underlyings = [und(150.0, 0.8, rate)];
        let m = margin_of(&AccountRisk {
            quote_balance: 1_000_000_000,
            collaterals: &[],
            positions: &positions,
            underlyings: &underlyings,
        });
        ff(m.initial.requirement)
    };
    // ten units (10,000 contracts of 0.001): the width is 100
    let width = 100.0;
    assert!(im(0.0, true) <= width + 1e-6, "{}", im(0.0, true));
    assert!(im(0.05, false) <= width + 1e-6, "{}", im(0.05, false));
    assert!(im(0.05, true) > width, "{}", im(0.05, true));
}
