#!/usr/bin/env python3
"""Check the coding markers in source/e*.txt (stdlib only).

Every informant line (IP: / Ansatt:) must end with exactly one marker
` {{code;code}}` or ` {{}}` using valid codebook ids; interviewer lines (I:)
must carry no marker. Prints per-file and overall counts. Exit code 1 on error.
"""
import csv, glob, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
VALID = {"stability", "information", "standard", "discount"}
MARK = re.compile(r" \{\{([a-z;]*)\}\}$")
SPEAKER = re.compile(r"^(I|IP|Ansatt): \S")

errors = []
per_code = Counter()
n_turns = n_none = n_two = n_more = 0
rows = []
for path in sorted(glob.glob(os.path.join(HERE, "source", "e*.txt")),
                   key=lambda p: int(re.search(r"e(\d+)\.txt$", p).group(1))):
    name = os.path.relpath(path, HERE)
    turns = words = 0
    fc = Counter()
    for no, line in enumerate(open(path, encoding="utf-8").read().splitlines(), 1):
        m = SPEAKER.match(line)
        if not m:
            errors.append(f"{name}:{no}: line does not start with I:/IP:/Ansatt:")
            continue
        spk = m.group(1)
        if line.count("{{") + line.count("}}") not in (0, 2):
            errors.append(f"{name}:{no}: stray braces")
        mk = MARK.search(line)
        text = line[len(spk) + 2:]
        if spk == "I":
            if "{{" in line:
                errors.append(f"{name}:{no}: interviewer line has a marker")
            words += len(text.split())
            continue
        if not mk or line.count("{{") != 1:
            errors.append(f"{name}:{no}: informant line lacks a single well-formed end marker")
            continue
        words += len(text[: mk.start() - len(spk) - 2].split())
        raw = mk.group(1)
        codes = raw.split(";") if raw else []
        bad = [c for c in codes if c not in VALID]
        if bad or len(codes) != len(set(codes)):
            errors.append(f"{name}:{no}: invalid or duplicate codes {codes}")
            continue
        turns += 1
        fc.update(codes)
        per_code.update(codes)
        if not codes:
            n_none += 1
        elif len(codes) == 2:
            n_two += 1
        elif len(codes) > 2:
            n_more += 1
    n_turns += turns
    rows.append((name, words, turns, fc))

# informants.csv consistency
ids = {}
csv_path = os.path.join(HERE, "informants.csv")
if os.path.exists(csv_path):
    with open(csv_path, encoding="utf-8", newline="") as f:
        rd = csv.DictReader(f)
        if rd.fieldnames != ["id", "file", "group", "role"]:
            errors.append(f"informants.csv: header {rd.fieldnames}")
        for r in rd:
            ids[r["file"]] = r
            if r["group"] not in {"stayed", "sold_bought", "back_to_rental", "staff"}:
                errors.append(f"informants.csv: bad group {r['group']}")
            if not os.path.exists(os.path.join(HERE, r["file"])):
                errors.append(f"informants.csv: missing file {r['file']}")
    for name, *_ in rows:
        if name not in ids:
            errors.append(f"informants.csv: no row for {name}")
else:
    errors.append("informants.csv missing")

print(f"{'file':<16}{'group':<16}{'words':>6}{'turns':>7}  stab info stan disc")
for name, words, turns, fc in rows:
    g = ids.get(name, {}).get("group", "?")
    print(f"{name:<16}{g:<16}{words:>6}{turns:>7}  {fc['stability']:>4} {fc['information']:>4}"
          f" {fc['standard']:>4} {fc['discount']:>4}")
print(f"\ninformant turns: {n_turns}")
for c in ["stability", "information", "standard", "discount"]:
    print(f"  {c:<12} {per_code[c]}")
print(f"turns with no code: {n_none}")
print(f"turns with one code: {n_turns - n_none - n_two - n_more}")
print(f"turns with two codes: {n_two}")
print(f"turns with 3+ codes: {n_more}")
print(f"total code assignments: {sum(per_code.values())}")
if errors:
    print("\nERRORS:")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("\nall markers OK")
