//! The bank's sBPF-mode helpers: the compute units `scripts/test-sbf.sh` tables come from each
//! top-level instruction's own `consumed` line, not its CPIs'.
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use greekhouse_testkit::bank::{compute_unit_lines, InstructionShape};

#[test]
fn compute_units_are_the_top_level_instructions_own_not_their_cpis() {
    let id = greekhouse::ID;
    let budget = greekhouse_sdk::ix::compute_unit_limit(1_400_000);
    let ours = |n: usize| Instruction {
        program_id: id,
        accounts: vec![AccountMeta::new_readonly(id, false); n],
        data: vec![],
    };
    let logs: Vec<String> = [
        "Program ComputeBudget111111111111111111111111111111 invoke [1]".to_string(),
        "Program ComputeBudget111111111111111111111111111111 success".into(),
        format!("Program {id} invoke [1]"),
        "Program log: Instruction: Bid".into(),
        "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA invoke [2]".into(),
        "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA consumed 4645 of 1300000 compute units".into(),
        "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA success".into(),
        format!("Program {id} invoke [2]"),
        format!("Program {id} consumed 786 of 1290000 compute units"),
        format!("Program {id} success"),
        format!("Program {id} consumed 103707 of 1399850 compute units"),
        format!("Program {id} success"),
        format!("Program {id} invoke [1]"),
        "Program log: Instruction: EndLiquidation".into(),
        format!("Program {id} consumed 40660 of 1296143 compute units"),
        format!("Program {id} failed: custom program error: 0x1770"),
    ]
    .into();
    let shapes = [
        InstructionShape {
            writers: 2,
            positions: 20,
            underlyings: 2,
            assets: 1,
        },
        InstructionShape {
            writers: 1,
            positions: 16,
            underlyings: 2,
            assets: 1,
        },
    ];
    let lines = compute_unit_lines(&[budget, ours(13), ours(9)], &shapes, 1_100, &logs);
    assert_eq!(
        lines,
        "Bid 103707 13 2 20 2 1 1100\nEndLiquidation 40660 9 1 16 2 1 1100\n"
    );
}

/// With transactions sharing slots (the simulator's mode), a transaction sent twice still lands
/// twice (the bank moves to the next slot when the repeat has the same signature; the bank's
/// blockhash also moves with wall time, in which case the repeat differs and the slot stays), a
/// refused one does not move the slot, and the clock the caller set is the bank's whenever it
/// is read or a transaction runs.
#[test]
fn shared_slots_land_a_repeated_transaction_and_keep_the_callers_clock() {
    use greekhouse_sdk::chain::Chain;
    use greekhouse_testkit::bank::BankChain;

    let mut chain = BankChain::start().expect("bank");
    chain.set_slot_per_transaction(false);
    let to = anchor_lang::prelude::Pubkey::new_unique();
    // the Clock sysvar's slot and unix time (its first and fifth 8-byte fields)
    let clock = |chain: &mut BankChain| -> (u64, i64) {
        let a = chain
            .account(&anchor_lang::prelude::pubkey!(
                "SysvarC1ock11111111111111111111111111111111"
            ))
            .unwrap()
            .unwrap();
        let field = |i: usize| <[u8; 8]>::try_from(&a.data[i * 8..i * 8 + 8]).unwrap();
        (u64::from_le_bytes(field(0)), i64::from_le_bytes(field(4)))
    };
    let (slot, _) = clock(&mut chain);
    chain.transfer_lamports(&to, 1_000_000).unwrap();
    let t = chain.unix_timestamp().unwrap() + 3_600;
    chain.set_unix_timestamp(t).unwrap();
    assert_eq!(
        clock(&mut chain),
        (slot, t),
        "the clock, and no new slot without a repeat"
    );
    chain.transfer_lamports(&to, 1_000_000).unwrap();
    let (slot, time) = clock(&mut chain);
    assert_eq!(time, t, "the repeat kept the caller's clock");
    let balance = chain.account(&to).unwrap().unwrap().lamports;
    assert_eq!(balance, 2_000_000);
    // a transaction its simulation refuses is not processed: sent again, it stays in the slot
    let empty = solana_keypair::Keypair::new();
    let overdraw = anchor_lang::solana_program::system_instruction::transfer(
        &solana_signer::Signer::pubkey(&empty),
        &to,
        1,
    );
    for _ in 0..2 {
        assert!(chain
            .send(std::slice::from_ref(&overdraw), &[&empty])
            .is_err());
    }
    assert_eq!(clock(&mut chain), (slot, t));
}
