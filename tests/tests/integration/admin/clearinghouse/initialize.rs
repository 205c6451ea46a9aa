//! `initialize_clearinghouse`: its success and each way it must fail.
use super::*;

#[test]
fn initialize_clearinghouse_stores_keys_params_and_an_owned_quote_vault() {
    let mut b = Bare::new();
    let ch = b.ch();
    let args = b.args();
    let out = b.initialize(args).unwrap();

    let (_, bump) = Pubkey::find_program_address(
        &[
            CLEARINGHOUSE_SEED,
            b.quote_mint.as_ref(),
            b.creator.pubkey().as_ref(),
        ],
        &greekhouse::ID,
    );
    let (_, vault_bump) = Pubkey::find_program_address(
        &[QUOTE_VAULT_SEED, ch.clearinghouse.as_ref()],
        &greekhouse::ID,
    );
    let account = b.chain.account(&ch.clearinghouse).unwrap().unwrap();
    assert_eq!(account.owner, greekhouse::ID);

    let s = b.clearinghouse(&ch.clearinghouse);
    assert_eq!(s.version, 1);
    assert_eq!(s.bump, bump);
    assert_eq!(s.quote_vault_bump, vault_bump);
    assert_eq!(s.quote_decimals, QUOTE_DECIMALS);
    assert_eq!(s.paused, 0);
    assert_eq!(s.creator, b.creator.pubkey());
    assert_eq!(s.admin, b.admin.pubkey());
    assert_eq!(s.pending_admin, Pubkey::default());
    assert_eq!(s.guardian, b.guardian.pubkey());
    assert_eq!(s.quote_mint, b.quote_mint);
    assert_eq!(s.quote_vault, ch.quote_vault);
    assert_eq!(s.quote_token_program, SPL_TOKEN);
    assert_eq!(s.params, GlobalParams::DEFAULT);
    assert_eq!(s.insurance_fund, pda::insurance_fund(&ch.clearinghouse));
    assert_eq!(s.underlying_count, 0);
    assert_eq!(s.collateral_count, 0);
    // the insurance fund and its vault, empty
    let fund = b.chain.account(&s.insurance_fund).unwrap().unwrap();
    let fund = greekhouse_sdk::accounts::insurance_fund(&fund.data).unwrap();
    assert_eq!((fund.clearinghouse, fund.balance), (ch.clearinghouse, 0));
    assert_eq!(fund.vault, pda::insurance_vault(&ch.clearinghouse));
    let fund_vault = token_account_info(&mut b.chain, &fund.vault);
    assert_eq!((fund_vault.owner, fund_vault.amount), (ch.clearinghouse, 0));

    let vault = token_account_info(&mut b.chain, &ch.quote_vault);
    assert_eq!(
        vault,
        TokenAccountInfo {
            mint: b.quote_mint,
            owner: ch.clearinghouse,
            amount: 0,
            program: SPL_TOKEN,
        }
    );

    assert_eq!(event_names(&out), vec!["ClearinghouseInitialized"]);
    let e = event::<ClearinghouseInitialized>(&out);
    assert_eq!(e.clearinghouse, ch.clearinghouse);
    assert_eq!(e.admin, b.admin.pubkey());
    assert_eq!(e.guardian, b.guardian.pubkey());
    assert_eq!(e.quote_mint, b.quote_mint);
    assert_eq!(e.quote_vault, ch.quote_vault);
    assert_eq!(e.params, GlobalParams::DEFAULT);
}

#[test]
fn initialize_clearinghouse_accepts_a_token_2022_quote_mint() {
    let mut b = Bare::new();
    let authority = b.mint_authority.pubkey();
    let mint = b.chain.create_mint(&TOKEN_2022, 6, &authority).unwrap();
    let ch = ClearinghouseRef::new(mint, b.creator.pubkey(), TOKEN_2022);
    let (creator, args) = (b.creator.insecure_clone(), b.args());
    b.initialize_as(&creator, &ch, args).unwrap();

    let s = b.clearinghouse(&ch.clearinghouse);
    assert_eq!(s.quote_token_program, TOKEN_2022);
    let vault = token_account_info(&mut b.chain, &ch.quote_vault);
    assert_eq!(vault.program, TOKEN_2022);
    assert_eq!(vault.owner, ch.clearinghouse);
    assert_eq!(vault.mint, mint);
}

