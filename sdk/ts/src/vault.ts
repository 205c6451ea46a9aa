// Builders for writer vaults (docs/vaults.md): create_vault (the admin), vault_deposit,
// request_vault_withdraw, cancel_vault_withdraw, vault_withdraw (liquidity providers), vault_buy
// and vault_sell_back (buyers); the Rust SDK's app/sdk/src/vault.rs builders, typed by the IDL.
// test/offline/admin-builders.test.mjs requires the same bytes as the Rust SDK for the same inputs
// (test/fixtures/instructions.json). The margin-checked ones take the remaining accounts of the
// vault's writer account (`client.marginAccounts` of that account as the instruction needs it:
// after the write for a buy, before the burn for a sell-back; none while it holds only quote).
import anchor from "@coral-xyz/anchor";
import { SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID } from "./pda.js";
import type { GreekhouseClient } from "./client.js";

const { BN, web3 } = anchor;
type PublicKey = InstanceType<typeof web3.PublicKey>;
type TransactionInstruction = InstanceType<typeof web3.TransactionInstruction>;
type AccountMeta = { pubkey: PublicKey; isSigner: boolean; isWritable: boolean };

const bn = (v: bigint | number) => new BN(v.toString());

/** A vault's addresses (the Rust SDK's `VaultRef`). */
export interface VaultRef {
  index: number;
  vault: PublicKey;
  underlying: PublicKey;
  shareMint: PublicKey;
  writerAccount: PublicKey;
}

/** A vault's policy, as `create_vault` takes it (the program's `VaultPolicy`). */
export interface VaultPolicy {
  depositCap: bigint | number;
  minTenorSecs: number;
  maxTenorSecs: number;
  minStrikeBps: number;
  maxStrikeBps: number;
  withdrawCooldownSecs: number;
  maxUtilisationBps: number;
  spreadBps: number;
  /** Bit 0: calls, bit 1: puts. */
  allowedKinds: number;
}

/** Writer-vault instructions of one clearing house (`client.vaults`). */
export class VaultBuilders {
  constructor(private readonly c: GreekhouseClient) {}

  private get common() {
    return { eventAuthority: this.c.pdas.eventAuthority(), program: this.c.program.programId };
  }

  /** The addresses of vault `index` on `underlying`. */
  ref(index: number, underlying: PublicKey): VaultRef {
    const p = this.c.pdas;
    const vault = p.vault(this.c.ch.clearinghouse, index);
    return { index, vault, underlying, shareMint: p.vaultShareMint(vault), writerAccount: p.vaultWriterAccount(this.c.ch.clearinghouse, vault) };
  }

  /**
   * `create_vault` (signed by the admin: in production a Squads vault transaction). `policy`
   * is a [`VaultPolicy`] or the IDL coder's decoding of one (as a proposal carries it).
   */
  createVault(v: VaultRef, payer: PublicKey, admin: PublicKey, policy: VaultPolicy | Record<string, unknown>): Promise<TransactionInstruction> {
    const p = policy as Record<string, any>;
    const encoded = { ...p, depositCap: bn(p.depositCap.toString()), padding: p.padding ?? [0, 0, 0, 0, 0, 0, 0] };
    return this.c.program.methods
      .createVault({ index: v.index, policy: encoded } as any)
      .accountsStrict({
        payer,
        admin,
        clearinghouse: this.c.ch.clearinghouse,
        underlying: v.underlying,
        vault: v.vault,
        shareMint: v.shareMint,
        writerAccount: v.writerAccount,
        tokenProgram: TOKEN_PROGRAM_ID,
        systemProgram: SYSTEM_PROGRAM_ID,
        ...this.common,
      })
      .instruction();
  }

  /** `vault_deposit` of `amount` quote from `depositorQuote`, shares to `shareRecipient`. */
  deposit(v: VaultRef, depositor: PublicKey, depositorQuote: PublicKey, shareRecipient: PublicKey, amount: bigint | number, marginAccounts: AccountMeta[] = []): Promise<TransactionInstruction> {
    return this.c.program.methods
      .vaultDeposit(bn(amount))
      .accountsStrict({
        depositor,
        clearinghouse: this.c.ch.clearinghouse,
        vault: v.vault,
        writerAccount: v.writerAccount,
        shareMint: v.shareMint,
        shareRecipient,
        quoteVault: this.c.ch.quoteVault,
        depositorQuote,
        quoteMint: this.c.ch.quoteMint,
        quoteTokenProgram: this.c.ch.quoteTokenProgram,
        tokenProgram: TOKEN_PROGRAM_ID,
        ...this.common,
      })
      .remainingAccounts(marginAccounts)
      .instruction();
  }

