// Builders for insurance staking (docs/insurance.md): open_insurance_stake, stake,
// request_unstake, cancel_unstake, unstake, donate; the Rust SDK's app/sdk/src/ix.rs builders,
// typed by the IDL. test/offline/admin-builders.test.mjs requires the same bytes as the Rust
// SDK for the same inputs (test/fixtures/instructions.json).
import anchor from "@coral-xyz/anchor";
import { SYSTEM_PROGRAM_ID } from "./pda.js";
import type { GreekhouseClient } from "./client.js";

const { BN, web3 } = anchor;
type PublicKey = InstanceType<typeof web3.PublicKey>;
type TransactionInstruction = InstanceType<typeof web3.TransactionInstruction>;
type AccountMeta = { pubkey: PublicKey; isSigner: boolean; isWritable: boolean };

const bn = (v: bigint | number) => new BN(v.toString());

/** Insurance-fund instructions of one clearing house (`client.insurance`). */
export class InsuranceBuilders {
  constructor(private readonly c: GreekhouseClient) {}

  private get fund() {
    const ch = this.c.ch.clearinghouse;
    return { insuranceFund: this.c.pdas.insuranceFund(ch), insuranceVault: this.c.pdas.insuranceVault(ch) };
  }

  private get common() {
    return { eventAuthority: this.c.pdas.eventAuthority(), program: this.c.program.programId };
  }

  /** `owner`'s stake account in the fund. */
  stakeAccount(owner: PublicKey): PublicKey {
    return this.c.pdas.insuranceStake(this.fund.insuranceFund, owner);
  }

  /**
   * Every underlying ledger of the clearing house (ids `0..underlyingCount`), writable: the
   * remaining accounts of `stake`, which sweeps their pending fees into the fund first.
   */
  underlyingLedgers(underlyingCount: number): AccountMeta[] {
    const ch = this.c.ch.clearinghouse;
    return Array.from({ length: underlyingCount }, (_, id) => ({
      pubkey: this.c.pdas.underlyingLedger(this.c.pdas.underlying(ch, id)),
      isSigner: false,
      isWritable: true,
    }));
  }

  /** The clearing house's `underlying_count`. */
  async underlyingCount(): Promise<number> {
    const state = await this.c.program.account.clearinghouse.fetch(this.c.ch.clearinghouse);
    return state.underlyingCount;
  }

  /** `open_insurance_stake`: `owner`'s stake account, paid by `payer`. */
  openStake(payer: PublicKey, owner: PublicKey): Promise<TransactionInstruction> {
    const { insuranceFund } = this.fund;
    return this.c.program.methods
      .openInsuranceStake()
      .accountsStrict({
        payer,
        owner,
        insuranceFund,
        insuranceStake: this.stakeAccount(owner),
        systemProgram: SYSTEM_PROGRAM_ID,
        ...this.common,
      })
      .instruction();
  }

  /**
   * `stake` of `amount` quote from `ownerTokenAccount`, with every underlying's ledger
   * (`underlyingCount` read from the clearing house when not given).
   */
  async stake(owner: PublicKey, ownerTokenAccount: PublicKey, amount: bigint | number, underlyingCount?: number): Promise<TransactionInstruction> {
    const count = underlyingCount ?? (await this.underlyingCount());
    return this.c.program.methods
      .stake(bn(amount))
      .accountsStrict({
        owner,
        clearinghouse: this.c.ch.clearinghouse,
        ...this.fund,
        insuranceStake: this.stakeAccount(owner),
        ownerTokenAccount,
        quoteVault: this.c.ch.quoteVault,
        quoteMint: this.c.ch.quoteMint,
        tokenProgram: this.c.ch.quoteTokenProgram,
        ...this.common,
      })
      .remainingAccounts(this.underlyingLedgers(count))
      .instruction();
  }

  /** `request_unstake` of `shares`: they cool down before `unstake` can pay them. */
  requestUnstake(owner: PublicKey, shares: bigint | number): Promise<TransactionInstruction> {
    return this.c.program.methods
      .requestUnstake(bn(shares))
      .accountsStrict({
        owner,
        clearinghouse: this.c.ch.clearinghouse,
        insuranceFund: this.fund.insuranceFund,
        insuranceStake: this.stakeAccount(owner),
        ...this.common,
      })
      .instruction();
  }

  /** `cancel_unstake` of `owner`'s pending request. */
  cancelUnstake(owner: PublicKey): Promise<TransactionInstruction> {
    return this.c.program.methods
      .cancelUnstake()
      .accountsStrict({ owner, insuranceFund: this.fund.insuranceFund, insuranceStake: this.stakeAccount(owner), ...this.common })
      .instruction();
  }

  /** `unstake`: pays `owner`'s cooled-down request into `recipient`. */
  unstake(owner: PublicKey, recipient: PublicKey): Promise<TransactionInstruction> {
    return this.c.program.methods
      .unstake()
      .accountsStrict({
        owner,
        clearinghouse: this.c.ch.clearinghouse,
        ...this.fund,
        insuranceStake: this.stakeAccount(owner),
        recipient,
        quoteMint: this.c.ch.quoteMint,
        tokenProgram: this.c.ch.quoteTokenProgram,
        ...this.common,
      })
      .instruction();
  }

  /** `donate` of `amount` quote to the fund (no shares). */
  donate(donor: PublicKey, donorTokenAccount: PublicKey, amount: bigint | number): Promise<TransactionInstruction> {
    return this.c.program.methods
      .donate(bn(amount))
      .accountsStrict({
        donor,
        clearinghouse: this.c.ch.clearinghouse,
        ...this.fund,
        donorTokenAccount,
        quoteMint: this.c.ch.quoteMint,
        tokenProgram: this.c.ch.quoteTokenProgram,
        ...this.common,
      })
      .instruction();
  }
}
