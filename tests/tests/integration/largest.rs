//! The largest account an instruction supports: a writer with every position slot used
//! (`MAX_POSITIONS` = 16, on both underlyings), SOL collateral besides quote, writing,
//! withdrawing, burning, then liquidated by a bidder who holds a book of its own. Natively this
//! checks that the largest account works at all; on the sBPF build (`scripts/test-sbf.sh`) it
//! also runs every step in the VM's 4 KiB stack frames and 32 KiB heap, and its compute units
//! enter the CU table of docs/performance.md.
use crate::harness;
use harness::ext_market::*;
use harness::*;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use greekhouse::constants::{MAX_COLLATERALS, MAX_POSITIONS};
use greekhouse_sdk::liquidation::BidSize;
use greekhouse_sdk::pda;
use greekhouse_testkit::bank::MAX_TRANSACTION_BYTES;
use solana_signer::Signer;

/// 16 series: SOL calls and puts around 150 at two expiries (12) and BTC ones around 90,000 (4).
fn sixteen_series(env: &mut Env) -> Vec<Pubkey> {
    let (sol, btc) = (env.sol, env.btc);
    let now = env.now();
    let mut series = vec![];
    for days in [7, 14] {
        let expiry = expiry_after(now, days);
        for (kind, strike) in [(0, 145), (0, 150), (0, 160), (1, 140), (1, 150), (1, 155)] {
            series.push(env.create_series(sol, kind, usd(strike), expiry).unwrap());
        }
        for (kind, strike) in [(0, 92_000), (1, 88_000)] {
            series.push(env.create_series(btc, kind, usd(strike), expiry).unwrap());
        }
    }
    assert_eq!(series.len(), MAX_POSITIONS);
    // last: the 14-day SOL 155 put, which the writer writes up to initial margin
    series.swap(13, MAX_POSITIONS - 1);
    series
}

#[test]
fn the_largest_account_writes_withdraws_burns_and_is_liquidated_with_a_bidders_book() {
    let mut env = Env::new();
    let series = sixteen_series(&mut env);

    // the writer: quote and SOL collateral, short every series
    let w = env.writer(usd(40_000), 50_000_000_000);
    env.deposit_quote(&w, usd(40_000)).unwrap();
    env.deposit_sol(&w, 50_000_000_000).unwrap();
    for s in &series[..MAX_POSITIONS - 1] {
        env.write(&w, s, 1).unwrap();
    }
    let last = series[MAX_POSITIONS - 1];
    // a margin-checked withdrawal with fifteen shorts
    env.withdraw_quote(&w, usd(100)).unwrap();
    let n = env.write_to_initial_margin(&w, &last).unwrap();
    assert!(n > 0);
    let state = env.writer_state(&w.account);
    assert_eq!(state.position_count(), MAX_POSITIONS);
    // a burn, a write and a withdrawal refused over all sixteen
    env.burn(&w, &last, 1).unwrap();
    env.write(&w, &last, 1).unwrap();
    expect_err(
        env.withdraw_quote(&w, usd(1_000)),
        greekhouse::errors::GreekhouseError::InitialMarginBreach,
    );

    // the bidder: a book on both underlyings of its own
    let bidder = env.writer(usd(2_000_000), 0);
    env.deposit_quote(&bidder, usd(2_000_000)).unwrap();
    for s in [series[0], series[6], series[8], series[13]] {
        env.write(&bidder, &s, 1).unwrap();
    }

    // SOL falls (its short puts and SOL collateral lose) until the writer is below maintenance;
    // it is sold in slices
    env.move_sol_until_liquidatable(&w.account, -100);
    env.start_liquidation(&bidder, &w.account).unwrap();
    let (first, _) = env
        .bid(&bidder, &w.account, BidSize::Fraction(250_000_000_000))
        .unwrap();
    assert_eq!(event::<SliceBought>(&first).fraction, 250_000_000_000);
    let (rest, _) = env.bid(&bidder, &w.account, BidSize::Max).unwrap();
    assert!(event::<SliceBought>(&rest).fraction > 0);
    env.end_liquidation(&w.account).unwrap();
    let after = env.writer_state(&w.account);
    assert_eq!(
        after.status().unwrap(),
        greekhouse::state::WriterStatus::Active
    );
    assert!(!env.margin_of(&w.account).end.equity.is_negative());
}

