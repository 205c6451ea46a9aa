use anchor_lang::prelude::*;
declare_id!("B5eWaYCA6VdFivhncNdie2vhuXMW8VDRCWwPe8SQW2Pc");
#[program]
pub mod greekhouse {
    use super::*;
    pub fn noop(_ctx: Context<Noop>) -> Result<()> { Ok(()) }
}
#[derive(Accounts)]
pub struct Noop {}
