"""Every change the workbench makes: coding decisions and anonymisation decisions.

Coding decisions go through :func:`pipeline.coding.human.apply_human_decisions`,
the writer ``qualpipe review import`` uses: the coder's
``data/coded/human/<coder>.csv`` is merged and replaced atomically, then the
store follows. Each coder writes only their own file, so one coder's decision
is never overwritten by another coder, and the machine never writes these
files at all.

Requests arrive on several threads (two coders in two browsers, or one coder
in two tabs). A toggle is sent as an *operation* ("code X on these segments:
on"), not as the page's idea of the whole decision, and applied to the
decision as stored, read and written under the study lock
(:func:`pipeline.store.study_lock`, which also keeps out a ``qualpipe``
command writing the same study): two tabs toggling different codes on one
segment both keep their change. A request waits at most
:data:`LOCK_WAIT_S` for another writer, then fails with a message; while the
workbench itself re-runs the study, coding is refused until it has finished.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping

from ..codebook import load_codebook
from ..coding.human import apply_human_decisions, check_coder_id, coder_decisions
from ..errors import QualpipeError
from ..settings import Study
from ..store import StudyStore, study_lock

LOCK_WAIT_S = 5.0


class CodingWriter:
    """One coder's decisions, written as ``review import`` writes them, one request at a time."""

    def __init__(self, study: Study, is_running: Callable[[], bool] = lambda: False):
        self.study = study
        self.is_running = is_running
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _writing(self):
        if self.is_running():
            raise QualpipeError("the study is being re-run from the workbench; coding waits until the run has "
                                "finished (see the page «Kjøring»)", self.study.root)
        with self._lock, study_lock(self.study.root, command="serve (koding)", wait=LOCK_WAIT_S):
            yield

    def toggle(self, coder: str, segment_ids: Iterable[str], code: str, on: bool,
               base: Mapping[str, Iterable[str]] | None = None) -> dict[str, list[str]]:
        """Give (``on``) or take away one code on segments; returns their decisions after.

        A segment this coder has not decided starts from ``base`` (the review
        queue passes the machine's suggestion) or from no code.
        """
        base = base or {}
        with self._writing():
            codebook, current, known = self._state(coder)
            ids = self._checked(segment_ids, known)
            if code not in codebook.ids:
                raise QualpipeError(f"unknown code '{code}' (codebook codes: {', '.join(codebook.ids)})",
                                    self.study.codebook_path)
            changed = {}
            for sid in ids:
                codes = set(current[sid]) if sid in current else set(base.get(sid, ()))
                codes = codes | {code} if on else codes - {code}
                changed[sid] = codes
            return self._write(coder, changed, codebook)

    def decide(self, coder: str, decisions: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
        """Record whole decisions (accept a suggestion, reject it, 'no code applies')."""
        with self._writing():
            codebook, _current, known = self._state(coder)
            ids = self._checked(decisions, known)
            changed = {sid: set(decisions[sid]) for sid in ids}
            unknown = sorted({c for codes in changed.values() for c in codes} - set(codebook.ids))
            if unknown:
                raise QualpipeError(f"unknown code '{unknown[0]}' (codebook codes: {', '.join(codebook.ids)})",
                                    self.study.codebook_path)
            return self._write(coder, changed, codebook)

    def _state(self, coder: str):
        check_coder_id(coder)
        codebook = load_codebook(self.study.codebook_path)
        with StudyStore(self.study.store_path) as store:
            current = coder_decisions(store, coder)
            known = {s.segment_id for s in store.segments(speaker="informant")}
        return codebook, current, known

    def _checked(self, segment_ids: Iterable[str], known: set[str]) -> list[str]:
        ids = list(dict.fromkeys(segment_ids))
        if not ids:
            raise QualpipeError("no segment given", self.study.store_path)
        for sid in ids:
            if sid not in known:
                raise QualpipeError(f"'{sid}' is not an informant segment of this study (only the informants' "
                                    "segments are coded)", self.study.store_path)
        return ids

    def _write(self, coder: str, changed: dict[str, set[str]], codebook) -> dict[str, list[str]]:
        order = {code: i for i, code in enumerate(codebook.ids)}
        with StudyStore(self.study.store_path) as store:
            apply_human_decisions(self.study, store, coder, changed, codebook.version, codebook.ids)
        return {sid: sorted(codes, key=order.__getitem__) for sid, codes in changed.items()}


def record_anonymisation_decision(study: Study, key: str, decision: str) -> str:
    """Keep or remove the detection named ``file:turn:start:end``; remembered for the next run."""
    from ..anonymise.review import record_decisions, review_rows

    if decision not in ("keep", "remove"):
        raise QualpipeError("a decision is 'keep' or 'remove'", study.private_dir)
    with study_lock(study.root, command="serve (anonymisering)", wait=LOCK_WAIT_S):
        for file, _segment, turn, start, end, kind, *_rest, original, _context, _known in review_rows(study):
            if f"{file}:{turn}:{start}:{end}" == key:
                record_decisions(study, [(kind, original, decision)])
                return decision
    raise QualpipeError("no such detection awaits review (was the anonymisation run again?)", study.private_dir)
