// The program's errors by code and name, from the IDL (`6000 + index`, Anchor's offset).
import anchor from "@coral-xyz/anchor";
import { IDL } from "./idl.js";

export interface ProgramErrorInfo {
  code: number;
  name: string;
  msg?: string;
}

const byCode = new Map<number, ProgramErrorInfo>(IDL.errors.map((e: any) => [e.code, e]));
const byName = new Map<string, ProgramErrorInfo>(IDL.errors.map((e: any) => [e.name, e]));

// Anchor's own errors (account constraints, 100..5000), by code, from the client's table.
const anchorErrors = new Map<number, ProgramErrorInfo>(
  Object.entries((anchor as any).LangErrorCode as Record<string, number>).map(([name, code]) => [
    code,
    { code, name: name.charAt(0).toUpperCase() + name.slice(1), msg: (anchor as any).LangErrorMessage.get(code) },
  ]),
);

/** The program's error `code` (or one of Anchor's own, e.g. 3007 `AccountOwnedByWrongProgram`). */
export function errorByCode(code: number): ProgramErrorInfo | undefined {
  return byCode.get(code) ?? anchorErrors.get(code) ?? { code, name: `Custom(${code})` };
}
export function errorByName(name: string): ProgramErrorInfo | undefined {
  return byName.get(name);
}

/**
 * The program's error in a failed transaction or simulation: the `{InstructionError: [i,
 * {Custom: code}]}` of its status, or an Anchor `AnchorError` / `SendTransactionError`'s logs.
 */
export function programErrorOf(failure: unknown): ProgramErrorInfo | undefined {
  const f: any = failure;
  const custom = f?.InstructionError?.[1]?.Custom ?? f?.err?.InstructionError?.[1]?.Custom ?? f?.value?.err?.InstructionError?.[1]?.Custom;
  if (typeof custom === "number") return errorByCode(custom);
  if (typeof f?.error?.errorCode?.number === "number") return errorByCode(f.error.errorCode.number);
  const logs: string[] = f?.logs ?? f?.transactionLogs ?? f?.value?.logs ?? [];
  for (const line of logs) {
    const m = /Error Number: (\d+)/.exec(line) ?? /custom program error: 0x([0-9a-f]+)/i.exec(line);
    if (m) return errorByCode(m[0].includes("0x") ? parseInt(m[1], 16) : Number(m[1]));
  }
  const m = /custom program error: 0x([0-9a-f]+)/i.exec(String(f?.message ?? ""));
  return m ? errorByCode(parseInt(m[1], 16)) : undefined;
}
