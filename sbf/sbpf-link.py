#!/usr/bin/env python3
"""Linker wrapper around sbpf-linker for the Greekhouse sBPF build (rustc's `-C linker=`).

Upstream LLVM's BPF backend cannot select signed division or remainder (`sdiv`/`srem`) for
the BPF CPUs that sBPF v0 accepts (v1/v2: "unsupported signed division, please convert to
unsigned div/mod"); Solana's own LLVM fork expands them. This wrapper links in two passes:

1. sbpf-linker with `--emit llvm-bc`: the whole program linked and optimized, as bitcode;
2a. every `sdiv`/`srem` on integers of at most 64 bits is rewritten into unsigned division
   with explicit sign handling, through LLVM's C API (the toolchain's own libLLVM, via ctypes):
       sa = a >>s (n-1); sb = b >>s (n-1); |a| = (a ^ sa) - sa; |b| = (b ^ sb) - sb
       a / b = ((|a| /u |b|) ^ (sa ^ sb)) - (sa ^ sb);   a % b = ((|a| %u |b|) ^ sa) - sa
   (identical results for every input on which `sdiv`/`srem` is defined; wider ones stay
   libcalls, e.g. `__divti3`, provided by compiler_builtins);
2b. calls with more than five register arguments: sbpf-linker 0.2.6 passes arguments beyond
   r5 just above the caller's frame, which is a gap on SBPFv0 (mainnet): such calls fault.
   Internal functions called only directly get the arguments beyond r4 in a struct in the
   caller's frame, passed by pointer in r5 (see `pack_stack_arguments`);
3. sbpf-linker again on that bitcode, with the original arguments: the final sBPF `.so`.

Environment: GREEKHOUSE_SBF_EXTRA_INPUTS (colon-separated rlibs/objects added to the link),
GREEKHOUSE_SBF_LIBLLVM (path of libLLVM.so; default: from the toolchain
sysroot), SBPF_LINKER (default: `sbpf-linker` on PATH), GREEKHOUSE_SBF_KEEP (keep the
intermediate bitcode next to the output), GREEKHOUSE_SBF_FRAMES (add the largest stack frames
to the report; one more code generation).
"""
import ctypes
import glob
import os
import re
import subprocess
import sys

# LLVMOpcode values (llvm-c/Core.h)
SDIV, SREM = 15, 18
INTEGER_TYPE_KIND = 8


def find_libllvm():
    path = os.environ.get("GREEKHOUSE_SBF_LIBLLVM")
    if path:
        return path
    sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True,
                             check=True).stdout.strip()
    found = sorted(glob.glob(os.path.join(sysroot, "lib", "libLLVM.so.*")))
    if not found:
        sys.exit(f"sbpf-link: no libLLVM.so.* under {sysroot}/lib (set GREEKHOUSE_SBF_LIBLLVM)")
    return found[0]


PACK_NOTES = []
MAX_REG_ARGS = 5
TYPE_KIND = {"void": 0, "int": 8, "func": 9, "struct": 10, "array": 11, "ptr": 12, "double": 3,
             "float": 2}


def reg_count(llvm, ty):
    """sBPF registers an argument of IR type `ty` takes (r1..r5, 64 bits each)."""
    k = llvm.LLVMGetTypeKind(ty)
    if k == TYPE_KIND["int"]:
        return (llvm.LLVMGetIntTypeWidth(ty) + 63) // 64
    if k == TYPE_KIND["array"]:
        return llvm.LLVMGetArrayLength2(ty) * reg_count(llvm, llvm.LLVMGetElementType(ty))
    if k == TYPE_KIND["struct"]:
        return sum(reg_count(llvm, llvm.LLVMStructGetTypeAtIndex(ty, i))
                   for i in range(llvm.LLVMCountStructElementTypes(ty)))
    return 1


