//! The measured cases. Shared by the sBPF probe (where [`Meter::mark`] is the
//! `sol_log_compute_units` syscall) and the host-side runner (where it does nothing and the
//! same code computes the expected return data natively).
//!
//! Every measured section has the shape
//!
//! ```text
//! mark();  inputs = volatile read;  result = f(inputs);  volatile write of every result field;  mark();
//! ```
//!
//! The volatile read after the first mark and the volatile writes before the second one pin the
//! computation between the two syscalls: the optimiser can neither hoist it (the inputs are
//! unknown until read) nor sink it (the stores must happen before the call). The cost of the
//! read, the stores and the second syscall is a few dozen CU; the runner subtracts an empty
//! bracket measured the same way.

use crate::fixture::{self, COLLATERALS, CONFIG, OPTION, POSITIONS, UNDERLYINGS};
use greekhouse_risk::margin::ExpansionGap;
use greekhouse_risk::{
    american, auction, bs, margin, math, BsInput, Fixed, Greeks, MarginSummary, OptionKind,
    RiskResult, Rounding, SliceSettlement, UnderlyingRisk,
};

pub const CASE_EMPTY: u8 = 0;
pub const CASE_GREEKS: u8 = 1;
pub const CASE_PRICE: u8 = 2;
pub const CASE_MARGIN16: u8 = 3;
pub const CASE_BREAKDOWN: u8 = 4;
/// `arg` = index into [`POSITIONS`]; vol from the surface, computed outside the bracket.
pub const CASE_POSITION_GREEKS: u8 = 5;
/// 16 x `VolSurface::vol`, one bracket.
pub const CASE_VOL16: u8 = 6;
/// 16 x `bs::greeks` with the surface vols computed outside the bracket, one bracket.
pub const CASE_GREEKS16: u8 = 7;
/// `account_margin` over the first `arg` positions of the fixture (0..=16; the first 8 are
/// SOL, the last 8 BTC): how the cost scales.
pub const CASE_MARGIN_N: u8 = 8;
/// `margin::expansion_gap` (full revaluation at all 10 grid points) for SOL at the
/// maintenance level over the first `arg` (1..=8) positions.
pub const CASE_GAP_N: u8 = 9;
/// `account_margin` with no position and the first `arg` (0..=3) collaterals.
pub const CASE_COLLATERAL_N: u8 = 10;
/// `auction::slice_settlement` of [`fixture::BID_FRACTION`]: `arg` 0 the solvent account
/// (the bidder pays, the fee is taken), 1 the insolvent one (the insurance fund pays).
pub const CASE_SLICE: u8 = 11;
/// `auction::bid_max_fraction` of the solvent account at [`fixture::EQUITY_END`].
pub const CASE_BID_MAX_FRACTION: u8 = 12;
/// `auction::keeper_tip` on the solvent account's add-on.
pub const CASE_KEEPER_TIP: u8 = 13;
/// `FundShares::shares_for_stake` of [`fixture::STAKE`].
pub const CASE_STAKE: u8 = 14;
/// `FundShares::unstake_payout` of [`fixture::UNSTAKE_SHARES`].
pub const CASE_UNSTAKE: u8 = 15;
/// `account_margin` of two accounts in one bracket, as a bid checks the liquidated account and
/// the bidder: `arg` 0 the 16-position fixture twice, 1 the fixture and a small bidder (the
/// first 2 SOL positions, USDC collateral only), 2 the small bidder alone.
pub const CASE_MARGIN_PAIR: u8 = 16;
/// `account_margin` of the 16-leg spread book ([`fixture::POSITIONS_SPREADS`]: 8 longs).
pub const CASE_MARGIN16_LONGS: u8 = 17;
/// `american::price` of [`fixture::OPTION`] as a put (the 64-step tree runs: r > 0).
pub const CASE_AMERICAN_PUT: u8 = 18;
/// 128-bit integer arithmetic only: checks the toolchain route without the risk crate.
pub const CASE_SELFTEST: u8 = 255;

