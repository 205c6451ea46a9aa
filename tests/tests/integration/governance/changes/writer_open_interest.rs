//! The per-writer open-interest cap.
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
