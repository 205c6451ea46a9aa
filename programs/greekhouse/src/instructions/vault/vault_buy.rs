//! A buyer buys `contracts` of a series from a vault: the vault's writer account writes them
//! (the ordinary write: pause flag `WRITE`, fresh oracle and surface, caps, fee, IM) within the
//! vault's policy and utilisation limit, the buyer pays `ceil(mark * (1 + spread))` (at most
//! `max_price`) into the vault's quote balance, and the tokens are minted to any token account
//! of the option mint. Remaining accounts: the margin layout of the vault's writer account after
//! the write (as for `write_options`).

use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use anchor_spl::token_interface::{
    Mint as QuoteMint, TokenAccount as QuoteAccount, TokenInterface,
};

pub use crate::args::VaultBuyArgs;

use crate::engine::{actions, ledger, margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::VaultSold;
use crate::oracle::PriceUse;
use crate::state::{
    Clearinghouse, OptionSeries, Underlying, UnderlyingLedger, Vault, WriterAccount,
};

#[event_cpi]
#[derive(Accounts)]
pub struct VaultBuy<'info> {
    pub buyer: Signer<'info>,
    #[account(has_one = quote_mint @ GreekhouseError::WrongQuoteMint)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(
        mut,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
        has_one = writer_account @ GreekhouseError::WrongVaultWriterAccount,
        has_one = underlying @ GreekhouseError::VaultUnderlyingMismatch,
    )]
    pub vault: AccountLoader<'info, Vault>,
    #[account(mut)]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    pub underlying: AccountLoader<'info, Underlying>,
    #[account(mut, has_one = underlying @ GreekhouseError::WrongUnderlyingLedger)]
    pub underlying_ledger: AccountLoader<'info, UnderlyingLedger>,
    #[account(
        mut,
        has_one = underlying @ GreekhouseError::WrongUnderlying,
        has_one = option_mint @ GreekhouseError::WrongOptionMint,
    )]
    pub series: AccountLoader<'info, OptionSeries>,
    #[account(mut)]
    pub option_mint: Box<Account<'info, Mint>>,
    /// Receives the option tokens; any token account of the option mint.
    #[account(mut, constraint = recipient.mint == option_mint.key() @ GreekhouseError::WrongTokenMint)]
    pub recipient: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = buyer_quote.mint == quote_mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = buyer_quote.owner == buyer.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub buyer_quote: Box<InterfaceAccount<'info, QuoteAccount>>,
    #[account(mut, address = clearinghouse.load()?.quote_vault @ GreekhouseError::WrongVault)]
    pub quote_vault: Box<InterfaceAccount<'info, QuoteAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, QuoteMint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub quote_token_program: Interface<'info, TokenInterface>,
    pub token_program: Program<'info, Token>,
}

impl VaultBuy<'_> {
    /// The sale's rules that need no price.
    pub fn validate(&self, args: &VaultBuyArgs) -> Result<()> {
        actions::vault_trade::check_vault_buy(
            &*self.clearinghouse.load()?,
            &*self.vault.load()?,
            &*self.writer_account.load()?,
            &*self.series.load()?,
            &*self.underlying.load()?,
            args.contracts,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn vault_buy_handler<'info>(
    ctx: Context<'info, VaultBuy<'info>>,
    args: VaultBuyArgs,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let series_key = a.series.key();
    let (outcome, signer) = {
        let mut series = a.series.load_mut()?;
        let mut prices = margin::prices_from(
            a.clearinghouse.key(),
            ctx.remaining_accounts,
            now,
            PriceUse::RiskIncreasing,
        );
        let outcome = actions::vault_trade::buy(
            &ch,
            &mut *a.vault.load_mut()?,
            &*a.underlying.load()?,
            &mut *a.writer_account.load_mut()?,
            series_key,
            &mut series,
            &mut *a.underlying_ledger.load_mut()?,
            &mut prices,
            args.contracts,
            args.max_price,
            now,
        )?;
        (outcome, series.signer())
    };

    let before = a.quote_vault.amount;
    tokens::transfer_in(
        &a.quote_token_program,
        &a.buyer_quote,
        &a.quote_vault,
        &a.quote_mint,
        &a.buyer,
        outcome.price,
    )?;
    ctx.accounts.quote_vault.reload()?;
    ledger::require_vault_delta(before, ctx.accounts.quote_vault.amount, outcome.price, true)?;

    let a = &ctx.accounts;
    tokens::mint_options(
        a.token_program.key(),
        a.option_mint.to_account_info(),
        a.recipient.to_account_info(),
        a.series.to_account_info(),
        &signer,
        args.contracts,
    )?;
    ctx.accounts.option_mint.reload()?;
    ctx.accounts
        .series
        .load()?
        .invariant_with_supply(ctx.accounts.option_mint.supply)?;

    emit_cpi!(VaultSold {
        vault: ctx.accounts.vault.key(),
        series: series_key,
        buyer: ctx.accounts.buyer.key(),
        recipient: ctx.accounts.recipient.key(),
        contracts: args.contracts,
        price: outcome.price,
        mark: outcome.mark,
        fee: outcome.fee,
        short_after: outcome.short_after,
        utilisation_bps: outcome.utilisation_bps,
    });
    Ok(())
}
