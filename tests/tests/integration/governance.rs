//! Governance: creating the clearing house, the two-step admin transfer, and the guardian's
//! pause (docs/protocol.md §3 and 8; docs/deviations.md for the creator in the PDA seeds).
use crate::harness;
use harness::ext_admin::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::constants::{bounds, CLEARINGHOUSE_SEED, QUOTE_VAULT_SEED};
use greekhouse::errors::GreekhouseError;
use greekhouse::state::{pause, GlobalParams};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::ix::{self, ClearinghouseRef};
use greekhouse_sdk::pda;
use solana_signer::Signer;

// ================================================================ initialize_clearinghouse

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
fn check_param_bounds(set: fn(&mut GlobalParams, u32), (lo, hi): (u32, u32)) {
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

// ================================================================ propose_admin / accept_admin

#[test]
fn admin_transfer_takes_a_proposal_and_an_acceptance() {
    let mut env = Env::new();
    let old = env.admin_kp();
    let new = env.stranger();

    let out = env.propose_admin_as(&old, new.pubkey()).unwrap();
    assert_eq!(event_names(&out), vec!["AdminProposed"]);
    let e = event::<AdminProposed>(&out);
    assert_eq!(e.clearinghouse, env.ch.clearinghouse);
    assert_eq!(e.admin, old.pubkey());
    assert_eq!(e.pending_admin, new.pubkey());
    let s = env.clearinghouse();
    assert_eq!(s.admin, old.pubkey(), "a proposal alone changes nothing");
    assert_eq!(s.pending_admin, new.pubkey());

    let out = env.accept_admin_as(&new).unwrap();
    assert_eq!(event_names(&out), vec!["AdminAccepted"]);
    let e = event::<AdminAccepted>(&out);
    assert_eq!(e.clearinghouse, env.ch.clearinghouse);
    assert_eq!(e.previous_admin, old.pubkey());
    assert_eq!(e.admin, new.pubkey());
    let s = env.clearinghouse();
    assert_eq!(s.admin, new.pubkey());
    assert_eq!(s.pending_admin, Pubkey::default());
    assert_eq!(
        s.guardian,
        env.guardian.pubkey(),
        "the guardian is unchanged"
    );
}

#[test]
fn propose_admin_by_a_non_admin_fails() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    let stranger = env.stranger();
    for signer in [&guardian, &stranger] {
        expect_err(
            env.propose_admin_as(signer, signer.pubkey()),
            GreekhouseError::NotAdmin,
        );
    }
    assert_eq!(env.clearinghouse().pending_admin, Pubkey::default());
}

#[test]
fn accept_admin_by_another_key_than_the_proposed_one_fails() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    let proposed = env.stranger();
    let intruder = env.stranger();
    env.propose_admin_as(&admin, proposed.pubkey()).unwrap();
    expect_err(
        env.accept_admin_as(&intruder),
        GreekhouseError::NotPendingAdmin,
    );
    expect_err(
        env.accept_admin_as(&admin),
        GreekhouseError::NotPendingAdmin,
    );
    let s = env.clearinghouse();
    assert_eq!(s.admin, admin.pubkey());
    assert_eq!(s.pending_admin, proposed.pubkey());
}

#[test]
fn accept_admin_with_nothing_pending_fails() {
    let mut env = Env::new();
    let stranger = env.stranger();
    let admin = env.admin_kp();
    expect_err(
        env.accept_admin_as(&stranger),
        GreekhouseError::NoPendingAdmin,
    );
    expect_err(env.accept_admin_as(&admin), GreekhouseError::NoPendingAdmin);
}

#[test]
fn proposing_the_default_key_cancels_a_pending_transfer() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    let proposed = env.stranger();
    env.propose_admin_as(&admin, proposed.pubkey()).unwrap();

    let out = env.propose_admin_as(&admin, Pubkey::default()).unwrap();
    let e = event::<AdminProposed>(&out);
    assert_eq!(e.pending_admin, Pubkey::default());
    assert_eq!(env.clearinghouse().pending_admin, Pubkey::default());
    expect_err(
        env.accept_admin_as(&proposed),
        GreekhouseError::NoPendingAdmin,
    );
    assert_eq!(env.clearinghouse().admin, admin.pubkey());
}

#[test]
fn a_new_proposal_replaces_the_pending_one() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    let first = env.stranger();
    let second = env.stranger();
    env.propose_admin_as(&admin, first.pubkey()).unwrap();
    env.propose_admin_as(&admin, second.pubkey()).unwrap();
    expect_err(
        env.accept_admin_as(&first),
        GreekhouseError::NotPendingAdmin,
    );
    env.accept_admin_as(&second).unwrap();
    assert_eq!(env.clearinghouse().admin, second.pubkey());
}

