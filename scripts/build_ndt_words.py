"""Rebuild pipeline/anonymise/data/ndt_lower_words.txt from the NorNE/NDT Bokmål files in ../shared.

Lower-case word forms, and their lemmas, of tokens tagged name=O and not a proper noun; no digits.
The sentences of the UD dev and test splits are left out, so that NorNE dev+test stays a held-out
check of the rules that use the list. Words only: the texts are not republished (their licence
forbids it).

    python scripts/build_ndt_words.py [../shared/data/norne]
"""

from __future__ import annotations

import sys
from pathlib import Path

HEADER = """# Source: lower-case word forms and their lemmas tagged name=O (not part of a name) in the Bokmål part of the
# Norwegian Dependency Treebank with NorNE entities (ndt/nob, without the sentences of the UD dev and test splits,
# which stay held out: 245 727 tokens; annotations CC0, words only, no text).
# Used to tell a word written in lower case as an ordinary word somewhere in Norwegian text from a rare one
# (a place name in a transcript without capitals); see docs/anonymisation.md, "Place and firm slots".
"""


def _held_out(norne: Path) -> set[tuple[str, ...]]:
    """Token sequences of the UD dev and test sentences."""
    held: set[tuple[str, ...]] = set()
    for split in ("dev", "test"):
        words: list[str] = []
        for line in (norne / "ud" / "nob" / f"no_bokmaal-ud-{split}.conllu").read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if not line.strip():
                if words:
                    held.add(tuple(words))
                words = []
            elif len(cols) >= 10 and cols[0].isdigit():
                words.append(cols[1])
        if words:
            held.add(tuple(words))
    return held


def main(norne: str = "../shared/data/norne") -> None:
    norne = Path(norne)
    held = _held_out(norne)
    words: set[str] = set()
    skipped = tokens = 0
    for path in sorted((norne / "ndt" / "nob").glob("*.conll")):
        sentence: list[list[str]] = []
        for line in path.read_text(encoding="utf-8").splitlines() + [""]:
            cols = line.split("\t")
            if line.strip():
                if len(cols) >= 10:
                    sentence.append(cols)
                continue
            if sentence and tuple(c[1] for c in sentence) in held:
                skipped += 1
            else:
                tokens += len(sentence)
                for c in sentence:
                    if c[9] != "name=O" or c[3] == "prop" or not c[1][:1].islower():
                        continue
                    for w in (c[1].lower(), c[2].lower()):
                        if not any(ch.isdigit() for ch in w):
                            words.add(w)
            sentence = []
    out = Path(__file__).resolve().parents[1] / "pipeline" / "anonymise" / "data" / "ndt_lower_words.txt"
    out.write_text(HEADER + "".join(w + "\n" for w in sorted(words)), encoding="utf-8")
    print(f"{len(words)} words from {tokens} tokens ({skipped} held-out sentences left out) -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
