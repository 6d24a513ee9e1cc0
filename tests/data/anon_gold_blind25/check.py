#!/usr/bin/env python3
"""Kontroll av blind gullstandard 25 (syntetisk). Berre standardbiblioteket.

Bruk:  python3 check.py            (kontrollerer source/*, informants.csv, study.yaml)
       python3 check.py --gen fnr DDMMYYIII   (reknar ut kontrollsiffer, hjelpemiddel)
       python3 check.py --gen konto NNNNNNNNNN
       python3 check.py --digits "tekst"      (viser korleis ein tekst vert gjord om til siffer)
"""
import os
import re
import sys
import glob

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
REQUIRED = ["FØDSELSNUMMER", "KONTONUMMER", "TELEFON", "EPOST", "ADRESSE", "SAKSNUMMER", "DATO"]
MARK_RE = re.compile(r"\[\[(.*?)\|([^\[\]|]*?)\]\]", re.S)

# ---------------------------------------------------------------- tal-ord
UNITS = {"null": 0, "ein": 1, "en": 1, "eitt": 1, "ett": 1, "éin": 1, "ei": 1,
         "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7,
         "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
         "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tjuge": 20, "kjue": 20, "tretti": 30, "tredve": 30, "førti": 40,
        "ferti": 40, "firti": 40, "femti": 50, "seksti": 60, "sytti": 70, "søtti": 70,
        "åtti": 80, "nitti": 90}
ORD_UNITS = {"første": 1, "fyrste": 1, "andre": 2, "tredje": 3, "fjerde": 4, "femte": 5,
             "sjette": 6, "sjuande": 7, "sjuende": 7, "syvende": 7, "åttande": 8,
             "åttende": 8, "niande": 9, "niende": 9}
ORD_TEENS = {"tiande": 10, "tiende": 10, "ellevte": 11, "tolvte": 12, "trettande": 13,
             "trettende": 13, "fjortande": 14, "fjortende": 14, "femtande": 15,
             "femtende": 15, "sekstande": 16, "sekstende": 16, "syttande": 17,
             "syttende": 17, "attande": 18, "attende": 18, "nittande": 19, "nittende": 19}
ORD_TENS = {"tjuande": 20, "tjuende": 20, "trettiande": 30, "trettiende": 30}
DOUBLE = {"dobbel", "dobbelt", "dobbelt", "dobble", "dobbal"}
CORRECT = {"nei", "unnskyld", "orsak", "feil", "nehei"}
FILLER = {"i", "og", "eh", "ehm", "øh", "e", "pluss", "altså", "så", "da", "vent", "sa",
          "eg", "det", "er", "var", "skal", "vere", "nummer", "stykk", "ja", "hm", "m", "mm",
          "the", "ikkje", "ikke"}


def _word_value(w):
    """Returnerer (siffertekst, kind) for eitt ord, eller None."""
    if w.isdigit():
        return w, "digits"
    if w in UNITS:
        return str(UNITS[w]), "unit"
    if w in TEENS:
        return str(TEENS[w]), "teen"
    if w in TENS:
        return str(TENS[w]), "tens"
    if w in ORD_UNITS:
        return "%02d" % ORD_UNITS[w], "ord"
    if w in ORD_TEENS:
        return "%02d" % ORD_TEENS[w], "ord"
    if w in ORD_TENS:
        return "%02d" % ORD_TENS[w], "ord"
    # samansette: tens + unit (førtito), tens + ordinal (tjuefjerde)
    for t, tv in TENS.items():
        if w.startswith(t) and len(w) > len(t):
            rest = w[len(t):]
            if rest in UNITS and UNITS[rest] > 0:
                return str(tv + UNITS[rest]), "num2"
            if rest in ORD_UNITS:
                return "%02d" % (tv + ORD_UNITS[rest]), "ord"
    return None


