//! Greek-based portfolio margin (PROTOCOL 4).
//!
//! Conventions:
//! - All money values are [`Fixed`] in quote native units (e.g. micro-USDC), rounded in the
//!   clearing house's favour: liabilities, add-ons and requirements `Up`, collateral values `Down`.
//! - Spot is quote native units per whole underlying unit; a position's quantity is
//!   `contracts * contract_size` underlying units.
//! - The account is short every position. Aggregated Greeks are those of the account (short),
//!   so a short call has negative delta.
//! - Add-on per underlying = worst loss over the grid spot x vol of the delta-gamma-vega
//!   expansion (at IM also at least the full Black-Scholes revaluation loss at the extreme spot
//!   shocks with vol up: see [`MM_FULL_REVALUATION`] and `docs/risk-model.md`), never below the sum of per-contract floors, and capped so
//!   `liability + add-on <= maximum payoff` where the maximum payoff is finite (all puts).
//! - Spot shocks are widened by `conf / spot`. A stale vol surface adds `stale_vol_penalty`
//!   to the upward vol shock.
//! - `requirement(level) = liability + add-on(level)`; end level = MM + buffer * (IM - MM),
//!   applied to requirements and to collateral weights alike, so the whole computation is
//!   homogeneous of degree one in (positions, collateral amounts, quote balance).

use crate::bin::Bf;
use crate::bs::{self, Eval, EvalIn, SpotPrep, SpotShock};
use crate::fast::{self, FastScen, LegShocks};
use crate::fixed::FIXED_ONE;
use crate::math::ONE_Q63;
use crate::surface::SmilePrep;
use crate::wide::{self, U256};
use crate::{BsInput, Fixed, OptionKind, RiskError, RiskResult, Rounding, VolSurface};

/// Most distinct underlyings one account's positions may span.
pub const MAX_UNDERLYINGS: usize = 8;
/// Spot shocks of the grid as multiples of h: {-1, -1/2, 0, +1/2, +1}.
pub const SPOT_SCENARIOS: usize = 5;
/// Vol shocks of the grid: {-v_dn, +v_up}.
pub const VOL_SCENARIOS: usize = 2;

/// The shocks and floor of one margin level (IM or MM).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LevelParams {
    /// h: relative spot shock (0.20 = 20 %).
    pub spot_shock: Fixed,
    /// Absolute upward vol shock (0.10 = +10 vol points).
    pub vol_up: Fixed,
    /// Absolute downward vol shock.
    pub vol_down: Fixed,
    /// Per-contract floor of the add-on, a fraction of spot (puts: of min(S, K)).
    pub floor_pct: Fixed,
}

/// Margin parameters of one underlying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarginParams {
    pub initial: LevelParams,
    pub maintenance: LevelParams,
    /// Added to `vol_up` at every level while the surface is stale.
    pub stale_vol_penalty: Fixed,
}

/// Hard bound: a spot shock is in (0, 1) (exclusive).
pub const MAX_SPOT_SHOCK: Fixed = Fixed::from_raw(FIXED_ONE - 1);
/// The widened spot shock `h + conf/spot` is capped here (the shocked spot stays positive).
pub const MAX_EFFECTIVE_SPOT_SHOCK: Fixed = Fixed::from_raw(FIXED_ONE / 100 * 99);
/// [`MAX_EFFECTIVE_SPOT_SHOCK`] at Q63 (scale 2^63), rounded down.
const MAX_EFFECTIVE_SPOT_SHOCK_Q63: u128 =
    (MAX_EFFECTIVE_SPOT_SHOCK.raw() as u128) * (1u128 << 63) / (FIXED_ONE as u128);

/// Hard bound on vol shocks and the stale penalty: 5.0 (500 vol points).
pub const MAX_VOL_SHOCK: Fixed = Fixed::from_raw(5 * FIXED_ONE);
/// Hard bound on the collateral confidence multiplier.
pub const MAX_CONF_MULTIPLIER: Fixed = Fixed::from_raw(10 * FIXED_ONE);

const fn fx(raw: i128) -> Fixed {
    Fixed::from_raw(raw)
}
/// `value / 1000` as a `Fixed` (permille helper for the defaults).
const fn permille(value: i128) -> Fixed {
    fx(value * (FIXED_ONE / 1000))
}

impl LevelParams {
    fn in_bounds(&self) -> bool {
        let unit = |x: Fixed, max: Fixed| !x.is_negative() && x <= max;
        self.spot_shock.is_positive()
            && self.spot_shock <= MAX_SPOT_SHOCK
            && unit(self.vol_up, MAX_VOL_SHOCK)
            && unit(self.vol_down, MAX_VOL_SHOCK)
            && unit(self.floor_pct, Fixed::ONE)
    }
}

impl MarginParams {
    /// Protocol defaults (PROTOCOL 4): IM spot shock 20 %, vol shocks +-10 points, floor 2 %;
    /// MM spot shock 12 %, vol shocks +-6 points, floor 1.2 %; stale penalty +5 vol points.
    /// Reasoning in `docs/risk-model.md`.
    pub const DEFAULT: MarginParams = MarginParams {
        initial: LevelParams {
            spot_shock: permille(200),
            vol_up: permille(100),
            vol_down: permille(100),
            floor_pct: permille(20),
        },
        maintenance: LevelParams {
            spot_shock: permille(120),
            vol_up: permille(60),
            vol_down: permille(60),
            floor_pct: permille(12),
        },
        stale_vol_penalty: permille(50),
    };

    /// IM shocks and floors at least MM's, all within hard bounds.
    pub fn validate(&self) -> RiskResult<()> {
        let (i, m) = (&self.initial, &self.maintenance);
        let ok = i.in_bounds()
            && m.in_bounds()
            && i.spot_shock >= m.spot_shock
            && i.vol_up >= m.vol_up
            && i.vol_down >= m.vol_down
            && i.floor_pct >= m.floor_pct
            && !self.stale_vol_penalty.is_negative()
            && self.stale_vol_penalty <= MAX_VOL_SHOCK;
        if ok {
            Ok(())
        } else {
            Err(RiskError::InvalidMarginParams)
        }
    }
}

/// Account-independent settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarginConfig {
    /// Collateral is valued at `price - conf_multiplier * conf`.
    pub conf_multiplier: Fixed,
    /// End level = MM + end_buffer * (IM - MM), in [0, 1].
    pub end_buffer: Fixed,
}

