//! Which oracle account prices each underlying of a clearing house: a legacy feed's configured
//! price account; for a Pyth pull feed the `PriceUpdateV2` account the caller names (one it
//! posted, see [`crate::pyth_pull`]), else the feed's sponsored account (shard 0), which Pyth
//! keeps fresh for its sponsored feeds.

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

/// The oracle account of an underlying when the chain alone says which it is: a legacy feed's
/// configured account, or a pull feed's sponsored account in shard 0.
pub fn configured_account(u: &Underlying) -> Option<Pubkey> {
    match u.oracle.kind {
        k if k == OracleKind::Legacy as u8 => Some(Pubkey::new_from_array(u.oracle.feed)),
        k if k == OracleKind::PullV2 as u8 => {
            Some(crate::pyth_pull::sponsored_feed_account(&u.oracle.feed, 0))
        }
        _ => None,
    }
}

/// The Pyth pull feed id of an underlying (`None` for a legacy feed).
pub fn pull_feed_id(u: &Underlying) -> Option<[u8; 32]> {
    (u.oracle.kind == OracleKind::PullV2 as u8).then_some(u.oracle.feed)
}

/// The oracle account of each underlying of `clearinghouse`: `given` first (the caller's
/// choice, such as a just posted update), else [`configured_account`]. Underlyings with neither
/// (an unknown oracle kind) are left out (a flow that needs one reports it as
/// [`MarginError::NoOracle`]).
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
