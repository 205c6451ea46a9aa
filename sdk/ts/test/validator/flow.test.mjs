// The SDK against a local validator (scripts/test.sh runs it; `npm run test:validator`): the
// writer flow, a refusal by name, a liquidation with a bid, a stake in the insurance fund,
// every event decoded, and the WASM engine's projections equal to what the program did, to the
// unit.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { RiskEngine, EVENT_IX_TAG, PROGRAM_ID } from "../../dist/index.js";
import anchor from "@coral-xyz/anchor";
import { clientFor, keypair, pk, send, startLocalnet } from "./localnet.mjs";
import { runScenario, clockOf } from "./scenario.mjs";

let ln, engine, run;
before(async () => {
  engine = await RiskEngine.load();
  ln = await startLocalnet();
  run = await runScenario(ln.manifest, engine);
});
after(() => ln?.stop());

const event = (landed, name) => {
  const found = landed.events.filter((e) => e.name === name);
  assert.equal(found.length, 1, `one ${name} in ${landed.events.map((e) => e.name)}`);
  return found[0].data;
};

test("open and deposit: the PDA the SDK derives is the account the program opened", () => {
  const opened = event(run.steps.open, "WriterAccountOpened");
  assert.ok(opened.writerAccount.equals(run.account));
  assert.equal(opened.index, 1);
  const deposited = event(run.steps.deposit, "Deposited");
  assert.equal(deposited.amount.toString(), "20000000000");
  assert.equal(deposited.balanceAfter.toString(), "20000000000");
});

test("write: fee, short and equity after equal the engine's projection at the program's clock", () => {
  const written = event(run.steps.write, "OptionsWritten");
  assert.equal(written.contracts.toString(), run.steps.writeContracts.toString());
  assert.ok(run.steps.writeContracts > 0n && run.steps.writeContracts < run.steps.maxWritable);
  const projected = engine.write({ ...run.steps.writeInputs, now: clockOf(run.steps.write) }, run.steps.writeContracts);
  assert.equal(written.fee.toString(), projected.fee);
  assert.equal(written.shortAfter.toString(), projected.short_after);
  assert.equal(written.initialEquityAfter.toString(), projected.initial_equity_after);
});

test("withdraw: the program refuses the whole balance by name, as the engine projected", () => {
  assert.equal(run.steps.refusal, "InitialMarginBreach");
  assert.equal(run.steps.projectedRefusal, "InitialMarginBreach");
  const withdrawn = event(run.steps.withdraw, "Withdrawn");
  assert.equal(withdrawn.amount.toString(), "1000000");
  const projected = engine.withdraw({ ...run.steps.withdrawInputs, now: clockOf(run.steps.withdraw) }, 1_000_000n);
  assert.equal(withdrawn.balanceAfter.toString(), projected.balance_after);
  assert.equal(withdrawn.initialEquityAfter.toString(), projected.initial_equity_after);
  assert.ok(run.steps.maxWithdrawable > 1_000_000n);
});

test("liquidation: started below maintenance; every field of the bid's SliceBought is the engine's projection at the program's clock", () => {
  const started = event(run.steps.start, "LiquidationStarted");
  assert.ok(started.writerAccount.equals(run.account));
  assert.ok(BigInt(started.maintenanceEquity.toString()) < 0n);
  const slice = event(run.steps.bid, "SliceBought");
  assert.equal(slice.fraction.toString(), "250000000000");
  const at = { ...run.steps.bidInputs, now: clockOf(run.steps.bid) };
  const projected = engine.bid(at);
  const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  for (const [field, value] of Object.entries(projected)) {
    const onChain = slice[camel(field)];
    assert.equal(typeof onChain.toBase58 === "function" ? onChain.toBase58() : onChain.toString(), value, field);
  }
  // the auction terms the dashboard shows agree with the bid's
  const terms = engine.auction(at.liquidated, at);
  assert.equal(terms.discount, projected.discount);
});

test("every self-CPI event instruction of every transaction decodes", () => {
  const bs58 = anchor.utils.bytes.bs58;
  let inner = 0;
  let decoded = 0;
  for (const landed of run.txs) {
    const keys = landed.tx.transaction.message.getAccountKeys({ accountKeysFromLookups: landed.tx.meta.loadedAddresses });
    for (const group of landed.tx.meta.innerInstructions ?? []) {
      for (const ix of group.instructions) {
        if (!keys.get(ix.programIdIndex).equals(PROGRAM_ID)) continue;
        if (Buffer.from(bs58.decode(ix.data)).subarray(0, 8).equals(EVENT_IX_TAG)) inner++;
      }
    }
    decoded += landed.events.length;
  }
  assert.ok(inner >= 6, `${inner} event instructions`);
  assert.equal(decoded, inner);
  const names = new Set(run.txs.flatMap((t) => t.events.map((e) => e.name)));
  for (const n of ["WriterAccountOpened", "Deposited", "OptionsWritten", "Withdrawn", "LiquidationStarted", "SliceBought"]) assert.ok(names.has(n), n);
});

test("insurance: a writer opens a stake and stakes, requests an unstake and cancels it; the fund as the engine reads it", async () => {
  const w2 = keypair(ln.manifest.writers[2].keypair);
  const c = await clientFor(ln.manifest, w2, engine);
  const wallet = pk(ln.manifest.writers[2].quote_token_account);
  const fundKey = c.pdas.insuranceFund(c.ch.clearinghouse);
  const amount = 1_000_000_000n;
  const staked = await send(c.connection, [await c.insurance.openStake(w2.publicKey, w2.publicKey), await c.insurance.stake(w2.publicKey, wallet, amount)], [w2]);
  const opened = event(staked, "InsuranceStakeOpened");
  assert.ok(opened.insuranceStake.equals(c.insurance.stakeAccount(w2.publicKey)));
  const stake = event(staked, "Staked");
  assert.equal(stake.amount.toString(), amount.toString());
  const account = await c.program.account.insuranceStake.fetch(opened.insuranceStake);
  assert.equal(account.shares.toString(), stake.shares.toString());
  const [fundAfterStake] = await c.fetchBytes([fundKey]);
  const fund = engine.fund(fundAfterStake);
  assert.equal(fund.balance, stake.fundBalanceAfter.toString());
  assert.equal(fund.total_shares, stake.totalSharesAfter.toString());

  // half the shares into cooldown: the fund shows them pending, valued as the program valued them
  const half = BigInt(stake.shares.toString()) / 2n;
  const requested = event(await send(c.connection, [await c.insurance.requestUnstake(w2.publicKey, half)], [w2]), "UnstakeRequested");
  assert.equal(requested.shares.toString(), half.toString());
  const cooling = engine.fund((await c.fetchBytes([fundKey]))[0]);
  assert.equal(cooling.pending_unstake_shares, half.toString());
  assert.equal(cooling.pending_unstake_value, requested.value.toString());
  assert.ok(BigInt(requested.unlocksAt.toString()) > BigInt(clockOf(staked)));

  const cancelled = event(await send(c.connection, [await c.insurance.cancelUnstake(w2.publicKey)], [w2]), "UnstakeCancelled");
  assert.equal(cancelled.shares.toString(), half.toString());
  assert.equal(engine.fund((await c.fetchBytes([fundKey]))[0]).pending_unstake_shares, "0");
});
