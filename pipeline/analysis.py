"""The analysis input: what compare, topics and the report all start from, read one way.

:func:`load_analysis_input` reads the study store once: informants, the
anonymised informant segments, their effective codes
(:func:`pipeline.coding.effective.effective_codes`) and the codebook's codes.
Its :attr:`AnalysisInput.fingerprint` hashes exactly that content; each
analysis stage stores the fingerprint of the input it used beside its
results, so a later reader (the report) can tell whether those results still
describe the data (see :mod:`pipeline.results`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

from .records import Informant, Segment
from .settings import Study

NOTHING_YET = "hoppet over: ingen anonymiserte informantsegmenter ennå (kjør 'qualpipe run')"


@dataclass(frozen=True)
class AnalysisInput:
    """Informants, informant segments (anonymised), effective codes and code labels of one study."""

    informants: list[Informant]
    segments: list[Segment]  # informant segments only, in file and segment order
    codes: dict[str, frozenset[str]]  # segment id -> effective codes (segments without codes absent)
    codebook: dict[str, str]  # code id -> label, in codebook order

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of the content (not the history): same data, same fingerprint."""
        content = {
            "informants": [[i.id, i.file, i.group, sorted(i.attributes.items())] for i in self.informants],
            "segments": [[s.segment_id, s.informant_id, s.file, s.turn_index, s.start, s.end, s.text]
                         for s in self.segments],
            "codes": sorted([sid, sorted(codes)] for sid, codes in self.codes.items()),
            "codebook": list(self.codebook.items()),
        }
        return content_hash(content)


def content_hash(content: object) -> str:
    """sha256 of a JSON-able value in one canonical form."""
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def load_analysis_input(study: Study) -> AnalysisInput | None:
    """The study's analysis input; None where there is nothing to analyse yet.

    None (no store, or no anonymised informant segments) lets the stages say
    they skipped, so ``qualpipe run`` on a fresh study does not fail here.
    """
    from .coding.effective import effective_codes
    from .errors import QualpipeError
    from .store import StudyStore

    if not study.store_path.exists():
        return None
    with StudyStore(study.store_path) as store:
        if not store.has_segments(speaker="informant"):
            return None
        informants = store.informants()
        segments = store.segments(speaker="informant")
        codes = effective_codes(store, study.settings.coding.primary_coder)
        codebook = store.codes()
    if not codebook and study.codebook_path.exists():
        # The coding stage copies the codebook into the store; before it has run, read it here.
        from .codebook import load_codebook

        codebook = {c.id: c.label for c in load_codebook(study.codebook_path).codes}
    if not informants:
        raise QualpipeError("the study store has segments but no informants; run 'qualpipe ingest'",
                            study.store_path)
    segment_ids = {s.segment_id for s in segments}
    return AnalysisInput(informants=informants, segments=segments,
                         codes={sid: c for sid, c in codes.items() if sid in segment_ids}, codebook=codebook)
