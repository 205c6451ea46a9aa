// Program-derived addresses of every Greekhouse account, with the seeds of the program's
// constants.rs (the same derivations as the Rust SDK's app/sdk/src/pda.rs; test/offline/pda
// checks them against addresses the Rust SDK derived when it seeded a local validator).
import anchor from "@coral-xyz/anchor";
import { IDL } from "./idl.js";

const { PublicKey } = anchor.web3;
type PublicKey = InstanceType<typeof PublicKey>;

/** The program id of the IDL (a deployment under another id passes its own). */
export const PROGRAM_ID: PublicKey = new PublicKey(IDL.address);
export const TOKEN_PROGRAM_ID: PublicKey = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
export const ASSOCIATED_TOKEN_PROGRAM_ID: PublicKey = new PublicKey("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
export const SYSTEM_PROGRAM_ID: PublicKey = new PublicKey("11111111111111111111111111111111");

export const SEEDS = {
  clearinghouse: "clearinghouse",
  quoteVault: "quote_vault",
  underlying: "underlying",
  underlyingLedger: "underlying_ledger",
  insuranceFund: "insurance_fund",
  insuranceVault: "insurance_vault",
  collateral: "collateral",
  collateralVault: "collateral_vault",
  writer: "writer",
  insuranceStake: "insurance_stake",
  settlementPrice: "settlement_price",
  series: "series",
  optionMint: "option_mint",
  paramChange: "param_change",
  vault: "vault",
  vaultShareMint: "vault_share_mint",
  vaultWithdrawal: "vault_withdrawal",
  eventAuthority: "__event_authority",
} as const;

const text = (s: string) => Buffer.from(s, "utf8");
const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const u64 = (v: bigint | number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
const i64 = (v: bigint | number) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); return b; };

/** PDA helpers bound to one program id. */
export class Pdas {
  constructor(readonly programId: PublicKey = PROGRAM_ID) {}

  private find(seeds: Buffer[]): PublicKey {
    return PublicKey.findProgramAddressSync(seeds, this.programId)[0];
  }

  clearinghouse(quoteMint: PublicKey, creator: PublicKey): PublicKey {
    return this.find([text(SEEDS.clearinghouse), quoteMint.toBuffer(), creator.toBuffer()]);
  }
  quoteVault(clearinghouse: PublicKey): PublicKey {
    return this.find([text(SEEDS.quoteVault), clearinghouse.toBuffer()]);
  }
  underlying(clearinghouse: PublicKey, id: number): PublicKey {
    return this.find([text(SEEDS.underlying), clearinghouse.toBuffer(), u16(id)]);
  }
  underlyingLedger(underlying: PublicKey): PublicKey {
    return this.find([text(SEEDS.underlyingLedger), underlying.toBuffer()]);
  }
  insuranceFund(clearinghouse: PublicKey): PublicKey {
    return this.find([text(SEEDS.insuranceFund), clearinghouse.toBuffer()]);
  }
  insuranceVault(clearinghouse: PublicKey): PublicKey {
    return this.find([text(SEEDS.insuranceVault), clearinghouse.toBuffer()]);
  }
  insuranceStake(insuranceFund: PublicKey, owner: PublicKey): PublicKey {
    return this.find([text(SEEDS.insuranceStake), insuranceFund.toBuffer(), owner.toBuffer()]);
  }
  settlementPrice(underlying: PublicKey, expiry: bigint | number): PublicKey {
    return this.find([text(SEEDS.settlementPrice), underlying.toBuffer(), i64(expiry)]);
  }
  collateralAsset(clearinghouse: PublicKey, mint: PublicKey): PublicKey {
    return this.find([text(SEEDS.collateral), clearinghouse.toBuffer(), mint.toBuffer()]);
  }
  collateralVault(collateralAsset: PublicKey): PublicKey {
    return this.find([text(SEEDS.collateralVault), collateralAsset.toBuffer()]);
  }
  writerAccount(clearinghouse: PublicKey, owner: PublicKey, index: number): PublicKey {
    return this.find([text(SEEDS.writer), clearinghouse.toBuffer(), owner.toBuffer(), u32(index)]);
  }
  /** `kind`: 0 call, 1 put. */
  series(underlying: PublicKey, expiry: bigint | number, strike: bigint | number, kind: number): PublicKey {
    return this.find([text(SEEDS.series), underlying.toBuffer(), i64(expiry), u64(strike), Buffer.from([kind])]);
  }
  optionMint(series: PublicKey): PublicKey {
    return this.find([text(SEEDS.optionMint), series.toBuffer()]);
  }
  /** A governance change queued as `changeId` (the clearing house's `change_count` then). */
  paramChange(clearinghouse: PublicKey, changeId: bigint | number): PublicKey {
    return this.find([text(SEEDS.paramChange), clearinghouse.toBuffer(), u64(changeId)]);
  }
  /** The writer vault at `index` (docs/vaults.md). */
  vault(clearinghouse: PublicKey, index: number): PublicKey {
    return this.find([text(SEEDS.vault), clearinghouse.toBuffer(), u32(index)]);
  }
  /** A vault's share mint. */
  vaultShareMint(vault: PublicKey): PublicKey {
    return this.find([text(SEEDS.vaultShareMint), vault.toBuffer()]);
  }
  /** A vault's own writer account (owned by the vault PDA, index 0). */
  vaultWriterAccount(clearinghouse: PublicKey, vault: PublicKey): PublicKey {
    return this.writerAccount(clearinghouse, vault, 0);
  }
  /** `owner`'s pending withdrawal from `vault`. */
  vaultWithdrawal(vault: PublicKey, owner: PublicKey): PublicKey {
    return this.find([text(SEEDS.vaultWithdrawal), vault.toBuffer(), owner.toBuffer()]);
  }
  /** Anchor's event-CPI authority: the signer of the program's self-CPI events. */
  eventAuthority(): PublicKey {
    return this.find([text(SEEDS.eventAuthority)]);
  }
  /** The associated token account of `owner` for `mint`. */
  associatedToken(owner: PublicKey, mint: PublicKey, tokenProgram: PublicKey = TOKEN_PROGRAM_ID): PublicKey {
    return PublicKey.findProgramAddressSync([owner.toBuffer(), tokenProgram.toBuffer(), mint.toBuffer()], ASSOCIATED_TOKEN_PROGRAM_ID)[0];
  }
}

/** PDA helpers for the IDL's program id. */
export const pda = new Pdas();
