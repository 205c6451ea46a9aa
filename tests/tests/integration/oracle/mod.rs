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
use greekhouse_testkit::pyth::{self, PriceObservation};
use pyth_sdk_solana::state::PriceStatus;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;

pub(super) const SOL: bool = true;
pub(super) const BTC: bool = false;
pub(super) const BOTH: [bool; 2] = [SOL, BTC];

/// Run `case` on a fresh bench for every kind in `kinds` and every probe.
pub(super) fn each(kinds: &[bool], case: impl Fn(&mut OracleBench)) {
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
pub(super) fn assert_probe_succeeded(b: &OracleBench, out: &TxOutcome) {
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
pub(super) fn expect_accepted_again(b: &mut OracleBench) {
    if b.records() {
        expect_refused(b, E::PriceAlreadyRecorded);
    } else {
        expect_accepted(b);
    }
}

/// Run the probe; it must fail with `e` and leave the underlying's accepted price alone.
#[track_caller]
pub(super) fn expect_refused(b: &mut OracleBench, e: E) {
    let before = b.underlying_state();
    expect_err(b.run(), e);
    let after = b.underlying_state();
    assert_eq!(after.last_publish_time, before.last_publish_time);
    assert_eq!(after.last_price, before.last_price);
}

#[track_caller]
pub(super) fn expect_accepted(b: &mut OracleBench) -> TxOutcome {
    let out = b.run().expect("probe succeeds");
    assert_probe_succeeded(b, &out);
    out
}

/// Overwrite the oracle account with `account`.
pub(super) fn put(b: &mut OracleBench, account: solana_account::Account) {
    let key = b.u.oracle;
    b.env.chain.set_account(&key, account);
}

/// The pull update for SOL with `obs`, `feed` and `level`.
pub(super) fn pull(
    feed: [u8; 32],
    obs: PriceObservation,
    level: VerificationLevel,
) -> solana_account::Account {
    pyth::price_update_v2(feed, obs, level)
}

/// A legacy BTC account with `obs` and `status`.
pub(super) fn legacy(
    b: &OracleBench,
    obs: PriceObservation,
    status: PriceStatus,
) -> solana_account::Account {
    pyth::legacy_price(b.env.legacy_oracle_program, obs, status)
}

mod account_checks;
mod previous_publish_time;
mod price_checks;
mod realized_vol;
mod success;

#[allow(unused_imports)]
use self::{account_checks::*, previous_publish_time::*, price_checks::*, success::*};
