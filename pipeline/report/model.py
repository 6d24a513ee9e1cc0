"""The report's data model: everything the report says, gathered once from the study.

:func:`build_report` reads the analysis input (:mod:`pipeline.analysis`), the
results the compare and topics stages persisted (``reports/tables/*.json``,
checked against that input: a stale result is an error naming the command
that refreshes it), the held-out agreement the coding stage persisted, the
codebook and the context tables, and turns them into display-ready Norwegian
text and tables. It does no statistics and fits no model of its own. The
templates hold the report's fixed prose and lay the model out; every number
comes from here, so HTML, Markdown and DOCX always agree. Study-specific
wording comes from study.yaml (``report:``), never from this module.

All text here is anonymised study data or generated Norwegian prose; the
writer still runs the leak guard over every output before writing.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .. import __version__ as qualpipe_version
from ..analysis import AnalysisInput
from ..norwegian import decimal, number, p_value, percent
from ..records import Informant, Segment
from ..settings import Study
from .context import ContextTable, read_context_tables
from .figures import ReportFigure, context_figure, group_bar_figure, stacked_source_figure
from .quotes import Quote, attribution, choose_quotes, machine_confidence


@dataclass(frozen=True)
class Table:
    """A table as the report shows it: all cells already formatted as text."""

    key: str  # stable name (tests, anchors)
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]  # right-align these columns
    note: str = ""


@dataclass(frozen=True)
class QuoteGroup:
    group: str
    name: str
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class CodeChapter:
    code: str
    label: str
    definition: str
    lead: str  # one sentence: how widespread the code is
    prevalence: Table
    differences: tuple[str, ...]  # one sentence per group that could be tested
    untested: str  # why the other groups (or the whole code) were not tested; "" if all were
    quotes: tuple[QuoteGroup, ...]

    @property
    def has_quotes(self) -> bool:
        return any(group.quotes for group in self.quotes)

    @property
    def groups_without_quotes(self) -> list[str]:
        return [group.name for group in self.quotes if not group.quotes]


@dataclass(frozen=True)
class ContextSection:
    title: str
    source: str
    note: str
    table: Table
    figure: ReportFigure


@dataclass(frozen=True)
class CodebookEntry:
    id: str
    label: str
    definition: str
    parent: str | None
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    positive: tuple[str, ...]
    negative: tuple[str, ...]


@dataclass(frozen=True)
class TopicCandidate:
    label: str
    words: str
    examples: tuple[Quote, ...]


@dataclass
class Report:
    """Everything the report says, in the order it says it."""

    title: str
    subtitle: str
    study_name: str
    generated: datetime  # when the report was built: the one thing that differs between two builds
    version: str
    n_informants: int
    replaced_with: str  # how identifiers were replaced, in words
    quote_rule: tuple[int, int, int]  # (min words, max words, quotes per group), for "Om rapporten"
    attribution_example: str = ""  # how a quoted informant is named, e.g. "bruker 3"
    sample_note: str = ""  # the study's own words on its sample (report.sample_note)
    context_note: str = ""  # the study's own words on its context tables (report.context_note)
    n_groups: int = 0
    with_topics: bool = True
    # Sammendrag
    summary: list[str] = field(default_factory=list)
    summary_table: Table | None = None
    emphasis_table: Table | None = None  # coded words per 1 000 words, code × group
    emphasis: list[str] = field(default_factory=list)  # where each theme weighs most and least
    differences: list[str] = field(default_factory=list)  # main group differences, one sentence each
    differences_note: str = ""
    warnings: list[str] = field(default_factory=list)
    group_figure: ReportFigure | None = None
    # Metode
    informants_table: Table | None = None
    codebook_table: Table | None = None
    coding_text: list[str] = field(default_factory=list)
    coding_table: Table | None = None
    coding_figure: ReportFigure | None = None
    agreement_text: list[str] = field(default_factory=list)
    agreement_table: Table | None = None
    heldout_text: list[str] = field(default_factory=list)
    heldout_table: Table | None = None
    anonymisation_text: list[str] = field(default_factory=list)
    anonymisation_table: Table | None = None
    # Funn per tema
    chapters: list[CodeChapter] = field(default_factory=list)
    # Fellestrekk og forskjeller
    patterns_text: list[str] = field(default_factory=list)
    patterns_figures: list[ReportFigure] = field(default_factory=list)
    cluster_table: Table | None = None
    cooccurrence_table: Table | None = None
    # Emergent topics
    topics_text: list[str] = field(default_factory=list)
    topics_table: Table | None = None
    candidates: list[TopicCandidate] = field(default_factory=list)
    # Kontekst
    context: list[ContextSection] = field(default_factory=list)
    # Vedlegg
    codebook: list[CodebookEntry] = field(default_factory=list)
    profiles_table: Table | None = None

    @property
    def generated_at(self) -> str:
        return self.generated.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")

    @property
    def figures(self) -> list[ReportFigure]:
        """Every figure the report shows, in order of appearance."""
        found = [self.group_figure, self.coding_figure, *self.patterns_figures,
                 *(section.figure for section in self.context)]
        return [f for f in found if f is not None]

    @property
    def tables(self) -> list[Table]:
        found = [self.summary_table, self.emphasis_table, self.informants_table, self.codebook_table, self.coding_table,
                 self.heldout_table, self.agreement_table, self.anonymisation_table, *(c.prevalence for c in self.chapters),
                 self.cluster_table, self.cooccurrence_table, self.topics_table,
                 *(s.table for s in self.context), self.profiles_table]
        return [t for t in found if t is not None]


# ------------------------------------------------------------------ formatting


pct = percent


def n_of(n: int, total: int) -> str:
    return f"{n} av {total}"


def generated_at_now() -> datetime:
    """Now, or SOURCE_DATE_EPOCH (the reproducible-builds convention) when set; UTC, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), timezone.utc)
        except ValueError:
            from ..errors import QualpipeError

            raise QualpipeError(f"SOURCE_DATE_EPOCH must be seconds since 1970, not '{epoch}'") from None
    return datetime.now(timezone.utc).replace(microsecond=0)


