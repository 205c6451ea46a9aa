//! A writer's pending exercise accruals, run ahead of a margin-checked action.
//!
//! The program refuses every margin check of an account holding an American short behind its
//! underlying's exercise epoch (`ExerciseNotAccrued`, docs/protocol.md 5b) until
//! `accrue_exercise` ran. A writer's write or withdrawal therefore sends the pending accruals
//! first, in the same transaction, and is projected on the account as they leave it: the
//! program's accrue action runs on copies of the writer account and its series, and a
//! [`Projection`] serves those copies to the flows in place of the fetched accounts.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use greekhouse::engine::actions;
use greekhouse::state::WriterAccount;

use crate::chain::Chain;
use crate::margin::{fetch_decoded as fetch, program_error, MarginError};
use crate::projection::Projection;
use crate::{accounts, ix};

/// The (series, underlying) of each American short of `writer` behind its underlying's
/// exercise epoch: what needs `accrue_exercise` before any margin check.
pub fn pending<C: Chain + ?Sized>(
    chain: &mut C,
    writer: &WriterAccount,
) -> Result<Vec<(Pubkey, Pubkey)>, MarginError> {
    let mut out = Vec::new();
    for p in writer.positions.iter().filter(|p| p.is_american_short()) {
        let u = fetch(chain, &p.underlying, accounts::underlying)?;
        if p.exercise_epoch != u.exercise_epoch {
            out.push((p.series, p.underlying));
        }
    }
    Ok(out)
}

/// The `accrue_exercise` instructions `writer_account` needs, and a view of the chain in which
/// the program's accrue action has run on the writer account and each series concerned, for
/// projecting what is sent after them in the same transaction. An accrual the program would
/// refuse is that refusal.
pub fn accrue_first<'a, C: Chain + ?Sized>(
    chain: &'a mut C,
    writer_account: &Pubkey,
) -> Result<(Projection<'a, C>, Vec<Instruction>), MarginError> {
    let mut view = Projection::new(chain);
    let mut writer = fetch(&mut view, writer_account, accounts::writer_account)?;
    let legs = pending(&mut view, &writer)?;
    if !legs.is_empty() {
        let now = view.unix_timestamp()?;
        for &(series_key, underlying_key) in &legs {
            // a series accrued for an earlier leg reads as that leg left it
            let mut series = fetch(&mut view, &series_key, accounts::option_series)?;
            let u = fetch(&mut view, &underlying_key, accounts::underlying)?;
            actions::exercise::accrue(
                *writer_account,
                &mut writer,
                series_key,
                &mut series,
                &u,
                now,
            )
            .map_err(program_error)?;
            view.set(series_key, &series);
        }
        view.set(*writer_account, &writer);
    }
    let instructions = legs
        .iter()
        .map(|&(series, underlying)| ix::accrue_exercise(*writer_account, series, underlying))
        .collect();
    Ok((view, instructions))
}
