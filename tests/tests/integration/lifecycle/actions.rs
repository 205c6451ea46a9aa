//! The fuzzer's setup and action strategies: what a random case is made of.
use super::*;

pub(super) const WRITERS: usize = 5; // alice#0, alice#1, bob, carol, erin
/// The thin writers: alice#0 (a little quote, SOL collateral; her other account alice#1 is
/// well funded) and erin (a little quote only).
pub(super) const THIN: [usize; 2] = [0, 4];
pub(super) const PARTIES: usize = 8; // alice, bob, carol, erin, liquidator, mallory, heidi, ivan
pub(super) const HOLDER0: usize = 5;
pub(super) const STAKERS: usize = 3;
/// The vault's LPs.
pub(super) const LPS: usize = 2;
pub(super) const SERIES: usize = 6; // set up, two per expiry; `CreateSeries` may add more
/// Terms `CreateSeries` draws from: (kind, strike in dollars, expiry index).
pub(super) const NEW_TERMS: [(u8, u64, usize); 4] =
    [(0, 160, 1), (1, 130, 0), (0, 150, 2), (1, 160, 2)];

/// How a case's world begins: the insurance fund's size and the thin writers' books.
#[derive(Clone, Debug)]
pub(super) struct Setup {
    /// Sam's stake at setup, in dollars: 0 (an empty fund), a few dollars, or a real fund.
    pub(super) stake: u32,
    /// Alice#0's deposits: quote in dollars, SOL in tenths.
    pub(super) alice_quote: u16,
    pub(super) alice_sol_tenths: u16,
    /// Erin's quote deposit in dollars (no collateral).
    pub(super) erin_quote: u16,
    /// In the drive to the end, owners repay their debtors that have no position left (then
    /// close them) instead of leaving the debt to a sale or a write-off.
    pub(super) repay_at_end: bool,
    /// Alice#0's and erin's books, written at setup to heidi and ivan: per expiry, maybe a series
    /// (put or call) and the percent of what initial margin then allows.
    pub(super) books: [[Option<(bool, u8)>; 3]; 2],
}

pub(super) fn setup() -> impl Strategy<Value = Setup> {
    let leg = || proptest::option::weighted(0.8, (any::<bool>(), 35u8..=100));
    let book = move || [leg(), leg(), leg()];
    (
        prop_oneof![3 => Just(0u32), 2 => 1u32..50, 2 => Just(20_000u32)],
        20u16..600,
        20u16..300,
        200u16..3_000,
        any::<bool>(),
        book(),
        book(),
    )
        .prop_map(
            |(stake, alice_quote, alice_sol_tenths, erin_quote, repay_at_end, b0, b1)| Setup {
                stake,
                alice_quote,
                alice_sol_tenths,
                erin_quote,
                repay_at_end,
                books: [b0, b1],
            },
        )
}