# ------------------------------------------------------------------ helpers


class _Names:
    """Group display names (report.group_names, else the group id) from the settings."""

    def __init__(self, study: Study, groups: Sequence[str]):
        report = study.settings.report
        self._names = {g: report.group_names.get(g, g.replace("_", " ")) for g in groups}

    def group(self, group: str) -> str:
        return self._names.get(group, group.replace("_", " "))


def informant_columns(study: Study, informants: Sequence[Informant]) -> list[str]:
    """The attributes the informant overview shows, in order.

    ``report.informant_columns`` narrows and orders them; by default every
    attribute column of the informants table, in file order. Columns no
    informant has a value for are left out.
    """
    chosen = study.settings.report.informant_columns
    if chosen is None:
        chosen = list(dict.fromkeys(a for i in informants for a in i.attributes))
    return [a for a in chosen if any((i.attributes.get(a) or "").strip() for i in informants)]


def column_heading(study: Study, attribute: str) -> str:
    """``report.column_names`` in study.yaml, else the attribute's own name ("age_group" -> "Age group")."""
    named = study.settings.report.column_names.get(attribute)
    return named or attribute.replace("_", " ").capitalize()


# ------------------------------------------------------------------ the build


@dataclass(frozen=True)
class StudyData:
    """What the report reads: the shared analysis input plus who decided what."""

    informants: list[Informant]
    segments: list[Segment]  # informant segments only (the coding unit)
    codes: dict[str, frozenset[str]]  # effective codes
    human_decided: set[str]  # segments whose effective codes a human decided
    confidence: dict[tuple[str, str], float]
    codings: list  # every Coding (all sources)
    reviewed_by: dict[str, dict[str, str]]  # segment -> {coder: reviewed_at}
    analysis: AnalysisInput | None = None


def read_study_data(study: Study) -> StudyData:
    from ..analysis import load_analysis_input
    from ..errors import QualpipeError
    from ..store import StudyStore

    analysis = load_analysis_input(study)
    if analysis is None:
        raise QualpipeError("no coded data yet; run `qualpipe run` (or ingest, anonymise and code) first",
                            study.store_path)
    with StudyStore(study.store_path) as store:
        reviews = store.human_reviews()
        codings = store.codings()
    return StudyData(
        informants=analysis.informants, segments=analysis.segments, codes=analysis.codes,
        human_decided=set(reviews), confidence=machine_confidence(codings), codings=codings, reviewed_by=reviews,
        analysis=analysis,
    )


def build_report(study: Study, generated_at: datetime | None = None, with_topics: bool = True) -> Report:
    """Gather the whole report from the study's data and stage results. Reads only; writes nothing.

    ``generated_at`` defaults to now (or ``SOURCE_DATE_EPOCH``); it is the
    only thing that differs between two builds from the same data.
    ``with_topics=False`` leaves the emergent topics out (and says so).
    """
    from ..anonymise.guard import check_codebook, check_context, require_guard
    from ..codebook import load_codebook
    from ..compare import read_compare_result
    from ..topics import read_topics_result
    from ..status import stored_run_warnings

    settings = study.settings
    data = read_study_data(study)
    codebook = load_codebook(study.codebook_path)
    # The report prints the codebook (criteria and example quotes too), read here from codebook.yaml,
    # and the context tables' texts, the researcher's too, in its prose, tables and figures' pixels.
    check_codebook(require_guard(study), codebook, study.root / "reports" / "rapport.md")
    check_context(require_guard(study), read_context_tables(study.context_dir), study.root / "reports" / "rapport.md")
    compared = read_compare_result(study, data.analysis)
    topics = read_topics_result(study, data.analysis) if with_topics else None
    code_labels = {c.id: c.label for c in codebook.codes}
    comparison, clustering = compared.comparison, compared.clustering
    names = _Names(study, comparison.groups)
    example = next((i for i in data.informants if i.group in comparison.groups), data.informants[0])
    report = Report(
        replaced_with=("erstattet med merkelapper som [PERSON_3]" if settings.anonymisation.style == "tags"
                       else "erstattet med oppdiktede navn og tall"),
        quote_rule=(settings.report.quote_min_words, settings.report.quote_max_words,
                    settings.report.quotes_per_group),
        title=settings.report.title, subtitle=settings.report.subtitle, study_name=settings.name,
        generated=generated_at or generated_at_now(), version=qualpipe_version,
        n_informants=len(data.informants), attribution_example=attribution(example, settings.group_labels),
        sample_note=settings.report.sample_note, context_note=settings.report.context_note,
        n_groups=len(comparison.groups), with_topics=with_topics,
    )
    _summary(report, study, data, comparison, names)
    report.warnings.extend(stored_run_warnings(study))  # e.g. decisions made under an older codebook
    _method(report, study, data, codebook, names)
    _chapters(report, study, data, codebook, comparison, names)
    _patterns(report, study, compared, names)
    if topics is not None:
        _topics(report, study, data, topics, code_labels)
    _context(report, study)
    _appendix(report, data, codebook, comparison, clustering, names)
    return report


# ------------------------------------------------------------------ Sammendrag


