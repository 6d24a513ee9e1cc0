#!/usr/bin/env python3
"""Checks for blind gold set 9 (synthetic). Stdlib only. Run: python3 check.py"""
import re, sys, os, csv
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, 'source')
TYPES = {'PERSON', 'STED', 'ORGANISASJON', 'ADRESSE', 'TELEFON', 'EPOST', 'DATO',
         'FØDSELSNUMMER', 'KONTONUMMER', 'SAKSNUMMER'}
FORMATS = {'txt', 'srt', 'vtt', 'docx', 'txt-cp1252'}
MARK = re.compile(r'\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]')
errors = []
def err(f, msg): errors.append(f'{f}: {msg}')

# ---- labels from study.yaml (simple line parsing, no yaml module) ----
labels = []
for line in open(os.path.join(HERE, 'study.yaml'), encoding='utf-8'):
    m = re.match(r'\s*(interviewer|informant):\s*\[(.*)\]\s*$', line)
    if m:
        labels += [x.strip().strip('"\'') for x in m.group(2).split(',') if x.strip()]
if not labels: err('study.yaml', 'no speaker labels found')

# ---- Norwegian (Bokmål/Nynorsk/dialect) numerals -> digit string ----
UNITS = {'null': 0, 'en': 1, 'ein': 1, 'ett': 1, 'eitt': 1, 'ei': 1, 'to': 2, 'tre': 3,
         'fire': 4, 'fira': 4, 'fem': 5, 'seks': 6, 'sju': 7, 'syv': 7, 'åtte': 8, 'ni': 9}
TEENS = {'ti': 10, 'elleve': 11, 'tolv': 12, 'tretten': 13, 'fjorten': 14, 'femten': 15,
         'seksten': 16, 'sytten': 17, 'søtten': 17, 'atten': 18, 'nitten': 19}
TENS = {'tjue': 20, 'tyve': 20, 'tretti': 30, 'tredve': 30, 'førti': 40, 'femti': 50,
        'seksti': 60, 'sytti': 70, 'søtti': 70, 'åtti': 80, 'nitti': 90}
IGNORE = {'og', 'eh', 'ehm', 'pluss', '+'}
def word_value(w):
    """returns (value, kind) kind in unit/teen/tens/compound, or None"""
    if w in UNITS: return UNITS[w], 'unit'
    if w in TEENS: return TEENS[w], 'teen'
    if w in TENS: return TENS[w], 'tens'
    for t, tv in TENS.items():
        if w.startswith(t) and w[len(t):] in UNITS and UNITS[w[len(t):]] > 0:
            return tv + UNITS[w[len(t):]], 'compound'
    return None
def to_digits(text):
    toks = [t for t in re.split(r'[\s,.\-/:()+]+', text.lower()) if t]
    out, i = '', 0
    while i < len(toks):
        t = toks[i]
        if t in IGNORE: i += 1; continue
        if t.isdigit(): out += t; i += 1; continue
        v = word_value(t)
        if v is None: raise ValueError(f'unknown numeral token {t!r} in {text!r}')
        val, kind = v
        if kind == 'tens' and i + 1 < len(toks) and toks[i+1] in UNITS and UNITS[toks[i+1]] > 0:
            val += UNITS[toks[i+1]]; i += 1
        out += str(val); i += 1
    return out

W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]; W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
def mod11(d, w):
    r = 11 - sum(int(a) * b for a, b in zip(d, w)) % 11
    return 0 if r == 11 else (None if r == 10 else r)
def valid_fnr(s):
    if len(s) != 11: return False, 'not 11 digits'
    day, mon = int(s[:2]), int(s[2:4])
    if day > 40: day -= 40                      # D-nummer
    if not (1 <= day <= 31 and 1 <= mon <= 12): return False, 'bad date part'
    if mod11(s[:9], W1) != int(s[9]): return False, 'k1 wrong'
    if mod11(s[:10], W2) != int(s[10]): return False, 'k2 wrong'
    return True, 'D-nummer' if int(s[:2]) > 40 else 'fødselsnummer'
def valid_konto(s):
    if len(s) != 11: return False
    return mod11(s[:10], W2) == int(s[10])

VTT_TIME = re.compile(r'^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$')
SRT_TIME = re.compile(r'^\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}$')
label_re = re.compile(r'^(' + '|'.join(re.escape(l) for l in labels) + r'):')
voice_re = re.compile(r'^<v (' + '|'.join(re.escape(l) for l in labels) + r')>')

