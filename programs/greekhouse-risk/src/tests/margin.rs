//! Unit tests of `margin.rs` (host only; f64 references live here, never in the on-chain code).

use super::*;
use crate::{TenorPoint, VolSurface};

const ONE: i128 = FIXED_ONE;

fn surface(atm_pct: i128) -> VolSurface {
    let mut s = VolSurface::default();
    s.tenors[0] = TenorPoint {
        seconds: 7 * 86_400,
        atm_vol: Fixed::from_raw(atm_pct * ONE / 100),
    };
    s.tenors[1] = TenorPoint {
        seconds: 90 * 86_400,
        atm_vol: Fixed::from_raw((atm_pct - 5) * ONE / 100),
    };
    s.tenor_count = 2;
    s.skew = Fixed::from_raw(-ONE / 10);
    s.smile = Fixed::from_raw(ONE / 2);
    s.min_vol = Fixed::from_raw(ONE / 10);
    s
}

fn underlying(spot: i128) -> UnderlyingRisk {
    UnderlyingRisk {
        spot: Fixed::from_raw(spot),
        conf: Fixed::from_raw(spot / 1000),
        surface: surface(70),
        surface_stale_secs: 0,
        realized_vol: Fixed::ZERO,
        rate: Fixed::from_raw(ONE / 20),
        params: MarginParams::DEFAULT,
    }
}

fn put(strike: i128, days: i128, contracts: u64) -> PositionRisk {
    PositionRisk {
        underlying: 0,
        kind: OptionKind::Put,
        strike: Fixed::from_raw(strike),
        time_years: Fixed::from_raw(days * ONE / 365),
        contracts,
        contract_size: Fixed::ONE,
        side: crate::margin::Side::Short,
        american: false,
    }
}

/// `value(S (1 + s), sigma * (1 + v f(T))) - liability` of the long book by the public
/// `bs::price` (sticky strike; `f(T) = min(4, sqrt(30 d / T))`, the default term factor).
fn full_loss_public(u: &UnderlyingRisk, ps: &[PositionRisk], s: Fixed, v: Fixed) -> i128 {
    let mut loss = 0i128;
    for p in ps {
        let vol = u.surface.vol(p.strike, u.spot, p.time_years).unwrap();
        let q = p.contracts as i128 * p.contract_size.raw();
        let at = |spot: Fixed, vol: Fixed| {
            bs::price(&BsInput {
                kind: p.kind,
                spot,
                strike: p.strike,
                vol,
                time_years: p.time_years,
                rate: u.rate,
            })
            .unwrap()
            .raw()
        };
        let t = p.time_years.raw() as f64 / 1e12;
        let f = ((30.0 / 365.0) / t).sqrt().min(4.0);
        let m = 1.0 + v.raw() as f64 / 1e12 * f;
        let shocked = at(s, Fixed::from_raw((vol.raw() as f64 * m).ceil() as i128));
        loss += (shocked - at(u.spot, vol)) * q / ONE;
    }
    loss
}

use crate::BsInput;

