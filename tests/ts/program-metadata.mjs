// Cross-checks the Rust SDK's Program Metadata module (app/sdk/src/program_metadata.rs) against
// the official JavaScript client, @solana-program/program-metadata (Codama-generated from the
// program), on the fixture the Rust SDK writes (tests/ts/fixtures/program-metadata.json,
// app/sdk/src/program_metadata_golden.rs):
//
// - instructions: each builder case rebuilt with the client's builder from the same inputs must
//   have the same program id, account metas (order, address, signer, writable) and data bytes;
//   the system instructions the plans use likewise with @solana-program/system;
// - plans: every instruction of the Rust plans parsed with the client's parsers and rebuilt with
//   its builders must come out identical;
// - addresses: the canonical metadata PDA (findCanonicalPda) and loader v3's program data
//   (getProgramDataPda);
// - accounts: each body decoded with the client's account decoders gives the fields the Rust
//   decoder read, and (unless the body has bytes past its data) re-encodes to the same bytes;
// - packing: the data the Rust `pack_idl` wrote unpacks with `unpackDirectData` to the same text
//   (and, with --packed FILE --json FILE, a further pair such as this crate's IDL).
//
// It also prints account bodies and packed data the client encodes itself (clientEncoded,
// clientPacked) for the Rust test to decode. One JSON line on stdout; exit 0 when `failures` is
// empty, 1 when it is not, 2 on bad arguments. Usage:
//   node program-metadata.mjs [--fixture fixtures/program-metadata.json] [--packed F --json F]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

import * as pm from '@solana-program/program-metadata';
import * as sys from '@solana-program/system';
import { address, createNoopSigner, getAddressDecoder, getBase58Decoder, getBase64Decoder, none, some } from '@solana/kit';

const here = dirname(fileURLToPath(import.meta.url));
const args = { fixture: join(here, 'fixtures/program-metadata.json') };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!['--fixture', '--packed', '--json'].includes(flag) || value === undefined) {
        console.error(`usage: node program-metadata.mjs [--fixture F] [--packed F --json F] (at ${flag})`);
        process.exit(2);
    }
    args[flag.slice(2)] = value;
}
if (!!args.packed !== !!args.json) {
    console.error('--packed and --json go together');
    process.exit(2);
}

const fixture = JSON.parse(readFileSync(args.fixture, 'utf8'));
const clientVersion = JSON.parse(
    readFileSync(join(here, 'node_modules/@solana-program/program-metadata/package.json'), 'utf8'),
).version;
const failures = [];
const fail = (what, detail) => {
    failures.push({ what, ...detail });
    console.error(`MISMATCH ${what}\n${JSON.stringify(detail, null, 2)}`);
};
const checked = { instructions: 0, plans: 0, canonical: 0, programData: 0, accounts: 0, packed: 0 };

const b64 = bytes => Buffer.from(bytes).toString('base64');
const unb64 = s => new Uint8Array(Buffer.from(s, 'base64'));
const hex = bytes => Buffer.from(bytes).toString('hex');
const signer = a => createNoopSigner(address(a));

if (fixture.programMetadataProgram !== pm.PROGRAM_METADATA_PROGRAM_ADDRESS) {
    fail('program id', { rust: fixture.programMetadataProgram, client: pm.PROGRAM_METADATA_PROGRAM_ADDRESS });
}

// An instruction as the fixture writes it: program id, [address, signer, writable], base64 data.
function normalize(ix) {
    return {
        programId: ix.programAddress,
        accounts: ix.accounts.map(m => [m.address, m.role >= 2, (m.role & 1) === 1]),
        data: b64(ix.data),
    };
}

// Where two normalized instructions differ (empty when they do not).
function diff(rust, client) {
    const out = [];
    if (rust.programId !== client.programId) out.push({ field: 'programId', rust: rust.programId, client: client.programId });
    const n = Math.max(rust.accounts.length, client.accounts.length);
    for (let i = 0; i < n; i++) {
        if (!isDeepStrictEqual(rust.accounts[i], client.accounts[i])) {
            out.push({ field: `accounts[${i}] [address, signer, writable]`, rust: rust.accounts[i] ?? null, client: client.accounts[i] ?? null });
        }
    }
    if (rust.data !== client.data) {
        out.push({ field: 'data (hex)', rust: hex(unb64(rust.data)), client: hex(unb64(client.data)) });
    }
    return out;
}