/// The sections of [`CASE_BREAKDOWN`], in bracket order.
pub const BREAKDOWN_LABELS: [&str; 23] = [
    "builtin: u128 * u128 (wrapping, __multi3)",
    "builtin: i128 checked_mul",
    "builtin: u128 / 10^12 (__udivti3)",
    "builtin: i128 / 10^12 (__divti3)",
    "Fixed::checked_mul (Rounding::Up)",
    "Fixed::checked_div (Rounding::Down)",
    "math::exp(-0.00411)  [e^(-rT)]",
    "math::exp(-1.5)",
    "math::ln(0.9375)  [ln(S/K)]",
    "math::ln(1.7)",
    "math::sqrt(0.0822)  [sqrt(T)]",
    "math::sqrt(150e6)  [large argument]",
    "math::norm_pdf(-0.05)",
    "math::norm_cdf(-0.05)",
    "math::norm_cdf(1.3)",
    "math::norm_cdf(-2.8)",
    "VolSurface::validate (SOL)",
    "MarginParams::validate",
    "VolSurface::vol (SOL, K=165, 30 d)",
    "VolSurface::atm_vol (SOL, 30 d)",
    "bs::price (case a option)",
    "bs::greeks (case a option)",
    "margin::account_margin (16 positions)",
];

/// Marks the compute-unit meter.
pub trait Meter {
    fn mark(&self);
}

/// Return data under construction (the runner compares it byte for byte with the native run).
pub struct Out {
    pub buf: [u8; 512],
    pub len: usize,
}

impl Out {
    pub const fn new() -> Self {
        Out {
            buf: [0; 512],
            len: 0,
        }
    }
    fn push_u8(&mut self, v: u8) {
        if self.len < self.buf.len() {
            self.buf[self.len] = v;
            self.len += 1;
        }
    }
    fn push_i128(&mut self, v: i128) {
        for b in v.to_le_bytes() {
            self.push_u8(b);
        }
    }
    fn fixed(&mut self, v: Fixed) {
        self.push_i128(v.raw());
    }
    /// 0 then the values, or 1 and the error code.
    fn result<T>(&mut self, r: &RiskResult<T>, f: impl FnOnce(&mut Self, &T)) {
        match r {
            Ok(v) => {
                self.push_u8(0);
                f(self, v);
            }
            Err(e) => {
                self.push_u8(1);
                self.push_u8(*e as u8);
            }
        }
    }
    fn greeks(&mut self, r: &RiskResult<Greeks>) {
        self.result(r, |o, g| {
            o.fixed(g.price);
            o.fixed(g.delta);
            o.push_i128(g.gamma.raw());
            o.fixed(g.vega);
            o.fixed(g.theta);
        });
    }
    fn summary(&mut self, r: &RiskResult<MarginSummary>) {
        self.result(r, |o, s| {
            o.fixed(s.liability);
            o.fixed(s.mark_to_market);
            for l in [&s.initial, &s.end, &s.maintenance] {
                o.fixed(l.addon);
                o.fixed(l.requirement);
                o.fixed(l.collateral_value);
                o.fixed(l.equity);
            }
            o.push_u8(s.underlying_count);
        });
    }
}

impl Default for Out {
    fn default() -> Self {
        Self::new()
    }
}

/// A reference the optimiser cannot see through (the pointer is read back volatile).
#[inline(always)]
pub fn opaque<T: ?Sized>(r: &T) -> &T {
    let p: *const T = r;
    // SAFETY: reads back the pointer just written; it still points at `r`.
    unsafe { &*core::ptr::read_volatile(&p) }
}

/// A copy of `v` the optimiser cannot constant-fold.
#[inline(always)]
fn vread<T: Copy>(v: &T) -> T {
    // SAFETY: `v` is a valid reference.
    unsafe { core::ptr::read_volatile(v) }
}

/// Stores `v` so the optimiser must have computed it by now.
#[inline(always)]
fn vsink<T: Copy>(slot: &mut T, v: T) {
    // SAFETY: `slot` is a valid exclusive reference.
    unsafe { core::ptr::write_volatile(slot, v) }
}

#[inline(always)]
fn sink_fixed(r: &RiskResult<Fixed>) {
    let mut slot = 0i128;
    vsink(
        &mut slot,
        match r {
            Ok(v) => v.raw(),
            Err(e) => *e as i128,
        },
    );
}

