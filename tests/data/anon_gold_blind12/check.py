#!/usr/bin/env python3
"""Checks for blind gold set 12 (synthetic). stdlib only.  Run: python3 check.py"""
import os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "source")
TYPES = {"PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST", "DATO",
         "FØDSELSNUMMER", "KONTONUMMER", "SAKSNUMMER"}
LABELS = {  # file -> (interviewer labels, informant labels)
    "s1.txt": (["Intervjuer"], ["Deltaker"]),
    "s2.vtt": (["Intervjuer"], ["Informant"]),
    "s3.docx.txt": (["Forsker"], ["Ansatt"]),
    "s4.srt": (["Speaker 1"], ["Speaker 2"]),
}
# optional manual digit list: (file, span text) -> digits, used only if the word mapping fails
DIGITS = {}
# phone spans that are internal extensions (4 digits) rather than full numbers
EXTENSIONS = {("s3.docx.txt", "4607")}

MARK = re.compile(r"\[\[([^\[\]\n]*?)\]\]")
FILLERS = {"eh", "ehm", "øh", "hm", "mm", "altså"}
UNITS = {"null": 0, "en": 1, "ein": 1, "ett": 1, "eitt": 1, "én": 1, "to": 2, "tre": 3,
         "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
         "seksten": 16, "sytten": 17, "søtten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tjuge": 20, "tretti": 30, "førti": 40, "femti": 50, "seksti": 60,
        "sytti": 70, "søtti": 70, "åtti": 80, "nitti": 90}


def word_number(w):
    """one spoken token -> digit string, or None"""
    if w.isdigit():
        return w
    if w in UNITS:
        return str(UNITS[w])
    if w in TEENS:
        return str(TEENS[w])
    for t, v in TENS.items():
        if w == t:
            return str(v)
        if w.startswith(t) and w[len(t):] in UNITS and UNITS[w[len(t):]] > 0:
            return str(v + UNITS[w[len(t):]])
    return None


def to_digits(text):
    """spoken or written number -> digit string (after the last self-correction 'nei')"""
    t = text.lower()
    t = re.split(r"\bnei\b", t)[-1]
    toks = [x for x in re.split(r"[\s,.;:/\-–]+", t) if x and x not in FILLERS]
    out, i = "", 0
    while i < len(toks):
        w = toks[i]
        # dialect order: unit 'og' tens  (to og nitti = 92)
        if i + 2 < len(toks) and toks[i + 1] == "og" and toks[i] in UNITS and toks[i + 2] in TENS:
            out += str(UNITS[toks[i]] + TENS[toks[i + 2]]); i += 3; continue
        d = word_number(w)
        if d is None:
            return None
        out += d; i += 1
    return out


def mod11(digits, weights):
    s = sum(int(a) * b for a, b in zip(digits, weights))
    k = 11 - s % 11
    return 0 if k == 11 else (None if k == 10 else k)


def valid_fnr(d):
    if len(d) != 11:
        return False, "length %d" % len(d)
    day, month = int(d[0:2]), int(d[2:4])
    if day > 40:
        day -= 40  # D-nummer
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False, "bad date"
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return (k1 is not None and k2 is not None and int(d[9]) == k1 and int(d[10]) == k2), "check digits"


def valid_account(d):
    if len(d) != 11:
        return False, "length %d" % len(d)
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return (k is not None and int(d[10]) == k), "check digit"


def spoken_text(fmt, body_lines, labels):
    out = []
    for ln in body_lines:
        s = ln.strip()
        if not s or s == "WEBVTT" or re.fullmatch(r"\d+", s) or "-->" in s:
            continue
        s = re.sub(r"^<v [^>]+>", "", s)
        for lab in labels:
            if s.startswith(lab + ":"):
                s = s[len(lab) + 1:]
        out.append(MARK.sub(lambda m: m.group(1).rsplit("|", 1)[0], s))
    return " ".join(out)


