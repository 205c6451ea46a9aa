//! Vol surface of PROTOCOL 4:
//! `sigma(K,T) = atm(T) * (1 + skew * ln(K/S) + smile * ln(K/S)^2)`, floored at `min_vol`,
//! `atm(T)` interpolated linearly in total variance `atm^2 * T` between tenor points (flat
//! vol outside them).
//!
//! Vols are rounded up to the last place of [`Fixed`] (a higher vol raises every price and add-on
//! of a short book) and clamped to `[min_vol, MAX_VOL]`. The interpolation is done in binary
//! (relative error below 1e-17) on raw vols, so a flat surface returns its vol exactly.

use crate::bin::Bf;
use crate::fixed::FIXED_ONE;
use crate::math::ln_q55;
use crate::wide::{self, mulhi_fast};
use crate::{Fixed, RiskError, RiskResult};

/// Most tenor points a surface holds.
pub const MAX_TENORS: usize = 4;

/// One point of the at-the-money term structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TenorPoint {
    /// Time to expiry of this point in seconds.
    pub seconds: u32,
    /// At-the-money vol at this tenor, a fraction.
    pub atm_vol: Fixed,
}

/// A vol surface: term structure of ATM vols plus a quadratic smile in log-moneyness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct VolSurface {
    /// The first `tenor_count` entries are used, strictly increasing in `seconds`.
    pub tenors: [TenorPoint; MAX_TENORS],
    pub tenor_count: u8,
    /// Linear coefficient in ln(K/S).
    pub skew: Fixed,
    /// Quadratic coefficient in ln(K/S)^2.
    pub smile: Fixed,
    /// Floor on the resulting vol.
    pub min_vol: Fixed,
}

/// Hard bounds the surface must respect (also used by governance).
pub const MIN_VOL_FLOOR_BPS: i64 = 100; // 1 %
pub const MAX_VOL_BPS: i64 = 50_000; // 500 %
/// Hard bound on `|skew|` (vol-relative change per unit of ln(K/S)): 5.0.
pub const MAX_ABS_SKEW: Fixed = Fixed::from_raw(5 * FIXED_ONE);
/// Hard bound on `|smile|`: 10.0.
pub const MAX_ABS_SMILE: Fixed = Fixed::from_raw(10 * FIXED_ONE);
/// Seconds in a year of 365 days over 1,000: `T` raw (10^-12 years) times this is `T` in
/// units of 10^-9 seconds.
const YEAR_SECS_MILLI: u64 = 31_536;
/// Smallest absolute change bound for skew and smile in [`VolSurface::within_relative_change`]:
/// their relative change is measured against `max(|old|, 1)`.
const SKEW_SMILE_CHANGE_UNIT: i128 = FIXED_ONE;

const MIN_VOL_RAW: i128 = MIN_VOL_FLOOR_BPS as i128 * (FIXED_ONE / 10_000);
const MAX_VOL_RAW: i128 = MAX_VOL_BPS as i128 * (FIXED_ONE / 10_000);

impl VolSurface {
    /// Check tenor order and count, vol ranges, skew/smile ranges.
    pub fn validate(&self) -> RiskResult<()> {
        let n = self.tenor_count as usize;
        if n == 0 || n > MAX_TENORS {
            return Err(RiskError::InvalidSurface);
        }
        let vol_ok = |v: Fixed| v.raw() >= MIN_VOL_RAW && v.raw() <= MAX_VOL_RAW;
        let mut prev: u32 = 0;
        for (i, p) in self.tenors[..n].iter().enumerate() {
            if p.seconds == 0 || (i > 0 && p.seconds <= prev) || !vol_ok(p.atm_vol) {
                return Err(RiskError::InvalidSurface);
            }
            prev = p.seconds;
        }
        if !vol_ok(self.min_vol)
            || self.skew.raw().unsigned_abs() > MAX_ABS_SKEW.raw() as u128
            || self.smile.raw().unsigned_abs() > MAX_ABS_SMILE.raw() as u128
        {
            return Err(RiskError::InvalidSurface);
        }
        Ok(())
    }

    /// ATM vol at `time_years` (total-variance interpolation).
    pub fn atm_vol(&self, time_years: Fixed) -> RiskResult<Fixed> {
        self.validate()?;
        let (atm, exact) = self.atm_raw(time_years)?;
        match exact {
            Some(v) => Ok(v),
            None => Ok(Fixed::from_raw(wide::signed(raw_up(atm)?, false)?)),
        }
    }

    /// sigma(K, T) at spot S.
    #[inline(always)]
    pub fn vol(&self, strike: Fixed, spot: Fixed, time_years: Fixed) -> RiskResult<Fixed> {
        self.vol_ref(&[strike, spot, time_years])
    }

