//! Concentration: the per-writer open-interest cap, and IM's size charge beyond the
//! underlying's liquidation capacity (docs/risk-model.md 6.10).
use super::*;

#[test]
fn one_writer_cannot_fill_the_underlyings_whole_cap() {
    let mut env = Env::new();
    let eth = env.list_pull_underlying("ETH", [9u8; 32], pyth_usd(3_000), 10_000_000);
    // a quarter of the underlying's cap per writer account from listing
    assert_eq!(
        env.underlying(&eth.fixture.key).writer_open_interest_cap(),
        2_500_000
    );
    let expiry = expiry_after(env.now(), 7);
    let series = env
        .create_series(eth.fixture, 0, usd(3_000), expiry)
        .unwrap();
    let remaining = quote_only_margin_accounts(&[(eth.fixture.key, eth.fixture.oracle)]);
    let write = |env: &mut Env, w: &Writer, n: u64| {
        let recipient = env.option_ata(&w.owner.pubkey(), &series);
        let ix = ix::write_options(
            env.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            eth.fixture.key,
            series,
            recipient,
            n,
            remaining.clone(),
        );
        env.send_ix(ix, &[&w.owner])
    };
    let mut writers = Vec::new();
    for _ in 0..6 {
        let w = env.writer(usd(200_000), 0);
        env.deposit_quote(&w, usd(200_000)).unwrap();
        writers.push(w);
    }
    write(&mut env, &writers[0], 2).unwrap();
    expect_err(
        write(&mut env, &writers[0], 1),
        E::WriterOpenInterestCapExceeded,
    );
    // four more fill the underlying's cap; then its own cap refuses first
    for w in &writers[1..5] {
        write(&mut env, w, 2).unwrap();
    }
    expect_err(write(&mut env, &writers[5], 1), E::OpenInterestCapExceeded);
}

/// Two contracts of one unit where the liquidation capacity is one unit (a tenth of the
/// open-interest cap): IM's add-on is 1.5 times the uncharged one (`k` 0.5, one capacity
/// beyond). Governance halving the capacity (a tightening, at once) raises it to 2.5 times, MM
/// untouched, and a second writer holding what the book needed before is refused the same
/// write.
#[test]
fn im_grows_with_a_book_beyond_the_liquidation_capacity() {
    let mut env = Env::new();
    let eth = env.list_pull_underlying("ETH", [9u8; 32], pyth_usd(3_000), 10_000_000);
    let key = eth.fixture.key;
    // the projection (`margin_of`) prices it like the kit's own underlyings
    env.more_underlyings
        .push(greekhouse_testkit::scenario::MoreUnderlying {
            fixture: eth.fixture,
            symbol: "ETH".into(),
            feed: eth.feed,
            price: pyth_usd(3_000),
        });
    assert_eq!(env.underlying(&key).tail_and_size.size_capacity, 1_000_000);
    let expiry = expiry_after(env.now(), 7);
    let series = env
        .create_series(eth.fixture, 0, usd(3_000), expiry)
        .unwrap();
    let remaining = quote_only_margin_accounts(&[(key, eth.fixture.oracle)]);
    let write = |env: &mut Env, w: &Writer, n: u64| {
        let recipient = env.option_ata(&w.owner.pubkey(), &series);
        let ix = ix::write_options(
            env.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            key,
            series,
            recipient,
            n,
            remaining.clone(),
        );
        env.send_ix(ix, &[&w.owner])
    };
    let a = env.writer(usd(200_000), 0);
    env.deposit_quote(&a, usd(200_000)).unwrap();
    write(&mut env, &a, 1).unwrap();
    let one = env.margin_of(&a.account);
    write(&mut env, &a, 1).unwrap();
    let two = env.margin_of(&a.account);
    let ratio = |m: &greekhouse_risk::MarginSummary, n: &greekhouse_risk::MarginSummary| {
        m.initial.addon.raw() as f64 / n.initial.addon.raw() as f64
    };
    // two contracts: twice the add-on of one, times 1.5 (to rounding)
    assert!(
        (ratio(&two, &one) - 3.0).abs() < 1e-6,
        "{}",
        ratio(&two, &one)
    );
    // MM has no charge: twice one contract's, to the rounding of one product
    assert!(
        (two.maintenance.addon.raw() - 2 * one.maintenance.addon.raw()).abs() <= 4,
        "MM has no charge: {:?} vs {:?}",
        two.maintenance,
        one.maintenance
    );

    // governance halves the capacity: two units are three half-units beyond it, the factor
    // 1 + 0.5 x 3
    let mut t = env.underlying(&key).tail_and_size;
    t.size_capacity /= 2;
    env.queue_change(ChangeTarget::underlying(key), GovValue::TailAndSize(t))
        .unwrap();
    let tighter = env.margin_of(&a.account);
    assert!((ratio(&tighter, &one) - 2.0 * 2.5).abs() < 1e-6);
    assert_eq!(tighter.maintenance, two.maintenance);

    // a second writer with what the two contracts needed before the change is refused
    let b = env.writer(usd(200_000), 0);
    let before = two
        .initial
        .requirement
        .to_int(greekhouse_risk::Rounding::Up)
        .unwrap();
    env.deposit_quote(&b, u64::try_from(before).unwrap() + 1)
        .unwrap();
    expect_err(write(&mut env, &b, 2), E::InitialMarginBreach);
}
