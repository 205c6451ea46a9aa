//! The write-lock table of `docs/accounts.md`, checked against the instructions the SDK builds
//! (which carry the program's own `mut` declarations): hot-path instructions never write the
//! clearing house, an underlying's configuration, a collateral asset or any margin account.
use crate::harness;
use harness::*;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use greekhouse::instructions::CreateSeriesArgs;
use greekhouse_sdk::ix::{self, ClearinghouseRef, TokenLedger};
use greekhouse_sdk::pda;

struct Keys {
    ch: ClearinghouseRef,
    owner: Pubkey,
    writer: Pubkey,
    underlying: Pubkey,
    series: Pubkey,
    sol_mint: Pubkey,
}

fn keys() -> Keys {
    let ch = ClearinghouseRef::new(Pubkey::new_unique(), Pubkey::new_unique(), SPL_TOKEN);
    let owner = Pubkey::new_unique();
    let underlying = pda::underlying(&ch.clearinghouse, 0);
    Keys {
        writer: pda::writer_account(&ch.clearinghouse, &owner, 0),
        series: pda::series(&underlying, 1_000, 5, 0),
        ch,
        owner,
        underlying,
        sol_mint: Pubkey::new_unique(),
    }
}

/// Writable accounts of `ix`, except the event authority's CPI (never writable anyway).
fn writable(ix: &Instruction) -> Vec<Pubkey> {
    ix.accounts
        .iter()
        .filter(|m| m.is_writable)
        .map(|m| m.pubkey)
        .collect()
}

fn margin_accounts(k: &Keys) -> Vec<AccountMeta> {
    // what the SDK's layout produces: all read-only
    vec![
        AccountMeta::new_readonly(
            pda::collateral_asset(&k.ch.clearinghouse, &k.sol_mint),
            false,
        ),
        AccountMeta::new_readonly(k.underlying, false),
        AccountMeta::new_readonly(Pubkey::new_unique(), false),
    ]
}

#[test]
fn deposit_and_withdraw_write_only_the_writer_and_token_accounts() {
    let k = keys();
    let sol = TokenLedger::collateral(&k.ch.clearinghouse, k.sol_mint, SPL_TOKEN);
    let src = Pubkey::new_unique();
    for ledger in [TokenLedger::quote(&k.ch), sol] {
        let dep = ix::deposit(k.ch.clearinghouse, k.writer, k.owner, &ledger, src, 1);
        assert_eq!(writable(&dep), vec![k.writer, ledger.vault, src]);
        let wd = ix::withdraw(
            k.ch.clearinghouse,
            k.writer,
            k.owner,
            &ledger,
            src,
            1,
            margin_accounts(&k),
        );
        assert_eq!(writable(&wd), vec![k.writer, ledger.vault, src]);
    }
}

#[test]
fn writes_and_burns_lock_their_series_and_underlying_ledger_only() {
    let k = keys();
    let recipient = Pubkey::new_unique();
    let mint = pda::option_mint(&k.series);
    let ledger = pda::underlying_ledger(&k.underlying);
    let write = ix::write_options(
        k.ch.clearinghouse,
        k.writer,
        k.owner,
        k.underlying,
        k.series,
        recipient,
        1,
        margin_accounts(&k),
    );
    assert_eq!(
        writable(&write),
        vec![k.writer, ledger, k.series, mint, recipient]
    );
    let burn = ix::burn_options(k.writer, k.owner, k.underlying, k.series, recipient, 1);
    assert_eq!(
        writable(&burn),
        vec![k.writer, ledger, k.series, mint, recipient]
    );
}

#[test]
fn opening_an_account_and_creating_a_series_leave_the_clearing_house_unlocked() {
    let k = keys();
    let payer = Pubkey::new_unique();
    let open = ix::open_writer_account(k.ch.clearinghouse, payer, k.owner, 0);
    assert_eq!(writable(&open), vec![payer, k.writer]);
    let args = CreateSeriesArgs {
        kind: 0,
        strike: 5,
        expiry: 1_000,
        style: 0,
    };
    let create = ix::create_series(
        k.ch.clearinghouse,
        payer,
        k.underlying,
        Pubkey::new_unique(),
        args,
    );
    let ledger = pda::underlying_ledger(&k.underlying);
    assert_eq!(
        writable(&create),
        vec![payer, ledger, k.series, pda::option_mint(&k.series)]
    );
}

#[test]
fn keeper_instructions_lock_what_they_move() {
    let k = keys();
    let sweep = ix::sweep_fees(&k.ch, k.underlying);
    assert_eq!(
        writable(&sweep),
        vec![
            pda::underlying_ledger(&k.underlying),
            pda::insurance_fund(&k.ch.clearinghouse),
            pda::insurance_vault(&k.ch.clearinghouse),
            k.ch.quote_vault,
        ]
    );
    let record = ix::record_price(k.underlying, Pubkey::new_unique());
    assert_eq!(writable(&record), vec![k.underlying]);
}

