use super::governance::*;
use crate::prelude::Pubkey;
use crate::state::{CollateralWeights, GovValue, StoredTailAndSize};
use crate::state::{GlobalParams, OracleConfig, SeriesRules, StoredLevel, StoredMarginParams};

fn margin() -> StoredMarginParams {
    StoredMarginParams {
        initial: StoredLevel {
            spot_shock_bps: 2_000,
            vol_shock_bps: 5_000,
            floor_bps: 200,
            _reserved: 0,
        },
        maintenance: StoredLevel {
            spot_shock_bps: 1_200,
            vol_shock_bps: 3_000,
            floor_bps: 120,
            _reserved: 0,
        },
        vol_ref_secs: 2_592_000,
        vol_power_bps: 5_000,
        vol_term_cap_bps: 40_000,
        stale_vol_per_hour_bps: 500,
        stale_vol_cap_bps: 5_000,
        rate_bps: 0,
    }
}

fn oracle() -> OracleConfig {
    OracleConfig {
        oracle_program: Pubkey::new_from_array([1; 32]),
        feed: [7; 32],
        max_age_secs: 30,
        liq_max_age_secs: 120,
        max_conf_bps: 200,
        kind: 0,
        _padding: [0; 3],
    }
}

#[test]
fn higher_shocks_tighten_lower_loosen_mixed_loosens() {
    let old = GovValue::MarginParams(margin());
    let mut m = margin();
    m.initial.spot_shock_bps = 2_500;
    m.maintenance.floor_bps = 150;
    assert_eq!(
        classify(&old, &GovValue::MarginParams(m)).unwrap(),
        Class::Tightening
    );
    m.maintenance.vol_shock_bps = 2_900;
    assert_eq!(
        classify(&old, &GovValue::MarginParams(m)).unwrap(),
        Class::Loosening
    );
    let mut m = margin();
    m.rate_bps = 100; // neutral: loosening either way
    assert_eq!(
        classify(&old, &GovValue::MarginParams(m)).unwrap(),
        Class::Loosening
    );
}

#[test]
fn no_change_and_kind_mismatch_are_refused() {
    let old = GovValue::MarginParams(margin());
    assert!(classify(&old, &old).is_err());
    assert!(classify(&old, &GovValue::DepositCap(1)).is_err());
}

#[test]
fn oracle_identity_changes_loosen_shorter_ages_tighten() {
    let old = GovValue::OracleConfig(oracle());
    let mut o = oracle();
    o.max_age_secs = 20;
    o.max_conf_bps = 150;
    assert_eq!(
        classify(&old, &GovValue::OracleConfig(o)).unwrap(),
        Class::Tightening
    );
    o.feed = [8; 32];
    assert_eq!(
        classify(&old, &GovValue::OracleConfig(o)).unwrap(),
        Class::Loosening
    );
    let mut o = oracle();
    o.oracle_program = Pubkey::new_from_array([2; 32]);
    o.max_age_secs = 20;
    assert_eq!(
        classify(&old, &GovValue::OracleConfig(o)).unwrap(),
        Class::Loosening
    );
}

#[test]
fn weights_caps_and_keys() {
    let w = |i, m| {
        GovValue::CollateralWeights(CollateralWeights {
            init_weight_bps: i,
            maint_weight_bps: m,
        })
    };
    assert_eq!(
        classify(&w(8_000, 9_000), &w(7_000, 9_000)).unwrap(),
        Class::Tightening
    );
    assert_eq!(
        classify(&w(8_000, 9_000), &w(8_500, 9_000)).unwrap(),
        Class::Loosening
    );
    let cap = GovValue::DepositCap;
    assert_eq!(classify(&cap(100), &cap(60)).unwrap(), Class::Tightening);
    assert_eq!(classify(&cap(100), &cap(160)).unwrap(), Class::Loosening);
    let (a, b) = (Pubkey::new_from_array([1; 32]), Pubkey::default());
    // a guardian rotation removes the current guardian's veto: timelocked
    assert_eq!(
        classify(&GovValue::Guardian(a), &GovValue::Guardian(b)).unwrap(),
        Class::Loosening
    );
    assert_eq!(
        classify(&GovValue::Guardian(b), &GovValue::Guardian(a)).unwrap(),
        Class::Loosening
    );
    assert_eq!(
        classify(&GovValue::VolUpdater(b), &GovValue::VolUpdater(a)).unwrap(),
        Class::Tightening
    );
    let on = GovValue::UnderlyingEnabled;
    assert_eq!(classify(&on(false), &on(true)).unwrap(), Class::Loosening);
    assert_eq!(classify(&on(true), &on(false)).unwrap(), Class::Tightening);
}

