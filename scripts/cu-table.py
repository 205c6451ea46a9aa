#!/usr/bin/env python3
"""The measured compute-unit table of docs/performance.md and the SDK's budget made from it.

Reads the log a bank running the sBPF program writes (GREEKHOUSE_CU_LOG, app/testkit/src/bank.rs:
one line `<Instruction> <units> <accounts> <writers> <positions> <underlyings> <assets> <bytes>`
per Greekhouse instruction sent: its shape is what it names before it runs, writer accounts and
their positions, Underlying and CollateralAsset accounts; bytes is its transaction's size), takes
each instruction's largest cost over the whole suite, and compares it with the table between the
markers `<!-- cu-table:start -->` and `<!-- cu-table:end -->` in docs/performance.md.

Fails (exit 1) when an instruction costs more than Solana's 1,400,000 CU per transaction, or
more than its documented figure by over 10 % (at least 12,000 CU: eight more bump tries of a PDA
search, whose count varies with a run's random keys), or is missing from the table; when the
SDK's generated budget (app/sdk/src/budget_measured.rs) lists other figures than the table; or
when the SDK's limit for a logged call's shape is below what that call cost.

With --bless it rewrites the table instead, keeping for each instruction the larger of its
documented figure and this run's: an instruction that derives a new account's address pays for
the bump search, which varies with the (random) keys of a run by a few thousand CU, so the table
is the largest cost seen over the blessed runs. --reset forgets the documented figures. --bless
also regenerates budget_measured.rs: per instruction its row, and a cost fitted to this run's
calls, `base + per_position * positions + per_underlying * underlyings + per_asset * assets`
(least squares over the shape counts that vary, a negative slope dropped, then the base raised
until the fit covers every call of the run and the row's largest figure at its shape).

Usage: scripts/cu-table.py LOG [--bless [--reset]] [--doc docs/performance.md]
                               [--budget app/sdk/src/budget_measured.rs]
"""
import math
import re
import sys

MAX_UNITS = 1_400_000
TOLERANCE = 0.10
# A new account's address costs 1,500 CU per bump tried (`create_program_address`), and how many
# are tried depends on a run's random keys (each further try with probability 1/2): a row may be
# exceeded by up to eight more tries whatever its size.
BUMP_ALLOWANCE = 8 * 1_500
# The SDK's limit over a fitted cost (app/sdk/src/budget.rs says the same): +10 % and the bump
# allowance, capped at a transaction's most.
LIMIT_MARGIN_BPS = 1_000
START = "<!-- cu-table:start -->"
END = "<!-- cu-table:end -->"
SHAPE = ("positions", "underlyings", "assets")


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def read_log(path):
    """Every call: (instruction, units, accounts, (writers, positions, underlyings, assets), bytes)."""
    calls = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 8:
                continue
            name = snake(parts[0])
            units, accounts = int(parts[1]), int(parts[2])
            shape = tuple(int(p) for p in parts[3:7])
            calls.append((name, units, accounts, shape, int(parts[7])))
    return calls


def largest(calls):
    """Per instruction: [units, accounts, shape, bytes, calls] of its costliest call."""
    rows = {}
    for name, units, accounts, shape, size in calls:
        best = rows.get(name)
        if best is None:
            rows[name] = [units, accounts, shape, size, 1]
        else:
            best[4] += 1
            if units > best[0]:
                best[:4] = [units, accounts, shape, size]
    return rows


def parse_shape(cell):
    return tuple(int(x) for x in cell.split("/"))


def documented(doc):
    """The table's rows: name -> [units, accounts, shape, bytes, calls] (shape and bytes None
    in a table written before shapes were logged)."""
    if START not in doc or END not in doc:
        return None
    body = doc.split(START, 1)[1].split(END, 1)[0]
    table = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        number = lambda c: int(c.replace(",", ""))
        if len(cells) == 4 and cells[0].startswith("`"):
            table[cells[0].strip("`")] = [number(cells[1]), number(cells[2]), None, None, 0]
        if len(cells) == 6 and cells[0].startswith("`"):
            table[cells[0].strip("`")] = [
                number(cells[1]),
                number(cells[3]),
                parse_shape(cells[2]),
                number(cells[4]),
                number(cells[5]),
            ]
    return table


def render(rows):
    out = [
        "| instruction | largest cost (CU) | its shape: writers/positions/underlyings/assets "
        "| its accounts | its transaction (bytes) | calls, last run |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in sorted(rows):
        units, accounts, shape, size, calls = rows[name]
        shape_cell = "/".join(str(x) for x in shape)
        out.append(
            f"| `{name}` | {units:,} | {shape_cell} | {accounts} | {size:,} | {calls:,} |"
        )
    return "\n".join(out)


def solve(matrix, vector):
    """Gaussian elimination with partial pivoting; None when singular."""
    n = len(vector)
    a = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-9:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col])]
    return [a[i][n] / a[i][i] for i in range(n)]


def fit(points, row_units, row_shape):
    """Slopes per shape count and a base such that base + slopes . shape covers every point and
    the row's figure at its shape. points: [(shape(positions, underlyings, assets), units)]."""
    features = [i for i in range(3) if len({p[0][i] for p in points}) > 1]
    slopes = [0.0, 0.0, 0.0]
    while features:
        # least squares of units ~ c + sum(slope_i * x_i) over the varying counts
        xs = [[1.0] + [float(s[i]) for i in features] for s, _ in points]
        ys = [float(u) for _, u in points]
        k = len(features) + 1
        normal = [[sum(x[r] * x[c] for x in xs) for c in range(k)] for r in range(k)]
        rhs = [sum(x[r] * y for x, y in zip(xs, ys)) for r in range(k)]
        solution = solve(normal, rhs)
        if solution is None:
            features.pop()
            continue
        negative = [f for f, v in zip(features, solution[1:]) if v < 0]
        if negative:
            features.remove(negative[0])
            continue
        for f, v in zip(features, solution[1:]):
            slopes[f] = v
        break
    slopes = [math.ceil(v) for v in slopes]
    cost = lambda shape: sum(s * x for s, x in zip(slopes, shape))
    base = max(u - cost(s) for s, u in points + [(row_shape, row_units)])
    return max(base, 0), slopes


