//! Exact unsigned multi-limb integers (little-endian `u64` limbs) for intermediate products
//! that do not fit 128 bits: decimal fixed-point multiplication and division, and the margin
//! aggregates `sum(quantity * normalised value)`.
//!
//! Decimal rescaling never uses a 128-bit division: `10^k = 2^k * 5^k`, so dividing by `10^k`
//! is a shift followed by a division by `5^k < 2^32`, done 32 bits at a time with the native
//! 64-bit division.

use crate::{RiskError, RiskResult, Rounding};

/// 256-bit unsigned integer, least significant limb first.
pub(crate) type U256 = [u64; 4];
/// 384-bit unsigned integer, least significant limb first.
pub(crate) type U384 = [u64; 6];

const LO32: u64 = 0xFFFF_FFFF;

/// Full 64x64 -> 128 product as `(hi, lo)`, from four 32x32 -> 64 products. sBPF has only
/// 64-bit multiplication; a `u128` product would call the `__multi3` routine (several times
/// the cost).
#[inline(always)]
pub(crate) fn wmul(a: u64, b: u64) -> (u64, u64) {
    // `black_box` keeps LLVM from recognising the idiom and folding it back into a 128-bit
    // multiplication (which sBPF runs as the `__multi3` software routine); it costs one stack
    // round trip.
    let a0 = core::hint::black_box(a & LO32);
    let a1 = a >> 32;
    let (b1, b0) = (b >> 32, b & LO32);
    // every partial product is below 2^64 and every sum below 2^64: wrapping ops are exact
    let p00 = a0.wrapping_mul(b0);
    let p01 = a0.wrapping_mul(b1);
    let p10 = a1.wrapping_mul(b0);
    let p11 = a1.wrapping_mul(b1);
    let mid = (p00 >> 32)
        .wrapping_add(p01 & LO32)
        .wrapping_add(p10 & LO32); // below 3 * 2^32
    (
        p11.wrapping_add(p01 >> 32)
            .wrapping_add(p10 >> 32)
            .wrapping_add(mid >> 32),
        (mid << 32) | (p00 & LO32),
    )
}

/// High 64 bits of the 128-bit product (floor of `a * b / 2^64`).
#[inline(always)]
pub(crate) fn mulhi(a: u64, b: u64) -> u64 {
    wmul(a, b).0
}

/// `a * b / 2^64` within two units below the exact floor: three 32x32 products (the low x
/// low product only feeds a carry). Used where the result is an approximation anyway
/// (polynomial and series steps), each call adding at most `2 * 2^-64` relative to its scale.
#[inline(always)]
pub(crate) fn mulhi_fast(a: u64, b: u64) -> u64 {
    let (a1, a0) = (a >> 32, a & LO32);
    let (b1, b0) = (b >> 32, b & LO32);
    let mid = ((a0.wrapping_mul(b1)) >> 32).wrapping_add((a1.wrapping_mul(b0)) >> 32);
    a1.wrapping_mul(b1).wrapping_add(mid)
}

/// A multiplier split once into 32-bit halves, for repeated [`Split::mulhi`] (Horner loops).
#[derive(Clone, Copy)]
pub(crate) struct Split {
    hi: u64,
    lo: u64,
}

impl Split {
    #[inline(always)]
    pub fn new(b: u64) -> Split {
        Split {
            hi: b >> 32,
            lo: b & LO32,
        }
    }
    /// Same contract as [`mulhi_fast`].
    #[inline(always)]
    pub fn mulhi(self, a: u64) -> u64 {
        let (a1, a0) = (a >> 32, a & LO32);
        let mid = ((a0.wrapping_mul(self.hi)) >> 32).wrapping_add((a1.wrapping_mul(self.lo)) >> 32);
        a1.wrapping_mul(self.hi).wrapping_add(mid)
    }
}

/// `a * b` as `u128`, through [`wmul`].
#[inline(always)]
pub(crate) fn mul64(a: u64, b: u64) -> u128 {
    let (h, l) = wmul(a, b);
    ((h as u128) << 64) | l as u128
}

#[inline(always)]
pub(crate) const fn from_u128<const N: usize>(x: u128) -> [u64; N] {
    let mut r = [0u64; N];
    r[0] = x as u64;
    r[1] = (x >> 64) as u64;
    r
}

