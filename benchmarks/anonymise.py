"""Speed and memory of the anonymisation stage against a bare ``nlp.pipe`` with the same model.

Run by hand:  .venv/bin/python benchmarks/anonymise.py [--scale 100] [--skip-bare] [--no-trace]

For each corpus (the demo study, and the demo repeated ``--scale`` times with
the names varied per copy) it ingests a fresh copy, then measures in one run:

* words/s of ``anonymise_study`` from scratch (no cache, no key: detection,
  key building, replacement, guard, writes), wall clock and CPU time,
* words/s of ``nlp.pipe`` over the same turn texts with the same pipeline, all
  its components (as loaded), and with only those the stage runs (the
  lemmatizer off),
* their ratios (the machine may be shared: compare the CPU-time ratio too),
* the process's peak RSS before and after the stage, and (unless
  ``--no-trace``) the stage's peak Python memory from a second from-scratch run
  on a fresh copy under tracemalloc. Tracing slows Python code several-fold,
  so that run is never the timed one.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.anonymise.gazetteer import load_gazetteer  # noqa: E402
from pipeline.anonymise.stage import anonymise_study  # noqa: E402
from pipeline.ingest import ingest_study  # noqa: E402
from pipeline.ingest.readers import decode_text  # noqa: E402
from pipeline.nlp import load_nlp  # noqa: E402
from pipeline.settings import load_study  # noqa: E402
from pipeline.store import PrivateStore  # noqa: E402


def demo_copy(target: Path, scale: int, with_coding: bool = False) -> Path:
    """The demo study (transcripts that exist), repeated ``scale`` times with varied names.

    With ``with_coding``, each copy also gets the demo's human coding
    (data/coded/human/*.csv) on its own segments: see :func:`copy_coding`.
    """
    target.mkdir(parents=True)
    shutil.copy(REPO / "study.yaml", target / "study.yaml")
    src = REPO / "data" / "raw"
    folder = target / "data" / "raw" / "transcripts"
    folder.mkdir(parents=True)
    rows = list(csv.DictReader((src / "informants.csv").open(encoding="utf-8")))
    rows = [r for r in rows if (src / "transcripts" / r["file"]).exists()]
    g = load_gazetteer()
    first = sorted(n.capitalize() for n in g.male | g.female if len(n) > 3 and not g.is_common_word(n))
    name_word = re.compile(r"\b[A-ZÆØÅ][a-zæøå]{3,}\b")
    out_rows = []
    for copy in range(scale):
        rng = random.Random(copy)
        swap = {}
        for row in rows:
            path = src / "transcripts" / row["file"]
            stem, suffix = row["file"].rsplit(".", 1)
            name = f"{stem}_{copy:03d}.{suffix}" if scale > 1 else row["file"]
            if copy == 0 or suffix != "txt":
                shutil.copy(path, folder / name)  # binary formats: copied as they are
            else:
                # Decoded as ingest decodes it (a cp1252 transcript stays readable), written as UTF-8.
                text = decode_text(path, path.read_bytes())[0]

                def vary(m):
                    word = m.group()
                    if g.is_first(word):
                        swap.setdefault(word, rng.choice(first))
                        return swap[word]
                    return word

                (folder / name).write_text(name_word.sub(vary, text), encoding="utf-8")
            informant = dict(row, id=f"{row['id']}_{copy}" if scale > 1 else row["id"], file=name)
            if informant.get("name"):
                informant["name"] = " ".join(swap.get(w, w) for w in informant["name"].split())
            out_rows.append(informant)
    with (target / "data" / "raw" / "informants.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(out_rows)
    if with_coding:
        copy_coding(target, rows, scale)
    return target


def copy_coding(target: Path, demo_rows: list[dict], scale: int) -> dict[str, dict[str, int]]:
    """Give every copy in ``target`` the demo's human coding, re-anchored to the copy's segments.

    The copies' segments (and so their keyed ids and anchors) exist only once
    the copy is ingested, so a scratch twin of ``target`` is ingested and
    thrown away: ``target`` keeps an empty store and the timed run still
    starts from scratch. Copy 0 holds the demo's text unchanged, so the demo's
    rows are placed on it by the project's own reader (anchor first, then id:
    :func:`~pipeline.coding.human.read_human_rows`). Copy c > 0 has other
    names, so other offsets: a segment of copy 0 maps to the segment at the
    same place (turn, position among the turn's informant segments) in copy c,
    where that turn has as many informant segments; a turn the copy splits
    otherwise is left uncoded and counted. The rows are written by
    :func:`~pipeline.coding.human.write_human_file` with the copy's anchors
    (:class:`~pipeline.coding.human.SegmentAnchors`). Returns, per coder, the
    demo's placed rows, rows written and segments left out; raises when a demo
    row places nowhere, so a copy never silently carries less coding.
    """
    from pipeline.anonymise.guard import require_guard
    from pipeline.codebook import load_codebook
    from pipeline.coding.human import SegmentAnchors, read_human_rows, write_human_file

    human = REPO / "data" / "coded" / "human"
    shutil.copy(REPO / "codebook.yaml", target / "codebook.yaml")
    scratch = target.parent / f"{target.name}-coding"
    shutil.copytree(target, scratch)
    try:
        study = load_study(scratch)
        ingest_study(study)
        anchors = SegmentAnchors.load(study)
        with PrivateStore(study.private_store_path) as private:
            segments = [s for s in private.segments() if s.speaker == "informant"]
        # (file, turn) -> that turn's informant segment ids in order
        by_turn: dict[tuple[str, int], list[str]] = {}
        place: dict[str, tuple[str, int, int]] = {}  # segment id -> (file, turn, position)
        for s in segments:
            ids = by_turn.setdefault((s.file, s.turn_index), [])
            place[s.segment_id] = (s.file, s.turn_index, len(ids))
            ids.append(s.segment_id)
        code_ids = set(load_codebook(REPO / "codebook.yaml").ids)
        first_id = {row["id"]: f"{row['id']}_0" if scale > 1 else row["id"] for row in demo_rows}
        guard = require_guard(study)
        counts = {}
        (target / "data" / "coded" / "human").mkdir(parents=True, exist_ok=True)
        study.human_dir.mkdir(parents=True, exist_ok=True)
        for path in sorted(human.glob("*.csv")):
            # the demo's anchors name the demo's transcripts: renamed to copy 0's shareable names
            lines = list(csv.DictReader(path.open(encoding="utf-8")))
            for line in lines:
                if line.get("file"):
                    informant, dot, suffix = line["file"].rpartition(".")
                    line["file"] = f"{first_id.get(informant, informant)}{dot}{suffix}"
            renamed = scratch / "renamed" / path.name
            renamed.parent.mkdir(exist_ok=True)
            with renamed.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
                writer.writeheader()
                writer.writerows(lines)
            read = read_human_rows(renamed, set(place), code_ids, anchors)
            if read.unplaced:
                raise SystemExit(f"{path.name}: {len(read.unplaced)} demo rows place on no segment of copy 0")
            decisions, skipped = {}, 0
            for segment_id, decision in read.decisions.items():
                file, turn, position = place[segment_id]
                stem, suffix = file.rsplit(".", 1)
                stem = stem[:-4] if scale > 1 else stem  # copy 0's "_000"
                reference = by_turn[(file, turn)]
                for c in range(scale):
                    name = f"{stem}_{c:03d}.{suffix}" if scale > 1 else file
                    ids = by_turn.get((name, turn), [])
                    if len(ids) == len(reference):
                        decisions[ids[position]] = decision
                    else:
                        skipped += 1
            written = study.human_dir / path.name  # written inside the study the guard belongs to
            write_human_file(study, written, decisions, guard, anchors=anchors)
            shutil.copy(written, target / "data" / "coded" / "human" / path.name)
            counts[path.stem] = {"demo": len(read.decisions), "written": len(decisions), "skipped": skipped}
        return counts
    finally:
        shutil.rmtree(scratch)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(run) -> tuple[float, float]:
    """(wall s, CPU s of this process) of ``run()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(scale: int, bare: bool, trace: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="qualpipe-bench-") as tmp:
        study = load_study(demo_copy(Path(tmp) / "study", scale))
        ingest_study(study)
        with PrivateStore(study.private_store_path) as private:
            texts = [t.text for f in private.files() for t in private.turns(f)]
        words = sum(len(t.split()) for t in texts)
        nlp = load_nlp(study.settings.model)
        nlp("Oppvarming.")
        rss_before = _rss_mib()
        result = []
        stage_s, stage_cpu = _timed(lambda: result.append(anonymise_study(study)))
        rss_after = _rss_mib()
        rerun_s, _ = _timed(lambda: anonymise_study(study))
        print(f"corpus ×{scale}: {len(result[0].files)} transcripts, {len(texts)} turns, {words} words, "
              f"{result[0].entities} key entities")
        print(f"  stage from scratch: {stage_s:.1f} s = {words / stage_s:,.0f} words/s (CPU {stage_cpu:.1f} s); "
              f"re-run (all cached, unchanged) {rerun_s:.1f} s")
        print(f"  process peak RSS: {rss_before:.0f} MiB before the stage (ingest, model), "
              f"{rss_after:.0f} MiB after it")
        if bare:
            lemma = [n for n in nlp.pipe_names if "lemmatizer" in n]
            for label, disable in ((f"all components {nlp.pipe_names}", []),
                                   (f"the stage's components (without {lemma})", lemma)):
                def run(disable=disable):
                    with nlp.select_pipes(disable=disable):
                        for _doc in nlp.pipe(texts, batch_size=32):
                            pass
                bare_s, bare_cpu = _timed(run)
                print(f"  bare nlp.pipe ({study.settings.model}), {label}: {bare_s:.1f} s = "
                      f"{words / bare_s:,.0f} words/s (CPU {bare_cpu:.1f} s); stage takes {stage_s / bare_s:.2f}× "
                      f"as long (CPU {stage_cpu / bare_cpu:.2f}×)")
        if trace:
            study2 = load_study(demo_copy(Path(tmp) / "traced", scale))
            ingest_study(study2)
            tracemalloc.start()
            traced_s, _ = _timed(lambda: anonymise_study(study2))
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"  stage's peak Python memory (tracemalloc, second from-scratch run on a fresh copy, "
                  f"{traced_s:.1f} s traced): {peak / 2**20:.0f} MiB")
        print(f"  process peak RSS at the end: {_rss_mib():.0f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="size of the large corpus (× the demo)")
    parser.add_argument("--skip-bare", action="store_true", help="do not time the bare nlp.pipe")
    parser.add_argument("--only-large", action="store_true")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run (peak Python memory)")
    args = parser.parse_args()
    if not args.only_large:
        measure(1, not args.skip_bare, not args.no_trace)
    if args.scale > 1:
        measure(args.scale, not args.skip_bare, not args.no_trace)


if __name__ == "__main__":
    main()
