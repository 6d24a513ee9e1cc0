#!/usr/bin/env python3
"""Checks for blind gold set 10 (synthetic). stdlib only.  Run: python3 check.py"""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
TYPES = {"PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
FORMATS = {"txt", "srt", "vtt", "docx", "txt-cp1252"}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([A-ZÆØÅ]+)\]\]")

# Spoken numerals (Bokmål, Nynorsk, dialect) -> digit strings
UNITS = {"null": 0, "en": 1, "én": 1, "ein": 1, "ett": 1, "eitt": 1, "ei": 1, "to": 2, "tre": 3,
         "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
         "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tyve": 20, "tretti": 30, "tredve": 30, "førti": 40, "femti": 50,
        "seksti": 60, "sytti": 70, "åtti": 80, "nitti": 90}
# explicit digit list for any span the parser cannot handle (span text -> digits)
DIGITS = {}


def word_value(w):
    """one token -> list of (value, kind) ; kind 'u' unit, 't' tens, 'x' fixed"""
    if w in UNITS: return (str(UNITS[w]), "u")
    if w in TEENS: return (str(TEENS[w]), "x")
    if w in TENS: return (str(TENS[w]), "t")
    for t, v in TENS.items():  # compounds: syttiåtte, tjueen, nittini
        if w.startswith(t) and w[len(t):] in UNITS and UNITS[w[len(t):]] > 0:
            return (str(v + UNITS[w[len(t):]]), "x")
    if w.isdigit(): return (w, "d")
    return None


def spoken_to_digits(text):
    if text in DIGITS: return DIGITS[text]
    toks = [t for t in re.split(r"[\s.\-/]+", text.lower()) if t]
    out, i = [], 0
    while i < len(toks):
        wv = word_value(toks[i])
        if wv is None:
            return None
        val, kind = wv
        if kind == "t" and i + 1 < len(toks):
            nx = word_value(toks[i + 1])
            if nx and nx[1] == "u" and nx[0] != "0":  # "sytti åtte" -> 78
                val = str(int(val) + int(nx[0])); i += 1
        out.append(val); i += 1
    return "".join(out)


def digits_of(text):
    d = re.sub(r"\D", "", text)
    if re.search(r"[a-zæøå]", text.lower()):
        d = spoken_to_digits(text)
    return d


def mod11(digits, weights):
    s = sum(int(a) * b for a, b in zip(digits, weights))
    k = 11 - s % 11
    return 0 if k == 11 else k


def fnr_ok(d):
    if not d or len(d) != 11: return False
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    if k1 == 10 or k2 == 10 or k1 != int(d[9]) or k2 != int(d[10]): return False
    day, month = int(d[:2]), int(d[2:4])
    if day > 40: day -= 40  # D-nummer
    return 1 <= day <= 31 and 1 <= month <= 12


def acct_ok(d):
    if not d or len(d) != 11: return False
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k != 10 and k == int(d[10])


def read_labels():
    y = open(os.path.join(HERE, "study.yaml"), encoding="utf-8").read()
    labs = {}
    for role in ("interviewer", "informant"):
        m = re.search(role + r":\s*\[(.*?)\]", y)
        labs[role] = [x.strip().strip('"') for x in m.group(1).split(",")]
    keep = re.search(r"keep_terms:\s*\[(.*?)\]", y).group(1)
    return labs, [x.strip().strip('"') for x in keep.split(",")]


errors = []
def err(f, msg): errors.append(f"{f}: {msg}")


