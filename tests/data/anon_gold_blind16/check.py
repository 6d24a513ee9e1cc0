#!/usr/bin/env python3
"""Sjekkar for blind gullstandard 16 (syntetisk). Berre standardbiblioteket.
Køyr: python3 check.py   (frå mappa set16 eller med full sti)
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
FILES = {"s1": "s1.vtt", "s2": "s2.txt", "s3": "s3.srt", "s4": "s4.docx.txt"}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([A-ZÆØÅ]+)\]\]")

errors = []
warnings = []


def err(f, msg):
    errors.append(f"{f}: {msg}")


def warn(f, msg):
    warnings.append(f"{f}: {msg}")


# ---------------------------------------------------------------- study.yaml (enkel lesar)
def read_yaml_lists(path):
    """Les dei få felta vi treng frå study.yaml utan PyYAML."""
    text = open(path, encoding="utf-8").read()
    def inline_list(s):
        s = s.strip()
        assert s.startswith("[") and s.endswith("]"), s
        items = []
        for part in re.findall(r'"[^"]*"|[^,\[\]]+', s[1:-1]):
            part = part.strip()
            if part:
                items.append(part.strip('"'))
        return items
    labels = {}
    m = re.search(r"^speaker_labels:\s*\n((?:[ \t]+.*\n?)+)", text, re.M)
    for line in m.group(1).splitlines():
        mm = re.match(r"\s+(\w+):\s*(\[.*\])\s*$", line)
        if mm:
            labels[mm.group(1)] = inline_list(mm.group(2))
    km = re.search(r"^\s+keep_terms:\s*(\[.*\])\s*$", text, re.M)
    keep = inline_list(km.group(1))
    gm = re.search(r"^groups:\s*(\[.*\])\s*$", text, re.M)
    groups = inline_list(gm.group(1))
    return labels, keep, groups


labels_by_role, study_keep, groups = read_yaml_lists(os.path.join(HERE, "study.yaml"))
ALL_LABELS = [l for ls in labels_by_role.values() for l in ls]

# ---------------------------------------------------------------- talord-parser
UNITS = {"null": 0, "en": 1, "ein": 1, "ei": 1, "eitt": 1, "ett": 1, "to": 2, "tu": 2, "tvo": 2,
         "tre": 3, "fire": 4, "fem": 5, "fæm": 5, "seks": 6, "sju": 7, "sjau": 7, "syv": 7,
         "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "ellve": 11, "tolv": 12, "tretten": 13, "fjorten": 14,
         "femten": 15, "seksten": 16, "sytten": 17, "søtten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tjuge": 20, "tju": 20, "tretti": 30, "tredve": 30, "førti": 40, "førr": 40,
        "femti": 50, "fæmti": 50, "seksti": 60, "sytti": 70, "søtti": 70, "åtti": 80, "nitti": 90}


def word_group(tok):
    """Eit talord -> sifferstreng ('nittiåtte' -> '98', 'fire' -> '4', 'åtti' -> '80')."""
    if tok in UNITS:
        return str(UNITS[tok])
    if tok in TEENS:
        return str(TEENS[tok])
    for t in sorted(TENS, key=len, reverse=True):
        if tok.startswith(t):
            rest = tok[len(t):]
            if rest == "":
                return str(TENS[t])
            if rest in UNITS and UNITS[rest] > 0:
                return str(TENS[t] + UNITS[rest])
    return None


def parse_spoken_digits(text):
    """Talord (ev. blanda med siffer) -> siffer. Ved 'nei' erstattar gruppa etter
    'nei' den siste gruppa før (sjølvretting midt i talet)."""
    toks = re.findall(r"[a-zæøå]+|\d+", text.lower())
    groups_ = []
    correcting = False
    for tok in toks:
        if tok in ("nei", "unnskyld", "altså"):
            correcting = True
            continue
        if tok in ("og",):
            continue
        g = tok if tok.isdigit() else word_group(tok)
        if g is None:
            return None
        if correcting and groups_:
            groups_.pop()
        correcting = False
        groups_.append(g)
    return "".join(groups_)


# Eigen tabell: marktekst -> siffer (alle FNR/D-nr, kontonr og telefonnr).
DIGITS = {
    # s1
    "ni to fire sju null fem ein åtte": "92470518",
    "ein fire null tre sju ein fire null null seks sju": "14037140067",
    "førtisju trettiåtte tjugefæm null ni": "47382509",
    # s2
    "62 43 19 80": "62431980",
    "620981 40021": "62098140021",
    "+47 452 19 008": "45219008",
    "1822.03.44122": "18220344122",
    "913 44 276": "91344276",
    # s3
    "Nittiåtte fire tre, femtiein null sju": "98435107",
    "984 35 107": "98435107",
    "984 17 235": "98417235",
    # s4
    "1602 41 44120": "16024144120",
    "seksten null to, førtien, førtifire en to null": "16024144120",
    "62 88 54 10": "62885410",
    "nittifire ... nei, nittifem, tolv, trettisju, åtti": "95123780",
    "951 23 780": "95123780",
    "041195 400 84": "04119540084",
}


def mod11(digits, weights):
    s = sum(int(d) * w for d, w in zip(digits, weights))
    r = 11 - s % 11
    return 0 if r == 11 else r


def fnr_ok(d):
    if len(d) != 11 or not d.isdigit():
        return False
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    if k1 == 10 or k2 == 10 or k1 != int(d[9]) or k2 != int(d[10]):
        return False
    day, month = int(d[0:2]), int(d[2:4])
    if day > 40:          # D-nummer: første siffer + 4
        day -= 40
    return 1 <= day <= 31 and 1 <= month <= 12


def kto_ok(d):
    if len(d) != 11 or not d.isdigit():
        return False
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k != 10 and k == int(d[10])


def digits_of(f, text, typ):
    """Finn siffera i ein mark, kryss-sjekk mot tabellen."""
    if re.search(r"\d", text) and not re.search(r"[a-zæøå]{3,}", text.lower()):
        d = re.sub(r"\D", "", text)
        if typ == "TELEFON":
            if text.strip().startswith("+47"):
                d = d[2:]
            elif text.strip().startswith("0047"):
                d = d[4:]
    else:
        d = parse_spoken_digits(text)
        if d is None:
            err(f, f"talord-parseren forstod ikkje «{text}»")
    if text not in DIGITS:
        err(f, f"«{text}» ({typ}) manglar i siffertabellen")
        return d
    if d is not None and d != DIGITS[text]:
        err(f, f"«{text}»: parser gav {d}, tabellen seier {DIGITS[text]}")
    return DIGITS[text]


# ---------------------------------------------------------------- per fil
def load(fname):
    raw = open(os.path.join(SRC, fname), encoding="utf-8").read()
    lines = raw.split("\n")
    fmt = keep = None
    for l in lines[:2]:
        if l.startswith("#format:"):
            fmt = l.split(":", 1)[1].strip()
        if l.startswith("#keep:"):
            keep = [k.strip() for k in l.split(":", 1)[1].split(";") if k.strip()]
    if not (lines[0].startswith("#format:") and lines[1].startswith("#keep:")):
        err(fname, "dei to første linjene må vere #format: og #keep:")
    body = [l for l in lines if not l.startswith("#")]
    return fmt, keep or [], body


def check_marks_syntax(fname, body):
    marks = []
    for i, line in enumerate(body, 1):
        rest = MARK.sub("", line)
        if "[[" in rest or "]]" in rest:
            err(fname, f"linje {i}: mark som ikkje er velforma: {line[:80]}")
        for m in MARK.finditer(line):
            text, typ = m.group(1), m.group(2)
            if typ not in TYPES:
                err(fname, f"linje {i}: ukjend type {typ}")
            if text != text.strip() or not text.strip():
                err(fname, f"linje {i}: mellomrom i kanten av mark «{text}»")
            if re.match(r"(?i)(fru|herr|frk|fröken)\b", text):
                err(fname, f"linje {i}: tittel inne i mark «{text}»")
            after = line[m.end():m.end() + 2]
            if after[:1].isalpha() and not (after[:1] == "s" and not after[1:2].isalpha()):
                err(fname, f"linje {i}: bokstav rett etter mark «{text}»{after}")
            if typ == "PERSON" and re.search(r"s$", text) and line[m.end():m.end() + 1] == "":
                pass
            marks.append((i, text, typ, line))
    return marks


def spoken_text(fmt, body):
    """(label, tekst)-par for talelinjer; og liste over feil i struktur."""
    turns = []
    if fmt in ("txt", "txt-cp1252", "docx"):
        seen_label = False
        for i, line in enumerate(body, 1):
            if not line.strip():
                continue
            m = re.match(r"^([^:\[\]]{1,30}):\s?(.*)$", line)
            if m and m.group(1) in ALL_LABELS:
                seen_label = True
                turns.append((i, m.group(1), m.group(2)))
            elif seen_label:
                turns.append((i, None, line))
            else:
                if MARK.search(line):
                    turns.append((i, "HEADER-MED-MARK", line))
    return turns


def check_txt(fname, fmt, body):
    turns = spoken_text(fmt, body)
    for i, lab, txt in turns:
        if lab is None:
            err(fname, f"linje {i}: talelinje utan deklarert talar-etikett: {txt[:60]}")
        if lab == "HEADER-MED-MARK":
            err(fname, f"linje {i}: mark i hovudlinjer før første etikett")
    return [t for (_, l, t) in turns if l not in (None, "HEADER-MED-MARK")]


TS_SRT = re.compile(r"^(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)$")
TS_VTT = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")


def secs(g):
    return int(g[0]) * 3600 + int(g[1]) * 60 + int(g[2]) + int(g[3]) / 1000


def check_srt(fname, body):
    texts = []
    blocks = "\n".join(body).strip("\n").split("\n\n")
    last_end = -1
    prev_label = None
    for n, b in enumerate(blocks, 1):
        ls = b.split("\n")
        if ls[0].strip() != str(n):
            err(fname, f"cue {n}: feil nummer «{ls[0]}»")
        m = TS_SRT.match(ls[1]) if len(ls) > 1 else None
        if not m:
            err(fname, f"cue {n}: feil tidslinje")
            continue
        st, en = secs(m.groups()[:4]), secs(m.groups()[4:])
        if not (st < en and st >= last_end):
            err(fname, f"cue {n}: tider ikkje stigande")
        last_end = en
        tl = ls[2:]
        if not tl or not all(x.strip() for x in tl):
            err(fname, f"cue {n}: tom tekstlinje")
        lm = re.match(r"^([^:\s]{1,20}): ", tl[0]) if tl else None
        if lm:
            if lm.group(1) not in ALL_LABELS:
                err(fname, f"cue {n}: ukjend etikett {lm.group(1)}")
            prev_label = lm.group(1)
            tl = [tl[0][lm.end():]] + tl[1:]
        elif n == 1 or prev_label is None:
            err(fname, f"cue {n}: første cue i ein tur manglar etikett")
        texts.extend(tl)
    return texts


def check_vtt(fname, body):
    texts = []
    if not body or body[0].strip() != "WEBVTT":
        err(fname, "første linje må vere WEBVTT")
    blocks = "\n".join(body[1:]).strip("\n").split("\n\n")
    last_end = -1
    for n, b in enumerate(blocks, 1):
        ls = b.split("\n")
        m = TS_VTT.match(ls[0])
        if not m:
            err(fname, f"cue {n}: feil tidslinje «{ls[0]}»")
            continue
        st, en = secs(m.groups()[:4]), secs(m.groups()[4:])
        if not (st < en and st >= last_end):
            err(fname, f"cue {n}: tider ikkje stigande")
        last_end = en
        for tl in ls[1:]:
            vm = re.match(r"^<v ([^>]+)>(.+)$", tl)
            if not vm:
                err(fname, f"cue {n}: tekstlinje utan <v Etikett>")
                continue
            if vm.group(1) not in ALL_LABELS:
                err(fname, f"cue {n}: ukjend etikett {vm.group(1)}")
            texts.append(vm.group(2))
    return texts


def strip_marks(s):
    return MARK.sub(lambda m: m.group(1), s)


def main():
    table = {}
    all_marks = {}
    for sid, fname in FILES.items():
        path = os.path.join(SRC, fname)
        if not os.path.exists(path):
            err(fname, "fila finst ikkje")
            continue
        fmt, keep, body = load(fname)
        if fmt not in FORMATS:
            err(fname, f"ukjent format {fmt}")
        ext_ok = {"vtt": ".vtt", "srt": ".srt", "docx": ".docx.txt", "txt": ".txt", "txt-cp1252": ".txt"}
        if fmt in ext_ok and not fname.endswith(ext_ok[fmt]):
            err(fname, "filending passar ikkje med format")
        marks = check_marks_syntax(fname, body)
        all_marks[sid] = marks
        if fmt == "srt":
            texts = check_srt(fname, body)
        elif fmt == "vtt":
            texts = check_vtt(fname, body)
        else:
            texts = check_txt(fname, fmt, body)
        # alle mark må liggje i talelinjer
        spoken = "\n".join(texts)
        n_in = len(MARK.findall(spoken))
        if n_in != len(marks):
            err(fname, f"{len(marks) - n_in} mark ligg utanfor talelinjene")
        plain = strip_marks(spoken)
        outside = MARK.sub("\x00", spoken)
        words = len(re.findall(r"\S+", plain.replace("//", " ")))
        words = len([w for w in plain.split() if re.search(r"\w", w)])
        if not 800 <= words <= 950:
            err(fname, f"{words} ord, skal vere 800–950")
        if not 35 <= len(marks) <= 45:
            err(fname, f"{len(marks)} mark, skal vere 35–45")
        if fmt == "txt-cp1252":
            try:
                "\n".join(body).encode("cp1252")
            except UnicodeEncodeError as e:
                err(fname, f"teikn som ikkje finst i cp1252: {e}")
        # keep-termar
        for k in keep:
            if k not in outside:
                err(fname, f"#keep «{k}» finst ikkje utanfor mark")
            for (_, t, ty, _) in marks:
                if k.lower() in t.lower():
                    err(fname, f"#keep «{k}» finst inne i mark «{t}» ({ty})")
        # tal-sjekkar
        for (i, t, ty, _) in marks:
            if ty in ("FØDSELSNUMMER", "KONTONUMMER", "TELEFON"):
                d = digits_of(fname, t, ty)
                if d is None:
                    continue
                if ty == "FØDSELSNUMMER" and not fnr_ok(d):
                    err(fname, f"«{t}»: ugyldig fødselsnummer/D-nummer {d}")
                if ty == "KONTONUMMER" and not kto_ok(d):
                    err(fname, f"«{t}»: ugyldig kontonummer {d}")
                if ty == "TELEFON" and len(d) != 8:
                    err(fname, f"«{t}»: telefon har {len(d)} siffer")
            if ty == "EPOST" and "@" not in t and not re.search(r"krøll|alfa", t):
                err(fname, f"«{t}»: e-post utan @/krøllalfa")
            if ty == "SAKSNUMMER" and not re.search(r"\d|strek|skrå", t):
                warn(fname, f"«{t}»: saksnummer utan siffer")
        counts = {ty: 0 for ty in TYPES}
        for (_, _, ty, _) in marks:
            counts[ty] += 1
        table[sid] = (fname, fmt, words, counts, len(marks))

    # study keep_terms mot alle mark
    for sid, marks in all_marks.items():
        for (_, t, ty, _) in marks:
            for k in study_keep:
                if k.lower() in t.lower():
                    err(FILES[sid], f"study.yaml keep_term «{k}» inne i mark «{t}»")

    # informants.csv
    rows = list(csv.DictReader(open(os.path.join(HERE, "informants.csv"), encoding="utf-8")))
    if [r["id"] for r in rows] != list(FILES):
        err("informants.csv", "id-ane skal vere s1..s4 i rekkjefølgje")
    for r in rows:
        sid = r["id"]
        if sid not in FILES:
            continue
        fmt = table.get(sid, (None, None))[1]
        base = FILES[sid].replace(".docx.txt", ".docx")
        if r["file"] != base:
            err("informants.csv", f"{sid}: file={r['file']}, venta {base}")
        if r["group"] not in groups:
            err("informants.csv", f"{sid}: ukjend gruppe {r['group']}")
        if not r["role"].strip():
            err("informants.csv", f"{sid}: rolle manglar")
        names = [t for (_, t, ty, _) in all_marks.get(sid, []) if ty == "PERSON"]
        if r["name"] not in names:
            err("informants.csv", f"{sid}: namnet «{r['name']}» finst ikkje som PERSON-mark")

    # tabell
    short = {"PERSON": "PER", "STED": "STED", "ORGANISASJON": "ORG", "ADRESSE": "ADR",
             "TELEFON": "TLF", "EPOST": "EPOST", "DATO": "DATO", "FØDSELSNUMMER": "FNR",
             "KONTONUMMER": "KTO", "SAKSNUMMER": "SAK"}
    head = "| fil | format | ord | " + " | ".join(short[t] for t in TYPES) + " | sum |"
    print(head)
    print("|" + "---|" * (len(TYPES) + 4))
    tot = {t: 0 for t in TYPES}
    for sid, (fname, fmt, words, counts, n) in table.items():
        print(f"| {fname} | {fmt} | {words} | " + " | ".join(str(counts[t]) for t in TYPES) + f" | {n} |")
        for t in TYPES:
            tot[t] += counts[t]
    print("| **sum** | | | " + " | ".join(str(tot[t]) for t in TYPES) + f" | {sum(tot.values())} |")
    for w in warnings:
        print("ÅTVARING:", w)
    if errors:
        print(f"\n{len(errors)} FEIL:")
        for e in errors:
            print("  -", e)
        sys.exit(1)
    print("\nOK: alle sjekkar passerte.")


if __name__ == "__main__":
    main()
