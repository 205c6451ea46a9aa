//! The SDK's margin equals the program's for the written accounts.
use super::*;

#[test]
fn program_margin_equals_sdk_margin_for_a_sol_and_btc_book() {
    let mut env = Env::new();
    let book = [
        (sol_call(&mut env, 160, 7), 20u64),
        (sol_put(&mut env, 140, 30), 20),
        (btc_series(&mut env, 0, 95_000, 7), 10),
        (btc_series(&mut env, 1, 85_000, 30), 10),
        (sol_call(&mut env, 200, 90), 5),
    ];
    let w = env.writer(usd(10_000), 200 * LAMPORTS_PER_SOL);
    env.deposit_sol(&w, 200 * LAMPORTS_PER_SOL).unwrap();
    env.deposit_quote(&w, usd(2_000)).unwrap();
    let mut fees = 0;
    for (series, n) in &book {
        let fee = env.expected_write_fee(series, *n);
        let out = env.write(&w, series, *n).unwrap();
        let ev = event::<OptionsWritten>(&out);
        assert_eq!(ev.fee, fee);
        fees += fee;
        assert_eq!(
            ev.initial_equity_after,
            env.initial_equity_native(&w.account),
            "program and SDK agree after writing {series}"
        );
    }
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        (usd(2_000) - fees) as i64
    );
    // SOL moves; a 1-unit quote withdrawal makes the program report its margin each time
    for price in [150, 156, 162, 171, 180, 165, 150, 138, 126, 120, 133] {
        env.advance(2);
        env.move_sol(pyth_usd(price));
        let out = env.withdraw_quote(&w, 1).unwrap();
        let reported = out
            .events
            .iter()
            .find_map(|e| match e {
                GreekhouseEvent::Withdrawn(x) => Some(x.initial_equity_after),
                _ => None,
            })
            .expect("Withdrawn event");
        assert_eq!(
            reported,
            Some(env.initial_equity_native(&w.account)),
            "program and SDK agree at SOL ${price}"
        );
    }
}

#[test]
fn sdk_margin_moves_the_expected_way_as_sol_moves() {
    let mut env = Env::new();
    let call = sol_call(&mut env, 160, 7);
    let put = sol_put(&mut env, 140, 7);
    let btc_call = btc_series(&mut env, 0, 95_000, 7);
    // short calls, quote only
    let calls = funded_writer(&mut env, 20_000);
    env.write(&calls, &call, 20).unwrap();
    // short puts, quote only
    let puts = funded_writer(&mut env, 20_000);
    env.write(&puts, &put, 20).unwrap();
    // SOL collateral backing a BTC short: SOL moves only the collateral
    let sol_backed = env.writer(0, 100 * LAMPORTS_PER_SOL);
    env.deposit_sol(&sol_backed, 100 * LAMPORTS_PER_SOL)
        .unwrap();
    env.write(&sol_backed, &btc_call, 5).unwrap();

    let snapshot = |env: &mut Env| {
        (
            env.margin_of(&calls.account),
            env.margin_of(&puts.account),
            env.margin_of(&sol_backed.account),
        )
    };
    let mut prev = snapshot(&mut env);
    // up, then down
    let path = [156, 162, 170, 180, 190, 175, 160, 150, 140, 130, 120];
    let mut last_price = 150;
    for price in path {
        env.advance(2);
        env.move_sol(pyth_usd(price));
        let now = snapshot(&mut env);
        let up = price > last_price;
        let (c0, p0, s0) = prev;
        let (c1, p1, s1) = now;
        if up {
            assert!(
                c1.liability > c0.liability,
                "short calls' liability rises at ${price}"
            );
            assert!(
                c1.initial.equity < c0.initial.equity,
                "short calls lose at ${price}"
            );
            assert!(c1.maintenance.equity < c0.maintenance.equity);
            assert!(
                p1.liability < p0.liability,
                "short puts' liability falls at ${price}"
            );
            assert!(
                p1.initial.equity > p0.initial.equity,
                "short puts gain at ${price}"
            );
            assert!(s1.initial.collateral_value > s0.initial.collateral_value);
            assert!(s1.initial.equity > s0.initial.equity);
        } else {
            assert!(
                c1.liability < c0.liability,
                "short calls' liability falls at ${price}"
            );
            assert!(
                c1.initial.equity > c0.initial.equity,
                "short calls gain at ${price}"
            );
            assert!(
                p1.liability > p0.liability,
                "short puts' liability rises at ${price}"
            );
            assert!(
                p1.initial.equity < p0.initial.equity,
                "short puts lose at ${price}"
            );
            assert!(s1.initial.collateral_value < s0.initial.collateral_value);
            assert!(s1.initial.equity < s0.initial.equity);
        }
        // quote-only books: collateral value is the quote balance, untouched by SOL
        assert_eq!(c1.initial.collateral_value, c0.initial.collateral_value);
        assert_eq!(p1.initial.collateral_value, p0.initial.collateral_value);
        // IM is the stricter level
        for m in [&c1, &p1, &s1] {
            assert!(m.initial.equity <= m.maintenance.equity);
            assert!(m.initial.requirement >= m.maintenance.requirement);
        }
        prev = now;
        last_price = price;
    }
}

/// Replace every account meta with `from`'s key by `to`.
pub(super) fn replace_account(ix: &mut Instruction, from: &Pubkey, to: Pubkey) {
    let mut n = 0;
    for m in ix.accounts.iter_mut().filter(|m| m.pubkey == *from) {
        m.pubkey = to;
        n += 1;
    }
    assert!(n > 0, "{from} not in the instruction");
}
