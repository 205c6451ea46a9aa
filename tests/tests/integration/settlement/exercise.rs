//! American series (docs/protocol.md 5b): `exercise` before the cut-off pays the holder the
//! intrinsic value at a fresh price out of the quote vault; the writers' shorts shrink and their
//! exercise debt grows pro rata through the series' exercise index, accrued by
//! `accrue_exercise` (margin checks refuse an account until it accrued); settlement after a
//! partial exercise pays the rest; a writer with accrued exercise debt is liquidated as any.
use super::*;

use greekhouse::events::{ExerciseAccrued, OptionsExercised};
use greekhouse::state::{ExerciseStyle, EXERCISE_SCALE_ONE};

/// Two writers short American SOL puts struck at $160 (30 and 10 contracts), the 40 tokens with
/// a holder; SOL then falls to $100 (the puts deep in the money).
struct Puts {
    series: Pubkey,
    expiry: i64,
    w1: Writer,
    w2: Writer,
    holder: Writer,
}

const STRIKE: u64 = 160;

fn american_puts(env: &mut Env) -> Puts {
    let expiry = expiry_after(env.now(), 2);
    let sol = env.sol;
    let series = env
        .create_american_series(sol, 1, usd(STRIKE), expiry)
        .unwrap();
    let s = env.series_state(&series);
    assert_eq!(s.style, ExerciseStyle::American as u8);
    assert_eq!(s.exercise_scale, EXERCISE_SCALE_ONE);
    let holder = env.writer(0, 0);
    let holder_tokens = env
        .chain
        .token_account(&holder.owner.pubkey(), &s.option_mint, &SPL_TOKEN)
        .unwrap();
    let w1 = env.writer(usd(100_000), 0);
    env.deposit_quote(&w1, usd(100_000)).unwrap();
    env.write_to(&w1, &series, 30, holder_tokens).unwrap();
    let w2 = env.writer(usd(100_000), 0);
    env.deposit_quote(&w2, usd(100_000)).unwrap();
    env.write_to(&w2, &series, 10, holder_tokens).unwrap();
    env.move_sol(px(100));
    Puts {
        series,
        expiry,
        w1,
        w2,
        holder,
    }
}

fn exercise(env: &mut Env, f: &Puts, contracts: u64) -> Result<TxOutcome, ChainError> {
    env.exercise(&f.holder.owner, &f.holder.quote_ata, &f.series, contracts)
}

#[test]
fn an_early_exercise_pays_the_holder_and_charges_the_writers_pro_rata() {
    let mut env = Env::new();
    let f = american_puts(&mut env);
    let vault0 = env.quote_vault_balance();
    let wallet0 = env.wallet_quote(&f.holder.quote_ata);
    let (q1, q2) = (
        env.writer_state(&f.w1.account).quote_balance,
        env.writer_state(&f.w2.account).quote_balance,
    );
    // 8 of the 40 at $100: $60 a contract
    let e: OptionsExercised = event(&exercise(&mut env, &f, 8).unwrap());
    assert_eq!(e.payout_per_contract, usd(60));
    assert_eq!(e.obligation_per_contract, usd(60));
    assert_eq!(e.amount, usd(480));
    assert_eq!(e.writer_shorts_before, 40);
    assert_eq!(e.exercise_scale_after, EXERCISE_SCALE_ONE / 5 * 4);
    assert_eq!(env.wallet_quote(&f.holder.quote_ata), wallet0 + usd(480));
    assert_eq!(env.quote_vault_balance(), vault0 - usd(480));
    assert_eq!(env.option_balance(&f.holder.owner.pubkey(), &f.series), 32);
    let s = env.series_state(&f.series);
    assert_eq!(
        (s.open_interest, s.exercised_contracts, s.exercise_advanced),
        (32, 8, usd(480))
    );
    assert_eq!(s.recorded_shorts, 40);
    // the quote vault equals its ledger: the advance is the series' receivable
    assert_books_balance(&mut env);

    // neither writer's margin is computed before its exercise accrued
    expect_err(env.check_margin(&f.w1.account), E::ExerciseNotAccrued);
    expect_err(env.check_margin(&f.w2.account), E::ExerciseNotAccrued);
    let a1: ExerciseAccrued = event(&env.accrue_exercise(&f.w1.account, &f.series).unwrap());
    let a2: ExerciseAccrued = event(&env.accrue_exercise(&f.w2.account, &f.series).unwrap());
    // pro rata: 8/40 of each short, at $60 a contract
    assert_eq!(
        (a1.contracts_before, a1.contracts_after, a1.debt),
        (30, 24, usd(360))
    );
    assert_eq!(
        (a2.contracts_before, a2.contracts_after, a2.debt),
        (10, 8, usd(120))
    );
    assert_eq!(
        env.writer_state(&f.w1.account).quote_balance,
        q1 - usd(360) as i64
    );
    assert_eq!(
        env.writer_state(&f.w2.account).quote_balance,
        q2 - usd(120) as i64
    );
    assert_eq!(env.short_of(&f.w1.account, &f.series), 24);
    assert_eq!(env.short_of(&f.w2.account, &f.series), 8);
    let s = env.series_state(&f.series);
    assert_eq!(s.exercise_collected, s.exercise_advanced);
    assert_eq!(s.recorded_shorts, 32);
    assert_books_balance(&mut env);
    expect_err(
        env.accrue_exercise(&f.w1.account, &f.series),
        E::ExerciseAlreadyAccrued,
    );
    env.check_margin(&f.w1.account).unwrap();
    env.check_margin(&f.w2.account).unwrap();
}

