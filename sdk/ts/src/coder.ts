// The coder `Program<Greekhouse>` uses: Anchor's own camelCase conversion of the IDL (no copy of
// it), so decoded accounts and events carry the same field names as `program.account.X.fetch`.
import anchor from "@coral-xyz/anchor";
import { IDL } from "./idl.js";

// A Program needs no connection to build its coder; nothing is sent through this one.
const offline = new anchor.Program(IDL as any, { connection: null } as any);

export const coder = offline.coder as any;
/** The converted IDL (camelCase names), in the same order as IDL. */
export const camelIdl = offline.idl as any;

/** Client (camelCase) name of the IDL's account `name` (`WriterAccount` -> `writerAccount`). */
export function clientAccountName(name: string): string {
  const i = IDL.accounts.findIndex((a) => a.name === name);
  if (i < 0) throw new Error(`no account ${name} in the IDL`);
  return camelIdl.accounts[i].name;
}

/** IDL event name by discriminator hex, and its client name. */
export const eventsByDiscriminator = new Map<string, { name: string; clientName: string }>(
  IDL.events.map((e, i) => [Buffer.from(e.discriminator).toString("hex"), { name: e.name, clientName: camelIdl.events[i].name }]),
);
