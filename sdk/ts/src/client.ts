// A Greekhouse client over @coral-xyz/anchor: instruction builders for the writer flow, the
// liquidation calls and the settlement cranks (governance and listing in `governance`,
// insurance staking in `insurance`), with the margin-account layout of every
// margin-checked instruction computed by the program's own `engine::layout` (in the engine
// module) from the accounts as fetched, and projections through the program's own actions.
import anchor from "@coral-xyz/anchor";
import type { Greekhouse } from "./idl.js";
import { IDL } from "./idl.js";
import { Pdas, TOKEN_PROGRAM_ID, SYSTEM_PROGRAM_ID } from "./pda.js";
import { decodeAccount } from "./accounts.js";
import { AccountBytes, BidArgs, MarginAccounts, RiskEngine, WithdrawArgs, WriteArgs } from "./engine.js";
import { GovernanceBuilders } from "./governance.js";
import { InsuranceBuilders } from "./insurance.js";
import { VaultBuilders } from "./vault.js";

const { BN, Program, web3 } = anchor;
type PublicKey = InstanceType<typeof web3.PublicKey>;
type Connection = InstanceType<typeof web3.Connection>;
type TransactionInstruction = InstanceType<typeof web3.TransactionInstruction>;
type AccountMeta = { pubkey: PublicKey; isSigner: boolean; isWritable: boolean };
export type GreekhouseProgram = InstanceType<typeof Program<Greekhouse>>;

const bn = (v: bigint | number) => new BN(v.toString());

/** The clearing house a client talks to (the Rust SDK's `ClearinghouseRef`). */
export interface ClearinghouseRef {
  clearinghouse: PublicKey;
  quoteMint: PublicKey;
  quoteVault: PublicKey;
  quoteTokenProgram: PublicKey;
}

/** Where a deposit or withdrawal goes: the quote, or a listed collateral asset. */
export interface TokenLedger {
  mint: PublicKey;
  vault: PublicKey;
  tokenProgram: PublicKey;
  /** Absent for the quote. */
  collateralAsset?: PublicKey;
}

/** The margin accounts of one or several writer accounts, as fetched, in the layout's order. */
export interface MarginLayout {
  writers: AccountBytes[];
  clearinghouse: AccountBytes;
  assets: AccountBytes[];
  /** Each underlying of the layout with its oracle account. */
  underlyings: { account: AccountBytes; oracle: AccountBytes }[];
}

/** Oracle account of an underlying: a legacy feed's is its configured account; a Pyth pull feed's `PriceUpdateV2` account must be named. */
export type OracleFor = (underlying: PublicKey, state: any) => PublicKey | undefined;

export const legacyOracle: OracleFor = (_u, state) => {
  // OracleKind: 0 pull (PriceUpdateV2, any account carrying the feed id), 1 legacy (fixed account)
  return state.oracle.kind === 1 ? new web3.PublicKey(Uint8Array.from(state.oracle.feed)) : undefined;
};

export class GreekhouseClient {
  readonly pdas: Pdas;
  /** queue/execute/cancel_change, list_underlying, list_collateral, create_series. */
  readonly governance: GovernanceBuilders;
  /** open_insurance_stake, stake, request_unstake, cancel_unstake, unstake, donate. */
  readonly insurance: InsuranceBuilders;
  /** create_vault, vault_deposit, request/cancel_vault_withdraw, vault_withdraw, vault_buy, vault_sell_back. */
  readonly vaults: VaultBuilders;
  constructor(
    readonly program: GreekhouseProgram,
    readonly engine: RiskEngine,
    readonly ch: ClearinghouseRef,
    readonly oracleFor: OracleFor = legacyOracle,
  ) {
    this.pdas = new Pdas(program.programId);
    this.governance = new GovernanceBuilders(this);
    this.insurance = new InsuranceBuilders(this);
    this.vaults = new VaultBuilders(this);
  }