/// The largest book of spreads: every slot used by 8 shorts and 8 longs on both underlyings
/// (per expiry: a 145/160 call spread, a 155/140 put spread, a short 150 call against a long
/// 150 put, and on BTC a short 92,000 call against a long 88,000 put; 20 contracts a leg), the
/// longs deposited as
/// tokens a dealer wrote into the writer's wallet, the last short written up to IM. A rally
/// takes it below maintenance (its two synthetic shorts); a bidder with its own book buys it
/// in slices, longs moving with the shorts. On the sBPF build its compute units (margin with
/// longs at the full layout) enter the CU table.
#[test]
fn the_largest_book_of_spreads_is_margined_and_liquidated() {
    let mut env = Env::new();
    let series = sixteen_series(&mut env);
    let terms: Vec<(u8, u64)> = series
        .iter()
        .map(|s| {
            let t = env.series_state(s);
            (t.kind, t.strike)
        })
        .collect();
    let leg = |kind: u8, usd_strike: u64| (kind, usd(usd_strike));
    // the long legs: SOL 160 calls, 140 and 150 puts, BTC 88,000 puts (both expiries)
    let long_terms = [leg(0, 160), leg(1, 140), leg(1, 150), leg(1, 88_000)];
    let (mut longs, mut shorts) = (vec![], vec![]);
    for (s, t) in series.iter().zip(&terms) {
        if long_terms.contains(t) {
            longs.push(*s);
        } else {
            shorts.push(*s);
        }
    }
    assert_eq!((longs.len(), shorts.len()), (8, 8), "{terms:?}");

    let w = env.writer(usd(300_000), 0);
    env.deposit_quote(&w, usd(300_000)).unwrap();
    let dealer = env.writer(usd(2_000_000), 0);
    env.deposit_quote(&dealer, usd(2_000_000)).unwrap();
    for s in &longs {
        let wallet = env.option_ata(&w.owner.pubkey(), s);
        env.write_to(&dealer, s, 20, wallet).unwrap();
        env.deposit_options(&w, s, 20).unwrap();
    }
    for s in &shorts[..7] {
        env.write(&w, s, 20).unwrap();
    }
    let n = env.write_to_initial_margin(&w, &shorts[7]).unwrap();
    assert!(n > 0);
    let state = env.writer_state(&w.account);
    assert_eq!(state.position_count(), MAX_POSITIONS);

    // the bidder: a book on both underlyings of its own
    let bidder = env.writer(usd(2_000_000), 0);
    env.deposit_quote(&bidder, usd(2_000_000)).unwrap();
    // (shorts of the writer's short series: the slices' shorts join them, so the bidder ends
    // with one slot per leg)
    for s in [shorts[0], shorts[3], shorts[5]] {
        env.write(&bidder, &s, 1).unwrap();
    }

    env.move_sol_until_liquidatable(&w.account, 100);
    env.start_liquidation(&bidder, &w.account).unwrap();
    // a small slice first (the spreads' offsets make each slice go far), then the most allowed
    let (first, _) = env
        .bid(&bidder, &w.account, BidSize::Fraction(100_000_000_000))
        .unwrap();
    assert_eq!(event::<SliceBought>(&first).fraction, 100_000_000_000);
    assert_eq!(
        env.writer_state(&bidder.account).position_count(),
        MAX_POSITIONS,
        "the bidder took a share of every leg, longs with shorts"
    );
    if env.margin_of(&w.account).end.equity.is_negative() {
        let (rest, _) = env.bid(&bidder, &w.account, BidSize::Max).unwrap();
        assert!(event::<SliceBought>(&rest).fraction > 0);
    }
    env.end_liquidation(&w.account).unwrap();
    assert_eq!(
        env.writer_state(&w.account).status().unwrap(),
        greekhouse::state::WriterStatus::Active
    );
    assert!(!env.margin_of(&w.account).end.equity.is_negative());
}

// ---- eight underlyings and four collaterals: the largest layout ----

/// The six underlyings the kit lists besides SOL and BTC ($, a $1 strike tick each): eight in
/// all, what one account's margin prices at most (`greekhouse_risk::margin::MAX_UNDERLYINGS`).
const MORE_UNDERLYINGS: [(&str, i64); 6] = [
    ("ETH", 3_000),
    ("AVAX", 30),
    ("LINK", 20),
    ("INJ", 25),
    ("TIA", 10),
    ("RAY", 12),
];

/// The largest world: eight underlyings with a call above and a put below spot each at one
/// expiry (16 series, one account's every slot), and four collateral assets (an account's most),
/// each priced by an underlying (linked): SOL's, and ETH, AVAX and LINK tokens.
struct LargestWorld {
    env: Env,
    underlyings: Vec<UnderlyingFixture>,
    collaterals: Vec<CollateralFixture>,
    /// Calls then puts per underlying, in `underlyings` order; the SOL put last.
    series: Vec<Pubkey>,
    expiry: i64,
}

