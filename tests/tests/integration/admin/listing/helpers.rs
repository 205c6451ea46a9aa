//! Helpers shared by the listing tests.
use super::*;

/// List `args` and expect `e`; the underlying count is unchanged afterwards.
#[track_caller]
pub(super) fn expect_listing_refused(env: &mut Env, args: ListUnderlyingArgs, e: GreekhouseError) {
    let before = env.clearinghouse().underlying_count;
    expect_err(env.list_underlying(args), e);
    assert_eq!(env.clearinghouse().underlying_count, before);
}

/// Next underlying's arguments changed by `f`.
pub(super) fn args_with(
    env: &mut Env,
    f: impl FnOnce(&mut ListUnderlyingArgs),
) -> ListUnderlyingArgs {
    let mut a = env.next_underlying_args("ETH");
    f(&mut a);
    a
}

pub(super) fn level(spot: u32, vol: u32, floor: u32) -> StoredLevel {
    StoredLevel {
        spot_shock_bps: spot,
        vol_shock_bps: vol,
        floor_bps: floor,
        _reserved: 0,
    }
}

/// A list_collateral instruction, sent by the admin.
pub(super) fn list_collateral(
    env: &mut Env,
    mint: Pubkey,
    token_program: Pubkey,
    price_underlying: Option<Pubkey>,
    args: ListCollateralArgs,
) -> Result<greekhouse_sdk::chain::TxOutcome, greekhouse_sdk::chain::ChainError> {
    env.list_collateral(mint, token_program, price_underlying, args)
}

pub(super) fn t22_mint(env: &mut Env, exts: &[MintExt]) -> Pubkey {
    let authority = env.mint_authority.pubkey();
    token_2022_mint(&mut env.chain, &authority, 6, exts).expect("token-2022 mint")
}

pub(super) fn surface_scaled(s: StoredVolSurface, num: u32, den: u32) -> StoredVolSurface {
    let mut n = s;
    for v in n.atm_vol_bps.iter_mut() {
        *v = *v * num / den;
    }
    n
}
