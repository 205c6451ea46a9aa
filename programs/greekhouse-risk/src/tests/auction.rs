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

#[test]
fn payments() {
    let one = Fixed::ONE;
    let half = Fixed::from_raw(FIXED_ONE / 2);
    assert_eq!(
        solvent_price(Fixed::from_int(100), half, Fixed::from_raw(FIXED_ONE / 5)).unwrap(),
        Fixed::from_int(40)
    );
    assert_eq!(
        solvent_price(Fixed::from_int(-1), half, Fixed::ZERO).unwrap(),
        Fixed::ZERO
    );
    assert_eq!(
        solvent_price(one, Fixed::ZERO, Fixed::ZERO),
        Err(RiskError::InvalidFraction)
    );
    assert_eq!(
        insolvent_payment(Fixed::from_int(-10), Fixed::from_int(4), half, half).unwrap(),
        Fixed::from_int(6)
    );
    assert_eq!(
        insolvent_payment(Fixed::from_int(10), Fixed::from_int(4), half, half).unwrap(),
        Fixed::ZERO
    );
    assert_eq!(
        max_fraction(Fixed::from_int(-10), Fixed::from_int(30)).unwrap(),
        Fixed::from_raw(FIXED_ONE / 4)
    );
    assert_eq!(
        max_fraction(Fixed::from_int(-10), Fixed::ZERO).unwrap(),
        one
    );
    assert_eq!(
        max_fraction(Fixed::from_int(10), Fixed::ONE).unwrap(),
        Fixed::ZERO
    );
    let f = max_fraction(Fixed::from_int(-1), Fixed::from_int(2)).unwrap();
    assert_eq!(f.raw(), 333_333_333_334);
    assert_eq!(insolvent_k(&AuctionParams::DEFAULT, 1_800).unwrap(), half);
}
