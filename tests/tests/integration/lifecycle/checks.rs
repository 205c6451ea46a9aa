//! What the fuzzer checks after every step: named refusals, the events, the books.
use super::*;

/// A failure of the case: the message and the steps so far.
pub(super) fn fail(world: &World, what: String) -> ! {
    let tail: Vec<&String> = world.log.iter().rev().take(80).collect::<Vec<_>>();
    let mut steps = String::new();
    for s in tail.into_iter().rev() {
        steps.push_str("\n  ");
        steps.push_str(s);
    }
    panic!("lifecycle fuzzer: {what}\nsteps:{steps}");
}

/// Record a step's outcome; an unexpected kind of error fails the case; events are checked.
pub(super) fn check_step(world: &mut World, what: &str, r: &Step) {
    match r {
        Ok(None) => world.log.push(format!("{what}: skipped")),
        Ok(Some(out)) => {
            world
                .log
                .push(format!("{what}: ok {:?}", out.event_names()));
            check_events(world, out);
        }
        Err(e) => {
            world
                .log
                .push(format!("{what}: refused {}", refusal_name(e)));
            let name = refusal_name(e);
            world.hit(format!("refused {name}"));
            if let Some(msg) = unexpected(e) {
                // the program's last words say which rule broke
                let logs = match e {
                    ChainError::Transaction { logs, .. } => {
                        let tail = logs.len().saturating_sub(12);
                        logs[tail..].join("\n    ")
                    }
                    _ => String::new(),
                };
                fail(
                    world,
                    format!("unexpected error in {what}: {msg}\n  logs:\n    {logs}"),
                );
            }
        }
    }
}

/// The program's error names, in code order (`GreekhouseError::ALL`): the
/// SDK names codes from `idl/greekhouse.json`, which can lag the program.
pub(super) fn program_error_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        greekhouse::errors::GreekhouseError::ALL
            .iter()
            .map(|e| e.name())
            .collect()
    })
}

/// A refusal's name for the coverage counters: the program's error, else its kind.
pub(super) fn refusal_name(e: &ChainError) -> String {
    if let Some(c) = e.custom_code() {
        if let Some(n) = c
            .checked_sub(6000)
            .and_then(|i| program_error_names().get(i as usize))
        {
            return n.clone();
        }
    }
    match e {
        ChainError::Transaction {
            custom_code: Some(c),
            ..
        } => format!("(code {c}: Anchor or token program)"),
        ChainError::Transaction { message, .. } => {
            format!(
                "(runtime: {})",
                message.chars().take(50).collect::<String>()
            )
        }
        ChainError::Backend(m) => {
            let m = m.split(": ").last().unwrap_or(m);
            format!("(SDK: {})", m.chars().take(60).collect::<String>())
        }
        ChainError::Rpc { .. } => "(rpc)".to_string(),
    }
}

