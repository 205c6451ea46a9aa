//! The fuzzer's drive to the end: every series finalizes, every holder redeems, nothing is stuck.
use super::*;

/// What a drive step last met, per stuck object, for the liveness message.
#[derive(Default)]
pub(super) struct Stuck(BTreeMap<String, String>);

impl Stuck {
    pub(super) fn note(
        &mut self,
        key: impl std::fmt::Display,
        what: &str,
        r: &Result<TxOutcome, ChainError>,
    ) {
        if let Err(e) = r {
            self.0
                .insert(format!("{key}"), format!("{what}: {}", refusal_name(e)));
        }
    }
}

pub(super) fn drive_step(
    world: &mut World,
    stuck: &mut Stuck,
    what: String,
    key: Pubkey,
    r: Result<TxOutcome, ChainError>,
) -> bool {
    let ok = r.is_ok();
    stuck.note(key, &what, &r);
    check_step(world, &format!("[drive] {what}"), &r.map(Some));
    check_books(world, &format!("[drive] {what}"));
    ok
}

pub(super) fn drive_to_end(world: &mut World) {
    world.in_drive = true;
    let mut stuck = Stuck::default();
    let admin = world.admin();
    let ch = world.env.ch.clearinghouse;
    let r = world.env.chain.send(
        &[ix::unpause(ch, admin.pubkey(), pause::PAUSABLE)],
        &[&admin],
    );
    drive_step(world, &mut stuck, "unpause".into(), ch, r);
    let params = world.env.clearinghouse().params;
    let sol = world.env.sol.key;
    for _round in 0..60 {
        let mut progress = false;
        world.env.advance(1);
        world.publish();
        world.env.refresh_surface(&sol);
        // pending exercises first: margin checks and settlement refuse an account until its
        // American shorts accrued
        for (a, r) in world.accrue_everyone() {
            drive_step(world, &mut stuck, format!("accrue_exercise {a}"), a, r);
        }
        let now = world.env.now();
        let accounts: Vec<Pubkey> = world.all_accounts();

        // liquidations: bid each to its end, or resolve the bankruptcy
        for a in &accounts {
            let Some(st) = world.state_of(a) else {
                continue;
            };
            if st.status == WriterStatus::Liquidating as u8 {
                let r = world.env.end_liquidation(a);
                if drive_step(world, &mut stuck, format!("end_liquidation {a}"), *a, r) {
                    progress = true;
                    continue;
                }
                if *a == world.writers[0].account {
                    // alice#1 takes a quarter of alice#0 first (anyone may bid)
                    let own = clone_writer(&world.writers[1]);
                    let r = bid(world, &own, a, BidSize::Fraction(FRACTION_ONE / 4));
                    if drive_step(world, &mut stuck, format!("own bid {a}"), *a, r) {
                        progress = true;
                    }
                }
                // a bankruptcy first when it is one (the riskier path), else a sale
                let r = world.env.resolve_bankruptcy(a);
                if drive_step(world, &mut stuck, format!("resolve_bankruptcy {a}"), *a, r) {
                    progress = true;
                    continue;
                }
                let l = clone_writer(&world.liquidator);
                let r = bid(world, &l, a, BidSize::Max);
                if drive_step(world, &mut stuck, format!("bid max {a}"), *a, r) {
                    progress = true;
                    let r = world.env.end_liquidation(a);
                    drive_step(world, &mut stuck, format!("end_liquidation {a}"), *a, r);
                }
            } else if st.status == WriterStatus::Active as u8
                && (st
                    .positions
                    .iter()
                    .any(|p| p.contracts > 0 && p.expiry > now)
                    || st.has_settlement_debt())
            {
                if st.debt_marker_count() > 0 && st.position_count() == 0 {
                    let owner = world
                        .writers
                        .iter()
                        .find(|w| w.account == *a)
                        .map(clone_writer);
                    if let (true, true, Some(w)) = (world.repay_at_end, st.quote_balance < 0, owner)
                    {
                        // the owner repays, then closes at the end
                        let r = world.env.deposit_quote(&w, st.quote_balance.unsigned_abs());
                        drive_step(world, &mut stuck, format!("repay {a}"), *a, r);
                        world.repaid.insert(*a);
                    }
                    // repaid, or nothing but the debt (and maybe dust): a write-off
                    let r = world.env.resolve_debt(a);
                    if drive_step(world, &mut stuck, format!("resolve_debt {a}"), *a, r) {
                        progress = true;
                        continue;
                    }
                }
                let expired = st
                    .positions
                    .iter()
                    .any(|p| p.contracts > 0 && p.expiry <= now);
                if expired {
                    continue; // settled below first
                }
                let m = world.env.margin_of(a);
                let debt_sale = st.has_settlement_debt()
                    && now >= st.debt_since + params.settlement.debt_grace_secs as i64;
                if m.maintenance.equity.is_negative() || debt_sale {
                    let l = &world.liquidator;
                    let r = world.env.start_liquidation(l, a);
                    if drive_step(world, &mut stuck, format!("start_liquidation {a}"), *a, r) {
                        progress = true;
                    }
                }
            }
        }

        // settlement prices of passed expiries
        for e in world.expiries.clone() {
            if now < e + 5 {
                continue;
            }
            let key = pda::settlement_price(&sol, e);
            if world.env.chain.account(&key).unwrap().is_some() {
                continue;
            }
            // the update straddling the expiry: published after it, its previous one before
            let price = world.env.sol_price;
            let r = propose_at(world, e, e + 5, e - 1, price);
            if drive_step(
                world,
                &mut stuck,
                format!("propose_settlement_price {e}"),
                key,
                r,
            ) {
                world.publish();
                progress = true;
            }
        }

        // series, positions, debts
        for s in world.series.clone() {
            let st = world.env.series_state(&s);
            if st.status == SeriesStatus::Active as u8 && st.expiry <= world.env.now() {
                let r = world.env.settle_series(&s);
                if drive_step(world, &mut stuck, format!("settle_series {s}"), s, r) {
                    progress = true;
                }
            }
        }
        for a in &accounts {
            let Some(st) = world.state_of(a) else {
                continue;
            };
            for p in st.positions.iter().filter(|p| p.contracts > 0) {
                if world.env.series_state(&p.series).is_settled() {
                    let r = world.env.settle_position(a, &p.series);
                    if drive_step(
                        world,
                        &mut stuck,
                        format!("settle_position {a} {}", p.series),
                        *a,
                        r,
                    ) {
                        progress = true;
                    }
                }
            }
            let Some(st) = world.state_of(a) else {
                continue;
            };
            if st.debt_marker_count() > 0 && (st.quote_balance >= 0 || st.position_count() == 0) {
                let r = world.env.resolve_debt(a);
                if drive_step(world, &mut stuck, format!("resolve_debt {a}"), *a, r) {
                    progress = true;
                }
            }
        }

        // backstops, finalization, redemption, dust
        let buyer = clone_staker(&world.stakers[1]);
        for s in world.series.clone() {
            let st = world.env.series_state(&s);
            if st.status == SeriesStatus::Settled as u8
                && st.shorts_to_settle == 0
                && st.open_debts == 0
                && st.backstop_start == 0
                && (st.settlement_ledger as u128)
                    < st.outstanding() as u128 * st.payout_per_contract as u128
            {
                let r = world.env.open_backstop(&s);
                if drive_step(world, &mut stuck, format!("open_backstop {s}"), s, r) {
                    progress = true;
                    let gap = st.outstanding() * st.payout_per_contract - st.settlement_ledger;
                    let r = world.env.buy_backstop(&buyer, &s, gap / 2 + 1, u64::MAX);
                    drive_step(world, &mut stuck, format!("buy_backstop {s}"), s, r);
                }
            }
            let st = world.env.series_state(&s);
            if st.status == SeriesStatus::Settled as u8 {
                let r = world.env.finalize_series(&s);
                if drive_step(world, &mut stuck, format!("finalize_series {s}"), s, r) {
                    progress = true;
                }
            }
            if world.env.series_state(&s).status == SeriesStatus::Finalized as u8 {
                // a keeper pays every long in the series into its account
                for a in world.all_accounts() {
                    if world
                        .state_of(&a)
                        .is_some_and(|st| st.long_contracts(&s) > 0)
                    {
                        let r = world.env.settle_long(&a, &s);
                        if drive_step(world, &mut stuck, format!("settle_long {a} {s}"), a, r) {
                            world.hit("a long settled");
                            progress = true;
                        }
                    }
                }
                for p in 0..PARTIES {
                    let (kp, ata) = (
                        world.parties[p].kp.insecure_clone(),
                        world.parties[p].quote_ata,
                    );
                    let held = world.env.option_balance(&kp.pubkey(), &s);
                    if held > 0 {
                        let r = world.env.redeem(&kp, &ata, &s, held);
                        if drive_step(
                            world,
                            &mut stuck,
                            format!("redeem {} {s}", kp.pubkey()),
                            kp.pubkey(),
                            r,
                        ) {
                            progress = true;
                        }
                    }
                }
                if world.env.series_dust(&s) > 0 {
                    let r = world.env.sweep_series_dust(&s);
                    if drive_step(world, &mut stuck, format!("sweep_series_dust {s}"), s, r) {
                        progress = true;
                    }
                }
            }
        }
        if done(world) {
            break;
        }
        if !progress {
            // wait for what only time unlocks: the next expiry, a debt's grace, a backstop window
            let now = world.env.now();
            let next = world
                .expiries
                .iter()
                .copied()
                .filter(|e| *e + 5 > now)
                .min();
            let wait = match next {
                Some(e) => e + 5 - now,
                None => {
                    (params
                        .settlement
                        .debt_grace_secs
                        .max(params.settlement.backstop_window_secs) as i64)
                        + 1
                }
            };
            world.env.advance(wait);
        }
    }

    // every writer takes its money out and closes
    for w in 0..WRITERS {
        let acct = world.writers[w].account;
        let Some(st) = world.state_of(&acct) else {
            continue;
        };
        if st.status != WriterStatus::Active as u8
            || st.position_count() > 0
            || st.debt_marker_count() > 0
        {
            continue;
        }
        if st.quote_balance < 0 && st.debt_marker_count() == 0 {
            // a negative balance from fees, backed by collateral: the owner repays at the end
            let owed = st.quote_balance.unsigned_abs();
            let r = world.env.deposit_quote(&world.writers[w], owed);
            drive_step(world, &mut stuck, format!("repay {acct}"), acct, r);
        }
        let Some(st) = world.state_of(&acct) else {
            continue;
        };
        let asset = pda::collateral_asset(&world.env.ch.clearinghouse, &world.env.sol_mint);
        let sol_held = st.collateral_amount(&asset);
        if sol_held > 0 {
            let r = world.env.withdraw_sol(&world.writers[w], sol_held);
            drive_step(world, &mut stuck, format!("withdraw SOL {acct}"), acct, r);
        }
        if st.quote_balance > 0 {
            let r = world
                .env
                .withdraw_quote(&world.writers[w], st.quote_balance as u64);
            drive_step(world, &mut stuck, format!("withdraw quote {acct}"), acct, r);
        }
        let r = close_writer(&mut world.env, &world.writers[w]);
        if r.is_ok() && world.repaid.contains(&acct) {
            world.hit("a repaid debtor closed its account");
        }
        drive_step(
            world,
            &mut stuck,
            format!("close_writer_account {acct}"),
            acct,
            r,
        );
    }

    // every vault LP is paid: its queued request, then all its other shares requested (the
    // vault's account holds only quote by now: no price, no margin check can refuse it)
    let v = world.vault;
    for _round in 0..2 {
        for i in 0..LPS as u8 {
            let l = world.lp(i);
            let key = greekhouse_sdk::vault::withdrawal(&v.vault, &l.owner.pubkey());
            let held = world.env.shares_of(&l);
            if world.env.chain.account(&key).unwrap().is_none() && held > 0 {
                let r = world.env.request_vault_withdraw(&v, &l, held);
                drive_step(
                    world,
                    &mut stuck,
                    format!("request_vault_withdraw {key}"),
                    key,
                    r,
                );
            }
        }
        let cooldown = world.env.vault_state(&v).policy.withdraw_cooldown_secs as i64;
        world.env.advance(cooldown + 1);
        world.publish();
        world.env.refresh_surface(&sol);
        for i in 0..LPS as u8 {
            let l = world.lp(i);
            let key = greekhouse_sdk::vault::withdrawal(&v.vault, &l.owner.pubkey());
            if world.env.chain.account(&key).unwrap().is_some() {
                let r = world.env.vault_withdraw(&v, &l);
                if drive_step(world, &mut stuck, format!("vault_withdraw {key}"), key, r) {
                    world.hit("a vault withdrawal paid in the drive");
                }
            }
        }
    }

    // the end state
    let mut problems = Vec::new();
    let vs = world.env.vault_state(&v);
    let outstanding = world.env.share_supply(&v);
    if vs.pending_shares > 0 || outstanding > 0 {
        problems.push(format!(
            "vault: {} shares pending, {outstanding} not withdrawn",
            vs.pending_shares
        ));
    }
    for s in world.series.clone() {
        let st = world.env.series_state(&s);
        if st.status != SeriesStatus::Finalized as u8 {
            problems.push(format!(
                "series {s} not finalized (status {}, shorts to settle {}, open debts {})",
                st.status, st.shorts_to_settle, st.open_debts
            ));
            continue;
        }
        if world.env.series_dust(&s) > 0 {
            problems.push(format!("series {s}: dust not swept"));
        }
        let supply = world.env.series_supply(&s);
        if supply > 0 {
            problems.push(format!("series {s}: {supply} tokens not redeemed"));
        }
        if st.long_contracts > 0 {
            problems.push(format!(
                "series {s}: {} longs not settled",
                st.long_contracts
            ));
        }
        if st.settlement_ledger > 0 {
            problems.push(format!(
                "series {s}: {} quote stuck in the ledger (outstanding {}, supply {supply}, payout {})",
                st.settlement_ledger,
                st.outstanding(),
                st.payout_final
            ));
        }
    }
    for a in world.all_accounts() {
        let Some(st) = world.state_of(&a) else {
            continue;
        };
        if st.position_count() > 0 || st.debt_marker_count() > 0 || st.quote_balance < 0 {
            problems.push(format!(
                "writer {a}: {} positions, {} debt markers, quote {} (status {})",
                st.position_count(),
                st.debt_marker_count(),
                st.quote_balance,
                st.status
            ));
        }
    }
    if world.fund_paid > world.fund_bound {
        problems.push(format!(
            "the fund paid {} beyond the deficits + premium {}",
            world.fund_paid, world.fund_bound
        ));
    }
    check_books(world, "end");
    if !problems.is_empty() {
        let last: Vec<String> = stuck.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        fail(
            world,
            format!(
                "liveness: the world cannot be driven to its end:\n  {}\nlast errors:\n  {}",
                problems.join("\n  "),
                last.join("\n  ")
            ),
        );
    }
}

pub(super) fn done(world: &mut World) -> bool {
    for s in world.series.clone() {
        let st = world.env.series_state(&s);
        if st.status != SeriesStatus::Finalized as u8 || world.env.series_dust(&s) > 0 {
            return false;
        }
        if world.env.series_supply(&s) > 0 || st.long_contracts > 0 {
            return false;
        }
    }
    world.all_accounts().iter().all(|a| {
        world.state_of(a).is_none_or(|st| {
            st.position_count() == 0 && st.debt_marker_count() == 0 && st.quote_balance >= 0
        })
    })
}
