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
