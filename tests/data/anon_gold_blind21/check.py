#!/usr/bin/env python3
"""Validate blind gold set 21 (synthetic). Standard library only."""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST",
         "DATO", "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
FORMATS = {"txt": ".txt", "txt-cp1252": ".txt", "docx": ".docx.txt", "srt": ".srt", "vtt": ".vtt"}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([A-ZÆØÅ]+)\]\]")
errors = []

def err(f, msg):
    errors.append(f"{f}: {msg}")

# ---------- number words (Bokmål, Nynorsk, dialect forms used) ----------
UNITS = {"null": 0, "nul": 0, "en": 1, "ein": 1, "ett": 1, "eitt": 1, "én": 1, "ei": 1,
         "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7,
         "åtte": 8, "åtta": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "elva": 11, "tolv": 12, "tretten": 13, "fjorten": 14,
         "femten": 15, "seksten": 16, "sytten": 17, "søtten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tjuge": 20, "tyve": 20, "tretti": 30, "tredve": 30, "førti": 40,
        "firti": 40, "femti": 50, "seksti": 60, "sytti": 70, "søtti": 70, "åtti": 80, "nitti": 90}

def word_value(w):
    """Return digit string for one number word (0-99), or None."""
    w = w.lower()
    if w.isdigit():
        return w
    if w in UNITS:
        return str(UNITS[w])
    if w in TEENS:
        return str(TEENS[w])
    if w in TENS:
        return str(TENS[w])
    for t, tv in TENS.items():          # femtifem, tjueein
        if w.startswith(t) and w[len(t):] in UNITS and UNITS[w[len(t):]] > 0:
            return str(tv + UNITS[w[len(t):]])
    m = re.fullmatch(r"(\w+?)og(\w+)", w)  # femogførti
    if m and m.group(1) in UNITS and m.group(2) in TENS:
        return str(TENS[m.group(2)] + UNITS[m.group(1)])
    return None

CORR = re.compile(r"[,.]?\s*\b(?:nei|eller|unnskyld|æsj)\b[,.]?\s*", re.I)

def to_digits(text):
    """Digits of a number said as figures and/or words; applies one
    self-correction ('91 80 12 55, nei, 56': replaces the tail)."""
    parts = CORR.split(text)
    out = None
    for p in parts:
        d = _digits(p)
        if d is None:
            return None
        if out is None:
            out = d
        else:
            out = out[:len(out) - len(d)] + d if len(d) <= len(out) else d
    return out

def _digits(text):
    t = text.replace("+47", " ").replace("pluss førtisju", " ").replace("pluss firtisju", " ")
    toks = re.findall(r"\w+", t.lower())
    out = ""
    for tok in toks:
        v = word_value(tok)
        if v is None:
            if tok in ("og", "e", "eh", "ehm", "mm"):
                continue
            return None
        out += v
    return out

def fnr_ok(d):
    if len(d) != 11:
        return False
    b = list(map(int, d))
    def k(ws, bs):
        r = 11 - sum(x * y for x, y in zip(ws, bs)) % 11
        return 0 if r == 11 else r
    k1 = k([3, 7, 6, 1, 8, 9, 4, 5, 2], b[:9])
    k2 = k([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], b[:10])
    day = b[0] * 10 + b[1]
    if day > 40:
        day -= 40  # D-nummer
    month = b[2] * 10 + b[3]
    return k1 == b[9] and k2 == b[10] and 1 <= day <= 31 and 1 <= month <= 12

def konto_ok(d):
    if len(d) != 11:
        return False
    b = list(map(int, d))
    r = 11 - sum(x * y for x, y in zip([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], b[:10])) % 11
    r = 0 if r == 11 else r
    return r != 10 and r == b[10]

def phone_ok(text):
    t = text.strip()
    t = re.sub(r"^(\+47|0047|pluss førtisju|pluss firtisju)\s*", "", t, flags=re.I)
    d = to_digits(t)
    return d is not None and len(d) == 8

# ---------- study.yaml (tiny parser for the flow style used) ----------
def parse_flow_list(s):
    s = s.strip()
    assert s.startswith("[") and s.endswith("]"), s
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
            items.append(cur.strip()); cur = ""
        else:
            cur += ch
    if cur.strip():
        items.append(cur.strip())
    return items

def read_study():
    path = os.path.join(HERE, "study.yaml")
    lines = open(path, encoding="utf-8").read().splitlines()
    top = [l.split(":")[0] for l in lines if l and not l.startswith(" ")]
    if top != ["name", "groups", "group_labels", "speaker_labels", "anonymisation"]:
        err("study.yaml", f"top-level keys {top}")
    st = {"interviewer": [], "informant": [], "keep": [], "groups": []}
    for l in lines:
        s = l.strip()
        if s.startswith("interviewer:"):
            st["interviewer"] = parse_flow_list(s.split(":", 1)[1])
        elif s.startswith("informant:"):
            st["informant"] = parse_flow_list(s.split(":", 1)[1])
        elif s.startswith("keep_terms:"):
            st["keep"] = parse_flow_list(s.split(":", 1)[1])
        elif s.startswith("groups:"):
            st["groups"] = parse_flow_list(s.split(":", 1)[1])
    for k in ("NAV", "Husbanken", "startlån"):
        if k not in st["keep"]:
            err("study.yaml", f"keep_terms lacks {k}")
    if st["groups"] != ["kjoper", "ansatt"]:
        err("study.yaml", "groups")
    return st

