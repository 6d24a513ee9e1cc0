"""Where a ``qualpipe run --workers N`` spends its time: every task's start and end on its worker,
each stage's span and the client's CPU, in one run (run by hand).

    .venv/bin/python benchmarks/timeline.py [--scale 10] [--workers 2] [--json FILE] [--profile FILE]

On a fresh copy of the demo repeated ``--scale`` times (as benchmarks/run.py makes it) it runs the
whole pipeline on a LocalCluster of N processes and prints, per stage, its seconds, the client's CPU
seconds and how long each worker was busy in it; per task function, how many tasks ran, when the
first began and the last ended, their busy and CPU seconds; when each worker had loaded the pipeline;
each worker's gaps between tasks; and how many items the client computed itself while the workers
started. A worker idle inside a stage, or a stage where only the client works, is time the cluster
does not shorten. ``--profile FILE``: also a cProfile of the client's main thread (the study-wide
steps; its waits for the workers show as lock acquires), for ``python -m pstats FILE``; the profiler
slows the client, so the other figures of that run are not the run's own.

The workers write one line per task into a private temporary folder on this machine (a local
cluster only; the timing wraps ``parallel._call``, so the outputs are the run's own). Wall seconds
move with the machine's load: say the load (``uptime``) beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

_FOLDER = "QUALPIPE_TIMELINE_DIR"


def _timed_call(fn, parcel, *shared):
    """``parallel._call`` with the task's times written beside it (runs on the worker; a task of
    several items, ``Parcel.several``, is one line)."""
    start, cpu = time.time(), time.process_time()
    result = parcel.run(fn, shared)
    _write(fn.__name__, start, time.time(), time.process_time() - cpu)
    return result


def _timed_prepare(model: str) -> None:
    from pipeline.parallel import prepare_worker

    start, cpu = time.time(), time.process_time()
    prepare_worker(model)
    _write("prepare_worker", start, time.time(), time.process_time() - cpu)


def _write(name: str, start: float, end: float, cpu: float) -> None:
    folder = os.environ.get(_FOLDER)
    if folder:
        with open(os.path.join(folder, f"{os.getpid()}.jsonl"), "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"pid": os.getpid(), "fn": name, "t0": start, "t1": end, "cpu": cpu}) + "\n")


def timeline(root: Path, workers: int, folder: Path, profile: Path | None = None) -> dict:
    import pipeline.workflow as workflow
    from pipeline import parallel
    from pipeline.settings import load_study

    os.environ[_FOLDER] = str(folder)  # the local cluster's workers start with this environment
    parallel._call = _timed_call  # looked up when each task is submitted; pickled by value
    parallel.prepare_worker = _timed_prepare
    here = [0]
    made_here = parallel._Here.__init__

    def counted(self, result):
        here[0] += 1
        made_here(self, result)

    parallel._Here.__init__ = counted
    spans = []
    staged = workflow.stages

    def stages():
        timed = []
        for name, stage in staged():
            def run(study, track=None, stage=stage, name=name):
                start, cpu = time.time(), time.process_time()
                line = stage(study) if track is None else stage(study, track)
                spans.append({"stage": name, "t0": start, "t1": time.time(), "cpu": time.process_time() - cpu})
                return line
            timed.append((name, run))
        return timed

    workflow.stages = stages
    samples, stop = [], threading.Event()

    def sample() -> None:
        last = time.process_time()
        while not stop.wait(0.25):
            now = time.process_time()
            samples.append((time.time(), now - last))
            last = now

    threading.Thread(target=sample, daemon=True).start()
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.time()
    workflow.run_all(load_study(root), echo=lambda line: None, workers=workers)
    end = time.time()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    stop.set()
    tasks = [json.loads(line) for path in folder.glob("*.jsonl") for line in path.read_text().splitlines()]
    return {"start": start, "end": end, "stages": spans, "tasks": tasks, "client": samples, "here": here[0]}


def summary(data: dict) -> list[str]:
    origin = data["start"]
    tasks = sorted(data["tasks"], key=lambda t: t["t0"])
    pids = sorted({t["pid"] for t in tasks})
    lines = [f"whole run {data['end'] - origin:.1f} s; items the client computed itself while the workers "
             f"started: {data['here']}"]
    for t in tasks:
        if t["fn"] == "prepare_worker":
            lines.append(f"  worker {t['pid']} loaded the pipeline {t['t0'] - origin:.1f}-{t['t1'] - origin:.1f} s "
                         f"({t['cpu']:.1f} CPU s)")
    by_fn = defaultdict(list)
    for t in tasks:
        by_fn[t["fn"]].append(t)
    for fn, its in by_fn.items():
        if fn != "prepare_worker":
            lines.append(f"  {fn}: {len(its)} tasks, {min(t['t0'] for t in its) - origin:.1f}-"
                         f"{max(t['t1'] for t in its) - origin:.1f} s, busy {sum(t['t1'] - t['t0'] for t in its):.1f} s, "
                         f"CPU {sum(t['cpu'] for t in its):.1f} s, longest {max(t['t1'] - t['t0'] for t in its):.2f} s")
    for span in data["stages"]:
        a, b = span["t0"], span["t1"]
        busy = ", ".join(f"{sum(max(0.0, min(b, t['t1']) - max(a, t['t0'])) for t in tasks if t['pid'] == pid):.1f}"
                         for pid in pids)
        lines.append(f"  {span['stage']:<9} {a - origin:6.1f}-{b - origin:6.1f} s ({b - a:5.1f} s): client CPU "
                     f"{span['cpu']:5.1f} s; workers busy {busy} s")
    for pid in pids:
        its = [t for t in tasks if t["pid"] == pid and t["fn"] != "prepare_worker"]
        gaps = [f"{its[i]['t0'] - origin:.1f} s: {its[i]['t0'] - its[i - 1]['t1']:.2f}" for i in range(1, len(its))
                if its[i]["t0"] - its[i - 1]["t1"] > 0.3]
        lines.append(f"  worker {pid} idle between tasks (over 0.3 s): {', '.join(gaps) or 'never'}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write every task's times here")
    parser.add_argument("--profile", type=Path, help="also write a cProfile of the client's main thread here")
    args = parser.parse_args()
    from anonymise import demo_copy  # benchmarks/anonymise.py: the demo repeated with varied names

    with tempfile.TemporaryDirectory(prefix="qualpipe-bench-timeline-") as tmp:
        root = demo_copy(Path(tmp) / "study", args.scale)
        shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
        folder = Path(tmp) / "tasks"
        folder.mkdir()
        data = timeline(root, args.workers, folder, args.profile)
    if args.json:
        args.json.write_text(json.dumps(data), encoding="utf-8")
    print("\n".join(summary(data)))


if __name__ == "__main__":
    main()
