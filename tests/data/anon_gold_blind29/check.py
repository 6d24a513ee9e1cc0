#!/usr/bin/env python3
"""Kontroll av blind gullstandard 29 (berre standardbiblioteket).
Køyr: python3 check.py   -> skriv OK og returnerer 0, elles feilmeldingar og returkode 1."""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
# Dette settet krev alle ti typane i kvar fil (briefen krev minst dei sju siste).
REQUIRED = list(TYPES)
EXT = {"txt": ".txt", "txt-cp1252": ".txt", "docx": ".docx.txt", "srt": ".srt", "vtt": ".vtt"}
TOOLNAME = {"txt": "{b}.txt", "txt-cp1252": "{b}.txt", "docx": "{b}.docx", "srt": "{b}.srt", "vtt": "{b}.vtt"}
MARK = re.compile(r"\[\[([^\[\]|]+)\|([^\[\]|]+)\]\]")
errors = []


def err(msg):
    errors.append(msg)


# ---------------------------------------------------------------- study.yaml
def parse_study(path):
    """Minimal parser for den enkle YAML-forma som study.yaml brukar."""
    st = {"groups": [], "group_labels": {}, "interviewer": [], "informant": [], "keep_terms": []}
    def flow(v):
        v = v.strip()
        if not (v.startswith("[") and v.endswith("]")):
            return None
        items = re.findall(r'"([^"]*)"|([^,\[\]\s][^,\[\]]*)', v[1:-1])
        return [a if a else b.strip() for a, b in items]
    def unq(v):
        v = v.strip()
        return v[1:-1] if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'" else v
    section = None
    sub = None
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        ind = len(line) - len(line.lstrip())
        body = line.strip()
        if ind == 0:
            k, _, v = body.partition(":")
            section, sub = k, None
            if k == "name":
                st["name"] = unq(v)
            elif k == "groups":
                st["groups"] = flow(v) or []
        elif body.startswith("- "):
            if section == "anonymisation" and sub == "keep_terms":
                st["keep_terms"].append(unq(body[2:]))
            elif section == "speaker_labels" and sub in ("interviewer", "informant"):
                st[sub].append(unq(body[2:]))
        else:
            k, _, v = body.partition(":")
            k = k.strip()
            if section == "group_labels":
                st["group_labels"][k] = unq(v)
            elif section in ("speaker_labels", "anonymisation"):
                sub = k
                fl = flow(v) if v.strip() else None
                if fl is not None:
                    st[k] = fl
    return st


# ---------------------------------------------------------------- talnormalisering
UNITS = {"null": 0, "en": 1, "ein": 1, "ei": 1, "én": 1, "ett": 1, "eitt": 1, "eit": 1,
         "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "sjau": 7,
         "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "elve": 11, "tolv": 12, "tretten": 13, "trettan": 13,
         "fjorten": 14, "fjortan": 14, "femten": 15, "femtan": 15, "seksten": 16, "sekstan": 16,
         "sytten": 17, "syttan": 17, "atten": 18, "attan": 18, "nitten": 19, "nittan": 19}
TENS = {"tjue": 20, "tjuge": 20, "tyve": 20, "tretti": 30, "tredve": 30, "førti": 40,
        "fyrti": 40, "førr": 40, "femti": 50, "seksti": 60, "sytti": 70, "åtti": 80, "nitti": 90}
ORD_UNITS = {"første": 1, "fyrste": 1, "andre": 2, "tredje": 3, "tridje": 3, "fjerde": 4,
             "fjorde": 4, "femte": 5, "sjette": 6, "sjuende": 7, "sjuande": 7, "syvende": 7,
             "åttende": 8, "åttande": 8, "niende": 9, "niande": 9}
