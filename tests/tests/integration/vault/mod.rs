//! Writer vaults (docs/vaults.md): listing, LP deposits and queued withdrawals, sales to buyers
//! and sell-backs, each instruction's success and refusals; the share value moving only with
//! premiums, marks, fees and losses; and a vault liquidated in a crash whose holders are paid in
//! full while its LPs take the loss.
use crate::harness;
use harness::ext_market::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::engine::margin::PricedUnderlying;
use greekhouse::engine::pricing;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::oracle::parse_oracle_account;
use greekhouse::state::VaultPolicy;
use greekhouse_risk::{Fixed, Rounding};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::vault::VaultRef;
use greekhouse_testkit::vault_ops::{default_vault_policy, VaultUser};

/// A world with the default vault (index 0) on SOL.
pub(super) fn world() -> (Env, VaultRef) {
    world_with(default_vault_policy())
}

pub(super) fn world_with(policy: VaultPolicy) -> (Env, VaultRef) {
    let mut env = Env::new();
    let (v, _) = env.create_vault(0, policy).expect("create_vault");
    (env, v)
}

/// LPs of `v`, each having deposited its amount in whole dollars.
pub(super) fn lps(env: &mut Env, v: &VaultRef, dollars: &[u64]) -> Vec<VaultUser> {
    dollars
        .iter()
        .map(|&d| {
            let lp = env.vault_user(v, usd(d));
            env.vault_deposit(v, &lp, usd(d)).expect("vault_deposit");
            lp
        })
        .collect()
}

/// A SOL series `days` out on the grid.
pub(super) fn sol_series(env: &mut Env, kind: u8, strike_usd: u64, days: i64) -> Pubkey {
    let (sol, now) = (env.sol, env.now());
    env.create_series(sol, kind, usd(strike_usd), expiry_after(now, days))
        .expect("create SOL series")
}

/// The surface's mark of `contracts` of `series` at the current oracle price, by the program's
/// own pricing (rounded up).
pub(super) fn mark(env: &mut Env, series: &Pubkey, contracts: u64) -> Fixed {
    let s = env.series_state(series);
    let u = env.underlying(&s.underlying);
    let oracle = env.oracle_for(&s.underlying).expect("fixture underlying");
    let acc = env.chain.account(&oracle).unwrap().expect("oracle account");
    let price = parse_oracle_account(&u, &oracle, &acc.owner, &acc.data).expect("oracle parses");
    let priced = PricedUnderlying {
        key: s.underlying,
        underlying: u,
        price,
        usable: true,
    };
    let ch = env.clearinghouse();
    let now = env.now();
    pricing::premium(
        &priced,
        &template_of(series, &s),
        contracts,
        now,
        ch.params.min_time_to_expiry_secs,
        ch.quote_decimals,
    )
    .expect("premium")
}

/// `mark * factor_bps / 10^4` in whole quote units, rounded as asked (the vault's prices).
pub(super) fn spread_price(mark: Fixed, factor_bps: i64, rounding: Rounding) -> u64 {
    let v = mark
        .checked_mul(Fixed::from_bps(factor_bps), rounding)
        .unwrap();
    u64::try_from(v.to_int(rounding).unwrap()).unwrap()
}

/// Every share of `v`: the mint's supply, the pending and the locked ones.
pub(super) fn total_shares(env: &mut Env, v: &VaultRef) -> u64 {
    let supply = env.share_supply(v);
    let s = env.vault_state(v);
    supply + s.pending_shares + s.locked_shares
}

/// Advance `secs`, then publish fresh prices and a fresh surface.
pub(super) fn later(env: &mut Env, secs: i64) {
    env.advance(secs);
    env.publish_prices();
    let sol = env.sol.key;
    env.refresh_surface(&sol);
}

mod crash;
mod lp;
mod trade;