def _summary(report: Report, study: Study, data: StudyData, comparison, names: _Names) -> None:
    sizes = comparison.group_sizes
    groups = comparison.groups
    report.summary.append(
        f"Rapporten bygger på intervjuer med {report.n_informants} informanter i {len(groups)} grupper: "
        + ", ".join(f"{names.group(g)} (n = {sizes[g]})" for g in groups) + ".")
    coded = sum(1 for s in data.segments if s.segment_id in data.codes)
    by_human = sum(1 for s in data.segments if s.segment_id in data.codes and s.segment_id in data.human_decided)
    words = sum(len(s.text.split()) for s in data.segments)
    checked = (f"for {number(by_human)} av disse er kodene bekreftet eller satt av en forsker" if by_human
               else "ingen av dem er ennå gjennomgått av en forsker, så alle kodene er maskinforslag")
    report.summary.append(
        f"{number(len(data.segments))} informantsegmenter ({number(words)} ord) er analysert. "
        f"{number(coded)} av dem har minst én kode; {checked}.")
    top = comparison.top_codes
    for g in groups:
        rows = top[(top.group == g) & (top["rank"] <= 2)].sort_values("rank")
        if rows.empty:
            report.summary.append(f"{names.group(g)} (n = {sizes[g]}): ingen av kodene er brukt.")
            continue
        found = " og ".join(f"{r.label} ({n_of(int(r.informants_with_code), int(r.informants_in_group))}; "
                            f"{_per_1000(r.per_1000_words)} kodede ord per 1\u00a0000 ord)"
                            for r in rows.itertuples(index=False))
        report.summary.append(f"{names.group(g)} (n = {sizes[g]}): mest utbredt er {found}.")
    report.differences, report.differences_note = _main_differences(comparison, names)

    header = ("Tema", *(f"{names.group(g)} (n = {sizes[g]})" for g in groups), f"Alle (n = {report.n_informants})")
    prevalence = comparison.prevalence
    rows = []
    for code in comparison.codes:
        part = prevalence[prevalence.code == code].set_index("group")
        cells = [comparison.code_labels[code]]
        for g in [*groups, _all_groups()]:
            r = part.loc[g]
            cells.append(f"{n_of(int(r.informants_with_code), int(r.informants_in_group))}")
        rows.append(tuple(cells))
    report.summary_table = Table(
        key="sammendrag", caption="Informanter som omtaler hvert tema, per gruppe (n av N informanter)",
        header=header, rows=tuple(rows), numeric=(False, *([True] * (len(header) - 1))),
        note="En informant omtaler et tema når minst ett av informantens segmenter har koden.")
    _emphasis(report, comparison, names)
    for g in comparison.small_groups:
        report.warnings.append(
            f"Gruppen «{names.group(g)}» har bare {sizes[g]} informant{'er' if sizes[g] != 1 else ''} "
            f"(færre enn {comparison.small_group_below}). Andeler og forskjeller for denne gruppen er svært "
            "usikre og bør leses som enkeltfortellinger, ikke som mønstre.")
    if comparison.excluded_informants:
        report.warnings.append(f"{len(comparison.excluded_informants)} informanter uten gruppe er holdt utenfor "
                               "sammenligningen.")
    report.group_figure = group_bar_figure(
        "rapport_informanter_per_gruppe.png", [names.group(g) for g in groups], [sizes[g] for g in groups],
        ylabel="Informanter (antall)", title="Informanter per gruppe",
        caption="Informanter per gruppe.", alt_intro="Søylediagram over antall informanter per gruppe")


def _per_1000(value: float) -> str:
    return "–" if value != value else number(value, 0)


def _emphasis(report: Report, comparison, names: _Names) -> None:
    """How much of what each group said is about each theme: where informant counts saturate
    (everyone mentions everything), the weight still differs."""
    prevalence = comparison.prevalence.set_index(["code", "group"])
    groups = [*comparison.groups, _all_groups()]
    rows = []
    for code in comparison.codes:
        rows.append((comparison.code_labels[code],
                     *(_per_1000(float(prevalence.loc[(code, g)].per_1000_words)) for g in groups)))
    report.emphasis_table = Table(
        key="vekt", caption="Hvor mye av det informantene sa som handler om hvert tema (kodede ord per 1 000 ord)",
        header=("Tema", *(names.group(g) for g in comparison.groups), "Alle"), rows=tuple(rows),
        numeric=(False, *([True] * len(groups))),
        note="Ord i segmenter med koden per 1 000 ord informantene i gruppen sa. Et segment kan ha flere koder.")
    usable = [g for g in comparison.groups if g not in comparison.small_groups]
    if len(usable) < 2:
        return
    for code in comparison.codes:
        values = {g: float(prevalence.loc[(code, g)].per_1000_words) for g in usable}
        values = {g: v for g, v in values.items() if v == v}
        if len(values) < 2:
            continue
        order = sorted(values, key=lambda g: (-values[g], usable.index(g)))
        high, low = order[0], order[-1]
        report.emphasis.append(
            f"{comparison.code_labels[code]} fyller mest hos {names.group(high)} ({_per_1000(values[high])} "
            f"kodede ord per 1\u00a0000 ord) og minst hos {names.group(low)} ({_per_1000(values[low])}).")


def _all_groups() -> str:
    from ..compare import ALL_GROUPS

    return ALL_GROUPS


def _difference_sentence(row, lead: str) -> str:
    """'<lead>: 7 av 8 (88 %) mot 3 av 10 (30 %) blant de andre informantene; p = …, Holm-justert p = ….'"""
    small = " Liten gruppe: svært usikkert." if bool(row.small_group) else ""
    return (f"{lead}: {n_of(int(row.with_code_in_group), int(row.n_group))} "
            f"({pct(int(row.with_code_in_group), int(row.n_group))}) mot "
            f"{n_of(int(row.with_code_in_rest), int(row.n_rest))} ({pct(int(row.with_code_in_rest), int(row.n_rest))}) "
            f"blant de andre informantene; p = {p_value(row.p_value)}, "
            f"Holm-justert p = {p_value(row.p_holm)}.{small}")


def _made(tests):
    """The tests that were made (the margins allowed p <= 0.05)."""
    return tests[tests.tested.astype(bool)] if len(tests) else tests


