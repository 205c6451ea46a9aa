//! The Pyth adapter through real instructions: `create_series` (reads the underlying's oracle
//! for a risk-increasing action), a margin-checked `withdraw` (a writer short on the
//! underlying), both of which check the price without recording it, and `record_price`, which
//! records it; for both oracle kinds: SOL is priced by a pull `PriceUpdateV2`, BTC by a legacy
//! push price account.
//!
//! Each case runs for every (kind, probe) pair it applies to, each on a fresh environment.
use crate::harness;
use harness::ext_writer::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::errors::GreekhouseError as E;
use greekhouse_sdk::chain::TxOutcome;
use greekhouse_sdk::pyth::{self, PriceObservation};
use pyth_sdk_solana::state::PriceStatus;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;

const SOL: bool = true;
const BTC: bool = false;
const BOTH: [bool; 2] = [SOL, BTC];

/// Run `case` on a fresh bench for every kind in `kinds` and every probe.
fn each(kinds: &[bool], case: impl Fn(&mut OracleBench)) {
    for &sol in kinds {
        for probe in PROBES {
            // printed so a failure names its kind and probe
            println!(
                "case: {} via {probe:?}",
                if sol { "SOL (pull)" } else { "BTC (legacy)" }
            );
            let mut bench = OracleBench::new(sol, probe);
            case(&mut bench);
        }
    }
}

/// The success events of a probe, besides any `OraclePriceAccepted`.
#[track_caller]
fn assert_probe_succeeded(b: &OracleBench, out: &TxOutcome) {
    let names = event_names(out);
    match b.probe {
        Probe::CreateSeries => assert_eq!(names.last(), Some(&"SeriesCreated"), "{names:?}"),
        Probe::Withdraw => {
            assert_eq!(names.last(), Some(&"Withdrawn"), "{names:?}");
            assert!(event::<Withdrawn>(out).initial_equity_after.is_some());
        }
        Probe::RecordPrice => assert_eq!(names, vec!["OraclePriceAccepted"]),
    }
    if !b.records() {
        assert!(
            ev_prices(out).is_empty(),
            "only record_price announces: {names:?}"
        );
    }
}

/// Run the probe again on a price it already accepted: checking probes accept it again,
/// `record_price` refuses it (nothing new to record).
#[track_caller]
fn expect_accepted_again(b: &mut OracleBench) {
    if b.records() {
        expect_refused(b, E::PriceAlreadyRecorded);
    } else {
        expect_accepted(b);
    }
}

/// Run the probe; it must fail with `e` and leave the underlying's accepted price alone.
#[track_caller]
fn expect_refused(b: &mut OracleBench, e: E) {
    let before = b.underlying_state();
    expect_err(b.run(), e);
    let after = b.underlying_state();
    assert_eq!(after.last_publish_time, before.last_publish_time);
    assert_eq!(after.last_price, before.last_price);
}

#[track_caller]
fn expect_accepted(b: &mut OracleBench) -> TxOutcome {
    let out = b.run().expect("probe succeeds");
    assert_probe_succeeded(b, &out);
    out
}

/// Overwrite the oracle account with `account`.
fn put(b: &mut OracleBench, account: solana_account::Account) {
    let key = b.u.oracle;
    b.env.chain.set_account(&key, account);
}

/// The pull update for SOL with `obs`, `feed` and `level`.
fn pull(
    feed: [u8; 32],
    obs: PriceObservation,
    level: VerificationLevel,
) -> solana_account::Account {
    pyth::price_update_v2(feed, obs, level)
}

/// A legacy BTC account with `obs` and `status`.
fn legacy(b: &OracleBench, obs: PriceObservation, status: PriceStatus) -> solana_account::Account {
    pyth::legacy_price(b.env.legacy_oracle_program, obs, status)
}

// ================================================================ success

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

// ================================================================ account checks

