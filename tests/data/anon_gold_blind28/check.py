#!/usr/bin/env python3
"""Kontroll av blind gullstandard 28. Berre standardbiblioteket.
Køyr: python3 check.py  (exit != 0 ved feil)."""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
TYPES = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST",
         "DATO", "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
REQUIRED = TYPES[:]          # alle typar skal finnast i kvar fil
LENGTH = {"TELEFON": 8, "FØDSELSNUMMER": 11, "KONTONUMMER": 11}
FORMATS = {"txt": ".txt", "txt-cp1252": ".txt", "docx": ".docx.txt", "srt": ".srt", "vtt": ".vtt"}
TOOLNAME = {".txt": ".txt", ".docx.txt": ".docx", ".srt": ".srt", ".vtt": ".vtt"}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")

errors = []
def err(msg):
    errors.append(msg)

# ---------------------------------------------------------------- talnormaliserar
UNITS = {"null": 0, "ein": 1, "en": 1, "eitt": 1, "ett": 1, "ei": 1, "to": 2, "tre": 3,
         "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "sjau": 7, "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
         "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tjuge": 20, "tretti": 30, "tretti": 30, "førti": 40, "fyrti": 40,
        "femti": 50, "seksti": 60, "sytti": 70, "søtti": 70, "åtti": 80, "nitti": 90}
ORD_UNITS = {"fyrste": 1, "første": 1, "andre": 2, "tredje": 3, "fjerde": 4, "femte": 5,
             "sjette": 6, "sjuande": 7, "sjuende": 7, "syvende": 7, "åttande": 8, "åttende": 8,
             "niande": 9, "niende": 9}
ORD_TEENS = {"tiande": 10, "tiende": 10, "ellevte": 11, "tolvte": 12, "trettande": 13,
             "trettende": 13, "fjortande": 14, "fjortende": 14, "femtande": 15, "femtende": 15,
             "sekstande": 16, "sekstende": 16, "syttande": 17, "syttende": 17,
             "attande": 18, "attende": 18, "nittande": 19, "nittende": 19}
ORD_TENS = {"tjuande": 20, "tjuende": 20, "trettiande": 30, "trettiende": 30}
CORR = {"nei", "unnskyld", "orsak", "feil"}
FILLER = {"og", "så", "e", "eh", "ehm"}

def word_value(w):
    """Returnerer (sifferstreng) for eitt ord, eller None."""
    if w in UNITS: return str(UNITS[w])
    if w in TEENS: return str(TEENS[w])
    if w in TENS: return str(TENS[w])
    if w in ORD_UNITS: return "%02d" % ORD_UNITS[w]
    if w in ORD_TEENS: return "%02d" % ORD_TEENS[w]
    if w in ORD_TENS: return "%02d" % ORD_TENS[w]
    for t, tv in TENS.items():          # samansette: tjuefem, nittifem, tjuefjerde
        if w.startswith(t) and len(w) > len(t):
            rest = w[len(t):]
            if rest in UNITS and UNITS[rest] > 0: return str(tv + UNITS[rest])
            if rest in ORD_UNITS: return "%02d" % (tv + ORD_UNITS[rest])
    m = re.fullmatch(r"([a-zæøå]+)og([a-zæøå]+)", w)   # fireogtjue
    if m and m.group(1) in UNITS and m.group(2) in TENS:
        return str(TENS[m.group(2)] + UNITS[m.group(1)])
    return None

def normalise(text, typ=None):
    """Talord/siffer -> sifferstreng. Returnerer (siffer, problem-liste)."""
    probs = []
    s = text.strip().lower()
    if typ == "TELEFON":
        s = re.sub(r"^(\+\s*47|0047)\s*", "", s)
    toks = re.findall(r"\d+|[a-zæøå]+", s)
    out = ""            # siffer før eventuell retting
    corr = None         # siffer etter retting
    i = 0
    def emit(d):
        nonlocal out, corr
        if corr is None: out += d
        else: corr += d
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t.isdigit():
            emit(t); i += 1; continue
        if t in CORR:
            if corr is not None:        # "nei unnskyld" = ei retting
                if corr == "":
                    i += 1; continue
                out = apply_corr(out, corr); corr = ""
            else:
                corr = ""
            i += 1; continue
        if t == "dobbel" or t == "dobbelt":
            if nxt is None:
                probs.append("dobbel utan tal"); i += 1; continue
            v = nxt if nxt.isdigit() else word_value(nxt)
            if v is None:
                probs.append("dobbel + ukjent ord %r" % nxt); i += 2; continue
            emit(v + v); i += 2; continue
        # "fire og tjue"
        if t in UNITS and nxt == "og" and i + 2 < len(toks) and toks[i + 2] in TENS:
            emit(str(TENS[toks[i + 2]] + UNITS[t])); i += 3; continue
        # "tretti ein" -> 31
        if t in TENS and nxt in UNITS and UNITS[nxt] > 0:
            emit(str(TENS[t] + UNITS[nxt])); i += 2; continue
        v = word_value(t)
        if v is not None:
            emit(v); i += 1; continue
        if t in FILLER:
            i += 1; continue
        probs.append("ukjent ord %r" % t); i += 1
    if corr is not None:
        out = apply_corr(out, corr)
    return out, probs