def _main_differences(comparison, names: _Names, limit: int = 3) -> tuple[list[str], str]:
    """The clearest group-vs-rest differences (smallest p, then largest gap), small groups left out."""
    tests = comparison.tests
    if len(comparison.groups) < 2:
        return [], ""
    if tests.empty:
        return [], "Ingen koder kunne testes mellom gruppene."
    made = _made(tests)
    if made.empty:
        return [], (f"Med disse gruppestørrelsene ({', '.join(str(comparison.group_sizes[g]) for g in comparison.groups)} "
                    "informanter) og så mange eller så få som omtaler hvert tema, kan ingen fordeling gi p under "
                    "0,05 i Fishers eksakte test, så det er ikke testet for forskjeller. Les tallene som "
                    "beskrivelser av utvalget.")
    usable = made[~made.small_group.astype(bool)].copy()
    if usable.empty:
        return [], "Bare små grupper kunne testes; forskjellene deres står i temakapitlene."
    usable["gap"] = (usable.pct_group - usable.pct_rest).abs()
    usable = usable[usable.gap > 0]  # equal shares are no difference to report
    if usable.empty:
        return [], ("Gruppene skiller seg ikke i hvor mange informanter som omtaler hvert tema. "
                    "Små grupper er ikke med i denne oversikten.")
    ranked = usable.sort_values(["p_value", "gap", "code", "group"], ascending=[True, False, True, True],
                                kind="mergesort")
    lines = [_difference_sentence(r, f"{r.label}, {names.group(r.group)}")
             for r in ranked.head(limit).itertuples(index=False)]
    significant = int((usable.p_holm < 0.05).sum())
    if significant:
        note = (f"{significant} av {len(usable)} testede forskjeller har Holm-justert p < 0,05. "
                "Små grupper er ikke med i denne oversikten.")
    else:
        note = ("Ingen av forskjellene er statistisk sikre etter Holm-justering (p < 0,05); de beskriver "
                "tendenser i dette utvalget. Små grupper er ikke med i denne oversikten.")
    return lines, note


def _untested(code_tests, comparison, names: _Names) -> str:
    """Why some groups were not tested on this code: no distribution with these margins reaches p < 0,05."""
    if len(comparison.groups) < 2:
        return ""
    if code_tests.empty:
        return "Temaet kunne ikke testes mellom gruppene (ingen informanter omtaler det)."
    skipped = [r for r in code_tests.itertuples(index=False) if not bool(r.tested)]
    if not skipped:
        return ""
    if len(skipped) == len(code_tests):
        first = skipped[0]
        n_with = int(first.with_code_in_group) + int(first.with_code_in_rest)
        return (f"Ikke testet: med {n_with} av {int(first.n_group) + int(first.n_rest)} informanter som omtaler "
                "temaet og disse gruppestørrelsene kan ingen fordeling gi p under 0,05 i Fishers eksakte test.")
    groups = ", ".join(f"{names.group(r.group)} (n = {int(r.n_group)})" for r in skipped)
    return (f"Ikke testet for {groups}: med disse tallene kan ingen fordeling gi p under 0,05 "
            "i Fishers eksakte test.")


# ------------------------------------------------------------------ Metode


def _method(report: Report, study: Study, data: StudyData, codebook, names: _Names) -> None:
    # Informant overview: the informants table's attribute columns (or the study's choice of them).
    wanted = informant_columns(study, data.informants)
    header = ("ID", "Gruppe", *(column_heading(study, a) for a in wanted))
    rows = tuple((i.id, names.group(i.group), *((i.attributes.get(a) or "").strip() or "–" for a in wanted))
                 for i in data.informants)
    report.informants_table = Table(
        key="informanter", caption="Informantene", header=header, rows=rows,
        numeric=tuple(False for _ in header),
        note="Informantene omtales bare med studie-ID; navn finnes ikke i de delbare dataene.")

    report.codebook_table = Table(
        key="kodebok", caption=f"Kodeboka (versjon {codebook.version})", header=("Tema", "Kode", "Definisjon"),
        rows=tuple((c.label, c.id, c.definition) for c in codebook.codes), numeric=(False, False, False),
        note="Inklusjons- og eksklusjonskriterier og eksempler står i vedlegget.")

    informant_segments = {s.segment_id for s in data.segments}
    per_source: dict[str, set[str]] = defaultdict(set)
    per_source_codings: Counter = Counter()
    per_coder: dict[str, set[str]] = defaultdict(set)
    per_coder_codings: Counter = Counter()
    for coding in data.codings:
        if coding.segment_id not in informant_segments:
            continue
        if coding.source in ("rule", "model") and coding.status != "rejected":
            per_source[coding.source].add(coding.segment_id)
            per_source_codings[coding.source] += 1
        elif coding.source == "human" and coding.status == "accepted":
            per_coder_codings[coding.coder] += 1
    for segment_id, coders in data.reviewed_by.items():
        if segment_id in informant_segments:
            for coder in coders:
                per_coder[coder].add(segment_id)
    coded = [s for s in data.segments if s.segment_id in data.codes]
    from_human = [s for s in coded if s.segment_id in data.human_decided]
    rows = [
        ("Regelbasert koding (mønstre i kodeboka)", number(len(per_source["rule"])), number(per_source_codings["rule"])),
        ("Maskinlæringsmodell", number(len(per_source["model"])), number(per_source_codings["model"])),
        *((f"Gjennomgått av forsker ({coder})", number(len(per_coder[coder])), number(per_coder_codings[coder]))
          for coder in sorted(per_coder)),
        ("Endelige koder satt eller bekreftet av forsker", number(len(from_human)),
         number(sum(len(data.codes[s.segment_id]) for s in from_human))),
        ("Endelige koder fra maskinforslag", number(len(coded) - len(from_human)),
         number(sum(len(data.codes[s.segment_id]) for s in coded if s.segment_id not in data.human_decided))),
    ]
    report.coding_table = Table(
        key="koding", caption="Koding etter kilde (informantsegmenter)", header=("Kilde", "Segmenter", "Kodinger"),
        rows=tuple(rows), numeric=(False, True, True),
        note=("Maskinforslag teller bare der ingen forsker har avgjort segmentet. Et segment kan ha flere koder "
              "og forslag fra flere kilder."))
    report.coding_text.append(
        f"Kodeenheten er et informantsegment ({'en hel tur' if study.settings.coding.unit == 'turn' else 'en setning'}"
        f"); intervjuerens spørsmål kodes ikke. Av {number(len(data.segments))} informantsegmenter har "
        f"{number(len(coded))} minst én "
        f"kode. Regler (søkemønstre i kodeboka) og en maskinlæringsmodell foreslår koder; en forsker har gått "
        f"gjennom {number(len(set().union(*per_coder.values())) if per_coder else 0)} segmenter, og der en forsker har "
        "avgjort et segment, gjelder forskerens koder. Ellers gjelder maskinforslagene.")
    by_code: dict[str, dict[str, int]] = {}
    for s in coded:
        source = "Satt eller bekreftet av forsker" if s.segment_id in data.human_decided else "Maskinforslag"
        for code in data.codes[s.segment_id]:
            by_code.setdefault(code, Counter())[source] += 1
    labels = {c.id: c.label for c in codebook.codes}
    ordered = [c.id for c in codebook.codes] + sorted(set(by_code) - set(labels))
    report.coding_figure = stacked_source_figure(
        "rapport_koding_etter_kilde.png", [labels.get(c, c) for c in ordered],
        ["Satt eller bekreftet av forsker", "Maskinforslag"],
        {labels.get(c, c): dict(by_code.get(c, {})) for c in ordered},
        caption="Kodede informantsegmenter per tema, etter hvem som satte de endelige kodene.")
    _agreement(report, study, data, codebook)
    _anonymisation(report, study)


