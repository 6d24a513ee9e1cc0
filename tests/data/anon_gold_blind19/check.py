#!/usr/bin/env python3
"""Sjekker for blind gullstandard 19 (syntetisk). Kun standardbibliotek. Kjør: python3 check.py"""
import csv, os, re, sys
HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, 'source')
TYPES = ['PERSON', 'STED', 'ORGANISASJON', 'ADRESSE', 'TELEFON', 'EPOST', 'DATO',
         'FØDSELSNUMMER', 'KONTONUMMER', 'SAKSNUMMER']
MARK = re.compile(r'\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]')
errors = []
def err(f, msg): errors.append(f'{f}: {msg}')

# --- study.yaml (enkel lesing av etiketter og keep_terms) ---
ytxt = open(os.path.join(HERE, 'study.yaml'), encoding='utf-8').read()
def ylist(key):
    m = re.search(r'^\s*' + key + r':\s*\[(.*)\]\s*$', ytxt, re.M)
    return [x.strip().strip('"') for x in m.group(1).split(',')] if m else []
LABELS = ylist('interviewer') + ylist('informant')
YKEEP = ylist('keep_terms')
if not LABELS: err('study.yaml', 'fant ingen speaker_labels')

# --- tall-ord-parser for muntlige tall ---
UNITS = {'null': 0, 'en': 1, 'én': 1, 'ein': 1, 'ett': 1, 'to': 2, 'tre': 3, 'fire': 4, 'fem': 5,
         'seks': 6, 'sju': 7, 'syv': 7, 'åtte': 8, 'ni': 9}
TEENS = {'ti': 10, 'elleve': 11, 'tolv': 12, 'tretten': 13, 'fjorten': 14, 'femten': 15,
         'seksten': 16, 'sytten': 17, 'atten': 18, 'nitten': 19}
TENS = {'tjue': 20, 'tyve': 20, 'tretti': 30, 'førti': 40, 'femti': 50, 'seksti': 60,
        'sytti': 70, 'åtti': 80, 'nitti': 90}
def split_word(w):
    if w in UNITS or w in TEENS or w in TENS: return [w]
    for t in sorted(TENS, key=len, reverse=True):
        if w.startswith(t) and w[len(t):] in UNITS: return [t, w[len(t):]]
    return None
def spoken_digits(text):
    toks = []
    for w in re.findall(r'[a-zæøåé]+|\d+', text.lower()):
        if w.isdigit(): toks.append(('d', w)); continue
        p = split_word(w)
        if p: toks += [('w', x) for x in p]
    out, i = '', 0
    while i < len(toks):
        k, w = toks[i]
        if k == 'd': out += w; i += 1; continue
        if w in TENS:
            v = TENS[w]
            if i + 1 < len(toks) and toks[i+1][0] == 'w' and toks[i+1][1] in UNITS and UNITS[toks[i+1][1]] > 0:
                v += UNITS[toks[i+1][1]]; i += 1
            out += str(v)
        elif w in TEENS: out += str(TEENS[w])
        else: out += str(UNITS[w])
        i += 1
    return out

# Tabell: merketekst -> sifre. 'korr' = selvkorrigering/omstart i ytringen (kontrollert manuelt).
SPOKEN = {
    'ni null fire to tre tre åtte en': ('90423381', ''),
    'ni null fire to tre tre åtte to': ('90423382', ''),
    'en fire null tre åtte fem sju ni tre ni ni': ('14038579399', ''),
    'fire fem null seks sju ni, to to tre, nei, vent, to to tre seks fire': ('45067922364', 'korr'),
    'nittien tjuefire sekstiåtte null tre': ('91246803', ''),
    'ni fire, eh, ni fire fem en, sju sju null åtte': ('94517708', 'korr'),
}
def mod11(d, w):
    s = sum(int(a) * b for a, b in zip(d, w)); k = 11 - s % 11
    return 0 if k == 11 else (None if k == 10 else k)
def valid_fnr(d):
    if len(d) != 11: return False
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    dd = int(d[:2]); dd = dd - 40 if dd > 40 else dd
    return k1 == int(d[9]) and k2 == int(d[10]) and 1 <= dd <= 31 and 1 <= int(d[2:4]) <= 12
def valid_kto(d):
    return len(d) == 11 and mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) == int(d[10])
def digits_of(f, text):
    if re.search(r'[a-zæøå]{3,}', text.lower()) and not re.fullmatch(r'[\d\s.+\-/]+', text):
        if text not in SPOKEN:
            err(f, f'muntlig tall uten tabelloppføring: {text!r}'); return None
        d, flag = SPOKEN[text]
        p = spoken_digits(text)
        if flag != 'korr' and p != d: err(f, f'parser gir {p} for {text!r}, tabell {d}')
        if flag == 'korr' and not (p.endswith(d[-4:]) and len(p) >= len(d)):
            err(f, f'korrigert tall {text!r} stemmer ikke med tabell (parser {p})')
        return d
    return re.sub(r'\D', '', text)

