#!/usr/bin/env python3
"""Kontroll av blind gullstandard 26 (syntetisk). Kun standardbiblioteket.

Kjør i mappen: python3 check.py   (valgfritt: filnavn i source/ som argument)
Avslutter med kode 1 ved feil.
"""
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")

TYPES = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
REQUIRED = ["FØDSELSNUMMER", "KONTONUMMER", "TELEFON", "EPOST", "ADRESSE", "SAKSNUMMER", "DATO"]
NUMERIC = {"FØDSELSNUMMER": 11, "KONTONUMMER": 11, "TELEFON": 8}

errors = []
warnings = []


def err(f, msg):
    errors.append("%s: %s" % (f, msg))


def warn(f, msg):
    warnings.append("%s: %s" % (f, msg))


# ---------------------------------------------------------------- tall i ord
UNITS = {
    "null": 0, "0": 0,
    "en": 1, "ein": 1, "én": 1, "ett": 1, "eitt": 1, "eit": 1,
    "to": 2, "tre": 3, "fire": 4, "fira": 4, "fem": 5, "fæm": 5,
    "seks": 6, "sju": 7, "syv": 7, "sjau": 7, "åtte": 8, "åtta": 8, "ni": 9,
}
TEENS = {
    "ti": 10, "elleve": 11, "elva": 11, "tolv": 12, "tretten": 13, "fjorten": 14,
    "femten": 15, "fæmten": 15, "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19,
}
TENS = {
    "tjue": 20, "tjuge": 20, "tyve": 20, "tretti": 30, "tredve": 30, "trætti": 30,
    "førti": 40, "førr": 40, "femti": 50, "fæmti": 50, "seksti": 60, "sytti": 70,
    "åtti": 80, "nitti": 90,
}
FILLERS = {"eh", "ehm", "øh", "æh", "mhm", "mm", "hm", "liksom", "og", "e", "pluss",
           "altså", "da", "så"}
CORRECTIONS = {"nei", "unnskyld", "sorry", "beklager", "feil"}


def word_value(w):
    """Returnerer (verdi, type) for ett talleord, eller None."""
    if w in UNITS:
        return UNITS[w], "unit"
    if w in TEENS:
        return TEENS[w], "teen"
    if w in TENS:
        return TENS[w], "tens"
    for t, tv in TENS.items():
        if w.startswith(t) and w[len(t):] in UNITS and UNITS[w[len(t):]] > 0:
            return tv + UNITS[w[len(t):]], "compound"
    return None


def to_digits(text):
    """Gjør om talleord/siffer med skilletegn til en sifferstreng.

    Regler (se README): hvert ord/siffergruppe gir sine siffer; tiertall + ener
    i to ord ('seksti en') = 61; 'X hundre (og) Y' gir tre siffer; gammel
    telling 'fem og tjue' = 25; et rettelsesord
    (nei/unnskyld/...) stryker sifrene fra ordet/gruppa rett foran.
    Returnerer (siffer, ukjente_ord).
    """
    raw = re.findall(r"[0-9]+|[^\W\d_]+", text.lower())
    groups = []  # liste av (sifferstreng, type)
    unknown = []
    i = 0
    while i < len(raw):
        w = raw[i]
        if w.isdigit():
            groups.append((w, "digits"))
        elif w in CORRECTIONS:
            if groups:
                groups.pop()
        elif w == "hundre":
            if groups and groups[-1][1] == "unit":
                h = groups.pop()[0]
            else:
                h = "1"
            j = i + 1
            while j < len(raw) and raw[j] == "og":
                j += 1
            nxt = word_value(raw[j]) if j < len(raw) else None
            if nxt and nxt[1] in ("teen", "tens", "compound"):
                groups.append((h + "%02d" % nxt[0], "hundred"))
                i = j
            elif nxt and nxt[1] == "unit" and j > i + 1:  # 'hundre og fem'
                groups.append((h + "0%d" % nxt[0], "hundred"))
                i = j
            else:
                groups.append((h + "00", "hundred"))
        elif w == "og" and groups and groups[-1][1] == "unit" and i + 1 < len(raw) \
                and raw[i + 1] in TENS:
            u = int(groups.pop()[0])
            groups.append(("%02d" % (TENS[raw[i + 1]] + u), "compound"))
            i += 1
        elif word_value(w):
            v, t = word_value(w)
            if t == "unit" and v > 0 and groups and groups[-1][1] == "tens":
                # 'seksti en' (to ord) = 61
                groups.append(("%02d" % (int(groups.pop()[0]) + v), "compound"))
            else:
                groups.append((("%d" % v) if t == "unit" else ("%02d" % v), t))
        elif w in FILLERS:
            pass
        else:
            unknown.append(w)
        i += 1
    return "".join(g[0] for g in groups), unknown


