//! The realized-vol estimate and the predictive shock it drives.

use super::*;
use crate::margin::{self, AccountRisk, MarginParams, PositionRisk, Side, UnderlyingRisk};
use crate::{MarginConfig, OptionKind, TenorPoint, VolSurface};
use std::vec::Vec;

fn fx(x: f64) -> Fixed {
    Fixed::from_raw((x * 1e12).round() as i128)
}
fn ff(x: Fixed) -> f64 {
    x.raw() as f64 / 1e12
}

/// A small deterministic generator (xorshift64*) and standard normals (Box-Muller).
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * core::f64::consts::PI * v).cos()
    }
}

const P: RealizedVolParams = RealizedVolParams::DEFAULT;

#[test]
fn the_first_price_anchors_and_prices_inside_a_sample_change_nothing() {
    let s0 = RealizedVolState::seeded(fx(0.8)).unwrap();
    assert!((ff(s0.vol().unwrap()) - 0.8).abs() < 1e-9);
    let s1 = record(&s0, &P, fx(100.0), 1_000).unwrap();
    assert_eq!(
        (s1.anchor_price, s1.anchor_time, s1.samples),
        (fx(100.0), 1_000, 0)
    );
    assert_eq!(s1.variance, s0.variance);
    // within the sample interval, or at an older or the same time: nothing moves
    for (price, t) in [(fx(130.0), 1_059), (fx(50.0), 1_000), (fx(70.0), 900)] {
        assert_eq!(record(&s1, &P, price, t).unwrap(), s1);
    }
    let s2 = record(&s1, &P, fx(101.0), 1_060).unwrap();
    assert_eq!((s2.anchor_time, s2.samples), (1_060, 1));
    assert!(record(&s1, &P, Fixed::ZERO, 2_000).is_err());
    let mut bad = P;
    bad.sample_secs = 0;
    assert!(record(&s1, &bad, fx(101.0), 2_000).is_err());
}

/// One bad print moves the estimate a bounded amount: its return is capped at 50 %.
#[test]
fn a_bad_print_moves_the_estimate_a_bounded_amount() {
    let s = record(
        &RealizedVolState::seeded(fx(0.5)).unwrap(),
        &P,
        fx(100.0),
        0,
    )
    .unwrap();
    let crash = record(&s, &P, fx(1.0), 60).unwrap();
    let capped = record(&s, &P, fx(100.0 * (-0.5f64).exp()), 60).unwrap();
    assert_eq!(crash.variance, capped.variance);
    assert!(crash.vol().unwrap() <= crate::bs::MAX_VOL);
}

/// A price path of `steps` one-minute steps from `s0` at annual vol `vol` and hourly drift.
fn gbm(rng: &mut Rng, s0: f64, vol: f64, drift_per_hour: f64, steps: usize) -> Vec<f64> {
    let dt = 60.0 / 31_536_000.0;
    let mut s = s0;
    let mut out = Vec::with_capacity(steps);
    for _ in 0..steps {
        s *= (drift_per_hour / 60.0 - 0.5 * vol * vol * dt + vol * dt.sqrt() * rng.normal()).exp();
        out.push(s);
    }
    out
}

/// On a long GBM path the estimate tracks the true vol.
#[test]
fn on_a_long_path_the_estimate_is_near_the_true_vol() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for vol in [0.4, 1.2] {
        let path = gbm(&mut rng, 100.0, vol, 0.0, 20 * 1_440);
        let mut s = RealizedVolState::seeded(fx(0.8)).unwrap();
        let mut late = Vec::new();
        for (i, p) in path.iter().enumerate() {
            s = record(&s, &P, fx(*p), 60 * (i as i64 + 1)).unwrap();
            if i > 10 * 1_440 {
                late.push(ff(s.vol().unwrap()));
            }
        }
        let mean = late.iter().sum::<f64>() / late.len() as f64;
        assert!(
            (mean / vol - 1.0).abs() < 0.15,
            "vol {vol}: estimate {mean}"
        );
    }
}

fn underlying(spot: f64, realized: Fixed) -> UnderlyingRisk {
    let mut surface = VolSurface::default();
    surface.tenors[0] = TenorPoint {
        seconds: 30 * 86_400,
        atm_vol: fx(0.6),
    };
    surface.tenor_count = 1;
    surface.min_vol = fx(0.05);
    UnderlyingRisk {
        spot: fx(spot),
        conf: Fixed::ZERO,
        surface,
        surface_stale_secs: 0,
        realized_vol: realized,
        rate: Fixed::ZERO,
        params: MarginParams::DEFAULT,
    }
}

/// (liability, MM requirement) of ten short 100 puts.
fn mm_of(spot: f64, realized: Fixed, secs_left: i64) -> (f64, f64) {
    let u = [underlying(spot, realized)];
    let p = [PositionRisk {
        underlying: 0,
        kind: OptionKind::Put,
        strike: fx(100.0),
        time_years: Fixed::from_raw(secs_left as i128 * 1_000_000_000_000 / 31_536_000),
        contracts: 10,
        contract_size: Fixed::ONE,
        side: Side::Short,
        american: false,
    }];
    let a = AccountRisk {
        quote_balance: 0,
        collaterals: &[],
        positions: &p,
        underlyings: &u,
    };
    let m = margin::account_margin(&a, &MarginConfig::DEFAULT).unwrap();
    (ff(m.liability), ff(m.maintenance.requirement))
}

