#!/usr/bin/env python3
"""Check script for blind gold set 14 (synthetic). Stdlib only.
Run: python3 check.py   (from any directory)"""
import os, re, sys, csv
from collections import Counter, OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
TYPES = {"PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
FORMATS = {"txt", "srt", "vtt", "docx", "txt-cp1252"}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")
VTT_TIME = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$")
SRT_TIME = re.compile(r"^\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}$")

# Own digit list for identifiers written as spoken words (or with corrections).
# key: exact text inside the mark -> the digits it stands for.
SPOKEN = {
    # s2
    "fire, to, null, sju, ni, null, en, sju, åtte, fem, fire": "42079017854",
    "Null to null sju ni null, en åtte fem- nei- en åtte fem sju tre": "02079018573",
    "Tre null null null, null seks, sju null tre en to": "30000670312",
    "fire, fem, sju, to, en, ni, åtte- nei, sju, fire": "45721974",
    "fire fem sju, to en, ni sju, fire": "45721974",
    # s4
    "null ni null seks sytti ein to fire null tre åtte": "09067124038",
    "sytti null fire sytti fem fire seks null fire to": "70047546042",
    "tjueåtte førti sytti sekstifire sju hundre og tjueto": "28407064722",
    "nitti sju to åtte null fire fire ein": "97280441",
    "tretti sju nitti tre tjue femten": "37932015",
}

# Independent spoken-number parser used as a cross-check of SPOKEN (spans without corrections).
UNITS = {"null": 0, "en": 1, "én": 1, "ein": 1, "eitt": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5,
         "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
         "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tretti": 30, "tredve": 30, "førti": 40, "femti": 50, "seksti": 60,
        "sytti": 70, "åtti": 80, "nitti": 90}

def word_value(w):
    if w in UNITS: return UNITS[w], "u"
    if w in TEENS: return TEENS[w], "t"
    if w in TENS: return TENS[w], "x"
    for t, tv in TENS.items():
        if w.startswith(t) and w[len(t):] in UNITS and UNITS[w[len(t):]] > 0:
            return tv + UNITS[w[len(t):]], "t"
    return None, None

def parse_spoken(text):
    toks = [t for t in re.split(r"[\s,.\-]+", text.lower()) if t]
    out, i = [], 0
    while i < len(toks):
        w = toks[i]
        v, k = word_value(w)
        if v is None:
            return None
        # "<unit> hundre og <n>"
        if k == "u" and i + 1 < len(toks) and toks[i + 1] == "hundre":
            j = i + 2; rest = 0
            if j < len(toks) and toks[j] == "og": j += 1
            if j < len(toks):
                rv, rk = word_value(toks[j])
                if rv is not None and rk in ("t", "x"):
                    rest = rv; j += 1
                    if rk == "x" and j < len(toks) and word_value(toks[j])[1] == "u" and toks[j] != "null":
                        rest += UNITS[toks[j]]; j += 1
            out.append("%d%02d" % (v, rest)); i = j; continue
        if k == "x" and i + 1 < len(toks):
            nv, nk = word_value(toks[i + 1])
            if nk == "u" and nv > 0:
                out.append(str(v + nv)); i += 2; continue
        out.append(str(v)); i += 1
    return "".join(out)

def digits_of(text):
    if text in SPOKEN:
        return SPOKEN[text]
    d = re.sub(r"\D", "", text)
    if re.search(r"[A-Za-zÆØÅæøå]", text):
        return None
    return d

def mod11(digits, weights):
    s = sum(int(a) * b for a, b in zip(digits, weights))
    k = 11 - s % 11
    return 0 if k == 11 else (None if k == 10 else k)

def fnr_ok(d):
    if not re.fullmatch(r"\d{11}", d): return False
    day, mon = int(d[0:2]), int(d[2:4])
    if day > 40: day -= 40
    if not (1 <= day <= 31 and 1 <= mon <= 12): return False
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k1 is not None and k2 is not None and int(d[9]) == k1 and int(d[10]) == k2

def kto_ok(d):
    if not re.fullmatch(r"\d{11}", d): return False
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k is not None and int(d[10]) == k

def load_labels():
    y = open(os.path.join(HERE, "study.yaml"), encoding="utf-8").read()
    labs = {}
    for role in ("interviewer", "informant"):
        m = re.search(r"^\s*%s:\s*\[(.*?)\]" % role, y, re.M)
        labs[role] = [x.strip().strip('"') for x in m.group(1).split(",") if x.strip()]
    return labs

errors = []
def err(f, msg): errors.append("%s: %s" % (f, msg))

def wb(term):
    return re.compile(r"(?<![\wæøåÆØÅ])" + re.escape(term) + r"(?![\wæøåÆØÅ])")

def check_file(path, labels):
    name = os.path.basename(path)
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")
    lines = text.split("\n")
    m = re.fullmatch(r"#format: (\S+)", lines[0])
    if not m or m.group(1) not in FORMATS:
        err(name, "bad #format line"); return Counter()
    fmt = m.group(1)
    if fmt == "txt-cp1252":
        try: text.encode("cp1252")
        except UnicodeEncodeError as e: err(name, "not cp1252-encodable: %s" % e)
    if not lines[1].startswith("#keep: "):
        err(name, "line 2 is not #keep")
    keep = [k.strip() for k in lines[1][len("#keep: "):].split(";") if k.strip()]
    body_lines = lines[2:]
    body = "\n".join(body_lines)
    counts = Counter()
    marks = []
    for mm in MARK.finditer(body):
        inner, typ = mm.group(1), mm.group(2)
        if typ not in TYPES: err(name, "invalid TYPE %r in %r" % (typ, mm.group(0)))
        if inner != inner.strip(): err(name, "mark has outer whitespace: %r" % mm.group(0))
        counts[typ] += 1
        marks.append((inner, typ))
    stripped = MARK.sub("", body)
    if "[[" in stripped or "]]" in stripped:
        err(name, "stray or malformed [[ ]] outside well-formed marks")
    # genitive -s must stay outside: flag marks whose text ends in 's' directly followed by nothing suspicious is not decidable; check "s]]" after a name+apostrophe only
    for inner, typ in marks:
        if typ == "PERSON" and re.search(r"'s$", inner): err(name, "genitive inside mark: %r" % inner)
    # keep terms
    plain_outside = MARK.sub(" ", body)
    for k in keep:
        r = wb(k)
        if not r.search(plain_outside): err(name, "keep term %r does not occur outside marks" % k)
        for inner, typ in marks:
            if r.search(inner): err(name, "keep term %r inside mark %r" % (k, inner))
            elif wb(k.lower()).search(inner.lower()):
                print("  note %s: keep term %r occurs case-insensitively inside %r|%s" % (name, k, inner, typ))
    # check digits
    for inner, typ in marks:
        if typ in ("FØDSELSNUMMER", "KONTONUMMER", "TELEFON"):
            d = digits_of(inner)
            if d is None:
                err(name, "no digit mapping for %s %r" % (typ, inner)); continue
            if inner in SPOKEN and "nei" not in inner.lower():
                p = parse_spoken(inner)
                if p != d: err(name, "own parser gives %r, digit list %r for %r" % (p, d, inner))
            if typ == "FØDSELSNUMMER" and not fnr_ok(d): err(name, "invalid fødselsnummer/D-nummer %r" % inner)
            if typ == "KONTONUMMER" and not kto_ok(d): err(name, "invalid account number %r" % inner)
            if typ == "TELEFON" and not re.fullmatch(r"[2-9]\d{7}", d): err(name, "phone not 8 digits %r" % inner)
    # speaker labels
    all_labels = labels["interviewer"] + labels["informant"]
    def label_of(line):
        for lab in sorted(all_labels, key=len, reverse=True):
            if line.startswith(lab + ":"): return lab
        return None
    header_re = re.compile(r"^[^\s:\[\]]{1,25}( [^\s:\[\]]{1,25})?:")
    if fmt in ("txt", "txt-cp1252", "docx"):
        first = True
        for i, l in enumerate(body_lines):
            if not l.strip(): continue
            if label_of(l) is None: err(name, "line %d does not start with a declared label: %r" % (i + 3, l[:40]))
    elif fmt == "vtt":
        if body_lines[0] != "WEBVTT": err(name, "missing WEBVTT header")
        blocks = "\n".join(body_lines[1:]).strip("\n").split("\n\n")
        for b in blocks:
            bl = b.split("\n")
            if not VTT_TIME.match(bl[0]): err(name, "bad vtt timing %r" % bl[0]); continue
            for t in bl[1:]:
                mv = re.match(r"^<v ([^>]+)>", t)
                if not mv or mv.group(1) not in all_labels: err(name, "vtt cue without declared voice tag: %r" % t[:40])
    elif fmt == "srt":
        blocks = body.strip("\n").split("\n\n")
        for n, b in enumerate(blocks, 1):
            bl = b.split("\n")
            if bl[0] != str(n): err(name, "srt cue number %r, expected %d" % (bl[0], n))
            if len(bl) < 3 or not SRT_TIME.match(bl[1]): err(name, "bad srt timing in cue %d" % n); continue
            for j, t in enumerate(bl[2:]):
                if n == 1 and j == 0 and label_of(t) is None: err(name, "first cue lacks a label")
                if header_re.match(t) and label_of(t) is None: err(name, "undeclared label-like start %r" % t[:30])
    # header lines must not hold identifiers
    for l in lines[:2]:
        if "[[" in l: err(name, "identifier in header line")
    return counts

def main():
    labels = load_labels()
    files = sorted(f for f in os.listdir(SRC) if not f.startswith("."))
    table = OrderedDict()
    for f in files:
        table[f] = check_file(os.path.join(SRC, f), labels)
    # informants.csv
    with open(os.path.join(HERE, "informants.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if [r["id"] for r in rows] != ["s1", "s2", "s3", "s4"]: err("informants.csv", "ids not s1..s4")
    for r in rows:
        if r["group"] not in ("kjoper", "ansatt"): err("informants.csv", "bad group %r" % r["group"])
        src = [f for f in files if f.startswith(r["id"] + ".")]
        if not src: err("informants.csv", "no source for %s" % r["id"]); continue
        exp = src[0][:-4] if src[0].endswith(".docx.txt") else src[0]
        if r["file"] != exp: err("informants.csv", "file %r, expected %r" % (r["file"], exp))
        body = open(os.path.join(SRC, src[0]), encoding="utf-8").read()
        inner = " ".join(m.group(1) for m in MARK.finditer(body))
        if r["name"].split()[0].lower() not in inner.lower(): err("informants.csv", "informant name of %s not found in a mark" % r["id"])
    types = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
             "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
    print("%-13s" % "file" + "".join("%6s" % t[:5] for t in types) + "  total")
    for f, c in table.items():
        print("%-13s" % f + "".join("%6d" % c[t] for t in types) + "  %5d" % sum(c.values()))
    if errors:
        print("\nFAIL")
        for e in errors: print(" -", e)
        sys.exit(1)
    print("\nOK: all checks passed")

if __name__ == "__main__":
    main()