const SIGNERS = new Set(['authority', 'source', 'payer', 'newAccount']);
const BIGINTS = new Set(['amount', 'lamports', 'space']);
const BYTES = new Set(['data']);
const BUILDERS = {
    allocate: pm.getAllocateInstruction,
    write: pm.getWriteInstruction,
    initialize: pm.getInitializeInstructionAsync,
    setData: pm.getSetDataInstruction,
    setAuthority: pm.getSetAuthorityInstruction,
    extend: pm.getExtendInstruction,
    trim: pm.getTrimInstruction,
    close: pm.getCloseInstruction,
    'system.transferSol': sys.getTransferSolInstruction,
    'system.createAccount': sys.getCreateAccountInstruction,
};
const ADDRESS_FIELDS = new Set([
    'buffer', 'metadata', 'account', 'program', 'programData', 'destination', 'sourceBuffer', 'newAuthority', 'programAddress',
]);

// The fixture's inputs as the client takes them.
function clientInput(inputs) {
    const out = {};
    for (const [k, v] of Object.entries(inputs)) {
        if (v === null) out[k] = null;
        else if (SIGNERS.has(k)) out[k] = signer(v);
        else if (BIGINTS.has(k)) out[k] = BigInt(v);
        else if (BYTES.has(k)) out[k] = unb64(v);
        else if (ADDRESS_FIELDS.has(k)) out[k] = address(v);
        else out[k] = v;
    }
    return out;
}

for (const c of fixture.instructions) {
    checked.instructions++;
    const build = BUILDERS[c.builder];
    if (!build) {
        fail(`instruction ${c.builder}: ${c.case}`, { error: 'no such client builder' });
        continue;
    }
    let client;
    try {
        client = normalize(await build(clientInput(c.inputs)));
    } catch (e) {
        fail(`instruction ${c.builder}: ${c.case}`, { error: `the client's builder threw: ${e}` });
        continue;
    }
    const d = diff(c, client);
    if (d.length) fail(`instruction ${c.builder}: ${c.case}`, { inputs: c.inputs, differences: d });
}

// A Rust plan's instruction parsed by the client, rebuilt by the client from what it read.
const REBUILD = {
    [pm.ProgramMetadataInstruction.Allocate]: ['allocate', pm.parseAllocateInstruction],
    [pm.ProgramMetadataInstruction.Write]: ['write', pm.parseWriteInstruction],
    [pm.ProgramMetadataInstruction.Initialize]: ['initialize', pm.parseInitializeInstruction],
    [pm.ProgramMetadataInstruction.SetData]: ['setData', pm.parseSetDataInstruction],
    [pm.ProgramMetadataInstruction.SetAuthority]: ['setAuthority', pm.parseSetAuthorityInstruction],
    [pm.ProgramMetadataInstruction.Extend]: ['extend', pm.parseExtendInstruction],
    [pm.ProgramMetadataInstruction.Trim]: ['trim', pm.parseTrimInstruction],
    [pm.ProgramMetadataInstruction.Close]: ['close', pm.parseCloseInstruction],
};
async function rebuild(c) {
    const ix = {
        programAddress: address(c.programId),
        accounts: c.accounts.map(([a, s, w]) => ({ address: address(a), role: (s ? 2 : 0) | (w ? 1 : 0) })),
        data: unb64(c.data),
    };
    let builder;
    let parsed;
    if (c.programId === pm.PROGRAM_METADATA_PROGRAM_ADDRESS) {
        const entry = REBUILD[pm.identifyProgramMetadataInstruction(ix)];
        if (!entry) throw new Error('not an instruction the Rust SDK builds');
        [builder, parsed] = [entry[0], entry[1](ix)];
    } else if (c.programId === sys.SYSTEM_PROGRAM_ADDRESS) {
        const t = sys.identifySystemInstruction(ix);
        if (t === sys.SystemInstruction.TransferSol) [builder, parsed] = ['system.transferSol', sys.parseTransferSolInstruction(ix)];
        else if (t === sys.SystemInstruction.CreateAccount) [builder, parsed] = ['system.createAccount', sys.parseCreateAccountInstruction(ix)];
        else throw new Error(`system instruction ${t}: not one the plans use`);
    } else {
        throw new Error(`program ${c.programId}`);
    }
    const input = {};
    for (const [k, meta] of Object.entries(parsed.accounts)) {
        if (meta !== undefined) input[k] = SIGNERS.has(k) ? createNoopSigner(meta.address) : meta.address;
    }
    const { discriminator: _, ...data } = parsed.data;
    return normalize(await BUILDERS[builder]({ ...input, ...data }));
}
for (const c of fixture.plans) {
    checked.plans++;
    try {
        const d = diff(c, await rebuild(c));
        if (d.length) fail(`plan ${c.plan}: ${c.at}`, { differences: d });
    } catch (e) {
        fail(`plan ${c.plan}: ${c.at}`, { error: `the client could not parse and rebuild it: ${e}` });
    }
}

