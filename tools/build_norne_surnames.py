"""Build pipeline/anonymise/data/norne_last.txt (surnames) from NorNE's training sentences.

Source: the Bokmål NDT files with NorNE entities in ../shared/data/norne (ndt/nob/*.conll), the
train split only (the NDT sentences in neither UD dev nor UD test, ``tools/ndt.py``), as
tools/build_norne_names.py reads them.

Each PER entity of two or more tokens gives its last token as a surname. The list is read by one
rule only, ``split_names.SplitNameRecognizer``'s ``listed`` evidence: pieces a speech recogniser
wrote apart whose join is exactly such a surname. It is no gazetteer entry: a newspaper's surnames
are public figures' and farm names, and as names found alone they cost a former blind set its
precision floor (docs/anonymisation.md, "Ninth session: names9"); as the join of pieces that are
no phrase they say only that the pieces spell a surname. A form is kept when it is capitalised and
alphabetic (a hyphen between letters allowed), five letters or more, not a dictionary form
(``lexicon.in_dictionary``: the join test refuses those anyway), not a word by
``Gazetteer.is_common_word``, not a place or keep term, and not on the shipped surname lists. No
frequency threshold: a join must match the whole form, so a rare one costs nothing where it is not
said.

Words only (names), no text: the texts' licence forbids republishing them.

    PYTHONPATH=$PWD python tools/build_norne_surnames.py [../shared/data/norne [OUT_DIR]]
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.anonymise.gazetteer import load_gazetteer  # noqa: E402
from pipeline.anonymise.lexicon import in_dictionary  # noqa: E402
from tools.build_norne_names import _entities  # noqa: E402
from tools.ndt import TrainSplit  # noqa: E402

_NAME = re.compile(r"^[^\W\d_]+(-[^\W\d_]+)*$")
MIN_LETTERS = 5


def _keep(form: str, g) -> bool:
    return (form[:1].isupper() and len(form) >= MIN_LETTERS and bool(_NAME.match(form))
            and not in_dictionary(form) and not g.is_common_word(form) and not g.is_place(form)
            and form.lower() not in g.builtin_keep and not g.is_last(form))


def main(norne: str = "../shared/data/norne", out_dir: str | None = None) -> None:
    norne = Path(norne)
    g = load_gazetteer()
    counts: Counter = Counter()
    entities = 0
    for _doc, sentence in TrainSplit(norne):
        for ent in _entities(sentence):
            if len(ent) >= 2:
                entities += 1
                counts[ent[-1][0]] += 1
    m = re.search(r"commit (\w+)", (norne / "SOURCE.md").read_text(encoding="utf-8"))
    if m is None:
        raise SystemExit(f"{norne / 'SOURCE.md'} names no NorNE commit")
    kept = sorted({f.lower() for f in counts if _keep(f, g)})
    header = (
        f"# Source: NorNE (ltgoslo/norne, commit {m.group(1)}), Bokmål NDT files without the sentences of the UD\n"
        f"# dev and test splits (the train split): the last token of each of its {entities} PER entities of two or more\n"
        f"# tokens, {len(counts)} forms; {len(kept)} kept (capitalised, alphabetic, >= {MIN_LETTERS} letters, no dictionary form,\n"
        "# not common, not a place or keep term, not on the shipped surname lists), lower case.\n"
        "# Built by tools/build_norne_surnames.py; read only by split_names.py (a join of split pieces).\n"
        "# Annotations CC0 (NorNE's LICENSE_NDT.txt); names only, no text.\n")
    out_dir = Path(out_dir) if out_dir else ROOT / "pipeline" / "anonymise" / "data"
    (out_dir / "norne_last.txt").write_text(header + "".join(f + "\n" for f in kept), encoding="utf-8")
    print(f"norne_last.txt: {len(kept)} kept of {len(counts)} forms")


if __name__ == "__main__":
    main(*sys.argv[1:])