/// `a * b / 2^shift` for `a < 2^128`, `b < 2^64`, `0 < shift < 64`, rounded down or up;
/// `None` when the result needs more than 128 bits. Two 64x64 products, no multi-limb loop.
#[inline]
pub(crate) fn mul_u128_u64_shr(a: u128, b: u64, shift: u32, up: bool) -> Option<u128> {
    let (a1, a0) = ((a >> 64) as u64, a as u64);
    let (h0, l0) = wmul(a0, b);
    let (r1, r2) = if a1 == 0 {
        (h0, 0)
    } else {
        let (h1, l1) = wmul(a1, b);
        let (r1, c) = h0.overflowing_add(l1);
        (r1, h1.wrapping_add(c as u64)) // a b < 2^192: no carry out of r2
    };
    // (r2:r1:l0) >> shift
    if r2 >> shift != 0 {
        return None;
    }
    let lo = (r1 << (64 - shift)) | (l0 >> shift);
    let hi = (r2 << (64 - shift)) | (r1 >> shift);
    let q = ((hi as u128) << 64) | lo as u128;
    if up && (l0 << (64 - shift)) != 0 {
        q.checked_add(1)
    } else {
        Some(q)
    }
}

/// Exact `a * b` for `a < 2^128`, `b < 2^64`; `None` when it needs more than 128 bits.
#[inline]
pub(crate) fn mul_u128_u64(a: u128, b: u64) -> Option<u128> {
    let (a1, a0) = ((a >> 64) as u64, a as u64);
    let (h0, l0) = wmul(a0, b);
    if a1 == 0 {
        return Some(((h0 as u128) << 64) | l0 as u128);
    }
    let (h1, l1) = wmul(a1, b);
    let (r1, c) = h0.overflowing_add(l1);
    if h1 != 0 || c {
        return None;
    }
    Some(((r1 as u128) << 64) | l0 as u128)
}

/// Exact `a * b`.
#[inline]
pub(crate) fn mul_128x128(a: u128, b: u128) -> U256 {
    let (a0, a1) = (a as u64, (a >> 64) as u64);
    let (b0, b1) = (b as u64, (b >> 64) as u64);
    let (h00, l00) = wmul(a0, b0);
    if a1 == 0 && b1 == 0 {
        return [l00, h00, 0, 0];
    }
    // skip the partial products of zero halves (typical: one operand below 2^64)
    let (h01, l01) = if b1 == 0 { (0, 0) } else { wmul(a0, b1) };
    let (h10, l10) = if a1 == 0 { (0, 0) } else { wmul(a1, b0) };
    let (h11, l11) = if a1 == 0 || b1 == 0 {
        (0, 0)
    } else {
        wmul(a1, b1)
    };
    // limb 1 = h00 + l01 + l10, limb 2 = h01 + h10 + l11 + carries, limb 3 = h11 + carries
    let (s1, c1) = h00.overflowing_add(l01);
    let (s1, c2) = s1.overflowing_add(l10);
    let carry1 = c1 as u64 + c2 as u64;
    let (s2, c3) = h01.overflowing_add(h10);
    let (s2, c4) = s2.overflowing_add(l11);
    let (s2, c5) = s2.overflowing_add(carry1);
    let s3 = h11 + c3 as u64 + c4 as u64 + c5 as u64; // the product fits 256 bits
    [l00, s1, s2, s3]
}

/// Exact `a * b` for a 256-bit `a`.
pub(crate) fn mul_256x128(a: &U256, b: u128) -> U384 {
    let b0 = b as u64;
    let b1 = (b >> 64) as u64;
    let mut r = [0u64; 6];
    for (i, &ai) in a.iter().enumerate() {
        if ai == 0 {
            continue;
        }
        // add ai*b0 at limb i and ai*b1 at limb i+1
        let (h0, l0) = wmul(ai, b0);
        add_at(&mut r, i, l0, h0);
        if b1 != 0 {
            let (h1, l1) = wmul(ai, b1);
            add_at(&mut r, i + 1, l1, h1);
        }
    }
    r
}

