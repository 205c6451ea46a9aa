//! Account discovery for a node: the clearing house's writer accounts kept by a websocket
//! subscription (`programSubscribe`) between periodic full scans (`getProgramAccounts`).
//!
//! A full scan per tick costs the node a scan of every program account, which public RPC
//! providers throttle; a subscription alone misses what it was not told (a dropped socket, the
//! accounts that did not change since it began). So the first query, every `full_scan_every`
//! and every query after the feed failed are full scans, and the queries between them are
//! answered from the last scan with the feed's updates applied. Only the bot's one repeated
//! query (writer accounts of its clearing house) is answered so; everything else goes to the
//! node. A closed account stays listed until the next full scan (the node stops telling of an
//! account that no longer matches its filters); the bot's flows re-read every account they act
//! on, so a stale entry costs one refused projection, never a wrong transaction.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_account::Account;
use solana_keypair::Keypair;

use greekhouse_sdk::account_feed::AccountUpdates;
use greekhouse_sdk::chain::{Chain, ChainError, FieldFilter, TxOutcome};

/// Opens a feed (again, after it failed).
pub type Subscribe = Box<dyn FnMut() -> Result<Box<dyn AccountUpdates>, ChainError>>;

/// What discovery did, for the logs and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DiscoveryStats {
    pub full_scans: u64,
    /// Account updates the feed pushed.
    pub pushed: u64,
    /// Subscriptions opened (the first included).
    pub subscriptions: u64,
    /// Feed failures (a refused subscription, a closed socket).
    pub feed_failures: u64,
}

/// A [`Chain`] that answers one query from a scan kept fresh by a feed.
pub struct Discovery<C: Chain> {
    chain: C,
    discriminator: Vec<u8>,
    filters: Vec<FieldFilter>,
    subscribe: Option<Subscribe>,
    feed: Option<Box<dyn AccountUpdates>>,
    known: BTreeMap<Pubkey, Account>,
    full_scan_every: Duration,
    last_full_scan: Option<Instant>,
    pub stats: DiscoveryStats,
}

impl<C: Chain> Discovery<C> {
    /// Discovery of the accounts with `discriminator` matching `filters` on `chain`, with a
    /// full scan at least every `full_scan_every`; `subscribe` opens the feed (none: every
    /// query is a full scan).
    pub fn new(
        chain: C,
        discriminator: &[u8],
        filters: Vec<FieldFilter>,
        full_scan_every: Duration,
        subscribe: Option<Subscribe>,
    ) -> Self {
        Self {
            chain,
            discriminator: discriminator.to_vec(),
            filters,
            subscribe,
            feed: None,
            known: BTreeMap::new(),
            full_scan_every,
            last_full_scan: None,
            stats: DiscoveryStats::default(),
        }
    }

    /// The chain behind (its own settings, e.g. the priority fee).
    pub fn inner_mut(&mut self) -> &mut C {
        &mut self.chain
    }

    /// Whether a feed is open now.
    pub fn feeding(&self) -> bool {
        self.feed.is_some()
    }

    fn discover(&mut self) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        // (re)subscribe before scanning, so no change after the scan goes untold
        if self.feed.is_none() {
            if let Some(subscribe) = self.subscribe.as_mut() {
                self.stats.subscriptions += 1;
                match subscribe() {
                    Ok(feed) => {
                        self.feed = Some(feed);
                        // what the scan knew before the feed began is not to be trusted
                        self.last_full_scan = None;
                    }
                    Err(_) => self.stats.feed_failures += 1,
                }
            }
        }
        let updates = match self.feed.as_mut().map(|f| f.drain()) {
            Some(Ok(updates)) => updates,
            Some(Err(_)) => {
                self.stats.feed_failures += 1;
                self.feed = None;
                Vec::new()
            }
            None => Vec::new(),
        };
        let due = self.feed.is_none()
            || self
                .last_full_scan
                .is_none_or(|t| t.elapsed() >= self.full_scan_every);
        if due {
            let found = self
                .chain
                .program_accounts_where(&self.discriminator, &self.filters)?;
            self.known = found.into_iter().collect();
            self.last_full_scan = Some(Instant::now());
            self.stats.full_scans += 1;
        } else {
            self.stats.pushed += updates.len() as u64;
            for (key, account) in updates {
                let matches = account.data.starts_with(&self.discriminator)
                    && self.filters.iter().all(|f| f.matches(&account.data));
                if matches {
                    self.known.insert(key, account);
                } else {
                    self.known.remove(&key);
                }
            }
        }
        Ok(self.known.iter().map(|(k, a)| (*k, a.clone())).collect())
    }
}

