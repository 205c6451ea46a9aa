//! The shared world of every integration test is the test kit's scenario kit
//! (`greekhouse_testkit::scenario`, also behind the demo, the bot and the simulator); this module
//! re-exports it and adds the assertion helpers and per-capability extensions.
#![allow(dead_code)]

pub mod ext_admin;
pub mod ext_lifecycle;
pub mod ext_market;
pub mod ext_props;
pub mod ext_writer;

use anchor_lang::prelude::Pubkey;
use greekhouse::errors::GreekhouseError;
use greekhouse::instructions::{
    CreateSeriesArgs, InitializeClearinghouseArgs, ListCollateralArgs, ListUnderlyingArgs,
};
use greekhouse::state::*;
pub use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome};
use greekhouse_sdk::events::GreekhouseEvent;
use greekhouse_sdk::ix::{self, ClearinghouseRef, TokenLedger};
use greekhouse_sdk::margin::MarginInputs;
use greekhouse_sdk::{accounts, pda};
use greekhouse_testkit::bank::BankChain;
use greekhouse_testkit::pyth::{self, PriceObservation};
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_keypair::Keypair;
use solana_signer::Signer;

pub use ext_market::MarketOps;
pub use greekhouse::events::*;
pub use greekhouse_sdk::events::ProgramEvent;
pub use greekhouse_testkit::scenario::*;

/// The one event of type `T` the transaction emitted (the tests' single event helper).
#[track_caller]
pub fn event<T: ProgramEvent>(out: &TxOutcome) -> T {
    out.event::<T>().unwrap_or_else(|| {
        panic!(
            "expected exactly one {} among {:?}",
            std::any::type_name::<T>(),
            out.event_names()
        )
    })
}

/// The program error code Anchor returns for `e`.
pub fn code(e: GreekhouseError) -> u32 {
    6000 + e as u32
}

/// Assert a transaction failed with the program error `e`.
#[track_caller]
pub fn expect_err<T: std::fmt::Debug>(result: Result<T, ChainError>, e: GreekhouseError) {
    match result {
        Err(err) => assert_eq!(
            err.custom_code(),
            Some(code(e)),
            "expected {e:?}, got {err}"
        ),
        Ok(v) => panic!("expected {e:?}, transaction succeeded: {v:?}"),
    }
}

/// Assert a transaction failed with any of Anchor's own account-validation codes (2000..4000),
/// or the token program's, when the failure is caught before the program's own checks.
#[track_caller]
pub fn expect_anchor_err<T: std::fmt::Debug>(result: Result<T, ChainError>, anchor_code: u32) {
    match result {
        Err(err) => assert_eq!(
            err.custom_code(),
            Some(anchor_code),
            "expected anchor code {anchor_code}, got {err}"
        ),
        Ok(v) => panic!("expected anchor code {anchor_code}, transaction succeeded: {v:?}"),
    }
}

/// Names of the events of an outcome.
pub fn event_names(outcome: &TxOutcome) -> Vec<&'static str> {
    outcome.event_names()
}
