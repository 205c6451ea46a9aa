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

/// The straight-line 256-bit scale-down against the generic limb path (shift and sticky bits
/// at every limb boundary, values that do and do not fit 128 bits after the shift).
#[test]
fn scale_down_256_matches_generic() {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..20_000u32 {
        let mut a: U256 = [next(), next(), next(), next()];
        // vary the magnitude: clear the top limbs often
        let top = (next() % 5) as usize;
        for l in a.iter_mut().skip(top) {
            *l = 0;
        }
        if i % 3 == 0 {
            a[0] = 0;
        }
        let shift = match i % 4 {
            0 => (next() % 128) as u32,
            1 => [0, 1, 32, 63, 64, 65, 127][(next() % 7) as usize],
            2 => (next() % 200) as u32,
            _ => 32,
        };
        let pow10 = (next() % 14) as u32;
        let want = scale_down_floor(&a, shift, pow10);
        let got = scale_down_floor_256(&a, shift, pow10);
        assert_eq!(got.ok(), want.ok(), "{a:?} >> {shift} / 10^{pow10}");
    }
}
