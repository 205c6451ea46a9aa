//! Per-underlying aggregation of an account's book: one Black-Scholes evaluation per position
//! (mark and Greeks) and its full revaluations at the scenarios (and IM's tail, tail.rs), summed
//! exactly. Shorts are valued from above (every per-unit value rounded up, vols shocked up),
//! longs from below (per-unit values less an allowance, vols shocked down, expired longs not
//! at all). The margin of a book with longs aggregates both sides in one pass (the longs' sums
//! apart, their scenarios in the second half of the scenario arrays).

use super::*;

/// Most scenarios one aggregation revalues (the expansion-gap grid; the margin uses 4, with
/// longs 5 per side).
pub(super) const MAX_SCEN: usize = SPOT_SCENARIOS * VOL_SCENARIOS;
/// Where a long's scenario sums start in `reval_n` / `reval_r` (one pass for both sides).
pub(super) const LONG_SLOTS: usize = MAX_SCEN / 2;

/// The longs' own sums (one pass with the shorts, `VolMode::Grid`): the mark and the Greeks,
/// as the shorts' fields of [`Agg`]. No expired long enters (it counts for nothing).
#[derive(Clone, Copy, Debug)]
pub(super) struct LongSums {
    pub(super) liab_n: U256,
    pub(super) dsum: U256,
    pub(super) put_q: u128,
    pub(super) gamma: U256,
    pub(super) vega: U256,
    pub(super) decay: U256,
}

/// One full-revaluation scenario, prepared per underlying.
#[derive(Clone, Copy, Debug)]
pub(super) struct Scen {
    /// The spot shock (shocked spot rounded away from the unshocked spot).
    pub(super) shock: SpotShock,
    /// The same for the fast evaluator, with the index of the scenario's vol shift.
    pub(super) fast: FastScen,
}

/// A scenario at vol index 0 whose `1 / (1 + s)` and `ln(1 + s)` are known (`h_q63 > 0`).
pub(super) fn scen_with(
    s_raw: u128,
    up: bool,
    h_q63: u64,
    inv1s: Bf,
    ln1s: i64,
) -> RiskResult<Scen> {
    let mult = if up { ONE_Q63 + h_q63 } else { ONE_Q63 - h_q63 };
    let shocked = wide::mul_u128_u64_shr(s_raw, mult, 63, up).ok_or(RiskError::Overflow)?;
    Ok(Scen {
        shock: SpotShock {
            s_raw: shocked.max(1),
            inv1s,
            ln1s,
        },
        fast: FastScen {
            ln1s,
            inv1s_q56: inv1s.to_q64(56),
            vol_idx: 0,
        },
    })
}

/// A scenario: spot shock sign and magnitude at Q63 (< 1), vol shift.
#[inline(always)]
pub(super) fn scen(s_raw: u128, up: bool, h_q63: u64, vol_idx: u8) -> RiskResult<Scen> {
    if h_q63 == 0 {
        return Ok(Scen {
            shock: SpotShock {
                s_raw,
                inv1s: Bf::ONE,
                ln1s: 0,
            },
            fast: FastScen {
                ln1s: 0,
                inv1s_q56: 1 << 56,
                vol_idx,
            },
        });
    }
    // 1 + s at Q63 (below 2^64: h < 1)
    let mult = if up { ONE_Q63 + h_q63 } else { ONE_Q63 - h_q63 };
    let shocked = wide::mul_u128_u64_shr(s_raw, mult, 63, up).ok_or(RiskError::Overflow)?;
    let m = Bf::from_u64(mult).shl(-63);
    let inv1s = m.recip();
    let ln1s = crate::math::ln_q55(m);
    Ok(Scen {
        shock: SpotShock {
            s_raw: shocked.max(1),
            inv1s,
            ln1s,
        },
        fast: FastScen {
            ln1s,
            inv1s_q56: inv1s.to_q64(56),
            vol_idx,
        },
    })
}

