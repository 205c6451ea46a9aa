//! The fuzzer's world and how each action is applied to it.
use super::*;

pub(super) struct Party {
    pub(super) kp: Keypair,
    pub(super) quote_ata: Pubkey,
}

pub(super) struct World {
    pub(super) env: Env,
    /// alice#0, alice#1, bob, carol, erin.
    pub(super) writers: Vec<Writer>,
    pub(super) liquidator: Writer,
    pub(super) parties: Vec<Party>,
    pub(super) stakers: Vec<Staker>,
    /// Uma: opened by `OpenStake`.
    pub(super) late_staker: Option<Staker>,
    pub(super) series: Vec<Pubkey>,
    pub(super) expiries: Vec<i64>,
    /// Liquidation starts seen: account -> (start time, earliest expiry at start).
    pub(super) liq_starts: BTreeMap<Pubkey, (i64, i64)>,
    /// What the fund paid (bidders, series cover, write-offs) and the bound of each payment.
    pub(super) fund_paid: u128,
    pub(super) fund_bound: u128,
    /// The last queued governance change (id).
    pub(super) last_change: Option<u64>,
    pub(super) listed: bool,
    /// Owners repay debtors with no position left in the drive (then close them).
    pub(super) repay_at_end: bool,
    /// The fund was set up with less than 50 dollars and stakes and donations stay small.
    pub(super) thin_fund: bool,
    /// Debtors their owners repaid in the drive.
    pub(super) repaid: BTreeSet<Pubkey>,
    /// Series some of whose tokens were burned outside the program.
    pub(super) burned: BTreeSet<Pubkey>,
    /// Every step, for the failure message.
    pub(super) log: Vec<String>,
    /// Coverage: how often each interesting event or refusal happened in this case, in the
    /// actions (`[0]`) and in the drive to the end (`[1]`).
    pub(super) cov: BTreeMap<String, [u64; 2]>,
    pub(super) in_drive: bool,
}

pub(super) fn px(dollars: u64) -> i64 {
    dollars as i64 * 100_000_000
}

