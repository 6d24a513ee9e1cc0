"""Rebuild pipeline/anonymise/data/ndt_lower_words.txt from the NorNE/NDT Bokmål files in ../shared.

Lower-case word forms, and their lemmas, of tokens tagged name=O and not a proper noun; no digits.
Words only: the texts themselves are not republished (their licence forbids it).

    python scripts/build_ndt_words.py [../shared/data/norne/ndt/nob]
"""

from __future__ import annotations

import sys
from pathlib import Path

HEADER = """# Source: lower-case word forms and their lemmas tagged name=O (not part of a name) in the whole Bokmål part of the
# Norwegian Dependency Treebank with NorNE entities (ndt/nob, ~311 000 tokens; annotations CC0, words only, no text).
# Used to tell a word written in lower case as an ordinary word somewhere in Norwegian text from a rare one
# (a place name in a transcript without capitals); see docs/anonymisation.md, "Place and firm slots".
"""


def main(folder: str = "../shared/data/norne/ndt/nob") -> None:
    words: set[str] = set()
    for path in sorted(Path(folder).glob("*.conll")):
        for line in path.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) < 10 or cols[9] != "name=O" or cols[3] == "prop" or not cols[1][:1].islower():
                continue
            for w in (cols[1].lower(), cols[2].lower()):
                if not any(c.isdigit() for c in w):
                    words.add(w)
    out = Path(__file__).resolve().parents[1] / "pipeline" / "anonymise" / "data" / "ndt_lower_words.txt"
    out.write_text(HEADER + "".join(w + "\n" for w in sorted(words)), encoding="utf-8")
    print(f"{len(words)} words -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