/// The fund-payment bounds of the events of one transaction.
pub(super) fn check_events(world: &mut World, out: &TxOutcome) {
    let now = world.env.now();
    for e in out.events_of::<LiquidationStarted>() {
        world
            .liq_starts
            .insert(e.writer_account, (e.start_time, e.earliest_expiry));
    }
    for e in out.events_of::<LiquidationStarted>() {
        world.hit("LiquidationStarted");
        if world
            .state_of(&e.writer_account)
            .is_some_and(|s| s.has_settlement_debt())
        {
            world.hit("LiquidationStarted: a debt sale");
        }
    }
    for e in out.events_of::<PositionSettled>() {
        if e.debt > 0 {
            world.hit("PositionSettled with debt");
            let st = world.state_of(&e.writer_account);
            if st.as_ref().is_some_and(|s| s.position_count() > 0) {
                world.hit("PositionSettled with debt, other positions left");
            }
            if st.is_some_and(|s| s.status != WriterStatus::Active as u8) {
                world.hit("PositionSettled with debt, liquidating or bankrupt");
            }
        }
    }
    for e in out.events_of::<DebtResolved>() {
        if e.debt == 0 {
            world.hit("DebtResolved: repaid or sold");
        } else {
            world.hit("DebtResolved: written off");
            if world
                .state_of(&e.writer_account)
                .is_some_and(|s| s.collateral_count() > 0)
            {
                world.hit("DebtResolved: written off over dust collateral");
            }
        }
        if e.from_fund > 0 {
            world.hit("DebtResolved: from_fund > 0");
        }
        if e.charges.iter().any(|c| c.charged > 0) {
            world.hit("DebtResolved: charged to series");
        }
    }
    for e in out.events_of::<BankruptcyResolved>() {
        world.hit("BankruptcyResolved");
        if let Some(st) = world.state_of(&e.writer_account) {
            if st.debt_marker_count() > 0 {
                world.hit("BankruptcyResolved with a settlement debt");
            }
            if st.collateral_count() > 0 {
                world.hit("BankruptcyResolved over dust collateral");
            }
        }
    }
    for e in out.events_of::<SeriesSettled>() {
        if e.unbacked_contracts > 0 {
            world.hit("SeriesSettled with unbacked contracts");
        }
        if e.fund_cover > 0 {
            world.hit("SeriesSettled: fund cover > 0");
        }
    }
    for _ in out.events_of::<BackstopOpened>() {
        world.hit("BackstopOpened");
    }
    for _ in out.events_of::<BackstopBought>() {
        world.hit("BackstopBought");
    }
    for e in out.events_of::<SeriesFinalized>() {
        world.hit("SeriesFinalized");
        if e.haircut_bps > 0 {
            world.hit("SeriesFinalized with a haircut");
        }
    }
    for e in out.events_of::<SeriesDustSwept>() {
        world.hit("SeriesDustSwept");
        if world.burned.contains(&e.series) {
            world.hit("SeriesDustSwept of a series with burned tokens");
        }
    }
    for _ in out.events_of::<InsuranceSharesRebased>() {
        world.hit("InsuranceSharesRebased");
    }
    let k = world.fund_premium_bps();
    for e in out.events_of::<SliceBought>() {
        world.hit("SliceBought");
        if e.from_fund > 0 {
            world.hit("SliceBought: the fund pays");
        }
        if let Some((start, _)) = world.liq_starts.get(&e.liquidated).copied() {
            if world.expiries.iter().any(|x| start < *x && *x <= now) {
                world.hit("SliceBought after an expiry passed in its auction");
            }
        }
        let deficit = (-(e.mark_to_market as i128)).max(0) as u128;
        let bound = (e.fraction as u128 * (deficit * 10_000 + k * e.addon_maintenance as u128))
            .div_ceil(FRACTION_ONE as u128 * 10_000)
            + 1;
        if e.payment < 0 {
            let paid = e.payment.unsigned_abs() as u128;
            world.fund_paid += paid;
            world.fund_bound += bound;
            if paid > bound {
                fail(
                    world,
                    format!(
                        "the fund paid a bidder {paid} for {} beyond deficit + premium {bound} ({e:?})",
                        e.liquidated
                    ),
                );
            }
        }
        if e.discount >= FRACTION_ONE {
            // 100 % only once the schedule (compressed to the earliest unexpired expiry) ends
            let params = world.env.clearinghouse().params.liquidation;
            let (start, _) = world
                .liq_starts
                .get(&e.liquidated)
                .copied()
                .unwrap_or((0, 0));
            let full_at = start + params.fast_secs as i64 + params.slow_secs as i64;
            let unexpired = world.expiries.iter().copied().filter(|x| *x > now).min();
            let schedule_over = now >= full_at || unexpired.is_some_and(|x| now >= x);
            if start > 0 && !schedule_over {
                fail(
                    world,
                    format!(
                        "a 100 % discount {}s into the auction of {} (start {start}, expiries {:?}, now {now})",
                        now - start,
                        e.liquidated,
                        world.expiries
                    ),
                );
            }
        }
    }
    for e in out.events_of::<SeriesSettled>() {
        let need = (e.unbacked_contracts as u128 * e.payout_per_contract as u128)
            .saturating_sub(e.unbacked_cover as u128);
        world.fund_paid += e.fund_cover as u128;
        world.fund_bound += need;
        if e.fund_cover as u128 > need {
            fail(
                world,
                format!(
                    "settlement cover {} beyond the unbacked need {need}: {e:?}",
                    e.fund_cover
                ),
            );
        }
    }
    for e in out.events_of::<DebtResolved>() {
        world.fund_paid += e.from_fund as u128;
        world.fund_bound += e.debt as u128;
        if e.from_fund > e.debt {
            fail(world, format!("a write-off paid beyond the debt: {e:?}"));
        }
    }
}

