// The dashboard in a real headless Chromium (Debian's package, driven by puppeteer-core; no
// browser download) against a local validator seeded with a liquidation in progress (the SDK's
// validator scenario). The test reads the rendered page and checks its margins against the Rust
// SDK's (`greekhouse margin --url ... --at <the page's clock> --json`), the sort order, the
// auction, the fund's movements event by event and the feeds; a screenshot is kept in
// test-artifacts/dashboard.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";
import { serve } from "../serve.mjs";
import { RiskEngine } from "../../../sdk/ts/dist/index.js";
import { startLocalnet, refreshPrices, clientFor, keypair, pk, send } from "../../../sdk/ts/test/validator/localnet.mjs";
import { runScenario } from "../../../sdk/ts/test/validator/scenario.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const artifacts = path.join(here, "../test-artifacts");
const chromium = process.env.CHROMIUM ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => fs.existsSync(p));
const cli = process.env.GREEKHOUSE_CLI ?? path.join(repo, "target/debug/greekhouse");

let ln, run, donated, server, browser, page, rows, now;
before(async () => {
  if (!chromium) throw new Error("no chromium: apt-get install chromium, or set CHROMIUM");
  ln = await startLocalnet();
  run = await runScenario(ln.manifest, await RiskEngine.load());
  const conn = run.c0.connection;
  // fresh prices at the rallied SOL price, so the page and the CLI (write-level checks) both price
  await refreshPrices(ln.manifest, conn, { SOL: run.steps.solPrice });
  // a donation after the bid: the fund's history has a deposit after the liquidation's fee
  const w2 = keypair(ln.manifest.writers[2].keypair);
  const c2 = await clientFor(ln.manifest, w2, run.c0.engine);
  const donation = await c2.insurance.donate(w2.publicKey, pk(ln.manifest.writers[2].quote_token_account), 250_000_000n);
  donated = (await send(conn, [donation], [w2])).events.find((e) => e.name === "Donated").data;
  const started = await serve({ port: 0 });
  server = started.server;
  browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1600 });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${started.port}/?url=${encodeURIComponent(ln.manifest.rpc_url)}`);
  await page.waitForSelector("body[data-ready=true], body[data-error]", { timeout: 60_000 });
  const error = await page.evaluate(() => document.body.dataset.error ?? null);
  assert.equal(error, null, `page error: ${error} ${errors}`);
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "dashboard.png"), fullPage: true });
  now = await page.$eval("#now", (n) => n.dataset.now);
  rows = await page.$$eval("tr.writer", (trs) => trs.map((tr) => ({ ...tr.dataset })));
});
after(async () => {
  await browser?.close();
  server?.close();
  ln?.stop();
});

test("every writer account is listed, sorted by distance to maintenance, the liquidated one first", () => {
  const keys = rows.map((r) => r.writer);
  for (const w of ln.manifest.writers) assert.ok(keys.includes(w.writer_account), w.writer_account);
  assert.ok(keys.includes(run.account.toBase58()));
  assert.equal(rows[0].writer, run.account.toBase58());
  assert.equal(rows[0].status, "liquidating");
  assert.ok(BigInt(rows[0].mmEquity) < 0n);
});

test("the page's margins equal the Rust SDK's at the page's clock", { skip: !fs.existsSync(cli) && `no ${cli}` }, () => {
  const qd = 6;
  const money = (raw) => Number(BigInt(raw)) / 10 ** (12 + qd);
  for (const r of rows.filter((r) => r.mmEquity !== undefined)) {
    const rust = JSON.parse(execFileSync(cli, ["margin", "--url", ln.manifest.rpc_url, "--writer", r.writer, "--at", now, "--json"], { encoding: "utf8" }));
    assert.equal(money(r.mmEquity), rust.maintenance.equity, `${r.writer} MM equity`);
    assert.equal(money(r.mmRequirement), rust.maintenance.requirement, `${r.writer} MM requirement`);
    assert.equal(money(r.imEquity), rust.initial.equity, `${r.writer} IM equity`);
    assert.equal(money(r.endEquity), rust.end.equity, `${r.writer} end equity`);
    assert.equal(money(r.liability), rust.liability, `${r.writer} liability`);
    assert.equal(money(r.mtm), rust.mark_to_market, `${r.writer} MtM`);
  }
});

test("the live auction, the fund, open interest and the feeds are shown", async () => {
  const auctions = await page.$$eval("tr[data-auction]", (trs) => trs.map((tr) => ({ ...tr.dataset })));
  assert.equal(auctions.length, 1);
  assert.equal(auctions[0].auction, run.account.toBase58());
  assert.ok(BigInt(auctions[0].discount) >= 0n && BigInt(auctions[0].fromFund) >= 0n);
  assert.ok(await page.$("#fund-balance"));
  const sharePrice = await page.$eval("#share-price", (n) => n.dataset.raw);
  assert.ok(BigInt(sharePrice) > 0n, "the program's share price");
  const oi = await page.$$eval("tr[data-underlying]", (trs) => trs.map((tr) => tr.dataset.oi));
  assert.equal(oi.length, ln.manifest.underlyings.length);
  assert.ok(oi.some((v) => BigInt(v) > 0n), "open interest after the writes");
  const feeds = await page.$$eval("tr[data-feed]", (trs) => trs.length);
  assert.equal(feeds, ln.manifest.underlyings.length);
  const bars = await page.$$eval("#margin-chart rect", (r) => r.map((x) => Number(x.dataset.count)));
  assert.equal(bars.reduce((a, b) => a + b, 0), rows.filter((r) => r.mmRequirement && BigInt(r.mmRequirement) > 0n).length);
});

test("the fund's history shows each movement with the balance after: the bid's fee, then the donation", async () => {
  const moves = await page.$$eval("#fund-events rect[data-signature]", (rs) => rs.map((r) => ({ ...r.dataset })));
  const last = moves.at(-1);
  assert.deepEqual([last.event, last.category, last.amount, last.balanceAfter], ["Donated", "deposit", "250000000", donated.fundBalanceAfter.toString()]);
  const slice = run.steps.bid.events.find((e) => e.name === "SliceBought").data;
  const fees = moves.filter((m) => m.event === "SliceBought" && m.category === "fee");
  assert.deepEqual(fees.map((m) => [m.amount, m.balanceAfter]), BigInt(slice.fee.toString()) > 0n ? [[slice.fee.toString(), slice.fundBalanceAfter.toString()]] : []);
  const rows = await page.$$eval("tr[data-fund-event]", (trs) => trs.length);
  assert.equal(rows, Math.min(8, moves.length));
});
