//! `greekhouse demo --vault`: a writer vault (docs/vaults.md) on an embedded bank running the real
//! program. The admin lists a vault selling SOL calls; two LPs deposit; a buyer buys calls from
//! it at the surface's mark plus the spread; SOL rallies until the vault's account is below
//! maintenance, a keeper starts its liquidation and a bidder buys it back to the end level; at
//! expiry every short settles, the buyer redeems in full and the LPs withdraw what is left. Every
//! number is the program's (events and accounts).

use anyhow::{anyhow, Result};
use greekhouse::events::{SliceBought, VaultDeposited, VaultSold, VaultWithdrawn};
use greekhouse::state::VaultPolicy;
use greekhouse_sdk::chain::ChainError;
use greekhouse_sdk::liquidation::BidSize;
use greekhouse_sdk::vault::VaultRef;
use greekhouse_testkit::scenario::{expiry_after, Env, USDC};
use greekhouse_testkit::vault_ops::default_vault_policy;
use serde_json::{json, Value};

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

/// The vault's value at mark and its value per whole share (quote units per 10^6 shares).
fn nav_line(env: &mut Env, v: &VaultRef) -> (i64, f64) {
    let nav = env.vault_nav(v);
    let s = env.vault_state(v);
    let total = env.share_supply(v) + s.pending_shares + s.locked_shares;
    (nav, nav as f64 / total.max(1) as f64)
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
    say("Greekhouse writer-vault demo on an embedded Solana bank (the real program)");
    let policy = VaultPolicy {
        allowed_kinds: 0b01,
        max_utilisation_bps: 10_000,
        ..default_vault_policy()
    };
    let (v, _) = env
        .create_vault(0, policy)
        .map_err(chain_err("create_vault"))?;
    say(&format!(
        "  the admin lists vault {} on SOL: calls, 1-60 days, strikes 50-200 % of spot, spread {} bps, cooldown 1 day",
        v.vault, policy.spread_bps
    ));

    let mut steps = Vec::new();
    let mut lps = Vec::new();
    for (name, dollars) in [("LP A", 6_000u64), ("LP B", 4_000)] {
        let lp = env.vault_user(&v, dollars * USDC);
        let out = env
            .vault_deposit(&v, &lp, dollars * USDC)
            .map_err(chain_err("vault_deposit"))?;
        let e = out
            .event::<VaultDeposited>()
            .ok_or_else(|| anyhow!("no VaultDeposited event"))?;
        say(&format!(
            "  {name} deposits {} for {} shares",
            usd(dollars as i128 * USDC as i128),
            usd(e.shares as i128)
        ));
        steps.push(json!({"step": "deposit", "lp": name, "amount": e.amount, "shares": e.shares, "nav_before": e.nav_before}));
        lps.push(lp);
    }

    let sol = env.sol;
    let expiry = expiry_after(env.now(), 3);
    let call = env
        .create_series(sol, 0, 150 * USDC, expiry)
        .map_err(chain_err("create_series"))?;
    let buyer = env.vault_user(&v, 1_000_000 * USDC);
    let (mut sold, mut paid) = (0u64, 0u64);
    while let Ok(out) = env.vault_buy(&v, &buyer, &call, 25, u64::MAX) {
        let e = out
            .event::<VaultSold>()
            .ok_or_else(|| anyhow!("no VaultSold event"))?;
        sold += e.contracts;
        paid += e.price;
    }
    let (nav, per_share) = nav_line(&mut env, &v);
    say(&format!(
        "\na buyer buys {sold} SOL 150 calls (3 days) from the vault for {} (mark plus spread), up to its IM",
        usd(paid as i128)
    ));
    say(&format!(
        "  the vault's value at mark {} ({:.6} per share)",
        usd(nav as i128),
        per_share
    ));
    steps.push(
        json!({"step": "buy", "contracts": sold, "paid": paid, "nav": nav, "per_share": per_share}),
    );

    for lp in &lps {
        let shares = env.shares_of(lp);
        env.request_vault_withdraw(&v, lp, shares)
            .map_err(chain_err("request_vault_withdraw"))?;
    }
    say("  both LPs ask to withdraw everything: the shares burn into requests maturing in a day");

    let price = env.move_sol_until_liquidatable(&v.writer_account, 100);
    let (nav, per_share) = nav_line(&mut env, &v);
    say(&format!(
        "\nSOL rallies to ${:.2}: the vault's account is below maintenance; value at mark {} ({:.6} per share)",
        price as f64 / PYTH_DOLLAR as f64,
        usd(nav as i128),
        per_share
    ));
    steps.push(json!({"step": "rally", "sol": price as f64 / PYTH_DOLLAR as f64, "nav": nav}));
    let keeper = env.writer(0, 0);
    let bidder = env.writer(1_000_000 * USDC, 0);
    env.deposit_quote(&bidder, 1_000_000 * USDC)
        .map_err(chain_err("deposit"))?;
    env.start_liquidation(&keeper, &v.writer_account)
        .map_err(chain_err("start_liquidation"))?;
    env.advance(300);
    env.publish_prices();
    let (out, _) = env
        .bid(&bidder, &v.writer_account, BidSize::Max)
        .map_err(chain_err("bid"))?;
    let slice = out
        .event::<SliceBought>()
        .ok_or_else(|| anyhow!("no SliceBought event"))?;
    env.end_liquidation(&v.writer_account)
        .map_err(chain_err("end_liquidation"))?;
    say(&format!(
        "a keeper starts the ordinary Dutch auction; after 5 minutes a bidder takes {:.2} % of the book for {} (fund paid {})",
        slice.fraction as f64 / 1e10,
        usd(slice.payment as i128),
        usd(slice.from_fund as i128)
    ));
    steps.push(json!({"step": "liquidation", "fraction": slice.fraction as f64 / 1e12, "payment": slice.payment, "from_fund": slice.from_fund}));

    // expiry at the rally's price
    let now = env.now();
    env.advance(expiry + 10 - now);
    env.publish_sol_update(price, expiry + 10, expiry - 1);
    env.propose_settlement(expiry)
        .map_err(chain_err("propose_settlement_price"))?;
    env.settle_series(&call)
        .map_err(chain_err("settle_series"))?;
    for w in [v.writer_account, bidder.account] {
        if env.writer_state(&w).short_contracts(&call) > 0 {
            env.settle_position(&w, &call)
                .map_err(chain_err("settle_position"))?;
        }
    }
    env.finalize_series(&call)
        .map_err(chain_err("finalize_series"))?;
    let payout = env.series_state(&call).payout_final;
    let before = env.wallet_quote(&buyer.quote_ata);
    env.redeem(&buyer.owner, &buyer.quote_ata, &call, sold)
        .map_err(chain_err("redeem"))?;
    let redeemed = env.wallet_quote(&buyer.quote_ata) - before;
    say(&format!(
        "\nexpiry at ${:.2}: the buyer redeems {sold} calls for {} ({} each, in full)",
        price as f64 / PYTH_DOLLAR as f64,
        usd(redeemed as i128),
        usd(payout as i128)
    ));
    steps.push(json!({"step": "settlement", "payout": payout, "redeemed": redeemed}));

    let mut withdrawn = Vec::new();
    for (name, lp) in ["LP A", "LP B"].into_iter().zip(&lps) {
        let out = env
            .vault_withdraw(&v, lp)
            .map_err(chain_err("vault_withdraw"))?;
        let e = out
            .event::<VaultWithdrawn>()
            .ok_or_else(|| anyhow!("no VaultWithdrawn event"))?;
        say(&format!(
            "  {name} withdraws {} for its {} shares",
            usd(e.amount as i128),
            usd(e.shares as i128)
        ));
        withdrawn.push(json!({"lp": name, "shares": e.shares, "amount": e.amount}));
    }
    say(&format!(
        "the LPs took the loss; the insurance fund paid {}",
        usd(env.insurance_fund().paid_to_bidders_total as i128)
    ));
    steps.push(json!({"step": "withdrawals", "lps": withdrawn}));
    Ok(json!({ "vault": v.vault.to_string(), "steps": steps }))
}
