//! Accuracy suite of the risk engine: fixed-point basics, the transcendental functions, the
//! Black-Scholes prices and Greeks against a careful f64 reference, expiry behaviour, the vol
//! surface, the error variants, and the American prices (`accuracy/american.rs`).
//!
//! Acceptance tolerances (over spot 0.1 to 100,000, K/S 0.25 to 4, T 15 min to 2 years,
//! sigma 5 % to 400 %, r 0 to 10 %):
//! - price, vega, theta: |engine - reference| <= 1e-8 * spot
//! - delta: <= 1e-8
//! - gamma: <= 1e-8 / spot
//!
//! The f64 reference (tests/common) is accurate to roughly 1e-13 relative in this domain (see its
//! comments), at least four orders of magnitude inside these tolerances, so a failure here is an
//! engine error, not reference noise.

#[path = "accuracy/american.rs"]
mod american;
mod common;

use common::*;
use greekhouse_risk::bs::{self, SECONDS_PER_DAY, SECONDS_PER_YEAR};
use greekhouse_risk::fixed::FIXED_ONE;
use greekhouse_risk::math;
use greekhouse_risk::surface::{TenorPoint, MAX_VOL_BPS, MIN_VOL_FLOOR_BPS};
use greekhouse_risk::{BsInput, Fixed, Fixed18, OptionKind, RiskError, Rounding};
use proptest::prelude::*;

// =============================================================================================
// Fixed-point basics (the CLI and every other module lean on these)
// =============================================================================================

#[test]
fn fixed_ratio_rounds_toward_the_requested_infinity() {
    assert_eq!(
        Fixed::from_ratio(1, 3, Rounding::Down).unwrap().raw(),
        333_333_333_333
    );
    assert_eq!(
        Fixed::from_ratio(1, 3, Rounding::Up).unwrap().raw(),
        333_333_333_334
    );
    assert_eq!(
        Fixed::from_ratio(-1, 3, Rounding::Down).unwrap().raw(),
        -333_333_333_334
    );
    assert_eq!(
        Fixed::from_ratio(-1, 3, Rounding::Up).unwrap().raw(),
        -333_333_333_333
    );
    assert_eq!(
        Fixed::from_ratio(1, -3, Rounding::Down).unwrap().raw(),
        -333_333_333_334
    );
    assert_eq!(Fixed::from_ratio(6, 4, Rounding::Up).unwrap(), fx(1.5));
    assert_eq!(
        Fixed::from_ratio(1, 0, Rounding::Down),
        Err(RiskError::DivisionByZero)
    );
}

#[test]
fn fixed_mul_div_round_as_asked() {
    assert_eq!(
        fx(1.5).checked_mul(fx(2.5), Rounding::Down).unwrap(),
        fx(3.75)
    );
    let tiny = Fixed::from_raw(1);
    assert_eq!(tiny.checked_mul(tiny, Rounding::Down).unwrap().raw(), 0);
    assert_eq!(tiny.checked_mul(tiny, Rounding::Up).unwrap().raw(), 1);
    let neg = Fixed::from_raw(-1);
    assert_eq!(neg.checked_mul(tiny, Rounding::Down).unwrap().raw(), -1);
    assert_eq!(neg.checked_mul(tiny, Rounding::Up).unwrap().raw(), 0);
    let three = Fixed::from_int(3);
    assert_eq!(
        Fixed::ONE.checked_div(three, Rounding::Down).unwrap().raw(),
        333_333_333_333
    );
    assert_eq!(
        Fixed::ONE.checked_div(three, Rounding::Up).unwrap().raw(),
        333_333_333_334
    );
    assert_eq!(
        Fixed::ONE
            .checked_neg()
            .unwrap()
            .checked_div(three, Rounding::Down)
            .unwrap()
            .raw(),
        -333_333_333_334
    );
    assert_eq!(
        Fixed::ONE.checked_div(Fixed::ZERO, Rounding::Up),
        Err(RiskError::DivisionByZero)
    );
    assert_eq!(fx(2.5).checked_mul_int(-4).unwrap(), Fixed::from_int(-10));
    // Large operands must not overflow an intermediate when the result fits:
    // 1e13 * 1e12 = 1e25 (raw 1e37 fits i128, the naive raw product 1e49 does not).
    let big = Fixed::from_int(10_000_000_000_000);
    let r = big
        .checked_mul(Fixed::from_int(1_000_000_000_000), Rounding::Down)
        .unwrap();
    assert_eq!(r.raw(), 10i128.pow(37));
    assert_eq!(
        r.checked_div(big, Rounding::Down).unwrap(),
        Fixed::from_int(1_000_000_000_000)
    );
}

