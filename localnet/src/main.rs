//! `greekhouse-localnet`: start a local validator with a seeded Greekhouse clearing house and
//! keep it running until interrupted. `greekhouse localnet` runs this binary.

use std::path::PathBuf;

use greekhouse_localnet::{Localnet, LocalnetOptions, SeedOptions};

const USAGE: &str = "usage: greekhouse-localnet [--dir DIR] [--rpc-port PORT] [--writers N]

  --dir DIR        ledger, key files and localnet.json (default .greekhouse-localnet; emptied)
  --rpc-port PORT  JSON-RPC port (default 8899; 0 picks a free port)
  --writers N      funded writers with open margin accounts (default 3)
  --program-so SO  deploy this sBPF build of the program (scripts/build-sbf.sh) through the
                   upgradeable loader instead of hosting it natively (default: the file named
                   by GREEKHOUSE_PROGRAM_SO, if set)";

fn parse() -> Result<LocalnetOptions, String> {
    let mut options = LocalnetOptions {
        dir: PathBuf::from(".greekhouse-localnet"),
        rpc_port: 8899,
        seed: SeedOptions::default(),
        program_so: std::env::var_os("GREEKHOUSE_PROGRAM_SO")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--dir" => options.dir = PathBuf::from(value("--dir")?),
            "--rpc-port" => {
                options.rpc_port = value("--rpc-port")?
                    .parse()
                    .map_err(|e| format!("--rpc-port: {e}"))?
            }
            "--writers" => {
                options.seed.writers = value("--writers")?
                    .parse()
                    .map_err(|e| format!("--writers: {e}"))?
            }
            "--program-so" => options.program_so = Some(PathBuf::from(value("--program-so")?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn main() {
    // program-test, whose syscall stubs the hosted programs use, turns on debug logging of
    // every transaction unless RUST_LOG says otherwise
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn");
    }
    let options = match parse() {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    eprintln!(
        "starting a local validator in {} (seeding the clearing house on the embedded bank)",
        options.dir.display()
    );
    let localnet = match Localnet::start(&options) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let m = &localnet.manifest;
    println!("RPC URL: {}", m.rpc_url);
    println!("manifest: {}", localnet.manifest_path.display());
    let build = match &options.program_so {
        Some(so) => format!("sBPF, deployed from {}", so.display()),
        None => "native builtin".to_string(),
    };
    println!(
        "program: {} ({build})  test oracle: {}",
        m.program_id, m.oracle_program_id
    );
    println!(
        "clearing house: {}  quote mint: {}",
        m.clearinghouse, m.quote.mint
    );
    for w in &m.writers {
        println!(
            "writer {}  account {}  key {}",
            w.owner,
            w.writer_account,
            w.keypair.display()
        );
    }
    // tests and scripts wait for this line
    println!("ready {}", localnet.manifest_path.display());
    use std::io::Write;
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}
