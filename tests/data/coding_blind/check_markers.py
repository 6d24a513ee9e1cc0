import re, glob, collections, os
VALID = {'stability','information','standard','discount'}
ok = True; turns = 0; cnt = collections.Counter(); empty = 0; per = {}
for p in sorted(glob.glob('source/d*.txt')):
    t = 0
    for n, l in enumerate(open(p, encoding='utf-8').read().splitlines(), 1):
        if not l.strip(): continue
        m = re.match(r'^(I|IP|Ansatt): ', l)
        if not m: print('bad label', p, n); ok = False; continue
        mk = re.search(r'\{\{([^{}]*)\}\}\s*$', l)
        if m.group(1) == 'I':
            if '{{' in l: print('marker on I line', p, n); ok = False
            continue
        if not mk or l.count('{{') != 1: print('missing marker', p, n); ok = False; continue
        codes = [c for c in mk.group(1).split(';') if c]
        if any(c not in VALID for c in codes) or len(set(codes)) != len(codes): print('bad code', p, n, codes); ok = False
        turns += 1; t += 1; cnt.update(codes); empty += not codes
    words = len(re.sub(r'\{\{[^}]*\}\}', '', open(p, encoding='utf-8').read()).split())
    per[os.path.basename(p)] = (t, words)
print('OK' if ok else 'FAIL', 'turns', turns, dict(cnt), 'uncoded', empty)
print(per)