impl World {
    pub(super) fn new(setup: &Setup) -> Self {
        let mut env = Env::new();
        env.chain.set_quiet(true);
        let now = env.now();
        let expiries = vec![
            expiry_after(now, 1),
            expiry_after(now, 2),
            expiry_after(now, 3),
        ];
        let sol = env.sol;
        let series = vec![
            env.create_series(sol, 0, usd(150), expiries[0]).unwrap(),
            env.create_series(sol, 1, usd(140), expiries[0]).unwrap(),
            env.create_series(sol, 0, usd(170), expiries[1]).unwrap(),
            env.create_series(sol, 1, usd(150), expiries[1]).unwrap(),
            env.create_series(sol, 0, usd(180), expiries[2]).unwrap(),
            env.create_series(sol, 1, usd(130), expiries[2]).unwrap(),
        ];
        let alice0 = env.writer(usd(400_000), 2_000 * LAMPORTS_PER_SOL);
        let alice1 = second_account(&mut env, &alice0, 1);
        let bob = env.writer(usd(200_000), 1_000 * LAMPORTS_PER_SOL);
        let carol = env.writer(usd(200_000), 1_000 * LAMPORTS_PER_SOL);
        env.deposit_quote(&alice1, usd(20_000)).unwrap();
        env.deposit_sol(&bob, 20 * LAMPORTS_PER_SOL).unwrap();
        env.deposit_quote(&carol, usd(8_000)).unwrap();
        // the thin writers: little quote (alice#0 also SOL); wallets to repay from
        let erin = env.writer(usd(100_000), 50 * LAMPORTS_PER_SOL);
        env.deposit_quote(&alice0, usd(setup.alice_quote as u64))
            .unwrap();
        env.deposit_sol(
            &alice0,
            setup.alice_sol_tenths as u64 * LAMPORTS_PER_SOL / 10,
        )
        .unwrap();
        env.deposit_quote(&erin, usd(setup.erin_quote as u64))
            .unwrap();
        let liquidator = env.writer(usd(50_000_000), 0);
        env.deposit_quote(&liquidator, usd(50_000_000)).unwrap();
        let mut parties = Vec::new();
        for w in [&alice0, &bob, &carol, &erin, &liquidator] {
            parties.push(Party {
                kp: w.owner.insecure_clone(),
                quote_ata: w.quote_ata,
            });
        }
        for _ in 0..3 {
            let kp = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
            let quote_ata = env
                .chain
                .token_account(&kp.pubkey(), &env.ch.quote_mint, &SPL_TOKEN)
                .unwrap();
            let auth = env.mint_authority.insecure_clone();
            let mint = env.ch.quote_mint;
            env.chain
                .mint_to(&SPL_TOKEN, &mint, &quote_ata, &auth, usd(100_000))
                .unwrap();
            parties.push(Party { kp, quote_ata });
        }
        let sam = env.staker(usd(5_000_000));
        let tess = env.staker(usd(5_000_000));
        if setup.stake > 0 {
            env.stake(&sam, usd(setup.stake as u64)).unwrap();
        }
        // the thin books: near initial margin across the expiries, held by heidi and ivan
        for (t, (w, book)) in [&alice0, &erin].into_iter().zip(setup.books).enumerate() {
            let holder = parties[HOLDER0 + 1 + t].kp.pubkey();
            for (e, leg) in book.into_iter().enumerate() {
                let Some((put, pct)) = leg else {
                    continue;
                };
                let s = series[2 * e + put as usize];
                let n = env.max_writable(w, &s) * pct as u64 / 100;
                if n == 0 {
                    continue;
                }
                let mint = env.series_state(&s).option_mint;
                let ata = env.chain.token_account(&holder, &mint, &SPL_TOKEN).unwrap();
                env.write_to(w, &s, n, ata).unwrap();
            }
        }
        Self {
            env,
            writers: vec![alice0, alice1, bob, carol, erin],
            liquidator,
            parties,
            stakers: vec![sam, tess],
            late_staker: None,
            series,
            expiries,
            liq_starts: BTreeMap::new(),
            fund_paid: 0,
            fund_bound: 0,
            last_change: None,
            listed: false,
            repay_at_end: setup.repay_at_end,
            thin_fund: setup.stake < 50,
            repaid: BTreeSet::new(),
            burned: BTreeSet::new(),
            log: Vec::new(),
            cov: BTreeMap::new(),
            in_drive: false,
        }
    }

    pub(super) fn all_accounts(&self) -> Vec<Pubkey> {
        let mut v: Vec<Pubkey> = self.writers.iter().map(|w| w.account).collect();
        v.push(self.liquidator.account);
        v
    }

    pub(super) fn state_of(&mut self, account: &Pubkey) -> Option<WriterAccount> {
        let a = self.env.chain.account(account).unwrap()?;
        greekhouse_sdk::accounts::decode::<WriterAccount>(&a.data).ok()
    }

    pub(super) fn series_at(&self, s: u8) -> Pubkey {
        self.series[s as usize % self.series.len()]
    }

    pub(super) fn staker(&self, st: u8) -> Option<&Staker> {
        match st as usize % STAKERS {
            2 => self.late_staker.as_ref(),
            i => Some(&self.stakers[i]),
        }
    }

    pub(super) fn publish(&mut self) {
        self.env.publish_prices();
    }

    pub(super) fn admin(&self) -> Keypair {
        self.env.admin.insecure_clone()
    }

    /// What a stake or donation of `dollars` puts in: in a case with a thin fund (set up with
    /// less than 50 dollars), at most 50 dollars, so the fund stays thin.
    pub(super) fn fund_amount(&self, dollars: u16) -> u64 {
        if self.thin_fund {
            usd(dollars as u64 % 50 + 1)
        } else {
            usd(dollars as u64)
        }
    }

    /// Count one occurrence of `what` (coverage).
    pub(super) fn hit(&mut self, what: impl Into<String>) {
        self.cov.entry(what.into()).or_default()[self.in_drive as usize] += 1;
    }