def apply_corr(before, correction):
    if correction == "":
        return before
    if len(correction) > len(before):
        return correction
    return before[: len(before) - len(correction)] + correction

def mod11(digits, weights):
    s = sum(int(d) * w for d, w in zip(digits, weights))
    r = 11 - s % 11
    if r == 11: return 0
    if r == 10: return None
    return r

def fnr_ok(d):
    if len(d) != 11 or not d.isdigit(): return "ikkje 11 siffer"
    day, month = int(d[0:2]), int(d[2:4])
    if day > 40: day -= 40          # D-nummer
    if not (1 <= day <= 31 and 1 <= month <= 12): return "ugyldig dato i %s" % d
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    if k1 is None or k1 != int(d[9]): return "feil k1 i %s" % d
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    if k2 is None or k2 != int(d[10]): return "feil k2 i %s" % d
    return None

def konto_ok(d):
    if len(d) != 11 or not d.isdigit(): return "ikkje 11 siffer"
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    if k is None or k != int(d[10]): return "feil kontrollsiffer i %s" % d
    return None

def tel_ok(d):
    if len(d) != 8 or not d.isdigit(): return "ikkje 8 siffer"
    return None

VALID = {"TELEFON": tel_ok, "FØDSELSNUMMER": fnr_ok, "KONTONUMMER": konto_ok}

def selftest():
    cases = [("fjerde sjette åtti åtte ein fem sju sju seks", "04068815776"),
             ("tre seks tre to atten seks seks ni fire tre nei unnskyld ni fire to", "36321866942"),
             ("fire fire dobbel åtte to", "44882"),
             ("førtiåtte null sju tolv femti seks", "48071256"),
             ("41 52 63 37, nei, 73", "41526373"),
             ("nittifem tretti ein, null sju, åtti ni", "95310789"),
             ("fire og tjue", "24"), ("fireogtjue", "24"), ("tjuefjerde", "24"),
             ("9365 seksti seks åtti ni to to fire", "93656689224"),
             ("23 05 84, fire null fem", "230584405")]
    for txt, want in cases:
        got, p = normalise(txt)
        if got != want or p:
            err("sjølvtest normaliserar: %r -> %r (venta %r) %s" % (txt, got, want, p))
    if normalise("+47 463 07 918", "TELEFON")[0] != "46307918":
        err("sjølvtest: +47-prefiks")

# ---------------------------------------------------------------- study.yaml
def parse_list(s):
    s = s.strip()
    if not (s.startswith("[") and s.endswith("]")): return None
    items = [x.strip() for x in s[1:-1].split(",") if x.strip()]
    return [x[1:-1] if len(x) >= 2 and x[0] == x[-1] and x[0] in "\"'" else x for x in items]

def read_study():
    path = os.path.join(HERE, "study.yaml")
    if not os.path.exists(path):
        err("study.yaml manglar"); return {}
    st = {"interviewer": [], "informant": [], "groups": [], "keep_terms": [], "group_labels": {}}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^\s*(name|groups|interviewer|informant|keep_terms|group_labels):\s*(.*)$", line)
        if not m: continue
        k, v = m.group(1), m.group(2)
        if k == "name":
            st["name"] = v.strip().strip('"')
        elif k == "group_labels":
            st["group_labels"] = dict(re.findall(r"(\w+):\s*\"([^\"]*)\"", v))
        else:
            lst = parse_list(v)
            if lst is None: err("study.yaml: %s er ikkje ei [liste]" % k)
            else: st[k] = lst
    if st.get("name") != "Blind gullstandard 28 for anonymisering (syntetisk)":
        err("study.yaml: feil name")
    for g in st["groups"]:
        if g not in st["group_labels"]: err("study.yaml: group_labels manglar %s" % g)
    return st

