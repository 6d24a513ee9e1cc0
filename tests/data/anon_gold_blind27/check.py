#!/usr/bin/env python3
"""Kontroll av blind gullstandard 27 (syntetisk). Berre standardbiblioteket.

Bruk:  python3 check.py            -> kontrollerer alle filer, skriv tabell, exit 1 ved feil
       python3 check.py --make fnr DDMMYYIII   -> skriv gyldig fødselsnummer (11 siffer)
       python3 check.py --make konto NNNNNNNNNN -> skriv gyldig kontonummer (11 siffer)
"""
import csv
import os
import re
import sys

BASE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(BASE, "source")

TYPES = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
REQUIRED = ["FØDSELSNUMMER", "KONTONUMMER", "TELEFON", "EPOST", "ADRESSE", "SAKSNUMMER", "DATO"]
NUMBER_TYPES = {"FØDSELSNUMMER": 11, "KONTONUMMER": 11, "TELEFON": 8}

# ---------------------------------------------------------------- tal-ord
UNITS = {"null": 0, "nul": 0, "o": 0,
         "ein": 1, "en": 1, "ei": 1, "eitt": 1, "ett": 1, "eit": 1,
         "to": 2, "tvo": 2, "tvei": 2, "tvæ": 2,
         "tre": 3, "tri": 3,
         "fire": 4, "fira": 4,
         "fem": 5,
         "seks": 6,
         "sju": 7, "sjau": 7, "syv": 7,
         "åtte": 8, "åtta": 8,
         "ni": 9}
TEENS = {"ti": 10, "tie": 10,
         "elleve": 11, "ellev": 11, "elva": 11,
         "tolv": 12,
         "tretten": 13, "trettan": 13,
         "fjorten": 14, "fjortan": 14,
         "femten": 15, "femtan": 15,
         "seksten": 16, "sekstan": 16,
         "sytten": 17, "syttan": 17,
         "atten": 18, "attan": 18,
         "nitten": 19, "nittan": 19}
TENS = {"tjue": 20, "tjuge": 20, "kjue": 20, "tjugo": 20,
        "tretti": 30, "trettii": 30, "trætti": 30, "trædve": 30, "tredve": 30,
        "førti": 40, "fyrti": 40,
        "femti": 50, "seksti": 60, "sytti": 70, "åtti": 80, "nitti": 90}
TENS = {k: v for k, v in TENS.items() if v is not None}
FILLERS = {"eh", "ehm", "øh", "øhm", "mm", "hm", "og", "å", "mellomrom", "strek", "bindestrek",
           "punktum", "komma", "pluss", "altså", "sånn", "da", "så", "vent", "vente", "litt",
           "ja", "hmm"}
CORRECTIONS = {"nei", "unnskyld", "orsak", "feil", "beklager"}
DOUBLE = {"dobbel": 2, "dobbelt": 2, "dobbelen": 2, "trippel": 3}


def word_value(tok):
    """Return (value, kind) for a single token, or None."""
    if tok in UNITS:
        return UNITS[tok], "unit"
    if tok in TEENS:
        return TEENS[tok], "teen"
    if tok in TENS:
        return TENS[tok], "tens"
    for t, tv in TENS.items():          # samansett: tjueåtte, førtito
        if tok.startswith(t) and tok[len(t):] in UNITS and UNITS[tok[len(t):]] > 0:
            return tv + UNITS[tok[len(t):]], "compound"
    return None


def spoken_digits(text):
    """Turn a marked number (digits, spoken words, separators, corrections) into digits.
    Returns (digitstring, errors)."""
    errs = []
    t = text.lower().replace("+", " pluss ")
    toks = [x for x in re.split(r"[^0-9a-zæøåé]+", t) if x]
    groups = []
    i = 0
    mult = 1
    while i < len(toks):
        tok = toks[i]
        if tok.isdigit():
            groups.append(tok * mult)
            mult = 1
            i += 1
            continue
        if tok in CORRECTIONS:
            if groups:
                groups.pop()
            i += 1
            continue
        if tok in DOUBLE:
            mult = DOUBLE[tok]
            i += 1
            continue
        if tok in ("hundre", "hundrede", "hundra"):
            base = int(groups.pop()) if groups and groups[-1].isdigit() and len(groups[-1]) == 1 else 1
            val = base * 100
            j = i + 1
            if j < len(toks) and toks[j] == "og":
                j += 1
            if j < len(toks) and word_value(toks[j]):
                v, _ = word_value(toks[j])
                val += v
                j += 1
            groups.append(str(val))
            i = j
            continue
        wv = word_value(tok)
        if wv:
            v, kind = wv
            # gammal teljemåte: "to og tjue" = 22
            if kind == "unit" and v > 0 and i + 2 < len(toks) and toks[i + 1] == "og" \
                    and toks[i + 2] in TENS:
                v = TENS[toks[i + 2]] + v
                i += 3
            # "tjue åtte" = 28
            elif kind == "tens" and i + 1 < len(toks) and toks[i + 1] in UNITS \
                    and UNITS[toks[i + 1]] > 0:
                v = v + UNITS[toks[i + 1]]
                i += 2
            else:
                i += 1
            s = str(v)
            if kind in ("tens", "compound", "teen") or len(s) > 1:
                s = s.zfill(2)
            groups.append(s * mult)
            mult = 1
            continue
        if tok in FILLERS:
            i += 1
            continue
        errs.append("ukjent ord i tal: %r" % tok)
        i += 1
    return "".join(groups), errs


