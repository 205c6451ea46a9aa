// The governance, listing and insurance-staking builders against the Rust SDK's bytes:
// test/fixtures/instructions.json holds, for fixed keys and arguments, the instructions
// app/sdk/src/ix.rs builds (written by the Rust SDK's `ts_golden_instructions` test, which fails
// when the file is stale). Each builder here, given the same inputs, must give the same program
// id, account metas (key, signer, writable, in order) and data. Struct arguments (a GovValue,
// the listing arguments) are the Rust SDK's bytes decoded by the IDL's coder, then encoded again
// by the builder.
import { test } from "node:test";
import assert from "node:assert/strict";
import anchor from "@coral-xyz/anchor";
import { GreekhouseClient, IDL } from "../../dist/index.js";
import { readFixture } from "./helpers.mjs";

const { web3 } = anchor;
const pk = (s) => new web3.PublicKey(s);
const golden = readFixture("instructions.json");
const k = Object.fromEntries(Object.entries(golden.keys).map(([name, key]) => [name, pk(key)]));

function client() {
  const offline = { getAccountInfo: async () => null, getMultipleAccountsInfo: async (keys) => keys.map(() => null) };
  const provider = new anchor.AnchorProvider(offline, new anchor.Wallet(web3.Keypair.generate()), {});
  const program = new anchor.Program(IDL, provider);
  return new GreekhouseClient(program, null, {
    clearinghouse: k.clearinghouse,
    quoteMint: k.quoteMint,
    quoteVault: k.quoteVault,
    quoteTokenProgram: k.quoteTokenProgram,
  });
}

const target = (t) => ({
  underlying: t.underlying && pk(t.underlying),
  collateralAsset: t.collateralAsset && pk(t.collateralAsset),
  priceUnderlying: t.priceUnderlying && pk(t.priceUnderlying),
});

/** Vault `index` of the golden clearing house, on the golden underlying. */
const vault = (c, inputs) => c.vaults.ref(inputs.index, k.underlying);
/** The margin account the Rust SDK's vault cases pass (the oracle key, read-only). */
const margin = [{ pubkey: k.oracle, isSigner: false, isWritable: false }];

/** The TypeScript SDK's instruction for a golden case, from the case's inputs. */
async function build(c, { instruction, inputs }, rustArgs) {
  const g = c.governance;
  const ins = c.insurance;
  switch (instruction) {
    case "queue_change": return g.queueChange(k.payer, k.admin, inputs.changeId, target(inputs.target), rustArgs.change);
    case "execute_change": return g.executeChange(k.payer, inputs.changeId, target(inputs.target));
    case "cancel_change": return g.cancelChange(k.admin, inputs.changeId);
    case "list_underlying":
      assert.equal(rustArgs.args.id, inputs.id);
      return g.listUnderlying(k.payer, k.admin, rustArgs.args);
    case "list_collateral":
      return g.listCollateral(k.payer, k.admin, k.mint, k.tokenProgram, inputs.priceUnderlying && pk(inputs.priceUnderlying), rustArgs.args);
    case "create_series":
      assert.deepEqual([rustArgs.args.kind, rustArgs.args.strike.toString(), rustArgs.args.expiry.toString()], [inputs.kind, String(inputs.strike), String(inputs.expiry)]);
      return g.createSeries(k.payer, k.underlying, k.oracle, rustArgs.args);
    case "open_insurance_stake": return ins.openStake(k.payer, k.owner);
    case "stake": return ins.stake(k.owner, k.tokenAccount, BigInt(inputs.amount), inputs.underlyingCount);
    case "request_unstake": return ins.requestUnstake(k.owner, BigInt(inputs.shares));
    case "cancel_unstake": return ins.cancelUnstake(k.owner);
    case "unstake": return ins.unstake(k.owner, k.tokenAccount);
    case "donate": return ins.donate(k.payer, k.tokenAccount, BigInt(inputs.amount));
    case "create_vault": {
      assert.equal(rustArgs.args.index, inputs.index);
      return c.vaults.createVault(vault(c, inputs), k.payer, k.admin, rustArgs.args.policy);
    }
    case "vault_deposit": return c.vaults.deposit(vault(c, inputs), k.owner, k.tokenAccount, k.mint, BigInt(inputs.amount), margin);
    case "request_vault_withdraw": return c.vaults.requestWithdraw(vault(c, inputs), k.payer, k.owner, k.mint, BigInt(inputs.shares));
    case "cancel_vault_withdraw": return c.vaults.cancelWithdraw(vault(c, inputs), k.owner, k.mint);
    case "vault_withdraw": return c.vaults.withdraw(vault(c, inputs), k.owner, k.tokenAccount, margin);
    case "vault_buy": return c.vaults.buy(vault(c, inputs), k.owner, k.tokenAccount, k.oracle, k.mint, BigInt(inputs.contracts), BigInt(inputs.maxPrice), margin);
    case "vault_sell_back": return c.vaults.sellBack(vault(c, inputs), k.owner, k.mint, k.oracle, k.tokenAccount, BigInt(inputs.contracts), BigInt(inputs.minPrice), margin);
    default: throw new Error(`no builder for ${instruction}`);
  }
}

