// The engine's other operations on the saved accounts: the margin-account layout, the write and
// withdraw maxima against the program's own actions, option prices, the auction of the
// liquidating account, feed ages; refusals carry the program's error names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GreekhouseClient, ProgramRefusal, decodeAccount } from "../../dist/index.js";
import { loadEngine, readFixture, savedAccounts, marginRequest, ofType } from "./helpers.mjs";

const set = readFixture("sets.json").find((s) => s.accounts === "localnet-accounts.json");
const accounts = savedAccounts(readFixture("localnet-accounts.json"));
const demo = savedAccounts(readFixture("demo-accounts.json"));
const demoSet = readFixture("sets.json").find((s) => s.accounts === "demo-accounts.json");
const byKey = (list, key) => list.find((a) => a.key === key);
const refusalOf = (f) => {
  try { f(); return null; } catch (e) { if (e instanceof ProgramRefusal) return e.refusal.name; throw e; }
};

test("layout: collateral assets first, then each underlying once; shared by a liquidated account and its bidder", async () => {
  const engine = await loadEngine();
  const liquidating = byKey(accounts, set.liquidating);
  const solUnderlying = decodeAccount("WriterAccount", liquidating.data).positions.find((p) => !p.contracts.isZero()).underlying.toBase58();
  const alone = engine.layout([liquidating], []);
  assert.deepEqual(alone, { assets: [], underlyings: [solUnderlying] });
  // the demo account holds SOL collateral priced by SOL, and SOL shorts: the asset, then SOL once
  const demoWriter = byKey(demo, demoSet.writers[0]);
  const asset = ofType(demo, "CollateralAsset")[0];
  const first = engine.layout([demoWriter]);
  assert.deepEqual(first.assets, [asset.key]);
  assert.equal(first.underlyings, null);
  const second = engine.layout([demoWriter], [asset]);
  assert.equal(second.underlyings.length, 1);
  // two writers with the same underlying: it appears once
  const bidder = set.writers.map((k) => byKey(accounts, k)).find((w) => w.key !== set.liquidating && decodeAccount("WriterAccount", w.data).positions.some((p) => !p.contracts.isZero()));
  assert.ok(bidder, "the bidder holds a slice");
  assert.deepEqual(engine.layout([liquidating, bidder], []).underlyings, [solUnderlying]);
});

test("remaining accounts: assets read-only, then Underlying and oracle pairs; writable underlyings when recording", () => {
  const layout = { writers: [], clearinghouse: null, assets: [{ key: "11111111111111111111111111111111" }], underlyings: [{ account: { key: "SysvarC1ock11111111111111111111111111111111" }, oracle: { key: "SysvarRent111111111111111111111111111111111" } }] };
  const read = GreekhouseClient.remainingAccounts(layout);
  assert.deepEqual(read.map((m) => [m.pubkey.toBase58(), m.isWritable, m.isSigner]), [
    ["11111111111111111111111111111111", false, false],
    ["SysvarC1ock11111111111111111111111111111111", false, false],
    ["SysvarRent111111111111111111111111111111111", false, false],
  ]);
  const recording = GreekhouseClient.remainingAccounts(layout, true);
  assert.deepEqual(recording.map((m) => m.isWritable), [false, true, false]);
});

test("withdraw: the maximum passes the program's action and one unit more is refused by initial margin", async () => {
  const engine = await loadEngine();
  for (const key of set.writers.filter((k) => k !== set.liquidating)) {
    const { writer, accounts: req } = marginRequest(accounts, key, set.at);
    const args = { ...req, writer };
    const max = engine.maxWithdrawable(args);
    const balance = BigInt(decodeAccount("WriterAccount", writer.data).quoteBalance.toString());
    assert.ok(max > 0n && max <= balance);
    assert.equal(refusalOf(() => engine.withdraw(args, max)), null);
    if (max < balance) assert.equal(refusalOf(() => engine.withdraw(args, max + 1n)), "InitialMarginBreach");
    else assert.equal(refusalOf(() => engine.withdraw(args, max + 1n)) !== null, true);
  }
  // a liquidating account may not withdraw at all
  const { writer, accounts: req } = marginRequest(accounts, set.liquidating, set.at);
  assert.equal(engine.maxWithdrawable({ ...req, writer }), 0n);
});

