//! Which oracle account prices each underlying of a clearing house: a legacy feed's configured
//! price account, or for a Pyth pull feed a `PriceUpdateV2` account the caller names (one it
//! posted, or another it trusts).

use std::collections::HashMap;

use anchor_lang::prelude::Pubkey;
use greekhouse::state::{OracleKind, Underlying};

use crate::accounts::{self, of_clearinghouse};
use crate::chain::Chain;
use crate::margin::MarginError;

/// Every underlying of `clearinghouse`, read from the chain (`getProgramAccounts` on a node).
pub fn underlyings<C: Chain + ?Sized>(
    chain: &mut C,
    clearinghouse: &Pubkey,
) -> Result<Vec<(Pubkey, Underlying)>, MarginError> {
    let found = chain.program_accounts_where(
        <Underlying as anchor_lang::Discriminator>::DISCRIMINATOR,
        &[of_clearinghouse::underlyings(clearinghouse)],
    )?;
    found
        .into_iter()
        .map(|(k, a)| {
            accounts::underlying(&a.data)
                .map(|u| (k, u))
                .map_err(|e| MarginError::Decode(k, e))
        })
        .collect()
}

/// The oracle account of an underlying when the chain alone says which it is (a legacy feed's
/// configured account).
pub fn configured_account(u: &Underlying) -> Option<Pubkey> {
    (u.oracle.kind == OracleKind::Legacy as u8).then(|| Pubkey::new_from_array(u.oracle.feed))
}

/// The oracle account of each underlying of `clearinghouse`: `given` first (the caller's
/// choice, such as a just posted update), else [`configured_account`]. Underlyings with neither
/// are left out (a flow that needs one reports it as [`MarginError::NoOracle`]).
pub fn oracle_accounts<C: Chain + ?Sized>(
    chain: &mut C,
    clearinghouse: &Pubkey,
    given: &HashMap<Pubkey, Pubkey>,
) -> Result<HashMap<Pubkey, Pubkey>, MarginError> {
    let mut map = HashMap::new();
    for (key, u) in underlyings(chain, clearinghouse)? {
        if let Some(o) = given.get(&key).copied().or_else(|| configured_account(&u)) {
            map.insert(key, o);
        }
    }
    Ok(map)
}
