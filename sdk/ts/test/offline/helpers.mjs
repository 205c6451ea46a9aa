// Shared by the offline tests: the engine, the fixtures, and the comparison with the Rust CLI's
// JSON numbers.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RiskEngine, decodeAccount, accountDiscriminator, PROGRAM_ID } from "../../dist/index.js";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const fixtures = path.resolve(here, "../fixtures");
export const readFixture = (name) => JSON.parse(fs.readFileSync(path.join(fixtures, name), "utf8"));

let engine;
export async function loadEngine() {
  engine ??= await RiskEngine.load();
  return engine;
}

/** Saved accounts (`solana account --output json` entries) as the engine's AccountBytes. */
export function savedAccounts(entries) {
  return entries.map((e) => ({ key: e.pubkey, owner: e.account.owner, data: Buffer.from(e.account.data[0], "base64") }));
}

/** The program account of type `name` among `accounts`. */
export function ofType(accounts, name) {
  const disc = accountDiscriminator(name);
  return accounts.filter((a) => a.owner === PROGRAM_ID.toBase58() && Buffer.from(a.data.subarray(0, 8)).equals(disc));
}

/**
 * The margin request for `writerKey` from a set of saved accounts: every collateral asset and
 * underlying there, each underlying with its oracle account (a legacy feed's configured account,
 * else the newest PriceUpdateV2 carrying its feed id, as `greekhouse margin --accounts` picks).
 */
export function marginRequest(accounts, writerKey, now) {
  const [clearinghouse] = ofType(accounts, "Clearinghouse");
  const writer = accounts.find((a) => a.key === writerKey);
  const assets = ofType(accounts, "CollateralAsset");
  const underlyings = ofType(accounts, "Underlying").map((u) => {
    const state = decodeAccount("Underlying", u.data);
    const feed = Buffer.from(state.oracle.feed);
    let oracle;
    if (state.oracle.kind === 1) oracle = accounts.find((a) => Buffer.from(bs58decode(a.key)).equals(feed));
    else {
      // PriceUpdateV2: feed id at 8 + 32 + (1 or 2); the newest publish time wins
      const candidates = accounts.filter((a) => a.owner === state.oracle.oracleProgram.toBase58() && a.data.length >= 100).map((a) => {
        const full = a.data[40] === 1;
        const at = full ? 41 : 42;
        return { a, feed: a.data.subarray(at, at + 32), publish: a.data.readBigInt64LE(at + 32 + 20) };
      }).filter((c) => Buffer.from(c.feed).equals(feed));
      candidates.sort((x, y) => (x.publish < y.publish ? 1 : -1));
      oracle = candidates[0]?.a;
    }
    return { account: u, oracle };
  }).filter((u) => u.oracle);
  return { writer, accounts: { now: BigInt(now), clearinghouse, assets, underlyings } };
}

import anchor from "@coral-xyz/anchor";
const bs58decode = (s) => anchor.utils.bytes.bs58.decode(s);

/** `fmt::money_f64` of the CLI: raw / 10^(12 + quote decimals) as f64 (10^18 is exact in f64). */
export const moneyF64 = (raw, quoteDecimals) => Number(BigInt(raw)) / 10 ** (12 + quoteDecimals);
/** `fmt::f64_of`: raw / 10^12. */
export const f64Of = (raw) => Number(BigInt(raw)) / 1e12;
