//! `greekhouse demo --settlement`: one expiry on an embedded bank running the real program. A
//! writer goes bankrupt on a call series before expiry; at expiry a later, favourable update is
//! refused and the one update straddling the expiry is posted and final at once; the series settle, the insurance fund
//! covers part of the bankrupt writer's contracts, a backstop auction of new fund shares part of
//! the rest, and the remainder is a haircut on that call series alone; every holder redeems and
//! the rounding dust goes to the fund. Every number is the program's (events and accounts).

use anyhow::{anyhow, Result};
use greekhouse::events::{
    BackstopBought, Redeemed, SeriesDustSwept, SeriesFinalized, SeriesSettled,
    SettlementPricePosted,
};
use greekhouse_sdk::chain::{ChainError, TxOutcome};
use greekhouse_sdk::events::ProgramEvent;
use greekhouse_sdk::Pubkey;
use greekhouse_testkit::scenario::{expiry_after, Env, USDC};
use serde_json::json;
use solana_signer::Signer;

use crate::fmt;

const PYTH_DOLLAR: i64 = 100_000_000;

fn chain_err(what: &str) -> impl FnOnce(ChainError) -> anyhow::Error + '_ {
    move |e| anyhow!("{what}: {e}")
}

fn usd(native: u64) -> String {
    format!("{:.6}", native as f64 / USDC as f64)
}

fn one<T: ProgramEvent>(out: &TxOutcome, what: &str) -> Result<T> {
    out.event::<T>()
        .ok_or_else(|| anyhow!("{what}: no event in {:?}", out.event_names()))
}

