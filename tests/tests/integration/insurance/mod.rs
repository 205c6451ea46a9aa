//! The insurance fund's stakers (docs/insurance.md): `open_insurance_stake`, `stake`,
//! `request_unstake`, `cancel_unstake`, `unstake` and `donate`, each with its success and every
//! way it must fail; a loss during the cooldown lowers the payout; nothing pauses them.
use crate::harness;
use crate::liquidation::{assert_books_balance, crashed};
use harness::ext_market::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::state::pause;
use greekhouse_risk::insurance::{FundShares, VIRTUAL_SHARES};
use greekhouse_sdk::liquidation::BidSize;
use greekhouse_sdk::{ix, pda};
use solana_signer::Signer;

pub(super) const WEEK: i64 = 7 * DAY;

/// Value of `shares` of the fund now (fine-grained enough to see a few units of fees).
pub(super) fn value_of(env: &mut Env, shares: u64) -> u64 {
    env.insurance_fund().shares().value_of(shares).unwrap()
}

#[test]
fn stake_mints_shares_on_the_ledger_price() {
    let mut env = Env::new();
    let s = env.staker(usd(1_000));
    let out = env.stake(&s, usd(1_000)).unwrap();
    let e: Staked = event(&out);
    assert_eq!(e.shares, usd(1_000) * VIRTUAL_SHARES as u64);
    assert_eq!(e.fund_balance_after, usd(1_000));
    assert_eq!(env.insurance_stake(&s).shares, e.shares);
    let fund = env.insurance_fund();
    assert_eq!(
        (fund.total_shares, fund.staked_total),
        (e.shares, usd(1_000))
    );
    assert_eq!(env.insurance_vault_balance(), fund.balance);
    // tokens sent straight to the vault move neither the ledger nor the share price
    let vault = pda::insurance_vault(&env.ch.clearinghouse);
    let auth = env.mint_authority.insecure_clone();
    let mint = env.ch.quote_mint;
    env.chain
        .mint_to(&SPL_TOKEN, &mint, &vault, &auth, usd(500))
        .unwrap();
    assert_eq!(env.insurance_fund().balance, usd(1_000));
    let second = env.staker(usd(100));
    let e2: Staked = event(&env.stake(&second, usd(100)).unwrap());
    assert_eq!(
        e2.shares,
        FundShares {
            fund: usd(1_000),
            total_shares: e.shares
        }
        .shares_for_stake(usd(100))
        .unwrap()
    );
}

#[test]
fn stake_refusals() {
    let mut env = Env::new();
    let s = env.staker(usd(10));
    expect_err(env.stake(&s, 0), E::ZeroAmount);
    // someone else's stake account
    let other = env.staker(usd(10));
    let n = env.clearinghouse().underlying_count;
    let mut ix = ix::stake(&env.ch, other.owner.pubkey(), other.quote_ata, 1, n);
    for m in ix.accounts.iter_mut() {
        if m.pubkey == other.stake {
            m.pubkey = s.stake;
        }
    }
    expect_err(env.send_ix(ix, &[&other.owner]), E::NotStakeOwner);
    // a token account of someone else
    let ix = ix::stake(&env.ch, other.owner.pubkey(), s.quote_ata, 1, n);
    expect_err(env.send_ix(ix, &[&other.owner]), E::WrongTokenOwner);
    // tiny stake in a fund whose share price is high mints nothing
    env.donate(&s, usd(10)).unwrap();
    let third = env.staker(usd(1));
    expect_err(env.stake(&third, 1), E::StakeTooSmall);
}

#[test]
fn unstake_after_the_cooldown_pays_the_value_at_request() {
    let mut env = Env::new();
    let s = env.staker(usd(1_000));
    env.stake(&s, usd(1_000)).unwrap();
    let shares = env.insurance_stake(&s).shares;
    let out = env.request_unstake(&s, shares / 2).unwrap();
    let r: UnstakeRequested = event(&out);
    assert_eq!(r.unlocks_at, env.now() + WEEK);
    assert_eq!(r.lapses_at, r.unlocks_at + 2 * DAY);
    expect_err(env.request_unstake(&s, 1), E::UnstakeAlreadyRequested);
    expect_err(env.unstake(&s), E::UnstakeCooldownNotOver);
    // a donation during the cooldown does not raise the requested payout
    let donor = env.staker(usd(1_000));
    env.donate(&donor, usd(1_000)).unwrap();
    env.advance(WEEK);
    let wallet0 = env.wallet_quote(&s.quote_ata);
    let out = env.unstake(&s).unwrap();
    let u: Unstaked = event(&out);
    assert_eq!(u.amount, r.value);
    assert_eq!(u.shares, shares / 2);
    assert_eq!(env.wallet_quote(&s.quote_ata), wallet0 + u.amount);
    let fund = env.insurance_fund();
    assert_eq!(fund.total_shares, shares - shares / 2);
    assert_eq!(fund.pending_unstake_shares, 0);
    assert_eq!(env.insurance_vault_balance(), fund.balance);
    expect_err(env.unstake(&s), E::NoUnstakeRequest);
}