def _agreement(report: Report, study: Study, data: StudyData, codebook) -> None:
    """Agreement: the machine on held-out informants (persisted by the coding stage), then between humans."""
    from ..coding.agreement import ALL_CODES, coder_agreement

    coders = sorted({coder for coders in data.reviewed_by.values() for coder in coders})
    labels = {c.id: c.label for c in codebook.codes}
    if not coders:
        report.agreement_text.append("Ingen forsker har kodet segmenter ennå, så samsvar kan ikke beregnes, og "
                                     "maskinens forslag er ikke prøvd mot en forsker.")
        return
    _heldout(report, study, labels)
    pairs = [(a, b) for k, a in enumerate(coders) for b in coders[k + 1:]]
    if not pairs:
        report.agreement_text.append(f"Bare én forsker ({coders[0]}) har kodet, så samsvar mellom forskere kan "
                                     "ikke beregnes.")
        return
    level_names = {"segment": "segment", "turn": "tur"}
    rows = []
    for a, b in pairs:
        for row in coder_agreement(study, a, b, intervals=True):
            if row.level != "segment" and row.code != ALL_CODES:
                continue  # turn level: the pooled row says enough
            rows.append((f"{a} – {b}", "Alle koder" if row.code == ALL_CODES else labels.get(row.code, row.code),
                         level_names.get(row.level, row.level), str(row.n), decimal(row.percent, 0) + "\u00a0%",
                         _with_interval(row.kappa, row.kappa_low, row.kappa_high),
                         _with_interval(row.alpha, row.alpha_low, row.alpha_high)))
    report.agreement_table = Table(
        key="samsvar", caption="Samsvar mellom forskerne per kode",
        header=("Kodere", "Kode", "Nivå", "Enheter", "Enighet", "Cohens kappa [95 % KI]",
                "Krippendorffs alfa [95 % KI]"),
        rows=tuple(rows), numeric=(False, False, False, True, True, True, True),
        note=("Enheter: segmenter (eller turer) begge har avgjort. Kappa og alfa mangler (–) der begge ga samme "
              "svar på alle enheter. KI: 95 % bootstrap-intervall (1 000 trekninger av enhetene)."))
    report.agreement_text.append(
        f"{len(coders)} forskere har kodet segmenter ({', '.join(coders)}). Tabellen viser samsvaret mellom dem "
        "på de segmentene begge har avgjort.")


