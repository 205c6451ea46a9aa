// The insurance fund's recent history, event by event, from the node alone (no indexer): the
// fund account's latest transactions (`getSignaturesForAddress`), their self-CPI events decoded
// with the IDL, and of those the ones that move the fund's balance. Every one of them carries
// `fund_balance_after`, so the balance line needs no arithmetic here.
import { base58Decode } from "./idl-decode.js";

/** How far back the history reaches (the node's newest transactions of the fund account). */
export const HISTORY_LIMIT = 200;

/**
 * Fund entries of one decoded event: `[category, label, signed amount]` for each movement.
 * Deposits (stakes, donations), fees (writing fees swept in, liquidation fees, series dust),
 * payouts (to bidders, to series at settlement, resolving debt) and unstakes.
 */
function movements(name, e) {
  switch (name) {
    case "Staked": return [["deposit", "stake", e.amount]];
    case "Donated": return [["deposit", "donation", e.amount]];
    case "FeesSwept": return [["fee", "writing fees", e.amount]];
    case "SeriesDustSwept": return [["fee", "series dust", e.amount]];
    case "SliceBought": return [["fee", "liquidation fee", e.fee], ["payout", "to bidder", -e.from_fund]];
    case "SeriesSettled": return [["payout", "series cover", -e.fund_cover]];
    case "DebtResolved": return [["payout", "debt", -e.from_fund]];
    case "Unstaked": return [["unstake", "unstake", -e.amount]];
    default: return [];
  }
}

// decoded transactions by signature: a refresh fetches only the new ones
const seen = new Map();

async function eventsOf(rpc, decoder, programId, signature) {
  if (seen.has(signature)) return seen.get(signature);
  const tx = await rpc.call("getTransaction", [signature, { encoding: "json", commitment: "confirmed", maxSupportedTransactionVersion: 0 }]);
  const keys = [...tx.transaction.message.accountKeys, ...(tx.meta.loadedAddresses?.writable ?? []), ...(tx.meta.loadedAddresses?.readonly ?? [])];
  const events = [];
  for (const group of tx.meta.innerInstructions ?? []) {
    for (const ix of group.instructions) {
      if (keys[ix.programIdIndex] !== programId) continue;
      const event = decoder.decodeEvent(base58Decode(ix.data));
      if (event) events.push(event);
    }
  }
  const out = { time: tx.blockTime, slot: tx.slot, events };
  seen.set(signature, out);
  return out;
}

/**
 * The fund's movements, oldest first: `{signature, time, event, category, label, amount,
 * balanceAfter}` (amounts signed, in quote native units, as bigint).
 */
export async function fundHistory(rpc, decoder, programId, fundKey) {
  const signatures = (await rpc.call("getSignaturesForAddress", [fundKey, { limit: HISTORY_LIMIT, commitment: "confirmed" }]))
    .filter((s) => s.err === null)
    .reverse();
  const txs = [];
  for (let i = 0; i < signatures.length; i += 10) {
    txs.push(...(await Promise.all(signatures.slice(i, i + 10).map((s) => eventsOf(rpc, decoder, programId, s.signature)))));
  }
  const entries = [];
  txs.forEach((tx, i) => {
    for (const { name, data } of tx.events) {
      for (const [category, label, amount] of movements(name, data)) {
        if (amount === 0n) continue;
        entries.push({ signature: signatures[i].signature, time: tx.time, event: name, category, label, amount, balanceAfter: data.fund_balance_after });
      }
    }
  });
  return entries;
}
