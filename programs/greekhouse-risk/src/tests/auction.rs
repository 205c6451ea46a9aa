//! Unit tests of `auction.rs` (host only; f64 references live here, never in the on-chain code).

use super::*;

#[test]
fn curve() {
    let p = AuctionParams::DEFAULT;
    p.validate().unwrap();
    assert_eq!(
        discount(&p, 0, None).unwrap(),
        (Fixed::ZERO, AuctionPhase::Fast)
    );
    assert_eq!(
        discount(&p, 300, None).unwrap().0,
        Fixed::from_raw(FIXED_ONE / 10)
    );
    assert_eq!(
        discount(&p, 600, None).unwrap(),
        (Fixed::from_raw(FIXED_ONE / 5), AuctionPhase::Slow)
    );
    assert_eq!(
        discount(&p, 600 + 10_800, None).unwrap().0,
        Fixed::from_raw(FIXED_ONE * 6 / 10)
    );
    assert_eq!(
        discount(&p, 600 + 21_600, None).unwrap(),
        (Fixed::ONE, AuctionPhase::Exhausted)
    );
    // slow phase compressed to the expiry
    assert_eq!(
        discount(&p, 600 + 50, Some(700)).unwrap().0,
        Fixed::from_raw(FIXED_ONE * 6 / 10)
    );
    assert_eq!(
        discount(&p, 700, Some(700)).unwrap(),
        (Fixed::ONE, AuctionPhase::Exhausted)
    );
    // expiry inside the fast phase: whole curve compressed into [0, E)
    let e = 22_200; // (F + S) = 22_200: E' = 111 -> fe = 3 s
    let _ = e;
    assert_eq!(
        discount(&p, 3, Some(111)).unwrap(),
        (Fixed::from_raw(FIXED_ONE / 5), AuctionPhase::Slow)
    );
    assert_eq!(discount(&p, 111, Some(111)).unwrap().0, Fixed::ONE);
    assert_eq!(discount(&p, 0, Some(0)).unwrap().0, Fixed::ONE);
}

fn int(x: i64) -> Fixed {
    Fixed::from_int(x)
}

/// `n / 10` as a `Fixed`.
fn tenths(n: i128) -> Fixed {
    Fixed::from_raw(n * FIXED_ONE / 10)
}

fn bid(mtm: Fixed, addon: Fixed, discount: Fixed, fee_rate: Fixed) -> BidInputs {
    BidInputs {
        mark_to_market: mtm,
        addon_maintenance: addon,
        discount,
        fee_rate,
        // k = 1 never binds (d <= 1): the discount alone, as before the premium cap
        fund_premium: Fixed::ONE,
    }
}

fn settle(payment: i128, fee: i128, to_account: i128, from_fund: i128) -> SliceSettlement {
    SliceSettlement {
        payment,
        fee,
        to_account,
        from_fund,
    }
}