  /** `request_vault_withdraw` of `shares` from `ownerShares` (paid at maturity). */
  requestWithdraw(v: VaultRef, payer: PublicKey, owner: PublicKey, ownerShares: PublicKey, shares: bigint | number): Promise<TransactionInstruction> {
    return this.c.program.methods
      .requestVaultWithdraw(bn(shares))
      .accountsStrict({
        payer,
        owner,
        vault: v.vault,
        shareMint: v.shareMint,
        ownerShares,
        withdrawal: this.c.pdas.vaultWithdrawal(v.vault, owner),
        tokenProgram: TOKEN_PROGRAM_ID,
        systemProgram: SYSTEM_PROGRAM_ID,
        ...this.common,
      })
      .instruction();
  }

  /** `cancel_vault_withdraw`: the pending shares back to `shareRecipient`. */
  cancelWithdraw(v: VaultRef, owner: PublicKey, shareRecipient: PublicKey): Promise<TransactionInstruction> {
    return this.c.program.methods
      .cancelVaultWithdraw()
      .accountsStrict({
        owner,
        vault: v.vault,
        withdrawal: this.c.pdas.vaultWithdrawal(v.vault, owner),
        shareMint: v.shareMint,
        shareRecipient,
        tokenProgram: TOKEN_PROGRAM_ID,
        ...this.common,
      })
      .instruction();
  }

  /** `vault_withdraw`: `owner`'s matured request paid into `recipient`. */
  withdraw(v: VaultRef, owner: PublicKey, recipient: PublicKey, marginAccounts: AccountMeta[] = []): Promise<TransactionInstruction> {
    return this.c.program.methods
      .vaultWithdraw()
      .accountsStrict({
        owner,
        clearinghouse: this.c.ch.clearinghouse,
        vault: v.vault,
        writerAccount: v.writerAccount,
        withdrawal: this.c.pdas.vaultWithdrawal(v.vault, owner),
        shareMint: v.shareMint,
        quoteVault: this.c.ch.quoteVault,
        recipient,
        quoteMint: this.c.ch.quoteMint,
        quoteTokenProgram: this.c.ch.quoteTokenProgram,
        ...this.common,
      })
      .remainingAccounts(marginAccounts)
      .instruction();
  }

  /** `vault_buy` of `contracts` of `series` into `recipient`, paying at most `maxPrice`. */
  buy(v: VaultRef, buyer: PublicKey, buyerQuote: PublicKey, series: PublicKey, recipient: PublicKey, contracts: bigint | number, maxPrice: bigint | number, marginAccounts: AccountMeta[] = []): Promise<TransactionInstruction> {
    return this.c.program.methods
      .vaultBuy({ contracts: bn(contracts), maxPrice: bn(maxPrice) })
      .accountsStrict({
        buyer,
        clearinghouse: this.c.ch.clearinghouse,
        vault: v.vault,
        writerAccount: v.writerAccount,
        underlying: v.underlying,
        underlyingLedger: this.c.pdas.underlyingLedger(v.underlying),
        series,
        optionMint: this.c.pdas.optionMint(series),
        recipient,
        buyerQuote,
        quoteVault: this.c.ch.quoteVault,
        quoteMint: this.c.ch.quoteMint,
        quoteTokenProgram: this.c.ch.quoteTokenProgram,
        tokenProgram: TOKEN_PROGRAM_ID,
        ...this.common,
      })
      .remainingAccounts(marginAccounts)
      .instruction();
  }

  /** `vault_sell_back` of `contracts` from `holderOptions`, paid into `recipient`, at least `minPrice`. */
  sellBack(v: VaultRef, holder: PublicKey, holderOptions: PublicKey, series: PublicKey, recipient: PublicKey, contracts: bigint | number, minPrice: bigint | number, marginAccounts: AccountMeta[] = []): Promise<TransactionInstruction> {
    return this.c.program.methods
      .vaultSellBack({ contracts: bn(contracts), minPrice: bn(minPrice) })
      .accountsStrict({
        holder,
        clearinghouse: this.c.ch.clearinghouse,
        vault: v.vault,
        writerAccount: v.writerAccount,
        underlyingLedger: this.c.pdas.underlyingLedger(v.underlying),
        series,
        optionMint: this.c.pdas.optionMint(series),
        holderOptions,
        quoteVault: this.c.ch.quoteVault,
        recipient,
        quoteMint: this.c.ch.quoteMint,
        quoteTokenProgram: this.c.ch.quoteTokenProgram,
        tokenProgram: TOKEN_PROGRAM_ID,
        ...this.common,
      })
      .remainingAccounts(marginAccounts)
      .instruction();
  }
}
