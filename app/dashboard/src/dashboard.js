// The risk dashboard: reads a Greekhouse clearing house from a node and shows what operators,
// stakers and governance watch. Margins, auction terms and feed verdicts come from the program's
// own code in WebAssembly (the SDK's RiskEngine); this file fetches, sorts and draws.
//
// Parameters (query string): url = the node's JSON-RPC URL (default http://127.0.0.1:8899),
// clearinghouse = its address (default: the first one the program has), program = the program
// id (default the IDL's), oracle.<underlying> = the PriceUpdateV2 account of a pull-feed
// underlying (a legacy feed's account is in its config).
import { RiskEngine, fixedToNative } from "../vendor/engine.js";
import { IdlDecoder, base58, fromBase64 } from "./idl-decode.js";
import { fundHistory, HISTORY_LIMIT } from "./fund-history.js";
import { Rpc } from "./rpc.js";

const FIXED_ONE = 10n ** 12n;
const CLOCK = "SysvarC1ock11111111111111111111111111111111";

// ------------------------------------------------------------------ formatting

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k.startsWith("data-") || k === "class" || k === "title") node.setAttribute(k, String(v));
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
};
const svgEl = (tag, attrs = {}, text) => {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
};
const short = (key) => `${key.slice(0, 4)}…${key.slice(-4)}`;
/** A raw Fixed of quote native units as whole quote units with `dp` decimals (display). */
function money(raw, quoteDecimals, dp = 2) {
  const scale = 10n ** BigInt(12 + quoteDecimals - dp);
  const r = BigInt(raw);
  const q = (r < 0n ? -r : r) / scale;
  const s = q.toString().padStart(dp + 1, "0");
  const whole = s.slice(0, s.length - dp).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${r < 0n && q > 0n ? "-" : ""}${whole}${dp ? "." + s.slice(-dp) : ""}`;
}
const native = (amount, decimals, dp = 2) => money(BigInt(amount) * FIXED_ONE, decimals, dp);
const percent = (raw) => `${(Number(BigInt(raw)) / 1e10).toFixed(2)} %`;
const age = (secs) => (secs < 120 ? `${secs} s` : secs < 7200 ? `${Math.round(secs / 60)} min` : `${(secs / 3600).toFixed(1)} h`);
const symbolOf = (u) => new TextDecoder().decode(u.symbol).replace(/\0+$/, "");

// ------------------------------------------------------------------ loading

export async function load({ url, clearinghouse, programId, oracles = {}, engine, idl }) {
  const rpc = new Rpc(url);
  const decoder = new IdlDecoder(idl);
  programId ??= idl.address;
  const [clockInfo] = await rpc.multiple([CLOCK]);
  const clockData = fromBase64(clockInfo.data[0]);
  const now = new DataView(clockData.buffer).getBigInt64(32, true);

  const byType = new Map();
  const raw = new Map();
  for (const { pubkey, account } of await rpc.programAccounts(programId)) {
    const data = fromBase64(account.data[0]);
    const type = decoder.typeOf(data);
    if (!type) continue;
    const bytes = { key: pubkey, owner: account.owner, data };
    raw.set(pubkey, bytes);
    if (!byType.has(type)) byType.set(type, []);
    byType.get(type).push({ key: pubkey, bytes, state: decoder.decode(type, data) });
  }
  const all = (type) => byType.get(type) ?? [];
  const ch = clearinghouse ? all("Clearinghouse").find((c) => c.key === clearinghouse) : all("Clearinghouse")[0];
  if (!ch) throw new Error(`no clearing house ${clearinghouse ?? ""} at ${url}`);
  const mine = (type) => all(type).filter((a) => a.state.clearinghouse === ch.key);
  const qd = ch.state.quote_decimals;

  const underlyings = mine("Underlying");
  const assets = mine("CollateralAsset");
  // oracle account of each underlying: a legacy feed's configured account (kind 1), else the
  // PriceUpdateV2 account given as oracle.<underlying>
  const oracleKeys = underlyings.map((u) => (u.state.oracle.kind === 1 ? base58(u.state.oracle.feed) : oracles[u.key] ?? null));
  const fetched = await rpc.multiple(oracleKeys.filter(Boolean));
  const oracleBytes = new Map();
  oracleKeys.filter(Boolean).forEach((k, i) => {
    if (fetched[i]) oracleBytes.set(k, { key: k, owner: fetched[i].owner, data: fromBase64(fetched[i].data[0]) });
  });
  const priced = underlyings
    .map((u, i) => ({ u, oracle: oracleKeys[i] && oracleBytes.get(oracleKeys[i]) }))
    .filter((x) => x.oracle);
  const marginAccounts = (priceUse) => ({
    now,
    priceUse,
    clearinghouse: ch.bytes,
    assets: assets.map((a) => a.bytes),
    underlyings: priced.map((x) => ({ account: x.u.bytes, oracle: x.oracle })),
  });

  // writers, by distance to maintenance (margins at liquidation prices, as the program checks it)
  const writers = mine("WriterAccount").map((w) => {
    const row = { key: w.key, owner: w.state.owner, status: w.state.status, quote: w.state.quote_balance, state: w.state };
    try {
      row.margin = engine.margin(w.bytes, marginAccounts("liquidation"));
      const req = BigInt(row.margin.maintenance.requirement);
      row.ratio = req > 0n ? Number((BigInt(row.margin.maintenance.equity) * 10000n) / req) / 10000 : Infinity;
    } catch (e) {
      row.error = e.refusal?.name ?? e.message;
      row.ratio = -Infinity;
    }
    return row;
  });
  writers.sort((a, b) => a.ratio - b.ratio || a.key.localeCompare(b.key));

  const auctions = writers.filter((w) => w.status === 1).map((w) => {
    const bytes = raw.get(w.key);
    try {
      return { ...w, terms: engine.auction(bytes, marginAccounts("liquidation")) };
    } catch (e) {
      return { ...w, auctionError: e.refusal?.name ?? e.message };
    }
  });

  const fund = mine("InsuranceFund")[0] ?? null;
  if (fund) {
    fund.priced = engine.fund(fund.bytes);
    // a node without transaction history still shows everything else
    fund.history = await fundHistory(rpc, decoder, programId, fund.key).catch((e) => ({ error: e.message }));
  }
  const stakes = fund ? all("InsuranceStake").filter((s) => s.state.insurance_fund === fund.key) : [];
  const ledgers = new Map(all("UnderlyingLedger").map((l) => [l.state.underlying, l.state]));
  const feeds = underlyings.map((u, i) => {
    const oracle = oracleKeys[i] && oracleBytes.get(oracleKeys[i]);
    return { u, oracleKey: oracleKeys[i], status: engine.feeds(now, u.bytes, oracle ?? undefined) };
  });
  const changes = mine("ParamChange").sort((a, b) => Number(a.state.change_id - b.state.change_id));
  return { url, now, ch, qd, writers, auctions, fund, stakes, underlyings, ledgers, feeds, changes, assets };
}

// ------------------------------------------------------------------ charts

/** Histogram of maintenance equity / maintenance requirement over the accounts with shorts. */
function marginChart(writers) {
  const buckets = [
    { label: "< 0", test: (r) => r < 0 },
    { label: "0–0.5", test: (r) => r >= 0 && r < 0.5 },
    { label: "0.5–1", test: (r) => r >= 0.5 && r < 1 },
    { label: "1–2", test: (r) => r >= 1 && r < 2 },
    { label: "2–5", test: (r) => r >= 2 && r < 5 },
    { label: "≥ 5", test: (r) => r >= 5 && r !== Infinity },
  ];
  const ratios = writers.filter((w) => Number.isFinite(w.ratio)).map((w) => w.ratio);
  const counts = buckets.map((b) => ratios.filter(b.test).length);
  const max = Math.max(1, ...counts);
  const W = 360, H = 160, bw = W / buckets.length;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H + 30}`, width: W, height: H + 30, role: "img", "aria-label": "margin distribution", id: "margin-chart" });
  buckets.forEach((b, i) => {
    const h = (counts[i] / max) * (H - 20);
    svg.append(svgEl("rect", { x: i * bw + 6, y: H - h, width: bw - 12, height: h, class: i === 0 ? "bar danger" : "bar", "data-count": counts[i] }));
    svg.append(svgEl("text", { x: i * bw + bw / 2, y: H - h - 4, "text-anchor": "middle", class: "count" }, counts[i]));
    svg.append(svgEl("text", { x: i * bw + bw / 2, y: H + 16, "text-anchor": "middle" }, b.label));
  });
  return el("figure", {}, svg, el("figcaption", {}, "Accounts by maintenance equity ÷ maintenance requirement (accounts with shorts)"));
}