def check_file(name):
    errs, counts = [], {}
    path = os.path.join(SRC, name)
    raw = open(path, encoding="utf-8").read()
    lines = raw.split("\n")
    fmt_m = re.fullmatch(r"#format: (txt|srt|vtt|docx|txt-cp1252)", lines[0])
    if not fmt_m:
        errs.append("line 1 is not a #format line")
        return errs, counts, 0
    fmt = fmt_m.group(1)
    if not lines[1].startswith("#keep: "):
        errs.append("line 2 is not a #keep line")
    keep = [k.strip() for k in lines[1][len("#keep: "):].split(";") if k.strip()]
    body = lines[2:]
    body_text = "\n".join(body)
    if fmt == "txt-cp1252":
        try:
            body_text.encode("cp1252")
        except UnicodeEncodeError as e:
            errs.append("not cp1252-encodable: %s" % e)
    ivr, inf = LABELS[name]
    labels = ivr + inf
    # ---- marks
    spans = []
    for m in MARK.finditer(body_text):
        inner = m.group(1)
        if inner.count("|") != 1:
            errs.append("bad mark %r" % m.group(0)); continue
        orig, typ = inner.split("|")
        if typ not in TYPES:
            errs.append("bad type %r" % m.group(0))
        if not orig.strip() or orig != orig.strip():
            errs.append("empty/padded span %r" % m.group(0))
        if orig.endswith("s") and typ == "PERSON" and orig[:-1] + "|" in body_text:
            pass
        spans.append((orig, typ))
        counts[typ] = counts.get(typ, 0) + 1
    rest = MARK.sub("", body_text)
    if "[[" in rest or "]]" in rest:
        errs.append("unbalanced [[ ]] outside marks")
    plain = MARK.sub(" \u0000 ", body_text)  # text outside marks
    # ---- keep terms
    for k in keep:
        pat = re.compile(r"(?<!\w)" + re.escape(k) + r"(?!\w)")
        if not pat.search(plain):
            errs.append("keep term %r not found outside marks" % k)
        for orig, typ in spans:
            if pat.search(orig):
                errs.append("keep term %r inside mark %r" % (k, orig))
    # ---- identifiers with check digits / phone lengths
    for orig, typ in spans:
        if typ in ("FØDSELSNUMMER", "KONTONUMMER", "TELEFON"):
            d = to_digits(orig)
            if d is None:
                d = DIGITS.get((name, orig))
            if d is None:
                errs.append("cannot convert %s %r to digits" % (typ, orig)); continue
            if typ == "FØDSELSNUMMER":
                ok, why = valid_fnr(d)
            elif typ == "KONTONUMMER":
                ok, why = valid_account(d)
            else:
                ok = len(d) == 8 or ((name, orig) in EXTENSIONS and len(d) == 4)
                why = "phone length %d" % len(d)
            if not ok:
                errs.append("%s %r -> %s invalid (%s)" % (typ, orig, d, why))
    # ---- header lines: no marks before first speaker turn
    # ---- speaker labels / structure
    label_re = re.compile(r"^(%s):" % "|".join(re.escape(l) for l in labels))
    looks_like_label = re.compile(r"^[A-ZÆØÅa-zæøå][\w ]{0,20}:(\s|$)")
    if fmt in ("txt", "txt-cp1252", "docx"):
        first = True
        for i, ln in enumerate(body, start=3):
            if not ln.strip():
                continue
            if not label_re.match(ln):
                errs.append("line %d does not start with a declared label" % i)
            first = False
    elif fmt == "srt":
        blocks = [b for b in "\n".join(body).strip("\n").split("\n\n")]
        for bi, b in enumerate(blocks, start=1):
            bl = b.split("\n")
            if len(bl) < 3 or bl[0] != str(bi) or not re.fullmatch(
                    r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", bl[1]):
                errs.append("srt cue %d malformed" % bi); continue
            for tl in bl[2:]:
                if looks_like_label.match(tl) and not label_re.match(tl):
                    errs.append("srt cue %d: undeclared label %r" % (bi, tl[:20]))
            if bi == 1 and not label_re.match(bl[2]):
                errs.append("first srt cue has no label")
    elif fmt == "vtt":
        if body[0] != "WEBVTT":
            errs.append("missing WEBVTT header")
        blocks = "\n".join(body[1:]).strip("\n").split("\n\n")
        for bi, b in enumerate(blocks, start=1):
            bl = b.split("\n")
            if len(bl) < 2 or not re.fullmatch(
                    r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}", bl[0]):
                errs.append("vtt cue %d malformed" % bi); continue
            m = re.match(r"^<v ([^>]+)>", bl[1])
            if not m or m.group(1) not in labels:
                errs.append("vtt cue %d lacks a declared voice tag" % bi)
        if MARK.search(body[0]):
            errs.append("mark in header")
    words = len(spoken_text(fmt, body, labels).split())
    if not 750 <= words <= 1000:
        errs.append("word count %d outside 750-1000" % words)
    n = sum(counts.values())
    if not 38 <= n <= 42:
        errs.append("span count %d outside 38-42" % n)
    return errs, counts, words


def main():
    bad = 0
    allt = sorted(TYPES)
    print("%-12s %5s %5s  %s" % ("file", "words", "spans", "per type"))
    for name in sorted(LABELS):
        errs, counts, words = check_file(name)
        print("%-12s %5d %5d  %s" % (name, words, sum(counts.values()),
              ", ".join("%s=%d" % (t, counts[t]) for t in allt if t in counts)))
        for e in errs:
            print("   ERROR:", e); bad += 1
    # informants.csv / study.yaml presence
    for f in ("informants.csv", "study.yaml", "README.md"):
        if not os.path.exists(os.path.join(HERE, f)):
            print("   ERROR: missing", f); bad += 1
    csvp = os.path.join(HERE, "informants.csv")
    if os.path.exists(csvp):
        import csv
        rows = list(csv.DictReader(open(csvp, encoding="utf-8")))
        if [r["id"] for r in rows] != ["s1", "s2", "s3", "s4"]:
            print("   ERROR: informants.csv ids"); bad += 1
    print("OK" if not bad else "%d error(s)" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
