"""Rebuild pipeline/anonymise/data/ndt_lower_words.txt from the NorNE/NDT Bokmål files in ../shared.

Lower-case word forms, and their lemmas, of tokens tagged name=O and not a proper noun; no digits.
Only the train split is read (``tools/ndt.py``: the sentences of the UD dev and test splits are left
out), so that NorNE dev+test stays a held-out check of the rules that use the list. Words only: the
texts are not republished (their licence forbids it).

    PYTHONPATH=$PWD python tools/build_ndt_words.py [../shared/data/norne]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.ndt import TrainSplit  # noqa: E402

HEADER = """# Source: lower-case word forms and their lemmas tagged name=O (not part of a name) in the Bokmål part of the
# Norwegian Dependency Treebank with NorNE entities (ndt/nob, without the sentences of the UD dev and test splits,
# which stay held out: 245 727 tokens; annotations CC0, words only, no text).
# Used to tell a word written in lower case as an ordinary word somewhere in Norwegian text from a rare one
# (a place name in a transcript without capitals); see docs/anonymisation.md, "Place and firm slots".
"""


def main(norne: str = "../shared/data/norne") -> None:
    train = TrainSplit(Path(norne))
    words: set[str] = set()
    tokens = 0
    for _doc, sentence in train:
        tokens += len(sentence)
        for c in sentence:
            if c[9] != "name=O" or c[3] == "prop" or not c[1][:1].islower():
                continue
            for w in (c[1].lower(), c[2].lower()):
                if not any(ch.isdigit() for ch in w):
                    words.add(w)
    out = ROOT / "pipeline" / "anonymise" / "data" / "ndt_lower_words.txt"
    out.write_text(HEADER + "".join(w + "\n" for w in sorted(words)), encoding="utf-8")
    print(f"{len(words)} words from {tokens} tokens ({train.held_out_sentences} held-out sentences left out) -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
