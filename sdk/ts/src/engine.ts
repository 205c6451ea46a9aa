// The program's rulebook and risk engine (sdk/wasm, compiled to WebAssembly) for TypeScript:
// margins, write/withdraw projections and their maxima, option prices and Greeks, auction terms
// and feed ages, computed by the program's own Rust code on account bytes. Nothing here
// recomputes a number; this file only moves bytes in and JSON out.
//
// ABI (sdk/wasm/src/lib.rs): gh_alloc(len) -> ptr, gh_free(ptr, len), gh_call(ptr, len) -> u64
// = (answer ptr << 32) | answer len; requests and answers are UTF-8 JSON. Plain
// WebAssembly.instantiate: no wasm-bindgen glue, so it runs in Node and in a browser alike.

/** An account as fetched: base58 key and owner, raw data. */
export interface AccountBytes {
  key: string;
  owner?: string;
  data: Uint8Array;
}

/** A `Fixed` of the risk engine: raw value at scale 10^12 (quote native units for money). */
export type FixedRaw = string;

export interface LevelRisk {
  addon: FixedRaw;
  requirement: FixedRaw;
  collateral_value: FixedRaw;
  equity: FixedRaw;
}

export interface UnderlyingSummary {
  underlying: string | null;
  liability: FixedRaw;
  delta: FixedRaw;
  cash_gamma: FixedRaw;
  vega: FixedRaw;
  theta: FixedRaw;
  addon_initial: FixedRaw;
  addon_maintenance: FixedRaw;
  linked_collateral: FixedRaw;
  calls_covered: boolean;
}

/** The program's `MarginSummary` of an account. */
export interface MarginSummary {
  liability: FixedRaw;
  mark_to_market: FixedRaw;
  initial: LevelRisk;
  end: LevelRisk;
  maintenance: LevelRisk;
  /** Equity at IM in whole quote native units, rounded down (the program's events' value). */
  initial_equity_native: string | null;
  maintenance_equity_native: string | null;
  underlyings: UnderlyingSummary[];
}

/** The program's refusal: its error code, name and message. */
export interface Refusal {
  code: number;
  name: string;
  message: string;
}

/** A refusal by the program's own rules, thrown by the engine's calls. */
export class ProgramRefusal extends Error {
  constructor(readonly refusal: Refusal) {
    super(`the program refuses it: ${refusal.name} (${refusal.code}): ${refusal.message}`);
  }
}

/** The accounts a margin check reads (the instruction's remaining accounts, with the clearing house). */
export interface MarginAccounts {
  now: number | bigint;
  priceUse?: "risk_increasing" | "liquidation";
  clearinghouse: AccountBytes;
  assets: AccountBytes[];
  underlyings: { account: AccountBytes; oracle: AccountBytes }[];
}

const FIXED_ONE = 10n ** 12n;

/** A `Fixed` raw value as a bigint. */
export const fixedRaw = (v: FixedRaw): bigint => BigInt(v);
/** A `Fixed` of quote native units as whole quote native units, rounded down (toward -inf). */
export function fixedToNative(v: FixedRaw): bigint {
  const r = BigInt(v);
  const q = r / FIXED_ONE;
  return r < 0n && q * FIXED_ONE !== r ? q - 1n : q;
}
/** For display only: a `Fixed` of quote native units as a number of whole quote units. */
export function fixedToQuote(v: FixedRaw, quoteDecimals: number): number {
  return Number(BigInt(v)) / 10 ** (12 + quoteDecimals);
}

/** JSON with bigints as plain integers (the engine reads u64/i64 exactly; JSON numbers in JS would round). */
function toJson(value: object): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `\u0000big:${v}` : v)).replace(/"\\u0000big:(-?\d+)"/g, "$1");
}

