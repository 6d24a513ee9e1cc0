#!/usr/bin/env python3
"""Kontroll av blind gullstandard 37 (bare standardbiblioteket).

Tilpasset fra kontrollskriptet til sett 36. Kontrollerer: at merkene er velformede
og ikke nøstet, at typene er gyldige, at hver fil har alle ti typene,
kontrollsiffer (mod 11) for merkede fødselsnummer/D-nummer og kontonummer (skrevet
med sifre, sagt med ord eller blandet), telefonnummer (8 sifre, 4xx/9xx/7x),
at tall sagt med ord gir de sifrene README oppgir, e-postmerker, #format/#keep,
halde-/beholdtermer (finnes utenfor merkene, aldri merket, aldri inne i et merke),
WebVTT-struktur (topptekst, NOTE, tidskoder i stigende rekkefølge, <v Taler>-merker),
talermerker, lengde (5 000–9 000 tegn), study.yaml, informants.csv og at
telletabellen i README stemmer med filene.
"""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
TYPES = {"PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
DIRECT = {"PERSON", "ADRESSE", "TELEFON", "EPOST", "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
# filnavn i source/ -> (format, navnet verktøyet ser / informants.csv bruker)
FILES = {"s1.vtt": ("vtt", "s1.vtt"), "s2.docx.txt": ("docx", "s2.docx"), "s3.txt": ("txt", "s3.txt")}
REQUIRED = {fn: TYPES for fn in FILES}
BASE_KEEP = {"leie til eie", "startlån", "Husbanken", "NAV", "kommunen"}
GROUPS = ["kjopar_budd", "selt_kjopt", "tilbake_leige", "tilsett"]
# tall sagt med ord (helt eller delvis): alle merker av typen i fila, avkodet og slått sammen,
# skal gi nøyaktig disse numrene (se tabellen i README)
SPOKEN_EXPECTED = {
    ("s1.vtt", "TELEFON"): ["91451288", "75103640"],
    ("s1.vtt", "FØDSELSNUMMER"): ["14097843261"],
    ("s1.vtt", "KONTONUMMER"): ["45300719280"],
    ("s1.vtt", "SAKSNUMMER"): ["23/01407"],
}
LENGTH = {"TELEFON": 8, "FØDSELSNUMMER": 11, "KONTONUMMER": 11}
MIN_MARKS, MIN_DIRECT = 110, 40
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")
errors = []

def err(m):
    errors.append(m)

def fnr_ok(d):
    """Fødselsnummer og D-nummer (første siffer + 4) har samme kontrollsiffer."""
    if len(d) != 11: return False
    n = [int(c) for c in d]
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]; w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k1 = 11 - sum(a * b for a, b in zip(n, w1)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(n, w2)) % 11
    k2 = 0 if k2 == 11 else k2
    day = n[0] * 10 + n[1]
    if day > 40: day -= 40          # D-nummer
    month = n[2] * 10 + n[3]
    return (k1 < 10 and k2 < 10 and n[9] == k1 and n[10] == k2
            and 1 <= day <= 31 and 1 <= month <= 12)

def kto_ok(d):
    if len(d) != 11: return False
    n = [int(c) for c in d]
    k = 11 - sum(a * b for a, b in zip(n, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11
    k = 0 if k == 11 else k
    return k < 10 and n[10] == k

def tlf_ok(d):
    return len(d) == 8 and (d[0] in "49" or d[:1] == "7")

# --- tall sagt med ord (bokmål/nynorsk/dialekt), siffer for siffer, i par, eller blandet med sifre ---
UNITS = {"null": 0, "en": 1, "ein": 1, "ett": 1, "eitt": 1, "to": 2, "tre": 3, "fire": 4,
         "fem": 5, "seks": 6, "sju": 7, "syv": 7, "sjau": 7, "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
         "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 2, "tjuge": 2, "tretti": 3, "tredve": 3, "førti": 4, "femti": 5,
        "seksti": 6, "sytti": 7, "åtti": 8, "nitti": 9}
SEPS = {"skråstrek": "/", "strek": "-", "bindestrek": "-"}
_u = "|".join(sorted(UNITS, key=len, reverse=True))
_t = "|".join(sorted(TENS, key=len, reverse=True))
RE_TU = re.compile(rf"^({_t})({_u})?$")      # tjueen, førtifem, syttiåtte
RE_UOT = re.compile(rf"^({_u})og({_t})$")    # enogtjue

def decode(text):
    """'fjorten null ni syttiåtte' -> '140978'; '1 2 åtte åtte' -> '1288'; sifre og / - beholdes.
    Returnerer (tegn, har_ord) eller (None, True) om et ord ikke er et tall."""
    out, words = "", False
    for w in re.split(r"[\s,.]+", text.lower().strip()):
        if not w: continue
        if re.fullmatch(r"[\d/\-]+", w):
            out += w.replace("-", "") if re.fullmatch(r"\d+(-\d+)+", w) else w; continue
        words = True
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
            return None, True
    return out, words

def digits_of(text, typ):
    """Sifrene i et nummermerke; ord avkodes; landkode (+47/0047) fjernes for telefon."""
    t = text
    if typ == "TELEFON":
        t = re.sub(r"^(\+47|0047)\s*", "", t.strip())
    if re.search(r"[^\W\d_]", t):           # inneholder bokstaver -> sagt med ord (helt/delvis)
        d, _ = decode(t)
        if d is None: return None
        return re.sub(r"\D", "", d)
    return re.sub(r"\D", "", t)

def parse_yaml(path):
    """Minimal parser for the flat structure used in study.yaml."""
    txt = open(path, encoding="utf-8").read()
    def flow_list(key):
        m = re.search(r"^\s*" + re.escape(key) + r":\s*\[(.*?)\]\s*$", txt, re.M | re.S)
        if not m: return None
        return [x.strip().strip('"') for x in re.findall(r'"[^"]*"|[^,\s][^,]*', m.group(1)) if x.strip()]
    def block_keys(key):
        m = re.search(r"^" + re.escape(key) + r":\s*\n((?:[ \t]+.*\n?)+)", txt, re.M)
        if not m: return None
        return [re.match(r"\s+([^:]+):", l).group(1).strip() for l in m.group(1).split("\n")
                if re.match(r"\s+[^:\s][^:]*:", l)]
    name = re.search(r"^name:\s*(\S.*)$", txt, re.M)
    return {"name": name.group(1) if name else None, "groups": flow_list("groups"),
            "group_labels": block_keys("group_labels"),
            "interviewer": flow_list("interviewer"), "informant": flow_list("informant"),
            "keep_terms": flow_list("keep_terms"),
            "has_speaker_labels": re.search(r"^speaker_labels:\s*$", txt, re.M) is not None,
            "has_anonymisation": re.search(r"^anonymisation:\s*$", txt, re.M) is not None,
            "raw": txt}

y = parse_yaml(os.path.join(HERE, "study.yaml"))
if not y["name"]: err("study.yaml: name missing")
if not y["has_speaker_labels"]: err("study.yaml: speaker_labels missing")
if not y["has_anonymisation"]: err("study.yaml: anonymisation missing")
if y["group_labels"] != GROUPS: err(f"study.yaml: group_labels keys {y['group_labels']} != groups")
labels = set((y["interviewer"] or []) + (y["informant"] or []))
if set(y["interviewer"] or []) & set(y["informant"] or []):
    err("study.yaml: a label is both interviewer and informant")
all_keep = set()
names_by_file = {}
counts = {}
counts_by_file = {}
spoken_seen = {}
used_all = set()

def ts_ms(s):
    h, m, rest = s.split(":"); sec, ms = rest.split(".")
    return ((int(h) * 60 + int(m)) * 60 + int(sec)) * 1000 + int(ms)

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
    stripped = MARK.sub("", body)
    if "[[" in stripped or "]]" in stripped:
        for i, l in enumerate(lines[2:], 3):
            r = MARK.sub("", l)
            if "[[" in r or "]]" in r:
                err(f"{fn}:{i}: malformed or nested mark: {l}")
    marks = MARK.findall(body)
    types = set()
    fc = counts_by_file.setdefault(fn, {})
    for text, typ in marks:
        if typ not in TYPES:
            err(f"{fn}: unknown type {typ!r} in [[{text}|{typ}]]")
        if text != text.strip():
            err(f"{fn}: whitespace at edge of mark {text!r}")
        if typ == "EPOST" and not re.search(r"@|krøll|\(at\)|\sat\s", text.lower()):
            err(f"{fn}: e-mail mark without @/alfakrøll/(at)/at: {text!r}")
        if typ == "SAKSNUMMER" and decode(re.sub(r"^[A-Z]+-", "", text))[0] in (None, ""):
            if not re.search(r"\d", text):
                err(f"{fn}: SAKSNUMMER without a number: {text!r}")
        if "<" in text or ">" in text:
            err(f"{fn}: mark contains markup: {text!r}")
        types.add(typ)
        counts[typ] = counts.get(typ, 0) + 1
        fc[typ] = fc.get(typ, 0) + 1
    missing = REQUIRED[fn] - types
    if missing:
        err(f"{fn}: missing required types {sorted(missing)}")
    names_by_file[toolname] = {t for t, ty in marks if ty == "PERSON"}
    # numbers: consecutive parts of one type are joined until the length is reached
    numbers = {}
    for typ, ok in (("FØDSELSNUMMER", fnr_ok), ("KONTONUMMER", kto_ok), ("TELEFON", tlf_ok)):
        buf, found = "", []
        for text, ty in marks:
            if ty != typ: continue
            d = digits_of(text, typ)
            if d is None:
                err(f"{fn}: {typ} said as words could not be read: {text!r}"); continue
            buf += d
            if len(buf) == LENGTH[typ]:
                if not ok(buf): err(f"{fn}: invalid {typ} {buf}")
                found.append(buf); buf = ""
            elif len(buf) > LENGTH[typ]:
                err(f"{fn}: {typ} parts do not add up to {LENGTH[typ]} digits: {buf}"); buf = ""
        if buf:
            err(f"{fn}: incomplete {typ} {buf}")
        numbers[typ] = found
    saks = "".join(decode(t)[0] or "?" for t, ty in marks if ty == "SAKSNUMMER" and decode(t)[1])
    for (f2, typ), expected in SPOKEN_EXPECTED.items():
        if f2 != fn: continue
        got = [saks] if typ == "SAKSNUMMER" else numbers.get(typ, [])
        spoken_seen[(fn, typ)] = "+".join(got)
        if got != expected:
            err(f"{fn}: spoken {typ} reads as {got!r}, README says {expected!r}")
    # keep terms: present outside marks, never marked, never inside a mark
    marked_texts = {t.lower() for t, _ in marks}
    for k in keep:
        if not re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", stripped):
            err(f"{fn}: keep term {k!r} not found outside marks")
        if k.lower() in marked_texts:
            err(f"{fn}: keep term {k!r} is also marked")
        for t, _ in marks:
            if re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", t):
                err(f"{fn}: keep term {k!r} occurs inside mark {t!r}")
    # structure and speaker labels
    used = set()
    if fmt == "vtt":
        blocks = [b for b in re.split(r"\n\s*\n", body.strip()) if b.strip()]
        if not blocks or blocks[0].split("\n")[0] != "WEBVTT":
            err(f"{fn}: first block must start with WEBVTT")
        last_end = -1
        for b in blocks[1:]:
            bl = b.split("\n")
            if bl[0].startswith("NOTE"):
                continue
            if "-->" not in bl[0]:
                bl = bl[1:]            # cue identifier
            m = re.match(r"^(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})$", bl[0].strip()) if bl else None
            if not m:
                err(f"{fn}: bad cue block: {b[:60]!r}"); continue
            st, en = ts_ms(m.group(1)), ts_ms(m.group(2))
            if not st < en: err(f"{fn}: cue ends before it starts: {bl[0]}")
            if st < last_end: err(f"{fn}: cues overlap/out of order at {bl[0]}")
            last_end = en
            if len(bl) < 2: err(f"{fn}: empty cue at {bl[0]}")
            for tl in bl[1:]:
                mv = re.match(r"^<v ([^>]+)>(.*)</v>$", tl)
                if not mv:
                    err(f"{fn}: cue text without <v Speaker>…</v>: {tl[:50]!r}"); continue
                used.add(mv.group(1))
                if "<" in MARK.sub("", mv.group(2)):
                    err(f"{fn}: stray markup in cue text: {tl[:50]!r}")
    else:
        for i, l in enumerate(lines[2:], 3):
            m = re.match(r"^([^\s:\[][^:\[]{0,20}):\s", l)
            if m and m.group(1) in labels:
                used.add(m.group(1))
            elif l.strip():
                err(f"{fn}:{i}: line without a declared speaker label")
    undeclared = used - labels
    if undeclared:
        err(f"{fn}: undeclared labels {sorted(undeclared)}")
    if not used:
        err(f"{fn}: no speaker labels found")
    used_all |= used
    plain = MARK.sub(lambda m: m.group(1), body)
    for what, n in (("file", len(raw)), ("plain text", len(plain))):
        if not 5000 <= n <= 9000:
            err(f"{fn}: {what} has {n} characters (should be 5000-9000)")

if labels - used_all:
    err(f"study.yaml declares labels not used: {sorted(labels - used_all)}")
want_keep = all_keep | BASE_KEEP
if set(y["keep_terms"] or []) != want_keep:
    err(f"study.yaml keep_terms differ from #keep union + base terms: "
        f"extra={sorted(set(y['keep_terms'] or []) - want_keep)} missing={sorted(want_keep - set(y['keep_terms'] or []))}")
if y["groups"] != GROUPS:
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
if [r["id"] for r in rows] != ["B37-01", "B37-02", "B37-03"]:
    err("informants.csv: ids should be B37-01..B37-03")
if sorted(r["file"] for r in rows) != sorted(v[1] for v in FILES.values()):
    err("informants.csv: files should be s1.vtt, s2.docx, s3.txt")
for r in rows:
    if r["file"] not in names_by_file:
        err(f"informants.csv: unknown file {r['file']}")
    elif r["name"] not in names_by_file[r["file"]]:
        err(f"informants.csv: name {r['name']!r} not marked as PERSON in {r['file']}")
    if r["group"] not in (y["groups"] or []):
        err(f"informants.csv: unknown group {r['group']}")

# README: the count table must match the files
readme = open(os.path.join(HERE, "README.md"), encoding="utf-8").read()
order = list(FILES)
for typ in TYPES:
    m = re.search(r"^\|\s*" + re.escape(typ) + r"\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|", readme, re.M)
    if not m:
        err(f"README: no count row for {typ}"); continue
    want = [counts_by_file[f].get(typ, 0) for f in order]
    got = [int(m.group(i)) for i in (1, 2, 3)]
    if got != want or int(m.group(4)) != sum(want):
        err(f"README: counts for {typ} say {got}/{m.group(4)}, files have {want}/{sum(want)}")
m = re.search(r"til sammen (\d+), av dem (\d+) direkte", readme)
if not m or (int(m.group(1)), int(m.group(2))) != (total, direct):
    err(f"README: totals line should say 'til sammen {total}, av dem {direct} direkte'")

if errors:
    print("\n".join(errors)); sys.exit(1)
print("marks per type: " + ", ".join(f"{t}={counts.get(t, 0)}" for t in sorted(TYPES)))
print(f"marks in all: {total}, direct identifiers: {direct}")
print("spoken numbers: " + ", ".join(f"{f}/{t}={v}" for (f, t), v in spoken_seen.items()))
print("OK")