/// `r += (hi:lo) << (64 * i)`; the caller guarantees no overflow out of the top limb.
#[inline]
fn add_at<const N: usize>(r: &mut [u64; N], i: usize, lo: u64, hi: u64) {
    let mut carry: u64;
    let (s, c) = r[i].overflowing_add(lo);
    r[i] = s;
    carry = c as u64;
    let mut j = i + 1;
    if j < N {
        let (s, c1) = r[j].overflowing_add(hi);
        let (s, c2) = s.overflowing_add(carry);
        r[j] = s;
        carry = (c1 as u64) + (c2 as u64);
        j += 1;
        while carry != 0 && j < N {
            let (s, c) = r[j].overflowing_add(carry);
            r[j] = s;
            carry = c as u64;
            j += 1;
        }
    }
}

/// `a += b`; `Err(Overflow)` on carry out.
#[inline]
pub(crate) fn add_assign<const N: usize>(a: &mut [u64; N], b: &[u64; N]) -> RiskResult<()> {
    let mut carry = false;
    for i in 0..N {
        let (s, c1) = a[i].overflowing_add(b[i]);
        let (s, c2) = s.overflowing_add(carry as u64);
        a[i] = s;
        carry = c1 | c2;
    }
    if carry {
        Err(RiskError::Overflow)
    } else {
        Ok(())
    }
}

/// `a - b` if `a >= b`.
#[inline]
pub(crate) fn checked_sub<const N: usize>(a: &[u64; N], b: &[u64; N]) -> Option<[u64; N]> {
    let mut r = [0u64; N];
    let mut borrow = false;
    for i in 0..N {
        let (s, b1) = a[i].overflowing_sub(b[i]);
        let (s, b2) = s.overflowing_sub(borrow as u64);
        r[i] = s;
        borrow = b1 | b2;
    }
    if borrow {
        None
    } else {
        Some(r)
    }
}

/// Signed difference `a - b` as (magnitude, negative).
#[inline]
pub(crate) fn signed_diff<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], bool) {
    match checked_sub(a, b) {
        Some(d) => (d, false),
        None => (checked_sub(b, a).unwrap_or([0; N]), true),
    }
}

#[inline]
pub(crate) fn is_zero<const N: usize>(a: &[u64; N]) -> bool {
    a.iter().all(|&x| x == 0)
}

/// `a >> s` and whether any shifted-out bit was set.
pub(crate) fn shr_sticky<const N: usize>(a: &[u64; N], s: u32) -> ([u64; N], bool) {
    let limbs = (s / 64) as usize;
    let bits = s % 64;
    let mut r = [0u64; N];
    if limbs >= N {
        return (r, !is_zero(a));
    }
    let mut sticky = a[..limbs].iter().any(|&x| x != 0);
    if bits != 0 {
        sticky |= (a[limbs] << (64 - bits)) != 0;
    }
    for i in 0..N - limbs {
        let lo = a[i + limbs] >> bits;
        let hi = if bits != 0 && i + limbs + 1 < N {
            a[i + limbs + 1] << (64 - bits)
        } else {
            0
        };
        r[i] = lo | hi;
    }
    (r, sticky)
}

/// `a << s`; `None` if a set bit is shifted out.
#[cfg(test)]
#[allow(clippy::needless_range_loop)]
pub(crate) fn shl<const N: usize>(a: &[u64; N], s: u32) -> Option<[u64; N]> {
    let limbs = (s / 64) as usize;
    let bits = s % 64;
    if limbs >= N {
        return if is_zero(a) { Some([0; N]) } else { None };
    }
    if a[N - limbs..].iter().any(|&x| x != 0) {
        return None;
    }
    if bits != 0 && (a[N - limbs - 1] >> (64 - bits)) != 0 {
        return None;
    }
    let mut r = [0u64; N];
    for i in limbs..N {
        let src = i - limbs;
        let lo = a[src] << bits;
        let carry = if bits != 0 && src >= 1 {
            a[src - 1] >> (64 - bits)
        } else {
            0
        };
        r[i] = lo | carry;
    }
    Some(r)
}

/// `a / d` and the remainder, for a divisor below 2^32 (32-bit digits, native 64-bit division).
pub(crate) fn div_small<const N: usize>(a: &[u64; N], d: u32) -> ([u64; N], u32) {
    let d = d as u64;
    let mut r = [0u64; N];
    let mut rem: u64 = 0;
    for i in (0..N).rev() {
        if rem == 0 && a[i] == 0 {
            continue;
        }
        let hi = (rem << 32) | (a[i] >> 32);
        let qh = hi / d;
        rem = hi % d;
        let lo = (rem << 32) | (a[i] & 0xFFFF_FFFF);
        let ql = lo / d;
        rem = lo % d;
        r[i] = (qh << 32) | ql;
    }
    (r, rem as u32)
}

