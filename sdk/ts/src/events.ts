// Events of the program. They are emitted by Anchor's event CPI (`emit_cpi!`): the program
// invokes itself, signed by its event-authority PDA, with `EVENT_IX_TAG || discriminator ||
// borsh(event)` as instruction data. They are inner instructions, not log lines, so Anchor
// TS's `EventParser` (which reads `Program data:` logs) never sees them; this parser reads a
// transaction's inner instructions.
import anchor from "@coral-xyz/anchor";
import { PROGRAM_ID } from "./pda.js";
import { coder, eventsByDiscriminator } from "./coder.js";

const { utils } = anchor;
type PublicKey = InstanceType<typeof anchor.web3.PublicKey>;

/** Anchor's EVENT_IX_TAG: the u64 0x1d9acb512ea545e4 little-endian (sha256("anchor:event")[..8]). */
export const EVENT_IX_TAG = Buffer.from("e445a52e51cb9a1d", "hex");

/** One decoded event: the IDL's name (e.g. `Deposited`), its fields (camelCase, BN, PublicKey). */
export interface GreekhouseEvent {
  name: string;
  data: Record<string, any>;
  /** Index of the top-level instruction whose CPI emitted it. */
  instructionIndex: number;
}


/** Decode one event-CPI instruction's data; `null` when it is not an event of this program. */
export function decodeEventData(data: Uint8Array): { name: string; data: Record<string, any> } | null {
  const bytes = Buffer.from(data);
  if (bytes.length < 16 || !bytes.subarray(0, 8).equals(EVENT_IX_TAG)) return null;
  const known = eventsByDiscriminator.get(bytes.subarray(8, 16).toString("hex"));
  if (!known) return null;
  const decoded = coder.events.decode(bytes.subarray(8).toString("base64"));
  if (!decoded) throw new Error(`event ${known.name}: body does not decode`);
  return { name: known.name, data: decoded.data as Record<string, any> };
}

/** The inner-instruction shape of `getTransaction` / `simulateTransaction` (JSON encoding). */
export interface InnerInstructions {
  index: number;
  instructions: { programIdIndex: number; accounts?: number[]; data: string }[];
}

/**
 * Every event of the program in a transaction, in order: its inner instructions that invoke
 * `programId` with the event tag. `accountKeys` are the message's keys (static, then loaded
 * writable, then loaded read-only, as `getAccountKeys({accountKeysFromLookups})` gives them).
 * A successful transaction's self-CPI passed the program's event-authority check, so nothing
 * else can have produced them.
 */
export function parseEvents(
  accountKeys: PublicKey[],
  innerInstructions: InnerInstructions[] | null | undefined,
  programId: PublicKey = PROGRAM_ID,
): GreekhouseEvent[] {
  const out: GreekhouseEvent[] = [];
  for (const inner of innerInstructions ?? []) {
    for (const ix of inner.instructions) {
      const program = accountKeys[ix.programIdIndex];
      if (!program || !program.equals(programId)) continue;
      const decoded = decodeEventData(utils.bytes.bs58.decode(ix.data));
      if (decoded) out.push({ ...decoded, instructionIndex: inner.index });
    }
  }
  return out;
}

/** The events of a transaction fetched with `connection.getTransaction(sig, {maxSupportedTransactionVersion: 0})`. */
export function eventsOfTransaction(tx: any, programId: PublicKey = PROGRAM_ID): GreekhouseEvent[] {
  if (!tx?.meta) return [];
  const keys = tx.transaction.message.getAccountKeys({ accountKeysFromLookups: tx.meta.loadedAddresses ?? undefined });
  const list: PublicKey[] = [];
  for (let i = 0; i < keys.length; i++) list.push(keys.get(i));
  return parseEvents(list, tx.meta.innerInstructions, programId);
}
