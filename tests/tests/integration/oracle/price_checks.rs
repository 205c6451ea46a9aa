//! Price checks: staleness, confidence, no rollback, verification level.
use super::*;

#[test]
fn a_price_older_than_max_age_is_stale_and_exactly_max_age_passes() {
    each(&BOTH, |b| {
        let published = b.fresh();
        b.set(published);
        b.env.advance(30);
        expect_accepted(b);
        b.env.advance(1);
        expect_refused(b, E::OracleStale);
        // a newer price cures it
        let fresh = b.fresh();
        b.set(fresh);
        expect_accepted(b);
        if b.records() {
            assert_eq!(b.underlying_state().last_publish_time, fresh.publish_time);
        }
    });
}

#[test]
fn confidence_above_two_percent_is_refused_and_exactly_two_percent_passes() {
    each(&BOTH, |b| {
        let mut obs = b.fresh();
        let two_percent = obs.price as u64 * 200 / 10_000;
        assert_eq!(two_percent * 50, obs.price as u64, "exact 2 %");
        obs.conf = two_percent + 1;
        b.set(obs);
        expect_refused(b, E::OracleConfidenceTooWide);
        obs.conf = two_percent;
        b.set(obs);
        expect_accepted(b);
    });
}

#[test]
fn a_zero_or_negative_price_is_refused() {
    each(&BOTH, |b| {
        for price in [0, -1, -b.fresh().price] {
            let mut obs = b.fresh();
            obs.price = price;
            obs.conf = 0;
            b.set(obs);
            expect_refused(b, E::OracleNonPositivePrice);
        }
    });
}

#[test]
fn an_exponent_out_of_range_is_refused() {
    each(&BOTH, |b| {
        for expo in [1, 5, -19, -30] {
            let mut obs = b.fresh();
            obs.expo = expo;
            b.set(obs);
            expect_refused(b, E::OracleBadExponent);
        }
    });
}

#[test]
fn exponents_zero_and_minus_ten_are_accepted() {
    each(&BOTH, |b| {
        let whole = b.fresh().price / 100_000_000; // exponent -8 -> whole dollars
        b.env.advance(1);
        let mut obs = b.fresh();
        obs.price = whole;
        obs.conf = 0;
        obs.expo = 0;
        b.set(obs);
        let out = expect_accepted(b);
        if b.records() {
            assert_eq!(ev_prices(&out)[0].expo, 0);
        }

        b.env.advance(1);
        let mut obs = b.fresh();
        obs.price = whole * 10_000_000_000;
        obs.conf = obs.price as u64 / 1_000;
        obs.expo = -10;
        b.set(obs);
        let out = expect_accepted(b);
        if b.records() {
            assert_eq!(ev_prices(&out)[0].expo, -10);
            assert_eq!(b.underlying_state().last_expo, -10);
        }
    });
}

#[test]
fn an_older_publish_time_than_the_last_accepted_is_a_rollback() {
    each(&BOTH, |b| {
        b.env.advance(10);
        let t = b.fresh();
        b.set(t);
        b.record();
        assert_eq!(b.underlying_state().last_publish_time, t.publish_time);

        // a valid, fresh-enough (11 s old) price published one second earlier
        let mut older = t;
        older.publish_time -= 1;
        older.price -= older.price / 50;
        b.set(older);
        expect_refused(b, E::OracleRollback);

        // the same publish time passes a check; there is nothing new to record
        b.set(t);
        expect_accepted_again(b);
        assert_eq!(b.underlying_state().last_price, t.price);
    });
}

#[test]
fn a_publish_time_slightly_in_the_future_counts_as_fresh() {
    // Pyth publishers and the cluster clock drift: up to MAX_ORACLE_CLOCK_SKEW_SECS ahead is fine
    let skew = greekhouse::constants::MAX_ORACLE_CLOCK_SKEW_SECS;
    each(&BOTH, |b| {
        let mut ahead = b.fresh();
        ahead.publish_time += skew;
        b.set(ahead);
        let out = expect_accepted(b);
        if b.records() {
            assert_eq!(ev_prices(&out)[0].publish_time, ahead.publish_time);
            assert_eq!(b.underlying_state().last_publish_time, ahead.publish_time);
        }
        // it stays fresh until max_age after its publish time
        b.env.advance(skew + 30);
        expect_accepted_again(b);
        b.env.advance(1);
        expect_refused(b, E::OracleStale);
    });
}

#[test]
fn a_publish_time_far_in_the_future_is_refused_so_it_cannot_block_later_prices() {
    // accepted, a price dated far ahead would make every correctly dated price a rollback
    let skew = greekhouse::constants::MAX_ORACLE_CLOCK_SKEW_SECS;
    each(&BOTH, |b| {
        let now_obs = b.fresh();
        let mut ahead = now_obs;
        ahead.publish_time += skew + 1;
        b.set(ahead);
        expect_refused(b, E::OracleFromFuture);
        assert!(b.underlying_state().last_publish_time < ahead.publish_time);
        b.set(now_obs);
        expect_accepted(b);
    });
}

#[test]
fn checks_run_in_the_documented_order() {
    each(&BOTH, |b| {
        // non-positive before the exponent
        let mut obs = b.fresh();
        obs.price = 0;
        obs.expo = 3;
        b.set(obs);
        expect_refused(b, E::OracleNonPositivePrice);
        // exponent before staleness
        let mut obs = b.fresh();
        obs.expo = 3;
        obs.publish_time -= 1_000;
        b.set(obs);
        expect_refused(b, E::OracleBadExponent);
        // staleness before confidence
        let mut obs = b.fresh();
        obs.conf = obs.price as u64;
        obs.publish_time -= 1_000;
        b.set(obs);
        expect_refused(b, E::OracleStale);
    });
    // confidence before rollback
    each(&BOTH, |b| {
        b.env.advance(10);
        let t = b.fresh();
        b.set(t);
        expect_accepted(b);
        let mut obs = t;
        obs.publish_time -= 1;
        obs.conf = obs.price as u64;
        b.set(obs);
        expect_refused(b, E::OracleConfidenceTooWide);
    });
}

#[test]
fn a_refused_price_leaves_the_probe_without_effect() {
    each(&BOTH, |b| {
        let (oi, quote_before) = {
            let key = b.u.key;
            let u = b.env.underlying_ledger(&key);
            let q = b
                .writer
                .as_ref()
                .map(|w| w.account)
                .map(|k| b.env.writer_state(&k).quote_balance);
            (u.open_interest, q)
        };
        let series_before = b.env.underlying_ledger(&{ b.u.key }).series_count;
        let mut obs = b.fresh();
        obs.price = -5;
        b.set(obs);
        expect_refused(b, E::OracleNonPositivePrice);
        let key = b.u.key;
        assert_eq!(b.env.underlying_ledger(&key).series_count, series_before);
        assert_eq!(b.env.underlying_ledger(&key).open_interest, oi);
        if let Some(k) = b.writer.as_ref().map(|w| w.account) {
            assert_eq!(Some(b.env.writer_state(&k).quote_balance), quote_before);
        }
    });
}