/// `5^k` for `k <= 13` (below 2^31).
const POW5: [u32; 14] = [
    1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125, 9765625, 48828125, 244140625,
    1220703125,
];

/// `floor(a / 10^k)` and whether the division was inexact.
pub(crate) fn div_pow10<const N: usize>(a: &[u64; N], mut k: u32) -> ([u64; N], bool) {
    let mut x = *a;
    let mut inexact = false;
    while k > 0 {
        if is_zero(&x) {
            break;
        }
        let c = if k > 13 { 13 } else { k };
        let (q, s) = shr_sticky(&x, c);
        let (q, rem) = div_small(&q, POW5[c as usize]);
        inexact |= s | (rem != 0);
        x = q;
        k -= c;
    }
    (x, inexact)
}

/// `a * 10^k`, `None` on overflow.
pub(crate) fn mul_pow10<const N: usize>(a: &[u64; N], mut k: u32) -> Option<[u64; N]> {
    let mut x = *a;
    while k > 0 {
        let c = if k > 13 { 13 } else { k };
        x = mul_small(&x, (POW5[c as usize] as u64) << c)?;
        k -= c;
    }
    Some(x)
}

/// `a * m` for `m < 2^64`, `None` on overflow.
pub(crate) fn mul_small<const N: usize>(a: &[u64; N], m: u64) -> Option<[u64; N]> {
    let mut r = [0u64; N];
    let mut carry: u64 = 0;
    for i in 0..N {
        let (h, l) = wmul(a[i], m);
        let (s, c) = l.overflowing_add(carry);
        r[i] = s;
        carry = h + c as u64;
    }
    if carry != 0 {
        None
    } else {
        Some(r)
    }
}

/// The value if it fits 128 bits.
#[inline]
pub(crate) fn to_u128<const N: usize>(a: &[u64; N]) -> Option<u128> {
    if a[2..].iter().any(|&x| x != 0) {
        return None;
    }
    Some(((a[1] as u128) << 64) | a[0] as u128)
}

/// Round a non-negative magnitude given as floor + inexact flag: `up` adds one when inexact.
#[inline(always)]
pub(crate) fn bump(q: u128, inexact: bool, up: bool) -> RiskResult<u128> {
    if inexact && up {
        q.checked_add(1).ok_or(RiskError::Overflow)
    } else {
        Ok(q)
    }
}

/// Whether a magnitude must be bumped by one for `rounding` of a value of sign `negative`
/// (Down = toward negative infinity, Up = toward positive infinity).
#[inline(always)]
pub(crate) fn mag_up(rounding: Rounding, negative: bool) -> bool {
    matches!(
        (rounding, negative),
        (Rounding::Up, false) | (Rounding::Down, true)
    )
}

/// `round(a / 2^shift / 10^pow10)` for a non-negative wide value, as `u128`.
pub(crate) fn scale_down<const N: usize>(
    a: &[u64; N],
    shift: u32,
    pow10: u32,
    up: bool,
) -> RiskResult<u128> {
    let (v, inexact) = scale_down_floor(a, shift, pow10)?;
    bump(v, inexact, up)
}

/// `floor(x / 10^k)` and the inexact flag for `k <= 13`: a shift by `k` and a division by
/// `5^k < 2^31` in 32-bit digits (native 64-bit divisions; no 128-bit division routine).
#[inline]
pub(crate) fn div_pow10_u128(x: u128, k: u32) -> (u128, bool) {
    if k == 0 {
        return (x, false);
    }
    let sticky = x & ((1u128 << k) - 1) != 0;
    let y = x >> k;
    let d = POW5[k as usize] as u64;
    let (hi, lo) = ((y >> 64) as u64, y as u64);
    let (q1, r1) = if hi == 0 { (0, 0) } else { (hi / d, hi % d) };
    let t = (r1 << 32) | (lo >> 32);
    let (q2, r2) = (t / d, t % d);
    let t = (r2 << 32) | (lo & LO32);
    let (q3, r3) = (t / d, t % d);
    let q = ((q1 as u128) << 64) | ((q2 as u128) << 32) | q3 as u128;
    (q, sticky | (r3 != 0))
}

