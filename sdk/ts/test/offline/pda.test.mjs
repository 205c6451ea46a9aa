// PDAs equal the addresses the Rust SDK derived (app/sdk/src/pda.rs, through the scenario kit
// that seeded the local validator), and every PDA-addressed account in the snapshot is found.
import { test } from "node:test";
import assert from "node:assert/strict";
import anchor from "@coral-xyz/anchor";
import { Pdas, PROGRAM_ID, decodeAccount } from "../../dist/index.js";
import { readFixture, savedAccounts, ofType } from "./helpers.mjs";

const { PublicKey } = anchor.web3;
const pk = (s) => new PublicKey(s);
const f = readFixture("localnet-pdas.json");
const pdas = new Pdas(pk(f.program_id));
const accounts = savedAccounts(readFixture("localnet-accounts.json"));
const keys = new Set(accounts.map((a) => a.key));

test("the IDL's program id is the validator's", () => assert.equal(PROGRAM_ID.toBase58(), f.program_id));

test("clearing house, vaults, collateral asset, underlyings, writer accounts and series equal the Rust SDK's", () => {
  assert.equal(pdas.clearinghouse(pk(f.clearinghouse.quote_mint), pk(f.clearinghouse.creator)).toBase58(), f.clearinghouse.address);
  assert.equal(pdas.quoteVault(pk(f.quote_vault.clearinghouse)).toBase58(), f.quote_vault.address);
  assert.equal(pdas.quoteVault(pk(f.quote_vault.clearinghouse)).toBase58(), f.clearinghouse_fields.quote_vault);
  assert.equal(pdas.collateralAsset(pk(f.collateral_asset.clearinghouse), pk(f.collateral_asset.mint)).toBase58(), f.collateral_asset.address);
  assert.equal(pdas.collateralVault(pk(f.collateral_vault.collateral_asset)).toBase58(), f.collateral_vault.address);
  for (const u of f.underlyings) assert.equal(pdas.underlying(pk(u.clearinghouse), u.id).toBase58(), u.address);
  for (const w of f.writer_accounts) assert.equal(pdas.writerAccount(pk(w.clearinghouse), pk(w.owner), w.index).toBase58(), w.address);
  for (const s of f.series) assert.equal(pdas.series(pk(s.underlying), s.expiry, s.strike, s.kind).toBase58(), s.address);
});

test("ledgers, insurance fund and vault, option mints, writer accounts and governance changes of the snapshot", () => {
  const ch = pk(f.clearinghouse.address);
  assert.ok(keys.has(pdas.insuranceFund(ch).toBase58()), "insurance fund");
  for (const u of f.underlyings) assert.ok(keys.has(pdas.underlyingLedger(pk(u.address)).toBase58()), `ledger of ${u.address}`);
  for (const s of ofType(accounts, "OptionSeries")) {
    const state = decodeAccount("OptionSeries", s.data);
    assert.equal(pdas.optionMint(pk(s.key)).toBase58(), state.optionMint.toBase58(), "option mint");
    assert.equal(pdas.series(state.underlying, BigInt(state.expiry.toString()), BigInt(state.strike.toString()), state.kind).toBase58(), s.key);
  }
  for (const w of ofType(accounts, "WriterAccount")) {
    const state = decodeAccount("WriterAccount", w.data);
    assert.equal(pdas.writerAccount(state.clearinghouse, state.owner, state.index).toBase58(), w.key);
  }
  const changes = ofType(accounts, "ParamChange");
  assert.ok(changes.length > 0, "the seeding's governance changes");
  for (const c of changes) {
    const state = decodeAccount("ParamChange", c.data);
    assert.equal(pdas.paramChange(state.clearinghouse, BigInt(state.changeId.toString())).toBase58(), c.key, "param change");
  }
  const fund = decodeAccount("InsuranceFund", ofType(accounts, "InsuranceFund")[0].data);
  assert.equal(pdas.insuranceVault(ch).toBase58(), fund.vault.toBase58());
});