/// Each value outside `[lo, hi]` of one global parameter is refused; both bounds themselves
/// are accepted (each case on its own quote mint, so each gets its own clearing house).
pub(super) fn check_param_bounds(set: fn(&mut GlobalParams, u32), (lo, hi): (u32, u32)) {
    let mut b = Bare::new();
    let with = |v: u32| {
        let mut p = GlobalParams::DEFAULT;
        set(&mut p, v);
        p
    };
    let mut outside = vec![hi + 1, u32::MAX];
    if lo > 0 {
        outside.extend([lo - 1, 0]);
    }
    for v in outside {
        expect_err(
            b.initialize_with_params(with(v)),
            GreekhouseError::ParameterOutOfBounds,
        );
    }
    assert!(b.chain.account(&b.ch().clearinghouse).unwrap().is_none());
    for v in [lo, hi] {
        let authority = b.mint_authority.pubkey();
        let mint = b.chain.create_mint(&SPL_TOKEN, 6, &authority).unwrap();
        let ch = ClearinghouseRef::new(mint, b.creator.pubkey(), SPL_TOKEN);
        let mut args = b.args();
        args.params = with(v);
        let creator = b.creator.insecure_clone();
        b.initialize_as(&creator, &ch, args)
            .unwrap_or_else(|e| panic!("bound {v} refused: {e}"));
        assert_eq!(b.clearinghouse(&ch.clearinghouse).params, with(v));
    }
}

#[test]
fn initialize_refuses_conf_multiplier_out_of_bounds() {
    check_param_bounds(
        |p, v| p.conf_multiplier_bps = v,
        bounds::CONF_MULTIPLIER_BPS,
    );
}

#[test]
fn initialize_refuses_end_buffer_out_of_bounds() {
    check_param_bounds(|p, v| p.end_buffer_bps = v, bounds::END_BUFFER_BPS);
}

#[test]
fn initialize_refuses_min_time_to_expiry_out_of_bounds() {
    check_param_bounds(
        |p, v| p.min_time_to_expiry_secs = v,
        bounds::MIN_TIME_TO_EXPIRY_SECS,
    );
}

#[test]
fn initialize_refuses_write_fee_out_of_bounds() {
    check_param_bounds(|p, v| p.write_fee_bps = v, bounds::WRITE_FEE_BPS);
}

#[test]
fn initialize_refuses_timelock_out_of_bounds() {
    check_param_bounds(|p, v| p.timelock_secs = v, bounds::TIMELOCK_SECS);
}

#[test]
fn initialize_refuses_the_default_key_as_admin() {
    let mut b = Bare::new();
    let mut args = b.args();
    args.admin = Pubkey::default();
    expect_err(b.initialize(args), GreekhouseError::NotAdmin);
}

#[test]
fn initialize_refuses_the_default_key_as_guardian() {
    let mut b = Bare::new();
    let mut args = b.args();
    args.guardian = Pubkey::default();
    expect_err(b.initialize(args), GreekhouseError::NotGuardian);
}

#[test]
fn initialize_fails_when_the_token_program_does_not_own_the_quote_mint() {
    let mut b = Bare::new();
    let creator = b.creator.insecure_clone();
    let authority = b.mint_authority.pubkey();
    let t22_mint = b.chain.create_mint(&TOKEN_2022, 6, &authority).unwrap();
    // an SPL Token mint named with Token-2022, and a Token-2022 mint named with SPL Token
    for (mint, program) in [(b.quote_mint, TOKEN_2022), (t22_mint, SPL_TOKEN)] {
        let ch = ClearinghouseRef::new(mint, creator.pubkey(), program);
        let args = b.args();
        expect_err(
            b.initialize_as(&creator, &ch, args),
            GreekhouseError::WrongTokenProgram,
        );
        assert!(b.chain.account(&ch.clearinghouse).unwrap().is_none());
    }
}

#[test]
fn initialize_refuses_a_quote_mint_that_does_not_exist() {
    let mut b = Bare::new();
    let ch = ClearinghouseRef::new(Pubkey::new_unique(), b.creator.pubkey(), SPL_TOKEN);
    let (creator, args) = (b.creator.insecure_clone(), b.args());
    expect_anchor_err(b.initialize_as(&creator, &ch, args), ANCHOR_NOT_INITIALIZED);
}

#[test]
fn initialize_twice_fails_and_keeps_the_first_configuration() {
    let mut b = Bare::new();
    let args = b.args();
    b.initialize(args).unwrap();
    let mut second = b.args();
    second.admin = Pubkey::new_unique();
    second.guardian = Pubkey::new_unique();
    // the system program refuses to create an account that exists (the exact error depends on
    // the runtime's feature set: Anchor 1.x re-initialises through `CreateAccountAllowPrefund`)
    expect_tx_failure(b.initialize(second));
    let s = b.clearinghouse(&b.ch().clearinghouse);
    assert_eq!(s.admin, b.admin.pubkey());
    assert_eq!(s.guardian, b.guardian.pubkey());
}