for (const c of fixture.canonical) {
    checked.canonical++;
    const [pda, bump] = await pm.findCanonicalPda({ program: address(c.program), seed: c.seed });
    if (pda !== c.address || bump !== c.bump) {
        fail(`canonical address of ${c.program} seed ${JSON.stringify(c.seed)}`, {
            rust: [c.address, c.bump],
            client: [pda, bump],
        });
    }
}
for (const c of fixture.programData) {
    checked.programData++;
    const [pda] = await pm.getProgramDataPda(address(c.program));
    if (pda !== c.programData) fail(`program data of ${c.program}`, { rust: c.programData, client: pda });
}

// What the client's decoder reads, in the fixture's terms (the Rust decoder's fields).
function fromClient(kind, v) {
    const opt = o => (o.__option === 'Some' ? o.value : null);
    const out = {
        discriminator: v.discriminator,
        program: kind === 'buffer' ? opt(v.program) : v.program,
        authority: opt(v.authority),
        canonical: v.canonical,
        seed: hex(pm.getSeedEncoder().encode(v.seed)),
    };
    if (kind === 'buffer') return { ...out, data: b64(v.data) };
    const data = v.data.slice(0, v.dataLength);
    let content = null;
    if (v.dataSource === pm.DataSource.Direct) {
        try {
            content = pm.unpackDirectData({ data, compression: v.compression, encoding: v.encoding });
        } catch {
            content = null;
        }
    }
    return {
        ...out,
        encoding: v.encoding,
        compression: v.compression,
        format: v.format,
        dataSource: v.dataSource,
        mutable: v.mutable,
        dataLength: v.dataLength,
        data: b64(data),
        content,
    };
}
const codec = kind =>
    kind === 'buffer'
        ? [pm.getBufferDecoder(), pm.getBufferEncoder()]
        : [pm.getMetadataDecoder(), pm.getMetadataEncoder()];
for (const c of fixture.accounts) {
    checked.accounts++;
    const [decoder, encoder] = codec(c.kind);
    const body = unb64(c.body);
    let value;
    try {
        value = decoder.decode(body);
    } catch (e) {
        fail(`account ${c.name}`, { error: `the client's decoder threw: ${e}` });
        continue;
    }
    const client = fromClient(c.kind, value);
    for (const [k, rust] of Object.entries(c.decoded)) {
        if (!isDeepStrictEqual(rust, client[k])) fail(`account ${c.name}: ${k}`, { rust, client: client[k] });
    }
    if (c.reencodes) {
        const again = encoder.encode(value);
        if (hex(again) !== hex(body)) fail(`account ${c.name}: re-encoded`, { rust: hex(body), client: hex(again) });
    }
}

const unpackIdl = data => pm.unpackDirectData({ data, compression: pm.Compression.Zlib, encoding: pm.Encoding.Utf8 });
const samePacked = (name, content, data) => {
    checked.packed++;
    let text;
    try {
        text = unpackIdl(data);
    } catch (e) {
        fail(`packed ${name}`, { error: `unpackDirectData threw: ${e}` });
        return;
    }
    if (text !== content) fail(`packed ${name}`, { rustLength: content.length, clientLength: text.length });
    else if (!isDeepStrictEqual(JSON.parse(text), JSON.parse(content))) fail(`packed ${name}: JSON`, {});
};
for (const p of fixture.packed) samePacked(p.name, p.content, unb64(p.packed));
if (args.packed) samePacked(args.json, readFileSync(args.json, 'utf8'), new Uint8Array(readFileSync(args.packed)));