/// Exact per-underlying sums of (per-unit value raw) x (quantity raw), at 10^-24 (10^-30 for
/// gamma), split by sign where needed. Rounded once at the end.
#[derive(Clone, Copy, Debug)]
pub(super) struct Agg {
    /// sum of quantity times the intrinsic value (raw) of the expired positions
    pub(super) liab: U256,
    /// sum of quantity times the normalised mark price (price / S at Q63) of the live ones:
    /// the liability is `S` times it, rounded once per underlying
    pub(super) liab_n: U256,
    /// sum of quantity times the call delta `N(d1)` at Q63 (puts too: a put's delta is
    /// `N(d1) - 1`; expired: the step, 0 or 1)
    pub(super) dsum: U256,
    /// sum of put quantities (the `- 1` of the put deltas)
    pub(super) put_q: u128,
    /// binary scale of the Greek factors ([`bs::greek_q`])
    pub(super) gq: i32,
    /// sums of quantity times the [`bs::GreekFactors`] at `Q = gq`: `phi/v`, `phi sqrt T`,
    /// `phi sigma / (2 sqrt T)` (cash gamma, vega and decay are `S` times them)
    pub(super) gamma: U256,
    pub(super) vega: U256,
    pub(super) decay: U256,
    /// quantities of the expired puts and of the expired in-the-money calls: theta's carry
    /// `r S (sum_puts q k'N(-d2) - sum_calls q k'N(d2))` of the live positions is taken from the
    /// core's identities `k'N(d2) = N(d1) - call/S`, `k'N(-d2) = put/S + 1 - N(d1)`, i.e.
    /// `r S (liab_n + 2^63 (live put q) - live dsum)` (no sum of its own)
    pub(super) put_q_exp: u128,
    pub(super) itm_q_exp: u128,
    /// sum of quantities whose floor base is the spot (calls, puts with K >= S)
    pub(super) qsum_spot: u128,
    /// sum of call quantities (covered-call test)
    pub(super) call_q: u128,
    /// sum of the live shorts' quantities (IM's size charge, size.rs; saturating)
    pub(super) short_q: u128,
    /// sum of quantity times vega times the vol shift (per unit rounded up; gap report only)
    pub(super) vega_dv: U256,
    /// sum of K times quantity over puts with K < S (floor base min(S, K) = K)
    pub(super) floor_k: U256,
    /// sum of K times quantity over puts with K >= S (the puts' payoff cap is this plus
    /// `floor_k`: one sum per put)
    pub(super) payoff_hi: U256,
    /// longs only: sum of quantity times `1 / v` (total vol at the first vol shift, at Q32,
    /// rounded up), the curvature allowance's input
    pub(super) inv_v: U256,
    /// per scenario: sum of quantity times shocked normalised price (price / S' at Q32) from
    /// the fast evaluator, and sum of quantity times raw shocked price (precise fallback,
    /// expired positions)
    pub(super) reval_n: [U256; MAX_SCEN],
    pub(super) reval_r: [U256; MAX_SCEN],
    /// the longs' mark and Greek sums (their scenario sums from [`LONG_SLOTS`])
    pub(super) long: LongSums,
    /// IM's tail (tail.rs) per direction (down, up): the tail's value less the value at IM's
    /// box end on that side, summed per leg, normalised at the end's spot (Q32) and raw
    /// (precise fallback, expired shorts)
    pub(super) tail_n: [U256; 2],
    pub(super) tail_r: [U256; 2],
    /// the tail's scenarios, prepared on a leg's first need ([`TailPrep`])
    pub(super) tail_scen: [Option<Scen>; 2],
    /// the deferred shorts' quantity per direction (their bound on their part of `tail_n` is
    /// it times [`TailPrep::slope_bound`]: [`tail_addon_of`]), and the shorts themselves,
    /// revalued only if the bound could bind
    pub(super) tail_slope_q: [u128; 2],
    pub(super) deferred: [DeferredShort; MAX_DEFERRED],
    pub(super) n_deferred: usize,
    /// whether the Greek sums (`dsum`, `gamma`, `vega`, `decay`) are filled
    pub(super) greeks: bool,
    /// spot (raw) and shocked spots per scenario
    pub(super) s: u128,
    pub(super) s_scen: [u128; MAX_SCEN],
}

impl Agg {
    pub(super) const fn new() -> Agg {
        Agg {
            liab: [0; 4],
            liab_n: [0; 4],
            dsum: [0; 4],
            put_q: 0,
            gq: 64,
            gamma: [0; 4],
            vega: [0; 4],
            decay: [0; 4],
            put_q_exp: 0,
            itm_q_exp: 0,
            qsum_spot: 0,
            call_q: 0,
            short_q: 0,
            vega_dv: [0; 4],
            floor_k: [0; 4],
            payoff_hi: [0; 4],
            inv_v: [0; 4],
            reval_n: [[0; 4]; MAX_SCEN],
            reval_r: [[0; 4]; MAX_SCEN],
            long: LongSums {
                liab_n: [0; 4],
                dsum: [0; 4],
                put_q: 0,
                gamma: [0; 4],
                vega: [0; 4],
                decay: [0; 4],
            },
            tail_n: [[0; 4]; 2],
            tail_r: [[0; 4]; 2],
            tail_scen: [None, None],
            tail_slope_q: [0; 2],
            deferred: [DeferredShort::BLANK; MAX_DEFERRED],
            n_deferred: 0,
            greeks: true,
            s: 0,
            s_scen: [0; MAX_SCEN],
        }
    }
}

/// A position's quantity, with its low 64 bits split for the inline multiply.
pub(super) struct Qty {
    pub(super) q: u128,
    /// `q` fits 64 bits.
    pub(super) small: bool,
    /// the low and high 32-bit halves of `q`'s low 64 bits (split once per position; the low
    /// half through `black_box`, so LLVM cannot fold the 32-bit products of [`acc`] back into a
    /// 128-bit multiplication, the `__multi3` routine on sBPF)
    q0: u64,
    q1: u64,
}

