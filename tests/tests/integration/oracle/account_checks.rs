//! Oracle account checks: wrong owner, wrong feed, foreign and fake price accounts.
use super::*;

#[test]
fn an_oracle_owned_by_another_program_is_refused() {
    each(&BOTH, |b| {
        let mut account = b.oracle_account();
        account.owner = Pubkey::new_unique();
        put(b, account);
        expect_refused(b, E::OracleWrongOwner);
    });
}

#[test]
fn the_owner_check_comes_first() {
    each(&BOTH, |b| {
        let account = solana_account::Account {
            lamports: 1_000_000,
            data: vec![0xAB; 64],
            owner: Pubkey::new_unique(),
            executable: false,
            rent_epoch: 0,
        };
        put(b, account);
        expect_refused(b, E::OracleWrongOwner);
    });
}

#[test]
fn a_pull_update_of_another_feed_is_refused() {
    each(&[SOL], |b| {
        let obs = b.fresh();
        put(b, pull([8u8; 32], obs, VerificationLevel::Full));
        expect_refused(b, E::OracleWrongFeedId);
    });
}

#[test]
fn a_partially_verified_pull_update_is_refused() {
    each(&[SOL], |b| {
        let obs = b.fresh();
        put(
            b,
            pull(
                SOL_FEED_ID,
                obs,
                VerificationLevel::Partial { num_signatures: 5 },
            ),
        );
        expect_refused(b, E::OraclePartialVerification);
        // the feed id is checked before the verification level
        put(
            b,
            pull(
                [8u8; 32],
                obs,
                VerificationLevel::Partial { num_signatures: 1 },
            ),
        );
        expect_refused(b, E::OracleWrongFeedId);
    });
}

#[test]
fn a_legacy_account_at_another_address_is_refused() {
    each(&[BTC], |b| {
        let obs = b.fresh();
        let elsewhere = Pubkey::new_unique();
        let account = legacy(b, obs, PriceStatus::Trading);
        b.env.chain.set_account(&elsewhere, account);
        let before = b.underlying_state().last_publish_time;
        expect_err(b.run_with_oracle(elsewhere), E::OracleWrongAccount);
        assert_eq!(b.underlying_state().last_publish_time, before);
        // the configured account with the same data passes
        b.set(obs);
        expect_accepted(b);
    });
}

#[test]
fn a_legacy_price_not_trading_is_refused() {
    each(&[BTC], |b| {
        let obs = b.fresh();
        for status in [
            PriceStatus::Unknown,
            PriceStatus::Halted,
            PriceStatus::Auction,
            PriceStatus::Ignored,
        ] {
            let account = legacy(b, obs, status);
            put(b, account);
            expect_refused(b, E::OracleNotTrading);
        }
    });
}

#[test]
fn garbage_oracle_data_is_refused() {
    each(&BOTH, |b| {
        let owner = b.u.oracle_program;
        let valid = b.oracle_account();
        let mut truncated = valid.data.clone();
        truncated.truncate(valid.data.len() / 2);
        let mut bad_magic = valid.data.clone();
        bad_magic[..4].copy_from_slice(&[1, 2, 3, 4]);
        for data in [
            vec![],
            vec![0xAB; 200],
            vec![0u8; valid.data.len()],
            truncated,
            bad_magic,
        ] {
            put(
                b,
                solana_account::Account {
                    lamports: 1_000_000,
                    data,
                    owner,
                    executable: false,
                    rent_epoch: 0,
                },
            );
            expect_refused(b, E::OracleInvalidData);
        }
    });
}

#[test]
fn a_pull_update_where_a_legacy_account_is_expected_is_garbage() {
    // the configured legacy address holding a PriceUpdateV2 (owned by the legacy program)
    each(&[BTC], |b| {
        let obs = b.fresh();
        let mut account = pull(SOL_FEED_ID, obs, VerificationLevel::Full);
        account.owner = b.env.legacy_oracle_program;
        put(b, account);
        expect_refused(b, E::OracleInvalidData);
    });
}
