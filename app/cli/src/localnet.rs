//! `greekhouse localnet`: run the `greekhouse-localnet` binary (a local validator with a
//! seeded clearing house; its own Cargo workspace under `localnet/`, because agave's validator
//! crates need dependency pins the main workspace cannot take). The arguments are passed
//! through and its exit status is ours.
//!
//! The program: the sBPF build when there is one (`--program-so`, else
//! `target-sbf/deploy/greekhouse.so` of this repository once `scripts/build-sbf.sh` wrote it),
//! deployed through the upgradeable loader; `--native`, or no build, hosts it natively.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

#[derive(Args, Debug)]
pub struct LocalnetArgs {
    /// Ledger, key files and localnet.json (default .greekhouse-localnet; emptied first).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// JSON-RPC port (default 8899; 0 picks a free port).
    #[arg(long, value_name = "PORT")]
    pub rpc_port: Option<u16>,
    /// Funded writers with open margin accounts (default 3).
    #[arg(long, value_name = "N")]
    pub writers: Option<u32>,
    /// Deploy this sBPF build of the program (default: this repository's
    /// target-sbf/deploy/greekhouse.so when scripts/build-sbf.sh has written it).
    #[arg(long, value_name = "SO", conflicts_with = "native")]
    pub program_so: Option<PathBuf>,
    /// Host the program natively even when an sBPF build exists.
    #[arg(long)]
    pub native: bool,
}

/// This repository's sBPF build of the program, if `scripts/build-sbf.sh` wrote one.
fn default_program_so() -> Option<PathBuf> {
    let so = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target-sbf/deploy/greekhouse.so");
    so.is_file().then(|| so.canonicalize().unwrap_or(so))
}

/// The sBPF build to deploy: the one named, else the repository's unless `--native`.
fn program_so(args: &LocalnetArgs) -> Option<PathBuf> {
    if args.native {
        return None;
    }
    args.program_so.clone().or_else(default_program_so)
}

/// Only the flags given are passed on, so the binary's own defaults stay the defaults.
fn arguments(args: &LocalnetArgs) -> Vec<std::ffi::OsString> {
    let mut out = Vec::new();
    if let Some(dir) = &args.dir {
        out.push("--dir".into());
        out.push(dir.clone().into_os_string());
    }
    if let Some(port) = args.rpc_port {
        out.push("--rpc-port".into());
        out.push(port.to_string().into());
    }
    if let Some(n) = args.writers {
        out.push("--writers".into());
        out.push(n.to_string().into());
    }
    if let Some(so) = program_so(args) {
        out.push("--program-so".into());
        out.push(so.into_os_string());
    }
    out
}

pub fn run(args: LocalnetArgs) -> Result<ExitCode> {
    let binary = greekhouse_sdk::localnet::localnet_binary();
    if !binary.is_file() {
        bail!(
            "{} not found: build it with `./scripts/localnet.sh build` (or point \
             GREEKHOUSE_LOCALNET_BIN at it)",
            binary.display()
        );
    }
    match program_so(&args) {
        Some(so) => eprintln!(
            "program: the sBPF build {} (rebuild it with scripts/build-sbf.sh after changing the \
             program; --native hosts the program natively)",
            so.display()
        ),
        None => {
            eprintln!("program: hosted natively (no sBPF build; scripts/build-sbf.sh makes one)")
        }
    }
    // stdin, stdout and stderr are inherited: its `RPC URL:` and `ready` lines are the user's;
    // GREEKHOUSE_PROGRAM_SO is cleared so only the choice above counts
    let status = std::process::Command::new(&binary)
        .env_remove("GREEKHOUSE_PROGRAM_SO")
        .args(arguments(&args))
        .status()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        // a code outside 1..=255 (not on Unix) still reads as a failure
        Some(code) => ExitCode::from(u8::try_from(code).ok().filter(|c| *c != 0).unwrap_or(1)),
        // stopped by a signal (Ctrl-C reaches both processes): report it as a failure
        None => ExitCode::FAILURE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_given_flags_are_passed_on() {
        let none = LocalnetArgs {
            dir: None,
            rpc_port: None,
            writers: None,
            program_so: None,
            native: true,
        };
        assert!(arguments(&none).is_empty());
        let all = LocalnetArgs {
            dir: Some("/tmp/x".into()),
            rpc_port: Some(0),
            writers: Some(5),
            program_so: Some("/tmp/g.so".into()),
            native: false,
        };
        let got: Vec<String> = arguments(&all)
            .into_iter()
            .map(|s| s.into_string().unwrap())
            .collect();
        assert_eq!(
            got,
            [
                "--dir",
                "/tmp/x",
                "--rpc-port",
                "0",
                "--writers",
                "5",
                "--program-so",
                "/tmp/g.so"
            ]
        );
    }

    #[test]
    fn the_repositorys_sbf_build_is_the_default_unless_native() {
        let args = |native| LocalnetArgs {
            dir: None,
            rpc_port: None,
            writers: None,
            program_so: None,
            native,
        };
        assert_eq!(program_so(&args(false)), default_program_so());
        assert_eq!(program_so(&args(true)), None);
    }
}
