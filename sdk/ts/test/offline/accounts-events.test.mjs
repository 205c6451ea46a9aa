// Accounts decode at their full size, the stock encoder's 1,000-byte limit is what
// docs/typescript.md says, and every event of the IDL goes through the emit_cpi parser.
import { test } from "node:test";
import assert from "node:assert/strict";
import anchor from "@coral-xyz/anchor";
import { IDL, accountSize, decodeAccount, encodeAccount, decodeEventData, parseEvents, EVENT_IX_TAG, PROGRAM_ID } from "../../dist/index.js";
import { readFixture, savedAccounts } from "./helpers.mjs";

const accounts = savedAccounts(readFixture("localnet-accounts.json"));

test("every saved program account decodes at its full size and re-encodes to the same bytes", () => {
  let checked = 0;
  for (const a of accounts.filter((x) => x.owner === PROGRAM_ID.toBase58())) {
    const def = IDL.accounts.find((d) => Buffer.from(d.discriminator).equals(Buffer.from(a.data.subarray(0, 8))));
    assert.ok(def, `${a.key}: a known account type`);
    assert.equal(a.data.length, accountSize(def.name), `${def.name} size`);
    const value = decodeAccount(def.name, a.data);
    assert.ok(Buffer.from(a.data).equals(encodeAccount(def.name, value)), `${def.name} round trip`);
    checked++;
  }
  assert.ok(checked >= 10);
});

test("the stock encoder's fixed 1,000-byte buffer cannot hold a WriterAccount (documented limitation)", async () => {
  const program = new anchor.Program(IDL, { connection: null });
  const writer = accounts.find((a) => a.data.length === accountSize("WriterAccount"));
  const value = decodeAccount("WriterAccount", writer.data);
  assert.ok(accountSize("WriterAccount") > 1000);
  await assert.rejects(async () => program.coder.accounts.encode("writerAccount", value), RangeError);
});

function sampleFor(type, types, k = { n: 1 }) {
  if (typeof type === "string") {
    const n = k.n++;
    if (type === "pubkey") return new anchor.web3.PublicKey(Buffer.alloc(32, n));
    if (type === "bool") return n % 2 === 1;
    if (/^[ui](8|16|32)$/.test(type)) return (type.startsWith("i") ? -1 : 1) * (n % 100);
    if (/^[ui](64|128)$/.test(type)) return new anchor.BN(type.startsWith("i") ? -n * 1000003 : n * 1000003);
    throw new Error(`type ${type}`);
  }
  if (type.array) return Array.from({ length: type.array[1] }, () => sampleFor(type.array[0], types, k));
  if (type.option) return sampleFor(type.option, types, k);
  if (type.vec) return [sampleFor(type.vec, types, k), sampleFor(type.vec, types, k)];
  if (type.defined) {
    const def = types.find((t) => t.name === type.defined.name);
    if (def.type.kind === "struct") return Object.fromEntries(def.type.fields.map((f) => [f.name, sampleFor(f.type, types, k)]));
    if (def.type.kind === "enum") return { [def.type.variants[0].name]: {} };
  }
  throw new Error(`type ${JSON.stringify(type)}`);
}

test("every event of the IDL decodes from its event-CPI instruction data; other instructions are skipped", () => {
  const program = new anchor.Program(IDL, { connection: null });
  const keys = [PROGRAM_ID, anchor.web3.SystemProgram.programId];
  const inner = [];
  for (const [i, e] of IDL.events.entries()) {
    const clientName = program.idl.events[i].name;
    const typeDef = program.idl.types.find((t) => t.name === clientName);
    const value = sampleFor({ defined: { name: clientName } }, program.idl.types);
    const body = program.coder.types.encode(clientName, value);
    const data = Buffer.concat([EVENT_IX_TAG, Buffer.from(e.discriminator), body]);
    const decoded = decodeEventData(data);
    assert.equal(decoded.name, e.name);
    assert.equal(JSON.stringify(decoded.data), JSON.stringify(program.coder.types.decode(clientName, body)), e.name);
    assert.ok(typeDef);
    inner.push({ programIdIndex: 0, data: anchor.utils.bytes.bs58.encode(data) });
  }
  // a program instruction that is not an event, and an event tag under another program
  inner.push({ programIdIndex: 0, data: anchor.utils.bytes.bs58.encode(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9])) });
  inner.push({ programIdIndex: 1, data: anchor.utils.bytes.bs58.encode(Buffer.concat([EVENT_IX_TAG, Buffer.from(IDL.events[0].discriminator)])) });
  const events = parseEvents(keys, [{ index: 3, instructions: inner }]);
  assert.equal(events.length, IDL.events.length);
  assert.deepEqual(events.map((e) => e.name), IDL.events.map((e) => e.name));
  assert.ok(events.every((e) => e.instructionIndex === 3));
});