  /** A client for the clearing house `clearinghouse` (its quote mint and vault read from it). */
  static async connect(provider: anchor.Provider, engine: RiskEngine, clearinghouse: PublicKey, oracleFor?: OracleFor): Promise<GreekhouseClient> {
    const program = new Program<Greekhouse>(IDL as unknown as Greekhouse, provider);
    const info = await provider.connection.getAccountInfo(clearinghouse);
    if (!info) throw new Error(`clearing house ${clearinghouse.toBase58()} not found`);
    const state = decodeAccount("Clearinghouse", info.data);
    return new GreekhouseClient(program, engine, {
      clearinghouse,
      quoteMint: state.quoteMint,
      quoteVault: state.quoteVault,
      quoteTokenProgram: state.quoteTokenProgram,
    }, oracleFor);
  }

  get connection(): Connection {
    return this.program.provider.connection;
  }

  quoteLedger(): TokenLedger {
    return { mint: this.ch.quoteMint, vault: this.ch.quoteVault, tokenProgram: this.ch.quoteTokenProgram };
  }
  collateralLedger(mint: PublicKey, tokenProgram: PublicKey = TOKEN_PROGRAM_ID): TokenLedger {
    const asset = this.pdas.collateralAsset(this.ch.clearinghouse, mint);
    return { mint, vault: this.pdas.collateralVault(asset), tokenProgram, collateralAsset: asset };
  }

  // ------------------------------------------------------------------ reads

  /** Accounts as bytes, in the order asked (missing ones throw). */
  async fetchBytes(keys: PublicKey[]): Promise<AccountBytes[]> {
    const out: AccountBytes[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      const chunk = keys.slice(i, i + 100);
      const infos = await this.connection.getMultipleAccountsInfo(chunk);
      infos.forEach((info, j) => {
        if (!info) throw new Error(`account ${chunk[j].toBase58()} is missing`);
        out.push({ key: chunk[j].toBase58(), owner: info.owner.toBase58(), data: info.data });
      });
    }
    return out;
  }

  /** The cluster's unix time (its Clock sysvar), the `now` the program checks against. */
  async unixTimestamp(): Promise<bigint> {
    const info = await this.connection.getAccountInfo(new web3.PublicKey("SysvarC1ock11111111111111111111111111111111"));
    if (!info) throw new Error("no Clock sysvar");
    return info.data.readBigInt64LE(32);
  }

  /**
   * The margin layout of `writers` (with `write`, of the first one after that write, as
   * `write_options` checks it), fetched: the program's `engine::layout` picks the assets, then,
   * from their accounts, the underlyings; each underlying's oracle comes from `oracleFor`.
   */
  async marginLayout(writers: AccountBytes[], write?: { series: AccountBytes; contracts: bigint | number }): Promise<MarginLayout> {
    const [clearinghouse] = await this.fetchBytes([this.ch.clearinghouse]);
    const first = this.engine.layout(writers, undefined, write);
    const assets = await this.fetchBytes(first.assets.map((k) => new web3.PublicKey(k)));
    const keys = this.engine.layout(writers, assets, write).underlyings ?? [];
    const states = await this.fetchBytes(keys.map((k) => new web3.PublicKey(k)));
    const oracles = states.map((s) => {
      const key = new web3.PublicKey(s.key);
      const oracle = this.oracleFor(key, decodeAccount("Underlying", s.data));
      if (!oracle) throw new Error(`no oracle account known for underlying ${s.key}`);
      return oracle;
    });
    const oracleBytes = await this.fetchBytes(oracles);
    return { writers, clearinghouse, assets, underlyings: states.map((account, i) => ({ account, oracle: oracleBytes[i] })) };
  }

  /** The layout as an instruction's remaining accounts: read-only, or (liquidation records the prices it uses) with the underlyings writable. */
  static remainingAccounts(layout: MarginLayout, recording = false): AccountMeta[] {
    const metas: AccountMeta[] = layout.assets.map((a) => ({ pubkey: new web3.PublicKey(a.key), isSigner: false, isWritable: false }));
    for (const u of layout.underlyings) {
      metas.push({ pubkey: new web3.PublicKey(u.account.key), isSigner: false, isWritable: recording });
      metas.push({ pubkey: new web3.PublicKey(u.oracle.key), isSigner: false, isWritable: false });
    }
    return metas;
  }

  static marginAccounts(layout: MarginLayout, now: bigint, priceUse: "risk_increasing" | "liquidation" = "risk_increasing"): MarginAccounts {
    return { now, priceUse, clearinghouse: layout.clearinghouse, assets: layout.assets, underlyings: layout.underlyings };
  }

