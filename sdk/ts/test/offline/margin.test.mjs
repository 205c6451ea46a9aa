// The WebAssembly engine's margins equal the Rust SDK's (the CLI's `margin --accounts`, golden
// files regenerated and diffed by test/fixtures/generate.mjs --check) on the same saved accounts:
// every level's add-on, requirement, collateral value and equity, the liability, the
// mark-to-market and each underlying's Greeks, as the same f64 the CLI prints. The CLI prints
// raw / 10^18 rounded to f64, so equal f64s mean equal raw values to ~1e-16 relative: far below
// one quote native unit at these sizes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadEngine, readFixture, savedAccounts, marginRequest, moneyF64, f64Of, ofType } from "./helpers.mjs";
import { decodeAccount } from "../../dist/index.js";

const sets = readFixture("sets.json");

for (const set of sets) {
  test(`margins equal the Rust SDK's: ${set.name}`, async () => {
    const engine = await loadEngine();
    const accounts = savedAccounts(readFixture(set.accounts));
    const golden = readFixture(set.golden);
    const [ch] = ofType(accounts, "Clearinghouse");
    const qd = decodeAccount("Clearinghouse", ch.data).quoteDecimals;
    for (const writerKey of set.writers) {
      const { writer, accounts: req } = marginRequest(accounts, writerKey, set.at);
      const m = engine.margin(writer, req);
      const g = golden[writerKey];
      const money = (raw) => moneyF64(raw, qd);
      assert.equal(money(m.liability), g.liability, "liability");
      assert.equal(money(m.mark_to_market), g.mark_to_market, "mark_to_market");
      for (const level of ["initial", "end", "maintenance"]) {
        for (const field of ["addon", "requirement", "collateral_value", "equity"]) {
          assert.equal(money(m[level][field]), g[level][field], `${writerKey} ${level}.${field}`);
        }
      }
      assert.equal(m.underlyings.length, g.underlyings.length, "underlyings");
      m.underlyings.forEach((u, i) => {
        const gu = g.underlyings[i];
        assert.equal(f64Of(u.delta), gu.delta, `delta ${i}`);
        for (const field of ["liability", "cash_gamma", "vega", "theta", "addon_initial", "addon_maintenance"]) {
          assert.equal(money(u[field]), gu[field], `${writerKey} underlying ${i} ${field}`);
        }
      });
    }
  });
}
