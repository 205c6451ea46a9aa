//! `list_collateral`: its success and each way it must fail.
use super::*;

#[test]
fn list_collateral_spl_token_priced_by_an_underlying() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 8); // a wrapped-BTC-like mint
    let btc = env.btc.key;
    let args = ListCollateralArgs {
        price_source: PriceSource::Underlying as u8,
        init_weight_bps: 7_000,
        maint_weight_bps: 8_500,
        deposit_cap: 21 * 100_000_000,
    };
    let out = list_collateral(&mut env, mint, SPL_TOKEN, Some(btc), args).unwrap();

    let asset_key = pda::collateral_asset(&env.ch.clearinghouse, &mint);
    let vault_key = pda::collateral_vault(&asset_key);
    let (_, bump) = Pubkey::find_program_address(
        &[
            COLLATERAL_SEED,
            env.ch.clearinghouse.as_ref(),
            mint.as_ref(),
        ],
        &greekhouse::ID,
    );
    let (_, vault_bump) = Pubkey::find_program_address(
        &[COLLATERAL_VAULT_SEED, asset_key.as_ref()],
        &greekhouse::ID,
    );
    let a = env.collateral_state(&mint);
    assert_eq!(a.version, 1);
    assert_eq!(a.bump, bump);
    assert_eq!(a.vault_bump, vault_bump);
    assert_eq!(a.decimals, 8);
    assert_eq!(a.price_source, PriceSource::Underlying as u8);
    assert_eq!(a.is_token_2022, 0);
    assert_eq!(a.init_weight_bps, 7_000);
    assert_eq!(a.maint_weight_bps, 8_500);
    assert_eq!(a.clearinghouse, env.ch.clearinghouse);
    assert_eq!(a.mint, mint);
    assert_eq!(a.token_program, SPL_TOKEN);
    assert_eq!(a.vault, vault_key);
    assert_eq!(a.price_underlying, btc);
    assert_eq!(a.deposit_cap, 21 * 100_000_000);
    assert_eq!(env.clearinghouse().collateral_count, 2);

    let vault = token_account_info(&mut env.chain, &vault_key);
    assert_eq!(
        vault,
        TokenAccountInfo {
            mint,
            owner: env.ch.clearinghouse,
            amount: 0,
            program: SPL_TOKEN,
        }
    );

    assert_eq!(event_names(&out), vec!["CollateralListed"]);
    let e = event::<CollateralListed>(&out);
    assert_eq!(e.clearinghouse, env.ch.clearinghouse);
    assert_eq!(e.collateral_asset, asset_key);
    assert_eq!(e.mint, mint);
    assert_eq!(e.token_program, SPL_TOKEN);
    assert_eq!(e.vault, vault_key);
    assert_eq!(e.price_source, PriceSource::Underlying as u8);
    assert_eq!(e.price_underlying, btc);
    assert_eq!(e.init_weight_bps, 7_000);
    assert_eq!(e.maint_weight_bps, 8_500);
    assert_eq!(e.deposit_cap, 21 * 100_000_000);
}

#[test]
fn list_collateral_token_2022_pegged() {
    let mut env = Env::new();
    let mint = env.fresh_mint(TOKEN_2022, 6); // a USDT-like stablecoin
    let args = ListCollateralArgs {
        price_source: PriceSource::Pegged as u8,
        init_weight_bps: 9_500,
        maint_weight_bps: 9_800,
        deposit_cap: 5_000_000 * USDC,
    };
    let out = list_collateral(&mut env, mint, TOKEN_2022, None, args).unwrap();

    let asset_key = pda::collateral_asset(&env.ch.clearinghouse, &mint);
    let vault_key = pda::collateral_vault(&asset_key);
    let a = env.collateral_state(&mint);
    assert_eq!(a.price_source, PriceSource::Pegged as u8);
    assert_eq!(a.is_token_2022, 1);
    assert_eq!(a.token_program, TOKEN_2022);
    assert_eq!(a.price_underlying, Pubkey::default());
    assert_eq!(a.decimals, 6);
    assert_eq!((a.init_weight_bps, a.maint_weight_bps), (9_500, 9_800));
    assert_eq!(a.vault, vault_key);
    let vault = token_account_info(&mut env.chain, &vault_key);
    assert_eq!(vault.program, TOKEN_2022);
    assert_eq!(vault.owner, env.ch.clearinghouse);
    assert_eq!(vault.mint, mint);

    let e = event::<CollateralListed>(&out);
    assert_eq!(e.collateral_asset, asset_key);
    assert_eq!(e.token_program, TOKEN_2022);
    assert_eq!(e.price_source, PriceSource::Pegged as u8);
    assert_eq!(e.price_underlying, Pubkey::default());
    assert_eq!(e.deposit_cap, 5_000_000 * USDC);
}