  /** The program's margin of a writer account now (or at `now`). */
  async marginOf(writerAccount: PublicKey, now?: bigint, priceUse: "risk_increasing" | "liquidation" = "risk_increasing") {
    const [writer] = await this.fetchBytes([writerAccount]);
    const layout = await this.marginLayout([writer]);
    return this.engine.margin(writer, GreekhouseClient.marginAccounts(layout, now ?? (await this.unixTimestamp()), priceUse));
  }

  // ------------------------------------------------------------------ the writer flow

  openWriterAccount(payer: PublicKey, owner: PublicKey, index = 0): Promise<TransactionInstruction> {
    return this.program.methods
      .openWriterAccount(index)
      .accountsStrict({
        payer,
        owner,
        clearinghouse: this.ch.clearinghouse,
        writerAccount: this.pdas.writerAccount(this.ch.clearinghouse, owner, index),
        systemProgram: SYSTEM_PROGRAM_ID,
        eventAuthority: this.pdas.eventAuthority(),
        program: this.program.programId,
      })
      .instruction();
  }

  deposit(writerAccount: PublicKey, owner: PublicKey, ledger: TokenLedger, ownerTokenAccount: PublicKey, amount: bigint | number): Promise<TransactionInstruction> {
    return this.program.methods
      .deposit(bn(amount))
      .accountsStrict({
        owner,
        clearinghouse: this.ch.clearinghouse,
        writerAccount,
        mint: ledger.mint,
        vault: ledger.vault,
        ownerTokenAccount,
        collateralAsset: ledger.collateralAsset ?? null,
        tokenProgram: ledger.tokenProgram,
        eventAuthority: this.pdas.eventAuthority(),
        program: this.program.programId,
      } as any)
      .instruction();
  }

  private async writeInputs(writerAccount: PublicKey, series: PublicKey): Promise<{ writer: AccountBytes; args: Omit<WriteArgs, keyof MarginAccounts>; seriesState: any }> {
    const [writer, seriesBytes] = await this.fetchBytes([writerAccount, series]);
    const seriesState = decodeAccount("OptionSeries", seriesBytes.data);
    const [underlying, ledger] = await this.fetchBytes([seriesState.underlying, this.pdas.underlyingLedger(seriesState.underlying)]);
    return {
      writer,
      seriesState,
      args: { writer, series: seriesBytes, underlying, underlyingLedger: ledger },
    };
  }

  /**
   * `write_options` of `contracts` with the margin accounts of the account as the write leaves
   * it (it then holds the series' underlying), and the program's projection: fee, margin after,
   * or the program's refusal (thrown as `ProgramRefusal` by `projection()`).
   */
  async writeOptions(writerAccount: PublicKey, owner: PublicKey, series: PublicKey, recipient: PublicKey, contracts: bigint | number) {
    const { writer, args, seriesState } = await this.writeInputs(writerAccount, series);
    // the layout of the account as the write leaves it (the program checks the account after)
    const layout = await this.marginLayout([writer], { series: args.series, contracts: BigInt(contracts) > 0n ? contracts : 1n });
    const now = await this.unixTimestamp();
    const margin = GreekhouseClient.marginAccounts(layout, now);
    const instruction = await this.program.methods
      .writeOptions(bn(contracts))
      .accountsStrict({
        owner,
        clearinghouse: this.ch.clearinghouse,
        writerAccount,
        underlying: seriesState.underlying,
        underlyingLedger: this.pdas.underlyingLedger(seriesState.underlying),
        series,
        optionMint: this.pdas.optionMint(series),
        recipient,
        tokenProgram: TOKEN_PROGRAM_ID,
        eventAuthority: this.pdas.eventAuthority(),
        program: this.program.programId,
      })
      .remainingAccounts(GreekhouseClient.remainingAccounts(layout))
      .instruction();
    const inputs: WriteArgs = { ...args, ...margin };
    return {
      instruction,
      /** The engine's inputs (the accounts as fetched, `now` the cluster's clock then). */
      inputs,
      projection: () => this.engine.write(inputs, contracts),
      maxWritable: () => this.engine.maxWritable(inputs),
    };
  }