impl Qty {
    pub(super) fn new(q: u128) -> Qty {
        Qty {
            q,
            small: q >> 64 == 0,
            q0: core::hint::black_box(q as u64 & 0xFFFF_FFFF),
            q1: (q as u64) >> 32,
        }
    }

    /// `a * q` for `a < 2^32` and the low 64 bits of `q`, as `(hi, lo)`: two 32x32 products.
    #[inline(always)]
    fn wmul32(&self, a: u64) -> (u64, u64) {
        // a q = a q0 + (a q1) 2^32, each product below 2^64
        let p0 = a.wrapping_mul(self.q0);
        let p1 = a.wrapping_mul(self.q1);
        let (l, c) = p0.overflowing_add(p1 << 32);
        // a q < 2^96: the high limb is p1 / 2^32 plus the carry
        ((p1 >> 32).wrapping_add(c as u64), l)
    }

    /// `a * q` for the low 64 bits of `q`, as `(hi, lo)`: four 32x32 products.
    #[inline(always)]
    fn wmul(&self, a: u64) -> (u64, u64) {
        const LO32: u64 = 0xFFFF_FFFF;
        let (a1, a0) = (a >> 32, a & LO32);
        // every partial product is below 2^64 and every sum below 2^64: wrapping ops are exact
        let p00 = a0.wrapping_mul(self.q0);
        let p01 = a0.wrapping_mul(self.q1);
        let p10 = a1.wrapping_mul(self.q0);
        let p11 = a1.wrapping_mul(self.q1);
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
}

/// [`acc`] for a shocked price at Q32 (usually below `2^32`: two 32x32 products then).
#[inline(always)]
pub(super) fn acc_q32(sum: &mut U256, a: u64, q: &Qty) -> RiskResult<()> {
    if q.small && a >> 32 == 0 {
        // below 2^96: the high limb is below 2^32
        let (h, l) = q.wmul32(a);
        let (s0, c0) = sum[0].overflowing_add(l);
        let (s1, c1) = sum[1].overflowing_add(h.wrapping_add(c0 as u64));
        sum[0] = s0;
        sum[1] = s1;
        if c1 {
            return carry_in(sum, 1);
        }
        return Ok(());
    }
    acc(sum, a as u128, q)
}

/// `sum += a * q`, exactly. Inline fast path for `a < 2^96`, `q < 2^64` (one 64x64 product,
/// a two-limb add, a 32x64 product for `a`'s upper part); the rest out of line.
#[inline(always)]
pub(super) fn acc(sum: &mut U256, a: u128, q: &Qty) -> RiskResult<()> {
    let a1 = (a >> 64) as u64;
    if q.small && a1 >> 32 == 0 {
        // a = a1 2^64 + a0 with a1 < 2^32: a q = a0 q + (a1 q) 2^64, three limbs
        let (h, l) = q.wmul(a as u64);
        let (s0, c0) = sum[0].overflowing_add(l);
        // h <= 2^64 - 2 (a product of two 64-bit values): h + c0 cannot wrap
        let (s1, c1) = sum[1].overflowing_add(h.wrapping_add(c0 as u64));
        sum[0] = s0;
        sum[1] = s1;
        let mut carry = c1 as u64;
        if a1 != 0 {
            let (h1, l1) = q.wmul32(a1); // h1 < 2^32
            let (s1, c2) = sum[1].overflowing_add(l1);
            sum[1] = s1;
            // h1 < 2^32: no wrap
            carry = carry.wrapping_add(h1).wrapping_add(c2 as u64);
        }
        if carry != 0 {
            return carry_in(sum, carry);
        }
        return Ok(());
    }
    acc_wide(sum, a, q)
}

/// Add `c` into limb 2 of `sum` (carrying into limb 3).
#[inline(never)]
pub(super) fn carry_in(sum: &mut U256, c: u64) -> RiskResult<()> {
    let (s2, c2) = sum[2].overflowing_add(c);
    sum[2] = s2;
    if c2 {
        sum[3] = sum[3].checked_add(1).ok_or(RiskError::Overflow)?;
    }
    Ok(())
}

/// `sum += a * q` for any `a`, `q`.
#[inline(never)]
pub(super) fn acc_wide(sum: &mut U256, a: u128, q: &Qty) -> RiskResult<()> {
    if q.small {
        if let Some(p) = wide::mul_u128_u64(a, q.q as u64) {
            let lo = ((sum[1] as u128) << 64) | sum[0] as u128;
            let (lo, c) = lo.overflowing_add(p);
            sum[0] = lo as u64;
            sum[1] = (lo >> 64) as u64;
            if c {
                return carry_in(sum, 1);
            }
            return Ok(());
        }
    }
    wide::add_assign(sum, &wide::mul_128x128(a, q.q))
}

pub(super) fn validate_underlying(u: &UnderlyingRisk) -> RiskResult<()> {
    if !u.spot.is_positive() || u.conf.is_negative() {
        return Err(RiskError::NonPositivePrice);
    }
    if u.realized_vol.is_negative() || u.realized_vol > bs::MAX_VOL {
        return Err(RiskError::InvalidVolatility);
    }
    if u.rate.is_negative() || u.rate > bs::MAX_RATE {
        return Err(RiskError::InvalidRate);
    }
    u.surface.validate()?;
    u.params.validate()
}

/// One underlying of an account, validated, with its spot prepared and both levels' widened
/// shocks: what every per-underlying margin starts from.
pub(super) struct UnderlyingPrep<'a> {
    pub(super) und: &'a UnderlyingRisk,
    /// spot, raw
    pub(super) s: u128,
    pub(super) sp: SpotPrep,
    /// widened spot shocks of IM and MM at Q63
    pub(super) h_im: u64,
    pub(super) h_mm: u64,
}

