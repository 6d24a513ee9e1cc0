#!/usr/bin/env python3
"""Sjekker for blind gullstandard 18 (syntetisk). Kun standardbiblioteket.
Kjør: python3 check.py   (i mappa /work/blind-sets/set18)"""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, 'source')
TYPES = ['PERSON', 'STED', 'ORGANISASJON', 'ADRESSE', 'TELEFON', 'EPOST', 'DATO',
         'FØDSELSNUMMER', 'KONTONUMMER', 'SAKSNUMMER']
EXT_FORMAT = {'.docx.txt': {'docx'}, '.txt': {'txt', 'txt-cp1252'}, '.srt': {'srt'}, '.vtt': {'vtt'}}
MARK = re.compile(r'\[\[([^\[\]|]+)\|([^\[\]|]+)\]\]')
errors = []

def err(f, msg):
    errors.append(f'{f}: {msg}')

# ---------- eget oppslag: muntlige former -> sifre (kryssjekkes med tallordparser) ----------
SPOKEN = {
    # s2 (vtt, trøndersk)
    'ni sju fire null tolv tretti': '97401230',
    'sju fire null ni sæksti en tretti fæm': '74096135',
    'to tre null åtte sju ni fire fæm fæm åtte åtte': '23087945588',
    'femten null sæks tre tre null åtte sju elleve': '15063308711',
    # s3 (txt)
    'Nittitre, førtifem, null to, sytti': '93450270',
    'fire-to-tre-null seksti-seks null ni en to sju': '42306609127',
    'null to null tre nittifem fem en tre – nei, fem en to, to åtte': '02039551228',
    # s4 (srt)
    'ni åtte, null én, to fire – nei, to fem, sju sju': '98012577',
}

UNITS = {'null': 0, 'en': 1, 'ein': 1, 'ei': 1, 'én': 1, 'eitt': 1, 'ett': 1, 'to': 2, 'tå': 2, 'tre': 3,
         'fire': 4, 'fem': 5, 'fæm': 5, 'seks': 6, 'sæks': 6, 'sju': 7, 'syv': 7, 'åtte': 8, 'ni': 9}
TEENS = {'ti': 10, 'elleve': 11, 'ellev': 11, 'tolv': 12, 'tretten': 13, 'fjorten': 14, 'femten': 15,
         'fæmten': 15, 'seksten': 16, 'sæksten': 16, 'sytten': 17, 'atten': 18, 'nitten': 19}
TENS = {'tjue': 20, 'tju': 20, 'tyve': 20, 'tretti': 30, 'trætti': 30, 'førti': 40, 'femti': 50,
        'fæmti': 50, 'seksti': 60, 'sæksti': 60, 'sytti': 70, 'søtti': 70, 'åtti': 80, 'nitti': 90}
CORR = {'nei', 'unnskyld', 'eller', 'altså'}

def word_value(w):
    """returnerer sifferstreng for ett tallord, eller None"""
    if w.isdigit():
        return w
    if w in UNITS:
        return str(UNITS[w])
    if w in TEENS:
        return str(TEENS[w])
    if w in TENS:
        return str(TENS[w])
    for t, v in TENS.items():  # førtifem, sæksti-en
        if w.startswith(t):
            rest = w[len(t):].lstrip('-')
            if rest in UNITS and UNITS[rest] > 0:
                return str(v + UNITS[rest])
    return None

