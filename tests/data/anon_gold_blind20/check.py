#!/usr/bin/env python3
"""Sjekkar for blind gullstandard 20 (syntetisk). Berre standardbibliotek. Køyr: python3 check.py"""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, 'source')
TYPES = ['PERSON', 'STED', 'ORGANISASJON', 'ADRESSE', 'TELEFON', 'EPOST', 'DATO',
         'FØDSELSNUMMER', 'KONTONUMMER', 'SAKSNUMMER']
FILES = ['s1.txt', 's2.srt', 's3.vtt', 's4.docx.txt']
FORMATS = {'txt', 'txt-cp1252', 'docx', 'srt', 'vtt'}
MARK = re.compile(r'\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]')
errors = []

def err(f, msg):
    errors.append('%s: %s' % (f, msg))

# ---------- study.yaml (enkel lesar for dei felta vi treng) ----------
def read_yaml_lists(path):
    txt = open(path, encoding='utf-8').read()
    def lst(key):
        m = re.search(r'^\s*%s:\s*\[(.*)\]\s*$' % re.escape(key), txt, re.M)
        if not m:
            return []
        return [x.strip().strip('"').strip("'") for x in m.group(1).split(',') if x.strip()]
    return lst('interviewer') + lst('informant'), lst('keep_terms'), lst('groups')

LABELS, YAML_KEEP, GROUPS = read_yaml_lists(os.path.join(HERE, 'study.yaml'))
if not LABELS:
    err('study.yaml', 'fann ingen speaker_labels')

# ---------- talordtolkar (nynorsk/dialekt) ----------
UNITS = {'null': 0, 'ein': 1, 'eitt': 1, 'en': 1, 'to': 2, 'tre': 3, 'fire': 4, 'fem': 5,
         'seks': 6, 'sju': 7, 'sjau': 7, 'syv': 7, 'åtte': 8, 'ni': 9}
TEENS = {'ti': 10, 'elleve': 11, 'tolv': 12, 'tretten': 13, 'fjorten': 14, 'femten': 15,
         'seksten': 16, 'sytten': 17, 'søtten': 17, 'sjutten': 17, 'atten': 18, 'nitten': 19}
TENS = {'tjuge': 20, 'tjue': 20, 'tretti': 30, 'tredve': 30, 'førti': 40, 'femti': 50,
        'seksti': 60, 'sytti': 70, 'søtti': 70, 'åtti': 80, 'nitti': 90}
IGNORE = {'strek', 'skråstrek', 'pluss', 'og', 'vent'}

def word_digits(w):
    if w.isdigit():
        return w
    if w in UNITS:
        return str(UNITS[w])
    if w in TEENS:
        return str(TEENS[w])
    if w in TENS:
        return str(TENS[w])
    for t, v in TENS.items():
        if w.startswith(t) and w[len(t):] in UNITS and UNITS[w[len(t):]] > 0:
            return str(v + UNITS[w[len(t):]])
    if w in IGNORE:
        return ''
    raise ValueError('ukjent talord: %r' % w)

def seq_digits(text):
    toks = re.findall(r'[0-9]+|[a-zæøå]+', text.lower())
    return ''.join(word_digits(t) for t in toks)

def parse_number(text):
    """Siffer frå ein merka tekst. 'nei' = retting: den retta delen byter ut like mange siffer bakarst."""
    parts = re.split(r'\bnei\b', text.lower())
    digits = seq_digits(parts[0])
    for p in parts[1:]:
        b = seq_digits(p)
        digits = b if len(b) >= len(digits) else digits[:len(digits) - len(b)] + b
    return digits

# Eigen tabell: merka talform -> siffer (krysskontrollert med tolkaren over)
SPOKEN = {
    '91 80 12 55, nei, 56': '91801256',
    'femten null tre null to tolv tre førtifire': '15030212344',
    'fire sju tre tre null ni to fem': '47330925',
    'nittito tjugefire sekstisju åtti': '92246780',
    '57 74 80 32, nei, 23': '57748023',
    '+47 465 09 318': '4746509318',
    '3625.01.12348': '36250112348',
    '3201 01 12345': '32010112345',
    '140378 40174': '14037840174',
    '290772 401 85': '29077240185',
}

def fnr_ok(d):
    if len(d) != 11 or not d.isdigit():
        return False
    n = [int(c) for c in d]
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k1 = 11 - sum(a * b for a, b in zip(w1, n)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(w2, n)) % 11
    k2 = 0 if k2 == 11 else k2
    if k1 == 10 or k2 == 10 or k1 != n[9] or k2 != n[10]:
        return False
    day = n[0] * 10 + n[1]
    if day > 40:
        day -= 40          # D-nummer
    month = n[2] * 10 + n[3]
    return 1 <= day <= 31 and 1 <= month <= 12

def kto_ok(d):
    if len(d) != 11 or not d.isdigit():
        return False
    n = [int(c) for c in d]
    k = 11 - sum(a * b for a, b in zip([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], n)) % 11
    k = 0 if k == 11 else k
    return k != 10 and k == n[10]

