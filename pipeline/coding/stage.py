"""The coding stage: human files in, machine suggestions out.

1. Load and validate ``codebook.yaml``; store the codes.
2. Re-import every ``data/coded/human/<coder>.csv`` (the source of truth).
3. Read the anonymised informant segments' Docs and their context's (derived from ingest's one
   parse by the anonymisation stage: pipeline/segment_docs.py); run the rules.
4. Train the classifier on the human decisions (or reuse the saved model when
   nothing it was trained on has changed; ``retrain`` forces a refit).
5. Predict the turns the saved predictions of this model do not cover (a turn whose text,
   lemmas and rule hits are as before keeps its probabilities: ``cached_predictions``).
6. Store the suggestions that pass the combination rule
   (:mod:`pipeline.coding.machine`) and refresh the CSV exports.

The saved model and its predictions live in ``data/private/`` (git-ignored): it is derived, it is
a pickle (never load one from someone else), and it is rebuilt on demand.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import joblib

from ..anonymise.guard import check_codebook, require_guard
from ..codebook import Codebook, load_codebook
from ..nlp import load_nlp
from ..progress import Track, no_progress
from ..settings import Study
from ..store import PRIVATE_MODE, StudyStore, atomic_write_bytes
from .classifier import TwoStageCoder
from .human import HumanImport, chosen_human_codes, import_human_coding
from .machine import (AnalysedUnits, Plan, Suggestions, analyse_units, combine, fit_model, machine_codings,
                      mark_current_round, plan_codes, predict_with_cache, prefetched_analysis, study_vectors,
                      training_fingerprint)
from .text import study_labels
from .units import load_units

MODEL_FILE = "coding_model.joblib"
PREDICTIONS_FILE = "coding_predictions.json"


@dataclass
class MachineState:
    """Everything a caller (review export, agreement, status) needs about the machine's view."""

    codebook: Codebook
    analysed: AnalysedUnits
    labels: dict[str, frozenset[str]]
    plan: Plan
    model: TwoStageCoder | None
    suggestions: Suggestions
    retrained: bool
    min_examples: int
    primary_coder: str | None = None
    current_round: int = 0  # human decisions of the current round (coding.current_round) among the labels
    round_idle: tuple[str, ...] = ()  # coders named in coding.current_round whose decisions are none of the labels


def model_path(study: Study):
    return study.private_dir / MODEL_FILE


def _load_cached(study: Study, fingerprint: str) -> TwoStageCoder | None:
    path = model_path(study)
    if not path.exists():
        return None
    with contextlib.suppress(Exception):  # a stale or unreadable cache is simply rebuilt
        saved = joblib.load(path)
        if saved.get("fingerprint") == fingerprint:
            return saved["model"]
    return None


def _save(study: Study, fingerprint: str, model: TwoStageCoder) -> None:
    # Private (trained on the study's text): 0600, written atomically under a unique temporary name.
    buffer = io.BytesIO()
    joblib.dump({"fingerprint": fingerprint, "model": model}, buffer)
    atomic_write_bytes(model_path(study), buffer.getvalue(), mode=PRIVATE_MODE)


def machine_state(study: Study, store: StudyStore, codebook: Codebook, retrain: bool = False,
                  track: Track = no_progress) -> MachineState:
    """Analyse units, train or load the model, and compute the combined suggestions."""
    settings = study.settings.coding
    from ..segment_docs import SegmentDocs

    units = load_units(store)
    nlp = load_nlp(study.settings.model)
    # Where the run's cluster read the stored Docs already (prefetch_analysis), their results.
    analysed = analyse_units(units, codebook, nlp, SegmentDocs(study, nlp), study_labels(study, store),
                             read=prefetched_analysis(study, codebook))
    index = analysed.index()
    labels = {sid: codes for sid, codes in chosen_human_codes(store, settings.primary_coder).items() if sid in index}
    current = current_round_segments(study, store, analysed, labels)
    analysed = mark_current_round(analysed, current)
    plan = plan_codes(codebook, list(labels.values()), settings.min_examples_per_code)
    params, search = settings.model.params(), settings.model.search
    # Vectors (off by default) learn from every segment of the study: their digest enters the fingerprint.
    vectors = study_vectors(params, analysed, study.private_dir, study.root, settings.seed) \
        if plan.model_codes else None
    fingerprint = training_fingerprint(analysed, labels, plan, codebook, settings.seed,
                                       {"params": params, "search": search, "current_round": sorted(current),
                                        **({"vectors": vectors.digest} if vectors is not None else {})})
    model = None if retrain or not plan.model_codes else _load_cached(study, fingerprint)
    retrained = False
    if model is None and plan.model_codes:
        model = fit_model(analysed, labels, plan, codebook, settings.seed, params, load_nlp(study.settings.model),
                          search, vectors)
        _save(study, fingerprint, model)
        retrained = True
    matrix = cached_predictions(study, model, analysed, fingerprint, retrained) if model is not None else None
    suggestions = combine(analysed, model, plan, matrix)
    return MachineState(codebook=codebook, analysed=analysed, labels=labels, plan=plan, model=model,
                        suggestions=suggestions, retrained=retrained,
                        min_examples=settings.min_examples_per_code, primary_coder=settings.primary_coder,
                        current_round=len(current), round_idle=idle_round_coders(study, store, labels))


