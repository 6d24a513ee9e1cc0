#!/usr/bin/env python3
"""Kontroll av blind gullstandard 35 (kun standardbibliotek). Tilpasset fra check_example.py."""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
TYPES = {"PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
DIRECT = {"PERSON", "ADRESSE", "TELEFON", "EPOST", "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
REQUIRED = TYPES  # every file uses every type
# file in source/ -> (format header, name in informants.csv)
FILES = {"s1.vtt": ("vtt", "s1.vtt"), "s2.docx.txt": ("docx", "s2.docx"), "s3.txt": ("txt-cp1252", "s3.txt")}
STUDY_MUNICIPALITIES = {"alta", "hammerfest", "kautokeino"}
NEVER_MARKED = STUDY_MUNICIPALITIES | {"nav", "husbanken", "kommunen", "russland", "norge"}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")
errors = []

def err(m):
    errors.append(m)

def fnr_ok(d):
    if len(d) != 11: return False
    n = [int(c) for c in d]
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]; w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k1 = 11 - sum(a * b for a, b in zip(n, w1)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(n, w2)) % 11
    k2 = 0 if k2 == 11 else k2
    return k1 < 10 and k2 < 10 and n[9] == k1 and n[10] == k2

def kto_ok(d):
    if len(d) != 11: return False
    n = [int(c) for c in d]
    k = 11 - sum(a * b for a, b in zip(n, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11
    k = 0 if k == 11 else k
    return k < 10 and n[10] == k

def parse_yaml(path):
    """Minimal parser for the flat structure used in study.yaml."""
    txt = open(path, encoding="utf-8").read()
    def flow_list(key):
        m = re.search(r"^\s*" + re.escape(key) + r":\s*\[(.*?)\]\s*$", txt, re.M | re.S)
        if not m: return None
        return [x.strip().strip('"') for x in re.findall(r'"[^"]*"|[^,\s][^,]*', m.group(1)) if x.strip()]
    return {"groups": flow_list("groups"), "interviewer": flow_list("interviewer"),
            "informant": flow_list("informant"), "keep_terms": flow_list("keep_terms"), "raw": txt}

y = parse_yaml(os.path.join(HERE, "study.yaml"))
labels = set((y["interviewer"] or []) + (y["informant"] or []))
all_keep = set()
names_by_file = {}
counts = {}
total = direct = 0

for fn, (fmt, toolname) in FILES.items():
    path = os.path.join(SRC, fn)
    raw = open(path, encoding="utf-8").read()
    lines = raw.split("\n")
    if lines[0].strip() != "#format: " + fmt:
        err(f"{fn}: line 1 should be '#format: {fmt}'")
    if not lines[1].startswith("#keep:"):
        err(f"{fn}: line 2 should start with '#keep:'")
    keep = [k.strip() for k in lines[1][6:].split(";") if k.strip()]
    all_keep |= set(keep)
    body = "\n".join(lines[2:])
    if fmt == "txt-cp1252":
        try:
            MARK.sub(lambda m: m.group(1), body).encode("cp1252")
        except UnicodeEncodeError as e:
            err(f"{fn}: not encodable as cp1252: {e}")
    # well-formedness: every [[ and ]] belongs to a valid mark
    stripped = MARK.sub("", body)
    if "[[" in stripped or "]]" in stripped or "|" in stripped:
        for i, l in enumerate(lines[2:], 3):
            r = MARK.sub("", l)
            if "[[" in r or "]]" in r or "|" in r:
                err(f"{fn}:{i}: malformed mark: {l}")
    marks = MARK.findall(body)
    types = set()
    for text, typ in marks:
        if typ not in TYPES:
            err(f"{fn}: unknown type {typ!r} in [[{text}|{typ}]]")
        if text != text.strip():
            err(f"{fn}: whitespace at edge of mark {text!r}")
        if text.lower() in NEVER_MARKED:
            err(f"{fn}: {text!r} should not be marked")
        types.add(typ)
        counts[typ] = counts.get(typ, 0) + 1
        total += 1
        direct += typ in DIRECT
    missing = REQUIRED - types
    if missing:
        err(f"{fn}: missing required types {sorted(missing)}")
    names_by_file[toolname] = {t for t, ty in marks if ty == "PERSON"}
    # check digits (digit-written numbers; consecutive parts are joined)
    for typ, ok in (("FØDSELSNUMMER", fnr_ok), ("KONTONUMMER", kto_ok)):
        buf = ""
        for text, ty in marks:
            if ty != typ: continue
            if re.search(r"[A-Za-zæøåÆØÅ]", text) and not re.search(r"\d", text):
                continue  # spoken as words; digits documented in README
            d = re.sub(r"\D", "", text)
            buf += d
            if len(buf) == 11:
                if not ok(buf): err(f"{fn}: invalid {typ} {buf}")
                buf = ""
            elif len(buf) > 11:
                err(f"{fn}: {typ} parts do not add up to 11 digits: {buf}"); buf = ""
        if buf:
            err(f"{fn}: incomplete {typ} {buf}")
    # keep terms: present outside marks, never identical to a marked text
    marked_texts = {t for t, _ in marks}
    for k in keep:
        if not re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", stripped):
            err(f"{fn}: keep term {k!r} not found outside marks")
        if k in marked_texts:
            err(f"{fn}: keep term {k!r} is also marked")
    # speaker labels
    used = set()
    if fmt == "vtt":
        if lines[2].strip() != "WEBVTT":
            err(f"{fn}: line 3 should be 'WEBVTT'")
        blocks = [b for b in re.split(r"\n\s*\n", "\n".join(lines[3:]).strip()) if b.strip()]
        for b in blocks:
            bl = b.split("\n")
            if len(bl) < 2 or not re.match(r"^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$", bl[0]):
                err(f"{fn}: bad cue block: {bl[:2]}"); continue
            m = re.match(r"^<v ([^>]+)>", bl[1])
            if m: used.add(m.group(1))
            else: err(f"{fn}: cue without voice tag: {bl[1]}")
            cue = MARK.sub(lambda mm: mm.group(1), bl[1][m.end():] if m else bl[1])
            if cue != cue.lower():
                err(f"{fn}: ASR cue text should be caseless: {bl[1]}")
            if re.search(r"\d", cue):
                err(f"{fn}: ASR numbers should be words: {bl[1]}")
    else:
        started = False
        for i, l in enumerate(lines[2:], 3):
            m = re.match(r"^([^\s:\[][^:\[]{0,20}):\s", l)
            if m and m.group(1) in labels:
                used.add(m.group(1)); started = True
            elif started and l.strip():
                err(f"{fn}:{i}: line without speaker label after first turn")
    undeclared = used - labels
    if undeclared:
        err(f"{fn}: undeclared labels {sorted(undeclared)}")
    if not used:
        err(f"{fn}: no speaker labels found")
    # length in characters of the transcript as the tool receives it (marks removed, header lines excluded)
    plain = MARK.sub(lambda m: m.group(1), body)
    if not 5000 <= len(plain) <= 9000:
        err(f"{fn}: {len(plain)} characters (should be 5000-9000)")

if total < 110: err(f"only {total} marks (at least 110)")
if direct < 40: err(f"only {direct} direct identifiers (at least 40)")
if set(y["keep_terms"] or []) != all_keep:
    err(f"study.yaml keep_terms differ from #keep union: "
        f"extra={sorted(set(y['keep_terms'] or []) - all_keep)} missing={sorted(all_keep - set(y['keep_terms'] or []))}")
if y["groups"] != ["kjopar_budd", "selt_kjopt", "tilbake_leige", "tilsett"]:
    err("study.yaml groups wrong")

with open(os.path.join(HERE, "informants.csv"), encoding="utf-8", newline="") as f:
    rows = list(csv.DictReader(f))
if rows and list(rows[0].keys()) != ["id", "file", "group", "name", "role"]:
    err("informants.csv header wrong")
if len(rows) != len(FILES):
    err("informants.csv: one row per file expected")
for r in rows:
    if r["file"] not in names_by_file:
        err(f"informants.csv: unknown file {r['file']}")
    elif r["name"] not in names_by_file[r["file"]]:
        err(f"informants.csv: name {r['name']!r} not marked as PERSON in {r['file']}")
    if r["group"] not in (y["groups"] or []):
        err(f"informants.csv: unknown group {r['group']}")

if errors:
    print("\n".join(errors)); sys.exit(1)
print("marks per type: " + ", ".join(f"{t}={counts.get(t, 0)}" for t in sorted(TYPES)))
print(f"total={total}, direct identifiers={direct}")
print("OK")