def check_file(path, labels, counts):
    f = os.path.basename(path)
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")
    lines = text.split("\n")
    m = re.fullmatch(r"#format: (\S+)", lines[0])
    if not m or m.group(1) not in FORMATS: err(f, "bad #format line"); return ""
    fmt = m.group(1)
    if fmt == "txt-cp1252":
        try: text.encode("cp1252")
        except UnicodeEncodeError as e: err(f, f"not cp1252-encodable: {e}")
    if not lines[1].startswith("#keep: "): err(f, "line 2 must be #keep:"); return text
    keep = [k.strip() for k in lines[1][7:].split(";") if k.strip()]
    body = lines[2:]
    bodytext = "\n".join(body)
    # marks well-formed
    for i, ln in enumerate(body, 3):
        rest = MARK.sub("", ln)
        if "[[" in rest or "]]" in rest:
            err(f, f"line {i}: malformed mark: {ln[:80]}")
        for mm in MARK.finditer(ln):
            if mm.group(2) not in TYPES: err(f, f"line {i}: bad TYPE {mm.group(2)}")
            t = mm.group(1)
            if t != t.strip(): err(f, f"line {i}: mark with outer whitespace '{t}'")
            counts.setdefault(f, {}).setdefault(mm.group(2), 0)
            counts[f][mm.group(2)] += 1
    marks = [(mm.group(1), mm.group(2)) for mm in MARK.finditer(bodytext)]
    # keep terms
    outside = MARK.sub(" ", bodytext)
    for k in keep:
        if k not in outside: err(f, f"#keep term '{k}' does not occur outside marks")
        for t, ty in marks:
            if k in t: err(f, f"#keep term '{k}' occurs inside mark [[{t}|{ty}]]")
    # check digits
    for t, ty in marks:
        if ty == "FØDSELSNUMMER":
            d = digits_of(t)
            if not fnr_ok(d): err(f, f"invalid fødselsnummer/D-nummer '{t}' -> {d}")
        elif ty == "KONTONUMMER":
            d = digits_of(t)
            if not acct_ok(d): err(f, f"invalid account number '{t}' -> {d}")
        elif ty == "TELEFON":
            d = digits_of(t)
            if not d or len(d) not in (4, 8): err(f, f"phone '{t}' -> {d} is not 8 digits (or a 4-digit extension)")
            elif len(d) == 8 and d[0] not in "4579":
                err(f, f"phone '{t}' -> {d} has implausible first digit")
    # speaker labels
    alllabs = labels["interviewer"] + labels["informant"]
    labre = re.compile(r"^(" + "|".join(re.escape(l) for l in sorted(alllabs, key=len, reverse=True)) + r"):( |$)")
    looks_like_label = re.compile(r"^[A-Za-zÆØÅæøå_0-9 ]{1,20}:\s")
    seen_labels = set()
    if fmt in ("txt", "docx", "txt-cp1252"):
        for i, ln in enumerate(body, 3):
            if not ln.strip(): continue
            mm = labre.match(ln)
            if not mm: err(f, f"line {i}: speaker line without declared label: {ln[:60]}")
            else: seen_labels.add(mm.group(1))
            if f.startswith("s2") and not re.match(r"^(I|IP): \[\d\d:\d\d:\d\d\] ", ln):
                err(f, f"line {i}: missing timestamp after label")
    elif fmt == "srt":
        blocks = "\n".join(body).strip("\n").split("\n\n")
        for n, b in enumerate(blocks, 1):
            bl = b.split("\n")
            if bl[0] != str(n): err(f, f"cue {n}: bad number {bl[0]!r}")
            if len(bl) < 3 or not re.fullmatch(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", bl[1]):
                err(f, f"cue {n}: bad timing"); continue
            for j, ln in enumerate(bl[2:]):
                mm = labre.match(ln)
                if mm: seen_labels.add(mm.group(1))
                elif looks_like_label.match(ln): err(f, f"cue {n}: undeclared label {ln[:30]}")
                if n == 1 and j == 0 and not mm: err(f, "first cue has no label")
    elif fmt == "vtt":
        if body[0] != "WEBVTT": err(f, "missing WEBVTT header")
        blocks = "\n".join(body[1:]).strip("\n").split("\n\n")
        for n, b in enumerate(blocks, 1):
            bl = b.split("\n")
            if not re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}", bl[0]):
                err(f, f"cue {n}: bad timing {bl[0]!r}"); continue
            for ln in bl[1:]:
                mm = labre.match(ln)
                if not mm: err(f, f"cue {n}: cue line without declared label: {ln[:50]}")
                else: seen_labels.add(mm.group(1))
    if len(seen_labels) != 2: err(f, f"expected two speaker labels, saw {sorted(seen_labels)}")
    # headers before first turn must not hold marks
    for ln in lines[:2]:
        if MARK.search(ln): err(f, "mark in header line")
    # word count of spoken text
    spoken = MARK.sub(lambda m: m.group(1), bodytext)
    spoken = re.sub(r"^\d+$|^\d\d:\d\d:\d\d[,.]\d{3} --> .*$|^WEBVTT$", "", spoken, flags=re.M)
    spoken = labre.sub("", "\n".join(l for l in spoken.split("\n")))
    spoken = re.sub(r"^(" + "|".join(re.escape(l) for l in alllabs) + r"):\s*", "", spoken, flags=re.M)
    spoken = re.sub(r"\[\d\d:\d\d:\d\d\]", "", spoken)
    wc = len(spoken.split())
    if not 750 <= wc <= 1000: err(f, f"spoken word count {wc} outside 750-1000")
    counts.setdefault(f, {})["_words"] = wc
    counts[f]["_marks"] = len(marks)
    return text


