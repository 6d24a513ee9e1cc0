#!/usr/bin/env python3
"""Kontroll av blind gullstandard 15 (syntetisk). Kun standardbiblioteket.

Kjør: python3 check.py   (fra mappa eller hvor som helst)
Avslutter med kode 1 hvis noe feiler.
"""
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
TYPES = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
FORMATS = {"txt", "txt-cp1252", "docx", "srt", "vtt"}
EXT_FORMAT = {".srt": "srt", ".vtt": "vtt", ".docx.txt": "docx", ".txt": "txt"}
MARK = re.compile(r"\[\[([^\[\]|]*)\|([^\[\]|]*)\]\]")
WORDS_MIN, WORDS_MAX = 800, 950
SPANS_MIN, SPANS_MAX = 35, 45

# Egen fasit: merketekst -> sifre (for fødselsnummer/D-nummer, kontonummer, telefon).
# Parseren under må gi nøyaktig samme sifre.
DIGITS = {
    # s1 (talegjenkjenning, tall som ord)
    "fjorten null tre åtti en fire hundre og tretten nitti tre": "14038141393",
    "fire fem to null fire sju to null to tre fem": "45204720235",
    "ni to førti sju null tre åtti seks": "92470386",
    "fire en to tre null åtte åtte fem": "41230885",
    # s2
    "450 12 978": "45012978",
    "0047 913 58 207": "91358207",
    "55 08 84 409 69": "55088440969",
    "1503 56 – nei, 1503 65 51582": "15036551582",
    # s3
    "77 02 61 40": "77026140",
    "482 19 306": "48219306",
    "+47 400 07 331": "40007331",
    "071258 16147": "07125816147",
    "430992 47984": "43099247984",
    "8601.87.27287": "86018727287",
    # s4
    "9710 42 27 248": "97104227248",
    "290474 0 3 6 6 7": "29047403667",
    "94 51 77 03": "94517703",
}

UNITS = {"null": 0, "en": 1, "ein": 1, "ett": 1, "eitt": 1, "to": 2, "tre": 3, "fire": 4,
         "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "åtta": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "ellve": 11, "tolv": 12, "tretten": 13, "fjorten": 14,
         "femten": 15, "seksten": 16, "sytten": 17, "søtten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tjuge": 20, "tyve": 20, "tretti": 30, "tredve": 30, "førti": 40,
        "femti": 50, "seksti": 60, "sytti": 70, "søtti": 70, "åtti": 80, "nitti": 90}


def split_compound(tok):
    """'åttien' -> ['åtti','en'], 'fireogtjue' -> ['fire','og','tjue']."""
    if tok in UNITS or tok in TEENS or tok in TENS or tok in ("og", "hundre"):
        return [tok]
    for t in sorted(TENS, key=len, reverse=True):
        if tok.startswith(t) and tok[len(t):] in UNITS and tok[len(t):] != "null":
            return [t, tok[len(t):]]
    m = re.match(r"^(\w+?)og(\w+)$", tok)
    if m and m.group(1) in UNITS and m.group(2) in TENS:
        return [m.group(1), "og", m.group(2)]
    return [tok]


def words_to_digits(text):
    """Norske talleord (også dialekt/gammel telling) og sifre -> sifferstreng."""
    toks = []
    for raw in re.findall(r"\d+|[^\W\d_]+", text.lower()):
        toks.extend(split_compound(raw))
    out, i = [], 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t.isdigit():
            out.append(t); i += 1
        elif t in UNITS and nxt == "hundre":
            val, i = UNITS[t] * 100, i + 2
            if i < len(toks) and toks[i] == "og":
                i += 1
            if i < len(toks) and toks[i] in TEENS:
                val += TEENS[toks[i]]; i += 1
            elif i < len(toks) and toks[i] in TENS:
                val += TENS[toks[i]]; i += 1
                if i < len(toks) and toks[i] in UNITS and toks[i] != "null":
                    val += UNITS[toks[i]]; i += 1
            elif i < len(toks) and toks[i] in UNITS:
                val += UNITS[toks[i]]; i += 1
            out.append("%03d" % val)
        elif t in UNITS and nxt == "og" and i + 2 < len(toks) and toks[i + 2] in TENS:
            out.append(str(TENS[toks[i + 2]] + UNITS[t])); i += 3   # fem og tjue = 25
        elif t in TENS:
            if nxt in UNITS and nxt != "null":
                out.append(str(TENS[t] + UNITS[nxt])); i += 2
            else:
                out.append(str(TENS[t])); i += 1
        elif t in TEENS:
            out.append(str(TEENS[t])); i += 1
        elif t in UNITS:
            out.append(str(UNITS[t])); i += 1
        else:
            i += 1  # ikke-tall (krøllalfa, strek, bokstaver ...)
    return "".join(out)


