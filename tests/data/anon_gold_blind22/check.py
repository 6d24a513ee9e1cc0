#!/usr/bin/env python3
"""Validate blind gold set 22 (synthetic). Standard library only."""
import csv, os, re, sys

ROOT = os.path.dirname(os.path.abspath(__file__))
TYPES = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
SHORT = {"PERSON": "PER", "STED": "STED", "ORGANISASJON": "ORG", "ADRESSE": "ADR",
         "TELEFON": "TLF", "EPOST": "EPO", "DATO": "DATO", "FØDSELSNUMMER": "FNR",
         "KONTONUMMER": "KTO", "SAKSNUMMER": "SAK"}
EXT = {"txt": (".txt",), "txt-cp1252": (".txt",), "docx": (".docx.txt",),
       "srt": (".srt",), "vtt": (".vtt",)}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")
errors = []

def err(msg):
    errors.append(msg)

# ---------- number words (Bokmål, Nynorsk, forms used in the set) ----------
UNITS = {"null": 0, "en": 1, "ein": 1, "én": 1, "ei": 1, "ett": 1, "eitt": 1, "to": 2, "tre": 3,
         "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
         "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tyve": 20, "tretti": 30, "tredve": 30, "førti": 40, "femti": 50,
        "seksti": 60, "sytti": 70, "søtti": 70, "åtti": 80, "nitti": 90}

def word_value(w):
    if w in UNITS: return UNITS[w]
    if w in TEENS: return TEENS[w]
    if w in TENS: return TENS[w]
    for t, v in TENS.items():
        if w.startswith(t) and w[len(t):] in UNITS and UNITS[w[len(t):]] > 0:
            return v + UNITS[w[len(t):]]
    return None

def to_digits(text):
    """Read digits and number words in order into one digit string."""
    toks = re.findall(r"\+|\d+|[a-zæøåé]+", text.lower())
    out, i = [], 0
    while i < len(toks):
        t = toks[i]
        if t.isdigit() or t == "+":
            out.append(t); i += 1; continue
        if t in ("pluss",):
            out.append("+"); i += 1; continue
        # old counting: "fem og førti" = 45
        if t in UNITS and i + 2 < len(toks) and toks[i + 1] == "og" and toks[i + 2] in TENS:
            out.append(str(TENS[toks[i + 2]] + UNITS[t])); i += 3; continue
        if t == "dobbel" and i + 1 < len(toks) and word_value(toks[i + 1]) is not None:
            d = str(word_value(toks[i + 1])); out.append(d + d); i += 2; continue
        v = word_value(t)
        if v is not None:
            out.append(str(v))
        i += 1
    return "".join(out)

def mod11(digits, weights):
    s = sum(int(d) * w for d, w in zip(digits, weights))
    r = 11 - s % 11
    if r == 11: r = 0
    return r  # 10 means invalid

def valid_fnr(d):
    if len(d) != 11: return "not 11 digits"
    day, month = int(d[0:2]), int(d[2:4])
    if day > 40: day -= 40  # D-nummer
    if not (1 <= day <= 31 and 1 <= month <= 12): return "bad date part"
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    if k1 == 10 or k1 != int(d[9]): return "k1 wrong"
    if k2 == 10 or k2 != int(d[10]): return "k2 wrong"
    return None

def valid_konto(d):
    if len(d) != 11: return "not 11 digits"
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    if k == 10 or k != int(d[10]): return "mod-11 wrong"
    return None

def valid_iban_no(s):
    s = re.sub(r"\s", "", s).upper()
    if not re.fullmatch(r"NO\d{13}", s): return "not NO + 13 digits"
    num = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    if int(num) % 97 != 1: return "IBAN mod-97 wrong"
    return valid_konto(s[4:])

CORR = re.compile(r"\b(nei|nei vent|unnskyld|sorry|altså|eller)\b", re.I)

def check_value(fname, typ, text):
    where = f"{fname}: [[{text}|{typ}]]"
    if typ == "FØDSELSNUMMER":
        p = valid_fnr(to_digits(text))
        if p: err(f"{where}: fødselsnummer {p} ({to_digits(text)})")
    elif typ == "KONTONUMMER":
        if re.match(r"\s*NO\s*\d", text, re.I):
            p = valid_iban_no(text)
        else:
            p = valid_konto(to_digits(text))
        if p: err(f"{where}: kontonummer {p} ({to_digits(text)})")
    elif typ == "TELEFON":
        part = CORR.split(text)[0]  # self-correction: the first reading must be a full number
        d = to_digits(part)
        d = re.sub(r"^(\+47|0047)", "", d).replace("+", "")
        if len(d) != 8: err(f"{where}: phone has {len(d)} digits ({d})")
    elif typ == "EPOST":
        if "@" not in text and "krøllalfa" not in text.lower() and "alfakrøll" not in text.lower():
            err(f"{where}: e-mail without @ / krøllalfa")

