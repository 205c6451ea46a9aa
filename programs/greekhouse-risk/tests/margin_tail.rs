//! IM's extensions beyond the box.
//!
//! The extended (tail) scenario (docs/risk-model.md 6.9) against an f64 reference: a deep
//! out-of-the-money short is charged its weighted tail loss, a book whose tail stays below the
//! box is unchanged, weight zero turns it off, MM never moves, and out-of-bound parameters are
//! rejected.
//!
//! The size charge (6.10): nothing up to the liquidation capacity, then IM's add-on times
//! `1 + k (q - C) / C` (exactly, to rounding), capped; longs do not count; MM never moves; a
//! defined-risk book stays at its maximum loss however large; bad parameters are rejected.
//!
//! Floating point is fine here: test code only.

mod common;

use common::*;
use greekhouse_risk::margin::{self, MarginParams, MarginSummary};
use greekhouse_risk::{
    AccountRisk, Fixed, OptionKind, PositionRisk, RiskError, Side, UnderlyingRisk,
};
use proptest::prelude::*;

const DAY: i64 = 86_400;

fn flat(spot: f64, vol: f64, weight: f64) -> UnderlyingRisk {
    UnderlyingRisk {
        spot: fx(spot),
        conf: Fixed::ZERO,
        surface: surface(&[(30 * 86_400, vol)], 0.0, 0.0, 0.05),
        surface_stale_secs: 0,
        realized_vol: Fixed::ZERO,
        rate: Fixed::ZERO,
        params: MarginParams {
            tail_weight: fx(weight),
            ..MarginParams::DEFAULT
        },
    }
}

fn leg(side: Side, kind: OptionKind, strike: f64, seconds: i64, qty: f64) -> PositionRisk {
    PositionRisk {
        underlying: 0,
        kind,
        strike: fx(strike),
        time_years: years(seconds),
        contracts: (qty * 1000.0).round() as u64,
        contract_size: fx(0.001),
        side,
        american: false,
    }
}

fn account<'a>(u: &'a [UnderlyingRisk], p: &'a [PositionRisk]) -> AccountRisk<'a> {
    AccountRisk {
        quote_balance: 0,
        collaterals: &[],
        positions: p,
        underlyings: u,
    }
}

/// The margin of `positions` on a flat underlying with the tail at `weight`.
fn margin_at(spot: f64, vol: f64, weight: f64, positions: &[PositionRisk]) -> MarginSummary {
    let u = [flat(spot, vol, weight)];
    margin_of(&account(&u, positions))
}

/// The put strike of a given (positive) delta magnitude at zero rate.
fn put_strike(s: f64, vol: f64, t: f64, delta: f64) -> f64 {
    let (mut lo, mut hi) = (s * 0.01, s);
    for _ in 0..200 {
        let k = 0.5 * (lo + hi);
        if -bs_ref(OptionKind::Put, s, k, vol, t, 0.0).delta < delta {
            lo = k
        } else {
            hi = k
        }
    }
    0.5 * (lo + hi)
}

/// A 30-day and a 7-day 2-delta short put at spot 150 and 80 %: revalued at the tail (-33 %),
/// IM's add-on is the weighted tail loss (the f64 reference, to the fast evaluator's allowance)
/// and above the box's. (A 30-day 10-delta or a 1-day 5-delta put keeps its box add-on at the
/// default weight: docs/risk-model.md 6.9.)
#[test]
fn a_deep_out_of_the_money_put_is_charged_its_weighted_tail_loss() {
    let (s, vol) = (150.0, 0.8);
    for (days, delta) in [(30i64, 0.02), (7, 0.02)] {
        let t = days as f64 / 365.0;
        let k = (put_strike(s, vol, t, delta) * 100.0).round() / 100.0;
        let book = [leg(Side::Short, OptionKind::Put, k, days * DAY, 1.0)];
        let with = margin_at(s, vol, 0.5, &book);
        let box_only = margin_at(s, vol, 0.0, &book);
        let u = [flat(s, vol, 0.5)];
        let tail = tail_ref(&account(&u, &book), false);
        assert_eq!(
            tail,
            tail_ref(&account(&u, &book), true),
            "revalued exactly"
        );
        let got = ff(with.initial.addon);
        assert!(
            got >= tail - 1e-6,
            "{days} d: IM add-on {got} below the tail {tail}"
        );
        assert!(
            got <= tail + 1e-6 * s,
            "{days} d: IM add-on {got} above the tail {tail}"
        );
        assert!(got > ff(box_only.initial.addon), "{days} d: the tail binds");
        // MM, the liability and the collateral are untouched
        assert_eq!(with.maintenance, box_only.maintenance);
        assert_eq!(with.liability, box_only.liability);
    }
}