def spoken_digits(text):
    """Håndterer retting i samme ytring: 'X – nei, Y'. Y tas som omstart fra det stedet i X
    der Y begynner (lengst felles begynnelse); finnes ikke noe slikt sted, erstatter Y
    den siste tallgruppa i X."""
    parts = re.split(r"\bnei\b[,]?", text, flags=re.I)
    if len(parts) == 1:
        return words_to_digits(text)
    b = spoken_digits(parts[0]) if len(parts) > 2 else words_to_digits(parts[0])
    a = words_to_digits(parts[-1])
    best, best_p = 0, None
    for p in range(len(b)):
        k = 0
        while p + k < len(b) and k < len(a) and b[p + k] == a[k]:
            k += 1
        if k > best:
            best, best_p = k, p
    if best_p is not None:
        return b[:best_p] + a
    groups = re.findall(r"\d+|[^\W\d_]+", parts[0])
    return words_to_digits(" ".join(groups[:-1])) + a


def mod11_fnr(d):
    if len(d) != 11 or not d.isdigit():
        return False
    n = [int(c) for c in d]
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k1 = 11 - sum(a * b for a, b in zip(w1, n)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(w2, n)) % 11
    k2 = 0 if k2 == 11 else k2
    if k1 == 10 or k2 == 10 or k1 != n[9] or k2 != n[10]:
        return False
    day, month = int(d[0:2]), int(d[2:4])
    if day > 40:          # D-nummer
        day -= 40
    return 1 <= day <= 31 and 1 <= month <= 12


def mod11_konto(d):
    if len(d) != 11 or not d.isdigit():
        return False
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k = 11 - sum(a * int(b) for a, b in zip(w, d)) % 11
    k = 0 if k == 11 else k
    return k != 10 and k == int(d[10])


def phone_digits(d):
    if d.startswith("0047") and len(d) == 12:
        return d[4:]
    if d.startswith("47") and len(d) == 10:
        return d[2:]
    return d


# ---------------------------------------------------------------- study.yaml (enkel parser)
def read_study(errors):
    path = os.path.join(HERE, "study.yaml")
    txt = open(path, encoding="utf-8").read()

    def listval(key):
        m = re.search(r"^\s*" + re.escape(key) + r":\s*\[(.*)\]\s*$", txt, re.M)
        if not m:
            errors.append("study.yaml: mangler %s" % key)
            return []
        return [x.strip().strip('"').strip("'") for x in m.group(1).split(",") if x.strip()]
    st = {
        "interviewer": listval("interviewer"),
        "informant": listval("informant"),
        "keep_terms": listval("keep_terms"),
        "groups": listval("groups"),
    }
    if not re.search(r'^name:\s*".+"', txt, re.M):
        errors.append("study.yaml: mangler name")
    if "group_labels" not in txt:
        errors.append("study.yaml: mangler group_labels")
    return st


def term_re(term):
    return re.compile(r"(?<![\w])" + re.escape(term) + r"(?![\w])", re.I)


