#!/usr/bin/env python3
"""Validate blind gold set 24 (synthetic). Standard library only.

Run from anywhere: python3 check.py
Prints a table of marks per type per file and spoken words per file,
and exits non-zero if any check fails.
"""
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
TYPES = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST",
         "DATO", "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
FORMATS = {"txt": ".txt", "txt-cp1252": ".txt", "docx": ".docx.txt",
           "srt": ".srt", "vtt": ".vtt"}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")
ERRORS = []


def err(msg):
    ERRORS.append(msg)


# ---------------------------------------------------------------- numbers
UNITS = {
    "null": 0, "o": 0,
    "en": 1, "én": 1, "ein": 1, "eitt": 1, "ett": 1, "ei": 1,
    "to": 2, "tre": 3, "fire": 4, "fira": 4, "fem": 5, "fæm": 5,
    "seks": 6, "sju": 7, "syv": 7, "sjø": 7, "åtte": 8, "åtta": 8, "ni": 9,
}
TEENS = {
    "ti": 10, "tie": 10, "elleve": 11, "elva": 11, "tolv": 12, "tretten": 13,
    "fjorten": 14, "femten": 15, "seksten": 16, "sytten": 17, "søtten": 17,
    "atten": 18, "nitten": 19,
}
TENS = {
    "tjue": 20, "tjuge": 20, "tjugu": 20, "tretti": 30, "tredve": 30,
    "førti": 40, "fyrti": 40, "førr": 40, "femti": 50, "fæmti": 50,
    "seksti": 60, "sytti": 70, "søtti": 70, "åtti": 80, "nitti": 90,
}
FILLER = {"og", "-", ""}


def word_value(w):
    """Return (value, kind) for a number word incl. compounds, else None."""
    w = w.lower()
    if w in UNITS:
        return UNITS[w], "unit"
    if w in TEENS:
        return TEENS[w], "teen"
    if w in TENS:
        return TENS[w], "tens"
    for t, tv in TENS.items():            # førtisju, tjueein
        if w.startswith(t) and w[len(t):] in UNITS and UNITS[w[len(t):]] > 0:
            return tv + UNITS[w[len(t):]], "compound"
    for u, uv in UNITS.items():           # sjuogførti (old counting)
        if uv > 0 and w.startswith(u + "og") and w[len(u) + 2:] in TENS:
            return TENS[w[len(u) + 2:]] + uv, "compound"
    return None


def spoken_digits(text):
    """Turn digits and Norwegian number words into a digit string."""
    toks = re.findall(r"\d+|[A-Za-zÆØÅæøåé]+", text)
    out = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.isdigit():
            out.append(t)
            i += 1
            continue
        v = word_value(t)
        if v is None:
            if t.lower() in FILLER:
                i += 1
                continue
            return None
        val, kind = v
        if kind == "tens" and i + 1 < len(toks):
            nv = word_value(toks[i + 1]) if not toks[i + 1].isdigit() else None
            if nv and nv[1] == "unit" and nv[0] > 0:
                val += nv[0]
                i += 1
        out.append(str(val))
        i += 1
    return "".join(out)


CORRECTION = re.compile(r",?\s*\b(?:nei|nei vent|unnskyld|eller nei|altså)\b,?\s*",
                        re.I)


def number_of(text):
    """Digits of a mark; a trailing self-correction replaces the tail."""
    parts = CORRECTION.split(text)
    parts = [p for p in parts if p.strip()]
    if not parts:
        return None
    base = spoken_digits(re.sub(r"^\+47|^0047", "", parts[0].strip()))
    if base is None:
        return None
    for p in parts[1:]:
        fix = spoken_digits(p)
        if fix is None or len(fix) > len(base):
            return None
        base = base[:len(base) - len(fix)] + fix
    return base


def mod11(digits, weights):
    s = sum(int(d) * w for d, w in zip(digits, weights))
    r = 11 - s % 11
    return 0 if r == 11 else (None if r == 10 else r)


def valid_fnr(d):
    if len(d) != 11:
        return False
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    if k1 is None or k2 is None or k1 != int(d[9]) or k2 != int(d[10]):
        return False
    day, month = int(d[:2]), int(d[2:4])
    if day > 40:
        day -= 40                          # D-nummer
    return 1 <= day <= 31 and 1 <= month <= 12


def valid_konto(d):
    if len(d) != 11:
        return False
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k is not None and k == int(d[10])