  /** `withdraw` of `amount` from `ledger`, with its margin accounts and the program's projection. */
  async withdraw(writerAccount: PublicKey, owner: PublicKey, ledger: TokenLedger, destination: PublicKey, amount: bigint | number) {
    const [writer] = await this.fetchBytes([writerAccount]);
    const layout = await this.marginLayout([writer]);
    const now = await this.unixTimestamp();
    const collateralAsset = ledger.collateralAsset ? (await this.fetchBytes([ledger.collateralAsset]))[0] : undefined;
    const args: WithdrawArgs = { ...GreekhouseClient.marginAccounts(layout, now), writer, collateralAsset };
    const instruction = await this.program.methods
      .withdraw(bn(amount))
      .accountsStrict({
        owner,
        clearinghouse: this.ch.clearinghouse,
        writerAccount,
        mint: ledger.mint,
        vault: ledger.vault,
        destination,
        collateralAsset: ledger.collateralAsset ?? null,
        tokenProgram: ledger.tokenProgram,
        eventAuthority: this.pdas.eventAuthority(),
        program: this.program.programId,
      } as any)
      .remainingAccounts(GreekhouseClient.remainingAccounts(layout))
      .instruction();
    return {
      instruction,
      /** The engine's inputs (the accounts as fetched, `now` the cluster's clock then). */
      inputs: args,
      projection: () => this.engine.withdraw(args, amount),
      maxWithdrawable: () => this.engine.maxWithdrawable(args),
    };
  }

  burnOptions(writerAccount: PublicKey, owner: PublicKey, underlying: PublicKey, series: PublicKey, ownerTokenAccount: PublicKey, contracts: bigint | number): Promise<TransactionInstruction> {
    return this.program.methods
      .burnOptions(bn(contracts))
      .accountsStrict({
        owner,
        writerAccount,
        underlyingLedger: this.pdas.underlyingLedger(underlying),
        series,
        optionMint: this.pdas.optionMint(series),
        ownerTokenAccount,
        tokenProgram: TOKEN_PROGRAM_ID,
        eventAuthority: this.pdas.eventAuthority(),
        program: this.program.programId,
      })
      .instruction();
  }

  // ------------------------------------------------------------------ liquidation

  /** `start_liquidation` (anyone): the keeper's tip is credited to `tipAccount`, a writer account; the account's layout, underlyings writable (the program records the prices it uses). */
  async startLiquidation(caller: PublicKey, writerAccount: PublicKey, tipAccount: PublicKey): Promise<TransactionInstruction> {
    const [writer] = await this.fetchBytes([writerAccount]);
    const layout = await this.marginLayout([writer]);
    return this.program.methods
      .startLiquidation()
      .accountsStrict({
        caller,
        clearinghouse: this.ch.clearinghouse,
        writerAccount,
        tipAccount,
        eventAuthority: this.pdas.eventAuthority(),
        program: this.program.programId,
      })
      .remainingAccounts(GreekhouseClient.remainingAccounts(layout, true))
      .instruction();
  }

  /**
   * `bid` for `fraction` (10^12 = all) of `liquidated` from `bidderAccount`: the shared layout of
   * both accounts before the bid, recording; with the program's projection of the slice (its
   * `SliceBought` event: payment, fee, fund payment, both accounts' equity after).
   */
  async planBid(owner: PublicKey, liquidated: PublicKey, bidderAccount: PublicKey, fraction: bigint, paymentLimit: bigint) {
    const fundKey = this.pdas.insuranceFund(this.ch.clearinghouse);
    const [liquidatedBytes, bidderBytes, fund] = await this.fetchBytes([liquidated, bidderAccount, fundKey]);
    const layout = await this.marginLayout([liquidatedBytes, bidderBytes]);
    const now = await this.unixTimestamp();
    const instruction = await this.program.methods
      .bid({ fraction: bn(fraction), paymentLimit: bn(paymentLimit) })
      .accountsStrict({
        owner,
        clearinghouse: this.ch.clearinghouse,
        liquidated,
        bidderAccount,
        insuranceFund: fundKey,
        insuranceVault: this.pdas.insuranceVault(this.ch.clearinghouse),
        quoteVault: this.ch.quoteVault,
        quoteMint: this.ch.quoteMint,
        tokenProgram: this.ch.quoteTokenProgram,
        eventAuthority: this.pdas.eventAuthority(),
        program: this.program.programId,
      })
      .remainingAccounts(GreekhouseClient.remainingAccounts(layout, true))
      .instruction();
    const inputs: BidArgs = {
      ...GreekhouseClient.marginAccounts(layout, now, "liquidation"),
      liquidated: liquidatedBytes,
      bidder: bidderBytes,
      insuranceFund: fund,
      fraction,
      paymentLimit,
    };
    return { instruction, inputs, projection: () => this.engine.bid(inputs) };
  }

