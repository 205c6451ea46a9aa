//! Greekhouse: an on-chain clearing house for European, cash-settled options.
//!
//! Writers post collateral into margin accounts and write options (SPL tokens); margin is
//! Greek-based, computed by the `greekhouse-risk` crate against Pyth prices. The mechanism is
//! stated in `docs/protocol.md`; the layers in `docs/architecture.md`.
//!
//! Every instruction below is one line; its accounts, checks (`validate`, run through
//! `#[access_control]` so no handler can skip it) and handler live in
//! `instructions/<role>/<name>.rs`.
//!
//! The rulebook's modules (`state`, `engine`, `oracle`, `args`, `errors`, `events`, `constants`) also
//! compile without Anchor, as `no_std + alloc`: the crate `greekhouse-rulebook` builds these
//! same files without this crate's `anchor` feature.
#![allow(unexpected_cfgs)]
// Anchor's generated code and handler signatures trip these.
#![allow(clippy::result_large_err, clippy::too_many_arguments)]

#[cfg(not(feature = "anchor"))]
compile_error!("the program needs its `anchor` feature; the no_std build is `greekhouse-rulebook`");

extern crate alloc;

use anchor_lang::prelude::*;

pub mod args;
pub mod constants;
// Every integer conversion in the engine and the handlers is checked or lossless: a raw `as`
// wraps silently, so these lints make a narrowing or sign-changing one `x.cast::<T>()?`
// (`engine::safe_math::Cast`, which names the failing line) and a widening one `T::from(x)`.
#[deny(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless
)]
pub mod engine;
pub mod errors;
pub mod events;
// Same discipline as `engine` (see above).
#[deny(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless
)]
pub mod instructions;
pub mod oracle;
pub(crate) mod prelude;
pub mod state;

use args::*;
use instructions::*;
use state::GovValue;
use state::StoredVolSurface;

declare_id!("B5eWaYCA6VdFivhncNdie2vhuXMW8VDRCWwPe8SQW2Pc");

#[program]
pub mod greekhouse {
    use super::*;

    // ---- admin (a multisig vault in production) ----

