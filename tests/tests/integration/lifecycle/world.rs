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
    /// A writer vault on SOL (its writer account is one of [`World::all_accounts`]) and its
    /// LPs; buyers are the holders.
    pub(super) vault: VaultRef,
    pub(super) lps: Vec<VaultUser>,
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
            // American: holders exercise it before its cut-off (docs/protocol.md 5b)
            env.create_american_series(sol, 1, usd(160), expiries[1])
                .unwrap(),
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
        // the vault: any tenor, near its IM, one LP in at setup
        let policy = VaultPolicy {
            min_tenor_secs: 0,
            max_utilisation_bps: 9_500,
            ..default_vault_policy()
        };
        let (vault, _) = env.create_vault(0, policy).unwrap();
        let lps: Vec<VaultUser> = (0..LPS)
            .map(|_| env.vault_user(&vault, usd(200_000)))
            .collect();
        env.vault_deposit(&vault, &lps[0], usd(20_000)).unwrap();
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
            vault,
            lps,
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
        v.push(self.vault.writer_account);
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

    pub(super) fn lp(&self, lp: u8) -> VaultUser {
        let l = &self.lps[lp as usize % LPS];
        VaultUser {
            owner: l.owner.insecure_clone(),
            quote_ata: l.quote_ata,
            share_ata: l.share_ata,
        }
    }

    /// A holder (mallory, heidi or ivan) as a vault buyer.
    pub(super) fn buyer(&self, p: u8) -> VaultUser {
        let party = &self.parties[HOLDER0 + p as usize % (PARTIES - HOLDER0)];
        VaultUser {
            owner: party.kp.insecure_clone(),
            quote_ata: party.quote_ata,
            share_ata: party.quote_ata,
        }
    }

    /// Accrue every American short of every account behind its underlying's exercise epoch
    /// (anyone can); returns the outcomes, for the books.
    pub(super) fn accrue_everyone(&mut self) -> Vec<(Pubkey, Result<TxOutcome, ChainError>)> {
        let mut out = Vec::new();
        for a in self.all_accounts() {
            let Some(st) = self.state_of(&a) else {
                continue;
            };
            for p in st.positions.iter().filter(|p| p.is_american_short()) {
                let u: greekhouse::state::Underlying = self.env.state(&p.underlying);
                if p.exercise_epoch != u.exercise_epoch {
                    let r = self.env.accrue_exercise(&a, &p.series);
                    if r.is_ok() {
                        self.hit("ExerciseAccrued");
                    }
                    out.push((a, r));
                }
            }
        }
        out
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
