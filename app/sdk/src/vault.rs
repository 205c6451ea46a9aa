//! Writer vaults (docs/vaults.md): their addresses and one builder per vault instruction. The
//! margin-checked ones (`vault_deposit`, `vault_withdraw`, `vault_buy`, `vault_sell_back`) take
//! the remaining accounts of the vault's writer account (`MarginInputs::remaining_accounts` of
//! the account as the instruction needs it: after the write for a buy, before the burn for a
//! sell-back, as it is otherwise; none while it holds only quote).

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::{InstructionData, ToAccountMetas};
use greekhouse::args::{CreateVaultArgs, VaultBuyArgs, VaultSellBackArgs};
use greekhouse::constants::{
    VAULT_SEED, VAULT_SHARE_MINT_SEED, VAULT_WITHDRAWAL_SEED, VAULT_WRITER_INDEX,
};
use greekhouse::state::VaultPolicy;
use greekhouse::{accounts as acc, instruction as data};

use crate::ix::ClearinghouseRef;
use crate::pda;

fn find(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &greekhouse::ID).0
}

/// The vault PDA at `index`.
pub fn vault(clearinghouse: &Pubkey, index: u32) -> Pubkey {
    find(&[VAULT_SEED, clearinghouse.as_ref(), &index.to_le_bytes()])
}

/// The vault's share mint.
pub fn share_mint(vault: &Pubkey) -> Pubkey {
    find(&[VAULT_SHARE_MINT_SEED, vault.as_ref()])
}

/// The vault's writer account (owned by the vault PDA).
pub fn writer_account(clearinghouse: &Pubkey, vault: &Pubkey) -> Pubkey {
    pda::writer_account(clearinghouse, vault, VAULT_WRITER_INDEX)
}

/// `owner`'s pending withdrawal from `vault`.
pub fn withdrawal(vault: &Pubkey, owner: &Pubkey) -> Pubkey {
    find(&[VAULT_WITHDRAWAL_SEED, vault.as_ref(), owner.as_ref()])
}

/// A vault's addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VaultRef {
    pub ch: ClearinghouseRef,
    pub vault: Pubkey,
    pub underlying: Pubkey,
    pub share_mint: Pubkey,
    pub writer_account: Pubkey,
}

impl VaultRef {
    pub fn new(ch: ClearinghouseRef, index: u32, underlying: Pubkey) -> Self {
        let vault = vault(&ch.clearinghouse, index);
        Self {
            ch,
            vault,
            underlying,
            share_mint: share_mint(&vault),
            writer_account: writer_account(&ch.clearinghouse, &vault),
        }
    }
}

fn build(
    accounts: impl ToAccountMetas,
    data: impl InstructionData,
    remaining: Vec<AccountMeta>,
) -> Instruction {
    let mut metas = accounts.to_account_metas(None);
    metas.extend(remaining);
    Instruction {
        program_id: greekhouse::ID,
        accounts: metas,
        data: data.data(),
    }
}

