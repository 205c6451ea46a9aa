// Field decoding of the program's zero-copy accounts from the IDL (bytemuck, repr(C): every gap
// is an explicit padding field, so fields follow each other). Only the layout walk lives here;
// every risk number on the page comes from the WebAssembly engine.
const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

export function base58(bytes) {
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let out = "";
  while (n > 0n) { out = ALPHABET[Number(n % 58n)] + out; n /= 58n; }
  for (const b of bytes) { if (b !== 0) break; out = "1" + out; }
  return out;
}

export function base58Decode(text) {
  let n = 0n;
  for (const c of text) n = n * 58n + BigInt(ALPHABET.indexOf(c));
  const bytes = [];
  while (n > 0n) { bytes.unshift(Number(n & 0xffn)); n >>= 8n; }
  for (const c of text) { if (c !== "1") break; bytes.unshift(0); }
  return Uint8Array.from(bytes);
}

export function fromBase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Anchor's tag of an event-CPI instruction: sha256("anchor:event")[..8]. */
const EVENT_IX_TAG = [0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d];

const SIZES = { u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8, u128: 16, i128: 16, pubkey: 32 };

export class IdlDecoder {
  constructor(idl) {
    this.idl = idl;
    this.types = new Map(idl.types.map((t) => [t.name, t]));
  }

  size(type) {
    if (typeof type === "string") return SIZES[type];
    if (type.array) return this.size(type.array[0]) * type.array[1];
    const def = this.types.get(type.defined.name);
    return def.type.fields.reduce((n, f) => n + this.size(f.type), 0);
  }

  read(type, view, at) {
    if (typeof type === "string") {
      switch (type) {
        case "u8": return view.getUint8(at);
        case "i8": return view.getInt8(at);
        case "bool": return view.getUint8(at) !== 0;
        case "u16": return view.getUint16(at, true);
        case "i16": return view.getInt16(at, true);
        case "u32": return view.getUint32(at, true);
        case "i32": return view.getInt32(at, true);
        case "u64": return view.getBigUint64(at, true);
        case "i64": return view.getBigInt64(at, true);
        case "u128": return view.getBigUint64(at, true) + (view.getBigUint64(at + 8, true) << 64n);
        case "i128": return view.getBigUint64(at, true) + (view.getBigInt64(at + 8, true) << 64n);
        case "pubkey": return base58(new Uint8Array(view.buffer, view.byteOffset + at, 32));
      }
      throw new Error(`type ${type}`);
    }
    if (type.array) {
      const [inner, len] = type.array;
      if (inner === "u8") return new Uint8Array(view.buffer, view.byteOffset + at, len).slice();
      const step = this.size(inner);
      return Array.from({ length: len }, (_, i) => this.read(inner, view, at + i * step));
    }
    const def = this.types.get(type.defined.name);
    const out = {};
    let offset = at;
    for (const f of def.type.fields) {
      out[f.name] = this.read(f.type, view, offset);
      offset += this.size(f.type);
    }
    return out;
  }

  discriminator(name) {
    return Uint8Array.from(this.idl.accounts.find((a) => a.name === name).discriminator);
  }

  /** Account `name` from its data (after the 8-byte discriminator), snake_case fields. */
  decode(name, data) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return this.read({ defined: { name } }, view, 8);
  }

  /**
   * Borsh of `type` at `at` (an event's body: unlike the zero-copy accounts, it may hold an
   * `option` or a `vec`): `[value, offset after it]`.
   */
  readBorsh(type, view, at) {
    if (typeof type === "string" || type.array && typeof type.array[0] === "string") return [this.read(type, view, at), at + this.size(type)];
    if (type.option) {
      if (view.getUint8(at) === 0) return [null, at + 1];
      return this.readBorsh(type.option, view, at + 1);
    }
    if (type.vec || type.array) {
      const [inner, len, start] = type.vec ? [type.vec, view.getUint32(at, true), at + 4] : [type.array[0], type.array[1], at];
      const out = [];
      let offset = start;
      for (let i = 0; i < len; i++) {
        const [v, next] = this.readBorsh(inner, view, offset);
        out.push(v);
        offset = next;
      }
      return [out, offset];
    }
    const out = {};
    let offset = at;
    for (const f of this.types.get(type.defined.name).type.fields) {
      [out[f.name], offset] = this.readBorsh(f.type, view, offset);
    }
    return [out, offset];
  }

  /** An event-CPI instruction's data (`EVENT_IX_TAG`, the event's discriminator, borsh): `{name, data}` (snake_case fields), or null. */
  decodeEvent(data) {
    if (data.length < 16 || !EVENT_IX_TAG.every((b, i) => data[i] === b)) return null;
    const event = this.idl.events.find((e) => e.discriminator.every((b, i) => data[8 + i] === b));
    if (!event) return null;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return { name: event.name, data: this.readBorsh({ defined: { name: event.name } }, view, 16)[0] };
  }

  /** The IDL account type of `data`, by discriminator. */
  typeOf(data) {
    for (const a of this.idl.accounts) if (a.discriminator.every((b, i) => data[i] === b)) return a.name;
    return null;
  }
}
