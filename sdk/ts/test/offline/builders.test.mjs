// Every builder, offline: a client over the saved local-validator accounts (a connection that
// answers from the snapshot), each instruction checked for the IDL's discriminator, the IDL's
// accounts in order, and the margin layout as remaining accounts in engine::layout's order.
import { test } from "node:test";
import assert from "node:assert/strict";
import anchor from "@coral-xyz/anchor";
import { GreekhouseClient, IDL, decodeAccount, PROGRAM_ID } from "../../dist/index.js";
import { loadEngine, readFixture, savedAccounts, ofType } from "./helpers.mjs";

const { web3 } = anchor;
const pk = (s) => new web3.PublicKey(s);
const set = readFixture("sets.json").find((s) => s.accounts === "localnet-accounts.json");
const accounts = savedAccounts(readFixture("localnet-accounts.json"));
const byKey = new Map(accounts.map((a) => [a.key, a]));

/** The two reads the client makes, answered from the snapshot; the clock reads `set.at`. */
function snapshotConnection() {
  const clock = Buffer.alloc(40);
  clock.writeBigInt64LE(BigInt(set.at), 32);
  const info = (key) => {
    const k = key.toBase58();
    if (k === "SysvarC1ock11111111111111111111111111111111") return { data: clock, owner: web3.SYSVAR_RENT_PUBKEY, lamports: 1, executable: false };
    const a = byKey.get(k);
    return a ? { data: Buffer.from(a.data), owner: pk(a.owner), lamports: 1, executable: false } : null;
  };
  return { getAccountInfo: async (key) => info(key), getMultipleAccountsInfo: async (keys) => keys.map(info) };
}

async function client() {
  const provider = new anchor.AnchorProvider(snapshotConnection(), new anchor.Wallet(web3.Keypair.generate()), {});
  const [ch] = ofType(accounts, "Clearinghouse");
  return GreekhouseClient.connect(provider, await loadEngine(), pk(ch.key));
}

function idlIx(name) {
  return IDL.instructions.find((i) => i.name === name);
}

/** Discriminator, the IDL's account count, then `remaining` (keys, writability) after them. */
function check(ix, name, remaining = []) {
  const def = idlIx(name);
  assert.ok(ix.programId.equals(PROGRAM_ID), name);
  assert.deepEqual([...ix.data.subarray(0, 8)], def.discriminator, `${name} discriminator`);
  assert.equal(ix.keys.length, def.accounts.length + remaining.length, `${name} account count`);
  const tail = ix.keys.slice(def.accounts.length).map((m) => [m.pubkey.toBase58(), m.isWritable]);
  assert.deepEqual(tail, remaining, `${name} remaining accounts`);
}

const writerState = (key) => decodeAccount("WriterAccount", byKey.get(key).data);
const liquidating = set.liquidating;
const bidder = set.writers.find((k) => k !== liquidating && writerState(k).positions.some((p) => !p.contracts.isZero()));
const idle = set.writers.find((k) => writerState(k).positions.every((p) => p.contracts.isZero()));

/** The layout's remaining accounts as [key, writable] pairs, from the engine. */
async function layoutOf(keys, recording) {
  const engine = await loadEngine();
  const writers = keys.map((k) => byKey.get(k));
  const assets = engine.layout(writers).assets;
  const unds = engine.layout(writers, assets.map((k) => byKey.get(k))).underlyings;
  const out = assets.map((k) => [k, false]);
  for (const u of unds) {
    const state = decodeAccount("Underlying", byKey.get(u).data);
    out.push([u, recording], [new web3.PublicKey(Uint8Array.from(state.oracle.feed)).toBase58(), false]);
  }
  return out;
}

