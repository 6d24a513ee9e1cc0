#!/usr/bin/env python3
"""Kontroll av blind gullstandard 30 (kun standardbiblioteket).

Kjør: python3 check.py   (avslutter med kode 1 ved feil)
"""
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = [
    ("source/s1.docx.txt", "s1.docx", "docx"),
    ("source/s2.srt", "s2.srt", "srt"),
    ("source/s3.txt", "s3.txt", "txt"),
]
TYPES = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST",
         "DATO", "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
REQUIRED = ["FØDSELSNUMMER", "KONTONUMMER", "TELEFON", "EPOST", "ADRESSE",
            "SAKSNUMMER", "DATO"]
# I dette settet skal hver fil ha alle typer; de sju over er absolutte krav.
REQUIRED_ALL = True
FORMATS = {"txt", "txt-cp1252", "docx", "srt", "vtt"}
MARK_RE = re.compile(r"\[\[([^\[\]|]+)\|([^\[\]|]+)\]\]")
LABEL_RE = re.compile(r"^([A-Za-zÆØÅæøå0-9_]+):\s")
VOICE_RE = re.compile(r"^<v\s+([^>]+)>")
TS_RE = re.compile(r"^(\d\d):(\d\d):(\d\d)[,.](\d\d\d) --> (\d\d):(\d\d):(\d\d)[,.](\d\d\d)$")

errors = []
warnings = []


def err(msg):
    errors.append(msg)


def warn(msg):
    warnings.append(msg)


