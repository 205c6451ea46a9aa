//! Unit tests of `bs.rs` (host only; f64 references live here, never in the on-chain code).

use super::*;

fn fx(v: f64) -> Fixed {
    Fixed::from_raw((v * 1e12).round() as i128)
}
fn f(v: Fixed) -> f64 {
    v.raw() as f64 / 1e12
}
fn input(kind: OptionKind, s: f64, k: f64, vol: f64, t: f64, r: f64) -> BsInput {
    BsInput {
        kind,
        spot: fx(s),
        strike: fx(k),
        vol: fx(vol),
        time_years: fx(t),
        rate: fx(r),
    }
}
fn ncdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / core::f64::consts::SQRT_2)
}
fn npdf(x: f64) -> f64 {
    libm::exp(-x * x / 2.0) / libm::sqrt(2.0 * core::f64::consts::PI)
}
/// f64 reference: (price, delta, gamma, vega, theta)
fn reference(i: &BsInput) -> (f64, f64, f64, f64, f64) {
    let (s, k, v, t, r) = (f(i.spot), f(i.strike), f(i.vol), f(i.time_years), f(i.rate));
    let sq = libm::sqrt(t);
    let d1 = (libm::log(s / k) + (r + v * v / 2.0) * t) / (v * sq);
    let d2 = d1 - v * sq;
    let df = libm::exp(-r * t);
    let gamma = npdf(d1) / (s * v * sq);
    let vega = s * npdf(d1) * sq;
    match i.kind {
        OptionKind::Call => (
            s * ncdf(d1) - k * df * ncdf(d2),
            ncdf(d1),
            gamma,
            vega,
            -s * npdf(d1) * v / (2.0 * sq) - r * k * df * ncdf(d2),
        ),
        OptionKind::Put => (
            k * df * ncdf(-d2) - s * ncdf(-d1),
            ncdf(d1) - 1.0,
            gamma,
            vega,
            -s * npdf(d1) * v / (2.0 * sq) + r * k * df * ncdf(-d2),
        ),
    }
}

#[test]
fn textbook() {
    let c = price(&input(OptionKind::Call, 42.0, 40.0, 0.2, 0.5, 0.1)).unwrap();
    let p = price(&input(OptionKind::Put, 42.0, 40.0, 0.2, 0.5, 0.1)).unwrap();
    assert!((f(c) - 4.7594).abs() < 5e-5, "{c}");
    assert!((f(p) - 0.8086).abs() < 5e-5, "{p}");
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        libm::exp(libm::log(lo) + self.next() * (libm::log(hi) - libm::log(lo)))
    }
}

#[test]
fn accuracy_vs_f64() {
    let mut rng = Lcg(7);
    let mut worst = [0f64; 5];
    for i in 0..20000 {
        let s = rng.log_uniform(0.1, 100_000.0);
        let k = s * rng.log_uniform(0.25, 4.0);
        let t = rng.log_uniform(15.0 / (365.0 * 24.0 * 60.0), 2.0);
        let v = rng.log_uniform(0.05, 4.0);
        let r = rng.next() * 0.1;
        let kind = if i % 2 == 0 {
            OptionKind::Call
        } else {
            OptionKind::Put
        };
        let inp = input(kind, s, k, v, t, r);
        let g = greeks(&inp).unwrap();
        let (p, d, gm, vg, th) = reference(&inp);
        let sp = f(inp.spot);
        let errs = [
            (f(g.price) - p).abs() / sp,
            (f(g.delta) - d).abs(),
            (g.gamma.raw() as f64 / 1e18 - gm).abs() * sp,
            (f(g.vega) - vg).abs() / sp,
            (f(g.theta) - th).abs() / sp,
        ];
        for j in 0..5 {
            worst[j] = worst[j].max(errs[j]);
        }
        assert_eq!(price(&inp).unwrap(), g.price);
    }
    std::println!(
        "worst errors price {:e} delta {:e} gamma*S {:e} vega {:e} theta {:e}",
        worst[0],
        worst[1],
        worst[2],
        worst[3],
        worst[4]
    );
    for w in worst {
        assert!(w < 1e-9, "{worst:?}");
    }
}

