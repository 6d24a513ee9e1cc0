#!/usr/bin/env python3
"""Sjekker for blind gullstandard 17 (syntetisk). Kun standardbiblioteket.

Kjør:  python3 check.py
Sjekker: velformede merker og gyldige typer, #keep-termer (finnes utenfor merker,
aldri inne i et merke), fødselsnummer/D-nummer og kontonummer (mod 11), telefon
(8 siffer), talelinjer med deklarerte etiketter, SRT/VTT-struktur, informants.csv,
ordtall per fil, og skriver tabell over spenn per type per fil.
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
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")

# Egen tabell: merketekst -> sifre (for talte/ord-former og former med retting).
# Krysssjekkes mot tallordparseren nedenfor der teksten ikke inneholder en retting.
DIGITS = {
    # s1
    "1503 83 92848": "15038392848",
    "0-4-0-3-7-9... 4-9-9-6-0": "04037949960",
    "4-7-6-1... 2-0... 8-5": "47612085",
    "9-3-8... nei, 9-3-5-4-1-7-0-2": "93541702",
    "45 80 12 66": "45801266",
    # s2
    "fem to null åtte åtte seks to sytten fem en": "52088621751",
    "ni en seks sju en fire åtte null": "91671480",
    "tolv null sju seksti seks sytti åtte seks to fire": "12076678624",
    "tolv null sju seks seks sju åtte seks to fire": "12076678624",
    "pluss fire sju fire en to to åtte tre ni null": "4741228390",
    # s3
    "1080 87 75250": "10808775250",
    "1080.87.75250": "10808775250",
    "+47 69 21 44 80": "4769214480",
    "936 02 118": "93602118",
    # s4
    "to tre null seks fæmm åtte, én fæmm ni seks sæks": "23065815966",
    "3000 02 81839": "30000281839",
    "tre tusen, null to, åttien åtte tre ni": "30000281839",
    "Nittisju, nittifire, null tre, femti": "97940350",
    "førti, fem og tjue, sæksti, tolv": "40256012",
    "69 18 52 07": "69185207",
}

UNITS = {"null": 0, "en": 1, "én": 1, "ein": 1, "ett": 1, "eitt": 1, "to": 2, "tre": 3,
         "fire": 4, "fem": 5, "fæmm": 5, "fæm": 5, "seks": 6, "sæks": 6, "sju": 7, "syv": 7,
         "åtte": 8, "ni": 9}
TEENS = {"ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
         "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19}
TENS = {"tjue": 20, "tyve": 20, "tretti": 30, "tredve": 30, "førti": 40, "femti": 50,
        "seksti": 60, "sæksti": 60, "sytti": 70, "åtti": 80, "nitti": 90}
CORRECTION = re.compile(r"\bnei\b|\.\.\.|–", re.I)


def word_value(w):
    """Verdi av ett tallord (også sammensatt: tjuefem, femtien, sjuogsytti)."""
    if w in UNITS:
        return str(UNITS[w])
    if w in TEENS:
        return str(TEENS[w])
    if w in TENS:
        return str(TENS[w])
    m = re.fullmatch(r"(\w+?)og(\w+)", w)  # sjuogsytti = 77 (gammel telleform)
    if m and m.group(1) in UNITS and m.group(2) in TENS:
        return str(TENS[m.group(2)] + UNITS[m.group(1)])
    for t, v in TENS.items():
        if w.startswith(t) and w[len(t):] in UNITS and UNITS[w[len(t):]] > 0:
            return str(v + UNITS[w[len(t):]])
    return None


def parse_digits(text):
    """Gjør merketekst om til sifferstreng: sifre, tallord, 'X og tjue', 'tusen'."""
    s = text.lower().replace("pluss", " ")
    toks = [t for t in re.split(r"[\s\-,.:/()+–]+", s) if t]
    out = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.isdigit():
            out.append(t)
        elif i + 2 < len(toks) and toks[i + 1] == "og" and t in UNITS and toks[i + 2] in TENS:
            out.append(str(TENS[toks[i + 2]] + UNITS[t]))
            i += 2
        elif t == "tusen" and out:
            # "tredve tusen" = 30000 -> tre siffer nuller etter forrige tall
            out.append("000")
        elif (t in TENS and i + 1 < len(toks) and toks[i + 1] in UNITS and UNITS[toks[i + 1]] > 0
              and not (i + 2 < len(toks) and toks[i + 2] == "og")):
            # ASR skriver ofte "seksti seks" i to ord = 66
            out.append(str(TENS[t] + UNITS[toks[i + 1]]))
            i += 1
        else:
            v = word_value(t)
            if v is not None:
                out.append(v)
        i += 1
    return "".join(out)


USED = set()


def digits_for(text, errors, where):
    if text in DIGITS:
        USED.add(text)
        d = DIGITS[text]
        if not CORRECTION.search(text):
            p = parse_digits(text)
            if p != d:
                errors.append(f"{where}: tabell {d} != parser {p} for '{text}'")
        return d
    if CORRECTION.search(text):
        errors.append(f"{where}: retting i '{text}' mangler i DIGITS-tabellen")
    return parse_digits(text)


def mod11(digits, weights):
    s = sum(int(a) * b for a, b in zip(digits, weights))
    k = 11 - s % 11
    return 0 if k == 11 else k


def valid_fnr(d):
    if len(d) != 11 or not d.isdigit():
        return False, "ikke 11 siffer"
    day, month = int(d[0:2]), int(d[2:4])
    kind = "fnr"
    if day > 40:
        day -= 40
        kind = "D-nummer"
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False, "ugyldig dato"
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = mod11(d[:9] + str(k1), [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    if k1 == 10 or k2 == 10 or d[9:] != f"{k1}{k2}":
        return False, "kontrollsiffer"
    return True, kind


def valid_konto(d):
    if len(d) != 11 or not d.isdigit():
        return False
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k != 10 and d[10] == str(k)


def read_study():
    txt = open(os.path.join(HERE, "study.yaml"), encoding="utf-8").read()

    def listof(key):
        m = re.search(r"^\s*" + key + r":\s*\[(.*?)\]", txt, re.M | re.S)
        if not m:
            return []
        return [x.strip().strip('"') for x in m.group(1).split(",") if x.strip()]
    return listof("interviewer") + listof("informant"), listof("keep_terms")


def spoken_words(s):
    s = MARK.sub(lambda m: m.group(1), s)
    s = re.sub(r"\[[^\]]*\]|\([^)]*\)|<[^>]*>", " ", s)
    return len([w for w in re.split(r"\s+", s) if re.search(r"\w", w)])


def check_file(path, labels, errors):
    name = os.path.basename(path)
    raw = open(path, encoding="utf-8").read().split("\n")
    if not raw[0].startswith("#format:") or not raw[1].startswith("#keep:"):
        errors.append(f"{name}: mangler #format/#keep-hode")
        return None
    fmt = raw[0].split(":", 1)[1].strip()
    if fmt not in FORMATS:
        errors.append(f"{name}: ukjent format {fmt}")
    keep = [k.strip() for k in raw[1].split(":", 1)[1].split(";") if k.strip()]
    lines = [ln for ln in raw if not ln.startswith("#")]
    body = "\n".join(lines)
    counts = {t: 0 for t in TYPES}
    marks = []
    for ln_no, ln in enumerate(lines, 1):
        for m in MARK.finditer(ln):
            text, typ = m.group(1), m.group(2)
            where = f"{name}:{ln_no}"
            if typ not in TYPES:
                errors.append(f"{where}: ugyldig type {typ}")
                continue
            if text != text.strip() or not text:
                errors.append(f"{where}: mellomrom i kanten av merke '{text}'")
            counts[typ] += 1
            marks.append((where, text, typ))
        rest = MARK.sub("", ln)
        if "[[" in rest or "]]" in rest or "|" in rest:
            errors.append(f"{name}:{ln_no}: misdannet merke: {ln[:80]}")
    outside = MARK.sub("\x00", body)
    for k in keep:
        if k not in outside:
            errors.append(f"{name}: #keep '{k}' finnes ikke utenfor merker")
        for where, text, typ in marks:
            if k.lower() in text.lower():
                errors.append(f"{where}: #keep '{k}' inne i merke '{text}'")
    # tall
    for where, text, typ in marks:
        if typ in ("FØDSELSNUMMER", "KONTONUMMER", "TELEFON"):
            d = digits_for(text, errors, where)
            if typ == "FØDSELSNUMMER":
                ok, why = valid_fnr(d)
                if not ok:
                    errors.append(f"{where}: ugyldig fødselsnummer {d} ({why})")
            elif typ == "KONTONUMMER":
                if not valid_konto(d):
                    errors.append(f"{where}: ugyldig kontonummer {d}")
            else:
                if d.startswith("0047"):
                    d = d[4:]
                elif d.startswith("47") and len(d) == 10:
                    d = d[2:]
                if len(d) != 8:
                    errors.append(f"{where}: telefon {d} har ikke 8 siffer")
        if typ == "EPOST" and not re.search(r"@|krøllalfa|alfakrøll|\bat\b", text):
            errors.append(f"{where}: e-post uten @/krøllalfa: {text}")
        if "\n" in text:
            errors.append(f"{where}: merke over linjeskift")
    # struktur
    words = 0
    lab_re = re.compile(r"^(" + "|".join(map(re.escape, labels)) + r"):\s")
    if fmt in ("txt", "txt-cp1252", "docx"):
        started = False
        for ln_no, ln in enumerate(lines, 1):
            if not ln.strip():
                continue
            if lab_re.match(ln):
                started = True
                words += spoken_words(lab_re.sub("", ln))
            elif started:
                errors.append(f"{name}:{ln_no}: talelinje uten etikett: {ln[:60]}")
            elif MARK.search(ln):
                errors.append(f"{name}:{ln_no}: merke i hodelinje")
    elif fmt == "srt":
        blocks = re.split(r"\n\s*\n", body.strip())
        timing = re.compile(r"^\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}$")
        prev_end = ""
        for i, b in enumerate(blocks, 1):
            bl = b.split("\n")
            if bl[0].strip() != str(i):
                errors.append(f"{name}: cue {i} har nummer '{bl[0]}'")
            if len(bl) < 3 or not timing.match(bl[1]):
                errors.append(f"{name}: cue {i} mangler tid/tekst")
                continue
            start, end = bl[1].split(" --> ")
            if start >= end or start < prev_end:
                errors.append(f"{name}: cue {i} tid ikke stigende")
            prev_end = end
            if i == 1 and not lab_re.match(bl[2]):
                errors.append(f"{name}: første cue uten etikett")
            for ln in bl[2:]:
                words += spoken_words(lab_re.sub("", ln))
    elif fmt == "vtt":
        if lines[0].strip() != "WEBVTT":
            errors.append(f"{name}: første linje er ikke WEBVTT")
        blocks = re.split(r"\n\s*\n", body.strip())[1:]
        timing = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$")
        vre = re.compile(r"^<v (" + "|".join(map(re.escape, labels)) + r")>")
        prev_end = ""
        for i, b in enumerate(blocks, 1):
            bl = b.split("\n")
            if not timing.match(bl[0]):
                bl = bl[1:]  # valgfri cue-id
            if len(bl) < 2 or not timing.match(bl[0]):
                errors.append(f"{name}: vtt-cue {i} mangler tid/tekst")
                continue
            start, end = bl[0].split(" --> ")
            if start >= end or start < prev_end:
                errors.append(f"{name}: vtt-cue {i} tid ikke stigende")
            prev_end = end
            for ln in bl[1:]:
                if not vre.match(ln):
                    errors.append(f"{name}: vtt-cue {i} tekst uten <v Etikett>: {ln[:50]}")
                words += spoken_words(vre.sub("", ln))
    n = sum(counts.values())
    if not 800 <= words <= 950:
        errors.append(f"{name}: {words} talte ord (skal være 800–950)")
    if not 35 <= n <= 45:
        errors.append(f"{name}: {n} merker (skal være 35–45)")
    persons = {t for _, t, ty in marks if ty == "PERSON"}
    return {"fmt": fmt, "counts": counts, "words": words, "n": n, "persons": persons}


def main():
    errors = []
    labels, keep_terms = read_study()
    if not labels:
        errors.append("study.yaml: fant ingen speaker_labels")
    files = sorted(f for f in os.listdir(SRC) if not f.startswith("."))
    res = {}
    for f in files:
        r = check_file(os.path.join(SRC, f), labels, errors)
        if r:
            res[f] = r
    for k in DIGITS:
        if k not in USED:
            errors.append(f"DIGITS-tabell: '{k}' brukes ikke i noe merke")
    # informants.csv
    built = {}
    for f, r in res.items():
        stem = f.split(".")[0]
        ext = {"txt": "txt", "txt-cp1252": "txt", "docx": "docx", "srt": "srt", "vtt": "vtt"}[r["fmt"]]
        built[stem] = (f"{stem}.{ext}", r)
    with open(os.path.join(HERE, "informants.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if [c for c in ("id", "file", "group", "name", "role") if c not in (rows[0].keys() if rows else [])]:
        errors.append("informants.csv: feil kolonner")
    seen = set()
    for row in rows:
        i = row["id"]
        seen.add(i)
        if i not in built:
            errors.append(f"informants.csv: ukjent id {i}")
            continue
        if row["file"] != built[i][0]:
            errors.append(f"informants.csv: {i} file={row['file']} men bygges som {built[i][0]}")
        if row["group"] not in ("kjoper", "ansatt"):
            errors.append(f"informants.csv: {i} ugyldig gruppe {row['group']}")
        if row["name"] not in built[i][1]["persons"]:
            errors.append(f"informants.csv: {i} navn '{row['name']}' ikke merket PERSON i fila")
        if not row["role"].strip():
            errors.append(f"informants.csv: {i} mangler rolle")
    if seen != set(built):
        errors.append(f"informants.csv: id-er {sorted(seen)} != filer {sorted(built)}")
    # tabell
    short = {"PERSON": "PER", "STED": "STED", "ORGANISASJON": "ORG", "ADRESSE": "ADR",
             "TELEFON": "TLF", "EPOST": "EPOST", "DATO": "DATO", "FØDSELSNUMMER": "FNR",
             "KONTONUMMER": "KONTO", "SAKSNUMMER": "SAK"}
    head = ["fil", "format", "ord"] + [short[t] for t in TYPES] + ["sum"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    tot = {t: 0 for t in TYPES}
    for f, r in res.items():
        for t in TYPES:
            tot[t] += r["counts"][t]
        print("| " + " | ".join([f, r["fmt"], str(r["words"])] + [str(r["counts"][t]) for t in TYPES]
                                + [str(r["n"])]) + " |")
    print("| " + " | ".join(["sum", "", str(sum(r["words"] for r in res.values()))]
                            + [str(tot[t]) for t in TYPES] + [str(sum(tot.values()))]) + " |")
    if errors:
        print("\nFEIL:")
        for e in errors:
            print(" -", e)
        sys.exit(1)
    print("\nOK: alle sjekker bestått.")


if __name__ == "__main__":
    main()
