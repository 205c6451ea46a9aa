//! `greekhouse demo --american`: an early exercise of deep in-the-money American puts on an
//! embedded bank running the real program (docs/protocol.md 5b). Two writers are short SOL 160
//! puts (30 and 10 contracts) held by one holder; SOL falls to $100 and the holder exercises half
//! of them before expiry: paid the intrinsic value at once out of the quote vault, while each
//! writer's short shrinks and its exercise debt grows pro rata through the series' exercise index
//! (nobody chooses who is assigned). A margin check of a writer is refused until its exercise
//! accrued; `accrue_exercise` (anyone) charges it. The quote vault equals its ledger at every
//! step; at expiry the rest settles and the holder redeems. Every number is the program's.

use anyhow::{anyhow, Result};
use greekhouse::events::{ExerciseAccrued, OptionsExercised};
use greekhouse_sdk::chain::ChainError;
use greekhouse_testkit::scenario::{expiry_after, Env, SPL_TOKEN, USDC};
use serde_json::{json, Value};
use solana_signer::Signer;

use crate::fmt;

const QUOTE_DECIMALS: u32 = 6;
const PYTH_DOLLAR: i64 = 100_000_000;

fn chain_err(what: &str) -> impl FnOnce(ChainError) -> anyhow::Error + '_ {
    move |e| anyhow!("{what}: {e}")
}

fn usd(native: i128) -> String {
    fmt::money(
        greekhouse_risk::Fixed::from_raw(native * 1_000_000_000_000),
        QUOTE_DECIMALS,
    )
}

/// The quote vault and the sum of the ledgers that claim it.
fn books(env: &mut Env) -> (u64, i128) {
    (env.quote_vault_balance(), env.quote_claims())
}

/// Runs the part; prints its text unless `json_out`; returns its JSON document.
pub fn run(json_out: bool) -> Result<Value> {
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
    say("Greekhouse American-exercise demo on an embedded Solana bank (the real program)");
    let mut steps = Vec::new();

    let expiry = expiry_after(env.now(), 2);
    let sol = env.sol;
    let series = env
        .create_american_series(sol, 1, 160 * USDC, expiry)
        .map_err(chain_err("create_series"))?;
    let mint = env.series_state(&series).option_mint;
    let holder = env.writer(0, 0);
    let holder_tokens = env
        .chain
        .token_account(&holder.owner.pubkey(), &mint, &SPL_TOKEN)
        .map_err(chain_err("token account"))?;
    let writers = [("writer A", 30u64), ("writer B", 10u64)]
        .into_iter()
        .map(|(name, n)| {
            let w = env.writer(100_000 * USDC, 0);
            env.deposit_quote(&w, 100_000 * USDC)
                .map_err(chain_err("deposit"))?;
            env.write_to(&w, &series, n, holder_tokens)
                .map_err(chain_err("write_options"))?;
            Ok((name, n, w))
        })
        .collect::<Result<Vec<_>>>()?;
    say("an American SOL 160 put (2 days, exercisable until an hour before expiry):");
    for (name, n, _) in &writers {
        say(&format!("  {name} writes {n}, delivered to one holder"));
    }
    steps.push(
        json!({"step": "write", "shorts": writers.iter().map(|(_, n, _)| *n).collect::<Vec<_>>()}),
    );

    env.move_sol(100 * PYTH_DOLLAR);
    let (vault0, _) = books(&mut env);
    let wallet0 = env.wallet_quote(&holder.quote_ata);
    let out = env
        .exercise(&holder.owner, &holder.quote_ata, &series, 20)
        .map_err(chain_err("exercise"))?;
    let e = out
        .event::<OptionsExercised>()
        .ok_or_else(|| anyhow!("no OptionsExercised event"))?;
    let paid = env.wallet_quote(&holder.quote_ata) - wallet0;
    say(&format!(
        "\nSOL falls to $100; the holder exercises 20 of its 40 puts before expiry: paid {} ({} each, the intrinsic value at the fresh price) out of the quote vault",
        usd(paid as i128),
        usd(e.payout_per_contract as i128)
    ));
    let (vault, claims) = books(&mut env);
    say(&format!(
        "  quote vault {} (was {}) = its ledger {} (the writers' exercise debt is the series' receivable until it accrues)",
        usd(vault as i128),
        usd(vault0 as i128),
        usd(claims)
    ));
    steps.push(json!({"step": "exercise", "contracts": 20, "paid": paid, "payout_per_contract": e.payout_per_contract, "writer_shorts_before": e.writer_shorts_before, "vault": vault, "claims": claims}));

    let refused = env
        .check_margin(&writers[0].2.account)
        .err()
        .and_then(|e| e.custom_code());
    say(&format!(
        "  a margin check of writer A is refused until its exercise accrued ({})",
        refused
            .and_then(greekhouse_sdk::errors::error_name)
            .unwrap_or("not refused")
    ));
    let mut accrued = Vec::new();
    for (name, _, w) in &writers {
        let out = env
            .accrue_exercise(&w.account, &series)
            .map_err(chain_err("accrue_exercise"))?;
        let a = out
            .event::<ExerciseAccrued>()
            .ok_or_else(|| anyhow!("no ExerciseAccrued event"))?;
        say(&format!(
            "  accrue_exercise({name}): short {} -> {}, exercise debt {} (pro rata: half of every short)",
            a.contracts_before,
            a.contracts_after,
            usd(a.debt as i128)
        ));
        accrued.push(json!({"writer": name, "before": a.contracts_before, "after": a.contracts_after, "debt": a.debt}));
    }
    env.check_margin(&writers[0].2.account)
        .map_err(chain_err("check_margin"))?;
    let (vault, claims) = books(&mut env);
    say(&format!(
        "  quote vault {} = its ledger {}",
        usd(vault as i128),
        usd(claims)
    ));
    steps.push(json!({"step": "accrue", "writers": accrued, "refused_code": refused, "vault": vault, "claims": claims}));

    // expiry at $120
    let now = env.now();
    env.advance(expiry + 10 - now);
    env.publish_sol_update(120 * PYTH_DOLLAR, expiry + 10, expiry - 1);
    env.propose_settlement(expiry)
        .map_err(chain_err("propose_settlement_price"))?;
    env.settle_series(&series)
        .map_err(chain_err("settle_series"))?;
    for (_, _, w) in &writers {
        env.settle_position(&w.account, &series)
            .map_err(chain_err("settle_position"))?;
    }
    env.finalize_series(&series)
        .map_err(chain_err("finalize_series"))?;
    let payout = env.series_state(&series).payout_final;
    let before = env.wallet_quote(&holder.quote_ata);
    env.redeem(&holder.owner, &holder.quote_ata, &series, 20)
        .map_err(chain_err("redeem"))?;
    let redeemed = env.wallet_quote(&holder.quote_ata) - before;
    let (vault, claims) = books(&mut env);
    say(&format!(
        "\nexpiry at $120: the writers' 20 surviving shorts settle; the holder redeems its other 20 puts for {} ({} each); quote vault {} = its ledger {}",
        usd(redeemed as i128),
        usd(payout as i128),
        usd(vault as i128),
        usd(claims)
    ));
    steps.push(json!({"step": "settlement", "payout": payout, "redeemed": redeemed, "vault": vault, "claims": claims}));
    Ok(json!({ "series": series.to_string(), "steps": steps }))
}
