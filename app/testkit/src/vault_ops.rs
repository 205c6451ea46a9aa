//! The scenario kit's writer vaults (docs/vaults.md): a vault on SOL listed by the world's admin,
//! LPs and buyers with funded wallets, and one helper per vault instruction, each a real
//! transaction built through the SDK's builders with the margin accounts of the vault's writer
//! account from the program's layout.

use anchor_lang::prelude::Pubkey;
use greekhouse::state::{Vault, VaultPolicy};
use greekhouse_sdk::chain::{ChainError, TxOutcome};
use greekhouse_sdk::vault::{self as vx, VaultRef};
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::chain_ops::ChainOps;
use crate::scenario::{Env, DAY, LAMPORTS_PER_SOL, SPL_TOKEN};

/// An LP, buyer or holder: a key with quote, share and option token accounts.
pub struct VaultUser {
    pub owner: Keypair,
    pub quote_ata: Pubkey,
    pub share_ata: Pubkey,
}

/// A policy that sells SOL calls and puts of 1 to 60 days, strikes within 50 %-200 % of spot,
/// up to 80 % utilisation, 2 % over mark, a 1,000,000 USDC cap and a one-day cooldown.
pub fn default_vault_policy() -> VaultPolicy {
    VaultPolicy {
        deposit_cap: 1_000_000 * crate::scenario::USDC,
        min_tenor_secs: DAY as u32,
        max_tenor_secs: 60 * DAY as u32,
        min_strike_bps: 5_000,
        max_strike_bps: 20_000,
        withdraw_cooldown_secs: DAY as u32,
        max_utilisation_bps: 8_000,
        spread_bps: 200,
        allowed_kinds: 0b11,
        _padding: [0; 7],
    }
}

impl<C: ChainOps> Env<C> {
    /// List a vault on SOL at `index` with `policy` (signed by the world's admin); its writer
    /// account joins the scenario's reconciliation.
    pub fn create_vault(
        &mut self,
        index: u32,
        policy: VaultPolicy,
    ) -> Result<(VaultRef, TxOutcome), ChainError> {
        let v = VaultRef::new(self.ch, index, self.sol.key);
        let ix = vx::create_vault(&v, self.chain.payer(), self.admin.pubkey(), index, policy);
        let admin = self.admin.insecure_clone();
        let out = self.chain.send(&[ix], &[&admin])?;
        self.writer_accounts.push(v.writer_account);
        Ok((v, out))
    }

    pub fn vault_state(&mut self, v: &VaultRef) -> Vault {
        self.state(&v.vault)
    }