impl MarginConfig {
    /// Defaults: collateral at `price - 1 * conf`, end level half-way between MM and IM.
    pub const DEFAULT: MarginConfig = MarginConfig {
        conf_multiplier: Fixed::ONE,
        end_buffer: permille(500),
    };

    /// `conf_multiplier` in [0, 10], `end_buffer` in [0, 1].
    pub fn validate(&self) -> RiskResult<()> {
        if self.conf_multiplier.is_negative()
            || self.conf_multiplier > MAX_CONF_MULTIPLIER
            || self.end_buffer.is_negative()
            || self.end_buffer > Fixed::ONE
        {
            return Err(RiskError::InvalidMarginParams);
        }
        Ok(())
    }
}

/// Market state of one underlying, as the account sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct UnderlyingRisk {
    /// Oracle spot, quote native units per underlying unit.
    pub spot: Fixed,
    /// Oracle confidence, same unit.
    pub conf: Fixed,
    pub surface: VolSurface,
    pub vol_stale: bool,
    /// Continuously compounded rate.
    pub rate: Fixed,
    pub params: MarginParams,
}

/// One short position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionRisk {
    /// Index into [`AccountRisk::underlyings`].
    pub underlying: u8,
    pub kind: OptionKind,
    /// Quote native units per underlying unit.
    pub strike: Fixed,
    /// Time to expiry in years (the caller applies the minimum-time floor).
    pub time_years: Fixed,
    /// Short contracts (>= 0).
    pub contracts: u64,
    /// Underlying units per contract.
    pub contract_size: Fixed,
}

/// One collateral balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CollateralRisk {
    /// Native token units.
    pub amount: u64,
    /// Oracle price, quote native units per collateral native unit.
    pub price: Fixed,
    /// Oracle confidence, same unit.
    pub conf: Fixed,
    /// Weights in [0, 1]; init <= maint.
    pub init_weight: Fixed,
    pub maint_weight: Fixed,
}

/// Everything the margin of one account depends on.
#[derive(Clone, Copy, Debug)]
pub struct AccountRisk<'a> {
    /// Signed quote balance in quote native units (negative = debt).
    pub quote_balance: i128,
    pub collaterals: &'a [CollateralRisk],
    pub positions: &'a [PositionRisk],
    pub underlyings: &'a [UnderlyingRisk],
}

/// Requirement, collateral value and equity at one level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LevelRisk {
    pub addon: Fixed,
    pub requirement: Fixed,
    /// Weighted, conf-adjusted collateral value plus the quote balance.
    pub collateral_value: Fixed,
    /// `collateral_value - requirement`.
    pub equity: Fixed,
}

/// Per-underlying aggregate of the account's (short) book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct UnderlyingSummary {
    /// Index into [`AccountRisk::underlyings`].
    pub underlying: u8,
    /// Mark value of the shorts (a liability, rounded up).
    pub liability: Fixed,
    /// Underlying units.
    pub delta: Fixed,
    /// Cash gamma Gamma * S^2 (quote native units per unit of relative spot move squared).
    pub cash_gamma: Fixed,
    /// Quote native units per 1.00 of vol.
    pub vega: Fixed,
    /// Quote native units per year.
    pub theta: Fixed,
    pub addon_initial: Fixed,
    pub addon_maintenance: Fixed,
}

/// The whole margin state of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MarginSummary {
    /// Mark value of all shorts.
    pub liability: Fixed,
    /// Collateral at oracle (no haircut, no conf) + quote balance - liability.
    pub mark_to_market: Fixed,
    pub initial: LevelRisk,
    pub end: LevelRisk,
    pub maintenance: LevelRisk,
    pub underlyings: [UnderlyingSummary; MAX_UNDERLYINGS],
    pub underlying_count: u8,
}

/// Most scenarios one aggregation revalues (the expansion-gap grid).
const MAX_SCEN: usize = SPOT_SCENARIOS * VOL_SCENARIOS;

/// One full-revaluation scenario, prepared per underlying.
#[derive(Clone, Copy, Debug)]
struct Scen {
    /// The spot shock (shocked spot rounded away from the unshocked spot).
    shock: SpotShock,
    /// The same for the fast evaluator, with the index of the scenario's vol shift.
    fast: FastScen,
}

