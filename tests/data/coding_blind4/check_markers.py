#!/usr/bin/env python3
"""Check the coded files of blind set 4 (stdlib only). Exit 1 on any problem."""
import csv, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CODES = ["stability", "information", "standard", "discount"]
GROUPS = {"stayed", "sold_bought", "back_to_rental", "staff"}
INFORMANT = ("IP", "Ansatt")
LINE = re.compile(r"^(I|IP|Ansatt): (.*)$")
MARK = re.compile(r"\{\{([^{}]*)\}\}")
END = re.compile(r" \{\{([a-z;]*)\}\}$")
NAMES = re.compile(r"\b(Hamar|Ålesund|Polen|Bergen|Oslo|Norge)\b")

errors = []
def err(msg): errors.append(msg)

rows = list(csv.DictReader(open(os.path.join(HERE, "informants.source.csv"), encoding="utf-8")))
if not rows or list(rows[0].keys()) != ["id", "file", "group", "role"]:
    err("informants.source.csv: header must be id,file,group,role")
ids = [r["id"] for r in rows]
if len(set(ids)) != len(ids):
    err("informants.source.csv: duplicate ids")
listed = set()
for r in rows:
    if r["group"] not in GROUPS: err(f"{r['id']}: bad group {r['group']}")
    if r["file"] != f"source/{r['id']}.txt": err(f"{r['id']}: file should be source/{r['id']}.txt")
    if not os.path.isfile(os.path.join(HERE, r["file"])): err(f"{r['id']}: missing {r['file']}")
    if NAMES.search(r["role"]) or not r["role"].strip(): err(f"{r['id']}: role empty or has a place name")
    listed.add(r["file"])
on_disk = {"source/" + f for f in os.listdir(os.path.join(HERE, "source")) if f.endswith(".txt")}
for f in sorted(on_disk - listed): err(f"{f} is not in informants.source.csv")

total = Counter(); per_code_total = Counter()
print(f"{'file':<16}{'group':<16}{'turns':>6}{'words':>7}  " + " ".join(f"{c[:5]:>5}" for c in CODES) + "  none   two")
for r in rows:
    path = os.path.join(HERE, r["file"])
    if not os.path.isfile(path): continue
    text = open(path, encoding="utf-8").read()
    turns = words = none = two = 0; pc = Counter()
    for n, line in enumerate(text.splitlines(), 1):
        where = f"{r['file']}:{n}"
        if not line.strip(): continue
        m = LINE.match(line)
        if not m: err(f"{where}: line does not start with I:/IP:/Ansatt:"); continue
        spk, body = m.groups()
        marks = MARK.findall(line)
        if spk == "I":
            if "{{" in line or "}}" in line: err(f"{where}: interviewer line has a marker")
            words += len(body.split()); continue
        turns += 1
        e = END.search(line)
        if len(marks) != 1 or not e or line.count("{{") != 1 or line.count("}}") != 1:
            err(f"{where}: informant line must end with exactly one marker"); continue
        inner = e.group(1)
        got = [c for c in inner.split(";")] if inner else []
        if any(c not in CODES for c in got): err(f"{where}: invalid code in {{{{{inner}}}}}")
        if len(set(got)) != len(got): err(f"{where}: repeated code")
        words += len(body[: e.start() - len(spk) - 2].split())
        pc.update(got)
        if not got: none += 1
        if len(got) == 2: two += 1
    print(f"{r['file']:<16}{r['group']:<16}{turns:>6}{words:>7}  " + " ".join(f"{pc[c]:>5}" for c in CODES) + f"  {none:>4}  {two:>4}")
    total.update(turns=turns, words=words, none=none, two=two); per_code_total.update(pc)
print(f"{'TOTAL':<32}{total['turns']:>6}{total['words']:>7}  " + " ".join(f"{per_code_total[c]:>5}" for c in CODES) + f"  {total['none']:>4}  {total['two']:>4}")
if errors:
    print("\nFAIL"); [print("  " + e) for e in errors]; sys.exit(1)
print("\nOK: all markers well-formed, informants.source.csv matches source/")