#[allow(dead_code)]
fn scale_down_generic<const N: usize>(
    a: &[u64; N],
    shift: u32,
    pow10: u32,
    up: bool,
) -> RiskResult<u128> {
    let (q, s1) = shr_sticky(a, shift);
    let (q, s2) = div_pow10(&q, pow10);
    let v = to_u128(&q).ok_or(RiskError::Overflow)?;
    bump(v, s1 | s2, up)
}

/// Floor of `a / 2^shift / 10^pow10` and the inexact flag.
pub(crate) fn scale_down_floor<const N: usize>(
    a: &[u64; N],
    shift: u32,
    pow10: u32,
) -> RiskResult<(u128, bool)> {
    // fast path: the value fits 128 bits (the common case), at most one decimal step
    if a[2..].iter().all(|&x| x == 0) && shift < 128 && pow10 <= 13 {
        let x = ((a[1] as u128) << 64) | a[0] as u128;
        let s1 = shift > 0 && x & ((1u128 << shift) - 1) != 0;
        let (q, s2) = div_pow10_u128(x >> shift, pow10);
        return Ok((q, s1 | s2));
    }
    let (q, s1) = shr_sticky(a, shift);
    // second fast path: the shifted value fits 128 bits (a wide product scaled back down)
    if pow10 <= 13 {
        if let Some(x) = to_u128(&q) {
            let (q, s2) = div_pow10_u128(x, pow10);
            return Ok((q, s1 | s2));
        }
    }
    let (q, s2) = div_pow10(&q, pow10);
    let v = to_u128(&q).ok_or(RiskError::Overflow)?;
    Ok((v, s1 | s2))
}

/// [`scale_down_floor`] of a 256-bit value: when `a >> shift` fits 128 bits (`shift < 128`,
/// `pow10 <= 13`), straight-line 128-bit code (the generic limb loops cost several times more
/// on sBPF); otherwise the generic path. Same result.
pub(crate) fn scale_down_floor_256(a: &U256, shift: u32, pow10: u32) -> RiskResult<(u128, bool)> {
    let hi = ((a[3] as u128) << 64) | a[2] as u128;
    let lo = ((a[1] as u128) << 64) | a[0] as u128;
    if pow10 <= 13 && shift < 128 {
        if shift == 0 {
            if hi == 0 {
                return Ok(div_pow10_u128(lo, pow10));
            }
        } else if hi >> shift == 0 {
            let q = (hi << (128 - shift)) | (lo >> shift);
            let sticky = lo << (128 - shift) != 0;
            let (q, inexact) = div_pow10_u128(q, pow10);
            return Ok((q, sticky | inexact));
        }
    }
    scale_down_floor(a, shift, pow10)
}

/// Magnitude to a signed raw value with the sign applied, checked.
#[inline]
pub(crate) fn signed(mag: u128, negative: bool) -> RiskResult<i128> {
    if negative {
        if mag <= (i128::MAX as u128) + 1 {
            Ok((mag as i128).wrapping_neg())
        } else {
            Err(RiskError::Overflow)
        }
    } else if mag <= i128::MAX as u128 {
        Ok(mag as i128)
    } else {
        Err(RiskError::Overflow)
    }
}

/// `n / d` for a 256-bit `n` and 128-bit `d > 0`; `None` when the quotient needs more than 128
/// bits. Returns (quotient, remainder). Restoring binary long division (only used by the
/// general-purpose `Fixed` division, not on the margin path).
pub(crate) fn div_256_by_128(n: &U256, d: u128) -> Option<(u128, u128)> {
    let hi = ((n[3] as u128) << 64) | n[2] as u128;
    let lo = ((n[1] as u128) << 64) | n[0] as u128;
    if d == 0 || hi >= d {
        return None;
    }
    if hi == 0 {
        return Some((lo / d, lo % d));
    }
    let mut r = hi;
    let mut q: u128 = 0;
    let mut i = 128;
    while i > 0 {
        i -= 1;
        let top = r >> 127;
        r = (r << 1) | ((lo >> i) & 1);
        q <<= 1;
        if top == 1 || r >= d {
            r = r.wrapping_sub(d);
            q |= 1;
        }
    }
    Some((q, r))
}

#[cfg(test)]
#[path = "tests/wide.rs"]
mod tests;