/// Validate and prepare underlying `idx` of `account`.
pub(super) fn prepare<'a>(account: &AccountRisk<'a>, idx: u8) -> RiskResult<UnderlyingPrep<'a>> {
    let und = &account.underlyings[idx as usize];
    validate_underlying(und)?;
    let s = und.spot.raw() as u128;
    let sp = SpotPrep::new(s, und.rate.raw() as u128);
    let h_im = widened_shock(und, sp.inv_s, &und.params.initial)?;
    let h_mm = widened_shock(und, sp.inv_s, &und.params.maintenance)?;
    Ok(UnderlyingPrep {
        und,
        s,
        sp,
        h_im,
        h_mm,
    })
}

/// The widened spot shock `h' = h + conf / S` of a level at Q63, rounded up, capped at
/// [`MAX_EFFECTIVE_SPOT_SHOCK`]; `h` is the level's shock, raised by the predictive one
/// ([`predictive_shock`]).
pub(super) fn widened_shock(u: &UnderlyingRisk, inv_s: Bf, l: &LevelParams) -> RiskResult<u64> {
    let h = Bf::from_fixed_raw(predictive_shock(u, l)?.raw() as u128)
        .to_q128_round(63, true)
        .ok_or(RiskError::Overflow)?;
    let c = Bf::from_u128(u.conf.raw() as u128)
        .mul(inv_s)
        .to_q128_round(63, true)
        .unwrap_or(u128::MAX);
    Ok(h.saturating_add(c).min(MAX_EFFECTIVE_SPOT_SHOCK_Q63) as u64)
}

/// The level's spot shock before the confidence widening: `max(h, min(max_spot_shock,
/// realized_multiple * sigma_rv * sqrt(horizon / year)))`, rounded up (docs/risk-model.md 6.8).
pub(super) fn predictive_shock(u: &UnderlyingRisk, l: &LevelParams) -> RiskResult<Fixed> {
    if !l.predictive() || !u.realized_vol.is_positive() {
        return Ok(l.spot_shock);
    }
    let horizon = Fixed::from_u64(u64::from(l.realized_horizon_secs))
        .checked_div(Fixed::from_u64(bs::SECONDS_PER_YEAR as u64), Rounding::Up)?;
    // sqrt rounds down: one unit up covers it
    let root = crate::math::sqrt(horizon)?.checked_add(Fixed::from_raw(1))?;
    let shock = l
        .realized_multiple
        .checked_mul(u.realized_vol, Rounding::Up)?
        .checked_mul(root, Rounding::Up)?;
    Ok(l.spot_shock.max_of(shock.min_of(l.max_spot_shock)))
}

/// Which shocked vols the scenarios use (vol index 0 and 1 of [`FastScen::vol_idx`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum VolMode {
    /// The margin: index 0 = IM's shocked vol, 1 = MM's.
    Margin,
    /// The margin of a book with longs (`longs.rs`), both sides in one pass: index 0 only,
    /// IM's adverse vol (up for shorts, down for longs): one reciprocal per leg.
    Grid,
    /// The gap report at a level: index 0 = the mark vol, 1 = the level's shocked vol.
    Gap(Level),
}

/// What [`aggregate`] needs about one underlying.
pub(super) struct AggCtx<'a> {
    pub(super) und: &'a UnderlyingRisk,
    /// The account's positions (those of `idx` are aggregated: the shorts, and with
    /// `VolMode::Grid` the live longs too).
    pub(super) positions: &'a [PositionRisk],
    pub(super) idx: u8,
    pub(super) sp: &'a SpotPrep,
    pub(super) scens: &'a [Scen],
    /// The scenarios for the fast evaluator (same order).
    pub(super) fast: &'a [FastScen],
    pub(super) mode: VolMode,
    pub(super) vp: &'a VolPrep,
    /// [`bs::greek_q`] of the spot
    pub(super) gq: i32,
    /// Whether to sum the Greeks ([`MarginConfig::greeks`]).
    pub(super) greeks: bool,
    /// IM's tail (off for the gap report), and the indices of IM's `-h'` and `+h'` in `scens`.
    pub(super) tail: &'a TailPrep,
    pub(super) im_ends: [usize; 2],
    /// Whether a short's tail revaluation may wait for the slope bound ([`tail_addon_of`]);
    /// off only to test that the result is the same.
    pub(super) defer_tail: bool,
}