def _heldout(report: Report, study: Study, labels: dict[str, str]) -> None:
    """The held-out (leave-one-informant-out) figure with n, 95 % intervals, a caveat and which codes can be
    trusted; no training-set figure (the machine's agreement on what it learnt from measures nothing)."""
    from ..coding.agreement import ALL_CODES
    from ..coding.heldout import METHOD, read_heldout

    result, current = read_heldout(study)
    if result is None or not current:
        text = ("Maskinens samsvar med forskerne på informanter den ikke er trent på, er ikke beregnet for "
                "kodingen slik den er nå; kjør «qualpipe code» (eller «qualpipe run»).")
        report.heldout_text.append(text)
        report.warnings.append(text)
        return
    if result.reason:
        report.heldout_text.append(f"Maskinens samsvar med forskerne på nye informanter er ikke beregnet: "
                                   f"{result.reason}.")
        return
    coder = result.coder
    micro, turn = result.score("segment", "micro"), result.score("turn", "micro")
    report.heldout_text.append(
        f"Maskinens forslag er prøvd på informanter den ikke er trent på: "
        + (f"for hver av de {result.n_informants} informantene {coder} har kodet, er modellen trent på de andre "
           f"informantenes koding og har foreslått koder for denne (leave-one-informant-out). "
           if result.method == METHOD else
           f"de {result.n_informants} informantene {coder} har kodet, er delt i {result.method}; for hver gruppe er "
           f"modellen trent på de andre gruppenes koding og har foreslått koder for denne. ")
        + f"Over {number(result.n_segments)} segmenter er samsvaret "
        f"med {coder} Cohens kappa {decimal(micro.kappa, 2)} og F1 {decimal(micro.f1, 2)} samlet over kodene"
        + (f" (på turnivå, {number(result.n_turns)} turer: kappa {decimal(turn.kappa, 2)})." if turn else "."))
    report.heldout_text.append(
        f"Tallene bygger på bare {result.n_informants} informanter og er usikre: én informant mer eller mindre kan "
        "flytte dem merkbart, og de gjelder intervjuer som ligner dem modellen er trent på. Er kodebokas regler "
        "eller innstillingene justert mens man så på dette tallet, er det for optimistisk. "
        "Der en forsker har avgjort et segment, gjelder uansett forskerens koder.")
    if result.statement:
        report.heldout_text.append(result.statement)
    # Held-out figures only: the machine's agreement on segments it was trained on says nothing of new interviews.
    intervals = {(row.level, "micro" if row.code == ALL_CODES else row.code): row for row in result.intervals}
    rows = []
    for score in result.scores:
        if score.level != "segment":
            continue
        name = "Alle koder" if score.code == "micro" else labels.get(score.code, score.code)
        segment, turn = intervals.get(("segment", score.code)), intervals.get(("turn", score.code))
        rows.append((name, number(score.support), number(score.predicted), decimal(score.precision, 2),
                     decimal(score.recall, 2), decimal(score.f1, 2),
                     _with_interval(segment.kappa, segment.kappa_low, segment.kappa_high) if segment
                     else decimal(score.kappa, 2),
                     _with_interval(segment.alpha, segment.alpha_low, segment.alpha_high) if segment else "–",
                     _with_interval(turn.kappa, turn.kappa_low, turn.kappa_high) if turn else "–"))
    rules_only = ", ".join(labels.get(c, c) for c in sorted(result.rules_only))
    report.heldout_table = Table(
        key="samsvar_maskin", caption=f"Maskin mot {coder} på holdt-ut informanter (segmenter, n = "
                                      f"{number(result.n_segments)}, {result.n_informants} informanter)",
        header=("Kode", f"{coder}: ja", "Maskin: ja", "Presisjon", "Dekning", "F1", "Cohens kappa [95 % KI]",
                "Krippendorffs alfa [95 % KI]", f"Kappa, turer (n = {number(result.n_turns)}) [95 % KI]"),
        rows=tuple(rows), numeric=(False, True, True, True, True, True, True, True, True),
        note=("Presisjon: andelen av maskinens ja som forskeren også ga; dekning: andelen av forskerens ja maskinen "
              "fant. KI: 95 % bootstrap-intervall (1 000 trekninger av enhetene)."
              + (f" Koder med for få eksempler i noen runder ble da foreslått av reglene alene: {rules_only}."
                 if rules_only else "")))


def _with_interval(value: float, low: float, high: float) -> str:
    if value != value:  # NaN: undefined (both coders gave every unit the same value)
        return "–"
    return f"{decimal(value, 2)} [{decimal(low, 2)}–{decimal(high, 2)}]"


def _coder_name(coder: str) -> str:
    return {"model": "maskin", "rules": "regler"}.get(coder, coder)


ANONYMISATION_TYPES = {
    "PERSON": "Personnavn", "ADRESSE": "Adresse", "TELEFON": "Telefonnummer", "FØDSELSNUMMER": "Fødselsnummer",
    "EPOST": "E-postadresse", "KONTONUMMER": "Kontonummer", "STED": "Sted", "ORGANISASJON": "Organisasjon",
    "DATO": "Dato", "SAK": "Saksnummer",
}


def _anonymisation(report: Report, study: Study) -> None:
    """Replaced identifiers by type, from the anonymisation audit: counts only, never an identifier."""
    from ..store import StudyStore

    with StudyStore(study.store_path) as store:
        audit = store.anonymisation_audit()
    if not audit:
        report.anonymisation_text.append("Ingen anonymiseringslogg finnes ennå (kjør «qualpipe run»).")
        return
    replaced: Counter = Counter()
    review: Counter = Counter()
    files = set()
    for file, kind, n_replaced, n_review in audit:
        files.add(file)
        replaced[kind] += n_replaced
        review[kind] += n_review
    kinds = sorted(replaced, key=lambda k: (-replaced[k], k))
    report.anonymisation_table = Table(
        key="anonymisering", caption="Erstattede identifiserende opplysninger etter type",
        header=("Type", "Erstattet", "Sendt til manuell kontroll"),
        rows=tuple((ANONYMISATION_TYPES.get(k, k.capitalize()), str(replaced[k]), str(review[k])) for k in kinds)
        + (("I alt", str(sum(replaced.values())), str(sum(review.values()))),),
        numeric=(False, True, True),
        note="Bare antall: selve opplysningene og nøkkelen finnes bare i studiens private mappe.")
    report.anonymisation_text.append(
        f"Alle {len(files)} transkripsjoner er anonymisert før koding: navn, adresser, telefonnumre, "
        f"fødselsnumre og andre identifiserende opplysninger er {report.replaced_with}. Den samme personen får "
        "samme erstatning i alle intervjuer. Funn anonymiseringen var usikker på, er sendt til manuell kontroll.")


# ------------------------------------------------------------------ one chapter per code


