"""The NDT train split of NorNE, for the builders of word and name lists (tools/build_*.py).

../shared/data/norne ships the Bokmål NDT files with NorNE entities (ndt/nob/*.conll) and the
UD dev and test splits (ud/nob/*.conllu), not a train split. The train split is the NDT
sentences that are in neither UD split; every list built from NorNE reads only those, so that
NorNE's dev and test sentences stay a held-out check of the rules that use the lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def held_out(norne: Path) -> set[tuple[str, ...]]:
    """Token sequences of the UD dev and test sentences."""
    held: set[tuple[str, ...]] = set()
    for split in ("dev", "test"):
        words: list[str] = []
        path = norne / "ud" / "nob" / f"no_bokmaal-ud-{split}.conllu"
        for line in path.read_text(encoding="utf-8").splitlines() + [""]:
            cols = line.split("\t")
            if not line.strip():
                if words:
                    held.add(tuple(words))
                words = []
            elif len(cols) >= 10 and cols[0].isdigit():
                words.append(cols[1])
    return held


@dataclass
class TrainSplit:
    """The train split's sentences, each a list of CoNLL columns (form is [1], NorNE's name tag [9]),
    with the document it comes from (the file-name prefix, "ap001" of ap001_0000.conll). Counts the
    held-out sentences it leaves out while it is read."""

    norne: Path
    held_out_sentences: int = 0

    def __iter__(self) -> Iterator[tuple[str, list[list[str]]]]:
        held = held_out(self.norne)
        self.held_out_sentences = 0
        for path in sorted((self.norne / "ndt" / "nob").glob("*.conll")):
            doc = path.stem.split("_")[0]
            sentence: list[list[str]] = []
            for line in path.read_text(encoding="utf-8").splitlines() + [""]:
                cols = line.split("\t")
                if line.strip():
                    if len(cols) >= 10:
                        sentence.append(cols)
                    continue
                if sentence and tuple(c[1] for c in sentence) in held:
                    self.held_out_sentences += 1
                elif sentence:
                    yield doc, sentence
                sentence = []