#[test]
fn fixed_overflow_is_an_error() {
    let max = Fixed::from_raw(i128::MAX);
    let min = Fixed::from_raw(i128::MIN);
    assert_eq!(
        max.checked_add(Fixed::from_raw(1)),
        Err(RiskError::Overflow)
    );
    assert_eq!(
        min.checked_sub(Fixed::from_raw(1)),
        Err(RiskError::Overflow)
    );
    assert_eq!(min.checked_neg(), Err(RiskError::Overflow));
    assert_eq!(min.abs(), Err(RiskError::Overflow));
    assert_eq!(
        max.checked_mul(Fixed::from_int(2), Rounding::Down),
        Err(RiskError::Overflow)
    );
    assert_eq!(max.checked_mul_int(2), Err(RiskError::Overflow));
    assert_eq!(max.to_fixed18(), Err(RiskError::Overflow));
}

#[test]
fn fixed_conversions() {
    assert_eq!(fx(2.5).to_int(Rounding::Down).unwrap(), 2);
    assert_eq!(fx(2.5).to_int(Rounding::Up).unwrap(), 3);
    assert_eq!(fx(-2.5).to_int(Rounding::Down).unwrap(), -3);
    assert_eq!(fx(-2.5).to_int(Rounding::Up).unwrap(), -2);
    assert_eq!(Fixed::from_int(7).to_int(Rounding::Up).unwrap(), 7);
    assert_eq!(
        Fixed::from_scaled(12_345, 2, Rounding::Down).unwrap(),
        fx(123.45)
    );
    assert_eq!(Fixed::from_scaled(1, 15, Rounding::Down).unwrap().raw(), 0);
    assert_eq!(Fixed::from_scaled(1, 15, Rounding::Up).unwrap().raw(), 1);
    assert_eq!(
        Fixed::from_scaled(-1, 15, Rounding::Down).unwrap().raw(),
        -1
    );
    assert_eq!(Fixed::from_scaled(-1, 15, Rounding::Up).unwrap().raw(), 0);
    assert_eq!(Fixed::from_bps(2_500), fx(0.25));
    assert_eq!(
        fx(1.5).to_fixed18().unwrap().raw(),
        1_500_000_000_000_000_000
    );
    assert_eq!(
        Fixed18::from_raw(1).to_fixed(Rounding::Down).unwrap().raw(),
        0
    );
    assert_eq!(
        Fixed18::from_raw(1).to_fixed(Rounding::Up).unwrap().raw(),
        1
    );
    assert_eq!(
        Fixed18::from_raw(-1)
            .to_fixed(Rounding::Down)
            .unwrap()
            .raw(),
        -1
    );
    assert_eq!(
        Fixed18::from_raw(-1).to_fixed(Rounding::Up).unwrap().raw(),
        0
    );
    assert_eq!(Fixed::ONE.raw(), FIXED_ONE);
}

#[test]
fn fixed_display_is_exact() {
    assert_eq!(
        Fixed::from_raw(-12_345_000_000_000).to_string(),
        "-12.345000000000"
    );
    assert_eq!(
        Fixed::from_raw(-500_000_000_000).to_string(),
        "-0.500000000000"
    );
    assert_eq!(Fixed::ZERO.to_string(), "0.000000000000");
    assert_eq!(Fixed::from_raw(1).to_string(), "0.000000000001");
    assert_eq!(Fixed::from_int(42).to_string(), "42.000000000000");
}

// =============================================================================================
// Transcendental functions
// =============================================================================================

/// Documented target of `math`: absolute error below 1e-10 over the ranges Black-Scholes needs.
const MATH_TOL: f64 = 1e-10;

fn check_exp(x: Fixed) -> Result<(), String> {
    let got = ff(math::exp(x).map_err(|e| format!("exp({}) -> {e:?}", ff(x)))?);
    let want = libm::exp(ff(x));
    // Absolute 1e-10 below 1, relative 1e-10 above (the argument itself is only resolved to
    // 1e-12, so e^x for x > 0 cannot be absolute-accurate beyond that).
    let tol = MATH_TOL * want.max(1.0);
    if (got - want).abs() > tol {
        return Err(format!("exp({}) = {got:e}, reference {want:e}", ff(x)));
    }
    Ok(())
}