#[derive(Clone, Debug)]
pub(super) enum Action {
    Deposit {
        w: u8,
        sol: bool,
        amount: u16,
    },
    /// One native unit into the account most worth blocking (liquidating or in debt, else `w`).
    DustDeposit {
        w: u8,
        sol: bool,
    },
    Withdraw {
        w: u8,
        sol: bool,
        bps: u16,
    },
    /// `n == 0`: as many as initial margin allows; `to`: a party's token account.
    Write {
        w: u8,
        s: u8,
        n: u8,
        to: Option<u8>,
    },
    BurnOptions {
        w: u8,
        s: u8,
        bps: u16,
    },
    /// `bps` of the writer's own tokens of the series into its account (nets its short, else
    /// a long).
    DepositOptions {
        w: u8,
        s: u8,
        bps: u16,
    },
    /// `bps` of its long back out as tokens (margin-checked).
    WithdrawOptions {
        w: u8,
        s: u8,
        bps: u16,
    },
    /// A keeper pays a writer's long in a series (refused before finalization).
    SettleLong {
        w: u8,
        s: u8,
    },
    Close {
        w: u8,
    },
    Reopen {
        w: u8,
    },
    SplTransfer {
        from: u8,
        to: u8,
        s: u8,
        bps: u16,
    },
    SplBurn {
        who: u8,
        s: u8,
        bps: u16,
    },
    StartLiquidation {
        target: u8,
    },
    /// `own`: alice's other account bids on alice (else the liquidator); `pct == 0`: the most.
    Bid {
        target: u8,
        own: bool,
        pct: u8,
    },
    EndLiquidation {
        target: u8,
    },
    ResolveBankruptcy {
        target: u8,
    },
    ProposeSettlement {
        e: u8,
        late: u16,
    },
    SettleSeries {
        s: u8,
    },
    SettlePosition {
        w: u8,
        s: u8,
    },
    ResolveDebt {
        w: u8,
    },
    OpenBackstop {
        s: u8,
    },
    BuyBackstop {
        st: u8,
        s: u8,
        dollars: u16,
    },
    Finalize {
        s: u8,
    },
    Redeem {
        p: u8,
        s: u8,
    },
    SweepDust {
        s: u8,
    },
    OpenStake,
    Stake {
        st: u8,
        dollars: u16,
    },
    /// A stake, a fee sweep and an unstake request back to back.
    StakeAroundSweep {
        st: u8,
        dollars: u16,
    },
    RequestUnstake {
        st: u8,
        bps: u16,
    },
    CancelUnstake {
        st: u8,
    },
    Unstake {
        st: u8,
    },
    Donate {
        st: u8,
        dollars: u16,
    },
    SweepFees,
    RecordPrice,
    SetVolSurface,
    CreateSeries {
        k: u8,
    },
    QueueChange {
        raise: bool,
    },
    /// Governance tightens SOL's tail and size charge (weight up, liquidation capacity halved):
    /// applied at once, so books margined before it can breach and must still be liquidated,
    /// settled and redeemed.
    TightenMargin,
    ExecuteChange,
    CancelChange,
    Pause {
        flags: u8,
    },
    Unpause,
    RotateAdmin,
    ListUnderlying,
    MoveSol {
        pct: i8,
    },
    /// Advance `secs` (publishing fresh prices or not: a feed gap).
    Advance {
        secs: u32,
        publish: bool,
    },
    /// An update `age` seconds old.
    StaleFeed {
        age: u16,
    },
    /// Jump just past expiry `e`, the price moved by `pct`.
    JumpExpiry {
        e: u8,
        pct: i8,
    },
    /// A thin writer (`t`: alice#0 or erin) writes `pct` % of what initial margin allows to heidi
    /// or ivan.
    ThinWrite {
        t: u8,
        s: u8,
        pct: u8,
    },
    /// A keeper at a passed expiry: posts the straddling update (if not yet posted), settles
    /// the expiry's series and every position in them.
    SettleExpiry {
        e: u8,
    },
    /// The owner of a debtor (or of `w`) repays its debt, tries to close (refused while its
    /// markers are open), resolves the debt, withdraws everything and closes.
    RepayAndClose {
        w: u8,
    },
    /// A liquidation of `target` (a liquidating account if any) started if it is not, a jump
    /// just past the next expiry (SOL moved by `pct`), optionally that expiry settled, then a
    /// bid at once.
    ExpiryThenBid {
        target: u8,
        pct: i8,
        settle: bool,
    },
    /// A debtor (or `w`) tries what its debt forbids: a write of `s`, a SOL withdrawal, a bid
    /// on a liquidating account.
    DebtorTries {
        w: u8,
        s: u8,
    },
    /// Time past the debt grace period (and `extra` seconds), fresh prices.
    WaitGrace {
        extra: u16,
    },
    VaultDeposit {
        lp: u8,
        dollars: u16,
    },
    /// `bps` of the LP's shares (beyond 100 %: more than it holds).
    VaultRequestWithdraw {
        lp: u8,
        bps: u16,
    },
    VaultCancelWithdraw {
        lp: u8,
    },
    VaultWithdraw {
        lp: u8,
    },
    /// A holder buys `n` of a series from the vault.
    VaultBuy {
        p: u8,
        s: u8,
        n: u8,
    },
    /// A holder sells `bps` of its tokens of a series back to the vault.
    VaultSellBack {
        p: u8,
        s: u8,
        bps: u16,
    },
    /// A party exercises `bps` of its tokens of a series (an American one, else refused);
    /// `accrue`: anyone accrues every writer's exercise at once after (else they stay pending
    /// and margin checks refuse the accounts until something accrues them).
    Exercise {
        p: u8,
        s: u8,
        bps: u16,
        accrue: bool,
    },
    /// Anyone accrues writer `w`'s pending exercises.
    AccrueExercise {
        w: u8,
    },
}