/** Open interest against its cap, one bar per underlying. */
function openInterestChart(rows) {
  const W = 360, row = 28;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${rows.length * row + 10}`, width: W, height: rows.length * row + 10, role: "img", "aria-label": "open interest" });
  rows.forEach((r, i) => {
    const share = r.cap > 0n ? Math.min(1, Number((r.oi * 10000n) / r.cap) / 10000) : 0;
    svg.append(svgEl("text", { x: 0, y: i * row + 18 }, r.symbol));
    svg.append(svgEl("rect", { x: 50, y: i * row + 6, width: 300, height: 16, class: "track" }));
    svg.append(svgEl("rect", { x: 50, y: i * row + 6, width: Math.max(1, 300 * share), height: 16, class: share > 0.9 ? "bar danger" : "bar" }));
  });
  return svg;
}

/** Where the fund's money came from and went, from its running totals. */
function fundFlowChart(f, qd) {
  const flows = [
    ["fees", f.fees_received_total], ["liq. fees", f.liquidation_fees_total], ["donations", f.donations_total], ["staked", f.staked_total],
    ["to bidders", -f.paid_to_bidders_total], ["to series", -f.paid_to_series_total], ["unstaked", -f.unstaked_total],
  ];
  const max = flows.reduce((m, [, v]) => (v < 0n ? -v : v) > m ? (v < 0n ? -v : v) : m, 1n);
  const W = 360, row = 22, mid = 200;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${flows.length * row}`, width: W, height: flows.length * row, role: "img", "aria-label": "insurance fund flows" });
  flows.forEach(([label, v], i) => {
    const w = Number(((v < 0n ? -v : v) * 140n) / max);
    svg.append(svgEl("text", { x: 0, y: i * row + 15 }, `${label} ${native(v < 0n ? -v : v, qd, 0)}`));
    svg.append(svgEl("rect", { x: v < 0n ? mid + 10 : mid + 10, y: i * row + 4, width: Math.max(1, w), height: 14, class: v < 0n ? "bar out" : "bar" }));
  });
  return svg;
}