/// 72 hours of calm (40 %) then 8 hours at 250 % falling 3 % an hour; ten short 7-day ATM
/// puts funded at the static IM at the start. Calm: the predictive MM is exactly the static
/// one. Violent: it rises above the static MM at least 30 minutes before the static MM is
/// breached, while the account still has a positive mark-to-market.
#[test]
fn calm_then_violent_path_raises_margin_before_the_breach() {
    let mut rng = Rng(0x5eed_0001);
    let mut path = gbm(&mut rng, 100.0, 0.4, 0.0, 72 * 60);
    let last = *path.last().unwrap();
    path.extend(gbm(&mut rng, last, 2.5, -0.03, 8 * 60));
    let expiry = 7 * 86_400 + 72 * 3_600; // seven days after the violent phase starts
                                          // funded at the static IM at the start of the violent phase (quote collateral)
    let u0 = [underlying(last, Fixed::ZERO)];
    let p0 = [PositionRisk {
        underlying: 0,
        kind: OptionKind::Put,
        strike: fx(100.0),
        time_years: Fixed::from_raw(7 * 1_000_000_000_000 / 365),
        contracts: 10,
        contract_size: Fixed::ONE,
        side: Side::Short,
        american: false,
    }];
    let a0 = AccountRisk {
        quote_balance: 0,
        collaterals: &[],
        positions: &p0,
        underlyings: &u0,
    };
    let funded = ff(margin::account_margin(&a0, &MarginConfig::DEFAULT)
        .unwrap()
        .initial
        .requirement);
    let mut state = RealizedVolState::seeded(fx(0.4)).unwrap();
    let (mut first_rise, mut breach) = (None, None);
    for (i, price) in path.iter().enumerate() {
        let t = 60 * (i as i64 + 1);
        state = record(&state, &P, fx(*price), t).unwrap();
        if i % 10 != 0 {
            continue;
        }
        let left = expiry - t;
        let (liability, static_mm) = mm_of(*price, Fixed::ZERO, left);
        let (_, predictive_mm) = mm_of(*price, state.vol().unwrap(), left);
        if i < 72 * 60 {
            assert_eq!(
                predictive_mm,
                static_mm,
                "calm minute {i}: {:?}",
                state.vol()
            );
            continue;
        }
        if first_rise.is_none() && predictive_mm > static_mm {
            first_rise = Some(t);
            // the account is still solvent at its mark when the margin starts rising
            assert!(funded - liability > 0.0, "{funded} {liability}");
        }
        if breach.is_none() && static_mm > funded {
            breach = Some(t);
        }
    }
    let (rise, breach) = (first_rise.expect("no rise"), breach.expect("no breach"));
    std::println!("predictive MM above static at {rise} s, static MM breached at {breach} s");
    assert!(
        rise + 30 * 60 <= breach,
        "the predictive MM rose at {rise} s, the static MM was breached at {breach} s"
    );
}

/// The predictive shock: off at zero multiple or zero estimate; `max(h, min(cap, k sigma
/// sqrt(H)))`; parameter bounds and IM's order over MM.
#[test]
fn the_predictive_shock_and_its_bounds() {
    let d = MarginParams::DEFAULT;
    let mm = d.maintenance;
    // 5.9 x 2.5 x sqrt(1 h / year) = 15.76 %
    let u = underlying(100.0, fx(2.5));
    let h = ff(crate::margin::predictive_shock_of(&u, &mm).unwrap());
    assert!(
        (h - 5.9 * 2.5 * (3600.0f64 / 31_536_000.0).sqrt()).abs() < 1e-9,
        "{h}"
    );
    // calm: the configured shock
    let calm = underlying(100.0, fx(0.4));
    assert_eq!(
        crate::margin::predictive_shock_of(&calm, &mm).unwrap(),
        mm.spot_shock
    );
    // extreme: the cap
    let wild = underlying(100.0, fx(20.0));
    assert_eq!(
        crate::margin::predictive_shock_of(&wild, &mm).unwrap(),
        mm.max_spot_shock
    );
    // off
    let mut off = mm;
    off.realized_multiple = Fixed::ZERO;
    assert_eq!(
        crate::margin::predictive_shock_of(&u, &off).unwrap(),
        mm.spot_shock
    );

    assert!(d.validate().is_ok());
    let bad = |f: &dyn Fn(&mut MarginParams)| {
        let mut p = d;
        f(&mut p);
        p.validate().is_err()
    };
    assert!(bad(&|p| p.maintenance.realized_multiple = fx(10.5)));
    assert!(bad(&|p| p.maintenance.realized_horizon_secs = 59));
    assert!(bad(
        &|p| p.maintenance.realized_horizon_secs = 7 * 86_400 + 1
    ));
    assert!(bad(&|p| p.maintenance.max_spot_shock = fx(0.1)));
    // MM may not reach further than IM, nor be capped higher
    assert!(bad(&|p| p.maintenance.realized_multiple = fx(9.0)));
    assert!(bad(&|p| p.maintenance.max_spot_shock = fx(0.6)));
    // off at MM: horizon and cap are not checked
    let mut p = d;
    p.maintenance.realized_multiple = Fixed::ZERO;
    p.maintenance.realized_horizon_secs = 0;
    p.maintenance.max_spot_shock = Fixed::ZERO;
    assert!(p.validate().is_ok());
    // an estimate out of range is refused
    let mut u = underlying(100.0, fx(21.0));
    u.realized_vol = fx(21.0);
    let pos = [PositionRisk {
        underlying: 0,
        kind: OptionKind::Put,
        strike: fx(100.0),
        time_years: fx(0.1),
        contracts: 1,
        contract_size: Fixed::ONE,
        side: Side::Short,
        american: false,
    }];
    let us = [u];
    let a = AccountRisk {
        quote_balance: 0,
        collaterals: &[],
        positions: &pos,
        underlyings: &us,
    };
    assert!(margin::account_margin(&a, &MarginConfig::DEFAULT).is_err());
}
