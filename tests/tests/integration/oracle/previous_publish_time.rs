//! The previous publish time of a pull update: the settlement price's straddle rule.
use super::*;

/// Both kinds give the previous update's publish time (settlement identifies the update at an
/// expiry by it): the pull message's `prev_publish_time`, the legacy account's `prev_timestamp`.
#[test]
fn both_kinds_carry_the_previous_publish_time() {
    let mut env = Env::new();
    let obs = PriceObservation {
        price: 150 * 100_000_000,
        conf: 150_000,
        expo: PYTH_EXPO,
        publish_time: 1_000,
    };
    let sol = env.underlying(&env.sol.key.clone());
    let a = pyth::price_update_v2_after(SOL_FEED_ID, obs, 977, VerificationLevel::Full);
    let p =
        greekhouse::oracle::parse_oracle_account(&sol, &env.sol.oracle, &a.owner, &a.data).unwrap();
    assert_eq!((p.publish_time, p.prev_publish_time), (1_000, 977));
    let btc = env.underlying(&env.btc.key.clone());
    let a = pyth::legacy_price_after(env.legacy_oracle_program, obs, 990, PriceStatus::Trading);
    let p =
        greekhouse::oracle::parse_oracle_account(&btc, &env.btc.oracle, &a.owner, &a.data).unwrap();
    assert_eq!((p.publish_time, p.prev_publish_time), (1_000, 990));
}