/// Vaults equal ledgers to the unit; open interest, shorts and supply agree.
pub(super) fn check_books(world: &mut World, when: &str) {
    let accounts = world.all_accounts();
    let asset = pda::collateral_asset(&world.env.ch.clearinghouse, &world.env.sol_mint);
    let mut quote: i128 = 0;
    let mut sol: u128 = 0;
    let mut states = Vec::new();
    for a in &accounts {
        if let Some(st) = world.state_of(a) {
            quote += st.quote_balance as i128;
            sol += st.collateral_amount(&asset) as u128;
            states.push(st);
        }
    }
    let mut underlyings = vec![world.env.sol.key, world.env.btc.key];
    if world.listed {
        underlyings.push(pda::underlying(&world.env.ch.clearinghouse, 2));
    }
    for u in underlyings {
        if let Some(a) = world
            .env
            .chain
            .account(&pda::underlying_ledger(&u))
            .unwrap()
        {
            quote += greekhouse_sdk::accounts::underlying_ledger(&a.data)
                .unwrap()
                .fees_accrued as i128;
        }
    }
    for s in world.series.clone() {
        let st = world.env.series_state(&s);
        quote += st.settlement_ledger as i128 + st.unbacked_cover as i128;
        // an American series' exercise receivable (advanced to holders, not yet accrued)
        quote += st.exercise_collected as i128 - st.exercise_advanced as i128;
        let shorts: u64 = states.iter().map(|w| w.short_contracts(&s)).sum();
        let supply = world.env.series_supply(&s);
        if st.is_american() && !st.is_settled() {
            // the accounts record their shorts before pending exercises accrue: the series'
            // recorded shorts, at least its writers' exact share of the open interest
            if shorts != st.recorded_shorts
                || st.open_interest > shorts + st.unbacked_contracts
                || st.open_interest < supply + st.long_contracts
            {
                fail(
                    world,
                    format!(
                        "{when}: American series {s}: recorded {} vs shorts {shorts}, open interest {} vs unbacked {} and supply {supply}",
                        st.recorded_shorts, st.open_interest, st.unbacked_contracts
                    ),
                );
            }
        } else if st.is_settled() {
            if shorts != st.shorts_to_settle {
                fail(
                    world,
                    format!(
                        "{when}: series {s}: shorts {shorts} != shorts to settle {}",
                        st.shorts_to_settle
                    ),
                );
            }
        } else if st.open_interest != shorts + st.unbacked_contracts
            || st.open_interest < supply + st.long_contracts
        {
            fail(
                world,
                format!(
                    "{when}: series {s}: open interest {} vs shorts {shorts} + unbacked {} and supply {supply}",
                    st.open_interest, st.unbacked_contracts
                ),
            );
        }
        // custody: the longs the accounts hold are the series' count of them
        let longs: u64 = states.iter().map(|w| w.long_contracts(&s)).sum();
        if longs != st.long_contracts {
            fail(
                world,
                format!(
                    "{when}: series {s}: accounts' longs {longs} != series' custody {}",
                    st.long_contracts
                ),
            );
        }
        if st.outstanding() < supply + st.long_contracts {
            fail(
                world,
                format!(
                    "{when}: series {s}: outstanding {} < supply {supply} + longs {}",
                    st.outstanding(),
                    st.long_contracts
                ),
            );
        }
        if st.status == SeriesStatus::Finalized as u8
            && (supply + st.long_contracts) as u128 * st.payout_final as u128
                > st.settlement_ledger as u128
        {
            fail(
                world,
                format!("{when}: series {s}: remaining tokens not backed after finalization"),
            );
        }
    }
    let vault = world.env.quote_vault_balance() as i128;
    if vault != quote {
        fail(
            world,
            format!("{when}: quote vault {vault} != ledgers {quote}"),
        );
    }
    let (iv, fund) = (
        world.env.insurance_vault_balance(),
        world.env.insurance_fund().balance,
    );
    if iv != fund {
        fail(
            world,
            format!("{when}: insurance vault {iv} != fund {fund}"),
        );
    }
    let sv = world.env.sol_vault_balance() as u128;
    if sv != sol {
        fail(world, format!("{when}: SOL vault {sv} != balances {sol}"));
    }
}