def _chapters(report: Report, study: Study, data: StudyData, codebook, comparison, names: _Names) -> None:
    settings = study.settings.report
    definitions = {c.id: c.definition for c in codebook.codes}
    prevalence = comparison.prevalence
    tests = comparison.tests
    members = {g: [i for i in data.informants if i.group == g] for g in comparison.groups}
    for code in comparison.codes:
        label = comparison.code_labels[code]
        part = prevalence[prevalence.code == code].set_index("group")
        everyone = part.loc[_all_groups()]
        lead = (f"{n_of(int(everyone.informants_with_code), int(everyone.informants_in_group))} informanter "
                f"({pct(int(everyone.informants_with_code), int(everyone.informants_in_group))}) omtaler temaet, "
                f"i til sammen {int(everyone.coded_segments)} segmenter.")
        rows = []
        for g in [*comparison.groups, _all_groups()]:
            r = part.loc[g]
            n, total = int(r.informants_with_code), int(r.informants_in_group)
            name = "Alle" if g == _all_groups() else names.group(g) + (" *" if bool(r.small_group) else "")
            per_1000 = "–" if r.per_1000_words != r.per_1000_words else number(float(r.per_1000_words), 1)
            rows.append((name, n_of(n, total), pct(n, total), str(int(r.coded_segments)), per_1000))
        small_note = (f" * Liten gruppe (færre enn {comparison.small_group_below} informanter): svært usikre tall."
                      if comparison.small_groups else "")
        table = Table(
            key=f"tema_{code}", caption=f"{label}: utbredelse per gruppe",
            header=("Gruppe", "Informanter", "Andel", "Segmenter", "Kodede ord per 1 000 ord"),
            rows=tuple(rows), numeric=(False, True, True, True, True),
            note="Kodede ord per 1 000 ord: hvor stor del av det gruppen sa som handler om temaet." + small_note)
        code_tests = tests[tests.code == code] if not tests.empty else tests
        order = {g: k for k, g in enumerate(comparison.groups)}
        differences = tuple(
            _difference_sentence(r, names.group(r.group))
            for r in sorted(_made(code_tests).itertuples(index=False), key=lambda r: order.get(r.group, len(order))))
        quotes = []
        for g in comparison.groups:
            chosen = choose_quotes(
                code, members[g], data.segments, data.codes, data.human_decided, data.confidence,
                study.settings.group_labels, per_group=settings.quotes_per_group,
                min_words=settings.quote_min_words, max_words=settings.quote_max_words)
            quotes.append(QuoteGroup(group=g, name=names.group(g), quotes=tuple(chosen)))
        report.chapters.append(CodeChapter(
            code=code, label=label, definition=definitions.get(code, ""), lead=lead, prevalence=table,
            differences=differences, untested=_untested(code_tests, comparison, names), quotes=tuple(quotes)))


# ------------------------------------------------------------------ Fellestrekk og forskjeller


def _stage_figure(study: Study, figure, alt: str, caption: str) -> ReportFigure:
    """A figure another stage wrote (its PNG on disk), checked to be the one its results describe."""
    import hashlib

    from ..errors import QualpipeError

    path = study.reports_dir / "figures" / figure.name
    png = path.read_bytes() if path.exists() else None
    if png is None or hashlib.sha256(png).hexdigest() != figure.sha256:
        raise QualpipeError("figure is missing or does not match the comparison results; run `qualpipe compare` "
                            "(or `qualpipe run`)", path)
    return ReportFigure(name=figure.name, alt=alt, caption=caption, png=png, text=figure.text, external=True)


def _patterns(report: Report, study: Study, compared, names: _Names) -> None:
    comparison, clustering = compared.comparison, compared.clustering
    prevalence = comparison.prevalence.set_index(["code", "group"])

    def cells(show) -> str:
        return "; ".join(
            f"{comparison.code_labels[c]}: " + ", ".join(
                f"{names.group(g)} {show(prevalence.loc[(c, g)])}" for g in comparison.groups)
            for c in comparison.codes)

    per_1000 = cells(lambda r: f"{_per_1000(float(r.per_1000_words))} per 1\u00a0000 ord "
                               f"({int(r.informants_with_code)}/{int(r.informants_in_group)})")
    shares = cells(lambda r: pct(int(r.informants_with_code), int(r.informants_in_group)))
    report.patterns_figures.append(_stage_figure(
        study, compared.figures["heatmap"],
        alt=f"Varmekart over kodede ord per 1 000 ord, tema mot gruppe (informanter som omtaler temaet i "
            f"parentes). {per_1000}.",
        caption="Hvor mye av det hver gruppe sa som handler om hvert tema (kodede ord per 1 000 ord; n/N "
                "informanter som omtaler temaet)."))
    report.patterns_figures.append(_stage_figure(
        study, compared.figures["prevalence"],
        alt=f"Liggende søylediagram, andel informanter per gruppe som omtaler hvert tema. {shares}.",
        caption="Temaenes utbredelse per gruppe (andel informanter; skraverte søyler er små grupper)."))

    k = clustering.k
    silhouette = clustering.silhouette_by_k.get(k)
    ari = clustering.adjusted_rand
    text = (f"Informantene er også gruppert etter sine kodeprofiler alene (hvor mye av det hver informant sa "
            f"som handler om hvert tema), uten å vite hvilken gruppe de tilhører. Hierarkisk klynging "
            f"({clustering.method}) gir {k} klynge{'r' if k != 1 else ''}")
    if silhouette is not None:
        text += f" (antallet er valgt etter høyest gjennomsnittlig silhuett, {decimal(silhouette, 2)})"
    text += "."
    if ari is not None:
        agreement = ("liten" if ari < 0.2 else "moderat" if ari < 0.5 else "stor")
        text += (f" Justert Rand-indeks mellom klyngene og gruppene er {decimal(ari, 2)} (0 = ikke mer samsvar "
                 f"enn tilfeldig, 1 = fullt samsvar): {agreement} overensstemmelse mellom kodeprofil og gruppe.")
    report.patterns_text.append(text)
    report.patterns_text.extend(n for n in clustering.notes)
    leaves = ", ".join(f"{i} ({names.group(clustering.groups_of.get(i) or '')}, klynge {clustering.labels[i]})"
                       for i in clustering.dendrogram["ivl"])
    report.patterns_figures.append(_stage_figure(
        study, compared.figures["dendrogram"],
        alt=f"Dendrogram over informantene etter kodeprofil, delt i {k} klynger. Blader fra venstre: {leaves}.",
        caption="Informantene gruppert etter kodeprofil (hierarkisk klynging); stiplet linje viser snittet."))
    contingency = clustering.contingency
    columns = list(contingency.columns)
    rows = []
    for cluster, row in contingency.iterrows():
        counts = [int(row[c]) for c in columns]
        rows.append((f"Klynge {cluster}", *(str(v) for v in counts), str(sum(counts))))
    report.cluster_table = Table(
        key="klynger", caption="Klynger etter kodeprofil mot grupper (antall informanter)",
        header=("Klynge", *(names.group(c) for c in columns), "I alt"), rows=tuple(rows),
        numeric=(False, *([True] * (len(columns) + 1))))

    co = comparison.cooccurrence
    # Pairs of different codes only (the table's diagonal repeats each code's own count).
    overall = co[(co.group == _all_groups()) & (co.code_a != co.code_b)] if not co.empty else co
    if not overall.empty:
        top = overall.sort_values(["segments", "informants", "code_a", "code_b"],
                                  ascending=[False, False, True, True], kind="mergesort").head(6)
        report.cooccurrence_table = Table(
            key="samforekomst", caption="Temaer som omtales sammen (samme segment)",
            header=("Tema", "Sammen med", "Segmenter", "Informanter"),
            rows=tuple((comparison.code_labels.get(r.code_a, r.code_a), comparison.code_labels.get(r.code_b, r.code_b),
                        str(int(r.segments)), str(int(r.informants))) for r in top.itertuples(index=False)),
            numeric=(False, False, True, True))