#[test]
fn uneven_shares_round_against_the_writers_and_the_residue_reaches_the_fund() {
    let mut env = Env::new();
    let f = american_puts(&mut env);
    // 7 of 40: w1 owes 30 x 7/40 = 5.25 contracts' worth, w2 1.75; shorts 24.75 -> 25, 8.25 -> 9
    let e: OptionsExercised = event(&exercise(&mut env, &f, 7).unwrap());
    assert_eq!(e.amount, usd(420));
    let a1: ExerciseAccrued = event(&env.accrue_exercise(&f.w1.account, &f.series).unwrap());
    let a2: ExerciseAccrued = event(&env.accrue_exercise(&f.w2.account, &f.series).unwrap());
    assert_eq!((a1.contracts_after, a2.contracts_after), (25, 9));
    assert!(a1.debt >= usd(315) && a1.debt <= usd(315) + 1);
    assert!(a2.debt >= usd(105) && a2.debt <= usd(105) + 1);
    let s = env.series_state(&f.series);
    assert!(s.exercise_collected >= s.exercise_advanced);
    assert_eq!(s.recorded_shorts, 34);
    assert_eq!(s.open_interest, 33);
    assert_books_balance(&mut env);
    // settle at $100: 34 recorded shorts settle, 33 tokens redeem; the excess is the fund's
    settle_price(&mut env, f.expiry, 100);
    env.settle_series(&f.series).unwrap();
    for w in [&f.w1, &f.w2] {
        env.settle_position(&w.account, &f.series).unwrap();
    }
    env.finalize_series(&f.series).unwrap();
    let r: greekhouse::events::Redeemed = event(
        &env.redeem(&f.holder.owner, &f.holder.quote_ata, &f.series, 33)
            .unwrap(),
    );
    assert_eq!(r.amount, 33 * usd(60));
    let fund0 = env.insurance_fund().balance;
    let swept = sweep_dust_if_any(&mut env, &f.series);
    assert_eq!(swept, usd(60) + (a1.debt + a2.debt - usd(420)));
    assert_eq!(env.insurance_fund().balance, fund0 + swept);
    assert_books_balance(&mut env);
}

#[test]
fn settlement_after_a_partial_exercise_pays_the_rest() {
    let mut env = Env::new();
    let f = american_puts(&mut env);
    exercise(&mut env, &f, 8).unwrap();
    // the holder keeps 32; settlement at $120: $40 a contract
    settle_price(&mut env, f.expiry, 120);
    let st: greekhouse::events::SeriesSettled = event(&env.settle_series(&f.series).unwrap());
    assert_eq!(st.shorts_to_settle, 40);
    // each short settles what survived the exercise, once accrued
    expect_err(
        env.settle_position(&f.w1.account, &f.series),
        E::ExerciseNotAccrued,
    );
    for w in [&f.w1, &f.w2] {
        env.accrue_exercise(&w.account, &f.series).unwrap();
    }
    assert_eq!(env.series_state(&f.series).shorts_to_settle, 32);
    let p1: greekhouse::events::PositionSettled =
        event(&env.settle_position(&f.w1.account, &f.series).unwrap());
    let p2: greekhouse::events::PositionSettled =
        event(&env.settle_position(&f.w2.account, &f.series).unwrap());
    assert_eq!(p1.contracts, 24);
    assert_eq!(p2.contracts, 8);
    assert_books_balance(&mut env);
    let fin: greekhouse::events::SeriesFinalized = event(&env.finalize_series(&f.series).unwrap());
    assert_eq!((fin.payout_final, fin.haircut_bps), (usd(40), 0));
    let wallet0 = env.wallet_quote(&f.holder.quote_ata);
    env.redeem(&f.holder.owner, &f.holder.quote_ata, &f.series, 32)
        .unwrap();
    assert_eq!(
        env.wallet_quote(&f.holder.quote_ata),
        wallet0 + 32 * usd(40)
    );
    assert_eq!(env.series_state(&f.series).settlement_ledger, 0);
    assert_books_balance(&mut env);
}