def mod11(digits, weights):
    s = sum(int(d) * w for d, w in zip(digits, weights))
    r = 11 - (s % 11)
    if r == 11:
        return 0
    if r == 10:
        return None
    return r


def fnr_ok(d):
    if len(d) != 11 or not d.isdigit():
        return False, "ikkje 11 siffer"
    day, month = int(d[0:2]), int(d[2:4])
    if day > 40:                       # D-nummer
        day -= 40
    if month > 40:                     # H-nummer
        month -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False, "ugyldig dato i fødselsnummer"
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    if k1 is None or k1 != int(d[9]):
        return False, "feil kontrollsiffer 1"
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    if k2 is None or k2 != int(d[10]):
        return False, "feil kontrollsiffer 2"
    return True, ""


def konto_ok(d):
    if len(d) != 11 or not d.isdigit():
        return False, "ikkje 11 siffer"
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    if k is None or k != int(d[10]):
        return False, "feil kontrollsiffer"
    return True, ""


# ---------------------------------------------------------------- study.yaml
def parse_list(s):
    s = s.strip()
    if not (s.startswith("[") and s.endswith("]")):
        return None
    items = []
    for part in s[1:-1].split(","):
        part = part.strip()
        if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
            part = part[1:-1]
        if part:
            items.append(part)
    return items


def read_yaml(errors):
    path = os.path.join(BASE, "study.yaml")
    y = {"interviewer": [], "informant": [], "keep_terms": [], "groups": []}
    if not os.path.exists(path):
        errors.append("study.yaml manglar")
        return y
    txt = open(path, encoding="utf-8").read()
    if 'name: "Blind gullstandard 27 for anonymisering (syntetisk)"' not in txt:
        errors.append("study.yaml: feil name")
    for key in y:
        m = re.search(r"^\s*%s:\s*(\[.*\])\s*$" % key, txt, re.M)
        if not m:
            errors.append("study.yaml: finn ikkje %s" % key)
            continue
        y[key] = parse_list(m.group(1))
    if "group_labels: {kjoper: kjøper, ansatt: ansatt}" not in txt:
        errors.append("study.yaml: group_labels")
    return y


# ---------------------------------------------------------------- source files
TS_VTT = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")
TS_SRT = re.compile(r"^(\d\d):(\d\d):(\d\d),(\d{3}) --> (\d\d):(\d\d):(\d\d),(\d{3})$")


def secs(g):
    return int(g[0]) * 3600 + int(g[1]) * 60 + int(g[2]) + int(g[3]) / 1000


def find_marks(text, fname, errors):
    marks = []
    pos = 0
    while True:
        a = text.find("[[", pos)
        b_stray = text.find("]]", pos)
        if a < 0:
            if b_stray >= 0:
                errors.append("%s: ']]' utan '[[' ved %d" % (fname, b_stray))
            break
        if 0 <= b_stray < a:
            errors.append("%s: ']]' utan '[[' ved %d" % (fname, b_stray))
        b = text.find("]]", a + 2)
        if b < 0:
            errors.append("%s: '[[' utan ']]' ved %d" % (fname, a))
            break
        inner = text[a + 2:b]
        if "[[" in inner:
            errors.append("%s: nøsta merke ved %d: %r" % (fname, a, inner[:40]))
        if "\n" in inner:
            errors.append("%s: merke over linjeskift ved %d: %r" % (fname, a, inner[:40]))
        if "|" not in inner:
            errors.append("%s: merke utan type: %r" % (fname, inner))
            pos = b + 2
            continue
        mt, ty = inner.rsplit("|", 1)
        if ty not in TYPES:
            errors.append("%s: ukjend type %r i %r" % (fname, ty, inner))
        if not mt.strip() or mt != mt.strip():
            errors.append("%s: tomt merke eller mellomrom i kanten: %r" % (fname, inner))
        marks.append({"start": a, "end": b + 2, "text": mt, "type": ty})
        pos = b + 2
    return marks