/// Subtracted from a long's normalised mark (Q63): `2^-26` of spot, thousands of times the
/// precise core's measured error (`9.7e-12` of spot, docs/risk-model.md 4.3), so a long's
/// mark is a value from below.
pub(super) const LONG_MARK_DEDUCTION_Q63: u128 = 1 << 37;
/// Subtracted from a long's fast shocked normalised price (Q32): the fast value is the
/// approximation plus [`fast::FAST_ALLOWANCE_Q32`], at most `FAST_MAX_ERR_Q32 <= allowance / 2`
/// from the true price, and `k'` truncates by up to two units; twice the allowance plus four
/// units is a value from below.
pub(super) const LONG_FAST_DEDUCTION_Q32: u64 = 2 * fast::FAST_ALLOWANCE_Q32 + 4;

/// Subtracted from a long's precise shocked price (raw): `2^-26` of the shocked spot plus two
/// units, as [`LONG_MARK_DEDUCTION_Q63`].
pub(super) fn long_precise_deduction(s_raw: u128) -> u128 {
    (s_raw >> 26) + 2
}

/// Distinct expiries remembered per underlying (time terms and ATM vol are per expiry).
pub(super) const T_MEMO: usize = 4;

/// Distinct (expiry, rate) pairs whose time terms are remembered across the underlyings of
/// an account (underlyings usually share the rate, and often the expiry grid).
pub(super) const TT_MEMO: usize = 8;

/// Time terms per (expiry, rate).
pub(super) struct TimeMemo {
    pub(super) e: [(i128, u128, bs::TimeTerms); TT_MEMO],
    pub(super) n: usize,
    pub(super) next: usize,
    /// IM's tail scenarios' `1 / (1 + s)` and `ln(1 + s)` by direction and shock (Q63),
    /// across the account's underlyings (usually one tail for all: about a thousand CU each).
    pub(super) tails: [Option<(u64, Bf, i64)>; 2],
}

impl TimeMemo {
    pub(super) const fn new() -> TimeMemo {
        TimeMemo {
            e: [(0, 0, bs::TimeTerms::PLACEHOLDER); TT_MEMO],
            n: 0,
            next: 0,
            tails: [None, None],
        }
    }

    /// `time_terms(T, r)` for validated `T > 0`, `r >= 0` (raw), remembered.
    pub(super) fn get(&mut self, t: i128, r: u128) -> bs::TimeTerms {
        for x in self.e[..self.n].iter() {
            if x.0 == t && x.1 == r {
                return x.2;
            }
        }
        let tt = bs::time_terms(t as u128, r);
        self.e[self.next] = (t, r, tt);
        self.next = (self.next + 1) % TT_MEMO;
        self.n = (self.n + 1).min(TT_MEMO);
        tt
    }
}

/// One expiry's time terms and ATM vol.
#[derive(Clone, Copy)]
pub(super) struct TEntry {
    pub(super) t: i128,
    pub(super) tt: bs::TimeTerms,
    pub(super) atm: Bf,
    /// vol multipliers `1 + v_L * factor(T)` of (IM, MM)
    pub(super) mult: [Bf; 2],
    /// longs only: the reciprocal of IM's (from below: a long's down-shocked vol is at most
    /// exact)
    pub(super) inv_mult: Bf,
}

/// The last evaluated (strike, expiry): consecutive legs of a straddle share it.
pub(super) struct Cur<'a> {
    pub(super) k: u128,
    pub(super) t: i128,
    /// Evaluated for a long (its own vols) or a short.
    pub(super) long: bool,
    pub(super) e: Eval<'a>,
    /// The leg's per-unit Greek factors (shared by both legs of a straddle).
    pub(super) gf: bs::GreekFactors,
    /// Shocked normalised (call, put) prices per scenario (`None` when out of the fast range)
    /// and the shocked `(v, 1/v)` per vol shift for the precise fallback.
    pub(super) shocked: LegShocks,
}