#[test]
fn global_params_timelock_and_buffer_tighten_fees_loosen() {
    let old = GovValue::GlobalParams(GlobalParams::DEFAULT);
    let mut p = GlobalParams::DEFAULT;
    p.timelock_secs *= 2;
    p.end_buffer_bps += 1_000;
    assert_eq!(
        classify(&old, &GovValue::GlobalParams(p)).unwrap(),
        Class::Tightening
    );
    let mut p = GlobalParams::DEFAULT;
    p.write_fee_bps += 10;
    assert_eq!(
        classify(&old, &GovValue::GlobalParams(p)).unwrap(),
        Class::Loosening
    );
    let mut p = GlobalParams::DEFAULT;
    p.timelock_secs /= 2;
    assert_eq!(
        classify(&old, &GovValue::GlobalParams(p)).unwrap(),
        Class::Loosening
    );
}

#[test]
fn settlement_parameters_loosen_and_are_step_limited() {
    let old = GovValue::GlobalParams(GlobalParams::DEFAULT);
    for change in [
        |p: &mut GlobalParams| p.settlement.max_conf_bps *= 2,
        |p: &mut GlobalParams| p.settlement.debt_grace_secs *= 2,
        |p: &mut GlobalParams| p.settlement.backstop_window_secs *= 2,
        |p: &mut GlobalParams| p.settlement.backstop_min_price_bps *= 2,
    ] {
        let mut p = GlobalParams::DEFAULT;
        change(&mut p);
        let new = GovValue::GlobalParams(p);
        assert_eq!(classify(&old, &new).unwrap(), Class::Loosening);
        check_steps(&old, &new).unwrap();
    }
    // more than a factor of two in one change is refused
    let mut p = GlobalParams::DEFAULT;
    p.settlement.debt_grace_secs *= 3;
    assert!(check_steps(&old, &GovValue::GlobalParams(p)).is_err());
    p = GlobalParams::DEFAULT;
    p.settlement.max_conf_bps *= 3;
    assert!(check_steps(&old, &GovValue::GlobalParams(p)).is_err());
}

#[test]
fn a_tighter_settlement_confidence_or_fund_premium_tightens() {
    let old = GovValue::GlobalParams(GlobalParams::DEFAULT);
    for change in [
        |p: &mut GlobalParams| p.settlement.max_conf_bps /= 2,
        |p: &mut GlobalParams| p.liquidation.fund_premium_bps /= 2,
    ] {
        let mut p = GlobalParams::DEFAULT;
        change(&mut p);
        let new = GovValue::GlobalParams(p);
        assert_eq!(classify(&old, &new).unwrap(), Class::Tightening);
        check_steps(&old, &new).unwrap();
    }
    // a larger fund premium pays bidders more from the fund: loosening, factor-2 steps
    let mut p = GlobalParams::DEFAULT;
    p.liquidation.fund_premium_bps *= 2;
    let new = GovValue::GlobalParams(p);
    assert_eq!(classify(&old, &new).unwrap(), Class::Loosening);
    check_steps(&old, &new).unwrap();
    p.liquidation.fund_premium_bps += 1;
    assert!(check_steps(&old, &GovValue::GlobalParams(p)).is_err());
}

#[test]
fn series_rules_always_loosen() {
    let r = SeriesRules {
        expiry_interval_secs: 86_400,
        expiry_offset_secs: 28_800,
        max_horizon_secs: 31_536_000,
        strike_band_bps: 5_000,
        strike_tick: 1_000_000,
        contract_size: 1_000_000,
    };
    let mut n = r;
    n.strike_band_bps = 4_000;
    assert_eq!(
        classify(&GovValue::SeriesRules(r), &GovValue::SeriesRules(n)).unwrap(),
        Class::Loosening
    );
}

#[test]
fn factor_and_absolute_steps() {
    let s = Step::Factor { min_abs: 10 };
    assert!(within_step(100, 200, s));
    assert!(!within_step(100, 201, s));
    assert!(within_step(100, 50, s));
    assert!(!within_step(100, 49, s));
    assert!(within_step(0, 10, s));
    assert!(!within_step(0, 11, s));
    assert!(within_step(5, 0, s));
    assert!(within_step(1_000, 3_000, Step::Abs(2_000)));
    assert!(!within_step(1_000, 3_001, Step::Abs(2_000)));
    assert!(within_step(1, i128::from(u64::MAX), Step::Free));
}