#[inline(always)]
fn sink_greeks(r: &RiskResult<Greeks>) {
    let mut slot = [0i128; 5];
    if let Ok(g) = r {
        vsink(&mut slot[0], g.price.raw());
        vsink(&mut slot[1], g.delta.raw());
        vsink(&mut slot[2], g.gamma.raw());
        vsink(&mut slot[3], g.vega.raw());
        vsink(&mut slot[4], g.theta.raw());
    } else {
        vsink(&mut slot[0], 0);
    }
}

#[inline(always)]
fn sink_summary(r: &RiskResult<MarginSummary>) {
    let mut slot = 0i128;
    if let Ok(s) = r {
        vsink(&mut slot, s.liability.raw());
        vsink(&mut slot, s.mark_to_market.raw());
        for l in [&s.initial, &s.end, &s.maintenance] {
            vsink(&mut slot, l.addon.raw());
            vsink(&mut slot, l.requirement.raw());
            vsink(&mut slot, l.collateral_value.raw());
            vsink(&mut slot, l.equity.raw());
        }
        for u in &s.underlyings {
            vsink(&mut slot, u.addon_initial.raw());
            vsink(&mut slot, u.addon_maintenance.raw());
        }
    } else {
        vsink(&mut slot, 0);
    }
}

/// Runs one case. Returns false for an unknown case.
pub fn run(case: u8, arg: u8, m: &impl Meter, out: &mut Out) -> bool {
    match case {
        CASE_EMPTY => {
            m.mark();
            m.mark();
        }
        CASE_GREEKS => case_greeks(m, out),
        CASE_PRICE => case_price(m, out),
        CASE_MARGIN16 => case_margin16(m, out),
        CASE_BREAKDOWN => case_breakdown(m, out),
        CASE_POSITION_GREEKS => case_position_greeks(arg, m, out),
        CASE_VOL16 => case_vol16(m, out),
        CASE_GREEKS16 => case_greeks16(m, out),
        CASE_MARGIN_N => case_margin_n(arg, m, out),
        CASE_GAP_N => case_gap_n(arg, m, out),
        CASE_COLLATERAL_N => case_collateral_n(arg, m, out),
        CASE_SLICE => case_slice(arg, m, out),
        CASE_BID_MAX_FRACTION => case_bid_max_fraction(m, out),
        CASE_KEEPER_TIP => case_keeper_tip(m, out),
        CASE_STAKE => case_stake(m, out),
        CASE_UNSTAKE => case_unstake(m, out),
        CASE_MARGIN_PAIR => case_margin_pair(arg, m, out),
        CASE_MARGIN16_LONGS => case_margin16_longs(m, out),
        CASE_AMERICAN_PUT => case_american_put(m, out),
        CASE_SELFTEST => case_selftest(arg, m, out),
        _ => return false,
    }
    true
}

#[inline(never)]
fn case_greeks(m: &impl Meter, out: &mut Out) {
    m.mark();
    let input = vread(&OPTION);
    let r = bs::greeks(&input);
    sink_greeks(&r);
    m.mark();
    out.greeks(&r);
}

#[inline(never)]
fn case_price(m: &impl Meter, out: &mut Out) {
    m.mark();
    let input = vread(&OPTION);
    let r = bs::price(&input);
    sink_fixed(&r);
    m.mark();
    out.result(&r, |o, v| o.fixed(*v));
}

#[inline(never)]
fn case_american_put(m: &impl Meter, out: &mut Out) {
    m.mark();
    let input = vread(&BsInput {
        kind: OptionKind::Put,
        ..OPTION
    });
    let r = american::price(&input);
    sink_fixed(&r);
    m.mark();
    out.result(&r, |o, v| o.fixed(*v));
}

#[inline(never)]
fn case_margin16(m: &impl Meter, out: &mut Out) {
    m.mark();
    let account = fixture::account(
        opaque(&POSITIONS),
        opaque(&UNDERLYINGS),
        opaque(&COLLATERALS),
    );
    let config = vread(&CONFIG);
    let r = margin::account_margin(&account, &config);
    sink_summary(&r);
    m.mark();
    out.summary(&r);
}

#[inline(never)]
fn case_margin16_longs(m: &impl Meter, out: &mut Out) {
    m.mark();
    let account = fixture::account(
        opaque(&fixture::POSITIONS_SPREADS),
        opaque(&UNDERLYINGS),
        opaque(&COLLATERALS),
    );
    let config = vread(&CONFIG);
    let r = margin::account_margin(&account, &config);
    sink_summary(&r);
    m.mark();
    out.summary(&r);
}