def phone_ok(d, text):
    t = text.strip()
    if t.startswith('+47') and d.startswith('47'):
        d = d[2:]
    elif t.startswith('0047') and d.startswith('0047'):
        d = d[4:]
    return len(d) == 8 and d[0] in '23456789'

# ---------- fil-lesing ----------
TS_SRT = re.compile(r'^\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d$')
TS_VTT = re.compile(r'^\d\d:\d\d:\d\d\.\d\d\d --> \d\d:\d\d:\d\d\.\d\d\d$')

def check_line_marks(f, ln, line):
    rest = MARK.sub('', line)
    if '[[' in rest or ']]' in rest:
        err(f, 'linje %d: feil forma merke: %s' % (ln, line[:80]))
    out = []
    for m in MARK.finditer(line):
        text, typ = m.group(1), m.group(2)
        if typ not in TYPES:
            err(f, 'linje %d: ukjend type %s' % (ln, typ))
        if text != text.strip():
            err(f, 'linje %d: mellomrom i kanten av merke %r' % (ln, text))
        out.append((text, typ))
    return out

def read_file(f):
    path = os.path.join(SRC, f)
    raw = open(path, encoding='utf-8').read().split('\n')
    if not raw[0].startswith('#format: '):
        err(f, 'første linje må vere #format:')
    fmt = raw[0][len('#format: '):].strip()
    if fmt not in FORMATS:
        err(f, 'ukjent format %s' % fmt)
    if not raw[1].startswith('#keep: '):
        err(f, 'andre linje må vere #keep:')
    keep = [k.strip() for k in raw[1][len('#keep: '):].split(';') if k.strip()]
    body = [(i + 1, l) for i, l in enumerate(raw) if not l.startswith('#')]
    marks = []       # (text, type, cueindex)
    spoken = []      # talt tekst utan etikett
    if fmt in ('txt', 'txt-cp1252', 'docx'):
        seen_label = False
        for ln, l in body:
            if not l.strip():
                continue
            m = re.match(r'^([^:\s][^:]{0,30}):\s?(.*)$', l)
            if m and m.group(1) in LABELS:
                seen_label = True
                for t, ty in check_line_marks(f, ln, m.group(2)):
                    marks.append((t, ty, ln))
                spoken.append(m.group(2))
            elif seen_label:
                err(f, 'linje %d utan deklarert etikett: %s' % (ln, l[:60]))
            else:
                if '[[' in l:
                    err(f, 'merke i toppteksten linje %d' % ln)
    elif fmt == 'srt':
        blocks, cur = [], []
        for ln, l in body:
            if l.strip() == '':
                if cur:
                    blocks.append(cur)
                cur = []
            else:
                cur.append((ln, l))
        if cur:
            blocks.append(cur)
        for bi, b in enumerate(blocks, 1):
            if len(b) < 3 or b[0][1].strip() != str(bi) or not TS_SRT.match(b[1][1]):
                err(f, 'SRT-blokk %d feil forma (linje %d)' % (bi, b[0][0]))
                continue
            for j, (ln, l) in enumerate(b[2:]):
                m = re.match(r'^([a-zA-Z0-9æøåÆØÅ]+): (.*)$', l)
                if j == 0 and bi == 1 and not m:
                    err(f, 'første cue manglar etikett')
                if m:
                    if m.group(1) not in LABELS:
                        err(f, 'linje %d: udeklarert etikett %s' % (ln, m.group(1)))
                    if j != 0:
                        err(f, 'linje %d: etikett ikkje først i cue' % ln)
                    l = m.group(2)
                for t, ty in check_line_marks(f, ln, l):
                    marks.append((t, ty, bi))
                spoken.append(l)
    elif fmt == 'vtt':
        if not body or body[0][1].strip() != 'WEBVTT':
            err(f, 'første ikkje-#-linje må vere WEBVTT')
        blocks, cur = [], []
        for ln, l in body[1:]:
            if l.strip() == '':
                if cur:
                    blocks.append(cur)
                cur = []
            else:
                cur.append((ln, l))
        if cur:
            blocks.append(cur)
        for bi, b in enumerate(blocks, 1):
            if len(b) < 2 or not TS_VTT.match(b[0][1]):
                err(f, 'VTT-cue %d feil forma (linje %d)' % (bi, b[0][0]))
                continue
            for ln, l in b[1:]:
                m = re.match(r'^<v ([^>]+)>(.*)$', l)
                if not m or m.group(1) not in LABELS:
                    err(f, 'linje %d: manglar/udeklarert <v Label>' % ln)
                    continue
                for t, ty in check_line_marks(f, ln, m.group(2)):
                    marks.append((t, ty, bi))
                spoken.append(m.group(2))
    return fmt, keep, marks, spoken

def visible(t):
    return MARK.sub(lambda m: m.group(1), t)

def outside(t):
    return MARK.sub(' \u2063 ', t)

