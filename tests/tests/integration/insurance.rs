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

const WEEK: i64 = 7 * DAY;

/// Value of `shares` of the fund now (fine-grained enough to see a few units of fees).
fn value_of(env: &mut Env, shares: u64) -> u64 {
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

// ============================================================ wipes and rebases (issue item 11)

/// A loss that leaves the fund with `remaining` quote: the fund's ledger and its vault are
/// lowered together, as a payment out of the fund would (the books stay balanced).
fn lose_all_but(env: &mut Env, remaining: u64) {
    let fund_key = pda::insurance_fund(&env.ch.clearinghouse);
    let mut account = env.chain.account(&fund_key).unwrap().unwrap();
    let mut fund = env.insurance_fund();
    assert!(fund.balance >= remaining);
    fund.balance = remaining;
    account.data[8..].copy_from_slice(bytemuck::bytes_of(&fund));
    env.chain.set_account(&fund_key, account);
    let vault = pda::insurance_vault(&env.ch.clearinghouse);
    let mut account = env.chain.account(&vault).unwrap().unwrap();
    // SPL token account: the amount is the u64 at bytes 64..72
    account.data[64..72].copy_from_slice(&remaining.to_le_bytes());
    env.chain.set_account(&vault, account);
    assert_eq!(env.insurance_fund().balance, remaining);
    assert_eq!(env.insurance_vault_balance(), remaining);
}

/// Value of a staker's shares now, as the program would count them.
fn stake_value(env: &mut Env, s: &Staker) -> u64 {
    let shares = shares_of(env, s);
    env.insurance_fund().shares().value_of(shares).unwrap()
}

/// A staker's shares now, as the program counts them (at the fund's share base).
fn shares_of(env: &mut Env, s: &Staker) -> u64 {
    let base = env.insurance_fund().shares_base;
    env.insurance_stake(s).rebased(base).unwrap().shares
}

/// 10,000 USDC staked, then a loss down to `remaining`; then a small stake, a huge stake and
/// another small one each get what they paid (less rounding of a few units), and the old
/// staker's shares never gain from the new money.
fn new_money_after_a_loss_to(remaining: u64) {
    let mut env = Env::new();
    let old = env.staker(usd(10_000));
    env.stake(&old, usd(10_000)).unwrap();
    lose_all_but(&mut env, remaining);
    let old_value = stake_value(&mut env, &old);
    assert!(old_value <= remaining);
    // a huge stake: 10^16 units (10 billion USDC), more than half the fund's share capacity
    let huge = 10u64.pow(16);
    for amount in [usd(1), huge, 1_000, usd(25)] {
        let s = env.staker(amount);
        let e: Staked = event(&env.stake(&s, amount).unwrap());
        assert!(e.shares > 0);
        let v = stake_value(&mut env, &s);
        assert!(v <= amount, "a stake of {amount} is worth {v}");
        assert!(v + 2 >= amount, "a stake of {amount} is worth only {v}");
        // the old shares take nothing of the new money
        assert!(stake_value(&mut env, &old) <= remaining);
    }
    if remaining == 0 {
        assert_eq!(stake_value(&mut env, &old), 0);
    }
    assert_books_balance(&mut env);
}

#[test]
fn wiped_fund_to_zero_prices_new_stakes_of_any_size_at_its_value() {
    new_money_after_a_loss_to(0);
}

#[test]
fn wiped_fund_to_one_unit_prices_new_stakes_of_any_size_at_its_value() {
    new_money_after_a_loss_to(1);
}

#[test]
fn wiped_fund_to_a_millionth_prices_new_stakes_of_any_size_at_its_value() {
    new_money_after_a_loss_to(usd(10_000) / 1_000_000);
}

/// A call series with a bankrupt writer's unbacked contracts, settled above the strike after
/// the fund (10,000 USDC staked by `old`) lost all but `remaining`: the fund covers what it
/// can, and a backstop opens on the rest. Returns the series and the backstop's gap.
fn wiped_fund_backstop(env: &mut Env, old: &Staker, remaining: u64) -> (Pubkey, u64) {
    let expiry = expiry_after(env.now(), 2);
    let sol = env.sol;
    let call = env.create_series(sol, 0, usd(140), expiry).unwrap();
    let big = env.writer(usd(400_000), 0);
    env.deposit_quote(&big, usd(300_000)).unwrap();
    env.write(&big, &call, 20).unwrap();
    let (weak, _) = crate::liquidation::writer_at_im(env, &call, 2_000);
    let price = env.move_sol_until_liquidatable(&weak.account, 100);
    env.move_sol(price * 3 / 2);
    let keeper = crate::liquidation::bidder(env);
    env.start_liquidation(&keeper, &weak.account).unwrap();
    env.resolve_bankruptcy(&weak.account).unwrap();
    env.stake(old, usd(10_000)).unwrap();
    lose_all_but(env, remaining);
    let settle_at = env.sol_price / 100_000_000 + 30;
    let now = env.now();
    env.advance(expiry + 10 - now);
    env.publish_sol_at(settle_at * 100_000_000, expiry + 10);
    env.propose_settlement(expiry).unwrap();
    env.advance(901);
    env.settle_series(&call).unwrap();
    env.settle_position(&big.account, &call).unwrap();
    let o: BackstopOpened = event(&env.open_backstop(&call).unwrap());
    assert!(o.shortfall > usd(100), "gap {}", o.shortfall);
    (call, o.shortfall)
}

fn backstop_after_a_loss_to(remaining: u64) {
    let mut env = Env::new();
    let old = env.staker(usd(10_000));
    let (call, gap) = wiped_fund_backstop(&mut env, &old, remaining);
    assert_eq!(env.insurance_fund().balance, 0);
    // a small purchase, then the rest of the gap at once
    let buyer = env.staker(gap);
    let b: BackstopBought = event(&env.buy_backstop(&buyer, &call, usd(1), u64::MAX).unwrap());
    assert!(b.shares > 0);
    let b2: BackstopBought = event(
        &env.buy_backstop(&buyer, &call, gap - usd(1), u64::MAX)
            .unwrap(),
    );
    assert_eq!(b2.shortfall_after, 0);
    // the wiped fund's old shares are worth nothing and own nothing of it: every share
    // outstanding is the buyer's
    assert_eq!(stake_value(&mut env, &old), 0);
    let buyer_shares = shares_of(&mut env, &buyer);
    assert_eq!(env.insurance_fund().total_shares, buyer_shares);
    // and a new stake after the purchase is priced at the fund's value
    let s = env.staker(usd(1_000));
    env.stake(&s, usd(1_000)).unwrap();
    let v = stake_value(&mut env, &s);
    assert!(v <= usd(1_000) && v + 2 >= usd(1_000), "{v}");
    assert_books_balance(&mut env);
}

#[test]
fn wiped_fund_to_zero_sells_backstop_shares_of_any_size() {
    backstop_after_a_loss_to(0);
}

#[test]
fn wiped_fund_to_one_unit_sells_backstop_shares_of_any_size() {
    backstop_after_a_loss_to(1);
}

#[test]
fn wiped_fund_to_a_millionth_sells_backstop_shares_of_any_size() {
    backstop_after_a_loss_to(usd(10_000) / 1_000_000);
}

// ======================================================= just-in-time staking (issue item 12)

#[test]
fn stake_cannot_capture_fees_accrued_before_it() {
    let mut env = Env::new();
    let old = env.staker(usd(10_000));
    env.stake(&old, usd(10_000)).unwrap();
    let old_value0 = stake_value(&mut env, &old);
    // writing fees accrue on SOL, not yet swept
    let series = crate::liquidation::call_series(&mut env);
    crate::liquidation::writer_at_im(&mut env, &series, 10_000);
    let sol = env.sol.key;
    let fees = env.underlying_ledger(&sol).fees_accrued;
    assert!(fees > 100, "{fees}");
    // a staker arrives with as much as the fund holds, sweeps right after its stake (in the
    // same transaction when the stake left anything to sweep) and asks to leave at once
    let jit = env.staker(usd(10_000));
    env.stake(&jit, usd(10_000)).unwrap();
    if env.underlying_ledger(&sol).fees_accrued > 0 {
        env.sweep_fees(&sol).unwrap();
    }
    assert_eq!(env.underlying_ledger(&sol).fees_accrued, 0);
    let shares = env.insurance_stake(&jit).shares;
    let r: UnstakeRequested = event(&env.request_unstake(&jit, shares).unwrap());
    assert!(
        r.value <= usd(10_000),
        "requested {} for 10,000 USDC",
        r.value
    );
    env.advance(WEEK);
    let u: Unstaked = event(&env.unstake(&jit).unwrap());
    assert!(u.amount <= usd(10_000), "paid {} for 10,000 USDC", u.amount);
    // the fees went to the staker that was there when they accrued
    assert!(stake_value(&mut env, &old) + 2 >= old_value0 + fees);
    assert_books_balance(&mut env);
}

#[test]
fn stake_in_one_transaction_with_a_sweep_and_a_request_gains_nothing() {
    let mut env = Env::new();
    let old = env.staker(usd(10_000));
    env.stake(&old, usd(10_000)).unwrap();
    let series = crate::liquidation::call_series(&mut env);
    crate::liquidation::writer_at_im(&mut env, &series, 10_000);
    let sol = env.sol.key;
    let fees = env.underlying_ledger(&sol).fees_accrued;
    assert!(fees > 0);
    let jit = env.staker(usd(10_000));
    let n = env.clearinghouse().underlying_count;
    let fund = env.insurance_fund();
    // the attack as one transaction: the shares it asks to unstake are those the old pricing
    // (before the sweep) would have minted, so the stake must have swept first to refuse it
    let naive = fund.shares().shares_for_stake(usd(10_000)).unwrap();
    let with_fees = FundShares {
        fund: fund.balance + fees,
        total_shares: fund.total_shares,
    }
    .shares_for_stake(usd(10_000))
    .unwrap();
    assert!(naive > with_fees);
    let stake = ix::stake(&env.ch, jit.owner.pubkey(), jit.quote_ata, usd(10_000), n);
    let sweep = ix::sweep_fees(&env.ch, sol);
    let request = |shares| ix::request_unstake(env.ch.clearinghouse, jit.owner.pubkey(), shares);
    // the stake swept already: nothing is left to sweep
    expect_err(
        env.chain
            .send(&[stake.clone(), sweep, request(naive)], &[&jit.owner]),
        E::NothingToSweep,
    );
    // without the sweep: only the shares priced with the fees exist
    expect_err(
        env.chain
            .send(&[stake.clone(), request(naive)], &[&jit.owner]),
        E::InsufficientShares,
    );
    let out = env
        .chain
        .send(&[stake, request(with_fees)], &[&jit.owner])
        .unwrap();
    let swept: FeesSwept = event(&out);
    assert_eq!((swept.underlying, swept.amount), (sol, fees));
    let r: UnstakeRequested = event(&out);
    assert!(r.value <= usd(10_000));
    assert_books_balance(&mut env);
}

#[test]
fn stake_needs_every_underlying_ledger_of_its_clearing_house() {
    let mut env = Env::new();
    let s = env.staker(usd(10));
    let n = env.clearinghouse().underlying_count;
    assert_eq!(n, 2);
    let good = ix::stake(&env.ch, s.owner.pubkey(), s.quote_ata, usd(1), n);
    // one missing, one too many
    let mut short = good.clone();
    short.accounts.pop();
    expect_err(
        env.send_ix(short, &[&s.owner]),
        E::UnderlyingLedgerCountMismatch,
    );
    let mut long = good.clone();
    let extra = long.accounts[long.accounts.len() - 1].clone();
    long.accounts.push(extra);
    expect_err(
        env.send_ix(long, &[&s.owner]),
        E::UnderlyingLedgerCountMismatch,
    );
    // the same ledger twice
    let mut twice = good.clone();
    let len = twice.accounts.len();
    twice.accounts[len - 1] = twice.accounts[len - 2].clone();
    expect_err(
        env.send_ix(twice, &[&s.owner]),
        E::DuplicateUnderlyingLedger,
    );
    // another clearing house's ledger
    let foreign = env.foreign_clearinghouse();
    let mut theirs = good.clone();
    let len = theirs.accounts.len();
    theirs.accounts[len - 1].pubkey = pda::underlying_ledger(&foreign.underlying.key);
    expect_err(env.send_ix(theirs, &[&s.owner]), E::WrongClearinghouse);
    // and buy_backstop takes the same list
    let series = Pubkey::new_unique();
    let bb = ix::buy_backstop(
        &env.ch,
        s.owner.pubkey(),
        s.quote_ata,
        series,
        greekhouse::instructions::BuyBackstopArgs {
            amount: 1,
            max_price: 1,
        },
        n,
    );
    let ledgers = ix::underlying_ledgers(&env.ch.clearinghouse, n);
    assert_eq!(bb.accounts[bb.accounts.len() - 2..], ledgers[..]);
    env.send_ix(good, &[&s.owner]).unwrap();
}

#[test]
fn a_pending_unstake_across_a_rebase_pays_the_lower_value() {
    let mut env = Env::new();
    let a = env.staker(usd(10_000));
    let b = env.staker(usd(10_000));
    env.stake(&a, usd(10_000)).unwrap();
    env.stake(&b, usd(10_000)).unwrap();
    let shares = env.insurance_stake(&a).shares;
    let r: UnstakeRequested = event(&env.request_unstake(&a, shares / 2).unwrap());
    // a loss to a thousandth of the fund, then a stake that rebases it
    lose_all_but(&mut env, usd(20));
    let c = env.staker(usd(1_000));
    let out = env.stake(&c, usd(1_000)).unwrap();
    let rb: InsuranceSharesRebased = event(&out);
    assert_eq!(rb.digits, 3);
    let fund = env.insurance_fund();
    assert_eq!(fund.shares_base, 3);
    // a's stake is still at the old base until touched, and counts rebased
    assert_eq!(env.insurance_stake(&a).shares_base, 0);
    let view = env.insurance_stake(&a).rebased(3).unwrap();
    assert_eq!(view.pending_shares, shares / 2 / 1_000);
    assert_eq!(view.pending_value, r.value);
    env.advance(WEEK);
    let expected = fund
        .shares()
        .unstake_payout(view.pending_shares, r.value)
        .unwrap();
    let out = env.unstake(&a).unwrap();
    let sr: StakeRebased = event(&out);
    assert_eq!(sr.shares_after, shares / 1_000);
    let u: Unstaked = event(&out);
    assert_eq!(u.amount, expected);
    // the loss reached the request: about a quarter of the 20 USDC left (a holds half the
    // shares, requested half of them), not the 5,000 USDC asked
    assert!(u.amount < r.value);
    assert!(
        u.amount <= usd(5) && u.amount + 20 >= usd(5),
        "{}",
        u.amount
    );
    // the rest of a's and b's stakes keep their share
    assert_eq!(shares_of(&mut env, &a), shares / 1_000 - shares / 2 / 1_000);
    assert_books_balance(&mut env);
    // a wipe to zero drops b's pending request: its shares are worth nothing
    let held = shares_of(&mut env, &b);
    env.request_unstake(&b, held).unwrap();
    lose_all_but(&mut env, 0);
    let d = env.staker(usd(1));
    env.stake(&d, usd(1)).unwrap();
    assert_eq!(env.insurance_fund().total_shares, shares_of(&mut env, &d));
    env.advance(WEEK);
    expect_err(env.unstake(&b), E::NoUnstakeRequest);
    expect_err(env.request_unstake(&b, 1), E::InsufficientShares);
    assert_books_balance(&mut env);
}

/// An inflow into a wiped fund before the backstop's first purchase (a donation here; fees or
/// dust alike) revives the old shares a little, so the fund rebases by fewer digits than the
/// wipe the backstop's start price was quoted at. The start price must not be carried down to
/// that base (a price of one raw unit, overflowing every purchase above a few quote units, which
/// the lifecycle fuzzer met as `ShareSupplyExceeded`): the auction starts from the fund's value.
#[test]
fn a_backstop_after_an_inflow_into_a_wiped_fund_sells_any_size() {
    let mut env = Env::new();
    let old = env.staker(usd(10_000));
    let (call, gap) = wiped_fund_backstop(&mut env, &old, 0);
    let donor = env.staker(usd(1));
    env.donate(&donor, usd(1)).unwrap();
    let buyer = env.staker(gap);
    let b: BackstopBought = event(&env.buy_backstop(&buyer, &call, gap, u64::MAX).unwrap());
    assert_eq!(b.shortfall_after, 0);
    assert!(b.shares > 0);
    assert_books_balance(&mut env);
}