#[inline(never)]
fn case_margin_n(arg: u8, m: &impl Meter, out: &mut Out) {
    let n = (arg as usize).min(POSITIONS.len());
    m.mark();
    let account = fixture::account(
        &opaque(&POSITIONS)[..n],
        opaque(&UNDERLYINGS),
        opaque(&COLLATERALS),
    );
    let config = vread(&CONFIG);
    let r = margin::account_margin(&account, &config);
    sink_summary(&r);
    m.mark();
    out.summary(&r);
}

#[inline(never)]
fn case_collateral_n(arg: u8, m: &impl Meter, out: &mut Out) {
    let n = (arg as usize).min(COLLATERALS.len());
    m.mark();
    let account = fixture::account(
        &opaque(&POSITIONS)[..0],
        opaque(&UNDERLYINGS),
        &opaque(&COLLATERALS)[..n],
    );
    let config = vread(&CONFIG);
    let r = margin::account_margin(&account, &config);
    sink_summary(&r);
    m.mark();
    out.summary(&r);
}

#[inline(always)]
fn sink_gap(r: &RiskResult<ExpansionGap>) {
    let mut slot = 0i128;
    if let Ok(g) = r {
        vsink(&mut slot, g.worst_understatement.raw());
        for (e, f) in g.expansion_loss.iter().zip(g.full_loss.iter()) {
            for (a, b) in e.iter().zip(f.iter()) {
                vsink(&mut slot, a.raw());
                vsink(&mut slot, b.raw());
            }
        }
    } else {
        vsink(&mut slot, 0);
    }
}

#[inline(never)]
fn case_gap_n(arg: u8, m: &impl Meter, out: &mut Out) {
    let n = (arg as usize).clamp(1, 8);
    m.mark();
    let account = fixture::account(
        &opaque(&POSITIONS)[..n],
        opaque(&UNDERLYINGS),
        opaque(&COLLATERALS),
    );
    let level = vread(&margin::Level::Maintenance);
    let r = margin::expansion_gap(&account, 0, level);
    sink_gap(&r);
    m.mark();
    out.result(&r, |o, g| {
        o.fixed(g.worst_understatement);
        for row in g.full_loss.iter() {
            for v in row {
                o.fixed(*v);
            }
        }
    });
}

/// The Black-Scholes input of position `i`, vol from its underlying's surface.
#[inline(never)]
pub fn position_input(i: usize) -> RiskResult<BsInput> {
    let p = &opaque(&POSITIONS)[i];
    let u: &UnderlyingRisk = &opaque(&UNDERLYINGS)[p.underlying as usize];
    let vol = u.surface.vol(p.strike, u.spot, p.time_years)?;
    Ok(BsInput {
        kind: p.kind,
        spot: u.spot,
        strike: p.strike,
        vol,
        time_years: p.time_years,
        rate: u.rate,
    })
}

#[inline(never)]
fn case_position_greeks(arg: u8, m: &impl Meter, out: &mut Out) {
    let input = position_input(arg as usize % POSITIONS.len());
    m.mark();
    let r = match vread(&input) {
        Ok(i) => bs::greeks(&i),
        Err(e) => Err(e),
    };
    sink_greeks(&r);
    m.mark();
    out.greeks(&r);
}

#[inline(never)]
fn case_vol16(m: &impl Meter, out: &mut Out) {
    let mut vols = [0i128; 16];
    m.mark();
    let (ps, us) = (opaque(&POSITIONS), opaque(&UNDERLYINGS));
    let mut err = 0u8;
    for (slot, p) in vols.iter_mut().zip(ps.iter()) {
        let u = &us[p.underlying as usize];
        match u.surface.vol(p.strike, u.spot, p.time_years) {
            Ok(v) => vsink(slot, v.raw()),
            Err(e) => err = e as u8 + 1,
        }
    }
    m.mark();
    out.push_u8(err);
    for v in vols {
        out.push_i128(v);
    }
}

