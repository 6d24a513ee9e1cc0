#!/usr/bin/env python3
"""Validate blind gold set 23 (synthetic). Standard library only."""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = ["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"]
FILES = {"s1.txt": "s1.txt", "s2.srt": "s2.srt", "s3.vtt": "s3.vtt", "s4.docx": "s4.docx.txt"}
TEAM = {"s1.txt": "s1.txt", "s2.srt": "s2.srt", "s3.vtt": "s3.vtt", "s4.docx.txt": "s4.docx"}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")
errors, warnings = [], []

# ---- number words (Bokmål, Nynorsk, Sunnmøre forms used) -> value
UNITS = {"null": 0, "ein": 1, "en": 1, "eitt": 1, "ett": 1, "to": 2, "tri": 3, "tre": 3,
         "fire": 4, "fira": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "åtta": 8,
         "ni": 9, "nie": 9}
TEENS = {"ti": 10, "elleve": 11, "ellve": 11, "tolv": 12, "tretten": 13, "fjorten": 14,
         "femten": 15, "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tjuge": 20, "tretti": 30, "tredve": 30, "førti": 40, "firti": 40,
        "femti": 50, "seksti": 60, "sytti": 70, "søtti": 70, "åtti": 80, "nitti": 90}


def word_value(w):
    w = w.lower()
    if w in UNITS:
        return UNITS[w]
    if w in TEENS:
        return TEENS[w]
    for t, v in sorted(TENS.items(), key=lambda x: -len(x[0])):
        if w.startswith(t):
            rest = w[len(t):]
            if rest == "":
                return v
            if rest in UNITS and UNITS[rest] > 0:
                return v + UNITS[rest]
    if w.endswith("hundre"):
        pre = w[:-6]
        base = UNITS.get(pre, 1) if pre else 1
        return base * 100
    return None


def to_digits(text):
    """Digits of a number said in digits and/or words; 'nei' starts a self-correction."""
    parts = re.split(r"\bnei\b", text, flags=re.I)
    def dig(s):
        out = ""
        for tok in re.findall(r"\+?\d+|[a-zA-ZæøåÆØÅ]+", s):
            if tok[0].isdigit() or tok[0] == "+":
                out += tok
            else:
                v = word_value(tok)
                if v is not None:
                    out += str(v)
        return out
    res = dig(parts[0])
    for p in parts[1:]:
        c = dig(p)
        if c:
            res = res[:len(res) - len(c)] + c if len(c) <= len(res) else c
    return res


def mod11(digits, weights):
    s = sum(int(d) * w for d, w in zip(digits, weights))
    k = 11 - s % 11
    if k == 11:
        k = 0
    return k


def valid_fnr(d):
    if len(d) != 11 or not d.isdigit():
        return False
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k1 < 10 and k2 < 10 and int(d[9]) == k1 and int(d[10]) == k2


def valid_konto(d):
    if len(d) != 11 or not d.isdigit():
        return False
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k < 10 and int(d[10]) == k


# ---- study.yaml (minimal parser for the fixed shape)
def read_yaml():
    txt = open(os.path.join(HERE, "study.yaml"), encoding="utf-8").read()
    for key in ["name:", "groups:", "group_labels:", "speaker_labels:", "interviewer:",
                "informant:", "anonymisation:", "keep_terms:"]:
        if key not in txt:
            errors.append("study.yaml: missing key " + key)
    def lst(key):
        m = re.search(r"^\s*" + key + r":\s*\[(.*)\]\s*$", txt, re.M)
        if not m:
            errors.append("study.yaml: no list for " + key)
            return []
        return [x.strip().strip('"') for x in m.group(1).split(",") if x.strip()]
    if lst("groups") != ["kjoper", "ansatt"]:
        errors.append("study.yaml: groups")
    return lst("interviewer"), lst("informant"), lst("keep_terms")