impl<C: Chain> Chain for Discovery<C> {
    fn payer(&self) -> Pubkey {
        self.chain.payer()
    }

    fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        self.chain.account(key)
    }

    fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        self.chain.accounts(keys)
    }

    fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, ChainError> {
        self.chain.send(instructions, signers)
    }

    fn send_many(
        &mut self,
        batch: &[greekhouse_sdk::chain::TxRequest<'_>],
        max_in_flight: usize,
    ) -> Vec<Result<TxOutcome, ChainError>> {
        self.chain.send_many(batch, max_in_flight)
    }

    fn unix_timestamp(&mut self) -> Result<i64, ChainError> {
        self.chain.unix_timestamp()
    }

    fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        self.chain.program_accounts(discriminator)
    }

    fn program_accounts_where(
        &mut self,
        discriminator: &[u8],
        filters: &[FieldFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        if discriminator == self.discriminator.as_slice() && filters == self.filters.as_slice() {
            self.discover()
        } else {
            self.chain.program_accounts_where(discriminator, filters)
        }
    }
}

/// Discovery of `clearinghouse`'s writer accounts on `chain` (the bot's scan), fed by a
/// subscription at `websocket_url` at `commitment` when one is given.
pub fn writer_accounts<C: Chain>(
    chain: C,
    clearinghouse: &Pubkey,
    websocket_url: Option<String>,
    commitment: solana_commitment_config::CommitmentConfig,
    full_scan_every: Duration,
) -> Discovery<C> {
    use anchor_lang::Discriminator;
    use greekhouse::state::WriterAccount;
    let filters = vec![greekhouse_sdk::accounts::of_clearinghouse::writer_accounts(
        clearinghouse,
    )];
    let subscribe = websocket_url.map(|ws| {
        let filters = filters.clone();
        Box::new(move || {
            greekhouse_sdk::account_feed::AccountFeed::subscribe(
                &ws,
                WriterAccount::DISCRIMINATOR,
                &filters,
                commitment,
            )
            .map(|feed| Box::new(feed) as Box<dyn AccountUpdates>)
        }) as Subscribe
    });
    Discovery::new(
        chain,
        WriterAccount::DISCRIMINATOR,
        filters,
        full_scan_every,
        subscribe,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    const DISC: &[u8] = &[7; 8];

    /// A node holding program accounts, counting full scans.
    #[derive(Default)]
    struct Node {
        accounts: BTreeMap<Pubkey, Account>,
        scans: u64,
    }

    impl Chain for Node {
        fn payer(&self) -> Pubkey {
            Pubkey::default()
        }
        fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
            Ok(self.accounts.get(key).cloned())
        }
        fn send(&mut self, _: &[Instruction], _: &[&Keypair]) -> Result<TxOutcome, ChainError> {
            Err(ChainError::Backend("read-only".into()))
        }
        fn unix_timestamp(&mut self) -> Result<i64, ChainError> {
            Ok(0)
        }
        fn program_accounts(&mut self, d: &[u8]) -> Result<Vec<(Pubkey, Account)>, ChainError> {
            self.scans += 1;
            Ok(self
                .accounts
                .iter()
                .filter(|(_, a)| a.data.starts_with(d))
                .map(|(k, a)| (*k, a.clone()))
                .collect())
        }
    }

    fn account(tag: u8) -> Account {
        let mut data = DISC.to_vec();
        data.push(tag);
        Account {
            data,
            ..Account::default()
        }
    }

    /// A feed the test pushes into; `None` in the queue closes it.
    type Queue = Rc<RefCell<Vec<Option<(Pubkey, Account)>>>>;
    struct Fake(Queue);
    impl AccountUpdates for Fake {
        fn drain(&mut self) -> Result<Vec<(Pubkey, Account)>, ChainError> {
            let mut out = Vec::new();
            for u in self.0.borrow_mut().drain(..) {
                match u {
                    Some(u) => out.push(u),
                    None => return Err(ChainError::Backend("closed".into())),
                }
            }
            Ok(out)
        }
    }

    fn keys(found: &[(Pubkey, Account)]) -> Vec<Pubkey> {
        found.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn a_feed_answers_between_full_scans_and_a_failure_brings_a_scan_back() {
        let (a, b, c) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let mut node = Node::default();
        node.accounts.insert(a, account(1));
        let queue: Queue = Rc::default();
        let q = queue.clone();
        let subscribe: Subscribe = Box::new(move || Ok(Box::new(Fake(q.clone())) as _));
        let mut d = Discovery::new(
            node,
            DISC,
            vec![],
            Duration::from_secs(3_600),
            Some(subscribe),
        );

        // the first query scans
        assert_eq!(keys(&d.program_accounts_where(DISC, &[]).unwrap()), [a]);
        assert_eq!((d.stats.full_scans, d.stats.subscriptions), (1, 1));
        // a new account and a changed one arrive by the feed: no scan
        d.inner_mut().accounts.insert(b, account(2));
        queue.borrow_mut().push(Some((b, account(2))));
        queue.borrow_mut().push(Some((a, account(9))));
        let found = d.program_accounts_where(DISC, &[]).unwrap();
        let mut expected = vec![a, b];
        expected.sort();
        assert_eq!(keys(&found), expected);
        assert_eq!(found.iter().find(|(k, _)| *k == a).unwrap().1.data[8], 9);
        assert_eq!((d.stats.full_scans, d.stats.pushed), (1, 2));
        assert_eq!(d.inner_mut().scans, 1);
        // an update that no longer matches (a closed account) drops it
        queue.borrow_mut().push(Some((b, Account::default())));
        assert_eq!(keys(&d.program_accounts_where(DISC, &[]).unwrap()), [a]);
        // other queries go to the node
        d.program_accounts_where(&[1; 8], &[]).unwrap();
        assert_eq!(d.inner_mut().scans, 2);
        // the feed closes: this query scans (and c, never pushed, is found), then it resubscribes
        d.inner_mut().accounts.insert(c, account(3));
        queue.borrow_mut().push(None);
        let found = d.program_accounts_where(DISC, &[]).unwrap();
        assert!(keys(&found).contains(&c));
        assert_eq!((d.stats.full_scans, d.stats.feed_failures), (2, 1));
        assert!(!d.feeding());
        d.program_accounts_where(DISC, &[]).unwrap();
        assert!(d.feeding());
        assert_eq!((d.stats.subscriptions, d.stats.full_scans), (2, 3));
    }

    #[test]
    fn without_a_feed_every_query_scans_and_a_refused_subscription_is_counted() {
        let mut d = Discovery::new(
            Node::default(),
            DISC,
            vec![],
            Duration::from_secs(3_600),
            None,
        );
        for _ in 0..3 {
            d.program_accounts_where(DISC, &[]).unwrap();
        }
        assert_eq!(d.stats.full_scans, 3);
        let refused: Subscribe = Box::new(|| Err(ChainError::Backend("refused".into())));
        let mut d = Discovery::new(
            Node::default(),
            DISC,
            vec![],
            Duration::from_secs(3_600),
            Some(refused),
        );
        d.program_accounts_where(DISC, &[]).unwrap();
        d.program_accounts_where(DISC, &[]).unwrap();
        assert_eq!(
            (
                d.stats.full_scans,
                d.stats.subscriptions,
                d.stats.feed_failures
            ),
            (2, 2, 2)
        );
    }

    #[test]
    fn a_full_scan_comes_back_when_due() {
        let queue: Queue = Rc::default();
        let q = queue.clone();
        let subscribe: Subscribe = Box::new(move || Ok(Box::new(Fake(q.clone())) as _));
        let mut d = Discovery::new(
            Node::default(),
            DISC,
            vec![],
            Duration::ZERO,
            Some(subscribe),
        );
        d.program_accounts_where(DISC, &[]).unwrap();
        d.program_accounts_where(DISC, &[]).unwrap();
        assert_eq!((d.stats.full_scans, d.stats.subscriptions), (2, 1));
    }
}