function base64(bytes: Uint8Array): string {
  if (typeof Buffer !== "undefined") return Buffer.from(bytes).toString("base64");
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const account = (a: AccountBytes) => ({ key: a.key, owner: a.owner, data: base64(a.data) });

function marginFields(m: MarginAccounts) {
  return {
    now: BigInt(m.now),
    price_use: m.priceUse ?? "risk_increasing",
    clearinghouse: account(m.clearinghouse),
    assets: m.assets.map(account),
    underlyings: m.underlyings.map((u) => ({ account: account(u.account), oracle: account(u.oracle) })),
  };
}

interface Exports {
  memory: WebAssembly.Memory;
  gh_alloc(len: number): number;
  gh_free(ptr: number, len: number): void;
  gh_call(ptr: number, len: number): bigint;
}

/** The instantiated engine module. */
export class RiskEngine {
  private constructor(private readonly exports: Exports) {}

  /** Instantiate from the module's bytes (Node: the file; a browser: `fetch(...).arrayBuffer()`). */
  static async fromBytes(bytes: BufferSource): Promise<RiskEngine> {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new RiskEngine(instance.exports as unknown as Exports);
  }

  /** Node: the module shipped in this package (`wasm/greekhouse_engine.wasm`). */
  static async load(path?: string): Promise<RiskEngine> {
    const fs = await import("node:fs/promises");
    const url = path ?? new URL("../wasm/greekhouse_engine.wasm", import.meta.url);
    return RiskEngine.fromBytes(await fs.readFile(url));
  }

  /** One raw call: a request object in, the engine's answer (`ok` / `refused` / `fault`) out. */
  call(request: object): { ok?: any; refused?: Refusal; fault?: string } {
    const input = new TextEncoder().encode(toJson(request));
    const e = this.exports;
    const ptr = e.gh_alloc(input.length);
    new Uint8Array(e.memory.buffer, ptr, input.length).set(input);
    const packed = e.gh_call(ptr, input.length);
    e.gh_free(ptr, input.length);
    const outPtr = Number(packed >> 32n);
    const outLen = Number(packed & 0xffffffffn);
    // copy out before freeing: the memory may grow (and move) on the next call
    const text = new TextDecoder().decode(new Uint8Array(e.memory.buffer, outPtr, outLen).slice());
    e.gh_free(outPtr, outLen);
    return JSON.parse(text);
  }

  /** The `ok` value, or a thrown `ProgramRefusal` / `Error` (fault). */
  private run(request: object): any {
    const answer = this.call(request);
    if (answer.refused) throw new ProgramRefusal(answer.refused);
    if (answer.fault !== undefined) throw new Error(`engine: ${answer.fault}`);
    return answer.ok;
  }

  /**
   * The margin-account layout (`engine::layout`) of one or several writer accounts: the
   * collateral assets to pass, then, once their accounts are given, the underlyings whose
   * `Underlying` and oracle follow them.
   */
  layout(
    writers: AccountBytes[],
    assets?: AccountBytes[],
    /** A write the first account makes first (`write_options` passes the layout of the account after it). */
    write?: { series: AccountBytes; contracts: bigint | number },
  ): { assets: string[]; underlyings: string[] | null } {
    return this.run({
      op: "layout",
      writers: writers.map(account),
      assets: assets?.map(account),
      write: write && { series: account(write.series), contracts: BigInt(write.contracts) },
    });
  }

  /** The program's `compute_margin` of a writer account, its oracle checks included. */
  margin(writer: AccountBytes, accounts: MarginAccounts): MarginSummary {
    return this.run({ op: "margin", writer: account(writer), ...marginFields(accounts) });
  }

  /** The program's `write` action on copies of the accounts (refusals throw `ProgramRefusal`). */
  write(args: WriteArgs, contracts: bigint | number): { fee: string; short_after: string; initial_equity_after: string; margin_after: MarginSummary } {
    return this.run({ op: "write", ...writeFields(args), contracts: BigInt(contracts) });
  }

  /** The most contracts `write` accepts now (bisection over the program's own action). */
  maxWritable(args: WriteArgs): bigint {
    return BigInt(this.run({ op: "max_writable", ...writeFields(args) }).contracts);
  }

  /** The program's `withdraw` action on a copy of the account. */
  withdraw(args: WithdrawArgs, amount: bigint | number): { balance_after: string; initial_equity_after: string | null; margin_after: MarginSummary | null } {
    return this.run({ op: "withdraw", ...withdrawFields(args), amount: BigInt(amount) });
  }

  /** The most `withdraw` lets out of the ledger now. */
  maxWithdrawable(args: WithdrawArgs): bigint {
    return BigInt(this.run({ op: "max_withdrawable", ...withdrawFields(args) }).amount);
  }

  /** Price, Greeks (per unit of underlying) and the premium of one contract of a series. */
  option(args: { now: number | bigint; clearinghouse: AccountBytes; series: AccountBytes; underlying: AccountBytes; oracle: AccountBytes }): OptionQuote {
    return this.run({
      op: "option",
      now: BigInt(args.now),
      clearinghouse: account(args.clearinghouse),
      series: account(args.series),
      underlying: account(args.underlying),
      oracle: account(args.oracle),
    });
  }

  /** A liquidating account's auction now: the discount and what selling all of it settles. */
  auction(writer: AccountBytes, accounts: MarginAccounts): AuctionTerms {
    return this.run({ op: "auction", writer: account(writer), ...marginFields({ ...accounts, priceUse: "liquidation" }) });
  }

  /**
   * The program's `bid` action on copies of the accounts (both priced for a liquidation, in
   * their shared layout, before the bid): the `SliceBought` event the program would emit.
   */
  bid(args: BidArgs): SliceBoughtProjection {
    return this.run({
      op: "bid",
      ...marginFields({ ...args, priceUse: "liquidation" }),
      liquidated: account(args.liquidated),
      bidder: account(args.bidder),
      insurance_fund: account(args.insuranceFund),
      fraction: BigInt(args.fraction),
      payment_limit: BigInt(args.paymentLimit),
    });
  }

  /** The insurance fund's share price (quote native per share at 10^12, rounded up) and the value of its shares in cooldown, as the program prices shares. */
  fund(insuranceFund: AccountBytes): { balance: string; total_shares: string; pending_unstake_shares: string; price_per_share: string; pending_unstake_value: string } {
    return this.run({ op: "fund", insurance_fund: account(insuranceFund) });
  }

  /** An underlying's oracle and vol-surface ages against their limits, by the program's checks. */
  feeds(now: number | bigint, underlying: AccountBytes, oracle?: AccountBytes): FeedStatus {
    return this.run({ op: "decode", now: BigInt(now), underlying: account(underlying), oracle: oracle && account(oracle) });
  }
}

export interface WriteArgs extends MarginAccounts {
  writer: AccountBytes;
  series: AccountBytes;
  underlying: AccountBytes;
  underlyingLedger: AccountBytes;
}
function writeFields(a: WriteArgs) {
  return {
    ...marginFields(a),
    writer: account(a.writer),
    series: account(a.series),
    underlying: account(a.underlying),
    underlying_ledger: account(a.underlyingLedger),
  };
}

export interface WithdrawArgs extends MarginAccounts {
  writer: AccountBytes;
  /** The collateral asset withdrawn from; the quote when absent. */
  collateralAsset?: AccountBytes;
}
function withdrawFields(a: WithdrawArgs) {
  return { ...marginFields(a), writer: account(a.writer), collateral_asset: a.collateralAsset && account(a.collateralAsset) };
}

export interface BidArgs extends MarginAccounts {
  liquidated: AccountBytes;
  bidder: AccountBytes;
  insuranceFund: AccountBytes;
  /** Share of the account, 10^12 = all of it. */
  fraction: bigint | number;
  /** Most the bidder pays (signed quote native units; negative: at least that much from the fund). */
  paymentLimit: bigint | number;
}

/** The fields of the program's `SliceBought` event, as decimal strings (keys base58). */
export interface SliceBoughtProjection {
  liquidated: string;
  bidder_account: string;
  fraction: string;
  max_fraction: string;
  discount: string;
  mark_to_market: string;
  addon_maintenance: string;
  payment: string;
  fee: string;
  to_account: string;
  from_fund: string;
  end_equity_before: string;
  end_equity_after: string;
  bidder_initial_equity_after: string;
  fund_balance_after: string;
}

export interface OptionQuote {
  spot: FixedRaw;
  conf: FixedRaw;
  publish_time: number;
  vol: FixedRaw;
  time_years: FixedRaw;
  price: FixedRaw;
  delta: FixedRaw;
  /** Gamma at scale 10^18. */
  gamma18: string;
  vega: FixedRaw;
  theta: FixedRaw;
  premium_per_contract: FixedRaw;
}

export interface AuctionTerms {
  discount: FixedRaw;
  mark_to_market: FixedRaw;
  addon_maintenance: FixedRaw;
  /** Whole quote native units: > 0 the bidder pays, < 0 the fund pays. */
  whole_payment: string;
  whole_fee: string;
  whole_from_fund: string;
  max_fraction: FixedRaw;
  end_equity: FixedRaw;
}

export interface FeedStatus {
  max_age_secs: number;
  liq_max_age_secs: number;
  surface_updated_at: number;
  surface_age_secs: number;
  surface_max_age_secs: number;
  surface_stale_secs: number;
  oracle:
    | null
    | { refused: Refusal }
    | { price: string; conf: string; expo: number; publish_time: number; age_secs: number; risk_increasing: string | null; liquidation: string | null };
}
