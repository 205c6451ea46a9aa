//! `open_writer_account` and `close_writer_account`: a writer (margin) account's first state,
//! and when it may be closed (empty, active). An owner may hold several, told apart by `index`.

use crate::prelude::*;

use crate::constants::ACCOUNT_VERSION;
use crate::errors::GreekhouseError;
use crate::events::{WriterAccountClosed, WriterAccountOpened};
use crate::state::{WriterAccount, WriterStatus};

/// Fill the just created (zeroed) writer account `w` (address `writer_account`, PDA `bump`) of
/// `owner` at `index` in `clearinghouse`.
pub fn open_writer_account(
    w: &mut WriterAccount,
    writer_account: Pubkey,
    bump: u8,
    clearinghouse: Pubkey,
    owner: Pubkey,
    index: u32,
) -> Result<WriterAccountOpened> {
    w.version = ACCOUNT_VERSION;
    w.bump = bump;
    w.status = WriterStatus::Active as u8;
    w.index = index;
    w.clearinghouse = clearinghouse;
    w.owner = owner;
    w.invariant()?;
    Ok(WriterAccountOpened {
        clearinghouse,
        writer_account,
        owner,
        index,
    })
}

/// The rules of closing `w`: sound, active and empty (no balance, position or debt).
pub fn check_close_writer_account(w: &WriterAccount) -> Result<()> {
    w.invariant()?;
    w.require_active()?;
    require!(w.is_empty(), GreekhouseError::AccountNotEmpty);
    Ok(())
}

/// Close `w` (address `writer_account`; the handler returns its rent to `owner`).
pub fn close_writer_account(
    w: &WriterAccount,
    writer_account: Pubkey,
    owner: Pubkey,
) -> Result<WriterAccountClosed> {
    check_close_writer_account(w)?;
    Ok(WriterAccountClosed {
        writer_account,
        owner,
    })
}