summary = {}
files = sorted(f for f in os.listdir(SRC) if not f.startswith('.'))
for fn in files:
    path = os.path.join(SRC, fn)
    raw = open(path, 'rb').read()
    first = raw.split(b'\n', 1)[0].decode('ascii', 'replace').strip()
    fmt = first.split(':', 1)[1].strip() if first.startswith('#format:') else None
    if fmt not in FORMATS: err(fn, f'bad/missing #format line: {first!r}'); continue
    try:
        text = raw.decode('cp1252' if fmt == 'txt-cp1252' else 'utf-8')
    except UnicodeDecodeError as e:
        err(fn, f'cannot decode: {e}'); continue
    if fmt == 'txt-cp1252':
        # every char must round-trip cp1252 (no undefined bytes 0x81,0x8d,0x8f,0x90,0x9d)
        if any(b in raw for b in (0x81, 0x8d, 0x8f, 0x90, 0x9d)): err(fn, 'undefined cp1252 byte')
    if '\r' in text: err(fn, 'CR characters present')
    lines = text.split('\n')
    if not lines[1].startswith('#keep:'): err(fn, 'line 2 is not #keep:'); continue
    keep = [k.strip() for k in lines[1][len('#keep:'):].split(';') if k.strip()]
    body_lines = lines[2:]
    body = '\n'.join(body_lines)
    # ---- marks ----
    marks = MARK.findall(body)
    stripped = MARK.sub('', body)
    for bad in ('[[', ']]'):
        if bad in stripped: err(fn, f'stray {bad!r} outside a well-formed mark')
    for orig, typ in marks:
        if typ not in TYPES: err(fn, f'invalid TYPE {typ!r} for {orig!r}')
        if orig != orig.strip(): err(fn, f'mark with leading/trailing space {orig!r}')
        if re.search(r"'s$", orig): err(fn, f'genitive inside mark {orig!r}')
    # ---- keep terms ----
    for k in keep:
        if k not in stripped: err(fn, f'#keep term {k!r} does not occur outside marks')
        for orig, typ in marks:
            if k in orig: err(fn, f'#keep term {k!r} occurs inside mark {orig!r}')
    # ---- check digits / phone length ----
    for orig, typ in marks:
        if typ in ('FØDSELSNUMMER', 'KONTONUMMER', 'TELEFON'):
            try: d = to_digits(orig)
            except ValueError as e: err(fn, str(e)); continue
            if typ == 'FØDSELSNUMMER':
                ok, why = valid_fnr(d)
                if not ok: err(fn, f'invalid fødselsnummer/D-nummer {orig!r} -> {d} ({why})')
            elif typ == 'KONTONUMMER':
                if not valid_konto(d): err(fn, f'invalid account number {orig!r} -> {d}')
            else:
                if orig.strip().startswith('+47'): d = d[2:]
                if len(d) != 8 or d[0] not in '2345679':
                    err(fn, f'phone not 8 digits/plausible {orig!r} -> {d}')
    # ---- speaker lines ----
    if fmt == 'vtt':
        nonempty = [l for l in body_lines if l.strip()]
        if not nonempty or nonempty[0].strip() != 'WEBVTT': err(fn, 'missing WEBVTT header')
        prev_time = False; ncue = 0
        for l in nonempty[1:]:
            if VTT_TIME.match(l): prev_time = True; ncue += 1; continue
            if prev_time:
                if not voice_re.match(l): err(fn, f'cue text without declared voice tag: {l[:60]!r}')
                prev_time = False
            else:
                err(fn, f'unexpected line (multi-line cue or junk): {l[:60]!r}')
        if ncue == 0: err(fn, 'no cues')
        if MARK.search('\n'.join(l for l in body_lines if VTT_TIME.match(l) or l.strip() == 'WEBVTT')):
            err(fn, 'mark in header/timing line')
    elif fmt == 'srt':
        err(fn, 'srt not used in this set')
    else:
        for n, l in enumerate(body_lines, 3):
            if not l.strip(): continue
            if not label_re.match(l): err(fn, f'line {n} does not start with a declared label: {l[:60]!r}')
    plain = MARK.sub(lambda m: m.group(1), body)
    plain = re.sub(r'^(\S+:|<v [^>]*>)|^\d\d:\d\d:\d\d\.\d{3} --> .*$|^WEBVTT$', '', plain, flags=re.M)
    summary[fn] = (fmt, Counter(t for _, t in marks), len(plain.split()))

# ---- informants.csv ----
keep_by_file = {}
for fn in files:
    ext = fn.split('.', 1)[1]
    enc = 'cp1252' if 's4' in fn else 'utf-8'
    try:
        l2 = open(os.path.join(SRC, fn), encoding=enc).read().split('\n')[1]
        keep_by_file[fn.split('.')[0]] = [k.strip() for k in l2[6:].split(';')]
    except Exception: pass
with open(os.path.join(HERE, 'informants.csv'), encoding='utf-8') as f:
    rows = list(csv.DictReader(f))
if [r['id'] for r in rows] != ['s1', 's2', 's3', 's4']: err('informants.csv', 'ids not s1..s4')
for r in rows:
    if r['group'] not in ('kjoper', 'ansatt'): err('informants.csv', f'bad group {r}')
    caps = re.findall(r'\b[A-ZÆØÅŽŠ][\wæøåšž]+', r['role'])
    for c in caps:
        if not any(c in k for k in keep_by_file.get(r['id'], [])) and c not in ('NAV',):
            err('informants.csv', f'role of {r["id"]} has capitalised word {c!r} not in #keep')
        elif c not in keep_by_file.get(r['id'], []) and c != 'NAV':
            err('informants.csv', f'role of {r["id"]}: {c!r} not exactly a keep term')
    if r['id'] in keep_by_file and 'NAV' in r['role'] and 'NAV' not in keep_by_file[r['id']]:
        err('informants.csv', f'NAV in role of {r["id"]} but not kept')

total = Counter()
for fn, (fmt, c, w) in summary.items():
    total += c
    print(f'{fn:14s} {fmt:11s} spans={sum(c.values()):3d} words={w:4d}  ' +
          ', '.join(f'{k}={v}' for k, v in sorted(c.items())))
print('TOTAL', sum(total.values()), dict(sorted(total.items())))
if errors:
    print('\nFAIL'); [print(' -', e) for e in errors]; sys.exit(1)
print('\nOK: all checks passed')