#[test]
fn after_a_transfer_only_the_new_admin_can_act() {
    let mut env = Env::new();
    let old = env.admin_kp();
    let new = env.stranger();
    env.propose_admin_as(&old, new.pubkey()).unwrap();
    env.accept_admin_as(&new).unwrap();

    // the old admin lost every admin power
    let args = env.next_underlying_args("ETH");
    expect_err(
        env.list_underlying_as(&old, args.clone()),
        GreekhouseError::NotAdmin,
    );
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    expect_err(
        env.list_collateral_as(&old, mint, SPL_TOKEN, None, collateral_args(0)),
        GreekhouseError::NotAdmin,
    );
    expect_err(
        env.unpause_as(&old, pause::WRITE),
        GreekhouseError::NotAdmin,
    );
    expect_err(
        env.propose_admin_as(&old, old.pubkey()),
        GreekhouseError::NotAdmin,
    );
    expect_err(
        env.pause_as(&old, pause::WRITE),
        GreekhouseError::NotGuardian,
    );

    // the new one has them
    let out = env.list_underlying_as(&new, args).unwrap();
    assert_eq!(event::<UnderlyingListed>(&out).id, 2);
    env.list_collateral_as(&new, mint, SPL_TOKEN, None, collateral_args(0))
        .unwrap();
    env.pause_as(&new, pause::WRITE).unwrap();
    env.unpause_as(&new, pause::WRITE).unwrap();
    let out = env.propose_admin_as(&new, old.pubkey()).unwrap();
    assert_eq!(event::<AdminProposed>(&out).admin, new.pubkey());
}

#[test]
fn governance_instructions_refuse_an_account_that_is_not_a_clearinghouse() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    // nothing at the address (an `AccountLoader` reports it as owned by the system program)
    let ix = ix::propose_admin(Pubkey::new_unique(), admin.pubkey(), Pubkey::new_unique());
    expect_anchor_err(env.send_as(ix, &admin), ANCHOR_OWNED_BY_WRONG_PROGRAM);
    // an account of another program (the quote mint)
    let ix = ix::propose_admin(env.ch.quote_mint, admin.pubkey(), Pubkey::new_unique());
    expect_anchor_err(env.send_as(ix, &admin), ANCHOR_OWNED_BY_WRONG_PROGRAM);
    // a Greekhouse account of another type (an underlying)
    let sol = env.sol.key;
    let ix = ix::propose_admin(sol, admin.pubkey(), Pubkey::new_unique());
    expect_anchor_err(env.send_as(ix, &admin), ANCHOR_DISCRIMINATOR_MISMATCH);
    let guardian = env.guardian_kp();
    let ix = ix::pause(sol, guardian.pubkey(), pause::WRITE);
    expect_anchor_err(env.send_as(ix, &guardian), ANCHOR_DISCRIMINATOR_MISMATCH);
    let ix = ix::accept_admin(sol, admin.pubkey());
    expect_anchor_err(env.send_as(ix, &admin), ANCHOR_DISCRIMINATOR_MISMATCH);
}

#[test]
fn the_admin_of_one_clearinghouse_cannot_govern_another() {
    let mut env = Env::new();
    let other_creator = env.stranger();
    let other_admin = env.stranger();
    let other = ClearinghouseRef::new(env.ch.quote_mint, other_creator.pubkey(), SPL_TOKEN);
    let ix = ix::initialize_clearinghouse(
        &other,
        other_creator.pubkey(),
        greekhouse::instructions::InitializeClearinghouseArgs {
            admin: other_admin.pubkey(),
            guardian: other_admin.pubkey(),
            params: default_params(),
        },
    );
    env.send_as(ix, &other_creator).unwrap();

    let admin = env.admin_kp();
    let guardian = env.guardian_kp();
    let ix = ix::propose_admin(other.clearinghouse, admin.pubkey(), admin.pubkey());
    expect_err(env.send_as(ix, &admin), GreekhouseError::NotAdmin);
    let ix = ix::pause(other.clearinghouse, guardian.pubkey(), pause::WRITE);
    expect_err(env.send_as(ix, &guardian), GreekhouseError::NotGuardian);
    let ix = ix::unpause(other.clearinghouse, admin.pubkey(), pause::WRITE);
    expect_err(env.send_as(ix, &admin), GreekhouseError::NotAdmin);
}

// ================================================================ pause / unpause