def pack_stack_arguments(llvm, ctx, mod):
    """sbpf-linker 0.2.6 passes arguments beyond r5 in the 8 bytes above the caller's frame,
    which is a gap between frames on SBPFv0 (mainnet): every call with more than five
    register arguments faults there. For each internal function whose every use is a direct
    call, the arguments that do not fit in r1..r4 are moved into a struct in the caller's frame
    (an entry-block alloca) and passed by pointer in r5. Returns notes for the link report."""
    P = ctypes.c_void_p
    attr_idx_fn = 0xFFFFFFFF
    byval = llvm.LLVMGetEnumAttributeKindForName(b"byval", 5)
    inalloca = llvm.LLVMGetEnumAttributeKindForName(b"inalloca", 8)
    preallocated = llvm.LLVMGetEnumAttributeKindForName(b"preallocated", 12)
    ptr_ty = llvm.LLVMPointerTypeInContext(ctx, 0)
    memory_kind = llvm.LLVMGetEnumAttributeKindForName(b"memory", 6)

    def attrs(f, idx):
        n = llvm.LLVMGetAttributeCountAtIndex(f, idx)
        arr = (P * max(n, 1))()
        if n:
            llvm.LLVMGetAttributesAtIndex(f, idx, arr)
        return [arr[i] for i in range(n)]

    funcs = []
    f = llvm.LLVMGetFirstFunction(mod)
    while f:
        funcs.append(f)
        f = llvm.LLVMGetNextFunction(f)

    packed, sites, skipped = 0, 0, []
    for f in funcs:
        if llvm.LLVMIsDeclaration(f):
            continue
        fty = llvm.LLVMGlobalGetValueType(f)
        n = llvm.LLVMCountParamTypes(fty)
        ptys = (P * max(n, 1))()
        if n:
            llvm.LLVMGetParamTypes(fty, ptys)
        ptys = [ptys[i] for i in range(n)]
        regs = [reg_count(llvm, t) for t in ptys]
        if sum(regs) <= MAX_REG_ARGS:
            continue
        name_len = ctypes.c_size_t()
        name = llvm.LLVMGetValueName2(f, ctypes.byref(name_len)).decode(errors="replace")
        # keep the leading parameters that fit in r1..r4; the rest go through r5
        keep, used = 0, 0
        while keep < n and used + regs[keep] <= MAX_REG_ARGS - 1:
            used += regs[keep]
            keep += 1
        # only internal/private functions (linkage 8/9) whose every use is a direct call
        calls, ok = [], llvm.LLVMGetLinkage(f) in (8, 9) and not llvm.LLVMIsFunctionVarArg(fty)
        u = llvm.LLVMGetFirstUse(f)
        while u and ok:
            user = llvm.LLVMGetUser(u)
            if llvm.LLVMIsACallInst(user) and llvm.LLVMGetCalledValue(user) == f:
                calls.append(user)
            else:
                ok = False
            u = llvm.LLVMGetNextUse(u)
        if ok:
            for i in range(keep, n):
                for kind in (byval, inalloca, preallocated):
                    if llvm.LLVMGetEnumAttributeAtIndex(f, i + 1, kind):
                        ok = False
        if not ok:
            skipped.append(name)
            continue

        moved = ptys[keep:]
        st = llvm.LLVMStructTypeInContext(ctx, (P * len(moved))(*moved), len(moved), 0)
        new_ptys = ptys[:keep] + [ptr_ty]
        nfty = llvm.LLVMFunctionType(llvm.LLVMGetReturnType(fty), (P * len(new_ptys))(*new_ptys),
                                     len(new_ptys), 0)
        g = llvm.LLVMAddFunction(mod, (name + ".sbfargs").encode(), nfty)
        llvm.LLVMSetLinkage(g, llvm.LLVMGetLinkage(f))
        cc = llvm.LLVMGetFunctionCallConv(f)
        llvm.LLVMSetFunctionCallConv(g, cc)
        for idx in [attr_idx_fn, 0] + list(range(1, keep + 1)):
            for a in attrs(f, idx):
                # not `memory(...)`: the function now reads its arguments from the caller's frame
                if (idx == attr_idx_fn and llvm.LLVMIsEnumAttribute(a)
                        and llvm.LLVMGetEnumAttributeKind(a) == memory_kind):
                    continue
                llvm.LLVMAddAttributeAtIndex(g, idx, a)
        # move the body
        blocks = []
        bb = llvm.LLVMGetFirstBasicBlock(f)
        while bb:
            blocks.append(bb)
            bb = llvm.LLVMGetNextBasicBlock(bb)
        for bb in blocks:
            llvm.LLVMRemoveBasicBlockFromParent(bb)
            llvm.LLVMAppendExistingBasicBlock(g, bb)
        b = llvm.LLVMCreateBuilderInContext(ctx)
        llvm.LLVMPositionBuilderBefore(b, llvm.LLVMGetFirstInstruction(blocks[0]))
        for i in range(keep):
            llvm.LLVMReplaceAllUsesWith(llvm.LLVMGetParam(f, i), llvm.LLVMGetParam(g, i))
        pack = llvm.LLVMGetParam(g, keep)
        for j, t in enumerate(moved):
            gep = llvm.LLVMBuildStructGEP2(b, st, pack, j, b"")
            v = llvm.LLVMBuildLoad2(b, t, gep, b"")
            llvm.LLVMReplaceAllUsesWith(llvm.LLVMGetParam(f, keep + j), v)
        # rewrite the calls
        slots = {}  # one argument struct per caller (calls do not overlap)
        for c in calls:
            caller = llvm.LLVMGetBasicBlockParent(llvm.LLVMGetInstructionParent(c))
            if caller not in slots:
                entry = llvm.LLVMGetEntryBasicBlock(caller)
                llvm.LLVMPositionBuilderBefore(b, llvm.LLVMGetFirstInstruction(entry))
                slots[caller] = llvm.LLVMBuildAlloca(b, st, b"sbfargs")
            slot = slots[caller]
            llvm.LLVMPositionBuilderBefore(b, c)
            args = [llvm.LLVMGetOperand(c, i) for i in range(n)]
            for j in range(len(moved)):
                gep = llvm.LLVMBuildStructGEP2(b, st, slot, j, b"")
                llvm.LLVMBuildStore(b, args[keep + j], gep)
            new_args = args[:keep] + [slot]
            nc = llvm.LLVMBuildCall2(b, nfty, g, (P * len(new_args))(*new_args), len(new_args), b"")
            llvm.LLVMSetInstructionCallConv(nc, cc)
            llvm.LLVMSetTailCall(nc, 0)  # it reads the caller's frame
            llvm.LLVMReplaceAllUsesWith(c, nc)
            llvm.LLVMInstructionEraseFromParent(c)
            sites += 1
        llvm.LLVMDeleteFunction(f)
        nb = name.encode()
        llvm.LLVMSetValueName2(g, nb, len(nb))
        packed += 1

    # what is left: calls with more than five register arguments that were not rewritten
    left = 0
    f = llvm.LLVMGetFirstFunction(mod)
    while f:
        bb = llvm.LLVMGetFirstBasicBlock(f)
        while bb:
            i = llvm.LLVMGetFirstInstruction(bb)
            while i:
                if llvm.LLVMIsACallInst(i):
                    cty = llvm.LLVMGetCalledFunctionType(i)
                    k = llvm.LLVMCountParamTypes(cty)
                    if k > 1:
                        arr = (P * k)()
                        llvm.LLVMGetParamTypes(cty, arr)
                        if sum(reg_count(llvm, arr[x]) for x in range(k)) > MAX_REG_ARGS:
                            left += 1
                i = llvm.LLVMGetNextInstruction(i)
            bb = llvm.LLVMGetNextBasicBlock(bb)
        f = llvm.LLVMGetNextFunction(f)
    notes = [f"passed the arguments beyond r4 through r5 (a struct in the caller's frame) for "
             f"{packed} function(s) with more than five register arguments ({sites} call sites)"]
    if left:
        notes.append(f"WARNING: {left} call(s) with more than five register arguments remain "
                     f"(indirect calls or functions whose address is taken: "
                     f"{', '.join(skipped[:10]) or '-'}); they fault with SBPFv0 stack gaps")
    return notes