/// A 7-day at-the-money short put: its loss at -20 % is more than half its loss at -33 %, so
/// the weighted tail stays below the box and every figure is as with the tail off.
#[test]
fn a_book_whose_weighted_tail_is_below_the_box_is_unchanged() {
    let book = [leg(Side::Short, OptionKind::Put, 100.0, 7 * DAY, 1.0)];
    let u = [flat(100.0, 0.8, 0.5)];
    let tail = tail_ref(&account(&u, &book), true);
    let with = margin_at(100.0, 0.8, 0.5, &book);
    let off = margin_at(100.0, 0.8, 0.0, &book);
    assert!(tail < ff(off.initial.addon), "tail {tail} vs box {off:?}");
    assert_eq!(with, off);
}

/// Weight zero: the tail is off, whatever its shocks.
#[test]
fn the_tail_is_off_at_weight_zero() {
    let book = [leg(Side::Short, OptionKind::Put, 60.0, 30 * DAY, 1.0)];
    let mut u = flat(100.0, 0.8, 0.0);
    let off = margin_of(&account(&[u], &book));
    u.params.tail_down = fx(0.95);
    u.params.tail_up = fx(0.95);
    assert_eq!(margin_of(&account(&[u], &book)), off);
    u.params.tail_weight = fx(1.0);
    let on = margin_of(&account(&[u], &book));
    assert!(on.initial.addon > off.initial.addon, "{on:?}");
    assert_eq!(on.maintenance, off.maintenance);
}

/// A tail shock outside [0, 0.95] or a weight outside [0, 1] is rejected by `validate` and by
/// the margin itself.
#[test]
fn tail_parameters_out_of_bounds_are_rejected() {
    let p = MarginParams::DEFAULT;
    assert_eq!(p.validate(), Ok(()));
    let edge = MarginParams {
        tail_down: fx(0.95),
        tail_up: fx(0.95),
        tail_weight: fx(1.0),
        ..p
    };
    assert_eq!(edge.validate(), Ok(()));
    let off = MarginParams {
        tail_down: Fixed::ZERO,
        tail_up: Fixed::ZERO,
        tail_weight: Fixed::ZERO,
        ..p
    };
    assert_eq!(off.validate(), Ok(()));
    let bad = [
        MarginParams {
            tail_down: fx(0.950001),
            ..p
        },
        MarginParams {
            tail_up: fx(1.2),
            ..p
        },
        MarginParams {
            tail_down: fx(-0.1),
            ..p
        },
        MarginParams {
            tail_up: fx(-0.1),
            ..p
        },
        MarginParams {
            tail_weight: fx(1.000001),
            ..p
        },
        MarginParams {
            tail_weight: fx(-0.5),
            ..p
        },
    ];
    let book = [leg(Side::Short, OptionKind::Put, 90.0, 30 * DAY, 1.0)];
    for b in bad {
        assert_eq!(b.validate(), Err(RiskError::InvalidMarginParams), "{b:?}");
        let mut u = flat(100.0, 0.8, 0.5);
        u.params = b;
        let us = [u];
        let r = margin::account_margin(&account(&us, &book), &default_config());
        assert_eq!(r.err(), Some(RiskError::InvalidMarginParams));
    }
}

type RawLeg = (bool, bool, f64, usize, f64);

