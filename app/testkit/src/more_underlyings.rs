//! Underlyings and collateral assets a test lists besides the world's SOL and BTC: up to what one
//! writer account can hold (eight underlyings, `greekhouse_risk::margin::MAX_UNDERLYINGS`, and
//! four collateral assets, `greekhouse::constants::MAX_COLLATERALS`), so the largest margin
//! layout an instruction supports can be built and sent (`tests/.../largest.rs`).
//!
//! A world without them is the world it always was: the lists start empty, and every helper that
//! walks the scenario's underlyings (prices, oracle lookups, claims) walks SOL and BTC only then.
//! Once listed, an underlying is priced like the others: [`Env::publish_prices`] republishes it
//! at every clock move, and the SDK's margin layouts find its oracle through the kit.

use anchor_lang::prelude::Pubkey;
use greekhouse::args::ListCollateralArgs;
use greekhouse::state::{OracleKind, PriceSource};
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_signer::Signer;

use crate::bank::BankChain;
use crate::chain_ops::ChainOps;
use crate::pyth::{self, PriceObservation};
use crate::scenario::{
    legacy_oracle, pull_oracle, underlying_args, Env, OracleSetup, UnderlyingFixture, Writer,
    PYTH_EXPO, SPL_TOKEN, USDC,
};
use crate::test_oracle;
use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome};
use greekhouse_sdk::ix::{self, TokenLedger};
use greekhouse_sdk::pda;

/// An underlying listed besides SOL and BTC, with its own feed: a Pyth pull feed in a Pyth world,
/// a test-oracle feed named by its symbol in a test-oracle world.
#[derive(Clone, Debug)]
pub struct MoreUnderlying {
    pub fixture: UnderlyingFixture,
    pub symbol: String,
    /// The pull feed id (Pyth world; unused with the test oracle).
    pub feed: [u8; 32],
    /// Current price (Pyth units, exponent -8).
    pub price: i64,
}

/// A collateral asset listed by the kit: its mint (SPL Token), its `CollateralAsset` account and
/// the underlying whose oracle prices it.
#[derive(Clone, Copy, Debug)]
pub struct CollateralFixture {
    pub mint: Pubkey,
    pub asset: Pubkey,
    pub decimals: u8,
    pub price_underlying: Pubkey,
}

/// The pull feed id of a kit-listed underlying: a marker byte, then its symbol (so it differs
/// from SOL's and from the feeds tests derive from a bare symbol).
fn feed_id(symbol: &str) -> [u8; 32] {
    let mut feed = [0xEE; 32];
    let n = symbol.len().min(31);
    feed[1..1 + n].copy_from_slice(&symbol.as_bytes()[..n]);
    feed
}

impl<C: ChainOps> Env<C> {
    /// Every underlying of the scenario: SOL, BTC, then those listed since, in listing order.
    pub fn underlying_fixtures(&self) -> Vec<UnderlyingFixture> {
        let mut all = vec![self.sol, self.btc];
        all.extend(self.more_underlyings.iter().map(|u| u.fixture));
        all
    }

    /// The deposit/withdraw ledger of a kit-listed collateral asset.
    pub fn collateral_ledger(&self, c: &CollateralFixture) -> TokenLedger {
        TokenLedger::collateral(&self.ch.clearinghouse, c.mint, SPL_TOKEN)
    }

    /// `w`'s token account of `c`'s mint, created if missing.
    pub fn collateral_wallet(&mut self, w: &Writer, c: &CollateralFixture) -> Pubkey {
        self.chain
            .token_account(&w.owner.pubkey(), &c.mint, &SPL_TOKEN)
            .expect("scenario: bank call")
    }

    /// Mint `amount` of `c` into `w`'s wallet; returns the token account.
    pub fn fund_collateral(&mut self, w: &Writer, c: &CollateralFixture, amount: u64) -> Pubkey {
        let wallet = self.collateral_wallet(w, c);
        let auth = self.mint_authority.insecure_clone();
        self.chain
            .mint_to(&SPL_TOKEN, &c.mint, &wallet, &auth, amount)
            .expect("scenario: bank call");
        wallet
    }

