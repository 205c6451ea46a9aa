//! Series passed as remaining accounts, ahead of a margin layout: the series of an account's
//! shorts (`resolve_bankruptcy`) or of its debt markers (`resolve_debt`), writable, in slot
//! order. Each must be the expected key, writable, and of this clearing house.

use anchor_lang::prelude::*;

use crate::errors::GreekhouseError;
use crate::state::OptionSeries;

/// Split `remaining` into the series `keys` name (checked: key and writable, loaders returned)
/// and the accounts after them.
pub fn take_series<'info>(
    remaining: &'info [AccountInfo<'info>],
    keys: &[Pubkey],
) -> Result<(
    Vec<AccountLoader<'info, OptionSeries>>,
    &'info [AccountInfo<'info>],
)> {
    require!(
        remaining.len() >= keys.len(),
        GreekhouseError::SeriesAccountsMismatch
    );
    let (infos, rest) = remaining.split_at(keys.len());
    let mut loaders = Vec::with_capacity(keys.len());
    for (key, info) in keys.iter().zip(infos) {
        require_keys_eq!(*info.key, *key, GreekhouseError::SeriesAccountsMismatch);
        require!(info.is_writable, GreekhouseError::SeriesAccountsMismatch);
        loaders.push(AccountLoader::<OptionSeries>::try_from(info)?);
    }
    Ok((loaders, rest))
}

/// Each loaded series belongs to `clearinghouse`.
pub fn require_of_clearinghouse<'a>(
    series: impl IntoIterator<Item = &'a OptionSeries>,
    clearinghouse: &Pubkey,
) -> Result<()> {
    for s in series {
        require_keys_eq!(
            s.clearinghouse,
            *clearinghouse,
            GreekhouseError::WrongClearinghouse
        );
    }
    Ok(())
}