def cached_predictions(study: Study, model: TwoStageCoder, analysed: AnalysedUnits, fingerprint: str,
                       retrained: bool):
    """The model's probabilities for every unit; only turns that changed since the last run are predicted.

    Cached per turn by what the model reads of it (``turn_digests``) in data/private (derived from the
    study's text), valid for one model: a new fingerprint or a refit starts it again.
    """
    import json

    path = study.private_dir / PREDICTIONS_FILE
    saved: dict = {}
    if path.exists() and not retrained:
        with contextlib.suppress(ValueError, OSError):  # a damaged cache is only a cache
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("model") == fingerprint and data.get("classes") == [str(c) for c in model.classes_]:
                saved = data.get("turns", {})
    matrix, rows, predicted = predict_with_cache(model, analysed.examples, saved)
    if rows != saved:
        blob = json.dumps({"model": fingerprint, "classes": [str(c) for c in model.classes_], "turns": rows},
                          sort_keys=True)
        atomic_write_bytes(path, blob.encode("utf-8"), mode=PRIVATE_MODE)
    return matrix


def idle_round_coders(study: Study, store: StudyStore, labels) -> tuple[str, ...]:
    """Coders of ``coding.current_round`` none of whose decisions the model learns (no file, or all overruled)."""
    from .effective import deciding_coders

    named = study.settings.coding.current_round.coders
    if not named:
        return ()
    deciding = deciding_coders(store, study.settings.coding.primary_coder)
    used = {deciding.get(sid) for sid in labels}
    return tuple(coder for coder in named if coder not in used)


def current_round_segments(study: Study, store: StudyStore, analysed: AnalysedUnits, labels) -> set[str]:
    """The decided segments of ``coding.current_round``: decided by one of its coders or on one of its informants.

    An informant id the study does not have is an error (a typo would silently weigh nothing).
    """
    from ..errors import QualpipeError
    from .effective import deciding_coders

    chosen = study.settings.coding.current_round
    if not chosen:
        return set()
    informants = {u.informant_id for u in analysed.units}
    unknown = sorted(set(chosen.informants) - informants)
    if unknown:
        raise QualpipeError(f"coding.current_round.informants: no informant segments for {', '.join(unknown)} "
                            "(use the ids of informants.csv)", study.root / "study.yaml")
    owner = {u.segment_id: u.informant_id for u in analysed.units}
    deciding = deciding_coders(store, study.settings.coding.primary_coder)
    return {sid for sid in labels if deciding.get(sid) in chosen.coders or owner[sid] in chosen.informants}


def code_stage(study: Study, track: Track = no_progress, retrain: bool = False) -> str:
    codebook = load_codebook(study.codebook_path)
    guard = require_guard(study)
    # The codes reach study.sqlite, the exports and the report: their texts pass the guard first.
    check_codebook(guard, codebook, study.store_path)
    with StudyStore(study.store_path) as store:
        store.replace_codes(codebook.store_rows(), codebook.version)
        if not store.has_segments(speaker="informant"):
            return "ingen anonymiserte informantsegmenter ennå – kjør anonymiseringen først"
        imported = import_human_coding(study, store, codebook.ids)
        state = machine_state(study, store, codebook, retrain=retrain, track=track)
        codings = machine_codings(state.analysed, state.suggestions, codebook.version)
        with store.transaction():
            store.replace_machine_codings("rule", codings["rule"])
            store.replace_machine_codings("model", codings["model"])
        store.export_csv(study.coded_dir, guard)
        # The machine's agreement with a human on informants it was not trained on, for the report;
        # recomputed only when what it depends on changed (it costs one fit per informant).
        from .heldout import refresh_heldout

        heldout = refresh_heldout(study, store, state.analysed, codebook, track, units=state.analysed.units)
    return summary_line(state, imported, codings) + "\n" + heldout


def summary_line(state: MachineState, human: HumanImport, codings: dict[str, list]) -> str:
    from ..norwegian import decimal

    n_units = len(state.analysed.units)
    imported = human.counts
    lines = [f"{n_units} informantsegmenter kodet mot kodebok {state.codebook.version}; "
             f"{len(state.labels)} avgjort av mennesker"
             + (" (" + ", ".join(f"{c} {n}" for c, n in sorted(imported.items())) + ")" if imported else "")]
    if state.plan.model_codes:
        action = "trent på nytt" if state.retrained else "uendret, gjenbrukt"
        lines.append(f"modell ({action}) for: " + ", ".join(
            f"{c} (terskel {decimal(state.model.thresholds[c], 2)})" for c in state.plan.model_codes))
    if state.plan.rule_codes:
        lines.append("bare regler for: " + ", ".join(
            f"{c} ({state.plan.positives[c]} menneskelige eksempler)" for c in state.plan.rule_codes)
            + f" – under coding.min_examples_per_code = {state.min_examples}")
    if state.current_round:
        lines.append(f"nåværende runde (coding.current_round): {state.current_round} avgjørelser, "
                     f"vekt {decimal(state.model.round_weight if state.model else 1.0, 1)} hver")
    if state.round_idle:
        lines.append("Merk: coding.current_round nevner " + ", ".join(state.round_idle) + ", men modellen lærer "
                     "ingen av deres avgjørelser (ingen fil i data/coded/human/, eller primærkoderen har avgjort "
                     "de samme segmentene)")
    lines.append(f"maskinforslag: {len(codings['model'])} fra modellen, {len(codings['rule'])} fra reglene")
    if human.relocated:
        lines.append("funnet igjen etter ny segmentering (ankerposisjon i turen): " + ", ".join(
            f"{coder} {n} rader" for coder, n in sorted(human.relocated.items())))
    lines += [f"Merk: {note}" for note in human.notes()]
    return "\n".join(lines)