    /// Deposit `amount` of `c` from `w`'s wallet.
    pub fn deposit_collateral(
        &mut self,
        w: &Writer,
        c: &CollateralFixture,
        amount: u64,
    ) -> Result<TxOutcome, ChainError> {
        let (ledger, wallet) = (self.collateral_ledger(c), self.collateral_wallet(w, c));
        let ix = ix::deposit(
            self.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            &ledger,
            wallet,
            amount,
        );
        self.chain.send(&[ix], &[&w.owner])
    }

    /// Withdraw `amount` of `c` to `w`'s wallet (margin-checked, [`Env::withdraw`]).
    pub fn withdraw_collateral(
        &mut self,
        w: &Writer,
        c: &CollateralFixture,
        amount: u64,
    ) -> Result<TxOutcome, ChainError> {
        let (ledger, wallet) = (self.collateral_ledger(c), self.collateral_wallet(w, c));
        self.withdraw(w, &ledger, wallet, amount)
    }

    /// Post `underlying`'s settlement price at `expiry` from its oracle as it is now.
    pub fn propose_settlement_of(
        &mut self,
        underlying: &UnderlyingFixture,
        expiry: i64,
    ) -> Result<TxOutcome, ChainError> {
        let payer = self.chain.payer();
        let ix = ix::propose_settlement_price(
            self.ch.clearinghouse,
            payer,
            underlying.key,
            underlying.oracle,
            expiry,
        );
        self.chain.send(&[ix], &[])
    }
}

impl Env<BankChain> {
    /// List and enable another underlying, `symbol` at `price` (Pyth units, exponent -8), with
    /// SOL's series rules ($1 strike tick, one unit per contract) and the fixture's surface and
    /// margin; it is priced from now on like SOL and BTC. Panics when a step fails.
    pub fn list_more_underlying(&mut self, symbol: &str, price: i64) -> UnderlyingFixture {
        let id = self.clearinghouse().underlying_count;
        let key = pda::underlying(&self.ch.clearinghouse, id);
        let feed = feed_id(symbol);
        let (config, fixture) = match self.oracle_setup {
            OracleSetup::PythAccounts => {
                let oracle = self.chain.new_keypair().pubkey();
                let fixture = UnderlyingFixture {
                    key,
                    id,
                    oracle,
                    kind: OracleKind::PullV2,
                    oracle_program: pyth_solana_receiver_sdk::ID,
                };
                (pull_oracle(feed), fixture)
            }
            OracleSetup::TestOracle => {
                let authority = self.oracle_authority.insecure_clone();
                let label = test_oracle::label(symbol);
                let create = test_oracle::create_feed(
                    self.chain.payer(),
                    authority.pubkey(),
                    label,
                    PYTH_EXPO,
                );
                self.chain
                    .send(&[create], &[&authority])
                    .expect("test oracle create_feed");
                let oracle = test_oracle::feed_address(&authority.pubkey(), &label);
                let fixture = UnderlyingFixture {
                    key,
                    id,
                    oracle,
                    kind: OracleKind::Legacy,
                    oracle_program: test_oracle::ID,
                };
                (legacy_oracle(test_oracle::ID, oracle), fixture)
            }
        };
        let args = underlying_args(
            id,
            symbol,
            config,
            self.vol_updater.pubkey(),
            USDC,
            1_000_000,
        );
        self.send_admin(ix::list_underlying(
            self.ch.clearinghouse,
            self.chain.payer(),
            self.admin.pubkey(),
            args,
        ))
        .expect("list_underlying");
        self.more_underlyings.push(MoreUnderlying {
            fixture,
            symbol: symbol.to_string(),
            feed,
            price,
        });
        let now = self.now();
        self.publish_more_prices(now);
        self.enable_underlying(key);
        fixture
    }

    /// List and enable a collateral asset priced by `underlying`'s oracle (linked: it moves with
    /// that underlying in the margin scenarios), a new SPL mint of `decimals`, at SOL's weights
    /// (80 % initial, 90 % maintenance).
    pub fn list_linked_collateral(
        &mut self,
        underlying: &UnderlyingFixture,
        decimals: u8,
    ) -> CollateralFixture {
        let authority = self.mint_authority.pubkey();
        let mint = self
            .chain
            .create_mint(&SPL_TOKEN, decimals, &authority)
            .expect("scenario: bank call");
        let args = ListCollateralArgs {
            price_source: PriceSource::Underlying as u8,
            init_weight_bps: 8_000,
            maint_weight_bps: 9_000,
            deposit_cap: u64::MAX / 4,
        };
        let ix = ix::list_collateral(
            self.ch.clearinghouse,
            self.chain.payer(),
            self.admin.pubkey(),
            mint,
            SPL_TOKEN,
            Some(underlying.key),
            args,
        );
        self.send_admin(ix).expect("list_collateral");
        self.enable_collateral(mint);
        let fixture = CollateralFixture {
            mint,
            asset: pda::collateral_asset(&self.ch.clearinghouse, &mint),
            decimals,
            price_underlying: underlying.key,
        };
        self.more_collaterals.push(fixture);
        fixture
    }

