//! Property suite of the risk engine (proptest): no-arbitrage relations and sign constraints of
//! Black-Scholes, the structure of the portfolio margin (level ordering, payoff cap, homogeneity,
//! Greek aggregation, add-on lower bounds), the Dutch-auction math, including the closed loop
//! "bid_max_fraction really restores the end level" recomputed with `account_margin`, and the
//! insurance fund's share accounting.
//!
//! Tolerances:
//! - Black-Scholes relations use the accuracy specification (each price is within 1e-8 * spot of
//!   the true value, see tests/accuracy.rs), so a relation between two prices may be off by the
//!   sum of their allowances. Sign constraints (price >= 0, gamma >= 0, vega >= 0, delta ranges)
//!   hold exactly.
//! - Margin comparisons between an account and its scaled copy use `rounding_tol`, derived from
//!   the fixed-point resolution (see there).
//!
//! Scaling integer amounts by (1 - f): every generated account holds contracts, collateral
//! amounts and quote balance in whole multiples of `LOT` = 10^6 (a position of `n` lots of
//! `10^e` underlying units is `n * 10^6` contracts of size `10^(e-6)`). Scaling by
//! `1 - f` with `f = j / 10^6` is then exact in integers: `amount / LOT * (LOT - j)` (the
//! homogeneity property). The auction's closed loop instead takes the engine's own 12-decimal
//! fraction and moves items with the protocol's roundings (shorts up, collateral and quote
//! down: the liquidated account keeps at least its share), see `after_slice`.
//!
//! Exact auction arithmetic: the bid payment and fee are checked against the formula computed
//! in exact 256-bit integers at 10^-36 quote native units (`exact_payment`), no floating point.

mod common;

use common::*;
use greekhouse_risk::auction::{self, AuctionParams, AuctionPhase};
use greekhouse_risk::bs;
use greekhouse_risk::fixed::FIXED_ONE;
use greekhouse_risk::insurance::{self, FundShares};
use greekhouse_risk::margin::{self, LevelParams, MarginParams, MarginSummary, MAX_UNDERLYINGS};
use greekhouse_risk::surface::MAX_TENORS;
use greekhouse_risk::{
    AccountRisk, BsInput, CollateralRisk, Fixed, OptionKind, PositionRisk, RiskError, Rounding,
    UnderlyingRisk,
};
use proptest::prelude::*;
use proptest::sample::Index;

// =============================================================================================
// Black-Scholes relations
// =============================================================================================

fn price(inp: &BsInput) -> f64 {
    ff(bs::price(inp).unwrap_or_else(|e| panic!("price {inp:?} -> {e:?}")))
}

fn with_kind(inp: &BsInput, kind: OptionKind) -> BsInput {
    BsInput { kind, ..*inp }
}

/// The accuracy allowance of one price at spot `s`.
fn allowance(s: f64) -> f64 {
    1e-8 * s
}

proptest! {
    #![proptest_config(pt_config(2000))]

    #[test]
    fn put_call_parity(inp in bs_inputs()) {
        let c = price(&with_kind(&inp, OptionKind::Call));
        let p = price(&with_kind(&inp, OptionKind::Put));
        let (s, k, r, t) = (ff(inp.spot), ff(inp.strike), ff(inp.rate), ff(inp.time_years));
        let forward_gap = s - k * libm::exp(-r * t);
        prop_assert!(
            (c - p - forward_gap).abs() <= 2.0 * allowance(s) + 1e-15 * k,
            "C - P = {} but S - K e^-rT = {}", c - p, forward_gap
        );
    }

    #[test]
    fn bounds(inp in bs_inputs()) {
        let (s, k, r, t) = (ff(inp.spot), ff(inp.strike), ff(inp.rate), ff(inp.time_years));
        let kdf = k * libm::exp(-r * t);
        let tol = allowance(s) + 1e-15 * k;
        let c_fx = bs::price(&with_kind(&inp, OptionKind::Call)).unwrap();
        let p_fx = bs::price(&with_kind(&inp, OptionKind::Put)).unwrap();
        // never a negative price (it would be a negative liability)
        prop_assert!(!c_fx.is_negative() && !p_fx.is_negative(), "negative price {:?} {:?}", c_fx, p_fx);
        let (c, p) = (ff(c_fx), ff(p_fx));
        // intrinsic <= call (r >= 0 makes S - K e^-rT >= S - K) and call <= S
        prop_assert!(c >= (s - kdf).max(0.0) - tol, "call {} below S - K e^-rT {}", c, s - kdf);
        prop_assert!(c >= (s - k).max(0.0) - tol, "call {} below intrinsic", c);
        prop_assert!(c <= s + tol, "call {} above spot {}", c, s);
        // A European put may trade below K - S when r > 0 (early exercise is not possible); its
        // lower bound is K e^-rT - S, which is the intrinsic value when r = 0.
        prop_assert!(p >= (kdf - s).max(0.0) - tol, "put {} below K e^-rT - S {}", p, kdf - s);
        prop_assert!(p <= kdf + tol, "put {} above K e^-rT {}", p, kdf);
        if inp.rate == Fixed::ZERO {
            prop_assert!(p >= (k - s).max(0.0) - tol, "put {} below intrinsic at r = 0", p);
        }
    }

    #[test]
    fn greek_signs(inp in bs_inputs()) {
        let c = bs::greeks(&with_kind(&inp, OptionKind::Call)).unwrap();
        let p = bs::greeks(&with_kind(&inp, OptionKind::Put)).unwrap();
        prop_assert!(c.delta >= Fixed::ZERO && c.delta <= Fixed::ONE, "call delta {:?}", c.delta);
        prop_assert!(p.delta <= Fixed::ZERO && p.delta >= Fixed::ONE.checked_neg().unwrap(), "put delta {:?}", p.delta);
        prop_assert!(c.gamma.raw() >= 0 && p.gamma.raw() >= 0, "gamma {:?} {:?}", c.gamma, p.gamma);
        prop_assert!(!c.vega.is_negative() && !p.vega.is_negative(), "vega {:?} {:?}", c.vega, p.vega);
        prop_assert!(!c.price.is_negative() && !p.price.is_negative());
    }

    #[test]
    fn call_rises_with_spot_put_falls(inp in bs_inputs(), bump in 1e-4f64..0.5) {
        let s2 = ff(inp.spot) * (1.0 + bump);
        let up = BsInput { spot: fx(s2), ..inp };
        let tol = allowance(ff(inp.spot)) + allowance(s2);
        let (c1, c2) = (price(&with_kind(&inp, OptionKind::Call)), price(&with_kind(&up, OptionKind::Call)));
        let (p1, p2) = (price(&with_kind(&inp, OptionKind::Put)), price(&with_kind(&up, OptionKind::Put)));
        prop_assert!(c2 >= c1 - tol, "call fell with spot: {} -> {}", c1, c2);
        prop_assert!(p2 <= p1 + tol, "put rose with spot: {} -> {}", p1, p2);
    }

    #[test]
    fn call_falls_with_strike_put_rises(inp in bs_inputs(), bump in 1e-4f64..0.5) {
        let up = BsInput { strike: fx(ff(inp.strike) * (1.0 + bump)), ..inp };
        let tol = 2.0 * allowance(ff(inp.spot));
        let (c1, c2) = (price(&with_kind(&inp, OptionKind::Call)), price(&with_kind(&up, OptionKind::Call)));
        let (p1, p2) = (price(&with_kind(&inp, OptionKind::Put)), price(&with_kind(&up, OptionKind::Put)));
        prop_assert!(c2 <= c1 + tol, "call rose with strike: {} -> {}", c1, c2);
        prop_assert!(p2 >= p1 - tol, "put fell with strike: {} -> {}", p1, p2);
    }

    #[test]
    fn prices_rise_with_vol(inp in bs_inputs(), bump in 1e-4f64..0.5) {
        let v2 = (ff(inp.vol) * (1.0 + bump)).min(4.0);
        prop_assume!(v2 > ff(inp.vol));
        let up = BsInput { vol: fx(v2), ..inp };
        let tol = 2.0 * allowance(ff(inp.spot));
        for kind in [OptionKind::Call, OptionKind::Put] {
            let (a, b) = (price(&with_kind(&inp, kind)), price(&with_kind(&up, kind)));
            prop_assert!(b >= a - tol, "{:?} fell with vol: {} -> {}", kind, a, b);
        }
    }

    #[test]
    fn call_rises_with_time(inp in bs_inputs(), bump in 1e-4f64..0.5) {
        // with r >= 0 and no dividends a European call is worth more with more time (a put is
        // not: deep in the money, discounting the strike dominates)
        let t2 = (ff(inp.time_years) * (1.0 + bump)).min(2.0);
        prop_assume!(t2 > ff(inp.time_years));
        let up = BsInput { time_years: fx(t2), ..inp };
        let tol = 2.0 * allowance(ff(inp.spot));
        let (a, b) = (price(&with_kind(&inp, OptionKind::Call)), price(&with_kind(&up, OptionKind::Call)));
        prop_assert!(b >= a - tol, "call fell with time: {} -> {}", a, b);
    }
}

// =============================================================================================
// Portfolio margin: generated accounts
// =============================================================================================