def parse_spoken(text):
    """Tallordparser: sifre/tallord -> sifferstreng. 'X og Y-ti' = gammel telling.
    Et ord som ender på '-' eller tankestrek + rettelsesord ('nei', 'unnskyld') er en avbrutt del:
    den droppes, og det som sies etter, overskriver fra siste forekomst av det første nye ordet."""
    t = text.lower().replace('–', ' – ')
    toks = re.findall(r"[0-9a-zæøåé]+(?:-[0-9a-zæøåé]+)*-?|–", t)
    # sammensatte med bindestrek mellom sifferord (fire-to-tre) deles opp
    out = []
    for tok in toks:
        if tok != '–' and '-' in tok.strip('-') and word_value(tok.rstrip('-')) is None:
            parts = tok.rstrip('-').split('-')
            out += parts[:-1] + [parts[-1] + ('-' if tok.endswith('-') else '')]
        else:
            out.append(tok)
    seq = []  # liste av (ord, sifre)
    i = 0
    pending = False
    while i < len(out):
        w = out[i]
        if w == '–' or w in CORR:
            if seq and w == '–':
                pending = True  # siste gruppe kan bli rettet
            if w in CORR:
                pending = True
            i += 1
            continue
        broken = w.endswith('-')
        w = w.rstrip('-')
        # gammel telling: 'sju og førti'
        if i + 2 < len(out) and w in UNITS and out[i + 1] == 'og' and out[i + 2] in TENS:
            v = str(TENS[out[i + 2]] + UNITS[w]); i += 3
            seq.append((w + ' og ' + out[i - 1], v)); continue
        v = word_value(w)
        if v is None:
            i += 1
            continue
        # tiertall + enertall skrevet hver for seg ('sæksti en' = 61)
        if w in TENS and i + 1 < len(out) and out[i + 1] in UNITS and UNITS[out[i + 1]] > 0:
            v = str(TENS[w] + UNITS[out[i + 1]])
            w = w + ' ' + out[i + 1]
            i += 1
        if broken:
            pending = True
            i += 1
            continue
        if pending:
            pending = False
            for j in range(len(seq) - 1, -1, -1):
                if seq[j][0] == w:
                    seq = seq[:j]
                    break
        seq.append((w, v))
        i += 1
    return ''.join(v for _, v in seq)

def digits_of(text):
    d = re.sub(r'\D', '', text)
    if re.search(r'[a-zæøå]{2,}', text.lower()):
        if text not in SPOKEN:
            return None, 'muntlig form mangler i SPOKEN-tabellen'
        p = parse_spoken(text)
        if p != SPOKEN[text]:
            return None, f'parser gir {p}, tabellen sier {SPOKEN[text]}'
        return SPOKEN[text], None
    return d, None

def mod11(digits, weights):
    s = sum(int(a) * b for a, b in zip(digits, weights))
    k = 11 - s % 11
    return 0 if k == 11 else (None if k == 10 else k)