/// Runs the part; prints its text unless `json_out`; returns its JSON document.
pub fn run(json_out: bool) -> Result<serde_json::Value> {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let say = |s: &str| {
        if !json_out {
            println!("{s}");
        }
    };
    let mut env = Env::new();
    env.chain.set_quiet(true);
    env.move_sol(150 * PYTH_DOLLAR);
    say("Greekhouse settlement demo on an embedded Solana bank (the real program)");
    let expiry = expiry_after(env.now(), 2);
    let sol = env.sol;
    let call = env
        .create_series(sol, 0, 140 * USDC, expiry)
        .map_err(chain_err("create_series"))?;
    let a = env.writer(400_000 * USDC, 0);
    env.deposit_quote(&a, 300_000 * USDC)
        .map_err(chain_err("deposit"))?;
    env.write(&a, &call, 20).map_err(chain_err("write"))?;
    let b = env.writer(2_000 * USDC, 0);
    env.deposit_quote(&b, 2_000 * USDC)
        .map_err(chain_err("deposit"))?;
    let n = env
        .write_to_initial_margin(&b, &call)
        .map_err(chain_err("write"))?;
    say(&format!(
        "  writer A: 20 SOL 140 calls; writer B: {n} of them on 2,000 USDC (initial margin)"
    ));

    // B goes bankrupt in a rally with an empty insurance fund
    let p = env.move_sol_until_liquidatable(&b.account, 100);
    env.move_sol(p * 3 / 2);
    let keeper = env.writer(0, 0);
    env.start_liquidation(&keeper, &b.account)
        .map_err(chain_err("start_liquidation"))?;
    env.resolve_bankruptcy(&b.account)
        .map_err(chain_err("resolve_bankruptcy"))?;
    let cover = env.series_state(&call).unbacked_cover;
    let spot = (env.sol_price / PYTH_DOLLAR) as u64;
    say(&format!(
        "  SOL rallies to ${spot}: B is bankrupt, its {n} calls are unbacked with {} USDC of cover",
        usd(cover)
    ));
    let settle_at = spot + 30;
    let put = env
        .create_series(sol, 1, (settle_at + 10) * USDC, expiry)
        .map_err(chain_err("create_series"))?;
    let otm = env
        .create_series(sol, 0, (settle_at + 20) * USDC, expiry)
        .map_err(chain_err("create_series"))?;
    env.write(&a, &put, 20).map_err(chain_err("write"))?;
    env.write(&a, &otm, 20).map_err(chain_err("write"))?;
    let staker = env.staker(1_000 * USDC);
    env.stake(&staker, 1_000 * USDC)
        .map_err(chain_err("stake"))?;
    say(&format!(
        "  A also writes 20 puts at {} and 20 calls at {}; a staker puts 1,000 USDC in the fund",
        settle_at + 10,
        settle_at + 20
    ));

    // expiry: the one update that straddles it settles; a later, favourable one is refused
    let before = env.now();
    env.advance(expiry - before + 250);
    let late = (settle_at as i64 - 5) * PYTH_DOLLAR;
    env.publish_sol_update(late, expiry + 240, expiry + 200);
    let refused = env.propose_settlement(expiry).is_err();
    if !refused {
        return Err(anyhow!(
            "a later update than the one at expiry was accepted"
        ));
    }
    env.publish_sol_update(settle_at as i64 * PYTH_DOLLAR, expiry + 4, before);
    let posted: SettlementPricePosted = one(
        &env.propose_settlement(expiry)
            .map_err(chain_err("propose"))?,
        "propose",
    )?;
    if !posted.is_final {
        return Err(anyhow!("the settlement price is not final: {posted:?}"));
    }
    say(&format!(
        "\nexpiry: an update of ${} published {} s after expiry is refused (its previous update was after expiry too); \
         the update of ${} published {} s after expiry, whose previous one was {} s before it, is the settlement price, final at once",
        late / PYTH_DOLLAR,
        240,
        posted.price / PYTH_DOLLAR,
        posted.publish_time - expiry,
        expiry - posted.prev_publish_time,
    ));

    let mut rows = vec![vec![
        "series".to_string(),
        "payout".into(),
        "fund cover".into(),
        "backstop".into(),
        "final payout".into(),
        "haircut".into(),
    ]];
    let names = [
        (call, "call 140".to_string()),
        (put, format!("put {}", settle_at + 10)),
        (otm, format!("call {}", settle_at + 20)),
    ];
    let mut settled = Vec::new();
    for (s, _) in &names {
        let e: SeriesSettled = one(
            &env.settle_series(s).map_err(chain_err("settle_series"))?,
            "settle_series",
        )?;
        env.settle_position(&a.account, s)
            .map_err(chain_err("settle_position"))?;
        settled.push(e);
    }
    // the call series is short: a backstop auction of new fund shares
    env.open_backstop(&call)
        .map_err(chain_err("open_backstop"))?;
    let st = env.series_state(&call);
    let gap = st.outstanding() * st.payout_per_contract - st.settlement_ledger;
    let buyer = env.staker(gap);
    env.advance(3_600);
    let bought: BackstopBought = one(
        &env.buy_backstop(&buyer, &call, gap / 2, u64::MAX)
            .map_err(chain_err("buy_backstop"))?,
        "buy_backstop",
    )?;
    env.advance(86_401);
    let mut finals = Vec::new();
    for ((s, name), e) in names.iter().zip(&settled) {
        let f: SeriesFinalized = one(
            &env.finalize_series(s).map_err(chain_err("finalize"))?,
            "finalize",
        )?;
        rows.push(vec![
            name.clone(),
            usd(e.payout_per_contract),
            usd(e.fund_cover),
            usd(if *s == call { bought.amount } else { 0 }),
            usd(f.payout_final),
            format!("{:.2} %", f.haircut_bps as f64 / 100.0),
        ]);
        finals.push(f);
    }
    let mut redeemed = 0;
    let mut dust = 0;
    for (s, _) in &names {
        for (owner, wallet) in [(&a.owner, a.quote_ata), (&b.owner, b.quote_ata)] {
            let held = env.option_balance(&owner.pubkey(), s);
            if held > 0 {
                let r: Redeemed = one(
                    &env.redeem(owner, &wallet, s, held)
                        .map_err(chain_err("redeem"))?,
                    "redeem",
                )?;
                redeemed += r.amount;
            }
        }
        // a sweep of nothing is refused: sweep where there is dust
        if env.series_dust(s) > 0 {
            let d: SeriesDustSwept = one(
                &env.sweep_series_dust(s).map_err(chain_err("sweep"))?,
                "sweep",
            )?;
            dust += d.amount;
        }
    }
    say(&format!(
        "\nsettled at ${settle_at}; the fund covered what it held, a backstop buyer paid {} USDC for {} new fund shares",
        usd(bought.amount),
        bought.shares
    ));
    say(&fmt::table(&rows));
    say(&format!(
        "\nevery holder redeemed: {} USDC paid; {} native units of rounding dust swept to the fund",
        usd(redeemed),
        dust
    ));
    say("the call 140 holders bear the shortfall; the put and the other call pay in full");
    let out = {
        let series: Vec<_> = names
            .iter()
            .zip(&finals)
            .map(|((k, name), f): (&(Pubkey, String), &SeriesFinalized)| {
                json!({
                    "series": k.to_string(),
                    "name": name,
                    "payout": f.payout_per_contract,
                    "payout_final": f.payout_final,
                    "haircut_bps": f.haircut_bps,
                    "fund_cover": f.fund_cover,
                    "backstop_raised": f.backstop_raised,
                })
            })
            .collect();
        let out = json!({
            "settlement_price_usd": settle_at,
            "series": series,
            "redeemed": redeemed,
            "dust": dust,
        });
        out
    };
    Ok(out)
}