#[test]
fn the_guardian_pauses_write_withdraw_and_create_series() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();

    let out = env.pause_as(&guardian, pause::WRITE).unwrap();
    assert_eq!(event_names(&out), vec!["PauseFlagsChanged"]);
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!(e.clearinghouse, env.ch.clearinghouse);
    assert_eq!(e.by, guardian.pubkey());
    assert_eq!(e.previous, 0);
    assert_eq!(e.paused, pause::WRITE);
    assert_eq!(env.clearinghouse().paused, pause::WRITE);

    let out = env
        .pause_as(&guardian, pause::WITHDRAW | pause::CREATE_SERIES)
        .unwrap();
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!(e.previous, pause::WRITE);
    assert_eq!(
        e.paused,
        pause::WRITE | pause::WITHDRAW | pause::CREATE_SERIES
    );
    let s = env.clearinghouse();
    assert_eq!(
        s.paused,
        pause::WRITE | pause::WITHDRAW | pause::CREATE_SERIES
    );
    assert!(
        s.is_paused(pause::WRITE)
            && s.is_paused(pause::WITHDRAW)
            && s.is_paused(pause::CREATE_SERIES)
    );
}

#[test]
fn pausing_a_flag_that_is_already_set_keeps_it_set() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::WITHDRAW).unwrap();
    let out = env.pause_as(&guardian, pause::WITHDRAW).unwrap();
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!((e.previous, e.paused), (pause::WITHDRAW, pause::WITHDRAW));
    assert_eq!(env.clearinghouse().paused, pause::WITHDRAW);
}

#[test]
fn the_admin_can_pause_too() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    let out = env.pause_as(&admin, pause::CREATE_SERIES).unwrap();
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!(e.by, admin.pubkey());
    assert_eq!((e.previous, e.paused), (0, pause::CREATE_SERIES));
    assert_eq!(env.clearinghouse().paused, pause::CREATE_SERIES);
}

#[test]
fn pause_by_a_key_that_is_neither_guardian_nor_admin_fails() {
    let mut env = Env::new();
    let stranger = env.stranger();
    let vol_updater = env.vol_updater_kp();
    let creator = env.creator.insecure_clone();
    for signer in [&stranger, &vol_updater, &creator] {
        expect_err(
            env.pause_as(signer, pause::WRITE),
            GreekhouseError::NotGuardian,
        );
    }
    assert_eq!(env.clearinghouse().paused, 0);
}

#[test]
fn pause_refuses_flags_outside_the_pausable_set_and_zero() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    let admin = env.admin_kp();
    for flags in [0, 1 << 4, 1 << 31, pause::WRITE | 1 << 4, u32::MAX] {
        expect_err(env.pause_as(&guardian, flags), GreekhouseError::NotPausable);
        expect_err(env.pause_as(&admin, flags), GreekhouseError::NotPausable);
    }
    assert_eq!(env.clearinghouse().paused, 0);
}

#[test]
fn the_guardian_cannot_unpause() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::PAUSABLE).unwrap();
    expect_err(
        env.unpause_as(&guardian, pause::WRITE),
        GreekhouseError::NotAdmin,
    );
    let stranger = env.stranger();
    expect_err(
        env.unpause_as(&stranger, pause::WRITE),
        GreekhouseError::NotAdmin,
    );
    assert_eq!(env.clearinghouse().paused, pause::PAUSABLE);
}

#[test]
fn the_admin_unpauses_flag_by_flag() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    let admin = env.admin_kp();
    env.pause_as(&guardian, pause::PAUSABLE).unwrap();

    let out = env.unpause_as(&admin, pause::WITHDRAW).unwrap();
    assert_eq!(event_names(&out), vec!["PauseFlagsChanged"]);
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!(e.clearinghouse, env.ch.clearinghouse);
    assert_eq!(e.by, admin.pubkey());
    assert_eq!(e.previous, pause::PAUSABLE);
    let rest = pause::WRITE | pause::CREATE_SERIES | pause::BACKSTOP;
    assert_eq!(e.paused, rest);
    assert_eq!(env.clearinghouse().paused, rest);

    let out = env.unpause_as(&admin, rest).unwrap();
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!((e.previous, e.paused), (rest, 0));
    assert_eq!(env.clearinghouse().paused, 0);
}

#[test]
fn unpause_refuses_flags_outside_the_pausable_set() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    env.pause_as(&admin, pause::WRITE).unwrap();
    for flags in [1 << 4, pause::WRITE | 1 << 4, u32::MAX] {
        expect_err(env.unpause_as(&admin, flags), GreekhouseError::NotPausable);
    }
    assert_eq!(env.clearinghouse().paused, pause::WRITE);
}