#[test]
fn exercise_is_refused_after_the_cut_off_on_a_stale_or_spoofed_price_and_on_a_european_series() {
    let mut env = Env::new();
    let f = american_puts(&mut env);
    // a stale price
    env.advance(120);
    expect_err(exercise(&mut env, &f, 1), E::OracleStale);
    // a spoofed oracle: another account (BTC's legacy feed) in the oracle's place
    env.move_sol(px(100));
    let s = env.series_state(&f.series);
    let tokens = env
        .chain
        .token_account(&f.holder.owner.pubkey(), &s.option_mint, &SPL_TOKEN)
        .unwrap();
    let spoof = greekhouse_sdk::ix::exercise(
        &env.ch,
        f.holder.owner.pubkey(),
        env.sol.key,
        env.btc.oracle,
        f.series,
        tokens,
        f.holder.quote_ata,
        1,
    );
    expect_err(
        env.chain.send(&[spoof], &[&f.holder.owner]),
        E::OracleWrongOwner,
    );
    // a foreign underlying (BTC's, with its own ledger and oracle)
    let foreign = greekhouse_sdk::ix::exercise(
        &env.ch,
        f.holder.owner.pubkey(),
        env.btc.key,
        env.btc.oracle,
        f.series,
        tokens,
        f.holder.quote_ata,
        1,
    );
    expect_err(
        env.chain.send(&[foreign], &[&f.holder.owner]),
        E::WrongUnderlying,
    );
    // someone else's tokens
    let thief = env.writer(0, 0);
    let stolen = greekhouse_sdk::ix::exercise(
        &env.ch,
        thief.owner.pubkey(),
        env.sol.key,
        env.sol.oracle,
        f.series,
        tokens,
        thief.quote_ata,
        1,
    );
    expect_err(
        env.chain.send(&[stolen], &[&thief.owner]),
        E::WrongTokenOwner,
    );
    // zero, more than held, all the writers' shorts
    expect_err(exercise(&mut env, &f, 0), E::ZeroAmount);
    expect_err(exercise(&mut env, &f, 41), E::InsufficientOptionTokens);
    expect_err(exercise(&mut env, &f, 40), E::ExerciseExceedsWriterShorts);
    // paused
    env.pause(pause::EXERCISE);
    expect_err(exercise(&mut env, &f, 1), E::Paused);
    env.unpause(pause::EXERCISE);
    // out of the money
    env.move_sol(px(170));
    expect_err(exercise(&mut env, &f, 1), E::ExerciseOutOfTheMoney);
    // a European series of the same terms (its own address)
    let euro = series(&mut env, 1, STRIKE, f.expiry);
    assert_ne!(euro, f.series);
    let w = env.writer(usd(100_000), 0);
    env.deposit_quote(&w, usd(100_000)).unwrap();
    env.write(&w, &euro, 2).unwrap();
    env.move_sol(px(100));
    expect_err(
        env.exercise(&w.owner, &w.quote_ata, &euro, 1),
        E::SeriesNotAmerican,
    );
    // the cut-off: an hour before expiry by default
    let cutoff = f.expiry - i64::from(env.clearinghouse().params.settlement.exercise_cutoff_secs);
    advance_to(&mut env, cutoff - 5);
    env.move_sol(px(100));
    exercise(&mut env, &f, 1).unwrap();
    advance_to(&mut env, cutoff);
    env.move_sol(px(100));
    expect_err(exercise(&mut env, &f, 1), E::ExerciseWindowClosed);
    // nothing a refusal touched moved: the books still balance
    for w in [&f.w1, &f.w2] {
        env.accrue_exercise(&w.account, &f.series).unwrap();
    }
    assert_books_balance(&mut env);
}