interviewer, informant, keep_all = read_yaml()
labels = set(interviewer) | set(informant)
for k in ["NAV", "Husbanken", "startlån"]:
    if k not in keep_all:
        errors.append("keep_terms lacks " + k)

TS_SRT = re.compile(r"^\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d$")
TS_VTT = re.compile(r"^\d\d:\d\d:\d\d\.\d\d\d --> \d\d:\d\d:\d\d\.\d\d\d$")
LABEL_LINE = re.compile(r"^([A-Za-zÆØÅæøå][\wÆØÅæøå .]{0,24}?):\s")
VTAG = re.compile(r"<v ([^>]+)>")

stats = {}
names_in = {}
for short, fn in FILES.items():
    path = os.path.join(HERE, "source", fn)
    if not os.path.exists(path):
        errors.append("missing " + fn)
        continue
    raw = open(path, "rb").read()
    if b"\r" in raw:
        errors.append(fn + ": CR line ends")
    lines = raw.decode("utf-8").split("\n")
    fmt = short.split(".")[1]
    if lines[0] != "#format: " + fmt:
        errors.append(fn + ": line 1 should be '#format: %s'" % fmt)
    if not lines[1].startswith("#keep: "):
        errors.append(fn + ": line 2 must be #keep")
    keep = [k.strip() for k in lines[1][7:].split(";") if k.strip()]
    for k in keep:
        if k not in keep_all:
            errors.append(fn + ": keep term %r not in study.yaml keep_terms" % k)
    body = [l for l in lines[2:] if not l.startswith("#")]
    plain = MARK.sub(lambda m: m.group(1), "\n".join(body))
    if "[[" in plain or "]]" in plain or "|" in plain:
        errors.append(fn + ": stray mark syntax")
    ci = (fmt == "txt")
    for k in keep:
        if not re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", plain, re.I if ci else 0):
            warnings.append(fn + ": keep term %r not found in text" % k)
    # structure
    if fmt == "srt":
        i, n, expect = 0, 0, 1
        while i < len(body):
            if body[i].strip() == "":
                i += 1
                continue
            if body[i] != str(expect):
                errors.append(fn + ": cue number %r, expected %d" % (body[i], expect)); break
            if i + 1 >= len(body) or not TS_SRT.match(body[i + 1]):
                errors.append(fn + ": bad timing after cue %d" % expect); break
            j = i + 2
            if j >= len(body) or body[j].strip() == "":
                errors.append(fn + ": empty cue %d" % expect)
            while j < len(body) and body[j].strip() != "":
                j += 1
            expect += 1
            i = j
    if fmt == "vtt":
        if body[0] != "WEBVTT" or body[1] != "":
            errors.append(fn + ": header must be WEBVTT + blank")
    # speaker labels and word/mark counts
    started = False
    counts = {t: 0 for t in TYPES}
    words = 0
    used = set()
    for ln in body:
        if fmt == "srt" and (re.fullmatch(r"\d+", ln) or TS_SRT.match(ln)):
            continue
        if fmt == "vtt" and (ln == "WEBVTT" or TS_VTT.match(ln)):
            continue
        text = ln
        lab = None
        if fmt == "vtt":
            m = VTAG.search(text)
            if m:
                lab = m.group(1)
                if not text.startswith(m.group(0)):
                    errors.append(fn + ": <v> tag not at line start: " + ln[:40])
            text = re.sub(r"</?v[^>]*>", " ", text)
        else:
            m = LABEL_LINE.match(text)
            if m and (m.group(1) in labels or re.fullmatch(r"[A-Z][\w ]{0,20}\d?", m.group(1))):
                lab = m.group(1)
                text = text[m.end():]
        if lab is not None:
            if lab not in labels:
                errors.append(fn + ": undeclared label %r" % lab)
            used.add(lab)
            started = True
        if not started:
            continue
        for mm in MARK.finditer(text):
            t = mm.group(2)
            if t not in TYPES:
                errors.append(fn + ": unknown type " + t); continue
            counts[t] += 1
            val = mm.group(1)
            if val != val.strip():
                errors.append(fn + ": spaces at mark edge %r" % val)
            for k in keep:
                if re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", val, re.I):
                    errors.append(fn + ": keep term %r inside mark %r" % (k, val))
            if t == "FØDSELSNUMMER" and not valid_fnr(to_digits(val)):
                errors.append(fn + ": invalid fnr/D-nr %r -> %s" % (val, to_digits(val)))
            if t == "KONTONUMMER" and not valid_konto(to_digits(val)):
                errors.append(fn + ": invalid kontonummer %r -> %s" % (val, to_digits(val)))
            if t == "TELEFON":
                d = to_digits(val)
                if d.startswith("+47"):
                    d = d[3:]
                elif d.startswith("0047"):
                    d = d[4:]
                if not (len(d) == 8 and d.isdigit()):
                    errors.append(fn + ": phone not 8 digits %r -> %s" % (val, d))
            if t == "EPOST" and "@" not in val and " at " not in val and "krøllalfa" not in val:
                errors.append(fn + ": odd e-mail %r" % val)
        spoken = MARK.sub(lambda m: m.group(1), text)
        spoken = re.sub(r"\[[^\]]*\]", " ", spoken)
        words += len([w for w in spoken.split() if re.search(r"\w", w)])
    # unmarked repeats of marked names (gold omissions)
    marked_plain = set(m.group(1) for m in MARK.finditer("\n".join(body)) if m.group(2) in ("PERSON", "ORGANISASJON", "STED"))
    rest = MARK.sub(" ", "\n".join(body))
    for v in marked_plain:
        for part in v.split():
            if len(part) >= 4 and part not in keep and re.search(r"(?<!\w)" + re.escape(part) + r"(?!\w)", rest):
                warnings.append(fn + ": %r also occurs unmarked" % part)
    for l in labels:
        pass
    total = sum(counts.values())
    if not 35 <= total <= 45:
        errors.append(fn + ": %d marks (need 35-45)" % total)
    if not 800 <= words <= 950:
        errors.append(fn + ": %d words (need 800-950)" % words)
    stats[fn] = (counts, total, words, sorted(used))
    names_in[TEAM[fn]] = plain

