//! Both oracle kinds price a margin check.
use super::*;

#[test]
fn a_new_price_is_accepted_and_only_record_price_records_and_announces_it() {
    each(&BOTH, |b| {
        b.env.advance(10);
        let recorded0 = b.underlying_state();
        let mut obs = b.fresh();
        obs.price += obs.price / 100; // +1 %
        obs.conf = obs.price as u64 / 500; // 0.2 %
        b.set(obs);

        let out = expect_accepted(b);
        let u = b.underlying_state();
        if b.records() {
            let p = event::<OraclePriceAccepted>(&out);
            assert_eq!(p.underlying, b.u.key);
            assert_eq!(p.price, obs.price);
            assert_eq!(p.conf, obs.conf);
            assert_eq!(p.expo, obs.expo);
            assert_eq!(p.publish_time, obs.publish_time);
            assert_eq!(u.last_publish_time, obs.publish_time);
            assert_eq!(u.last_price, obs.price);
            assert_eq!(u.last_conf, obs.conf);
            assert_eq!(u.last_expo, obs.expo);
        } else {
            // a check reads the underlying without locking it, so it records nothing
            assert_eq!(u.last_publish_time, recorded0.last_publish_time);
            assert_eq!(u.last_price, recorded0.last_price);
        }
        // the same price again
        expect_accepted_again(b);
    });
}

#[test]
fn the_first_recording_of_an_underlying_is_announced() {
    for sol in BOTH {
        let mut b = OracleBench::new(sol, Probe::RecordPrice);
        assert_eq!(b.underlying_state().last_publish_time, 0);
        let out = expect_accepted(&mut b);
        let prices = ev_prices(&out);
        assert_eq!(prices.len(), 1);
        assert_eq!(prices[0].publish_time, b.env.now());
        assert_eq!(b.underlying_state().last_publish_time, b.env.now());
    }
}

#[test]
fn a_pull_update_in_any_receiver_account_with_the_feed_id_is_accepted() {
    each(&[SOL], |b| {
        b.env.advance(5);
        let obs = b.fresh();
        let elsewhere = Pubkey::new_unique();
        b.env
            .chain
            .set_account(&elsewhere, pull(SOL_FEED_ID, obs, VerificationLevel::Full));
        let out = b
            .run_with_oracle(elsewhere)
            .expect("any PriceUpdateV2 account");
        assert_probe_succeeded(b, &out);
        if b.records() {
            assert_eq!(ev_prices(&out)[0].publish_time, obs.publish_time);
        }
    });
}