#[test]
fn a_writer_with_accrued_exercise_debt_is_liquidated_like_any() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let sol = env.sol;
    let series = env
        .create_american_series(sol, 1, usd(140), expiry)
        .unwrap();
    let big = env.writer(usd(400_000), 0);
    env.deposit_quote(&big, usd(300_000)).unwrap();
    env.write(&big, &series, 40).unwrap();
    let (weak, n) = writer_at_im(&mut env, &series, 3_000);
    // SOL falls; once the puts are in the money the big writer exercises some of its tokens at
    // each step, and the weak writer is charged its share
    let mut price = env.sol_price;
    loop {
        price = price * 97 / 100;
        env.move_sol(price);
        if price < px(140) {
            exercise_some(&mut env, &big, &series, 2);
            env.accrue_all(&weak.account);
            env.accrue_all(&big.account);
        }
        if env
            .margin_of(&weak.account)
            .maintenance
            .equity
            .is_negative()
            && price < px(140)
        {
            break;
        }
        assert!(price > px(20), "never liquidatable");
    }
    let w = env.writer_state(&weak.account);
    assert!(
        w.short_contracts(&series) < n,
        "the weak writer was assigned"
    );
    assert_books_balance(&mut env);
    // one more exercise: the liquidation waits for the accrual, then proceeds
    exercise_some(&mut env, &big, &series, 2);
    let keeper = bidder(&mut env);
    expect_err(
        env.start_liquidation(&keeper, &weak.account),
        E::ExerciseNotAccrued,
    );
    // the liquidator bot accrues the pending exercise itself, then starts the liquidation
    let mut bot = greekhouse_liquidator::bot_for_scenario(&env, &keeper);
    let mut log = greekhouse_liquidator::MemoryLog::default();
    bot.tick(&mut env.chain, &mut log);
    assert!(
        log.0.iter().any(|(what, _)| what == "exercise_accrued"),
        "{:?}",
        log.0
    );
    assert_eq!(
        env.writer_state(&weak.account).status().unwrap(),
        greekhouse::state::WriterStatus::Liquidating,
        "started after the accrual"
    );
    env.accrue_all(&keeper.account);
    let (out, _) = env.bid(&keeper, &weak.account, BidSize::Max).unwrap();
    let _: greekhouse::events::SliceBought = event(&out);
    assert_books_balance(&mut env);
}

/// The big writer (who holds the series' tokens) exercises `contracts` of them.
fn exercise_some(env: &mut Env, holder: &Writer, series: &Pubkey, contracts: u64) {
    let e: OptionsExercised = event(
        &env.exercise(&holder.owner, &holder.quote_ata, series, contracts)
            .unwrap(),
    );
    assert_eq!(e.contracts, contracts);
}

#[test]
fn the_sdk_projects_an_exercise_as_the_program_pays_it() {
    let mut env = Env::new();
    let f = american_puts(&mut env);
    let s = env.series_state(&f.series);
    let tokens = env
        .chain
        .token_account(&f.holder.owner.pubkey(), &s.option_mint, &SPL_TOKEN)
        .unwrap();
    let (now, ch, oracle) = (env.now(), env.ch, env.sol.oracle);
    let project = |env: &mut Env, n: u64| {
        greekhouse_sdk::writer_flows::exercise(
            &mut env.chain,
            &ch,
            f.holder.owner.pubkey(),
            f.series,
            oracle,
            tokens,
            f.holder.quote_ata,
            n,
            now,
        )
        .unwrap()
    };
    let zero = project(&mut env, 0);
    assert!(zero.refusal.unwrap().is(E::ZeroAmount));
    let c = project(&mut env, 8);
    assert!(c.refusal.is_none());
    assert_eq!(c.amount_after, Some(usd(480)));
    let e: OptionsExercised = event(
        &env.chain
            .send(&[c.instruction], &[&f.holder.owner])
            .unwrap(),
    );
    assert_eq!(e.amount, usd(480));
    // the writers' pending accruals, as the SDK lists them for a bot or the writer to send
    let pending = greekhouse_sdk::flows::pending_accruals(&mut env.chain, &f.w1.account).unwrap();
    assert_eq!(pending.len(), 1);
    env.chain.send(&pending, &[]).unwrap();
    assert!(
        greekhouse_sdk::flows::pending_accruals(&mut env.chain, &f.w1.account)
            .unwrap()
            .is_empty()
    );
    env.check_margin(&f.w1.account).unwrap();
}

