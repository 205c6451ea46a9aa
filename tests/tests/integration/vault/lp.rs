//! The LPs' side: listing a vault, deposits for shares, queued withdrawals paid at the value when
//! they mature, refused (and kept) while paying would breach IM, and cancelled.
use super::*;

use greekhouse::constants::vault::LOCKED_SHARES;
use greekhouse::state::{pause, VaultWithdrawal};
use greekhouse_sdk::vault as vx;
use solana_signer::Signer;

/// Anchor's `AccountOwnedByWrongProgram` (a request that does not exist is a system account).
const NO_REQUEST: u32 = 3007;

#[test]
fn create_vault_lists_its_policy_share_mint_and_writer_account() {
    let mut env = Env::new();
    let policy = default_vault_policy();
    let stranger = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    let v = VaultRef::new(env.ch, 0, env.sol.key);
    let ix = vx::create_vault(&v, env.chain.payer(), stranger.pubkey(), 0, policy);
    expect_err(env.chain.send(&[ix], &[&stranger]), E::NotAdmin);
    for bad in [
        VaultPolicy {
            spread_bps: 6_000,
            ..policy
        },
        VaultPolicy {
            allowed_kinds: 0,
            ..policy
        },
        VaultPolicy {
            min_strike_bps: 12_000,
            max_strike_bps: 11_000,
            ..policy
        },
    ] {
        expect_err(env.create_vault(0, bad).map(|o| o.1), E::VaultPolicyInvalid);
    }

    let (v, out) = env.create_vault(0, policy).unwrap();
    assert_eq!(
        event_names(&out),
        vec!["WriterAccountOpened", "VaultCreated"]
    );
    let ev = event::<VaultCreated>(&out);
    assert_eq!(ev.vault, v.vault);
    assert_eq!(ev.writer_account, v.writer_account);
    assert_eq!(ev.share_mint, v.share_mint);
    assert_eq!(ev.underlying, env.sol.key);
    assert_eq!(ev.policy, policy);
    let s = env.vault_state(&v);
    assert_eq!(s.policy, policy);
    assert_eq!(
        (s.writer_account, s.share_mint, s.underlying),
        (v.writer_account, v.share_mint, env.sol.key)
    );
    assert_eq!((s.locked_shares, s.pending_shares), (0, 0));
    // the vault PDA owns an ordinary writer account and mints the shares
    let w = env.writer_state(&v.writer_account);
    assert_eq!((w.owner, w.index, w.quote_balance), (v.vault, 0, 0));
    let m = env.mint_view(&v.share_mint);
    assert_eq!(m.mint_authority, Some(v.vault));
    assert_eq!((m.decimals, m.supply, m.freeze_authority), (6, 0, None));
    expect_err(
        env.create_vault(0, policy).map(|o| o.1),
        E::AccountAddressInUse,
    );
}

#[test]
fn deposits_buy_shares_at_the_vaults_value_and_the_first_locks_some() {
    let (mut env, v) = world();
    let a = env.vault_user(&v, usd(20_000));
    expect_err(env.vault_deposit(&v, &a, 0), E::ZeroAmount);
    expect_err(
        env.vault_deposit(&v, &a, LOCKED_SHARES),
        E::VaultFirstDepositTooSmall,
    );
    let out = env.vault_deposit(&v, &a, usd(10_000)).unwrap();
    let ev = event::<VaultDeposited>(&out);
    assert_eq!((ev.amount, ev.nav_before), (usd(10_000), 0));
    assert_eq!(ev.shares, usd(10_000) - LOCKED_SHARES);
    assert_eq!(ev.total_shares_after, usd(10_000));
    assert_eq!(env.shares_of(&a), usd(10_000) - LOCKED_SHARES);
    let s = env.vault_state(&v);
    assert_eq!(
        (s.locked_shares, s.deposited_total),
        (LOCKED_SHARES, usd(10_000))
    );
    assert_eq!(
        env.writer_state(&v.writer_account).quote_balance,
        usd(10_000) as i64
    );

    // a second LP buys at the same value per share
    let b = env.vault_user(&v, usd(5_000));
    let ev = event::<VaultDeposited>(&env.vault_deposit(&v, &b, usd(5_000)).unwrap());
    assert_eq!((ev.shares, ev.nav_before), (usd(5_000), usd(10_000) as i64));
    assert_eq!(total_shares(&mut env, &v), usd(15_000));
    assert_eq!(env.quote_vault_balance() as i128, env.quote_claims());

    // paying from another's quote account; another vault's writer account; over the cap
    let ix = vx::vault_deposit(&v, b.owner.pubkey(), a.quote_ata, b.share_ata, 1, vec![]);
    expect_err(env.chain.send(&[ix], &[&b.owner]), E::WrongTokenOwner);
    let small = VaultPolicy {
        deposit_cap: usd(12_000),
        ..default_vault_policy()
    };
    let (v2, _) = env.create_vault(1, small).unwrap();
    let forged = VaultRef {
        writer_account: v2.writer_account,
        ..v
    };
    expect_err(
        env.vault_deposit(&forged, &a, usd(1)),
        E::WrongVaultWriterAccount,
    );
    let c = env.vault_user(&v2, usd(20_000));
    env.vault_deposit(&v2, &c, usd(10_000)).unwrap();
    expect_err(
        env.vault_deposit(&v2, &c, usd(2_001)),
        E::VaultDepositCapExceeded,
    );
    env.vault_deposit(&v2, &c, usd(2_000)).unwrap();
    assert_eq!(env.quote_vault_balance() as i128, env.quote_claims());
}