# ---------------------------------------------------------------- filer
def body_units(fmt, lines):
    """Gir (lineno, tekst, label|None, er_tittel) for innhaldslinjer."""
    units = []
    if fmt in ("txt", "txt-cp1252", "docx"):
        seen = False
        for n, l in lines:
            if not l.strip(): continue
            m = re.match(r"^([A-Za-zÆØÅæøå0-9]+):\s", l)
            if m: seen = True
            units.append((n, l[m.end():] if m else l, m.group(1) if m else None, not seen))
            if seen and not m:
                err("linje %d: avsnitt utan talarmerke" % n)
        return units
    # srt / vtt: blokker skilde med tom linje
    blocks, cur = [], []
    for n, l in lines:
        if l.strip() == "":
            if cur: blocks.append(cur); cur = []
        else: cur.append((n, l))
    if cur: blocks.append(cur)
    for b in blocks:
        idx = [k for k, (n, l) in enumerate(b) if "-->" in l]
        if not idx:
            for n, l in b:
                units.append((n, l, None, True))
            continue
        k = idx[0]
        if not re.match(r"^\d\d:\d\d(:\d\d)?[.,]\d{3} --> \d\d:\d\d(:\d\d)?[.,]\d{3}$", b[k][1].strip()):
            err("linje %d: ugyldig tidskode" % b[k][0])
        sep = "," if fmt == "srt" else "."
        if sep not in b[k][1]:
            err("linje %d: feil desimalteikn for %s" % (b[k][0], fmt))
        text = b[k + 1:]
        if not text:
            err("linje %d: tom cue" % b[k][0]); continue
        for j, (n, l) in enumerate(text):
            if fmt == "vtt":
                m = re.match(r"^<v ([^>]+)>", l)
            else:
                m = re.match(r"^([A-Za-zÆØÅæøå0-9]+):\s", l)
            if j == 0 and not m:
                err("linje %d: cue utan talarmerke" % n)
            units.append((n, l[m.end():] if m else l, m.group(1).strip() if m else None, False))
    return units

def words(s):
    return re.findall(r"[0-9A-Za-zÆØÅæøåÀ-ÿĀ-žА-яЁё@._\-+]+", s)

def check_file(fname, st, table):
    path = os.path.join(SRC, fname)
    raw = open(path, "rb").read()
    try:
        txt = raw.decode("utf-8")
    except UnicodeDecodeError:
        txt = raw.decode("cp1252")
    L = txt.split("\n")
    m1 = re.match(r"^#format: (\S+)\s*$", L[0])
    if not m1 or m1.group(1) not in FORMATS:
        err("%s: linje 1 må vere #format: ..." % fname); return
    fmt = m1.group(1)
    if not fname.endswith(FORMATS[fmt]):
        err("%s: filending passar ikkje med format %s" % (fname, fmt))
    m2 = re.match(r"^#keep: (.*)$", L[1])
    if not m2:
        err("%s: linje 2 må vere #keep: ..." % fname); return
    keep = [k.strip() for k in m2.group(1).split(";") if k.strip()]
    lines = [(i + 1, l.rstrip("\r")) for i, l in enumerate(L[2:], start=2)]
    if fmt == "vtt":
        if not lines or lines[0][1].strip() != "WEBVTT":
            err("%s: linje 3 må vere WEBVTT" % fname)
        lines = lines[1:]
    units = body_units(fmt, lines)
    declared = set(st.get("interviewer", [])) | set(st.get("informant", []))
    labels = set()
    marks = []
    plain_parts = []
    nwords = 0
    for n, text, label, title in units:
        if label is not None:
            labels.add(label)
            if label not in declared:
                err("%s linje %d: talarmerke %r ikkje i study.yaml" % (fname, n, label))
        found = list(MARK.finditer(text))
        if title and found:
            err("%s linje %d: merke i tittellinje" % (fname, n))
        rest = MARK.sub(" ", text)
        if "[[" in rest or "]]" in rest:
            err("%s linje %d: ugyldig merkesyntaks: %s" % (fname, n, rest.strip()[:80]))
        for m in found:
            inner, typ = m.group(1), m.group(2)
            if typ not in TYPES:
                err("%s linje %d: ukjend type %r" % (fname, n, typ))
            if inner != inner.strip():
                err("%s linje %d: mellomrom i kanten av merke %r" % (fname, n, inner))
            if typ == "DATO" and re.match(r"(?i)den\b", inner):
                err("%s linje %d: 'den' skal ikkje vere med i DATO" % (fname, n))
            marks.append((n, inner, typ))
        plain_parts.append(rest)
        if not title:
            nwords += len(words(MARK.sub(lambda m: m.group(1), text)))
    plain = "\n".join(plain_parts)
    # keep-termar
    for k in keep:
        if not re.search(r"(?<![\wæøåÆØÅ])" + re.escape(k) + r"(?![\wæøåÆØÅ])", plain):
            err("%s: keep-term %r finst ikkje umerkt i teksten" % (fname, k))
    # påkravde typar
    present = {t for _, _, t in marks}
    for t in REQUIRED:
        if t not in present:
            err("%s: manglar type %s" % (fname, t))
    # talkontroll med samanslåing av etterfølgjande merke av same type
    for typ, need in LENGTH.items():
        seq = [(n, inner) for n, inner, t in marks if t == typ]
        acc, start = "", None
        for n, inner in seq:
            d, probs = normalise(inner, typ)
            for p in probs:
                err("%s linje %d: %s i %s %r" % (fname, n, p, typ, inner))
            if start is None: start = n
            acc += d
            if len(acc) == need:
                e = VALID[typ](acc)
                if e: err("%s linje %d: %s %s" % (fname, start, typ, e))
                acc, start = "", None
            elif len(acc) > need:
                err("%s linje %d: %s for langt (%s)" % (fname, start, typ, acc))
                acc, start = "", None
        if acc:
            err("%s linje %s: %s ufullstendig (%s)" % (fname, start, typ, acc))
    counts = {t: sum(1 for _, _, x in marks if x == t) for t in TYPES}
    table.append((fname, nwords, len(marks), counts))
    return keep, labels, marks

