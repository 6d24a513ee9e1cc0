"""What each page of the workbench shows, read from the study (no HTML here).

Every function reads through the stores and returns plain data for a
template. Only the anonymisation review (:func:`anonymisation_view`) reads
originals, and only when the caller is authorised by the key; everything
else comes from the anonymised :class:`~pipeline.store.StudyStore`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..anonymise.sources import informant_label
from ..codebook import Codebook, load_codebook
from ..errors import QualpipeError
from ..settings import Study
from ..store import StudyStore, natural_key

# Number keys 1..9 and 0 pick the first ten codes of the codebook, in its order.
CODE_KEYS = "1234567890"


@dataclass(frozen=True)
class CodeInfo:
    id: str
    key: str  # the number key that toggles it ("" beyond the tenth code)
    label: str
    colour: str
    definition: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    parent: str | None


def code_infos(codebook: Codebook) -> list[CodeInfo]:
    return [CodeInfo(id=c.id, key=CODE_KEYS[i] if i < len(CODE_KEYS) else "", label=c.label, colour=c.colour,
                     definition=c.definition, include=tuple(c.include), exclude=tuple(c.exclude),
                     positive=tuple(c.examples.positive), negative=tuple(c.examples.negative), parent=c.parent)
            for i, c in enumerate(codebook.codes)]


def group_name(study: Study, group: str) -> str:
    return study.settings.report.group_names.get(group, group.replace("_", " "))


def require_store(study: Study) -> None:
    if not study.store_path.exists():
        raise QualpipeError("the study has no anonymised segments yet; start a run on the page «Kjøring» "
                            "or run 'qualpipe run'", study.store_path)


# ----------------------------------------------------------------------- the study


@dataclass
class InformantProgress:
    id: str
    label: str
    segments: int  # informant segments (the coding units)
    decided: dict[str, int]  # coder -> segments that coder decided
    machine_only: int  # segments no human decided (their codes come from the machine)


@dataclass
class GroupOverview:
    group: str
    name: str
    informants: list[InformantProgress] = field(default_factory=list)


@dataclass
class StudyOverview:
    name: str
    groups: list[GroupOverview]
    coders: list[str]
    totals: dict[str, int]  # coder -> segments decided
    segments: int
    codebook_version: str
    older_codebook: dict[str, int]  # coder -> decisions made under another codebook version
    stale: list[str]
    codings_by_source: dict[str, int]


def study_overview(study: Study) -> StudyOverview:
    from ..status import study_status

    codebook = load_codebook(study.codebook_path)
    status = study_status(study)
    groups: dict[str, GroupOverview] = {}
    coders: list[str] = []
    totals: dict[str, int] = {}
    older: Counter = Counter()
    n_segments = 0
    if study.store_path.exists():
        with StudyStore(study.store_path) as store:
            informants = store.informants()
            segments = store.segments(speaker="informant")
            reviews = store.human_reviews()
            versions = store.human_review_versions()
            coders = store.human_coders()
        n_segments = len(segments)
        by_informant: dict[str, list[str]] = defaultdict(list)
        for segment in segments:
            by_informant[segment.informant_id].append(segment.segment_id)
        order = {g: i for i, g in enumerate(study.settings.groups)}
        for informant in sorted(informants, key=lambda i: (order.get(i.group, len(order)), i.group, natural_key(i.id))):
            ids = by_informant.get(informant.id, [])
            decided = Counter(coder for sid in ids for coder in reviews.get(sid, {}))
            entry = groups.setdefault(informant.group, GroupOverview(informant.group, group_name(study, informant.group)))
            entry.informants.append(InformantProgress(
                id=informant.id, label=informant_label(study, informant), segments=len(ids),
                decided={coder: decided.get(coder, 0) for coder in coders},
                machine_only=sum(1 for sid in ids if sid not in reviews)))
        totals = {coder: sum(1 for by_coder in reviews.values() if coder in by_coder) for coder in coders}
        older = Counter(coder for (sid, coder), version in versions.items() if version != codebook.version)
    return StudyOverview(name=study.settings.name, groups=list(groups.values()), coders=coders, totals=totals,
                         segments=n_segments, codebook_version=codebook.version,
                         older_codebook=dict(older), stale=list(status.stale),
                         codings_by_source=dict(status.codings_by_source))


# ------------------------------------------------------------------ a transcript


@dataclass
class SegmentView:
    id: str
    text: str
    codable: bool  # informant segments are the coding units; the interviewer's are context
    codes: list[str] | None  # this coder's decision (None: not decided by them)
    suggested: list[tuple[str, float | None]]  # the machine's suggestions (code, confidence)
    older_codebook: bool  # decided under another codebook version
    others: int  # other human coders who decided it


@dataclass
class TurnView:
    index: int
    speaker: str
    label: str
    segments: list[SegmentView]


@dataclass
class TranscriptView:
    informant_id: str
    label: str
    group: str
    turns: list[TurnView]
    codes: list[CodeInfo]
    codebook_version: str
    coder: str | None
    decided: int
    codable: int
    previous: str | None
    next: str | None


def machine_suggestions(store: StudyStore) -> dict[str, dict[str, float | None]]:
    """segment id -> code -> confidence, for the stored rule and model suggestions."""
    found: dict[str, dict[str, float | None]] = defaultdict(dict)
    for coding in store.codings():
        if coding.source in ("rule", "model") and coding.status != "rejected":
            # A code both the rules and the model suggest shows the model's confidence.
            if coding.confidence is not None or coding.code not in found[coding.segment_id]:
                found[coding.segment_id][coding.code] = coding.confidence
    return found


def transcript_view(study: Study, informant_id: str, coder: str | None) -> TranscriptView:
    from ..coding.human import coder_decisions

    require_store(study)
    codebook = load_codebook(study.codebook_path)
    with StudyStore(study.store_path) as store:
        informants = store.informants()
        informant = next((i for i in informants if i.id == informant_id), None)
        if informant is None:
            raise KeyError(informant_id)
        segments = [s for s in store.segments() if s.informant_id == informant.id]
        mine = coder_decisions(store, coder) if coder else {}
        reviews = store.human_reviews()
        versions = store.human_review_versions()
        suggestions = machine_suggestions(store)
    order = {code: i for i, code in enumerate(codebook.ids)}
    turns: list[TurnView] = []
    label = informant_label(study, informant)
    for segment in segments:
        if not turns or turns[-1].index != segment.turn_index:
            speaker_label = label if segment.speaker == "informant" else "Intervjuer"
            turns.append(TurnView(segment.turn_index, segment.speaker, speaker_label, []))
        codable = segment.speaker == "informant"
        decision = mine.get(segment.segment_id)
        suggested = sorted(suggestions.get(segment.segment_id, {}).items(), key=lambda item: order.get(item[0], 99))
        turns[-1].segments.append(SegmentView(
            id=segment.segment_id, text=segment.text, codable=codable,
            codes=sorted(decision, key=lambda c: order.get(c, 99)) if decision is not None else None,
            suggested=suggested if codable else [],
            older_codebook=bool(coder) and versions.get((segment.segment_id, coder), codebook.version) != codebook.version,
            others=sum(1 for c in reviews.get(segment.segment_id, {}) if c != coder)))
    ids = [i.id for i in informants]
    at = ids.index(informant.id)
    codable = [s for t in turns for s in t.segments if s.codable]
    return TranscriptView(informant_id=informant.id, label=label, group=group_name(study, informant.group),
                          turns=turns, codes=code_infos(codebook), codebook_version=codebook.version, coder=coder,
                          decided=sum(1 for s in codable if s.codes is not None), codable=len(codable),
                          previous=ids[at - 1] if at > 0 else None, next=ids[at + 1] if at + 1 < len(ids) else None)


# -------------------------------------------------------------- the review queue


@dataclass
class QueueItem:
    segment_id: str
    informant: str
    informant_id: str
    turn: int
    question: str
    text: str
    suggested: list[str]
    confidence: dict[str, float | None]
    keyword_hits: str
    uncertainty: float


def queue_items(study: Study, table: tuple[list[str], list[list[str]]]) -> list[QueueItem]:
    """The rows of :func:`pipeline.coding.review.review_table` (most uncertain first) as items."""
    header, rows = table
    col = {name: i for i, name in enumerate(header)}
    require_store(study)
    with StudyStore(study.store_path) as store:
        labels = {i.id: informant_label(study, i) for i in store.informants()}
        suggestions = machine_suggestions(store)
    items = []
    for row in rows:
        sid = row[col["segment_id"]]
        suggested = [c for c in row[col["suggested"]].split("; ") if c]
        items.append(QueueItem(
            segment_id=sid, informant=labels.get(row[col["informant_id"]], row[col["informant_id"]]),
            informant_id=row[col["informant_id"]], turn=int(row[col["turn"]]), question=row[col["question"]],
            text=row[col["text"]], suggested=suggested,
            confidence={c: suggestions.get(sid, {}).get(c) for c in suggested},
            keyword_hits=row[col["keyword_hits"]], uncertainty=float(row[col["uncertainty"]])))
    return items


def open_queue(study: Study, items: list[QueueItem], coder: str | None, include_decided: bool,
               limit: int) -> tuple[list[QueueItem], int]:
    """Items still open (no human decided, or with ``include_decided`` not this coder), and how many in all."""
    with StudyStore(study.store_path) as store:
        reviews = store.human_reviews()
    if include_decided:
        keep = [i for i in items if coder is None or coder not in reviews.get(i.segment_id, {})]
    else:
        keep = [i for i in items if i.segment_id not in reviews]
    return keep[:limit], len(keep)


# ----------------------------------------------------------- anonymisation review


@dataclass
class Detection:
    key: str  # file:turn:start:end, how the page names a detection back to the server
    informant: str
    type: str
    score: str
    recognizer: str
    replaced: bool
    before: str
    original: str
    after: str
    decision: str  # "keep", "remove" or ""


def anonymisation_view(study: Study) -> list[Detection]:
    """Every uncertain detection with its original in context. Call only for an authorised user."""
    from ..anonymise.review import review_rows

    rows = review_rows(study)
    labels: dict[str, str] = {}  # segment id -> informant label (raw and shareable file names differ)
    if study.store_path.exists():
        with StudyStore(study.store_path) as store:
            informants = {i.id: informant_label(study, i) for i in store.informants()}
            labels = {s.segment_id: informants.get(s.informant_id, s.informant_id) for s in store.segments()}
    found = []
    for file, segment_id, turn, start, end, kind, score, recognizer, replaced, original, context, decision in rows:
        before, _, rest = context.partition("⟦")
        _, _, after = rest.partition("⟧")
        found.append(Detection(key=f"{file}:{turn}:{start}:{end}", informant=labels.get(segment_id, "?"), type=kind,
                               score=score, recognizer=recognizer, replaced=replaced == "ja", before=before,
                               original=original, after=after, decision=decision))
    return found


# ------------------------------------------------------------------- agreement


@dataclass
class AgreementView:
    coders: list[str]
    a: str | None
    b: str | None
    rows: list  # AgreementRow
    labels: dict[str, str]


def agreement_view(study: Study, a: str | None, b: str | None) -> AgreementView:
    from ..coding.agreement import coder_agreement

    require_store(study)
    codebook = load_codebook(study.codebook_path)
    with StudyStore(study.store_path) as store:
        humans = store.human_coders()
    primary = study.settings.coding.primary_coder
    ordered = sorted(humans, key=lambda c: (c != primary, c))
    choices = [*ordered, "model"]
    a = a if a in choices else (ordered[0] if ordered else None)
    b = b if b in choices and b != a else next((c for c in choices if c != a), None)
    rows = coder_agreement(study, a, b) if a and b else []
    labels = {c.id: c.label for c in codebook.codes}
    return AgreementView(coders=choices, a=a, b=b, rows=rows, labels=labels)
