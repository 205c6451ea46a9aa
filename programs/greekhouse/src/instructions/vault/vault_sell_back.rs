//! A holder sells `contracts` option tokens back to a vault: the tokens are burned against the
//! vault's short and the holder is paid `floor(mark * (1 - spread))` (at least `min_price`) out
//! of the vault's quote balance, with fresh prices, an account still short standing at IM
//! afterwards; paused with withdrawals (quote leaves an account with shorts). Remaining
//! accounts: the margin layout of the vault's writer account before the burn.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount};
use anchor_spl::token_interface::{
    Mint as QuoteMint, TokenAccount as QuoteAccount, TokenInterface,
};

pub use crate::args::VaultSellBackArgs;

use crate::engine::{actions, margin, tokens};
use crate::errors::GreekhouseError;
use crate::events::VaultBoughtBack;
use crate::oracle::PriceUse;
use crate::state::{Clearinghouse, OptionSeries, UnderlyingLedger, Vault, WriterAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct VaultSellBack<'info> {
    pub holder: Signer<'info>,
    #[account(has_one = quote_mint @ GreekhouseError::WrongQuoteMint)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(
        mut,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
        has_one = writer_account @ GreekhouseError::WrongVaultWriterAccount,
    )]
    pub vault: AccountLoader<'info, Vault>,
    #[account(mut)]
    pub writer_account: AccountLoader<'info, WriterAccount>,
    #[account(
        mut,
        constraint = underlying_ledger.load()?.underlying == series.load()?.underlying @ GreekhouseError::WrongUnderlyingLedger,
    )]
    pub underlying_ledger: AccountLoader<'info, UnderlyingLedger>,
    #[account(mut, has_one = option_mint @ GreekhouseError::WrongOptionMint)]
    pub series: AccountLoader<'info, OptionSeries>,
    #[account(mut)]
    pub option_mint: Box<Account<'info, Mint>>,
    /// Holds the tokens to sell; the holder is its authority.
    #[account(
        mut,
        constraint = holder_options.mint == option_mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = holder_options.owner == holder.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub holder_options: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = clearinghouse.load()?.quote_vault @ GreekhouseError::WrongVault)]
    pub quote_vault: Box<InterfaceAccount<'info, QuoteAccount>>,
    /// Receives the price; any quote token account.
    #[account(mut, constraint = recipient.mint == quote_mint.key() @ GreekhouseError::WrongTokenMint)]
    pub recipient: Box<InterfaceAccount<'info, QuoteAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, QuoteMint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub quote_token_program: Interface<'info, TokenInterface>,
    pub token_program: Program<'info, Token>,
}

impl VaultSellBack<'_> {
    /// The sell-back's rules that need no price.
    pub fn validate(&self, args: &VaultSellBackArgs) -> Result<()> {
        actions::vault_trade::check_vault_sell_back(
            &*self.clearinghouse.load()?,
            &*self.writer_account.load()?,
            &self.series.key(),
            &*self.series.load()?,
            args.contracts,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn vault_sell_back_handler<'info>(
    ctx: Context<'info, VaultSellBack<'info>>,
    args: VaultSellBackArgs,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let ch = *a.clearinghouse.load()?;
    let series_key = a.series.key();
    token::burn(
        CpiContext::new(
            a.token_program.key(),
            Burn {
                mint: a.option_mint.to_account_info(),
                from: a.holder_options.to_account_info(),
                authority: a.holder.to_account_info(),
            },
        ),
        args.contracts,
    )?;
    let outcome = {
        let mut prices = margin::prices_from(
            a.clearinghouse.key(),
            ctx.remaining_accounts,
            now,
            PriceUse::RiskIncreasing,
        );
        actions::vault_trade::sell_back(
            &ch,
            &mut *a.vault.load_mut()?,
            &mut *a.writer_account.load_mut()?,
            series_key,
            &mut *a.series.load_mut()?,
            &mut *a.underlying_ledger.load_mut()?,
            &mut prices,
            args.contracts,
            args.min_price,
            now,
        )?
    };
    if outcome.price > 0 {
        tokens::pay_out_of_vault(
            &a.quote_token_program,
            &a.quote_vault,
            &a.recipient,
            &a.quote_mint,
            &a.clearinghouse.to_account_info(),
            &ch.signer(),
            outcome.price,
        )?;
    }
    ctx.accounts.option_mint.reload()?;
    ctx.accounts
        .series
        .load()?
        .invariant_with_supply(ctx.accounts.option_mint.supply)?;

    emit_cpi!(VaultBoughtBack {
        vault: ctx.accounts.vault.key(),
        series: series_key,
        holder: ctx.accounts.holder.key(),
        contracts: args.contracts,
        price: outcome.price,
        short_after: outcome.short_after,
    });
    Ok(())
}
