#!/usr/bin/env python3
"""The measured compute-unit table of docs/performance.md.

Reads the log a bank running the sBPF program writes (GREEKHOUSE_CU_LOG: one line
`<instruction> <units> <accounts>` per Greekhouse instruction sent), takes each instruction's
largest cost over the whole suite, and compares it with the table between the markers
`<!-- cu-table:start -->` and `<!-- cu-table:end -->` in docs/performance.md.

Fails (exit 1) when an instruction costs more than Solana's 1,400,000 CU per transaction, or
more than its documented figure by over 10 % (at least 12,000 CU: eight more bump tries of a PDA
search, whose count varies with a run's random keys), or is missing from the table. With --bless it
rewrites the table instead, keeping for each instruction the larger of its documented figure and
this run's: an instruction that derives a new account's address pays for the bump search, which
varies with the (random) keys of a run by a few thousand CU, so the table is the largest cost
seen over the blessed runs. --reset forgets the documented figures.

Usage: scripts/cu-table.py LOG [--bless [--reset]] [--doc docs/performance.md]
"""
import re
import sys

MAX_UNITS = 1_400_000
TOLERANCE = 0.10
# A new account's address costs 1,500 CU per bump tried (`create_program_address`), and how many
# are tried depends on a run's random keys (each further try with probability 1/2): a row may be
# exceeded by up to eight more tries whatever its size.
BUMP_ALLOWANCE = 8 * 1_500
START = "<!-- cu-table:start -->"
END = "<!-- cu-table:end -->"


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def measure(path):
    rows = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3:
                continue
            name, units, accounts = parts[0], int(parts[1]), int(parts[2])
            best = rows.get(name)
            if best is None:
                rows[name] = [units, accounts, 1]
            else:
                best[2] += 1
                if units > best[0]:
                    best[0], best[1] = units, accounts
    return {snake(k): v for k, v in rows.items()}


def documented(doc):
    if START not in doc or END not in doc:
        return None
    body = doc.split(START, 1)[1].split(END, 1)[0]
    table = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            table[cells[0].strip("`")] = int(cells[1].replace(",", ""))
    return table


def render(rows):
    out = [
        "| instruction | largest cost (CU) | its accounts, last run | calls, last run |",
        "|---|---:|---:|---:|",
    ]
    for name in sorted(rows):
        units, accounts, calls = rows[name]
        out.append(f"| `{name}` | {units:,} | {accounts} | {calls:,} |")
    return "\n".join(out)


def main():
    args = sys.argv[1:]
    bless = "--bless" in args
    doc_path = "docs/performance.md"
    if "--doc" in args:
        doc_path = args[args.index("--doc") + 1]
    logs = [a for a in args if not a.startswith("--") and a != doc_path]
    if len(logs) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    rows = measure(logs[0])
    if not rows:
        print(f"cu-table: no measurements in {logs[0]}", file=sys.stderr)
        return 1
    table = render(rows)
    print(table)
    doc = open(doc_path).read()
    failures = [
        f"{n}: {u:,} CU exceeds a transaction's {MAX_UNITS:,}"
        for n, (u, _, _) in rows.items()
        if u > MAX_UNITS
    ]
    if bless and "--reset" not in args:
        for name, units in (documented(doc) or {}).items():
            if name in rows and units > rows[name][0]:
                rows[name][0] = units
        table = render(rows)
    if bless:
        if START not in doc or END not in doc:
            print(f"cu-table: {doc_path} has no {START} ... {END} section", file=sys.stderr)
            return 1
        head, rest = doc.split(START, 1)
        tail = rest.split(END, 1)[1]
        open(doc_path, "w").write(f"{head}{START}\n{table}\n{END}{tail}")
        print(f"cu-table: wrote {len(rows)} rows to {doc_path}")
    else:
        known = documented(doc) or {}
        for name, (units, _, _) in sorted(rows.items()):
            if name not in known:
                failures.append(f"{name}: measured {units:,} CU, not in {doc_path}'s table")
            elif units > known[name] + max(known[name] * TOLERANCE, BUMP_ALLOWANCE):
                failures.append(
                    f"{name}: {units:,} CU, over its documented {known[name]:,} by more than "
                    f"10 % (or {BUMP_ALLOWANCE:,} CU)"
                )
    for f in failures:
        print(f"cu-table: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