#[test]
fn bounds_and_parity() {
    let mut rng = Lcg(11);
    for _ in 0..5000 {
        let s = rng.log_uniform(0.1, 100_000.0);
        let k = s * rng.log_uniform(0.01, 100.0);
        let t = rng.log_uniform(1e-6, 5.0);
        let v = rng.log_uniform(0.01, 10.0);
        let r = rng.next() * 0.2;
        let c = greeks(&input(OptionKind::Call, s, k, v, t, r)).unwrap();
        let p = greeks(&input(OptionKind::Put, s, k, v, t, r)).unwrap();
        let (sr, kr) = (fx(s).raw(), fx(k).raw());
        assert!(c.price.raw() <= sr && c.price.raw() >= (sr - kr).max(0));
        assert!(p.price.raw() <= kr);
        assert!(c.delta.raw() >= 0 && c.delta.raw() <= FIXED_ONE);
        assert!(p.delta.raw() <= 0 && p.delta.raw() >= -FIXED_ONE);
        assert!(c.gamma.raw() >= 0 && c.vega.raw() >= 0);
        let kd = f(fx(k)) * libm::exp(-f(fx(r)) * f(fx(t)));
        let parity = f(c.price) - f(p.price) - (f(fx(s)) - kd);
        assert!(parity.abs() <= 1e-11 * s.max(k), "{parity}");
    }
}

#[test]
fn extreme_inputs() {
    // |d| in the thousands
    let g = greeks(&input(
        OptionKind::Call,
        100.0,
        400.0,
        0.05,
        15.0 / 525600.0,
        0.0,
    ))
    .unwrap();
    assert_eq!(g.price, Fixed::ZERO);
    assert_eq!(g.delta, Fixed::ZERO);
    assert_eq!(g.gamma.raw(), 0);
    let g = greeks(&input(
        OptionKind::Put,
        100.0,
        400.0,
        0.05,
        15.0 / 525600.0,
        0.0,
    ))
    .unwrap();
    assert_eq!(g.price, fx(300.0));
    assert_eq!(g.delta, fx(-1.0));
    // huge and tiny raw values must not panic
    for kind in [OptionKind::Call, OptionKind::Put] {
        for (s, k) in [
            (1i128, i128::MAX),
            (i128::MAX, 1),
            (1, 1),
            (i128::MAX, i128::MAX),
        ] {
            for t in [1i128, FIXED_ONE, i128::MAX] {
                for v in [1i128, MAX_VOL.raw()] {
                    let inp = BsInput {
                        kind,
                        spot: Fixed::from_raw(s),
                        strike: Fixed::from_raw(k),
                        vol: Fixed::from_raw(v),
                        time_years: Fixed::from_raw(t),
                        rate: MAX_RATE,
                    };
                    let _ = greeks(&inp);
                    let _ = price(&inp);
                }
            }
        }
    }
    assert_eq!(
        price(&input(OptionKind::Call, 0.0, 1.0, 0.2, 1.0, 0.0)),
        Err(RiskError::NonPositivePrice)
    );
    assert_eq!(
        price(&input(OptionKind::Call, 1.0, 1.0, 0.0, 1.0, 0.0)),
        Err(RiskError::InvalidVolatility)
    );
    assert_eq!(
        price(&input(OptionKind::Call, 1.0, 1.0, 0.2, 1.0, -0.01)),
        Err(RiskError::InvalidRate)
    );
    // expiry
    let g = greeks(&input(OptionKind::Call, 110.0, 100.0, 0.2, 0.0, 0.05)).unwrap();
    assert_eq!(g.price, fx(10.0));
    assert_eq!(g.delta, Fixed::ONE);
    assert_eq!(years_from_seconds(SECONDS_PER_YEAR).unwrap(), Fixed::ONE);
    assert_eq!(years_from_seconds(-1).unwrap().raw(), -31710);
}
