#!/usr/bin/env python3
"""Sjekker kodemarkører i source/*.txt mot codebook.yaml og informants.source.csv (kun stdlib)."""
import csv, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
INFORMANT = ("IP", "Ansatt")
INTERVIEWER = ("I",)
MARK_END = re.compile(r"\s\{\{([^{}]*)\}\}\s*$")
ANY_MARK = re.compile(r"\{\{|\}\}")
ID_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


def code_ids():
    ids = []
    with open(os.path.join(HERE, "codebook.yaml"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^- id:\s*['\"]?([A-Za-z0-9_]+)['\"]?\s*$", line)
            if m:
                ids.append(m.group(1))
    return ids


def main():
    errors = []
    known = set(code_ids())
    if not known:
        errors.append("fant ingen kode-id-er i codebook.yaml")
    with open(os.path.join(HERE, "informants.source.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    groups = {"stayed", "sold_bought", "back_to_rental", "staff"}
    csv_files = []
    for r in rows:
        if set(r) != {"id", "file", "group", "role"}:
            errors.append(f"CSV: feil kolonner {list(r)}")
        if r["group"] not in groups:
            errors.append(f"CSV: ukjent gruppe {r['group']!r} for {r['id']}")
        if r["file"] != r["id"] + ".txt":
            errors.append(f"CSV: fil {r['file']} passer ikke id {r['id']}")
        csv_files.append(r["file"])
    disk = sorted(x for x in os.listdir(SRC) if x.endswith(".txt"))
    if sorted(csv_files) != disk:
        errors.append(f"CSV-filer {sorted(csv_files)} != filer i source/ {disk}")

    total = Counter()
    for fn in csv_files:
        path = os.path.join(SRC, fn)
        if not os.path.exists(path):
            continue
        per = Counter()
        turns = 0
        none = 0
        with open(path, encoding="utf-8") as f:
            for n, raw in enumerate(f, 1):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                m = re.match(r"^([A-Za-zÆØÅæøå]+):\s", line)
                if not m:
                    errors.append(f"{fn}:{n}: mangler talerprefiks")
                    continue
                sp = m.group(1)
                if sp in INTERVIEWER:
                    if ANY_MARK.search(line):
                        errors.append(f"{fn}:{n}: intervjuerlinje har markør")
                elif sp in INFORMANT:
                    turns += 1
                    mm = MARK_END.search(line)
                    if not mm:
                        errors.append(f"{fn}:{n}: informantlinje uten gyldig markør på slutten")
                        continue
                    if len(ANY_MARK.findall(line[: mm.start()])) > 0:
                        errors.append(f"{fn}:{n}: ekstra markør midt i linja")
                    body = mm.group(1)
                    if body == "":
                        none += 1
                        continue
                    parts = body.split(";")
                    if len(parts) != len(set(parts)):
                        errors.append(f"{fn}:{n}: duplisert kode {body!r}")
                    for p in parts:
                        if not ID_RE.match(p) or p not in known:
                            errors.append(f"{fn}:{n}: ukjent/feilformet kode {p!r}")
                        else:
                            per[p] += 1
                else:
                    errors.append(f"{fn}:{n}: ukjent taler {sp!r}")
        total.update(per)
        codes = ", ".join(f"{k}={per[k]}" for k in sorted(per))
        print(f"{fn}: {turns} informanttur(er), {none} uten kode; {codes}")
    print("Totalt: " + ", ".join(f"{k}={total[k]}" for k in sorted(known)))
    if errors:
        print("\nFEIL:")
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