    /// Republish every kit-listed underlying at its current price, published at `now`
    /// (0.1 % confidence); [`Env::publish_prices`] calls it after SOL and BTC.
    pub(crate) fn publish_more_prices(&mut self, now: i64) {
        for i in 0..self.more_underlyings.len() {
            let price = self.more_underlyings[i].price;
            self.publish_more_update(i, price, now, None);
        }
    }

    /// Set a kit-listed underlying's price (Pyth units, exponent -8) and publish every price.
    pub fn move_more_underlying(&mut self, underlying: &Pubkey, price: i64) {
        let i = self.more_index(underlying);
        self.more_underlyings[i].price = price;
        self.publish_prices();
    }

    /// Put the update of `underlying` (SOL, BTC or a kit-listed one) at `price`, published at
    /// `publish_time` after one at `prev_publish_time`, in its oracle: the update a settlement
    /// price at an expiry between the two is proposed from. Pyth worlds only.
    pub fn publish_update_of(
        &mut self,
        underlying: &UnderlyingFixture,
        price: i64,
        publish_time: i64,
        prev_publish_time: i64,
    ) {
        assert!(
            self.oracle_setup == OracleSetup::PythAccounts,
            "scenario: the test oracle sets the previous publish time itself"
        );
        let obs = PriceObservation {
            price,
            conf: price as u64 / 1_000,
            expo: PYTH_EXPO,
            publish_time,
        };
        if underlying.key == self.sol.key {
            self.publish_sol_update(price, publish_time, prev_publish_time);
        } else if underlying.key == self.btc.key {
            let account = pyth::legacy_price_after(
                self.legacy_oracle_program,
                obs,
                prev_publish_time,
                pyth_sdk_solana::state::PriceStatus::Trading,
            );
            self.chain.set_account(&self.btc.oracle, account);
        } else {
            let i = self.more_index(&underlying.key);
            self.publish_more_update(i, price, publish_time, Some(prev_publish_time));
        }
    }

    fn more_index(&self, underlying: &Pubkey) -> usize {
        self.more_underlyings
            .iter()
            .position(|u| u.fixture.key == *underlying)
            .unwrap_or_else(|| panic!("scenario: {underlying} is not a kit-listed underlying"))
    }

    /// Publish kit-listed underlying `i` at `price` and `publish_time`; its previous publish
    /// time is `prev`, or that of the update its oracle holds (as a real feed's would be).
    fn publish_more_update(&mut self, i: usize, price: i64, publish_time: i64, prev: Option<i64>) {
        let more = self.more_underlyings[i].clone();
        let obs = PriceObservation {
            price,
            conf: price as u64 / 1_000,
            expo: PYTH_EXPO,
            publish_time,
        };
        match self.oracle_setup {
            OracleSetup::PythAccounts => {
                let prev = prev
                    .unwrap_or_else(|| self.prev_publish_time(&more.fixture.oracle, publish_time));
                let account =
                    pyth::price_update_v2_after(more.feed, obs, prev, VerificationLevel::Full);
                self.chain.set_account(&more.fixture.oracle, account);
            }
            OracleSetup::TestOracle => self.publish_test_oracle(&more.symbol, obs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::feed_id;

    #[test]
    fn a_listed_underlyings_feed_is_marked_and_differs_from_its_bare_symbol() {
        let eth = feed_id("ETH");
        assert_eq!(eth[0], 0xEE);
        assert_eq!(&eth[1..4], b"ETH");
        assert_ne!(eth, feed_id("AVAX"));
        let mut bare = [0u8; 32];
        bare[..3].copy_from_slice(b"ETH");
        assert_ne!(eth, bare);
    }
}
