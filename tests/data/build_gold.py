"""Build the gold set from the marked-up sources: transcripts/ and gold/*.json.

Run from the repository root with the gold folder to build:
``.venv/bin/python tests/data/build_gold.py tests/data/anon_gold`` (or ``tests/data/anon_gold_blind``).

Each ``source/`` file is a transcript with identifiers marked ``[[text|TYPE]]``
and header lines ``#format:`` (txt, txt-cp1252, docx, srt, vtt) and ``#keep:``
(strings that must stay, separated by ';'). The builder writes the plain
transcript in that format, parses it with the pipeline's own reader, finds each
marked span in the parsed turn texts (in order) and writes the gold record:
``{"file", "spans": [{"turn", "start", "end", "type", "text"}], "keep"}``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipeline.ingest import parse_file  # noqa: E402
from pipeline.ingest.turns import LabelMatcher  # noqa: E402
from pipeline.settings import SpeakerLabels  # noqa: E402

MARK = re.compile(r"\[\[(.+?)\|([A-ZØÆÅ]+)\]\]")


def speaker_labels(folder: Path) -> SpeakerLabels:
    """The gold study's own labels (its study.yaml) where it declares them."""
    import yaml

    config = folder / "study.yaml"
    declared = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("speaker_labels") if config.exists() else None
    return SpeakerLabels(**declared) if declared else SpeakerLabels(informant=["IP", "Informant", "Ansatt"])


def build(folder: Path) -> None:
    out_dir = folder / "transcripts"
    gold_dir = folder / "gold"
    out_dir.mkdir(exist_ok=True)
    gold_dir.mkdir(exist_ok=True)
    matcher = LabelMatcher.from_settings(speaker_labels(folder))
    for source in sorted((folder / "source").iterdir()):
        lines = source.read_text(encoding="utf-8").splitlines()
        fmt = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("#format:"))
        keep = next((line.split(":", 1)[1] for line in lines if line.startswith("#keep:")), "")
        body = [line for line in lines if not line.startswith("#")]
        plain = [MARK.sub(lambda m: m.group(1), line) for line in body]
        # Lines before the first speaker label are a header the pipeline does not read (ingest says
        # so in a note): marks there can neither be replaced nor leak, so they are left out.
        first = next((i for i, line in enumerate(plain) if matcher.match(line)), 0)
        header_marks = [m.group(1) for line in body[:first] for m in MARK.finditer(line)]
        marks = [(m.group(1), m.group(2)) for line in body[first:] for m in MARK.finditer(line)]
        name = source.name.replace(".docx.txt", ".docx")
        target = out_dir / name
        if fmt == "docx":
            import docx

            document = docx.Document()
            for line in plain:
                if line.strip():
                    document.add_paragraph(line)
            import datetime

            document.core_properties.created = datetime.datetime(2024, 1, 1)
            document.save(target)
        else:
            encoding = "cp1252" if fmt == "txt-cp1252" else "utf-8"
            target.write_bytes(("\n".join(plain) + "\n").encode(encoding))
        turns = parse_file(target, matcher).turns
        spans, ti, pos = [], 0, 0
        for text, kind in marks:
            while ti < len(turns):
                found = re.search(r"(?<!\w)" + re.escape(text) + r"(?=s?(?!\w))", turns[ti].text[pos:])
                if found:
                    start = pos + found.start()
                    spans.append({"turn": ti, "start": start, "end": start + len(text), "type": kind, "text": text})
                    pos = start + len(text)
                    break
                ti, pos = ti + 1, 0
            else:
                raise SystemExit(f"{source.name}: marked span {text!r} not found in order")
        record = {"file": name, "spans": spans, "keep": [k.strip() for k in keep.split(";") if k.strip()]}
        (gold_dir / (name.rsplit(".", 1)[0] + ".json")).write_text(
            json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        skipped = f" ({len(header_marks)} marked in the unread header left out)" if header_marks else ""
        print(f"{name}: {len(turns)} turns, {len(spans)} gold spans{skipped}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_gold.py GOLD_FOLDER (holding source/)")
    build(Path(sys.argv[1]).resolve())