/// A scenario: spot shock sign and magnitude at Q63 (< 1), vol shift.
#[inline(always)]
fn scen(s_raw: u128, up: bool, h_q63: u64, vol_idx: u8) -> RiskResult<Scen> {
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
struct Agg {
    liab: U256,
    delta_pos: U256,
    delta_neg: U256,
    gamma: U256,
    vega: U256,
    theta_pos: U256,
    theta_neg: U256,
    /// sum of quantities whose floor base is the spot (calls, puts with K >= S)
    qsum_spot: u128,
    /// sum of K times quantity over puts with K < S (floor base min(S, K) = K)
    floor_k: U256,
    /// sum of K times quantity over puts
    payoff: U256,
    all_puts: bool,
    /// per scenario: sum of quantity times shocked normalised price (price / S' at Q32) from
    /// the fast evaluator, and sum of quantity times raw shocked price (precise fallback,
    /// expired positions)
    reval_n: [U256; MAX_SCEN],
    reval_r: [U256; MAX_SCEN],
    /// spot (raw) and shocked spots per scenario
    s: u128,
    s_scen: [u128; MAX_SCEN],
}

impl Agg {
    const fn new() -> Agg {
        Agg {
            liab: [0; 4],
            delta_pos: [0; 4],
            delta_neg: [0; 4],
            gamma: [0; 4],
            vega: [0; 4],
            theta_pos: [0; 4],
            theta_neg: [0; 4],
            qsum_spot: 0,
            floor_k: [0; 4],
            payoff: [0; 4],
            all_puts: true,
            reval_n: [[0; 4]; MAX_SCEN],
            reval_r: [[0; 4]; MAX_SCEN],
            s: 0,
            s_scen: [0; MAX_SCEN],
        }
    }
}

/// A position's quantity, with its low 64 bits split for the inline multiply.
struct Qty {
    q: u128,
    /// `q` fits 64 bits.
    small: bool,
}

impl Qty {
    fn new(q: u128) -> Qty {
        Qty {
            q,
            small: q >> 64 == 0,
        }
    }
}

/// `sum += a * q`, exactly. Inline fast path for `a, q < 2^64` (one 64x64 product, a two-limb
/// add); the rest out of line.
#[inline(always)]
fn acc(sum: &mut U256, a: u128, q: &Qty) -> RiskResult<()> {
    let a1 = (a >> 64) as u64;
    if q.small && a1 >> 32 == 0 {
        // a = a1 2^64 + a0 with a1 < 2^32: a q = a0 q + (a1 q) 2^64, three limbs
        let (h, l) = wide::wmul(a as u64, q.q as u64);
        let (s0, c0) = sum[0].overflowing_add(l);
        // h <= 2^64 - 2 (a product of two 64-bit values): h + c0 cannot wrap
        let (s1, c1) = sum[1].overflowing_add(h + c0 as u64);
        sum[0] = s0;
        sum[1] = s1;
        let mut carry = c1 as u64;
        if a1 != 0 {
            let (h1, l1) = wide::wmul(a1, q.q as u64); // h1 < 2^32
            let (s1, c2) = sum[1].overflowing_add(l1);
            sum[1] = s1;
            carry += h1 + c2 as u64;
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
fn carry_in(sum: &mut U256, c: u64) -> RiskResult<()> {
    let (s2, c2) = sum[2].overflowing_add(c);
    sum[2] = s2;
    if c2 {
        sum[3] = sum[3].checked_add(1).ok_or(RiskError::Overflow)?;
    }
    Ok(())
}

/// `sum += a * q` for any `a`, `q`.
#[inline(never)]
fn acc_wide(sum: &mut U256, a: u128, q: &Qty) -> RiskResult<()> {
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

#[inline(always)]
fn acc_signed(pos: &mut U256, neg: &mut U256, a: i128, q: &Qty) -> RiskResult<()> {
    if a >= 0 {
        acc(pos, a as u128, q)
    } else {
        acc(neg, a.unsigned_abs(), q)
    }
}

fn validate_underlying(u: &UnderlyingRisk) -> RiskResult<()> {
    if !u.spot.is_positive() || u.conf.is_negative() {
        return Err(RiskError::NonPositivePrice);
    }
    if u.rate.is_negative() || u.rate > bs::MAX_RATE {
        return Err(RiskError::InvalidRate);
    }
    u.surface.validate()?;
    u.params.validate()
}

/// Shocks of one level as applied: widened spot shock at Q63 and the vol shifts.
#[derive(Clone, Copy, Debug)]
struct LevelShocks {
    h: u64,
    vol_up: Fixed,
    vol_down: Fixed,
    floor_pct: Fixed,
}

fn level_shocks(u: &UnderlyingRisk, inv_s: Bf, l: &LevelParams) -> RiskResult<LevelShocks> {
    // h' = h + conf / S, rounded up, capped
    let h = Bf::from_fixed_raw(l.spot_shock.raw() as u128)
        .to_q128_round(63, true)
        .ok_or(RiskError::Overflow)?;
    let c = Bf::from_u128(u.conf.raw() as u128)
        .mul(inv_s)
        .to_q128_round(63, true)
        .unwrap_or(u128::MAX);
    let h = h.saturating_add(c).min(MAX_EFFECTIVE_SPOT_SHOCK_Q63) as u64;
    let penalty = if u.vol_stale {
        u.params.stale_vol_penalty
    } else {
        Fixed::ZERO
    };
    Ok(LevelShocks {
        h,
        vol_up: l.vol_up.checked_add(penalty)?,
        vol_down: l.vol_down,
        floor_pct: l.floor_pct,
    })
}

/// What [`aggregate`] needs about one underlying.
struct AggCtx<'a> {
    und: &'a UnderlyingRisk,
    idx: u8,
    sp: &'a SpotPrep,
    scens: &'a [Scen],
    /// The scenarios for the fast evaluator (same order).
    fast: &'a [FastScen],
    /// The vol shifts the scenarios use (index `FastScen::vol_idx`; one or two).
    dvs: &'a [Fixed],
    /// The same as binary values (the non-negative ones).
    dvs_bf: [Bf; 2],
}

/// Whether the full-revaluation safeguard also runs at the MM level (four revaluations per
/// (strike, expiry) instead of two). Off: it costs about 1,100 compute units per position on
/// sBPF (115,670 instead of 97,796 for the 16-position fixture, whose bar is 100,000); the MM
/// add-on is then the expansion's worst grid loss and the floor (see `docs/risk-model.md`,
/// 6.3). `expansion_gap` measures the expansion at any level.
pub const MM_FULL_REVALUATION: bool = false;

/// Distinct expiries remembered per underlying (time terms and ATM vol are per expiry).
const T_MEMO: usize = 4;

/// Distinct (expiry, rate) pairs whose time terms are remembered across the underlyings of
/// an account (underlyings usually share the rate, and often the expiry grid).
const TT_MEMO: usize = 8;

/// Time terms per (expiry, rate).
struct TimeMemo {
    e: [(i128, u128, bs::TimeTerms); TT_MEMO],
    n: usize,
    next: usize,
}

impl TimeMemo {
    const fn new() -> TimeMemo {
        TimeMemo {
            e: [(0, 0, bs::TimeTerms::PLACEHOLDER); TT_MEMO],
            n: 0,
            next: 0,
        }
    }

    /// `time_terms(T, r)` for validated `T > 0`, `r >= 0` (raw), remembered.
    fn get(&mut self, t: i128, r: u128) -> bs::TimeTerms {
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
struct TEntry {
    t: i128,
    tt: bs::TimeTerms,
    atm: Bf,
}

/// The last evaluated (strike, expiry): consecutive legs of a straddle share it.
struct Cur<'a> {
    k: u128,
    t: i128,
    e: Eval<'a>,
    /// Shocked normalised (call, put) prices per scenario (`None` when out of the fast range)
    /// and the shocked `(v, 1/v)` per vol shift for the precise fallback.
    shocked: LegShocks,
}

/// Evaluate one (strike, expiry) at the surface vol, and its shocked normalised prices.
#[inline(never)]
fn evaluate_leg<'a>(
    ctx: &AggCtx<'a>,
    kt: &(u128, i128, TEntry, SmilePrep),
    cur: &mut Cur<'a>,
) -> RiskResult<()> {
    let (k, t, te, smile) = kt;
    let (x, lnx) = bs::moneyness(ctx.sp.inv_s, *k);
    let vol = smile.vol(lnx, te.atm);
    cur.k = *k;
    cur.t = *t;
    bs::evaluate_into(
        &EvalIn {
            sp: ctx.sp,
            k: *k,
            x,
            lnx,
            vol_raw: vol.raw() as u128,
            tt: te.tt,
        },
        &mut cur.e,
    )?;
    // full revaluation (sticky strike: the leg's vol plus the scenario's shift); sigma + dv is
    // a binary add for an upward shift, which stays inside [min_vol, MAX_VOL] (surface vols
    // <= 5, shocks and penalty <= 5 each); a downward one is floored at the surface's min vol
    let mut sigs = [Bf::ZERO; 2];
    let n_vol = ctx.dvs.len().min(2);
    for (i, dv) in ctx.dvs.iter().take(2).enumerate() {
        sigs[i] = if !dv.is_negative() {
            cur.e.sig.add(ctx.dvs_bf[i])
        } else {
            let v = vol
                .checked_add(*dv)?
                .max_of(ctx.und.surface.min_vol)
                .min_of(bs::MAX_VOL);
            Bf::from_fixed_raw(v.raw() as u128)
        };
    }
    fast::shocked_leg(
        &fast::LegIn {
            e: &cur.e,
            sigs: &sigs[..n_vol],
            scens: ctx.fast,
        },
        &mut cur.shocked,
    );
    Ok(())
}

/// Non-negative vol shifts as binary values (negative ones as zero: they are not added).
fn dvs_bf(dvs: &[Fixed; 2]) -> [Bf; 2] {
    let b = |d: Fixed| Bf::from_fixed_raw(d.raw().max(0) as u128);
    [b(dvs[0]), b(dvs[1])]
}

/// Aggregate every position of underlying `idx` (already validated) and revalue it at `scens`,
/// into `a` (a fresh [`Agg::new`], filled in place: no copy of the 1 KB result).
#[inline(never)]
fn aggregate<'a>(
    ctx: &AggCtx<'a>,
    positions: &[PositionRisk],
    a: &mut Agg,
    tm: &mut TimeMemo,
) -> RiskResult<()> {
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
    }; T_MEMO];
    let (mut n_memo, mut next_memo) = (0usize, 0usize);
    let mut cur = Cur {
        k: 0,
        t: 0,
        e: Eval::blank(ctx.sp),
        shocked: LegShocks {
            vals: [None; fast::MAX_FAST_SCEN],
            vw: [(Bf::ZERO, Bf::ZERO); 2],
        },
    };
    let mut have_cur = false;
    a.s = s;
    for (j, sc) in scens.iter().enumerate() {
        a.s_scen[j] = sc.shock.s_raw;
    }
    for p in positions.iter().filter(|p| p.underlying == idx) {
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
        if q == 0 {
            continue;
        }
        let qty = Qty::new(q);
        let k = p.strike.raw() as u128;
        let is_put = p.kind == OptionKind::Put;
        if is_put {
            let kq = wide::mul_128x128(k, q);
            wide::add_assign(&mut a.payoff, &kq)?;
            if k < s {
                wide::add_assign(&mut a.floor_k, &kq)?;
            } else {
                a.qsum_spot = a.qsum_spot.checked_add(q).ok_or(RiskError::Overflow)?;
            }
        } else {
            a.all_puts = false;
            a.qsum_spot = a.qsum_spot.checked_add(q).ok_or(RiskError::Overflow)?;
        }
        let t = p.time_years.raw();
        if t <= 0 {
            // expired, not yet settled: intrinsic value, step delta, no other Greek
            let g = bs::greeks(&BsInput {
                kind: p.kind,
                spot: und.spot,
                strike: p.strike,
                vol: Fixed::ONE,
                time_years: Fixed::ZERO,
                rate: Fixed::ZERO,
            })?;
            acc(&mut a.liab, g.price.raw() as u128, &qty)?;
            acc_signed(&mut a.delta_pos, &mut a.delta_neg, g.delta.raw(), &qty)?;
            for (j, sc) in scens.iter().enumerate() {
                let v = if is_put {
                    k.saturating_sub(sc.shock.s_raw)
                } else {
                    sc.shock.s_raw.saturating_sub(k)
                };
                acc(&mut a.reval_r[j], v, &qty)?;
            }
            continue;
        }
        let same = have_cur && cur.k == k && cur.t == t;
        if !same {
            // time terms and ATM vol per expiry
            let mut te = None;
            for m in memo[..n_memo].iter() {
                if m.t == t {
                    te = Some(*m);
                }
            }
            let te = match te {
                Some(te) => te,
                None => {
                    let (atm, _) = und.surface.atm_with(p.time_years, |i| tvs[i])?;
                    let te = TEntry {
                        t,
                        tt: tm.get(t, ctx.sp.r_raw),
                        atm,
                    };
                    memo[next_memo] = te;
                    next_memo = (next_memo + 1) % T_MEMO;
                    n_memo = (n_memo + 1).min(T_MEMO);
                    te
                }
            };
            evaluate_leg(ctx, &(k, t, te, smile), &mut cur)?;
            have_cur = true;
        }
        let c = &cur;
        let g = bs::greeks_of(p.kind, &c.e)?;
        acc(&mut a.liab, g.price.raw() as u128, &qty)?;
        acc_signed(&mut a.delta_pos, &mut a.delta_neg, g.delta.raw(), &qty)?;
        acc(&mut a.gamma, g.gamma.raw() as u128, &qty)?;
        acc(&mut a.vega, g.vega.raw() as u128, &qty)?;
        acc_signed(&mut a.theta_pos, &mut a.theta_neg, g.theta.raw(), &qty)?;
        for (j, sc) in scens.iter().enumerate() {
            match c.shocked.vals[j] {
                Some((cn, pn)) => acc(
                    &mut a.reval_n[j],
                    if is_put { pn } else { cn } as u128,
                    &qty,
                )?,
                None => {
                    let vw = &c.shocked.vw[(sc.fast.vol_idx & 1) as usize];
                    let pr = bs::shocked_price_precise(p.kind, &c.e, &sc.shock, vw)?;
                    acc(&mut a.reval_r[j], pr, &qty)?;
                }
            }
        }
    }
    Ok(())
}

/// `floor(a * mul / 10^pow10)` and the inexact flag: 256-bit intermediates when `a` fits
/// 128 bits (the usual case), 384-bit otherwise.
#[inline(never)]
fn mul_scale_floor(a: &U256, mul: u128, pow10: u32) -> RiskResult<(u128, bool)> {
    if mul == 1 {
        return wide::scale_down_floor(a, 0, pow10);
    }
    match wide::to_u128(a) {
        Some(x) => wide::scale_down_floor(&wide::mul_128x128(x, mul), 0, pow10),
        None => wide::scale_down_floor(&wide::mul_256x128(a, mul), 0, pow10),
    }
}

/// Signed `(pos - neg) * mul / 10^pow10`, as (floor, ceil).
#[inline(always)]
fn signed_scaled(pos: &U256, neg: &U256, mul: u128, pow10: u32) -> RiskResult<(i128, i128)> {
    let (mag, negative) = wide::signed_diff(pos, neg);
    let (f, inexact) = mul_scale_floor(&mag, mul, pow10)?;
    let lo = wide::signed(f + (negative && inexact) as u128, negative)?;
    let hi = wide::signed(f + (!negative && inexact) as u128, negative)?;
    Ok((lo, hi))
}

/// Non-negative `a * mul / 10^pow10` rounded as asked, raw.
#[inline(always)]
fn scaled(a: &U256, mul: u128, pow10: u32, up: bool) -> RiskResult<i128> {
    let (f, inexact) = mul_scale_floor(a, mul, pow10)?;
    wide::signed(wide::bump(f, inexact, up)?, false)
}

/// `x * q / 2^63` for a signed raw `x` and `q < 2^64`, rounded toward +inf (`up`) or -inf.
fn mul_q63(x: i128, q: u64, up: bool) -> RiskResult<i128> {
    let neg = x < 0;
    // magnitude rounded away from zero when the signed result must round toward +inf (up,
    // positive) or -inf (down, negative)
    let m =
        wide::mul_u128_u64_shr(x.unsigned_abs(), q, 63, up != neg).ok_or(RiskError::Overflow)?;
    wide::signed(m, neg)
}

/// The money-valued Greeks of the long book of one underlying (the account is short it).
#[derive(Clone, Copy, Debug)]
struct BookGreeks {
    liab_raw: i128,
    /// delta * S of the long book, (rounded down, rounded up)
    ds: (i128, i128),
    /// delta (units), rounded up
    delta: i128,
    /// cash gamma Gamma S^2 of the long book, rounded up (>= 0)
    cgamma: i128,
    /// vega of the long book, rounded up (>= 0)
    vega: i128,
    /// theta of the long book, rounded up
    theta: i128,
    payoff: Option<i128>,
    /// liability rounded down (the full-revaluation losses subtract it)
    liab_floor: i128,
    /// sum of the floor bases (S or min(S, K)) times quantity, rounded up
    floor_money: Fixed,
}

#[inline(never)]
fn book_greeks(a: &Agg, s: u128) -> RiskResult<BookGreeks> {
    // s is the spot (raw)
    let (lf, inexact) = wide::scale_down_floor(&a.liab, 0, 12)?;
    let liab_floor = wide::signed(lf, false)?;
    let liab_raw = liab_floor + inexact as i128;
    let ds = signed_scaled(&a.delta_pos, &a.delta_neg, s, 24)?;
    let delta = signed_scaled(&a.delta_pos, &a.delta_neg, 1, 12)?.1;
    // Gamma S^2: gamma sum is at 10^-30; (sum * S / 10^30) * S / 10^12
    let gs = scaled(&a.gamma, s, 30, true)? as u128;
    let cgamma = wide::signed(
        wide::scale_down(&wide::mul_128x128(gs, s), 0, 12, true)?,
        false,
    )?;
    let vega = scaled(&a.vega, 1, 12, true)?;
    let theta = signed_scaled(&a.theta_pos, &a.theta_neg, 1, 12)?.1;
    let mut floor_base = wide::mul_128x128(a.s, a.qsum_spot);
    wide::add_assign(&mut floor_base, &a.floor_k)?;
    let floor_money = Fixed::from_raw(scaled(&floor_base, 1, 12, true)?);
    let payoff = if a.all_puts {
        Some(scaled(&a.payoff, 1, 12, true)?)
    } else {
        None
    };
    let liab_raw = match payoff {
        Some(p) => liab_raw.min(p),
        None => liab_raw,
    };
    Ok(BookGreeks {
        liab_raw,
        ds,
        delta,
        cgamma,
        vega,
        theta,
        payoff,
        liab_floor,
        floor_money,
    })
}

/// The spot part `D S s + CG s^2 / 2` of the expansion loss at `s = -h, -h/2, 0, +h/2, +h`
/// (`h` at Q63), each term rounded up.
#[inline(always)]
fn spot_terms(b: &BookGreeks, h: u64) -> RiskResult<[i128; SPOT_SCENARIOS]> {
    // delta term D S s of the long book at s = -h, +h, rounded up; at +-h/2 half of it, rounded
    // up (an upper bound of an upper bound)
    let a_dn = mul_q63(b.ds.0, h, false)?
        .checked_neg()
        .ok_or(RiskError::Overflow)?;
    let a_up = mul_q63(b.ds.1, h, true)?;
    let half = |x: i128| (x >> 1) + (x & 1); // ceil(x / 2), also for negative x
                                             // gamma term CG s^2 / 2 at s = h (h^2 / 2 at Q63, rounded up) and a quarter of it at h/2
    let g_h = mul_q63(b.cgamma, wide::mulhi(h, h) + 1, true)?;
    let g_q = (g_h >> 2) + (g_h & 3 != 0) as i128;
    let add = |x: i128, y: i128| x.checked_add(y).ok_or(RiskError::Overflow);
    Ok([
        add(a_dn, g_h)?,
        add(half(a_dn), g_q)?,
        0,
        add(half(a_up), g_q)?,
        add(a_up, g_h)?,
    ])
}

/// Expansion losses (positive = loss to the account) on the grid spot x vol, rounded up.
#[inline(never)]
fn expansion_grid(
    b: &BookGreeks,
    sh: &LevelShocks,
) -> RiskResult<[[i128; VOL_SCENARIOS]; SPOT_SCENARIOS]> {
    let sp = spot_terms(b, sh.h)?;
    // vega term V dv, rounded up (V >= 0)
    let c = [
        vega_term(b.vega, sh.vol_down, false)?
            .checked_neg()
            .ok_or(RiskError::Overflow)?,
        vega_term(b.vega, sh.vol_up, true)?,
    ];
    let mut out = [[0i128; VOL_SCENARIOS]; SPOT_SCENARIOS];
    for i in 0..SPOT_SCENARIOS {
        for j in 0..VOL_SCENARIOS {
            out[i][j] = sp[i].checked_add(c[j]).ok_or(RiskError::Overflow)?;
        }
    }
    Ok(out)
}

/// `V * dv` for `V >= 0` (raw) and `dv >= 0` (`Fixed`), rounded up or down.
#[inline(always)]
fn vega_term(v: i128, dv: Fixed, up: bool) -> RiskResult<i128> {
    let (v, dv) = (v.unsigned_abs(), dv.raw().unsigned_abs());
    if dv >> 64 == 0 {
        if let Some(p) = wide::mul_u128_u64(v, dv as u64) {
            let (q, inexact) = wide::div_pow10_u128(p, 12);
            return wide::signed(wide::bump(q, inexact, up)?, false);
        }
    }
    let r = if up { Rounding::Up } else { Rounding::Down };
    Ok(Fixed::from_raw(v as i128)
        .checked_mul(Fixed::from_raw(dv as i128), r)?
        .raw())
}

/// Full-revaluation loss of scenario `j`, rounded up.
fn full_loss(a: &Agg, b: &BookGreeks, j: usize) -> RiskResult<i128> {
    // book value at the scenario (rounded up) minus the liability (rounded down)
    let mut v = match wide::to_u128(&a.reval_n[j]) {
        Some(x) => wide::scale_down(&wide::mul_128x128(x, a.s_scen[j]), 32, 12, true)?,
        None => wide::scale_down(&wide::mul_256x128(&a.reval_n[j], a.s_scen[j]), 32, 12, true)?,
    };
    if !wide::is_zero(&a.reval_r[j]) {
        v = v
            .checked_add(wide::scale_down(&a.reval_r[j], 0, 12, true)?)
            .ok_or(RiskError::Overflow)?;
    }
    wide::signed(v, false)?
        .checked_sub(b.liab_floor)
        .ok_or(RiskError::Overflow)
}

/// The add-on of one level: max(expansion, full revaluation at the extreme shocks, 0), the
/// floor, the payoff cap.
#[inline(never)]
fn level_addon(a: &Agg, b: &BookGreeks, sh: &LevelShocks, j_dn: Option<usize>) -> RiskResult<i128> {
    // the grid's worst loss: the vega term is V dv with V >= 0 (a long book), so the upward
    // vol shock is the worse of the two at every spot shock; the spot terms as in
    // `expansion_grid` (same rounding, same values)
    let sp = spot_terms(b, sh.h)?;
    let mut worst_spot: i128 = 0;
    for x in sp {
        worst_spot = worst_spot.max(x);
    }
    let mut worst = worst_spot
        .checked_add(vega_term(b.vega, sh.vol_up, true)?)
        .ok_or(RiskError::Overflow)?
        .max(0);
    if let Some(j) = j_dn {
        worst = worst.max(full_loss(a, b, j)?).max(full_loss(a, b, j + 1)?);
    }
    // floor: floor_pct (raw <= 10^12) times the floor base, rounded up
    let fm = b.floor_money.raw() as u128;
    let fp = sh.floor_pct.raw() as u64;
    let floor = match wide::mul_u128_u64(fm, fp) {
        Some(p) => {
            let (q, inexact) = wide::div_pow10_u128(p, 12);
            wide::signed(wide::bump(q, inexact, true)?, false)?
        }
        None => b.floor_money.checked_mul(sh.floor_pct, Rounding::Up)?.raw(),
    };
    worst = worst.max(floor);
    if let Some(p) = b.payoff {
        worst = worst.min((p - b.liab_raw).max(0));
    }
    Ok(worst)
}

/// Everything computed for one underlying.
struct UndResult {
    summary: UnderlyingSummary,
}

#[inline(never)]
fn underlying_margin(ctx: &MarginCtx<'_>, idx: u8, tm: &mut TimeMemo) -> RiskResult<UndResult> {
    let account = &ctx.account;
    let und = &account.underlyings[idx as usize];
    validate_underlying(und)?;
    let s = und.spot.raw() as u128;
    let sp = SpotPrep::new(s, und.rate.raw() as u128);
    let im = level_shocks(und, sp.inv_s, &und.params.initial)?;
    let mm = level_shocks(und, sp.inv_s, &und.params.maintenance)?;
    // full-revaluation scenarios: IM at -h and +h with vol up, and the same at MM when
    // `MM_FULL_REVALUATION` (see there)
    let n_scen = if MM_FULL_REVALUATION { 4 } else { 2 };
    let mut scens = [scen(s, false, im.h, 0)?; 4];
    scens[1] = scen(s, true, im.h, 0)?;
    if MM_FULL_REVALUATION {
        scens[2] = scen(s, false, mm.h, 1)?;
        scens[3] = scen(s, true, mm.h, 1)?;
    }
    let fast_scens = [scens[0].fast, scens[1].fast, scens[2].fast, scens[3].fast];
    let dvs = [im.vol_up, mm.vol_up];
    let mut a = Agg::new();
    aggregate(
        &AggCtx {
            und,
            idx,
            sp: &sp,
            scens: &scens[..n_scen],
            fast: &fast_scens[..n_scen],
            dvs: &dvs[..n_scen / 2],
            dvs_bf: dvs_bf(&dvs),
        },
        account.positions,
        &mut a,
        tm,
    )?;
    let b = book_greeks(&a, s)?;
    let addon_mm = level_addon(&a, &b, &mm, MM_FULL_REVALUATION.then_some(2))?;
    let addon_im = level_addon(&a, &b, &im, Some(0))?.max(addon_mm);
    let neg = |x: i128| x.checked_neg().ok_or(RiskError::Overflow);
    Ok(UndResult {
        summary: UnderlyingSummary {
            underlying: idx,
            liability: Fixed::from_raw(b.liab_raw),
            delta: Fixed::from_raw(neg(b.delta)?),
            cash_gamma: Fixed::from_raw(neg(b.cgamma)?),
            vega: Fixed::from_raw(neg(b.vega)?),
            theta: Fixed::from_raw(neg(b.theta)?),
            addon_initial: Fixed::from_raw(addon_im),
            addon_maintenance: Fixed::from_raw(addon_mm),
        },
    })
}

/// Indices of the underlyings referenced by the positions, ascending.
fn referenced(account: &AccountRisk<'_>) -> RiskResult<([u8; MAX_UNDERLYINGS], usize)> {
    let len = account.underlyings.len();
    if account
        .positions
        .iter()
        .any(|p| p.underlying as usize >= len)
    {
        return Err(RiskError::UnknownUnderlying);
    }
    // distinct indices, kept sorted by insertion
    let mut out = [0u8; MAX_UNDERLYINGS];
    let mut n = 0;
    for p in account.positions {
        let u = p.underlying;
        let mut i = 0;
        while i < n && out[i] < u {
            i += 1;
        }
        if i < n && out[i] == u {
            continue;
        }
        if n == MAX_UNDERLYINGS {
            return Err(RiskError::TooManyUnderlyings);
        }
        let mut k = n;
        while k > i {
            out[k] = out[k - 1];
            k -= 1;
        }
        out[i] = u;
        n += 1;
    }
    Ok((out, n))
}

/// `x * f` for `x >= 0` and a validated `0 <= f <= 10` (raw below 2^64), rounded up or down:
/// one 128x64 product and a division by 10^12 in 32-bit digits.
#[inline(always)]
fn mul_small(x: Fixed, f: Fixed, up: bool) -> RiskResult<Fixed> {
    if let Some(p) = wide::mul_u128_u64(x.raw() as u128, f.raw() as u64) {
        let (q, inexact) = wide::div_pow10_u128(p, 12);
        return Ok(Fixed::from_raw(wide::signed(
            wide::bump(q, inexact, up)?,
            false,
        )?));
    }
    let r = if up { Rounding::Up } else { Rounding::Down };
    x.checked_mul(f, r)
}

/// Collateral values: (weighted at IM, at end, at MM, at the oracle price), raw.
#[inline(never)]
fn collateral_values(ctx: &MarginCtx<'_>) -> RiskResult<[i128; 4]> {
    let (account, config) = (&ctx.account, &ctx.config);
    let mut out = [0i128; 4];
    for c in account.collaterals {
        if c.price.is_negative() {
            return Err(RiskError::NonPositivePrice);
        }
        let w_ok = |w: Fixed| !w.is_negative() && w <= Fixed::ONE;
        if c.conf.is_negative()
            || !w_ok(c.init_weight)
            || !w_ok(c.maint_weight)
            || c.init_weight > c.maint_weight
        {
            return Err(RiskError::InvalidMarginParams);
        }
        let haircut = mul_small(c.conf, config.conf_multiplier, true)?;
        let adj = c.price.checked_sub(haircut)?.max_of(Fixed::ZERO);
        let w_end = c.maint_weight.checked_sub(mul_small(
            c.maint_weight.checked_sub(c.init_weight)?,
            config.end_buffer,
            true,
        )?)?;
        // amount x (weighted, conf-adjusted price rounded down): exact in the amount, so the
        // value scales exactly with it
        for (slot, w) in [c.init_weight, w_end, c.maint_weight].iter().enumerate() {
            let unit = mul_small(adj, *w, false)?.raw() as u128;
            let v = wide::mul_u128_u64(unit, c.amount).ok_or(RiskError::Overflow)?;
            out[slot] = out[slot]
                .checked_add(wide::signed(v, false)?)
                .ok_or(RiskError::Overflow)?;
        }
        let mark =
            wide::mul_u128_u64(c.price.raw() as u128, c.amount).ok_or(RiskError::Overflow)?;
        out[3] = out[3]
            .checked_add(wide::signed(mark, false)?)
            .ok_or(RiskError::Overflow)?;
    }
    Ok(out)
}

/// The margin of one account.
///
/// See the module documentation and `docs/risk-model.md`. Per underlying: liability = sum of
/// the Black-Scholes prices (per unit, rounded up) times quantity, rounded up once; add-on =
/// max(worst loss of the delta-gamma-vega expansion over the grid, at IM the full
/// Black-Scholes loss at the extreme spot shocks with vol up, 0), then at least the floor, then
/// capped at the maximum payoff minus the liability when every position is a put; the IM
/// add-on is at least the MM add-on. Every sum over positions is exact and rounded once.
#[inline(always)]
pub fn account_margin(
    account: &AccountRisk<'_>,
    config: &MarginConfig,
) -> RiskResult<MarginSummary> {
    account_margin_ctx(&MarginCtx {
        account: *account,
        config: *config,
    })
}

/// The inputs of [`account_margin`] in one place (sBPF passes at most five arguments in
/// registers and LLVM's argument promotion would turn `&MarginConfig` into two 128-bit values).
struct MarginCtx<'a> {
    account: AccountRisk<'a>,
    config: MarginConfig,
}