# informants.csv
with open(os.path.join(HERE, "informants.csv"), encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
if [r for r in rows] and list(rows[0].keys()) != ["id", "file", "group", "name", "role"]:
    errors.append("informants.csv header")
if sorted(r["file"] for r in rows) != sorted(names_in):
    errors.append("informants.csv: files %s vs %s" % (sorted(r["file"] for r in rows), sorted(names_in)))
for r in rows:
    if r["group"] not in ("kjoper", "ansatt"):
        errors.append("informants.csv: group " + r["group"])
    if r["file"] in names_in and r["name"] not in names_in[r["file"]]:
        errors.append("informants.csv: name %r not in %s" % (r["name"], r["file"]))
for bad in ["transcripts", "gold"]:
    if os.path.exists(os.path.join(HERE, bad)):
        errors.append("must not exist: " + bad)

# table
short = {"PERSON": "PER", "STED": "STED", "ORGANISASJON": "ORG", "ADRESSE": "ADR", "TELEFON": "TLF",
         "EPOST": "EPOST", "DATO": "DATO", "FØDSELSNUMMER": "FNR", "KONTONUMMER": "KTO", "SAKSNUMMER": "SAK"}
hdr = "| file | " + " | ".join(short[t] for t in TYPES) + " | marks | words |"
print(hdr)
print("|" + "---|" * (len(TYPES) + 3))
for fn, (c, tot, w, used) in stats.items():
    print("| %s | " % fn + " | ".join(str(c[t]) for t in TYPES) + " | %d | %d |" % (tot, w))
for w in warnings:
    print("WARNING:", w)
for e in errors:
    print("ERROR:", e)
print("FAIL" if errors else "OK")
sys.exit(1 if errors else 0)
