//! The margin-account layout: which accounts a margin check of one or several writer accounts
//! needs, and in which order. One pure definition; the program checks remaining accounts
//! against it ([`super::margin::load_margin_accounts`]) and the SDK builds them from it, so the
//! two can never disagree.
//!
//! Remaining accounts of every margin-checked instruction:
//! 1. every collateral asset the writer accounts hold ([`collateral_assets`]);
//! 2. for every underlying in [`underlyings`]: the `Underlying` account, then its oracle account.
//!
//! Several writer accounts (a liquidated account and its bidder) share one list: an asset or
//! underlying both need appears once.

use crate::prelude::*;

use crate::state::{CollateralAsset, PriceSource, WriterAccount};

fn push_unique(keys: &mut Vec<Pubkey>, key: Pubkey) {
    if !keys.contains(&key) {
        keys.push(key);
    }
}

/// Collateral assets held by `writers`: each writer's non-empty slots in slot order, writers in
/// the given order, each asset once.
pub fn collateral_assets(writers: &[&WriterAccount]) -> Vec<Pubkey> {
    let mut keys = Vec::new();
    collateral_assets_into(writers, &mut keys);
    keys
}

/// [`collateral_assets`] into `keys` (cleared first; a margin computation reuses its buffers).
pub fn collateral_assets_into(writers: &[&WriterAccount], keys: &mut Vec<Pubkey>) {
    keys.clear();
    for w in writers {
        for slot in w
            .collaterals
            .iter()
            .filter(|c| c.asset != Pubkey::default())
        {
            push_unique(keys, slot.asset);
        }
    }
}

/// Underlyings the margin of `writers` depends on: the price underlyings of `assets` (in
/// [`collateral_assets`] order, pegged assets need none), then each writer's position
/// underlyings in slot order, each once.
pub fn underlyings(
    writers: &[&WriterAccount],
    assets: &[(Pubkey, CollateralAsset)],
) -> Vec<Pubkey> {
    let mut keys = Vec::new();
    underlyings_into(writers, assets, &mut keys);
    keys
}

/// [`underlyings`] into `keys` (cleared first; a margin computation reuses its buffers).
pub fn underlyings_into(
    writers: &[&WriterAccount],
    assets: &[(Pubkey, CollateralAsset)],
    keys: &mut Vec<Pubkey>,
) {
    keys.clear();
    for (_, a) in assets {
        if a.price_source == PriceSource::Underlying as u8 {
            push_unique(keys, a.price_underlying);
        }
    }
    for w in writers {
        for p in w.positions.iter().filter(|p| p.contracts > 0) {
            push_unique(keys, p.underlying);
        }
    }
}

/// Number of remaining accounts the layout takes: assets, then two per underlying.
pub fn account_count(asset_count: usize, underlying_count: usize) -> usize {
    asset_count + 2 * underlying_count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{CollateralBalance, Position};

    fn writer(assets: &[Pubkey], underlyings: &[Pubkey]) -> WriterAccount {
        let mut w: WriterAccount = bytemuck::Zeroable::zeroed();
        for (i, a) in assets.iter().enumerate() {
            w.collaterals[i] = CollateralBalance {
                asset: *a,
                amount: 1,
            };
        }
        for (i, u) in underlyings.iter().enumerate() {
            w.positions[i] = Position {
                series: Pubkey::new_unique(),
                underlying: *u,
                contracts: 1,
                strike: 1,
                ..Position::default()
            };
        }
        w
    }

    fn asset(price_underlying: Option<Pubkey>) -> CollateralAsset {
        let mut a: CollateralAsset = bytemuck::Zeroable::zeroed();
        if let Some(u) = price_underlying {
            a.price_source = PriceSource::Underlying as u8;
            a.price_underlying = u;
        }
        a
    }

    #[test]
    fn two_writers_share_one_deduplicated_list() {
        let (sol, btc, eth) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let (sol_asset, usdt) = (Pubkey::new_unique(), Pubkey::new_unique());
        let liquidated = writer(&[sol_asset, usdt], &[btc, sol, btc]);
        let bidder = writer(&[usdt], &[eth, sol]);
        let assets = collateral_assets(&[&liquidated, &bidder]);
        assert_eq!(assets, vec![sol_asset, usdt]);
        let decoded = vec![(sol_asset, asset(Some(sol))), (usdt, asset(None))];
        let unds = underlyings(&[&liquidated, &bidder], &decoded);
        assert_eq!(unds, vec![sol, btc, eth]);
        assert_eq!(account_count(assets.len(), unds.len()), 8);
    }

    #[test]
    fn one_writer_without_positions_needs_only_its_priced_assets() {
        let sol = Pubkey::new_unique();
        let sol_asset = Pubkey::new_unique();
        let w = writer(&[sol_asset], &[]);
        let decoded = vec![(sol_asset, asset(Some(sol)))];
        assert_eq!(collateral_assets(&[&w]), vec![sol_asset]);
        assert_eq!(underlyings(&[&w], &decoded), vec![sol]);
        let empty = writer(&[], &[]);
        assert!(collateral_assets(&[&empty]).is_empty());
    }
}