ORDINALS = dict(ORD_UNITS)
ORDINALS.update({"tiende": 10, "tiande": 10, "ellevte": 11, "tolvte": 12, "trettende": 13,
                 "trettande": 13, "fjortende": 14, "fjortande": 14, "femtende": 15,
                 "femtande": 15, "sekstende": 16, "sekstande": 16, "syttende": 17,
                 "syttande": 17, "attende": 18, "attande": 18, "nittende": 19, "nittande": 19,
                 "tjuende": 20, "tjuande": 20, "tjugande": 20, "trettiende": 30, "trettiande": 30})
CORRECTION = {"nei", "unnskyld", "orsak", "feil"}
DOUBLE = {"dobbel", "dobbelt", "dobbelt-"}
UNIT_RE = "|".join(sorted((k for k, v in UNITS.items() if v > 0), key=len, reverse=True))
TENS_RE = "|".join(sorted(TENS, key=len, reverse=True))


def word_value(tok):
    """Returnerer (siffertekst, kind) for eit ord, kind i unit/teen/tens/compound/ordinal."""
    if tok.isdigit():
        return tok, "digits"
    if tok in UNITS:
        return str(UNITS[tok]), "unit"
    if tok in TEENS:
        return str(TEENS[tok]), "teen"
    if tok in TENS:
        return str(TENS[tok]), "tens"
    if tok in ORDINALS:
        return "%02d" % ORDINALS[tok], "ordinal"
    for t in sorted(TENS, key=len, reverse=True):            # tjuefem, syttiåtte, tjueandre
        if tok.startswith(t) and len(tok) > len(t):
            rest = tok[len(t):]
            if rest in UNITS and UNITS[rest] > 0:
                return str(TENS[t] + UNITS[rest]), "compound"
            if rest in ORD_UNITS:
                return "%02d" % (TENS[t] + ORD_UNITS[rest]), "ordinal"
    m = re.fullmatch(r"(%s)og(%s)" % (UNIT_RE, TENS_RE), tok)  # femogtjue
    if m:
        return str(TENS[m.group(2)] + UNITS[m.group(1)]), "compound"
    return None, None


def normalise(text, typ=None):
    raw = text.strip().lower()
    cc = bool(re.match(r"(\+|00|pluss\s)", raw))
    t = re.sub(r"(\d)([^\d\s])", r"\1 \2", raw)
    t = re.sub(r"([^\d\s])(\d)", r"\1 \2", t)
    toks = [x for x in re.split(r"[\s.,\-/–—:;()…+]+", t) if x]
    segments = [[]]
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok in CORRECTION:
            segments.append([]); i += 1; continue
        if tok in DOUBLE and i + 1 < len(toks):
            v, k = word_value(toks[i + 1])
            if v is not None:
                segments[-1].append(v * 2); i += 2; continue
        # "fem og førti"
        if tok in UNITS and UNITS[tok] > 0 and i + 2 < len(toks) and toks[i + 1] == "og" and toks[i + 2] in TENS:
            segments[-1].append(str(TENS[toks[i + 2]] + UNITS[tok])); i += 3; continue
        v, k = word_value(tok)
        if v is None:
            i += 1; continue          # fyllord (i, og, pluss ...) blir ignorerte
        if k == "tens" and i + 1 < len(toks) and toks[i + 1] in UNITS and UNITS[toks[i + 1]] > 0:
            v = str(int(v) + UNITS[toks[i + 1]]); i += 1      # "seksti sju"
        segments[-1].append(v); i += 1
    digits = "".join(segments[0])
    for seg in segments[1:]:
        s = "".join(seg)
        if not s:
            continue
        digits = digits[:-len(s)] + s if len(s) <= len(digits) else s
    if typ == "TELEFON" and cc:
        if digits.startswith("0047"):
            digits = digits[4:]
        elif digits.startswith("47") and len(digits) == 10:
            digits = digits[2:]
    return digits