/// Every generated amount is a whole number of lots, so scaling by (LOT - j) / LOT is exact.
const LOT: u64 = 1_000_000;
const DAY: u32 = 86_400;

#[derive(Clone, Debug)]
struct Book {
    underlyings: Vec<UnderlyingRisk>,
    positions: Vec<PositionRisk>,
    collaterals: Vec<CollateralRisk>,
    /// Quote native units, a multiple of LOT.
    quote_balance: i128,
}

impl Book {
    fn account(&self) -> AccountRisk<'_> {
        AccountRisk {
            quote_balance: self.quote_balance,
            collaterals: &self.collaterals,
            positions: &self.positions,
            underlyings: &self.underlyings,
        }
    }

    fn margin(&self) -> MarginSummary {
        margin::account_margin(&self.account(), &default_config())
            .unwrap_or_else(|e| panic!("account_margin -> {e:?} for {self:#?}"))
    }

    /// The account with every position, collateral amount and the quote balance multiplied by
    /// `keep / LOT` (exact: all of them are multiples of LOT).
    fn scaled(&self, keep: u64) -> Book {
        assert!(keep <= LOT);
        let mut b = self.clone();
        for p in &mut b.positions {
            assert_eq!(p.contracts % LOT, 0);
            p.contracts = p.contracts / LOT * keep;
        }
        for c in &mut b.collaterals {
            assert_eq!(c.amount % LOT, 0);
            c.amount = c.amount / LOT * keep;
        }
        assert_eq!(self.quote_balance % LOT as i128, 0);
        b.quote_balance = self.quote_balance / LOT as i128 * keep as i128;
        b
    }

    fn max_spot(&self) -> f64 {
        self.underlyings
            .iter()
            .map(|u| ff(u.spot))
            .fold(0.0, f64::max)
    }

    /// Rounding allowance, in raw `Fixed` units (10^-12 quote native units), between the margin
    /// of this account scaled by (1 - f) and (1 - f) times its margin.
    ///
    /// Both accounts see the same market, so every per-unit quantity (prices, Greeks, vols,
    /// weighted collateral prices, floors per unit) is bit-identical; they differ only where a
    /// per-unit value is multiplied by a quantity or summed, each such step rounding by at most
    /// one unit of the last place of its result: 10^-12 for `Fixed`, 10^-18 for `Fixed18`. On the
    /// way to the output that last-place error is multiplied by at most the spot (delta terms)
    /// or, for a `Fixed18` gamma turned into cash gamma, the spot squared; in a money value
    /// (add-on, requirement, equity) cash gamma only enters times s^2 / 2 <= 0.05 (spot shocks
    /// here are at most 25 % plus conf/spot). With `n` positions and collaterals and a handful
    /// of steps each, the bound is `8 (n + 4) (1e-12 (1 + S) + c 1e-18 S^2)` quote native units,
    /// c = 0.05 for money values and 1 for the cash-gamma field. For the largest spot generated
    /// here (1e11, a BTC-like price in micro-units) that is about 500 units (0.0005 USDC) per
    /// step in money values, against account values of 1e11 and more: a real homogeneity defect
    /// (a constant term, a minimum, a per-contract rounding that does not scale) shows up many
    /// orders of magnitude above it.
    fn rounding_tol(&self) -> i128 {
        self.rounding_tol_with(0.05)
    }

    /// `rounding_tol` for the cash-gamma field (see there).
    fn rounding_tol_gamma(&self) -> i128 {
        self.rounding_tol_with(1.0)
    }

    fn rounding_tol_with(&self, gamma_factor: f64) -> i128 {
        let n = (self.positions.len() + self.collaterals.len() + 4) as f64;
        let s = self.max_spot();
        let native = 8.0 * n * (1e-12 * (1.0 + s) + gamma_factor * 1e-18 * s * s);
        (native * 1e12).ceil() as i128 + 1
    }
}

prop_compose! {
    fn level_pair()(
        mm_h in 0.05f64..0.15, dh in 0.0f64..0.10,
        mm_v in 0.0f64..0.5, dv in 0.0f64..0.5,
        mm_floor in 0.002f64..0.015, dfloor in 0.0f64..0.01,
        ref_days in 1u32..=90,
        power in prop_oneof![Just(0.5f64), Just(0.0), Just(1.0), 0.0f64..=1.0],
        cap in 1.0f64..6.0,
        per_hour in 0.0f64..0.2,
        stale_cap in 0.0f64..0.6,
        tail_down in 0.0f64..0.9,
        tail_up in 0.0f64..0.9,
        tail_weight in prop_oneof![Just(0.0f64), 0.0f64..=1.0],
    ) -> MarginParams {
        MarginParams {
            initial: LevelParams {
                spot_shock: fx(mm_h + dh),
                vol_shock: fx(mm_v + dv),
                floor_pct: fx(mm_floor + dfloor),
                ..Default::default()
            },
            maintenance: LevelParams {
                spot_shock: fx(mm_h),
                vol_shock: fx(mm_v),
                floor_pct: fx(mm_floor),
                ..Default::default()
            },
            vol_ref_secs: ref_days * DAY,
            vol_power: fx(power),
            vol_term_cap: fx(cap),
            stale_vol_per_hour: fx(per_hour),
            stale_vol_cap: fx(stale_cap),
            tail_down: fx(tail_down),
            tail_up: fx(tail_up),
            tail_weight: fx(tail_weight),
            ..MarginParams::DEFAULT
        }
    }
}

prop_compose! {
    fn underlying()(
        log10_spot in 4.0f64..11.0,
        conf_frac in 0.0f64..0.005,
        rate in 0.0f64..0.10,
        tenor_days in proptest::sample::subsequence(vec![1u32, 7, 30, 90, 180, 365], 1..=MAX_TENORS),
        atms in proptest::collection::vec(0.2f64..1.5, MAX_TENORS),
        skew in -0.3f64..0.3,
        smile in 0.0f64..0.5,
        min_vol in 0.05f64..0.15,
        stale_secs in prop_oneof![Just(0u64), 0u64..100_000],
        params in level_pair(),
    ) -> UnderlyingRisk {
        let spot = 10f64.powf(log10_spot).round();
        let tenors: Vec<(u32, f64)> =
            tenor_days.iter().zip(&atms).map(|(&d, &a)| (d * DAY, a)).collect();
        UnderlyingRisk {
            spot: fx(spot),
            conf: fx((spot * conf_frac).round()),
            surface: surface(&tenors, skew, smile, min_vol),
            surface_stale_secs: stale_secs,
            realized_vol: Fixed::ZERO,
            rate: fx(rate),
            params,
        }
    }
}

/// A position before it is tied to an underlying: (underlying, call?, ln K/S, seconds, lots).
type RawPosition = (Index, bool, f64, f64, u64);

fn raw_position() -> impl Strategy<Value = RawPosition> {
    (
        any::<Index>(),
        any::<bool>(),
        0.5f64.ln()..2f64.ln(),
        900f64.ln()..(365.0 * 86_400f64).ln(),
        1u64..=200,
    )
}

/// `10^e` underlying units per lot, with `e` chosen so a lot is worth about 10^9 quote native
/// units (1,000 USDC) whatever the spot.
fn lot_exponent(spot: f64) -> i32 {
    (9.0 - spot.log10()).round().clamp(-3.0, 5.0) as i32
}

fn make_position(unds: &[UnderlyingRisk], raw: &RawPosition) -> PositionRisk {
    let (idx, call, ln_m, ln_secs, lots) = *raw;
    let i = idx.index(unds.len());
    let spot = ff(unds[i].spot);
    let e = lot_exponent(spot);
    // strike rounded to 1e-9 so that strike * quantity is exact in Fixed (see max payoff)
    let strike_raw = ((spot * ln_m.exp() * 1e12) / 1e3).round() as i128 * 1_000;
    PositionRisk {
        underlying: i as u8,
        kind: if call {
            OptionKind::Call
        } else {
            OptionKind::Put
        },
        strike: Fixed::from_raw(strike_raw.max(1_000)),
        time_years: years(ln_secs.exp().round() as i64),
        contracts: lots * LOT,
        // 10^(e-6) units per contract, i.e. 10^e per lot of 10^6 contracts
        contract_size: Fixed::from_raw(10i128.pow((12 + e - 6) as u32)),
        side: greekhouse_risk::Side::Short,
        american: false,
    }
}

prop_compose! {
    fn collateral()(
        lots in 0u64..=100_000,
        log10_price in -4.0f64..3.0,
        conf_frac in 0.0f64..0.005,
        init_weight in 0.0f64..=1.0,
        extra in 0.0f64..=1.0,
    ) -> CollateralRisk {
        let price = 10f64.powf(log10_price);
        CollateralRisk {
            amount: lots * LOT,
            price: fx(price),
            conf: fx(price * conf_frac),
            init_weight: fx(init_weight),
            maint_weight: fx(init_weight + (1.0 - init_weight) * extra),
            linked_underlying: None,
        }
    }
}

