#!/usr/bin/env python3
"""Kontroll av blind gullstandard 34 (kun standardbiblioteket)."""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
TYPES = {"PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
REQUIRED = TYPES - {"ORGANISASJON"}
FILES = {"s1.srt": "srt", "s2.txt": "txt", "s3.docx.txt": "docx"}
TOOLNAME = {"s1.srt": "s1.srt", "s2.txt": "s2.txt", "s3.docx.txt": "s3.docx"}
errors = []

def err(msg):
    errors.append(msg)

def fnr_ok(d):
    n = [int(c) for c in d]
    k1 = 11 - sum(a * b for a, b in zip(n[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(n[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11
    k2 = 0 if k2 == 11 else k2
    return k1 != 10 and k2 != 10 and n[9] == k1 and n[10] == k2

def kto_ok(d):
    n = [int(c) for c in d]
    k = 11 - sum(a * b for a, b in zip(n[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11
    k = 0 if k == 11 else k
    return k != 10 and n[10] == k

def parse_yaml_list(text, key):
    m = re.search(r"^\s*" + re.escape(key) + r":\s*\[(.*)\]\s*$", text, re.M)
    if not m:
        err(f"study.yaml: mangler {key}")
        return []
    return re.findall(r'"([^"]*)"', m.group(1))

study = open(os.path.join(HERE, "study.yaml"), encoding="utf-8").read()
keep_terms = parse_yaml_list(study, "keep_terms")
labels = parse_yaml_list(study, "interviewer") + parse_yaml_list(study, "informant")
for g in ["kjopar_budd", "selt_kjopt", "tilbake_leige", "tilsett"]:
    if g not in study:
        err(f"study.yaml: gruppe {g} mangler")

MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")
keep_union = []
all_marks = {}

for fn, fmt in FILES.items():
    path = os.path.join(SRC, fn)
    if not os.path.exists(path):
        err(f"{fn}: finnes ikke"); continue
    lines = open(path, encoding="utf-8").read().split("\n")
    if lines[0].strip() != f"#format: {fmt}":
        err(f"{fn}: linje 1 skal være '#format: {fmt}', er '{lines[0]}'")
    if not lines[1].startswith("#keep:"):
        err(f"{fn}: linje 2 skal være #keep")
    keep = [k.strip() for k in lines[1][6:].split(";") if k.strip()]
    for k in keep:
        if k not in keep_union:
            keep_union.append(k)
    body = lines[2:]
    marks = []
    for i, line in enumerate(body, 3):
        found = MARK.findall(line)
        rest = MARK.sub("", line)
        if "[[" in rest or "]]" in rest:
            err(f"{fn}:{i}: feilformet eller nøstet markering: {line}")
        for text, typ in found:
            if typ not in TYPES:
                err(f"{fn}:{i}: ukjent type {typ}")
            if text != text.strip():
                err(f"{fn}:{i}: mellomrom i kanten av markering '{text}'")
            marks.append((text, typ, i))
    all_marks[fn] = marks
    types = {t for _, t, _ in marks}
    for t in REQUIRED - types:
        err(f"{fn}: mangler påkrevd type {t}")
    for text, typ, i in marks:
        if typ in ("FØDSELSNUMMER", "KONTONUMMER"):
            d = re.sub(r"\D", "", text)
            if len(d) == 11:
                ok = fnr_ok(d) if typ == "FØDSELSNUMMER" else kto_ok(d)
                if not ok:
                    err(f"{fn}:{i}: ugyldig kontrollsiffer i {typ} {text}")
            elif len(d) > 11:
                err(f"{fn}:{i}: for mange sifre i {typ} {text}")
            # færre enn 11 sifre = fragment (delt eller rettet underveis) – tillatt
        if typ == "TELEFON":
            d = re.sub(r"\D", "", text)
            if d and not (len(d) == 8 or (d.startswith("47") and len(d) == 10) or d.startswith("370")):
                err(f"{fn}:{i}: uventet telefonnummer {text}")
    # talerlabeler
    if fmt in ("txt", "docx"):
        started = False
        lab_re = re.compile(r"^(?:\[\d\d:\d\d:\d\d\]\s*)?([^:\[\]]{1,20}):\s")
        for i, line in enumerate(body, 3):
            if not line.strip():
                continue
            m = lab_re.match(line)
            if m and m.group(1) in labels:
                started = True
            elif started:
                err(f"{fn}:{i}: linje uten deklarert talerlabel: {line[:60]}")
            elif "[[" in line:
                err(f"{fn}:{i}: tittellinje med markering")
        if not started:
            err(f"{fn}: ingen talerturer funnet")
    else:
        text = "\n".join(body).strip()
        blocks = re.split(r"\n\s*\n", text)
        ts = r"\d\d:\d\d:\d\d[,.]\d{3}"
        first = True
        for n, b in enumerate(blocks, 1):
            bl = b.split("\n")
            if fmt == "vtt" and bl[0].startswith("WEBVTT"):
                continue
            if not bl[0].strip().isdigit() or len(bl) < 3 or not re.match(ts + r" --> " + ts, bl[1]):
                err(f"{fn}: feilformet cue nr. {n}: {b[:60]}")
                continue
            cue = bl[2]
            m = re.match(r"^(?:<v ([^>]+)>|([^:\[\]]{1,20}):\s)", cue)
            if m:
                lab = m.group(1) or m.group(2)
                if lab not in labels:
                    err(f"{fn}: cue {bl[0]}: ukjent label {lab}")
            elif first:
                err(f"{fn}: første cue mangler label")
            first = False

if sorted(keep_union) != sorted(keep_terms):
    err(f"keep_terms i study.yaml {keep_terms} != union av #keep {keep_union}")

# informants.csv
with open(os.path.join(HERE, "informants.csv"), encoding="utf-8", newline="") as fh:
    rows = list(csv.DictReader(fh))
if not rows or list(rows[0].keys()) != ["id", "file", "group", "name", "role"]:
    err("informants.csv: feil header")
inv = {v: k for k, v in TOOLNAME.items()}
for r in rows:
    if r["file"] not in inv:
        err(f"informants.csv: ukjent fil {r['file']}"); continue
    if r["group"] not in ["kjopar_budd", "selt_kjopt", "tilbake_leige", "tilsett"]:
        err(f"informants.csv: ukjent gruppe {r['group']}")
    persons = "".join(t for t, ty, _ in all_marks.get(inv[r["file"]], []) if ty == "PERSON").lower().replace(" ", "")
    for part in r["name"].lower().split():
        if part not in persons:
            err(f"informants.csv: navnedel '{part}' ikke markert som PERSON i {r['file']}")
if len(rows) != len(FILES):
    err("informants.csv: skal ha én rad per fil")

if errors:
    for e in errors:
        print("FEIL:", e)
    sys.exit(1)
counts = {}
for fn, ms in all_marks.items():
    for _, t, _ in ms:
        counts[t] = counts.get(t, 0) + 1
print("Markeringer per type:", ", ".join(f"{t}={counts.get(t, 0)}" for t in sorted(TYPES)))
print("OK")