const CATEGORIES = [["deposit", "deposits"], ["fee", "fees"], ["payout", "payouts"], ["unstake", "unstakes"]];

/**
 * The fund event by event, oldest left: above, the balance after each movement (from zero);
 * below, a bar per movement (up into the fund, down out of it, coloured by kind), both panels
 * sharing the horizontal axis.
 */
function fundEventsChart(entries, qd) {
  const W = 360, balanceTop = 14, balanceH = 50, barsTop = balanceTop + balanceH + 16, barsH = 100, legendY = barsTop + barsH + 10;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${legendY + 14}`, width: W, height: legendY + 14, role: "img", "aria-label": "insurance fund events", id: "fund-events" });
  const maxOf = (values) => values.reduce((m, v) => (v > m ? v : m), 0n);
  const maxIn = maxOf(entries.map((e) => e.amount));
  const maxOut = maxOf(entries.map((e) => -e.amount));
  const maxBalance = maxOf(entries.map((e) => e.balanceAfter));
  // one scale for both directions: the axis sits where the largest inflow and outflow fit
  const span = maxIn + maxOut > 0n ? maxIn + maxOut : 1n;
  const axis = barsTop + Number((maxIn * BigInt(barsH)) / span);
  const step = W / Math.max(entries.length, 1);
  const bw = Math.max(1, Math.min(14, step - 2));
  const centre = (i) => i * step + step / 2;
  svg.append(svgEl("text", { x: 0, y: balanceTop - 4 }, `balance after each, to ${native(maxBalance, qd, 0)}`));
  svg.append(svgEl("line", { x1: 0, x2: W, y1: balanceTop + balanceH, y2: balanceTop + balanceH, class: "axis" }));
  const y = (balance) => balanceTop + balanceH - (maxBalance > 0n ? Number((balance * BigInt(balanceH)) / maxBalance) : 0);
  svg.append(svgEl("polyline", { points: entries.map((e, i) => `${centre(i).toFixed(1)},${y(e.balanceAfter).toFixed(1)}`).join(" "), class: "balance" }));
  entries.forEach((e, i) => svg.append(svgEl("circle", { cx: centre(i).toFixed(1), cy: y(e.balanceAfter).toFixed(1), r: 2, class: "balance-point" })));
  svg.append(svgEl("text", { x: 0, y: barsTop - 4 }, `movements, to ${native(maxIn > maxOut ? maxIn : maxOut, qd, 0)}`));
  entries.forEach((e, i) => {
    const h = Math.max(1, Number(((e.amount < 0n ? -e.amount : e.amount) * BigInt(barsH)) / span));
    svg.append(svgEl("rect", { x: centre(i) - bw / 2, y: e.amount < 0n ? axis : axis - h, width: bw, height: h, class: `event ${e.category}`,
      "data-event": e.event, "data-category": e.category, "data-amount": e.amount, "data-balance-after": e.balanceAfter, "data-signature": e.signature }));
  });
  svg.append(svgEl("line", { x1: 0, x2: W, y1: axis, y2: axis, class: "axis" }));
  CATEGORIES.forEach(([c, label], i) => {
    svg.append(svgEl("rect", { x: i * 90, y: legendY, width: 10, height: 10, class: `event ${c}` }));
    svg.append(svgEl("text", { x: i * 90 + 14, y: legendY + 9 }, label));
  });
  return el("figure", {}, svg, el("figcaption", {},
    `The fund's last ${entries.length} movements (of its newest ${HISTORY_LIMIT} transactions), oldest left: into the fund up, out of it down`));
}