def speech_lines(f, fmt, body):
    """Returnerer liste av (tekst, linjenr) for talt tekst, og sjekker struktur."""
    out = []
    lab = '|'.join(re.escape(l) for l in LABELS)
    if fmt in ('txt', 'txt-cp1252', 'docx'):
        seen = False
        for n, l in body:
            if not l.strip(): continue
            m = re.match(r'^(' + lab + r'):\s?(.*)$', l)
            if m: seen = True; out.append((m.group(2), n))
            elif seen: err(f, f'linje {n} mangler taleretikett: {l[:40]!r}')
            elif MARK.search(l): err(f, f'linje {n}: merke i hode-linje')
    elif fmt == 'srt':
        blocks, cur = [], []
        for n, l in body + [(0, '')]:
            if l.strip(): cur.append((n, l))
            elif cur: blocks.append(cur); cur = []
        prev_end = -1; idx = 0; last = None
        tre = re.compile(r'^(\d\d):(\d\d):(\d\d),(\d{3}) --> (\d\d):(\d\d):(\d\d),(\d{3})$')
        for b in blocks:
            idx += 1
            if b[0][1].strip() != str(idx): err(f, f'cue {idx}: feil nummer {b[0][1]!r}')
            m = tre.match(b[1][1].strip()) if len(b) > 1 else None
            if not m: err(f, f'cue {idx}: ugyldig tidslinje'); continue
            g = [int(x) for x in m.groups()]
            s = g[0]*3600000 + g[1]*60000 + g[2]*1000 + g[3]; e = g[4]*3600000 + g[5]*60000 + g[6]*1000 + g[7]
            if not (e > s >= prev_end): err(f, f'cue {idx}: tider ikke stigende')
            prev_end = e
            if len(b) < 3: err(f, f'cue {idx}: ingen tekst')
            mm = re.match(r'^(' + lab + r'): ', b[2][1])
            if idx == 1 and not mm: err(f, 'første cue mangler etikett')
            for j, (n, l) in enumerate(b[2:]):
                t = l
                if j == 0 and mm: t = l[mm.end():]
                out.append((t, n))
    elif fmt == 'vtt':
        if not body or body[0][1].strip() != 'WEBVTT': err(f, 'mangler WEBVTT først')
        tre = re.compile(r'^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$')
        prev_end = -1; expect_text = False
        for n, l in body[1:]:
            if not l.strip(): expect_text = False; continue
            m = tre.match(l.strip())
            if m:
                g = [int(x) for x in m.groups()]
                s = g[0]*3600000 + g[1]*60000 + g[2]*1000 + g[3]; e = g[4]*3600000 + g[5]*60000 + g[6]*1000 + g[7]
                if not (e > s >= prev_end): err(f, f'linje {n}: tider ikke stigende')
                prev_end = e; expect_text = True; continue
            mv = re.match(r'^<v (' + lab + r')>(.*)$', l)
            if not expect_text: err(f, f'linje {n}: tekst utenfor cue')
            elif not mv: err(f, f'linje {n}: mangler <v Etikett>')
            else: out.append((mv.group(2), n))
    else:
        err(f, f'ukjent format {fmt}')
    return out