def limit(base, slopes, shape):
    fitted = base + sum(s * x for s, x in zip(slopes, shape))
    return min(fitted + fitted * LIMIT_MARGIN_BPS // 10_000 + BUMP_ALLOWANCE, MAX_UNITS)


def render_budget(rows, fits):
    out = [
        "//! Generated by `scripts/cu-table.py --bless` (`scripts/test-sbf.sh --bless`) from the",
        "//! integration suite on the sBPF program: do not edit. Per instruction, its largest",
        "//! measured cost and the shape it was measured at (the table of docs/performance.md,",
        "//! which `budget::tests` and `cu-table.py` check this against), and a cost fitted to the",
        "//! run's calls: `base + per_position * positions + per_underlying * underlyings +",
        "//! per_asset * assets`, covering every call of the run.",
        "",
        "use super::{MeasuredCost, Shape};",
        "",
        "#[rustfmt::skip]",
        "pub const MEASURED: &[MeasuredCost] = &[",
    ]
    for name in sorted(rows):
        units, _, shape, _, _ = rows[name]
        base, (per_position, per_underlying, per_asset) = fits[name]
        w, p, u, a = shape
        out.append(
            f'    MeasuredCost {{ instruction: "{name}", largest: {units:_}, '
            f"largest_shape: Shape::new({w}, {p}, {u}, {a}), base: {base:_}, "
            f"per_position: {per_position:_}, per_underlying: {per_underlying:_}, "
            f"per_asset: {per_asset:_} }},"
        )
    out.append("];")
    return "\n".join(out) + "\n"


NUMBER = r"([\d_]+)"
ENTRY = re.compile(
    r'MeasuredCost \{ instruction: "(\w+)", largest: N, '
    r"largest_shape: Shape::new\(N, N, N, N\), base: N, "
    r"per_position: N, per_underlying: N, per_asset: N \}".replace("N", NUMBER)
)


def read_budget(text):
    """name -> (largest, shape, base, slopes) from a generated budget file."""
    out = {}
    for m in ENTRY.finditer(text):
        v = [int(x.replace("_", "")) for x in m.groups()[1:]]
        out[m.group(1)] = (v[0], tuple(v[1:5]), v[5], v[6:9])
    return out


def main():
    args = sys.argv[1:]
    bless = "--bless" in args
    paths = {"--doc": "docs/performance.md", "--budget": "app/sdk/src/budget_measured.rs"}
    for flag in paths:
        if flag in args:
            paths[flag] = args[args.index(flag) + 1]
    doc_path, budget_path = paths["--doc"], paths["--budget"]
    logs = [a for a in args if not a.startswith("--") and a not in paths.values()]
    if len(logs) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    calls = read_log(logs[0])
    rows = largest(calls)
    if not rows:
        print(f"cu-table: no measurements in {logs[0]}", file=sys.stderr)
        return 1
    print(render(rows))
    doc = open(doc_path).read()
    failures = [
        f"{n}: {r[0]:,} CU exceeds a transaction's {MAX_UNITS:,}"
        for n, r in rows.items()
        if r[0] > MAX_UNITS
    ]
    known = documented(doc) or {}
    if bless:
        if START not in doc or END not in doc:
            print(f"cu-table: {doc_path} has no {START} ... {END} section", file=sys.stderr)
            return 1
        if "--reset" not in args:
            for name, row in known.items():
                if name in rows and row[0] > rows[name][0]:
                    # an older table's row without a shape keeps this run's largest call's
                    rows[name][0] = row[0]
                    if row[2] is not None:
                        rows[name][:4] = row[:4]
        head, rest = doc.split(START, 1)
        tail = rest.split(END, 1)[1]
        open(doc_path, "w").write(f"{head}{START}\n{render(rows)}\n{END}{tail}")
        fits = {}
        for name, row in rows.items():
            points = [(s[1:], u) for n, u, _, s, _ in calls if n == name]
            fits[name] = fit(points, row[0], row[2][1:])
        open(budget_path, "w").write(render_budget(rows, fits))
        print(f"cu-table: wrote {len(rows)} rows to {doc_path} and {budget_path}")
        return 1 if failures else 0

    for name, (units, _, _, _, _) in sorted(rows.items()):
        if name not in known:
            failures.append(f"{name}: measured {units:,} CU, not in {doc_path}'s table")
        elif units > known[name][0] + max(known[name][0] * TOLERANCE, BUMP_ALLOWANCE):
            failures.append(
                f"{name}: {units:,} CU, over its documented {known[name][0]:,} by more than "
                f"10 % (or {BUMP_ALLOWANCE:,} CU)"
            )
    budget = read_budget(open(budget_path).read())
    for name, row in sorted(known.items()):
        entry = budget.get(name)
        if entry is None or entry[:2] != (row[0], row[2]):
            failures.append(f"{name}: {budget_path} does not list {doc_path}'s row (re-bless)")
    for name, units, _, shape, _ in calls:
        entry = budget.get(name)
        if entry is not None and limit(entry[2], entry[3], shape[1:]) < units:
            failures.append(
                f"{name}: a call of shape {shape} cost {units:,} CU, over the SDK's limit "
                f"{limit(entry[2], entry[3], shape[1:]):,}"
            )
    for f in failures:
        print(f"cu-table: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