#[test]
fn slice_settlement_hand_computed() {
    let half = tenths(5);
    // solvent account, d = 0: the bidder pays MtM * f
    let b = bid(int(100), int(30), Fixed::ZERO, Fixed::ZERO);
    assert_eq!(slice_settlement(&b, half), Ok(settle(50, 0, 50, 0)));
    assert_eq!(slice_settlement(&b, Fixed::ONE), Ok(settle(100, 0, 100, 0)));
    // with a 10 % fee on the add-on: ceil(0.5 * 0.1 * 30) = ceil(1.5) = 2
    let b = bid(int(100), int(30), Fixed::ZERO, tenths(1));
    assert_eq!(slice_settlement(&b, half), Ok(settle(50, 2, 48, 0)));
    // d = 1 with MtM > 0: MtM - (MtM + addon) = -addon, the fund pays f * addon; no fee
    let b = bid(int(100), int(30), Fixed::ONE, tenths(1));
    assert_eq!(slice_settlement(&b, half), Ok(settle(-15, 0, 0, 15)));
    // insolvent: -10 - 0.5 * (0 + 5) = -12.5; half of it is -6.25, rounded up to -6 (the fund
    // pays 6, rounded down)
    let b = bid(int(-10), int(5), half, Fixed::ZERO);
    assert_eq!(slice_settlement(&b, half), Ok(settle(-6, 0, 0, 6)));
    // insolvent at d = 0: the fund pays f * |MtM|
    let b = bid(int(-10), int(5), Fixed::ZERO, tenths(1));
    assert_eq!(slice_settlement(&b, half), Ok(settle(-5, 0, 0, 5)));
    // a solvent payment rounded up: f = 1/3 (12 decimals) of 10 - 0.2 * 10 = 8 is 2.666..
    let third = Fixed::from_raw(333_333_333_333);
    let b = bid(int(10), Fixed::ZERO, tenths(2), Fixed::ZERO);
    assert_eq!(slice_settlement(&b, third), Ok(settle(3, 0, 3, 0)));
    // the fee is capped by the payment: W = 100 - 0.1 * (100 + 400) = 50, fee 0.2 * 400 = 80
    let b = bid(int(100), int(400), tenths(1), tenths(2));
    assert_eq!(slice_settlement(&b, Fixed::ONE), Ok(settle(50, 50, 0, 0)));
    // ... and uncapped below it: fee 0.05 * 400 = 20
    let b = bid(
        int(100),
        int(400),
        tenths(1),
        Fixed::from_raw(FIXED_ONE / 20),
    );
    assert_eq!(slice_settlement(&b, Fixed::ONE), Ok(settle(50, 20, 30, 0)));
    // payment exactly 0 (W = 100 - 0.2 * 500): nothing moves
    let b = bid(int(100), int(400), tenths(2), tenths(1));
    assert_eq!(slice_settlement(&b, Fixed::ONE), Ok(settle(0, 0, 0, 0)));
    // the fee is zero whenever the fund pays
    let b = bid(int(1), int(400), tenths(9), Fixed::ONE);
    let s = slice_settlement(&b, half).unwrap();
    assert!(s.payment < 0 && s.fee == 0 && s.to_account == 0 && s.from_fund == -s.payment);
    // addon 0: a plain collateral sale at (1 - d)
    let b = bid(int(1_000), Fixed::ZERO, tenths(3), tenths(1));
    assert_eq!(slice_settlement(&b, half), Ok(settle(350, 0, 350, 0)));
}

/// The payment is the exact value rounded once: an exact integer product stays that integer
/// even when the whole-account value `W` is not on the 10^-12 grid. Here
/// `W = 5^36 * 10^-24 = 14.551915228366851806640625` and `f = 2^39 * 10^-12`, so `f W = 8`
/// exactly; rounding `W` up to the grid first would have given 9.
#[test]
fn payment_rounds_once() {
    let m = 14_551_915_228_382;
    let a = 596_278_130_993;
    let b = bid(
        Fixed::from_raw(m),
        Fixed::from_raw(a),
        Fixed::from_raw(1),
        Fixed::ZERO,
    );
    let f = Fixed::from_raw(1 << 39);
    assert_eq!(slice_settlement(&b, f), Ok(settle(8, 0, 8, 0)));
    // the fee too: ceil((1/3) (1/3) 10^13) with 12-decimal thirds is 1_111_111_111_109
    // (rounding f * rate up to the grid first would have given ..._110)
    let third = Fixed::from_raw(333_333_333_333);
    let b = bid(
        int(1_000_000_000_000_000),
        int(10_000_000_000_000),
        Fixed::ZERO,
        third,
    );
    let s = slice_settlement(&b, third).unwrap();
    assert_eq!(s.fee, 1_111_111_111_109);
}

/// Continuity at MtM = 0: one raw unit either side moves the payment by at most one unit.
#[test]
fn payment_is_continuous_at_zero() {
    let d = tenths(3);
    let addon = int(1_000);
    let f = Fixed::from_raw(123_456_789_012);
    let at = |mtm: i128| {
        slice_settlement(&bid(Fixed::from_raw(mtm), addon, d, Fixed::ZERO), f)
            .unwrap()
            .payment
    };
    // -f * d * addon = -37.0370367036, rounded up
    assert_eq!(at(0), -37);
    for eps in [1, 1_000, FIXED_ONE] {
        assert!((at(eps) - at(0)).abs() <= 1, "{eps}");
        assert!((at(-eps) - at(0)).abs() <= 1, "{eps}");
    }
}