#[inline(never)]
fn account_margin_ctx(ctx: &MarginCtx<'_>) -> RiskResult<MarginSummary> {
    let (account, config) = (&ctx.account, &ctx.config);
    config.validate()?;
    let (idxs, n) = referenced(account)?;
    let mut summary = MarginSummary {
        underlying_count: n as u8,
        ..MarginSummary::default()
    };
    let (mut liab, mut addon_im, mut addon_mm) = (Fixed::ZERO, Fixed::ZERO, Fixed::ZERO);
    let mut tm = TimeMemo::new();
    for (slot, &idx) in idxs[..n].iter().enumerate() {
        let r = underlying_margin(ctx, idx, &mut tm)?;
        liab = liab.checked_add(r.summary.liability)?;
        addon_im = addon_im.checked_add(r.summary.addon_initial)?;
        addon_mm = addon_mm.checked_add(r.summary.addon_maintenance)?;
        summary.underlyings[slot] = r.summary;
    }
    let addon_end = addon_mm.checked_add(
        config
            .end_buffer
            .checked_mul(addon_im.checked_sub(addon_mm)?, Rounding::Up)?,
    )?;
    let coll = collateral_values(ctx)?;
    let quote = Fixed::from_raw(wide::signed(
        wide::mul_u128_u64(account.quote_balance.unsigned_abs(), FIXED_ONE as u64)
            .ok_or(RiskError::Overflow)?,
        account.quote_balance < 0,
    )?);
    let addons = [addon_im, addon_end, addon_mm];
    let mut levels = [LevelRisk::default(); 3];
    for i in 0..3 {
        let requirement = liab.checked_add(addons[i])?;
        let collateral_value = Fixed::from_raw(coll[i]).checked_add(quote)?;
        levels[i] = LevelRisk {
            addon: addons[i],
            requirement,
            collateral_value,
            equity: collateral_value.checked_sub(requirement)?,
        };
    }
    summary.liability = liab;
    summary.initial = levels[0];
    summary.end = levels[1];
    summary.maintenance = levels[2];
    summary.mark_to_market = Fixed::from_raw(coll[3])
        .checked_add(quote)?
        .checked_sub(liab)?;
    Ok(summary)
}