# ---------- transcripts ----------
TS_SRT = re.compile(r"^\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d$")
TS_VTT = re.compile(r"^\d\d:\d\d:\d\d\.\d\d\d --> \d\d:\d\d:\d\d\.\d\d\d$")

def body_lines(fmt, lines, fname, labels):
    """Return list of (text, is_turn_start, label) spoken lines after header."""
    out = []
    if fmt == "srt":
        i = 0
        n_expected = 1
        while i < len(lines):
            if lines[i].strip() == "":
                i += 1; continue
            if lines[i].strip() != str(n_expected):
                err(fname, f"SRT cue number expected {n_expected}, got {lines[i]!r}")
                return out
            if i + 1 >= len(lines) or not TS_SRT.match(lines[i + 1]):
                err(fname, f"SRT timestamp after cue {n_expected}")
                return out
            i += 2
            while i < len(lines) and lines[i].strip() != "":
                out.append(lines[i]); i += 1
            n_expected += 1
        return out
    if fmt == "vtt":
        if lines[0] != "WEBVTT" or lines[1] != "":
            err(fname, "VTT must start with WEBVTT + blank")
        i = 2
        while i < len(lines):
            if lines[i].strip() == "":
                i += 1; continue
            if not TS_VTT.match(lines[i]):
                err(fname, f"VTT timestamp expected, got {lines[i]!r}")
                return out
            i += 1
            while i < len(lines) and lines[i].strip() != "":
                out.append(lines[i]); i += 1
        return out
    return lines

def label_of(fmt, line):
    if fmt == "vtt":
        m = re.match(r"^<v ([^>]+)>", line)
        return m.group(1) if m else None
    m = re.match(r"^([A-ZÆØÅ][\wæøåÆØÅ ]{0,24}):\s", line)
    return m.group(1) if m else None

def strip_label(fmt, line):
    if fmt == "vtt":
        return re.sub(r"^<v [^>]+>\s*", "", line)
    return re.sub(r"^[A-ZÆØÅ][\wæøåÆØÅ ]{0,24}:\s", "", line)

def count_words(text):
    text = re.sub(r"\[(?!\[)[^\[\]]*\]", " ", MARK.sub(lambda m: m.group(1), text))
    return len(re.findall(r"[\wáčđŋšŧžÁČĐŊŠŦŽ]+(?:[-'’][\w]+)*", text))