def fnr_ok(d):
    if not re.fullmatch(r"\d{11}", d):
        return "ikkje 11 siffer"
    n = [int(c) for c in d]
    k1 = 11 - sum(a * b for a, b in zip(n, [3, 7, 6, 1, 8, 9, 4, 5, 2])) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(n, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11
    k2 = 0 if k2 == 11 else k2
    if k1 == 10 or k2 == 10 or k1 != n[9] or k2 != n[10]:
        return "feil kontrollsiffer"
    day, mon = int(d[:2]), int(d[2:4])
    if day > 40:
        day -= 40            # D-nummer
    if not (1 <= day <= 31 and 1 <= mon <= 12):
        return "ugyldig dato"
    return None


def konto_ok(d):
    if not re.fullmatch(r"\d{11}", d):
        return "ikkje 11 siffer"
    n = [int(c) for c in d]
    k = 11 - sum(a * b for a, b in zip(n, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11
    k = 0 if k == 11 else k
    if k == 10 or k != n[10]:
        return "feil kontrollsiffer"
    return None


NUMLEN = {"TELEFON": 8, "FØDSELSNUMMER": 11, "KONTONUMMER": 11}
VALID = {"TELEFON": lambda d: None if re.fullmatch(r"\d{8}", d) else "ikkje 8 siffer",
         "FØDSELSNUMMER": fnr_ok, "KONTONUMMER": konto_ok}


def self_test():
    cases = [("fjortande i tredje syttiåtte ett tre sju, tre åtte", "14037813738"),
             ("fem og førti dobbel null", "4500"), ("tjueseks ti, seksti sju", "261067"),
             ("åtte tre – nei, åtte to", "82"), ("fem tre null sju nei seks", "5306"),
             ("+47 958 01 336", "95801336"), ("femogtjue", "25"), ("tjueandre", "22"),
             ("nittien fire", "914"), ("førti, null ein", "4001"), ("orsak", "")]
    for txt, want in cases:
        got = normalise(txt, "TELEFON" if txt.startswith("+") else None)
        if got != want:
            err("normaliserar-sjølvtest: %r -> %r, venta %r" % (txt, got, want))


# ---------------------------------------------------------------- filer
def read_source(path):
    data = open(path, "rb").read()
    first = data.split(b"\n", 1)[0].decode("ascii", "replace").strip()
    m = re.fullmatch(r"#format:\s*(\S+)", first)
    if not m or m.group(1) not in EXT:
        err("%s: linje 1 må vere '#format: txt|txt-cp1252|docx|srt|vtt'" % path)
        return None, None
    fmt = m.group(1)
    if fmt == "txt-cp1252":
        try:
            data.decode("utf-8")
            if any(b > 127 for b in data):
                err("%s: txt-cp1252 men fila er gyldig UTF-8" % path)
        except UnicodeDecodeError:
            pass
        text = data.decode("cp1252")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            err("%s: ikkje UTF-8: %s" % (path, e)); return fmt, None
    return fmt, text.replace("\r\n", "\n")


TXT_LABEL = re.compile(r"^(?:\[\d{2}:\d{2}:\d{2}\]\s*)?([^\s:\[\]<>][^:\[\]<>]{0,24}?):\s")


def turns_and_labels(fname, fmt, lines):
    """Returnerer (labels brukt, indeks til første linje med talarmerke)."""
    labels, first = [], None
    if fmt in ("txt", "txt-cp1252", "docx"):
        for i, l in enumerate(lines):
            if i < 2 or not l.strip():
                continue
            m = TXT_LABEL.match(l)
            if m:
                labels.append(m.group(1)); first = i if first is None else first
            elif first is not None:
                err("%s linje %d: tur utan talarmerke: %r" % (fname, i + 1, l[:50]))
    else:
        timing = re.compile(r"^\d{2}:\d{2}(:\d{2})?[.,]\d{3} --> \d{2}:\d{2}(:\d{2})?[.,]\d{3}")
        in_cue = False
        for i, l in enumerate(lines):
            if i < 2:
                continue
            if timing.match(l):
                in_cue = True; continue
            if not l.strip():
                in_cue = False; continue
            if not in_cue:
                if MARK.search(l):
                    err("%s linje %d: merke utanfor cue-tekst" % (fname, i + 1))
                continue
            vt = re.findall(r"<v(?:\.[\w.]+)?\s+([^>]+)>", l)
            m = TXT_LABEL.match(l) if not vt else None
            found = vt or ([m.group(1)] if m else [])
            if found:
                labels.extend(x.strip() for x in found); first = i if first is None else first
            elif first is None:
                err("%s linje %d: første cue manglar talarmerke" % (fname, i + 1))
    return labels, first


def main():
    self_test()
    st = parse_study(os.path.join(HERE, "study.yaml"))
    if st.get("name") != "Blind gullstandard 29 for anonymisering (syntetisk)":
        err("study.yaml: feil name")
    for g in st["groups"]:
        if g not in st["group_labels"]:
            err("study.yaml: gruppe %s manglar i group_labels" % g)
    declared = set(st["interviewer"]) | set(st["informant"])
    if not st["interviewer"] or not st["informant"]:
        err("study.yaml: speaker_labels manglar")
    src = os.path.join(HERE, "source")
    files = sorted(f for f in os.listdir(src) if not f.startswith("."))
    bases = {}
    for f in files:
        b = f.split(".")[0]
        if b in bases:
            err("source: to filer for %s" % b)
        bases[b] = f
    if sorted(bases) != ["s1", "s2", "s3"]:
        err("source: venta s1, s2, s3, fann %s" % files)
    keep_union, table, toolnames = [], [], {}
    for b in sorted(bases):
        f = bases[b]; path = os.path.join(src, f)
        fmt, text = read_source(path)
        if text is None:
            continue
        if not f == b + EXT[fmt]:
            err("%s: filending passar ikkje med format %s" % (f, fmt))
        toolnames[b] = TOOLNAME[fmt].format(b=b)
        lines = text.split("\n")
        km = re.fullmatch(r"#keep:\s*(.*)", lines[1].strip()) if len(lines) > 1 else None
        if not km:
            err("%s: linje 2 må vere '#keep: ...'" % f); keep = []
        else:
            keep = [k.strip() for k in km.group(1).split(";") if k.strip()]
        for k in keep:
            if k not in keep_union:
                keep_union.append(k)
        # merkesyntaks
        marks = []
        for i, l in enumerate(lines):
            if i < 2:
                continue
            for m in MARK.finditer(l):
                marks.append((i, m.group(1), m.group(2)))
                if m.group(2) not in TYPES:
                    err("%s linje %d: ukjend type %r" % (f, i + 1, m.group(2)))
                if m.group(1) != m.group(1).strip():
                    err("%s linje %d: merketekst med mellomrom i kanten: %r" % (f, i + 1, m.group(1)))
            rest = MARK.sub("", l)
            if "[[" in rest or "]]" in rest or re.search(r"\|[A-ZÆØÅ]{4,}\]", rest):
                err("%s linje %d: øydelagt eller nøsta merke: %r" % (f, i + 1, l[:80]))
        labels, first = turns_and_labels(f, fmt, lines)
        for lab in sorted(set(labels)):
            if lab not in declared:
                err("%s: talarmerke %r ikkje deklarert i study.yaml" % (f, lab))
        if first is None:
            err("%s: ingen talarmerke funne" % f)
        else:
            for (i, t, ty) in marks:
                if i < first:
                    err("%s linje %d: merke i tittellinje før første talar" % (f, i + 1))
        types = [ty for _, _, ty in marks]
        for r in REQUIRED:
            if r not in types:
                err("%s: manglar type %s" % (f, r))
        # keep-termar i umerkt tekst
        plain_unmarked = MARK.sub(" \u2063 ", "\n".join(lines[2:]))
        for k in keep:
            if not re.search(r"(?<!\w)%s(?!\w)" % re.escape(k), plain_unmarked):
                err("%s: keep-term %r finst ikkje umerkt i fila" % (f, k))
        # tal
        for typ, L in NUMLEN.items():
            buf, parts = "", []
            for (i, t, ty) in marks:
                if ty != typ:
                    continue
                d = normalise(t, typ)
                if not d:
                    err("%s linje %d: %s utan siffer: %r" % (f, i + 1, typ, t)); continue
                buf += d; parts.append(t)
                if len(buf) < L:
                    continue
                if len(buf) > L:
                    err("%s: %s %r gav %s (%d siffer, venta %d)" % (f, typ, " + ".join(parts), buf, len(buf), L))
                else:
                    why = VALID[typ](buf)
                    if why:
                        err("%s: %s %r -> %s: %s" % (f, typ, " + ".join(parts), buf, why))
                buf, parts = "", []
            if buf:
                err("%s: %s %r ufullstendig (%s)" % (f, typ, " + ".join(parts), buf))
        # ordteljing: tekst etter første talar, utan merkesyntaks, tidskoder, talarmerke og cue-nummer
        body = []
        for l in lines[first if first is not None else 2:]:
            if re.match(r"^\d+$", l.strip()) or "-->" in l:
                continue
            l = re.sub(r"<v[^>]*>|</v>", " ", l)
            l = re.sub(r"^\[\d{2}:\d{2}:\d{2}\]\s*", "", l)
            l = MARK.sub(lambda m: m.group(1), l)
            body.append(l)
        words = len(" ".join(body).split())
        table.append((toolnames[b], fmt, words, {t: types.count(t) for t in TYPES}, len(marks)))
    if st["keep_terms"] != keep_union:
        err("study.yaml: keep_terms er ikkje lik unionen av #keep-listene\n  yaml: %s\n  filer: %s" % (st["keep_terms"], keep_union))
    # informants.csv
    with open(os.path.join(HERE, "informants.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows or rows[0] != ["id", "file", "group", "name", "role"]:
        err("informants.csv: feil header")
    rows = rows[1:]
    if len(rows) != len(toolnames):
        err("informants.csv: %d rader, venta %d" % (len(rows), len(toolnames)))
    ids = set()
    seen = set()
    for r in rows:
        if len(r) != 5:
            err("informants.csv: rad med %d felt: %s" % (len(r), r)); continue
        if r[0] in ids:
            err("informants.csv: dobbel id %s" % r[0])
        ids.add(r[0])
        if r[1] not in toolnames.values():
            err("informants.csv: ukjend fil %s" % r[1])
        seen.add(r[1])
        if r[2] not in st["groups"]:
            err("informants.csv: ukjend gruppe %s" % r[2])
    for v in toolnames.values():
        if v not in seen:
            err("informants.csv: manglar rad for %s" % v)
    # tabell
    short = {"PERSON": "PER", "STED": "STED", "ORGANISASJON": "ORG", "ADRESSE": "ADR",
             "TELEFON": "TLF", "EPOST": "EPOST", "DATO": "DATO", "FØDSELSNUMMER": "FNR",
             "KONTONUMMER": "KONTO", "SAKSNUMMER": "SAK"}
    head = ["fil", "format", "ord"] + [short[t] for t in TYPES] + ["sum"]
    rowsout = [[n, fm, str(w)] + [str(c[t]) for t in TYPES] + [str(s)] for n, fm, w, c, s in table]
    tot = ["TOTALT", "", str(sum(x[2] for x in table))] + \
          [str(sum(x[3][t] for x in table)) for t in TYPES] + [str(sum(x[4] for x in table))]
    allrows = [head] + rowsout + [tot]
    wid = [max(len(r[i]) for r in allrows) for i in range(len(head))]
    for r in allrows:
        print("  ".join(c.ljust(wid[i]) if i < 2 else c.rjust(wid[i]) for i, c in enumerate(r)))
    if errors:
        print("\nFEIL (%d):" % len(errors))
        for e in errors:
            print(" - " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