def spoken_to_digits(text, errors=None):
    """Gjer ein markert tekst om til ein sifferstreng.

    Reglar (dokumenterte i README.md):
      * siffer står som dei er; alle skiljeteikn (mellomrom, punktum, bindestrek, skråstrek) vert ignorerte
      * tal-ord: null..ni gir eitt siffer, ti..nitten og tjue..nitti gir to siffer
      * tiar + einar rett etter kvarandre (utan komma) vert eitt tosifra tal: «nitti sju» = 97
      * einar + «og» + tiar (gamal teljemåte) = tosifra tal: «fem og tjue» = 25
      * ordenstal (fjerde, tjuefjerde) gir alltid to siffer: 04, 24
      * «dobbel X» gir X to gonger
      * retting: etter «nei/unnskyld/orsak/feil» erstattar neste bolk (fram til komma) like mange
        siffer bakerst i det som er sagt før
    """
    if errors is None:
        errors = []
    toks = re.findall(r"\d+|[^\W\d_]+|[,;]", text.lower())
    out = []          # liste av sifferstrengar
    i = 0
    correcting = False
    chunk = []
    double = False

    def emit(s):
        nonlocal double
        if double:
            s = s * 2
            double = False
        if correcting:
            chunk.append(s)
        else:
            out.append(s)

    def close_correction():
        nonlocal correcting, chunk, out
        if correcting and chunk:
            c = "".join(chunk)
            cur = "".join(out)
            if len(c) > len(cur):
                errors.append("retting lengre enn det som stod før: %r" % text)
            out = [cur[:len(cur) - len(c)] + c]
            chunk = []
            correcting = False

    while i < len(toks):
        w = toks[i]
        if w in (",", ";"):
            if correcting and chunk:
                close_correction()
            i += 1
            continue
        if w in CORRECT:
            close_correction()
            correcting = True
            chunk = []
            i += 1
            continue
        if w in DOUBLE:
            double = True
            i += 1
            continue
        v = _word_value(w)
        if v is None:
            if w not in FILLER:
                errors.append("ukjent ord %r i talmerke %r" % (w, text))
            i += 1
            continue
        s, kind = v
        # einar og tiar: «fem og tjue»
        if kind == "unit" and s != "0" and i + 2 < len(toks) and toks[i + 1] == "og":
            v2 = _word_value(toks[i + 2])
            if v2 and v2[1] == "tens":
                emit(str(int(v2[0]) + int(s)))
                i += 3
                continue
        # tiar + einar: «nitti sju»
        if kind == "tens" and i + 1 < len(toks):
            v2 = _word_value(toks[i + 1])
            if v2 and v2[1] == "unit" and v2[0] != "0":
                emit(str(int(s) + int(v2[0])))
                i += 2
                continue
        emit(s)
        i += 1
    close_correction()
    return "".join(out)


# ---------------------------------------------------------------- kontrollsiffer
def fnr_valid(d):
    if len(d) != 11 or not d.isdigit():
        return False
    n = [int(c) for c in d]
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k1 = 11 - sum(a * b for a, b in zip(w1, n[:9])) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10 or k1 != n[9]:
        return False
    k2 = 11 - sum(a * b for a, b in zip(w2, n[:10])) % 11
    k2 = 0 if k2 == 11 else k2
    if k2 == 10 or k2 != n[10]:
        return False
    day, month = int(d[0:2]), int(d[2:4])
    if day > 40:      # D-nummer
        day -= 40
    return 1 <= day <= 31 and 1 <= month <= 12


def konto_valid(d):
    if len(d) != 11 or not d.isdigit():
        return False
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k = 11 - sum(a * int(b) for a, b in zip(w, d[:10])) % 11
    k = 0 if k == 11 else k
    return k != 10 and k == int(d[10])


