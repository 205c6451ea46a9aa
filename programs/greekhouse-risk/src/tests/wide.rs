//! Unit tests of `wide.rs` (host only; f64 references live here, never in the on-chain code).

use super::*;

#[test]
fn mul_and_div() {
    let a = u128::MAX - 12345;
    let b = (1u128 << 100) + 77;
    let p = mul_128x128(a, b);
    let (q, r) = div_256_by_128(&p, b).unwrap();
    assert_eq!(q, a);
    assert_eq!(r, 0);
    let (q, r) = div_256_by_128(&p, a).unwrap();
    assert_eq!(q, b);
    assert_eq!(r, 0);
    let p3 = mul_256x128(&p, 1000);
    let (x, inexact) = div_pow10(&p3, 3);
    assert!(!inexact);
    assert_eq!(&x[..4], &p[..]);
    let (_, inexact) = div_pow10(&[7u64, 0, 0, 0], 1);
    assert!(inexact);
}

#[test]
fn pow10_u128() {
    let mut x: u128 = 0x1234_5678_9abc_def0_0fed_cba9_8765_4321;
    for i in 0..3000u32 {
        x = x
            .wrapping_mul(0x2545F4914F6CDD1D_2545F4914F6CDD1D)
            .wrapping_add(77);
        let v = x >> (i % 128);
        for k in 0..=13u32 {
            let (q, ie) = div_pow10_u128(v, k);
            let d = 10u128.pow(k);
            assert_eq!(q, v / d);
            assert_eq!(ie, !v.is_multiple_of(d));
            let a: U384 = from_u128(v);
            assert_eq!(
                scale_down_generic(&a, 3, k, true).unwrap(),
                scale_down(&a, 3, k, true).unwrap()
            );
        }
    }
}

#[test]
fn mul_shr() {
    let mut x: u128 = 0x1234_5678_9abc_def0_0fed_cba9_8765_4321;
    for i in 0..2000u32 {
        x = x
            .wrapping_mul(0x2545F4914F6CDD1D_2545F4914F6CDD1D)
            .wrapping_add(77);
        let a = x >> (i % 100);
        let b = (x as u64) >> (i % 60);
        for shift in [1u32, 32, 63] {
            for up in [false, true] {
                let p = mul_128x128(a, b as u128);
                let want = scale_down(&p, shift, 0, up).ok();
                assert_eq!(mul_u128_u64_shr(a, b, shift, up), want, "{a} {b} {shift}");
            }
        }
    }
}

#[test]
fn shifts() {
    let a: U256 = [1, 2, 3, 4];
    for s in 0..255 {
        if let Some(b) = shl(&a, s) {
            let (c, st) = shr_sticky(&b, s);
            assert_eq!(c, a);
            assert!(!st);
        }
    }
    assert!(shr_sticky(&a, 1).1);
    assert_eq!(shr_sticky(&[2u64, 0, 0, 0], 1), ([1, 0, 0, 0], false));
}

#[test]
fn pow10_roundtrip() {
    let x: U256 = from_u128(123_456_789_012_345_678_901_234_567_890u128);
    let y = mul_pow10(&x, 30).unwrap();
    let (z, ie) = div_pow10(&y, 30);
    assert_eq!(z, x);
    assert!(!ie);
    let (z, ie) = div_pow10(&x, 29);
    assert_eq!(to_u128(&z), Some(1));
    assert!(ie);
}
