//! Vol shocks of the margin: the stale-surface penalty (on the mark and every shock) and the
//! relative, term-scaled upward shock per level, `1 + v * min(cap, (T_ref / T)^p)`.

use super::*;
use crate::math::{exp_q55, ln_q55, LNQ};

/// Hours to seconds.
const SECS_PER_HOUR: u128 = 3_600;

/// The stale penalty `min(cap, per_hour * secs / 3600)` (a relative vol increase), rounded up.
pub(super) fn stale_penalty(p: &MarginParams, stale_secs: u64) -> Fixed {
    if stale_secs == 0 {
        return Fixed::ZERO;
    }
    // per_hour raw <= 10^12 (validated) times secs < 2^64: below 2^104, no overflow
    let num = (p.stale_vol_per_hour.raw() as u128) * (stale_secs as u128);
    let pen = num.div_ceil(SECS_PER_HOUR);
    let cap = p.stale_vol_cap.raw() as u128;
    Fixed::from_raw(pen.min(cap) as i128)
}

/// `x` nudged up by 64 units of its mantissa (relative `2^-57`): binary products truncate,
/// and every vol the margin shocks must be at least the exact one.
#[inline(always)]
pub(super) fn nudge_up(x: Bf) -> Bf {
    if x.m == 0 {
        return x;
    }
    match x.m.checked_add(64) {
        Some(m) => Bf { m, e: x.e },
        None => Bf {
            m: (x.m >> 1) + 32,
            e: x.e + 1,
        },
    }
}

/// `ceil(p * 2^32)` for a validated `0 <= p <= 1` (raw `<= 10^12`): a shift and a division by
/// `10^12` in 32-bit digits (no 128-bit division routine on sBPF).
fn p_q32(p: Fixed) -> u64 {
    let (q, inexact) = wide::div_pow10_u128((p.raw().max(0) as u128) << 32, 12);
    (q + inexact as u128) as u64
}

/// Per-underlying constants of the vol shocks.
#[derive(Clone, Copy, Debug)]
pub(super) struct VolPrep {
    /// `1 + stale penalty` (exactly `ONE` when fresh).
    pub(super) stale: Fixed,
    /// `v` per level (IM, MM) as binary values.
    pub(super) v: [Bf; 2],
    /// `T_ref` in years as a binary value, and its square root.
    t_ref: Bf,
    sqrt_t_ref: Bf,
    /// `p` at Q32; 0.5 and 0 and 1 have fast paths.
    p_q32: u64,
    /// The cap as a binary value and at Q40.
    cap: Bf,
    cap_q40: u64,
}

impl VolPrep {
    /// For validated parameters.
    pub(super) fn new(u: &UnderlyingRisk) -> VolPrep {
        let p = &u.params;
        let t_ref = Bf::from_u64(p.vol_ref_secs as u64)
            .mul(Bf::from_u64(bs::SECONDS_PER_YEAR as u64).recip());
        let cap = Bf::from_fixed_raw(p.vol_term_cap.raw() as u128);
        let fixed_bf = |x: Fixed| Bf::from_fixed_raw(x.raw() as u128);
        VolPrep {
            stale: Fixed::ONE
                .checked_add(stale_penalty(p, u.surface_stale_secs))
                .unwrap_or(Fixed::ONE),
            v: [
                fixed_bf(p.initial.vol_shock),
                fixed_bf(p.maintenance.vol_shock),
            ],
            t_ref,
            sqrt_t_ref: t_ref.sqrt(),
            p_q32: p_q32(p.vol_power),
            cap,
            cap_q40: cap.to_q64(40),
        }
    }

    /// The term factor `min(cap, (T_ref / T)^p)` for `T > 0` (raw) with `sqrt(T)`, rounded up.
    pub(super) fn term_factor(&self, t_raw: u128, sqrt_t: Bf) -> Bf {
        const HALF_Q32: u64 = 1 << 31;
        const ONE_Q32: u64 = 1 << 32;
        let f = if self.p_q32 == 0 {
            return Bf::ONE;
        } else if self.p_q32 == HALF_Q32 {
            // sqrt(T_ref) / sqrt(T): one reciprocal
            nudge_up(self.sqrt_t_ref.mul(sqrt_t.recip()))
        } else if self.p_q32 == ONE_Q32 {
            nudge_up(self.t_ref.mul(Bf::from_fixed_raw(t_raw).recip()))
        } else {
            // exp(p ln(T_ref / T)), capped before the exp
            let l = ln_q55(self.t_ref.mul(Bf::from_fixed_raw(t_raw).recip())) as i128;
            let x = (l * self.p_q32 as i128) >> 32;
            // ln(cap) only on this general-p path (per expiry; p = 1/2, 0, 1 never need it)
            if x >= ln_q55(self.cap) as i128 {
                return self.cap;
            }
            // below -128 the factor is below 2^-184: zero for every purpose
            let lo = -(128i128 << LNQ);
            if x < lo {
                return Bf::ZERO;
            }
            // exp's relative error is a few 2^-63; the nudge covers it
            nudge_up(nudge_up(exp_q55(x as i64)))
        };
        if f.to_q64(40) >= self.cap_q40 {
            self.cap
        } else {
            f
        }
    }

    /// The vol multipliers `1 + v_L * factor` of (IM, MM) for `T > 0`, rounded up.
    pub(super) fn multipliers(&self, t_raw: u128, sqrt_t: Bf) -> [Bf; 2] {
        let f = self.term_factor(t_raw, sqrt_t);
        let m = |v: Bf| {
            if v.m == 0 || f.m == 0 {
                Bf::ONE
            } else {
                nudge_up(Bf::ONE.add(nudge_up(v.mul(f))))
            }
        };
        [m(self.v[0]), m(self.v[1])]
    }

    /// A long's mark vol: the surface vol divided by `1 + stale penalty`, rounded down (every
    /// adjustment against the account: a stale surface lowers what its longs are worth).
    pub(super) fn mark_vol_long(&self, vol: Fixed) -> RiskResult<Fixed> {
        if self.stale == Fixed::ONE {
            return Ok(vol);
        }
        vol.checked_div(self.stale, Rounding::Down)
    }

    /// The mark vol: the surface vol times `1 + stale penalty`, rounded up, at most `MAX_VOL`.
    pub(super) fn mark_vol(&self, vol: Fixed) -> RiskResult<Fixed> {
        if self.stale == Fixed::ONE {
            return Ok(vol);
        }
        Ok(vol
            .checked_mul(self.stale, Rounding::Up)?
            .min_of(bs::MAX_VOL))
    }
}