#[test]
fn liquidation_instructions_lock_the_accounts_they_move_and_read_the_margin_accounts() {
    let k = keys();
    let caller = Pubkey::new_unique();
    let other = pda::writer_account(&k.ch.clearinghouse, &caller, 0);
    let start = ix::start_liquidation(
        k.ch.clearinghouse,
        caller,
        k.writer,
        other,
        margin_accounts(&k),
    );
    assert_eq!(writable(&start), vec![k.writer, other]);
    let args = greekhouse::instructions::BidArgs {
        fraction: 1,
        payment_limit: 0,
    };
    let bid = ix::bid(&k.ch, caller, k.writer, other, args, margin_accounts(&k));
    assert_eq!(
        writable(&bid),
        vec![
            k.writer,
            other,
            pda::insurance_fund(&k.ch.clearinghouse),
            pda::insurance_vault(&k.ch.clearinghouse),
            k.ch.quote_vault,
        ]
    );
    let end = ix::end_liquidation(k.ch.clearinghouse, caller, k.writer, margin_accounts(&k));
    assert_eq!(writable(&end), vec![k.writer]);
    let bankrupt = ix::resolve_bankruptcy(
        k.ch.clearinghouse,
        caller,
        k.writer,
        &[k.series],
        margin_accounts(&k),
    );
    // the fund is only read: bankruptcy never moves its quote
    assert_eq!(writable(&bankrupt), vec![k.writer, k.series]);
}

#[test]
fn staking_locks_the_fund_and_the_stake_and_sweeps_every_ledger() {
    let k = keys();
    let fund = pda::insurance_fund(&k.ch.clearinghouse);
    let vault = pda::insurance_vault(&k.ch.clearinghouse);
    let stake = pda::insurance_stake(&fund, &k.owner);
    let wallet = Pubkey::new_unique();
    // a stake sweeps every underlying's pending fees first: it locks their ledgers and the
    // quote vault too (stakes are rare; writes never lock the fund)
    let ledgers =
        [0, 1].map(|id| pda::underlying_ledger(&pda::underlying(&k.ch.clearinghouse, id)));
    assert_eq!(
        writable(&ix::stake(&k.ch, k.owner, wallet, 1, 2)),
        vec![
            fund,
            vault,
            stake,
            wallet,
            k.ch.quote_vault,
            ledgers[0],
            ledgers[1]
        ]
    );
    assert_eq!(
        writable(&ix::request_unstake(k.ch.clearinghouse, k.owner, 1)),
        vec![fund, stake]
    );
    assert_eq!(
        writable(&ix::cancel_unstake(k.ch.clearinghouse, k.owner)),
        vec![fund, stake]
    );
    assert_eq!(
        writable(&ix::unstake(&k.ch, k.owner, wallet)),
        vec![fund, vault, stake, wallet]
    );
    assert_eq!(
        writable(&ix::donate(&k.ch, k.owner, wallet, 1)),
        vec![fund, vault, wallet]
    );
    let payer = Pubkey::new_unique();
    assert_eq!(
        writable(&ix::open_insurance_stake(
            k.ch.clearinghouse,
            payer,
            k.owner
        )),
        vec![payer, stake]
    );
}

#[test]
fn settlement_instructions_lock_their_series_and_what_they_pay() {
    let k = keys();
    let fund = pda::insurance_fund(&k.ch.clearinghouse);
    let fund_vault = pda::insurance_vault(&k.ch.clearinghouse);
    let payer = Pubkey::new_unique();
    let oracle = Pubkey::new_unique();
    let price = pda::settlement_price(&k.underlying, 1_000);
    assert_eq!(
        writable(&ix::propose_settlement_price(
            k.ch.clearinghouse,
            payer,
            k.underlying,
            oracle,
            1_000
        )),
        vec![payer, price]
    );
    // settling a series locks the series, its underlying's ledger and the fund's cover path
    assert_eq!(
        writable(&ix::settle_series(&k.ch, k.series, k.underlying, 1_000)),
        vec![
            k.series,
            pda::underlying_ledger(&k.underlying),
            fund,
            fund_vault,
            k.ch.quote_vault
        ]
    );
    // settling a position moves ledger claims only: no vault, no clearing house
    assert_eq!(
        writable(&ix::settle_position(k.writer, k.series)),
        vec![k.writer, k.series]
    );
    assert_eq!(
        writable(&ix::resolve_debt(&k.ch, k.writer, &[k.series], vec![])),
        vec![k.writer, fund, fund_vault, k.ch.quote_vault, k.series]
    );
    assert_eq!(
        writable(&ix::open_backstop(k.ch.clearinghouse, k.series)),
        vec![k.series]
    );
    assert_eq!(
        writable(&ix::finalize_series(k.ch.clearinghouse, k.series)),
        vec![k.series]
    );
    let wallet = Pubkey::new_unique();
    let holder_tokens = Pubkey::new_unique();
    assert_eq!(
        writable(&ix::redeem(
            &k.ch,
            k.owner,
            k.series,
            holder_tokens,
            wallet,
            1
        )),
        vec![
            k.series,
            pda::option_mint(&k.series),
            holder_tokens,
            wallet,
            k.ch.quote_vault
        ]
    );
    assert_eq!(
        writable(&ix::sweep_series_dust(&k.ch, k.series)),
        vec![k.series, fund, fund_vault, k.ch.quote_vault]
    );
}
