//! Compute-unit probe: a minimal sBPF program around `greekhouse-risk`.
//!
//! Instruction data: `[case, arg]` (see `cases.rs`). The program brackets the measured call with
//! `sol_log_compute_units` and returns the results as return data, which the runner compares
//! with the same computation done natively. Built by `scripts/cu-bench.sh`.
#![no_std]

pub mod cases;
pub mod fixture;

#[cfg(target_arch = "bpf")]
#[allow(unexpected_cfgs)] // pinocchio's macros test `target_os = "solana"`
mod program {
    use crate::cases::{self, Meter, Out};
    use pinocchio::{entrypoint::InstructionContext, error::ProgramError, ProgramResult};

    pinocchio::lazy_program_entrypoint!(process);
    pinocchio::nostd_panic_handler!();

    struct Syscall;
    impl Meter for Syscall {
        #[inline(always)]
        fn mark(&self) {
            // SAFETY: a syscall without arguments.
            unsafe { pinocchio::syscalls::sol_log_compute_units_() }
        }
    }

    fn process(ctx: InstructionContext) -> ProgramResult {
        let data = ctx.instruction_data();
        let (case, arg) = match data {
            [c] => (*c, 0),
            [c, a, ..] => (*c, *a),
            [] => return Err(ProgramError::InvalidInstructionData),
        };
        let mut out = Out::new();
        if !cases::run(case, arg, &Syscall, &mut out) {
            return Err(ProgramError::InvalidInstructionData);
        }
        // SAFETY: `out.buf[..out.len]` is initialised.
        unsafe { pinocchio::syscalls::sol_set_return_data(out.buf.as_ptr(), out.len as u64) };
        Ok(())
    }

    /// Signed 128-bit division, which `solana-compiler-builtins` 0.3 lacks (it has the unsigned
    /// `__udivti3` / `__umodti3` and `__multi3`). Truncates toward zero like Rust's `/`;
    /// `i128::MIN / -1` wraps (Rust's checked `/` never gets here with that pair).
    #[unsafe(no_mangle)]
    pub unsafe fn __divti3(a: i128, b: i128) -> i128 {
        // SAFETY: the unsigned builtin; a zero divisor never reaches it from safe Rust.
        let q = unsafe { solana_compiler_builtins::__udivti3(a.unsigned_abs(), b.unsigned_abs()) }
            as i128;
        if (a < 0) != (b < 0) {
            q.wrapping_neg()
        } else {
            q
        }
    }

    /// Signed 128-bit remainder (sign of the dividend, like Rust's `%`).
    #[unsafe(no_mangle)]
    pub unsafe fn __modti3(a: i128, b: i128) -> i128 {
        // SAFETY: as above.
        let r = unsafe { solana_compiler_builtins::__umodti3(a.unsigned_abs(), b.unsigned_abs()) }
            as i128;
        if a < 0 {
            r.wrapping_neg()
        } else {
            r
        }
    }
}
