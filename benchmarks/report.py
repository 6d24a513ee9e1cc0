"""Time the findings report on the demo study (run by hand, not in tests).

    .venv/bin/python benchmarks/report.py [--repeat 3]

Runs every stage before the report on a private copy of the demo study in a
temporary folder, then times the report's parts: building the data model
(with and without BERTopic), rendering HTML/Markdown/DOCX in memory, the leak
guard over every output, and writing. Prints seconds and sizes only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.anonymise.guard import require_guard  # noqa: E402
from pipeline.report.model import build_report  # noqa: E402
from pipeline.report.writers import figure_texts, render_report, report_files, write_report  # noqa: E402
from pipeline.settings import load_study  # noqa: E402
from pipeline.store import copy_study_inputs  # noqa: E402
from pipeline.workflow import stages  # noqa: E402


def timed(repeat: int, func):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_study_inputs(REPO, Path(tmp) / "demo")
        study = load_study(root)
        start = time.perf_counter()
        for name, stage in stages():
            if name != "report":
                stage(study)
        print(f"stages before the report: {time.perf_counter() - start:.1f} s (once)")

        seconds, report = timed(args.repeat, lambda: build_report(study))
        print(f"build_report with topics:    {seconds:6.2f} s")
        seconds, report = timed(args.repeat, lambda: build_report(study, with_topics=False))
        print(f"build_report without topics: {seconds:6.2f} s")
        seconds, rendered = timed(args.repeat, lambda: render_report(report))
        print(f"render HTML+MD+DOCX:         {seconds:6.2f} s")
        guard = require_guard(study)

        def check_all():
            for path, item in report_files(study, rendered).items():
                for text in (item.content,) if isinstance(item.content, str) else item.shown:
                    guard.check(text, path)
            for path, text in figure_texts(study, report).items():
                guard.check(text, path)

        seconds, _ = timed(args.repeat, check_all)
        print(f"leak guard, all outputs:     {seconds:6.2f} s")
        seconds, files = timed(args.repeat, lambda: write_report(study, report, guard=guard))
        print(f"render+guard+write:          {seconds:6.2f} s")
        sizes = {p.name: p.stat().st_size for p in (files.html, files.markdown, files.docx)}
        print("sizes (kB): " + ", ".join(f"{name} {size / 1024:.0f}" for name, size in sizes.items())
              + f"; {len(files.figures)} figures, {len(report.tables)} tables, {len(report.chapters)} chapters")


if __name__ == "__main__":
    main()
