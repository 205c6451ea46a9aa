//! `greekhouse account open | deposit | withdraw | write | burn | redeem | close | show | series`: a
//! writer's commands against a cluster. Each is a thin layer on the SDK: the action is
//! projected by the program's own rules on the fetched accounts (`greekhouse_sdk::flows` for
//! write and withdraw, `greekhouse_sdk::writer_flows` for the rest), the projected margin is
//! printed, a refusal stops with exit code 2 and the program's error name before anything is
//! sent, and the landed transaction's events are printed after. Cluster and signer follow the
//! Solana CLI's conventions ([`cluster`]).

pub(crate) mod cluster;
mod commands;
mod longs;
mod session;
mod view;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

pub(crate) use commands::{native, series_state as series_of};
pub use session::Session;

#[derive(Args, Debug)]
pub struct AccountArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: AccountCommand,
}

/// Flags every writer command takes.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Cluster: mainnet-beta, devnet, testnet, localhost (or m, d, t, l), or an RPC URL.
    /// Default: the Solana CLI config file's `json_rpc_url`.
    #[arg(short = 'u', long = "url", global = true)]
    pub url: Option<String>,
    /// Signer (owner and fee payer): a keypair file or `prompt://`. Default: the Solana CLI
    /// config file's `keypair_path`, else ~/.config/solana/id.json.
    #[arg(short = 'k', long, global = true)]
    pub keypair: Option<String>,
    /// Solana CLI config file. Default: ~/.config/solana/cli/config.yml when it exists.
    #[arg(short = 'C', long, global = true)]
    pub config: Option<PathBuf>,
    /// The clearing house's address (default: $GREEKHOUSE_CLEARINGHOUSE).
    #[arg(long, global = true)]
    pub clearinghouse: Option<String>,
    /// Which of the owner's writer accounts (an owner may hold several).
    #[arg(long, global = true, default_value_t = 0)]
    pub index: u32,
    /// The oracle account of an underlying priced by a Pyth pull feed, as
    /// UNDERLYING=PRICE_UPDATE_ACCOUNT (repeatable). Default: the feed's sponsored account
    /// (shard 0); legacy feeds are read from the underlying.
    #[arg(long = "oracle", global = true, value_name = "UNDERLYING=ACCOUNT")]
    pub oracles: Vec<String>,
    /// Before a write or withdrawal, post the latest Pyth price of each pull-feed underlying
    /// the margin check reads (from Hermes, fully verified through Wormhole, a few transactions),
    /// use it, and close the posted accounts afterwards. Without it, a pull feed is read from its
    /// sponsored account (shard 0) unless `--oracle` names another.
    #[arg(long, global = true)]
    pub post_price: bool,
    /// Hermes endpoint for `--post-price`.
    #[arg(long, global = true, default_value = greekhouse_sdk::hermes::DEFAULT_URL)]
    pub hermes: String,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Output::Display)]
    pub output: Output,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Display,
    Json,
    JsonCompact,
}

#[derive(Subcommand, Debug)]
pub enum AccountCommand {
    /// Open a writer (margin) account: `--index` tells an owner's accounts apart.
    Open,
    /// Deposit quote (default) or a listed collateral token (`--mint`).
    Deposit {
        /// Amount in whole token units (decimals allowed, to the token's precision).
        amount: String,
        /// A listed collateral mint; default the quote mint.
        #[arg(long)]
        mint: Option<String>,
        /// Source token account; default the owner's associated token account.
        #[arg(long)]
        from: Option<String>,
    },
    /// Withdraw quote (default) or a collateral token, within initial margin.
    Withdraw {
        /// Amount in whole token units, or `all` (the whole balance).
        amount: String,
        #[arg(long)]
        mint: Option<String>,
        /// Destination token account; default the owner's associated token account (created
        /// when missing).
        #[arg(long)]
        to: Option<String>,
    },
    /// Write (sell) options of a series within initial margin, fee included.
    Write {
        #[arg(long)]
        series: String,
        #[arg(long)]
        contracts: u64,
        /// Recipient option token account; default the owner's (created when missing).
        #[arg(long)]
        to: Option<String>,
    },
    /// Burn option tokens the owner holds against the account's short in that series.
    Burn {
        #[arg(long)]
        series: String,
        #[arg(long)]
        contracts: u64,
    },
    /// Redeem option tokens of a finalized series for their payout (any holder).
    Redeem {
        #[arg(long)]
        series: String,
        #[arg(long)]
        contracts: u64,
        /// Quote token account paid; default the owner's (created when missing).
        #[arg(long)]
        to: Option<String>,
    },
    /// Exercise option tokens of an American series before its cut-off for their intrinsic value
    /// at the oracle's current price (any holder; docs/protocol.md 5b).
    Exercise {
        #[arg(long)]
        series: String,
        #[arg(long)]
        contracts: u64,
        /// Quote token account paid; default the owner's (created when missing).
        #[arg(long)]
        to: Option<String>,
    },
    /// Deposit option tokens the owner holds: they close the account's own short in the series
    /// first, the rest is held as a long (margined with the shorts: spreads at their maximum
    /// loss).
    DepositOptions {
        #[arg(long)]
        series: String,
        #[arg(long)]
        contracts: u64,
    },
    /// Withdraw a long as option tokens (within initial margin when the account has shorts or
    /// debt).
    WithdrawOptions {
        #[arg(long)]
        series: String,
        #[arg(long)]
        contracts: u64,
        /// Recipient option token account; default the owner's (created when missing).
        #[arg(long)]
        to: Option<String>,
    },
    /// Pay a long in a finalized series into its account's quote balance (anyone).
    SettleLong {
        #[arg(long)]
        series: String,
        /// Another writer account whose long to settle; default the signer's at `--index`.
        #[arg(long)]
        account: Option<String>,
    },
    /// Check an account's margin against its warning level and store the status found
    /// (anyone); `MarginWarning` when it crossed a level since the last check.
    /// Accrue the account's share of the exercises of its American shorts (anyone): until then
    /// the program refuses every margin-checked action on the account (`ExerciseNotAccrued`).
    Accrue {
        /// Another writer account to accrue; default the signer's at `--index`.
        #[arg(long)]
        account: Option<String>,
    },
    CheckMargin {
        /// Another writer account to check; default the signer's at `--index`.
        #[arg(long)]
        account: Option<String>,
    },
    /// Close an empty writer account; its rent goes back to the owner.
    Close,
    /// The clearing house's series (address, underlying, kind, strike, expiry, status).
    Series,
    /// The account: balances, shorts and margin at the node's clock.
    Show {
        /// Another writer account to show (read-only); default the signer's at `--index`.
        #[arg(long)]
        account: Option<String>,
    },
}

/// Exit code of a refusal: the program would refuse the action (nothing was sent).
pub const REFUSED: u8 = 2;

pub fn run(args: AccountArgs) -> anyhow::Result<ExitCode> {
    let mut session = Session::connect(&args.common)?;
    commands::run(&mut session, args.command)
}