# ---------------------------------------------------------------- per fil
def check_file(path, study, errors):
    name = os.path.basename(path)
    ext = next(e for e in (".docx.txt", ".srt", ".vtt", ".txt") if name.endswith(e))
    lines = open(path, encoding="utf-8").read().split("\n")
    err = lambda msg: errors.append("%s: %s" % (name, msg))
    if not lines[0].startswith("#format: "):
        err("linje 1 må være '#format: ...'")
    fmt = lines[0].split(":", 1)[1].strip()
    if fmt not in FORMATS:
        err("ukjent format %r" % fmt)
    if EXT_FORMAT[ext] != fmt and not (ext == ".txt" and fmt == "txt-cp1252"):
        err("format %s passer ikke med filendelse %s" % (fmt, ext))
    if not lines[1].startswith("#keep: "):
        err("linje 2 må være '#keep: ...'")
    keep = [k.strip() for k in lines[1].split(":", 1)[1].split(";") if k.strip()]
    body = [l for l in lines[2:] if not l.startswith("#")]
    labels = study["interviewer"] + study["informant"]
    lab_re = re.compile(r"^(" + "|".join(re.escape(l) for l in sorted(labels, key=len, reverse=True)) + r"):\s")

    spoken = []          # (linjenr, tekst uten etikett) for talelinjer
    if fmt in ("txt", "txt-cp1252", "docx"):
        started = False
        for n, l in enumerate(body, 3):
            if not l.strip():
                continue
            m = lab_re.match(l)
            if m:
                started = True
                spoken.append((n, l[m.end():]))
            elif started:
                err("linje %d starter ikke med deklarert etikett: %r" % (n, l[:40]))
            elif "[[" in l:
                err("merke i topptekst før første etikett (linje %d)" % n)
        if fmt == "txt-cp1252":
            try:
                "\n".join(body).encode("cp1252")
            except UnicodeEncodeError as e:
                err("tegn som ikke finnes i cp1252: %s" % e)
    elif fmt == "srt":
        blocks = re.split(r"\n\s*\n", "\n".join(body).strip("\n"))
        prev_end, first = -1, True
        tre = re.compile(r"^(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)$")
        for bi, b in enumerate(blocks, 1):
            bl = b.split("\n")
            if len(bl) < 3:
                err("SRT-blokk %d har for få linjer" % bi); continue
            if bl[0].strip() != str(bi):
                err("SRT-blokk %d har nummer %r" % (bi, bl[0]))
            m = tre.match(bl[1])
            if not m:
                err("SRT-blokk %d: ugyldig tidslinje %r" % (bi, bl[1])); continue
            g = [int(x) for x in m.groups()]
            s = g[0] * 3600000 + g[1] * 60000 + g[2] * 1000 + g[3]
            e = g[4] * 3600000 + g[5] * 60000 + g[6] * 1000 + g[7]
            if not (s < e and s >= prev_end):
                err("SRT-blokk %d: tider ikke stigende" % bi)
            prev_end = e
            for t in bl[2:]:
                mm = lab_re.match(t)
                if first and not mm:
                    err("første SRT-tekst mangler etikett")
                first = False
                if not mm and re.match(r"^[\w ]{1,20}:\s", t):
                    err("SRT-blokk %d: ukjent etikett %r" % (bi, t.split(":")[0]))
                spoken.append((bi, t[mm.end():] if mm else t))
    elif fmt == "vtt":
        if not body or body[0].strip() != "WEBVTT":
            err("VTT må starte med WEBVTT")
        blocks = re.split(r"\n\s*\n", "\n".join(body[1:]).strip("\n"))
        prev_end = -1
        tre = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")
        vre = re.compile(r"^<v ([^>]+)>(.*)$")
        for bi, b in enumerate(blocks, 1):
            bl = b.split("\n")
            m = tre.match(bl[0])
            if not m:
                err("VTT-cue %d: ugyldig tidslinje %r" % (bi, bl[0])); continue
            g = [int(x) for x in m.groups()]
            s = g[0] * 3600000 + g[1] * 60000 + g[2] * 1000 + g[3]
            e = g[4] * 3600000 + g[5] * 60000 + g[6] * 1000 + g[7]
            if not (s < e and s >= prev_end):
                err("VTT-cue %d: tider ikke stigende" % bi)
            prev_end = e
            if len(bl) < 2:
                err("VTT-cue %d uten tekst" % bi)
            for t in bl[1:]:
                mv = vre.match(t)
                if not mv:
                    err("VTT-cue %d: tekstlinje uten <v Etikett>: %r" % (bi, t[:40])); continue
                if mv.group(1) not in labels:
                    err("VTT-cue %d: ukjent etikett %r" % (bi, mv.group(1)))
                spoken.append((bi, mv.group(2)))

    # --- merker
    marks, outside_parts, plain_parts = [], [], []
    for n, t in spoken:
        rest = MARK.sub("", t)
        if "[[" in rest or "]]" in rest or "|" in rest:
            err("linje/cue %s: feilformet merke: %r" % (n, t[:60]))
        for m in MARK.finditer(t):
            txt, typ = m.group(1), m.group(2)
            if typ not in TYPES:
                err("ugyldig type %r i %r" % (typ, txt))
            if not txt or txt != txt.strip():
                err("tomt merke eller mellomrom i kanten: %r" % txt)
            if re.match(r"^(fru|herr)\b", txt, re.I):
                err("tittel innenfor merke: %r" % txt)
            if typ == "PERSON" and re.search(r"\w's?$", txt) is None:
                pass
            marks.append((txt, typ))
        outside_parts.append(MARK.sub(" \u2016 ", t))
        plain_parts.append(MARK.sub(lambda m: m.group(1), t))
    outside = "\n".join(outside_parts)
    plain = "\n".join(plain_parts)

    # --- keep-termer
    for k in keep:
        if not term_re(k).search(outside):
            err("keep-term %r finnes ikke utenfor merker" % k)
    for k in set(keep) | set(study["keep_terms"]):
        for txt, typ in marks:
            if term_re(k).search(txt):
                err("keep-term %r står inne i merket %r" % (k, txt))

    # --- tall
    for txt, typ in marks:
        if typ in ("FØDSELSNUMMER", "KONTONUMMER", "TELEFON"):
            if txt not in DIGITS:
                err("merket %r (%s) mangler i fasittabellen DIGITS" % (txt, typ)); continue
            want = DIGITS[txt]
            got = spoken_digits(txt)
            if typ == "TELEFON":
                got = phone_digits(got)
            if got != want:
                err("parser gir %s, tabell %s for %r" % (got, want, txt))
            if typ == "FØDSELSNUMMER" and not mod11_fnr(want):
                err("ugyldig fødselsnummer/D-nummer %s (%r)" % (want, txt))
            if typ == "KONTONUMMER" and not mod11_konto(want):
                err("ugyldig kontonummer %s (%r)" % (want, txt))
            if typ == "TELEFON" and len(want) != 8:
                err("telefon har ikke 8 sifre: %s" % want)
        if typ == "EPOST" and not ("@" in txt or re.search(r"\b(krøllalfa|at)\b", txt)):
            err("e-post uten @/krøllalfa: %r" % txt)

    # --- ord
    wtxt = re.sub(r"\[[^\]]*\]|\(uklart\)", " ", plain)
    words = [w for w in wtxt.split() if re.search(r"\w", w)]
    if not (WORDS_MIN <= len(words) <= WORDS_MAX):
        err("%d talte ord (skal være %d–%d)" % (len(words), WORDS_MIN, WORDS_MAX))
    if not (SPANS_MIN <= len(marks) <= SPANS_MAX):
        err("%d merker (skal være %d–%d)" % (len(marks), SPANS_MIN, SPANS_MAX))
    return {"fmt": fmt, "marks": marks, "words": len(words), "plain": plain}


