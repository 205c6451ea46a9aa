// Builders for governance changes (queue_change, execute_change, cancel_change; docs/governance.md)
// and for listings (list_underlying, list_collateral, create_series): the Rust SDK's
// app/sdk/src/ix.rs builders, typed by the IDL (`Program<Greekhouse>` checks the accounts, the
// arguments are the IDL's types). test/offline/admin-builders.test.mjs requires the same bytes
// as the Rust SDK for the same inputs (test/fixtures/instructions.json).
import anchor from "@coral-xyz/anchor";
import type { IdlTypes } from "@coral-xyz/anchor";
import type { Greekhouse } from "./idl.js";
import { SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID } from "./pda.js";
import type { GreekhouseClient } from "./client.js";

const { web3 } = anchor;
type PublicKey = InstanceType<typeof web3.PublicKey>;
type TransactionInstruction = InstanceType<typeof web3.TransactionInstruction>;

/** A governed value (`state::GovValue`), e.g. `{ depositCap: { 0: new BN(5) } }`. */
export type GovValue = IdlTypes<Greekhouse>["govValue"];
export type ListUnderlyingArgs = IdlTypes<Greekhouse>["listUnderlyingArgs"];
export type ListCollateralArgs = IdlTypes<Greekhouse>["listCollateralArgs"];
export type CreateSeriesArgs = IdlTypes<Greekhouse>["createSeriesArgs"];

/**
 * The accounts a governed value lives in (the Rust SDK's `ChangeTarget`): none besides the
 * clearing house for global values and the guardian, the underlying for an underlying's
 * values, the collateral asset (and, for weights and price source, the underlying pricing it)
 * for a collateral asset's values.
 */
export interface ChangeTarget {
  underlying?: PublicKey | null;
  collateralAsset?: PublicKey | null;
  priceUnderlying?: PublicKey | null;
}

const targetAccounts = (t: ChangeTarget) => ({
  underlying: t.underlying ?? null,
  collateralAsset: t.collateralAsset ?? null,
  priceUnderlying: t.priceUnderlying ?? null,
});

/** Governance and listing instructions of one clearing house (`client.governance`). */
export class GovernanceBuilders {
  constructor(private readonly c: GreekhouseClient) {}

  private get common() {
    return { eventAuthority: this.c.pdas.eventAuthority(), program: this.c.program.programId };
  }

  /**
   * The clearing house's `change_count`: one past the highest id any queued change took, so an
   * id no change has used (the program takes any unused id; `change_count` follows the highest).
   * Two proposals prepared from the same state must pick different ids (the Rust CLI skips the
   * ids of pending Squads transactions too).
   */
  async nextChangeId(): Promise<bigint> {
    const state = await this.c.program.account.clearinghouse.fetch(this.c.ch.clearinghouse);
    return BigInt(state.changeCount.toString());
  }

  /**
   * `queue_change` of `change` on `target` at `changeId`: any id no change has used (the address
   * a loosening is queued at; a tightening applies at once and leaves it unused).
   */
  queueChange(payer: PublicKey, admin: PublicKey, changeId: bigint | number, target: ChangeTarget, change: GovValue): Promise<TransactionInstruction> {
    const ch = this.c.ch.clearinghouse;
    return this.c.program.methods
      .queueChange(change, new anchor.BN(changeId.toString()))
      .accountsStrict({
        payer,
        admin,
        clearinghouse: ch,
        ...targetAccounts(target),
        paramChange: this.c.pdas.paramChange(ch, changeId),
        systemProgram: SYSTEM_PROGRAM_ID,
        ...this.common,
      })
      .instruction();
  }

  /** `execute_change` (anyone, after the change's ETA) of the change queued as `changeId`. */
  executeChange(executor: PublicKey, changeId: bigint | number, target: ChangeTarget): Promise<TransactionInstruction> {
    const ch = this.c.ch.clearinghouse;
    return this.c.program.methods
      .executeChange()
      .accountsStrict({
        executor,
        clearinghouse: ch,
        paramChange: this.c.pdas.paramChange(ch, changeId),
        ...targetAccounts(target),
        ...this.common,
      })
      .instruction();
  }

  /** `cancel_change` of a queued change, signed by the admin or the guardian. */
  cancelChange(authority: PublicKey, changeId: bigint | number): Promise<TransactionInstruction> {
    const ch = this.c.ch.clearinghouse;
    return this.c.program.methods
      .cancelChange()
      .accountsStrict({ authority, clearinghouse: ch, paramChange: this.c.pdas.paramChange(ch, changeId), ...this.common })
      .instruction();
  }

  /** `list_underlying` (admin): the underlying and its ledger at the PDAs of `args.id`. */
  listUnderlying(payer: PublicKey, admin: PublicKey, args: ListUnderlyingArgs): Promise<TransactionInstruction> {
    const ch = this.c.ch.clearinghouse;
    const underlying = this.c.pdas.underlying(ch, args.id);
    return this.c.program.methods
      .listUnderlying(args)
      .accountsStrict({
        payer,
        admin,
        clearinghouse: ch,
        underlying,
        underlyingLedger: this.c.pdas.underlyingLedger(underlying),
        systemProgram: SYSTEM_PROGRAM_ID,
        ...this.common,
      })
      .instruction();
  }

  /** `list_collateral` (admin) of `mint`, priced by `priceUnderlying` unless pegged to the quote. */
  listCollateral(payer: PublicKey, admin: PublicKey, mint: PublicKey, tokenProgram: PublicKey, priceUnderlying: PublicKey | null, args: ListCollateralArgs): Promise<TransactionInstruction> {
    const ch = this.c.ch.clearinghouse;
    const collateralAsset = this.c.pdas.collateralAsset(ch, mint);
    return this.c.program.methods
      .listCollateral(args)
      .accountsStrict({
        payer,
        admin,
        clearinghouse: ch,
        mint,
        collateralAsset,
        vault: this.c.pdas.collateralVault(collateralAsset),
        priceUnderlying,
        tokenProgram,
        systemProgram: SYSTEM_PROGRAM_ID,
        ...this.common,
      })
      .instruction();
  }

  /** `create_series` (anyone): the series and its option mint at the PDAs of the arguments; `oracle` is the underlying's oracle account (the strike band is checked against it). */
  createSeries(payer: PublicKey, underlying: PublicKey, oracle: PublicKey, args: CreateSeriesArgs): Promise<TransactionInstruction> {
    const series = this.c.pdas.series(underlying, BigInt(args.expiry.toString()), BigInt(args.strike.toString()), args.kind);
    return this.c.program.methods
      .createSeries(args)
      .accountsStrict({
        payer,
        clearinghouse: this.c.ch.clearinghouse,
        underlying,
        underlyingLedger: this.c.pdas.underlyingLedger(underlying),
        oracle,
        series,
        optionMint: this.c.pdas.optionMint(series),
        tokenProgram: TOKEN_PROGRAM_ID,
        systemProgram: SYSTEM_PROGRAM_ID,
        ...this.common,
      })
      .instruction();
  }
}
