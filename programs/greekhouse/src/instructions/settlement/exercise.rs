//! Exercise option tokens of an American series before expiry (the holder): burn `contracts`
//! tokens and receive their intrinsic value at the underlying's fresh oracle price (checked as
//! for a write: age, confidence, no rollback; recorded), rounded down, out of the quote vault.
//! The writers' shorts shrink pro rata through the series' exercise index and their exercise
//! debt accrues lazily (`accrue_exercise`; docs/protocol.md section 5b). Refused after the
//! governed cut-off before expiry, on a European series and while paused (`pause::EXERCISE`).

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount};
use anchor_spl::token_interface::{
    Mint as QuoteMint, TokenAccount as QuoteAccount, TokenInterface,
};

use crate::engine::{actions, tokens};
use crate::errors::GreekhouseError;
use crate::oracle::parse_oracle_account;
use crate::state::{Clearinghouse, OptionSeries, Underlying, UnderlyingLedger};

#[event_cpi]
#[derive(Accounts)]
pub struct Exercise<'info> {
    pub holder: Signer<'info>,
    #[account(
        has_one = quote_mint @ GreekhouseError::WrongQuoteMint,
        has_one = quote_vault @ GreekhouseError::WrongVault,
    )]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    /// Written: the price used is recorded (no rollback) and its exercise epoch moves on.
    #[account(mut, has_one = clearinghouse @ GreekhouseError::WrongClearinghouse)]
    pub underlying: AccountLoader<'info, Underlying>,
    #[account(mut, has_one = underlying @ GreekhouseError::WrongUnderlyingLedger)]
    pub underlying_ledger: AccountLoader<'info, UnderlyingLedger>,
    /// CHECK: checked by the oracle adapter against the underlying's configuration.
    pub oracle: UncheckedAccount<'info>,
    #[account(
        mut,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
        has_one = underlying @ GreekhouseError::WrongUnderlying,
        has_one = option_mint @ GreekhouseError::WrongOptionMint,
    )]
    pub series: AccountLoader<'info, OptionSeries>,
    #[account(mut)]
    pub option_mint: Box<Account<'info, Mint>>,
    #[account(
        mut,
        constraint = holder_option_account.mint == option_mint.key() @ GreekhouseError::WrongTokenMint,
        constraint = holder_option_account.owner == holder.key() @ GreekhouseError::WrongTokenOwner,
    )]
    pub holder_option_account: Box<Account<'info, TokenAccount>>,
    /// Receives the payout; any quote token account.
    #[account(mut, constraint = recipient.mint == quote_mint.key() @ GreekhouseError::WrongTokenMint)]
    pub recipient: Box<InterfaceAccount<'info, QuoteAccount>>,
    #[account(mut)]
    pub quote_vault: Box<InterfaceAccount<'info, QuoteAccount>>,
    pub quote_mint: Box<InterfaceAccount<'info, QuoteMint>>,
    #[account(address = clearinghouse.load()?.quote_token_program @ GreekhouseError::WrongTokenProgram)]
    pub quote_token_program: Interface<'info, TokenInterface>,
    pub token_program: Program<'info, Token>,
}

impl Exercise<'_> {
    pub fn validate(&self, contracts: u64) -> Result<()> {
        actions::exercise::check_exercise(
            &*self.clearinghouse.load()?,
            &*self.series.load()?,
            contracts,
            self.holder_option_account.amount,
            Clock::get()?.unix_timestamp,
        )
    }
}

pub fn exercise_handler(ctx: Context<Exercise>, contracts: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let event = {
        let a = &ctx.accounts;
        let mut u = a.underlying.load_mut()?;
        let price = {
            let data = a.oracle.try_borrow_data()?;
            parse_oracle_account(&u, a.oracle.key, a.oracle.owner, &data)?
        };
        actions::exercise::exercise(
            &*a.clearinghouse.load()?,
            &mut u,
            a.series.key(),
            &mut *a.series.load_mut()?,
            &mut *a.underlying_ledger.load_mut()?,
            &price,
            a.holder.key(),
            contracts,
            a.holder_option_account.amount,
            now,
        )?
    };
    {
        let a = &ctx.accounts;
        token::burn(
            CpiContext::new(
                a.token_program.key(),
                Burn {
                    mint: a.option_mint.to_account_info(),
                    from: a.holder_option_account.to_account_info(),
                    authority: a.holder.to_account_info(),
                },
            ),
            contracts,
        )?;
        tokens::pay_out_of_vault(
            &a.quote_token_program,
            &a.quote_vault,
            &a.recipient,
            &a.quote_mint,
            &a.clearinghouse.to_account_info(),
            &a.clearinghouse.load()?.signer(),
            event.amount,
        )?;
    }
    ctx.accounts.option_mint.reload()?;
    ctx.accounts
        .series
        .load()?
        .invariant_with_supply(ctx.accounts.option_mint.supply)?;
    emit_cpi!(event);
    Ok(())
}