counts = {}; words = {}; persons = {}
files = sorted(x for x in os.listdir(SRC) if not x.startswith('.'))
if len(files) != 4: err('source', f'forventet 4 filer, fant {files}')
for f in files:
    raw = open(os.path.join(SRC, f), encoding='utf-8').read()
    lines = raw.split('\n')
    fmt = keep = None
    for l in lines[:2]:
        if l.startswith('#format:'): fmt = l.split(':', 1)[1].strip()
        if l.startswith('#keep:'): keep = [k.strip() for k in l.split(':', 1)[1].split(';') if k.strip()]
    if fmt is None or keep is None: err(f, 'mangler #format/#keep i de to første linjene'); continue
    ext = {'vtt': '.vtt', 'srt': '.srt', 'docx': '.docx.txt', 'txt': '.txt', 'txt-cp1252': '.txt'}[fmt]
    if not f.endswith(ext): err(f, f'filendelse passer ikke til format {fmt}')
    body = [(i + 1, l) for i, l in enumerate(lines) if not l.startswith('#')]
    for n, l in body:
        if l.count('[[') != l.count(']]') or len(MARK.findall(l)) != l.count('[['):
            err(f, f'linje {n}: ugyldig merke')
        for t, ty in MARK.findall(l):
            if ty not in TYPES: err(f, f'linje {n}: ukjent type {ty}')
            if t != t.strip(): err(f, f'linje {n}: mellomrom i kant av merke {t!r}')
    sp = speech_lines(f, fmt, body)
    c = {t: 0 for t in TYPES}; pers = set(); outside = []; wc = 0
    for t, n in sp:
        outside.append(MARK.sub(' ', t))
        wc += len(MARK.sub(lambda m: m.group(1), t).split())
        for text, ty in MARK.findall(t):
            if ty not in c: continue
            c[ty] += 1
            low = text.lower()
            for k in keep:
                if k.lower() in low: err(f, f'keep-term {k!r} inne i merke {text!r}')
            if re.match(r'(?i)(fru|herr|frk|madame)\s', text): err(f, f'tittel inne i merke {text!r}')
            if ty == 'PERSON':
                pers.add(low)
                if re.search(r"[’']?s$", text) and text.endswith("'s"): err(f, f'genitiv-s i merke {text!r}')
            if ty in ('FØDSELSNUMMER', 'KONTONUMMER', 'TELEFON'):
                d = digits_of(f, text)
                if d is None: continue
                if ty == 'FØDSELSNUMMER' and not valid_fnr(d): err(f, f'ugyldig fødselsnr/D-nr {text!r} ({d})')
                if ty == 'KONTONUMMER' and not valid_kto(d): err(f, f'ugyldig kontonr {text!r} ({d})')
                if ty == 'TELEFON':
                    d2 = d[2:] if d.startswith('47') and len(d) == 10 else d[4:] if d.startswith('0047') else d
                    if len(d2) != 8: err(f, f'telefon har ikke 8 sifre: {text!r} ({d})')
            if ty == 'EPOST' and '@' not in text and 'krøllalfa' not in text: err(f, f'e-post uten @: {text!r}')
    joined = '\n'.join(outside).lower()
    for k in keep:
        if not re.search(r'(?<![a-zæøå])' + re.escape(k.lower()) + r'(?![a-zæøå])', joined):
            err(f, f'keep-term {k!r} finnes ikke utenfor merker')
    for k in YKEEP:
        for t, n in sp:
            for text, ty in MARK.findall(t):
                if k.lower() in text.lower():
                    err(f, f'study keep_term {k!r} i merke {text!r}')
    tot = sum(c.values())
    if not 35 <= tot <= 45: err(f, f'{tot} merker (skal være 35–45)')
    if not 800 <= wc <= 950: err(f, f'{wc} talte ord (skal være 800–950)')
    counts[f] = c; words[f] = wc; persons[f] = pers

# --- informants.csv ---
rows = list(csv.DictReader(open(os.path.join(HERE, 'informants.csv'), encoding='utf-8')))
if [r['id'] for r in rows] != ['s1', 's2', 's3', 's4']: err('informants.csv', 'id-er skal være s1..s4')
built = {f.replace('.docx.txt', '.docx'): f for f in files}
for r in rows:
    if r['group'] not in ('kjoper', 'ansatt'): err('informants.csv', f'ugyldig gruppe {r["group"]}')
    src = built.get(r['file'])
    if not src or not src.startswith(r['id'] + '.'): err('informants.csv', f'fil {r["file"]} finnes ikke'); continue
    if r['name'].lower() not in persons.get(src, set()): err('informants.csv', f'{r["name"]!r} er ikke merket PERSON i {src}')
    if not r['role'].strip(): err('informants.csv', 'tom rolle')

# --- tabell ---
short = {'PERSON': 'PER', 'STED': 'STED', 'ORGANISASJON': 'ORG', 'ADRESSE': 'ADR', 'TELEFON': 'TLF',
         'EPOST': 'EPOST', 'DATO': 'DATO', 'FØDSELSNUMMER': 'FNR', 'KONTONUMMER': 'KTO', 'SAKSNUMMER': 'SAK'}
hdr = '| fil | ord | ' + ' | '.join(short[t] for t in TYPES) + ' | sum |'
print(hdr); print('|' + '---|' * (len(TYPES) + 3))
tot = {t: 0 for t in TYPES}
for f in files:
    if f not in counts: continue
    for t in TYPES: tot[t] += counts[f][t]
    print(f'| {f} | {words[f]} | ' + ' | '.join(str(counts[f][t]) for t in TYPES) + f' | {sum(counts[f].values())} |')
print(f'| **sum** | {sum(words.values())} | ' + ' | '.join(str(tot[t]) for t in TYPES) + f' | {sum(tot.values())} |')
if errors:
    print('\nFEIL:'); [print(' -', e) for e in errors]; sys.exit(1)
print('\nOK: alle sjekker bestått.')