#[inline(never)]
fn case_greeks16(m: &impl Meter, out: &mut Out) {
    let mut inputs = [OPTION; 16];
    for (i, slot) in inputs.iter_mut().enumerate() {
        if let Ok(input) = position_input(i) {
            *slot = input;
        }
    }
    let mut prices = [0i128; 16];
    m.mark();
    let inputs = opaque(&inputs);
    for (slot, input) in prices.iter_mut().zip(inputs.iter()) {
        let r = bs::greeks(input);
        sink_greeks(&r);
        if let Ok(g) = r {
            *slot = g.price.raw();
        }
    }
    m.mark();
    for v in prices {
        out.push_i128(v);
    }
}

#[inline(never)]
fn case_breakdown(m: &impl Meter, out: &mut Out) {
    // A calibration bracket first: two marks back to back.
    m.mark();
    m.mark();

    let f = fixture::fx;
    macro_rules! section {
        ($e:expr) => {{
            let r = $e;
            sink_fixed(&r);
            m.mark();
            out.result(&r, |o, v| o.fixed(*v));
        }};
    }
    section!(Ok::<Fixed, greekhouse_risk::RiskError>(Fixed::from_raw(
        vread(&123_456_789_012_345_678_901u128).wrapping_mul(vread(&98_765_432_109_876u128))
            as i128
    )));
    section!(vread(&123_456_789_012_345_678_901i128)
        .checked_mul(vread(&-98_765_432_109_876i128))
        .map(Fixed::from_raw)
        .ok_or(greekhouse_risk::RiskError::Overflow));
    section!(Ok::<Fixed, greekhouse_risk::RiskError>(Fixed::from_raw(
        (vread(&123_456_789_012_345_678_901_234_567u128) / vread(&1_000_000_000_000u128)) as i128
    )));
    section!(Ok::<Fixed, greekhouse_risk::RiskError>(Fixed::from_raw(
        vread(&-123_456_789_012_345_678_901_234_567i128) / vread(&1_000_000_000_000i128)
    )));
    section!(vread(&f(1_234_567, 3)).checked_mul(vread(&f(-87_654_321, 4)), Rounding::Up));
    section!(vread(&f(1_234_567, 3)).checked_div(vread(&f(7_654_321, 4)), Rounding::Down));
    section!(math::exp(vread(&f(-4_109_589_041, 12))));
    section!(math::exp(vread(&f(-15, 1))));
    section!(math::ln(vread(&f(9375, 4))));
    section!(math::ln(vread(&f(17, 1))));
    section!(math::sqrt(vread(&fixture::years(30))));
    section!(math::sqrt(vread(&f(150_000_000, 0))));
    section!(math::norm_pdf(vread(&f(-5, 2))));
    section!(math::norm_cdf(vread(&f(-5, 2))));
    section!(math::norm_cdf(vread(&f(13, 1))));
    section!(math::norm_cdf(vread(&f(-28, 1))));
    section!(opaque(&UNDERLYINGS[0])
        .surface
        .validate()
        .map(|_| Fixed::ZERO));
    section!(opaque(&UNDERLYINGS[0])
        .params
        .validate()
        .map(|_| Fixed::ZERO));
    section!({
        let u = opaque(&UNDERLYINGS[0]);
        u.surface.vol(
            vread(&f(165_000_000, 0)),
            u.spot,
            vread(&fixture::years(30)),
        )
    });
    section!(opaque(&UNDERLYINGS[0])
        .surface
        .atm_vol(vread(&fixture::years(30))));
    section!(bs::price(&vread(&OPTION)));
    {
        let r = bs::greeks(&vread(&OPTION));
        sink_greeks(&r);
        m.mark();
        out.greeks(&r);
    }
    {
        let account = fixture::account(
            opaque(&POSITIONS),
            opaque(&UNDERLYINGS),
            opaque(&COLLATERALS),
        );
        let r = margin::account_margin(&account, &vread(&CONFIG));
        sink_summary(&r);
        m.mark();
        out.summary(&r);
    }
}

