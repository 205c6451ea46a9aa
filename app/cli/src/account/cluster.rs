//! The Solana CLI's conventions for naming a cluster and a signer: `-u/--url` takes a moniker
//! (`mainnet-beta`, `devnet`, `testnet`, `localhost`, or their first letters) or a URL; the URL
//! and the keypair default from the Solana CLI config file (`~/.config/solana/cli/config.yml`,
//! or `--config`); `--keypair` takes a key file or `prompt://` (a seed phrase or a base58
//! secret key typed at the terminal). Hardware wallets (`usb://ledger`) are not supported: see
//! docs/writers.md.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use solana_keypair::Keypair;

/// The RPC URL of a moniker, or the URL itself.
pub fn resolve_url(given: &str) -> String {
    match given {
        "m" | "mainnet-beta" | "mainnet" => "https://api.mainnet-beta.solana.com".into(),
        "d" | "devnet" => "https://api.devnet.solana.com".into(),
        "t" | "testnet" => "https://api.testnet.solana.com".into(),
        "l" | "localhost" => "http://localhost:8899".into(),
        url => url.to_string(),
    }
}

/// The two settings of the Solana CLI config file the writer commands use.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SolanaConfig {
    pub json_rpc_url: Option<String>,
    pub keypair_path: Option<String>,
}

/// The default config file: `~/.config/solana/cli/config.yml`.
pub fn default_config_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/solana/cli/config.yml"))
}