  /** The `bid` instruction of [`planBid`]. */
  async bid(owner: PublicKey, liquidated: PublicKey, bidderAccount: PublicKey, fraction: bigint, paymentLimit: bigint): Promise<TransactionInstruction> {
    return (await this.planBid(owner, liquidated, bidderAccount, fraction, paymentLimit)).instruction;
  }

  /** `end_liquidation` (anyone): the account's layout, read-only (none without shorts or debt). */
  async endLiquidation(caller: PublicKey, writerAccount: PublicKey): Promise<TransactionInstruction> {
    const [writer] = await this.fetchBytes([writerAccount]);
    const state = decodeAccount("WriterAccount", writer.data);
    // a short (side 0) or a debt; longs alone are no liability
    const liabilities = state.positions.some((p: any) => !p.contracts.isZero() && p.side === 0) || state.quoteBalance.isNeg();
    const remaining = liabilities ? GreekhouseClient.remainingAccounts(await this.marginLayout([writer])) : [];
    return this.program.methods
      .endLiquidation()
      .accountsStrict({ caller, clearinghouse: this.ch.clearinghouse, writerAccount, eventAuthority: this.pdas.eventAuthority(), program: this.program.programId })
      .remainingAccounts(remaining)
      .instruction();
  }

  /** `resolve_bankruptcy` (anyone): the series of its positions, once each in slot order (writable), then its layout. */
  async resolveBankruptcy(caller: PublicKey, writerAccount: PublicKey): Promise<TransactionInstruction> {
    const [writer] = await this.fetchBytes([writerAccount]);
    const state = decodeAccount("WriterAccount", writer.data);
    const keys: PublicKey[] = [];
    for (const p of state.positions) {
      if (!p.contracts.isZero() && !keys.some((k) => k.equals(p.series))) keys.push(p.series);
    }
    const series: AccountMeta[] = keys.map((k) => ({ pubkey: k, isSigner: false, isWritable: true }));
    const layout = await this.marginLayout([writer]);
    return this.program.methods
      .resolveBankruptcy()
      .accountsStrict({
        caller,
        clearinghouse: this.ch.clearinghouse,
        writerAccount,
        insuranceFund: this.pdas.insuranceFund(this.ch.clearinghouse),
        eventAuthority: this.pdas.eventAuthority(),
        program: this.program.programId,
      })
      .remainingAccounts([...series, ...GreekhouseClient.remainingAccounts(layout)])
      .instruction();
  }

  // ------------------------------------------------------------------ keepers and settlement cranks

  recordPrice(underlying: PublicKey, oracle: PublicKey): Promise<TransactionInstruction> {
    return this.program.methods
      .recordPrice()
      .accountsStrict({ underlying, oracle, eventAuthority: this.pdas.eventAuthority(), program: this.program.programId } as any)
      .instruction();
  }

  /** `check_margin` (anyone): stores the account's margin status; the program emits `MarginWarning` on a crossing. The account's layout, read-only (none without shorts or debt). */
  async checkMargin(writerAccount: PublicKey): Promise<TransactionInstruction> {
    const [writer] = await this.fetchBytes([writerAccount]);
    const state = decodeAccount("WriterAccount", writer.data);
    const liabilities = state.positions.some((p: any) => !p.contracts.isZero() && p.side === 0) || state.quoteBalance.isNeg();
    const remaining = liabilities ? GreekhouseClient.remainingAccounts(await this.marginLayout([writer])) : [];
    return this.program.methods
      .checkMargin()
      .accountsStrict({ clearinghouse: this.ch.clearinghouse, writerAccount, eventAuthority: this.pdas.eventAuthority(), program: this.program.programId })
      .remainingAccounts(remaining)
      .instruction();
  }