test("write: the maximum passes the program's action (fee included) and one more contract is refused", async () => {
  const engine = await loadEngine();
  const key = set.writers.find((k) => k !== set.liquidating && decodeAccount("WriterAccount", byKey(accounts, k).data).positions.every((p) => p.contracts.isZero()));
  const { writer, accounts: req } = marginRequest(accounts, key, set.at);
  for (const s of ofType(accounts, "OptionSeries")) {
    const series = decodeAccount("OptionSeries", s.data);
    const underlying = byKey(accounts, series.underlying.toBase58());
    // the request carries every underlying of the snapshot with its oracle: the write's layout
    // (the writer's, plus the series' underlying) is found in it
    assert.ok(req.underlyings.some((u) => u.account.key === underlying.key));
    const ledgerKey = ofType(accounts, "UnderlyingLedger").find((l) => decodeAccount("UnderlyingLedger", l.data).underlying.toBase58() === series.underlying.toBase58());
    const args = { ...req, writer, series: s, underlying, underlyingLedger: ledgerKey };
    const max = engine.maxWritable(args);
    assert.ok(max > 0n, `max for ${s.key}`);
    const at = engine.write(args, max);
    assert.ok(BigInt(at.initial_equity_after) >= 0n);
    assert.ok(refusalOf(() => engine.write(args, max + 1n)) !== null);
  }
});

test("option: price, Greeks and premium of every series; a call's delta in (0, 1), a put's in (-1, 0)", async () => {
  const engine = await loadEngine();
  const [clearinghouse] = ofType(accounts, "Clearinghouse");
  const { accounts: req } = marginRequest(accounts, set.writers[0], set.at);
  for (const s of ofType(accounts, "OptionSeries")) {
    const series = decodeAccount("OptionSeries", s.data);
    const u = req.underlyings.find((x) => x.account.key === series.underlying.toBase58());
    const q = engine.option({ now: BigInt(set.at), clearinghouse, series: s, underlying: u.account, oracle: u.oracle });
    const delta = BigInt(q.delta);
    assert.ok(BigInt(q.price) > 0n);
    if (series.kind === 0) assert.ok(delta > 0n && delta < 10n ** 12n, `call delta ${q.delta}`);
    else assert.ok(delta < 0n && delta > -(10n ** 12n), `put delta ${q.delta}`);
    assert.ok(BigInt(q.premium_per_contract) > 0n && BigInt(q.vega) > 0n);
  }
});

test("auction: the liquidating account's discount and whole-account settlement; an active account is refused", async () => {
  const engine = await loadEngine();
  const { writer, accounts: req } = marginRequest(accounts, set.liquidating, set.at);
  const terms = engine.auction(writer, req);
  const discount = BigInt(terms.discount);
  assert.ok(discount >= 0n && discount < 10n ** 12n, terms.discount);
  assert.ok(BigInt(terms.end_equity) < 0n, "below the end level while liquidating");
  assert.ok(BigInt(terms.whole_from_fund) >= 0n);
  const other = marginRequest(accounts, set.writers.find((k) => k !== set.liquidating), set.at);
  assert.equal(refusalOf(() => engine.auction(other.writer, other.accounts)), "AccountNotLiquidating");
});

test("feeds: oracle and surface ages against their limits, by the program's checks", async () => {
  const engine = await loadEngine();
  const { accounts: req } = marginRequest(accounts, set.writers[0], set.at);
  for (const u of req.underlyings) {
    const f = engine.feeds(BigInt(set.at), u.account, u.oracle);
    assert.ok(f.max_age_secs > 0 && f.liq_max_age_secs >= f.max_age_secs);
    assert.ok(f.oracle && "age_secs" in f.oracle);
    assert.equal(f.oracle.risk_increasing, f.oracle.age_secs <= f.max_age_secs ? null : "OracleStale");
    // far in the future the price is stale for every use
    const later = engine.feeds(BigInt(set.at) + 100_000n, u.account, u.oracle);
    assert.equal(later.oracle.liquidation, "OracleStale");
    assert.ok(later.surface_stale_secs > 0);
  }
});