#[test]
fn list_collateral_accepts_weight_bounds_inclusive() {
    let mut env = Env::new();
    for (init, maint) in [(0, 0), (0, 10_000), (10_000, 10_000)] {
        let mint = env.fresh_mint(SPL_TOKEN, 6);
        let mut args = collateral_args(0);
        args.init_weight_bps = init;
        args.maint_weight_bps = maint;
        list_collateral(&mut env, mint, SPL_TOKEN, None, args).unwrap();
        let a = env.collateral_state(&mint);
        assert_eq!((a.init_weight_bps, a.maint_weight_bps), (init, maint));
    }
}

#[test]
fn list_collateral_refuses_the_quote_mint() {
    let mut env = Env::new();
    let quote = env.ch.quote_mint;
    expect_err(
        list_collateral(&mut env, quote, SPL_TOKEN, None, collateral_args(0)),
        GreekhouseError::QuoteMintIsNotCollateral,
    );
    let sol = env.sol.key;
    expect_err(
        list_collateral(&mut env, quote, SPL_TOKEN, Some(sol), collateral_args(1)),
        GreekhouseError::QuoteMintIsNotCollateral,
    );
    let asset = pda::collateral_asset(&env.ch.clearinghouse, &quote);
    assert!(env.chain.account(&asset).unwrap().is_none());
}

#[test]
fn list_collateral_by_a_non_admin_fails() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    let guardian = env.guardian_kp();
    let stranger = env.stranger();
    for signer in [&guardian, &stranger] {
        expect_err(
            env.list_collateral_as(signer, mint, SPL_TOKEN, None, collateral_args(0)),
            GreekhouseError::NotAdmin,
        );
    }
    assert_eq!(env.clearinghouse().collateral_count, 1);
}

#[test]
fn list_collateral_refuses_an_initial_weight_above_the_maintenance_weight() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    let mut args = collateral_args(0);
    args.init_weight_bps = 9_001;
    args.maint_weight_bps = 9_000;
    expect_err(
        list_collateral(&mut env, mint, SPL_TOKEN, None, args),
        GreekhouseError::WeightsOutOfOrder,
    );
}

#[test]
fn list_collateral_refuses_a_weight_above_100_percent() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    for (init, maint) in [(9_000, 10_001), (10_001, 10_001), (10_001, u16::MAX)] {
        let mut args = collateral_args(0);
        args.init_weight_bps = init;
        args.maint_weight_bps = maint;
        expect_err(
            list_collateral(&mut env, mint, SPL_TOKEN, None, args),
            GreekhouseError::ParameterOutOfBounds,
        );
    }
}

#[test]
fn list_collateral_refuses_a_price_source_inconsistent_with_the_underlying() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    let sol = env.sol.key;
    // priced by an underlying, but none given
    expect_err(
        list_collateral(&mut env, mint, SPL_TOKEN, None, collateral_args(1)),
        GreekhouseError::InvalidPriceSource,
    );
    // pegged, but an underlying given
    expect_err(
        list_collateral(&mut env, mint, SPL_TOKEN, Some(sol), collateral_args(0)),
        GreekhouseError::InvalidPriceSource,
    );
    // no such source
    for source in [2, 7, u8::MAX] {
        expect_err(
            list_collateral(&mut env, mint, SPL_TOKEN, None, collateral_args(source)),
            GreekhouseError::InvalidPriceSource,
        );
        expect_err(
            list_collateral(
                &mut env,
                mint,
                SPL_TOKEN,
                Some(sol),
                collateral_args(source),
            ),
            GreekhouseError::InvalidPriceSource,
        );
    }
    assert_eq!(env.clearinghouse().collateral_count, 1);
}