#[test]
fn share_value_moves_with_premiums_fees_and_marks_not_with_deposits() {
    let (mut env, v) = world();
    lps(&mut env, &v, &[10_000]);
    let call = sol_series(&mut env, 0, 160, 7);
    let buyer = env.vault_user(&v, usd(10_000));
    let nav0 = env.vault_nav(&v);
    assert_eq!(nav0, usd(10_000) as i64);
    let fee = env.expected_write_fee(&call, 10);
    let price = spread_price(mark(&mut env, &call, 10), 10_200, Rounding::Up);
    env.vault_buy(&v, &buyer, &call, 10, price).unwrap();

    // the value is the account's quote (deposit + price - fee) less the calls' mark
    let quote = env.writer_state(&v.writer_account).quote_balance;
    assert_eq!(quote, (usd(10_000) + price - fee) as i64);
    let liability = env.margin_of(&v.writer_account).liability;
    let nav1 = env.vault_nav(&v);
    let expected = Fixed::from_int(quote)
        .checked_sub(liability)
        .unwrap()
        .to_int(Rounding::Down)
        .unwrap();
    assert_eq!(i128::from(nav1), expected);
    assert!(nav1 > nav0, "the spread pays more than the fee");

    // a deposit buys at the value per share and lowers it for nobody; one worth less than a
    // share, or priced with a stale oracle, is refused
    let total1 = total_shares(&mut env, &v);
    let lp = env.vault_user(&v, usd(3_000));
    expect_err(env.vault_deposit(&v, &lp, 1), E::VaultDepositTooSmall);
    env.advance(120);
    expect_err(env.vault_deposit(&v, &lp, usd(3_000)), E::OracleStale);
    env.publish_prices();
    // two minutes of time value later
    let nav1 = env.vault_nav(&v);
    let ev = event::<VaultDeposited>(&env.vault_deposit(&v, &lp, usd(3_000)).unwrap());
    assert!(ev.nav_before >= nav1 && ev.nav_before <= nav1 + 1);
    let shares = u128::from(usd(3_000)) * u128::from(total1) / ev.nav_before as u128;
    assert_eq!(u128::from(ev.shares), shares);
    let (nav2, total2) = (env.vault_nav(&v), total_shares(&mut env, &v));
    assert!(i128::from(nav2) * i128::from(total1) >= i128::from(nav1) * i128::from(total2));

    // the mark moves it: a rally makes the short calls dearer
    env.move_sol(160 * 100_000_000);
    assert!(env.vault_nav(&v) < nav2);
    assert_eq!(total_shares(&mut env, &v), total2);
}