test("malformed requests are faults, not refusals", async () => {
  const engine = await loadEngine();
  assert.ok(engine.call({ op: "nope" }).fault);
  assert.ok(engine.call({ op: "margin" }).fault);
  const { writer, accounts: req } = marginRequest(accounts, set.liquidating, set.at);
  assert.match(engine.call({ op: "margin", writer: { key: writer.key, data: "AAAA" }, now: 0, clearinghouse: { key: writer.key, data: "" } }).fault, /bytes/);
  assert.ok(req.underlyings.length > 0);
});

test("fund: the share price with the program's virtual shares; a fund without stakers is priced", async () => {
  const engine = await loadEngine();
  const fund = engine.fund(ofType(accounts, "InsuranceFund")[0]);
  assert.ok(BigInt(fund.balance) > 0n, "liquidation fees reached the fund");
  assert.ok(BigInt(fund.price_per_share) > 0n);
  assert.equal(fund.pending_unstake_value, "0");
});

test("layout after a write: the new short takes the first free slot, which places its underlying", async () => {
  const engine = await loadEngine();
  const { encodeAccount } = await import("../../dist/index.js");
  const holder = set.writers.map((k) => byKey(accounts, k)).find((w) => w.key !== set.liquidating && decodeAccount("WriterAccount", w.data).positions.some((p) => !p.contracts.isZero()));
  const state = decodeAccount("WriterAccount", holder.data);
  const held = state.positions.findIndex((p) => !p.contracts.isZero());
  const sol = state.positions[held].underlying.toBase58();
  // the held SOL short moved to slot 1: slot 0 is free
  const empty = state.positions[held === 0 ? 1 : 0];
  const moved = { ...state, positions: state.positions.map((p, i) => (i === 0 ? empty : i === 1 ? state.positions[held] : i === held ? empty : p)) };
  const writer = { key: holder.key, owner: holder.owner, data: encodeAccount("WriterAccount", moved) };
  const btcSeries = ofType(accounts, "OptionSeries").find((s) => decodeAccount("OptionSeries", s.data).underlying.toBase58() !== sol);
  const btc = decodeAccount("OptionSeries", btcSeries.data).underlying.toBase58();
  assert.deepEqual(engine.layout([writer], []).underlyings, [sol]);
  assert.deepEqual(engine.layout([writer], [], { series: btcSeries, contracts: 1n }).underlyings, [btc, sol]);
  // the write projection, priced with that layout, is accepted
  const { accounts: req } = marginRequest(accounts, holder.key, set.at);
  const ledger = ofType(accounts, "UnderlyingLedger").find((l) => decodeAccount("UnderlyingLedger", l.data).underlying.toBase58() === btc);
  const out = engine.write({ ...req, writer, series: btcSeries, underlying: byKey(accounts, btc), underlyingLedger: ledger }, 1n);
  assert.equal(out.short_after, "1");
  assert.deepEqual(out.margin_after.underlyings.map((u) => u.underlying), [btc, sol]);
});

test("the engine's refusals carry the IDL's error codes and names", async () => {
  const engine = await loadEngine();
  const { errorByCode, errorByName, programErrorOf } = await import("../../dist/index.js");
  const { writer, accounts: req } = marginRequest(accounts, set.liquidating, set.at);
  const answer = engine.call({ op: "margin", writer: { key: writer.key, data: Buffer.from(writer.data).toString("base64") }, now: set.at + 10_000_000, price_use: "risk_increasing", clearinghouse: { key: req.clearinghouse.key, data: Buffer.from(req.clearinghouse.data).toString("base64") }, assets: [], underlyings: req.underlyings.map((u) => ({ account: { key: u.account.key, owner: u.account.owner, data: Buffer.from(u.account.data).toString("base64") }, oracle: { key: u.oracle.key, owner: u.oracle.owner, data: Buffer.from(u.oracle.data).toString("base64") } })) });
  assert.equal(answer.refused.name, "OracleStale");
  assert.equal(errorByCode(answer.refused.code).name, "OracleStale");
  assert.equal(errorByName("InitialMarginBreach").code, errorByCode(errorByName("InitialMarginBreach").code).code);
  assert.equal(programErrorOf({ logs: [`Program log: AnchorError occurred. Error Code: OracleStale. Error Number: ${answer.refused.code}.`] }).name, "OracleStale");
  assert.equal(programErrorOf({ InstructionError: [1, { Custom: 3007 }] }).name, "AccountOwnedByWrongProgram");
});
