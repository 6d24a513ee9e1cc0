"""A whole ``qualpipe run`` against a bare ``nlp.pipe`` over the same turns, in one run.

Run by hand:  .venv/bin/python benchmarks/run.py [--scale 10] [--workers N] [--incremental] [--with-coding]

On a fresh copy of the demo study repeated ``--scale`` times (names varied per
copy, as benchmarks/anonymise.py does) it measures, each in a fresh child
process so that peak RSS is the run's own:

* the full run from an empty store: seconds per stage, words/s, peak RSS;
* bare ``nlp.pipe`` with the same model over the same turn texts (all of the
  pipeline's components), words/s; the ratio run ÷ bare is the share of the
  single-process limit the pipeline reaches;
* with ``--incremental``: a no-op re-run, a run after one new transcript
  nobody has coded yet, (where the held-back transcript had human coding) a
  run after its coding is added, and a run after one more new interview that no
  other interview names (the held-back one under other names), each as a share
  of the full run;
* with ``--with-coding``: every copy carries the demo's human coding on its own
  segments (benchmarks/anonymise.py ``copy_coding``), so the code stage trains
  and fits its held-out folds on ×scale examples; without it only ×1 has human
  coding and a larger copy measures rules and prediction only (the default, so
  that earlier figures stay comparable). The code stage's summary line is printed;
* with ``--workers N`` (N > 1): the same full run with ``qualpipe run --workers N``
  when this version has it, and its speed-up against one worker.

The machine may be shared: compare the ratios, which come from the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def child_run(root: Path, workers: int) -> None:
    """In a fresh process: every stage of ``qualpipe run``, timed; prints one JSON line."""
    from pipeline.settings import load_study
    from pipeline.workflow import run_all, stages

    import pipeline.workflow as workflow

    from pipeline import parallel

    times: dict[str, float] = {}
    cpu: dict[str, list[float]] = {}  # stage -> [client CPU s, workers' CPU s]
    timed = []
    for name, stage in stages():
        def run(study, track=None, stage=stage, name=name):
            start, client_start = time.perf_counter(), time.process_time()
            workers_start = _workers_cpu()
            line = stage(study) if track is None else stage(study, track)
            times[name] = times.get(name, 0.0) + time.perf_counter() - start
            cpu[name] = [time.process_time() - client_start, _workers_cpu() - workers_start]
            return line
        timed.append((name, run))
    workflow.stages = lambda: timed

    def _workers_cpu() -> float:
        """CPU seconds the cluster's worker processes have used so far (0 in-process or once it closes)."""
        executor = parallel.current()
        if getattr(executor, "_closing", True) is not None:
            return 0.0
        client = executor.client  # None while the cluster is still starting: its start counts in the first stage
        return sum(client.run(_process_cpu).values()) if client is not None else 0.0

    start = time.perf_counter()
    kwargs = {"workers": workers} if workers > 1 else {}
    lines: list[str] = []
    run_all(load_study(root), echo=lines.append, **kwargs)
    total = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    code = [line for line in lines if line.startswith("[code]")]
    print(json.dumps({"total": total, "stages": times, "cpu": cpu, "rss_mib": rss, "code": code}))


def _process_cpu() -> float:
    import time

    return time.process_time()


def child_bare(root: Path) -> None:
    """In a fresh process: bare nlp.pipe over the turns of the (already ingested) study."""
    from pipeline.nlp import load_nlp
    from pipeline.settings import load_study
    from pipeline.store import PrivateStore

    study = load_study(root)
    with PrivateStore(study.private_store_path) as private:
        texts = [t.text for f in private.files() for t in private.turns(f)]
    nlp = load_nlp(study.settings.model)
    nlp("Oppvarming.")
    start = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=32):
        pass
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "words": sum(len(t.split()) for t in texts), "turns": len(texts),
                      "pipes": nlp.pipe_names}))


def _child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"child {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _stages(result: dict) -> str:
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in result["stages"].items())


def _cpu_share(result: dict, full: dict) -> str:
    """The run's CPU seconds (client + workers, every stage) as a share of the full run's."""
    total = lambda r: sum(c + w for c, w in r["cpu"].values())  # noqa: E731
    return f"{total(result) / total(full):.2f}" if total(full) else "n/a"