/// Evaluate one (strike, expiry) at the mark vol, and its shocked normalised prices.
#[inline(always)]
pub(super) fn evaluate_leg<'a>(
    ctx: &AggCtx<'a>,
    kt: &(u128, i128, &TEntry, &SmilePrep),
    long: bool,
    cur: &mut Cur<'a>,
) -> RiskResult<()> {
    let (k, t, te, smile) = *kt;
    let (x, lnx) = bs::moneyness(ctx.sp.inv_s, k);
    let surface_vol = smile.vol(lnx, te.atm);
    let vol = if long {
        ctx.vp.mark_vol_long(surface_vol)?
    } else {
        ctx.vp.mark_vol(surface_vol)?
    };
    cur.k = k;
    cur.t = t;
    cur.long = long;
    bs::evaluate_into(
        &EvalIn {
            sp: ctx.sp,
            k,
            x,
            lnx,
            vol_raw: vol.raw() as u128,
            tt: te.tt,
        },
        &mut cur.e,
    )?;
    if ctx.greeks {
        bs::greek_factors_into(&cur.e, ctx.gq, &mut cur.gf)?;
    }
    // full revaluation, sticky strike: the leg's mark vol times the level's multiplier (>= 1),
    // as total vol v' = (v = sigma sqrt T) times the multiplier, nudged up over both products'
    // truncation (at least sigma m sqrt T of the engine's sigma and sqrt T)
    let v = cur.e.n.v;
    let (vs, used) = match (ctx.mode, long) {
        // a long's adverse vol is its mark divided by the multiplier (truncating: from below)
        (VolMode::Grid, true) => ([v.mul(te.inv_mult), Bf::ZERO], 1),
        (VolMode::Grid, false) => ([nudge_up(v.mul(te.mult[0])), Bf::ZERO], 1),
        (VolMode::Margin, _) => (
            [nudge_up(v.mul(te.mult[0])), nudge_up(v.mul(te.mult[1]))],
            2,
        ),
        (VolMode::Gap(l), _) => ([v, nudge_up(v.mul(te.mult[l as usize]))], 2),
    };
    fast::shocked_leg(
        &fast::LegIn {
            e: &cur.e,
            vs: &vs[..used],
            scens: ctx.fast,
        },
        &mut cur.shocked,
    );
    Ok(())
}