def rewrite_signed_division(bc_in, bc_out):
    llvm = ctypes.CDLL(find_libllvm())
    P = ctypes.c_void_p
    for name, res, args in [
        ("LLVMContextCreate", P, []),
        ("LLVMCreateMemoryBufferWithContentsOfFile", ctypes.c_int,
         [ctypes.c_char_p, ctypes.POINTER(P), ctypes.POINTER(ctypes.c_char_p)]),
        ("LLVMParseBitcodeInContext2", ctypes.c_int, [P, P, ctypes.POINTER(P)]),
        ("LLVMGetFirstFunction", P, [P]), ("LLVMGetNextFunction", P, [P]),
        ("LLVMGetFirstBasicBlock", P, [P]), ("LLVMGetNextBasicBlock", P, [P]),
        ("LLVMGetFirstInstruction", P, [P]), ("LLVMGetNextInstruction", P, [P]),
        ("LLVMGetInstructionOpcode", ctypes.c_int, [P]),
        ("LLVMGetOperand", P, [P, ctypes.c_uint]),
        ("LLVMTypeOf", P, [P]), ("LLVMGetTypeKind", ctypes.c_int, [P]),
        ("LLVMGetIntTypeWidth", ctypes.c_uint, [P]),
        ("LLVMCreateBuilderInContext", P, [P]),
        ("LLVMPositionBuilderBefore", None, [P, P]),
        ("LLVMConstInt", P, [P, ctypes.c_ulonglong, ctypes.c_int]),
        ("LLVMBuildAShr", P, [P, P, P, ctypes.c_char_p]),
        ("LLVMBuildXor", P, [P, P, P, ctypes.c_char_p]),
        ("LLVMBuildSub", P, [P, P, P, ctypes.c_char_p]),
        ("LLVMBuildUDiv", P, [P, P, P, ctypes.c_char_p]),
        ("LLVMBuildURem", P, [P, P, P, ctypes.c_char_p]),
        ("LLVMReplaceAllUsesWith", None, [P, P]),
        ("LLVMInstructionEraseFromParent", None, [P]),
        ("LLVMVerifyModule", ctypes.c_int, [P, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]),
        ("LLVMWriteBitcodeToFile", ctypes.c_int, [P, ctypes.c_char_p]),
        ("LLVMGetElementType", P, [P]), ("LLVMGetArrayLength2", ctypes.c_uint64, [P]),
        ("LLVMCountStructElementTypes", ctypes.c_uint, [P]),
        ("LLVMStructGetTypeAtIndex", P, [P, ctypes.c_uint]),
        ("LLVMIsDeclaration", ctypes.c_int, [P]),
        ("LLVMGetLinkage", ctypes.c_int, [P]),
        ("LLVMGlobalGetValueType", P, [P]),
        ("LLVMCountParamTypes", ctypes.c_uint, [P]),
        ("LLVMGetParamTypes", None, [P, ctypes.POINTER(P)]),
        ("LLVMGetReturnType", P, [P]),
        ("LLVMIsFunctionVarArg", ctypes.c_int, [P]),
        ("LLVMFunctionType", P, [P, ctypes.POINTER(P), ctypes.c_uint, ctypes.c_int]),
        ("LLVMStructTypeInContext", P, [P, ctypes.POINTER(P), ctypes.c_uint, ctypes.c_int]),
        ("LLVMPointerTypeInContext", P, [P, ctypes.c_uint]),
        ("LLVMAddFunction", P, [P, ctypes.c_char_p, P]),
        ("LLVMSetLinkage", None, [P, ctypes.c_int]),
        ("LLVMGetFunctionCallConv", ctypes.c_uint, [P]),
        ("LLVMSetFunctionCallConv", None, [P, ctypes.c_uint]),
        ("LLVMGetParam", P, [P, ctypes.c_uint]),
        ("LLVMCountParams", ctypes.c_uint, [P]),
        ("LLVMGetFirstUse", P, [P]), ("LLVMGetNextUse", P, [P]),
        ("LLVMGetUser", P, [P]),
        ("LLVMIsACallInst", P, [P]),
        ("LLVMGetCalledValue", P, [P]),
        ("LLVMGetCalledFunctionType", P, [P]),
        ("LLVMGetNumArgOperands", ctypes.c_uint, [P]),
        ("LLVMGetInstructionParent", P, [P]),
        ("LLVMGetBasicBlockParent", P, [P]),
        ("LLVMGetEntryBasicBlock", P, [P]),
        ("LLVMRemoveBasicBlockFromParent", None, [P]),
        ("LLVMAppendExistingBasicBlock", None, [P, P]),
        ("LLVMBuildAlloca", P, [P, P, ctypes.c_char_p]),
        ("LLVMBuildStructGEP2", P, [P, P, P, ctypes.c_uint, ctypes.c_char_p]),
        ("LLVMBuildLoad2", P, [P, P, P, ctypes.c_char_p]),
        ("LLVMBuildStore", P, [P, P, P]),
        ("LLVMBuildCall2", P, [P, P, P, ctypes.POINTER(P), ctypes.c_uint, ctypes.c_char_p]),
        ("LLVMSetTailCall", None, [P, ctypes.c_int]),
        ("LLVMSetInstructionCallConv", None, [P, ctypes.c_uint]),
        ("LLVMGetValueName2", ctypes.c_char_p, [P, ctypes.POINTER(ctypes.c_size_t)]),
        ("LLVMSetValueName2", None, [P, ctypes.c_char_p, ctypes.c_size_t]),
        ("LLVMDeleteFunction", None, [P]),
        ("LLVMGetTypeKind", ctypes.c_int, [P]),
        ("LLVMGetEnumAttributeKindForName", ctypes.c_uint, [ctypes.c_char_p, ctypes.c_size_t]),
        ("LLVMGetEnumAttributeAtIndex", P, [P, ctypes.c_uint, ctypes.c_uint]),
        ("LLVMGetAttributeCountAtIndex", ctypes.c_uint, [P, ctypes.c_uint]),
        ("LLVMGetAttributesAtIndex", None, [P, ctypes.c_uint, ctypes.POINTER(P)]),
        ("LLVMAddAttributeAtIndex", None, [P, ctypes.c_uint, P]),
        ("LLVMGetFirstInstruction", P, [P]),
        ("LLVMTypeOf", P, [P]),
        ("LLVMGetModuleContext", P, [P]),
        ("LLVMIsEnumAttribute", ctypes.c_int, [P]),
        ("LLVMGetEnumAttributeKind", ctypes.c_uint, [P]),
    ]:
        f = getattr(llvm, name)
        f.restype, f.argtypes = res, args

    ctx = llvm.LLVMContextCreate()
    buf, msg, mod = P(), ctypes.c_char_p(), P()
    if llvm.LLVMCreateMemoryBufferWithContentsOfFile(bc_in.encode(), ctypes.byref(buf),
                                                     ctypes.byref(msg)):
        sys.exit(f"sbpf-link: cannot read {bc_in}: {msg.value}")
    if llvm.LLVMParseBitcodeInContext2(ctx, buf, ctypes.byref(mod)):
        sys.exit(f"sbpf-link: cannot parse {bc_in}")

    targets = []
    f = llvm.LLVMGetFirstFunction(mod)
    while f:
        bb = llvm.LLVMGetFirstBasicBlock(f)
        while bb:
            i = llvm.LLVMGetFirstInstruction(bb)
            while i:
                op = llvm.LLVMGetInstructionOpcode(i)
                if op in (SDIV, SREM):
                    ty = llvm.LLVMTypeOf(i)
                    if (llvm.LLVMGetTypeKind(ty) == INTEGER_TYPE_KIND
                            and llvm.LLVMGetIntTypeWidth(ty) <= 64):
                        targets.append((i, op, ty, llvm.LLVMGetIntTypeWidth(ty)))
                i = llvm.LLVMGetNextInstruction(i)
            bb = llvm.LLVMGetNextBasicBlock(bb)
        f = llvm.LLVMGetNextFunction(f)

    b = llvm.LLVMCreateBuilderInContext(ctx)
    for i, op, ty, width in targets:
        llvm.LLVMPositionBuilderBefore(b, i)
        a, d = llvm.LLVMGetOperand(i, 0), llvm.LLVMGetOperand(i, 1)
        shift = llvm.LLVMConstInt(ty, width - 1, 0)
        sa = llvm.LLVMBuildAShr(b, a, shift, b"sdiv.sa")
        sd = llvm.LLVMBuildAShr(b, d, shift, b"sdiv.sb")
        ua = llvm.LLVMBuildSub(b, llvm.LLVMBuildXor(b, a, sa, b""), sa, b"sdiv.ua")
        ud = llvm.LLVMBuildSub(b, llvm.LLVMBuildXor(b, d, sd, b""), sd, b"sdiv.ub")
        if op == SDIV:
            q = llvm.LLVMBuildUDiv(b, ua, ud, b"sdiv.uq")
            s = llvm.LLVMBuildXor(b, sa, sd, b"sdiv.s")
            r = llvm.LLVMBuildSub(b, llvm.LLVMBuildXor(b, q, s, b""), s, b"sdiv.q")
        else:
            q = llvm.LLVMBuildURem(b, ua, ud, b"srem.ur")
            r = llvm.LLVMBuildSub(b, llvm.LLVMBuildXor(b, q, sa, b""), sa, b"srem.r")
        llvm.LLVMReplaceAllUsesWith(i, r)
        llvm.LLVMInstructionEraseFromParent(i)

    global PACK_NOTES
    PACK_NOTES = pack_stack_arguments(llvm, ctx, mod)

    if llvm.LLVMVerifyModule(mod, 2, ctypes.byref(msg)):
        sys.exit(f"sbpf-link: the rewritten module does not verify: {msg.value[:2000]}")
    if llvm.LLVMWriteBitcodeToFile(mod, bc_out.encode()):
        sys.exit(f"sbpf-link: cannot write {bc_out}")
    return len(targets)