const camel = (s) => s.replace(/_([a-z])/g, (_, ch) => ch.toUpperCase());

test("every governance, listing, staking and vault builder gives the Rust SDK's instruction", async () => {
  const c = client();
  const names = new Set();
  for (const g of golden.cases) {
    const label = `${g.instruction} (${g.case})`;
    const data = Buffer.from(g.data, "base64");
    const decoded = c.program.coder.instruction.decode(data);
    assert.equal(decoded?.name, camel(g.instruction), `${label}: the IDL decodes the Rust SDK's data`);
    const ix = await build(c, g, decoded.data);
    assert.equal(ix.programId.toBase58(), g.programId, label);
    assert.deepEqual(ix.keys.map((m) => [m.pubkey.toBase58(), m.isSigner, m.isWritable]), g.accounts, `${label}: accounts`);
    assert.equal(ix.data.toString("base64"), g.data, `${label}: data`);
    names.add(g.instruction);
  }
  const expected = ["queue_change", "execute_change", "cancel_change", "list_underlying", "list_collateral", "create_series", "open_insurance_stake", "stake", "request_unstake", "cancel_unstake", "unstake", "donate", "create_vault", "vault_deposit", "request_vault_withdraw", "cancel_vault_withdraw", "vault_withdraw", "vault_buy", "vault_sell_back"];
  assert.deepEqual([...names].sort(), expected.sort());
});

test("stake passes every underlying's ledger, writable, in id order", async () => {
  const c = client();
  const ix = await c.insurance.stake(k.owner, k.tokenAccount, 1n, 2);
  const tail = ix.keys.slice(-2);
  assert.deepEqual(tail.map((m) => [m.pubkey.toBase58(), m.isWritable]), [0, 1].map((id) => [c.pdas.underlyingLedger(c.pdas.underlying(k.clearinghouse, id)).toBase58(), true]));
  assert.equal((await c.insurance.stake(k.owner, k.tokenAccount, 1n, 0)).keys.length, ix.keys.length - 2);
});

test("createVault from a plain policy (no padding given) gives the Rust SDK's bytes", async () => {
  const c = client();
  const policy = { depositCap: 1_000_000_000_000n, minTenorSecs: 86_400, maxTenorSecs: 60 * 86_400, minStrikeBps: 5_000, maxStrikeBps: 20_000, withdrawCooldownSecs: 86_400, maxUtilisationBps: 8_000, spreadBps: 200, allowedKinds: 0b11 };
  const ix = await c.vaults.createVault(c.vaults.ref(3, k.underlying), k.payer, k.admin, policy);
  const g = golden.cases.find((x) => x.instruction === "create_vault");
  assert.equal(ix.data.toString("base64"), g.data);
  assert.deepEqual(ix.keys.map((m) => [m.pubkey.toBase58(), m.isSigner, m.isWritable]), g.accounts);
});