/** The newest movements as a table, newest first. */
function fundEventsTable(entries, qd) {
  return table(["time (UTC)", "movement", "amount", "balance after"], entries.slice(-8).reverse().map((e) => el("tr", { "data-fund-event": e.signature },
    el("td", {}, e.time ? new Date(e.time * 1000).toISOString().slice(0, 19).replace("T", " ") : "–"),
    el("td", { title: e.event }, e.label),
    el("td", { class: "num" }, `${e.amount < 0n ? "-" : "+"}${native(e.amount < 0n ? -e.amount : e.amount, qd)}`),
    el("td", { class: "num" }, native(e.balanceAfter, qd)))));
}

function fundHistoryPanel(history, qd) {
  if (history.error) return el("p", { id: "fund-history" }, `no history: ${history.error}`);
  if (!history.length) return el("p", { id: "fund-history" }, "no movement in the fund's recent transactions");
  return el("div", { id: "fund-history" }, fundEventsChart(history, qd), fundEventsTable(history, qd));
}

// ------------------------------------------------------------------ rendering

function table(headers, rows, attrs = {}) {
  return el("table", attrs, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h)))), el("tbody", {}, ...rows));
}

const STATUS = ["active", "liquidating", "bankrupt"];

export function render(root, d) {
  root.replaceChildren();
  const { qd } = d;
  root.append(el("header", {},
    el("h1", {}, "Greekhouse risk"),
    el("p", { class: "meta" }, `clearing house ${d.ch.key} · node ${d.url} · cluster time `, el("span", { id: "now", "data-now": d.now }, new Date(Number(d.now) * 1000).toISOString()))));

  // accounts by distance to maintenance
  const rows = d.writers.map((w) => {
    const m = w.margin;
    return el("tr", { class: `writer ${w.ratio < 0 ? "danger" : w.ratio < 0.5 ? "warn" : ""}`, "data-writer": w.key,
      "data-mm-equity": m?.maintenance.equity, "data-mm-requirement": m?.maintenance.requirement, "data-im-equity": m?.initial.equity,
      "data-end-equity": m?.end.equity, "data-liability": m?.liability, "data-mtm": m?.mark_to_market, "data-status": STATUS[w.status] ?? w.status },
      el("td", { title: w.key }, short(w.key)),
      el("td", {}, STATUS[w.status] ?? w.status),
      el("td", { class: "num" }, native(w.quote, qd)),
      el("td", { class: "num" }, m ? money(m.liability, qd) : "–"),
      el("td", { class: "num" }, m ? money(m.initial.equity, qd) : "–"),
      el("td", { class: "num" }, m ? money(m.maintenance.requirement, qd) : "–"),
      el("td", { class: "num mm" }, m ? money(m.maintenance.equity, qd) : w.error),
      el("td", { class: "num" }, Number.isFinite(w.ratio) ? w.ratio.toFixed(3) : w.ratio === Infinity ? "no shorts" : "–"));
  });
  root.append(el("section", { id: "accounts" }, el("h2", {}, `Accounts by distance to maintenance (${d.writers.length})`),
    table(["account", "status", "quote", "liability", "IM equity", "MM requirement", "MM equity", "MM equity ÷ req."], rows),
    marginChart(d.writers)));

  // auctions
  const auctionRows = d.auctions.map((a) => el("tr", { "data-auction": a.key, "data-discount": a.terms?.discount, "data-from-fund": a.terms?.whole_from_fund },
    el("td", { title: a.key }, short(a.key)),
    el("td", {}, new Date(Number(a.state.liquidation.start_time) * 1000).toISOString().slice(11, 19)),
    el("td", { class: "num" }, a.terms ? percent(a.terms.discount) : a.auctionError),
    el("td", { class: "num" }, String(a.state.liquidation.slices)),
    el("td", { class: "num" }, a.terms ? native(a.terms.whole_payment, qd) : "–"),
    el("td", { class: "num" }, a.terms ? native(a.terms.whole_from_fund, qd) : "–"),
    el("td", { class: "num" }, native(a.state.liquidation.paid_by_fund, qd))));
  root.append(el("section", { id: "auctions" }, el("h2", {}, `Live auctions (${d.auctions.length})`),
    d.auctions.length ? table(["account", "started (UTC)", "discount", "slices", "all now: bidder pays", "fund pays", "fund paid"], auctionRows) : el("p", {}, "none")));

  // insurance fund
  if (d.fund) {
    const f = d.fund.state;
    const priced = d.fund.priced;
    const cooldown = BigInt(d.ch.state.params.insurance.cooldown_secs);
    const pending = d.stakes.filter((s) => s.state.pending_shares > 0n);
    root.append(el("section", { id: "fund" }, el("h2", {}, "Insurance fund"),
      el("dl", {},
        el("dt", {}, "balance"), el("dd", { id: "fund-balance", "data-raw": f.balance }, native(f.balance, qd)),
        el("dt", {}, "shares"), el("dd", {}, f.total_shares.toString()),
        el("dt", {}, "value of a share"), el("dd", { id: "share-price", "data-raw": priced.price_per_share }, money(priced.price_per_share, qd, 6)),
        el("dt", {}, "shares in cooldown"), el("dd", {}, `${f.pending_unstake_shares} (worth ${native(priced.pending_unstake_value, qd)})`)),
      pending.length ? table(["stake owner", "pending shares", "requested", "cooldown ends"], pending.map((s) => el("tr", {},
        el("td", {}, short(s.state.owner)), el("td", { class: "num" }, s.state.pending_shares.toString()),
        el("td", {}, new Date(Number(s.state.request_time) * 1000).toISOString()),
        el("td", {}, new Date(Number(s.state.request_time + cooldown) * 1000).toISOString())))) : el("p", {}, "no stake in cooldown"),
      el("h3", {}, "Event by event"), fundHistoryPanel(d.fund.history, qd),
      el("h3", {}, "Totals since the fund opened"), fundFlowChart(f, qd)));
  }

  // open interest
  const oiRows = d.underlyings.map((u) => ({ symbol: symbolOf(u.state), oi: d.ledgers.get(u.key)?.open_interest ?? 0n, cap: u.state.open_interest_cap, key: u.key }));
  root.append(el("section", { id: "open-interest" }, el("h2", {}, "Open interest against its cap"),
    table(["underlying", "open interest", "cap", "used"], oiRows.map((r) => el("tr", { "data-underlying": r.key, "data-oi": r.oi },
      el("td", {}, r.symbol), el("td", { class: "num" }, native(r.oi, 6, 2)), el("td", { class: "num" }, native(r.cap, 6, 0)),
      el("td", { class: "num" }, r.cap > 0n ? `${(Number((r.oi * 10000n) / r.cap) / 100).toFixed(2)} %` : "–")))),
    openInterestChart(oiRows)));

  // governance
  const queued = d.changes.filter((c) => c.state.status === 0);
  root.append(el("section", { id: "governance" }, el("h2", {}, `Queued governance changes (${queued.length} of ${d.changes.length})`),
    queued.length ? table(["id", "kind", "target", "queued", "ETA", "in"], queued.map((c) => el("tr", { "data-change": c.state.change_id },
      el("td", {}, c.state.change_id.toString()), el("td", {}, String(c.state.kind)), el("td", { title: c.state.target }, short(c.state.target)),
      el("td", {}, new Date(Number(c.state.queued_at) * 1000).toISOString()), el("td", {}, new Date(Number(c.state.eta) * 1000).toISOString()),
      el("td", {}, c.state.eta > d.now ? age(Number(c.state.eta - d.now)) : "due")))) : el("p", {}, "none queued")));

  // feeds
  root.append(el("section", { id: "feeds" }, el("h2", {}, "Oracle and vol-surface ages"),
    table(["underlying", "oracle age", "max (write / liquidation)", "oracle verdict", "surface age", "surface max"], d.feeds.map(({ u, status, oracleKey }) => {
      const o = status.oracle;
      const verdict = !o ? (oracleKey ? "missing" : "pull feed: give oracle.<underlying>") : o.refused ? o.refused.name : o.risk_increasing ?? (o.liquidation ? `write ok, liquidation: ${o.liquidation}` : "fresh");
      return el("tr", { "data-feed": u.key, class: o?.risk_increasing || o?.refused || status.surface_stale_secs > 0 ? "warn" : "" },
        el("td", {}, symbolOf(u.state)), el("td", { class: "num" }, o && !o.refused ? age(o.age_secs) : "–"),
        el("td", { class: "num" }, `${status.max_age_secs} s / ${status.liq_max_age_secs} s`), el("td", {}, verdict),
        el("td", { class: "num" }, age(status.surface_age_secs)), el("td", { class: "num" }, age(status.surface_max_age_secs)));
    }))));
}

