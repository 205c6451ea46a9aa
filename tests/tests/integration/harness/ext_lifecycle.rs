//! What the lifecycle fuzzer (`lifecycle.rs`) needs beyond the scenario kit: moves made outside
//! the program (SPL transfers and burns of option tokens), a writer account at any index (an
//! owner's second account), and the split of a failed transaction into an expected refusal and
//! an unexpected kind of error.

use anchor_lang::prelude::Pubkey;
use greekhouse::errors::GreekhouseError;
use greekhouse_sdk::chain::{Chain, ChainError, TxOutcome};
use greekhouse_sdk::{ix, pda};
use solana_keypair::Keypair;
use solana_signer::Signer;

use super::{code, Env, Writer, SPL_TOKEN};

/// Option mints have no decimals.
const OPTION_DECIMALS: u8 = 0;

/// An SPL Token `transfer_checked` of `amount` option tokens from `from`'s token account of
/// `mint` to `to`'s (created if missing): a move the program never sees.
pub fn spl_transfer(
    env: &mut Env,
    from: &Keypair,
    to: &Pubkey,
    mint: &Pubkey,
    amount: u64,
) -> Result<TxOutcome, ChainError> {
    let src = env.chain.token_account(&from.pubkey(), mint, &SPL_TOKEN)?;
    let dst = env.chain.token_account(to, mint, &SPL_TOKEN)?;
    let ix = anchor_spl::token_2022::spl_token_2022::instruction::transfer_checked(
        &SPL_TOKEN,
        &src,
        mint,
        &dst,
        &from.pubkey(),
        &[],
        amount,
        OPTION_DECIMALS,
    )
    .map_err(|e| ChainError::Backend(e.to_string()))?;
    env.chain.send(&[ix], &[from])
}

/// An SPL Token `burn_checked` of `amount` option tokens by their holder: a forfeited claim the
/// program never sees (the series' open interest stays above the mint's supply).
pub fn spl_burn(
    env: &mut Env,
    holder: &Keypair,
    mint: &Pubkey,
    amount: u64,
) -> Result<TxOutcome, ChainError> {
    let src = env
        .chain
        .token_account(&holder.pubkey(), mint, &SPL_TOKEN)?;
    let ix = anchor_spl::token_2022::spl_token_2022::instruction::burn_checked(
        &SPL_TOKEN,
        &src,
        mint,
        &holder.pubkey(),
        &[],
        amount,
        OPTION_DECIMALS,
    )
    .map_err(|e| ChainError::Backend(e.to_string()))?;
    env.chain.send(&[ix], &[holder])
}

/// Open (or re-open) `owner`'s writer account at `index`.
pub fn open_writer_at(env: &mut Env, owner: &Keypair, index: u32) -> Result<TxOutcome, ChainError> {
    let payer = env.chain.payer();
    let ix = ix::open_writer_account(env.ch.clearinghouse, payer, owner.pubkey(), index);
    env.chain.send(&[ix], &[owner])
}

/// A second (or further) writer account of the owner of `first`, sharing its wallets.
pub fn second_account(env: &mut Env, first: &Writer, index: u32) -> Writer {
    open_writer_at(env, &first.owner, index).expect("open_writer_account (second account)");
    let account = pda::writer_account(&env.ch.clearinghouse, &first.owner.pubkey(), index);
    env.writer_accounts.push(account);
    Writer {
        owner: first.owner.insecure_clone(),
        account,
        quote_ata: first.quote_ata,
        sol_ata: first.sol_ata,
    }
}

/// Close `w`'s account (the owner signs).
pub fn close_writer(env: &mut Env, w: &Writer) -> Result<TxOutcome, ChainError> {
    let ix = ix::close_writer_account(w.account, w.owner.pubkey());
    env.chain.send(&[ix], &[&w.owner])
}

/// Whether a failure is a refusal the fuzzer expects (a program error, a token-program error, an
/// Anchor account check, an SDK projection that declined) or an unexpected kind of error: the
/// program's `InvariantViolated` or `MathOverflow`, a panic, a runtime arithmetic fault or an
/// exhausted compute budget. Returns the description of the unexpected error.
pub fn unexpected(err: &ChainError) -> Option<String> {
    let bad_codes = [
        code(GreekhouseError::InvariantViolated),
        code(GreekhouseError::MathOverflow),
    ];
    match err {
        ChainError::Transaction {
            custom_code: Some(c),
            ..
        } if bad_codes.contains(c) => Some(err.to_string()),
        ChainError::Transaction {
            message,
            custom_code: None,
            logs,
        } => {
            let text = format!("{message} {}", logs.join(" "));
            let bad = ["panicked", "ProgramFailedToComplete", "ArithmeticOverflow"]
                .iter()
                .any(|m| text.contains(m))
                || text.contains("exceeded CUs")
                || text.contains("ComputationalBudgetExceeded");
            bad.then(|| err.to_string())
        }
        _ => None,
    }
}

/// The name of a failure, short (the program's error name when it has one).
pub fn short_err(err: &ChainError) -> String {
    match err.program_error_name() {
        Some(name) => name.to_string(),
        None => {
            let s = err.to_string();
            s.chars().take(160).collect()
        }
    }
}