#[test]
fn paused_withdraw_stops_accounts_with_shorts_while_deposits_and_free_withdrawals_work() {
    let mut env = Env::new();
    // an account with a short (risk-increasing withdrawals) and one with only balances
    let w = env.writer(10_000 * USDC, 2 * LAMPORTS_PER_SOL);
    env.deposit_quote(&w, 5_000 * USDC).unwrap();
    env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    let series = env.create_series(sol, 0, 160 * USDC, expiry).unwrap();
    env.write(&w, &series, 1).unwrap();
    let free = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&free, 500 * USDC).unwrap();
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::WITHDRAW).unwrap();

    expect_err(env.withdraw_quote(&w, 100 * USDC), GreekhouseError::Paused);
    expect_err(
        env.withdraw_sol(&w, LAMPORTS_PER_SOL / 2),
        GreekhouseError::Paused,
    );
    // no shorts, no debt: the pause cannot lock those funds
    env.withdraw_quote(&free, 100 * USDC).unwrap();
    // deposits are risk-reducing: never paused
    let quote0 = env.writer_state(&w.account).quote_balance;
    let out = env.deposit_quote(&w, 500 * USDC).unwrap();
    assert_eq!(event_names(&out), vec!["Deposited"]);
    env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        quote0 + 500 * USDC as i64
    );

    let admin = env.admin_kp();
    env.unpause_as(&admin, pause::WITHDRAW).unwrap();
    env.withdraw_quote(&w, 100 * USDC).unwrap();
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        quote0 + 400 * USDC as i64
    );
}

#[test]
fn pausing_one_action_leaves_the_others_open() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&w, 1_000 * USDC).unwrap();
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::WRITE | pause::CREATE_SERIES)
        .unwrap();
    env.withdraw_quote(&w, 100 * USDC).unwrap();
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        900 * USDC as i64
    );
}

#[test]
fn paused_create_series_fails() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::CREATE_SERIES).unwrap();
    let expiry = expiry_after(env.now(), 7);
    let sol = env.sol;
    expect_err(
        env.create_series(sol, 0, 150 * USDC, expiry),
        GreekhouseError::Paused,
    );
    let admin = env.admin_kp();
    env.unpause_as(&admin, pause::CREATE_SERIES).unwrap();
    let series = env.create_series(sol, 0, 150 * USDC, expiry).unwrap();
    assert_eq!(env.series_state(&series).strike, 150 * USDC);
}

#[test]
fn paused_write_fails_while_burning_still_works() {
    let mut env = Env::new();
    let w = env.writer(100_000 * USDC, 0);
    env.deposit_quote(&w, 100_000 * USDC).unwrap();
    let expiry = expiry_after(env.now(), 30);
    let sol = env.sol;
    let series = env.create_series(sol, 0, 160 * USDC, expiry).unwrap();
    env.write(&w, &series, 2).unwrap();

    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::PAUSABLE).unwrap();
    expect_err(env.write(&w, &series, 1), GreekhouseError::Paused);
    // burning reduces risk: never paused
    let out = env.burn(&w, &series, 1).unwrap();
    assert_eq!(event_names(&out), vec!["OptionsBurned"]);
    assert_eq!(env.series_state(&series).open_interest, 1);
}

/// Anyone can send lamports to the clearing house's address before the creator initialises it
/// (the address is predictable: quote mint and creator). Anchor 1.2 creates an `init` account
/// that already holds lamports through the system program's `CreateAccountAllowPrefund`, which
/// this runtime (and any cluster without the `create_account_allow_prefund` feature) refuses
/// with `InvalidInstructionData`, so one transfer of the rent minimum blocks the creator.
#[test]
fn a_prefunded_clearinghouse_address_does_not_block_initialization() {
    let mut b = Bare::new();
    let ch = b.ch();
    // every address the initialisation creates, pre-funded
    prefund(&mut b.chain, &ch.clearinghouse);
    prefund(&mut b.chain, &ch.quote_vault);
    prefund(&mut b.chain, &pda::insurance_fund(&ch.clearinghouse));
    prefund(&mut b.chain, &pda::insurance_vault(&ch.clearinghouse));
    let args = b.args();
    b.initialize(args).unwrap();
    assert_eq!(b.clearinghouse(&ch.clearinghouse).admin, b.admin.pubkey());
    let fund = b
        .chain
        .account(&pda::insurance_fund(&ch.clearinghouse))
        .unwrap()
        .unwrap();
    assert_eq!(fund.owner, greekhouse::ID);
}
