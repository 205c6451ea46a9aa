//! Just-in-time staking cannot capture fees accrued before the stake.
use super::*;

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