# ------------------------------------------------------------------ emergent topics


def _topics(report: Report, study: Study, data: StudyData, result, code_labels: dict[str, str]) -> None:
    """The topics stage's persisted result (BERTopic fits once per run, in that stage)."""
    settings = study.settings.topics
    by_id = {i.id: i for i in data.informants}
    report.topics_text.append(
        f"BERTopic har funnet {len(result.topics)} temaer i {number(result.n_documents)} tekstbiter fra "
        f"{number(result.n_segments)} informantsegmenter, uten å se på kodeboka. Bare temaer med minst "
        f"{settings.min_topic_size} tekstbiter er tatt med. Hvert emergent tema sammenlignes etterpå med kodene: "
        "et tema som ingen kode dekker godt, er en kandidat til en ny kode.")
    report.topics_text.extend(result.notes)
    if not result.topics:
        return
    rows = []
    for topic in result.topics:
        best = (f"{code_labels.get(topic.best_code, topic.best_code)} ({pct(round(100 * topic.best_code_share), 100)})"
                if topic.best_code else "–")
        rows.append((topic.label, str(topic.documents), str(topic.informants), best,
                     "ja" if topic.candidate_new_code else "nei"))
    report.topics_table = Table(
        key="emner", caption="Emergente temaer (BERTopic)",
        header=("Tema (viktigste ord)", "Tekstbiter", "Informanter", "Best dekket av kode (andel)", "Kandidat"),
        rows=tuple(rows), numeric=(False, True, True, False, False),
        note=f"Kandidat: ingen kode dekker minst {pct(round(100 * settings.code_overlap_min), 100)} av temaets tekstbiter.")
    group_labels = study.settings.group_labels
    for topic in result.candidates:
        examples = tuple(
            Quote(segment_id=doc.doc_id, informant_id=doc.informant_id, text=_shorten(doc.text, 45),
                  attribution=attribution(by_id[doc.informant_id], group_labels) if doc.informant_id in by_id
                  else doc.informant_id, human=False, confidence=0.0)
            for doc in topic.representative[:2])
        report.candidates.append(TopicCandidate(
            label=topic.label, words=", ".join(word for word, _ in topic.top_lemmas), examples=examples))


def _shorten(text: str, words: int) -> str:
    parts = text.split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + " …"


# ------------------------------------------------------------------ context figures


def _context(report: Report, study: Study) -> None:
    for table in read_context_tables(study.context_dir):
        report.context.append(_context_section(table))


def _context_section(table: ContextTable) -> ContextSection:
    first = table.columns[0]
    header = (first[:1].upper() + first[1:], *(c[:1].upper() + c[1:] for c in table.columns[1:]))
    rows = [(category, *(number(column[row], decimals) for column, decimals in zip(table.values, table.decimals)))
            for row, category in enumerate(table.categories)]
    if table.total:
        rows.append(("Sum", *(number(total, d) for total, d in zip(table.totals(), table.decimals))))
    caption = table.title + (f" ({table.unit})" if table.unit else "")
    return ContextSection(
        title=table.title, source=table.source, note=table.note,
        table=Table(key=f"kontekst_{table.name}", caption=caption, header=header, rows=tuple(rows),
                    numeric=(False, *([True] * (len(header) - 1))), note=f"Kilde: {table.source}."),
        figure=context_figure(table))


# ------------------------------------------------------------------ appendix


def _appendix(report: Report, data: StudyData, codebook, comparison, clustering, names: _Names) -> None:
    for code in codebook.codes:
        report.codebook.append(CodebookEntry(
            id=code.id, label=code.label, definition=code.definition, parent=code.parent,
            include=tuple(code.include), exclude=tuple(code.exclude),
            positive=tuple(code.examples.positive), negative=tuple(code.examples.negative)))
    codes = comparison.codes
    segments_of: Counter = Counter()
    coded_of: Counter = Counter()
    words_of: Counter = Counter()
    for s in data.segments:
        segments_of[s.informant_id] += 1
        words_of[s.informant_id] += len(s.text.split())
        for code in data.codes.get(s.segment_id, ()):
            coded_of[s.informant_id, code] += 1
    rows = []
    for informant in data.informants:
        cluster = clustering.labels.get(informant.id)
        rows.append((informant.id, names.group(informant.group), "–" if cluster is None else str(cluster),
                     str(segments_of[informant.id]), number(words_of[informant.id]),
                     *(str(coded_of[informant.id, c]) for c in codes)))
    report.profiles_table = Table(
        key="profiler", caption="Hver informants kodeprofil (antall kodede segmenter per tema)",
        header=("ID", "Gruppe", "Klynge", "Segmenter", "Ord", *(comparison.code_labels[c] for c in codes)),
        rows=tuple(rows), numeric=(False, False, True, True, True, *([True] * len(codes))),
        note="Klynge: klyngen informanten havner i når informantene grupperes etter kodeprofil.")
