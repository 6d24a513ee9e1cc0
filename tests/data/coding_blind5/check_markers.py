#!/usr/bin/env python3
"""Sjekk kodemarkørene i source/e*.txt (kun standardbiblioteket).

- hver IP/Ansatt-linje slutter med en velformet markør {{kode;kode}} eller {{}}
- kodene finnes i codebook.yaml, og ingen kode står to ganger i samme markør
- ingen intervjuer-linje (I:) har markør, og ingen markør står midt i en linje
- hver ikke-tom linje begynner med en kjent taleretikett
- filene i source/ stemmer med informants.source.csv
Skriver ut ytringer, ord og koder per fil og totalt. Avslutter med kode 1 ved feil.
"""
import csv, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, 'source')
INTERVIEWER = ('I',)
INFORMANT = ('IP', 'Ansatt')
GROUPS = {'stayed', 'sold_bought', 'back_to_rental', 'staff'}
LABEL_RE = re.compile(r'^(IP|Ansatt|I):\s')
MARKER_RE = re.compile(r'\s\{\{([^{}]*)\}\}$')
ID_RE = re.compile(r'^[a-z_]+$')


def code_ids():
    ids = []
    with open(os.path.join(HERE, 'codebook.yaml'), encoding='utf-8') as fh:
        for line in fh:
            m = re.match(r'^-\s+id:\s*["\']?([A-Za-z0-9_]+)', line)
            if m:
                ids.append(m.group(1))
    return ids


def main():
    errors = []
    known = code_ids()
    if not known:
        errors.append('fant ingen kode-id-er i codebook.yaml')
    with open(os.path.join(HERE, 'informants.source.csv'), encoding='utf-8', newline='') as fh:
        rows = list(csv.DictReader(fh))
    if not rows or list(rows[0].keys()) != ['id', 'file', 'group', 'role']:
        errors.append('informants.source.csv: feil kolonner (vil ha id,file,group,role)')
    csv_files = []
    for r in rows:
        if r.get('group') not in GROUPS:
            errors.append(f"CSV {r.get('id')}: ukjent gruppe {r.get('group')!r}")
        if r.get('file') != f"{r.get('id')}.txt":
            errors.append(f"CSV {r.get('id')}: fil {r.get('file')!r} passer ikke med id")
        if not (r.get('role') or '').strip():
            errors.append(f"CSV {r.get('id')}: mangler rolle")
        csv_files.append(r.get('file'))
    if len(set(csv_files)) != len(csv_files):
        errors.append('CSV: samme fil står flere ganger')
    on_disk = sorted(f for f in os.listdir(SRC) if f.endswith('.txt'))
    for f in sorted(set(csv_files) - set(on_disk)):
        errors.append(f'{f}: står i CSV, men finnes ikke i source/')
    for f in sorted(set(on_disk) - set(csv_files)):
        errors.append(f'{f}: finnes i source/, men står ikke i CSV')

    total = Counter()
    tot_turns = tot_words = tot_empty = 0
    print(f"{'fil':<8}{'ytringer':>9}{'ord':>6}{'tomme':>7}  koder")
    for f in sorted(set(csv_files) & set(on_disk), key=lambda s: (len(s), s)):
        per = Counter()
        turns = words = empty = 0
        with open(os.path.join(SRC, f), encoding='utf-8') as fh:
            lines = fh.read().splitlines()
        for n, line in enumerate(lines, 1):
            where = f'{f}:{n}'
            if not line.strip():
                continue
            m = LABEL_RE.match(line)
            if not m:
                errors.append(f'{where}: ukjent eller manglende taleretikett')
                continue
            label = m.group(1)
            body = line[m.end():]
            mk = MARKER_RE.search(line)
            text = body[:len(body) - len(mk.group(0))] if mk and label in INFORMANT else body
            if '{{' in text or '}}' in text:
                errors.append(f'{where}: markørtegn utenfor en velformet sluttmarkør')
            words += len(text.split())
            if label in INTERVIEWER:
                if mk:
                    errors.append(f'{where}: intervjuer-linje har markør')
                continue
            turns += 1
            if not mk:
                errors.append(f'{where}: informantlinje mangler velformet markør på slutten')
                continue
            inner = mk.group(1)
            if inner == '':
                empty += 1
                continue
            codes = inner.split(';')
            for c in codes:
                if not ID_RE.match(c):
                    errors.append(f'{where}: misdannet kode {c!r}')
                elif c not in known:
                    errors.append(f'{where}: ukjent kode {c!r}')
            if len(set(codes)) != len(codes):
                errors.append(f'{where}: samme kode to ganger')
            per.update(c for c in set(codes) if c in known)
        total.update(per)
        tot_turns += turns; tot_words += words; tot_empty += empty
        print(f"{f:<8}{turns:>9}{words:>6}{empty:>7}  " + ', '.join(f'{c}={per[c]}' for c in known))
    print(f"{'totalt':<8}{tot_turns:>9}{tot_words:>6}{tot_empty:>7}  " + ', '.join(f'{c}={total[c]}' for c in known))
    print(f'kodetildelinger totalt: {sum(total.values())}')
    if errors:
        print(f'\n{len(errors)} feil:', file=sys.stderr)
        for e in errors:
            print('  ' + e, file=sys.stderr)
        return 1
    print('OK')
    return 0


if __name__ == '__main__':
    sys.exit(main())