#[test]
fn steps_are_checked_per_field_in_both_directions() {
    let old = GovValue::MarginParams(margin());
    let mut m = margin();
    m.initial.spot_shock_bps = 4_000; // doubled: one step
    assert!(check_steps(&old, &GovValue::MarginParams(m)).is_ok());
    m.initial.spot_shock_bps = 4_001;
    assert!(check_steps(&old, &GovValue::MarginParams(m)).is_err());
    let mut m = margin();
    m.maintenance.spot_shock_bps = 599; // below half
    assert!(check_steps(&old, &GovValue::MarginParams(m)).is_err());
    let w = |i, m| {
        GovValue::CollateralWeights(CollateralWeights {
            init_weight_bps: i,
            maint_weight_bps: m,
        })
    };
    assert!(check_steps(&w(8_000, 9_000), &w(6_000, 9_000)).is_ok());
    assert!(check_steps(&w(8_000, 9_000), &w(5_999, 9_000)).is_err());
    // huge caps do not overflow the factor rule
    let quarter = u64::MAX / 4;
    assert!(check_steps(
        &GovValue::DepositCap(quarter),
        &GovValue::DepositCap(quarter * 2)
    )
    .is_ok());
    assert!(check_steps(
        &GovValue::DepositCap(quarter),
        &GovValue::DepositCap(quarter * 2 + 1)
    )
    .is_err());
    assert!(check_steps(
        &GovValue::DepositCap(u64::MAX / 2 + 1),
        &GovValue::DepositCap(u64::MAX)
    )
    .is_ok());
}

#[test]
fn only_risk_parameters_and_deposit_caps_are_rate_limited() {
    assert!(rate_limited(&GovValue::MarginParams(margin())));
    assert!(rate_limited(&GovValue::CollateralWeights(
        CollateralWeights::default()
    )));
    assert!(rate_limited(&GovValue::DepositCap(0)));
    assert!(rate_limited(&GovValue::TailAndSize(
        StoredTailAndSize::default_params(1)
    )));
    assert!(!rate_limited(&GovValue::Guardian(Pubkey::default())));
    assert!(!rate_limited(&GovValue::UnderlyingEnabled(false)));
}

/// IM's tail weight and size charge up, or the liquidation capacity down, tighten; moving a
/// tail point either way loosens (one point, not a range: some books' IM falls); every field
/// is step-limited.
#[test]
fn tail_and_size_tighten_by_weight_charge_and_capacity_only() {
    let t = StoredTailAndSize::default_params(1_000_000);
    let v = |f: &dyn Fn(&mut StoredTailAndSize)| {
        let mut n = t;
        f(&mut n);
        GovValue::TailAndSize(n)
    };
    let old = GovValue::TailAndSize(t);
    let class = |new: &GovValue| classify(&old, new).unwrap();
    assert_eq!(
        class(&v(&|n| n.tail_weight_bps += 1_000)),
        Class::Tightening
    );
    assert_eq!(class(&v(&|n| n.size_charge_bps *= 2)), Class::Tightening);
    assert_eq!(class(&v(&|n| n.size_capacity /= 2)), Class::Tightening);
    assert_eq!(
        class(&v(&|n| {
            n.tail_weight_bps += 1_000;
            n.size_capacity /= 2
        })),
        Class::Tightening
    );
    assert_eq!(class(&v(&|n| n.tail_weight_bps -= 1_000)), Class::Loosening);
    assert_eq!(class(&v(&|n| n.size_capacity *= 2)), Class::Loosening);
    assert_eq!(class(&v(&|n| n.size_charge_bps = 0)), Class::Loosening);
    assert_eq!(class(&v(&|n| n.tail_down_bps += 500)), Class::Loosening);
    assert_eq!(class(&v(&|n| n.tail_up_bps -= 500)), Class::Loosening);
    // steps: the capacity at most halved, the weight by a quarter at most
    assert!(check_steps(&old, &v(&|n| n.size_capacity /= 2)).is_ok());
    assert!(check_steps(&old, &v(&|n| n.size_capacity /= 3)).is_err());
    assert!(check_steps(&old, &v(&|n| n.tail_weight_bps = 7_500)).is_ok());
    assert!(check_steps(&old, &v(&|n| n.tail_weight_bps = 7_501)).is_err());
}