proptest! {
    #![proptest_config(pt_config(128))]

    /// For mixed books (shorts and longs, 1 hour to 60 days, wings to 50 % out of the money):
    /// MM, the liability and the mark-to-market never move with the tail, and IM only rises,
    /// more with a larger weight. (The tail's level against an f64 reference: `margin_v2.rs`
    /// for shorts with linked collateral, `margin_v3.rs` for books with longs.)
    #[test]
    fn the_tail_raises_im_only(
        vol in 0.3f64..2.0,
        weight in 0.05f64..=1.0,
        legs in proptest::collection::vec(
            (any::<bool>(), any::<bool>(), 0.5f64..1.5, 0usize..3, 0.1f64..5.0),
            1..=12,
        ),
    ) {
        let legs: Vec<RawLeg> = legs;
        let expiries = [3600, 7 * DAY, 60 * DAY];
        let book: Vec<PositionRisk> = legs
            .iter()
            .map(|&(long, call, k, e, q)| {
                let side = if long { Side::Long } else { Side::Short };
                let kind = if call { OptionKind::Call } else { OptionKind::Put };
                leg(side, kind, (k * 100.0).round(), expiries[e], q)
            })
            .collect();
        let on = margin_at(100.0, vol, weight, &book);
        let off = margin_at(100.0, vol, 0.0, &book);
        let full = margin_at(100.0, vol, 1.0, &book);
        prop_assert_eq!(on.maintenance, off.maintenance);
        prop_assert_eq!(on.liability, off.liability);
        prop_assert_eq!(on.mark_to_market, off.mark_to_market);
        prop_assert!(on.initial.requirement >= off.initial.requirement);
        prop_assert!(full.initial.requirement >= on.initial.requirement);
        prop_assert!(on.end.requirement >= off.end.requirement);
    }
}

/// A random book on a flat underlying at spot 100 for the deferral's equivalence: up to 16
/// legs (beyond the shorts an underlying defers), every tail shape and weight, with or without
/// SOL-like linked collateral and a size charge, at a zero or positive rate.
fn deferral_case() -> impl Strategy<Value = (UnderlyingRisk, Vec<PositionRisk>, u64)> {
    (
        (
            0.3f64..2.0,
            0.05f64..=1.0,
            0.2f64..0.95,
            0.2f64..0.95,
            any::<bool>(),
        ),
        (0u64..4, prop_oneof![Just(0.0), 0.1f64..10.0], 0.0f64..0.5),
        proptest::collection::vec(
            (
                any::<bool>(),
                any::<bool>(),
                0.4f64..1.6,
                0usize..4,
                0.1f64..5.0,
            ),
            1..=16,
        ),
    )
        .prop_map(|((vol, weight, down, up, rate), (coll, cap, k), legs)| {
            let mut u = flat(100.0, vol, weight);
            u.params.tail_down = fx(down);
            u.params.tail_up = fx(up);
            if rate {
                u.rate = fx(0.05);
            }
            if cap > 0.0 {
                u = sized(u, cap, k);
            }
            let expiries = [3600, 7 * DAY, 30 * DAY, 60 * DAY];
            let book = legs
                .iter()
                .map(|&(long, call, k, e, q)| {
                    let side = if long { Side::Long } else { Side::Short };
                    let kind = if call {
                        OptionKind::Call
                    } else {
                        OptionKind::Put
                    };
                    leg(side, kind, (k * 100.0).round(), expiries[e], q)
                })
                .collect();
            // linked collateral: none, or 1, 5, 25 units
            (u, book, [0, 1, 5, 25][coll as usize])
        })
}