# ---------- study.yaml (fixed structure, minimal parser) ----------
def parse_list(s):
    s = s.strip()
    if not (s.startswith("[") and s.endswith("]")): return None
    return [x.strip().strip('"').strip("'") for x in s[1:-1].split(",") if x.strip()]

def read_yaml(path):
    y = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^(\s*)([A-Za-z_]+):\s*(.*)$", line.rstrip("\n"))
            if m: y[m.group(2)] = m.group(3)
    return y

y = read_yaml(os.path.join(ROOT, "study.yaml"))
for k in ["name", "groups", "group_labels", "speaker_labels", "interviewer", "informant",
          "anonymisation", "keep_terms"]:
    if k not in y: err(f"study.yaml: key {k} missing")
if y.get("name", "").strip('"') != "Blind gullstandard 22 for anonymisering (syntetisk)":
    err("study.yaml: name wrong")
if parse_list(y.get("groups", "")) != ["kjoper", "ansatt"]: err("study.yaml: groups wrong")
if y.get("group_labels", "").replace(" ", "") != "{kjoper:kjøper,ansatt:ansatt}":
    err("study.yaml: group_labels wrong")
interviewer = parse_list(y.get("interviewer", "[]")) or []
informant = parse_list(y.get("informant", "[]")) or []
keep_yaml = parse_list(y.get("keep_terms", "[]")) or []
labels = set(interviewer) | set(informant)
for t in ("NAV", "Husbanken", "startlån"):
    if t not in keep_yaml: err(f"study.yaml: keep_terms lacks {t}")
if set(interviewer) & set(informant): err("study.yaml: label in both lists")

for bad in ("transcripts", "gold"):
    if os.path.exists(os.path.join(ROOT, bad)): err(f"{bad}/ must not exist")

# ---------- informants.csv ----------
with open(os.path.join(ROOT, "informants.csv"), encoding="utf-8", newline="") as f:
    rows = list(csv.DictReader(f))
if not rows or list(rows[0].keys()) != ["id", "file", "group", "name", "role"]:
    err("informants.csv: header must be id,file,group,name,role")