#[test]
fn a_loss_during_the_cooldown_lowers_the_payout() {
    let mut env = Env::new();
    let s = env.staker(usd(50_000));
    env.stake(&s, usd(50_000)).unwrap();
    let shares = env.insurance_stake(&s).shares;
    let r: UnstakeRequested = event(&env.request_unstake(&s, shares).unwrap());
    // an insolvent slice paid by the fund
    let c = crashed(&mut env);
    let price = env.sol_price;
    env.move_sol(price * 2);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    env.advance(60);
    env.publish_prices();
    let (out, _) = env.bid(&c.bidder, &c.victim.account, BidSize::Max).unwrap();
    let paid = event::<SliceBought>(&out).from_fund;
    assert!(paid > 0);
    env.advance(WEEK);
    let expected = env
        .insurance_fund()
        .shares()
        .unstake_payout(shares, r.value)
        .unwrap();
    let u: Unstaked = event(&env.unstake(&s).unwrap());
    assert!(u.amount < r.value, "{} < {}", u.amount, r.value);
    assert_eq!(u.amount, expected);
    assert!(u.amount <= usd(50_000) - paid);
    assert_books_balance(&mut env);
}

#[test]
fn a_request_lapses_after_its_window_and_can_be_cancelled() {
    let mut env = Env::new();
    let s = env.staker(usd(100));
    env.stake(&s, usd(100)).unwrap();
    let shares = env.insurance_stake(&s).shares;
    expect_err(env.request_unstake(&s, 0), E::ZeroAmount);
    expect_err(env.request_unstake(&s, shares + 1), E::InsufficientShares);
    expect_err(env.cancel_unstake(&s), E::NoUnstakeRequest);
    env.request_unstake(&s, shares).unwrap();
    env.advance(WEEK + 2 * DAY + 1);
    expect_err(env.unstake(&s), E::UnstakeRequestLapsed);
    let out = env.cancel_unstake(&s).unwrap();
    assert_eq!(event::<UnstakeCancelled>(&out).shares, shares);
    assert_eq!(env.insurance_stake(&s).pending_shares, 0);
    // the wrong signer cannot act on a stake
    let other = env.staker(0);
    let mut ix = ix::request_unstake(env.ch.clearinghouse, other.owner.pubkey(), 1);
    for m in ix.accounts.iter_mut() {
        if m.pubkey == other.stake {
            m.pubkey = s.stake;
        }
    }
    expect_err(env.send_ix(ix, &[&other.owner]), E::NotStakeOwner);
}

#[test]
fn share_value_moves_with_fees_donations_and_nothing_else() {
    let mut env = Env::new();
    let s = env.staker(usd(10_000));
    env.stake(&s, usd(10_000)).unwrap();
    let held = env.insurance_stake(&s).shares;
    let v0 = value_of(&mut env, held);
    // a new stake does not change it (up to rounding in the fund's favour)
    let t = env.staker(usd(5_000));
    env.stake(&t, usd(5_000)).unwrap();
    assert!(value_of(&mut env, held) >= v0);
    // write fees swept in raise it
    let series = crate::liquidation::call_series(&mut env);
    let (_w, _) = crate::liquidation::writer_at_im(&mut env, &series, 10_000);
    let sol = env.sol.key;
    env.sweep_fees(&sol).unwrap();
    let v1 = value_of(&mut env, held);
    assert!(v1 > v0);
    // a donation raises it
    let donor = env.staker(usd(1_000));
    let d: Donated = event(&env.donate(&donor, usd(1_000)).unwrap());
    assert_eq!(d.fund_balance_after, env.insurance_fund().balance);
    assert_eq!(env.insurance_fund().donations_total, usd(1_000));
    assert!(value_of(&mut env, held) > v1);
    expect_err(env.donate(&donor, 0), E::ZeroAmount);
    assert_eq!(env.insurance_vault_balance(), env.insurance_fund().balance);
}

#[test]
fn nothing_pauses_staking_or_unstaking() {
    let mut env = Env::new();
    env.pause(pause::PAUSABLE);
    let s = env.staker(usd(100));
    env.stake(&s, usd(100)).unwrap();
    let shares = env.insurance_stake(&s).shares;
    env.request_unstake(&s, shares).unwrap();
    env.advance(WEEK);
    env.unstake(&s).unwrap();
    let donor = env.staker(usd(1));
    env.donate(&donor, usd(1)).unwrap();
}

#[test]
fn staking_refuses_another_clearing_houses_fund_and_vault() {
    let mut env = Env::new();
    let s = env.staker(usd(100));
    let foreign = env.foreign_clearinghouse();
    let ours = env.ch.clearinghouse;
    let theirs = foreign.ch.clearinghouse;
    let swap = |mut ix: anchor_lang::solana_program::instruction::Instruction,
                from: Pubkey,
                to: Pubkey| {
        for m in ix.accounts.iter_mut() {
            if m.pubkey == from {
                m.pubkey = to;
            }
        }
        ix
    };
    let n = env.clearinghouse().underlying_count;
    let stake = ix::stake(&env.ch, s.owner.pubkey(), s.quote_ata, usd(10), n);
    let ix = swap(
        stake.clone(),
        pda::insurance_vault(&ours),
        pda::insurance_vault(&theirs),
    );
    expect_err(env.send_ix(ix, &[&s.owner]), E::WrongVault);
    let ix = swap(
        stake,
        pda::insurance_fund(&ours),
        pda::insurance_fund(&theirs),
    );
    expect_err(env.send_ix(ix, &[&s.owner]), E::WrongInsuranceFund);
    let donate = ix::donate(&env.ch, s.owner.pubkey(), s.quote_ata, usd(10));
    let ix = swap(
        donate,
        pda::insurance_vault(&ours),
        pda::insurance_vault(&theirs),
    );
    expect_err(env.send_ix(ix, &[&s.owner]), E::WrongVault);
}

mod just_in_time_staking;
mod wipes_and_rebases;

#[allow(unused_imports)]
use self::{just_in_time_staking::*, wipes_and_rebases::*};