/// Both margins of a deferral case: as computed, and with every tail revaluation run.
fn deferred_and_revalued(
    u: UnderlyingRisk,
    book: &[PositionRisk],
    linked_units: u64,
) -> (MarginSummary, MarginSummary) {
    let collateral = [greekhouse_risk::CollateralRisk {
        amount: linked_units * 1_000_000_000,
        price: fx(100.0e-9),
        conf: Fixed::ZERO,
        init_weight: fx(0.8),
        maint_weight: fx(0.9),
        linked_underlying: Some(0),
    }];
    let us = [u];
    let a = AccountRisk {
        collaterals: if linked_units == 0 { &[] } else { &collateral },
        ..account(&us, book)
    };
    (
        margin::account_margin(&a, &default_config()).unwrap(),
        margin::account_margin_revaluing_every_tail(&a, &default_config()).unwrap(),
    )
}

proptest! {
    #![proptest_config(pt_config(512))]

    /// The shorts' tail revaluations wait behind their slope bound and run only when it could
    /// bind (docs/risk-model.md 6.9): the margin is the same to the last unit as with every
    /// revaluation run, whether the tail binds or not.
    #[test]
    fn deferring_the_tails_revaluations_changes_nothing((u, book, linked) in deferral_case()) {
        let (deferred, revalued) = deferred_and_revalued(u, &book, linked);
        prop_assert_eq!(deferred, revalued);
    }
}

/// Both ways of the deferral, each the same as with every revaluation run: a short put near
/// the money beside a linked collateral whose box loss dominates the tail (the bound settles
/// it: IM's add-on is the box's), and a far wing whose tail binds (revalued: IM rises above the
/// box, by the exact tail).
#[test]
fn the_deferred_tail_is_settled_by_its_bound_or_revalued() {
    let near = [leg(Side::Short, OptionKind::Put, 95.0, 30 * DAY, 1.0)];
    let (deferred, revalued) = deferred_and_revalued(flat(100.0, 0.8, 0.5), &near, 25);
    assert_eq!(deferred, revalued);
    let (boxed, _) = deferred_and_revalued(flat(100.0, 0.8, 0.0), &near, 25);
    assert_eq!(deferred.initial, boxed.initial, "the tail does not bind");

    let wing = [leg(Side::Short, OptionKind::Put, 64.0, 7 * DAY, 1.0)];
    let (deferred, revalued) = deferred_and_revalued(flat(100.0, 0.8, 0.5), &wing, 0);
    assert_eq!(deferred, revalued);
    let (boxed, _) = deferred_and_revalued(flat(100.0, 0.8, 0.0), &wing, 0);
    assert!(
        deferred.initial.addon > boxed.initial.addon,
        "the tail binds: {:?} against the box's {:?}",
        deferred.initial.addon,
        boxed.initial.addon
    );
}

/// `u` with the size charge at capacity `c` units and charge `k`.
fn sized(mut u: UnderlyingRisk, c: f64, k: f64) -> UnderlyingRisk {
    u.params.size_capacity = fx(c);
    u.params.size_charge = fx(k);
    u
}

/// A 30-day 10 %-out-of-the-money short put book of `qty` units (contract size 0.001).
fn put_book(qty: f64) -> [PositionRisk; 1] {
    [leg(Side::Short, OptionKind::Put, 90.0, 30 * DAY, qty)]
}

/// Up to the capacity nothing changes; beyond it IM's add-on is multiplied by `1 + k (q - C)
/// / C` (to the rounding of one product); MM, the liability and the mark-to-market never move.
#[test]
fn the_size_charge_grows_im_beyond_the_liquidation_capacity() {
    let base = flat(100.0, 0.8, 0.5);
    for (qty, want_excess) in [(50.0, 0.0), (100.0, 0.0), (150.0, 0.25), (300.0, 1.0)] {
        let book = put_book(qty);
        let off = margin_of(&account(&[base], &book));
        let on = margin_of(&account(&[sized(base, 100.0, 0.5)], &book));
        let want = ff(off.initial.addon) * (1.0 + want_excess);
        let got = ff(on.initial.addon);
        assert!(
            (got - want).abs() <= 1e-9 * want.max(1.0),
            "{qty}: add-on {got}, want {want}"
        );
        assert!(got >= want, "{qty}: rounded against the clearing house");
        assert_eq!(on.maintenance, off.maintenance);
        assert_eq!(on.liability, off.liability);
        assert_eq!(on.mark_to_market, off.mark_to_market);
        assert!(on.end.requirement >= off.end.requirement);
    }
}