def frame_table(linker, args, bc, asm, top=12):
    """Stack frame per function: the deepest `r10 - N` access in the final assembly (one more
    code generation, to text; sbpf-linker then fails to read that as an ELF, which is fine)."""
    a = list(args)
    a[a.index("-o") + 1] = asm
    subprocess.run([linker, *a, "--fatal-errors=false", "--deploy=false", "--emit", "asm", bc],
                   capture_output=True)
    if not os.path.exists(asm):
        return ["frame table: sbpf-linker --emit asm produced nothing"]
    cur, deepest = None, {}
    with open(asm) as f:
        for line in f:
            m = re.match(r"^([A-Za-z_$][\w.$]*):", line)
            if m and not m.group(1).startswith(("LBB", ".L")):
                cur = m.group(1)
                continue
            for off in re.findall(r"r10\s*-\s*(\d+)", line):
                if cur:
                    deepest[cur] = max(deepest.get(cur, 0), int(off))
    os.remove(asm)
    rows = sorted(deepest.items(), key=lambda x: -x[1])[:top]
    return [f"frame {size:6d} bytes  {name}" for name, size in rows]


def frame_size(args):
    for a in reversed(args):
        m = re.search(r"bpf-stack-size=(\d+)", a)
        if m:
            return m.group(1)
    return "?"