def main():
    labels, study_keep = read_labels()
    counts, texts = {}, {}
    files = sorted(os.listdir(SRC))
    for fn in files:
        texts[fn] = check_file(os.path.join(SRC, fn), labels, counts)
    # informants.csv
    with open(os.path.join(HERE, "informants.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if [r["id"] for r in rows] != ["s1", "s2", "s3", "s4"]: err("informants.csv", "ids must be s1..s4")
    for r in rows:
        src = [fn for fn in files if fn.split(".")[0] == r["id"]]
        if len(src) != 1: err("informants.csv", f"no source for {r['id']}"); continue
        exp = src[0][:-4] if src[0].endswith(".docx.txt") else src[0]
        if r["file"] != exp: err("informants.csv", f"{r['id']}: file should be {exp}")
        if r["group"] not in ("kjoper", "ansatt"): err("informants.csv", f"bad group {r['group']}")
        keep = [k.strip() for k in texts[src[0]].split("\n")[1][7:].split(";")]
        for w in re.findall(r"\w+", r["role"]):
            if w[0].isupper() and not any(w in k for k in keep):
                err("informants.csv", f"{r['id']}: role word '{w}' not in #keep")
        # the informant's name (or a variant of its first token) should occur in a PERSON mark
        first = r["name"].split()[0].lower()
        import unicodedata
        def fold(s): return "".join(c for c in unicodedata.normalize("NFD", s.lower()) if unicodedata.category(c) != "Mn")
        pers = [fold(m.group(1)) for m in MARK.finditer(texts[src[0]]) if m.group(2) == "PERSON"]
        if not any(fold(first) in p for p in pers): err("informants.csv", f"{r['id']}: informant name not found in a PERSON mark")
    # study keep terms must be in some file's #keep line
    allkeep = set()
    for t in texts.values():
        allkeep |= {k.strip() for k in t.split("\n")[1][7:].split(";") if k.strip()}
    for k in study_keep:
        if k not in allkeep: err("study.yaml", f"keep term '{k}' not in any #keep line")
    # report
    tys = sorted(TYPES)
    print("file".ljust(14) + " ".join(t[:6].rjust(6) for t in tys) + "  marks  words")
    for fn in files:
        c = counts.get(fn, {})
        print(fn.ljust(14) + " ".join(str(c.get(t, 0)).rjust(6) for t in tys)
              + str(c.get("_marks", 0)).rjust(7) + str(c.get("_words", 0)).rjust(7))
    if errors:
        print("\nERRORS:"); print("\n".join(errors)); sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