/// How well the delta-gamma-vega expansion tracks full revaluation for one underlying of the
/// account, at every grid point of one level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ExpansionGap {
    /// Loss predicted by the expansion at `[spot][vol]` (positive = loss).
    pub expansion_loss: [[Fixed; VOL_SCENARIOS]; SPOT_SCENARIOS],
    /// Loss by full Black-Scholes revaluation at the same shocks.
    pub full_loss: [[Fixed; VOL_SCENARIOS]; SPOT_SCENARIOS],
    /// max over the grid of (full_loss - expansion_loss), i.e. how much the expansion understates.
    pub worst_understatement: Fixed,
}

/// Measure the expansion against full revaluation for `underlying` at `level`.
///
/// Uses the same shocks as the margin (spot shock widened by conf/spot, stale penalty added to
/// the upward vol shock) and full Black-Scholes revaluation at all ten grid points (sticky
/// strike; a downward-shocked vol is floored at the surface's `min_vol`). Grid order: spot
/// `{-h, -h/2, 0, +h/2, +h}` x vol `{-v_dn, +v_up}`.
#[inline(never)]
pub fn expansion_gap(
    account: &AccountRisk<'_>,
    underlying: u8,
    level: &LevelParams,
) -> RiskResult<ExpansionGap> {
    let und = account
        .underlyings
        .get(underlying as usize)
        .ok_or(RiskError::UnknownUnderlying)?;
    validate_underlying(und)?;
    if !level.in_bounds() {
        return Err(RiskError::InvalidMarginParams);
    }
    let s = und.spot.raw() as u128;
    let sp = SpotPrep::new(s, und.rate.raw() as u128);
    let sh = level_shocks(und, sp.inv_s, level)?;
    let mut a = Agg::new();
    gap_aggregate(
        &GapCtx {
            account,
            underlying,
            sp: &sp,
            sh: &sh,
        },
        &mut a,
    )?;
    let b = book_greeks(&a, s)?;
    gap_grid(&a, &b, &sh)
}