    // sBPF passes at most five arguments in registers (a 128-bit value takes two) and LLVM's
    // argument promotion turns a reference to one or two scalars back into values: out-of-line
    // bodies take one reference to three or more values.
    fn vol_ref(&self, args: &[Fixed; 3]) -> RiskResult<Fixed> {
        let [strike, spot, time_years] = *args;
        if strike.raw() <= 0 || spot.raw() <= 0 {
            return Err(RiskError::NonPositivePrice);
        }
        self.validate()?;
        let x = Bf::from_u128(strike.raw() as u128).mul(Bf::from_u128(spot.raw() as u128).recip());
        self.vol_at_ln(ln_q55(x), time_years)
    }

    /// True when every point of `new` is within `max_change` (relative, e.g. 0.5 = 50 %) of
    /// `self` (same tenor grid); the vol updater's per-update bound.
    ///
    /// The ATM vols and the floor move by at most `max_change` times their old value; skew and
    /// smile (which may be zero) by at most `max_change * max(|old|, 1)`. A different tenor grid
    /// is never "within" (it needs a governance change, not a vol update).
    pub fn within_relative_change(&self, new: &VolSurface, max_change: Fixed) -> RiskResult<bool> {
        if max_change.is_negative() {
            return Err(RiskError::InvalidSurface);
        }
        self.validate()?;
        new.validate()?;
        let n = self.tenor_count as usize;
        if new.tenor_count != self.tenor_count {
            return Ok(false);
        }
        let mc = max_change.raw().unsigned_abs();
        for i in 0..n {
            let (a, b) = (self.tenors[i], new.tenors[i]);
            if a.seconds != b.seconds
                || !within(&[
                    a.atm_vol.raw(),
                    b.atm_vol.raw(),
                    a.atm_vol.raw(),
                    mc as i128,
                ])
            {
                return Ok(false);
            }
        }
        let unit = |v: Fixed| v.raw().unsigned_abs().max(SKEW_SMILE_CHANGE_UNIT as u128);
        Ok(within(&[
            self.min_vol.raw(),
            new.min_vol.raw(),
            self.min_vol.raw(),
            mc as i128,
        ]) && within(&[
            self.skew.raw(),
            new.skew.raw(),
            unit(self.skew) as i128,
            mc as i128,
        ]) && within(&[
            self.smile.raw(),
            new.smile.raw(),
            unit(self.smile) as i128,
            mc as i128,
        ]))
    }

    /// ATM vol in raw units as a binary number, and the exact `Fixed` when `T` is at or outside
    /// the tenor points. The surface must be valid.
    ///
    /// Times are compared in units of 10^-9 s, exactly and in 64 bits: `T` raw (10^-12 years)
    /// times 31,536 against `seconds * 10^9`.
    pub(crate) fn atm_raw(&self, time_years: Fixed) -> RiskResult<(Bf, Option<Fixed>)> {
        self.atm_with(time_years, |i| total_variance(&self.tenors[i]))
    }

    /// [`VolSurface::atm_raw`] with the tenor total variances from `tv` (the margin caches
    /// them per underlying; same values either way).
    #[inline(always)]
    pub(crate) fn atm_with(
        &self,
        time_years: Fixed,
        tv: impl Fn(usize) -> Bf,
    ) -> RiskResult<(Bf, Option<Fixed>)> {
        let n = self.tenor_count as usize;
        let pts = &self.tenors[..n];
        let t_raw = time_years.raw();
        if t_raw <= 0 {
            return Ok(exact(pts[0].atm_vol));
        }
        // beyond 2^64 / 31,536 raw (585 years) the time is past every tenor
        if t_raw >= (u64::MAX / YEAR_SECS_MILLI) as i128 {
            return Ok(exact(pts[n - 1].atm_vol));
        }
        // below 2^64 (checked above); a checked 64-bit product would call a 128-bit routine on sBPF
        let tau = (t_raw as u64).wrapping_mul(YEAR_SECS_MILLI); // seconds * 10^9
        let sec = |i: usize| pts[i].seconds as u64 * 1_000_000_000;
        if tau <= sec(0) {
            return Ok(exact(pts[0].atm_vol));
        }
        if tau >= sec(n - 1) {
            return Ok(exact(pts[n - 1].atm_vol));
        }
        let mut i = 0;
        while i + 1 < n && tau >= sec(i + 1) {
            i += 1;
        }
        if tau == sec(i) {
            return Ok(exact(pts[i].atm_vol));
        }
        // sigma^2 = [w_i (s_{i+1} - tau) + w_{i+1} (tau - s_i)] / ((s_{i+1} - s_i) tau) with the
        // total variances w = atm^2 * seconds (raw units)
        let (p0, p1) = (pts[i], pts[i + 1]);
        let num = tv(i)
            .mul(Bf::from_u64(sec(i + 1) - tau))
            .add(tv(i + 1).mul(Bf::from_u64(tau - sec(i))));
        let den = Bf::from_u64((p1.seconds - p0.seconds) as u64).mul(Bf::from_u64(tau));
        Ok((num.mul(den.recip()).sqrt(), None))
    }