def fnr_ok(d):
    if len(d) != 11:
        return False, "har %d siffer, ikke 11" % len(d)
    n = [int(c) for c in d]
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    k1 = 11 - sum(a * b for a, b in zip(n[:9], w1)) % 11
    k1 = 0 if k1 == 11 else k1
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    if k1 == 10:
        return False, "k1 blir 10 (ugyldig individnummer) for %s" % d
    k2 = 11 - sum(a * b for a, b in zip(n[:9] + [k1], w2)) % 11
    k2 = 0 if k2 == 11 else k2
    if k2 == 10:
        return False, "k2 blir 10 (ugyldig) for %s" % d
    if n[9] != k1 or n[10] != k2:
        return False, "kontrollsiffer %d%d, ventet %d%d (%s)" % (n[9], n[10], k1, k2, d)
    day = int(d[0:2])
    month = int(d[2:4])
    if day > 40:
        day -= 40  # D-nummer
    if month > 40:
        month -= 40  # H-nummer
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False, "ugyldig dato i %s" % d
    return True, ""


def konto_ok(d):
    if len(d) != 11:
        return False, "har %d siffer, ikke 11" % len(d)
    n = [int(c) for c in d]
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k = 11 - sum(a * b for a, b in zip(n[:10], w)) % 11
    k = 0 if k == 11 else k
    if k == 10:
        return False, "kontrollsiffer blir 10 (ugyldig) for %s" % d
    if n[10] != k:
        return False, "kontrollsiffer %d, ventet %d (%s)" % (n[10], k, d)
    return True, ""


def tlf_ok(d):
    if len(d) == 10 and d.startswith("47"):
        d = d[2:]
    elif len(d) == 12 and d.startswith("0047"):
        d = d[4:]
    if len(d) != 8:
        return False, "har %d siffer, ikke 8 (%s)" % (len(d), d)
    return True, ""


# ---------------------------------------------------------------- study.yaml
def parse_flow_list(s):
    s = s.strip()
    if not (s.startswith("[") and s.endswith("]")):
        return None
    items, cur, q = [], "", None
    for ch in s[1:-1]:
        if q:
            if ch == q:
                q = None
            else:
                cur += ch
        elif ch in "\"'":
            q = ch
        elif ch == ",":
            items.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        items.append(cur.strip())
    return items