def gen_fnr(prefix9):
    n = [int(c) for c in prefix9]
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    k1 = 11 - sum(a * b for a, b in zip(w1, n)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10:
        return None
    n.append(k1)
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k2 = 11 - sum(a * b for a, b in zip(w2, n)) % 11
    k2 = 0 if k2 == 11 else k2
    if k2 == 10:
        return None
    return prefix9 + str(k1) + str(k2)


def gen_konto(prefix10):
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k = 11 - sum(a * int(b) for a, b in zip(w, prefix10)) % 11
    k = 0 if k == 11 else k
    return None if k == 10 else prefix10 + str(k)


# ---------------------------------------------------------------- study.yaml
def read_study():
    p = os.path.join(HERE, "study.yaml")
    txt = open(p, encoding="utf-8").read()

    def flow_list(key):
        m = re.search(r"^\s*" + key + r":\s*\[(.*?)\]", txt, re.M | re.S)
        if not m:
            return None
        items = []
        for it in re.findall(r'"((?:[^"\\]|\\.)*)"|([^,\s][^,]*)', m.group(1)):
            v = it[0] if it[0] else it[1].strip()
            if v:
                items.append(v)
        return items
    return {
        "interviewer": flow_list("interviewer") or [],
        "informant": flow_list("informant") or [],
        "keep_terms": flow_list("keep_terms") or [],
        "raw": txt,
    }


# ---------------------------------------------------------------- kjeldefiler
TS_SRT = re.compile(r"^\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d$")
TS_VTT = re.compile(r"^(\d\d:)?\d\d:\d\d\.\d\d\d --> (\d\d:)?\d\d:\d\d\.\d\d\d")
LABEL_RE = re.compile(r"^([A-Za-zÆØÅæøå0-9 _\-]{1,25}):\s")


def parse_file(path, study, errs):
    raw_bytes = open(path, "rb").read()
    try:
        txt = raw_bytes.decode("utf-8")
    except UnicodeDecodeError:
        txt = raw_bytes.decode("cp1252")
    lines = txt.split("\n")
    name = os.path.basename(path)
    fmt = None
    keep = []
    if not lines[0].startswith("#format:"):
        errs.append("%s: fyrste linje må vere #format:" % name)
    else:
        fmt = lines[0].split(":", 1)[1].strip()
    if len(lines) < 2 or not lines[1].startswith("#keep:"):
        errs.append("%s: andre linje må vere #keep:" % name)
    else:
        keep = [t.strip() for t in lines[1].split(":", 1)[1].split(";") if t.strip()]
    body_lines = lines[2:]
    ext = name.split(".", 1)[1]
    expect = {"txt": ("txt", "txt-cp1252"), "docx.txt": ("docx",), "srt": ("srt",), "vtt": ("vtt",)}
    if ext not in expect or fmt not in expect[ext]:
        errs.append("%s: #format %r passar ikkje med filending %r" % (name, fmt, ext))

    labels_used = []
    spoken = []           # talte tekstbitar (utan merkelappar/tidskodar)
    first_label_seen = False
    if fmt in ("txt", "txt-cp1252", "docx"):
        for ln, line in enumerate(body_lines, 3):
            if not line.strip():
                continue
            m = LABEL_RE.match(line)
            if m and (m.group(1) in study["interviewer"] + study["informant"] or not first_label_seen
                      and m.group(1).isupper()):
                first_label_seen = True
                labels_used.append(m.group(1))
                spoken.append(line[m.end():])
            elif not first_label_seen:
                if "[[" in line:
                    errs.append("%s:%d: merke i hovudtekst (før fyrste talar)" % (name, ln))
            else:
                errs.append("%s:%d: linje utan kjend talarmerkelapp: %r" % (name, ln, line[:60]))
    elif fmt == "srt":
        blocks = re.split(r"\n\s*\n", "\n".join(body_lines).strip("\n"))
        expect_no = 1
        for b in blocks:
            bl = b.split("\n")
            if not bl[0].strip().isdigit():
                errs.append("%s: cue utan nummer: %r" % (name, bl[0][:40]))
                continue
            if int(bl[0]) != expect_no:
                errs.append("%s: cue-nummer %s, venta %d" % (name, bl[0], expect_no))
            expect_no = int(bl[0]) + 1
            if len(bl) < 3 or not TS_SRT.match(bl[1].strip()):
                errs.append("%s: cue %s: feil tidskode/tom tekst" % (name, bl[0]))
                continue
            for t in bl[2:]:
                m = LABEL_RE.match(t)
                if m and m.group(1).isupper():
                    labels_used.append(m.group(1))
                    t = t[m.end():]
                spoken.append(t)
    elif fmt == "vtt":
        if not body_lines or body_lines[0].strip() != "WEBVTT":
            errs.append("%s: WEBVTT manglar etter #keep" % name)
        blocks = re.split(r"\n\s*\n", "\n".join(body_lines[1:]).strip("\n"))
        for b in blocks:
            bl = b.split("\n")
            if TS_VTT.match(bl[0]):
                texts = bl[1:]
            elif len(bl) > 1 and TS_VTT.match(bl[1]):
                texts = bl[2:]
            else:
                errs.append("%s: vtt-blokk utan tidskode: %r" % (name, bl[0][:40]))
                continue
            for t in texts:
                m = re.match(r"^<v ([^>]+)>", t)
                if m:
                    labels_used.append(m.group(1))
                    t = t[m.end():]
                t = t.replace("</v>", "")
                spoken.append(t)
    for lab in set(labels_used):
        if lab not in study["interviewer"] + study["informant"]:
            errs.append("%s: talarmerkelapp %r står ikkje i study.yaml" % (name, lab))

    body = "\n".join(spoken)
    return fmt, keep, body, labels_used


def check_marks(name, body, fmt, errs):
    marks = []
    for m in MARK_RE.finditer(body):
        text, typ = m.group(1), m.group(2)
        if "[[" in text or "]]" in text or "|" in text:
            errs.append("%s: nøsta/øydelagt merke: %r" % (name, m.group(0)[:60]))
        if typ not in TYPES:
            errs.append("%s: ukjend type %r i %r" % (name, typ, m.group(0)[:60]))
        if text != text.strip() or not text.strip():
            errs.append("%s: merke med mellomrom i kanten/tomt: %r" % (name, m.group(0)))
        marks.append((text, typ))
    rest = MARK_RE.sub("", body)
    if "[[" in rest or "]]" in rest:
        i = rest.find("[[") if "[[" in rest else rest.find("]]")
        errs.append("%s: laust [[ eller ]] att: %r" % (name, rest[max(0, i - 30):i + 30]))

    # talkontroll; for korte bitar (delt over cue/linje) vert påfølgjande merke av same type slått saman
    need = {"FØDSELSNUMMER": 11, "KONTONUMMER": 11, "TELEFON": 8}
    i = 0
    while i < len(marks):
        text, typ = marks[i]
        if typ in need:
            e = []
            d = spoken_to_digits(text, e)
            parts = [text]
            j = i
            while len(d) < need[typ] and j + 1 < len(marks) and marks[j + 1][1] == typ:
                j += 1
                d += spoken_to_digits(marks[j][0], e)
                parts.append(marks[j][0])
            if typ == "TELEFON":
                if len(d) == 10 and d.startswith("47"):
                    d = d[2:]
                elif len(d) == 12 and d.startswith("0047"):
                    d = d[4:]
            for x in e:
                errs.append("%s: %s" % (name, x))
            ok = len(d) == need[typ]
            if typ == "FØDSELSNUMMER":
                ok = ok and fnr_valid(d)
            if typ == "KONTONUMMER":
                ok = ok and konto_valid(d)
            if not ok:
                errs.append("%s: ugyldig %s %r -> %s" % (name, typ, " + ".join(parts), d))
            i = j + 1
            continue
        i += 1
    return marks


def count_words(body):
    plain = MARK_RE.sub(lambda m: m.group(1), body)
    plain = re.sub(r"<[^>]+>", " ", plain)
    return len(re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*", plain))


def check_keep(name, keep, body, errs):
    outside = MARK_RE.sub(" ", body)
    inside = " ".join(m.group(1) for m in MARK_RE.finditer(body))
    for t in keep:
        pat = re.compile(r"(?<![^\W_])" + re.escape(t) + r"(?![^\W_])")
        if not pat.search(outside):
            errs.append("%s: #keep-ord %r finst ikkje i teksten (utanfor merke)" % (name, t))
        if pat.search(inside):
            errs.append("%s: #keep-ord %r står inne i eit merke" % (name, t))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--gen":
        kind, pre = sys.argv[2], sys.argv[3]
        print(gen_fnr(pre) if kind == "fnr" else gen_konto(pre))
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "--digits":
        e = []
        print(spoken_to_digits(sys.argv[2], e), e)
        return 0
    errs = []
    warns = []
    study = read_study()
    files = sorted(glob.glob(os.path.join(HERE, "source", "s*.*")))
    table = []
    all_keep = []
    for p in files:
        name = os.path.basename(p)
        fmt, keep, body, labels = parse_file(p, study, errs)
        all_keep += keep
        marks = check_marks(name, body, fmt, errs)
        check_keep(name, keep, body, errs)
        wc = count_words(body)
        if not 650 <= wc <= 900:
            errs.append("%s: %d ord (skal vere 650–900)" % (name, wc))
        counts = {t: 0 for t in TYPES}
        for _, t in marks:
            if t in counts:
                counts[t] += 1
        for t in REQUIRED:
            if counts[t] == 0:
                errs.append("%s: manglar type %s" % (name, t))
        if not 35 <= len(marks) <= 45:
            warns.append("%s: %d merke (mål 35–45)" % (name, len(marks)))
        table.append((name, wc, counts, len(marks), sorted(set(labels))))

    # study.yaml mot filene
    sk = study["keep_terms"]
    for t in all_keep:
        if t not in sk:
            errs.append("study.yaml: keep_terms manglar %r" % t)
    for t in sk:
        if t not in all_keep:
            errs.append("study.yaml: keep_terms har %r som ingen fil listar" % t)
    used = set(l for r in table for l in r[4])
    for l in study["interviewer"] + study["informant"]:
        if l not in used:
            errs.append("study.yaml: merkelapp %r vert ikkje brukt" % l)

    # informants.csv
    ip = os.path.join(HERE, "informants.csv")
    if os.path.exists(ip):
        rows = open(ip, encoding="utf-8").read().strip().split("\n")
        if rows[0].strip() != "id,file,group,name,role":
            errs.append("informants.csv: feil header")
        seen = set()
        for r in rows[1:]:
            c = r.split(",")
            if len(c) != 5:
                errs.append("informants.csv: feil tal kolonnar: %r" % r)
                continue
            if c[2] not in ("kjoper", "ansatt"):
                errs.append("informants.csv: ukjend gruppe %r" % c[2])
            seen.add(c[1])
        for r in table:
            n = r[0].replace(".docx.txt", ".docx")
            if n not in seen:
                errs.append("informants.csv: manglar rad for %s" % n)
    else:
        warns.append("informants.csv finst ikkje enno")

    # tabell
    short = {"PERSON": "PER", "STED": "STED", "ORGANISASJON": "ORG", "ADRESSE": "ADR",
             "TELEFON": "TLF", "EPOST": "EPOST", "DATO": "DATO", "FØDSELSNUMMER": "FNR",
             "KONTONUMMER": "KONTO", "SAKSNUMMER": "SAK"}
    hdr = "| fil | ord | " + " | ".join(short[t] for t in TYPES) + " | sum |"
    print(hdr)
    print("|" + "---|" * (len(TYPES) + 3))
    tot = {t: 0 for t in TYPES}
    for name, wc, counts, n, _ in table:
        print("| %s | %d | " % (name, wc) + " | ".join(str(counts[t]) for t in TYPES) + " | %d |" % n)
        for t in TYPES:
            tot[t] += counts[t]
    print("| sum | %d | " % sum(r[1] for r in table) + " | ".join(str(tot[t]) for t in TYPES)
          + " | %d |" % sum(r[3] for r in table))
    for w in warns:
        print("ÅTVARING:", w)
    for e in errs:
        print("FEIL:", e)
    print("OK" if not errs else "%d feil" % len(errs))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
