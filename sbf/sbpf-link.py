#!/usr/bin/env python3
"""Linker wrapper around sbpf-linker for the Greekhouse sBPF build (rustc's `-C linker=`).

Upstream LLVM's BPF backend cannot select signed division or remainder (`sdiv`/`srem`) for
the BPF CPUs that sBPF v0 accepts (v1/v2: "unsupported signed division, please convert to
unsigned div/mod"); Solana's own LLVM fork expands them. This wrapper links in two passes:

1. sbpf-linker with `--emit llvm-bc`: the whole program linked and optimized, as bitcode;
2. every `sdiv`/`srem` on integers of at most 64 bits is rewritten into unsigned division
   with explicit sign handling, through LLVM's C API (the toolchain's own libLLVM, via ctypes):
       sa = a >>s (n-1); sb = b >>s (n-1); |a| = (a ^ sa) - sa; |b| = (b ^ sb) - sb
       a / b = ((|a| /u |b|) ^ (sa ^ sb)) - (sa ^ sb);   a % b = ((|a| %u |b|) ^ sa) - sa
   (identical results for every input on which `sdiv`/`srem` is defined; wider ones stay
   libcalls, e.g. `__divti3`, provided by compiler_builtins);
3. sbpf-linker again on that bitcode, with the original arguments: the final sBPF `.so`.

Environment: GREEKHOUSE_SBF_EXTRA_INPUTS (colon-separated rlibs/objects added to the link),
GREEKHOUSE_SBF_LIBLLVM (path of libLLVM.so; default: from the toolchain
sysroot), SBPF_LINKER (default: `sbpf-linker` on PATH), GREEKHOUSE_SBF_KEEP (keep the
intermediate bitcode next to the output).
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

    if llvm.LLVMVerifyModule(mod, 2, ctypes.byref(msg)):
        sys.exit(f"sbpf-link: the rewritten module does not verify: {msg.value[:2000]}")
    if llvm.LLVMWriteBitcodeToFile(mod, bc_out.encode()):
        sys.exit(f"sbpf-link: cannot write {bc_out}")
    return len(targets)


def frame_size(args):
    for a in reversed(args):
        m = re.search(r"bpf-stack-size=(\d+)", a)
        if m:
            return m.group(1)
    return "?"


def main():
    args = sys.argv[1:]
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
        a3.append(a)
    # LLVM's "BPF stack limit is exceeded" is an error upstream but only a warning in Solana's
    # toolchain (the frame is fine unless the offending offsets run): pass 3 runs with
    # `--fatal-errors=false`, reports those per function, and fails on any other LLVM error.
    r = subprocess.run([linker, *a3, "--fatal-errors=false", pass2], capture_output=True,
                       text=True)
    stack, other = {}, []
    for line in r.stderr.splitlines():
        m = re.search(r"in function (\S+) .*BPF stack limit is exceeded", line)
        if m:
            stack[m.group(1)] = stack.get(m.group(1), 0) + 1
        elif line.strip() and not re.match(r"^(For non-kernel uses|\s*$)", line):
            other.append(line)
    notes = [f"rewrote {n} signed division/remainder instruction(s) into unsigned ones"]
    for f, n in sorted(stack.items()):
        notes.append(f"WARNING: stack frame over {frame_size(args)} bytes in {f} "
                     f"({n} stack slots out of range; faults at run time if reached)")
    for note in notes[1:]:
        print(f"sbpf-link: {note}", file=sys.stderr)
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
