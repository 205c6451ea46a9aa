//! How each fuzzer action is applied to the world: the instruction sent, by which actor, with
//! which (possibly adversarial) accounts.
use super::*;

pub(super) fn apply(world: &mut World, a: &Action) -> Step {
    use Action::*;
    match *a {
        Deposit { w, sol, amount } => {
            let w = &world.writers[w as usize % WRITERS];
            if sol {
                sent(
                    world
                        .env
                        .deposit_sol(w, amount as u64 * LAMPORTS_PER_SOL / 100),
                )
            } else {
                sent(world.env.deposit_quote(w, usd(amount as u64 / 4 + 1)))
            }
        }
        DustDeposit { w, sol } => {
            let mut target = w as usize % WRITERS;
            let accounts: Vec<Pubkey> = world.writers.iter().map(|w| w.account).collect();
            for (i, acct) in accounts.iter().enumerate() {
                let acct = *acct;
                let st = world.state_of(&acct);
                if st.is_some_and(|s| {
                    s.status == WriterStatus::Liquidating as u8
                        || s.quote_balance < 0
                        || s.debt_marker_count() > 0
                }) {
                    target = i;
                }
            }
            let acct = world.writers[target].account;
            let kind = world.state_of(&acct).map(|s| {
                if s.status == WriterStatus::Liquidating as u8 {
                    "liquidating"
                } else if s.debt_marker_count() > 0 {
                    "debtor"
                } else {
                    "healthy"
                }
            });
            let w = &world.writers[target];
            let r = if sol {
                world.env.deposit_sol(w, 1)
            } else {
                world.env.deposit_quote(w, 1)
            };
            if let (Ok(_), Some(kind)) = (&r, kind) {
                let asset = if sol { "SOL" } else { "quote" };
                world.hit(format!("dust deposit ({asset}) into a {kind} account"));
            }
            sent(r)
        }
        Withdraw { w, sol, bps } => {
            let acct = world.writers[w as usize % WRITERS].account;
            let Some(st) = world.state_of(&acct) else {
                return Ok(None);
            };
            let asset = pda::collateral_asset(&world.env.ch.clearinghouse, &world.env.sol_mint);
            let held = if sol {
                st.collateral_amount(&asset)
            } else {
                st.quote_balance.max(0) as u64
            };
            let amount = (held as u128 * bps as u128 / 10_000) as u64;
            if amount == 0 {
                return Ok(None);
            }
            let w = &world.writers[w as usize % WRITERS];
            if sol {
                sent(world.env.withdraw_sol(w, amount))
            } else {
                sent(world.env.withdraw_quote(w, amount))
            }
        }
        Write { w, s, n, to } => {
            let series = world.series_at(s);
            let wi = w as usize % WRITERS;
            let acct = world.writers[wi].account;
            if world.state_of(&acct).is_none() {
                return Ok(None);
            }
            let w = &world.writers[wi];
            let n = if n == 0 {
                world.env.max_writable(w, &series)
            } else {
                n as u64
            };
            if n == 0 {
                return Ok(None);
            }
            match to {
                None => sent(world.env.write(w, &series, n)),
                Some(p) => {
                    let owner = world.parties[p as usize % PARTIES].kp.pubkey();
                    let mint = world.env.series_state(&series).option_mint;
                    let ata = world
                        .env
                        .chain
                        .token_account(&owner, &mint, &SPL_TOKEN)
                        .unwrap();
                    sent(world.env.write_to(w, &series, n, ata))
                }
            }
        }
        BurnOptions { w, s, bps } => {
            let series = world.series_at(s);
            let wi = w as usize % WRITERS;
            let acct = world.writers[wi].account;
            let owner = world.writers[wi].owner.pubkey();
            let short = world
                .state_of(&acct)
                .map_or(0, |st| st.short_contracts(&series));
            let held = world.env.option_balance(&owner, &series);
            let n = (short.max(held) as u128 * bps as u128 / 10_000) as u64;
            if n == 0 {
                return Ok(None);
            }
            let w = &world.writers[wi];
            sent(world.env.burn(w, &series, n))
        }
        DepositOptions { w, s, bps } => {
            let series = world.series_at(s);
            let wi = w as usize % WRITERS;
            let owner = world.writers[wi].owner.pubkey();
            if world.env.option_balance(&owner, &series) == 0 {
                // the writer buys some first: the liquidator (a well-funded writer) writes them
                // into its wallet, so deposits make longs, not only nets
                let mint = world.env.series_state(&series).option_mint;
                let ata = world
                    .env
                    .chain
                    .token_account(&owner, &mint, &SPL_TOKEN)
                    .unwrap();
                let dealer = clone_writer(&world.liquidator);
                let _ = world
                    .env
                    .write_to(&dealer, &series, 1 + bps as u64 % 20, ata);
            }
            let held = world.env.option_balance(&owner, &series);
            if held == 0 {
                return Ok(None);
            }
            let n = (held as u128 * bps.min(10_000) as u128 / 10_000).max(1) as u64;
            let acct = world.writers[wi].account;
            let short = world
                .state_of(&acct)
                .map_or(0, |st| st.short_contracts(&series));
            let w = &world.writers[wi];
            let r = world.env.deposit_options(w, &series, n);
            if r.is_ok() {
                world.hit(if n > short {
                    "options deposited as a long"
                } else {
                    "options deposited against the own short"
                });
            }
            sent(r)
        }
        WithdrawOptions { w, s, bps } => {
            // a writer holding a long (from `w` on), in its first series with one; when none
            // does, `w` buys and deposits some of `s` first
            let has_long = |st: &WriterAccount| st.positions.iter().any(|p| p.is_long());
            let wi = pick(world, w, has_long);
            let acct = world.writers[wi].account;
            if !world.state_of(&acct).is_some_and(|st| has_long(&st)) {
                let _ = apply(world, &DepositOptions { w, s, bps: 10_000 });
            }
            let wi = pick(world, w, has_long);
            let acct = world.writers[wi].account;
            if world.state_of(&acct).is_none() {
                return Ok(None); // a closed account has no long to withdraw
            }
            let held = world.state_of(&acct).and_then(|st| {
                st.positions
                    .iter()
                    .find(|p| p.is_long())
                    .map(|p| (p.series, p.contracts))
            });
            let (series, long) = held.unwrap_or((world.series_at(s), 0));
            // beyond the long now and then: the program refuses it
            let n = (long.max(1) as u128 * bps as u128 / 10_000).max(1) as u64;
            let w = &world.writers[wi];
            let r = world.env.withdraw_options(w, &series, n);
            if r.is_ok() {
                world.hit("a long withdrawn as tokens");
            }
            sent(r)
        }
        SettleLong { w, s } => {
            let series = world.series_at(s);
            let t = world.writers[w as usize % WRITERS].account;
            let r = world.env.settle_long(&t, &series);
            if r.is_ok() {
                world.hit("a long settled");
            }
            sent(r)
        }
        Close { w } => {
            let w = &world.writers[w as usize % WRITERS];
            sent(close_writer(&mut world.env, w))
        }
        Reopen { w } => {
            let w = &world.writers[w as usize % WRITERS];
            let index = if w.account
                == pda::writer_account(&world.env.ch.clearinghouse, &w.owner.pubkey(), 1)
            {
                1
            } else {
                0
            };
            let owner = w.owner.insecure_clone();
            sent(open_writer_at(&mut world.env, &owner, index))
        }
        SplTransfer { from, to, s, bps } => {
            let series = world.series_at(s);
            let from = world.parties[from as usize % PARTIES].kp.insecure_clone();
            let to = world.parties[to as usize % PARTIES].kp.pubkey();
            let held = world.env.option_balance(&from.pubkey(), &series);
            let n = (held as u128 * bps.min(10_000) as u128 / 10_000) as u64;
            if n == 0 || from.pubkey() == to {
                return Ok(None);
            }
            let mint = world.env.series_state(&series).option_mint;
            sent(spl_transfer(&mut world.env, &from, &to, &mint, n))
        }
        SplBurn { who, s, bps } => {
            let series = world.series_at(s);
            // the drawn party, else the next one holding tokens of the series
            let mut pi = who as usize % PARTIES;
            for k in 0..PARTIES {
                let p = (who as usize + k) % PARTIES;
                let key = world.parties[p].kp.pubkey();
                if world.env.option_balance(&key, &series) > 0 {
                    pi = p;
                    break;
                }
            }
            let who = world.parties[pi].kp.insecure_clone();
            let held = world.env.option_balance(&who.pubkey(), &series);
            let n = (held as u128 * bps.min(10_000) as u128 / 10_000).max(1) as u64;
            if held == 0 {
                return Ok(None);
            }
            let mint = world.env.series_state(&series).option_mint;
            let r = spl_burn(&mut world.env, &who, &mint, n);
            if r.is_ok() {
                world.burned.insert(series);
            }
            sent(r)
        }
        StartLiquidation { target } => {
            // a debtor first (refused before its grace), else the drawn account
            let ti = pick(world, target, |s| s.has_settlement_debt());
            let t = world.writers[ti].account;
            if world.state_of(&t).is_none() {
                return Ok(None);
            }
            let l = &world.liquidator;
            sent(world.env.start_liquidation(l, &t))
        }
        Bid { target, own, pct } => {
            // `own`: alice#1 on alice#0; else the liquidator on a liquidating account
            let ti = if own {
                0
            } else {
                pick(world, target, |s| {
                    s.status == WriterStatus::Liquidating as u8
                })
            };
            let t = world.writers[ti].account;
            if own
                && world
                    .state_of(&t)
                    .is_some_and(|s| s.status == WriterStatus::Active as u8)
            {
                let l = clone_writer(&world.liquidator);
                let r = world.env.start_liquidation(&l, &t);
                sub(world, "start_liquidation (before alice's own bid)", r);
            }
            let bidder = if own {
                clone_writer(&world.writers[1])
            } else {
                clone_writer(&world.liquidator)
            };
            let size = if pct == 0 {
                BidSize::Max
            } else {
                BidSize::Fraction(FRACTION_ONE / 100 * pct as u64)
            };
            sent(bid(world, &bidder, &t, size))
        }
        EndLiquidation { target } => {
            let ti = pick(world, target, |s| {
                s.status == WriterStatus::Liquidating as u8
            });
            let t = world.writers[ti].account;
            sent(world.env.end_liquidation(&t))
        }
        ResolveBankruptcy { target } => {
            let ti = pick(world, target, |s| {
                s.status == WriterStatus::Liquidating as u8
            });
            let t = world.writers[ti].account;
            sent(world.env.resolve_bankruptcy(&t))
        }
        ProposeSettlement { e, late } => {
            let expiry = world.expiries[e as usize % world.expiries.len()];
            let now = world.env.now();
            if now < expiry {
                return Ok(None);
            }
            let at = (expiry + late as i64).min(now);
            // one in three: an update after the straddling one (its previous is past expiry)
            let prev = if late % 3 == 0 { at - 1 } else { expiry - 1 };
            let price = world.env.sol_price;
            sent(propose_at(world, expiry, at, prev, price))
        }
        SettleSeries { s } => {
            let series = world.series_at(s);
            sent(world.env.settle_series(&series))
        }
        SettlePosition { w, s } => {
            let series = world.series_at(s);
            let t = world.writers[w as usize % WRITERS].account;
            sent(world.env.settle_position(&t, &series))
        }
        ResolveDebt { w } => {
            let ti = pick(world, w, |s| s.debt_marker_count() > 0);
            let t = world.writers[ti].account;
            if world.state_of(&t).is_none() {
                return Ok(None);
            }
            sent(world.env.resolve_debt(&t))
        }
        OpenBackstop { s } => {
            let series = world.series_at(s);
            sent(world.env.open_backstop(&series))
        }
        BuyBackstop { st, s, dollars } => {
            let series = world.series_at(s);
            let Some(staker) = world.staker(st) else {
                return Ok(None);
            };
            let staker = clone_staker(staker);
            sent(
                world
                    .env
                    .buy_backstop(&staker, &series, usd(dollars as u64), u64::MAX),
            )
        }
        Finalize { s } => {
            let series = world.series_at(s);
            sent(world.env.finalize_series(&series))
        }
        Redeem { p, s } => {
            let series = world.series_at(s);
            let p = &world.parties[p as usize % PARTIES];
            let (kp, ata) = (p.kp.insecure_clone(), p.quote_ata);
            let held = world.env.option_balance(&kp.pubkey(), &series);
            if held == 0 {
                return Ok(None);
            }
            sent(world.env.redeem(&kp, &ata, &series, held))
        }
        SweepDust { s } => {
            let series = world.series_at(s);
            sent(world.env.sweep_series_dust(&series))
        }
        OpenStake => {
            if let Some(uma) = world.late_staker.as_ref() {
                // a second open of the same stake account is refused
                let owner = uma.owner.insecure_clone();
                let payer = world.env.chain.payer();
                let ix =
                    ix::open_insurance_stake(world.env.ch.clearinghouse, payer, owner.pubkey());
                return sent(world.env.chain.send(&[ix], &[&owner]));
            }
            let uma = world.env.staker(usd(1_000_000)); // open_insurance_stake
            world.late_staker = Some(uma);
            Ok(None)
        }
        Stake { st, dollars } => {
            let Some(s) = world.staker(st).map(clone_staker) else {
                return Ok(None);
            };
            let amount = world.fund_amount(dollars);
            sent(world.env.stake(&s, amount))
        }
        StakeAroundSweep { st, dollars } => {
            let Some(s) = world.staker(st).map(clone_staker) else {
                return Ok(None);
            };
            let sol = world.env.sol.key;
            let amount = world.fund_amount(dollars);
            let r = world.env.stake(&s, amount);
            check_step(world, "stake (around sweep)", &r.clone().map(Some));
            let r2 = world.env.sweep_fees(&sol);
            check_step(world, "sweep_fees (around stake)", &r2.clone().map(Some));
            let shares = world.env.insurance_stake(&s).shares;
            sent(world.env.request_unstake(&s, shares.max(1)))
        }
        RequestUnstake { st, bps } => {
            let Some(s) = world.staker(st).map(clone_staker) else {
                return Ok(None);
            };
            let shares = world.env.insurance_stake(&s).shares;
            let n = (shares as u128 * bps as u128 / 10_000).max(1) as u64;
            sent(world.env.request_unstake(&s, n))
        }
        CancelUnstake { st } => {
            let Some(s) = world.staker(st).map(clone_staker) else {
                return Ok(None);
            };
            sent(world.env.cancel_unstake(&s))
        }
        Unstake { st } => {
            let Some(s) = world.staker(st).map(clone_staker) else {
                return Ok(None);
            };
            sent(world.env.unstake(&s))
        }
        Donate { st, dollars } => {
            let Some(s) = world.staker(st).map(clone_staker) else {
                return Ok(None);
            };
            let amount = world.fund_amount(dollars);
            sent(world.env.donate(&s, amount))
        }
        SweepFees => {
            let sol = world.env.sol.key;
            sent(world.env.sweep_fees(&sol))
        }
        RecordPrice => {
            let (u, o) = (world.env.sol.key, world.env.sol.oracle);
            sent(world.env.chain.send(&[ix::record_price(u, o)], &[]))
        }
        SetVolSurface => {
            let sol = world.env.sol.key;
            let surface = world.env.underlying(&sol).surface;
            let updater = world.env.vol_updater.insecure_clone();
            let ix = ix::set_vol_surface(sol, updater.pubkey(), surface);
            sent(world.env.chain.send(&[ix], &[&updater]))
        }
        CreateSeries { k } => {
            let (kind, strike, e) = NEW_TERMS[k as usize % NEW_TERMS.len()];
            let expiry = world.expiries[e];
            let sol = world.env.sol;
            let key = pda::series(&sol.key, expiry, usd(strike), kind);
            let r = world
                .env
                .create_series_out(sol, kind, usd(strike), expiry)
                .map(|(_, out)| out);
            if r.is_ok() {
                world.series.push(key);
            }
            sent(r)
        }
        QueueChange { raise } => {
            let asset = pda::collateral_asset(&world.env.ch.clearinghouse, &world.env.sol_mint);
            let mint = world.env.sol_mint;
            let cap = world.env.collateral_state(&mint).deposit_cap;
            let value = if raise {
                cap.saturating_add(cap / 2)
            } else {
                cap - cap / 10
            };
            let id = world.env.next_change_id();
            let r = world.env.queue_change(
                ix::ChangeTarget::collateral(asset, None),
                GovValue::DepositCap(value),
            );
            if r.is_ok() && world.env.next_change_id() > id {
                world.last_change = Some(id);
            }
            sent(r)
        }
        TightenMargin => {
            let sol = world.env.sol.key;
            let mut t = world.env.underlying(&sol).tail_and_size;
            t.tail_weight_bps = (t.tail_weight_bps + 2_000).min(10_000);
            t.size_capacity = (t.size_capacity / 2).max(1);
            let r = world
                .env
                .queue_change(ix::ChangeTarget::underlying(sol), GovValue::TailAndSize(t));
            if r.is_ok() {
                world.hit("margin tightened by governance");
            }
            sent(r)
        }
        ExecuteChange => {
            let Some(id) = world.last_change else {
                return Ok(None);
            };
            let asset = pda::collateral_asset(&world.env.ch.clearinghouse, &world.env.sol_mint);
            sent(
                world
                    .env
                    .execute_change(id, ix::ChangeTarget::collateral(asset, None)),
            )
        }
        CancelChange => {
            let Some(id) = world.last_change else {
                return Ok(None);
            };
            let guardian = world.env.guardian.insecure_clone();
            sent(world.env.cancel_change(&guardian, id))
        }
        Pause { flags } => {
            let guardian = world.env.guardian.insecure_clone();
            let ix = ix::pause(
                world.env.ch.clearinghouse,
                guardian.pubkey(),
                flags as u32 & pause::PAUSABLE,
            );
            sent(world.env.chain.send(&[ix], &[&guardian]))
        }
        Unpause => {
            let admin = world.admin();
            let ix = ix::unpause(world.env.ch.clearinghouse, admin.pubkey(), pause::PAUSABLE);
            sent(world.env.chain.send(&[ix], &[&admin]))
        }
        RotateAdmin => {
            // propose_admin to the same key, accept_admin: a no-op rotation through both steps
            let admin = world.admin();
            let ch = world.env.ch.clearinghouse;
            let r = world.env.chain.send(
                &[ix::propose_admin(ch, admin.pubkey(), admin.pubkey())],
                &[&admin],
            );
            check_step(world, "propose_admin", &r.clone().map(Some));
            sent(
                world
                    .env
                    .chain
                    .send(&[ix::accept_admin(ch, admin.pubkey())], &[&admin]),
            )
        }
        ListUnderlying => {
            // list_underlying: a second SOL-like listing (id 2), refused once it exists
            let args = world.env.sol_underlying_args(2);
            let ix = ix::list_underlying(
                world.env.ch.clearinghouse,
                world.env.chain.payer(),
                world.env.admin.pubkey(),
                args,
            );
            let r = world.env.send_admin(ix);
            if r.is_ok() {
                world.listed = true;
            }
            sent(r)
        }
        MoveSol { pct } => {
            let p = world.env.sol_price;
            let next = (p + p * pct as i64 / 100).max(px(1));
            world.env.advance(2);
            world.env.move_sol(next);
            // a crank (the bot, the dashboard) checks every account's margin after the move
            for wi in 0..WRITERS {
                check_margin(world, wi);
            }
            Ok(None)
        }
        Advance { secs, publish } => {
            world.env.advance(secs as i64);
            if publish {
                world.publish();
            }
            Ok(None)
        }
        StaleFeed { age } => {
            let now = world.env.now();
            let price = world.env.sol_price;
            world.env.publish_sol_at(price, now - age as i64);
            Ok(None)
        }
        JumpExpiry { e, pct } => {
            let expiry = world.expiries[e as usize % world.expiries.len()];
            let now = world.env.now();
            if now < expiry + 5 {
                world.env.advance(expiry + 5 - now);
            }
            let p = world.env.sol_price;
            world.env.sol_price = (p + p * pct as i64 / 100).max(px(1));
            world.publish();
            Ok(None)
        }
        ThinWrite { t, s, pct } => {
            let wi = THIN[t as usize % 2];
            let series = world.series_at(s);
            let acct = world.writers[wi].account;
            if world.state_of(&acct).is_none() {
                return Ok(None);
            }
            let w = clone_writer(&world.writers[wi]);
            let n = world.env.max_writable(&w, &series) * pct as u64 / 100;
            if n == 0 {
                return Ok(None);
            }
            let holder = world.parties[HOLDER0 + 1 + t as usize % 2].kp.pubkey();
            let mint = world.env.series_state(&series).option_mint;
            let ata = world
                .env
                .chain
                .token_account(&holder, &mint, &SPL_TOKEN)
                .unwrap();
            sent(world.env.write_to(&w, &series, n, ata))
        }
        SettleExpiry { e } => {
            let expiry = world.expiries[e as usize % world.expiries.len()];
            if world.env.now() < expiry + 5 {
                return Ok(None);
            }
            settle_expiry(world, expiry);
            Ok(None)
        }
        RepayAndClose { w } => {
            let mut wi = w as usize % WRITERS;
            for i in 0..WRITERS {
                let acct = world.writers[i].account;
                if world
                    .state_of(&acct)
                    .is_some_and(|s| s.debt_marker_count() > 0)
                {
                    wi = i;
                }
            }
            let w = clone_writer(&world.writers[wi]);
            let Some(st) = world.state_of(&w.account) else {
                return Ok(None);
            };
            let had_debt = st.debt_marker_count() > 0;
            if st.quote_balance < 0 {
                let r = world.env.deposit_quote(&w, st.quote_balance.unsigned_abs());
                sub(world, "repay", r);
            }
            let r = close_writer(&mut world.env, &w);
            if had_debt && r.is_ok() {
                fail(
                    world,
                    format!("{} closed with debt markers open", w.account),
                );
            }
            if sub(world, "close (before resolve_debt)", r) {
                return Ok(None);
            }
            if had_debt {
                let r = world.env.resolve_debt(&w.account);
                sub(world, "resolve_debt (repaid)", r);
            }
            let Some(st) = world.state_of(&w.account) else {
                return Ok(None);
            };
            let asset = pda::collateral_asset(&world.env.ch.clearinghouse, &world.env.sol_mint);
            let sol_held = st.collateral_amount(&asset);
            if sol_held > 0 {
                let r = world.env.withdraw_sol(&w, sol_held);
                sub(world, "withdraw SOL", r);
            }
            if st.quote_balance > 0 {
                let r = world.env.withdraw_quote(&w, st.quote_balance as u64);
                sub(world, "withdraw quote", r);
            }
            let r = close_writer(&mut world.env, &w);
            if had_debt && r.is_ok() {
                world.hit("a repaid debtor closed its account");
            }
            sent(r)
        }
        ExpiryThenBid {
            target,
            pct,
            settle,
        } => {
            let mut ti = target as usize % WRITERS;
            for i in 0..WRITERS {
                let acct = world.writers[i].account;
                if world
                    .state_of(&acct)
                    .is_some_and(|s| s.status == WriterStatus::Liquidating as u8)
                {
                    ti = i;
                }
            }
            let t = world.writers[ti].account;
            if world
                .state_of(&t)
                .is_some_and(|s| s.status == WriterStatus::Active as u8)
            {
                let l = clone_writer(&world.liquidator);
                let r = world.env.start_liquidation(&l, &t);
                sub(world, "start_liquidation (before the expiry)", r);
            }
            let now = world.env.now();
            if let Some(e) = world.expiries.iter().copied().filter(|e| *e > now).min() {
                world.env.advance(e + 5 - now);
                let p = world.env.sol_price;
                world.env.sol_price = (p + p * pct as i64 / 100).max(px(1));
                world.publish();
                if settle {
                    settle_expiry(world, e);
                }
            }
            let liquidating = world
                .state_of(&t)
                .is_some_and(|s| s.status == WriterStatus::Liquidating as u8);
            // sent as is (half the account, any payment): the program decides, not the SDK
            let l = clone_writer(&world.liquidator);
            let args = greekhouse::instructions::BidArgs {
                fraction: FRACTION_ONE / 2,
                payment_limit: i64::MAX,
            };
            let r = if liquidating {
                world.env.bid_with(&l, &t, args)
            } else {
                bid(world, &l, &t, BidSize::Max)
            };
            if liquidating {
                let outcome = match &r {
                    Ok(_) => "ok".to_string(),
                    Err(e) => refusal_name(e),
                };
                world.hit(format!("bid right after an expiry: {outcome}"));
            }
            sent(r)
        }
        DebtorTries { w, s } => {
            let wi = pick(world, w, |s| s.debt_marker_count() > 0);
            let d = clone_writer(&world.writers[wi]);
            if world.state_of(&d.account).is_none() {
                return Ok(None);
            }
            let series = world.series_at(s);
            let r = world.env.write(&d, &series, 1);
            sub(world, "write (a debtor)", r);
            let r = world.env.withdraw_sol(&d, 1);
            sub(world, "withdraw SOL (a debtor)", r);
            if world
                .state_of(&d.account)
                .is_some_and(|s| s.has_settlement_debt())
            {
                // a sale of the debt: refused within its grace (or while any position expired)
                let l = clone_writer(&world.liquidator);
                let r = world.env.start_liquidation(&l, &d.account);
                sub(world, "start_liquidation (a debtor)", r);
            }
            let ti = pick(world, w.wrapping_add(1), |s| {
                s.status == WriterStatus::Liquidating as u8
            });
            let t = world.writers[ti].account;
            if t == d.account || world.state_of(&t).is_none() {
                return Ok(None);
            }
            let args = greekhouse::instructions::BidArgs {
                fraction: FRACTION_ONE / 10,
                payment_limit: i64::MAX,
            };
            sent(world.env.bid_with(&d, &t, args))
        }
        WaitGrace { extra } => {
            let grace = world.env.clearinghouse().params.settlement.debt_grace_secs as i64;
            world.env.advance(grace + 1 + extra as i64);
            world.publish();
            Ok(None)
        }
        VaultDeposit { lp, dollars } => {
            let (v, l) = (world.vault, world.lp(lp));
            sent(world.env.vault_deposit(&v, &l, usd(dollars as u64)))
        }
        VaultRequestWithdraw { lp, bps } => {
            let (v, l) = (world.vault, world.lp(lp));
            let held = world.env.shares_of(&l);
            let shares = (held as u128 * bps as u128 / 10_000) as u64;
            sent(world.env.request_vault_withdraw(&v, &l, shares))
        }
        VaultCancelWithdraw { lp } => {
            let (v, l) = (world.vault, world.lp(lp));
            sent(world.env.cancel_vault_withdraw(&v, &l))
        }
        VaultWithdraw { lp } => {
            let (v, l) = (world.vault, world.lp(lp));
            let r = world.env.vault_withdraw(&v, &l);
            if let Ok(out) = &r {
                if out.event::<greekhouse::events::VaultWithdrawn>().is_some() {
                    world.hit("a vault withdrawal paid in the actions");
                }
            }
            sent(r)
        }
        VaultBuy { p, s, n } => {
            let (v, b, series) = (world.vault, world.buyer(p), world.series_at(s));
            let r = world.env.vault_buy(&v, &b, &series, n as u64, u64::MAX);
            if r.is_ok() {
                world.hit("a holder bought from the vault");
            }
            sent(r)
        }
        VaultSellBack { p, s, bps } => {
            let (v, b, series) = (world.vault, world.buyer(p), world.series_at(s));
            let held = world.env.option_balance(&b.owner.pubkey(), &series);
            let n = (held as u128 * bps as u128 / 10_000) as u64;
            let r = world.env.vault_sell_back(&v, &b, &series, n, 0);
            if r.is_ok() {
                world.hit("a holder sold back to the vault");
            }
            sent(r)
        }
        Exercise { p, s, bps, accrue } => {
            // mostly the American series (the first one), sometimes any (a European one refused)
            let american = world
                .series
                .iter()
                .copied()
                .find(|k| world.env.series_state(k).is_american());
            let series = match american {
                Some(a) if s % 4 != 3 => a,
                _ => world.series_at(s),
            };
            // the drawn party, else the next one holding tokens of the series
            let mut pi = p as usize % PARTIES;
            for k in 0..PARTIES {
                let q = (p as usize + k) % PARTIES;
                let key = world.parties[q].kp.pubkey();
                if world.env.option_balance(&key, &series) > 0 {
                    pi = q;
                    break;
                }
            }
            let who = world.parties[pi].kp.insecure_clone();
            let wallet = world.parties[pi].quote_ata;
            let held = world.env.option_balance(&who.pubkey(), &series);
            let n = (held as u128 * bps as u128 / 10_000) as u64;
            let r = world.env.exercise(&who, &wallet, &series, n);
            if r.is_ok() {
                world.hit("OptionsExercised");
                if accrue {
                    for (a, r) in world.accrue_everyone() {
                        check_step(world, &format!("accrue {a}"), &r.map(Some));
                        check_books(world, &format!("accrue {a}"));
                    }
                }
            }
            sent(r)
        }
        AccrueExercise { w } => {
            let acct = world.writers[w as usize % WRITERS].account;
            let Some(st) = world.state_of(&acct) else {
                return Ok(None);
            };
            // the first American short (pending or not: a current one is refused)
            let Some(p) = st.positions.iter().find(|p| p.is_american_short()) else {
                return Ok(None);
            };
            let r = world.env.accrue_exercise(&acct, &p.series);
            if r.is_ok() {
                world.hit("ExerciseAccrued");
            }
            sent(r)
        }
    }
}

/// `check_margin` of writer `wi` by a crank: a `MarginWarning` only on a crossing, carrying the
/// stored status, which is the rulebook's projection at the same prices.
fn check_margin(world: &mut World, wi: usize) {
    let t = world.writers[wi].account;
    let Ok(out) = world.env.check_margin(&t) else {
        // a closed account, or a price too old for the check: nothing was stored
        return;
    };
    let stored = world.env.writer_state(&t).margin_status;
    if let Some(e) = out.event::<greekhouse::events::MarginWarning>() {
        assert_ne!(
            e.status_before, e.status_after,
            "a warning without a crossing"
        );
        assert_eq!(e.status_after, stored, "the event is the stored status");
        world.hit(match e.status_after {
            0 => "MarginWarning: back to healthy",
            1 => "MarginWarning: below the warning level",
            _ => "MarginWarning: below maintenance",
        });
    }
    let m = world.env.margin_of(&t);
    let bps = world.env.clearinghouse().params.margin_warning_bps;
    let projected = greekhouse::engine::actions::margin_status::status_of(&m, bps).unwrap();
    assert_eq!(stored, projected as u8, "stored status vs projection");
}