def main():
    # `--greekhouse-sbf-link-id=<hash of this file>` only makes cargo relink when this file
    # changes (scripts/build-sbf.sh passes it); sbpf-linker must not see it.
    args = [a for a in sys.argv[1:] if not a.startswith("--greekhouse-sbf-link-id=")]
    linker = os.environ.get("SBPF_LINKER", "sbpf-linker")
    try:
        out = args[args.index("-o") + 1]
    except (ValueError, IndexError):
        sys.exit("sbpf-link: no `-o <output>` in the arguments")
    base = os.path.splitext(out)[0]
    pass1, pass2 = base + ".pass1.bc", base + ".pass2.bc"

    # Pass 1: link + optimize to bitcode. sbpf-linker then tries to read that bitcode as an ELF
    # (and fails); only LLVM's own errors count here.
    for p in (pass1, pass2):
        if os.path.exists(p):
            os.remove(p)
    a1 = list(args)
    a1[a1.index("-o") + 1] = pass1
    # Extra inputs (e.g. solana-compiler-builtins' rlib: memcpy & co. for the program).
    a1 += [p for p in os.environ.get("GREEKHOUSE_SBF_EXTRA_INPUTS", "").split(":") if p]
    r = subprocess.run([linker, *a1, "--emit", "llvm-bc"], capture_output=True, text=True)
    if not os.path.exists(pass1) or "LLVM issued diagnostic" in r.stderr:
        sys.stderr.write(r.stderr)
        sys.exit(f"sbpf-link: pass 1 (sbpf-linker --emit llvm-bc) failed, status {r.returncode}")

    n = rewrite_signed_division(pass1, pass2)
    print(f"sbpf-link: rewrote {n} signed division/remainder instruction(s) into unsigned ones",
          file=sys.stderr)

    # Pass 3: the final link from the rewritten bitcode (object inputs replaced by it; the
    # exported symbols, CPU and sBPF options stay).
    a3, skip = [], False
    for k, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a == "-L":
            skip = True
            continue
        if a.endswith((".o", ".rlib", ".a")) and not a.startswith("-"):
            continue
        # -O3 would run ArgumentPromotion, which turns the packed arguments back into scalars
        a3.append("-O2" if re.fullmatch(r"-O[3]", a) else a)
    # LLVM's "BPF stack limit is exceeded" is an error upstream but only a warning in Solana's
    # toolchain (the frame is fine unless the offending offsets run): pass 3 runs with
    # `--fatal-errors=false`, reports those per function, and fails on any other LLVM error.
    # `--deploy=false`: sbpf-linker would also write ./target/deploy/<name>.so (cwd = the
    # workspace root); scripts/build-sbf.sh copies the .so to target-sbf/deploy itself.
    r = subprocess.run([linker, *a3, "--fatal-errors=false", "--deploy=false", pass2],
                       capture_output=True,
                       text=True)
    stack, other = {}, []
    for line in r.stderr.splitlines():
        m = re.search(r"in function (\S+) .*BPF stack limit is exceeded", line)
        if m:
            stack[m.group(1)] = stack.get(m.group(1), 0) + 1
        elif line.strip() and not re.match(r"^(For non-kernel uses|\s*$)", line):
            other.append(line)
    notes = [f"rewrote {n} signed division/remainder instruction(s) into unsigned ones"]
    notes += PACK_NOTES
    for f, n in sorted(stack.items()):
        notes.append(f"WARNING: stack frame over {frame_size(args)} bytes in {f} "
                     f"({n} stack slots out of range; faults at run time if reached)")
    for note in notes[1:]:
        print(f"sbpf-link: {note}", file=sys.stderr)
    if os.environ.get("GREEKHOUSE_SBF_FRAMES") and r.returncode == 0:
        notes += frame_table(linker, a3, pass2, base + ".frames.s")
    with open(os.path.join(os.path.dirname(out) or ".", "sbpf-link-report.txt"), "w") as rep:
        rep.write("".join(f"{note}\n" for note in notes))
    if other:
        sys.stderr.write("\n".join(other) + "\n")
    if any("ERROR llvm" in l for l in other):
        sys.exit("sbpf-link: LLVM reported errors other than stack frame size (see above)")
    if not os.environ.get("GREEKHOUSE_SBF_KEEP"):
        for p in (pass1, pass2, base + ".pass1.so"):
            if os.path.exists(p):
                os.remove(p)
    sys.exit(r.returncode)


if __name__ == "__main__":
    main()
