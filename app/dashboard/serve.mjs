#!/usr/bin/env node
// Serves the dashboard: the page (index.html, src/) and its three vendored files, taken from the
// repository (the SDK's compiled engine.js, the engine's .wasm, the IDL). `--out DIR` writes the
// same files as a static site instead, for any web server.
//
//   node app/dashboard/serve.mjs [--port 8080] [--url http://127.0.0.1:8899]
//   node app/dashboard/serve.mjs --out dist/
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
/** URL path -> file: the page's own files, and what it takes from the SDK and the IDL. */
export const VENDOR = {
  "/vendor/engine.js": path.join(repo, "sdk/ts/dist/engine.js"),
  "/vendor/greekhouse_engine.wasm": path.join(repo, "sdk/ts/wasm/greekhouse_engine.wasm"),
  "/vendor/greekhouse.json": path.join(repo, "idl/greekhouse.json"),
};
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm" };

function resolve(urlPath) {
  if (VENDOR[urlPath]) return VENDOR[urlPath];
  const rel = urlPath === "/" ? "index.html" : urlPath.replace(/^\/+/, "");
  const file = path.resolve(here, rel);
  if (!file.startsWith(here + path.sep) || !(rel === "index.html" || rel.startsWith("src/"))) return null;
  return file;
}

/** Start the server; resolves with `{server, port}`. */
export function serve({ port = 8080, host = "127.0.0.1" } = {}) {
  for (const [url, file] of Object.entries(VENDOR)) {
    if (!fs.existsSync(file)) throw new Error(`${file} (for ${url}) is missing: build the SDK (npm run build:wasm && npm run build in sdk/ts)`);
  }
  const server = http.createServer((req, res) => {
    const file = resolve(new URL(req.url, "http://x").pathname);
    if (!file || !fs.existsSync(file)) { res.writeHead(404).end("not found"); return; }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(port, host, () => ok({ server, port: server.address().port })));
}

/** Copy the page and its vendored files into `out`. */
export function writeStatic(out) {
  fs.mkdirSync(path.join(out, "src"), { recursive: true });
  fs.mkdirSync(path.join(out, "vendor"), { recursive: true });
  fs.copyFileSync(path.join(here, "index.html"), path.join(out, "index.html"));
  for (const f of fs.readdirSync(path.join(here, "src"))) fs.copyFileSync(path.join(here, "src", f), path.join(out, "src", f));
  for (const [url, file] of Object.entries(VENDOR)) fs.copyFileSync(file, path.join(out, url));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
  if (arg("--out")) {
    writeStatic(path.resolve(arg("--out")));
    console.log(`static dashboard in ${arg("--out")}: open index.html?url=<node RPC URL>`);
  } else {
    const { port } = await serve({ port: Number(arg("--port") ?? 8080) });
    const node = arg("--url") ?? "http://127.0.0.1:8899";
    console.log(`dashboard: http://127.0.0.1:${port}/?url=${encodeURIComponent(node)}`);
  }
}