def _cpu(result: dict) -> str:
    """CPU seconds per stage, the client's + the workers' (less affected by a busy machine than wall time)."""
    return ", ".join(f"{name} {c:.1f}" + (f" + {w:.1f}" if w else "") for name, (c, w) in result["cpu"].items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--incremental", action="store_true", help="also a no-op re-run and one new transcript")
    parser.add_argument("--with-coding", action="store_true",
                        help="give every copy the demo's human coding (default: only at --scale 1)")
    parser.add_argument("--child", choices=["run", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "run":
        return child_run(args.root, args.workers)
    if args.child == "bare":
        return child_bare(args.root)

    from anonymise import demo_copy  # benchmarks/anonymise.py: the demo repeated with varied names

    with tempfile.TemporaryDirectory(prefix="qualpipe-bench-run-") as tmp:
        root = demo_copy(Path(tmp) / "study", args.scale, with_coding=args.with_coding and args.scale > 1)
        shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
        if args.scale == 1 and (REPO / "data" / "coded" / "human").is_dir():
            shutil.copytree(REPO / "data" / "coded" / "human", root / "data" / "coded" / "human")
        coding_rows = {path.stem: len(path.read_text(encoding="utf-8").splitlines()) - 1
                 for path in sorted((root / "data" / "coded" / "human").glob("*.csv"))}
        held_back = None
        if args.incremental:
            # one transcript is left out of the full run and added afterwards
            import csv

            table = root / "data" / "raw" / "informants.csv"
            rows = list(csv.DictReader(table.open(encoding="utf-8")))
            held_back = rows[-1]
            shutil.move(root / "data" / "raw" / "transcripts" / held_back["file"], Path(tmp) / held_back["file"])
            with table.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows[:-1])
            # its human coding is held back too (the anchor's file column holds the shareable name) and
            # comes back in a later run: a new interview arrives uncoded, its coding comes later
            from pipeline.ingest.informants import shareable_file_name

            shared_name = shareable_file_name(held_back["id"], held_back["file"])
            human_rows = {}
            for path in sorted((root / "data" / "coded" / "human").glob("*.csv")):
                lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
                header = lines[0].rstrip("\n").split(",")
                column = header.index("file") if "file" in header else None
                keep = [l for l in lines[1:] if column is None or l.split(",")[column] != shared_name]
                human_rows[path] = lines
                path.write_text("".join(lines[:1] + keep), encoding="utf-8")
        full = _child("--child", "run", "--root", str(root))
        bare = _child("--child", "bare", "--root", str(root))
        words = bare["words"]
        print(f"corpus ×{args.scale}: {bare['turns']} turns, {words:,} words; model pipes {bare['pipes']}")
        print(f"  qualpipe run (fresh store): {full['total']:.1f} s = {words / full['total']:,.0f} words/s; "
              f"peak RSS {full['rss_mib']:.0f} MiB; stages (s): {_stages(full)}")
        print(f"    CPU s: {_cpu(full)}")
        print(f"  bare nlp.pipe, same model and turns: {bare['seconds']:.1f} s = {words / bare['seconds']:,.0f} words/s")
        print(f"  ratio (run throughput / bare throughput): {bare['seconds'] / full['total']:.2f}")
        print(f"  human coding rows in the copy: {coding_rows or 'none'}; code stage: {' | '.join(full['code'])}")
        if args.incremental:
            noop = _child("--child", "run", "--root", str(root))
            print(f"  no-op re-run: {noop['total']:.1f} s = {noop['total'] / full['total']:.2f} of the full run; "
                  f"stages (s): {_stages(noop)}")
            import csv

            shutil.move(Path(tmp) / held_back["file"], root / "data" / "raw" / "transcripts" / held_back["file"])
            with (root / "data" / "raw" / "informants.csv").open("a", encoding="utf-8", newline="") as handle:
                csv.DictWriter(handle, fieldnames=list(held_back)).writerow(held_back)
            one = _child("--child", "run", "--root", str(root))
            print(f"  one new transcript (not yet coded): {one['total']:.1f} s = {one['total'] / full['total']:.2f} "
                  f"of the full run; stages (s): {_stages(one)}")
            reuse = [line for c in one["code"] for line in c.splitlines() if "modell" in line or "holdt-ut" in line]
            print(f"    CPU s: {_cpu(one)} = {_cpu_share(one, full)} of the full run's; code stage: {' | '.join(reuse)}")
            if any(len(lines) != len(path.read_text(encoding="utf-8").splitlines()) for path, lines in
                   human_rows.items()):
                for path, lines in human_rows.items():
                    path.write_text("".join(lines), encoding="utf-8")
                coded = _child("--child", "run", "--root", str(root))
                print(f"  then its human coding added (retrain + held-out refit): {coded['total']:.1f} s = "
                      f"{coded['total'] / full['total']:.2f} of the full run; stages (s): {_stages(coded)}")
                print(f"    CPU s: {_cpu(coded)} = {_cpu_share(coded, full)} of the full run's")
            # Every demo informant is named in other interviews: when the held-back one joins, those
            # names become its informant label there, decided segments change and the model must be
            # retrained. A new interview nobody else names: the held-back one again under other names.
            if held_back["file"].endswith(".txt"):
                unnamed = _unnamed_copy(root, held_back)
                other = _child("--child", "run", "--root", str(root))
                print(f"  one new interview no other interview names ({unnamed}, not coded): {other['total']:.1f} s"
                      f" = {other['total'] / full['total']:.2f} of the full run; stages (s): {_stages(other)}")
                print(f"    CPU s: {_cpu(other)} = {_cpu_share(other, full)} of the full run's")
        if args.workers > 1:
            shutil.rmtree(root / "data" / "private")
            shutil.rmtree(root / "data" / "coded" / "study.sqlite", ignore_errors=True)
            (root / "data" / "coded" / "study.sqlite").unlink(missing_ok=True)
            many = _child("--child", "run", "--root", str(root), "--workers", str(args.workers))
            print(f"  --workers {args.workers}: {many['total']:.1f} s; speed-up against --workers 1: "
                  f"{full['total'] / many['total']:.2f}×; stages (s): {_stages(many)}")
            print(f"    CPU s (client + workers): {_cpu(many)}")


def _unnamed_copy(root: Path, row: dict) -> str:
    """A copy of ``row``'s transcript as a new informant's, its informant's name words replaced."""
    import csv

    from pipeline.ingest.readers import decode_text

    source = root / "data" / "raw" / "transcripts" / row["file"]
    text = decode_text(source, source.read_bytes())[0]
    fake = ["Torvald", "Fjeldhaug", "Sigvart", "Bråtebekken"]
    words = row.get("name", "").split()
    for word, new in zip(words, fake):
        text = text.replace(word, new)
    name = f"ny_{Path(row['file']).stem}.txt"
    (root / "data" / "raw" / "transcripts" / name).write_text(text, encoding="utf-8")
    new_row = dict(row, id=f"{row['id']}N", file=name, name=" ".join(fake[:len(words)]))
    with (root / "data" / "raw" / "informants.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(row)).writerow(new_row)
    return name


if __name__ == "__main__":
    main()
