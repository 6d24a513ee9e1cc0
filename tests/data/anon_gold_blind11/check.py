#!/usr/bin/env python3
"""Check script for blind gold set 11 (synthetic). Stdlib only.
Usage: python3 check.py   (run from anywhere)"""
import os, re, sys, datetime, collections

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, 'source')
TYPES = {'PERSON', 'STED', 'ORGANISASJON', 'ADRESSE', 'TELEFON', 'EPOST', 'DATO',
         'FØDSELSNUMMER', 'KONTONUMMER', 'SAKSNUMMER'}
FORMATS = {'txt', 'srt', 'vtt', 'docx', 'txt-cp1252'}
MARK = re.compile(r'\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]')

# ---- spoken-number mapping (own mapping; Bokmål, Nynorsk, Bergen/Voss dialect) ----
UNITS = {'null': 0, 'en': 1, 'én': 1, 'ein': 1, 'eitt': 1, 'ett': 1, 'to': 2, 'tre': 3,
         'fire': 4, 'fem': 5, 'seks': 6, 'sju': 7, 'syv': 7, 'åtte': 8, 'ni': 9}
TEENS = {'ti': 10, 'elleve': 11, 'tolv': 12, 'tretten': 13, 'fjorten': 14, 'femten': 15,
         'seksten': 16, 'sytten': 17, 'atten': 18, 'nitten': 19}
TENS = {'tjue': 20, 'tretti': 30, 'førti': 40, 'femti': 50, 'seksti': 60, 'sytti': 70,
        'åtti': 80, 'nitti': 90}
UNIT_SUFFIX = {'en': 1, 'ein': 1, 'to': 2, 'tre': 3, 'fire': 4, 'fem': 5, 'seks': 6,
               'sju': 7, 'syv': 7, 'åtte': 8, 'ni': 9}

def word_value(w):
    w = w.lower()
    if w in UNITS: return UNITS[w]
    if w in TEENS: return TEENS[w]
    if w in TENS: return TENS[w]
    for t, tv in TENS.items():
        if w.startswith(t) and w[len(t):] in UNIT_SUFFIX:
            return tv + UNIT_SUFFIX[w[len(t):]]
    return None

def to_digits(text):
    """Turn a mixed digit/number-word string into a digit string.
    A tens word directly followed (only a space between) by a unit word is one number
    ('nitti to' = 92); punctuation between them keeps them apart ('sytti, fem' = 70 5)."""
    toks = re.findall(r'\d+|[^\W\d_]+|[,./\-]', text)
    out = []; i = 0
    while i < len(toks):
        t = toks[i]
        if t.isdigit():
            out.append(t)
        elif t in ',./-':
            pass
        else:
            v = word_value(t)
            if v is None:
                raise ValueError(f'unknown number word {t!r} in {text!r}')
            if t.lower() in TENS and i + 1 < len(toks) and toks[i + 1].lower() in UNIT_SUFFIX \
                    and UNIT_SUFFIX[toks[i + 1].lower()] < 10:
                v += UNIT_SUFFIX[toks[i + 1].lower()]; i += 1
            out.append(str(v))
        i += 1
    return ''.join(out)

