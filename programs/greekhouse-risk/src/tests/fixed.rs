//! Unit tests of `fixed.rs` (host only; f64 references live here, never in the on-chain code).

use super::*;
extern crate std;
use std::format;

#[test]
fn arithmetic_and_rounding() {
    let a = Fixed::from_int(3);
    let b = Fixed::from_int(-2);
    assert_eq!(
        a.checked_mul(b, Rounding::Down).unwrap(),
        Fixed::from_int(-6)
    );
    let third_d = Fixed::from_ratio(1, 3, Rounding::Down).unwrap();
    let third_u = Fixed::from_ratio(1, 3, Rounding::Up).unwrap();
    assert_eq!(third_d.raw(), 333_333_333_333);
    assert_eq!(third_u.raw(), 333_333_333_334);
    let m_d = Fixed::from_ratio(-1, 3, Rounding::Down).unwrap();
    let m_u = Fixed::from_ratio(-1, 3, Rounding::Up).unwrap();
    assert_eq!(m_d.raw(), -333_333_333_334);
    assert_eq!(m_u.raw(), -333_333_333_333);
    assert_eq!(
        Fixed::from_ratio(1, 0, Rounding::Up),
        Err(RiskError::DivisionByZero)
    );
    let x = Fixed::from_raw(1);
    assert_eq!(x.checked_mul(x, Rounding::Down).unwrap().raw(), 0);
    assert_eq!(x.checked_mul(x, Rounding::Up).unwrap().raw(), 1);
    assert_eq!(
        x.checked_neg()
            .unwrap()
            .checked_mul(x, Rounding::Down)
            .unwrap()
            .raw(),
        -1
    );
    assert_eq!(
        x.checked_neg()
            .unwrap()
            .checked_mul(x, Rounding::Up)
            .unwrap()
            .raw(),
        0
    );
    assert_eq!(
        Fixed::from_int(7)
            .checked_div(Fixed::from_int(-2), Rounding::Down)
            .unwrap()
            .raw(),
        -3_500_000_000_000
    );
    assert!(Fixed::from_raw(i128::MAX)
        .checked_mul(Fixed::from_int(2), Rounding::Up)
        .is_err());
    assert!(Fixed::from_raw(i128::MAX)
        .checked_add(Fixed::from_raw(1))
        .is_err());
    assert!(Fixed::from_raw(i128::MIN).checked_neg().is_err());
    assert!(Fixed::from_raw(i128::MIN).abs().is_err());
    assert!(Fixed::from_raw(i128::MAX)
        .checked_div(Fixed::from_raw(1), Rounding::Up)
        .is_err());
    assert_eq!(
        Fixed::from_raw(i128::MIN).to_int(Rounding::Up).unwrap(),
        i128::MIN / FIXED_ONE
    );
}

#[test]
fn scaled_and_int() {
    assert_eq!(
        Fixed::from_scaled(12345, 2, Rounding::Down).unwrap().raw(),
        123_450_000_000_000
    );
    assert_eq!(Fixed::from_scaled(1, 13, Rounding::Down).unwrap().raw(), 0);
    assert_eq!(Fixed::from_scaled(1, 13, Rounding::Up).unwrap().raw(), 1);
    assert_eq!(
        Fixed::from_scaled(-1, 13, Rounding::Down).unwrap().raw(),
        -1
    );
    assert_eq!(Fixed::from_scaled(-1, 13, Rounding::Up).unwrap().raw(), 0);
    assert_eq!(Fixed::from_scaled(5, 200, Rounding::Up).unwrap().raw(), 1);
    assert_eq!(Fixed::from_scaled(0, 200, Rounding::Up).unwrap().raw(), 0);
    assert!(Fixed::from_scaled(i128::MAX, 0, Rounding::Up).is_err());
    let v = Fixed::from_raw(-1_500_000_000_000);
    assert_eq!(v.to_int(Rounding::Down).unwrap(), -2);
    assert_eq!(v.to_int(Rounding::Up).unwrap(), -1);
    assert_eq!(
        Fixed::from_raw(2_000_000_000_000)
            .to_int(Rounding::Up)
            .unwrap(),
        2
    );
    let g = Fixed18::from_raw(1_500_001);
    assert_eq!(g.to_fixed(Rounding::Down).unwrap().raw(), 1);
    assert_eq!(g.to_fixed(Rounding::Up).unwrap().raw(), 2);
    assert_eq!(Fixed::from_raw(7).to_fixed18().unwrap().raw(), 7_000_000);
}

#[test]
fn display() {
    assert_eq!(
        format!("{}", Fixed::from_raw(-12_345_000_000_000)),
        "-12.345000000000"
    );
    assert_eq!(format!("{}", Fixed::from_raw(1)), "0.000000000001");
    assert_eq!(format!("{}", Fixed::ZERO), "0.000000000000");
    assert_eq!(
        format!("{}", Fixed::from_raw(i128::MIN)),
        "-170141183460469231731687303.715884105728"
    );
    assert_eq!(
        format!("{}", Fixed18::from_raw(-12)),
        "-0.000000000000000012"
    );
}

#[test]
fn pow10_is_every_power_of_ten_an_i128_holds() {
    let mut want = 1i128;
    for exp in 0..=38 {
        assert_eq!(pow10(exp), Some(want), "10^{exp}");
        assert_eq!(pow10(exp), 10i128.checked_pow(exp), "10^{exp}");
        want = want.saturating_mul(10);
    }
    assert_eq!(pow10(39), None);
    assert_eq!(10i128.checked_pow(39), None);
    assert_eq!(pow10(u32::MAX), None);
    assert_eq!(pow10(FIXED_EXP), Some(FIXED_ONE));
    assert_eq!(pow10(FIXED18_EXP), Some(FIXED18_ONE));
    assert_eq!(pow10(BPS_EXP), Some(BPS_ONE));
}