    /// Create the clearing house for a quote mint: governance keys, parameters, quote vault, insurance fund.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn initialize_clearinghouse(
        ctx: Context<InitializeClearinghouse>,
        args: InitializeClearinghouseArgs,
    ) -> Result<()> {
        initialize_clearinghouse_handler(ctx, args)
    }

    /// Propose a new admin (step one of two); the default key cancels.
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        propose_admin_handler(ctx, new_admin)
    }

    /// Accept the admin role (step two, signed by the proposed key).
    #[access_control(ctx.accounts.validate())]
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        accept_admin_handler(ctx)
    }

    /// Lift pause flags (admin only).
    pub fn unpause(ctx: Context<Unpause>, flags: u32) -> Result<()> {
        unpause_handler(ctx, flags)
    }

    /// List an underlying with its Pyth oracle, vol surface, margin parameters and series rules.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn list_underlying(ctx: Context<ListUnderlying>, args: ListUnderlyingArgs) -> Result<()> {
        list_underlying_handler(ctx, args)
    }

    /// List a collateral asset (SPL Token or Token-2022) with weights, cap and price source.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn list_collateral(ctx: Context<ListCollateral>, args: ListCollateralArgs) -> Result<()> {
        list_collateral_handler(ctx, args)
    }

    // ---- guardian ----

    /// Pause risk-increasing actions (guardian or admin).
    #[access_control(ctx.accounts.validate(flags))]
    pub fn pause(ctx: Context<Pause>, flags: u32) -> Result<()> {
        pause_handler(ctx, flags)
    }

    // ---- vol updater ----

    /// Set an underlying's vol surface, bounded in relative change.
    #[access_control(ctx.accounts.validate(&surface))]
    pub fn set_vol_surface(ctx: Context<SetVolSurface>, surface: StoredVolSurface) -> Result<()> {
        set_vol_surface_handler(ctx, surface)
    }

    // ---- anyone ----

    /// Create an option series on a listed underlying (expiry grid, strike tick and band).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn create_series(ctx: Context<CreateSeries>, args: CreateSeriesArgs) -> Result<()> {
        create_series_handler(ctx, args)
    }

    /// Move an underlying's accrued writing fees into the insurance fund (anyone).
    #[access_control(ctx.accounts.validate())]
    pub fn sweep_fees(ctx: Context<SweepFees>) -> Result<()> {
        sweep_fees_handler(ctx)
    }

    /// Record an underlying's newest oracle price, the floor below which no price is accepted (anyone).
    pub fn record_price(ctx: Context<RecordPrice>) -> Result<()> {
        record_price_handler(ctx)
    }

    /// Check a writer account's margin against its warning level; `MarginWarning` on a crossing (anyone).
    pub fn check_margin<'info>(ctx: Context<'info, CheckMargin<'info>>) -> Result<()> {
        check_margin_handler(ctx)
    }

    // ---- writers ----

    /// Open a writer (margin) account.
    pub fn open_writer_account(ctx: Context<OpenWriterAccount>, index: u32) -> Result<()> {
        open_writer_account_handler(ctx, index)
    }

    /// Deposit quote or a listed collateral asset (never paused, never needs a price).
    #[access_control(ctx.accounts.validate(amount))]
    pub fn deposit(ctx: Context<Deposit>, amount: u64) -> Result<()> {
        deposit_handler(ctx, amount)
    }

    /// Withdraw quote or collateral; with shorts or debt, equity at IM must stay >= 0 with fresh prices.
    #[access_control(ctx.accounts.validate(amount))]
    pub fn withdraw<'info>(ctx: Context<'info, Withdraw<'info>>, amount: u64) -> Result<()> {
        withdraw_handler(ctx, amount)
    }

    /// Write options into any token account; equity at IM must stay >= 0 with fresh prices.
    #[access_control(ctx.accounts.validate(contracts))]
    pub fn write_options<'info>(
        ctx: Context<'info, WriteOptions<'info>>,
        contracts: u64,
    ) -> Result<()> {
        write_options_handler(ctx, contracts)
    }

    /// Burn held option tokens to reduce the writer's own short (never paused, no price).
    #[access_control(ctx.accounts.validate(contracts))]
    pub fn burn_options(ctx: Context<BurnOptions>, contracts: u64) -> Result<()> {
        burn_options_handler(ctx, contracts)
    }

    /// Burn held option tokens into the account: against its own short first, the rest a long.
    #[access_control(ctx.accounts.validate(contracts))]
    pub fn deposit_options(ctx: Context<DepositOptions>, contracts: u64) -> Result<()> {
        deposit_options_handler(ctx, contracts)
    }

    /// Mint a long back out as option tokens; equity at IM must stay >= 0 with fresh prices.
    #[access_control(ctx.accounts.validate(contracts))]
    pub fn withdraw_options<'info>(
        ctx: Context<'info, WithdrawOptions<'info>>,
        contracts: u64,
    ) -> Result<()> {
        withdraw_options_handler(ctx, contracts)
    }

    /// Close an empty writer account, returning its rent to the owner.
    #[access_control(ctx.accounts.validate())]
    pub fn close_writer_account(ctx: Context<CloseWriterAccount>) -> Result<()> {
        close_writer_account_handler(ctx)
    }

    // ---- liquidation (anyone; never paused) ----

    /// Freeze an account below maintenance and start its Dutch auction; tips the caller.
    #[access_control(ctx.accounts.validate())]
    pub fn start_liquidation<'info>(ctx: Context<'info, StartLiquidation<'info>>) -> Result<()> {
        start_liquidation_handler(ctx)
    }

    /// Buy `fraction` of a liquidated account at the auction's current discount.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn bid<'info>(ctx: Context<'info, Bid<'info>>, args: BidArgs) -> Result<()> {
        bid_handler(ctx, args)
    }

    /// Unfreeze an account back at the end level (or without shorts and debt).
    #[access_control(ctx.accounts.validate())]
    pub fn end_liquidation<'info>(ctx: Context<'info, EndLiquidation<'info>>) -> Result<()> {
        end_liquidation_handler(ctx)
    }

    /// Turn an account's shorts into unbacked contracts when neither collateral nor the fund can pay.
    #[access_control(ctx.accounts.validate())]
    pub fn resolve_bankruptcy<'info>(ctx: Context<'info, ResolveBankruptcy<'info>>) -> Result<()> {
        resolve_bankruptcy_handler(ctx)
    }

    // ---- settlement (anyone; never paused except the backstop purchase) ----

    /// Post an underlying's settlement price at an expiry: the feed's update with
    /// `prev_publish_time < expiry <= publish_time`, or, after one passed over for a wide
    /// confidence, the update right after it.
    #[access_control(ctx.accounts.validate(expiry))]
    pub fn propose_settlement_price(
        ctx: Context<ProposeSettlementPrice>,
        expiry: i64,
    ) -> Result<()> {
        propose_settlement_price_handler(ctx, expiry)
    }

    /// Settle an expired series at its final price; the fund covers unbacked contracts.
    #[access_control(ctx.accounts.validate())]
    pub fn settle_series(ctx: Context<SettleSeries>) -> Result<()> {
        settle_series_handler(ctx)
    }

    /// Move a writer's obligation in a settled series into the series' ledger.
    #[access_control(ctx.accounts.validate())]
    pub fn settle_position(ctx: Context<SettlePosition>) -> Result<()> {
        settle_position_handler(ctx)
    }

    /// Pay a writer's long in a finalized series into its quote balance at the final payout.
    #[access_control(ctx.accounts.validate())]
    pub fn settle_long(ctx: Context<SettleLong>) -> Result<()> {
        settle_long_handler(ctx)
    }

    /// Close a writer's settlement debt: repaid, or paid by the fund and then its series.
    #[access_control(ctx.accounts.validate())]
    pub fn resolve_debt<'info>(ctx: Context<'info, ResolveDebt<'info>>) -> Result<()> {
        resolve_debt_handler(ctx)
    }

    /// Open a series' backstop auction of new insurance shares.
    #[access_control(ctx.accounts.validate())]
    pub fn open_backstop(ctx: Context<OpenBackstop>) -> Result<()> {
        open_backstop_handler(ctx)
    }

    /// Buy new insurance shares in a series' backstop auction (pausable).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn buy_backstop<'info>(
        ctx: Context<'info, BuyBackstop<'info>>,
        args: BuyBackstopArgs,
    ) -> Result<()> {
        buy_backstop_handler(ctx, args)
    }

    /// Fix a settled series' final payout; any remaining shortfall is its holders' haircut.
    #[access_control(ctx.accounts.validate())]
    pub fn finalize_series(ctx: Context<FinalizeSeries>) -> Result<()> {
        finalize_series_handler(ctx)
    }

    /// Burn option tokens of a finalized series for their final payout.
    #[access_control(ctx.accounts.validate(contracts))]
    pub fn redeem(ctx: Context<Redeem>, contracts: u64) -> Result<()> {
        redeem_handler(ctx, contracts)
    }

    /// Exercise option tokens of an American series before its cut-off, for their intrinsic value.
    #[access_control(ctx.accounts.validate(contracts))]
    pub fn exercise(ctx: Context<Exercise>, contracts: u64) -> Result<()> {
        exercise_handler(ctx, contracts)
    }

    /// Accrue a writer's American short to its series' exercise index (anyone).
    #[access_control(ctx.accounts.validate())]
    pub fn accrue_exercise(ctx: Context<AccrueExercise>) -> Result<()> {
        accrue_exercise_handler(ctx)
    }

    /// Sweep a finalized series' rounding dust into the insurance fund.
    #[access_control(ctx.accounts.validate())]
    pub fn sweep_series_dust(ctx: Context<SweepSeriesDust>) -> Result<()> {
        sweep_series_dust_handler(ctx)
    }

    // ---- insurance fund (never paused) ----

    /// Open the signer's stake account in the insurance fund.
    pub fn open_insurance_stake(ctx: Context<OpenInsuranceStake>) -> Result<()> {
        open_insurance_stake_handler(ctx)
    }

    /// Stake quote for insurance-fund shares.
    #[access_control(ctx.accounts.validate(amount))]
    pub fn stake<'info>(ctx: Context<'info, Stake<'info>>, amount: u64) -> Result<()> {
        stake_handler(ctx, amount)
    }

    /// Request to unstake shares; their value now caps the payout after the cooldown.
    #[access_control(ctx.accounts.validate(shares))]
    pub fn request_unstake(ctx: Context<RequestUnstake>, shares: u64) -> Result<()> {
        request_unstake_handler(ctx, shares)
    }

    /// Cancel a pending unstake request.
    #[access_control(ctx.accounts.validate())]
    pub fn cancel_unstake(ctx: Context<CancelUnstake>) -> Result<()> {
        cancel_unstake_handler(ctx)
    }

    /// Unstake after the cooldown: the lower of the value at request and now.
    #[access_control(ctx.accounts.validate())]
    pub fn unstake(ctx: Context<Unstake>) -> Result<()> {
        unstake_handler(ctx)
    }

    /// Donate quote to the insurance fund.
    #[access_control(ctx.accounts.validate(amount))]
    pub fn donate(ctx: Context<Donate>, amount: u64) -> Result<()> {
        donate_handler(ctx, amount)
    }

    // ---- governance changes (docs/governance.md) ----

    /// Change one governed value: a tightening applies at once, a loosening is queued behind the timelock as the `ParamChange` at `change_id` (any unused id; proposals made from the same state each take their own).
    #[access_control(ctx.accounts.validate(&change, change_id))]
    pub fn queue_change(ctx: Context<QueueChange>, change: GovValue, change_id: u64) -> Result<()> {
        queue_change_handler(ctx, change, change_id)
    }

    /// Execute a queued change after its timelock, if its target still holds the value it was queued against (anyone).
    #[access_control(ctx.accounts.validate())]
    pub fn execute_change(ctx: Context<ExecuteChange>) -> Result<()> {
        execute_change_handler(ctx)
    }

    /// Cancel a queued change (admin or guardian; never paused).
    #[access_control(ctx.accounts.validate())]
    pub fn cancel_change(ctx: Context<CancelChange>) -> Result<()> {
        cancel_change_handler(ctx)
    }

    // ---- writer vaults (docs/vaults.md) ----

    /// List a writer vault with its policy, share mint and writer account (admin).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn create_vault(ctx: Context<CreateVault>, args: CreateVaultArgs) -> Result<()> {
        create_vault_handler(ctx, args)
    }

    /// Deposit quote into a vault for shares at its value at mark (rounded against the depositor).
    #[access_control(ctx.accounts.validate(amount))]
    pub fn vault_deposit<'info>(
        ctx: Context<'info, VaultDeposit<'info>>,
        amount: u64,
    ) -> Result<()> {
        vault_deposit_handler(ctx, amount)
    }

    /// Burn shares into a withdrawal request paid after the vault's cooldown (never paused).
    #[access_control(ctx.accounts.validate(shares))]
    pub fn request_vault_withdraw(ctx: Context<RequestVaultWithdraw>, shares: u64) -> Result<()> {
        request_vault_withdraw_handler(ctx, shares)
    }

    /// Cancel a pending vault withdrawal: its shares are minted back.
    pub fn cancel_vault_withdraw(ctx: Context<CancelVaultWithdraw>) -> Result<()> {
        cancel_vault_withdraw_handler(ctx)
    }

    /// Pay a matured vault withdrawal at the value per share now; queued while it would breach IM.
    #[access_control(ctx.accounts.validate())]
    pub fn vault_withdraw<'info>(ctx: Context<'info, VaultWithdraw<'info>>) -> Result<()> {
        vault_withdraw_handler(ctx)
    }

    /// Buy options a vault writes, at the surface's mark plus its spread, within its policy.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn vault_buy<'info>(
        ctx: Context<'info, VaultBuy<'info>>,
        args: VaultBuyArgs,
    ) -> Result<()> {
        vault_buy_handler(ctx, args)
    }

    /// Sell option tokens back to a vault at mark minus its spread, burning them against its short.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn vault_sell_back<'info>(
        ctx: Context<'info, VaultSellBack<'info>>,
        args: VaultSellBackArgs,
    ) -> Result<()> {
        vault_sell_back_handler(ctx, args)
    }
}