#[test]
fn a_second_creator_gets_its_own_clearinghouse_for_the_same_quote_mint() {
    let mut b = Bare::new();
    let args = b.args();
    b.initialize(args).unwrap();
    let first = b.ch();

    let other = b.chain.funded_keypair(10 * LAMPORTS_PER_SOL).unwrap();
    let other_admin = Pubkey::new_unique();
    let second = ClearinghouseRef::new(b.quote_mint, other.pubkey(), SPL_TOKEN);
    assert_ne!(second.clearinghouse, first.clearinghouse);
    assert_ne!(second.quote_vault, first.quote_vault);
    let mut args = b.args();
    args.admin = other_admin;
    let out = b.initialize_as(&other, &second, args).unwrap();
    assert_eq!(
        event::<ClearinghouseInitialized>(&out).clearinghouse,
        second.clearinghouse
    );

    let s2 = b.clearinghouse(&second.clearinghouse);
    assert_eq!(s2.creator, other.pubkey());
    assert_eq!(s2.admin, other_admin);
    assert_eq!(s2.quote_mint, b.quote_mint);
    assert_eq!(
        token_account_info(&mut b.chain, &second.quote_vault).owner,
        second.clearinghouse
    );
    // the first one is untouched
    let s1 = b.clearinghouse(&first.clearinghouse);
    assert_eq!(s1.creator, b.creator.pubkey());
    assert_eq!(s1.admin, b.admin.pubkey());
}

#[test]
fn nobody_can_initialize_the_clearinghouse_address_of_another_creator() {
    let mut b = Bare::new();
    // the squatter signs, but names the fixture creator's address
    let squatter = b.chain.funded_keypair(10 * LAMPORTS_PER_SOL).unwrap();
    let victims = b.ch();
    let mut args = b.args();
    args.admin = squatter.pubkey();
    expect_anchor_err(
        b.initialize_as(&squatter, &victims, args),
        ANCHOR_CONSTRAINT_SEEDS,
    );
    assert!(b.chain.account(&victims.clearinghouse).unwrap().is_none());
    // the real creator still can
    let args = b.args();
    b.initialize(args).unwrap();
}

/// A quote mint with a Token-2022 extension that `list_collateral` refuses for collateral
/// (transfer fee, permanent delegate, default-frozen accounts, ...) would break the quote ledger
/// in the same way: the vault receives less than credited, can be drained by the delegate, or is
/// frozen from birth. The quote mint goes through the same screen.
#[test]
fn initialize_refuses_a_quote_mint_with_an_unsupported_extension() {
    let mut b = Bare::new();
    let creator = b.creator.insecure_clone();
    let authority = b.mint_authority.pubkey();
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
            MintExt::TransferHook,
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
        (MintExt::Pausable, GreekhouseError::UnsupportedMintExtension),
        (MintExt::DefaultFrozen, GreekhouseError::DefaultFrozenMint),
    ];
    let mut accepted = Vec::new();
    for (ext, want) in cases {
        let mint = token_2022_mint(&mut b.chain, &authority, 6, &[ext]).unwrap();
        let ch = ClearinghouseRef::new(mint, creator.pubkey(), TOKEN_2022);
        let args = b.args();
        match b.initialize_as(&creator, &ch, args) {
            Ok(_) => accepted.push(ext),
            Err(e) => assert_eq!(e.custom_code(), Some(code(want)), "{ext:?}: {e}"),
        }
    }
    assert!(
        accepted.is_empty(),
        "quote mints accepted with extensions {accepted:?}"
    );
}

#[test]
fn initialize_accepts_a_quote_mint_with_display_only_extensions() {
    let mut b = Bare::new();
    let creator = b.creator.insecure_clone();
    let authority = b.mint_authority.pubkey();
    {
        let ext = MintExt::MetadataPointer;
        let mint = token_2022_mint(&mut b.chain, &authority, 6, &[ext]).unwrap();
        let ch = ClearinghouseRef::new(mint, creator.pubkey(), TOKEN_2022);
        let args = b.args();
        b.initialize_as(&creator, &ch, args)
            .unwrap_or_else(|e| panic!("{ext:?} refused: {e}"));
        assert_eq!(b.clearinghouse(&ch.clearinghouse).quote_mint, mint);
        assert_eq!(
            token_account_info(&mut b.chain, &ch.quote_vault).owner,
            ch.clearinghouse
        );
    }
}

#[test]
fn initialize_refuses_a_quote_mint_whose_ui_amount_drifts() {
    let mut b = Bare::new();
    let creator = b.creator.insecure_clone();
    let authority = b.mint_authority.pubkey();
    for ext in [MintExt::InterestBearing, MintExt::ScaledUiAmount] {
        let mint = token_2022_mint(&mut b.chain, &authority, 6, &[ext]).unwrap();
        let ch = ClearinghouseRef::new(mint, creator.pubkey(), TOKEN_2022);
        let args = b.args();
        expect_err(
            b.initialize_as(&creator, &ch, args),
            GreekhouseError::DriftingUiAmountMint,
        );
        assert!(b.chain.account(&ch.clearinghouse).unwrap().is_none());
    }
}