/// The inputs of [`gap_aggregate`] (one argument: sBPF's five argument registers).
struct GapCtx<'a, 'b> {
    account: &'a AccountRisk<'b>,
    underlying: u8,
    sp: &'a SpotPrep,
    sh: &'a LevelShocks,
}

/// The ten grid scenarios of [`expansion_gap`] and the aggregation over them (a separate frame:
/// sBPF stack frames hold at most 4 KB).
#[inline(never)]
fn gap_aggregate(g: &GapCtx<'_, '_>, a: &mut Agg) -> RiskResult<()> {
    let (sh, s) = (g.sh, g.sp.s);
    let und = &g.account.underlyings[g.underlying as usize];
    let h2 = (sh.h >> 1) + (sh.h & 1);
    let spot = [
        (false, sh.h),
        (false, h2),
        (false, 0),
        (true, h2),
        (true, sh.h),
    ];
    let dvs = [sh.vol_down.checked_neg()?, sh.vol_up];
    let mut scens = [scen(s, false, 0, 0)?; MAX_SCEN];
    for j in 0..VOL_SCENARIOS {
        for (i, &(up, h)) in spot.iter().enumerate() {
            scens[j * SPOT_SCENARIOS + i] = scen(s, up, h, j as u8)?;
        }
    }
    let mut fast_scens = [scens[0].fast; MAX_SCEN];
    for (f, sc) in fast_scens.iter_mut().zip(scens.iter()) {
        *f = sc.fast;
    }
    aggregate(
        &AggCtx {
            und,
            idx: g.underlying,
            sp: g.sp,
            scens: &scens,
            fast: &fast_scens,
            dvs: &dvs,
            dvs_bf: dvs_bf(&dvs),
        },
        g.account.positions,
        a,
        &mut TimeMemo::new(),
    )
}