/// A writer whose exercise debt exceeds its quote: the unpaid part is marked against the series;
/// bankrupt with an empty fund, its debt is written off into the series, whose ledger repays the
/// advance at finalization: the series' remaining holders bear it, the books balance throughout.
#[test]
fn an_unpaid_exercise_debt_is_written_off_into_its_series() {
    let mut env = Env::new();
    assert_eq!(env.insurance_fund().balance, 0);
    let expiry = expiry_after(env.now(), 2);
    let sol = env.sol;
    let series = env
        .create_american_series(sol, 1, usd(140), expiry)
        .unwrap();
    let big = env.writer(usd(900_000), 0);
    env.deposit_quote(&big, usd(800_000)).unwrap();
    env.write(&big, &series, 200).unwrap();
    let (weak, _) = writer_at_im(&mut env, &series, 1_000);
    env.move_sol(px(60));
    exercise_some(&mut env, &big, &series, 190);
    let a: ExerciseAccrued = event(&env.accrue_exercise(&weak.account, &series).unwrap());
    assert!(a.quote_balance_after < 0, "{a:?}");
    let w = env.writer_state(&weak.account);
    assert_eq!(w.debt_markers[0].series, series);
    assert_eq!(w.debt_markers[0].owed, a.quote_balance_after.unsigned_abs());
    assert_eq!(env.series_state(&series).open_debts, 1);
    env.accrue_exercise(&big.account, &series).unwrap();
    assert_books_balance(&mut env);
    // nobody buys it: bankrupt, then its exercise debt is written off (the fund is empty)
    let keeper = bidder(&mut env);
    env.start_liquidation(&keeper, &weak.account).unwrap();
    env.resolve_bankruptcy(&weak.account).unwrap();
    let d: greekhouse::events::DebtResolved = event(&env.resolve_debt(&weak.account).unwrap());
    assert_eq!(d.from_fund, 0);
    let s = env.series_state(&series);
    assert_eq!(s.open_debts, 0);
    // the written-off debt, less the rounding surplus the writers' accruals collected (a unit
    // per short at most)
    let written_off = a.quote_balance_after.unsigned_abs();
    assert!(s.exercise_deficit() <= written_off && s.exercise_deficit() + 2 >= written_off);
    assert_eq!(env.writer_state(&weak.account).quote_balance, 0);
    assert_books_balance(&mut env);
    // expiry at $60: the big writer's surviving shorts settle; the ledger repays the advance
    // first, the series' holders bear the rest (after the backstop's window)
    settle_price(&mut env, expiry, 60);
    env.settle_series(&series).unwrap();
    env.settle_position(&big.account, &series).unwrap();
    assert_books_balance(&mut env);
    if env.open_backstop(&series).is_ok() {
        env.advance(86_401);
    }
    let f: greekhouse::events::SeriesFinalized = event(&env.finalize_series(&series).unwrap());
    let s = env.series_state(&series);
    assert_eq!(s.exercise_deficit(), 0);
    assert!(
        f.payout_final < usd(80),
        "the holders bear the written-off debt"
    );
    assert_books_balance(&mut env);
    let left = env.option_balance(&big.owner.pubkey(), &series);
    env.redeem(&big.owner, &big.quote_ata, &series, left)
        .unwrap();
    sweep_dust_if_any(&mut env, &series);
    assert_books_balance(&mut env);
}

/// `accrue_exercise`'s refusals: on a European series (`SeriesNotAmerican`), with another
/// underlying's account (`WrongUnderlying`), and when nothing is pending (`ExerciseAlreadyAccrued`);
/// each leaves the writer account untouched.
#[test]
fn accrue_exercise_is_refused_on_a_european_series_a_wrong_underlying_and_nothing_pending() {
    let mut env = Env::new();
    let f = american_puts(&mut env);
    let sol = env.sol;
    let european = env.create_series(sol, 1, usd(100), f.expiry).unwrap();
    env.write(&f.w1, &european, 1).unwrap();
    let before = env.writer_state(&f.w1.account);
    let send = |env: &mut Env, ix| env.chain.send(&[ix], &[]);
    expect_err(
        send(
            &mut env,
            greekhouse_sdk::ix::accrue_exercise(f.w1.account, european, sol.key),
        ),
        E::SeriesNotAmerican,
    );
    let btc = env.btc.key;
    expect_err(
        send(
            &mut env,
            greekhouse_sdk::ix::accrue_exercise(f.w1.account, f.series, btc),
        ),
        E::WrongUnderlying,
    );
    expect_err(
        send(
            &mut env,
            greekhouse_sdk::ix::accrue_exercise(f.w1.account, f.series, sol.key),
        ),
        E::ExerciseAlreadyAccrued,
    );
    assert_eq!(
        bytemuck::bytes_of(&env.writer_state(&f.w1.account)),
        bytemuck::bytes_of(&before)
    );
}