#[test]
fn a_withdrawal_is_paid_at_the_value_when_it_matures_so_no_lp_leaves_ahead_of_a_loss() {
    let (mut env, v) = world();
    let lp = lps(&mut env, &v, &[10_000, 10_000]);
    let call = sol_series(&mut env, 0, 155, 14);
    let buyer = env.vault_user(&v, usd(100_000));
    env.vault_buy(&v, &buyer, &call, 100, u64::MAX).unwrap();
    let shares = env.shares_of(&lp[0]);
    let total = total_shares(&mut env, &v);
    let at_request = u128::from(shares) * env.vault_nav(&v) as u128 / u128::from(total);

    expect_err(env.request_vault_withdraw(&v, &lp[0], 0), E::ZeroAmount);
    let now = env.now();
    let out = env.request_vault_withdraw(&v, &lp[0], shares).unwrap();
    let ev = event::<VaultWithdrawRequested>(&out);
    assert_eq!((ev.shares, ev.matures_at), (shares, now + DAY));
    assert_eq!(env.shares_of(&lp[0]), 0, "the shares left the LP's wallet");
    assert_eq!(env.vault_state(&v).pending_shares, shares);
    assert_eq!(
        total_shares(&mut env, &v),
        total,
        "and still share every loss"
    );
    expect_err(
        env.request_vault_withdraw(&v, &lp[0], 1),
        E::AccountAddressInUse,
    );
    expect_err(env.vault_withdraw(&v, &lp[0]), E::VaultWithdrawalNotMature);
    expect_anchor_err(env.vault_withdraw(&v, &lp[1]), NO_REQUEST);

    // the loss the LP saw coming arrives during the cooldown
    env.move_sol(170 * 100_000_000);
    later(&mut env, DAY);
    let nav = env.vault_nav(&v);
    let expected = (u128::from(shares) * nav as u128 / u128::from(total)) as u64;
    assert!(u128::from(expected) < at_request);
    let wallet = env.wallet_quote(&lp[0].quote_ata);
    let out = env.vault_withdraw(&v, &lp[0]).unwrap();
    let ev = event::<VaultWithdrawn>(&out);
    assert_eq!(
        (ev.shares, ev.amount, ev.nav_before),
        (shares, expected, nav)
    );
    assert_eq!(env.wallet_quote(&lp[0].quote_ata), wallet + expected);
    assert_eq!(env.vault_state(&v).pending_shares, 0);
    let withdrawal = vx::withdrawal(&v.vault, &lp[0].owner.pubkey());
    assert!(env.chain.account(&withdrawal).unwrap().is_none());
    assert_eq!(env.quote_vault_balance() as i128, env.quote_claims());
}

#[test]
fn a_withdrawal_that_would_breach_im_stays_queued_until_it_can_be_paid() {
    let (mut env, v) = world();
    let lp = lps(&mut env, &v, &[10_000, 10_000]);
    let call = sol_series(&mut env, 0, 150, 14);
    let buyer = env.vault_user(&v, usd(1_000_000));
    let mut sold = 0;
    loop {
        match env.vault_buy(&v, &buyer, &call, 50, u64::MAX) {
            Ok(_) => sold += 50,
            Err(e) => {
                expect_err(Err::<(), _>(e), E::VaultUtilisationExceeded);
                break;
            }
        }
        assert!(sold < 10_000, "the utilisation limit never bound");
    }
    assert!(sold > 0);

    // half the vault's shares: paying them would leave the account below IM
    let shares = env.shares_of(&lp[0]);
    env.request_vault_withdraw(&v, &lp[0], shares).unwrap();
    later(&mut env, DAY);
    expect_err(
        env.vault_withdraw(&v, &lp[0]),
        E::VaultWithdrawalBelowMargin,
    );
    let key = vx::withdrawal(&v.vault, &lp[0].owner.pubkey());
    assert_eq!(env.state::<VaultWithdrawal>(&key).shares, shares);
    assert_eq!(env.vault_state(&v).pending_shares, shares);

    // another LP's request is cancelled: its shares come back
    let own = env.shares_of(&lp[1]);
    env.request_vault_withdraw(&v, &lp[1], own / 2).unwrap();
    let ev = event::<VaultWithdrawCancelled>(&env.cancel_vault_withdraw(&v, &lp[1]).unwrap());
    assert_eq!(ev.shares, own / 2);
    assert_eq!(env.shares_of(&lp[1]), own);
    assert_eq!(env.vault_state(&v).pending_shares, shares);

    // paused withdrawals stop payments from an account with shorts, and sell-backs
    env.pause(pause::WITHDRAW);
    expect_err(env.vault_withdraw(&v, &lp[0]), E::Paused);
    expect_err(env.vault_sell_back(&v, &buyer, &call, 1, 0), E::Paused);
    env.unpause(pause::WITHDRAW);

    // once the buyer sold everything back the queued withdrawal is paid
    env.vault_sell_back(&v, &buyer, &call, sold, 0).unwrap();
    assert_eq!(env.short_of(&v.writer_account, &call), 0);
    let nav = env.vault_nav(&v);
    let total = total_shares(&mut env, &v);
    let ev = event::<VaultWithdrawn>(&env.vault_withdraw(&v, &lp[0]).unwrap());
    assert_eq!(
        u128::from(ev.amount),
        u128::from(shares) * nav as u128 / u128::from(total)
    );
    assert_eq!(env.quote_vault_balance() as i128, env.quote_claims());
}
