//! The per-writer open-interest cap.
use super::*;

#[test]
fn one_writer_cannot_fill_the_underlyings_whole_cap() {
    let mut env = Env::new();
    let eth = env.list_pull_underlying("ETH", [9u8; 32], pyth_usd(3_000), 10_000_000);
    let target = ChangeTarget::underlying(eth.fixture.key);
    for share in [7_500, 5_000] {
        env.queue_change(
            target,
            GovValue::OpenInterest(OpenInterestLimits {
                open_interest_cap: 10_000_000,
                writer_share_bps: share,
                _padding: 0,
            }),
        )
        .unwrap();
    }
    assert_eq!(
        env.underlying(&eth.fixture.key).writer_open_interest_cap(),
        5_000_000
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
    let a = env.writer(usd(200_000), 0);
    env.deposit_quote(&a, usd(200_000)).unwrap();
    let b = env.writer(usd(200_000), 0);
    env.deposit_quote(&b, usd(200_000)).unwrap();
    write(&mut env, &a, 5).unwrap();
    expect_err(write(&mut env, &a, 1), E::WriterOpenInterestCapExceeded);
    write(&mut env, &b, 5).unwrap();
    expect_err(write(&mut env, &b, 1), E::OpenInterestCapExceeded);
}