  proposeSettlementPrice(payer: PublicKey, underlying: PublicKey, oracle: PublicKey, expiry: bigint | number): Promise<TransactionInstruction> {
    return this.program.methods
      .proposeSettlementPrice(bn(expiry))
      .accountsStrict({
        payer,
        clearinghouse: this.ch.clearinghouse,
        underlying,
        oracle,
        settlementPrice: this.pdas.settlementPrice(underlying, expiry),
        systemProgram: SYSTEM_PROGRAM_ID,
        eventAuthority: this.pdas.eventAuthority(),
        program: this.program.programId,
      })
      .instruction();
  }

  private fundAccounts() {
    return {
      clearinghouse: this.ch.clearinghouse,
      insuranceFund: this.pdas.insuranceFund(this.ch.clearinghouse),
      insuranceVault: this.pdas.insuranceVault(this.ch.clearinghouse),
      quoteVault: this.ch.quoteVault,
      quoteMint: this.ch.quoteMint,
      tokenProgram: this.ch.quoteTokenProgram,
      eventAuthority: this.pdas.eventAuthority(),
      program: this.program.programId,
    };
  }

  settleSeries(series: PublicKey, underlying: PublicKey, expiry: bigint | number): Promise<TransactionInstruction> {
    return this.program.methods
      .settleSeries()
      .accountsStrict({
        ...this.fundAccounts(),
        series,
        underlyingLedger: this.pdas.underlyingLedger(underlying),
        settlementPrice: this.pdas.settlementPrice(underlying, expiry),
      })
      .instruction();
  }

  settlePosition(writerAccount: PublicKey, series: PublicKey): Promise<TransactionInstruction> {
    return this.program.methods
      .settlePosition()
      .accountsStrict({ writerAccount, series, eventAuthority: this.pdas.eventAuthority(), program: this.program.programId })
      .instruction();
  }

  /** `resolve_debt`: the debt markers' series in marker order, then (when collateral must be priced) the layout. */
  async resolveDebt(writerAccount: PublicKey, withLayout: boolean): Promise<TransactionInstruction> {
    const [writer] = await this.fetchBytes([writerAccount]);
    const state = decodeAccount("WriterAccount", writer.data);
    const series: AccountMeta[] = state.debtMarkers
      .filter((m: any) => !m.owed.isZero())
      .map((m: any) => ({ pubkey: m.series, isSigner: false, isWritable: true }));
    const layout = withLayout ? GreekhouseClient.remainingAccounts(await this.marginLayout([writer])) : [];
    return this.program.methods
      .resolveDebt()
      .accountsStrict({ ...this.fundAccounts(), writerAccount })
      .remainingAccounts([...series, ...layout])
      .instruction();
  }

  openBackstop(series: PublicKey): Promise<TransactionInstruction> {
    return this.program.methods
      .openBackstop()
      .accountsStrict({ clearinghouse: this.ch.clearinghouse, series, eventAuthority: this.pdas.eventAuthority(), program: this.program.programId })
      .instruction();
  }

  finalizeSeries(series: PublicKey): Promise<TransactionInstruction> {
    return this.program.methods
      .finalizeSeries()
      .accountsStrict({ clearinghouse: this.ch.clearinghouse, series, eventAuthority: this.pdas.eventAuthority(), program: this.program.programId })
      .instruction();
  }

  redeem(holder: PublicKey, series: PublicKey, holderOptionAccount: PublicKey, recipient: PublicKey, contracts: bigint | number): Promise<TransactionInstruction> {
    return this.program.methods
      .redeem(bn(contracts))
      .accountsStrict({
        holder,
        clearinghouse: this.ch.clearinghouse,
        series,
        optionMint: this.pdas.optionMint(series),
        holderOptionAccount,
        recipient,
        quoteVault: this.ch.quoteVault,
        quoteMint: this.ch.quoteMint,
        quoteTokenProgram: this.ch.quoteTokenProgram,
        tokenProgram: TOKEN_PROGRAM_ID,
        eventAuthority: this.pdas.eventAuthority(),
        program: this.program.programId,
      })
      .instruction();
  }

  sweepSeriesDust(series: PublicKey): Promise<TransactionInstruction> {
    return this.program.methods
      .sweepSeriesDust()
      .accountsStrict({ ...this.fundAccounts(), series, optionMint: this.pdas.optionMint(series) })
      .instruction();
  }
}

