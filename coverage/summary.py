#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""summary.py: what `make coverage` and `make test-coverage` print of a coverage run.

  summary.py [--unreachable FILE] [--min "LINES BRANCHES"] [--uncovered OUT]
             EXPORT.json EXPORT.lcov

EXPORT.json is `llvm-cov export` of every target, EXPORT.lcov the same as
lcov. Prints one line per area (core/, the host runtime bpf/host/, the
properties props/, and the rest) with its lines, branches and functions,
then each line and branch of core/ the run did not reach. A branch is one
direction (true or false) of a condition at FILE:LINE:COL.

FILE (coverage/unreachable.txt) lists the branches of core/ that no input can
take, one per line: "core/FILE:LINE:COL true|false  reason"; "#" starts a
comment. Each listed branch counts as taken; one that the run took, or that
does not exist, is an error (the list must stay true).

--min "L B": the gate. Exit 1 unless core/ has at least L% of its lines and
B% of its branches (listed ones counted as taken). --uncovered OUT writes the
full list of what was not reached, every area. Bad usage or input: one line,
exit 2.
"""
import argparse
import json
import os
import re
import sys
from collections import defaultdict

AREAS = [("core/", "core/"), ("host runtime (bpf/host/)", "bpf/host/"), ("properties (props/)", "props/")]
OTHER = "the rest (fuzz/, oracle/, net/)"
ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))


def die(msg):
    print(f"summary.py: {msg}", file=sys.stderr)
    sys.exit(2)


def rel(path):
    p = os.path.realpath(path)
    return os.path.relpath(p, ROOT) if p.startswith(ROOT + os.sep) else path


def area_of(path):
    for name, prefix in AREAS:
        if path.startswith(prefix):
            return name
    return OTHER


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        return d["data"][0]["files"]
    except (OSError, ValueError, KeyError, IndexError) as e:
        die(f"{path}: not an llvm-cov export: {e}")


def load_lcov(path):
    """{file: {line: hits}} from DA records."""
    lines = defaultdict(dict)
    cur = None
    try:
        with open(path, encoding="utf-8") as f:
            for raw in f:
                if raw.startswith("SF:"):
                    cur = rel(raw[3:].strip())
                elif raw.startswith("DA:") and cur:
                    ln, hits = raw[3:].split(",")[:2]
                    lines[cur][int(ln)] = lines[cur].get(int(ln), 0) + int(hits)
    except (OSError, ValueError) as e:
        die(f"{path}: not lcov: {e}")
    return lines


def load_unreachable(path):
    """{(file, line, col, direction): reason}."""
    out = {}
    if not path:
        return out
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        die(f"{path}: {e.strerror}")
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^(core/\S+):(\d+):(\d+)\s+(true|false)\s+(\S.*)$", line)
        if not m:
            die(f"{path}:{n}: want 'core/FILE:LINE:COL true|false  reason'")
        out[(m[1], int(m[2]), int(m[3]), m[4])] = m[5]
    return out


def pct(covered, count):
    return 100.0 * covered / count if count else 100.0


def main():
    # Bad usage: one line (no usage dump) and exit 2; -h shows the header.
    ap = argparse.ArgumentParser(usage=argparse.SUPPRESS, description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--unreachable")
    ap.add_argument("--min")
    ap.add_argument("--uncovered")
    ap.add_argument("json")
    ap.add_argument("lcov")
    a = ap.parse_args()
    gate = None
    if a.min:
        try:
            gate = [float(x) for x in a.min.split()]
            assert len(gate) == 2
        except (ValueError, AssertionError):
            die(f"--min wants 'LINES BRANCHES' (percent), not '{a.min}'")

    files = load_json(a.json)
    lines = load_lcov(a.lcov)
    listed = load_unreachable(a.unreachable)
    tot = defaultdict(lambda: defaultdict(int))
    missed_branches = []  # (file, line, col, direction)
    seen_branches = set()
    for f in files:
        path = rel(f["filename"])
        s, area = f["summary"], area_of(path)
        for k in ("lines", "branches", "functions"):
            tot[area][k + "_count"] += s[k]["count"]
            tot[area][k + "_covered"] += s[k]["covered"]
        for b in f.get("branches", []):
            line, col, true_count, false_count = b[0], b[1], b[4], b[5]
            for direction, count in (("true", true_count), ("false", false_count)):
                key = (path, line, col, direction)
                seen_branches.add(key)
                if count == 0:
                    missed_branches.append(key)

    bad = []
    for key in listed:
        if key not in seen_branches:
            bad.append(f"{a.unreachable}: {key[0]}:{key[1]}:{key[2]} {key[3]} is no branch of this build")
        elif key not in missed_branches:
            bad.append(f"{a.unreachable}: {key[0]}:{key[1]}:{key[2]} {key[3]} was taken: take it off the list")
    excused = [k for k in missed_branches if k in listed]
    tot["core/"]["branches_covered"] += len(excused)

    for name in [n for n, _ in AREAS] + [OTHER]:
        t = tot[name]
        extra = f" ({len(excused)} listed unreachable)" if name == "core/" and excused else ""
        print(f"  COVERAGE {name:<33}"
              f"lines {pct(t['lines_covered'], t['lines_count']):5.1f}% ({t['lines_covered']}/{t['lines_count']})  "
              f"branches {pct(t['branches_covered'], t['branches_count']):5.1f}% "
              f"({t['branches_covered']}/{t['branches_count']}){extra}  "
              f"functions {pct(t['functions_covered'], t['functions_count']):5.1f}% "
              f"({t['functions_covered']}/{t['functions_count']})")

    def uncovered(prefix):
        out = []
        for path in sorted(lines):
            if prefix and not path.startswith(prefix):
                continue
            for ln in sorted(l for l, h in lines[path].items() if h == 0):
                out.append(f"{path}:{ln}: line not reached")
        for key in sorted(missed_branches):
            if prefix and not key[0].startswith(prefix):
                continue
            note = f" (listed: {listed[key]})" if key in listed else ""
            out.append(f"{key[0]}:{key[1]}:{key[2]}: branch {key[3]} not taken{note}")
        return out

    for u in uncovered("core/"):
        print(f"  UNCOVERED {u}")
    if a.uncovered:
        try:
            with open(a.uncovered, "w", encoding="utf-8") as f:
                f.write("\n".join(uncovered(None)) + "\n")
        except OSError as e:
            die(f"{a.uncovered}: {e.strerror}")
    for b in bad:
        print(f"  FAIL     {b}")
    status = 1 if bad else 0
    if gate:
        t = tot["core/"]
        lp, bp = pct(t["lines_covered"], t["lines_count"]), pct(t["branches_covered"], t["branches_count"])
        # Compare as the figures are printed, to one decimal.
        ok = round(lp, 1) >= gate[0] and round(bp, 1) >= gate[1]
        print(f"  {'OK' if ok else 'FAIL':<8} coverage gate: core/ lines {lp:.1f}% (at least {gate[0]:g}%), "
              f"branches {bp:.1f}% (at least {gate[1]:g}%)")
        status |= 0 if ok else 1
    sys.exit(status)


if __name__ == "__main__":
    main()