# ---------------------------------------------------------------- yaml
def read_study():
    path = os.path.join(HERE, "study.yaml")
    text = open(path, encoding="utf-8").read()
    keys = re.findall(r"^(\w+):", text, re.M)
    if keys != ["name", "groups", "group_labels", "speaker_labels", "anonymisation"]:
        err("study.yaml: top-level keys are %s" % keys)
    sub = re.findall(r"^  (\w+):", text, re.M)
    if sub != ["interviewer", "informant", "keep_terms"]:
        err("study.yaml: second-level keys are %s" % sub)

    def flow(key):
        m = re.search(r"^\s*%s:\s*\[(.*)\]\s*$" % key, text, re.M)
        if not m:
            err("study.yaml: no list for %s" % key)
            return []
        items = []
        for it in re.findall(r'"[^"]*"|[^,]+', m.group(1)):
            it = it.strip().strip('"')
            if it:
                items.append(it)
        return items
    if flow("groups") != ["kjoper", "ansatt"]:
        err("study.yaml: groups")
    if not re.search(r"^group_labels: \{kjoper: kjøper, ansatt: ansatt\}$", text, re.M):
        err("study.yaml: group_labels")
    if not re.search(r'^name: "Blind gullstandard 24 for anonymisering \(syntetisk\)"$',
                     text, re.M):
        err("study.yaml: name")
    return flow("interviewer"), flow("informant"), flow("keep_terms")


# ---------------------------------------------------------------- files
SRT_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)$")
VTT_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")
LABEL_TXT = re.compile(r"^([A-ZÆØÅ][\wæøåÆØÅ]*(?: [\wæøåÆØÅ0-9]+)?):\s")
STAMP = re.compile(r"\(\d\d:\d\d:\d\d\)")
NOTE = re.compile(r"\[(?!\[)[^\[\]]*\](?!\])")


def ms(m, off):
    h, mi, s, f = (int(m.group(off + i)) for i in range(4))
    return ((h * 60 + mi) * 60 + s) * 1000 + f


def check_cues(name, lines, fmt):
    """Structural check of SRT/VTT; returns indices of text lines."""
    text_idx = set()
    if fmt == "vtt":
        if not lines or lines[0] != "WEBVTT":
            err("%s: first transcript line must be WEBVTT" % name)
        i = 1
    else:
        i = 0
    last_end = -1
    expect = 1
    n = len(lines)
    while i < n:
        if lines[i] == "":
            i += 1
            continue
        if fmt == "srt":
            if lines[i] != str(expect):
                err("%s: expected cue number %d, got %r" % (name, expect, lines[i]))
                return text_idx
            expect += 1
            i += 1
        rx = SRT_TIME if fmt == "srt" else VTT_TIME
        m = rx.match(lines[i]) if i < n else None
        if not m:
            err("%s: bad timing line %r" % (name, lines[i] if i < n else "EOF"))
            return text_idx
        a, b = ms(m, 1), ms(m, 5)
        if not (last_end <= a < b):
            err("%s: timing not increasing at %r" % (name, lines[i]))
        last_end = b
        i += 1
        if i >= n or lines[i] == "":
            err("%s: empty cue" % name)
        while i < n and lines[i] != "":
            text_idx.add(i)
            i += 1
    return text_idx


def plain(line):
    return MARK.sub(lambda m: m.group(1), line)


def check_file(fname, labels, keep_all, table, words):
    path = os.path.join(SRC, fname)
    raw = open(path, "rb").read()
    if b"\r" in raw:
        err("%s: CR line ends" % fname)
    text = raw.decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    m = re.match(r"^#format: (\S+)$", lines[0])
    if not m or m.group(1) not in FORMATS:
        err("%s: bad #format line" % fname)
        return
    fmt = m.group(1)
    if not fname.endswith(FORMATS[fmt]):
        err("%s: extension does not fit format %s" % (fname, fmt))
    if not lines[1].startswith("#keep: "):
        err("%s: line 2 must be #keep:" % fname)
        return
    keep = [k.strip() for k in lines[1][7:].split(";") if k.strip()]
    for k in keep:
        if k not in keep_all:
            err("%s: keep term %r not in study.yaml keep_terms" % (fname, k))
    body = [l for l in lines if not l.startswith("#")]
    if fmt in ("srt", "vtt"):
        text_idx = check_cues(fname, body, fmt)
    else:
        text_idx = set(range(len(body)))

    counts = {t: 0 for t in TYPES}
    nwords = 0
    started = False
    seen_labels = set()
    for idx, line in enumerate(body):
        if idx not in text_idx:
            if "[[" in line:
                err("%s: mark outside cue text: %r" % (fname, line))
            continue
        # label
        lab = None
        lm = LABEL_TXT.match(line)
        if lm:
            lab = lm.group(1)
        if lab is not None:
            if lab not in labels:
                err("%s: undeclared label %r" % (fname, lab))
            seen_labels.add(lab)
            started = True
        if not started:
            if "[[" in line:
                err("%s: mark in header: %r" % (fname, line))
            continue
        rest = line[lm.end():] if lm else line
        # marks
        leftover = MARK.sub("", rest)
        if "[[" in leftover or "]]" in leftover or "|" in leftover:
            err("%s: malformed mark in %r" % (fname, line))
        for mm in MARK.finditer(rest):
            span, typ = mm.group(1), mm.group(2)
            if typ not in TYPES:
                err("%s: unknown type %r" % (fname, typ))
                continue
            counts[typ] += 1
            if span != span.strip():
                err("%s: mark with outer space %r" % (fname, span))
            for k in keep:
                if re.search(r"(?<![\wæøåÆØÅ])%s(?![\wæøåÆØÅ])" % re.escape(k), span):
                    err("%s: keep term %r inside mark %r" % (fname, k, span))
            if typ in ("TELEFON", "FØDSELSNUMMER", "KONTONUMMER"):
                d = number_of(span)
                if d is None:
                    err("%s: cannot read number %r" % (fname, span))
                elif typ == "TELEFON" and len(d) != 8:
                    err("%s: phone not 8 digits %r -> %s" % (fname, span, d))
                elif typ == "FØDSELSNUMMER" and not valid_fnr(d):
                    err("%s: invalid fødselsnummer %r -> %s" % (fname, span, d))
                elif typ == "KONTONUMMER" and not valid_konto(d):
                    err("%s: invalid kontonummer %r -> %s" % (fname, span, d))
            if typ == "EPOST" and not re.search(r"@|krøllalfa|alfakrøll|at\b", span, re.I):
                err("%s: e-mail without @ %r" % (fname, span))
        spoken = plain(rest)
        spoken = STAMP.sub(" ", spoken)
        spoken = NOTE.sub(" ", spoken)
        nwords += len(re.findall(r"[\wæøåÆØÅéü]+(?:[-'’][\wæøåÆØÅ]+)*", spoken))
    for k in keep:
        if not re.search(r"(?<![\wæøåÆØÅ])%s(?![\wæøåÆØÅ])" % re.escape(k),
                         "\n".join(plain(l) for l in body)):
            err("%s: keep term %r not found in text" % (fname, k))
    total = sum(counts.values())
    if not 35 <= total <= 45:
        err("%s: %d marks (want 35-45)" % (fname, total))
    if not 800 <= nwords <= 950:
        err("%s: %d spoken words (want 800-950)" % (fname, nwords))
    if len(seen_labels) < 2:
        err("%s: fewer than two speaker labels" % fname)
    table[fname] = counts
    words[fname] = nwords
    return text