impl LargestWorld {
    fn new() -> Self {
        let mut env = Env::new();
        let mut underlyings = vec![env.sol, env.btc];
        let mut spots = vec![150, 90_000];
        for (symbol, dollars) in MORE_UNDERLYINGS {
            underlyings.push(env.list_more_underlying(symbol, pyth_usd(dollars)));
            spots.push(dollars);
        }
        let sol = CollateralFixture {
            mint: env.sol_mint,
            asset: pda::collateral_asset(&env.ch.clearinghouse, &env.sol_mint),
            decimals: SOL_DECIMALS,
            price_underlying: env.sol.key,
        };
        let mut collaterals = vec![sol];
        for (u, decimals) in [
            (underlyings[2], 8),
            (underlyings[3], 9),
            (underlyings[4], 9),
        ] {
            collaterals.push(env.list_linked_collateral(&u, decimals));
        }
        assert_eq!(collaterals.len(), MAX_COLLATERALS);

        let expiry = expiry_after(env.now(), 7);
        let mut series = vec![];
        for (u, spot) in underlyings.iter().zip(&spots) {
            // 5 % out of the money, on the underlying's strike tick (BTC's is $100)
            let (call, put) = if u.key == env.btc.key {
                (92_000, 88_000)
            } else {
                let step = (spot / 20).max(1) as u64;
                (*spot as u64 + step, *spot as u64 - step)
            };
            series.push(env.create_series(*u, 0, usd(call), expiry).unwrap());
            series.push(env.create_series(*u, 1, usd(put), expiry).unwrap());
        }
        assert_eq!(series.len(), MAX_POSITIONS);
        // last: the SOL put (index 1), which the writer writes up to initial margin
        series.swap(1, MAX_POSITIONS - 1);
        LargestWorld {
            env,
            underlyings,
            collaterals,
            series,
            expiry,
        }
    }

    /// A writer holding `quote` and, of the first collaterals, `whole_units` each (0: dust, one
    /// native unit), every one deposited.
    fn writer_with(&mut self, quote: u64, whole_units: &[u64]) -> Writer {
        let env = &mut self.env;
        let w = env.writer(quote, 0);
        env.deposit_quote(&w, quote).unwrap();
        for (c, units) in self.collaterals.iter().zip(whole_units) {
            let amount = units * 10u64.pow(u32::from(c.decimals));
            let amount = amount.max(1);
            env.fund_collateral(&w, c, amount);
            env.deposit_collateral(&w, c, amount).unwrap();
        }
        assert_eq!(
            env.writer_state(&w.account).collateral_count(),
            whole_units.len()
        );
        w
    }

    /// The size of the legacy transaction a client sends for `instruction`: a compute-unit
    /// limit first (every margin-checked instruction at this size costs more than the 200,000
    /// CU an instruction gets without one), paid by the bank's payer. The bank accepts any size;
    /// a cluster takes [`MAX_TRANSACTION_BYTES`].
    fn transaction_bytes(&mut self, instruction: &Instruction) -> usize {
        let payer = self.env.chain.payer();
        let limit = greekhouse_sdk::ix::compute_unit_limit(1_400_000);
        greekhouse_testkit::bank::transaction_size(&[limit, instruction.clone()], &payer)
    }
}