/// Both grids of [`expansion_gap`] from the aggregate.
#[inline(never)]
#[allow(clippy::needless_range_loop)] // (i, j) index three grids at once
fn gap_grid(a: &Agg, b: &BookGreeks, sh: &LevelShocks) -> RiskResult<ExpansionGap> {
    let grid = expansion_grid(b, sh)?;
    let mut out = ExpansionGap::default();
    let mut worst = i128::MIN;
    for i in 0..SPOT_SCENARIOS {
        for j in 0..VOL_SCENARIOS {
            let full = full_loss(a, b, j * SPOT_SCENARIOS + i)?;
            out.expansion_loss[i][j] = Fixed::from_raw(grid[i][j]);
            out.full_loss[i][j] = Fixed::from_raw(full);
            worst = worst.max(full - grid[i][j]);
        }
    }
    out.worst_understatement = Fixed::from_raw(worst);
    Ok(out)
}

/// The default is [`MarginParams::DEFAULT`], never an all-zero configuration (which would validate and
/// silently mean no haircut or no shock).
impl Default for MarginParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The default is [`MarginConfig::DEFAULT`], never an all-zero configuration (which would validate and
/// silently mean no haircut or no shock).
impl Default for MarginConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
#[path = "tests/margin.rs"]
mod tests;
