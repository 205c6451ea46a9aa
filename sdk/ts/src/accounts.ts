// Decoding of the program's accounts. Every account is zero-copy (bytemuck, repr(C)); Anchor's
// BorshAccountsCoder decodes them from the IDL's layout at their full size (WriterAccount is
// 2,712 bytes with its discriminator). Its *encoder* writes into a fixed 1,000-byte buffer and
// throws `RangeError: encoding overruns Buffer` for larger accounts (docs/typescript.md); a
// client never encodes a program-owned account, and `encodeAccount` here sizes the buffer from
// the layout for tests that need to.
import { IDL } from "./idl.js";
import { coder, clientAccountName } from "./coder.js";

const accountsCoder = coder.accounts;

/** The IDL's account names (`WriterAccount`, `Underlying`, ...). */
export type AccountName = (typeof IDL.accounts)[number]["name"];

/** Anchor's 8-byte discriminator of an account type. */
export function accountDiscriminator(name: AccountName): Buffer {
  const def = IDL.accounts.find((a) => a.name === name);
  if (!def) throw new Error(`no account ${name} in the IDL`);
  return Buffer.from(def.discriminator);
}

/** Size of the account's data: discriminator plus the layout's span. */
export function accountSize(name: AccountName): number {
  return 8 + accountsCoder.accountLayouts.get(clientAccountName(name)).layout.span;
}

/** Decode `data` as account `name` (discriminator and length checked); fields camelCase as `program.account.X.fetch` gives them. */
export function decodeAccount<T = any>(name: AccountName, data: Uint8Array): T {
  const bytes = Buffer.from(data);
  if (!bytes.subarray(0, 8).equals(accountDiscriminator(name))) throw new Error(`not a ${name} account`);
  if (bytes.length < accountSize(name)) throw new Error(`${name}: ${bytes.length} bytes, needs ${accountSize(name)}`);
  return accountsCoder.decode(clientAccountName(name), bytes) as T;
}

/** Encode an account at its full size (the stock encoder stops at 1,000 bytes). */
export function encodeAccount(name: AccountName, value: unknown): Buffer {
  const { layout } = accountsCoder.accountLayouts.get(clientAccountName(name));
  const body = Buffer.alloc(layout.span);
  layout.encode(value, body);
  return Buffer.concat([accountDiscriminator(name), body]);
}