    /// A user of `v` with `quote` USDC native in its wallet and an empty share account.
    pub fn vault_user(&mut self, v: &VaultRef, quote: u64) -> VaultUser {
        let owner = self
            .chain
            .funded_keypair(LAMPORTS_PER_SOL)
            .expect("scenario: bank call");
        let quote_ata = self
            .chain
            .token_account(&owner.pubkey(), &self.ch.quote_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        let share_ata = self
            .chain
            .token_account(&owner.pubkey(), &v.share_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        if quote > 0 {
            let auth = self.mint_authority.insecure_clone();
            self.chain
                .mint_to(&SPL_TOKEN, &self.ch.quote_mint, &quote_ata, &auth, quote)
                .expect("scenario: bank call");
        }
        VaultUser {
            owner,
            quote_ata,
            share_ata,
        }
    }

    /// The margin accounts of the vault's writer account as it is (none while it holds only
    /// quote).
    pub fn vault_margin_accounts(
        &mut self,
        v: &VaultRef,
    ) -> Vec<anchor_lang::solana_program::instruction::AccountMeta> {
        let state = self.writer_state(&v.writer_account);
        self.margin_accounts(state)
    }

    /// Shares of the vault's mint held by `user`.
    pub fn shares_of(&mut self, user: &VaultUser) -> u64 {
        self.chain
            .token_balance(&user.share_ata)
            .expect("scenario: bank call")
    }

    /// The vault's share mint supply.
    pub fn share_supply(&mut self, v: &VaultRef) -> u64 {
        self.chain
            .mint_supply(&v.share_mint)
            .expect("scenario: bank call")
    }

    pub fn vault_deposit(
        &mut self,
        v: &VaultRef,
        lp: &VaultUser,
        amount: u64,
    ) -> Result<TxOutcome, ChainError> {
        let remaining = self.vault_margin_accounts(v);
        let ix = vx::vault_deposit(
            v,
            lp.owner.pubkey(),
            lp.quote_ata,
            lp.share_ata,
            amount,
            remaining,
        );
        self.chain.send(&[ix], &[&lp.owner])
    }

    pub fn request_vault_withdraw(
        &mut self,
        v: &VaultRef,
        lp: &VaultUser,
        shares: u64,
    ) -> Result<TxOutcome, ChainError> {
        let ix = vx::request_vault_withdraw(
            v,
            self.chain.payer(),
            lp.owner.pubkey(),
            lp.share_ata,
            shares,
        );
        self.chain.send(&[ix], &[&lp.owner])
    }

    pub fn cancel_vault_withdraw(
        &mut self,
        v: &VaultRef,
        lp: &VaultUser,
    ) -> Result<TxOutcome, ChainError> {
        let ix = vx::cancel_vault_withdraw(v, lp.owner.pubkey(), lp.share_ata);
        self.chain.send(&[ix], &[&lp.owner])
    }

    pub fn vault_withdraw(
        &mut self,
        v: &VaultRef,
        lp: &VaultUser,
    ) -> Result<TxOutcome, ChainError> {
        let remaining = self.vault_margin_accounts(v);
        let ix = vx::vault_withdraw(v, lp.owner.pubkey(), lp.quote_ata, remaining);
        self.chain.send(&[ix], &[&lp.owner])
    }

    /// `buyer` buys `contracts` of `series` from the vault into its own option token account;
    /// the margin accounts are those of the vault's account after the write.
    pub fn vault_buy(
        &mut self,
        v: &VaultRef,
        buyer: &VaultUser,
        series: &Pubkey,
        contracts: u64,
        max_price: u64,
    ) -> Result<TxOutcome, ChainError> {
        let s = self.series_state(series);
        let recipient = self
            .chain
            .token_account(&buyer.owner.pubkey(), &s.option_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        let state = self.writer_state(&v.writer_account);
        let after =
            greekhouse_sdk::margin::with_added_short(&state, &s.short_template(*series), contracts)
                .unwrap_or(state);
        let remaining = self.margin_accounts(after);
        let ix = vx::vault_buy(
            v,
            buyer.owner.pubkey(),
            buyer.quote_ata,
            *series,
            recipient,
            contracts,
            max_price,
            remaining,
        );
        self.chain.send(&[ix], &[&buyer.owner])
    }

    /// `holder` sells `contracts` of `series` from its own option token account back to the
    /// vault; the margin accounts are those of the vault's account before the burn.
    pub fn vault_sell_back(
        &mut self,
        v: &VaultRef,
        holder: &VaultUser,
        series: &Pubkey,
        contracts: u64,
        min_price: u64,
    ) -> Result<TxOutcome, ChainError> {
        let s = self.series_state(series);
        let holder_options = self
            .chain
            .token_account(&holder.owner.pubkey(), &s.option_mint, &SPL_TOKEN)
            .expect("scenario: bank call");
        let remaining = self.vault_margin_accounts(v);
        let ix = vx::vault_sell_back(
            v,
            holder.owner.pubkey(),
            holder_options,
            *series,
            holder.quote_ata,
            contracts,
            min_price,
            remaining,
        );
        self.chain.send(&[ix], &[&holder.owner])
    }

    /// The vault's value at mark, rounded down (what a withdrawal is priced at): the writer
    /// account's mark-to-market from the program's margin engine, or its quote balance.
    pub fn vault_nav(&mut self, v: &VaultRef) -> i64 {
        let state = self.writer_state(&v.writer_account);
        if state.position_count() == 0 && state.collateral_count() == 0 {
            return state.quote_balance;
        }
        let m = self.margin_of(&v.writer_account);
        i64::try_from(
            m.mark_to_market
                .to_int(greekhouse_risk::Rounding::Down)
                .expect("nav"),
        )
        .expect("nav fits")
    }
}