fn books(max_underlyings: usize, max_positions: usize) -> impl Strategy<Value = Book> {
    proptest::collection::vec(underlying(), 1..=max_underlyings).prop_flat_map(move |unds| {
        (
            Just(unds),
            proptest::collection::vec(raw_position(), 1..=max_positions),
            proptest::collection::vec((collateral(), any::<Option<Index>>()), 0..=4),
            -1_000_000i128..=1_000_000,
        )
            .prop_map(|(unds, raws, colls, quote_lots)| Book {
                positions: raws.iter().map(|r| make_position(&unds, r)).collect(),
                collaterals: colls
                    .into_iter()
                    .map(|(mut c, link)| {
                        // linked collateral is priced by its underlying's feed
                        if let Some(i) = link {
                            let i = i.index(unds.len());
                            c.linked_underlying = Some(i as u8);
                            // sized like the positions (a few thousand lots at most)
                            c.amount = c.amount / LOT % 2_000 * LOT;
                            let units = 10f64.powi(lot_exponent(ff(unds[i].spot)) - 6);
                            c.price = fx(ff(unds[i].spot) * units);
                            c.conf = fx(ff(unds[i].conf) * units);
                        }
                        c
                    })
                    .collect(),
                underlyings: unds,
                quote_balance: quote_lots * LOT as i128,
            })
    })
}

/// Same, every position a put (finite maximum payoff).
fn put_books() -> impl Strategy<Value = Book> {
    books(1, 16).prop_map(|mut b| {
        for p in &mut b.positions {
            p.kind = OptionKind::Put;
        }
        b
    })
}

/// The engine's mark vol: the surface vol times `1 + stale penalty`, both rounded up.
fn mark_vol(und: &UnderlyingRisk, vol: Fixed) -> Fixed {
    let pm = &und.params;
    let pen = (pm.stale_vol_per_hour.raw() as u128 * und.surface_stale_secs as u128).div_ceil(3600);
    let pen = Fixed::from_raw(pen.min(pm.stale_vol_cap.raw() as u128) as i128);
    vol.checked_mul(Fixed::ONE.checked_add(pen).unwrap(), Rounding::Up)
        .unwrap()
        .min_of(fx(20.0))
}

