#!/usr/bin/env python3
"""Check the code markers in source/e*.txt and print counts (stdlib only).

Rules checked:
  * every non-empty line starts with "I: ", "IP: " or "Ansatt: ";
  * every informant line (IP/Ansatt) ends with exactly one marker " {{...}}",
    where ... is empty or codes from VALID joined by ";" (no repeats, no spaces);
  * interviewer lines (I:) carry no marker;
  * informants.csv lists each file once with a valid group.
Exit status 1 if anything is wrong.
"""
import csv, re, sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
VALID = ("stability", "information", "standard", "discount")
GROUPS = {"stayed", "sold_bought", "back_to_rental", "staff"}
MARK = re.compile(r" \{\{([^{}]*)\}\}$")
errors = []

def words(text):
    return len(text.split())

files = sorted((HERE / "source").glob("e*.txt"), key=lambda p: int(p.stem[1:]))
per_code, n_by_k = Counter(), Counter()
rows = []
for p in files:
    nw = nturns = 0
    for ln, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        m = re.match(r"^(I|IP|Ansatt): (.*)$", line)
        if not m:
            errors.append(f"{p.name}:{ln}: no speaker label")
            continue
        who, rest = m.groups()
        if who == "I":
            if "{{" in rest or "}}" in rest:
                errors.append(f"{p.name}:{ln}: marker on interviewer line")
            nw += words(rest)
            continue
        mk = MARK.search(rest)
        if not mk or rest.count("{{") != 1 or rest.count("}}") != 1:
            errors.append(f"{p.name}:{ln}: informant line without one well-formed final marker")
            continue
        body = rest[:mk.start()]
        nw += words(body)
        nturns += 1
        inner = mk.group(1)
        codes = inner.split(";") if inner else []
        bad = [c for c in codes if c not in VALID]
        if bad:
            errors.append(f"{p.name}:{ln}: invalid code(s) {bad}")
        if len(set(codes)) != len(codes):
            errors.append(f"{p.name}:{ln}: repeated code")
        per_code.update(codes)
        n_by_k[len(codes)] += 1
    rows.append((p.name, nw, nturns))

# informants.csv
csvp = HERE / "informants.csv"
seen = {}
if csvp.exists():
    with open(csvp, encoding="utf-8", newline="") as fh:
        rd = csv.DictReader(fh)
        if rd.fieldnames != ["id", "file", "group", "role"]:
            errors.append(f"informants.csv: header is {rd.fieldnames}")
        for r in rd:
            if r["group"] not in GROUPS:
                errors.append(f"informants.csv: bad group {r['group']!r}")
            seen[r["file"]] = r
    for p in files:
        if f"source/{p.name}" not in seen:
            errors.append(f"informants.csv: {p.name} missing")
else:
    errors.append("informants.csv missing")

print(f"{'file':8} {'group':15} {'words':>5} {'turns':>5}")
for name, nw, nt in rows:
    g = seen.get(f"source/{name}", {}).get("group", "?")
    print(f"{name:8} {g:15} {nw:5d} {nt:5d}")
total = sum(r[2] for r in rows)
print(f"informant turns: {total}")
for c in VALID:
    print(f"  {c:12} {per_code[c]}")
for k in sorted(n_by_k):
    print(f"turns with {k} code(s): {n_by_k[k]}")
if errors:
    print(f"\n{len(errors)} error(s):")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("OK: all markers well-formed")