#[test]
fn slice_settlement_errors_and_extremes() {
    let b = bid(int(100), int(30), tenths(2), tenths(1));
    for f in [
        Fixed::ZERO,
        Fixed::from_raw(-1),
        Fixed::from_raw(FIXED_ONE + 1),
    ] {
        assert_eq!(slice_settlement(&b, f), Err(RiskError::InvalidFraction));
    }
    for bad in [
        bid(int(100), int(-1), tenths(2), tenths(1)),
        bid(int(100), int(30), Fixed::from_raw(FIXED_ONE + 1), tenths(1)),
        bid(int(100), int(30), Fixed::from_raw(-1), tenths(1)),
        bid(int(100), int(30), tenths(2), Fixed::from_raw(FIXED_ONE + 1)),
        bid(int(100), int(30), tenths(2), Fixed::from_raw(-1)),
    ] {
        assert_eq!(
            slice_settlement(&bad, Fixed::ONE),
            Err(RiskError::InvalidAuctionParams)
        );
        assert_eq!(
            whole_account_net(&bad),
            Err(RiskError::InvalidAuctionParams)
        );
        assert_eq!(
            bid_max_fraction(&bad, int(-1)),
            Err(RiskError::InvalidAuctionParams)
        );
    }
    // i64::MAX quote units of MtM and of add-on: W = 0.4 * (2^63 - 1), rounded up
    let big = int(i64::MAX);
    let b = bid(big, big, tenths(3), Fixed::ONE);
    let s = slice_settlement(&b, Fixed::ONE).unwrap();
    assert_eq!(s.payment, 3_689_348_814_741_910_323);
    assert_eq!(s.fee, s.payment); // the fee (the whole add-on) is capped by the payment
    let b = bid(big.checked_neg().unwrap(), big, Fixed::ONE, Fixed::ONE);
    let s = slice_settlement(&b, Fixed::ONE).unwrap();
    assert_eq!(s.from_fund, 2 * i64::MAX as i128);
    // the whole raw range: no overflow anywhere
    let max = Fixed::from_raw(i128::MAX);
    let b = bid(max, max, Fixed::ONE, Fixed::ONE);
    assert_eq!(
        slice_settlement(&b, Fixed::ONE).unwrap().payment,
        -(i128::MAX / FIXED_ONE)
    );
    let b = bid(Fixed::from_raw(-i128::MAX), max, Fixed::ONE, Fixed::ONE);
    assert_eq!(
        slice_settlement(&b, Fixed::ONE).unwrap().from_fund,
        340_282_366_920_938_463_463_374_607
    );
    let b = bid(max, Fixed::ZERO, Fixed::ZERO, Fixed::ONE);
    assert_eq!(whole_account_net(&b), Ok(max));
}

