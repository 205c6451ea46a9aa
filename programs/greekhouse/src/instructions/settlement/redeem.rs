//! Redeem option tokens of a finalized series (the holder): burn `contracts` tokens and receive
//! `contracts * payout_final` quote from the series' ledger (the final payout is rounded down,
//! so redemptions never exceed the ledger). Never paused; needs no price.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount};
use anchor_spl::token_interface::{
    Mint as QuoteMint, TokenAccount as QuoteAccount, TokenInterface,
};

use crate::engine::{actions, tokens};
use crate::errors::GreekhouseError;
use crate::events::Redeemed;
use crate::state::{Clearinghouse, OptionSeries};

#[event_cpi]
#[derive(Accounts)]
pub struct Redeem<'info> {
    pub holder: Signer<'info>,
    #[account(
        has_one = quote_mint @ GreekhouseError::WrongQuoteMint,
        has_one = quote_vault @ GreekhouseError::WrongVault,
    )]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    #[account(
        mut,
        has_one = clearinghouse @ GreekhouseError::WrongClearinghouse,
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

impl Redeem<'_> {
    pub fn validate(&self, contracts: u64) -> Result<()> {
        actions::settle::check_redeem(
            &*self.series.load()?,
            contracts,
            self.holder_option_account.amount,
        )
    }
}

pub fn redeem_handler(ctx: Context<Redeem>, contracts: u64) -> Result<()> {
    let amount = {
        let held = ctx.accounts.holder_option_account.amount;
        actions::settle::redeem(&mut *ctx.accounts.series.load_mut()?, contracts, held)?
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
    }
    if amount > 0 {
        let a = &ctx.accounts;
        tokens::pay_out_of_vault(
            &a.quote_token_program,
            &a.quote_vault,
            &a.recipient,
            &a.quote_mint,
            &a.clearinghouse.to_account_info(),
            &a.clearinghouse.load()?.signer(),
            amount,
        )?;
    }
    ctx.accounts.option_mint.reload()?;
    let s = ctx.accounts.series.load()?;
    s.invariant_with_supply(ctx.accounts.option_mint.supply)?;
    let event = Redeemed {
        series: ctx.accounts.series.key(),
        holder: ctx.accounts.holder.key(),
        contracts,
        amount,
        payout_final: s.payout_final,
        ledger_after: s.settlement_ledger,
    };
    drop(s);
    emit_cpi!(event);
    Ok(())
}
