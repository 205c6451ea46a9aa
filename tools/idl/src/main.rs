//! `cargo run -p greekhouse-idl` writes `idl/greekhouse.json`; with `--check` it fails when the
//! committed file differs from what the program generates now.
//!
//! The builder compiles the program's IDL test with `RUSTFLAGS` of its own, so it gets its own
//! target directory (`target/idl`) and does not invalidate the main build.

use std::path::PathBuf;

use anchor_lang_idl::build::IdlBuilder;
use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let check = std::env::args().any(|a| a == "--check");
    // anchor-lang-idl 0.1.4 reacts to RUSTUP_TOOLCHAIN (which `cargo run` sets) by syncing that
    // toolchain over the network and then passing a literal "+{toolchain}" to cargo; the
    // toolchain already running is the right one, so drop the variable.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()?;
    let program = root.join("programs/greekhouse");
    let target = root.join("target/idl");
    let idl = IdlBuilder::new()
        .program_path(program)
        .resolution(true)
        .cargo_args(vec![
            "--locked".into(),
            "--target-dir".into(),
            target.display().to_string(),
        ])
        .build()
        .context("building the IDL")?;
    let json = serde_json::to_string_pretty(&idl)? + "\n";
    let path = root.join("idl/greekhouse.json");
    if check {
        let committed = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        if committed != json {
            bail!(
                "{} is out of date: run `cargo run -p greekhouse-idl` and commit it",
                path.display()
            );
        }
        println!("idl/greekhouse.json is current");
    } else {
        std::fs::write(&path, json)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