def main():
    selftest()
    st = read_study()
    files = sorted(f for f in os.listdir(SRC) if re.match(r"s\d+\.", f))
    if len(files) != 3:
        err("venta 3 kjeldefiler, fann %d" % len(files))
    table, allkeep, info = [], [], {}
    for f in files:
        r = check_file(f, st, table)
        if r:
            info[f] = r
            for k in r[0]:
                if k not in allkeep: allkeep.append(k)
    if st:
        if sorted(set(st["keep_terms"])) != sorted(set(allkeep)):
            err("study.yaml keep_terms != union av #keep (manglar: %s, ekstra: %s)" % (
                sorted(set(allkeep) - set(st["keep_terms"])), sorted(set(st["keep_terms"]) - set(allkeep))))
    # informants.csv
    ipath = os.path.join(HERE, "informants.csv")
    if not os.path.exists(ipath):
        err("informants.csv manglar")
    else:
        rows = list(csv.DictReader(open(ipath, encoding="utf-8", newline="")))
        if not rows or list(rows[0].keys()) != ["id", "file", "group", "name", "role"]:
            err("informants.csv: feil kolonnar")
        toolnames = {}
        for f in files:
            for ext, tn in sorted(TOOLNAME.items(), key=lambda x: -len(x[0])):
                if f.endswith(ext):
                    toolnames[f[: -len(ext)] + tn] = f
                    break
        seen = set()
        for r in rows:
            fn = r.get("file")
            if fn not in toolnames:
                err("informants.csv: ukjend fil %r" % fn); continue
            seen.add(fn)
            if r.get("group") not in st.get("groups", []):
                err("informants.csv: ukjend gruppe %r" % r.get("group"))
            src = toolnames[fn]
            pers = [i.lower() for _, i, t in info.get(src, ([], [], []))[2] if t == "PERSON"]
            if r.get("name", "").lower() not in pers:
                err("informants.csv: namnet %r finst ikkje som PERSON i %s" % (r.get("name"), src))
        for tn in toolnames:
            if tn not in seen: err("informants.csv: ingen rad for %s" % tn)
        if len(rows) != len(files): err("informants.csv: feil tal rader")
    # tabell
    short = {"PERSON": "PER", "STED": "STED", "ORGANISASJON": "ORG", "ADRESSE": "ADR",
             "TELEFON": "TLF", "EPOST": "EPOST", "DATO": "DATO", "FØDSELSNUMMER": "FNR",
             "KONTONUMMER": "KTO", "SAKSNUMMER": "SAK"}
    head = ["fil", "ord", "merke"] + [short[t] for t in TYPES]
    print(" | ".join("%-12s" % head[0] if i == 0 else "%5s" % h for i, h in enumerate(head)))
    tot = [0, 0] + [0] * len(TYPES)
    for f, nw, nm, c in table:
        row = [nw, nm] + [c[t] for t in TYPES]
        tot = [a + b for a, b in zip(tot, row)]
        print("%-12s | " % f + " | ".join("%5d" % x for x in row))
    print("%-12s | " % "SUM" + " | ".join("%5d" % x for x in tot))
    if errors:
        print("\nFEIL (%d):" % len(errors))
        for e in errors: print("  - " + e)
        sys.exit(1)
    print("\nOK")

if __name__ == "__main__":
    main()
