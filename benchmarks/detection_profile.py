"""CPU seconds (and a cProfile) of the anonymise stage's per-transcript detection (run by hand).

    .venv/bin/python benchmarks/detection_profile.py prepare DIR [--scale 3]
    .venv/bin/python benchmarks/detection_profile.py detect DIR [--profile OUT.prof] [--top 30] [--repeat 2] [--by-recognizer]
    .venv/bin/python benchmarks/detection_profile.py stage DIR

``prepare`` writes the demo repeated ``--scale`` times (``anonymise.demo_copy``) to DIR and
ingests it once. ``detect`` runs ``analyzer.detect_job`` — what a worker of ``--workers N`` runs
per transcript: the recognizers over ingest's stored parse — over every transcript of DIR in
this process, as the stage builds its items (turn texts, model, stored parse), and prints the CPU
seconds (``time.process_time``) of each pass and the sha256 of the pickled detections (equal
hashes: equal detections, so a change to the detection code can be checked for identity). With
``--profile`` the last pass runs under cProfile: the top functions by tottime and by cumtime are
printed and the stats written to OUT.prof. The study's files are read, never written.
``stage`` copies DIR (ingested, not yet anonymised) to a temporary folder and runs the whole
``anonymise_study`` there in this process (no detection cache, no key), printing its CPU seconds
and the sha256 of every file it wrote under data/coded/.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import pickle
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def prepare(target: Path, scale: int) -> None:
    from anonymise import demo_copy

    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study

    ingest_study(load_study(demo_copy(target, scale)))


def _items(root: Path):
    """(registry, [(file, detect_job item)]) as ``anonymise_study`` builds them."""
    from pipeline.anonymise.sources import load_decisions
    from pipeline.anonymise.stage import Anonymiser, fresh_key
    from pipeline.settings import load_study
    from pipeline.store import PrivateStore

    study = load_study(root)
    anon = Anonymiser(study, fresh_key(study), load_decisions(study))
    with PrivateStore(study.private_store_path) as private:
        items = [(f, ([t.text for t in private.turns(f)], study.settings.model, private.parse(f)))
                 for f in private.files()]
    return anon.registry, items


def _by_recognizer(registry) -> dict[str, float]:
    """Each recognizer's ``analyze``/``analyze_transcript`` wrapped in a CPU-seconds accumulator."""
    spent: dict[str, float] = {}

    def timed(name, method):
        def run(*args, **kwargs):
            cpu = time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - cpu
        return run

    for r in registry:
        attr = "analyze_transcript" if r.reads_transcript else "analyze"
        setattr(r, attr, timed(r.name, getattr(r, attr)))
    return spent


def detect(root: Path, profile: Path | None, top: int, repeat: int, by_recognizer: bool) -> None:
    from pipeline.anonymise.analyzer import detect_job
    from pipeline.nlp import load_nlp

    registry, items = _items(root)
    spent = _by_recognizer(registry) if by_recognizer else None
    load_nlp(items[0][1][1])  # loaded before the timing, as a worker has it loaded
    print(f"{len(items)} transcripts, {sum(len(i[0]) for _f, i in items)} turns")
    for n in range(repeat):
        profiler = cProfile.Profile() if profile is not None and n == repeat - 1 else None
        cpu = time.process_time()
        if profiler is not None:
            profiler.enable()
        found = [detect_job(item, registry) for _f, item in items]
        if profiler is not None:
            profiler.disable()
        cpu = time.process_time() - cpu
        digest = hashlib.sha256(pickle.dumps(found, protocol=4)).hexdigest()[:16]
        print(f"pass {n + 1}: {cpu:.2f} CPU s{' (profiled)' if profiler else ''}, detections sha256 {digest}")
    if spent is not None:
        print(f"CPU s by recognizer, all {repeat} passes together:")
        for name, cpu in sorted(spent.items(), key=lambda x: -x[1]):
            print(f"  {name:24s} {cpu:7.2f}")
    if profile is not None:
        profiler.dump_stats(profile)
        for order in ("tottime", "cumtime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
            print(out.getvalue())


def stage(root: Path) -> None:
    import shutil
    import tempfile

    from pipeline.anonymise.stage import anonymise_study
    from pipeline.nlp import load_nlp
    from pipeline.settings import load_study

    with tempfile.TemporaryDirectory(prefix="qualpipe-stage-") as tmp:
        shutil.copytree(root, Path(tmp) / "study")
        study = load_study(Path(tmp) / "study")
        load_nlp(study.settings.model)  # loaded before the timing, as detection's workers have it
        cpu = time.process_time()
        anonymise_study(study)
        cpu = time.process_time() - cpu
        print(f"anonymise_study: {cpu:.2f} CPU s")
        for path in sorted(study.coded_dir.rglob("*")):
            if path.is_file():
                print(f"  {path.relative_to(study.coded_dir)} sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:16]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("dir", type=Path)
    p.add_argument("--scale", type=int, default=3)
    d = sub.add_parser("detect")
    d.add_argument("dir", type=Path)
    d.add_argument("--profile", type=Path)
    d.add_argument("--top", type=int, default=30)
    d.add_argument("--repeat", type=int, default=2)
    d.add_argument("--by-recognizer", action="store_true", help="CPU seconds per recognizer (adds a wrapper's cost)")
    sub.add_parser("stage").add_argument("dir", type=Path)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.dir, args.scale)
    elif args.command == "stage":
        stage(args.dir)
    else:
        detect(args.dir, args.profile, args.top, args.repeat, args.by_recognizer)


if __name__ == "__main__":
    main()