def main():
    interviewer, informant, keep_all = read_study()
    labels = set(interviewer) | set(informant)
    for must in ("NAV", "Husbanken", "startlån"):
        if must not in keep_all:
            err("study.yaml: keep_terms lacks %s" % must)
    files = sorted(f for f in os.listdir(SRC) if re.match(r"s\d\.", f))
    expected = {"s1.txt", "s2.srt", "s3.vtt", "s4.docx.txt"}
    if set(files) != expected:
        err("source files: %s" % files)
    for bad in ("transcripts", "gold"):
        if os.path.exists(os.path.join(HERE, bad)):
            err("%s/ must not exist" % bad)
    table, words, texts = {}, {}, {}
    for f in files:
        texts[f] = check_file(f, labels, keep_all, table, words) or ""
    # informants.csv
    with open(os.path.join(HERE, "informants.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if rows[0] != ["id", "file", "group", "name", "role"]:
        err("informants.csv header")
    built = {"s1.txt": "s1.txt", "s2.srt": "s2.srt", "s3.vtt": "s3.vtt",
             "s4.docx.txt": "s4.docx"}
    for r in rows[1:]:
        if len(r) != 5:
            err("informants.csv row %r" % r)
            continue
        src = [s for s, b in built.items() if b == r[1]]
        if not src:
            err("informants.csv: unknown file %r" % r[1])
            continue
        if r[2] not in ("kjoper", "ansatt"):
            err("informants.csv: group %r" % r[2])
        if "[[%s|PERSON]]" % r[3] not in texts.get(src[0], ""):
            err("informants.csv: name %r not a PERSON mark in %s" % (r[3], src[0]))
    if len(rows) != 5:
        err("informants.csv: want 4 rows")

    short = {"PERSON": "PER", "STED": "STED", "ORGANISASJON": "ORG",
             "ADRESSE": "ADR", "TELEFON": "TLF", "EPOST": "EPOST", "DATO": "DATO",
             "FØDSELSNUMMER": "FNR", "KONTONUMMER": "KTO", "SAKSNUMMER": "SAK"}
    head = "| file | " + " | ".join(short[t] for t in TYPES) + " | marks | words |"
    print(head)
    print("|" + "---|" * (len(TYPES) + 3))
    tot = {t: 0 for t in TYPES}
    for f in files:
        if f not in table:
            continue
        c = table[f]
        for t in TYPES:
            tot[t] += c[t]
        print("| %s | %s | %d | %d |" % (f, " | ".join(str(c[t]) for t in TYPES),
                                       sum(c.values()), words[f]))
    print("| total | %s | %d | %d |" % (" | ".join(str(tot[t]) for t in TYPES),
                                        sum(tot.values()), sum(words.values())))
    if ERRORS:
        print("\nFAIL")
        for e in ERRORS:
            print(" -", e)
        sys.exit(1)
    print("\nOK")


if __name__ == "__main__":
    main()
