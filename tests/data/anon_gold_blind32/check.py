#!/usr/bin/env python3
"""Kontroll av gullstandard set32 (kun standardbibliotek)."""
import re, sys, json, os
HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = {"PERSON","STED","ORGANISASJON","ADRESSE","TELEFON","EPOST","DATO",
         "FØDSELSNUMMER","KONTONUMMER","SAKSNUMMER"}
REQUIRED = TYPES - {"ORGANISASJON"}
FILES = {"s1.vtt":"vtt","s2.txt":"txt-cp1252","s3.docx.txt":"docx"}
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([^\[\]|\n]+)\]\]")
errors = []

def fnr_ok(s):
    d=[int(c) for c in s]
    w1=[3,7,6,1,8,9,4,5,2]; w2=[5,4,3,2,7,6,5,4,3,2]
    k1=11-sum(a*b for a,b in zip(d,w1))%11; k1=0 if k1==11 else k1
    k2=11-sum(a*b for a,b in zip(d,w2))%11; k2=0 if k2==11 else k2
    if k1==10 or k2==10 or d[9]!=k1 or d[10]!=k2: return False
    day=int(s[:2]); day = day-40 if day>40 else day   # D-nummer
    return 1<=day<=31 and 1<=int(s[2:4])<=12

def kto_ok(s):
    d=[int(c) for c in s]; w=[5,4,3,2,7,6,5,4,3,2]
    k=11-sum(a*b for a,b in zip(d,w))%11; k=0 if k==11 else k
    return k!=10 and d[10]==k

# study.yaml (enkel parsing: verdiene er JSON-lister)
yaml = open(os.path.join(HERE,"study.yaml"),encoding="utf-8").read()
def ylist(key):
    m = re.search(r"^\s*"+key+r":\s*(\[.*\])\s*$", yaml, re.M)
    if not m: errors.append("study.yaml mangler "+key); return []
    return json.loads(m.group(1))
keep_yaml = ylist("keep_terms")
labels = set(ylist("interviewer")) | set(ylist("informant"))
keep_union = []
counts = {}
for fn, fmt in FILES.items():
    p = os.path.join(HERE,"source",fn)
    text = open(p,encoding="utf-8").read()
    lines = text.split("\n")
    if lines[0].strip() != "#format: "+fmt: errors.append(f"{fn}: linje 1 feil")
    if not lines[1].startswith("#keep: "): errors.append(f"{fn}: linje 2 feil"); kp=[]
    else: kp=[k for k in lines[1][7:].split(";") if k]
    for k in kp:
        if k not in keep_union: keep_union.append(k)
        body_plain = MARK.sub("", "\n".join(lines[2:]))
        if not re.search(r"(?<!\w)"+re.escape(k)+r"(?!\w)", body_plain):
            errors.append(f"{fn}: keep-term {k!r} finnes ikke umerket i teksten")
    if fmt == "txt-cp1252":
        try: text.encode("cp1252")
        except UnicodeEncodeError as e: errors.append(f"{fn}: ikke cp1252: {e}")
    body = lines[2:]
    seen = set()
    for i,l in enumerate(body, start=3):
        rest = MARK.sub("", l)
        if "[[" in rest or "]]" in rest: errors.append(f"{fn}:{i}: feilformet merke: {l[:60]}")
        for m in MARK.finditer(l):
            val, typ = m.group(1), m.group(2)
            if typ not in TYPES: errors.append(f"{fn}:{i}: ukjent type {typ}"); continue
            if val != val.strip(): errors.append(f"{fn}:{i}: mellomrom i merke {val!r}")
            seen.add(typ); counts[typ]=counts.get(typ,0)+1
            digits = re.sub(r"[\s.\-]", "", val)
            if typ=="FØDSELSNUMMER" and digits.isdigit() and len(digits)==11 and not fnr_ok(digits):
                errors.append(f"{fn}:{i}: ugyldig fødselsnummer {val}")
            if typ=="KONTONUMMER" and digits.isdigit() and len(digits)==11 and not kto_ok(digits):
                errors.append(f"{fn}:{i}: ugyldig kontonummer {val}")
            if typ=="TELEFON" and digits.lstrip("+").isdigit():
                dd = digits.lstrip("+"); dd = dd[2:] if len(dd)==10 and dd.startswith("47") else dd
                if len(dd)==11 or len(dd)>8: errors.append(f"{fn}:{i}: telefonnummer lengde {val}")
        # talerlabels
        if fmt in ("vtt","srt"):
            m = re.match(r"<v ([^>]+)>", l)
            if m and m.group(1) not in labels: errors.append(f"{fn}:{i}: ukjent label {m.group(1)}")
        else:
            m = re.match(r"^([A-ZÆØÅ][\wÆØÅæøå ]{0,20}):\s", l)
            if m and MARK.search(l[:m.end()]) is None:
                if m.group(1) not in labels: errors.append(f"{fn}:{i}: ukjent label {m.group(1)}")
    miss = REQUIRED - seen
    if miss: errors.append(f"{fn}: mangler typer {sorted(miss)}")
if sorted(keep_union) != sorted(keep_yaml):
    errors.append(f"keep_terms i study.yaml != union av #keep: {sorted(set(keep_union)^set(keep_yaml))}")
# informants.csv
import csv
rows = list(csv.DictReader(open(os.path.join(HERE,"informants.csv"),encoding="utf-8")))
groups = set(ylist("groups")) if False else {"kjopar_budd","selt_kjopt","tilbake_leige","tilsett"}
src = {"s1.vtt":"s1.vtt","s2.txt":"s2.txt","s3.docx":"s3.docx.txt"}
for r in rows:
    if r["group"] not in groups: errors.append("ukjent gruppe "+r["group"])
    t = open(os.path.join(HERE,"source",src[r["file"]]),encoding="utf-8").read()
    if f"[[{r['name']}|PERSON]]" not in t: errors.append(f"navn {r['name']} ikke merket i {r['file']}")
if errors:
    print("\n".join(errors)); sys.exit(1)
print("Merker per type:", json.dumps(dict(sorted(counts.items())), ensure_ascii=False))
print("OK")