# ---------- source files ----------
src = os.path.join(ROOT, "source")
files = sorted(x for x in os.listdir(src) if re.match(r"s\d", x))
table, keep_files = [], set()
persons = {}
for fn in files:
    raw = open(os.path.join(src, fn), "rb").read()
    first = raw.split(b"\n", 1)[0].decode("ascii", "replace").strip()
    m = re.match(r"#format: (\S+)$", first)
    if not m or m.group(1) not in EXT:
        err(f"{fn}: bad #format line"); continue
    fmt = m.group(1)
    if not fn.endswith(EXT[fmt]) or (fmt != "docx" and fn.endswith(".docx.txt")):
        err(f"{fn}: extension does not fit format {fmt}")
    enc = "cp1252" if fmt == "txt-cp1252" else "utf-8"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as e:
        err(f"{fn}: not {enc}: {e}"); continue
    if "\r" in text: text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines[1].startswith("#keep: "):
        err(f"{fn}: line 2 must be #keep:"); continue
    keep = [k.strip() for k in lines[1][7:].split(";") if k.strip()]
    keep_files |= set(keep)
    body = [l for l in lines if not l.startswith("#")]
    # SRT / VTT structure
    if fmt == "srt":
        blocks = "\n".join(body).strip("\n").split("\n\n")
        last = -1
        for n, b in enumerate(blocks, 1):
            bl = b.split("\n")
            if len(bl) < 3 or bl[0] != str(n):
                err(f"{fn}: cue {n} malformed: {bl[:2]}"); continue
            tm = re.fullmatch(r"(\d\d):(\d\d):(\d\d),(\d{3}) --> (\d\d):(\d\d):(\d\d),(\d{3})", bl[1])
            if not tm: err(f"{fn}: cue {n} bad timing"); continue
            g = [int(x) for x in tm.groups()]
            a = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + g[3]
            z = ((g[4] * 60 + g[5]) * 60 + g[6]) * 1000 + g[7]
            if not (last <= a < z): err(f"{fn}: cue {n} times not increasing")
            last = z
        textlines = [l for b in blocks for l in b.split("\n")[2:]]
    elif fmt == "vtt":
        if body[0] != "WEBVTT": err(f"{fn}: VTT must start WEBVTT")
        textlines = [l for l in body[1:] if l and "-->" not in l]
    else:
        textlines = [l for l in body if l.strip()]
    # speaker labels / header
    lab_re = re.compile(r"^(?:\[\d\d:\d\d:\d\d\]\s+)?([^\s:\[\]][^:\[\]]{0,30}?):\s")
    vtt_re = re.compile(r"^<v ([^>]+)>")
    started, nturns, counted = False, 0, []
    for l in textlines:
        lm = vtt_re.match(l) if fmt == "vtt" else lab_re.match(l)
        lab = lm.group(1) if lm else None
        if lab and lab not in labels and started and len(lab.split()) <= 2:
            err(f"{fn}: undeclared label {lab!r}")
        if lab and lab in labels:
            started = True; nturns += 1
            counted.append(l[lm.end():])
        elif started:
            if fmt in ("txt", "txt-cp1252", "docx") and l.strip():
                err(f"{fn}: line without speaker label: {l[:50]!r}")
            counted.append(l)
    if nturns == 0: err(f"{fn}: no speaker turns")
    spoken = "\n".join(counted)
    # marks
    marks = MARK.findall(spoken)
    if spoken.count("[[") != len(marks) or spoken.count("]]") != len(marks):
        err(f"{fn}: stray [[ or ]] (unbalanced or malformed mark)")
    counts = {t: 0 for t in TYPES}
    for mt, ty in marks:
        if ty not in TYPES: err(f"{fn}: unknown type {ty}"); continue
        counts[ty] += 1
        if mt != mt.strip(): err(f"{fn}: mark with outer space {mt!r}")
        for k in keep:
            if re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", mt, re.I):
                err(f"{fn}: keep term {k!r} inside mark {mt!r}")
        check_value(fn, ty, mt)
        if ty == "PERSON": persons.setdefault(fn, set()).add(mt)
    # a name that is marked somewhere must not also occur unmarked in the same file
    rest = MARK.sub(" \u2063 ", spoken)
    names = set()
    for mt, ty in marks:
        if ty in ("PERSON", "STED", "ORGANISASJON"):
            names.add(mt)
        if ty == "PERSON":
            names |= {w for w in re.split(r"[\s-]+", mt) if len(w) > 2}
    for nmv in sorted(names):
        if nmv in keep: continue
        if re.search(r"(?<!\w)" + re.escape(nmv) + r"(?!\w)", rest):
            err(f"{fn}: {nmv!r} is marked elsewhere but occurs unmarked")
    plain = MARK.sub(lambda m: m.group(1), spoken)
    if "|" in plain: err(f"{fn}: '|' left after unmarking")
    for k in keep:
        if not re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", MARK.sub(" ", "\n".join(body))):
            err(f"{fn}: keep term {k!r} not found in text outside marks")
    words_src = re.sub(r"\[[^\[\]]*\]", " ", plain) if True else plain
    words = [w for w in words_src.split() if re.search(r"\w", w)]
    nm = len(marks)
    if not 35 <= nm <= 45: err(f"{fn}: {nm} marks (need 35-45)")
    if not 800 <= len(words) <= 950: err(f"{fn}: {len(words)} words (need 800-950)")
    table.append((fn, fmt, counts, nm, len(words), nturns))

missing = keep_files - set(keep_yaml)
if missing: err(f"study.yaml keep_terms lacks: {sorted(missing)}")
for r in rows:
    if r["group"] not in ("kjoper", "ansatt"): err(f"informants.csv: bad group {r['group']}")
    f = os.path.basename(r["file"])
    if f not in files: err(f"informants.csv: file {r['file']} not in source/")
    elif r["name"] not in persons.get(f, set()):
        err(f"informants.csv: name {r['name']!r} not a PERSON mark in {f}")
if len(rows) != len(files): err("informants.csv: need one row per transcript")
for need in ("README.md",):
    if not os.path.exists(os.path.join(ROOT, need)): err(f"{need} missing")

hdr = ["fil", "format"] + [SHORT[t] for t in TYPES] + ["marks", "ord", "turer"]
print("| " + " | ".join(hdr) + " |")
print("|" + "---|" * len(hdr))
tot = {t: 0 for t in TYPES}; tm = tw = tt = 0
for fn, fmt, c, nm, nw, nt in table:
    print("| " + " | ".join([fn, fmt] + [str(c[t]) for t in TYPES] + [str(nm), str(nw), str(nt)]) + " |")
    for t in TYPES: tot[t] += c[t]
    tm += nm; tw += nw; tt += nt
print("| " + " | ".join(["sum", ""] + [str(tot[t]) for t in TYPES] + [str(tm), str(tw), str(tt)]) + " |")
if errors:
    print(f"\n{len(errors)} FEIL:")
    for e in errors: print(" -", e)
    sys.exit(1)
print("\nOK: alle kontroller bestått")
