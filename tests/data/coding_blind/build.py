"""Build an evaluation study from a blind coder's marked transcripts.

``python build.py [FOLDER]`` (FOLDER: this set by default; tests/data/coding_blind2 is built the same way).
FOLDER/source/*.txt have one turn per line and ``{{code;code}}`` at the end of every informant turn.
Writes transcripts/*.txt (the same lines without markers), informants.csv (file names without
``source/``) and gold/turns.csv: one row per informant turn, ``file,informant_turn,codes,text_start``
(informant_turn counts the file's informant turns from 0; text_start lets the evaluation check that
it pairs the right turn).
"""

import csv
import re
import sys
from pathlib import Path
MARKER = re.compile(r"\s*\{\{([^{}]*)\}\}\s*$")


def main(folder: Path) -> None:
    (folder / "transcripts").mkdir(exist_ok=True)
    (folder / "gold").mkdir(exist_ok=True)
    gold = []
    for path in sorted((folder / "source").glob("*.txt")):
        lines, n = [], 0
        for line in path.read_text(encoding="utf-8").splitlines():
            match = MARKER.search(line)
            if match:
                text = line[:match.start()]
                codes = ";".join(sorted(c for c in match.group(1).split(";") if c))
                gold.append((path.name, n, codes, text.split(":", 1)[1].strip()[:40]))
                n += 1
                line = text
            lines.append(line)
        (folder / "transcripts" / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(folder / "gold" / "turns.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "informant_turn", "codes", "text_start"])
        writer.writerows(gold)
    rows = list(csv.DictReader(open(folder / "source" / ".." / "informants.source.csv", encoding="utf-8")))
    with open(folder / "informants.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "file": row["file"].removeprefix("source/")})


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parent)
