"""Held-out machine–human agreement: measured when the training data change, kept for the report.

The report must show how well the machine codes informants it has *not*
seen. The figure is :func:`pipeline.coding.evaluation.evaluate_analysed`
(leave-one-informant-out: for each informant the reference coder decided, the
whole coding pipeline is trained on the other informants and predicts this
one). That costs one model fit per informant, too much for every run, so the
coding stage calls :func:`refresh_heldout` and it recomputes only when its
inputs changed: the reference coder's decisions, the segments' text, the
codebook, the coding settings or the language model (:func:`heldout_fingerprint`).
The result is written to ``data/coded/agreement_heldout.json`` (figures and
counts only) through the leak guard; the report reads it with
:func:`read_heldout` and says so when it is missing or out of date.

The reference coder is ``coding.primary_coder`` where that coder has
decisions, else the first human coder by name.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from ..analysis import content_hash
from ..settings import Study
from ..store import StudyStore

HELDOUT_FILE = "agreement_heldout.json"
# Bump when the estimator or the record changes: older files are then recomputed.
VERSION = 1
METHOD = "leave-one-informant-out"


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


def heldout_fingerprint(study: Study, store: StudyStore, coder: str | None, codebook=None) -> str:
    """Hash of everything the held-out figure depends on (not of when it was computed)."""
    from ..codebook import load_codebook
    from .human import coder_decisions

    codebook = codebook or load_codebook(study.codebook_path)
    decisions = coder_decisions(store, coder) if coder else {}
    settings = study.settings
    return content_hash({
        "version": VERSION, "coder": coder,
        "decisions": sorted([sid, sorted(codes)] for sid, codes in decisions.items()),
        "segments": [[s.segment_id, s.informant_id, s.file, s.turn_index, s.speaker, s.text]
                     for s in store.segments()],
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


def refresh_heldout(study: Study, store: StudyStore, analysed, codebook, track=None) -> str:
    """Recompute the held-out agreement if its inputs changed; a short Norwegian line for the stage summary."""
    from ..errors import QualpipeError
    from ..store import atomic_write_text
    from .evaluation import METHOD_MODEL, evaluate_analysed
    from .human import coder_decisions

    coder = reference_coder(study, store)
    fingerprint = heldout_fingerprint(study, store, coder, codebook)
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
            result = HeldOutAgreement(coder=coder, fingerprint=fingerprint, n_informants=evaluation.n_informants,
                                      n_segments=evaluation.n_segments, n_turns=evaluation.n_turns, scores=scores,
                                      rules_only=dict(evaluation.rules_only_folds))
    from ..anonymise.guard import leak_guard

    atomic_write_text(path, result.to_json(), guard=leak_guard(study))
    if result.reason:
        return f"samsvar på holdt-ut informanter: ikke beregnet ({result.reason})"
    micro = result.score("segment", "micro")
    from ..norwegian import decimal

    return (f"samsvar på holdt-ut informanter ({METHOD}, {result.n_informants} informanter, "
            f"{result.n_segments} segmenter): kappa {decimal(micro.kappa, 2)} mot {coder}")