def check_file(fname, st, results):
    path = os.path.join(HERE, "source", fname)
    raw = open(path, "rb").read()
    first = raw.split(b"\n", 1)[0].decode("ascii", "replace").strip()
    fmt = first.split(":", 1)[1].strip() if first.startswith("#format:") else None
    if fmt not in FORMATS:
        err(fname, f"bad #format line {first!r}"); return
    if not fname.endswith(FORMATS[fmt]):
        err(fname, f"extension does not match format {fmt}")
    text = raw.decode("cp1252" if fmt == "txt-cp1252" else "utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    if not lines[1].startswith("#keep:"):
        err(fname, "line 2 must be #keep:")
    keep = [k.strip() for k in lines[1][6:].split(";") if k.strip()]
    for k in keep:
        if k not in st["keep"]:
            err(fname, f"#keep term {k!r} missing from study.yaml keep_terms")
    content = [l for l in lines if not l.startswith("#")]
    allowed = set(st["interviewer"]) | set(st["informant"])
    spoken = body_lines(fmt, content, fname, allowed)
    # header: lines before first label
    start = None
    for i, l in enumerate(spoken):
        if label_of(fmt, l) in allowed:
            start = i; break
    if start is None:
        err(fname, "no speaker label found"); return
    body = spoken[start:]
    counts = {t: 0 for t in TYPES}
    words = 0
    labels_used = set()
    marks_all = []
    numeric = []
    for l in body:
        lab = label_of(fmt, l)
        if lab is not None:
            if lab not in allowed:
                err(fname, f"undeclared label {lab!r}")
            labels_used.add(lab)
            l = strip_label(fmt, l)
        # leftover brackets = broken mark (crosses line / malformed)
        rest = MARK.sub("", l)
        if "[[" in rest or "]]" in rest or "|" in rest:
            err(fname, f"malformed or line-crossing mark: {l!r}")
        for m in MARK.finditer(l):
            mt, ty = m.group(1), m.group(2)
            if ty not in TYPES:
                err(fname, f"unknown type {ty} in {m.group(0)}"); continue
            counts[ty] += 1
            marks_all.append((mt, ty))
            if mt != mt.strip():
                err(fname, f"whitespace at mark edge {m.group(0)!r}")
            for k in keep:
                if re.search(r"(?<![\wæøå])" + re.escape(k) + r"(?![\wæøå])", mt, re.I):
                    err(fname, f"#keep term {k!r} inside mark {m.group(0)!r}")
            if ty in ("FØDSELSNUMMER", "KONTONUMMER", "TELEFON"):
                at_end = l.rstrip().endswith(m.group(0))
                at_start = l.lstrip().startswith(m.group(0))
                numeric.append([mt, ty, at_start, at_end])
            elif ty == "EPOST":
                if not re.fullmatch(r"[^\s@]+@[^\s@]+\.[a-z]{2,}", mt) and " at " not in mt and " krøllalfa " not in mt:
                    err(fname, f"odd e-mail {mt!r}")
        words += count_words(l)
    # validate numbers; a number split over two cues is two marks of the
    # same type, the first ending one line and the second starting the next
    ok = {"FØDSELSNUMMER": lambda s: (lambda d: bool(d) and fnr_ok(d))(to_digits(s)),
          "KONTONUMMER": lambda s: (lambda d: bool(d) and konto_ok(d))(to_digits(s)),
          "TELEFON": phone_ok}
    i = 0
    while i < len(numeric):
        mt, ty, _, at_end = numeric[i]
        if ok[ty](mt):
            i += 1; continue
        if at_end and i + 1 < len(numeric) and numeric[i + 1][1] == ty and numeric[i + 1][2] \
                and ok[ty](mt + " " + numeric[i + 1][0]):
            i += 2; continue
        err(fname, f"invalid {ty} {mt!r} -> {to_digits(mt)}")
        i += 1
    n = sum(counts.values())
    if not 35 <= n <= 45:
        err(fname, f"{n} marks (want 35-45)")
    if not 800 <= words <= 950:
        err(fname, f"{words} words (want 800-950)")
    results[fname] = (counts, n, words, labels_used, marks_all)

def main():
    st = read_study()
    results = {}
    files = sorted(os.listdir(os.path.join(HERE, "source")))
    if len(files) != 4 or [f.split(".")[0] for f in files] != ["s1", "s2", "s3", "s4"]:
        err("source", f"expected s1..s4, got {files}")
    for f in files:
        check_file(f, st, results)
    # study-wide keep terms (exact case) must not occur inside any mark
    for f, res in results.items():
        for mt, ty in res[4]:
            for k in st["keep"]:
                if re.search(r"(?<![\wæøåáčđŋšŧž])" + re.escape(k) + r"(?![\wæøåáčđŋšŧž])", mt):
                    err(f, f"study keep term {k!r} inside mark {mt!r}")
    with open(os.path.join(HERE, "informants.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or list(rows[0].keys()) != ["id", "file", "group", "name", "role"]:
        err("informants.csv", "header must be id,file,group,name,role")
    if sorted(r["file"] for r in rows) != sorted(files):
        err("informants.csv", "one row per transcript")
    for r in rows:
        if r["group"] not in ("kjoper", "ansatt"):
            err("informants.csv", f"bad group {r['group']}")
        if r["file"] in results:
            persons = [m for m, t in results[r["file"]][4] if t == "PERSON"]
            if r["name"] not in persons:
                err("informants.csv", f"{r['name']!r} not a PERSON mark in {r['file']}")
    for p in ("README.md",):
        if not os.path.exists(os.path.join(HERE, p)):
            err(p, "missing")
    for d in ("transcripts", "gold"):
        if os.path.exists(os.path.join(HERE, d)):
            err(d, "must not exist")
    short = {"PERSON": "PER", "STED": "STED", "ORGANISASJON": "ORG", "ADRESSE": "ADR",
             "TELEFON": "TLF", "EPOST": "EPOST", "DATO": "DATO", "FØDSELSNUMMER": "FNR",
             "KONTONUMMER": "KTO", "SAKSNUMMER": "SAK"}
    head = "| fil | " + " | ".join(short[t] for t in TYPES) + " | sum | ord |"
    print(head)
    print("|" + "---|" * (len(TYPES) + 3))
    tot = {t: 0 for t in TYPES}; tn = tw = 0
    for f in files:
        if f not in results:
            continue
        c, n, w, _, _ = results[f]
        for t in TYPES:
            tot[t] += c[t]
        tn += n; tw += w
        print(f"| {f} | " + " | ".join(str(c[t]) for t in TYPES) + f" | {n} | {w} |")
    print("| **alle** | " + " | ".join(str(tot[t]) for t in TYPES) + f" | {tn} | {tw} |")
    if errors:
        print("\nFEIL:")
        for e in errors:
            print(" -", e)
        sys.exit(1)
    print("\nOK")

if __name__ == "__main__":
    main()
