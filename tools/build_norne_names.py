"""Build pipeline/anonymise/data/norne_first.txt (first names) from NorNE's training sentences.

Source: the Bokmål NDT files with NorNE entities in ../shared/data/norne (ndt/nob/*.conll). The
UD train split is not shipped there; it is the NDT sentences that are in neither the UD dev nor
the UD test split (``tools/ndt.py``), so dev and test stay held out, as in
tools/build_ndt_words.py.

Each PER entity of two or more tokens gives its first token as a first name. (Surnames, the last
tokens, are not taken: a newspaper corpus's frequent surnames are public figures' and farm names,
and with them the suite's floor on a former blind set failed; docs/anonymisation.md, "Ninth
session: names9".) A form is kept when it is seen at least twice or in at least two documents (an NDT document is the file-name prefix,
"ap001" of ap001_0000.conll), is capitalised and alphabetic (a hyphen between letters allowed), is
longer than two letters, and is not an ordinary word: not a word by ``Gazetteer.is_common_word``
and not a common-noun/verb/adjective form by ``lexicon.is_ordinary``; nor a place or keep term,
nor a genitive -s of a listed name. Names already on the shipped lists are left out (they need no second
entry). First names carry the gender NDT gives them (prop|fem / prop|mask) where it is one only.

Words only (names), no text: the texts' licence forbids republishing them.

    PYTHONPATH=$PWD python tools/build_norne_names.py [../shared/data/norne [OUT_DIR]]
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.anonymise.gazetteer import _read, load_gazetteer  # noqa: E402
from pipeline.anonymise.lexicon import is_ordinary  # noqa: E402
from tools.ndt import TrainSplit  # noqa: E402

_NAME = re.compile(r"^[^\W\d_]+(-[^\W\d_]+)*$")
MIN_COUNT, MIN_DOCS = 2, 2


def _entities(sentence: list[list[str]]):
    """PER entities of a sentence as lists of (form, features)."""
    current: list[tuple[str, str]] = []
    for c in sentence + [["", "", "", "", "", "", "", "", "", "name=O"]]:
        tag = c[9].removeprefix("name=")
        if tag == "I-PER" and current:
            current.append((c[1], c[5]))
            continue
        if current:
            yield current
        current = [(c[1], c[5])] if tag == "B-PER" else []


def collect(norne: Path):
    counts: Counter = Counter()
    docs: dict[str, set[str]] = defaultdict(set)
    genders: dict[str, Counter] = defaultdict(Counter)
    stats = Counter()
    train = TrainSplit(norne)
    for doc, sentence in train:
        stats["sentences"] += 1
        stats["tokens"] += len(sentence)
        for ent in _entities(sentence):
            stats["per_entities"] += 1
            if len(ent) < 2:
                continue
            stats["per_entities_2plus"] += 1
            form, feats = ent[0]
            counts[form] += 1
            docs[form].add(doc)
            genders[form].update(f for f in feats.split("|") if f in ("fem", "mask"))
    stats["held_out_sentences"] = train.held_out_sentences
    return counts, docs, genders, stats


def _keep(form: str, g) -> bool:
    # A place ("Molde") or keep term stays one: a first-name entry would make it a person.
    return (form[:1].isupper() and len(form) > 2 and bool(_NAME.match(form)) and not g.is_common_word(form)
            and not is_ordinary(form) and not g.is_place(form) and form.lower() not in g.builtin_keep)


def main(norne: str = "../shared/data/norne", out_dir: str | None = None) -> None:
    norne = Path(norne)
    # The shipped gazetteer without the list this script writes, so a rebuild gives the same list.
    def low(*names: str) -> frozenset[str]:
        return frozenset(w.lower() for name in names for w in _read(name))

    g = replace(load_gazetteer(), male=low("faker_first_male.txt", "curated_first_male.txt"),
                female=low("faker_first_female.txt", "curated_first_female.txt"), first_any=frozenset(),
                last=low("faker_last.txt", "curated_last.txt"))
    counts, docs, genders, stats = collect(norne)
    out_dir = Path(out_dir) if out_dir else ROOT / "pipeline" / "anonymise" / "data"
    # The provenance line needs NorNE's commit: a copy without it is not one we can name.
    m = re.search(r"commit (\w+)", (norne / "SOURCE.md").read_text(encoding="utf-8"))
    if m is None:
        raise SystemExit(f"{norne / 'SOURCE.md'} names no NorNE commit")
    norne_commit = m.group(1)
    frequent = {f for f, n in counts.items() if n >= MIN_COUNT or len(docs[f]) >= MIN_DOCS}
    kept = {f for f in frequent if _keep(f, g) and not g.is_first(f)}
    # A genitive ("Baracks", "Torgeirs") is its name plus -s, not a name of its own.
    kept = sorted(f for f in kept if not (f.endswith("s") and (f[:-1] in kept or g.is_first(f[:-1]))))
    words = {f for f in frequent if f[:1].isupper() and _NAME.match(f) and len(f) > 2}
    lines = []
    for f in kept:
        sexes = [s for s in ("mask", "fem") if genders[f][s]]
        tag = {"mask": "m", "fem": "f"}[sexes[0]] if len(sexes) == 1 else "?"
        lines.append(f"{f}\t{tag}\n")
    header = (
        f"# Source: NorNE (ltgoslo/norne, commit {norne_commit}), Bokmål NDT files without the sentences of the UD\n"
        f"# dev and test splits (the train split): {stats['sentences']} sentences, {stats['tokens']} tokens,\n"
        f"# {stats['per_entities']} PER entities, {stats['per_entities_2plus']} of two or more tokens. The "
        "first token of each of those,\n"
        f"# seen >= {MIN_COUNT} times or in >= {MIN_DOCS} documents: {len(frequent)} forms, {len(words)} capitalised and alphabetic;\n"
        f"# {len(kept)} kept here (not an ordinary word by Gazetteer.is_common_word or lexicon.is_ordinary, not a place,\n"
        f"# not on the other lists, not a genitive -s of a listed name).\n"
        f"# Built by tools/build_norne_names.py. Annotations CC0 (NorNE's LICENSE_NDT.txt); names only, no text.\n"
        + "# One first name a line, a tab and m / f (NDT's prop|mask / prop|fem) or ? (both or none).\n"
    )
    (out_dir / "norne_first.txt").write_text(header + "".join(lines), encoding="utf-8")
    print(f"norne_first.txt: {len(kept)} kept of {len(frequent)} frequent forms ({len(counts)} seen)")
    print(dict(stats))


if __name__ == "__main__":
    main(*sys.argv[1:])
