//! Program accounts pushed by a node (`programSubscribe` over its websocket), so a bot learns of
//! new and changed writer accounts without asking for all of them (`getProgramAccounts`) every
//! tick. Feature `rpc`.
//!
//! A subscription says nothing of the accounts that did not change since it began, and a
//! websocket can drop silently behind a proxy: a feed is a complement to periodic full scans,
//! never a replacement (the liquidator's `Discovery` keeps both).

use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentConfig;
use solana_pubsub_client::pubsub_client::{
    ProgramSubscription, PubsubClient, PubsubProgramClientSubscription,
};
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};

use crate::chain::{ChainError, FieldFilter};

/// Where updates come from: a node's subscription, or (tests) any other source.
pub trait AccountUpdates {
    /// Every update received since the last call, oldest first; `Err` once the source has
    /// closed (the caller re-subscribes or falls back to scans).
    fn drain(&mut self) -> Result<Vec<(Pubkey, Account)>, ChainError>;
}

/// A `programSubscribe` of the program's accounts with `discriminator` and `filters`.
pub struct AccountFeed {
    /// Never dropped: the blocking client's unsubscribe and shutdown wait for the reader
    /// thread, which blocks until the node sends another message (forever once unsubscribed).
    /// The thread ends by itself when the socket closes (it stops at the first read error);
    /// what is left behind is the socket, until then.
    _subscription: std::mem::ManuallyDrop<PubsubProgramClientSubscription>,
    updates: <ProgramSubscription as SubscriptionParts>::Updates,
}

/// Names the receiver half of [`ProgramSubscription`] without depending on its channel crate.
pub trait SubscriptionParts {
    type Updates;
}
impl<S, R> SubscriptionParts for (S, R) {
    type Updates = R;
}

impl AccountFeed {
    /// Subscribe at `ws_url` (`ws://` or `wss://`) to the program's accounts that start with
    /// `discriminator` and match `filters` (the node filters), base64, at `commitment`.
    pub fn subscribe(
        ws_url: &str,
        discriminator: &[u8],
        filters: &[FieldFilter],
        commitment: CommitmentConfig,
    ) -> Result<Self, ChainError> {
        let mut rpc_filters = vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
            0,
            discriminator.to_vec(),
        ))];
        rpc_filters.extend(
            filters
                .iter()
                .map(|f| RpcFilterType::Memcmp(Memcmp::new_raw_bytes(f.offset, f.bytes.clone()))),
        );
        let config = RpcProgramAccountsConfig {
            filters: Some(rpc_filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment: Some(commitment),
                ..Default::default()
            },
            ..Default::default()
        };
        let (subscription, updates) =
            PubsubClient::program_subscribe(ws_url, &greekhouse::ID, Some(config))
                .map_err(|e| ChainError::Backend(format!("programSubscribe at {ws_url}: {e}")))?;
        Ok(Self {
            _subscription: std::mem::ManuallyDrop::new(subscription),
            updates,
        })
    }
}

impl AccountUpdates for AccountFeed {
    fn drain(&mut self) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        let mut out = Vec::new();
        loop {
            match self.updates.try_recv() {
                Ok(update) => {
                    let keyed = update.value;
                    let key: Pubkey = keyed.pubkey.parse().map_err(|_| {
                        ChainError::Backend(format!("programSubscribe: bad key {}", keyed.pubkey))
                    })?;
                    let account: Account = keyed.account.decode().ok_or_else(|| {
                        ChainError::Backend(format!("programSubscribe: {key} does not decode"))
                    })?;
                    out.push((key, account));
                }
                Err(e) if e.is_empty() => return Ok(out),
                Err(_) => {
                    return Err(ChainError::Backend(
                        "programSubscribe: the websocket closed".into(),
                    ))
                }
            }
        }
    }
}

/// The websocket URL of an RPC URL, as the Solana CLI derives it: `http` -> `ws`, `https` ->
/// `wss`, and an explicit port one higher (a validator serves pubsub on the RPC port + 1).
pub fn websocket_url(rpc_url: &str) -> Option<String> {
    let (scheme, rest) = if let Some(r) = rpc_url.strip_prefix("https://") {
        ("wss", r)
    } else {
        ("ws", rpc_url.strip_prefix("http://")?)
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    // a port after the last ':' that is not inside an IPv6 literal
    let authority = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') && !port.is_empty() => {
            let port: u16 = port.parse().ok()?;
            format!("{host}:{}", port.checked_add(1)?)
        }
        _ => authority.to_string(),
    };
    Some(format!("{scheme}://{authority}{path}"))
}

#[cfg(test)]
mod tests {
    use super::websocket_url;

    #[test]
    fn websocket_urls_follow_the_solana_cli() {
        assert_eq!(
            websocket_url("http://127.0.0.1:8899").as_deref(),
            Some("ws://127.0.0.1:8900")
        );
        assert_eq!(
            websocket_url("https://api.devnet.solana.com").as_deref(),
            Some("wss://api.devnet.solana.com")
        );
        assert_eq!(
            websocket_url("https://rpc.example.com:443/key/abc").as_deref(),
            Some("wss://rpc.example.com:444/key/abc")
        );
        assert_eq!(
            websocket_url("http://[::1]:8899").as_deref(),
            Some("ws://[::1]:8900")
        );
        assert_eq!(websocket_url("ftp://x"), None);
        assert_eq!(websocket_url("http://h:notaport"), None);
    }
}