/// Short far-out-of-the-money puts near expiry: the expansion understates the loss at -h;
/// both add-ons are the full revaluation there (no requirement uses the expansion).
#[test]
#[allow(clippy::float_arithmetic)]
fn addons_are_the_full_revaluation() {
    let spot = 150 * ONE;
    let mut u = underlying(spot);
    // the box alone (the tail, which raises IM for these wings, has its own tests)
    u.params.tail_weight = Fixed::ZERO;
    let ps = [put(120 * ONE, 3, 100), put(125 * ONE, 2, 50)];
    let unds = [u];
    let acct = AccountRisk {
        quote_balance: 0,
        collaterals: &[],
        positions: &ps,
        underlyings: &unds,
    };
    let m = account_margin(&acct, &MarginConfig::DEFAULT).unwrap();
    let gap = expansion_gap(&acct, 0, Level::Initial).unwrap();
    // the expansion understates materially here
    assert!(gap.worst_understatement.is_positive(), "{gap:?}");
    // shocked spot as the margin widens it: h + conf/S = 0.2 + 0.001
    let s_dn = Fixed::from_raw(spot - spot * 201 / 1000);
    let full = full_loss_public(&u, &ps, s_dn, u.params.initial.vol_shock);
    let addon_im = m.underlyings[0].addon_initial.raw();
    // the public price rounds each vol and price to the last place: allow a relative 1e-9
    assert!(
        addon_im >= full - full / 1_000_000_000,
        "IM add-on {addon_im} below full revaluation {full}"
    );
    // and not above it by more than the fast evaluator's allowance and rounding
    assert!(addon_im <= full + full / 10_000, "{addon_im} vs {full}");
    let s_dn = Fixed::from_raw(spot - spot * 121 / 1000);
    let full = full_loss_public(&u, &ps, s_dn, u.params.maintenance.vol_shock);
    let addon_mm = m.underlyings[0].addon_maintenance.raw();
    assert!(
        addon_mm >= full - full / 1_000_000_000,
        "MM {addon_mm} < {full}"
    );
    assert!(addon_mm <= full + full / 10_000, "{addon_mm} vs {full}");
    let grid_worst = gap
        .expansion_loss
        .iter()
        .flatten()
        .map(|x| x.raw())
        .max()
        .unwrap();
    assert!(addon_im > grid_worst);
    // levels are ordered
    assert!(m.initial.requirement >= m.end.requirement);
    assert!(m.end.requirement >= m.maintenance.requirement);
    assert!(m.maintenance.requirement >= m.liability);
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    fn pick(&mut self, xs: &[i128]) -> i128 {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    /// `normal` most of the time, one of `EXTREMES` one time in eight.
    fn mostly(&mut self, normal: &[i128]) -> i128 {
        if self.next().is_multiple_of(8) {
            self.pick(&EXTREMES)
        } else {
            self.pick(normal)
        }
    }
}

const EXTREMES: [i128; 11] = [
    i128::MIN,
    -ONE,
    -1,
    0,
    1,
    ONE / 1000,
    ONE,
    150 * ONE,
    95_000_000_000 * ONE,
    i128::MAX / ONE,
    i128::MAX,
];

/// The inline accumulation paths against the generic 256-bit product.
#[test]
fn acc_matches_wide_products() {
    let mut rng = Lcg(77);
    let mut sum: U256 = [0; 4];
    let mut want: U256 = [0; 4];
    let wide_val = |r: &mut Lcg| {
        let bits = r.next() % 128;
        ((r.next() as u128) << 64 | r.next() as u128) >> (127 - bits)
    };
    for i in 0..20_000 {
        let a = wide_val(&mut rng);
        let q = if i % 5 == 0 {
            wide_val(&mut rng) >> 28
        } else {
            wide_val(&mut rng) >> 64
        };
        acc(&mut sum, a, &Qty::new(q)).unwrap();
        wide::add_assign(&mut want, &wide::mul_128x128(a, q)).unwrap();
        assert_eq!(sum, want, "{a} {q}");
    }
    // the shocked-price path (a 64-bit value, usually below 2^32)
    let mut sum: U256 = [0; 4];
    let mut want: U256 = [0; 4];
    for i in 0..20_000 {
        let a = rng.next() >> (rng.next() % 64);
        let a = if i % 3 == 0 { a >> 31 } else { a };
        let q = if i % 7 == 0 {
            wide_val(&mut rng) >> 28
        } else {
            wide_val(&mut rng) >> 64
        };
        acc_q32(&mut sum, a, &Qty::new(q)).unwrap();
        wide::add_assign(&mut want, &wide::mul_128x128(a as u128, q)).unwrap();
        assert_eq!(sum, want, "{a} {q}");
    }
    let mut s: U256 = [u64::MAX, u64::MAX, u64::MAX, 0];
    acc_q32(&mut s, u32::MAX as u64, &Qty::new(u64::MAX as u128)).unwrap();
    let mut w: U256 = [u64::MAX, u64::MAX, u64::MAX, 0];
    wide::add_assign(
        &mut w,
        &wide::mul_128x128(u32::MAX as u128, u64::MAX as u128),
    )
    .unwrap();
    assert_eq!(s, w);
    // carries through every limb
    let mut s: U256 = [u64::MAX, u64::MAX, u64::MAX, 0];
    acc(&mut s, (1u128 << 95) + 3, &Qty::new(u64::MAX as u128)).unwrap();
    let mut w: U256 = [u64::MAX, u64::MAX, u64::MAX, 0];
    wide::add_assign(
        &mut w,
        &wide::mul_128x128((1u128 << 95) + 3, u64::MAX as u128),
    )
    .unwrap();
    assert_eq!(s, w);
}

/// Garbage and extreme inputs return a value or an error, never panic.
#[test]
fn extreme_inputs_never_panic() {
    let mut rng = Lcg(5);
    let (mut ok, mut ok_gap) = (0u32, 0u32);
    for _ in 0..20_000 {
        let mut u =
            underlying(rng.mostly(&[ONE / 10, 150 * ONE, 95_000 * ONE, 95_000_000_000 * ONE]));
        u.conf = Fixed::from_raw(rng.mostly(&[0, ONE / 100]));
        u.rate = Fixed::from_raw(rng.mostly(&[0, ONE / 20, ONE]));
        u.surface_stale_secs = rng.pick(&[0, 0, 60, 86_400, u64::MAX as i128]) as u64;
        if rng.next().is_multiple_of(4) {
            u.surface.tenors[0].atm_vol = Fixed::from_raw(rng.mostly(&[ONE / 100, 5 * ONE]));
        }
        let mut ps = [put(0, 0, 0); 4];
        for p in ps.iter_mut() {
            *p = PositionRisk {
                underlying: (rng.next() % 3) as u8 % 2,
                kind: if rng.next().is_multiple_of(2) {
                    OptionKind::Call
                } else {
                    OptionKind::Put
                },
                strike: Fixed::from_raw(rng.mostly(&[ONE / 100, ONE, 100 * ONE, 120_000 * ONE])),
                time_years: Fixed::from_raw(rng.mostly(&[
                    -ONE,
                    0,
                    1,
                    ONE / 100_000,
                    ONE,
                    50 * ONE,
                ])),
                contracts: rng.pick(&[0, 1, 1000, 1_000_000_000, u64::MAX as i128]) as u64,
                contract_size: Fixed::from_raw(rng.mostly(&[ONE, ONE / 100, 1_000_000 * ONE])),
                side: crate::margin::Side::Short,
                american: false,
            };
        }
        let c = CollateralRisk {
            amount: rng.pick(&[0, 1, 1_000_000, u64::MAX as i128]) as u64,
            price: Fixed::from_raw(rng.mostly(&[0, ONE, 150 * ONE])),
            conf: Fixed::from_raw(rng.mostly(&[0, ONE / 100])),
            init_weight: Fixed::from_raw(rng.mostly(&[0, ONE / 2])),
            maint_weight: Fixed::from_raw(rng.mostly(&[ONE / 2, ONE])),
            linked_underlying: [None, Some(0), Some(1), Some(7)][(rng.next() % 4) as usize],
        };
        let unds = [u, underlying(150 * ONE)];
        let cs = [c];
        let acct = AccountRisk {
            quote_balance: rng.mostly(&[-1_000_000, 0, 1_000_000_000]),
            collaterals: &cs,
            positions: &ps,
            underlyings: &unds,
        };
        let cfg = MarginConfig {
            conf_multiplier: Fixed::from_raw(rng.mostly(&[0, ONE, 10 * ONE])),
            end_buffer: Fixed::from_raw(rng.mostly(&[0, ONE / 2, ONE])),
            greeks: rng.next().is_multiple_of(2),
        };
        ok += account_margin(&acct, &cfg).is_ok() as u32;
        ok_gap += expansion_gap(&acct, 0, Level::Maintenance).is_ok() as u32;
    }
    std::println!("extreme inputs: {ok} margins and {ok_gap} gaps computed of 20,000");
    assert!(ok > 2000 && ok_gap > 2000);
}