#[test]
fn list_collateral_refuses_an_underlying_of_another_clearinghouse() {
    let mut env = Env::new();
    // a second clearing house (same quote mint, another creator) with its own underlying 0
    let creator = env.stranger();
    let other_admin = env.stranger();
    let other = ClearinghouseRef::new(env.ch.quote_mint, creator.pubkey(), SPL_TOKEN);
    let ix = ix::initialize_clearinghouse(
        &other,
        creator.pubkey(),
        greekhouse::instructions::InitializeClearinghouseArgs {
            admin: other_admin.pubkey(),
            guardian: other_admin.pubkey(),
            params: default_params(),
        },
    );
    env.send_as(ix, &creator).unwrap();
    let args = underlying_args(
        0,
        "SOL",
        pull_oracle(SOL_FEED_ID),
        other_admin.pubkey(),
        USDC,
        1_000_000,
    );
    let payer = env.chain.payer();
    let ix = ix::list_underlying(other.clearinghouse, payer, other_admin.pubkey(), args);
    env.send_as(ix, &other_admin).unwrap();
    let foreign = pda::underlying(&other.clearinghouse, 0);

    let mint = env.fresh_mint(SPL_TOKEN, 9);
    expect_err(
        list_collateral(&mut env, mint, SPL_TOKEN, Some(foreign), collateral_args(1)),
        GreekhouseError::WrongClearinghouse,
    );
}

#[test]
fn list_collateral_refuses_a_price_underlying_that_is_not_an_underlying() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 9);
    let ch = env.ch.clearinghouse;
    expect_anchor_err(
        list_collateral(&mut env, mint, SPL_TOKEN, Some(ch), collateral_args(1)),
        ANCHOR_DISCRIMINATOR_MISMATCH,
    );
    let quote = env.ch.quote_mint;
    expect_anchor_err(
        list_collateral(&mut env, mint, SPL_TOKEN, Some(quote), collateral_args(1)),
        ANCHOR_OWNED_BY_WRONG_PROGRAM,
    );
}

#[test]
fn list_collateral_refuses_a_mint_that_does_not_exist() {
    let mut env = Env::new();
    expect_anchor_err(
        list_collateral(
            &mut env,
            Pubkey::new_unique(),
            SPL_TOKEN,
            None,
            collateral_args(0),
        ),
        ANCHOR_NOT_INITIALIZED,
    );
}

#[test]
fn list_collateral_twice_fails_and_keeps_the_first_listing() {
    let mut env = Env::new();
    let sol_mint = env.sol_mint;
    let mut args = collateral_args(0);
    args.init_weight_bps = 10_000;
    args.maint_weight_bps = 10_000;
    expect_tx_failure(list_collateral(&mut env, sol_mint, SPL_TOKEN, None, args));
    let a = env.collateral_state(&sol_mint);
    assert_eq!((a.init_weight_bps, a.maint_weight_bps), (8_000, 9_000));
    assert_eq!(a.price_underlying, env.sol.key);
    assert_eq!(env.clearinghouse().collateral_count, 1);
}

#[test]
fn list_collateral_fails_when_the_token_program_does_not_own_the_mint() {
    let mut env = Env::new();
    let spl = env.fresh_mint(SPL_TOKEN, 6);
    let t22 = env.fresh_mint(TOKEN_2022, 6);
    for (mint, program) in [(spl, TOKEN_2022), (t22, SPL_TOKEN)] {
        expect_err(
            list_collateral(&mut env, mint, program, None, collateral_args(0)),
            GreekhouseError::WrongTokenProgram,
        );
        let asset = pda::collateral_asset(&env.ch.clearinghouse, &mint);
        assert!(env.chain.account(&asset).unwrap().is_none());
    }
    assert_eq!(env.clearinghouse().collateral_count, 1);
}