def fnr_ok(d):
    if len(d) != 11:
        return False
    day, month = int(d[0:2]), int(d[2:4])
    if day > 40:
        day -= 40  # D-nummer
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    k1 = mod11(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    if k1 is None or k1 != int(d[9]):
        return False
    k2 = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k2 is not None and k2 == int(d[10])

def kto_ok(d):
    if len(d) != 11:
        return False
    k = mod11(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k is not None and k == int(d[10])

def phone_ok(d):
    if d.startswith('0047') and len(d) == 12:
        d = d[4:]
    elif d.startswith('47') and len(d) == 10:
        d = d[2:]
    return len(d) == 8

def read_labels():
    y = open(os.path.join(HERE, 'study.yaml'), encoding='utf-8').read()
    labels = []
    for key in ('interviewer', 'informant'):
        m = re.search(r'^\s+' + key + r':\s*\[(.*?)\]', y, re.M)
        if not m:
            err('study.yaml', f'mangler speaker_labels.{key}')
            continue
        labels += [x.strip().strip('"\'') for x in m.group(1).split(',') if x.strip()]
    m = re.search(r'keep_terms:\s*\[(.*?)\]', y, re.S)
    keep = [x.strip().strip('"\'') for x in m.group(1).split(',')] if m else []
    return labels, keep

def strip_marks(s):
    return MARK.sub(lambda m: m.group(1), s)

def main():
    labels, yaml_keep = read_labels()
    lab_re = re.compile(r'^(' + '|'.join(re.escape(l) for l in sorted(labels, key=len, reverse=True)) + r'):\s')
    files = sorted(f for f in os.listdir(SRC) if not f.startswith('.'))
    table = {}
    words = {}
    allmarks = {}
    for f in files:
        path = os.path.join(SRC, f)
        raw = open(path, encoding='utf-8').read()
        lines = raw.split('\n')
        ext = '.docx.txt' if f.endswith('.docx.txt') else os.path.splitext(f)[1]
        if not lines[0].startswith('#format: '):
            err(f, 'linje 1 må være #format:')
        fmt = lines[0][len('#format: '):].strip()
        if fmt not in EXT_FORMAT.get(ext, set()):
            err(f, f'format {fmt} passer ikke med filendelse {ext}')
        if not lines[1].startswith('#keep: '):
            err(f, 'linje 2 må være #keep:')
        keep = [k.strip() for k in lines[1][len('#keep: '):].split(';') if k.strip()]
        body = [l for l in lines if not l.startswith('#')]
        marks = []
        spoken_text = []
        # ---- struktur ----
        if fmt in ('txt', 'txt-cp1252', 'docx'):
            seen_label = False
            for n, l in enumerate(body, 1):
                if not l.strip():
                    continue
                m = lab_re.match(l)
                if m:
                    seen_label = True
                    spoken_text.append(l[m.end():])
                elif seen_label:
                    err(f, f'talelinje uten kjent etikett: {l[:50]!r}')
                elif '[[' in l:
                    err(f, f'markering i innledende linje: {l[:50]!r}')
            if fmt == 'txt-cp1252':
                try:
                    strip_marks('\n'.join(body)).encode('cp1252')
                except UnicodeEncodeError as e:
                    err(f, f'ikke cp1252: {e}')
        elif fmt == 'srt':
            blocks = re.split(r'\n\s*\n', '\n'.join(body).strip())
            prev_end = -1
            prev_label = None
            for bi, b in enumerate(blocks, 1):
                bl = b.split('\n')
                if len(bl) < 3 or bl[0].strip() != str(bi):
                    err(f, f'cue {bi}: feil nummer/struktur: {b[:40]!r}')
                    continue
                tm = re.fullmatch(r'(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)', bl[1].strip())
                if not tm:
                    err(f, f'cue {bi}: feil tidslinje {bl[1]!r}')
                    continue
                g = [int(x) for x in tm.groups()]
                st = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + g[3]
                en = ((g[4] * 60 + g[5]) * 60 + g[6]) * 1000 + g[7]
                if not (prev_end <= st < en):
                    err(f, f'cue {bi}: tider ikke stigende')
                prev_end = en
                m = lab_re.match(bl[2])
                if bi == 1 and not m:
                    err(f, 'første cue mangler etikett')
                for k, tl in enumerate(bl[2:]):
                    mm = lab_re.match(tl)
                    if mm:
                        if k > 0:
                            err(f, f'cue {bi}: etikett bare i første tekstlinje')
                        prev_label = mm.group(1)
                        spoken_text.append(tl[mm.end():])
                    else:
                        if re.match(r'^\w+( \w+)?:\s', tl):
                            err(f, f'cue {bi}: ukjent etikett? {tl[:30]!r}')
                        spoken_text.append(tl)
        elif fmt == 'vtt':
            if body[0].strip() != 'WEBVTT':
                err(f, 'første linje må være WEBVTT')
            blocks = re.split(r'\n\s*\n', '\n'.join(body[1:]).strip())
            prev_end = -1
            for bi, b in enumerate(blocks, 1):
                bl = b.split('\n')
                if re.fullmatch(r'\d+', bl[0].strip()) or bl[0].startswith('NOTE'):
                    bl = bl[1:]
                tm = re.fullmatch(r'(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)', bl[0].strip())
                if not tm:
                    err(f, f'cue {bi}: feil tidslinje {bl[0]!r}')
                    continue
                g = [int(x) for x in tm.groups()]
                st = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + g[3]
                en = ((g[4] * 60 + g[5]) * 60 + g[6]) * 1000 + g[7]
                if not (prev_end <= st < en):
                    err(f, f'cue {bi}: tider ikke stigende')
                prev_end = en
                for tl in bl[1:]:
                    mm = re.match(r'^<v ([^>]+)>(.*)$', tl)
                    if not mm or mm.group(1) not in labels:
                        err(f, f'cue {bi}: tekstlinje må være <v Etikett>: {tl[:40]!r}')
                        continue
                    spoken_text.append(mm.group(2))
                    if fmt == 'vtt' and re.search(r'[A-ZÆØÅ.,?!]', strip_marks(mm.group(2))):
                        err(f, f'cue {bi}: auto-teksting skal være små bokstaver uten tegnsetting: {tl[:40]!r}')
        else:
            err(f, f'ukjent format {fmt}')
        # ---- markeringer ----
        for l in body:
            for m in MARK.finditer(l):
                marks.append((m.group(1), m.group(2)))
            rest = MARK.sub('', l)
            if '[[' in rest or ']]' in rest:
                err(f, f'ødelagt markering: {l[:60]!r}')
        for text, typ in marks:
            if typ not in TYPES:
                err(f, f'ukjent type {typ} ({text})')
            if text != text.strip():
                err(f, f'mellomrom i kanten av markering {text!r}')
            if typ == 'PERSON' and re.match(r'^(fru|herr)\b', text, re.I):
                err(f, f'tittel skal stå utenfor markering: {text!r}')
            if typ == 'PERSON' and text.endswith('s') and (text[:-1], 'PERSON') in marks:
                err(f, f'genitiv-s skal stå utenfor markering: {text!r}')
            if typ in ('FØDSELSNUMMER', 'KONTONUMMER', 'TELEFON'):
                d, e = digits_of(text)
                if e:
                    err(f, f'{typ} {text!r}: {e}')
                    continue
                ok = {'FØDSELSNUMMER': fnr_ok, 'KONTONUMMER': kto_ok, 'TELEFON': phone_ok}[typ](d)
                if not ok:
                    err(f, f'{typ} {text!r} ({d}) er ugyldig')
        # ---- keep ----
        outside = MARK.sub(' \x00 ', '\n'.join(body))
        for k in keep:
            if not re.search(r'(?<!\w)' + re.escape(k) + r'(?!\w)', outside):
                err(f, f'keep-ord {k!r} forekommer ikke utenfor markeringer')
            for text, typ in marks:
                if re.search(r'(?<!\w)' + re.escape(k) + r'(?!\w)', text, re.I):
                    err(f, f'keep-ord {k!r} står inne i markering {text!r}')
        # ---- ordtelling (talte ord, uten etiketter, [notater] og markeringsnotasjon) ----
        st = strip_marks(' '.join(spoken_text))
        st = re.sub(r'\[[^\]]*\]|\([^)]*\)', ' ', st)
        words[f] = len(re.findall(r'[\wæøåÆØÅ@.\-/+]*\w', st))
        cnt = {t: 0 for t in TYPES}
        for _, typ in marks:
            if typ in cnt:
                cnt[typ] += 1
        table[f] = cnt
        allmarks[f] = marks
        if not 800 <= words[f] <= 950:
            err(f, f'{words[f]} talte ord (skal være 800–950)')
        if not 35 <= len(marks) <= 45:
            err(f, f'{len(marks)} markeringer (skal være 35–45)')
    # ---- informants.csv ----
    with open(os.path.join(HERE, 'informants.csv'), encoding='utf-8', newline='') as fh:
        rows = list(csv.DictReader(fh))
    if [r['id'] for r in rows] != ['s1', 's2', 's3', 's4']:
        err('informants.csv', 'id-er må være s1..s4')
    for r in rows:
        src = [f for f in files if f.split('.')[0] == r['id']]
        if not src:
            err('informants.csv', f'ingen kildefil for {r["id"]}')
            continue
        built = src[0][:-len('.txt')] if src[0].endswith('.docx.txt') else src[0]
        if r['file'] != built:
            err('informants.csv', f'{r["id"]}: file={r["file"]}, forventet {built}')
        if r['group'] not in ('kjoper', 'ansatt'):
            err('informants.csv', f'{r["id"]}: ukjent gruppe {r["group"]}')
        if (r['name'].lower(), 'PERSON') not in [(t.lower(), y) for t, y in allmarks.get(src[0], [])]:
            err('informants.csv', f'{r["id"]}: navnet {r["name"]!r} er ikke markert som PERSON i {src[0]}')
        if not r['role'].strip():
            err('informants.csv', f'{r["id"]}: mangler rolle')
    for k in ('NAV', 'Husbanken', 'startlån', 'leie til eie', 'Steinkjer', 'Levanger'):
        if k not in yaml_keep:
            err('study.yaml', f'keep_terms mangler {k}')
    # ---- tabell ----
    short = {'PERSON': 'PER', 'STED': 'STED', 'ORGANISASJON': 'ORG', 'ADRESSE': 'ADR', 'TELEFON': 'TLF',
             'EPOST': 'EPOST', 'DATO': 'DATO', 'FØDSELSNUMMER': 'FNR', 'KONTONUMMER': 'KTO', 'SAKSNUMMER': 'SAK'}
    hdr = '| fil | ord | ' + ' | '.join(short[t] for t in TYPES) + ' | sum |'
    print(hdr)
    print('|' + '---|' * (len(TYPES) + 3))
    tot = {t: 0 for t in TYPES}
    for f in files:
        c = table[f]
        for t in TYPES:
            tot[t] += c[t]
        print(f'| {f} | {words[f]} | ' + ' | '.join(str(c[t]) for t in TYPES) + f' | {sum(c.values())} |')
    print(f'| sum | {sum(words.values())} | ' + ' | '.join(str(tot[t]) for t in TYPES) + f' | {sum(tot.values())} |')
    if errors:
        print('\nFEIL:')
        for e in errors:
            print(' -', e)
        sys.exit(1)
    print('\nOK: alle sjekker bestått')

if __name__ == '__main__':
    main()