    /// sigma at log-moneyness `ln(K/S)` (Q55) and time `T`; the surface must be valid.
    pub(crate) fn vol_at_ln(&self, lnx_q55: i64, time_years: Fixed) -> RiskResult<Fixed> {
        let (atm, _) = self.atm_raw(time_years)?;
        Ok(SmilePrep::new(self).vol(lnx_q55, atm))
    }
}

/// `atm^2 * seconds` of a tenor point, raw units.
#[inline(always)]
pub(crate) fn total_variance(p: &TenorPoint) -> Bf {
    let a = Bf::from_u128(p.atm_vol.raw() as u128);
    a.mul(a).mul(Bf::from_u64(p.seconds as u64))
}

/// An exact tenor vol.
#[inline(always)]
fn exact(v: Fixed) -> (Bf, Option<Fixed>) {
    (Bf::from_u128(v.raw() as u128), Some(v))
}

/// The smile of a (valid) surface as binary coefficients, computed once per surface:
/// `|skew|` at Q60 and `|smile|` at Q59 (both below 2^63 within the hard bounds).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SmilePrep {
    skew_q60: u64,
    smile_q59: u64,
    skew_neg: bool,
    smile_neg: bool,
    min_vol_raw: i128,
}

/// Binary scale of the smile factor: Q41 (resolution 4.5e-13, range +-2^22).
const FACTOR_Q: u32 = 41;

impl SmilePrep {
    pub(crate) fn new(s: &VolSurface) -> SmilePrep {
        SmilePrep {
            skew_q60: Bf::from_fixed_raw(s.skew.raw().unsigned_abs()).to_q64(60),
            smile_q59: Bf::from_fixed_raw(s.smile.raw().unsigned_abs()).to_q64(59),
            skew_neg: s.skew.is_negative(),
            smile_neg: s.smile.is_negative(),
            min_vol_raw: s.min_vol.raw(),
        }
    }

    /// `atm * (1 + skew l + smile l^2)` for `l = ln(K/S)` at Q55, rounded up to `Fixed`,
    /// clamped to `[min_vol, MAX_VOL]`.
    pub(crate) fn vol(&self, lnx_q55: i64, atm: Bf) -> Fixed {
        // |l| < 256 at Q55; skew l at Q51 (|.| <= 1280), l^2 at Q46 (<= 65536), smile l^2 at
        // Q41 (<= 655360): every product below 2^63
        let l = lnx_q55.unsigned_abs();
        let t1 = (mulhi_fast(self.skew_q60, l) >> 10) as i64; // Q41
        let t2 = mulhi_fast(self.smile_q59, mulhi_fast(l, l)) as i64; // Q41
        let t1 = if self.skew_neg != (lnx_q55 < 0) {
            t1.wrapping_neg()
        } else {
            t1
        };
        let t2 = if self.smile_neg {
            t2.wrapping_neg()
        } else {
            t2
        };
        // each term below 2^63 / 4 (see above): the sum cannot wrap
        let factor = (1i64 << FACTOR_Q).wrapping_add(t1).wrapping_add(t2);
        let raw = if factor <= 0 {
            0
        } else {
            let v = if factor == 1i64 << FACTOR_Q {
                atm
            } else {
                atm.mul(Bf::from_q(factor as u64, FACTOR_Q as i32))
            };
            raw_up(v)
                .unwrap_or(MAX_VOL_RAW as u128)
                .min(MAX_VOL_RAW as u128) as i128
        };
        Fixed::from_raw(raw.max(self.min_vol_raw).min(MAX_VOL_RAW))
    }
}

/// `|new - old| <= mc * base / 10^12` for raw `[old, new, base, mc]` (base, mc >= 0), exact in
/// 256 bits.
fn within(a: &[i128; 4]) -> bool {
    let [old, new, base, mc] = *a;
    let d = new.abs_diff(old);
    let lhs = wide::mul_128x128(d, FIXED_ONE as u128);
    let rhs = wide::mul_128x128(mc as u128, base as u128);
    wide::checked_sub(&rhs, &lhs).is_some()
}

/// A binary raw-unit value rounded up to an integer number of raw units.
fn raw_up(x: Bf) -> RiskResult<u128> {
    x.to_q128_round(0, true).ok_or(RiskError::Overflow)
}

#[cfg(test)]
#[allow(clippy::float_arithmetic)]
#[path = "tests/surface.rs"]
mod tests;
