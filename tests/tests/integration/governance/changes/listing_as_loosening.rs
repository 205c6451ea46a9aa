//! A new listing is usable only after its timelocked enabling.
use super::*;

#[test]
fn a_new_underlying_is_usable_only_after_its_timelocked_enabling() {
    let mut env = Env::new();
    let id = env.clearinghouse().underlying_count;
    let args = env.sol_underlying_args(id);
    env.send_admin(ix::list_underlying(
        env.ch.clearinghouse,
        env.chain.payer(),
        env.admin.pubkey(),
        args,
    ))
    .unwrap();
    let key = pda::underlying(&env.ch.clearinghouse, id);
    assert!(!env.underlying(&key).is_enabled());
    // priced by the fixture's SOL oracle account (same feed)
    let fixture = UnderlyingFixture {
        key,
        id,
        oracle: env.sol.oracle,
        kind: OracleKind::PullV2,
        oracle_program: pyth_solana_receiver_sdk::ID,
    };
    let expiry = expiry_after(env.now(), 7);
    expect_err(
        env.create_series(fixture, 0, usd(150), expiry),
        E::ListingNotEnabled,
    );
    let target = ChangeTarget::underlying(key);
    let change_id = env.next_change_id();
    env.queue_change(target, GovValue::UnderlyingEnabled(true))
        .unwrap();
    expect_err(env.execute_change(change_id, target), E::TimelockNotOver);
    expect_err(
        env.create_series(fixture, 0, usd(150), expiry),
        E::ListingNotEnabled,
    );
    env.advance(TIMELOCK);
    env.publish_prices();
    env.execute_change(change_id, target).unwrap();
    env.refresh_surface(&key);
    let expiry = expiry_after(env.now(), 7);
    let series = env.create_series(fixture, 0, usd(150), expiry).unwrap();
    // disabling is a tightening: at once; writes stop, burns continue
    let w = env.writer(usd(20_000), 0);
    env.deposit_quote(&w, usd(20_000)).unwrap();
    let recipient = env.option_ata(&w.owner.pubkey(), &series);
    let remaining = quote_only_margin_accounts(&[(key, env.sol.oracle)]);
    let write = |env: &mut Env| {
        let ix = ix::write_options(
            env.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            key,
            series,
            recipient,
            1,
            remaining.clone(),
        );
        env.send_ix(ix, &[&w.owner])
    };
    write(&mut env).unwrap();
    env.queue_change(target, GovValue::UnderlyingEnabled(false))
        .unwrap();
    expect_err(write(&mut env), E::ListingNotEnabled);
    env.burn(&w, &series, 1).unwrap();
}

#[test]
fn a_new_collateral_takes_deposits_only_after_its_timelocked_enabling() {
    let mut env = Env::new();
    let mint = new_mint(&mut env, 6);
    let ix = ix::list_collateral(
        env.ch.clearinghouse,
        env.chain.payer(),
        env.admin.pubkey(),
        mint,
        SPL_TOKEN,
        None,
        harness::ext_admin::collateral_args(PriceSource::Pegged as u8),
    );
    env.send_admin(ix).unwrap();
    let asset = pda::collateral_asset(&env.ch.clearinghouse, &mint);
    let w = env.writer(0, 0);
    let ata = fund(&mut env, &w.owner.pubkey(), &mint, 1_000);
    let ledger = TokenLedger::collateral(&env.ch.clearinghouse, mint, SPL_TOKEN);
    let deposit = |env: &mut Env| {
        env.send_ix(
            ix::deposit(
                env.ch.clearinghouse,
                w.account,
                w.owner.pubkey(),
                &ledger,
                ata,
                100,
            ),
            &[&w.owner],
        )
    };
    expect_err(deposit(&mut env), E::ListingNotEnabled);
    let target = ChangeTarget::collateral(asset, None);
    let id = env.next_change_id();
    env.queue_change(target, GovValue::CollateralEnabled(true))
        .unwrap();
    // the guardian cancels; the listing stays disabled
    let guardian = env.guardian.insecure_clone();
    env.cancel_change(&guardian, id).unwrap();
    env.advance(TIMELOCK);
    expect_err(env.execute_change(id, target), E::ChangeNotQueued);
    expect_err(deposit(&mut env), E::ListingNotEnabled);
    env.loosen(target, GovValue::CollateralEnabled(true));
    deposit(&mut env).unwrap();
}