test("writer flow: open, deposit, write (the layout with the series' underlying), withdraw, burn", async () => {
  const c = await client();
  const owner = writerState(idle).owner;
  check(await c.openWriterAccount(owner, owner, 7), "open_writer_account");
  check(await c.deposit(pk(idle), owner, c.quoteLedger(), owner, 5n), "deposit");
  const sol = c.collateralLedger(pk(readFixture("localnet-pdas.json").collateral_asset.mint));
  const collateralDeposit = await c.deposit(pk(idle), owner, sol, owner, 5n);
  check(collateralDeposit, "deposit");
  assert.equal(collateralDeposit.keys[6].pubkey.toBase58(), readFixture("localnet-pdas.json").collateral_asset.address);
  const series = ofType(accounts, "OptionSeries")[0];
  const seriesState = decodeAccount("OptionSeries", series.data);
  const w = await c.writeOptions(pk(idle), owner, pk(series.key), owner, 3n);
  const oracle = new web3.PublicKey(Uint8Array.from(decodeAccount("Underlying", byKey.get(seriesState.underlying.toBase58()).data).oracle.feed));
  check(w.instruction, "write_options", [[seriesState.underlying.toBase58(), false], [oracle.toBase58(), false]]);
  assert.ok(BigInt(w.projection().fee) > 0n);
  const wd = await c.withdraw(pk(bidder), writerState(bidder).owner, c.quoteLedger(), owner, 1n);
  check(wd.instruction, "withdraw", await layoutOf([bidder], false));
  check(await c.burnOptions(pk(bidder), owner, seriesState.underlying, pk(series.key), owner, 1n), "burn_options");
});

test("liquidation: start and bid record (writable underlyings), end and resolve_bankruptcy read", async () => {
  const c = await client();
  const caller = writerState(idle).owner;
  check(await c.startLiquidation(caller, pk(liquidating), pk(idle)), "start_liquidation", await layoutOf([liquidating], true));
  const plan = await c.planBid(caller, pk(liquidating), pk(bidder), 10n ** 11n, 10n ** 15n);
  check(plan.instruction, "bid", await layoutOf([liquidating, bidder], true));
  assert.equal(plan.projection().fraction, "100000000000");
  check(await c.endLiquidation(caller, pk(liquidating)), "end_liquidation", await layoutOf([liquidating], false));
  check(await c.endLiquidation(caller, pk(idle)), "end_liquidation", []);
  check(await c.checkMargin(pk(bidder)), "check_margin", await layoutOf([bidder], false));
  check(await c.checkMargin(pk(idle)), "check_margin", []);
  const shorts = writerState(liquidating).positions.filter((p) => !p.contracts.isZero()).map((p) => [p.series.toBase58(), true]);
  check(await c.resolveBankruptcy(caller, pk(liquidating)), "resolve_bankruptcy", [...shorts, ...(await layoutOf([liquidating], false))]);
});

test("keepers and settlement cranks", async () => {
  const c = await client();
  const payer = web3.Keypair.generate().publicKey;
  const series = ofType(accounts, "OptionSeries")[0];
  const s = decodeAccount("OptionSeries", series.data);
  const u = decodeAccount("Underlying", byKey.get(s.underlying.toBase58()).data);
  const oracle = new web3.PublicKey(Uint8Array.from(u.oracle.feed));
  check(await c.recordPrice(s.underlying, oracle), "record_price");
  check(await c.proposeSettlementPrice(payer, s.underlying, oracle, BigInt(s.expiry.toString())), "propose_settlement_price");
  check(await c.settleSeries(pk(series.key), s.underlying, BigInt(s.expiry.toString())), "settle_series");
  check(await c.settlePosition(pk(liquidating), pk(series.key)), "settle_position");
  check(await c.resolveDebt(pk(liquidating), false), "resolve_debt", []);
  check(await c.openBackstop(pk(series.key)), "open_backstop");
  check(await c.finalizeSeries(pk(series.key)), "finalize_series");
  check(await c.redeem(payer, pk(series.key), payer, payer, 1n), "redeem");
  check(await c.sweepSeriesDust(pk(series.key)), "sweep_series_dust");
});