def only_cue_boundary(between, fmt):
    lines = between.split("\n")
    rest = []
    for ln in lines:
        s = ln.strip()
        if TS_VTT.match(s) or TS_SRT.match(s) or s.isdigit():
            continue
        s = re.sub(r"</?v[^>]*>", "", s)
        rest.append(s)
    r = "".join(rest)
    return "\n" in between and re.fullmatch(r"[\s\-–.,…]*", r) is not None


def check_file(path, fname, ylabels, errors, warnings):
    raw = open(path, encoding="utf-8").read()
    lines = raw.split("\n")
    res = {"fname": fname}
    if not lines[0].startswith("#format: "):
        errors.append("%s: første linje er ikkje #format" % fname)
        return None
    fmt = lines[0][len("#format: "):].strip()
    res["format"] = fmt
    if fmt not in ("txt", "vtt", "srt", "docx", "txt-cp1252"):
        errors.append("%s: ukjent format %s" % (fname, fmt))
    if not lines[1].startswith("#keep: "):
        errors.append("%s: andre linje er ikkje #keep" % fname)
        keep = []
    else:
        keep = [k.strip() for k in lines[1][len("#keep: "):].split(";") if k.strip()]
    res["keep"] = keep
    ext = fname.split(".", 1)[1]
    want = {"vtt": "vtt", "srt": "srt", "txt": ("txt", "txt-cp1252"), "docx.txt": "docx"}[ext]
    if fmt not in (want if isinstance(want, tuple) else (want,)):
        errors.append("%s: format %s passar ikkje med filending" % (fname, fmt))
    body_lines = lines[2:]
    while body_lines and body_lines[0].startswith("#"):
        body_lines = body_lines[1:]
    body = "\n".join(body_lines)
    if fmt == "txt-cp1252":
        try:
            body.encode("cp1252")
            raw.encode("cp1252")
        except UnicodeEncodeError as e:
            errors.append("%s: teikn som ikkje finst i cp1252: %r" % (fname, raw[e.start:e.end]))

    marks = find_marks(body, fname, errors)
    res["marks"] = marks

    # tekst utan merke
    plain = body
    for m in reversed(marks):
        plain = plain[:m["start"]] + m["text"] + plain[m["end"]:]
    outside = body
    for m in reversed(marks):
        outside = outside[:m["start"]] + " \u2060 " + outside[m["end"]:]

    # keep-termar
    for k in keep:
        pat = re.compile(r"(?<![\w])" + re.escape(k) + r"(?![\w])")
        if not pat.search(outside):
            errors.append("%s: #keep-term %r finst ikkje utanfor merke" % (fname, k))
        for m in marks:
            if pat.search(m["text"]):
                errors.append("%s: #keep-term %r inne i merke %r" % (fname, k, m["text"]))

    # talkontroll (med samanslåing av delte merke over cue-grenser)
    i = 0
    while i < len(marks):
        m = marks[i]
        if m["type"] in NUMBER_TYPES:
            group = [m]
            j = i
            while j + 1 < len(marks) and marks[j + 1]["type"] == m["type"] and \
                    only_cue_boundary(body[marks[j]["end"]:marks[j + 1]["start"]], fmt):
                group.append(marks[j + 1])
                j += 1
            txt = " ".join(g["text"] for g in group)
            d, errs = spoken_digits(txt)
            for e in errs:
                errors.append("%s: %s i %r" % (fname, e, txt))
            ty = m["type"]
            if ty == "TELEFON":
                low = txt.lower()
                if len(d) == 10 and d.startswith("47") and ("+" in txt or "pluss" in low or "førtisju" in low):
                    d = d[2:]
                elif len(d) == 12 and d.startswith("0047"):
                    d = d[4:]
                if len(d) != 8:
                    errors.append("%s: TELEFON %r gir %r (%d siffer)" % (fname, txt, d, len(d)))
            elif ty == "FØDSELSNUMMER":
                ok, why = fnr_ok(d)
                if not ok:
                    errors.append("%s: FØDSELSNUMMER %r -> %r: %s" % (fname, txt, d, why))
            elif ty == "KONTONUMMER":
                ok, why = konto_ok(d)
                if not ok:
                    errors.append("%s: KONTONUMMER %r -> %r: %s" % (fname, txt, d, why))
            if len(group) > 1:
                warnings.append("%s: %s delt over %d cuar: %r -> %s" % (fname, ty, len(group), txt, d))
            i = j + 1
        else:
            i += 1

    # format, talarar, ord
    speakers = []
    spoken = []
    if fmt == "vtt":
        bl = plain.split("\n")
        if not bl or bl[0].strip() != "WEBVTT":
            errors.append("%s: manglar WEBVTT" % fname)
        last = -1
        cur_spk = None
        k = 1
        cue_spk = []
        while k < len(bl):
            s = bl[k].strip()
            mm = TS_VTT.match(s)
            if mm:
                a, b = secs(mm.groups()[:4]), secs(mm.groups()[4:])
                if not (b > a >= last):
                    errors.append("%s: tidskode ikkje stigande: %s" % (fname, s))
                last = b
                k += 1
                txtl = []
                while k < len(bl) and bl[k].strip():
                    txtl.append(bl[k])
                    k += 1
                if not txtl:
                    errors.append("%s: tom cue %s" % (fname, s))
                ct = " ".join(txtl)
                vs = re.findall(r"<v ([^>]+)>", ct)
                for v in vs:
                    speakers.append(v)
                    if v == cur_spk:
                        errors.append("%s: <v %s> gjenteke utan talarskifte (%s)" % (fname, v, s))
                    cur_spk = v
                spoken.append(re.sub(r"</?v[^>]*>", " ", ct))
            elif s:
                errors.append("%s: uventa linje utanfor cue: %r" % (fname, s))
                k += 1
            else:
                k += 1
    elif fmt == "srt":
        bl = plain.split("\n")
        k = 0
        n_expected = 1
        last = -1
        cur_spk = None
        while k < len(bl):
            s = bl[k].strip()
            if not s:
                k += 1
                continue
            if s.isdigit() and k + 1 < len(bl) and TS_SRT.match(bl[k + 1].strip()):
                if int(s) != n_expected:
                    errors.append("%s: cue-nummer %s, venta %d" % (fname, s, n_expected))
                n_expected = int(s) + 1
                mm = TS_SRT.match(bl[k + 1].strip())
                a, b = secs(mm.groups()[:4]), secs(mm.groups()[4:])
                if not (b > a >= last):
                    errors.append("%s: tidskode ikkje stigande i cue %s" % (fname, s))
                last = b
                k += 2
                txtl = []
                while k < len(bl) and bl[k].strip():
                    txtl.append(bl[k])
                    k += 1
                if not txtl or len(txtl) > 2:
                    errors.append("%s: cue %s har %d tekstlinjer" % (fname, s, len(txtl)))
                for ti, tl in enumerate(txtl):
                    lm = re.match(r"^([A-ZÆØÅ]{2,8}):\s", tl)
                    if lm:
                        if ti != 0:
                            errors.append("%s: talarmerke midt i cue %s" % (fname, s))
                        v = lm.group(1)
                        speakers.append(v)
                        if v == cur_spk:
                            errors.append("%s: %s: gjenteke utan talarskifte (cue %s)" % (fname, v, s))
                        cur_spk = v
                        tl = tl[lm.end():]
                    spoken.append(tl)
            else:
                errors.append("%s: uventa linje: %r" % (fname, s))
                k += 1
    else:  # txt, txt-cp1252, docx
        started = False
        all_labels = ylabels
        for ln in plain.split("\n"):
            if not ln.strip():
                continue
            lm = re.match(r"^([^:\n]{1,20}):\s", ln)
            if lm and lm.group(1) in all_labels:
                started = True
                speakers.append(lm.group(1))
                spoken.append(ln[lm.end():])
            elif lm and started:
                errors.append("%s: ukjent talarmerke %r" % (fname, lm.group(1)))
            elif started:
                errors.append("%s: linje utan talarmerke: %r" % (fname, ln[:50]))
            # linjer før første talarmerke = tittel, ikkje tald
    for sp in speakers:
        if sp not in ylabels:
            errors.append("%s: talarmerke %r står ikkje i study.yaml" % (fname, sp))
    words = [w for w in re.split(r"\s+", " ".join(spoken)) if re.search(r"[0-9A-Za-zÆØÅæøåéüöäšžŠŽ]", w)]
    res["words"] = len(words)
    res["speakers"] = sorted(set(speakers))
    if not (650 <= len(words) <= 900):
        errors.append("%s: %d ord (skal vere 650–900)" % (fname, len(words)))
    counts = {t: 0 for t in TYPES}
    for m in marks:
        if m["type"] in counts:
            counts[m["type"]] += 1
    res["counts"] = counts
    for t in REQUIRED:
        if counts[t] == 0:
            errors.append("%s: manglar %s" % (fname, t))
    for t in ("PERSON", "STED", "ORGANISASJON"):
        if counts[t] < 2:
            errors.append("%s: for få %s (%d)" % (fname, t, counts[t]))
    n = len(marks)
    if not (30 <= n <= 50):
        errors.append("%s: %d merke (skal vere ca. 35–45)" % (fname, n))
    elif not (35 <= n <= 45):
        warnings.append("%s: %d merke (mål 35–45)" % (fname, n))
    return res


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "--make":
        kind, d = sys.argv[2], sys.argv[3]
        if kind == "fnr":
            k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
            if k1 is None:
                print("ugyldig (k1=10)"); return 1
            d10 = d[:9] + str(k1)
            k2 = mod11(d10, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
            if k2 is None:
                print("ugyldig (k2=10)"); return 1
            print(d10 + str(k2))
        elif kind == "konto":
            k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
            print("ugyldig (k=10)" if k is None else d[:10] + str(k))
        elif kind == "digits":
            print(spoken_digits(" ".join(sys.argv[3:])))
        return 0

    errors, warnings = [], []
    y = read_yaml(errors)
    ylabels = (y["interviewer"] or []) + (y["informant"] or [])
    files = sorted(f for f in os.listdir(SRC) if re.match(r"^s\d+\.", f)) if os.path.isdir(SRC) else []
    results = []
    for f in files:
        r = check_file(os.path.join(SRC, f), f, ylabels, errors, warnings)
        if r:
            results.append(r)
    # keep union
    union = []
    for r in results:
        for k in r["keep"]:
            if k not in union:
                union.append(k)
    if set(union) != set(y["keep_terms"] or []):
        errors.append("study.yaml keep_terms != union av #keep: manglar %s, ekstra %s" % (
            sorted(set(union) - set(y["keep_terms"] or [])), sorted(set(y["keep_terms"] or []) - set(union))))
    used = set()
    for r in results:
        used |= set(r["speakers"])
    if set(ylabels) != used:
        errors.append("study.yaml talarmerke %s != brukte %s" % (sorted(set(ylabels)), sorted(used)))
    # informants.csv
    ip = os.path.join(BASE, "informants.csv")
    if os.path.exists(ip):
        with open(ip, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        if rows[0] != ["id", "file", "group", "name", "role"]:
            errors.append("informants.csv: feil header")
        seen = set()
        for row in rows[1:]:
            if len(row) != 5:
                errors.append("informants.csv: feil rad %r" % row)
                continue
            fn = row[1]
            src = fn + ".txt" if fn.endswith(".docx") else fn
            if src not in files:
                errors.append("informants.csv: %s har ingen kjeldefil" % fn)
            seen.add(src)
            if row[2] not in (y["groups"] or []):
                errors.append("informants.csv: ukjend gruppe %r" % row[2])
        for f in files:
            if f not in seen:
                errors.append("informants.csv: manglar rad for %s" % f)
    else:
        errors.append("informants.csv manglar")

    # tabell
    short = {"PERSON": "PERS", "STED": "STED", "ORGANISASJON": "ORG", "ADRESSE": "ADR", "TELEFON": "TLF",
             "EPOST": "EPOST", "DATO": "DATO", "FØDSELSNUMMER": "FNR", "KONTONUMMER": "KONTO",
             "SAKSNUMMER": "SAK"}
    hdr = "| fil | format | ord | " + " | ".join(short[t] for t in TYPES) + " | sum |"
    print(hdr)
    print("|" + "---|" * (len(TYPES) + 4))
    tot = {t: 0 for t in TYPES}
    for r in results:
        c = r["counts"]
        for t in TYPES:
            tot[t] += c[t]
        print("| %s | %s | %d | %s | %d |" % (r["fname"], r["format"], r["words"],
                                           " | ".join(str(c[t]) for t in TYPES), sum(c.values())))
    print("| sum | | %d | %s | %d |" % (sum(r["words"] for r in results),
                                      " | ".join(str(tot[t]) for t in TYPES), sum(tot.values())))
    for w in warnings:
        print("MERK:", w)
    for e in errors:
        print("FEIL:", e)
    print("OK" if not errors else "%d feil" % len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