// The other way: what the client encodes, for the Rust decoder (expected in its fields).
const program = getAddressDecoder().decode(new Uint8Array(32).fill(3));
const authority = getAddressDecoder().decode(new Uint8Array(32).fill(2));
const sampleJson = JSON.stringify({ name: 'sample', notes: 'règle — ½ · Δ', list: [1, 2, 3] });
const packedSample = pm.packDirectData({ content: sampleJson });
const seedHex = s => hex(pm.getSeedEncoder().encode(s));
const clientEncoded = [
    {
        name: 'non-canonical metadata, explicit authority, mutable, packed JSON',
        body: pm.getMetadataEncoder().encode({
            program,
            authority: some(authority),
            mutable: true,
            canonical: false,
            seed: 'idl',
            encoding: pm.Encoding.Utf8,
            compression: pm.Compression.Zlib,
            format: pm.Format.Json,
            dataSource: pm.DataSource.Direct,
            dataLength: packedSample.data.length,
            data: packedSample.data,
        }),
        expect: {
            discriminator: 2, program, authority, mutable: true, canonical: false, seed: seedHex('idl'),
            encoding: 1, compression: 2, format: 1, dataSource: 0, dataLength: packedSample.data.length,
            data: b64(packedSample.data), content: sampleJson,
        },
    },
    {
        name: 'canonical immutable metadata, no authority, external data',
        body: pm.getMetadataEncoder().encode({
            program,
            authority: none(),
            mutable: false,
            canonical: true,
            seed: 'abcdefghijklmnop',
            encoding: pm.Encoding.Base58,
            compression: pm.Compression.None,
            format: pm.Format.Toml,
            dataSource: pm.DataSource.External,
            dataLength: 3,
            data: new Uint8Array([7, 8, 9]),
        }),
        expect: {
            discriminator: 2, program, authority: null, mutable: false, canonical: true, seed: seedHex('abcdefghijklmnop'),
            encoding: 2, compression: 0, format: 3, dataSource: 2, dataLength: 3, data: b64([7, 8, 9]), content: null,
        },
    },
    {
        name: 'canonical buffer',
        body: pm.getBufferEncoder().encode({
            program: some(program),
            authority: some(authority),
            canonical: true,
            seed: 'idl',
            data: new Uint8Array([1, 2, 3, 4]),
        }),
        expect: { discriminator: 1, program, authority, canonical: true, seed: seedHex('idl'), data: b64([1, 2, 3, 4]) },
    },
    {
        name: 'keypair buffer',
        body: pm.getBufferEncoder().encode({
            program: none(),
            authority: some(authority),
            canonical: false,
            seed: '',
            data: new Uint8Array([]),
        }),
        expect: { discriminator: 1, program: null, authority, canonical: false, seed: seedHex(''), data: '' },
    },
].map(e => ({ ...e, body: b64(e.body) }));

const raw = new Uint8Array([0, 0, 1, 2, 0xfe, 0xff, 0x41, 0x42]);
const contents = {
    [pm.Encoding.None]: hex(raw),
    [pm.Encoding.Utf8]: sampleJson,
    [pm.Encoding.Base58]: getBase58Decoder().decode(raw),
    [pm.Encoding.Base64]: getBase64Decoder().decode(raw),
};
const clientPacked = [];
for (const encoding of [pm.Encoding.None, pm.Encoding.Utf8, pm.Encoding.Base58, pm.Encoding.Base64]) {
    for (const compression of [pm.Compression.None, pm.Compression.Gzip, pm.Compression.Zlib]) {
        const content = contents[encoding];
        const packed = pm.packDirectData({ content, compression, encoding });
        if (pm.unpackDirectData(packed) !== content) {
            fail(`client packing of encoding ${encoding} compression ${compression}`, { error: 'does not round-trip in the client' });
        }
        clientPacked.push({ encoding, compression, content, data: b64(packed.data) });
    }
}

console.log(
    JSON.stringify({
        mode: 'offline',
        client: `@solana-program/program-metadata ${clientVersion}`,
        checked,
        failures,
        clientEncoded,
        clientPacked,
    }),
);
process.exit(failures.length ? 1 : 0);
