//! Unit tests of `math.rs` (host only; f64 references live here, never in the on-chain code).

use super::*;

fn fx(v: f64) -> Fixed {
    Fixed::from_raw((v * 1e12).round() as i128)
}
fn f(v: Fixed) -> f64 {
    v.raw() as f64 / 1e12
}
fn erfc_ref(x: f64) -> f64 {
    libm::erfc(x)
}
fn cdf_ref(x: f64) -> f64 {
    0.5 * erfc_ref(-x / core::f64::consts::SQRT_2)
}

#[test]
fn ln_const() {
    let want = 12.0 * core::f64::consts::LN_10 * 2f64.powi(55);
    assert!(
        (LN_1E12_Q55 as f64 - want).abs() < 2048.0,
        "{} {}",
        LN_1E12_Q55,
        want
    );
}

#[test]
fn exp_accuracy() {
    let mut worst: f64 = 0.0;
    let mut x = -30.0;
    while x < 20.0 {
        let got = f(exp(fx(x)).unwrap());
        let want = libm::exp(f(fx(x)));
        // half a unit of the last place plus a relative term
        let err = ((got - want).abs() - 0.5e-12).max(0.0) / want.max(1.0);
        worst = worst.max(err);
        x += 0.0137;
    }
    std::println!("measured exp abs err: {worst:e}");
    assert!(worst < 2e-15, "worst {worst}");
    assert_eq!(exp(Fixed::ZERO).unwrap(), Fixed::ONE);
    assert_eq!(exp(fx(-300.0)).unwrap(), Fixed::ZERO);
    assert!(exp(fx(100.0)).is_err());
}

#[test]
fn exp_kernel_relative() {
    let mut worst: f64 = 0.0;
    for i in 0..20000 {
        let x = -40.0 + 80.0 * (i as f64) / 20000.0;
        let q = (x * 2f64.powi(55)) as i64;
        let e = exp_q55(q);
        let got = e.m as f64 * 2f64.powi(e.e);
        let want = libm::exp(q as f64 / 2f64.powi(55));
        worst = worst.max((got / want - 1.0).abs());
    }
    std::println!("measured exp kernel rel err: {worst:e}");
    assert!(worst < 5e-16, "worst {worst}");
}

#[test]
fn ln_accuracy() {
    let mut worst: f64 = 0.0;
    let mut x = 1e-6;
    while x < 1e9 {
        let got = f(ln(fx(x)).unwrap());
        let want = libm::log(f(fx(x)));
        worst = worst.max((got - want).abs());
        x *= 1.0173;
    }
    std::println!("measured ln abs err: {worst:e}");
    assert!(worst < 2e-12, "worst {worst}");
    assert_eq!(ln(Fixed::ONE).unwrap(), Fixed::ZERO);
    assert!(ln(Fixed::ZERO).is_err());
    assert!(ln(fx(-1.0)).is_err());
    // extreme raw values
    assert!(ln(Fixed::from_raw(1)).is_ok());
    assert!(ln(Fixed::from_raw(i128::MAX)).is_ok());
}

#[test]
fn ln_kernel_near_one() {
    // ln of K/S close to 1 must be accurate in absolute terms
    let mut worst: f64 = 0.0;
    for i in 0..5000u64 {
        let m = (1u64 << 63) + i * 0x1234_5678_9abc;
        let x = Bf { m, e: -63 };
        let got = ln_q55(x) as f64 / 2f64.powi(55);
        let want = libm::log1p((m - (1u64 << 63)) as f64 / 2f64.powi(63));
        worst = worst.max((got - want).abs());
        let x = Bf {
            m: m.wrapping_neg() | (1 << 63),
            e: -64,
        };
        let got = ln_q55(x) as f64 / 2f64.powi(55);
        let want = libm::log(x.m as f64 / 2f64.powi(64));
        worst = worst.max((got - want).abs());
    }
    std::println!("measured ln kernel err near 1: {worst:e}");
    assert!(worst < 1e-16, "worst {worst}");
}