def unq(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    return s


def read_yaml(path):
    y = {"interviewer": None, "informant": None, "keep_terms": None, "name": None,
         "groups": None}
    lines = open(path, encoding="utf-8").read().splitlines()
    cur_block = None
    for ln in lines:
        if not ln.strip() or ln.strip().startswith("#"):
            continue
        m = re.match(r"^(\s*)([\w]+):\s*(.*)$", ln)
        if m:
            key, val = m.group(2), m.group(3)
            if key in y:
                if val:
                    fl = parse_flow_list(val)
                    y[key] = fl if fl is not None else unq(val)
                    cur_block = None
                else:
                    y[key] = []
                    cur_block = key
            else:
                cur_block = None
            continue
        m = re.match(r"^\s*-\s*(.*)$", ln)
        if m and cur_block:
            y[cur_block].append(unq(m.group(1)))
    return y


# ---------------------------------------------------------------- kilder
MARK_RE = re.compile(r"\[\[(.*?)\|([^\[\]|]*)\]\]")
TS_VTT = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")
TS_SRT = re.compile(r"^(\d\d):(\d\d):(\d\d),(\d{3}) --> (\d\d):(\d\d):(\d\d),(\d{3})$")
LABEL_RE = re.compile(r"^(?:\[(\d{1,2}:\d\d(?::\d\d)?)\]\s*)?([^\s:\[\]<>][^:\[\]<>]{0,30}?):\s")


def ms(g):
    h, m, s, f = (int(x) for x in g)
    return ((h * 60 + m) * 60 + s) * 1000 + f


def check_marks_syntax(f, text):
    """Ingen nøsting, ingen linjeskift i merker, gyldige typer."""
    pos = 0
    while True:
        a = text.find("[[", pos)
        if a < 0:
            break
        b = text.find("]]", a + 2)
        if b < 0:
            err(f, "uavsluttet merke ved tegn %d" % a)
            break
        nxt = text.find("[[", a + 2)
        if 0 <= nxt < b:
            err(f, "nøstede merker ved: %r" % text[a:b + 2][:80])
        if "\n" in text[a:b]:
            err(f, "merke over linjeskift: %r" % text[a:b + 2][:80])
        pos = b + 2
    if text.count("]]") != len(re.findall(r"\[\[", text)):
        err(f, "ulikt antall [[ og ]]")
    for m in MARK_RE.finditer(text):
        body, typ = m.group(1), m.group(2)
        if typ not in TYPES:
            err(f, "ukjent type %r i %r" % (typ, m.group(0)))
        if not body.strip() or body != body.strip():
            err(f, "tomt merke eller mellomrom i kant: %r" % m.group(0))


STRUCT_BETWEEN = [
    re.compile(r"^\d\d:\d\d:\d\d[.,]\d{3} --> \d\d:\d\d:\d\d[.,]\d{3}$", re.M),
    re.compile(r"^\d+$", re.M),
    re.compile(r"</?v[^>]*>"),
    re.compile(r"^\[\d{1,2}:\d\d(?::\d\d)?\]\s*[^:\n]{1,30}:", re.M),
]


def only_structure(between):
    s = between
    for r in STRUCT_BETWEEN:
        s = r.sub(" ", s)
    words = re.findall(r"[^\W_]+", s.lower())
    return all(w in FILLERS for w in words)


def check_numbers(f, text):
    marks = list(MARK_RE.finditer(text))
    i = 0
    while i < len(marks):
        m = marks[i]
        typ = m.group(2)
        if typ in NUMERIC:
            body = m.group(1)
            digits, unknown = to_digits(body)
            j = i
            # sammenslåing over cue-grenser: neste merke av samme type, bare struktur imellom
            while len(digits) < NUMERIC[typ] and j + 1 < len(marks) \
                    and marks[j + 1].group(2) == typ \
                    and only_structure(text[marks[j].end():marks[j + 1].start()]):
                j += 1
                d2, u2 = to_digits(marks[j].group(1))
                digits += d2
                unknown += u2
                body += " ⟂ " + marks[j].group(1)
            if unknown:
                err(f, "%s: ukjente ord %s i %r" % (typ, unknown, body))
            ok, why = {"FØDSELSNUMMER": fnr_ok, "KONTONUMMER": konto_ok,
                       "TELEFON": tlf_ok}[typ](digits)
            if not ok:
                err(f, "%s %r: %s" % (typ, body, why))
            i = j + 1
        else:
            i += 1


def spoken_and_labels(f, fmt, lines, yaml_labels):
    """Returnerer (talt tekst, brukte etiketter) og sjekker struktur."""
    spoken = []
    labels = []
    if fmt == "vtt":
        body = lines
        if not body or body[0].strip() != "WEBVTT":
            err(f, "vtt: første linje etter #-linjene må være WEBVTT")
            return "", labels
        if len(body) > 1 and body[1].strip() != "":
            err(f, "vtt: tom linje mangler etter WEBVTT")
        last_end = -1
        cur_spk = None
        k = 2
        while k < len(body):
            ln = body[k].strip()
            if not ln:
                k += 1
                continue
            m = TS_VTT.match(ln)
            if not m:
                err(f, "vtt: ventet tidsstempel, fikk %r (linje %d)" % (ln[:60], k))
                k += 1
                continue
            a, b = ms(m.groups()[:4]), ms(m.groups()[4:])
            if b <= a or a < last_end:
                err(f, "vtt: tider ikke stigende ved %r" % ln)
            last_end = b
            k += 1
            cue = []
            while k < len(body) and body[k].strip():
                cue.append(body[k])
                k += 1
            if not cue:
                err(f, "vtt: tom cue ved %r" % ln)
            ct = " ".join(cue)
            tags = re.findall(r"<v\s+([^>]+)>", ct)
            if len(tags) > 1:
                err(f, "vtt: flere <v> i én cue: %r" % ct[:60])
            if tags:
                if tags[0] == cur_spk:
                    err(f, "vtt: <v %s> gjentatt i cue som fortsetter samme tur (%s)" % (tags[0], ln))
                cur_spk = tags[0]
                labels.append(tags[0])
                if not re.match(r"^<v\s+[^>]+>", cue[0]):
                    err(f, "vtt: <v> ikke først i cue: %r" % cue[0][:60])
            elif cur_spk is None:
                err(f, "vtt: første cue mangler <v>")
            spoken.append(re.sub(r"</?v[^>]*>", " ", ct))
    elif fmt == "srt":
        k = 0
        n_expected = 1
        last_end = -1
        while k < len(lines):
            ln = lines[k].strip()
            if not ln:
                k += 1
                continue
            if ln != str(n_expected):
                err(f, "srt: ventet cue-nummer %d, fikk %r" % (n_expected, ln[:40]))
            n_expected += 1
            k += 1
            m = TS_SRT.match(lines[k].strip()) if k < len(lines) else None
            if not m:
                err(f, "srt: ventet tidsstempel etter cue %d" % (n_expected - 1))
                continue
            a, b = ms(m.groups()[:4]), ms(m.groups()[4:])
            if b <= a or a < last_end:
                err(f, "srt: tider ikke stigende ved %r" % lines[k])
            last_end = b
            k += 1
            cue = []
            while k < len(lines) and lines[k].strip():
                cue.append(lines[k])
                k += 1
            ct = " ".join(cue)
            lm = LABEL_RE.match(ct)
            if lm:
                labels.append(lm.group(2))
                ct = ct[lm.end():]
            spoken.append(ct)
    else:  # txt, txt-cp1252, docx
        started = False
        for ln in lines:
            if not ln.strip():
                continue
            lm = LABEL_RE.match(ln)
            if lm:
                started = True
                labels.append(lm.group(2))
                spoken.append(ln[lm.end():])
            elif started:
                spoken.append(ln)  # fortsettelsesavsnitt / tabellinje
            else:
                if MARK_RE.search(ln):
                    err(f, "merke i topptekst før første taler: %r" % ln[:60])
    for lab in labels:
        if lab not in yaml_labels:
            err(f, "taleretikett %r finnes ikke i study.yaml" % lab)
    if not labels:
        err(f, "ingen taleretiketter funnet")
    return "\n".join(spoken), labels


def count_words(s):
    s = MARK_RE.sub(lambda m: m.group(1), s)
    return len([t for t in s.split() if re.search(r"\w", t)])


def main():
    yaml = read_yaml(os.path.join(HERE, "study.yaml"))
    if yaml["name"] != "Blind gullstandard 26 for anonymisering (syntetisk)":
        err("study.yaml", "feil name: %r" % yaml["name"])
    if yaml["groups"] != ["kjoper", "ansatt"]:
        err("study.yaml", "feil groups: %r" % yaml["groups"])
    for k in ("interviewer", "informant", "keep_terms"):
        if not yaml[k]:
            err("study.yaml", "mangler %s" % k)
    yaml_labels = set((yaml["interviewer"] or []) + (yaml["informant"] or []))
    used_labels = set()
    keep_union = set()

    files = sorted(x for x in os.listdir(SRC) if not x.startswith("."))
    if len(sys.argv) > 1:
        files = [x for x in files if x in sys.argv[1:]]
    table = []
    tool_names = []
    for fn in files:
        f = fn
        path = os.path.join(SRC, fn)
        raw = open(path, "rb").read()
        ext = fn.split(".", 1)[1] if "." in fn else ""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        lines = text.split("\n")
        if not lines[0].startswith("#format: "):
            err(f, "første linje må være #format: ...")
            continue
        fmt = lines[0][len("#format: "):].strip()
        if fmt not in ("txt", "vtt", "srt", "docx", "txt-cp1252"):
            err(f, "ukjent format %r" % fmt)
        expect_ext = {"txt": "txt", "txt-cp1252": "txt", "vtt": "vtt", "srt": "srt",
                      "docx": "docx.txt"}.get(fmt)
        if ext != expect_ext:
            err(f, "filendelse %r passer ikke med format %r" % (ext, fmt))
        if fmt == "txt-cp1252":
            try:
                raw.decode("utf-8")
                warn(f, "txt-cp1252 men fila er gyldig UTF-8")
            except UnicodeDecodeError:
                pass
        elif raw.startswith(b"\xef\xbb\xbf") or "\ufffd" in text:
            err(f, "BOM eller erstatningstegn i fila")
        tool_names.append(fn[:-len(".txt")] if fmt == "docx" else fn)
        if len(lines) < 2 or not lines[1].startswith("#keep:"):
            err(f, "andre linje må være #keep: ...")
            keep = []
        else:
            keep = [t.strip() for t in lines[1][len("#keep:"):].split(";") if t.strip()]
        keep_union.update(keep)
        body_lines = lines[2:]
        body = "\n".join(body_lines)
        if "#format" in body or "#keep" in body:
            err(f, "#-linjer utenfor toppen")

        check_marks_syntax(f, body)
        check_numbers(f, body)

        # keep-termer: må forekomme utenfor merker, ikke inni merker
        masked = MARK_RE.sub(lambda m: "\x00" * len(m.group(0)), body)
        mark_bodies = [m.group(1) for m in MARK_RE.finditer(body)]
        for t in keep:
            pat = re.compile(r"(?<!\w)" + re.escape(t) + r"(?!\w)")
            if not pat.search(masked):
                err(f, "#keep-term %r forekommer ikke utenfor merker" % t)
            for mb in mark_bodies:
                if pat.search(mb):
                    err(f, "#keep-term %r står inne i merket %r" % (t, mb))
        if len(set(keep)) != len(keep):
            err(f, "dubletter i #keep")

        spoken, labels = spoken_and_labels(f, fmt, body_lines, yaml_labels)
        used_labels.update(labels)
        wc = count_words(spoken)
        if not (650 <= wc <= 900):
            err(f, "ordtall %d utenfor 650–900" % wc)

        counts = {t: 0 for t in TYPES}
        for m in MARK_RE.finditer(body):
            if m.group(2) in counts:
                counts[m.group(2)] += 1
        total = sum(counts.values())
        for t in REQUIRED:
            if counts[t] == 0:
                err(f, "mangler minst ett %s" % t)
        for t in ("PERSON", "STED", "ORGANISASJON"):
            if counts[t] < 2:
                warn(f, "bare %d %s" % (counts[t], t))
        if not (35 <= total <= 45):
            warn(f, "%d merker (mål 35–45)" % total)
        table.append((fn, fmt, wc, counts, total))

    if len(sys.argv) == 1:
        unused = yaml_labels - used_labels
        if unused:
            err("study.yaml", "etiketter som ikke brukes: %s" % sorted(unused))
        ky = set(yaml["keep_terms"] or [])
        if ky != keep_union:
            err("study.yaml", "keep_terms ≠ union av #keep (mangler: %s; ekstra: %s)"
                % (sorted(keep_union - ky), sorted(ky - keep_union)))
        if not any(f.endswith((".vtt", ".srt")) for f in files):
            err("source", "minst én fil må være .vtt eller .srt")
        try:
            rows = list(csv.DictReader(open(os.path.join(HERE, "informants.csv"), encoding="utf-8")))
            if rows and list(rows[0].keys()) != ["id", "file", "group", "name", "role"]:
                err("informants.csv", "feil header")
            if sorted(r["file"] for r in rows) != sorted(tool_names):
                err("informants.csv", "file-kolonnen %s passer ikke med %s"
                    % (sorted(r["file"] for r in rows), sorted(tool_names)))
            for r in rows:
                if r["group"] not in ("kjoper", "ansatt"):
                    err("informants.csv", "ugyldig group %r" % r["group"])
        except FileNotFoundError:
            err("informants.csv", "mangler")

    # tabell
    short = {"FØDSELSNUMMER": "FNR", "KONTONUMMER": "KONTO", "ORGANISASJON": "ORG",
             "SAKSNUMMER": "SAK", "TELEFON": "TLF", "ADRESSE": "ADR"}
    hdr = ["fil", "ord"] + [short.get(t, t) for t in TYPES] + ["sum"]
    rows = [hdr]
    tot = {t: 0 for t in TYPES}
    for fn, fmt, wc, counts, total in table:
        rows.append([fn, str(wc)] + [str(counts[t]) for t in TYPES] + [str(total)])
        for t in TYPES:
            tot[t] += counts[t]
    rows.append(["SUM", str(sum(r[2] for r in table))] + [str(tot[t]) for t in TYPES]
                + [str(sum(tot.values()))])
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "|".join("---" for _ in rows[0]) + "|")
    for r in rows[1:]:
        print("| " + " | ".join(r) + " |")
    for w in warnings:
        print("ADVARSEL " + w)
    for e in errors:
        print("FEIL " + e)
    print("OK" if not errors else "%d feil" % len(errors))
    sys.exit(1 if errors else 0)


def selftest():
    cases = [
        (to_digits("seksti en")[0], "61"),
        (to_digits("sju og nitti, fem og tretti, null to, atten")[0], "97350218"),
        (to_digits("fire hundre og tolv")[0], "412"),
        (to_digits("ni åtte nei seks")[0], "96"),
        (to_digits("12.34 5")[0], "12345"),
        (fnr_ok("54038846461")[0], True),
        (fnr_ok("54038846462")[0], False),
        (fnr_ok("12046738622")[0], True),
        (fnr_ok("12046738632")[0], False),
        (konto_ok("15062748181")[0], True),
        (konto_ok("15062748182")[0], False),
        (tlf_ok("4798604123")[0], True),
        (tlf_ok("986041234")[0], False),
    ]
    bad = [(i, got, exp) for i, (got, exp) in enumerate(cases) if got != exp]
    print("selvtest:", "OK" if not bad else bad)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    if sys.argv[1:] == ["--selftest"]:
        selftest()
    main()