# ---------- hovudsjekk ----------
table = {}
words = {}
allmarks = {}
for f in FILES:
    if not os.path.exists(os.path.join(SRC, f)):
        err(f, 'manglar')
        continue
    fmt, keep, marks, spoken = read_file(f)
    allmarks[f] = marks
    text_out = '\n'.join(outside(s) for s in spoken)
    inside = [t for t, _, _ in marks]
    for k in keep:
        if k not in text_out:
            err(f, '#keep-ord %r finst ikkje utanfor merke' % k)
    for k in set(keep) | set(YAML_KEEP):
        for t in inside:
            if k.lower() in t.lower():
                err(f, 'keep-ord %r står inne i merket %r' % (k, t))
    # talvalidering (med samanslåing av nummer som er delt over cue-grense)
    i = 0
    while i < len(marks):
        t, ty, cue = marks[i]
        if ty in ('FØDSELSNUMMER', 'KONTONUMMER', 'TELEFON'):
            try:
                d = parse_number(t)
            except ValueError as e:
                err(f, '%s i %r' % (e, t)); i += 1; continue
            if t in SPOKEN and SPOKEN[t] != d:
                err(f, 'tabell og tolkar er usamde for %r: %s vs %s' % (t, SPOKEN[t], d))
            if re.search(r'[a-zæøå]', t.lower().replace('nei', '')) and t not in SPOKEN:
                err(f, 'talt form %r manglar i SPOKEN-tabellen' % t)
            need = {'FØDSELSNUMMER': 11, 'KONTONUMMER': 11, 'TELEFON': 8}[ty]
            texts = [t]
            while len(d.lstrip('+')) < need and i + 1 < len(marks) and marks[i + 1][1] == ty \
                    and marks[i + 1][2] != cue and fmt in ('srt', 'vtt'):
                i += 1
                texts.append(marks[i][0])
                d += parse_number(marks[i][0])
                cue = marks[i][2]
            ok = {'FØDSELSNUMMER': fnr_ok, 'KONTONUMMER': kto_ok}.get(ty)
            good = ok(d) if ok else phone_ok(d, t)
            if not good:
                err(f, 'ugyldig %s: %r -> %s' % (ty, ' / '.join(texts), d))
        i += 1
    table[f] = {ty: 0 for ty in TYPES}
    for _, ty, _ in marks:
        table[f][ty] += 1
    words[f] = sum(len(re.sub(r'\[[^\]]*\]|\([^)]*\)', ' ', visible(s)).split()) for s in spoken)
    n = len(marks)
    if not 35 <= n <= 45:
        err(f, '%d merke (skal vere 35–45)' % n)
    if not 800 <= words[f] <= 950:
        err(f, '%d talte ord (skal vere 800–950)' % words[f])

# ---------- informants.csv ----------
rows = list(csv.DictReader(open(os.path.join(HERE, 'informants.csv'), encoding='utf-8')))
if [r['id'] for r in rows] != ['s1', 's2', 's3', 's4']:
    err('informants.csv', 'id-ar skal vere s1..s4')
for r, f in zip(rows, FILES):
    want = f[:-4] if f.endswith('.docx.txt') else f
    if r['file'] != want:
        err('informants.csv', '%s: fil %s, venta %s' % (r['id'], r['file'], want))
    if r['group'] not in GROUPS:
        err('informants.csv', '%s: ukjend gruppe %s' % (r['id'], r['group']))
    if not r['role'].strip():
        err('informants.csv', '%s: manglar rolle' % r['id'])
    names = [t.lower() for t, ty, _ in allmarks.get(f, []) if ty == 'PERSON']
    if r['name'].lower() not in names:
        err('informants.csv', '%s: namnet %r er ikkje merkt som PERSON i %s' % (r['id'], r['name'], f))

# ---------- tabell ----------
short = {'PERSON': 'PER', 'STED': 'STED', 'ORGANISASJON': 'ORG', 'ADRESSE': 'ADR', 'TELEFON': 'TLF',
         'EPOST': 'EPOST', 'DATO': 'DATO', 'FØDSELSNUMMER': 'FNR', 'KONTONUMMER': 'KTO', 'SAKSNUMMER': 'SAK'}
print('| fil | ' + ' | '.join(short[t] for t in TYPES) + ' | sum | ord |')
print('|---|' + '---:|' * (len(TYPES) + 2))
tot = {t: 0 for t in TYPES}
for f in FILES:
    if f not in table:
        continue
    row = table[f]
    for t in TYPES:
        tot[t] += row[t]
    print('| %s | ' % f + ' | '.join(str(row[t]) for t in TYPES) + ' | %d | %d |' % (sum(row.values()), words[f]))
print('| **sum** | ' + ' | '.join(str(tot[t]) for t in TYPES) + ' | %d | %d |' % (sum(tot.values()), sum(words.values())))
if errors:
    print('\nFEIL:')
    for e in errors:
        print(' -', e)
    sys.exit(1)
print('\nOK: alle sjekkar passerte.')