/// A write and a withdrawal after an exercise: the program refuses both (`ExerciseNotAccrued`)
/// until the writer's short accrued, and so does the SDK's projection; with the accruals first
/// in the same transaction (`accrual::accrue_first`, as `greekhouse account write` and
/// `withdraw` send them) each is projected on the accrued account and lands as projected: its
/// fee, its equity, the account it leaves to the byte. With nothing pending the view is the chain.
#[test]
fn a_write_after_an_exercise_sends_the_accruals_first_and_lands_as_projected() {
    use greekhouse::events::OptionsWritten;
    use greekhouse_sdk::{accrual, flows};
    let mut env = Env::new();
    let f = american_puts(&mut env);
    exercise(&mut env, &f, 8).unwrap();
    let (account, series) = (f.w1.account, f.series);
    let owner = f.w1.owner.pubkey();
    let mint = env.series_state(&series).option_mint;
    let recipient = env.chain.token_account(&owner, &mint, &SPL_TOKEN).unwrap();
    let keys = (account, owner, series, recipient);
    fn write<C: greekhouse_sdk::chain::Chain + ?Sized>(
        chain: &mut C,
        cx: &flows::FlowContext<'_>,
        (account, owner, series, recipient): (Pubkey, Pubkey, Pubkey, Pubkey),
    ) -> Result<flows::Projected, greekhouse_sdk::margin::MarginError> {
        flows::write(chain, cx, account, owner, series, recipient, 2)
    }
    // without the accruals: the program's refusal, projected, and the node's
    let bare = env.with_flow(|chain, cx| write(chain, cx, keys)).unwrap();
    assert!(bare.refusal.as_ref().unwrap().is(E::ExerciseNotAccrued));
    expect_err(
        env.chain.send(&[bare.instruction], &[&f.w1.owner]),
        E::ExerciseNotAccrued,
    );
    // with them first: projected on the accrued account
    let (p, accruals) = env.with_flow(|chain, cx| {
        let (mut view, accruals) = accrual::accrue_first(chain, &account).unwrap();
        (write(&mut view, cx, keys).unwrap(), accruals)
    });
    assert_eq!(accruals.len(), 1);
    assert!(p.refusal.is_none(), "{:?}", p.refusal);
    let mut ixs = accruals;
    ixs.push(p.instruction.clone());
    let out = env.chain.send(&ixs, &[&f.w1.owner]).unwrap();
    let a: ExerciseAccrued = event(&out);
    assert_eq!((a.contracts_before, a.contracts_after), (30, 24));
    let written: OptionsWritten = event(&out);
    assert_eq!(written.fee, p.fee);
    assert_eq!(Some(written.initial_equity_after), p.initial_equity_after());
    let after = env.writer_state(&account);
    assert_eq!(
        bytemuck::bytes_of(&after),
        bytemuck::bytes_of(&p.account_after)
    );
    // nothing pending now: no accrual, and the projection is the chain's
    let (again, none) = env.with_flow(|chain, cx| {
        let (mut view, accruals) = accrual::accrue_first(chain, &account).unwrap();
        (write(&mut view, cx, keys).unwrap(), accruals)
    });
    assert!(none.is_empty());
    assert!(again.refusal.is_none());
    // the other writer withdraws: its accrual first as well
    let w2 = f.w2.account;
    let ledger = greekhouse_sdk::ix::TokenLedger::quote(&env.ch);
    let to = f.w2.quote_ata;
    let w2_owner = f.w2.owner.pubkey();
    let (p, accruals) = env.with_flow(|chain, cx| {
        let (mut view, accruals) = accrual::accrue_first(chain, &w2).unwrap();
        let p = flows::withdraw(&mut view, cx, w2, w2_owner, &ledger, to, usd(1_000)).unwrap();
        (p, accruals)
    });
    assert_eq!(accruals.len(), 1);
    assert!(p.refusal.is_none(), "{:?}", p.refusal);
    let mut ixs = accruals;
    ixs.push(p.instruction);
    env.chain.send(&ixs, &[&f.w2.owner]).unwrap();
    assert_eq!(
        bytemuck::bytes_of(&env.writer_state(&w2)),
        bytemuck::bytes_of(&p.account_after)
    );
    assert_books_balance(&mut env);
}