/// One account at every bound at once (16 positions over eight underlyings, four linked
/// collaterals: 4 + 2 x 8 = 20 margin accounts) runs every margin-checked instruction: writes,
/// withdrawals of quote and of collateral, a burn, a deposit, its liquidation start, two bids by
/// a bidder with the same sixteen series and four collaterals (two such accounts margined in one
/// instruction), the end of the liquidation, and settlement: sixteen settled series, a
/// 16-position account's settlements, and a debt with dust collateral resolved.
#[test]
fn an_account_on_eight_underlyings_with_four_collaterals_runs_every_margin_checked_instruction() {
    let mut world = LargestWorld::new();
    let series = world.series.clone();
    let last = series[MAX_POSITIONS - 1];

    // the writer: quote and four collaterals, short every series
    let w = world.writer_with(usd(40_000), &[50, 2, 100, 100]);
    for s in &series[..MAX_POSITIONS - 1] {
        world.env.write(&w, s, 1).unwrap();
    }
    // margin-checked withdrawals with fifteen shorts: quote, and a linked collateral
    world.env.withdraw_quote(&w, usd(100)).unwrap();
    let link = world.collaterals[3];
    world
        .env
        .withdraw_collateral(&w, &link, 10u64.pow(9))
        .unwrap();
    let n = world.env.write_to_initial_margin(&w, &last).unwrap();
    assert!(n > 0);
    let state = world.env.writer_state(&w.account);
    assert_eq!(state.position_count(), MAX_POSITIONS);
    // the layout at its largest: four assets, then eight underlyings with their oracles
    let layout = world.env.margin_accounts(state);
    assert_eq!(layout.len(), MAX_COLLATERALS + 2 * 8);
    let recipient = world.env.option_ata(&w.owner.pubkey(), &last);
    let write = world.env.write_instruction(&w, &last, 1, recipient);
    let write_bytes = world.transaction_bytes(&write);
    let withdraw_ix = {
        let state = world.env.writer_state(&w.account);
        let remaining = world.env.margin_accounts(state);
        greekhouse_sdk::ix::withdraw(
            world.env.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            &world.env.quote_ledger(),
            w.quote_ata,
            1,
            remaining,
        )
    };
    let withdraw_bytes = world.transaction_bytes(&withdraw_ix);

    // a burn, a write, a deposit, and a withdrawal refused over all sixteen
    world.env.burn(&w, &last, 1).unwrap();
    world.env.write(&w, &last, 1).unwrap();
    world.env.fund_collateral(&w, &link, 10u64.pow(9));
    world
        .env
        .deposit_collateral(&w, &link, 10u64.pow(9))
        .unwrap();
    expect_err(
        world.env.withdraw_quote(&w, usd(1_000)),
        greekhouse::errors::GreekhouseError::InitialMarginBreach,
    );

    // the bidder: the same sixteen series and four collaterals, so a bid margins two full
    // accounts over one shared layout (a bidder's account after the bid holds both books, so no
    // bid can name more than one account's bounds)
    let bidder = world.writer_with(usd(2_000_000), &[1, 1, 1, 1]);
    for s in &series {
        world.env.write(&bidder, s, 1).unwrap();
    }
    assert_eq!(
        world.env.writer_state(&bidder.account).position_count(),
        MAX_POSITIONS
    );

    // SOL falls (its short puts and SOL collateral lose) until the writer is below
    // maintenance; it is sold in slices
    world.env.move_sol_until_liquidatable(&w.account, -100);
    world.env.start_liquidation(&bidder, &w.account).unwrap();
    let quote = world
        .env
        .quote_bid(&bidder, &w.account, BidSize::Fraction(250_000_000_000))
        .unwrap();
    let bid_bytes = world.transaction_bytes(&quote.instructions[1]);
    let (first, _) = world
        .env
        .bid(&bidder, &w.account, BidSize::Fraction(250_000_000_000))
        .unwrap();
    assert_eq!(event::<SliceBought>(&first).fraction, 250_000_000_000);
    let (rest, _) = world.env.bid(&bidder, &w.account, BidSize::Max).unwrap();
    assert!(event::<SliceBought>(&rest).fraction > 0);
    world.env.end_liquidation(&w.account).unwrap();
    assert_eq!(
        world.env.writer_state(&w.account).status().unwrap(),
        greekhouse::state::WriterStatus::Active
    );
    assert!(!world.env.margin_of(&w.account).end.equity.is_negative());

    // a debtor: short every series on quote alone, with dust of each collateral
    let debtor = world.writer_with(usd(5_000), &[0, 0, 0, 0]);
    for s in &series {
        world.env.write(&debtor, s, 1).unwrap();
    }
    // an account to go bankrupt: short every call (one per underlying), with SOL dust. A
    // bankruptcy names each short's series besides the layout, so a transaction carries about
    // 25 of both at most (38 static accounts is the runtime's bound, past which the bank itself
    // fails; 1,232 bytes a cluster's): eight series and 1 + 2 x 8 margin accounts
    let bankrupt = world.writer_with(usd(5_000), &[0]);
    let calls: Vec<Pubkey> = series.iter().step_by(2).copied().collect();
    for s in &calls {
        world.env.write(&bankrupt, s, 1).unwrap();
    }

    // every underlying triples before expiry: the calls' marks pass the quote, and with dust
    // for collateral and a fund holding only the bids' fees nobody can buy the account, so its
    // eight shorts over eight underlyings are written off
    move_every_underlying_from_listing(&mut world, 3);
    world
        .env
        .start_liquidation(&bidder, &bankrupt.account)
        .unwrap();
    let write_off = world
        .env
        .with_flow(|chain, cx| {
            let payer = chain.payer();
            greekhouse_sdk::liquidation::resolve_bankruptcy(chain, cx, payer, bankrupt.account)
        })
        .unwrap();
    let bankruptcy_bytes = world.transaction_bytes(&write_off[1]);
    let b: greekhouse::events::BankruptcyResolved =
        event(&world.env.resolve_bankruptcy(&bankrupt.account).unwrap());
    assert_eq!(b.unbacked.len(), calls.len());

    // settlement: every underlying triples at expiry, so every call is deep in the money
    settle_every_underlying_at(&mut world, 3);
    for s in &series {
        world.env.settle_series(s).unwrap();
    }
    // the ETH call (the largest payout, past the debtor's quote) first: every later call in the
    // money then opens a debt marker, eight in all
    let eth_call = series[4];
    for account in [bidder.account, w.account, debtor.account] {
        let mut held: Vec<Pubkey> = world
            .env
            .writer_state(&account)
            .positions
            .iter()
            .filter(|p| p.contracts > 0)
            .map(|p| p.series)
            .collect();
        held.sort_by_key(|s| *s != eth_call);
        for s in held {
            world.env.settle_position(&account, &s).unwrap();
        }
    }
    let state = world.env.writer_state(&debtor.account);
    assert!(state.quote_balance < 0);
    assert_eq!(state.debt_marker_count(), 8);
    let resolve = world
        .env
        .with_flow(|chain, cx| greekhouse_sdk::liquidation::resolve_debt(chain, cx, debtor.account))
        .unwrap();
    let resolve_bytes = world.transaction_bytes(&resolve);
    let r: greekhouse::events::DebtResolved =
        event(&world.env.resolve_debt(&debtor.account).unwrap());
    assert!(r.debt > 0);
    // Wire sizes at the largest layout. The program takes it, a legacy transaction does not
    // always: with their compute-unit limit a write and a bid (31 accounts each, 20 of them the
    // layout) pass a cluster's 1,232 bytes by 16 and 56. They need an address lookup table (a
    // v0 transaction, which the SDK does not build), or a layout one collateral (write: 33
    // bytes) or two (bid) smaller (docs/performance.md, "The largest account"). A change of
    // either size is a change of what fits: this pins it.
    println!(
        "largest transactions: write_options {write_bytes} bytes, withdraw {withdraw_bytes}, \
         bid {bid_bytes}, resolve_debt {resolve_bytes}, resolve_bankruptcy {bankruptcy_bytes} \
         (a cluster takes {MAX_TRANSACTION_BYTES})"
    );
    assert!(withdraw_bytes <= MAX_TRANSACTION_BYTES, "{withdraw_bytes}");
    assert!(resolve_bytes <= MAX_TRANSACTION_BYTES, "{resolve_bytes}");
    assert!(
        bankruptcy_bytes <= MAX_TRANSACTION_BYTES,
        "{bankruptcy_bytes}"
    );
    assert_eq!(
        (write_bytes, bid_bytes),
        (MAX_TRANSACTION_BYTES + 16, MAX_TRANSACTION_BYTES + 56)
    );
}