#[test]
fn exp_matches_f64_on_a_grid() {
    let mut bad = Vec::new();
    let mut prev = Fixed::ZERO;
    // -60 .. 20 in steps of 0.01337 (about 6000 points), plus exact integers
    let mut raw = -60 * FIXED_ONE;
    while raw <= 20 * FIXED_ONE {
        let x = Fixed::from_raw(raw);
        if let Err(e) = check_exp(x) {
            bad.push(e);
        }
        let v = math::exp(x).unwrap();
        assert!(v >= prev, "exp not monotone at {}", ff(x));
        prev = v;
        raw += 13_370_000_000;
    }
    for i in -60..=20 {
        if let Err(e) = check_exp(Fixed::from_int(i)) {
            bad.push(e);
        }
    }
    assert!(
        bad.is_empty(),
        "{} exp failures, first: {:?}",
        bad.len(),
        &bad[..bad.len().min(10)]
    );
}

#[test]
fn exp_edges() {
    assert_eq!(math::exp(Fixed::ZERO).unwrap(), Fixed::ONE);
    // underflows to (at most one unit above) zero, not an error
    let tiny = math::exp(Fixed::from_int(-100)).unwrap();
    assert!(tiny.raw() >= 0 && tiny.raw() <= 1, "exp(-100) = {tiny:?}");
    let tiny = math::exp(Fixed::from_int(-1_000_000)).unwrap();
    assert!(tiny.raw() >= 0 && tiny.raw() <= 1);
    // e^100 ~ 2.7e43 does not fit
    assert_eq!(math::exp(Fixed::from_int(100)), Err(RiskError::Overflow));
    assert_eq!(
        math::exp(Fixed::from_int(1_000_000)),
        Err(RiskError::Overflow)
    );
}

#[test]
fn ln_matches_f64() {
    let mut bad = Vec::new();
    // log-spaced 1e-6 .. 1e9, 4000 points
    for i in 0..=4000 {
        let x = fx(10f64.powf(-6.0 + 15.0 * i as f64 / 4000.0));
        let got = ff(math::ln(x).unwrap());
        let want = libm::log(ff(x));
        if (got - want).abs() > MATH_TOL {
            bad.push(format!("ln({}) = {got}, reference {want}", ff(x)));
        }
    }
    // around 1, where the result is small and any offset shows
    for raw in (FIXED_ONE - 1_000_000..=FIXED_ONE + 1_000_000).step_by(99_991) {
        let x = Fixed::from_raw(raw);
        let got = ff(math::ln(x).unwrap());
        let want = libm::log(ff(x));
        if (got - want).abs() > MATH_TOL {
            bad.push(format!("ln({}) = {got:e}, reference {want:e}", ff(x)));
        }
    }
    assert!(
        bad.is_empty(),
        "{} ln failures, first: {:?}",
        bad.len(),
        &bad[..bad.len().min(10)]
    );
    assert_eq!(math::ln(Fixed::ONE).unwrap(), Fixed::ZERO);
    assert_eq!(math::ln(Fixed::ZERO), Err(RiskError::DomainError));
    assert_eq!(math::ln(fx(-1.0)), Err(RiskError::DomainError));
}

/// `sqrt` is documented as rounded down: the result must be exactly floor(sqrt(x)) at 12
/// decimals, i.e. floor(sqrt(raw * 10^12)) in raw units.
fn check_sqrt(raw: i128) -> Result<(), String> {
    let got = math::sqrt(Fixed::from_raw(raw)).map_err(|e| format!("sqrt(raw {raw}) -> {e:?}"))?;
    let want = isqrt(raw as u128 * FIXED_ONE as u128) as i128;
    if got.raw() != want {
        return Err(format!(
            "sqrt(raw {raw}) = raw {}, floor is raw {want}",
            got.raw()
        ));
    }
    Ok(())
}

