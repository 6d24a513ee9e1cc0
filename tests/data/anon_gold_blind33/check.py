#!/usr/bin/env python3
"""Kontroll av blind gullstandard 33 (kun standardbibliotek)."""
import csv, os, re, sys

BASE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(BASE, "source")
TYPES = {"PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
REQUIRED = TYPES - {"ORGANISASJON"}
FILES = {"s1.vtt": "vtt", "s2.docx.txt": "docx", "s3.txt": "txt-cp1252"}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")
errors = []


def mod11(digits, weights):
    s = sum(int(d) * w for d, w in zip(digits, weights))
    r = 11 - s % 11
    return 0 if r == 11 else (None if r == 10 else r)


def valid_fnr(d):
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k1 is not None and k2 is not None and int(d[9]) == k1 and int(d[10]) == k2


def valid_kto(d):
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k is not None and int(d[10]) == k


def parse_yaml_list(text, key):
    m = re.search(r"^\s*" + key + r":\s*\[(.*)\]\s*$", text, re.M)
    if not m:
        errors.append("study.yaml: mangler " + key)
        return []
    return re.findall(r'"([^"]*)"', m.group(1))


ytext = open(os.path.join(BASE, "study.yaml"), encoding="utf-8").read()
keep_yaml = parse_yaml_list(ytext, "keep_terms")
labels = set(parse_yaml_list(ytext, "interviewer")) | set(parse_yaml_list(ytext, "informant"))
keep_union = []
counts = {}

for fn, fmt in FILES.items():
    path = os.path.join(SRC, fn)
    lines = open(path, encoding="utf-8").read().split("\n")
    if lines[0].strip() != "#format: " + fmt:
        errors.append(f"{fn}: linje 1 skal være '#format: {fmt}'")
    if not lines[1].startswith("#keep:"):
        errors.append(f"{fn}: linje 2 skal være #keep")
    keep = [k.strip() for k in lines[1][6:].split(";") if k.strip()]
    for k in keep:
        if k not in keep_union:
            keep_union.append(k)
    body = "\n".join(lines[2:])
    for k in keep:
        if k not in MARK.sub("", body):
            errors.append(f"{fn}: keep-ord '{k}' finnes ikke umarkert i teksten")
    found = set()
    for m in MARK.finditer(body):
        text, typ = m.group(1), m.group(2)
        if typ not in TYPES:
            errors.append(f"{fn}: ukjent type {typ!r} i {m.group(0)}")
            continue
        found.add(typ)
        counts[typ] = counts.get(typ, 0) + 1
        if text != text.strip() or not text:
            errors.append(f"{fn}: mellomrom i kanten av merket tekst: {m.group(0)}")
        digits = re.sub(r"[\s.\-]", "", text)
        if typ == "FØDSELSNUMMER" and digits.isdigit() and len(digits) == 11 and not valid_fnr(digits):
            errors.append(f"{fn}: ugyldig fødselsnummer {text}")
        if typ == "KONTONUMMER" and digits.isdigit() and len(digits) == 11 and not valid_kto(digits):
            errors.append(f"{fn}: ugyldig kontonummer {text}")
        if typ == "TELEFON" and digits.isdigit():
            d = digits[2:] if digits.startswith("47") and len(digits) == 10 else digits
            if len(d) != 8:
                errors.append(f"{fn}: telefon ikke 8 sifre: {text}")
    rest = MARK.sub("", body)
    if "[[" in rest or "]]" in rest:
        errors.append(f"{fn}: feilformet merke (rester av [[ eller ]])")
    for t in sorted(REQUIRED - found):
        errors.append(f"{fn}: mangler type {t}")
    # talerlabeler
    if fmt == "vtt":
        if lines[2].strip() != "WEBVTT":
            errors.append(f"{fn}: mangler WEBVTT-hode")
        blocks = [b for b in "\n".join(lines[3:]).strip().split("\n\n") if b.strip()]
        for i, b in enumerate(blocks, 1):
            bl = b.split("\n")
            if bl[0] != str(i) or not re.match(r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$", bl[1]):
                errors.append(f"{fn}: feil i cue {i}")
            m = re.match(r"(Speaker \d+):", bl[2])
            if m and m.group(1) not in labels:
                errors.append(f"{fn}: label {m.group(1)} ikke deklarert")
            if i == 1 and not m:
                errors.append(f"{fn}: første cue mangler label")
    else:
        started = False
        for ln in lines[2:]:
            m = re.match(r"^([A-Za-zÆØÅæøå ]{1,12}):\s", ln)
            if m and m.group(1) in labels:
                started = True
            elif m:
                errors.append(f"{fn}: ukjent label {m.group(1)!r}")
            elif ln.strip() and started:
                errors.append(f"{fn}: linje uten label: {ln[:40]!r}")
            elif ln.strip() and MARK.search(ln):
                errors.append(f"{fn}: merke i tittellinje")
    if fmt == "txt-cp1252":
        try:
            MARK.sub(r"\1", body).encode("cp1252")
        except UnicodeEncodeError as e:
            errors.append(f"{fn}: tegn som ikke finnes i cp1252: {e}")
    words = len(re.findall(r"\w+", MARK.sub(r"\1", re.sub(r"\d\d:\d\d:\d\d\.\d+ --> \S+", "", body))))
    if not 900 <= words <= 1500:
        errors.append(f"{fn}: {words} ord (skal være 900-1500)")

if sorted(keep_yaml) != sorted(keep_union):
    errors.append(f"study.yaml keep_terms != union av #keep: {sorted(set(keep_yaml) ^ set(keep_union))}")

with open(os.path.join(BASE, "informants.csv"), encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
if [r for r in rows] and list(rows[0].keys()) != ["id", "file", "group", "name", "role"]:
    errors.append("informants.csv: feil header")
tool_names = {"s1.vtt": "s1.vtt", "s2.docx.txt": "s2.docx", "s3.txt": "s3.txt"}
for r in rows:
    src = [k for k, v in tool_names.items() if v == r["file"]]
    if not src:
        errors.append(f"informants.csv: ukjent fil {r['file']}")
        continue
    body = open(os.path.join(SRC, src[0]), encoding="utf-8").read()
    if f"[[{r['name']}|PERSON]]" not in body:
        errors.append(f"informants.csv: {r['name']} ikke merket i {src[0]}")
if len(rows) != len(FILES):
    errors.append("informants.csv: skal ha én rad per fil")

if errors:
    print("\n".join(errors))
    sys.exit(1)
print("Merker per type:", ", ".join(f"{t}={counts.get(t, 0)}" for t in sorted(TYPES)))
print("OK")