#[test]
fn sqrt_exact_floor() {
    for v in [0.0, 1e-12, 2.0, 0.25, 1e6, 123456.789, 1e20, 3e14] {
        let x = fx(v);
        let s = sqrt(x).unwrap().raw() as u128;
        let n = wide::mul_128x128(x.raw() as u128, 1_000_000_000_000);
        assert!(wide::checked_sub(&n, &wide::mul_128x128(s, s)).is_some());
        assert!(wide::checked_sub(&n, &wide::mul_128x128(s + 1, s + 1)).is_none());
    }
    // huge
    let x = Fixed::from_raw(i128::MAX);
    let s = sqrt(x).unwrap().raw() as u128;
    let n = wide::mul_128x128(i128::MAX as u128, 1_000_000_000_000);
    assert!(wide::checked_sub(&n, &wide::mul_128x128(s, s)).is_some());
    assert!(wide::checked_sub(&n, &wide::mul_128x128(s + 1, s + 1)).is_none());
    assert!(sqrt(fx(-1.0)).is_err());
}

#[test]
fn normal_accuracy() {
    let mut wp: f64 = 0.0;
    let mut wc: f64 = 0.0;
    let mut x = -12.0;
    while x < 12.0 {
        let xf = f(fx(x));
        let p = f(norm_pdf(fx(x)).unwrap());
        let c = f(norm_cdf(fx(x)).unwrap());
        let pr = (-xf * xf / 2.0).exp() / (2.0 * core::f64::consts::PI).sqrt();
        wp = wp.max((p - pr).abs());
        wc = wc.max((c - cdf_ref(xf)).abs());
        x += 0.00731;
    }
    std::println!("measured pdf abs err {wp:e}, cdf abs err {wc:e}");
    assert!(wp < 1e-12, "pdf {wp}");
    assert!(wc < 1e-12, "cdf {wc}");
    assert_eq!(norm_cdf(fx(50.0)).unwrap(), Fixed::ONE);
    assert_eq!(norm_cdf(fx(-50.0)).unwrap(), Fixed::ZERO);
    assert_eq!(norm_cdf(Fixed::from_raw(i128::MIN)).unwrap(), Fixed::ZERO);
    assert_eq!(norm_pdf(Fixed::from_raw(i128::MAX)).unwrap(), Fixed::ZERO);
}

#[test]
fn tail_relative_accuracy() {
    // relative accuracy of the upper tail at Q63 (kernel level)
    let mut worst: f64 = 0.0;
    let mut t = 0.0;
    while t < 9.0 {
        let q = (t * 2f64.powi(52)) as u64;
        let tt = q as f64 / 2f64.powi(52);
        let (tail, _) = tail_q63(q);
        let got = tail as f64 / 2f64.powi(63);
        let want = 0.5 * erfc_ref(tt / core::f64::consts::SQRT_2);
        let err = (got - want).abs();
        worst = worst.max(err / want.clamp(1e-3, 1.0));
        t += 0.0011;
    }
    std::println!("measured tail rel err: {worst:e}");
    assert!(worst < 1e-14, "worst {worst}");
}

#[test]
fn mills_large_t() {
    for t in [8.0f64, 15.9, 16.0, 17.5, 25.0, 30.0, 100.0, 1000.0, 2047.0] {
        let q = (t * 2f64.powi(52)) as u64;
        let tt = q as f64 / 2f64.powi(52);
        let r = mills_q63(q) as f64 / 2f64.powi(63);
        let want = if tt < 20.0 {
            libm::sqrt(core::f64::consts::PI / 2.0)
                * libm::exp(tt * tt / 2.0)
                * libm::erfc(tt / core::f64::consts::SQRT_2)
        } else {
            // asymptotic series, ample terms for t >= 20
            let z = 1.0 / (tt * tt);
            let mut term = 1.0;
            let mut sum = 1.0;
            for k in 1..12 {
                term *= -((2 * k - 1) as f64) * z;
                sum += term;
            }
            sum / tt
        };
        assert!((r - want).abs() < 1e-13 * want, "{t} {r} {want}");
    }
    // continuity at 16
    let a = mills_q63((16u64 << 52) - 1);
    let b = mills_q63(16u64 << 52);
    assert!((a as i128 - b as i128).abs() < 2048, "{a} {b}"); // 1e-16 table tolerance
}