#[inline(never)]
fn case_slice(arg: u8, m: &impl Meter, out: &mut Out) {
    let inputs = if arg == 0 {
        &fixture::BID_SOLVENT
    } else {
        &fixture::BID_INSOLVENT
    };
    m.mark();
    let r = auction::slice_settlement(opaque(inputs), vread(&fixture::BID_FRACTION));
    let mut slot = [0i128; 4];
    if let Ok(s) = &r {
        vsink(&mut slot[0], s.payment);
        vsink(&mut slot[1], s.fee);
        vsink(&mut slot[2], s.to_account);
        vsink(&mut slot[3], s.from_fund);
    } else {
        vsink(&mut slot[0], 0);
    }
    m.mark();
    out.result(&r, |o, s: &SliceSettlement| {
        o.push_i128(s.payment);
        o.push_i128(s.fee);
        o.push_i128(s.to_account);
        o.push_i128(s.from_fund);
    });
}

#[inline(never)]
fn case_bid_max_fraction(m: &impl Meter, out: &mut Out) {
    m.mark();
    let r = auction::bid_max_fraction(opaque(&fixture::BID_SOLVENT), vread(&fixture::EQUITY_END));
    sink_fixed(&r);
    m.mark();
    out.result(&r, |o, v| o.fixed(*v));
}

#[inline(never)]
fn case_keeper_tip(m: &impl Meter, out: &mut Out) {
    m.mark();
    let r = auction::keeper_tip(
        vread(&fixture::BID_SOLVENT.addon_maintenance),
        vread(&fixture::TIP_RATE),
        opaque(&fixture::TIP_LIMITS),
    );
    let mut slot = 0i128;
    vsink(&mut slot, *r.as_ref().unwrap_or(&-1));
    m.mark();
    out.result(&r, |o, v| o.push_i128(*v));
}

#[inline(never)]
fn case_stake(m: &impl Meter, out: &mut Out) {
    m.mark();
    let r = opaque(&fixture::FUND).shares_for_stake(vread(&fixture::STAKE));
    let mut slot = 0u64;
    vsink(&mut slot, *r.as_ref().unwrap_or(&u64::MAX));
    m.mark();
    out.result(&r, |o, v| o.push_i128(*v as i128));
}

#[inline(never)]
fn case_unstake(m: &impl Meter, out: &mut Out) {
    m.mark();
    let r = opaque(&fixture::FUND).unstake_payout(
        vread(&fixture::UNSTAKE_SHARES),
        vread(&fixture::UNSTAKE_VALUE_AT_REQUEST),
    );
    let mut slot = 0u64;
    vsink(&mut slot, *r.as_ref().unwrap_or(&u64::MAX));
    m.mark();
    out.result(&r, |o, v| o.push_i128(*v as i128));
}

#[inline(never)]
fn case_margin_pair(arg: u8, m: &impl Meter, out: &mut Out) {
    m.mark();
    let (ps, us, cs) = (
        opaque(&POSITIONS),
        opaque(&UNDERLYINGS),
        opaque(&COLLATERALS),
    );
    let config = vread(&CONFIG);
    let bidder = fixture::account(&ps[..2], us, &cs[..1]);
    let first = if arg == 2 {
        None
    } else {
        let r = margin::account_margin(&fixture::account(ps, us, cs), &config);
        sink_summary(&r);
        Some(r)
    };
    let second = if arg == 0 {
        margin::account_margin(&fixture::account(ps, us, cs), &config)
    } else {
        margin::account_margin(&bidder, &config)
    };
    sink_summary(&second);
    m.mark();
    if let Some(r) = &first {
        out.summary(r);
    }
    out.summary(&second);
}

/// Signed 128-bit multiply, divide and remainder, independent of the risk crate.
#[inline(never)]
fn case_selftest(arg: u8, m: &impl Meter, out: &mut Out) {
    m.mark();
    let a = vread(&(-123_456_789_012_345_678_901_234i128 * (arg as i128 + 1)));
    let b = vread(&7_000_000_000_007i128);
    let c = vread(&-1_000_000_000_000i128);
    let q = a / b;
    let r = a % b;
    let q2 = a / c;
    let p = a.checked_mul(b);
    let mut slot = 0i128;
    vsink(&mut slot, q ^ r ^ q2 ^ p.unwrap_or(7));
    m.mark();
    out.push_i128(q);
    out.push_i128(r);
    out.push_i128(q2);
    out.push_i128(p.unwrap_or(7));
    out.push_i128((a as u128 / b as u128) as i128);
    out.push_i128((a as u128 % b as u128) as i128);
}