/// Read the top-level `json_rpc_url` and `keypair_path` of a Solana CLI config file. The file
/// is flat YAML (`key: value` lines, values plain or quoted), which is all this reads: no YAML
/// library for two strings.
pub fn parse_config(text: &str) -> SolanaConfig {
    let mut config = SolanaConfig::default();
    for line in text.lines() {
        // top-level keys only: nested mappings (none today) are indented
        if line.starts_with([' ', '\t', '#']) {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = unquote(value.trim());
        if value.is_empty() {
            continue;
        }
        match key.trim() {
            "json_rpc_url" => config.json_rpc_url = Some(value),
            "keypair_path" => config.keypair_path = Some(value),
            _ => {}
        }
    }
    config
}

fn unquote(v: &str) -> String {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    // a plain scalar ends at a comment
    v.split(" #").next().unwrap_or(v).trim().to_string()
}

/// The config file named by `--config`, else the default one when it exists (a missing default
/// file is an empty config; a missing named file is an error).
pub fn load_config(named: Option<&Path>) -> Result<SolanaConfig> {
    let path = match named {
        Some(p) => p.to_path_buf(),
        None => match default_config_path() {
            Some(p) if p.is_file() => p,
            _ => return Ok(SolanaConfig::default()),
        },
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("--config: cannot read {}", path.display()))?;
    Ok(parse_config(&text))
}

/// The cluster URL: `--url` (moniker or URL), else the config file's. No cluster is assumed:
/// a command that moves funds names where it sends them.
pub fn url(given: Option<&str>, config: &SolanaConfig) -> Result<String> {
    let chosen = given
        .map(str::to_string)
        .or_else(|| config.json_rpc_url.clone())
        .context(
            "no cluster: pass -u/--url (mainnet-beta, devnet, testnet, localhost or a URL) or \
             set one with `solana config set --url`",
        )?;
    Ok(resolve_url(&chosen))
}

/// The signer: `--keypair` (a key file or `prompt://`), else the config file's key file, else
/// the Solana CLI's default `~/.config/solana/id.json`.
pub fn keypair(given: Option<&str>, config: &SolanaConfig) -> Result<Keypair> {
    let chosen = match given.map(str::to_string).or(config.keypair_path.clone()) {
        Some(k) => k,
        None => std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".config/solana/id.json"))
            .context("no keypair: pass --keypair")?
            .to_string_lossy()
            .into_owned(),
    };
    if chosen.starts_with("usb://") {
        bail!(
            "--keypair {chosen}: hardware wallets are not supported by greekhouse (docs/writers.md); \
             use a key file or prompt://"
        );
    }
    if chosen == "prompt://" || chosen == "prompt:" || chosen == "ASK" {
        return keypair_from_prompt(&mut std::io::stdin().lock(), &mut std::io::stderr());
    }
    let path = chosen.strip_prefix("file://").unwrap_or(&chosen);
    let path = expand_home(path);
    greekhouse_sdk::localnet::read_keypair(&path).map_err(|e| anyhow!("--keypair: {e}"))
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// `prompt://`: a base58 secret key (64 bytes) or a seed phrase, then (for a seed phrase) an
/// optional passphrase, read as lines from `input`. The key of a seed phrase is the Solana
/// CLI's: the first 32 bytes of the BIP39 seed, no derivation path. The phrase's words are not
/// checked against the BIP39 word list (as `solana-keygen --skip-seed-phrase-validation`): a
/// mistyped phrase gives another key, which the printed address shows.
pub fn keypair_from_prompt(
    input: &mut dyn BufRead,
    prompt: &mut dyn std::io::Write,
) -> Result<Keypair> {
    let mut line = String::new();
    write!(prompt, "seed phrase or base58 secret key: ")?;
    prompt.flush()?;
    input.read_line(&mut line)?;
    let text = line.trim();
    if text.is_empty() {
        bail!("prompt://: nothing was entered");
    }
    if !text.contains(char::is_whitespace) {
        return Keypair::try_from_base58_string(text)
            .map_err(|e| anyhow!("prompt://: not a base58 secret key: {e}"));
    }
    let phrase = text.split_whitespace().collect::<Vec<_>>().join(" ");
    write!(prompt, "passphrase (empty for none): ")?;
    prompt.flush()?;
    let mut passphrase = String::new();
    input.read_line(&mut passphrase)?;
    let passphrase = passphrase.trim_end_matches(['\r', '\n']);
    solana_keypair::keypair_from_seed_phrase_and_passphrase(&phrase, passphrase)
        .map_err(|e| anyhow!("prompt://: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_signer::Signer;

    #[test]
    fn monikers_and_urls() {
        assert_eq!(resolve_url("devnet"), "https://api.devnet.solana.com");
        assert_eq!(resolve_url("m"), "https://api.mainnet-beta.solana.com");
        assert_eq!(resolve_url("localhost"), "http://localhost:8899");
        assert_eq!(resolve_url("http://10.0.0.1:8899"), "http://10.0.0.1:8899");
    }

    #[test]
    fn the_solana_config_file_gives_url_and_keypair() {
        let text = "---\njson_rpc_url: \"https://api.devnet.solana.com\"\nwebsocket_url: ''\n\
                    keypair_path: /home/w/.config/solana/id.json\naddress_labels:\n  \
                    \"11111111111111111111111111111111\": System Program\ncommitment: confirmed\n";
        let c = parse_config(text);
        assert_eq!(
            c.json_rpc_url.as_deref(),
            Some("https://api.devnet.solana.com")
        );
        assert_eq!(
            c.keypair_path.as_deref(),
            Some("/home/w/.config/solana/id.json")
        );
        assert_eq!(url(None, &c).unwrap(), "https://api.devnet.solana.com");
        assert_eq!(url(Some("l"), &c).unwrap(), "http://localhost:8899");
        let e = url(None, &SolanaConfig::default()).unwrap_err().to_string();
        assert!(e.contains("--url"), "{e}");
    }

    #[test]
    fn prompt_takes_a_base58_key_or_a_seed_phrase() {
        let k = Keypair::new();
        let typed = format!("{}\n", k.to_base58_string());
        let got = keypair_from_prompt(&mut typed.as_bytes(), &mut Vec::new()).unwrap();
        assert_eq!(got.pubkey(), k.pubkey());
        // the Solana CLI's key of a phrase: the BIP39 seed's first 32 bytes
        let phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon \
                      abandon abandon about";
        let typed = format!("{phrase}\n\n");
        let got = keypair_from_prompt(&mut typed.as_bytes(), &mut Vec::new()).unwrap();
        // BIP39's published seed of this phrase (no passphrase) starts 5eb00bbd...
        let seed = "5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc1";
        let bytes: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&seed[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let want = Keypair::new_from_array(bytes.try_into().unwrap());
        assert_eq!(got.pubkey(), want.pubkey());
        let with_pass = format!("{phrase}\nsecret\n");
        let other = keypair_from_prompt(&mut with_pass.as_bytes(), &mut Vec::new()).unwrap();
        assert_ne!(other.pubkey(), want.pubkey());
        assert!(keypair_from_prompt(&mut "\n".as_bytes(), &mut Vec::new()).is_err());
        assert!(keypair(Some("usb://ledger"), &SolanaConfig::default())
            .unwrap_err()
            .to_string()
            .contains("not supported"));
    }
}
