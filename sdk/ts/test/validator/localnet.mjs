// A local validator for the SDK's validator tests and the dashboard's browser test: starts
// `greekhouse-localnet` (the repository's agave test validator with the program and the test
// oracle, seeded by the Rust scenario kit; docs/rpc.md), and drives it through the SDK.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import anchor from "@coral-xyz/anchor";
import { GreekhouseClient, RiskEngine, eventsOfTransaction, programErrorOf } from "../../dist/index.js";

const { web3, AnchorProvider, Wallet } = anchor;
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../../..");

export function localnetBinary() {
  return process.env.GREEKHOUSE_LOCALNET_BIN ?? path.join(repo, "target/localnet/debug/greekhouse-localnet");
}

/** Start a validator in a fresh directory; resolves with `{manifest, dir, stop()}` once it printed `ready`. */
export async function startLocalnet({ timeoutMs = 240_000 } = {}) {
  const binary = localnetBinary();
  if (!fs.existsSync(binary)) throw new Error(`${binary} not found: ./scripts/localnet.sh build, or set GREEKHOUSE_LOCALNET_BIN`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "greekhouse-ts-"));
  const child = spawn(binary, ["--dir", dir, "--rpc-port", "0"], { stdio: ["ignore", "pipe", "ignore"] });
  const manifestPath = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`validator not ready in ${timeoutMs} ms`)), timeoutMs);
    let buffered = "";
    child.stdout.on("data", (chunk) => {
      buffered += chunk.toString();
      const m = /^ready (.+)$/m.exec(buffered);
      if (m) { clearTimeout(timer); resolve(m[1].trim()); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`validator exited with ${code}`)); });
  });
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", stop);
  return { manifest, manifestPath, dir, stop };
}

export const keypair = (file) => web3.Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(file, "utf8"))));
export const pk = (s) => new web3.PublicKey(s);

/** A client signing as `signer` against the manifest's clearing house. */
export async function clientFor(manifest, signer, engine) {
  const connection = new web3.Connection(manifest.rpc_url, "confirmed");
  const provider = new AnchorProvider(connection, new Wallet(signer), { commitment: "confirmed" });
  return GreekhouseClient.connect(provider, engine ?? (await RiskEngine.load()), pk(manifest.clearinghouse));
}

/**
 * Send `instructions` signed by `signers` (the first pays). Preflight runs the program: a
 * refusal throws with `programError` (the IDL's error: code, name) attached. Resolves with the
 * landed transaction and its decoded events.
 */
export async function send(connection, instructions, signers) {
  const tx = new web3.Transaction();
  tx.add(web3.ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 }), ...instructions);
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash("confirmed");
  tx.recentBlockhash = blockhash;
  tx.feePayer = signers[0].publicKey;
  tx.sign(...signers);
  let signature;
  try {
    signature = await connection.sendRawTransaction(tx.serialize(), { preflightCommitment: "confirmed" });
  } catch (e) {
    const logs = e.logs ?? (typeof e.getLogs === "function" ? await e.getLogs(connection).catch(() => []) : []);
    const err = new Error(`transaction refused: ${e.message}`);
    err.programError = programErrorOf({ logs, message: e.message });
    err.logs = logs;
    throw err;
  }
  // poll the status (no websocket: nothing is left open when the validator stops)
  for (;;) {
    const { value } = await connection.getSignatureStatuses([signature]);
    const status = value[0];
    if (status?.err) {
      const err = new Error(`transaction failed: ${JSON.stringify(status.err)}`);
      err.programError = programErrorOf(status.err);
      throw err;
    }
    if (status && (status.confirmationStatus === "confirmed" || status.confirmationStatus === "finalized")) break;
    if ((await connection.getBlockHeight("confirmed")) > lastValidBlockHeight) throw new Error(`transaction ${signature} expired`);
    await new Promise((r) => setTimeout(r, 200));
  }
  let landed = null;
  for (let i = 0; i < 40 && !landed; i++) {
    landed = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    if (!landed) await new Promise((r) => setTimeout(r, 250));
  }
  if (!landed) throw new Error(`transaction ${signature} not found after confirmation`);
  return { signature, tx: landed, events: eventsOfTransaction(landed) };
}

/** The test oracle's `Publish` (docs/rpc.md): tag 1, label[32], price i64, conf u64, publish_time i64 (0 = the cluster's clock). */
export function publishPrice(manifest, authority, name, price1e8, conf1e8) {
  const underlying = manifest.underlyings.find((u) => u.name === name);
  const label = Buffer.alloc(32);
  label.write(underlying.feed_label);
  const data = Buffer.alloc(1 + 32 + 24);
  data[0] = 1;
  label.copy(data, 1);
  data.writeBigInt64LE(BigInt(price1e8), 33);
  data.writeBigUInt64LE(BigInt(conf1e8), 41);
  data.writeBigInt64LE(0n, 49);
  return new web3.TransactionInstruction({
    programId: pk(manifest.oracle_program_id),
    keys: [
      { pubkey: authority.publicKey, isSigner: true, isWritable: false },
      { pubkey: pk(underlying.oracle), isSigner: false, isWritable: true },
    ],
    data,
  });
}

/** Republish every feed at `prices` (name -> price 1e8; default the manifest's), confidence 0.05 %. */
export async function refreshPrices(manifest, connection, prices = {}) {
  const authority = keypair(manifest.oracle_authority_keypair);
  const faucet = keypair(manifest.faucet_keypair);
  const ixs = manifest.underlyings.map((u) => {
    const price = BigInt(prices[u.name] ?? u.price);
    return publishPrice(manifest, authority, u.name, price, price / 2000n);
  });
  return send(connection, ixs, [faucet, authority]);
}