#[test]
fn list_collateral_refuses_token_2022_mints_with_extensions_the_ledger_cannot_handle() {
    let mut env = Env::new();
    let cases = [
        (
            MintExt::TransferFee,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (
            MintExt::PermanentDelegate,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (
            MintExt::NonTransferable,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (
            MintExt::CloseAuthority,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (
            MintExt::TransferHook,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (MintExt::Pausable, GreekhouseError::UnsupportedMintExtension),
        (
            MintExt::ConfidentialTransfer,
            GreekhouseError::UnsupportedMintExtension,
        ),
        (MintExt::DefaultFrozen, GreekhouseError::DefaultFrozenMint),
        // the UI amount drifts from the raw amount the ledger counts (a reverse split to a
        // 0.5 multiplier would otherwise be valued at the raw amount, twice its worth)
        (
            MintExt::ScaledUiAmount,
            GreekhouseError::DriftingUiAmountMint,
        ),
        (
            MintExt::InterestBearing,
            GreekhouseError::DriftingUiAmountMint,
        ),
    ];
    for (ext, want) in cases {
        let mint = t22_mint(&mut env, &[ext]);
        let r = list_collateral(&mut env, mint, TOKEN_2022, None, collateral_args(0));
        assert_eq!(
            r.as_ref().err().and_then(|e| e.custom_code()),
            Some(code(want)),
            "{ext:?}: {r:?}"
        );
        let asset = pda::collateral_asset(&env.ch.clearinghouse, &mint);
        assert!(env.chain.account(&asset).unwrap().is_none(), "{ext:?}");
    }
    // one bad extension among harmless ones is enough
    let mint = t22_mint(
        &mut env,
        &[MintExt::MetadataPointer, MintExt::PermanentDelegate],
    );
    expect_err(
        list_collateral(&mut env, mint, TOKEN_2022, None, collateral_args(0)),
        GreekhouseError::UnsupportedMintExtension,
    );
    assert_eq!(env.clearinghouse().collateral_count, 1);
}

#[test]
fn list_collateral_accepts_token_2022_mints_with_display_only_extensions() {
    let mut env = Env::new();
    let cases: [&[MintExt]; 2] = [&[MintExt::MetadataPointer], &[MintExt::MetadataPointer]];
    for exts in cases {
        let mint = t22_mint(&mut env, exts);
        let out = list_collateral(&mut env, mint, TOKEN_2022, None, collateral_args(0))
            .unwrap_or_else(|e| panic!("{exts:?} refused: {e}"));
        assert_eq!(event::<CollateralListed>(&out).mint, mint);
        let a = env.collateral_state(&mint);
        assert_eq!(a.is_token_2022, 1);
        let vault = token_account_info(&mut env.chain, &a.vault);
        assert_eq!(
            (vault.program, vault.owner),
            (TOKEN_2022, env.ch.clearinghouse)
        );
    }
    assert_eq!(env.clearinghouse().collateral_count, 3);
}

/// The collateral asset's address is a PDA of (clearing house, mint): anyone can pre-fund it
/// (the rent minimum) and Anchor 1.2's `init` then fails through `CreateAccountAllowPrefund`,
/// so a griefer can stop any mint from ever being listed.
#[test]
fn a_prefunded_collateral_asset_address_does_not_block_listing() {
    let mut env = Env::new();
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    let asset = pda::collateral_asset(&env.ch.clearinghouse, &mint);
    prefund(&mut env.chain, &asset);
    prefund(&mut env.chain, &pda::collateral_vault(&asset));
    list_collateral(&mut env, mint, SPL_TOKEN, None, collateral_args(0)).unwrap();
    let vault = pda::collateral_vault(&asset);
    assert_eq!(env.chain.account(&vault).unwrap().unwrap().owner, SPL_TOKEN);
    assert_eq!(env.collateral_state(&mint).mint, mint);
}