/// The factor's excess stops at 10, so a book a million times the capacity is charged 11
/// times its add-on and the margin does not fail (a naked call: no payoff cap); `k = 0` or
/// `C = 0` turn the charge off.
#[test]
fn the_size_charge_is_capped_and_can_be_turned_off() {
    let base = flat(100.0, 0.8, 0.5);
    let book = [leg(Side::Short, OptionKind::Call, 110.0, 30 * DAY, 1_000.0)];
    let off = margin_of(&account(&[base], &book));
    let huge = margin_of(&account(&[sized(base, 0.001, 0.5)], &book));
    let got = ff(huge.initial.addon) / ff(off.initial.addon);
    assert!((got - 11.0).abs() < 1e-9, "capped factor {got}");
    assert_eq!(
        margin_of(&account(&[sized(base, 0.001, 0.0)], &book)),
        off,
        "k = 0"
    );
    assert_eq!(
        margin_of(&account(&[sized(base, 0.0, 0.5)], &book)),
        off,
        "C = 0"
    );
    let p = MarginParams::DEFAULT;
    assert_eq!(
        margin::size_factor_excess(
            &MarginParams {
                size_capacity: fx(1.0),
                ..p
            },
            u128::MAX
        ),
        Ok(margin::MAX_SIZE_FACTOR_EXCESS)
    );
}

/// Longs do not count toward the size (a long is sold, not hedged), expired shorts neither; a
/// 140/130 put spread of ten times the capacity still needs at most its maximum loss.
#[test]
fn the_size_counts_live_shorts_and_a_spread_stays_at_its_maximum_loss() {
    let base = flat(150.0, 0.8, 0.5);
    let qty = 1_000.0;
    let spread = [
        leg(Side::Short, OptionKind::Put, 140.0, 7 * DAY, qty),
        leg(Side::Long, OptionKind::Put, 130.0, 7 * DAY, qty),
    ];
    let charged = margin_of(&account(&[sized(base, qty / 10.0, 1.0)], &spread));
    let max_loss = 10.0 * qty;
    assert!(
        ff(charged.initial.requirement) <= max_loss + 1e-6,
        "IM {} above the maximum loss {max_loss}",
        ff(charged.initial.requirement)
    );
    // the same spread under the capacity: only the short leg counts, so a capacity just at
    // the short units charges nothing
    let at = margin_of(&account(&[sized(base, qty, 1.0)], &spread));
    assert_eq!(at, margin_of(&account(&[base], &spread)));
    // an expired short does not count
    let expired = [
        leg(Side::Short, OptionKind::Put, 140.0, -DAY, qty),
        leg(Side::Short, OptionKind::Put, 90.0, 30 * DAY, 1.0),
    ];
    assert_eq!(
        margin_of(&account(&[sized(base, 1.0, 1.0)], &expired)),
        margin_of(&account(&[base], &expired))
    );
}

/// A capacity below zero or a charge outside [0, 10] is rejected by `validate` and the margin.
#[test]
fn size_parameters_out_of_bounds_are_rejected() {
    let p = MarginParams::DEFAULT;
    let edge = MarginParams {
        size_capacity: fx(1.0),
        size_charge: fx(10.0),
        ..p
    };
    assert_eq!(edge.validate(), Ok(()));
    let book = put_book(1.0);
    for b in [
        MarginParams {
            size_capacity: fx(-1.0),
            ..p
        },
        MarginParams {
            size_charge: fx(10.000001),
            ..p
        },
        MarginParams {
            size_charge: fx(-0.1),
            ..p
        },
    ] {
        assert_eq!(b.validate(), Err(RiskError::InvalidMarginParams), "{b:?}");
        let mut u = flat(100.0, 0.8, 0.5);
        u.params = b;
        let r = margin::account_margin(&account(&[u], &book), &default_config());
        assert_eq!(r.err(), Some(RiskError::InvalidMarginParams));
    }
}
