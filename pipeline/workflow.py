"""``qualpipe run``: every stage, in order, raw transcripts to report.

Each stage is a function ``(study, track) -> str`` returning a one-line
summary. Stages are listed in the order data flows; each reads what the
previous one stored, so any stage can also be run alone from the CLI.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator

from . import parallel
from .anonymise.stage import anonymise_stage
from .coding.stage import code_stage
from .compare import compare_stage
from .ingest import ingest_study
from .progress import Track, no_progress
from .report.writers import report_stage
from .settings import Study
from .topics import topics_stage

Stage = Callable[[Study, Track], str]


def ingest_stage(study: Study, track: Track = no_progress) -> str:
    result = ingest_study(study, track)
    line = (f"{len(result.informants)} informanter; {len(result.segmented)} transkripsjoner segmentert, "
            f"{len(result.unchanged)} uendret")
    if result.removed:
        line += f", {len(result.removed)} fjernet"
    return "\n".join([line, *result.notes])


# The stages that hand work to the run's executor (pipeline/parallel.py): per transcript at ingest
# and anonymise, per figure at compare. After the last of them a cluster of --workers N closes in the
# background while the client runs the rest. The coding stage's reading of the segment Docs is made by
# the tasks that derive them, while the client checks and writes (coding.machine.read_while_deriving),
# and the topics stage's lemmas are read and its model fitted (it reads no code) from the end of
# anonymise on, while the client codes (_prefetch_after_anonymise); sent from inside their stages, the
# client waited for them (docs/scale.md).
EXECUTOR_STAGES = ("ingest", "anonymise", "compare")


def _prefetch_after_anonymise(study: Study, names: list[str]) -> None:
    """Work of later stages that the cluster's workers can start as soon as the anonymisation stage has
    stored its outputs, while this process runs the coding stage (they would otherwise wait for it): the
    lemmas and rule hits of every segment (``coding.machine.prefetch_analysis``), which the coding stage
    takes after it has read the human files and built its units, then the topics' fit (the topic words
    of each transcript, read from the derived segment Docs, and BERTopic's fit: ``topics.prefetch_topics``),
    which reads no code; the topics stage adds the codes."""
    from .coding.machine import prefetch_analysis
    from .topics import prefetch_topics

    if "code" in names:
        prefetch_analysis(study)
    if "topics" in names:
        prefetch_topics(study)


@contextlib.contextmanager
def _frozen_between_stages() -> Iterator[None]:
    """Objects frozen by :func:`_keep_out_of_collections` go back to the cyclic collector when the run
    ends (a process that runs again, the workbench's, would otherwise never collect their cycles)."""
    try:
        yield
    finally:
        gc.unfreeze()


def _keep_out_of_collections() -> None:
    """What is alive when a stage ends (the loaded pipeline and dictionaries, the key, the stores'
    caches) mostly lives until the run ends: frozen, the cyclic collector's full collections during
    the later stages do not walk it again each time (at x10 they walked 0.25-0.75 million objects, 0.15-0.4
    CPU s each, some 3 CPU s a run; docs/scale.md, eighteenth session). Not collected first: that
    full collection would cost what it saves."""
    gc.freeze()


def stages() -> list[tuple[str, Stage]]:
    """The stages of a full run, in order."""
    return [
        ("ingest", ingest_stage),
        ("anonymise", anonymise_stage),
        # coding reads the anonymised segments: the anonymise stage goes right before it.
        ("code", code_stage),
        # compare and topics belong after the anonymise and coding stages; those register
        # themselves before these lines as they land.
        ("compare", compare_stage),
        ("topics", topics_stage),
        # last: the report is built from everything the stages above stored.
        ("report", report_stage),
    ]


def run_all(study: Study, track: Track = no_progress, echo: Callable[[str], None] = print,
            workers: int = 1, scheduler: str | None = None) -> None:
    """Every stage in order; ``workers``/``scheduler``: per-transcript work on a Dask cluster
    (:mod:`pipeline.parallel`), with outputs identical to the in-process run."""
    # Check the codebook before any stage writes: a broken or missing codebook.yaml
    # must not leave a half-run study behind.
    from .codebook import load_codebook
    from .coding.human import check_human_files
    from .status import (nothing_to_do, older_codebook_decisions, record_run_inputs, store_run_warnings,
                         stored_run_warnings)
    from .store import fault_point

    codebook = load_codebook(study.codebook_path)
    # The human coding files too, as far as they can be checked before ingest knows the
    # segments: a bad file stops the run before any stage has written anything.
    check_human_files(study, codebook.ids)
    if nothing_to_do(study):
        # Outputs are a function of the inputs: the same inputs would write the same files.
        echo("[run] ingenting er endret siden forrige fullstendige kjøring (inndata og alle utdata kontrollert)")
        for line in stored_run_warnings(study):
            echo(f"[run] Advarsel: {line}")
        return
    # A cluster starts now, in the background: its workers load the pipeline while ingest reads the files.
    with parallel.using(workers, scheduler, model=study.settings.model) as executor, _frozen_between_stages():
        names = [name for name, _stage in stages()]
        if "code" in names:
            # The coding stage's reading of the segment Docs, by the tasks that derive them (end of anonymise).
            from .coding.machine import read_while_deriving

            read_while_deriving(study, codebook)
        last_distributed = max((names.index(n) for n in EXECUTOR_STAGES if n in names), default=-1)
        for index, (name, stage) in enumerate(stages()):
            fault_point(f"stage:{name}")  # a test hook: QUALPIPE_FAULT_POINT=stage:code kills the run here
            echo(f"[{name}] {stage(study, track)}")
            if name == "code":
                # Before the report, which repeats them.
                warnings = older_codebook_decisions(study)
                # Human decisions not found again: the code stage's summary said so; the report repeats it.
                from .coding.human import stored_unplaced_notes

                store_run_warnings(study, warnings + stored_unplaced_notes(study))
                for line in warnings:
                    echo(f"[{name}] Advarsel: {line}")
            if name == "anonymise":
                _prefetch_after_anonymise(study, names)
            if index == last_distributed:
                executor.close_soon()
            _keep_out_of_collections()
    # Only a complete run says what the outputs were made from (qualpipe status compares).
    record_run_inputs(study)