#[test]
fn sqrt_is_exactly_rounded_down() {
    let mut bad = Vec::new();
    // log-spaced raw values 1 .. 1e26 (x up to 1e14)
    for i in 0..=3000 {
        let raw = 10f64.powf(26.0 * i as f64 / 3000.0) as i128;
        for r in [raw, raw + 1, raw.saturating_sub(1).max(0)] {
            if let Err(e) = check_sqrt(r) {
                bad.push(e);
            }
        }
    }
    // perfect squares and their neighbours
    for n in [1i128, 2, 3, 10, 12_345, 999_999, 9_999_991] {
        let sq = n * n * FIXED_ONE; // x = n^2 (in Fixed units), at most ~1e14
        for r in [sq - 1, sq, sq + 1] {
            if let Err(e) = check_sqrt(r) {
                bad.push(e);
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} sqrt failures, first: {:?}",
        bad.len(),
        &bad[..bad.len().min(10)]
    );
    assert_eq!(math::sqrt(Fixed::ZERO).unwrap(), Fixed::ZERO);
    assert_eq!(math::sqrt(Fixed::from_int(4)).unwrap(), Fixed::from_int(2));
    assert_eq!(math::sqrt(Fixed::from_raw(-1)), Err(RiskError::DomainError));
}

#[test]
fn norm_pdf_and_cdf_match_f64() {
    let mut bad = Vec::new();
    let mut prev_cdf = Fixed::ZERO;
    // -40 .. 40 in steps of 0.00977 (about 8200 points)
    let mut raw = -40 * FIXED_ONE;
    while raw <= 40 * FIXED_ONE {
        let x = Fixed::from_raw(raw);
        let xf = ff(x);
        let pdf = math::norm_pdf(x).unwrap();
        let cdf = math::norm_cdf(x).unwrap();
        if pdf.is_negative() || (ff(pdf) - n_pdf(xf)).abs() > MATH_TOL {
            bad.push(format!(
                "norm_pdf({xf}) = {}, reference {}",
                ff(pdf),
                n_pdf(xf)
            ));
        }
        if cdf.is_negative() || cdf > Fixed::ONE || (ff(cdf) - n_cdf(xf)).abs() > MATH_TOL {
            bad.push(format!(
                "norm_cdf({xf}) = {}, reference {}",
                ff(cdf),
                n_cdf(xf)
            ));
        }
        if cdf < prev_cdf {
            bad.push(format!("norm_cdf decreases at {xf}"));
        }
        prev_cdf = cdf;
        // symmetry N(x) + N(-x) = 1
        let mirror = math::norm_cdf(Fixed::from_raw(-raw)).unwrap();
        if (ff(cdf) + ff(mirror) - 1.0).abs() > 2.0 * MATH_TOL {
            bad.push(format!("N({xf}) + N(-{xf}) = {}", ff(cdf) + ff(mirror)));
        }
        raw += 9_770_000_000;
    }
    assert!(
        bad.is_empty(),
        "{} failures, first: {:?}",
        bad.len(),
        &bad[..bad.len().min(10)]
    );
    assert!((ff(math::norm_cdf(Fixed::ZERO).unwrap()) - 0.5).abs() <= 1e-12);
    // far tails saturate cleanly
    let lo = math::norm_cdf(Fixed::from_int(-1_000)).unwrap();
    assert!(lo.raw() >= 0 && lo.raw() <= 1, "N(-1000) = {lo:?}");
    let hi = math::norm_cdf(Fixed::from_int(1_000)).unwrap();
    assert!(hi <= Fixed::ONE && hi.raw() >= FIXED_ONE - 1);
    assert!(math::norm_pdf(Fixed::from_int(1_000)).unwrap().raw() <= 1);
}

proptest! {
    #![proptest_config(pt_config(2000))]

    #[test]
    fn exp_random(raw in -60 * FIXED_ONE..=20 * FIXED_ONE) {
        prop_assert!(check_exp(Fixed::from_raw(raw)).is_ok(), "{:?}", check_exp(Fixed::from_raw(raw)));
    }

    #[test]
    fn ln_random(log_x in -6.0f64..9.0) {
        let x = fx(10f64.powf(log_x));
        let got = ff(math::ln(x).unwrap());
        let want = libm::log(ff(x));
        prop_assert!((got - want).abs() <= MATH_TOL, "ln({}) = {}, reference {}", ff(x), got, want);
    }

    #[test]
    fn sqrt_random(raw in 0i128..100_000_000_000_000_000_000_000_000) {
        prop_assert!(check_sqrt(raw).is_ok(), "{:?}", check_sqrt(raw));
    }

    #[test]
    fn norm_random(raw in -40 * FIXED_ONE..=40 * FIXED_ONE) {
        let x = Fixed::from_raw(raw);
        let xf = ff(x);
        let pdf = ff(math::norm_pdf(x).unwrap());
        let cdf = ff(math::norm_cdf(x).unwrap());
        prop_assert!((pdf - n_pdf(xf)).abs() <= MATH_TOL, "pdf({}) = {} vs {}", xf, pdf, n_pdf(xf));
        prop_assert!((cdf - n_cdf(xf)).abs() <= MATH_TOL, "cdf({}) = {} vs {}", xf, cdf, n_cdf(xf));
    }
}

// =============================================================================================
// Black-Scholes against the reference
// =============================================================================================

fn input(
    kind: OptionKind,
    spot: Fixed,
    strike: Fixed,
    vol: Fixed,
    t: Fixed,
    rate: Fixed,
) -> BsInput {
    BsInput {
        kind,
        spot,
        strike,
        vol,
        time_years: t,
        rate,
    }
}

/// Compares `bs::price` and `bs::greeks` at one point with the reference; returns every
/// violated tolerance.
fn compare(inp: &BsInput) -> Vec<String> {
    let (s, k, v, t, r) = (
        ff(inp.spot),
        ff(inp.strike),
        ff(inp.vol),
        ff(inp.time_years),
        ff(inp.rate),
    );
    let reference = bs_ref(inp.kind, s, k, v, t, r);
    let at = format!("{:?} S={s} K={k} sigma={v} T={t} r={r}", inp.kind);
    let mut bad = Vec::new();
    let g = match bs::greeks(inp) {
        Ok(g) => g,
        Err(e) => return vec![format!("{at}: greeks -> {e:?}")],
    };
    let p = match bs::price(inp) {
        Ok(p) => p,
        Err(e) => return vec![format!("{at}: price -> {e:?}")],
    };
    let money_tol = 1e-8 * s;
    let mut check = |name: &str, got: f64, want: f64, tol: f64| {
        if (got - want).abs() > tol {
            bad.push(format!(
                "{at}: {name} = {got:e}, reference {want:e}, error {:e} > tol {tol:e}",
                (got - want).abs()
            ));
        }
    };
    check("price", ff(p), reference.price, money_tol);
    check("greeks.price", ff(g.price), reference.price, money_tol);
    check("delta", ff(g.delta), reference.delta, 1e-8);
    check("gamma", ff18(g.gamma), reference.gamma, 1e-8 / s);
    check("vega", ff(g.vega), reference.vega, money_tol);
    check("theta", ff(g.theta), reference.theta, money_tol);
    bad
}

#[test]
fn textbook_case() {
    // Hull's example: S=42, K=40, r=10 %, sigma=20 %, T=0.5 y -> call 4.7594, put 0.8086
    let call = input(
        OptionKind::Call,
        fx(42.0),
        fx(40.0),
        fx(0.2),
        fx(0.5),
        fx(0.1),
    );
    let put = BsInput {
        kind: OptionKind::Put,
        ..call
    };
    let c = ff(bs::price(&call).unwrap());
    let p = ff(bs::price(&put).unwrap());
    assert!((c - 4.7594).abs() < 0.5e-4, "call {c}");
    assert!((p - 0.8086).abs() < 0.5e-4, "put {p}");
    assert!(compare(&call).is_empty(), "{:?}", compare(&call));
    assert!(compare(&put).is_empty(), "{:?}", compare(&put));
    // reference sanity (protects the reference itself)
    let rc = bs_ref(OptionKind::Call, 42.0, 40.0, 0.2, 0.5, 0.1);
    assert!((rc.price - 4.759_422_392_871_532).abs() < 1e-12);
    assert!((rc.delta - 0.779_131_290_942_423_5).abs() < 1e-12);
}

#[test]
fn dense_grid_within_tolerance() {
    let spots = [0.1, 0.7, 13.0, 250.0, 4_321.5, 100_000.0];
    let moneyness = [0.25, 0.5, 0.8, 0.97, 1.0, 1.03, 1.25, 2.0, 4.0];
    let seconds = [
        900.0,
        3_600.0,
        86_400.0,
        7.0 * 86_400.0,
        30.0 * 86_400.0,
        0.25 * YEAR_SECS,
        YEAR_SECS,
        2.0 * YEAR_SECS,
    ];
    let vols = [0.05, 0.15, 0.4, 1.0, 2.0, 4.0];
    let rates = [0.0, 0.03, 0.1];
    let mut bad = Vec::new();
    let mut points = 0;
    for &s in &spots {
        for &m in &moneyness {
            for &secs in &seconds {
                for &v in &vols {
                    for &r in &rates {
                        for kind in [OptionKind::Call, OptionKind::Put] {
                            let inp =
                                input(kind, fx(s), fx(s * m), fx(v), fx(secs / YEAR_SECS), fx(r));
                            bad.extend(compare(&inp));
                            points += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} violations over {points} points; first 20:\n{}",
        bad.len(),
        bad[..bad.len().min(20)].join("\n")
    );
}

proptest! {
    #![proptest_config(pt_config(5000))]

    #[test]
    fn random_points_within_tolerance(inp in bs_inputs()) {
        let bad = compare(&inp);
        prop_assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}

// =============================================================================================
// Expiry
// =============================================================================================

#[test]
fn intrinsic_values() {
    let (s, k) = (fx(105.5), fx(100.0));
    assert_eq!(bs::intrinsic(OptionKind::Call, s, k).unwrap(), fx(5.5));
    assert_eq!(bs::intrinsic(OptionKind::Put, s, k).unwrap(), Fixed::ZERO);
    assert_eq!(bs::intrinsic(OptionKind::Call, k, s).unwrap(), Fixed::ZERO);
    assert_eq!(bs::intrinsic(OptionKind::Put, k, s).unwrap(), fx(5.5));
    assert_eq!(bs::intrinsic(OptionKind::Put, k, k).unwrap(), Fixed::ZERO);
}

#[test]
fn at_and_after_expiry_price_is_intrinsic() {
    for t in [Fixed::ZERO, Fixed::from_raw(-1), fx(-0.5), fx(-3.0)] {
        for (s, k) in [
            (fx(120.0), fx(100.0)),
            (fx(80.0), fx(100.0)),
            (fx(0.3), fx(0.25)),
        ] {
            for kind in [OptionKind::Call, OptionKind::Put] {
                let inp = input(kind, s, k, fx(0.6), t, fx(0.05));
                let intrinsic = bs::intrinsic(kind, s, k).unwrap();
                assert_eq!(bs::price(&inp).unwrap(), intrinsic, "{inp:?}");
                let g = bs::greeks(&inp).unwrap();
                assert_eq!(g.price, intrinsic, "{inp:?}");
                let itm = match kind {
                    OptionKind::Call => s > k,
                    OptionKind::Put => s < k,
                };
                let step = match (kind, itm) {
                    (OptionKind::Call, true) => Fixed::ONE,
                    (OptionKind::Put, true) => Fixed::ONE.checked_neg().unwrap(),
                    _ => Fixed::ZERO,
                };
                assert_eq!(g.delta, step, "{inp:?}");
                assert_eq!(g.gamma, Fixed18::ZERO, "{inp:?}");
                assert_eq!(g.vega, Fixed::ZERO, "{inp:?}");
                assert_eq!(g.theta, Fixed::ZERO, "{inp:?}");
            }
        }
    }
}

#[test]
fn years_from_seconds_rounds_down() {
    assert_eq!(
        bs::years_from_seconds(SECONDS_PER_YEAR).unwrap(),
        Fixed::ONE
    );
    assert_eq!(bs::years_from_seconds(0).unwrap(), Fixed::ZERO);
    assert_eq!(
        bs::years_from_seconds(SECONDS_PER_DAY).unwrap(),
        years(SECONDS_PER_DAY)
    );
    assert_eq!(bs::years_from_seconds(900).unwrap(), years(900));
    assert_eq!(
        bs::years_from_seconds(2 * SECONDS_PER_YEAR + 1).unwrap(),
        years(2 * SECONDS_PER_YEAR + 1)
    );
    assert_eq!(SECONDS_PER_YEAR, 365 * SECONDS_PER_DAY);
}

// =============================================================================================
// Error cases
// =============================================================================================

#[test]
fn invalid_inputs_are_typed_errors() {
    let ok = input(
        OptionKind::Call,
        fx(100.0),
        fx(100.0),
        fx(0.5),
        fx(0.25),
        fx(0.05),
    );
    let cases: Vec<(BsInput, RiskError)> = vec![
        (
            BsInput {
                spot: Fixed::ZERO,
                ..ok
            },
            RiskError::NonPositivePrice,
        ),
        (
            BsInput {
                spot: fx(-100.0),
                ..ok
            },
            RiskError::NonPositivePrice,
        ),
        (
            BsInput {
                strike: Fixed::ZERO,
                ..ok
            },
            RiskError::NonPositivePrice,
        ),
        (
            BsInput {
                strike: fx(-1.0),
                ..ok
            },
            RiskError::NonPositivePrice,
        ),
        (
            BsInput {
                vol: Fixed::ZERO,
                ..ok
            },
            RiskError::InvalidVolatility,
        ),
        (
            BsInput {
                vol: fx(-0.2),
                ..ok
            },
            RiskError::InvalidVolatility,
        ),
        // 10,000 % is beyond any supported maximum (the surface caps at 500 %)
        (
            BsInput {
                vol: fx(100.0),
                ..ok
            },
            RiskError::InvalidVolatility,
        ),
        // +-1,000 % per year is outside any sane rate range
        (
            BsInput {
                rate: fx(10.0),
                ..ok
            },
            RiskError::InvalidRate,
        ),
        (
            BsInput {
                rate: fx(-10.0),
                ..ok
            },
            RiskError::InvalidRate,
        ),
    ];
    for (inp, err) in cases {
        for kind in [OptionKind::Call, OptionKind::Put] {
            let inp = BsInput { kind, ..inp };
            assert_eq!(bs::price(&inp), Err(err), "price {inp:?}");
            assert_eq!(
                bs::greeks(&inp).map(|g| g.price),
                Err(err),
                "greeks {inp:?}"
            );
        }
    }
    // the top of the accuracy domain is accepted
    let top = BsInput {
        vol: fx(4.0),
        rate: fx(0.1),
        time_years: fx(2.0),
        ..ok
    };
    assert!(bs::greeks(&top).is_ok());
    // the surface's maximum vol is accepted by Black-Scholes
    let max_vol = Fixed::from_bps(MAX_VOL_BPS);
    assert!(bs::greeks(&BsInput { vol: max_vol, ..ok }).is_ok());
}

// =============================================================================================
// Vol surface
// =============================================================================================

const DAY: u32 = 86_400;
/// The engine stores tenor times in `Fixed` years (1e-12 y resolution), so its total variances
/// carry a relative error of about 1e-12 / t_min ~ 4e-10 at a one-day tenor, amplified by the
/// interpolation weights; 1e-8 in vol (a millionth of a vol point) is comfortably above that and
/// still far below anything that matters for the price (vega * 1e-8 < 1e-8 * S).
const VOL_TOL: f64 = 1e-8;

fn sample_tenors() -> Vec<(u32, f64)> {
    vec![
        (DAY, 0.9),
        (7 * DAY, 0.7),
        (30 * DAY, 0.55),
        (365 * DAY, 0.6),
    ]
}

#[test]
fn atm_vol_interpolates_total_variance() {
    let tenors = sample_tenors();
    let surf = surface(&tenors, 0.0, 0.0, 0.05);
    surf.validate().unwrap();
    let mut bad = Vec::new();
    // from 1 minute to 3 years, log-spaced
    for i in 0..=600 {
        let secs = 60.0 * (3.0 * YEAR_SECS / 60.0).powf(i as f64 / 600.0);
        let t = fx(secs / YEAR_SECS);
        let got = ff(surf.atm_vol(t).unwrap());
        let want = atm_ref(&tenors, ff(t));
        if (got - want).abs() > VOL_TOL {
            bad.push(format!("atm_vol({} y) = {got}, reference {want}", ff(t)));
        }
    }
    assert!(
        bad.is_empty(),
        "{} failures, first: {:?}",
        bad.len(),
        &bad[..bad.len().min(10)]
    );
    // at the tenor points themselves, and flat outside
    for &(secs, atm) in &tenors {
        let got = ff(surf.atm_vol(years(secs as i64)).unwrap());
        assert!((got - atm).abs() <= VOL_TOL, "at {secs} s: {got} vs {atm}");
    }
    assert_eq!(surf.atm_vol(years(60)).unwrap(), fx(0.9));
    assert_eq!(surf.atm_vol(Fixed::ZERO).unwrap(), fx(0.9));
    assert_eq!(surf.atm_vol(fx(5.0)).unwrap(), fx(0.6));
    // a single tenor is a flat term structure
    let flat = surface(&[(30 * DAY, 0.42)], 0.0, 0.0, 0.05);
    flat.validate().unwrap();
    for t in [years(900), years(30 * DAY as i64), fx(2.0)] {
        assert_eq!(flat.atm_vol(t).unwrap(), fx(0.42));
    }
}

#[test]
fn vol_applies_skew_smile_and_floor() {
    let tenors = sample_tenors();
    let surf = surface(&tenors, -0.15, 0.3, 0.1);
    surf.validate().unwrap();
    let spot = fx(150.0);
    let mut bad = Vec::new();
    for m in [0.25, 0.4, 0.7, 0.9, 1.0, 1.1, 1.5, 2.5, 4.0] {
        for secs in [
            900.0,
            2.0 * 86_400.0,
            20.0 * 86_400.0,
            200.0 * 86_400.0,
            2.0 * YEAR_SECS,
        ] {
            let (k, t) = (fx(150.0 * m), fx(secs / YEAR_SECS));
            let got = ff(surf.vol(k, spot, t).unwrap());
            let want = vol_ref(&tenors, -0.15, 0.3, 0.1, ff(k), ff(spot), ff(t));
            if (got - want).abs() > VOL_TOL {
                bad.push(format!(
                    "vol(K/S={m}, T={}) = {got}, reference {want}",
                    ff(t)
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:?}");
    // a steep negative skew drives the raw vol below the floor far above the spot
    let steep = surface(&tenors, -1.0, 0.0, 0.12);
    steep.validate().unwrap();
    assert_eq!(
        steep.vol(fx(600.0), spot, years(30 * DAY as i64)).unwrap(),
        fx(0.12)
    );
    // errors
    assert_eq!(
        surf.vol(Fixed::ZERO, spot, fx(0.1)),
        Err(RiskError::NonPositivePrice)
    );
    assert_eq!(
        surf.vol(fx(100.0), Fixed::ZERO, fx(0.1)),
        Err(RiskError::NonPositivePrice)
    );
    assert_eq!(
        surf.vol(fx(-100.0), spot, fx(0.1)),
        Err(RiskError::NonPositivePrice)
    );
}

proptest! {
    #![proptest_config(pt_config(1000))]

    #[test]
    fn random_surfaces_match_reference(
        count in 1usize..=4,
        gaps in proptest::collection::vec(1u32..120, 4),
        atms in proptest::collection::vec(0.1f64..1.5, 4),
        skew in -0.5f64..0.5,
        smile in 0.0f64..0.5,
        min_vol in 0.02f64..0.2,
        lm in 0.25f64.ln()..4f64.ln(),
        lt in (900.0 / YEAR_SECS).ln()..3f64.ln(),
    ) {
        let mut secs = 0u32;
        let tenors: Vec<(u32, f64)> = (0..count)
            .map(|i| { secs += gaps[i] * DAY; (secs, atms[i]) })
            .collect();
        let surf = surface(&tenors, skew, smile, min_vol);
        prop_assert_eq!(surf.validate(), Ok(()));
        let spot = fx(2_000.0);
        let (k, t) = (fx(2_000.0 * lm.exp()), fx(lt.exp()));
        let got = ff(surf.atm_vol(t).unwrap());
        let want = atm_ref(&tenors, ff(t));
        prop_assert!((got - want).abs() <= VOL_TOL, "atm {} vs {}", got, want);
        let got = ff(surf.vol(k, spot, t).unwrap());
        let want = vol_ref(&tenors, skew, smile, min_vol, ff(k), ff(spot), ff(t));
        prop_assert!((got - want).abs() <= VOL_TOL, "vol {} vs {}", got, want);
    }
}

#[test]
fn surface_validation_failures() {
    let good = surface(&sample_tenors(), -0.1, 0.2, 0.1);
    assert_eq!(good.validate(), Ok(()));
    // entries past tenor_count are ignored
    let mut short = good;
    short.tenor_count = 3;
    short.tenors[3] = TenorPoint {
        seconds: 1,
        atm_vol: Fixed::ZERO,
    };
    assert_eq!(short.validate(), Ok(()));

    let bad = |f: &dyn Fn(&mut greekhouse_risk::VolSurface), why: &str| {
        let mut s = good;
        f(&mut s);
        assert_eq!(s.validate(), Err(RiskError::InvalidSurface), "{why}");
    };
    bad(&|s| s.tenor_count = 0, "no tenor");
    bad(&|s| s.tenor_count = 5, "more tenors than MAX_TENORS");
    bad(&|s| s.tenor_count = u8::MAX, "tenor_count far out of range");
    bad(&|s| s.tenors.swap(1, 2), "tenors out of order");
    bad(
        &|s| s.tenors[2].seconds = s.tenors[1].seconds,
        "duplicate tenor",
    );
    bad(&|s| s.tenors[1].atm_vol = Fixed::ZERO, "zero atm vol");
    bad(&|s| s.tenors[1].atm_vol = fx(-0.5), "negative atm vol");
    bad(
        &|s| s.tenors[3].atm_vol = Fixed::from_bps(MAX_VOL_BPS + 1),
        "atm vol above the maximum",
    );
    bad(
        &|s| s.tenors[0].atm_vol = Fixed::from_bps(MIN_VOL_FLOOR_BPS - 1),
        "atm vol below 1 %",
    );
    bad(&|s| s.min_vol = Fixed::ZERO, "zero floor");
    bad(
        &|s| s.min_vol = Fixed::from_bps(MIN_VOL_FLOOR_BPS - 1),
        "floor below 1 %",
    );
    bad(
        &|s| s.min_vol = Fixed::from_bps(MAX_VOL_BPS + 1),
        "floor above the maximum",
    );
    bad(&|s| s.skew = Fixed::from_int(1_000_000), "absurd skew");
    bad(&|s| s.smile = Fixed::from_int(-1_000_000), "absurd smile");
}

#[test]
fn surface_relative_change_bound() {
    let old = surface(&sample_tenors(), -0.1, 0.2, 0.1);
    let half = fx(0.5);
    assert!(old.within_relative_change(&old, half).unwrap());
    let mut up40 = old;
    up40.tenors[2].atm_vol = fx(0.55 * 1.4);
    assert!(old.within_relative_change(&up40, half).unwrap());
    let mut up60 = old;
    up60.tenors[2].atm_vol = fx(0.55 * 1.6);
    assert!(!old.within_relative_change(&up60, half).unwrap());
    let mut down60 = old;
    down60.tenors[0].atm_vol = fx(0.9 * 0.4);
    assert!(!old.within_relative_change(&down60, half).unwrap());
}
