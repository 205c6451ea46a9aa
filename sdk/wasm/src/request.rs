//! Requests: accounts as fetched (base58 key and owner, base64 data), decoded into the
//! program's zero-copy structs after their Anchor discriminator is checked.

use base64::Engine as _;
use greekhouse_rulebook::prelude::Pubkey;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// A fetched account, as the request carries it.
#[derive(Deserialize, Clone)]
pub struct RawAccount {
    pub key: String,
    #[serde(default)]
    pub owner: Option<String>,
    /// base64
    pub data: String,
}

/// A fetched account with its key and owner parsed and its data decoded from base64.
pub struct Fetched {
    pub key: Pubkey,
    pub owner: Pubkey,
    pub data: Vec<u8>,
}

pub fn pubkey(text: &str) -> Result<Pubkey, String> {
    let bytes = bs58::decode(text)
        .into_vec()
        .map_err(|e| format!("{text} is not base58: {e}"))?;
    let array: [u8; 32] = bytes
        .try_into()
        .map_err(|_| format!("{text} is not 32 bytes"))?;
    Ok(Pubkey::new_from_array(array))
}

/// A key in base58, as Solana prints it.
pub fn b58(key: &Pubkey) -> String {
    bs58::encode(key.to_bytes()).into_string()
}

impl RawAccount {
    pub fn fetched(&self) -> Result<Fetched, String> {
        Ok(Fetched {
            key: pubkey(&self.key)?,
            owner: match &self.owner {
                Some(o) => pubkey(o)?,
                None => Pubkey::default(),
            },
            data: base64::engine::general_purpose::STANDARD
                .decode(&self.data)
                .map_err(|e| format!("account {}: data is not base64: {e}", self.key))?,
        })
    }

    /// The account's data as the program's zero-copy struct named `name` (Anchor's
    /// discriminator `sha256("account:<name>")[..8]`, then exactly the struct's bytes).
    pub fn decode<T: bytemuck::Pod>(&self, name: &str) -> Result<(Pubkey, T), String> {
        let fetched = self.fetched()?;
        Ok((fetched.key, decode_data(&fetched.data, name, &self.key)?))
    }
}

pub fn discriminator(name: &str) -> [u8; 8] {
    let hash = Sha256::digest(format!("account:{name}").as_bytes());
    let mut out = [0u8; 8];
    out.copy_from_slice(&hash[..8]);
    out
}

pub fn decode_data<T: bytemuck::Pod>(data: &[u8], name: &str, key: &str) -> Result<T, String> {
    let size = core::mem::size_of::<T>();
    if data.len() < 8 + size {
        return Err(format!(
            "account {key}: {} bytes, a {name} takes {}",
            data.len(),
            8 + size
        ));
    }
    if data[..8] != discriminator(name) {
        return Err(format!("account {key} is not a {name}"));
    }
    Ok(bytemuck::pod_read_unaligned(&data[8..8 + size]))
}