def main():
    errors = []
    study = read_study(errors)
    files = sorted(f for f in os.listdir(SRC) if re.match(r"^s\d\.", f))
    res = {}
    for f in files:
        res[f] = check_file(os.path.join(SRC, f), study, errors)

    # --- informants.csv
    with open(os.path.join(HERE, "informants.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or list(rows[0].keys()) != ["id", "file", "group", "name", "role"]:
        errors.append("informants.csv: feil kolonner")
    built = {}
    for f in files:
        b = f[:-len(".docx.txt")] + ".docx" if f.endswith(".docx.txt") else f
        built[b] = f
    if len(rows) != len(files):
        errors.append("informants.csv: %d rader, %d filer" % (len(rows), len(files)))
    for r in rows:
        if r["file"] not in built:
            errors.append("informants.csv: ukjent fil %r" % r["file"]); continue
        if not r["file"].startswith(r["id"] + "."):
            errors.append("informants.csv: id %r passer ikke med %r" % (r["id"], r["file"]))
        if r["group"] not in study["groups"]:
            errors.append("informants.csv: ukjent gruppe %r" % r["group"])
        if not r["role"].strip():
            errors.append("informants.csv: tom rolle for %s" % r["id"])
        persons = [t.lower() for t, ty in res[built[r["file"]]]["marks"] if ty == "PERSON"]
        if r["name"].lower() not in persons:
            errors.append("informants.csv: navnet %r er ikke merket PERSON i %s" % (r["name"], r["file"]))

    # --- tabell
    cols = ["fil", "format", "ord"] + TYPES + ["sum"]
    short = {"ORGANISASJON": "ORG", "FØDSELSNUMMER": "FNR", "KONTONUMMER": "KONTO",
             "SAKSNUMMER": "SAK", "TELEFON": "TLF", "ADRESSE": "ADR"}
    head = ["fil", "format", "ord"] + [short.get(t, t) for t in TYPES] + ["sum"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    tot = {t: 0 for t in TYPES}
    totw = totm = 0
    for f in files:
        r = res[f]
        c = {t: sum(1 for _, ty in r["marks"] if ty == t) for t in TYPES}
        for t in TYPES:
            tot[t] += c[t]
        totw += r["words"]; totm += len(r["marks"])
        print("| " + " | ".join([f, r["fmt"], str(r["words"])] + [str(c[t]) for t in TYPES] + [str(len(r["marks"]))]) + " |")
    print("| " + " | ".join(["sum", "", str(totw)] + [str(tot[t]) for t in TYPES] + [str(totm)]) + " |")
    if errors:
        print("\nFEIL (%d):" % len(errors))
        for e in errors:
            print("  - " + e)
        sys.exit(1)
    print("\nOK: alle kontroller bestått.")


if __name__ == "__main__":
    main()
