//! List an underlying: its Pyth oracle, vol surface, margin parameters, series rules, OI cap.

use anchor_lang::prelude::*;

pub use crate::args::ListUnderlyingArgs;

use crate::constants::{UNDERLYING_LEDGER_SEED, UNDERLYING_SEED};
use crate::engine::actions::listing::{
    check_list_underlying, count_underlying, list_underlying, ListedUnderlying,
};
use crate::engine::create::{load_new, Creator};
use crate::errors::GreekhouseError;
use crate::state::{Clearinghouse, Underlying, UnderlyingLedger};

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: ListUnderlyingArgs)]
pub struct ListUnderlying<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ GreekhouseError::NotAdmin)]
    pub clearinghouse: AccountLoader<'info, Clearinghouse>,
    /// CHECK: created here (empty or pre-funded system account at the PDA address).
    #[account(mut, seeds = [UNDERLYING_SEED, clearinghouse.key().as_ref(), &args.id.to_le_bytes()], bump)]
    pub underlying: UncheckedAccount<'info>,
    /// CHECK: created here; the underlying's hot counters (open interest, fees).
    #[account(mut, seeds = [UNDERLYING_LEDGER_SEED, underlying.key().as_ref()], bump)]
    pub underlying_ledger: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl ListUnderlying<'_> {
    pub fn validate(&self, args: &ListUnderlyingArgs) -> Result<()> {
        check_list_underlying(&*self.clearinghouse.load()?, args)
    }
}

pub fn list_underlying_handler(
    ctx: Context<ListUnderlying>,
    args: ListUnderlyingArgs,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let clearinghouse_key = a.clearinghouse.key();
    count_underlying(&mut *a.clearinghouse.load_mut()?, &args)?;

    let creator = Creator {
        payer: &a.payer.to_account_info(),
        system_program: &a.system_program.to_account_info(),
    };
    let id_bytes = args.id.to_le_bytes();
    let underlying_key = a.underlying.key();
    creator.create_zero_copy::<Underlying>(
        &a.underlying,
        &[
            UNDERLYING_SEED,
            clearinghouse_key.as_ref(),
            &id_bytes,
            &[ctx.bumps.underlying],
        ],
    )?;
    creator.create_zero_copy::<UnderlyingLedger>(
        &a.underlying_ledger,
        &[
            UNDERLYING_LEDGER_SEED,
            underlying_key.as_ref(),
            &[ctx.bumps.underlying_ledger],
        ],
    )?;
    let mut ledger = load_new::<UnderlyingLedger>(&a.underlying_ledger)?;
    let mut u = load_new::<Underlying>(&a.underlying)?;
    let event = list_underlying(
        &mut u,
        &mut ledger,
        &ListedUnderlying {
            clearinghouse: clearinghouse_key,
            underlying: underlying_key,
            bump: ctx.bumps.underlying,
            underlying_ledger: a.underlying_ledger.key(),
            ledger_bump: ctx.bumps.underlying_ledger,
        },
        &args,
        now,
    )?;
    drop((u, ledger));
    emit_cpi!(event);
    Ok(())
}
