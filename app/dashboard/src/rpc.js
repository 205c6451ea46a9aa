// The few JSON-RPC reads the dashboard makes, with fetch.
export class Rpc {
  constructor(url) { this.url = url; this.id = 0; }

  async call(method, params) {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params }),
    });
    const body = await res.json();
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  }

  /** Every account of `programId` (base64 data), in one call. */
  programAccounts(programId) {
    return this.call("getProgramAccounts", [programId, { encoding: "base64", commitment: "confirmed" }]);
  }

  /** Accounts by key, 100 per call (the node's limit); null for missing ones. */
  async multiple(keys) {
    const out = [];
    for (let i = 0; i < keys.length; i += 100) {
      const r = await this.call("getMultipleAccounts", [keys.slice(i, i + 100), { encoding: "base64", commitment: "confirmed" }]);
      out.push(...r.value);
    }
    return out;
  }
}
