//! `greekhouse`, the Greekhouse command line.
//!
//! One module per subcommand (or group of subcommands). To add one: write `src/<name>.rs` with
//! a clap `Args` struct and `pub fn run(args) -> anyhow::Result<ExitCode>`, add a variant to
//! [`Command`] and an arm to [`dispatch`]. Shared helpers: `decimal` (exact decimal parsing),
//! `fmt` (display), `portfolio` (the portfolio file model).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod account;
#[cfg(feature = "demo")]
mod bench;
mod compare;
mod dashboard;
mod decimal;
#[cfg(feature = "demo")]
mod demo;
#[cfg(feature = "demo")]
mod demo_american;
#[cfg(feature = "demo")]
mod demo_liquidation;
#[cfg(feature = "demo")]
mod demo_settlement;
mod demo_vault;
#[cfg(feature = "demo")]
mod deploy;
mod deploy_send;
mod fmt;
mod gov;
mod gov_list;
mod gov_squads;
mod idl;
mod localnet;
mod margin;
mod node;
mod onchain;
mod peers;
mod portfolio;
mod quote;
#[cfg(feature = "demo")]
mod rpc_demo;
#[cfg(feature = "demo")]
mod rpc_demo_steps;
#[cfg(feature = "demo")]
mod simulate;
mod vault_cmd;
mod vol;

#[derive(Parser, Debug)]
#[command(
    name = "greekhouse",
    version,
    about = "Greekhouse options clearing house: quotes, portfolio margin, a writer's account commands, vol publishing, the demo, governance, a local validator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// A writer's commands on a cluster: open, deposit, withdraw, write, burn, redeem, close,
    /// show, series (Solana CLI conventions for --url and --keypair).
    Account(account::AccountArgs),
    /// Writer vaults on a cluster: list, show, deposit, request-withdraw, cancel-withdraw,
    /// withdraw (liquidity providers), buy, sell-back (buyers).
    Vault(vault_cmd::VaultArgs),
    /// Black-Scholes price and Greeks of one option, or of JSON lines from stdin (--batch).
    Quote(quote::QuoteArgs),
    /// Portfolio margin of a writer account: a JSON portfolio file, saved accounts
    /// (--accounts), or accounts read from a node (--url).
    Margin(margin::MarginArgs),
    /// The writer flow on an embedded Solana bank running the real program, or over JSON-RPC
    /// on a local validator (--url, --manifest).
    #[cfg(feature = "demo")]
    Demo(demo::DemoArgs),
    /// The risk simulator: scenarios of crashes and paths on the real program (report, charts).
    #[cfg(feature = "demo")]
    Simulate(simulate::SimulateArgs),
    /// Governance proposals for the admin multisig (Squads v4 vault transactions).
    Gov(gov::GovArgs),
    /// Deploy a clearing house from a config (`migrations/deploy.json`): the plan, or a run on
    /// the embedded bank.
    #[cfg(feature = "demo")]
    Deploy(deploy::DeployArgs),
    /// The vol updater's publisher: an underlying's vol surface from quotes or a smile, within
    /// the updater's bounds (`publish`, `--watch`).
    Vol(vol::VolArgs),
    /// The program's IDL on chain (Program Metadata's canonical "idl" account): `fetch`.
    Idl(idl::IdlArgs),
    /// Run a local validator with a seeded clearing house (the `greekhouse-localnet` binary).
    Localnet(localnet::LocalnetArgs),
    /// Serve the risk dashboard (app/dashboard) for a node (--url).
    Dashboard(dashboard::DashboardArgs),
    /// Benchmarks on a local validator: `liquidations` (the bot's throughput when one price
    /// update pushes many accounts below maintenance).
    #[cfg(feature = "demo")]
    Bench(bench::BenchArgs),
}

fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Account(args) => account::run(args),
        Command::Vault(args) => vault_cmd::run(args),
        Command::Quote(args) => quote::run(args),
        Command::Margin(args) => margin::run(args),
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::run(args),
        #[cfg(feature = "demo")]
        Command::Simulate(args) => simulate::run(args),
        Command::Gov(args) => gov::run(args),
        #[cfg(feature = "demo")]
        Command::Deploy(args) => deploy::run(args),
        Command::Vol(args) => vol::run(args),
        Command::Idl(args) => idl::run(args),
        Command::Localnet(args) => localnet::run(args),
        Command::Dashboard(args) => dashboard::run(args),
        #[cfg(feature = "demo")]
        Command::Bench(args) => bench::run(args),
    }
}

/// A closed stdout (`greekhouse ... | head`) is not an error worth reporting.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
