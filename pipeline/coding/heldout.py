"""Held-out machine–human agreement: measured when the training data change, kept for the report.

The report must show how well the machine codes informants it has *not*
seen. The figure is :func:`pipeline.coding.evaluation.evaluate_analysed`
(leave-one-informant-out: for each informant the reference coder decided, the
whole coding pipeline is trained on the other informants and predicts this
one). That costs one model fit per informant, too much for every run, so the
coding stage calls :func:`refresh_heldout` and it recomputes only when its
inputs changed: the human decisions, the decided segments with their context
(turn, question, previous segment), the codebook, the coding settings or the
language model (:func:`heldout_fingerprint`); a new transcript nobody has coded
does not refit it.
The result is written to ``data/coded/agreement_heldout.json`` (figures and
counts only) through the leak guard; the report reads it with
:func:`read_heldout` and says so when it is missing or out of date.

The reference coder is ``coding.primary_coder`` where that coder has
decisions, else the first human coder by name.

Beside the scores the record holds, from the same held-out predictions, kappa
and alpha per code with 95 % bootstrap intervals (``intervals``), the same for
every pair of human coders with units in common (``humans``), and which codes
the machine can be trusted on (held-out turn-level kappa ≥ 0.80) and which
need review (``statement``). ``qualpipe agreement`` prints them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from ..analysis import content_hash
from ..settings import Study
from ..store import StudyStore
from .agreement import ALL_CODES, TRUST_KAPPA, IntervalRow, both_levels
from . import evaluation
from .evaluation import LEAVE_ONE_OUT, heldout_method

HELDOUT_FILE = "agreement_heldout.json"
# Bump when the estimator or the record changes: older files are then recomputed.
# 3: lemmas from the segment Docs derived from the one parse (pipeline/segment_docs.py). 4: with
# coding.model.vector_weight > 0 each fit learns its word vectors from its training informants only
# (vectors.FoldVectors); a version-3 figure read the held-out informants' text through the vectors.
# 5: past evaluation.HELDOUT_FOLDS informants the outer folds are that many groups of informants.
# 6: past it, evaluation.HELDOUT_GROUPS (5) groups instead of 20 (a study of up to 20 informants: the same
# leave-one-out figures, recomputed once). 7: segment-level bootstrap intervals over the segments'
# places (agreement.segment_place), not their keyed ids.
VERSION = 7
METHOD = LEAVE_ONE_OUT


@dataclass(frozen=True)
class HeldOutScore:
    level: str  # "segment" or "turn"
    code: str  # a code id, or "micro" (pooled over codes)
    precision: float
    recall: float
    f1: float
    kappa: float
    support: int  # units the reference coder gave the code
    predicted: int  # units the machine gave it, held out


@dataclass(frozen=True)
class HeldOutAgreement:
    """The machine against one human coder, on informants left out of training."""

    coder: str | None
    fingerprint: str
    method: str = METHOD
    n_informants: int = 0
    n_segments: int = 0
    n_turns: int = 0
    scores: list[HeldOutScore] = field(default_factory=list)
    rules_only: dict[str, int] = field(default_factory=dict)  # code -> folds it was served by rules alone
    reason: str = ""  # why there is no figure (no human coding, one informant ...); "" when there is one
    intervals: list[IntervalRow] = field(default_factory=list)  # machine vs coder, kappa/alpha with 95 % intervals
    humans: list[IntervalRow] = field(default_factory=list)  # every pair of human coders, the same
    trusted: list[str] = field(default_factory=list)  # codes with held-out turn-level kappa >= TRUST_KAPPA
    needs_review: list[str] = field(default_factory=list)
    statement: str = ""  # the two lists in a plain Norwegian sentence

    def score(self, level: str, code: str) -> HeldOutScore | None:
        return next((s for s in self.scores if s.level == level and s.code == code), None)

    def to_json(self) -> str:
        data = {"version": VERSION, **asdict(self)}
        return json.dumps(_finite(data), ensure_ascii=False, indent=1, allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> HeldOutAgreement | None:
        data = json.loads(text)
        if data.pop("version", None) != VERSION:
            return None
        data["scores"] = [HeldOutScore(**{k: (float("nan") if v is None else v) for k, v in s.items()})
                          for s in data["scores"]]
        for key in ("intervals", "humans"):
            data[key] = [IntervalRow(**{k: (float("nan") if v is None else v) for k, v in r.items()})
                         for r in data[key]]
        return cls(**data)


def _finite(value):
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def reference_coder(study: Study, store: StudyStore) -> str | None:
    coders = store.human_coders()
    primary = study.settings.coding.primary_coder
    if primary and primary in coders:
        return primary
    return coders[0] if coders else None


def heldout_fingerprint(study: Study, store: StudyStore, coder: str | None, codebook=None, units=None) -> str:
    """Hash of everything the held-out figure reads (not of when it was computed).

    The figure reads the human decisions (the reference coder's for training and
    scoring, every coder's for the human pairs) and, of the segments, only the
    decided ones with what their features see: the other segments of their turn
    (turn lemmas and rule hits), the interviewer's question and the previous
    segment, as the features read them (:func:`~pipeline.coding.text.coding_text`, an informant's label
    as a detected name), the features' version and the outer folds' method (leave-one-informant-out up
    to ``HELDOUT_FOLDS`` informants, ``HELDOUT_GROUPS`` groups past it). A new transcript nobody has coded therefore leaves it
    unchanged, as does the label its informant's name becomes in the transcripts that name it, and
    the 18 or so fits are not repeated. ``units``: :func:`~pipeline.coding.units.load_units` of this
    store where the caller has them already (the coding stage: building them costs about a second
    at ×20).
    """
    from ..codebook import load_codebook
    from .human import coder_decisions
    from .classifier import FEATURE_VERSION
    from .text import coding_text, study_people
    from .units import load_units

    codebook = codebook or load_codebook(study.codebook_path)
    decisions = {name: coder_decisions(store, name) for name in store.human_coders()}
    decided = set().union(*(set(found) for found in decisions.values())) if decisions else set()
    units = load_units(store) if units is None else units
    turns = {u.turn for u in units if u.segment_id in decided}
    people = study_people(study, store)
    read = [[u.segment_id, u.informant_id, u.segment.file, u.segment.turn_index, coding_text(u.segment.text, people),
             coding_text(u.question, people), coding_text(u.previous, people)] for u in units if u.turn in turns]
    settings = study.settings
    return content_hash({
        "version": VERSION, "feature_version": FEATURE_VERSION, "coder": coder,
        # with the informants below: heldout_cv's folds (read here, so a changed constant is seen)
        "folds": [evaluation.HELDOUT_FOLDS, evaluation.HELDOUT_GROUPS],
        "decisions": {name: sorted([sid, sorted(codes)] for sid, codes in found.items())
                      for name, found in sorted(decisions.items())},
        "segments": read,
        "codebook": codebook.model_dump(mode="json"), "coding": settings.coding.model_dump(), "model": settings.model,
    })


def heldout_path(study: Study):
    return study.coded_dir / HELDOUT_FILE


def read_heldout(study: Study) -> tuple[HeldOutAgreement | None, bool]:
    """(the persisted result or None, whether it describes the study as it is now)."""
    path = heldout_path(study)
    if not path.exists() or not study.store_path.exists():
        return None, False
    try:
        result = HeldOutAgreement.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, TypeError, KeyError):
        return None, False
    if result is None:
        return None, False
    with StudyStore(study.store_path) as store:
        current = heldout_fingerprint(study, store, reference_coder(study, store))
    return result, result.fingerprint == current


def refresh_heldout(study: Study, store: StudyStore, analysed, codebook, track=None, units=None) -> str:
    """Recompute the held-out agreement if its inputs changed; a short Norwegian line for the stage summary.
    ``units``: the store's units where the caller has them (:func:`heldout_fingerprint`)."""
    from ..errors import QualpipeError
    from ..store import write_shareable
    from .evaluation import METHOD_MODEL, evaluate_analysed
    from .human import coder_decisions

    coder = reference_coder(study, store)
    fingerprint = heldout_fingerprint(study, store, coder, codebook, units)
    path = heldout_path(study)
    if path.exists():
        try:
            old = HeldOutAgreement.from_json(path.read_text(encoding="utf-8"))
        except (ValueError, TypeError, KeyError):
            old = None
        if old is not None and old.fingerprint == fingerprint:
            return "samsvar på holdt-ut informanter: uendret, gjenbrukt"
    if coder is None:
        result = HeldOutAgreement(coder=None, fingerprint=fingerprint, reason="ingen forsker har kodet segmenter")
    else:
        labels = coder_decisions(store, coder)
        try:
            kwargs = {"track": track} if track is not None else {}
            evaluation = evaluate_analysed(study, analysed, labels, store.segments(speaker="informant"), codebook,
                                           coder, **kwargs)
        except QualpipeError as exc:
            result = HeldOutAgreement(coder=coder, fingerprint=fingerprint, reason=exc.problem)
        else:
            scores = [HeldOutScore(level=s.level, code=s.code, precision=s.precision, recall=s.recall, f1=s.f1,
                                   kappa=s.kappa, support=s.support, predicted=s.predicted)
                      for s in evaluation.scores if s.method == METHOD_MODEL]
            segments = store.segments(speaker="informant")
            intervals = both_levels(evaluation.predictions, labels, segments, codebook.ids, f"model – {coder}")
            trusted = [r.code for r in intervals if r.level == "turn" and r.code != ALL_CODES and r.trusted]
            review = [c for c in codebook.ids if c not in trusted]
            result = HeldOutAgreement(coder=coder, fingerprint=fingerprint, n_informants=evaluation.n_informants,
                                      method=heldout_method(evaluation.n_informants),
                                      n_segments=evaluation.n_segments, n_turns=evaluation.n_turns, scores=scores,
                                      rules_only=dict(evaluation.rules_only_folds), intervals=intervals,
                                      humans=human_pairs(store, codebook.ids, segments), trusted=trusted,
                                      needs_review=review, statement=trust_statement(coder, trusted, review))
    from ..anonymise.guard import require_guard

    write_shareable(study.root, {path: result.to_json()}, require_guard(study))
    if result.reason:
        return f"samsvar på holdt-ut informanter: ikke beregnet ({result.reason})"
    micro = result.score("segment", "micro")
    from ..norwegian import decimal

    return (f"samsvar på holdt-ut informanter ({result.method}, {result.n_informants} informanter, "
            f"{result.n_segments} segmenter): kappa {decimal(micro.kappa, 2)} mot {coder}\n{result.statement}")


def human_pairs(store: StudyStore, codes, segments) -> list[IntervalRow]:
    """Agreement with intervals of every pair of human coders who decided some of the same segments."""
    from .human import coder_decisions

    coders = store.human_coders()
    decisions = {name: coder_decisions(store, name) for name in coders}
    rows: list[IntervalRow] = []
    for i, first in enumerate(coders):
        for second in coders[i + 1:]:
            if set(decisions[first]) & set(decisions[second]):
                rows += both_levels(decisions[first], decisions[second], segments, codes, f"{first} – {second}")
    return rows


def trust_statement(coder: str, trusted: list[str], review: list[str]) -> str:
    """Which codes the machine can be trusted on, in one or two plain Norwegian sentences."""
    from ..norwegian import decimal

    limit = decimal(TRUST_KAPPA, 2)
    parts = [f"På informanter modellen ikke er trent på, når maskinen kappa {limit} eller mer mot {coder} "
             f"(turnivå) for: {', '.join(trusted)}." if trusted else
             f"På informanter modellen ikke er trent på, når ingen kode kappa {limit} mot {coder} (turnivå)."]
    if review:
        parts.append(f"Maskinens forslag må gjennomgås av et menneske for: {', '.join(review)}.")
    return " ".join(parts)
