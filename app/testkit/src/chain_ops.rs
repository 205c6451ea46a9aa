//! What the scenario kit does to a chain beyond the SDK's [`Chain`]: fund keys, create mints
//! and token accounts, mint, read balances. Written once over [`Chain`] (instructions and
//! account reads), so the same code runs on the in-process bank and on a node over JSON-RPC;
//! only [`ChainOps::new_keypair`] differs (the bank derives keys from a seed when asked). The
//! bank and the SDK's `RpcChain` implement it.

use anchor_lang::prelude::{Pubkey, Rent};
use anchor_lang::solana_program::program_pack::Pack;
use greekhouse_sdk::chain::{Chain, ChainError};
use solana_keypair::Keypair;
use solana_signer::Signer;

fn backend<E: std::fmt::Display>(e: E) -> ChainError {
    ChainError::Backend(e.to_string())
}

/// Setup and reads the scenario kit needs, for any [`Chain`] whose payer holds lamports.
pub trait ChainOps: Chain {
    /// A new keypair (random unless the chain derives its keys from a seed).
    fn new_keypair(&mut self) -> Keypair {
        Keypair::new()
    }

    /// A new keypair funded with `lamports` by the payer.
    fn funded_keypair(&mut self, lamports: u64) -> Result<Keypair, ChainError> {
        let kp = self.new_keypair();
        self.transfer_lamports(&kp.pubkey(), lamports)?;
        Ok(kp)
    }

    /// Send lamports from the payer.
    fn transfer_lamports(&mut self, to: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        let ix =
            anchor_lang::solana_program::system_instruction::transfer(&self.payer(), to, lamports);
        self.send(&[ix], &[]).map(|_| ())
    }

    /// Create a mint under `token_program` (SPL Token or Token-2022, no extensions).
    fn create_mint(
        &mut self,
        token_program: &Pubkey,
        decimals: u8,
        authority: &Pubkey,
    ) -> Result<Pubkey, ChainError> {
        let mint = self.new_keypair();
        let space = anchor_spl::token::spl_token::state::Mint::LEN;
        // the default rent: what the bank and a local validator charge
        let lamports = Rent::default().minimum_balance(space);
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &self.payer(),
            &mint.pubkey(),
            lamports,
            space as u64,
            token_program,
        );
        let init = anchor_spl::token_2022::spl_token_2022::instruction::initialize_mint2(
            token_program,
            &mint.pubkey(),
            authority,
            None,
            decimals,
        )
        .map_err(backend)?;
        self.send(&[create, init], &[&mint])?;
        Ok(mint.pubkey())
    }

    /// The associated token account of `owner`, created if missing.
    fn token_account(
        &mut self,
        owner: &Pubkey,
        mint: &Pubkey,
        token_program: &Pubkey,
    ) -> Result<Pubkey, ChainError> {
        let (ata, create) = greekhouse_sdk::localnet::associated_token_account(
            self.payer(),
            *owner,
            *mint,
            *token_program,
        );
        if self.account(&ata)?.is_none() {
            self.send(&[create], &[])?;
        }
        Ok(ata)
    }

    /// Mint `amount` to `account`.
    fn mint_to(
        &mut self,
        token_program: &Pubkey,
        mint: &Pubkey,
        account: &Pubkey,
        authority: &Keypair,
        amount: u64,
    ) -> Result<(), ChainError> {
        let ix = anchor_spl::token_2022::spl_token_2022::instruction::mint_to(
            token_program,
            mint,
            account,
            &authority.pubkey(),
            &[],
            amount,
        )
        .map_err(backend)?;
        self.send(&[ix], &[authority]).map(|_| ())
    }

    /// Token balance of a token account (0 when it does not exist).
    fn token_balance(&mut self, account: &Pubkey) -> Result<u64, ChainError> {
        Ok(match self.account(account)? {
            // amount sits at bytes 64..72 in both token programs' account layout
            Some(a) if a.data.len() >= 72 => u64::from_le_bytes(a.data[64..72].try_into().unwrap()),
            _ => 0,
        })
    }

    /// Supply of a mint.
    fn mint_supply(&mut self, mint: &Pubkey) -> Result<u64, ChainError> {
        let a = self.account(mint)?.ok_or_else(|| backend("mint missing"))?;
        // supply sits at bytes 36..44 of the mint layout
        Ok(u64::from_le_bytes(a.data[36..44].try_into().unwrap()))
    }
}

/// A node over JSON-RPC (a local validator, a cluster): its payer funds the keys it makes.
impl ChainOps for greekhouse_sdk::rpc::RpcChain {}
