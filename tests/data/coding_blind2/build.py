"""Build the evaluation study from the blind coder's marked transcripts (run from this folder).

source/eN.txt has one turn per line and ``{{code;code}}`` at the end of every informant turn.
Writes transcripts/eN.txt (the same lines without markers), informants.csv (file names without
``source/``) and gold/turns.csv: one row per informant turn, ``file,informant_turn,codes,text_start``
(informant_turn counts the file's informant turns from 0; text_start lets the evaluation check that
it pairs the right turn).
"""

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER = re.compile(r"\s*\{\{([^{}]*)\}\}\s*$")


def main() -> None:
    (HERE / "transcripts").mkdir(exist_ok=True)
    (HERE / "gold").mkdir(exist_ok=True)
    gold = []
    for path in sorted((HERE / "source").glob("*.txt")):
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
        (HERE / "transcripts" / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(HERE / "gold" / "turns.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "informant_turn", "codes", "text_start"])
        writer.writerows(gold)
    rows = list(csv.DictReader(open(HERE / "source" / ".." / "informants.source.csv", encoding="utf-8")))
    with open(HERE / "informants.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "file": row["file"].removeprefix("source/")})


if __name__ == "__main__":
    main()