pub fn create_vault(
    v: &VaultRef,
    payer: Pubkey,
    admin: Pubkey,
    index: u32,
    policy: VaultPolicy,
) -> Instruction {
    build(
        acc::CreateVault {
            payer,
            admin,
            clearinghouse: v.ch.clearinghouse,
            underlying: v.underlying,
            vault: v.vault,
            share_mint: v.share_mint,
            writer_account: v.writer_account,
            token_program: anchor_spl::token::ID,
            system_program: anchor_lang::system_program::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::CreateVault {
            args: CreateVaultArgs { index, policy },
        },
        vec![],
    )
}

pub fn vault_deposit(
    v: &VaultRef,
    depositor: Pubkey,
    depositor_quote: Pubkey,
    share_recipient: Pubkey,
    amount: u64,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::VaultDeposit {
            depositor,
            clearinghouse: v.ch.clearinghouse,
            vault: v.vault,
            writer_account: v.writer_account,
            share_mint: v.share_mint,
            share_recipient,
            quote_vault: v.ch.quote_vault,
            depositor_quote,
            quote_mint: v.ch.quote_mint,
            quote_token_program: v.ch.quote_token_program,
            token_program: anchor_spl::token::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::VaultDeposit { amount },
        margin_accounts,
    )
}

pub fn request_vault_withdraw(
    v: &VaultRef,
    payer: Pubkey,
    owner: Pubkey,
    owner_shares: Pubkey,
    shares: u64,
) -> Instruction {
    build(
        acc::RequestVaultWithdraw {
            payer,
            owner,
            vault: v.vault,
            share_mint: v.share_mint,
            owner_shares,
            withdrawal: withdrawal(&v.vault, &owner),
            token_program: anchor_spl::token::ID,
            system_program: anchor_lang::system_program::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::RequestVaultWithdraw { shares },
        vec![],
    )
}

pub fn cancel_vault_withdraw(v: &VaultRef, owner: Pubkey, share_recipient: Pubkey) -> Instruction {
    build(
        acc::CancelVaultWithdraw {
            owner,
            vault: v.vault,
            withdrawal: withdrawal(&v.vault, &owner),
            share_mint: v.share_mint,
            share_recipient,
            token_program: anchor_spl::token::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::CancelVaultWithdraw {},
        vec![],
    )
}

pub fn vault_withdraw(
    v: &VaultRef,
    owner: Pubkey,
    recipient: Pubkey,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::VaultWithdraw {
            owner,
            clearinghouse: v.ch.clearinghouse,
            vault: v.vault,
            writer_account: v.writer_account,
            withdrawal: withdrawal(&v.vault, &owner),
            share_mint: v.share_mint,
            quote_vault: v.ch.quote_vault,
            recipient,
            quote_mint: v.ch.quote_mint,
            quote_token_program: v.ch.quote_token_program,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::VaultWithdraw {},
        margin_accounts,
    )
}

#[allow(clippy::too_many_arguments)]
pub fn vault_buy(
    v: &VaultRef,
    buyer: Pubkey,
    buyer_quote: Pubkey,
    series: Pubkey,
    recipient: Pubkey,
    contracts: u64,
    max_price: u64,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::VaultBuy {
            buyer,
            clearinghouse: v.ch.clearinghouse,
            vault: v.vault,
            writer_account: v.writer_account,
            underlying: v.underlying,
            underlying_ledger: pda::underlying_ledger(&v.underlying),
            series,
            option_mint: pda::option_mint(&series),
            recipient,
            buyer_quote,
            quote_vault: v.ch.quote_vault,
            quote_mint: v.ch.quote_mint,
            quote_token_program: v.ch.quote_token_program,
            token_program: anchor_spl::token::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::VaultBuy {
            args: VaultBuyArgs {
                contracts,
                max_price,
            },
        },
        margin_accounts,
    )
}

#[allow(clippy::too_many_arguments)]
pub fn vault_sell_back(
    v: &VaultRef,
    holder: Pubkey,
    holder_options: Pubkey,
    series: Pubkey,
    recipient: Pubkey,
    contracts: u64,
    min_price: u64,
    margin_accounts: Vec<AccountMeta>,
) -> Instruction {
    build(
        acc::VaultSellBack {
            holder,
            clearinghouse: v.ch.clearinghouse,
            vault: v.vault,
            writer_account: v.writer_account,
            underlying_ledger: pda::underlying_ledger(&v.underlying),
            series,
            option_mint: pda::option_mint(&series),
            holder_options,
            quote_vault: v.ch.quote_vault,
            recipient,
            quote_mint: v.ch.quote_mint,
            quote_token_program: v.ch.quote_token_program,
            token_program: anchor_spl::token::ID,
            event_authority: pda::event_authority(),
            program: greekhouse::ID,
        },
        data::VaultSellBack {
            args: VaultSellBackArgs {
                contracts,
                min_price,
            },
        },
        margin_accounts,
    )
}
