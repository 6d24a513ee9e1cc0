#!/usr/bin/env python3
"""Kontroll av blind gullstandard 36 (kun standardbibliotek).

Tilpassa frå kontrollskriptet til sett 31. Kontrollerer: at merka er velforma
og ikkje nøsta, at typane er gyldige, kontrollsiffer (mod 11) for merka
fødselsnummer og kontonummer (skrivne med siffer eller sagde med ord),
at tal sagde med ord gjev dei sifra README oppgjev, #format/#keep-linjer,
talarmerke, lengd (5 000–9 000 teikn), study.yaml og informants.csv.
"""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
TYPES = {"PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
DIRECT = {"PERSON", "ADRESSE", "TELEFON", "EPOST", "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
# filnamn i source/ -> (format, namnet verktøyet ser / informants.csv brukar)
FILES = {"s1.srt": ("srt", "s1.srt"), "s2.docx.txt": ("docx", "s2.docx"), "s3.txt": ("txt", "s3.txt")}
# typar som kvar fil skal innehalde
REQUIRED = {
    "s1.srt": TYPES,
    "s2.docx.txt": TYPES,
    "s3.txt": TYPES,
}
# identifikatorar sagde med ord: sifra (dei sagde delane samanslegne) slik README oppgjev dei
SPOKEN_EXPECTED = {
    ("s1.srt", "TELEFON"): "94752089",
    ("s1.srt", "FØDSELSNUMMER"): "07046121338",
    ("s1.srt", "KONTONUMMER"): "39304712809",
    ("s1.srt", "SAKSNUMMER"): "21/00874",
}
MIN_MARKS, MIN_DIRECT = 110, 40
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

# --- tal sagde med ord (nynorsk/bokmål/dialekt), siffer for siffer eller i par ---
UNITS = {"null": 0, "ein": 1, "en": 1, "eitt": 1, "ett": 1, "to": 2, "tre": 3, "fire": 4,
         "fem": 5, "seks": 6, "sju": 7, "sjau": 7, "syv": 7, "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
         "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 2, "tjuge": 2, "tretti": 3, "tredve": 3, "førti": 4, "femti": 5,
        "seksti": 6, "sytti": 7, "åtti": 8, "nitti": 9}
SEPS = {"skråstrek": "/", "strek": "-", "bindestrek": "-"}
_u = "|".join(sorted(UNITS, key=len, reverse=True))
_t = "|".join(sorted(TENS, key=len, reverse=True))
RE_TU = re.compile(rf"^({_t})({_u})?$")      # tjueein, femtito, åtti
RE_UOT = re.compile(rf"^({_u})og({_t})$")    # treogtretti

def words_to_digits(text):
    """'null sju null fire sekstiein' -> '070461'; None om noko ord ikkje er eit tal."""
    out = ""
    for w in text.lower().split():
        if w in UNITS: out += str(UNITS[w])
        elif w in TEENS: out += str(TEENS[w])
        elif w in SEPS: out += SEPS[w]
        elif RE_TU.match(w):
            m = RE_TU.match(w)
            out += str(TENS[m.group(1)]) + (str(UNITS[m.group(2)]) if m.group(2) else "0")
        elif RE_UOT.match(w):
            m = RE_UOT.match(w)
            out += str(TENS[m.group(2)]) + str(UNITS[m.group(1)])
        else:
            return None
    return out

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
if set(y["interviewer"] or []) & set(y["informant"] or []):
    err("study.yaml: a label is both interviewer and informant")
all_keep = set()
names_by_file = {}
counts = {}
spoken_seen = {}
used_all = set()

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
    # well-formedness: every [[ and ]] belongs to a valid mark, no stray | inside marks
    stripped = MARK.sub("", body)
    if "[[" in stripped or "]]" in stripped:
        for i, l in enumerate(lines[2:], 3):
            r = MARK.sub("", l)
            if "[[" in r or "]]" in r:
                err(f"{fn}:{i}: malformed or nested mark: {l}")
    marks = MARK.findall(body)
    types = set()
    for text, typ in marks:
        if typ not in TYPES:
            err(f"{fn}: unknown type {typ!r} in [[{text}|{typ}]]")
        if text != text.strip():
            err(f"{fn}: whitespace at edge of mark {text!r}")
        if typ == "EPOST" and "@" not in text and "krøll" not in text.lower() and " at " not in text:
            err(f"{fn}: e-mail mark without @/krøllalfa: {text!r}")
        types.add(typ)
        counts[typ] = counts.get(typ, 0) + 1
    missing = REQUIRED[fn] - types
    if missing:
        err(f"{fn}: missing required types {sorted(missing)}")
    names_by_file[toolname] = {t for t, ty in marks if ty == "PERSON"}
    # check digits (consecutive parts are joined; parts said as words are decoded)
    for typ, ok in (("FØDSELSNUMMER", fnr_ok), ("KONTONUMMER", kto_ok)):
        buf = ""
        for text, ty in marks:
            if ty != typ: continue
            d = re.sub(r"\D", "", text)
            if not d:
                w = words_to_digits(text)
                if w is None:
                    err(f"{fn}: {typ} part said as words could not be read: {text!r}"); continue
                d = re.sub(r"\D", "", w)
            buf += d
            if len(buf) == 11:
                if not ok(buf): err(f"{fn}: invalid {typ} {buf}")
                buf = ""
            elif len(buf) > 11:
                err(f"{fn}: {typ} parts do not add up to 11 digits: {buf}"); buf = ""
        if buf:
            err(f"{fn}: incomplete {typ} {buf}")
    # identifiers said as words must give the digits documented in README
    for (f2, typ), expected in SPOKEN_EXPECTED.items():
        if f2 != fn: continue
        got = ""
        for text, ty in marks:
            if ty == typ and not re.search(r"\d", text):
                w = words_to_digits(text)
                got += w if w is not None else "?"
        spoken_seen[(fn, typ)] = got
        if got != expected:
            err(f"{fn}: spoken {typ} reads as {got!r}, README says {expected!r}")
    # keep terms: present outside marks, never identical to a marked text
    marked_texts = {t for t, _ in marks}
    for k in keep:
        if not re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", stripped):
            err(f"{fn}: keep term {k!r} not found outside marks")
        if k in marked_texts:
            err(f"{fn}: keep term {k!r} is also marked")
    # speaker labels
    used = set()
    if fmt == "srt":
        blocks = [b for b in re.split(r"\n\s*\n", body.strip()) if b.strip()]
        expect_no = 1
        for b in blocks:
            bl = b.split("\n")
            if len(bl) < 3 or not bl[0].strip().isdigit() or "-->" not in bl[1]:
                err(f"{fn}: bad cue block: {bl[:2]}"); continue
            if int(bl[0]) != expect_no:
                err(f"{fn}: cue number {bl[0]} out of order (expected {expect_no})")
            expect_no = int(bl[0]) + 1
            if not re.match(r"^\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}$", bl[1].strip()):
                err(f"{fn}: bad timing line {bl[1]!r}")
            m = re.match(r"^([A-Z]+_[0-9]+):\s", bl[2])
            if m: used.add(m.group(1))
            else: err(f"{fn}: cue {bl[0]} has no speaker label")
    else:
        started = False
        for i, l in enumerate(lines[2:], 3):
            m = re.match(r"^([^\s:\[][^:\[]{0,20}):\s", l)
            if m and m.group(1) in labels:
                used.add(m.group(1)); started = True
            elif l.strip():
                err(f"{fn}:{i}: line without a declared speaker label")
    undeclared = used - labels
    if undeclared:
        err(f"{fn}: undeclared labels {sorted(undeclared)}")
    if not used:
        err(f"{fn}: no speaker labels found")
    used_all |= used
    # length in characters: the file as written and the text the tool receives (marks removed)
    plain = MARK.sub(lambda m: m.group(1), body)
    for what, n in (("file", len(raw)), ("plain text", len(plain))):
        if not 5000 <= n <= 9000:
            err(f"{fn}: {what} has {n} characters (should be 5000-9000)")

if labels - used_all:
    err(f"study.yaml declares labels not used: {sorted(labels - used_all)}")
if set(y["keep_terms"] or []) != all_keep:
    err(f"study.yaml keep_terms differ from #keep union: "
        f"extra={sorted(set(y['keep_terms'] or []) - all_keep)} missing={sorted(all_keep - set(y['keep_terms'] or []))}")
if y["groups"] != ["kjopar_budd", "selt_kjopt", "tilbake_leige", "tilsett"]:
    err("study.yaml groups wrong")
total = sum(counts.values())
direct = sum(v for k, v in counts.items() if k in DIRECT)
if total < MIN_MARKS: err(f"only {total} marks (need {MIN_MARKS})")
if direct < MIN_DIRECT: err(f"only {direct} direct identifiers (need {MIN_DIRECT})")

with open(os.path.join(HERE, "informants.csv"), encoding="utf-8", newline="") as f:
    rows = list(csv.DictReader(f))
if rows and list(rows[0].keys()) != ["id", "file", "group", "name", "role"]:
    err("informants.csv header wrong")
if len(rows) != len(FILES):
    err("informants.csv: one row per file expected")
if [r["id"] for r in rows] != ["B36-01", "B36-02", "B36-03"]:
    err("informants.csv: ids should be B36-01..B36-03")
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
print(f"marks in all: {total}, direct identifiers: {direct}")
print("spoken numbers: " + ", ".join(f"{f}/{t}={v}" for (f, t), v in spoken_seen.items()))
print("OK")