pub(super) fn action() -> impl Strategy<Value = Action> {
    use Action::*;
    let w = || 0u8..WRITERS as u8;
    let s = || 0u8..(SERIES as u8 + 2);
    let st = || 0u8..STAKERS as u8;
    let bps = || 1u16..12_000;
    prop_oneof![
        6 => (w(), any::<bool>(), 1u16..20_000).prop_map(|(w, sol, amount)| Deposit { w, sol, amount }),
        3 => (w(), any::<bool>()).prop_map(|(w, sol)| DustDeposit { w, sol }),
        3 => (w(), any::<bool>(), bps()).prop_map(|(w, sol, bps)| Withdraw { w, sol, bps }),
        8 => (w(), s(), 0u8..40, proptest::option::weighted(0.4, 0u8..PARTIES as u8))
            .prop_map(|(w, s, n, to)| Write { w, s, n, to }),
        2 => (w(), s(), bps()).prop_map(|(w, s, bps)| BurnOptions { w, s, bps }),
        3 => (w(), s(), bps()).prop_map(|(w, s, bps)| DepositOptions { w, s, bps }),
        2 => (w(), s(), bps()).prop_map(|(w, s, bps)| WithdrawOptions { w, s, bps }),
        1 => (w(), s()).prop_map(|(w, s)| SettleLong { w, s }),
        1 => w().prop_map(|w| Close { w }),
        1 => w().prop_map(|w| Reopen { w }),
        3 => (0u8..PARTIES as u8, HOLDER0 as u8..PARTIES as u8, s(), bps())
            .prop_map(|(from, to, s, bps)| SplTransfer { from, to, s, bps }),
        2 => (0u8..PARTIES as u8, s(), bps()).prop_map(|(who, s, bps)| SplBurn { who, s, bps }),
        3 => w().prop_map(|target| StartLiquidation { target }),
        4 => (w(), any::<bool>(), 0u8..=100).prop_map(|(target, own, pct)| Bid { target, own, pct }),
        2 => w().prop_map(|target| EndLiquidation { target }),
        3 => w().prop_map(|target| ResolveBankruptcy { target }),
        2 => (0u8..3, 0u16..3_000).prop_map(|(e, late)| ProposeSettlement { e, late }),
        2 => s().prop_map(|s| SettleSeries { s }),
        2 => (w(), s()).prop_map(|(w, s)| SettlePosition { w, s }),
        3 => w().prop_map(|w| ResolveDebt { w }),
        1 => s().prop_map(|s| OpenBackstop { s }),
        1 => (st(), s(), 1u16..5_000).prop_map(|(st, s, dollars)| BuyBackstop { st, s, dollars }),
        1 => s().prop_map(|s| Finalize { s }),
        1 => (0u8..PARTIES as u8, s()).prop_map(|(p, s)| Redeem { p, s }),
        1 => s().prop_map(|s| SweepDust { s }),
        1 => Just(OpenStake),
        2 => (st(), 1u16..20_000).prop_map(|(st, dollars)| Stake { st, dollars }),
        1 => (st(), 1u16..5_000).prop_map(|(st, dollars)| StakeAroundSweep { st, dollars }),
        1 => (st(), bps()).prop_map(|(st, bps)| RequestUnstake { st, bps }),
        1 => st().prop_map(|st| CancelUnstake { st }),
        1 => st().prop_map(|st| Unstake { st }),
        1 => (st(), 1u16..2_000).prop_map(|(st, dollars)| Donate { st, dollars }),
        2 => Just(SweepFees),
        1 => Just(RecordPrice),
        1 => Just(SetVolSurface),
        1 => (0u8..NEW_TERMS.len() as u8).prop_map(|k| CreateSeries { k }),
        1 => any::<bool>().prop_map(|raise| QueueChange { raise }),
        1 => Just(TightenMargin),
        1 => Just(ExecuteChange),
        1 => Just(CancelChange),
        1 => (1u8..16).prop_map(|flags| Pause { flags }),
        1 => Just(Unpause),
        1 => Just(RotateAdmin),
        1 => Just(ListUnderlying),
        8 => prop_oneof![
            6 => -12i8..=12,
            1 => -60i8..=-25, // crash
            1 => 25i8..=80,   // rally
        ].prop_map(|pct| MoveSol { pct }),
        4 => prop_oneof![
            4 => (1u32..120, Just(true)),
            2 => (60u32..4_000, any::<bool>()), // feed gaps
            1 => (3_600u32..8 * 86_400, any::<bool>()),
        ].prop_map(|(secs, publish)| Advance { secs, publish }),
        1 => (30u16..3_000).prop_map(|age| StaleFeed { age }),
        3 => (0u8..3, prop_oneof![2 => -30i8..=30, 1 => -50i8..=-30, 1 => 30i8..=60])
            .prop_map(|(e, pct)| JumpExpiry { e, pct }),
        4 => (0u8..2, s(), 30u8..=100).prop_map(|(t, s, pct)| ThinWrite { t, s, pct }),
        4 => (0u8..3).prop_map(|e| SettleExpiry { e }),
        2 => w().prop_map(|w| RepayAndClose { w }),
        3 => (w(), -40i8..=40, any::<bool>())
            .prop_map(|(target, pct, settle)| ExpiryThenBid { target, pct, settle }),
        2 => (0u16..1_200).prop_map(|extra| WaitGrace { extra }),
        2 => (w(), s()).prop_map(|(w, s)| DebtorTries { w, s }),
        2 => (0u8..LPS as u8, 1u16..20_000).prop_map(|(lp, dollars)| VaultDeposit { lp, dollars }),
        1 => (0u8..LPS as u8, bps()).prop_map(|(lp, bps)| VaultRequestWithdraw { lp, bps }),
        1 => (0u8..LPS as u8).prop_map(|lp| VaultCancelWithdraw { lp }),
        1 => (0u8..LPS as u8).prop_map(|lp| VaultWithdraw { lp }),
        3 => (0u8..3, s(), 1u8..60).prop_map(|(p, s, n)| VaultBuy { p, s, n }),
        1 => (0u8..3, s(), bps()).prop_map(|(p, s, bps)| VaultSellBack { p, s, bps }),
        3 => (0u8..PARTIES as u8, s(), bps(), any::<bool>())
            .prop_map(|(p, s, bps, accrue)| Exercise { p, s, bps, accrue }),
        1 => w().prop_map(|w| AccrueExercise { w }),
    ]
}
