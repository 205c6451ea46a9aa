#!/usr/bin/env node
// Builds the engine module (sdk/wasm, its own cargo workspace and target directory) for
// wasm32-unknown-unknown and copies it to wasm/greekhouse_engine.wasm. Needs only cargo and the
// target (`rustup target add wasm32-unknown-unknown`): the module has a raw ABI, no wasm-bindgen.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const crate = path.resolve(here, "../../wasm");
const targetDir = path.join(crate, "target");
execFileSync("cargo", ["build", "--release", "--locked", "--target", "wasm32-unknown-unknown"], {
  cwd: crate,
  stdio: "inherit",
  env: { ...process.env, CARGO_TARGET_DIR: targetDir },
});
const built = path.join(targetDir, "wasm32-unknown-unknown/release/greekhouse_engine_wasm.wasm");
const out = path.resolve(here, "../wasm/greekhouse_engine.wasm");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.copyFileSync(built, out);
console.log(`${out}: ${fs.statSync(out).size} bytes`);