/// Aggregate every short of underlying `idx` (already validated), and with `VolMode::Grid` its
/// live longs, and revalue them at `scens` and IM's tail, into `a` (a fresh [`Agg::new`],
/// filled in place: no copy of the 1.5 KB result).
#[inline(never)]
pub(super) fn aggregate<'a>(
    ctx: &AggCtx<'a>,
    a: &mut Agg,
    tm: &mut TimeMemo,
    mut payoff: Option<&mut PayoffLegs>,
) -> RiskResult<()> {
    let positions = ctx.positions;
    let (und, idx, scens) = (ctx.und, ctx.idx, ctx.scens);
    let s = ctx.sp.s;
    let smile = SmilePrep::new(&und.surface);
    let mut tvs = [Bf::ZERO; crate::surface::MAX_TENORS];
    for (i, t) in und.surface.tenors[..und.surface.tenor_count as usize]
        .iter()
        .enumerate()
    {
        tvs[i] = crate::surface::total_variance(t);
    }
    let mut memo = [TEntry {
        t: 0,
        tt: bs::TimeTerms::PLACEHOLDER,
        atm: Bf::ZERO,
        mult: [Bf::ONE; 2],
        inv_mult: Bf::ONE,
    }; T_MEMO];
    let both = ctx.mode == VolMode::Grid;
    let (mut n_memo, mut next_memo) = (0usize, 0usize);
    let mut cur = Cur {
        k: 0,
        t: 0,
        long: false,
        e: Eval::blank(ctx.sp),
        gf: bs::GreekFactors::default(),
        shocked: LegShocks::BLANK,
    };
    let mut have_cur = false;
    a.s = s;
    a.gq = ctx.gq;
    a.greeks = ctx.greeks;
    for (j, sc) in scens.iter().enumerate() {
        a.s_scen[j] = sc.shock.s_raw;
    }
    let tail = ctx.tail;
    let tail_on = tail.on();
    // a tail scenario another underlying prepared: only the shocked spot is new
    for (d, memo) in tm.tails.iter().enumerate() {
        if let Some((h, inv1s, ln1s)) = *memo {
            if tail.on[d] && tail.h[d] == h {
                a.tail_scen[d] = Some(scen_with(s, d == 1, h, inv1s, ln1s)?);
            }
        }
    }
    for p in positions
        .iter()
        .filter(|p| p.underlying == idx && (both || p.side == Side::Short))
    {
        let long = p.side == Side::Long;
        if !p.strike.is_positive() {
            return Err(RiskError::NonPositivePrice);
        }
        if !p.contract_size.is_positive() {
            return Err(RiskError::InvalidMarginParams);
        }
        // contracts (u64) x size (raw, positive): 64-bit limb products (a checked u128 product
        // calls a software routine on sBPF)
        let q = wide::mul_u128_u64(p.contract_size.raw() as u128, p.contracts)
            .ok_or(RiskError::Overflow)?;
        // an expired long counts for nothing until it settles (see `PositionRisk::side`)
        if q == 0 || (long && p.time_years.raw() <= 0) {
            continue;
        }
        if let Some(legs) = payoff.as_deref_mut() {
            // a live short American put at a positive rate can be assigned early for up to
            // `K (1 - e^-rT)` more than its expiry payoff against a long beside it
            // (docs/risk-model.md 6.8b): its book takes no payoff cap
            let early = p.american
                && !long
                && p.kind == OptionKind::Put
                && p.time_years.is_positive()
                && ctx.sp.r_raw != 0;
            legs.push(p, q, early)?;
        }
        let qty = Qty::new(q);
        let k = p.strike.raw() as u128;
        let is_put = p.kind == OptionKind::Put;
        if long {
            // the longs' own sums only; the floor and the cover test are the shorts'
            if is_put {
                a.long.put_q = a.long.put_q.checked_add(q).ok_or(RiskError::Overflow)?;
            }
        } else if is_put {
            a.put_q = a.put_q.checked_add(q).ok_or(RiskError::Overflow)?;
            if k < s {
                acc(&mut a.floor_k, k, &qty)?;
            } else {
                acc(&mut a.payoff_hi, k, &qty)?;
                a.qsum_spot = a.qsum_spot.checked_add(q).ok_or(RiskError::Overflow)?;
            }
        } else {
            a.call_q = a.call_q.checked_add(q).ok_or(RiskError::Overflow)?;
            a.qsum_spot = a.qsum_spot.checked_add(q).ok_or(RiskError::Overflow)?;
        }
        let t = p.time_years.raw();
        if t <= 0 {
            // expired, not yet settled: intrinsic value, step delta (call delta 1 in the
            // money, put delta -1 in the money: call delta 0), no other Greek
            let (price, itm_call) = if is_put {
                (k.saturating_sub(s), s >= k)
            } else {
                (s.saturating_sub(k), s > k)
            };
            acc(&mut a.liab, price, &qty)?;
            if itm_call && ctx.greeks {
                acc(&mut a.dsum, ONE_Q63 as u128, &qty)?;
                a.itm_q_exp = a.itm_q_exp.checked_add(q).ok_or(RiskError::Overflow)?;
            }
            if is_put {
                a.put_q_exp = a.put_q_exp.checked_add(q).ok_or(RiskError::Overflow)?;
            }
            for (j, sc) in scens.iter().enumerate() {
                let v = if is_put {
                    k.saturating_sub(sc.shock.s_raw)
                } else {
                    sc.shock.s_raw.saturating_sub(k)
                };
                acc(&mut a.reval_r[j], v, &qty)?;
            }
            // the tail of its own kind (tail.rs): the intrinsic value there less at the end, exact
            let d = usize::from(!is_put);
            if tail.on[d] {
                let (at, end) = (tail.spot(s, d)?, scens[ctx.im_ends[d]].shock.s_raw);
                let v = if is_put {
                    k.saturating_sub(at) - k.saturating_sub(end)
                } else {
                    at.saturating_sub(k) - end.saturating_sub(k)
                };
                acc(&mut a.tail_r[d], v, &qty)?;
            }
            continue;
        }
        if !long {
            a.short_q = a.short_q.saturating_add(q);
        }
        let same = have_cur && cur.k == k && cur.t == t && cur.long == long;
        if !same {
            // time terms and ATM vol per expiry
            let mut found = T_MEMO;
            for (i, m) in memo[..n_memo].iter().enumerate() {
                if m.t == t {
                    found = i;
                }
            }
            let slot = match found {
                i if i < T_MEMO => i,
                _ => {
                    let (atm, _) = und.surface.atm_with(p.time_years, |i| tvs[i])?;
                    let tt = tm.get(t, ctx.sp.r_raw);
                    let mult = ctx.vp.multipliers(t as u128, tt.sqrt_t);
                    let inv_mult = if both { mult[0].recip() } else { Bf::ONE };
                    let te = TEntry {
                        t,
                        tt,
                        atm,
                        mult,
                        inv_mult,
                    };
                    let i = next_memo;
                    memo[i] = te;
                    next_memo = (next_memo + 1) % T_MEMO;
                    n_memo = (n_memo + 1).min(T_MEMO);
                    i
                }
            };
            evaluate_leg(ctx, &(k, t, &memo[slot], &smile), long, &mut cur)?;
            have_cur = true;
        }
        let c = &cur;
        if tail_on {
            accumulate_tail(a, c, p.kind, &qty, ctx)?;
        }
        if long {
            accumulate_long(a, c, p.kind, &qty, scens)?;
            continue;
        }
        acc(&mut a.liab_n, c.e.c.price(p.kind), &qty)?;
        if p.american && is_put {
            american_put_bound(a, k, &c.e.tt, &qty, scens.len())?;
        }
        if ctx.greeks {
            acc(&mut a.dsum, c.e.c.nd1 as u128, &qty)?;
            acc(&mut a.gamma, c.gf.pw, &qty)?;
            acc(&mut a.vega, c.gf.ps, &qty)?;
            acc(&mut a.decay, c.gf.dc, &qty)?;
        }
        if let VolMode::Gap(_) = ctx.mode {
            let g = bs::greeks_of(p.kind, &c.e)?;
            acc(&mut a.vega_dv, vega_dv(g.vega, c)?, &qty)?;
        }
        if c.shocked.fast {
            for (sum, &(cn, pn)) in a.reval_n[..scens.len()]
                .iter_mut()
                .zip(c.shocked.vals.iter())
            {
                acc_q32(sum, if is_put { pn } else { cn }, &qty)?;
            }
        } else {
            for (j, sc) in scens.iter().enumerate() {
                let vw = &c.shocked.vw[(sc.fast.vol_idx & 1) as usize];
                let pr = bs::shocked_price_precise(p.kind, &c.e, &sc.shock, vw)?;
                acc(&mut a.reval_r[j], pr, &qty)?;
            }
        }
    }
    remember_tail_scens(a, tail, tm);
    Ok(())
}

