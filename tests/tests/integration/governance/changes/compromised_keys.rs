//! A compromised admin, vol updater or guardian is bounded by the timelock and the guardian.
use super::*;

#[test]
fn a_compromised_admin_cannot_loosen_list_or_move_funds_within_the_timelock() {
    let mut env = Env::new();
    // a writer with a short and a staker: their funds must not move
    let series = call_series(&mut env);
    let (w, _) = writer_at_im(&mut env, &series, 20_000);
    let writer_before = env.writer_state(&w.account);
    let vault_before = env.quote_vault_balance();
    let sol = env.sol.key;
    let margin_before = sol_margin(&mut env);
    let oracle_before = env.underlying(&sol).oracle;
    // the attacker holds the admin key
    let attacker = env.admin.insecure_clone();
    let first = env.next_change_id();
    // loosen margin, change the oracle, change series rules, raise weights and caps, point the
    // collateral at another price, shorten the timelock
    let loose = looser_margin(&mut env);
    env.queue_change(sol_target(&env), loose).unwrap();
    let mut o = oracle_before;
    o.feed = [66u8; 32];
    o.oracle_program = attacker.pubkey();
    env.queue_change(sol_target(&env), GovValue::OracleConfig(o))
        .unwrap();
    let mut c = env.collateral_state(&env.sol_mint.clone());
    c.init_weight_bps += 1_000;
    env.queue_change(
        sol_collateral(&env),
        GovValue::CollateralWeights(CollateralWeights {
            init_weight_bps: c.init_weight_bps,
            maint_weight_bps: c.maint_weight_bps.max(c.init_weight_bps),
        }),
    )
    .unwrap();
    let mut p = env.clearinghouse().params;
    p.timelock_secs = 3_600 * 24;
    env.queue_change(ChangeTarget::clearinghouse(), GovValue::GlobalParams(p))
        .unwrap();
    // a new underlying of the attacker's own oracle: listed, but disabled; its enabling queued
    let id = env.clearinghouse().underlying_count;
    let mut args = env.sol_underlying_args(id);
    args.oracle.feed = [66u8; 32];
    env.send_admin(ix::list_underlying(
        env.ch.clearinghouse,
        env.chain.payer(),
        attacker.pubkey(),
        args,
    ))
    .unwrap();
    let fake = pda::underlying(&env.ch.clearinghouse, id);
    env.queue_change(
        ChangeTarget::underlying(fake),
        GovValue::UnderlyingEnabled(true),
    )
    .unwrap();
    let fake_fixture = UnderlyingFixture {
        key: fake,
        id,
        oracle: env.sol.oracle,
        kind: OracleKind::PullV2,
        oracle_program: pyth_solana_receiver_sdk::ID,
    };
    let expiry = expiry_after(env.now(), 7);
    expect_err(
        env.create_series(fake_fixture, 0, usd(150), expiry),
        E::ListingNotEnabled,
    );
    // a collateral of its own: listed disabled, no deposits; its enabling queued
    let fake_mint = new_mint(&mut env, 6);
    env.send_admin(ix::list_collateral(
        env.ch.clearinghouse,
        env.chain.payer(),
        attacker.pubkey(),
        fake_mint,
        SPL_TOKEN,
        None,
        harness::ext_admin::collateral_args(PriceSource::Pegged as u8),
    ))
    .unwrap();
    let fake_asset = pda::collateral_asset(&env.ch.clearinghouse, &fake_mint);
    env.queue_change(
        ChangeTarget::collateral(fake_asset, None),
        GovValue::CollateralEnabled(true),
    )
    .unwrap();
    let fake_ata = fund(&mut env, &w.owner.pubkey(), &fake_mint, 1_000);
    let ledger = TokenLedger::collateral(&env.ch.clearinghouse, fake_mint, SPL_TOKEN);
    expect_err(
        env.send_ix(
            ix::deposit(
                env.ch.clearinghouse,
                w.account,
                w.owner.pubkey(),
                &ledger,
                fake_ata,
                1_000,
            ),
            &[&w.owner],
        ),
        E::ListingNotEnabled,
    );
    // unpause (nothing is paused), propose a new admin: none of it touches users' funds
    env.send_admin(ix::unpause(
        env.ch.clearinghouse,
        attacker.pubkey(),
        pause::WRITE,
    ))
    .unwrap();
    let thief = Keypair::new();
    env.send_admin(ix::propose_admin(
        env.ch.clearinghouse,
        attacker.pubkey(),
        thief.pubkey(),
    ))
    .unwrap();
    // nothing loosened within the timelock
    env.advance(TIMELOCK - 1);
    env.publish_prices();
    assert_eq!(sol_margin(&mut env), margin_before);
    assert_eq!(env.underlying(&sol).oracle, oracle_before);
    assert_eq!(
        bytemuck::bytes_of(&env.writer_state(&w.account)),
        bytemuck::bytes_of(&writer_before)
    );
    assert_eq!(env.quote_vault_balance(), vault_before);
    // the guardian (the team's multisig) cancels every queued change
    let last = env.next_change_id();
    let guardian = env.guardian.insecure_clone();
    for id in first..last {
        env.cancel_change(&guardian, id).unwrap();
    }
    env.advance(1);
    for id in first..last {
        assert_eq!(env.param_change(id).status, ChangeStatus::Cancelled as u8);
    }
    assert!(!env.underlying(&fake).is_enabled());
    assert_eq!(sol_margin(&mut env), margin_before);
    // the writer still withdraws freely what margin allows, and burns
    env.burn(&w, &series, 1).unwrap();
}

