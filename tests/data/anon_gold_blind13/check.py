#!/usr/bin/env python3
"""Check script for blind gold set 13 (synthetic). Stdlib only.

Verifies for every source file:
  * header lines (#format, #keep) present and valid
  * every [[text|TYPE]] mark well formed, with a valid TYPE, never spanning a line
  * no stray [[ or ]] or | outside well-formed marks
  * every #keep term occurs in the file outside marks and never (case-insensitively) inside a mark
  * FØDSELSNUMMER (incl. D-nummer) and KONTONUMMER spans: spoken/mixed forms are turned into
    digits with the mapping below, and the mod-11 check digits are verified
  * no marks in header lines before the first speaker turn
  * every speaker line starts with a declared label (txt/docx: every line after the first turn;
    srt: cue structure, the first cue starts with a label, any 'Label:' at cue start is declared)
  * txt-cp1252 files decode as Windows-1252 and contain no UTF-8 byte sequences
Also checks informants.csv and study.yaml against the files, and prints span counts.
"""
import csv, os, re, sys, collections

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
TYPES = {"PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
FILES = {  # id: (file name, interviewer labels, informant labels)
    "s1": ("s1.txt", ["I1"], ["R"]),
    "s2": ("s2.srt", ["SPEAKER_00"], ["SPEAKER_01"]),
    "s3": ("s3.docx.txt", ["Int"], ["Deltaker 1", "Deltaker 2"]),
    "s4": ("s4.txt", ["Intervjuar"], ["Informant"]),
}
FORMATS = {"txt", "srt", "vtt", "docx", "txt-cp1252"}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")

# ---- spoken numbers -> digits (Bokmål, Nynorsk, dialect) ----
UNITS = {"null": 0, "en": 1, "ein": 1, "ett": 1, "eitt": 1, "ei": 1, "to": 2, "tre": 3, "fire": 4,
         "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
         "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tjuge": 20, "tretti": 30, "tretti": 30, "trettí": 30, "førti": 40, "femti": 50,
        "seksti": 60, "sytti": 70, "åtti": 80, "nitti": 90}

def word_value(w):
    """Return the digit string a single word stands for, or None."""
    if w.isdigit():
        return w
    if w in UNITS:
        return str(UNITS[w])
    if w in TEENS:
        return str(TEENS[w])
    if w in TENS:
        return str(TENS[w])
    for t, v in TENS.items():  # compounds: nittito, tjueein, sekstiåtte ...
        if w.startswith(t) and w[len(t):] in UNITS and UNITS[w[len(t):]] > 0:
            return str(v + UNITS[w[len(t):]])
    return None

def to_digits(text):
    toks = [t for t in re.split(r"[\s,.;:/\-–]+", text.lower()) if t]
    out, i = [], 0
    while i < len(toks):
        t = toks[i]
        # old counting: "fire og femti" = 54
        if i + 2 < len(toks) and toks[i + 1] == "og" and toks[i] in UNITS and toks[i + 2] in TENS:
            out.append(str(TENS[toks[i + 2]] + UNITS[toks[i]]))
            i += 3
            continue
        # "førti en" written as two words = 41
        if t in TENS and i + 1 < len(toks) and toks[i + 1] in UNITS and UNITS[toks[i + 1]] > 0:
            out.append(str(TENS[t] + UNITS[toks[i + 1]]))
            i += 2
            continue
        v = word_value(t)
        if v is None:
            raise ValueError(f"cannot read number word {t!r} in {text!r}")
        out.append(v)
        i += 1
    return "".join(out)

def mod11(digits, weights):
    r = 11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11
    return 0 if r == 11 else r

def valid_fnr(d):
    if len(d) != 11:
        return False, "length"
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    if k1 == 10 or k2 == 10 or int(d[9]) != k1 or int(d[10]) != k2:
        return False, "check digits"
    day, month = int(d[:2]), int(d[2:4])
    if day > 40:
        day -= 40  # D-nummer
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False, "date part"
    return True, "D-nummer" if int(d[:2]) > 40 else "fødselsnummer"

def valid_account(d):
    if len(d) != 11:
        return False, "length"
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return (k != 10 and int(d[10]) == k), "check digit"

def read(path, fmt):
    raw = open(path, "rb").read()
    if fmt == "txt-cp1252":
        try:
            raw.decode("utf-8")
            if any(b >= 0x80 for b in raw):
                return None, "cp1252 file is also valid UTF-8 (probably not converted)"
        except UnicodeDecodeError:
            pass
        try:
            return raw.decode("cp1252", errors="strict"), None
        except UnicodeDecodeError as e:
            return None, f"not Windows-1252: {e}"
    return raw.decode("utf-8"), None

def main():
    errors, counts, infile_marks = [], {}, {}
    keep_union = set()
    all_labels = {"interviewer": [], "informant": []}
    for fid, (fname, ilabels, rlabels) in FILES.items():
        path = os.path.join(SRC, fname)
        def err(msg):
            errors.append(f"{fname}: {msg}")
        if not os.path.exists(path):
            err("missing"); continue
        lines0 = open(path, "rb").read().split(b"\n")
        fmt = lines0[0].decode("ascii", "replace").strip().replace("#format:", "").strip()
        if not lines0[0].startswith(b"#format:") or fmt not in FORMATS:
            err("bad #format line"); continue
        text, e = read(path, fmt)
        if e:
            err(e); continue
        lines = text.split("\n")
        if not lines[1].startswith("#keep:"):
            err("line 2 is not #keep"); continue
        keep = [k.strip() for k in lines[1][len("#keep:"):].split(";") if k.strip()]
        body_lines = lines[2:]
        body = "\n".join(body_lines)
        # marks
        marks = MARK.findall(body)
        infile_marks[fid] = marks
        c = collections.Counter()
        for span, typ in marks:
            if typ not in TYPES:
                err(f"invalid TYPE {typ!r} for {span!r}")
            if span != span.strip():
                err(f"span with outer whitespace {span!r}")
            c[typ] += 1
        counts[fid] = c
        rest = MARK.sub("\u0000", body)
        for bad in ("[[", "]]", "|"):
            if bad in rest:
                i = rest.index(bad)
                err(f"stray {bad!r} near {rest[max(0, i-30):i+30]!r}")
        # genitive -s must be outside: flag marks whose text ends in "s" + the same text without s elsewhere
        # keep terms
        for k in keep:
            if k not in rest:
                err(f"keep term {k!r} does not occur outside marks")
            for span, typ in marks:
                if k.lower() in span.lower():
                    err(f"keep term {k!r} inside mark {span!r}")
        # speaker labels
        labels = ilabels + rlabels
        lab_re = re.compile(r"^(" + "|".join(re.escape(l) for l in sorted(labels, key=len, reverse=True)) + r"):")
        any_label = re.compile(r"^([A-Za-zÆØÅæøå_0-9]+(?: \d+)?):(\s|$)")
        all_labels["interviewer"] += ilabels
        all_labels["informant"] += rlabels
        if fmt in ("txt", "docx", "txt-cp1252"):
            first = next((i for i, l in enumerate(body_lines) if lab_re.match(l)), None)
            if first is None:
                err("no speaker turn found"); continue
            for l in body_lines[:first]:
                if MARK.search(l):
                    err(f"mark in header line {l!r}")
            used = set()
            for n, l in enumerate(body_lines[first:], start=first + 3):
                if not l.strip():
                    continue
                m = lab_re.match(l)
                if not m:
                    err(f"line {n} does not start with a declared label: {l[:50]!r}")
                else:
                    used.add(m.group(1))
            for l in labels:
                if l not in used:
                    err(f"declared label {l!r} never used")
        elif fmt == "srt":
            blocks = [b for b in body.strip("\n").split("\n\n") if b.strip()]
            tre = re.compile(r"^\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}$")
            used, prev_end = set(), ""
            for i, b in enumerate(blocks, 1):
                bl = b.split("\n")
                if bl[0].strip() != str(i):
                    err(f"cue {i}: bad index {bl[0]!r}")
                if len(bl) < 3 or not tre.match(bl[1]):
                    err(f"cue {i}: bad timing line"); continue
                st, en = bl[1].split(" --> ")
                if not (st < en and st >= prev_end):
                    err(f"cue {i}: times not increasing")
                prev_end = en
                txt = bl[2]
                if i == 1 and not lab_re.match(txt):
                    err("first cue has no speaker label")
                m = any_label.match(txt)
                if m:
                    if not lab_re.match(txt):
                        err(f"cue {i}: undeclared label {m.group(1)!r}")
                    else:
                        used.add(lab_re.match(txt).group(1))
                for extra in bl[3:]:
                    if lab_re.match(extra):
                        err(f"cue {i}: label not at start of cue")
            for l in labels:
                if l not in used:
                    err(f"declared label {l!r} never used")
        # number checks
        for span, typ in marks:
            if typ in ("FØDSELSNUMMER", "KONTONUMMER"):
                try:
                    d = to_digits(span)
                except ValueError as ex:
                    err(str(ex)); continue
                ok, why = (valid_fnr if typ == "FØDSELSNUMMER" else valid_account)(d)
                if not ok:
                    err(f"{typ} {span!r} -> {d}: invalid ({why})")
            if typ == "TELEFON":
                core = re.split(r",? (?:lokal|linje|tast)\b| / ", span)[0]
                try:
                    d = to_digits(core)
                except ValueError as ex:
                    err(str(ex)); continue
                if len(d) != 8 or d[0] not in "2345679":
                    err(f"TELEFON {span!r} -> {d}: not an 8-digit Norwegian number")
        keep_union.update(keep)
    # informants.csv
    try:
        rows = list(csv.DictReader(open(os.path.join(HERE, "informants.csv"), encoding="utf-8")))
        if [r["id"] for r in rows] != list(FILES):
            errors.append("informants.csv: ids do not match files")
        for r in rows:
            if r["group"] not in ("kjoper", "ansatt"):
                errors.append(f"informants.csv: bad group {r['group']}")
            fname = FILES[r["id"]][0]
            exp = fname[:-4] if fname.endswith(".docx.txt") else fname
            if r["file"] != exp:
                errors.append(f"informants.csv: file {r['file']} != {exp}")
            for span, typ in infile_marks.get(r["id"], []):
                if typ in ("PERSON", "STED", "ORGANISASJON", "ADRESSE") and re.search(r"\b" + re.escape(span) + r"\b", r["role"]):
                    errors.append(f"informants.csv: role of {r['id']} contains marked {span!r}")
    except (OSError, KeyError) as ex:
        errors.append(f"informants.csv: {ex}")
    # study.yaml (simple text check, no yaml library)
    try:
        y = open(os.path.join(HERE, "study.yaml"), encoding="utf-8").read()
        for role, labs in all_labels.items():
            m = re.search(role + r":\s*\[(.*?)\]", y)
            got = [s.strip().strip('"\'') for s in m.group(1).split(",")] if m else []
            if sorted(set(got)) != sorted(set(labs)):
                errors.append(f"study.yaml: {role} labels {got} != {sorted(set(labs))}")
        m = re.search(r"keep_terms:\s*\[(.*?)\]", y, re.S)
        kt = [s.strip().strip('"\'') for s in m.group(1).split(",")] if m else []
        for k in kt:
            if k not in keep_union:
                errors.append(f"study.yaml: keep term {k!r} not in any #keep line")
    except OSError as ex:
        errors.append(f"study.yaml: {ex}")
    # report
    types = sorted(TYPES)
    print("file  " + " ".join(f"{t[:6]:>6}" for t in types) + "  total")
    for fid, c in counts.items():
        print(f"{fid:5} " + " ".join(f"{c.get(t, 0):>6}" for t in types) + f"  {sum(c.values()):>5}")
    if errors:
        print("\nFAILED:")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("\nAll checks passed.")

if __name__ == "__main__":
    main()