    pub(super) fn fund_premium_bps(&mut self) -> u128 {
        self.env.clearinghouse().params.liquidation.fund_premium_bps as u128
    }
}

pub(super) type Step = Result<Option<TxOutcome>, ChainError>;

pub(super) fn sent(r: Result<TxOutcome, ChainError>) -> Step {
    r.map(Some)
}

/// The settlement of `expiry`'s price: an update published `at` whose previous update was
/// published `prev`, posted. Only the update straddling the expiry (`prev < expiry <= at`) is
/// accepted; anything else is a refusal the fuzzer expects.
pub(super) fn propose_at(
    world: &mut World,
    expiry: i64,
    at: i64,
    prev: i64,
    price: i64,
) -> Result<TxOutcome, ChainError> {
    world.env.publish_sol_update(price, at, prev);
    let r = world.env.propose_settlement(expiry);
    let now = world.env.now();
    world.env.publish_sol_at(price, now);
    r
}

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
    }
}

/// The first writer from `from` on (cyclically) whose account satisfies `pred`, else `from`.
pub(super) fn pick(world: &mut World, from: u8, pred: impl Fn(&WriterAccount) -> bool) -> usize {
    for k in 0..WRITERS {
        let i = (from as usize + k) % WRITERS;
        let acct = world.writers[i].account;
        if world.state_of(&acct).is_some_and(|s| pred(&s)) {
            return i;
        }
    }
    from as usize % WRITERS
}

pub(super) fn clone_writer(w: &Writer) -> Writer {
    Writer {
        owner: w.owner.insecure_clone(),
        account: w.account,
        quote_ata: w.quote_ata,
        sol_ata: w.sol_ata,
    }
}

/// A step inside a composite action: checked and logged like an action. Returns whether it
/// succeeded.
pub(super) fn sub(world: &mut World, what: &str, r: Result<TxOutcome, ChainError>) -> bool {
    let ok = r.is_ok();
    check_step(world, &format!("  - {what}"), &r.map(Some));
    check_books(world, what);
    ok
}

/// A bid of `size` on `target` by `bidder`, its kind counted.
pub(super) fn bid(
    world: &mut World,
    bidder: &Writer,
    target: &Pubkey,
    size: BidSize,
) -> Result<TxOutcome, ChainError> {
    let own = world
        .writers
        .iter()
        .any(|w| w.account == *target && w.owner.pubkey() == bidder.owner.pubkey());
    if world.state_of(target).is_none() || world.state_of(&bidder.account).is_none() {
        return Err(ChainError::Backend("a closed account".into()));
    }
    let r = world.env.bid(bidder, target, size);
    if let Ok((_, p)) = &r {
        if p.debt_sale {
            world.hit("SliceBought in a debt sale");
        }
        if own {
            world.hit("SliceBought by the owner's other account");
        }
    }
    r.map(|(out, _)| out)
}

/// A keeper at `expiry` (passed): the straddling update posted if it is not yet, the expiry's
/// series settled, every position in them settled.
pub(super) fn settle_expiry(world: &mut World, expiry: i64) {
    let sol = world.env.sol.key;
    let key = pda::settlement_price(&sol, expiry);
    if world.env.chain.account(&key).unwrap().is_none() {
        let price = world.env.sol_price;
        let r = propose_at(world, expiry, expiry + 5, expiry - 1, price);
        sub(world, "propose_settlement_price (straddling)", r);
    }
    for s in world.series.clone() {
        let st = world.env.series_state(&s);
        if st.expiry != expiry {
            continue;
        }
        if st.status == SeriesStatus::Active as u8 {
            let r = world.env.settle_series(&s);
            sub(world, "settle_series", r);
        }
        for a in world.all_accounts() {
            if world
                .state_of(&a)
                .is_some_and(|w| w.short_contracts(&s) > 0)
            {
                let r = world.env.settle_position(&a, &s);
                sub(world, "settle_position", r);
            }
        }
    }
}

pub(super) fn clone_staker(s: &Staker) -> Staker {
    Staker {
        owner: s.owner.insecure_clone(),
        quote_ata: s.quote_ata,
        stake: s.stake,
    }
}
