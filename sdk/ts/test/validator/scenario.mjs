// The validator scenario shared by the SDK's validator test and the dashboard's browser test:
// on a freshly seeded local validator, writer 0 opens a second writer account through the SDK,
// deposits, writes calls, is refused a withdrawal by the program, withdraws a little; SOL then
// rallies until that account is below maintenance, writer 1 starts its liquidation and bids for
// a quarter of it. The auction stays open (a liquidation in progress for the dashboard).
import anchor from "@coral-xyz/anchor";
import { ProgramRefusal } from "../../dist/index.js";
import { clientFor, keypair, pk, refreshPrices, send } from "./localnet.mjs";

const { web3 } = anchor;
const ATA_PROGRAM = pk("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

/** The SPL associated-token program's CreateIdempotent (instruction 1). */
export function createAta(payer, owner, mint, ata, tokenProgram) {
  return new web3.TransactionInstruction({
    programId: ATA_PROGRAM,
    keys: [
      { pubkey: payer, isSigner: true, isWritable: true },
      { pubkey: ata, isSigner: false, isWritable: true },
      { pubkey: owner, isSigner: false, isWritable: false },
      { pubkey: mint, isSigner: false, isWritable: false },
      { pubkey: web3.SystemProgram.programId, isSigner: false, isWritable: false },
      { pubkey: tokenProgram, isSigner: false, isWritable: false },
    ],
    data: Buffer.from([1]),
  });
}

/** The cluster clock the program saw in a landed transaction (its block's unix time). */
export const clockOf = (landed) => BigInt(landed.tx.blockTime);

export async function runScenario(manifest, engine) {
  const w0 = keypair(manifest.writers[0].keypair);
  const w1 = keypair(manifest.writers[1].keypair);
  const c0 = await clientFor(manifest, w0, engine);
  const c1 = await clientFor(manifest, w1, engine);
  const conn = c0.connection;
  const ch = c0.ch.clearinghouse;
  const steps = {};
  const txs = [];
  const track = (name, landed) => { steps[name] = landed; txs.push(landed); return landed; };

  await refreshPrices(manifest, conn);

  // open a second writer account (index 1): its address is the SDK's PDA
  const account = c0.pdas.writerAccount(ch, w0.publicKey, 1);
  track("open", await send(conn, [await c0.openWriterAccount(w0.publicKey, w0.publicKey, 1)], [w0]));

  // deposit 20,000 USDC
  const deposit = 20_000_000_000n;
  track("deposit", await send(conn, [await c0.deposit(account, w0.publicKey, c0.quoteLedger(), pk(manifest.writers[0].quote_token_account), deposit)], [w0]));

  // write 90 % of the most the program allows of the SOL 160 call into writer 0's option ATA
  const series = pk(manifest.series[0].address);
  const optionMint = c0.pdas.optionMint(series);
  const recipient = c0.pdas.associatedToken(w0.publicKey, optionMint);
  await send(conn, [createAta(w0.publicKey, w0.publicKey, optionMint, recipient, pk("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"))], [w0]);
  await refreshPrices(manifest, conn);
  const probe = await c0.writeOptions(account, w0.publicKey, series, recipient, 1n);
  const maxWritable = probe.maxWritable();
  const contracts = (maxWritable * 9n) / 10n;
  const write = await c0.writeOptions(account, w0.publicKey, series, recipient, contracts);
  track("write", await send(conn, [write.instruction], [w0]));
  steps.writeInputs = write.inputs;
  steps.writeContracts = contracts;
  steps.maxWritable = maxWritable;

  // a withdrawal of the whole balance: the program refuses it by initial margin
  const balance = BigInt((await c0.program.account.writerAccount.fetch(account)).quoteBalance.toString());
  const tooMuch = await c0.withdraw(account, w0.publicKey, c0.quoteLedger(), pk(manifest.writers[0].quote_token_account), balance);
  try {
    tooMuch.projection();
    steps.projectedRefusal = null;
  } catch (e) {
    steps.projectedRefusal = e instanceof ProgramRefusal ? e.refusal.name : String(e);
  }
  try {
    await send(conn, [tooMuch.instruction], [w0]);
    steps.refusal = null;
  } catch (e) {
    steps.refusal = e.programError?.name ?? e.message;
  }
  steps.maxWithdrawable = tooMuch.maxWithdrawable();

  // a withdrawal of 1 USDC, accepted
  const small = await c0.withdraw(account, w0.publicKey, c0.quoteLedger(), pk(manifest.writers[0].quote_token_account), 1_000_000n);
  track("withdraw", await send(conn, [small.instruction], [w0]));
  steps.withdrawInputs = small.inputs;

  // SOL rallies in 10 % steps until the account is below maintenance
  const sol = manifest.underlyings.find((u) => u.name === "SOL");
  let price = BigInt(sol.price);
  for (let i = 0; i < 30; i++) {
    price = (price * 11n) / 10n;
    await refreshPrices(manifest, conn, { SOL: price });
    const m = await c0.marginOf(account, undefined, "liquidation");
    if (BigInt(m.maintenance.equity) < 0n) break;
  }
  steps.solPrice = price;

  // writer 1 starts the liquidation (the tip goes to its seeded writer account) and bids for a
  // quarter of it from that account
  const bidder = pk(manifest.writers[1].writer_account);
  track("start", await send(conn, [await c1.startLiquidation(w1.publicKey, account, bidder)], [w1]));
  const plan = await c1.planBid(w1.publicKey, account, bidder, 250_000_000_000n, 1_000_000_000_000_000n);
  track("bid", await send(conn, [plan.instruction], [w1]));
  steps.bidInputs = plan.inputs;

  return { account, bidder, steps, txs, c0, c1 };
}