/// A live short American put: the bound `K (1 - e^-rT)` of its early-exercise premium (raw,
/// rounded up: `K e^-rT` rounded down) added to its mark and to every scenario's revaluation,
/// where the European price stands. European put plus the bound is at least the American put
/// (its premium never exceeds the bound) and at least the intrinsic value (put-call parity:
/// European put `>= K e^-rT - S`); it does not depend on spot or vol, so the tail's
/// differences are unchanged.
#[inline(never)]
fn american_put_bound(
    a: &mut Agg,
    k: u128,
    tt: &bs::TimeTerms,
    qty: &Qty,
    n_scens: usize,
) -> RiskResult<()> {
    let kd = Bf::from_u128(k).mul(tt.disc).to_q128(0).unwrap_or(k).min(k);
    let bound = k - kd;
    if bound == 0 {
        return Ok(());
    }
    acc(&mut a.liab, bound, qty)?;
    for sum in a.reval_r[..n_scens].iter_mut() {
        acc(sum, bound, qty)?;
    }
    Ok(())
}

/// One live long's sums: its mark and shocked values from below (the scenarios from
/// [`LONG_SLOTS`]), its Greeks (reported), and `q / v` at the first vol shift (the curvature
/// allowance).
#[inline(never)]
fn accumulate_long(
    a: &mut Agg,
    c: &Cur<'_>,
    kind: OptionKind,
    qty: &Qty,
    scens: &[Scen],
) -> RiskResult<()> {
    let is_put = kind == OptionKind::Put;
    let mark = c.e.c.price(kind).saturating_sub(LONG_MARK_DEDUCTION_Q63);
    let l = &mut a.long;
    acc(&mut l.liab_n, mark, qty)?;
    if a.greeks {
        acc(&mut l.dsum, c.e.c.nd1 as u128, qty)?;
        acc(&mut l.gamma, c.gf.pw, qty)?;
        acc(&mut l.vega, c.gf.ps, qty)?;
        acc(&mut l.decay, c.gf.dc, qty)?;
    }
    // 1 / v' truncates (from below): nudged, then rounded up at Q32
    let w = nudge_up(nudge_up(c.shocked.vw[0].1))
        .to_q128_round(32, true)
        .ok_or(RiskError::Overflow)?;
    acc(&mut a.inv_v, w, qty)?;
    let end = LONG_SLOTS + scens.len();
    if c.shocked.fast {
        for (sum, &(cn, pn)) in a.reval_n[LONG_SLOTS..end]
            .iter_mut()
            .zip(c.shocked.vals.iter())
        {
            let v = if is_put { pn } else { cn };
            acc_q32(sum, v.saturating_sub(LONG_FAST_DEDUCTION_Q32), qty)?;
        }
    } else {
        for (sum, sc) in a.reval_r[LONG_SLOTS..end].iter_mut().zip(scens.iter()) {
            let vw = &c.shocked.vw[(sc.fast.vol_idx & 1) as usize];
            let pr = bs::shocked_price_precise(kind, &c.e, &sc.shock, vw)?;
            let low = pr.saturating_sub(long_precise_deduction(sc.shock.s_raw));
            acc(sum, low, qty)?;
        }
    }
    Ok(())
}

/// Per-unit `vega * (sigma' - sigma)` of the gap report's shocked vol, raw, rounded up.
#[inline(never)]
fn vega_dv(vega: Fixed, c: &Cur<'_>) -> RiskResult<u128> {
    // sigma' - sigma = sigma (m - 1): v' / sqrt(T) - v / sqrt(T), from the shocked v of index 1
    let up = c.shocked.vw[1].0;
    let dn = c.e.n.v;
    let inv_sqrt_t = c.e.tt.sqrt_t.recip();
    // at Q52 (shocked vols stay below 2^11), plus two units for the products' truncation
    let dv_hi = up
        .mul(inv_sqrt_t)
        .to_q128_round(52, true)
        .unwrap_or(u128::MAX);
    let dv_lo = dn.mul(inv_sqrt_t).to_q128(52).unwrap_or(0);
    let dv_q52 = dv_hi.saturating_sub(dv_lo).saturating_add(2);
    // vega raw (10^-12 per 1.00 of vol) times dv at Q52, rounded up
    let v = vega.raw().max(0) as u128;
    wide::mul_u128_u64_shr(v, dv_q52.min(u64::MAX as u128) as u64, 52, true)
        .ok_or(RiskError::Overflow)
}
