"""Does ``qualpipe run --workers N`` write the same files as the in-process run? (run by hand)

    .venv/bin/python benchmarks/workers_match.py --workers 4 [--study DIR] [--scale K]

Copies the study's inputs twice (the demo by default, or ``--study DIR``; ``--scale K``: the demo
repeated K times, as benchmarks/run.py does), with the same study secret, runs the whole pipeline
once in this process and once on a LocalCluster of N worker processes, and compares every file
under data/coded/ and reports/ (not the SQLite store, whose rows carry the time they were
written). Prints the seconds of each run and the files that differ; exits 1 if any does.
tests/test_parallel.py checks the same with 2 processes on the second worked study.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def _outputs(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for folder in ("data/coded", "reports")
            for p in sorted((root / folder).rglob("*")) if p.is_file() and p.suffix != ".sqlite"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--study", type=Path, help="a study folder (default: the demo)")
    parser.add_argument("--scale", type=int, default=1, help="the demo repeated this many times")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1560000000")  # the report's generated-at line

    from pipeline.settings import load_study
    from pipeline.store import copy_study_inputs
    from pipeline.workflow import run_all

    with tempfile.TemporaryDirectory(prefix="qualpipe-workers-") as tmp:
        if args.study is None and args.scale > 1:
            from anonymise import demo_copy

            source = demo_copy(Path(tmp) / "source", args.scale)
            shutil.copy(REPO / "codebook.yaml", source / "codebook.yaml")
        else:
            source = args.study or REPO
        private = source / "data" / "private"
        outputs, seconds = [], []
        for name, workers in (("one", 1), ("many", args.workers)):
            root = copy_study_inputs(source, Path(tmp) / name)
            (root / "data" / "private").mkdir(parents=True, exist_ok=True)
            # the same study: its secret, decisions and known identifiers where it has them
            for file in ("study_secret.json", "anonymisation_decisions.json", "known_identifiers.txt"):
                if (private / file).exists():
                    shutil.copy(private / file, root / "data" / "private" / file)
            if name == "many" and (Path(tmp) / "one" / "data" / "private" / "study_secret.json").exists():
                shutil.copy(Path(tmp) / "one" / "data" / "private" / "study_secret.json",
                            root / "data" / "private" / "study_secret.json")
            start = time.perf_counter()
            run_all(load_study(root), echo=lambda line: None, workers=workers)
            seconds.append(time.perf_counter() - start)
            outputs.append(_outputs(root))
        one, many = outputs
        differ = sorted(n for n in set(one) | set(many) if one.get(n) != many.get(n))
        print(f"in-process: {seconds[0]:.1f} s; --workers {args.workers}: {seconds[1]:.1f} s; "
              f"{len(one)} files compared; differing: {differ or 'none'}")
        return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