#[test]
fn a_compromised_vol_updater_is_bounded_then_removed() {
    let mut env = Env::new();
    let sol = env.sol.key;
    let base = env.underlying(&sol).surface;
    let attacker = env.vol_updater.insecure_clone();
    // many maximal steps in one transaction: refused past twice the step of the anchor
    let steps: Vec<_> = (1..=4u32)
        .map(|k| {
            ix::set_vol_surface(
                sol,
                attacker.pubkey(),
                scaled(base, 3u32.pow(k), 2u32.pow(k)),
            )
        })
        .collect();
    expect_err(
        env.chain.send(&steps, &[&attacker]),
        E::VolSurfaceWindowExceeded,
    );
    // one slot, several transactions: the same
    env.send_ix(steps[0].clone(), &[&attacker]).unwrap();
    expect_err(
        env.send_ix(steps[1].clone(), &[&attacker]),
        E::VolSurfaceWindowExceeded,
    );
    for (i, v) in env.underlying(&sol).surface.atm_vol_bps.iter().enumerate() {
        assert!(*v <= base.atm_vol_bps[i] * 2);
    }
    // the admin removes it at once
    env.queue_change(sol_target(&env), GovValue::VolUpdater(Pubkey::default()))
        .unwrap();
    expect_err(
        env.send_ix(
            ix::set_vol_surface(sol, attacker.pubkey(), base),
            &[&attacker],
        ),
        E::NotVolUpdater,
    );
}

#[test]
fn a_compromised_guardian_cannot_block_risk_reducing_actions_and_is_replaced() {
    let mut env = Env::new();
    let series = call_series(&mut env);
    let (w, _) = writer_at_im(&mut env, &series, 20_000);
    let free = env.writer(usd(1_000), 0);
    env.deposit_quote(&free, usd(500)).unwrap();
    let attacker = env.guardian.insecure_clone();
    env.send_ix(
        ix::pause(env.ch.clearinghouse, attacker.pubkey(), pause::PAUSABLE),
        &[&attacker],
    )
    .unwrap();
    // deposits, burns, a withdrawal without liabilities still work
    env.deposit_quote(&free, usd(100)).unwrap();
    env.withdraw_quote(&free, usd(600)).unwrap();
    env.burn(&w, &series, 1).unwrap();
    // liquidations too
    rally_until_liquidatable(&mut env, &w.account);
    let keeper = bidder(&mut env);
    env.start_liquidation(&keeper, &w.account).unwrap();
    // the guardian cannot cancel what is not queued, nor unpause, nor change anything
    expect_err(
        env.send_ix(
            ix::unpause(env.ch.clearinghouse, attacker.pubkey(), pause::WRITE),
            &[&attacker],
        ),
        E::NotAdmin,
    );
    expect_err(
        env.queue_change_as(
            &attacker,
            ChangeTarget::clearinghouse(),
            GovValue::Guardian(attacker.pubkey()),
        ),
        E::NotAdmin,
    );
    // the admin replaces it after the timelock (a rotation removes a veto, so it waits) and
    // unpauses
    let new = Keypair::new();
    rotate_guardian(&mut env, new.pubkey());
    expect_err(
        env.send_ix(
            ix::pause(env.ch.clearinghouse, attacker.pubkey(), pause::WRITE),
            &[&attacker],
        ),
        E::NotGuardian,
    );
    env.send_admin(ix::unpause(
        env.ch.clearinghouse,
        env.admin.pubkey(),
        pause::PAUSABLE,
    ))
    .unwrap();
    assert_eq!(env.clearinghouse().paused, 0);
}