fn level_list(m: &MarginSummary) -> [(&'static str, margin::LevelRisk); 3] {
    [
        ("initial", m.initial),
        ("end", m.end),
        ("maintenance", m.maintenance),
    ]
}

/// `|scaled * LOT - orig * keep| <= tol * LOT`, i.e. scaled == (keep / LOT) * orig up to `tol`.
fn assert_scales(
    name: &str,
    scaled: Fixed,
    orig: Fixed,
    keep: u64,
    tol: i128,
) -> Result<(), TestCaseError> {
    let lhs = scaled.raw().checked_mul(LOT as i128).unwrap();
    let rhs = orig.raw().checked_mul(keep as i128).unwrap();
    let diff = (lhs - rhs).abs();
    prop_assert!(
        diff <= tol * LOT as i128,
        "{}: scaled {} vs (1 - f) * original {} (f = {}/{}), off by {} raw > tol {} raw",
        name,
        scaled.raw(),
        rhs / LOT as i128,
        LOT - keep,
        LOT,
        diff / LOT as i128,
        tol
    );
    Ok(())
}

proptest! {
    #![proptest_config(pt_config(256))]

    #[test]
    fn level_ordering(book in books(3, 16)) {
        let m = book.margin();
        // requirements: IM >= end >= MM >= liability
        prop_assert!(m.initial.requirement >= m.end.requirement, "IM {:?} < end {:?}", m.initial.requirement, m.end.requirement);
        prop_assert!(m.end.requirement >= m.maintenance.requirement, "end {:?} < MM {:?}", m.end.requirement, m.maintenance.requirement);
        prop_assert!(m.maintenance.requirement >= m.liability, "MM {:?} < liability {:?}", m.maintenance.requirement, m.liability);
        prop_assert!(m.initial.addon >= m.end.addon && m.end.addon >= m.maintenance.addon);
        prop_assert!(!m.maintenance.addon.is_negative() && !m.liability.is_negative());
        // collateral values and equities in the opposite order
        prop_assert!(m.initial.collateral_value <= m.end.collateral_value);
        prop_assert!(m.end.collateral_value <= m.maintenance.collateral_value);
        prop_assert!(m.initial.equity <= m.end.equity, "equity IM {:?} > end {:?}", m.initial.equity, m.end.equity);
        prop_assert!(m.end.equity <= m.maintenance.equity, "equity end {:?} > MM {:?}", m.end.equity, m.maintenance.equity);
        for (name, l) in level_list(&m) {
            prop_assert_eq!(l.requirement, m.liability.checked_add(l.addon).unwrap(), "{} requirement", name);
            prop_assert_eq!(l.equity, l.collateral_value.checked_sub(l.requirement).unwrap(), "{} equity", name);
        }
        // per-underlying add-ons sum to the account's (each rounded up, so allow one unit each)
        let n = m.underlying_count as usize;
        let sum_im: i128 = m.underlyings[..n].iter().map(|u| u.addon_initial.raw()).sum();
        let sum_mm: i128 = m.underlyings[..n].iter().map(|u| u.addon_maintenance.raw()).sum();
        let sum_liab: i128 = m.underlyings[..n].iter().map(|u| u.liability.raw()).sum();
        prop_assert!((m.initial.addon.raw() - sum_im).abs() <= n as i128);
        prop_assert!((m.maintenance.addon.raw() - sum_mm).abs() <= n as i128);
        prop_assert!((m.liability.raw() - sum_liab).abs() <= n as i128);
    }

    #[test]
    fn requirement_capped_at_max_payoff_for_puts(book in put_books()) {
        let m = book.margin();
        // maximum payoff of short puts: K per unit of underlying (strike * quantity is exact here)
        let max_payoff: i128 = book.positions.iter().map(|p| {
            let qty_raw = p.contracts as i128 * p.contract_size.raw();
            assert_eq!((p.strike.raw() * (qty_raw / 1_000_000)) % (FIXED_ONE / 1_000_000), 0);
            p.strike.raw() * (qty_raw / 1_000_000) / (FIXED_ONE / 1_000_000)
        }).sum();
        // plus the credit of linked collateral, which the box shocks with the puts
        let max_payoff = max_payoff + m.underlyings[0].linked_collateral.raw();
        for (name, l) in level_list(&m) {
            prop_assert!(
                l.requirement.raw() <= max_payoff,
                "{} requirement {} above the maximum payoff {} of an all-put book", name, l.requirement.raw(), max_payoff
            );
        }
    }

    #[test]
    fn homogeneous_of_degree_one(book in books(3, 16), j in 1u64..LOT) {
        let keep = LOT - j;
        let orig = book.margin();
        let scaled_book = book.scaled(keep);
        let scaled = scaled_book.margin();
        let tol = book.rounding_tol();
        assert_scales("liability", scaled.liability, orig.liability, keep, tol)?;
        assert_scales("mark_to_market", scaled.mark_to_market, orig.mark_to_market, keep, tol)?;
        for ((name, s), (_, o)) in level_list(&scaled).into_iter().zip(level_list(&orig)) {
            assert_scales(&format!("{name}.addon"), s.addon, o.addon, keep, tol)?;
            assert_scales(&format!("{name}.requirement"), s.requirement, o.requirement, keep, tol)?;
            assert_scales(&format!("{name}.collateral_value"), s.collateral_value, o.collateral_value, keep, tol)?;
            assert_scales(&format!("{name}.equity"), s.equity, o.equity, keep, tol)?;
        }
        prop_assert_eq!(scaled.underlying_count, orig.underlying_count);
        for (s, o) in scaled.underlyings.iter().zip(&orig.underlyings).take(orig.underlying_count as usize) {
            prop_assert_eq!(s.underlying, o.underlying);
            assert_scales("underlying.liability", s.liability, o.liability, keep, tol)?;
            assert_scales("underlying.delta", s.delta, o.delta, keep, tol)?;
            assert_scales("underlying.cash_gamma", s.cash_gamma, o.cash_gamma, keep, book.rounding_tol_gamma())?;
            assert_scales("underlying.vega", s.vega, o.vega, keep, tol)?;
            assert_scales("underlying.theta", s.theta, o.theta, keep, tol)?;
            assert_scales("underlying.addon_initial", s.addon_initial, o.addon_initial, keep, tol)?;
            assert_scales("underlying.addon_maintenance", s.addon_maintenance, o.addon_maintenance, keep, tol)?;
        }
    }

    /// The summary's Greeks are those of the short book: minus the sum over positions of the
    /// engine's own per-unit Greeks (at the surface vol) times the quantity; the liability is
    /// the sum of the marks.
    #[test]
    fn greeks_aggregate_the_short_book(book in books(2, 8)) {
        let m = book.margin();
        let n = m.underlying_count as usize;
        for (ui, und) in book.underlyings.iter().enumerate() {
            let (mut liab, mut delta, mut cgamma, mut vega, mut theta) = (0.0, 0.0, 0.0, 0.0, 0.0);
            // gross sums (f64 error scale) of each quantity
            let (mut g_liab, mut g_delta, mut g_cgamma, mut g_vega, mut g_theta) = (0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64);
            let (mut count, mut qty_sum) = (0.0, 0.0);
            let mut any = false;
            for p in book.positions.iter().filter(|p| p.underlying as usize == ui) {
                any = true;
                let vol = mark_vol(und, und.surface.vol(p.strike, und.spot, p.time_years).unwrap());
                let g = bs::greeks(&BsInput {
                    kind: p.kind, spot: und.spot, strike: p.strike, vol,
                    time_years: p.time_years, rate: und.rate,
                }).unwrap();
                let qty = p.contracts as f64 * ff(p.contract_size);
                let s = ff(und.spot);
                liab += ff(g.price) * qty;
                delta -= ff(g.delta) * qty;
                cgamma -= ff18(g.gamma) * s * s * qty;
                vega -= ff(g.vega) * qty;
                theta -= ff(g.theta) * qty;
                g_liab += (ff(g.price) * qty).abs();
                g_delta += (ff(g.delta) * qty).abs();
                g_cgamma += (ff18(g.gamma) * s * s * qty).abs();
                g_vega += (ff(g.vega) * qty).abs();
                g_theta += (ff(g.theta) * qty).abs();
                count += 1.0;
                qty_sum += qty;
            }
            let found = m.underlyings[..n].iter().find(|u| u.underlying as usize == ui);
            if !any {
                continue;
            }
            let u = found.ok_or_else(|| TestCaseError::fail(format!("no summary for underlying {ui}")))?;
            // The reference multiplies the per-unit Greeks as `bs::greeks` returns them, i.e.
            // already rounded to 1e-12 (gamma: 1e-18, times S^2 in cash gamma), by the quantity;
            // the engine may aggregate more precise internal values and round once. So the two
            // may differ by one last place of the per-unit value times the total quantity, plus
            // a few last places of the output and the f64 error of the sums (~1e-15 of the gross).
            let s = ff(und.spot);
            let close = |got: f64, want: f64, gross: f64, ulp: f64| {
                (got - want).abs() <= ulp * (qty_sum + 4.0 * count) + 1e-13 * gross
            };
            prop_assert!(close(ff(u.liability), liab, g_liab, 1e-12), "liability {} vs {}", ff(u.liability), liab);
            prop_assert!(close(ff(u.delta), delta, g_delta, 1e-12), "delta {} vs {}", ff(u.delta), delta);
            prop_assert!(close(ff(u.cash_gamma), cgamma, g_cgamma, 1e-12 + 1e-18 * s * s), "cash gamma {} vs {}", ff(u.cash_gamma), cgamma);
            prop_assert!(close(ff(u.vega), vega, g_vega, 1e-12), "vega {} vs {}", ff(u.vega), vega);
            prop_assert!(close(ff(u.theta), theta, g_theta, 1e-12), "theta {} vs {}", ff(u.theta), theta);
            // a short book: delta of short calls negative, of short puts positive; gamma and
            // vega never positive, theta of a short book mostly positive (not asserted: deep ITM
            // puts with r > 0 have positive long theta)
            prop_assert!(!u.cash_gamma.is_positive(), "short book with positive gamma {:?}", u.cash_gamma);
            prop_assert!(!u.vega.is_positive(), "short book with positive vega {:?}", u.vega);
        }
    }

    /// The add-on is at least the sum of per-contract floors, unless the cap binds (every
    /// call covered by linked collateral: the requirement is at most the puts' strikes plus
    /// the linked collateral's MM credit). Full revaluation itself is checked on a fine grid
    /// by `tests/margin_v2.rs`.
    #[test]
    fn addon_covers_floors_unless_capped(book in books(2, 10)) {
        let m = book.margin();
        let n = m.underlying_count as usize;
        for u in &m.underlyings[..n] {
            let und = &book.underlyings[u.underlying as usize];
            let s = ff(und.spot);
            let positions: Vec<&PositionRisk> =
                book.positions.iter().filter(|p| p.underlying == u.underlying).collect();
            let call_q: f64 = positions.iter().filter(|p| p.kind == OptionKind::Call)
                .map(|p| p.contracts as f64 * ff(p.contract_size)).sum();
            let linked: f64 = book.collaterals.iter().filter(|c| c.linked_underlying == Some(u.underlying))
                .map(|c| ff(c.price) * c.amount as f64).sum();
            // an engine-reported cover needs the linked value to cover the calls
            prop_assert!(!u.calls_covered || call_q * s <= linked * (1.0 + 1e-9));
            for (level, addon) in [(&und.params.initial, u.addon_initial), (&und.params.maintenance, u.addon_maintenance)] {
                let floors: f64 = positions.iter().map(|p| {
                    let qty = p.contracts as f64 * ff(p.contract_size);
                    let base = match p.kind { OptionKind::Call => s, OptionKind::Put => s.min(ff(p.strike)) };
                    ff(level.floor_pct) * base * qty
                }).sum();
                let mut bound = floors;
                if u.calls_covered || call_q == 0.0 {
                    let payoff: f64 = positions.iter().filter(|p| p.kind == OptionKind::Put)
                        .map(|p| ff(p.strike) * p.contracts as f64 * ff(p.contract_size)).sum();
                    bound = bound.min(payoff + ff(u.linked_collateral) - ff(u.liability));
                }
                let tol = 1e-9 * bound.abs() + book.rounding_tol() as f64 / 1e12;
                prop_assert!(ff(addon) >= bound - tol, "add-on {} below floors {} (capped {})", ff(addon), floors, bound);
            }
        }
    }
}

proptest! {
    #![proptest_config(pt_config(128))]

    /// `expansion_gap` against an independent computation: the expansion from the summary's
    /// Greeks plus `sum_i V_i dsigma_i` from the engine's per-unit vegas, and the full
    /// revaluation with the f64 reference (sticky strike: each position's stale-adjusted mark
    /// vol, times the level's multiplier `1 + v min(cap, (T_ref/T)^p)` at the shocked vol
    /// state), on the grid {-h', -h'/2, 0, +h'/2, +h'} x {mark, shocked}, h' = h + conf/spot.
    #[test]
    fn expansion_gap_matches_independent_revaluation(book in books(1, 8)) {
        let m = book.margin();
        prop_assert!(m.underlying_count >= 1);
        let (und, u) = (&book.underlyings[0], &m.underlyings[0]);
        prop_assert_eq!(u.underlying, 0);
        let s = ff(und.spot);
        let pm = &und.params;
        let qty_sum: f64 = book.positions.iter().map(|p| p.contracts as f64 * ff(p.contract_size)).sum();
        for (lv, level) in [(margin::Level::Initial, &pm.initial), (margin::Level::Maintenance, &pm.maintenance)] {
            let gap = margin::expansion_gap(&book.account(), 0, lv).unwrap();
            let h = (ff(level.spot_shock) + ff(und.conf) / s).min(0.99);
            let shocks = [-h, -h / 2.0, 0.0, h / 2.0, h];
            let mult = |t: f64| 1.0 + ff(level.vol_shock)
                * ((pm.vol_ref_secs as f64 / YEAR_SECS) / t).powf(ff(pm.vol_power)).min(ff(pm.vol_term_cap));
            // sum_i V_i dsigma_i of the long book, and its gross size
            let (mut vdv, mut g_vdv) = (0.0, 0.0);
            for p in book.positions.iter().filter(|p| p.time_years.is_positive()) {
                let volf = mark_vol(und, und.surface.vol(p.strike, und.spot, p.time_years).unwrap());
                let vol = ff(volf);
                let g = bs::greeks(&BsInput { kind: p.kind, spot: und.spot, strike: p.strike,
                    vol: volf, time_years: p.time_years, rate: und.rate }).unwrap();
                let q = p.contracts as f64 * ff(p.contract_size);
                let x = ff(g.vega) * vol * (mult(ff(p.time_years)) - 1.0) * q;
                vdv += x;
                // the engine's vol difference is exact to about 1e-15 absolute per unit
                g_vdv += x.abs() + 1e-7 * ff(g.vega) * q;
            }
            let mut worst = i128::MIN;
            for (i, &sh) in shocks.iter().enumerate() {
                for j in 0..2 {
                    let terms = [ff(u.delta) * s * sh, ff(u.cash_gamma) * sh * sh / 2.0];
                    let expansion = -terms.iter().sum::<f64>() + if j == 1 { vdv } else { 0.0 };
                    let gross: f64 = terms.iter().map(|t| t.abs()).sum::<f64>() + g_vdv;
                    let got = ff(gap.expansion_loss[i][j]);
                    prop_assert!(
                        (got - expansion).abs() <= 1e-8 * gross + book.rounding_tol() as f64 / 1e12,
                        "expansion loss [{}][{}] = {} vs {}", i, j, got, expansion
                    );
                    let mut full = 0.0;
                    for p in &book.positions {
                        let (k, t, r) = (ff(p.strike), ff(p.time_years), ff(und.rate));
                        let vol = ff(mark_vol(und, und.surface.vol(p.strike, und.spot, p.time_years).unwrap()));
                        let shocked_vol = if j == 1 { vol * mult(t) } else { vol };
                        let p0 = bs_ref(p.kind, s, k, vol, t, r).price;
                        let p1 = bs_ref(p.kind, s * (1.0 + sh), k, shocked_vol, t, r).price;
                        full += (p1 - p0) * p.contracts as f64 * ff(p.contract_size);
                    }
                    // each engine price is within 1e-8 x its spot of the truth (accuracy spec)
                    let tol = 1e-8 * s * (2.0 + sh) * qty_sum + book.rounding_tol() as f64 / 1e12;
                    let got = ff(gap.full_loss[i][j]);
                    prop_assert!((got - full).abs() <= tol, "full loss [{}][{}] = {} vs {} (tol {})", i, j, got, full, tol);
                    worst = worst.max(gap.full_loss[i][j].raw() - gap.expansion_loss[i][j].raw());
                }
            }
            prop_assert_eq!(gap.worst_understatement.raw(), worst);
        }
    }
}

#[test]
fn default_params_validate() {
    // the values PROTOCOL.md fixes
    let (m, c, a) = (
        default_margin_params(),
        default_config(),
        default_auction_params(),
    );
    assert_eq!(
        (m.initial.spot_shock, m.maintenance.spot_shock),
        (fx(0.20), fx(0.12))
    );
    assert_eq!(c.end_buffer, fx(0.5));
    assert_eq!(
        (a.start_discount, a.fast_discount, a.fast_duration_secs),
        (Fixed::ZERO, fx(0.20), 600)
    );
    m.validate().unwrap();
    c.validate().unwrap();
    a.validate().unwrap();
    let mut bad = default_margin_params();
    bad.initial.spot_shock = fx(0.10); // below MM's 12 %
    assert_eq!(bad.validate(), Err(RiskError::InvalidMarginParams));
    let mut bad = default_margin_params();
    bad.initial.floor_pct = fx(0.001); // below MM's floor
    assert_eq!(bad.validate(), Err(RiskError::InvalidMarginParams));
    let mut bad = default_margin_params();
    bad.maintenance.spot_shock = fx(-0.1);
    assert_eq!(bad.validate(), Err(RiskError::InvalidMarginParams));
    let mut bad = default_margin_params();
    bad.initial.vol_shock = fx(0.1); // below MM's
    assert_eq!(bad.validate(), Err(RiskError::InvalidMarginParams));
    for f in [
        |p: &mut MarginParams| p.vol_ref_secs = 60,
        |p: &mut MarginParams| p.vol_power = fx(1.5),
        |p: &mut MarginParams| p.vol_term_cap = fx(0.5),
        |p: &mut MarginParams| p.vol_term_cap = fx(11.0),
        |p: &mut MarginParams| p.stale_vol_per_hour = fx(-0.1),
        |p: &mut MarginParams| p.stale_vol_cap = fx(1.5),
        |p: &mut MarginParams| p.maintenance.vol_shock = fx(2.5),
    ] {
        let mut bad = default_margin_params();
        f(&mut bad);
        assert_eq!(
            bad.validate(),
            Err(RiskError::InvalidMarginParams),
            "{bad:?}"
        );
    }
}

fn plain_underlying(spot: f64) -> UnderlyingRisk {
    UnderlyingRisk {
        spot: fx(spot),
        conf: Fixed::ZERO,
        surface: surface(&[(30 * DAY, 0.6)], 0.0, 0.0, 0.05),
        surface_stale_secs: 0,
        realized_vol: Fixed::ZERO,
        rate: fx(0.03),
        params: default_margin_params(),
    }
}

fn short(underlying: u8, kind: OptionKind, strike: f64, days: i64, contracts: u64) -> PositionRisk {
    PositionRisk {
        underlying,
        kind,
        strike: fx(strike),
        time_years: years(days * 86_400),
        contracts,
        contract_size: Fixed::ONE,
        side: greekhouse_risk::Side::Short,
        american: false,
    }
}

#[test]
fn margin_errors_and_empty_account() {
    let cfg = default_config();
    let unds = [plain_underlying(100e6), plain_underlying(2_000e6)];
    let pos = [short(5, OptionKind::Call, 100e6, 30, 1)];
    let acct = AccountRisk {
        quote_balance: 0,
        collaterals: &[],
        positions: &pos,
        underlyings: &unds,
    };
    assert_eq!(
        margin::account_margin(&acct, &cfg).map(|m| m.liability),
        Err(RiskError::UnknownUnderlying)
    );

    let many: Vec<UnderlyingRisk> = (0..=MAX_UNDERLYINGS)
        .map(|i| plain_underlying(1e6 * (i + 1) as f64))
        .collect();
    let pos: Vec<PositionRisk> = (0..=MAX_UNDERLYINGS)
        .map(|i| short(i as u8, OptionKind::Put, 1e6 * (i + 1) as f64, 30, 1))
        .collect();
    let acct = AccountRisk {
        quote_balance: 0,
        collaterals: &[],
        positions: &pos,
        underlyings: &many,
    };
    assert_eq!(
        margin::account_margin(&acct, &cfg).map(|m| m.liability),
        Err(RiskError::TooManyUnderlyings)
    );
    // exactly MAX_UNDERLYINGS is fine
    let acct = AccountRisk {
        positions: &pos[..MAX_UNDERLYINGS],
        ..acct
    };
    assert_eq!(
        margin::account_margin(&acct, &cfg)
            .unwrap()
            .underlying_count as usize,
        MAX_UNDERLYINGS
    );

    // no positions: no requirement, equity = weighted collateral + quote
    let coll = [CollateralRisk {
        amount: 1_000_000_000,
        price: fx(0.15),
        conf: Fixed::ZERO,
        init_weight: fx(0.8),
        maint_weight: fx(0.9),
        linked_underlying: None,
    }];
    let acct = AccountRisk {
        quote_balance: -5_000_000,
        collaterals: &coll,
        positions: &[],
        underlyings: &unds,
    };
    let m = margin::account_margin(&acct, &cfg).unwrap();
    assert_eq!(m.liability, Fixed::ZERO);
    assert_eq!(m.initial.requirement, Fixed::ZERO);
    assert_eq!(
        m.initial.equity,
        Fixed::from_int(150_000_000 * 8 / 10 - 5_000_000)
    );
    assert_eq!(
        m.maintenance.equity,
        Fixed::from_int(150_000_000 * 9 / 10 - 5_000_000)
    );
    assert_eq!(
        m.end.equity,
        Fixed::from_int(150_000_000 * 85 / 100 - 5_000_000)
    );
    assert_eq!(m.mark_to_market, Fixed::from_int(150_000_000 - 5_000_000));

    // an invalid surface is refused, not priced
    let mut broken = plain_underlying(100e6);
    broken.surface.tenor_count = 0;
    let pos = [short(0, OptionKind::Call, 100e6, 30, 1)];
    let acct = AccountRisk {
        quote_balance: 0,
        collaterals: &[],
        positions: &pos,
        underlyings: &[broken],
    };
    assert_eq!(
        margin::account_margin(&acct, &cfg).map(|m| m.liability),
        Err(RiskError::InvalidSurface)
    );
}

#[test]
fn short_dated_atm_puts_stay_within_the_payoff_cap() {
    // 15 minutes to expiry, 5 % vol, at the money: the gamma term of the expansion alone is
    // about 30 x spot per unit, far above the maximum payoff K; the revaluation is not.
    let mut und = plain_underlying(150e6);
    und.surface = surface(&[(30 * DAY, 0.05)], 0.0, 0.0, 0.05);
    und.rate = Fixed::ZERO;
    let pos = [PositionRisk {
        underlying: 0,
        kind: OptionKind::Put,
        strike: fx(150e6),
        time_years: years(900),
        contracts: 10,
        contract_size: Fixed::ONE,
        side: greekhouse_risk::Side::Short,
        american: false,
    }];
    let acct = AccountRisk {
        quote_balance: 0,
        collaterals: &[],
        positions: &pos,
        underlyings: &[und],
    };
    let m = margin::account_margin(&acct, &default_config()).unwrap();
    let max_payoff = Fixed::from_int(1_500_000_000);
    for (name, l) in level_list(&m) {
        assert!(
            l.requirement <= max_payoff,
            "{name}: {:?} > {max_payoff:?}",
            l.requirement
        );
    }
    // full revaluation at IM's -h' = -20 %: the put is then 20 % in the money, about
    // 0.2 S per unit (the old expansion needed the cap here; revaluation does not)
    let per_unit = ff(m.initial.addon) / 10.0;
    assert!(
        per_unit > 0.19 * 150e6 && per_unit < 0.21 * 150e6,
        "{per_unit}"
    );
}

// =============================================================================================
// Auction math
// =============================================================================================

prop_compose! {
    fn auction_params()(
        start in 0.0f64..0.1, dfast in 0.0f64..0.4,
        fast in 1i64..3_600, slow in 1i64..86_400,
    ) -> AuctionParams {
        AuctionParams {
            start_discount: fx(start),
            fast_discount: fx(start + dfast),
            fast_duration_secs: fast,
            slow_duration_secs: slow,
        }
    }
}

#[test]
fn auction_params_validation() {
    let good = default_auction_params();
    assert_eq!(good.validate(), Ok(()));
    let cases = [
        AuctionParams {
            start_discount: fx(0.3),
            fast_discount: fx(0.2),
            ..good
        },
        AuctionParams {
            start_discount: fx(-0.1),
            ..good
        },
        AuctionParams {
            fast_discount: fx(1.5),
            ..good
        },
        AuctionParams {
            fast_duration_secs: -1,
            ..good
        },
        AuctionParams {
            slow_duration_secs: -1,
            ..good
        },
        AuctionParams {
            fast_duration_secs: 0,
            ..good
        },
        AuctionParams {
            slow_duration_secs: 31 * 86_400,
            ..good
        },
    ];
    for c in cases {
        assert_eq!(c.validate(), Err(RiskError::InvalidAuctionParams), "{c:?}");
    }
}

proptest! {
    #![proptest_config(pt_config(1000))]

    #[test]
    fn discount_curve(
        params in auction_params(),
        expiry in proptest::option::of(1i64..200_000),
        mut times in proptest::collection::vec(0i64..300_000, 1..40),
    ) {
        params.validate().unwrap();
        let end = params.fast_duration_secs + params.slow_duration_secs;
        times.extend([0, 1, params.fast_duration_secs, end - 1, end, end + 1, 10 * end]);
        if let Some(e) = expiry {
            times.extend([e - 1, e, e + 1]);
        }
        times.retain(|&t| t >= 0);
        times.sort_unstable();
        let mut prev = Fixed::ZERO;
        for &t in &times {
            let (d, phase) = auction::discount(&params, t, expiry).unwrap();
            prop_assert!(d >= params.start_discount && d <= Fixed::ONE, "d({}) = {:?} outside [start, 1]", t, d);
            prop_assert!(d >= prev, "discount fell at t = {}: {:?} -> {:?}", t, prev, d);
            prev = d;
            if t >= end {
                prop_assert_eq!(d, Fixed::ONE, "not 100 % after fast + slow (t = {})", t);
            }
            if let Some(e) = expiry {
                if t >= e {
                    prop_assert_eq!(d, Fixed::ONE, "not 100 % at the earliest expiry {} (t = {})", e, t);
                }
            }
            if t > end {
                prop_assert_eq!(phase, AuctionPhase::Exhausted, "t = {}", t);
            }
        }
        let (d0, phase0) = auction::discount(&params, 0, expiry).unwrap();
        prop_assert_eq!(d0, params.start_discount);
        prop_assert_eq!(phase0, AuctionPhase::Fast);
        if expiry.is_none_or(|e| e >= end) {
            let (df, _) = auction::discount(&params, params.fast_duration_secs, expiry).unwrap();
            prop_assert!((df.raw() - params.fast_discount.raw()).abs() <= 1, "d(fast end) = {:?}", df);
        }
    }

    /// Closed form in exact integers: with f = max_fraction(E, P), (1 - f) E + f P >= 0, and f is
    /// the smallest 12-decimal fraction that does it (rounded up, not more).
    #[test]
    fn max_fraction_closed_form(
        neg_equity in 1i128..10_000_000_000_000_000_000_000_000, // raw, up to 1e13 quote units
        price in -10_000_000_000_000_000_000_000_000i128..10_000_000_000_000_000_000_000_000,
    ) {
        let (e, p) = (Fixed::from_raw(-neg_equity), Fixed::from_raw(price));
        let f = auction::max_fraction(e, p).unwrap();
        prop_assert!(f.is_positive() && f <= Fixed::ONE, "fraction {:?}", f);
        if price <= 0 {
            prop_assert_eq!(f, Fixed::ONE);
            return Ok(());
        }
        let after = |f: i128| (FIXED_ONE - f) * e.raw() + f * p.raw();
        prop_assert!(after(f.raw()) >= 0, "(1 - f) E + f P = {} < 0 with f = {:?}", after(f.raw()), f);
        if f < Fixed::ONE {
            prop_assert!(after(f.raw() - 1) < 0, "f = {:?} is not the smallest restoring fraction", f);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The bid payment (slice_settlement) against the exact formula
// ---------------------------------------------------------------------------------------------

/// An exact signed value as (negative, 256-bit magnitude (hi, lo)); zero is never negative.
type SWide = (bool, (u128, u128));

fn wide_add(a: (u128, u128), b: (u128, u128)) -> (u128, u128) {
    let (lo, carry) = a.1.overflowing_add(b.1);
    let hi =
        a.0.checked_add(b.0)
            .and_then(|h| h.checked_add(carry as u128));
    (hi.expect("256-bit overflow in test helper"), lo)
}

/// `a - b` for `a >= b`.
fn wide_sub(a: (u128, u128), b: (u128, u128)) -> (u128, u128) {
    let (lo, borrow) = a.1.overflowing_sub(b.1);
    (a.0 - b.0 - borrow as u128, lo)
}

fn signed_of(negative: bool, mag: (u128, u128)) -> SWide {
    (negative && mag != (0, 0), mag)
}

/// `a - b` of two magnitudes, signed.
fn wide_diff(a: (u128, u128), b: (u128, u128)) -> SWide {
    if cmp_wide(a, b).is_ge() {
        (false, wide_sub(a, b))
    } else {
        (true, wide_sub(b, a))
    }
}

fn cmp_signed(a: SWide, b: SWide) -> core::cmp::Ordering {
    match (a.0, b.0) {
        (false, true) => core::cmp::Ordering::Greater,
        (true, false) => core::cmp::Ordering::Less,
        (false, false) => cmp_wide(a.1, b.1),
        (true, true) => cmp_wide(b.1, a.1),
    }
}

/// `n * 10^36` exactly (an integer number of quote native units at the 10^-36 scale of
/// `fraction * W`, see `exact_payment`).
fn units36(n: i128) -> SWide {
    const E36: u128 = 1_000_000_000_000_000_000_000_000_000_000_000_000;
    signed_of(n < 0, mul_wide(n.unsigned_abs(), E36))
}

/// The exact `fraction * (MtM - d * (max(MtM, 0) + addon))` at 10^-36 quote native units
/// (raw times raw times raw): no rounding anywhere.
fn is_zero_wide(w: (u128, u128)) -> bool {
    w == (0, 0)
}

fn exact_payment(b: &auction::BidInputs, f: Fixed) -> SWide {
    let mtm = b.mark_to_market.raw();
    let base = mtm.max(0) as u128 + b.addon_maintenance.raw() as u128;
    let m = mul_wide(mtm.unsigned_abs(), FIXED_ONE as u128);
    // min(d (MtM+ + addon), MtM+ + k addon)
    let discounted = mul_wide(b.discount.raw() as u128, base);
    let cap = wide_add(
        mul_wide(mtm.max(0) as u128, FIXED_ONE as u128),
        mul_wide(
            b.fund_premium.raw() as u128,
            b.addon_maintenance.raw() as u128,
        ),
    );
    let off = if cmp_wide(discounted, cap).is_le() {
        discounted
    } else {
        cap
    };
    let (neg, w) = if mtm >= 0 {
        wide_diff(m, off)
    } else {
        (true, wide_add(m, off))
    };
    signed_of(neg, mul_wide_small(w, f.raw() as u128))
}

/// The exact `fraction * fee_rate * addon` at 10^-36 quote native units.
fn exact_fee(b: &auction::BidInputs, f: Fixed) -> SWide {
    let ra = mul_wide(b.fee_rate.raw() as u128, b.addon_maintenance.raw() as u128);
    (false, mul_wide_small(ra, f.raw() as u128))
}

/// A raw `Fixed` amount of quote: zero, small, mid-sized or up to `i64::MAX` quote native units
/// (the largest balance the ledger holds), either sign.
fn quote_raw() -> impl Strategy<Value = i128> {
    const TOP: i128 = i64::MAX as i128 * FIXED_ONE;
    prop_oneof![
        1 => Just(0i128),
        3 => -1_000_000_000_000_000i128..=1_000_000_000_000_000, // +-1,000 units
        3 => -1_000_000_000_000_000_000_000_000i128..=1_000_000_000_000_000_000_000_000, // +-1e12 units
        2 => -TOP..=TOP,
    ]
}

/// A value in [0, 1] (raw), with the ends and a round value often.
fn unit_raw() -> impl Strategy<Value = i128> {
    prop_oneof![
        1 => Just(0i128),
        1 => Just(FIXED_ONE),
        1 => Just(FIXED_ONE / 5),
        6 => 0i128..=FIXED_ONE,
    ]
}

/// A fraction in (0, 1] (raw), with 1 and the smallest fraction often.
fn fraction_raw() -> impl Strategy<Value = i128> {
    prop_oneof![
        1 => Just(FIXED_ONE),
        1 => Just(1i128),
        6 => 1i128..=FIXED_ONE,
    ]
}

prop_compose! {
    fn bid_inputs()(
        mtm in quote_raw(),
        addon in quote_raw(),
        d in unit_raw(),
        fee in prop_oneof![Just(0i128), 0i128..=FIXED_ONE / 10, 0i128..=FIXED_ONE],
        k in prop_oneof![Just(FIXED_ONE), Just(0i128), 0i128..=FIXED_ONE / 5, 0i128..=FIXED_ONE],
    ) -> auction::BidInputs {
        auction::BidInputs {
            mark_to_market: Fixed::from_raw(mtm),
            addon_maintenance: Fixed::from_raw(addon.abs()),
            discount: Fixed::from_raw(d),
            fee_rate: Fixed::from_raw(fee),
            fund_premium: Fixed::from_raw(k),
        }
    }
}

fn payment_of(b: &auction::BidInputs, f: Fixed) -> i128 {
    auction::slice_settlement(b, f)
        .unwrap_or_else(|e| panic!("slice_settlement -> {e:?} for {b:?}, f = {f:?}"))
        .payment
}

proptest! {
    #![proptest_config(pt_config(2000))]

    /// (c) Every integer of a slice is its exact value rounded once, in the house's favour:
    /// `payment = ceil(exact)`, so it is never below the formula and exceeds it by less than
    /// one quote native unit (no raw slack: nothing is rounded before the last step); the fund
    /// never pays more than the exact magnitude; the fee is `ceil(f * rate * addon)` capped by
    /// the positive payment; the account never receives a negative amount, nor more than the
    /// payment.
    #[test]
    fn slice_settlement_is_the_exact_formula_rounded_once(
        b in bid_inputs(),
        f in fraction_raw(),
    ) {
        let f = Fixed::from_raw(f);
        let s = auction::slice_settlement(&b, f).unwrap();
        let exact = exact_payment(&b, f);
        prop_assert!(cmp_signed(units36(s.payment), exact).is_ge(), "payment {} below the formula", s.payment);
        prop_assert!(cmp_signed(units36(s.payment - 1), exact).is_lt(), "payment {} is a unit or more above the formula", s.payment);
        // the fund pays at most the exact magnitude (rounded down)
        prop_assert!(s.from_fund >= 0);
        prop_assert!(cmp_signed(units36(-s.from_fund), exact).is_ge() || s.from_fund == 0, "fund pays {} > |formula|", s.from_fund);
        prop_assert_eq!(s.from_fund, (-s.payment).max(0));
        // the fee
        let fee_exact = exact_fee(&b, f);
        prop_assert!(s.fee >= 0 && s.fee <= s.payment.max(0), "fee {} vs payment {}", s.fee, s.payment);
        if s.fee < s.payment.max(0) {
            prop_assert!(cmp_signed(units36(s.fee), fee_exact).is_ge(), "fee {} below its formula", s.fee);
            prop_assert!(cmp_signed(units36(s.fee - 1), fee_exact).is_lt(), "fee {} above the ceiling of its formula", s.fee);
        } else {
            // capped: the formula's ceiling is at least the payment
            prop_assert!(cmp_signed(units36(s.fee - 1), fee_exact).is_lt(), "fee {} capped but the formula is lower", s.fee);
        }
        if s.payment <= 0 {
            prop_assert_eq!(s.fee, 0, "a fee while the fund pays");
        }
        prop_assert!(s.to_account >= 0 && s.to_account <= s.payment.max(0));
        prop_assert_eq!(s.to_account + s.fee, s.payment.max(0));
    }

    /// (a) The payment is continuous in MtM: moving MtM from 0 by `eps` either way moves the
    /// payment by at most `fraction * eps` (the exact change is `f eps (1 - d)` above 0 and
    /// `f eps` below) plus one unit for the two ceilings; there is no jump at MtM = 0. It is
    /// also non-decreasing in MtM.
    #[test]
    fn payment_is_continuous_in_mtm(
        b in bid_inputs(),
        f in fraction_raw(),
        eps in prop_oneof![1i128..=1_000, 1i128..=FIXED_ONE, 1i128..=1_000_000 * FIXED_ONE],
    ) {
        let f = Fixed::from_raw(f);
        let at = |mtm: i128| payment_of(&auction::BidInputs { mark_to_market: Fixed::from_raw(mtm), ..b }, f);
        let (below, zero, above) = (at(-eps), at(0), at(eps));
        prop_assert!(below <= zero && zero <= above, "not monotone: {} {} {}", below, zero, above);
        // |delta| <= f * eps + 1 unit, in 10^-24 units: f raw * eps raw + 10^24
        let bound = f.raw() * eps + FIXED_ONE * FIXED_ONE;
        for (side, p) in [("below", below), ("above", above)] {
            let delta = (p - zero).abs() * FIXED_ONE * FIXED_ONE;
            prop_assert!(delta <= bound, "{} 0 by {} raw: payment {} vs {} at 0", side, eps, p, zero);
        }
        // and anywhere else: one raw unit of MtM moves the payment by at most one unit
        let m = b.mark_to_market.raw();
        if m < i128::MAX {
            prop_assert!((at(m + 1) - at(m)).abs() <= 1);
        }
    }

    /// (b) The bidder's gain at mark, `fraction * MtM - payment`, is non-decreasing in d (the
    /// `fraction * MtM` term does not depend on d, and the payment, `ceil` of a value
    /// non-increasing in d, does not rise with it); it is never below `-1` unit (the exact gain
    /// `f d (max(MtM, 0) + addon)` is >= 0 and the payment exceeds its formula by < 1 unit).
    #[test]
    fn bidder_gain_rises_with_the_discount(
        b in bid_inputs(),
        f in fraction_raw(),
        mut ds in proptest::collection::vec(unit_raw(), 2..8),
    ) {
        let f = Fixed::from_raw(f);
        ds.sort_unstable();
        // gain at 10^-36 units: f * MtM * 10^12 - payment * 10^36
        let fmtm = signed_of(
            b.mark_to_market.is_negative(),
            mul_wide_small(mul_wide(b.mark_to_market.raw().unsigned_abs(), f.raw() as u128), FIXED_ONE as u128),
        );
        let mut prev: Option<(i128, i128)> = None;
        for &d in &ds {
            let p = payment_of(&auction::BidInputs { discount: Fixed::from_raw(d), ..b }, f);
            if let Some((pd, pp)) = prev {
                prop_assert!(p <= pp, "payment rose from {} (d = {}) to {} (d = {}): the gain fell", pp, pd, p, d);
            }
            prev = Some((d, p));
            // gain >= -1 unit  <=>  payment - 1 <= f MtM
            prop_assert!(cmp_signed(units36(p - 1), fmtm).is_le(), "gain below -1 unit at d = {}", d);
        }
    }
}

proptest! {
    #![proptest_config(pt_config(2000))]

    /// (d) The fund never pays for risk that does not exist: what it pays for a slice is at most
    /// `fraction * (max(-MtM, 0) + k * addon_MM)`, the slice's share of the deficit plus the
    /// premium; on a solvent account (`MtM >= 0`) at most `fraction * k * addon_MM`, whatever
    /// the discount. A bid at `d = 1` reaches that bound up to the payment's one-unit rounding.
    #[test]
    fn fund_pays_at_most_the_deficit_plus_the_premium(
        b in bid_inputs(),
        f in fraction_raw(),
    ) {
        let f = Fixed::from_raw(f);
        let s = auction::slice_settlement(&b, f).unwrap();
        let mtm = b.mark_to_market.raw();
        let bound = mul_wide_small(
            wide_add(
                mul_wide((-mtm).max(0) as u128, FIXED_ONE as u128),
                mul_wide(b.fund_premium.raw() as u128, b.addon_maintenance.raw() as u128),
            ),
            f.raw() as u128,
        );
        prop_assert!(
            cmp_signed(units36(s.from_fund), (false, bound)).is_le(),
            "fund pays {} beyond the deficit plus k * addon for {:?}, f = {:?}", s.from_fund, b, f
        );
        let at_one = auction::slice_settlement(&auction::BidInputs { discount: Fixed::ONE, ..b }, f).unwrap();
        prop_assert!(cmp_signed(units36(at_one.from_fund + 1), (false, bound)).is_ge() || at_one.from_fund == 0 && is_zero_wide(bound));
    }
}

// ---------------------------------------------------------------------------------------------
// The auction, closed loop with account_margin
// ---------------------------------------------------------------------------------------------

/// Returns the book with its quote balance moved so that its end-level equity is about
/// `-u * (mark_to_market - end_equity)`: 0 < u < 1 gives an account under water at the end
/// level but solvent (MtM > 0), u > 1 an insolvent one.
fn with_end_equity(book: &Book, u: f64) -> Option<(Book, MarginSummary)> {
    let m = book.margin();
    // MtM - E_end = haircuts + end add-on, independent of the quote balance
    let gap = ff(m.mark_to_market) - ff(m.end.equity);
    if gap < 1e8 {
        return None; // too small against the LOT granularity of the quote balance
    }
    let target = -u * gap;
    let shift = target - ff(m.end.equity);
    let lots = (shift / LOT as f64).round() as i128;
    let mut b = book.clone();
    b.quote_balance += lots * LOT as i128;
    let m = b.margin();
    Some((b, m))
}

/// What the liquidated account keeps after a slice of `f` (any 12-decimal fraction), with the
/// roundings of docs/protocol.md section 7 (in its favour): every short `contracts -
/// ceil(f contracts)`, every collateral amount `amount - floor(f amount)`, the quote balance
/// `q - floor(f q)` (a debt moves up: it keeps less of it), then `to_account` credited.
fn after_slice(book: &Book, f: Fixed, to_account: i128) -> Book {
    let f = f.raw();
    let one = FIXED_ONE;
    let mut b = book.clone();
    for p in &mut b.positions {
        let moved = (f as u128 * p.contracts as u128).div_ceil(one as u128);
        p.contracts -= moved as u64;
    }
    for c in &mut b.collaterals {
        let moved = f as u128 * c.amount as u128 / one as u128;
        c.amount -= moved as u64;
    }
    let moved = (f * book.quote_balance).div_euclid(one);
    b.quote_balance = book.quote_balance - moved + to_account;
    b
}

/// The bid inputs of an account, from its margin.
fn inputs_of(m: &MarginSummary, d: f64, fee_rate: f64) -> auction::BidInputs {
    auction::BidInputs {
        mark_to_market: m.mark_to_market,
        addon_maintenance: m.maintenance.addon,
        discount: fx(d),
        fee_rate: fx(fee_rate),
        fund_premium: Fixed::ONE,
    }
}

proptest! {
    #![proptest_config(pt_config(256))]

    /// (d) A bid of `bid_max_fraction` restores the end level, recomputed with
    /// `account_margin` on what the account keeps (`after_slice`, the protocol's roundings)
    /// plus what it receives (`to_account`): `equity(end) >= -tol`, where `tol` is
    /// `Book::rounding_tol`, the margin's own fixed-point allowance between an account and its
    /// scaled copy. No other slack: the payment's and fee's integer roundings (up to one quote
    /// native unit against the account, from the fee) are covered by `bid_max_fraction`
    /// itself, which asks for one unit above the end level.
    ///
    /// And for any fraction in (0, f_max] (indeed any in (0, 1]: the account never receives a
    /// negative amount and keeps at least `(1 - f)` of its book) the recomputed `equity(end)`
    /// is not below the one before, up to `tol` (PROTOCOL invariant 4).
    #[test]
    fn bid_max_fraction_restores_the_end_level(
        book in books(2, 12),
        u in prop_oneof![3 => 0.05f64..0.95, 1 => 1.05f64..3.0],
        d in prop_oneof![1 => Just(0.0f64), 4 => 0.0f64..0.9, 1 => Just(1.0)],
        fee_rate in prop_oneof![Just(0.0f64), 0.0f64..0.05],
        partial in 1i128..=FIXED_ONE,
    ) {
        let Some((book, m)) = with_end_equity(&book, u) else { return Ok(()); };
        prop_assume!(m.end.equity.is_negative());
        let e = m.end.equity;
        let inputs = inputs_of(&m, d, fee_rate);
        let f = auction::bid_max_fraction(&inputs, e).unwrap();
        prop_assert!(f.is_positive() && f <= Fixed::ONE, "fraction {:?}", f);
        let net = auction::whole_account_net(&inputs).unwrap();
        if !m.mark_to_market.is_positive() {
            prop_assert_eq!(net, Fixed::ZERO, "an insolvent account has a positive net");
            prop_assert_eq!(f, Fixed::ONE, "an insolvent account must go whole");
        }
        let tol = book.rounding_tol();
        let s = auction::slice_settlement(&inputs, f).unwrap();
        let after = after_slice(&book, f, s.to_account);
        let eq = after.margin().end.equity;
        prop_assert!(
            eq.raw() >= -tol,
            "end equity {:?} < -tol ({} raw) after a bid of f_max = {:?} (E = {:?}, P = {:?}, {:?})",
            eq, tol, f, e, net, s
        );
        // f is not excessive: below 1 it is the smallest 12-decimal fraction with
        // (1 - f)(E - 1) + f (P - 1) >= 0 (checked exactly, at 10^-24 units)
        if f < Fixed::ONE {
            let unit = FIXED_ONE;
            let lhs = |f: i128| (FIXED_ONE - f) * (e.raw() - unit) + f * (net.raw() - unit);
            prop_assert!(lhs(f.raw()) >= 0 && lhs(f.raw() - 1) < 0, "f = {:?} is not the smallest", f);
        }
        // a partial bid of f * partial (rounded up, so in (0, f]) never lowers equity(end)
        let fp = Fixed::from_raw((f.raw() * partial + FIXED_ONE - 1) / FIXED_ONE);
        prop_assert!(fp.is_positive() && fp <= f);
        let sp = auction::slice_settlement(&inputs, fp).unwrap();
        let eq_p = after_slice(&book, fp, sp.to_account).margin().end.equity;
        prop_assert!(
            eq_p.raw() >= e.raw() - tol,
            "a bid of {:?} lowered the end equity: {:?} -> {:?} ({:?})", fp, e, eq_p, sp
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Insurance fund shares
// ---------------------------------------------------------------------------------------------

/// A fund state: quote up to 10^16 native units (10 billion USDC), shares up to about 10^3
/// times that (the initial price), with empty and share-less funds often.
fn fund_shares() -> impl Strategy<Value = FundShares> {
    let fund =
        prop_oneof![1 => Just(0u64), 4 => 0u64..=1_000_000_000, 4 => 0u64..=10_000_000_000_000_000];
    let shares = prop_oneof![1 => Just(0u64), 4 => 0u64..=1_000_000_000_000, 4 => 0u64..=10_000_000_000_000_000_000];
    (fund, shares).prop_map(|(fund, total_shares)| FundShares { fund, total_shares })
}

fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![1 => Just(0u64), 3 => 0u64..=1_000_000, 3 => 0u64..=1_000_000_000_000_000]
}

/// `floor(a * b / c)` exactly (all of them below 2^64 + 2^10, so the product fits u128), or
/// None when it leaves u64.
fn mul_div_ref(a: u64, b: u128, c: u128) -> Option<u64> {
    u64::try_from(a as u128 * b / c).ok()
}

proptest! {
    #![proptest_config(pt_config(2000))]

    /// (e) Share accounting: the value of all shares never exceeds the fund; a stake mints
    /// exactly `floor(amount (S + V_S) / (fund + V_Q))` (an error only when that leaves u64),
    /// never lowers the value of existing holders' shares and costs the staker less than one
    /// share's price plus one unit; an unstake pays at most `min(value at request, value now)`
    /// and never lowers the remaining holders' value; fees (fund up) never lower and losses
    /// (fund down) never raise any holder's value.
    #[test]
    fn insurance_shares(
        fs in fund_shares(),
        holder in 0.0f64..=1.0,
        stake in amount(),
        unstaker in 0.0f64..=1.0,
        value_at_request in prop_oneof![Just(u64::MAX), amount()],
        change in amount(),
    ) {
        let (vs, vq) = (insurance::VIRTUAL_SHARES, insurance::VIRTUAL_QUOTE);
        let total = fs.value_of(fs.total_shares).unwrap();
        prop_assert!(total <= fs.fund, "all shares worth {} > fund {}", total, fs.fund);
        prop_assert_eq!(fs.value_of(0), Ok(0));
        if fs.total_shares < u64::MAX {
            prop_assert_eq!(fs.value_of(fs.total_shares + 1), Err(RiskError::Overflow));
        }
        let h = (fs.total_shares as f64 * holder) as u64;
        let before = fs.value_of(h).unwrap();

        // stake
        let minted = fs.shares_for_stake(stake);
        let expected = mul_div_ref(stake, fs.total_shares as u128 + vs, fs.fund as u128 + vq);
        prop_assert_eq!(minted.ok(), expected, "shares for {} in {:?}", stake, fs);
        if let Some(m) = expected {
            if let (Some(fund), Some(total_shares)) = (fs.fund.checked_add(stake), fs.total_shares.checked_add(m)) {
                let after = FundShares { fund, total_shares };
                let now = after.value_of(h).unwrap();
                prop_assert!(now >= before, "a stake of {} lowered a holder's value {} -> {}", stake, before, now);
                let got = after.value_of(m).unwrap();
                prop_assert!(got <= stake, "the staker's shares are worth {} > stake {}", got, stake);
                // stake - got < price + 1 = (fund' + V_Q) / (S' + V_S) + 1
                let s_v = total_shares as u128 + vs;
                prop_assert!(
                    (stake - got) as u128 * s_v < fund as u128 + vq + s_v,
                    "the staker lost {} (price {}/{})", stake - got, fund as u128 + vq, s_v
                );
            }
        }

        // unstake of part of the other holders' shares
        let u = ((fs.total_shares - h) as f64 * unstaker) as u64;
        let pay = fs.unstake_payout(u, value_at_request).unwrap();
        prop_assert!(pay <= value_at_request.min(fs.value_of(u).unwrap()), "payout {}", pay);
        let after = FundShares { fund: fs.fund - pay, total_shares: fs.total_shares - u };
        let now = after.value_of(h).unwrap();
        prop_assert!(now >= before, "an unstake of {} shares ({} paid) lowered a holder's value {} -> {}", u, pay, before, now);

        // fees and losses
        if let Some(fund) = fs.fund.checked_add(change) {
            let up = FundShares { fund, ..fs }.value_of(h).unwrap();
            prop_assert!(up >= before, "a fee of {} lowered a holder's value", change);
        }
        let down = FundShares { fund: fs.fund.saturating_sub(change), ..fs }.value_of(h).unwrap();
        prop_assert!(down <= before, "a loss of {} raised a holder's value", change);
    }
}

#[test]
fn surfaces_generated_here_validate() {
    // guards the generators: the margin properties above assume valid inputs
    let mut runner = proptest::test_runner::TestRunner::new(pt_config(256));
    runner
        .run(&underlying(), |u| {
            prop_assert_eq!(u.surface.validate(), Ok(()));
            prop_assert_eq!(u.params.validate(), Ok(()));
            Ok(())
        })
        .unwrap();
}
