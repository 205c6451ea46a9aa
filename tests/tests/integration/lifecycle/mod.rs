//! The lifecycle fuzzer (issue "Default waterfall v2"): a model-based property test on the bank
//! that draws random sequences of **every** state-changing instruction by several actors,
//! adversarial moves included, checks the books after every step, then drives the world to the
//! end and checks that everything ends.
//!
//! Run: `GREEKHOUSE_FUZZ_CASES=10000 GREEKHOUSE_FUZZ_SEED=random cargo test -p
//! greekhouse-tests --test integration lifecycle -- --nocapture`. The default (CI) run is
//! [`DEFAULT_CASES`] cases drawn from the fixed seed [`DEFAULT_SEED`], so it is the same run
//! every time; `GREEKHOUSE_FUZZ_SEED` takes another seed (a `u64`) or `random`.
//! `GREEKHOUSE_FUZZ_SHRINK` bounds proptest's shrinking; `GREEKHOUSE_FUZZ_LEN=min..max` changes
//! the sequence length (default 20..60). The run prints its time per case and its **coverage**:
//! how often each interesting event (a settlement into debt with other positions left, a debt
//! sale's slice, a write-off charged to its series, a bankruptcy, a backstop purchase, a
//! haircut, a sweep of forfeited tokens' payout, ...) and each refusal (by the program's error
//! name, read from its source: the IDL can lag it) happened, in the actions and in the drive to
//! the end. The default run asserts that each path of [`MUST_REACH`] was reached at least once
//! (a larger run from the default seed begins with the same cases, so it asserts it too).
//!
//! **Setup** (drawn per case, [`Setup`]): the insurance fund empty, a few dollars (then stakes
//! and donations stay under 50 dollars: a thin fund stays thin, so write-offs are charged to
//! series and backstops open) or 20,000 dollars; two thin writers, alice#0 (a little quote and
//! some SOL) and erin (a little quote only), each writing near initial margin into two or three
//! expiries at setup, so an expiry's settlement often leaves a debt while other positions remain;
//! whether owners repay their position-less debtors in the drive (then close them).
//!
//! **Actors.** Writers alice#0 and alice#1 (one owner, two accounts: alice#1 bids on alice#0),
//! bob, carol, erin; a well-capitalised liquidator (a writer account); holders mallory (the
//! adversary: SPL burns of option tokens, dust deposits), heidi and ivan, who receive option
//! tokens by SPL transfer or as the recipient of a write (the thin books are theirs); stakers
//! sam and tess (opened at setup) and uma (opened by an action).
//!
//! **Actions** (one per instruction of `programs/greekhouse/src/lib.rs`, a repo hook greps this
//! file for each name): writer — open_writer_account (re-open), deposit, withdraw,
//! write_options, burn_options, deposit_options (a writer's own tokens or another writer's,
//! netting its short or held as a long), withdraw_options, close_writer_account; liquidation — start_liquidation, bid
//! (liquidator, or alice's other account), end_liquidation, resolve_bankruptcy; settlement —
//! propose_settlement_price (the straddling update, or a later one that is refused),
//! settle_series, settle_position, settle_long, resolve_debt, open_backstop, buy_backstop, finalize_series,
//! redeem, sweep_series_dust, exercise (a holder of the American put series before its cut-off,
//! with or without every writer's accrual right after), accrue_exercise (anyone; the drive
//! accrues every pending exercise each round); insurance — open_insurance_stake, stake, request_unstake,
//! cancel_unstake, unstake, donate (and stakes around sweeps); keeper — sweep_fees,
//! record_price, check_margin (a crank checks every account after each price move);
//! set_vol_surface; create_series; governance — queue_change (a deposit cap raised or
//! lowered, SOL's tail and size charge tightened at once), execute_change,
//! cancel_change, pause, unpause, propose_admin / accept_admin, list_underlying (a rare action;
//! list_collateral and initialize_clearinghouse run in the scenario's setup); writer vaults —
//! vault_deposit, request_vault_withdraw, cancel_vault_withdraw, vault_withdraw, vault_buy (a
//! holder buys from the vault, whose writer account is liquidated and settled like the others),
//! vault_sell_back (create_vault runs in the setup). Outside the
//! program: SPL transfers and burns of option tokens, dust deposits into liquidating or debtor
//! accounts, closing and re-opening accounts. Prices: moves, crashes, rallies, jumps across
//! expiries (up to 60 %), feed gaps (time passes with no update) and stale updates. Composite
//! moves: a keeper settling a passed expiry (price, series, positions); a debtor repaying, trying
//! to close (refused while its markers are open), resolving, withdrawing and closing; a debtor
//! trying to write, withdraw, bid and have its debt sold within its grace; a liquidation started
//! then a bid sent as is right after the next expiry (settled or not); waits past the debt
//! grace. Targets prefer the accounts in the state that matters (a debtor for resolve_debt, a
//! liquidating account for bids and bankruptcies, a holder of the series for a burn).
//!
//! **After every action.** A refusal is fine; an unexpected kind of error (`InvariantViolated`,
//! `MathOverflow`, a panic, a runtime arithmetic fault, an exhausted budget) fails the case.
//! Books ([`check_books`]): quote vault = Σ writer quote balances (signed) + Σ underlying
//! accrued fees + Σ series (settlement ledger + unbacked cover + exercise debt collected - quote
//! advanced to exercising holders); insurance vault = fund balance;
//! SOL vault = Σ writer SOL balances; per series before settlement open interest = Σ shorts +
//! unbacked >= mint supply + longs in custody, after settlement Σ shorts = shorts to settle,
//! after finalization (supply + longs) x final payout <= ledger; custody: Σ accounts' longs =
//! the series' `long_contracts`, and outstanding >= supply + longs. Fund bounds ([`check_events`]): a bid's fund payment
//! <= fraction x (deficit + k x add-on) (+1 unit of rounding); a settlement's fund cover <= the
//! unbacked contracts' need; a write-off's fund payment <= the debt; a bid at a 100 % discount
//! only once the schedule allows it.
//!
//! **Drive to the end** ([`drive_to_end`]): as anyone can — unpause, fresh prices and surface,
//! every liquidation resolved as a bankruptcy when it is one, else bid to its end by the
//! liquidator (alice#1 first takes a quarter of alice#0), every account below maintenance or in
//! debt past its grace liquidated, debtors without positions repaid (when the case says so) or
//! written off, each expiry passed in turn with its settlement price
//! posted, every series settled, every position settled, every debt sold after its grace or
//! resolved, backstops opened, bought and closed, every series finalized, every holder
//! redeemed, dust swept, every writer withdraws and closes, every vault LP's withdrawal (queued
//! or requested now) is paid after its cooldown and no share is left pending. Then: every series Finalized and
//! swept, no token left unredeemed, no writer with shorts, debt or debt markers, no quote left in
//! a series ledger, vaults equal to ledgers, and the fund's total payments bounded by the
//! deficits they covered plus the premium bound. A step that cannot be driven fails the case
//! with the stuck account and its last error.
use crate::harness;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Instant;

use anchor_lang::prelude::Pubkey;
use greekhouse::engine::liquidation::FRACTION_ONE;
use greekhouse::state::{pause, GovValue, SeriesStatus, VaultPolicy, WriterAccount, WriterStatus};
use greekhouse_sdk::chain::{ChainError, TxOutcome};
use greekhouse_sdk::liquidation::BidSize;
use greekhouse_sdk::vault::VaultRef;
use greekhouse_sdk::{ix, pda};
use greekhouse_testkit::vault_ops::{default_vault_policy, VaultUser};
use harness::ext_lifecycle::*;
use harness::ext_market::*;
use harness::*;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use solana_keypair::Keypair;
use solana_signer::Signer;

mod actions;
mod apply;
mod checks;
mod drive;
mod runner;
mod world;

#[allow(unused_imports)]
use self::{actions::*, apply::*, checks::*, drive::*, runner::*, world::*};
