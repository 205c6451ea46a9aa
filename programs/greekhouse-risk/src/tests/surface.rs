//! Unit tests of `surface.rs` (host only; f64 references live here, never in the on-chain code).

use super::*;

fn fx(v: f64) -> Fixed {
    Fixed::from_raw((v * 1e12).round() as i128)
}

fn surf() -> VolSurface {
    let mut tenors = [TenorPoint::default(); MAX_TENORS];
    for (i, (d, v)) in [(1u32, 0.9), (7, 0.7), (30, 0.55), (365, 0.6)]
        .iter()
        .enumerate()
    {
        tenors[i] = TenorPoint {
            seconds: d * 86_400,
            atm_vol: fx(*v),
        };
    }
    VolSurface {
        tenors,
        tenor_count: 4,
        skew: fx(-0.1),
        smile: fx(0.2),
        min_vol: fx(0.1),
    }
}

#[test]
fn interpolation_and_flat_ends() {
    let s = surf();
    s.validate().unwrap();
    assert_eq!(s.atm_vol(Fixed::ZERO).unwrap(), fx(0.9));
    assert_eq!(s.atm_vol(fx(3.0)).unwrap(), fx(0.6));
    let t = 15.0 / 365.0;
    let w0 = 0.7f64 * 0.7 * 7.0 / 365.0;
    let w1 = 0.55f64 * 0.55 * 30.0 / 365.0;
    let w = w0 + (w1 - w0) * (t - 7.0 / 365.0) / (23.0 / 365.0);
    let want = (w / t).sqrt();
    let got = s.atm_vol(fx(t)).unwrap().raw() as f64 / 1e12;
    assert!((got - want).abs() < 1e-11, "{got} {want}");
    // ATM vol(K = S) equals the ATM vol
    assert_eq!(
        s.vol(fx(100.0), fx(100.0), fx(t)).unwrap(),
        s.atm_vol(fx(t)).unwrap()
    );
    assert_eq!(s.vol(fx(100.0), fx(100.0), fx(2.0)).unwrap(), fx(0.6));
    // floor
    let mut steep = s;
    steep.skew = fx(-1.0);
    steep.smile = Fixed::ZERO;
    assert_eq!(steep.vol(fx(600.0), fx(100.0), fx(t)).unwrap(), fx(0.1));
    // cap
    let mut wild = s;
    wild.smile = fx(10.0);
    assert_eq!(
        wild.vol(fx(1e6), fx(1.0), fx(t)).unwrap().raw(),
        MAX_VOL_RAW
    );
}

#[test]
fn relative_change() {
    let s = surf();
    assert!(s.within_relative_change(&s, Fixed::ZERO).unwrap());
    let mut n = s;
    n.skew = fx(0.35);
    assert!(s.within_relative_change(&n, fx(0.5)).unwrap());
    n.skew = fx(0.45);
    assert!(!s.within_relative_change(&n, fx(0.5)).unwrap());
    let mut n = s;
    n.tenors[1].seconds += 1;
    assert!(!s.within_relative_change(&n, fx(0.5)).unwrap());
    assert!(s.within_relative_change(&s, fx(-0.1)).is_err());
}