export async function start() {
  const params = new URLSearchParams(location.search);
  const root = document.getElementById("app");
  const status = document.getElementById("status");
  try {
    const [idl, wasm] = await Promise.all([
      fetch(new URL("../vendor/greekhouse.json", import.meta.url)).then((r) => r.json()),
      fetch(new URL("../vendor/greekhouse_engine.wasm", import.meta.url)).then((r) => r.arrayBuffer()),
    ]);
    const engine = await RiskEngine.fromBytes(wasm);
    const oracles = {};
    for (const [k, v] of params) if (k.startsWith("oracle.")) oracles[k.slice(7)] = v;
    const refresh = async () => {
      const data = await load({ url: params.get("url") ?? "http://127.0.0.1:8899", clearinghouse: params.get("clearinghouse") ?? undefined, programId: params.get("program") ?? undefined, oracles, engine, idl });
      render(root, data);
      status.textContent = `updated ${new Date().toISOString()}`;
      document.body.dataset.ready = "true";
    };
    await refresh();
    const every = Number(params.get("refresh") ?? 0);
    if (every > 0) setInterval(() => refresh().catch((e) => (status.textContent = e.message)), every * 1000);
  } catch (e) {
    status.textContent = `error: ${e.message}`;
    document.body.dataset.error = e.message;
    throw e;
  }
}