#[test]
fn an_oracle_owned_by_another_program_is_refused() {
    each(&BOTH, |b| {
        let mut account = b.oracle_account();
        account.owner = Pubkey::new_unique();
        put(b, account);
        expect_refused(b, E::OracleWrongOwner);
    });
}

#[test]
fn the_owner_check_comes_first() {
    each(&BOTH, |b| {
        let account = solana_account::Account {
            lamports: 1_000_000,
            data: vec![0xAB; 64],
            owner: Pubkey::new_unique(),
            executable: false,
            rent_epoch: 0,
        };
        put(b, account);
        expect_refused(b, E::OracleWrongOwner);
    });
}

#[test]
fn a_pull_update_of_another_feed_is_refused() {
    each(&[SOL], |b| {
        let obs = b.fresh();
        put(b, pull([8u8; 32], obs, VerificationLevel::Full));
        expect_refused(b, E::OracleWrongFeedId);
    });
}

#[test]
fn a_partially_verified_pull_update_is_refused() {
    each(&[SOL], |b| {
        let obs = b.fresh();
        put(
            b,
            pull(
                SOL_FEED_ID,
                obs,
                VerificationLevel::Partial { num_signatures: 5 },
            ),
        );
        expect_refused(b, E::OraclePartialVerification);
        // the feed id is checked before the verification level
        put(
            b,
            pull(
                [8u8; 32],
                obs,
                VerificationLevel::Partial { num_signatures: 1 },
            ),
        );
        expect_refused(b, E::OracleWrongFeedId);
    });
}

#[test]
fn a_legacy_account_at_another_address_is_refused() {
    each(&[BTC], |b| {
        let obs = b.fresh();
        let elsewhere = Pubkey::new_unique();
        let account = legacy(b, obs, PriceStatus::Trading);
        b.env.chain.set_account(&elsewhere, account);
        let before = b.underlying_state().last_publish_time;
        expect_err(b.run_with_oracle(elsewhere), E::OracleWrongAccount);
        assert_eq!(b.underlying_state().last_publish_time, before);
        // the configured account with the same data passes
        b.set(obs);
        expect_accepted(b);
    });
}

#[test]
fn a_legacy_price_not_trading_is_refused() {
    each(&[BTC], |b| {
        let obs = b.fresh();
        for status in [
            PriceStatus::Unknown,
            PriceStatus::Halted,
            PriceStatus::Auction,
            PriceStatus::Ignored,
        ] {
            let account = legacy(b, obs, status);
            put(b, account);
            expect_refused(b, E::OracleNotTrading);
        }
    });
}

#[test]
fn garbage_oracle_data_is_refused() {
    each(&BOTH, |b| {
        let owner = b.u.oracle_program;
        let valid = b.oracle_account();
        let mut truncated = valid.data.clone();
        truncated.truncate(valid.data.len() / 2);
        let mut bad_magic = valid.data.clone();
        bad_magic[..4].copy_from_slice(&[1, 2, 3, 4]);
        for data in [
            vec![],
            vec![0xAB; 200],
            vec![0u8; valid.data.len()],
            truncated,
            bad_magic,
        ] {
            put(
                b,
                solana_account::Account {
                    lamports: 1_000_000,
                    data,
                    owner,
                    executable: false,
                    rent_epoch: 0,
                },
            );
            expect_refused(b, E::OracleInvalidData);
        }
    });
}

#[test]
fn a_pull_update_where_a_legacy_account_is_expected_is_garbage() {
    // the configured legacy address holding a PriceUpdateV2 (owned by the legacy program)
    each(&[BTC], |b| {
        let obs = b.fresh();
        let mut account = pull(SOL_FEED_ID, obs, VerificationLevel::Full);
        account.owner = b.env.legacy_oracle_program;
        put(b, account);
        expect_refused(b, E::OracleInvalidData);
    });
}

// ================================================================ price checks

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

// ================================================================ previous publish time

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