/// Every underlying at `factor` times its listing price (published now).
fn move_every_underlying_from_listing(world: &mut LargestWorld, factor: i64) {
    let env = &mut world.env;
    env.sol_price = pyth_usd(150) * factor;
    env.btc_price = pyth_usd(90_000) * factor;
    for (more, (_, dollars)) in env.more_underlyings.iter_mut().zip(MORE_UNDERLYINGS) {
        more.price = pyth_usd(dollars) * factor;
    }
    env.publish_prices();
}

/// Move the clock past `world.expiry` and post each underlying's settlement price at `factor`
/// times its listing price (published 10 s after expiry, its previous update a second before).
fn settle_every_underlying_at(world: &mut LargestWorld, factor: i64) {
    let expiry = world.expiry;
    let now = world.env.now();
    world.env.advance(expiry + 10 - now);
    let mut prices = vec![world.env.sol_price, world.env.btc_price];
    prices.extend(world.env.more_underlyings.iter().map(|u| u.price));
    // SOL's price moved in the liquidation: settle it from its listing price, like the others
    prices[0] = pyth_usd(150);
    for (u, price) in world.underlyings.clone().iter().zip(prices) {
        world
            .env
            .publish_update_of(u, price * factor, expiry + 10, expiry - 1);
        world.env.propose_settlement_of(u, expiry).unwrap();
    }
}