# ---------------------------------------------------------------- mini-YAML
def _scalar(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    return s


def _split_flow(s):
    out, cur, q, depth = [], "", None, 0
    for ch in s:
        if q:
            cur += ch
            if ch == q:
                q = None
        elif ch in "\"'":
            q = ch
            cur += ch
        elif ch in "[{":
            depth += 1
            cur += ch
        elif ch in "]}":
            depth -= 1
            cur += ch
        elif ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def _value(v):
    v = v.strip()
    if v.startswith("["):
        assert v.endswith("]"), v
        return [_scalar(x) for x in _split_flow(v[1:-1]) if x.strip()]
    if v.startswith("{"):
        assert v.endswith("}"), v
        d = {}
        for item in _split_flow(v[1:-1]):
            k, _, val = item.partition(":")
            d[_scalar(k)] = _scalar(val)
        return d
    return _scalar(v)


def load_yaml(path):
    root = {}
    stack = [(-1, root)]
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            ind = len(raw) - len(raw.lstrip(" "))
            key, _, val = raw.strip().partition(":")
            while stack and stack[-1][0] >= ind:
                stack.pop()
            parent = stack[-1][1]
            if val.strip() == "":
                parent[key] = {}
                stack.append((ind, parent[key]))
            else:
                parent[key] = _value(val)
    return root


# ---------------------------------------------------------------- normaliser
UNITS = {"null": 0, "en": 1, "én": 1, "ein": 1, "eitt": 1, "ett": 1, "to": 2,
         "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7,
         "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "elve": 11, "tolv": 12, "tretten": 13,
         "trettan": 13, "fjorten": 14, "fjortan": 14, "femten": 15,
         "femtan": 15, "seksten": 16, "sekstan": 16, "sytten": 17,
         "syttan": 17, "atten": 18, "attan": 18, "nitten": 19, "nittan": 19}
TENS = {"tjue": 20, "tyve": 20, "tretti": 30, "tredve": 30, "førti": 40,
        "fyrti": 40, "femti": 50, "seksti": 60, "sytti": 70, "søtti": 70,
        "åtti": 80, "nitti": 90}
ORD_UNITS = {"første": 1, "fyrste": 1, "andre": 2, "tredje": 3, "fjerde": 4,
             "femte": 5, "sjette": 6, "sjuende": 7, "syvende": 7,
             "sjuande": 7, "åttende": 8, "åttande": 8, "niende": 9,
             "niande": 9}
ORD_TEENS = {"tiende": 10, "tiande": 10, "ellevte": 11, "tolvte": 12,
             "trettende": 13, "trettande": 13, "fjortende": 14,
             "fjortande": 14, "femtende": 15, "femtande": 15,
             "sekstende": 16, "sekstande": 16, "syttende": 17,
             "syttande": 17, "attende": 18, "attande": 18, "nittende": 19,
             "nittande": 19}
ORD_TENS = {"tjuende": 20, "tjuande": 20, "tyvende": 20, "trettiende": 30,
            "trettiande": 30}
CORRECTION = {"nei", "unnskyld", "orsak", "feil"}
DOUBLE = {"dobbel": 2, "dobbelt": 2, "dobbel-": 2, "trippel": 3}

_u = "|".join(sorted(UNITS, key=len, reverse=True))
_t = "|".join(sorted(TENS, key=len, reverse=True))
_ou = "|".join(sorted(ORD_UNITS, key=len, reverse=True))
_ot = "|".join(sorted(ORD_TENS, key=len, reverse=True))
RE_TENS_UNIT = re.compile(rf"^({_t})({_u})$")           # tjuefem
RE_UNIT_OG_TENS = re.compile(rf"^({_u})og({_t})$")       # femogtjue
RE_TENS_ORD = re.compile(rf"^({_t})({_ou})$")            # tjueførste
RE_UNIT_OG_ORDT = re.compile(rf"^({_u})og({_ot})$")      # enogtjuende


def word_value(w):
    """Return (digits, kind) for one token; kind in unit/tens/num/ord/None."""
    if w.isdigit():
        return w, "num"
    if w in UNITS:
        return str(UNITS[w]), "unit"
    if w in TEENS:
        return str(TEENS[w]), "num"
    if w in TENS:
        return str(TENS[w]), "tens"
    if w in ORD_UNITS:
        return "%02d" % ORD_UNITS[w], "ord"
    if w in ORD_TEENS:
        return "%02d" % ORD_TEENS[w], "ord"
    if w in ORD_TENS:
        return "%02d" % ORD_TENS[w], "ord"
    m = RE_TENS_UNIT.match(w)
    if m:
        return str(TENS[m.group(1)] + UNITS[m.group(2)]), "num"
    m = RE_UNIT_OG_TENS.match(w)
    if m:
        return str(TENS[m.group(2)] + UNITS[m.group(1)]), "num"
    m = RE_TENS_ORD.match(w)
    if m:
        return "%02d" % (TENS[m.group(1)] + ORD_UNITS[m.group(2)]), "ord"
    m = RE_UNIT_OG_ORDT.match(w)
    if m:
        t = ORD_TENS[m.group(2)]
        return "%02d" % (t + UNITS[m.group(1)]), "ord"
    d = re.sub(r"\D", "", w)
    if d:
        return d, "num"
    return None, None


def tokens(text):
    text = text.lower().replace("+", " pluss ")
    raw = re.split(r"[\s.,\-/–—]+", text)
    out = []
    for t in raw:
        t = t.strip("«»\"'()[]?!:;…")
        if t:
            out.append(t)
    return out


def normalise(text):
    """Spoken/written number -> digit string.

    Returns (digits, country_code_flag)."""
    toks = tokens(text)
    items = []          # digit strings or None for correction marker
    country = "pluss" in toks
    i = 0
    while i < len(toks):
        w = toks[i]
        if w in CORRECTION:
            if not items or items[-1] is not None:
                items.append(None)
            i += 1
            continue
        if w in DOUBLE and i + 1 < len(toks):
            d, k = word_value(toks[i + 1])
            if d is not None:
                items.append(d * DOUBLE[w])
                i += 2
                continue
        d, kind = word_value(w)
        if d is None:
            i += 1
            continue
        # "fem og tjue" (tre tokens)
        if kind == "unit" and i + 2 < len(toks) and toks[i + 1] == "og" \
                and toks[i + 2] in TENS:
            items.append(str(TENS[toks[i + 2]] + int(d)))
            i += 3
            continue
        if kind == "unit" and i + 2 < len(toks) and toks[i + 1] == "og" \
                and toks[i + 2] in ORD_TENS:
            items.append("%02d" % (ORD_TENS[toks[i + 2]] + int(d)))
            i += 3
            continue
        # "tjue fem" / "seksti, to" -> to sifre
        if kind == "tens" and i + 1 < len(toks) and toks[i + 1] in UNITS:
            items.append(str(int(d) + UNITS[toks[i + 1]]))
            i += 2
            continue
        if kind == "tens" and i + 1 < len(toks) and toks[i + 1] in ORD_UNITS:
            items.append("%02d" % (int(d) + ORD_UNITS[toks[i + 1]]))
            i += 2
            continue
        items.append(d)
        i += 1
    result, buf = "", None

    def apply(res, b):
        if not b:
            return res
        if len(b) >= len(res):
            return b
        return res[:-len(b)] + b

    for it in items:
        if it is None:
            if buf is not None:
                result = apply(result, buf)
            buf = ""
        elif buf is None:
            result += it
        else:
            buf += it
    if buf is not None:
        result = apply(result, buf)
    return result, country


def selftest():
    cases = [
        ("67 50 44 12", "67504412"),
        ("ni to fire", "924"),
        ("åtte sju null dobbel tre", "87033"),
        ("fem og tjue", "25"),
        ("femogtjue", "25"),
        ("seksti to, elleve, åttifem", "621185"),
        ("fjortende null tre syttini", "140379"),
        ("tredje i andre", "0302"),
        ("enogtjuende", "21"),
        ("tjueførste", "21"),
        ("ein to tre", "123"),
        ("fire sju seks fem tre tre åtti en, nei unnskyld, to tre åtti en", "47652381"),
        ("1503.27.03647", "15032703647"),
        ("nittan tolv", "1912"),
        ("orsak", ""),
        ("tolv tretti, feil, tretti fire", "1234"),
    ]
    for src, want in cases:
        got, _ = normalise(src)
        if got != want:
            err(f"normaliser-selvtest: {src!r} -> {got!r}, ventet {want!r}")


# ---------------------------------------------------------------- validators
def fnr_valid(s):
    if len(s) != 11 or not s.isdigit():
        return False, "ikke 11 sifre"
    d = [int(c) for c in s]
    day, month = int(s[0:2]), int(s[2:4])
    if day > 40:
        day -= 40            # D-nummer
    if month > 40:
        month -= 40          # H-nummer
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False, "ugyldig dato"
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k1 = 11 - sum(a * b for a, b in zip(d, w1)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10 or k1 != d[9]:
        return False, "feil kontrollsiffer 1"
    k2 = 11 - sum(a * b for a, b in zip(d, w2)) % 11
    k2 = 0 if k2 == 11 else k2
    if k2 == 10 or k2 != d[10]:
        return False, "feil kontrollsiffer 2"
    return True, ""


def kto_valid(s):
    if len(s) != 11 or not s.isdigit():
        return False, "ikke 11 sifre"
    d = [int(c) for c in s]
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k = 11 - sum(a * b for a, b in zip(d, w)) % 11
    k = 0 if k == 11 else k
    if k == 10 or k != d[10]:
        return False, "feil kontrollsiffer"
    return True, ""


def tel_valid(s):
    if len(s) != 8 or not s.isdigit():
        return False, "ikke 8 sifre"
    if s[0] in "01":
        return False, "norske nummer begynner ikke på 0/1"
    return True, ""


NUMBER_TYPES = {"FØDSELSNUMMER": (11, fnr_valid),
                "KONTONUMMER": (11, kto_valid),
                "TELEFON": (8, tel_valid)}


def check_numbers(fname, marks):
    for typ, (length, fn) in NUMBER_TYPES.items():
        ms = [m for m in marks if m[1] == typ]
        i = 0
        while i < len(ms):
            digits, country = normalise(ms[i][0])
            need = length
            if typ == "TELEFON":
                if country:
                    need += 2
                elif digits.startswith("0047"):
                    need += 4
            parts = [ms[i][0]]
            j = i
            while len(digits) < need and j + 1 < len(ms):
                j += 1
                d2, _ = normalise(ms[j][0])
                digits += d2
                parts.append(ms[j][0])
            if typ == "TELEFON" and need > length:
                if digits.startswith("0047"):
                    digits = digits[4:]
                elif digits.startswith("47"):
                    digits = digits[2:]
            ok, why = fn(digits)
            if not ok:
                err(f"{fname}: {typ} {' + '.join(parts)!r} -> {digits!r}: {why}")
            i = j + 1


# ---------------------------------------------------------------- files
def strip_marks(s):
    return MARK_RE.sub(lambda m: m.group(1), s)


def word_re(term):
    return re.compile(r"(?<![\wÆØÅæøå])" + re.escape(term) + r"(?![\wÆØÅæøå])")


def parse_body(fname, fmt, lines):
    """Return list of (line_text, label_or_None, is_title) for content lines."""
    out = []
    if fmt in ("srt", "vtt"):
        blocks, cur = [], []
        for ln in lines:
            if ln.strip() == "":
                if cur:
                    blocks.append(cur)
                cur = []
            else:
                cur.append(ln)
        if cur:
            blocks.append(cur)
        if fmt == "vtt":
            if not blocks or not blocks[0][0].startswith("WEBVTT"):
                err(f"{fname}: vtt mangler WEBVTT")
            blocks = blocks[1:]
        last_end, expect = -1.0, 1
        for b in blocks:
            idx = 0
            if fmt == "srt":
                if not b[0].strip().isdigit():
                    err(f"{fname}: cue uten nummer: {b[0]!r}")
                elif int(b[0]) != expect:
                    err(f"{fname}: cue-nummer {b[0]} ventet {expect}")
                expect += 1
                idx = 1
            elif not TS_RE.match(b[0].replace(".", ",")):
                idx = 1
            m = TS_RE.match(b[idx].strip()) if idx < len(b) else None
            if not m:
                err(f"{fname}: ugyldig tidskode {b[idx] if idx < len(b) else ''!r}")
                continue
            g = [int(x) for x in m.groups()]
            st = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
            en = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
            if en <= st or st < last_end:
                err(f"{fname}: tidskoder ikke stigende ved {b[idx]!r}")
            last_end = en
            for k, tl in enumerate(b[idx + 1:]):
                lab = None
                mm = LABEL_RE.match(tl) or VOICE_RE.match(tl)
                if mm and k == 0:
                    lab = mm.group(1).strip()
                out.append((tl, lab, False))
        if out and out[0][1] is None:
            err(f"{fname}: første cue mangler talerlabel")
    else:
        seen_label = False
        for ln in lines:
            if not ln.strip():
                continue
            mm = LABEL_RE.match(ln)
            if mm:
                seen_label = True
                out.append((ln, mm.group(1), False))
            elif not seen_label:
                out.append((ln, None, True))
            else:
                err(f"{fname}: linje uten talerlabel: {ln[:60]!r}")
    return out


def main():
    selftest()
    study = load_yaml(os.path.join(HERE, "study.yaml"))
    if study.get("name") != "Blind gullstandard 30 for anonymisering (syntetisk)":
        err("study.yaml: feil name")
    groups = study.get("groups", [])
    if set(study.get("group_labels", {})) != set(groups):
        err("study.yaml: group_labels stemmer ikke med groups")
    sl = study.get("speaker_labels", {})
    interviewer = set(sl.get("interviewer", []))
    informant = set(sl.get("informant", []))
    if interviewer & informant:
        err("study.yaml: label både intervjuer og informant")
    declared = interviewer | informant
    keep_yaml = study.get("anonymisation", {}).get("keep_terms", [])
    keep_union = []
    used_labels = set()
    table = []

    for rel, toolname, ext_fmt in SOURCES:
        path = os.path.join(HERE, rel)
        if not os.path.exists(path):
            err(f"mangler {rel}")
            continue
        raw = open(path, "rb").read()
        first = raw.split(b"\n", 1)[0].decode("ascii", "replace").strip()
        enc = "cp1252" if first == "#format: txt-cp1252" else "utf-8"
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError as e:
            err(f"{rel}: kan ikke dekodes som {enc}: {e}")
            continue
        lines = text.split("\n")
        m = re.match(r"^#format: (\S+)$", lines[0])
        if not m or m.group(1) not in FORMATS:
            err(f"{rel}: linje 1 må være #format: ...")
            continue
        fmt = m.group(1)
        if fmt.split("-")[0] != ext_fmt:
            err(f"{rel}: format {fmt} passer ikke med filnavn")
        if not lines[1].startswith("#keep:"):
            err(f"{rel}: linje 2 må være #keep: ...")
        keep = [k.strip() for k in lines[1][6:].split(";") if k.strip()]
        for k in keep:
            if k not in keep_union:
                keep_union.append(k)
        body_lines = lines[2:]
        body = "\n".join(body_lines)

        # mark syntax
        leftover = MARK_RE.sub("", body)
        for bad in ("[[", "]]"):
            if bad in leftover:
                pos = leftover.index(bad)
                err(f"{rel}: ugyldig/nestet merke nær {leftover[max(0, pos-30):pos+30]!r}")
        marks = [(mm.group(1), mm.group(2)) for mm in MARK_RE.finditer(body)]
        counts = {t: 0 for t in TYPES}
        for mt, typ in marks:
            if typ not in TYPES:
                err(f"{rel}: ukjent type {typ!r} ({mt!r})")
                continue
            counts[typ] += 1
            if mt != mt.strip():
                err(f"{rel}: merke med mellomrom i kant: {mt!r}")
            if typ == "DATO" and re.match(r"(?i)^den\s", mt):
                err(f"{rel}: 'den' skal ikke være med i DATO: {mt!r}")
        need = TYPES if REQUIRED_ALL else REQUIRED
        for t in need:
            if counts[t] == 0:
                err(f"{rel}: mangler type {t}")
        if not 30 <= len(marks) <= 60:
            warn(f"{rel}: {len(marks)} merker (mål ~40)")

        # labels / title lines
        content = parse_body(rel, fmt, body_lines)
        for ln, lab, is_title in content:
            if is_title and MARK_RE.search(ln):
                err(f"{rel}: tittellinje med merke: {ln!r}")
            if lab is not None:
                used_labels.add(lab)
                if lab not in declared:
                    err(f"{rel}: talerlabel {lab!r} ikke deklarert i study.yaml")
        file_labels = {lab for _, lab, _ in content if lab}
        if not (file_labels & interviewer) or not (file_labels & informant):
            err(f"{rel}: trenger både intervjuer- og informantlabel")

        # keep terms
        plain_outside = MARK_RE.sub(" ", body)
        mark_texts = {mt for mt, _ in marks}
        for k in keep:
            if not word_re(k).search(plain_outside):
                err(f"{rel}: keep-term {k!r} finnes ikke umerket i filen")
            if k in mark_texts:
                err(f"{rel}: keep-term {k!r} er også et helt merke")

        check_numbers(rel, marks)

        # word count
        wtext = []
        for ln, lab, is_title in content:
            s = strip_marks(ln)
            if lab:
                s = LABEL_RE.sub("", s, count=1) if LABEL_RE.match(s) else VOICE_RE.sub("", s, count=1)
            wtext.append(s)
        words = len(" ".join(wtext).split())
        if not 600 <= words <= 850:
            warn(f"{rel}: {words} ord (mål 650–800)")
        table.append((toolname, words, counts, len(marks)))

    if set(keep_yaml) != set(keep_union):
        err("study.yaml keep_terms er ikke unionen av #keep-listene: "
            f"mangler {sorted(set(keep_union) - set(keep_yaml))}, "
            f"ekstra {sorted(set(keep_yaml) - set(keep_union))}")
    for lab in declared - used_labels:
        warn(f"label {lab!r} deklarert men ikke brukt")

    # informants.csv
    with open(os.path.join(HERE, "informants.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows or rows[0] != ["id", "file", "group", "name", "role"]:
        err("informants.csv: feil header")
    data = rows[1:]
    files = [r[1] for r in data if len(r) == 5]
    if len(data) != len(SOURCES) or sorted(files) != sorted(s[1] for s in SOURCES):
        err("informants.csv: må ha én rad per fil (s1.docx, s2.srt, s3.txt)")
    ids = [r[0] for r in data]
    if len(set(ids)) != len(ids):
        err("informants.csv: dupliserte id-er")
    for r in data:
        if len(r) != 5:
            err(f"informants.csv: feil antall felt: {r}")
        elif r[2] not in groups:
            err(f"informants.csv: ukjent gruppe {r[2]!r}")
        elif not r[3].strip():
            err(f"informants.csv: tomt navn for {r[1]}")

    # table
    short = {"PERSON": "PER", "STED": "STED", "ORGANISASJON": "ORG",
             "ADRESSE": "ADR", "TELEFON": "TLF", "EPOST": "EPOST",
             "DATO": "DATO", "FØDSELSNUMMER": "FNR", "KONTONUMMER": "KTO",
             "SAKSNUMMER": "SAK"}
    hdr = ["fil", "ord"] + [short[t] for t in TYPES] + ["sum"]
    rows_out = [hdr]
    tot = {t: 0 for t in TYPES}
    tw = tm = 0
    for name, words, counts, n in table:
        rows_out.append([name, str(words)] + [str(counts[t]) for t in TYPES] + [str(n)])
        for t in TYPES:
            tot[t] += counts[t]
        tw += words
        tm += n
    rows_out.append(["totalt", str(tw)] + [str(tot[t]) for t in TYPES] + [str(tm)])
    widths = [max(len(r[i]) for r in rows_out) for i in range(len(hdr))]
    for r in rows_out:
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
    for w in warnings:
        print("ADVARSEL:", w)
    if errors:
        for e in errors:
            print("FEIL:", e)
        print(f"{len(errors)} feil")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
