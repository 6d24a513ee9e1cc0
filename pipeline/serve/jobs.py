"""Work too slow for a request: re-running the study, preparing the review queue.

One background thread at a time per workbench. A run executes
:func:`pipeline.workflow.run_all` under the study lock, exactly as ``qualpipe
run`` does; its
``track`` and ``echo`` hooks feed the progress the page polls. The review
queue is :func:`pipeline.coding.review.review_table` (the same rows as
``qualpipe review export --all``), computed once per state of the machine's
suggestions and kept until the next run.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from ..anonymise.guard import shareable_message
from ..errors import QualpipeError
from ..settings import Study
from ..store import study_lock


@dataclass
class RunProgress:
    running: bool = False
    started: float | None = None
    finished: float | None = None
    stages: list[str] = field(default_factory=list)
    done: list[tuple[str, str]] = field(default_factory=list)  # (stage, its summary)
    step: str = ""  # what the current stage reports doing
    step_done: int = 0
    step_total: int = 0
    error: str = ""

    def as_json(self) -> dict:
        current = self.stages[len(self.done)] if self.running and len(self.done) < len(self.stages) else ""
        end = self.finished or time.monotonic()
        return {"running": self.running, "stages": self.stages, "done": [list(d) for d in self.done],
                "current": current, "step": self.step, "step_done": self.step_done, "step_total": self.step_total,
                "error": self.error, "seconds": round(end - self.started, 1) if self.started else None,
                "finished": self.finished is not None and not self.error}


class Jobs:
    """The workbench's one background worker."""

    def __init__(self, study: Study, on_run_finished: Callable[[], None] = lambda: None):
        self.study = study
        self.on_run_finished = on_run_finished
        self.run = RunProgress()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._queue_key: tuple | None = None
        self._queue_table: tuple[list[str], list[list[str]]] | None = None
        self._queue_error = ""
        self._queue_preparing = False

    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ---- re-run
    def start_run(self) -> bool:
        """Start ``qualpipe run`` in the background; False when something is already running."""
        from ..workflow import stages

        with self._lock:
            if self.busy():
                return False
            self.run = RunProgress(running=True, started=time.monotonic(), stages=[name for name, _ in stages()])
            self._thread = threading.Thread(target=self._run, name="qualpipe-run", daemon=True)
            self._thread.start()
            return True

    def _run(self) -> None:
        from ..workflow import run_all

        progress = self.run

        def track(items, description: str = "", total: int | None = None):
            items = list(items)
            progress.step, progress.step_done = description, 0
            progress.step_total = len(items) if total is None else total
            for item in items:
                yield item
                progress.step_done += 1

        def echo(line: str) -> None:
            name, _, summary = line.partition("] ")
            progress.done.append((name.lstrip("["), summary))
            progress.step, progress.step_done, progress.step_total = "", 0, 0

        def waiting(line: str) -> None:
            progress.step = "venter på en annen qualpipe-kommando som skriver i studien"

        try:
            # Under the study lock, as `qualpipe run` is: no other command writes meanwhile.
            with study_lock(self.study.root, command="serve (kjøring)", notify=waiting):
                run_all(self.study, track=track, echo=echo)
        except QualpipeError as error:
            # As on the command line: shareable names, no identifier (the page is guarded too).
            progress.error = shareable_message(self.study.root, str(error))
        except Exception as error:  # shown on the page; the traceback goes to the terminal only
            traceback.print_exc()
            progress.error = f"uventet feil ({type(error).__name__}); se terminalen der qualpipe serve kjører"
        finally:
            progress.running = False
            progress.finished = time.monotonic()
            self._queue_key = None
            self.on_run_finished()

    # ---- review queue
    def queue(self) -> tuple[tuple[list[str], list[list[str]]] | None, bool, str]:
        """(table or None, still preparing, error): starts preparing it when it is missing or old."""
        key = self._machine_state_key()
        with self._lock:
            if key == self._queue_key and (self._queue_table is not None or self._queue_error):
                return self._queue_table, False, self._queue_error
            if self._queue_preparing or self.busy():
                return None, True, ""
            self._queue_preparing = True
            self._thread = threading.Thread(target=self._prepare_queue, args=(key,), name="qualpipe-queue",
                                            daemon=True)
            self._thread.start()
            return None, True, ""

    def _prepare_queue(self, key: tuple) -> None:
        from ..coding.review import review_table

        table, error = None, ""
        try:
            table = review_table(self.study, include_decided=True)
        except QualpipeError as exc:
            error = shareable_message(self.study.root, str(exc))
        except Exception as exc:
            traceback.print_exc()
            error = f"uventet feil ({type(exc).__name__}); se terminalen der qualpipe serve kjører"
        with self._lock:
            self._queue_key, self._queue_table, self._queue_error = key, table, error
            self._queue_preparing = False

    def _machine_state_key(self) -> tuple:
        """Changes when a run stores new suggestions or the codebook changes."""
        def stamp(path):
            return path.stat().st_mtime_ns if path.exists() else None

        return (stamp(self.study.coded_dir / "codings.csv"), stamp(self.study.codebook_path))