def fnr_ok(d):
    if len(d) != 11 or not d.isdigit(): return False, 'not 11 digits'
    n = [int(c) for c in d]
    k1 = 11 - sum(a * b for a, b in zip(n[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(n[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11
    k2 = 0 if k2 == 11 else k2
    if k1 != n[9] or k2 != n[10]: return False, 'check digits'
    day, mon, yy, ind = int(d[0:2]), int(d[2:4]), int(d[4:6]), int(d[6:9])
    kind = 'fnr'
    if day > 40: day -= 40; kind = 'dnr'
    if ind <= 499: year = 1900 + yy
    elif yy <= 39: year = 2000 + yy
    else: year = 1900 + yy
    try: datetime.date(year, mon, day)
    except ValueError: return False, 'date'
    return True, kind

def acct_ok(d):
    if len(d) != 11 or not d.isdigit(): return False
    k = 11 - sum(int(a) * b for a, b in zip(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11
    k = 0 if k == 11 else k
    return k != 10 and k == int(d[10])

def load_labels():
    y = open(os.path.join(HERE, 'study.yaml'), encoding='utf-8').read()
    labs = {}
    for role in ('interviewer', 'informant'):
        m = re.search(role + r':\s*\[(.*?)\]', y)
        labs[role] = [x.strip().strip('"\'') for x in m.group(1).split(',') if x.strip()]
    return labs

errors = []
def err(f, msg): errors.append(f'{f}: {msg}')

labels = load_labels()
all_labels = labels['interviewer'] + labels['informant']
label_re = re.compile(r'^(' + '|'.join(re.escape(l) for l in sorted(all_labels, key=len, reverse=True)) + r'):')
looks_like_label = re.compile(r'^[A-Za-zÆØÅæøå_0-9 ]{1,20}:(\s|$)')
TIME_SRT = re.compile(r'^\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d$')
TIME_VTT = re.compile(r'^\d\d:\d\d:\d\d\.\d\d\d --> \d\d:\d\d:\d\d\.\d\d\d$')

table = []
files = sorted(os.listdir(SRC))
ids_seen = set()
for fn in files:
    path = os.path.join(SRC, fn)
    text = open(path, encoding='utf-8').read()
    lines = text.split('\n')
    fid = fn.split('.')[0]; ids_seen.add(fid)
    m = re.match(r'^#format: (\S+)$', lines[0])
    if not m or m.group(1) not in FORMATS: err(fn, 'bad #format line'); continue
    fmt = m.group(1)
    exp_ext = {'txt': '.txt', 'txt-cp1252': '.txt', 'srt': '.srt', 'vtt': '.vtt', 'docx': '.docx.txt'}[fmt]
    if not fn.endswith(exp_ext): err(fn, f'extension does not fit format {fmt}')
    if not lines[1].startswith('#keep: '): err(fn, 'bad #keep line'); continue
    keep = [k.strip() for k in lines[1][7:].split(';') if k.strip()]
    body = lines[2:]
    bodytext = '\n'.join(body)
    if fmt == 'txt-cp1252':
        try: bodytext.encode('cp1252')
        except UnicodeEncodeError as e: err(fn, f'not cp1252-encodable: {e}')
    # marks
    spans = []
    for ln_no, ln in enumerate(body, 3):
        for mm in MARK.finditer(ln):
            spans.append((ln_no, mm.group(1), mm.group(2)))
            if mm.group(2) not in TYPES: err(fn, f'line {ln_no}: invalid TYPE {mm.group(2)!r}')
            if mm.group(1) != mm.group(1).strip(): err(fn, f'line {ln_no}: mark text has outer spaces')
        rest = MARK.sub('', ln)
        if '[[' in rest or ']]' in rest: err(fn, f'line {ln_no}: malformed mark: {ln!r}')
        if re.search(r'\|(' + '|'.join(TYPES) + r')\b', rest): err(fn, f'line {ln_no}: stray |TYPE')
    plain = MARK.sub(lambda mm: '\x00' * len(mm.group(1)), bodytext)   # text outside marks
    # keep terms
    for k in keep:
        if k not in plain: err(fn, f'#keep term {k!r} does not occur outside marks')
        for _, s, _t in spans:
            if k in s: err(fn, f'#keep term {k!r} occurs inside mark {s!r}')
    # check digits / phone length
    for ln_no, s, t in spans:
        if t in ('FØDSELSNUMMER', 'KONTONUMMER', 'TELEFON'):
            try: d = to_digits(s)
            except ValueError as e: err(fn, f'line {ln_no}: {e}'); continue
            if t == 'FØDSELSNUMMER':
                ok, why = fnr_ok(d)
                if not ok: err(fn, f'line {ln_no}: invalid fødselsnummer {s!r} -> {d} ({why})')
            elif t == 'KONTONUMMER':
                if not acct_ok(d): err(fn, f'line {ln_no}: invalid account number {s!r} -> {d}')
            elif len(d) != 8 or d[0] not in '2345679':
                err(fn, f'line {ln_no}: phone {s!r} -> {d} is not 8 digits')
        if t == 'PERSON' and re.search(r"s$", s) and s + 's' in bodytext:
            pass
    # speaker labels and structure
    speaker_lines = []
    first_turn = None
    if fmt in ('txt', 'txt-cp1252', 'docx'):
        for ln_no, ln in enumerate(body, 3):
            if not ln.strip(): continue
            if not label_re.match(ln): err(fn, f'line {ln_no}: does not start with a declared label')
            else:
                speaker_lines.append(ln)
                if first_turn is None: first_turn = ln_no
    elif fmt == 'vtt':
        if body[0] != 'WEBVTT': err(fn, 'missing WEBVTT header')
        i = 1
        while i < len(body):
            ln = body[i]
            if TIME_VTT.match(ln):
                cue = body[i + 1]
                if not label_re.match(cue): err(fn, f'line {i + 4}: vtt cue without declared label')
                else: speaker_lines.append(cue)
                if first_turn is None: first_turn = i + 3
                i += 2
                continue
            if ln.strip(): err(fn, f'line {i + 3}: unexpected line outside cue {ln!r}')
            i += 1
    elif fmt == 'srt':
        blocks = '\n'.join(body).strip('\n').split('\n\n')
        n_prev = 0
        for bi, b in enumerate(blocks):
            bl = b.split('\n')
            if len(bl) < 3 or not bl[0].isdigit() or int(bl[0]) != n_prev + 1 or not TIME_SRT.match(bl[1]):
                err(fn, f"srt block {bi + 1} malformed: {bl[:2]!r}"); n_prev += 1; continue
            n_prev = int(bl[0])
            for cl in bl[2:]:
                if label_re.match(cl): speaker_lines.append(cl)
                elif looks_like_label.match(cl): err(fn, f'srt block {bi + 1}: undeclared label {cl[:30]!r}')
            if bi == 0 and not label_re.match(bl[2]): err(fn, 'first srt cue has no label')
        first_turn = 3
    # no identifiers before first speaker turn
    for ln_no, s, t in spans:
        if first_turn is None or ln_no < first_turn: err(fn, f'line {ln_no}: identifier before first speaker turn')
    used = sorted({label_re.match(l).group(1) for l in speaker_lines})
    # word count of spoken text
    words = 0
    for l in speaker_lines if fmt != 'srt' else []:
        words += len(label_re.sub('', MARK.sub(r'\1', l)).split())
    if fmt == 'srt':
        for b in '\n'.join(body).strip('\n').split('\n\n'):
            for cl in b.split('\n')[2:]:
                words += len(label_re.sub('', MARK.sub(r'\1', cl)).split())
    spoken_only = lambda s: re.sub(r'\[[^\[\]]*\]', '', s)
    cnt = collections.Counter(t for _, _, t in spans)
    table.append((fn, fmt, used, words, len(spans), cnt))
    if not (750 <= words <= 1000): err(fn, f'spoken word count {words} outside 750-1000')

# study-level keep terms: must not occur inside any mark of any file
ym = re.search(r'keep_terms:\s*\[(.*?)\]', open(os.path.join(HERE, 'study.yaml'), encoding='utf-8').read())
study_keep = [x.strip().strip('"\'') for x in ym.group(1).split(',') if x.strip()]
warnings = []
for fn in files:
    t = open(os.path.join(SRC, fn), encoding='utf-8').read()
    for mm in MARK.finditer(t):
        for k in study_keep:
            if k in mm.group(1): err(fn, f'study keep term {k!r} inside mark {mm.group(1)!r}')
            elif k.lower() in mm.group(1).lower():
                warnings.append(f'{fn}: study keep term {k!r} matches mark {mm.group(1)!r} ignoring case')

for fid in ('s1', 's2', 's3', 's4'):
    if fid not in ids_seen: err('source', f'missing {fid}')

# informants.csv
import csv
rows = list(csv.DictReader(open(os.path.join(HERE, 'informants.csv'), encoding='utf-8')))
if [r['id'] for r in rows] != ['s1', 's2', 's3', 's4']: err('informants.csv', 'ids')
for r in rows:
    if r['group'] not in ('kjoper', 'ansatt'): err('informants.csv', f"bad group {r['group']}")

print(f"{'file':16} {'format':11} {'words':>5} {'spans':>5}  labels")
for fn, fmt, used, words, n, cnt in table:
    print(f"{fn:16} {fmt:11} {words:5} {n:5}  {', '.join(used)}")
    print('    ' + ', '.join(f'{k}={v}' for k, v in sorted(cnt.items())))
tot = collections.Counter()
for *_, cnt in table: tot.update(cnt)
print('TOTAL', sum(tot.values()), ', '.join(f'{k}={v}' for k, v in sorted(tot.items())))
for w in warnings: print('warning: ' + w)
if errors:
    print('\nERRORS:'); [print('  ' + e) for e in errors]; sys.exit(1)
print('\nOK: all checks passed')