#[test]
fn whole_account_net_and_max_fraction() {
    // P = max(W - fee_rate * addon, 0)
    let b = bid(int(100), int(20), Fixed::ZERO, Fixed::ZERO);
    assert_eq!(whole_account_net(&b), Ok(int(100)));
    let b = bid(int(100), int(20), Fixed::ZERO, tenths(1));
    assert_eq!(whole_account_net(&b), Ok(int(98)));
    let b = bid(int(100), int(20), Fixed::ONE, tenths(1));
    assert_eq!(whole_account_net(&b), Ok(Fixed::ZERO));
    let b = bid(int(-5), int(20), Fixed::ZERO, Fixed::ZERO);
    assert_eq!(whole_account_net(&b), Ok(Fixed::ZERO));
    // rounded down: 1 - (1/3) * 1e-12 * 1 unit... W = 1 raw - 1e-24 -> 0 raw
    let b = bid(
        Fixed::from_raw(1),
        Fixed::ZERO,
        Fixed::from_raw(1),
        Fixed::ZERO,
    );
    assert_eq!(whole_account_net(&b), Ok(Fixed::ZERO));

    // max_fraction: f = -E / (P - E), rounded up, capped at 1
    assert_eq!(
        max_fraction(int(-10), int(30)).unwrap(),
        Fixed::from_raw(FIXED_ONE / 4)
    );
    assert_eq!(max_fraction(int(-10), Fixed::ZERO).unwrap(), Fixed::ONE);
    assert_eq!(max_fraction(int(10), Fixed::ONE).unwrap(), Fixed::ZERO);
    let f = max_fraction(int(-1), int(2)).unwrap();
    assert_eq!(f.raw(), 333_333_333_334);

    // bid_max_fraction: max_fraction(E - 1, P - 1) (one unit for the fee's rounding)
    let b = bid(int(100), int(20), Fixed::ZERO, Fixed::ZERO);
    assert_eq!(bid_max_fraction(&b, int(-10)), Ok(tenths(1))); // 11 / (99 + 11)
    let b = bid(int(100), int(20), Fixed::ZERO, tenths(1));
    assert_eq!(
        bid_max_fraction(&b, int(-10)),
        Ok(Fixed::from_raw(101_851_851_852)) // 11 / (97 + 11), rounded up
    );
    // at or above the end level: nothing to take
    assert_eq!(bid_max_fraction(&b, Fixed::ZERO), Ok(Fixed::ZERO));
    assert_eq!(bid_max_fraction(&b, int(5)), Ok(Fixed::ZERO));
    // insolvent (P = 0), or P at most one unit: the whole account
    let b = bid(int(-5), int(20), tenths(5), tenths(1));
    assert_eq!(bid_max_fraction(&b, int(-30)), Ok(Fixed::ONE));
    let b = bid(int(1), Fixed::ZERO, Fixed::ZERO, Fixed::ZERO);
    assert_eq!(bid_max_fraction(&b, Fixed::from_raw(-1)), Ok(Fixed::ONE));
    // a restoring bid exists: the account's equity after f is (1 - f) E + to_account >= 0
    let b = bid(
        int(1_000),
        int(300),
        tenths(2),
        Fixed::from_raw(FIXED_ONE / 50),
    );
    let e = int(-250);
    let f = bid_max_fraction(&b, e).unwrap();
    assert!(f.is_positive() && f < Fixed::ONE);
    let s = slice_settlement(&b, f).unwrap();
    let kept = Fixed::ONE.checked_sub(f).unwrap();
    let after = kept
        .checked_mul(e, crate::Rounding::Down)
        .unwrap()
        .checked_add(int(s.to_account as i64))
        .unwrap();
    assert!(!after.is_negative(), "{after}");
}

#[test]
fn keeper_tips() {
    let limits = TipLimits {
        tip_max: 1_000,
        dust_min: 100,
        quote_balance: 1_000_000,
    };
    let rate = Fixed::from_raw(FIXED_ONE / 1_000); // 10 bps
                                                   // ceil(0.001 * 150_000.5) = ceil(150.0005) = 151
    let addon = Fixed::from_raw(150_000 * FIXED_ONE + FIXED_ONE / 2);
    assert_eq!(keeper_tip(addon, rate, &limits), Ok(151));
    // dust: below dust_min no tip at all; at dust_min the tip is paid
    assert_eq!(keeper_tip(int(99), Fixed::ONE, &limits), Ok(0));
    assert_eq!(
        keeper_tip(Fixed::from_raw(100 * FIXED_ONE - 1), Fixed::ONE, &limits),
        Ok(0)
    );
    assert_eq!(keeper_tip(int(100), Fixed::ONE, &limits), Ok(100));
    // the cap
    assert_eq!(keeper_tip(int(10_000_000), rate, &limits), Ok(1_000));
    // only from a positive quote balance, never creating debt
    let poor = TipLimits {
        quote_balance: 40,
        ..limits
    };
    assert_eq!(keeper_tip(addon, rate, &poor), Ok(40));
    let debtor = TipLimits {
        quote_balance: -5_000,
        ..limits
    };
    assert_eq!(keeper_tip(addon, rate, &debtor), Ok(0));
    // a zero rate, a zero cap
    assert_eq!(keeper_tip(addon, Fixed::ZERO, &limits), Ok(0));
    let capped = TipLimits {
        tip_max: 0,
        ..limits
    };
    assert_eq!(keeper_tip(addon, rate, &capped), Ok(0));
    // invalid inputs
    assert_eq!(
        keeper_tip(addon, Fixed::from_raw(FIXED_ONE + 1), &limits),
        Err(RiskError::InvalidAuctionParams)
    );
    assert_eq!(
        keeper_tip(int(-1), rate, &limits),
        Err(RiskError::InvalidAuctionParams)
    );
    // an i64::MAX add-on at 100 %: capped, no overflow
    let rich = TipLimits {
        tip_max: i128::MAX,
        dust_min: 0,
        quote_balance: i128::MAX,
    };
    assert_eq!(
        keeper_tip(int(i64::MAX), Fixed::ONE, &rich),
        Ok(i64::MAX as i128)
    );
}
