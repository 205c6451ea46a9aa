//! Unit tests of `bin.rs` (host only; f64 references live here, never in the on-chain code).

use super::*;

fn val(b: Bf) -> f64 {
    b.m as f64 * (2f64).powi(b.e)
}

#[test]
fn recip_precision() {
    let mut x: u64 = 0x8000_0000_0000_0001;
    for i in 0..20000u64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407)
            | TOP;
        let b = Bf { m: x, e: -63 };
        let r = b.recip();
        assert!(r.m & TOP != 0);
        // exact check: m * y vs 2^(-e-...) : product should be just below 1
        let p = (x as u128) * (r.m as u128); // value = p * 2^(-63 + r.e)
        let shift = -(-63 + r.e);
        // p / 2^shift should be within 2^-60 of 1
        let one = 1u128 << (shift as u32);
        assert!(p.abs_diff(one) <= one >> 60, "{i} {x}: {}", p.abs_diff(one));
    }
    assert_eq!(Bf::ONE.recip(), Bf::ONE);
    let two = Bf::from_u64(2);
    assert_eq!(val(two.recip()), 0.5);
}

#[test]
fn sqrt_exact() {
    for n in [
        0u128,
        1,
        2,
        3,
        4,
        15,
        16,
        17,
        u64::MAX as u128,
        (u64::MAX as u128) + 1,
        u128::MAX,
        1 << 100,
        (1 << 100) - 1,
    ] {
        let s = isqrt_u128(n) as u128;
        assert!(s * s <= n);
        assert!((s + 1).checked_mul(s + 1).is_none_or(|v| v > n));
    }
    let mut x: u128 = 12345;
    for _ in 0..20000 {
        x = x
            .wrapping_mul(0x2545F4914F6CDD1D_2545F4914F6CDD1D)
            .wrapping_add(77);
        let n = x >> (x as u32 % 64);
        let s = isqrt_u128(n) as u128;
        assert!(s * s <= n);
        assert!((s + 1).checked_mul(s + 1).is_none_or(|v| v > n));
    }
    let b = Bf::from_u64(2).sqrt();
    assert!((val(b) - 2f64.sqrt()).abs() < 1e-15);
    let b = Bf::from_q(1, 40).sqrt();
    assert!((val(b) - 2f64.powi(-20)).abs() < 1e-25);
}

#[test]
fn add_mul() {
    let a = Bf::from_u64(3);
    let b = Bf::from_q(1, 1);
    assert_eq!(val(a.add(b)), 3.5);
    assert_eq!(val(a.mul(b)), 1.5);
    assert_eq!(a.to_q128(2), Some(12));
    assert_eq!(b.to_q128(0), Some(0));
    assert_eq!(b.to_q128_round(0, true), Some(1));
}
