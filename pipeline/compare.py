"""Compare codes across informant groups, and cluster informants by their code profiles.

Two layers, kept apart so the statistics can be tested on hand-made tables:

* pure functions on plain data (:func:`compare_groups`, :func:`cluster_informants`,
  :func:`fisher_exact_2x2`, :func:`holm`) — records and dicts in, dataclasses
  holding pandas DataFrames out, no I/O;
* the stage :func:`compare_stage`, which reads the :class:`StudyStore`, writes
  tidy CSV to ``reports/tables/`` and PNG figures to ``reports/figures/``.

Units. An informant "mentions" a code when at least one of their informant
segments carries it (effective codes, see :mod:`pipeline.coding.effective`).
Words are whitespace-separated tokens of the anonymised informant segments
(the same count ``qualpipe status`` shows); "coded words per 1 000 words" is
the words of a group's segments carrying the code per 1 000 words that group's
informants said.

Tests are honest about small n: per code, a group against all other informants
(informant level, 2×2) with Fisher's exact test, exact two-sided p, the n of
both sides, Holm's correction across the codes tested for that group, and a
``small_group`` flag where the group has fewer informants than
``settings.report.small_group_warning_below``. A test is only made where it
can inform: with the group sizes and the number of informants who mention the
code, some distribution must be able to reach p <= 0.05 (``min_p``, the
smallest p these margins allow). Otherwise ``tested`` is false and p is empty:
a group of 1 against 17, or a code everyone mentions, can never differ
"significantly", and a column of "p = 1" only looks like evidence of sameness.

The stage persists both results as typed records (``reports/tables/compare.json``,
see :mod:`pipeline.results`) beside the CSVs and figures; the report reads them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import parallel
from .analysis import NOTHING_YET, AnalysisInput, content_hash, load_analysis_input
from .norwegian import decimal
from .plotting import PALETTE, SEQUENTIAL, STYLE, colour, norwegian_ticks, png_and_text
from .progress import Track, no_progress
from .records import Informant, Segment
from .results import StageFigure, frame_from_json, frame_to_json, number_from, plain, read_result, result_text
from .settings import Study

# Label of the whole-sample rows in per-group tables (co-occurrence overall).
ALL_GROUPS = "(alle)"

PREVALENCE_COLUMNS = [
    "code", "label", "group", "informants_with_code", "informants_in_group", "pct_informants",
    "coded_segments", "coded_words", "informant_words", "per_1000_words", "small_group",
]
TOP_CODES_COLUMNS = [
    "group", "rank", "code", "label", "informants_with_code", "informants_in_group", "pct_informants",
    "per_1000_words",
]
COOCCURRENCE_COLUMNS = ["group", "code_a", "code_b", "segments", "informants"]
TEST_COLUMNS = [
    "code", "label", "group", "with_code_in_group", "n_group", "with_code_in_rest", "n_rest",
    "pct_group", "pct_rest", "odds_ratio", "min_p", "tested", "p_value", "p_holm", "small_group", "test",
]
# A test is made only where these margins allow p at or below this.
INFORMATIVE_P = 0.05
CLUSTER_COLUMNS = ["informant_id", "cluster", "group"]


@dataclass(frozen=True)
class GroupComparison:
    """Codes per group of one informant attribute (``by``).

    DataFrames are tidy (one row per observation) and sorted; their columns are
    the ``*_COLUMNS`` lists above. ``codes`` is in codebook order; ``groups`` in
    the study's declared order for ``group``, else sorted naturally.
    """

    by: str
    groups: list[str]
    group_sizes: dict[str, int]  # informants per group (only informants with a value)
    codes: list[str]
    code_labels: dict[str, str]
    prevalence: pd.DataFrame  # PREVALENCE_COLUMNS: one row per code × group
    top_codes: pd.DataFrame  # TOP_CODES_COLUMNS: the most widespread codes of each group
    cooccurrence: pd.DataFrame  # COOCCURRENCE_COLUMNS: segments/informants with both codes; group ALL_GROUPS = overall
    tests: pd.DataFrame  # TEST_COLUMNS: Fisher exact per code, group vs the rest, Holm-adjusted per group
    small_group_below: int
    excluded_informants: list[str] = field(default_factory=list)  # no value for ``by``
    notes: list[str] = field(default_factory=list)  # Norwegian lines for the researcher
    group_names: dict[str, str] = field(default_factory=dict)  # display names (figures), e.g. from study.yaml

    def group_name(self, group: str) -> str:
        return self.group_names.get(group, group)

    @property
    def small_groups(self) -> list[str]:
        """Groups with fewer informants than the warning threshold."""
        return [g for g in self.groups if self.group_sizes[g] < self.small_group_below]


@dataclass(frozen=True)
class InformantClustering:
    """Hierarchical clustering of informants' code profiles, compared with declared groups.

    ``profiles``: index informant id (sorted naturally), one column per code,
    value = coded words per 1 000 of the informant's words. ``linkage`` is the
    scipy linkage matrix over those rows; ``dendrogram`` is
    ``scipy.cluster.hierarchy.dendrogram(..., no_plot=True)`` output
    (``icoord``, ``dcoord``, ``ivl`` = leaf informant ids, ``leaves``).
    ``labels``: informant id -> cluster number 1..k. ``k`` maximises the mean
    silhouette over ``silhouette_by_k`` (ties: the smaller k).
    """

    informant_ids: list[str]
    profiles: pd.DataFrame
    method: str
    metric: str
    linkage: np.ndarray
    dendrogram: dict
    silhouette_by_k: dict[int, float]
    k: int
    labels: dict[str, int]
    by: str
    contingency: pd.DataFrame  # index cluster, columns groups of ``by``, informant counts
    adjusted_rand: float | None  # None where fewer than two clusters or groups
    notes: list[str] = field(default_factory=list)

    groups_of: dict[str, str | None] = field(default_factory=dict)  # informant id -> value of ``by``

    @property
    def assignments(self) -> pd.DataFrame:
        """CLUSTER_COLUMNS: informant id, cluster, declared group (empty where missing)."""
        return pd.DataFrame(
            [(i, self.labels[i], self.groups_of.get(i) or "") for i in self.informant_ids],
            columns=CLUSTER_COLUMNS,
        )



# Where the stage writes, relative to the study root.
TABLES_DIR = ("reports", "tables")
FIGURES_DIR = ("reports", "figures")

MISSING_VALUE = "(mangler)"
SHARED_MODE = 0o644


# ------------------------------------------------------------------ pure helpers


def informant_value(informant: Informant, by: str) -> str | None:
    """The informant's value of attribute ``by`` (``group`` or any table column); None if empty."""
    value = informant.group if by == "group" else informant.attributes.get(by, "")
    value = (value or "").strip()
    return value or None


def fisher_exact_2x2(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    """Two-sided Fisher's exact test of [[a, b], [c, d]] -> (odds ratio, exact p).

    Rows: in group / rest; columns: with code / without. The odds ratio is the
    sample one (``inf`` or ``nan`` where a cell is zero), p as scipy computes it.
    """
    from scipy.stats import fisher_exact

    if min(a, b, c, d) < 0:
        raise ValueError(f"negative count in 2x2 table {[[a, b], [c, d]]}")
    result = fisher_exact([[a, b], [c, d]], alternative="two-sided")
    return float(result.statistic), float(min(1.0, result.pvalue))


def min_achievable_p(n_group: int, n_rest: int, n_with: int) -> float:
    """The smallest two-sided Fisher p any 2×2 table with these margins can give.

    Margins: ``n_group`` and ``n_rest`` informants, ``n_with`` of all of them
    mention the code. Fisher's test conditions on exactly these margins, so
    if even the most lopsided table cannot reach p <= 0.05, no data could.
    """
    from scipy.stats import hypergeom

    total = n_group + n_rest
    low, high = max(0, n_with - n_rest), min(n_group, n_with)
    if total == 0 or high <= low:
        return 1.0
    pmf = hypergeom.pmf(np.arange(low, high + 1), total, n_with, n_group)
    # Two-sided p of a table = the probability of all tables no more likely than it (scipy's rule);
    # the least likely table has the smallest p.
    least = pmf.min()
    return float(min(1.0, pmf[pmf <= least * (1 + 1e-7)].sum()))


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p values (same order as given, capped at 1, monotone)."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: (pvalues[i], i))
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[index]))
        adjusted[index] = running
    return adjusted


def _code_labels(codebook_codes: Mapping[str, str] | Sequence[str]) -> dict[str, str]:
    if isinstance(codebook_codes, Mapping):
        return {str(k): str(v or k) for k, v in codebook_codes.items()}
    return {str(c): str(c) for c in codebook_codes}


def _words(text: str) -> int:
    # The same count as `qualpipe status`, so the per-1000 figures add up with it.
    return len(text.split())


def _natural_sorted(values) -> list[str]:
    from .store import natural_key

    return sorted(values, key=natural_key)


@dataclass(frozen=True)
class _Prepared:
    """Informants with a value for ``by``, their segments and codes, shared by the analyses."""

    by: str
    informants: list[Informant]  # with a value, sorted by id
    value_of: dict[str, str]
    groups: list[str]
    codes: list[str]
    labels: dict[str, str]
    segments: list[Segment]  # informant segments of the included informants
    codes_of: dict[str, frozenset[str]]  # segment id -> effective codes (codebook and unknown)
    words_of: dict[str, int]  # segment id -> words
    excluded: list[str]
    notes: list[str]


def _prepare(informants, segments, codes_by_segment, codebook_codes, by, group_order=(),
             keep_missing: bool = False) -> _Prepared:
    from .errors import QualpipeError

    if by != "group" and not any(by in i.attributes for i in informants):
        known = sorted({k for i in informants for k in i.attributes})
        raise QualpipeError(
            f"unknown informant attribute '{by}' (known: {', '.join(['group', *known])})",
            "data/raw/informants.csv")
    notes: list[str] = []
    all_sorted = sorted(informants, key=lambda i: _natural_key(i.id))
    value_of = {i.id: informant_value(i, by) for i in all_sorted}
    excluded = [i.id for i in all_sorted if value_of[i.id] is None]
    if excluded:
        notes.append(
            f"{len(excluded)} av {len(all_sorted)} informanter mangler verdi for '{by}' og er holdt utenfor "
            f"sammenligningen ({', '.join(excluded)}).")
    kept = all_sorted if keep_missing else [i for i in all_sorted if value_of[i.id] is not None]
    present = {value_of[i.id] for i in kept if value_of[i.id] is not None}
    groups = [g for g in group_order if g in present]
    groups += _natural_sorted(present - set(groups))

    labels = _code_labels(codebook_codes)
    kept_ids = {i.id for i in kept}
    informant_segments = [s for s in segments if s.speaker == "informant" and s.informant_id in kept_ids]
    codes_of = {s.segment_id: frozenset(codes_by_segment.get(s.segment_id, ())) for s in informant_segments}
    used = set().union(*codes_of.values()) if codes_of else set()
    unknown = _natural_sorted(used - set(labels))
    if unknown:
        notes.append(f"Koder som ikke står i kodeboka er tatt med til slutt: {', '.join(unknown)}.")
    codes = [*labels, *unknown]
    labels = {**labels, **{c: c for c in unknown}}
    words_of = {s.segment_id: _words(s.text) for s in informant_segments}
    return _Prepared(by, kept, {k: v for k, v in value_of.items() if v is not None}, groups, codes, labels,
                     informant_segments, codes_of, words_of, excluded, notes)


def _natural_key(value: str):
    from .store import natural_key

    return natural_key(value)


# ------------------------------------------------------------------ comparison


def compare_groups(
    informants: Sequence[Informant],
    segments: Sequence[Segment],
    codes_by_segment: Mapping[str, frozenset[str] | set[str]],
    codebook_codes: Mapping[str, str] | Sequence[str],
    by: str = "group",
    small_group_below: int = 5,
    top_n: int = 5,
    group_order: Sequence[str] = (),
    group_names: Mapping[str, str] | None = None,
) -> GroupComparison:
    """Prevalence, top codes, co-occurrence and Fisher tests of codes across groups of ``by``.

    ``segments``: anonymised segments (interviewer segments are ignored).
    ``codes_by_segment``: effective codes. ``codebook_codes``: code id -> label
    (or a list of ids) in codebook order; codes found in ``codes_by_segment``
    but not in the codebook are kept, after the codebook's, with a note.
    Informants without a value for ``by`` are left out with a note saying how
    many. An attribute no informant has raises :class:`QualpipeError`.

    ``prevalence`` also has rows for group ``ALL_GROUPS`` (every included
    informant); ``top_codes`` and ``tests`` have per-group rows only. Codes no
    included informant mentions are not tested (they would only make Holm's
    correction stricter without any chance of a difference).
    """
    prep = _prepare(informants, segments, codes_by_segment, codebook_codes, by, group_order)
    members = {g: [i.id for i in prep.informants if prep.value_of[i.id] == g] for g in prep.groups}
    sizes = {g: len(ids) for g, ids in members.items()}
    group_of = prep.value_of

    # informant -> codes mentioned; group -> code -> segments, words
    mentioned: dict[str, set[str]] = {i.id: set() for i in prep.informants}
    words_in: dict[str, int] = {g: 0 for g in prep.groups}
    seg_count: dict[tuple[str, str], int] = {}
    word_count: dict[tuple[str, str], int] = {}
    for s in prep.segments:
        g = group_of[s.informant_id]
        words = prep.words_of[s.segment_id]
        words_in[g] += words
        for code in prep.codes_of[s.segment_id]:
            mentioned[s.informant_id].add(code)
            seg_count[code, g] = seg_count.get((code, g), 0) + 1
            word_count[code, g] = word_count.get((code, g), 0) + words

    def prevalence_row(code: str, group: str, ids: list[str], segs: int, coded: int, total: int) -> list:
        n_with = sum(1 for i in ids if code in mentioned[i])
        n = len(ids)
        return [code, prep.labels[code], group, n_with, n, 100.0 * n_with / n if n else float("nan"),
                segs, coded, total, 1000.0 * coded / total if total else float("nan"), n < small_group_below]

    rows = []
    for code in prep.codes:
        for g in prep.groups:
            rows.append(prevalence_row(code, g, members[g], seg_count.get((code, g), 0),
                                       word_count.get((code, g), 0), words_in[g]))
        rows.append(prevalence_row(
            code, ALL_GROUPS, [i.id for i in prep.informants],
            sum(seg_count.get((code, g), 0) for g in prep.groups),
            sum(word_count.get((code, g), 0) for g in prep.groups), sum(words_in.values())))
    prevalence = pd.DataFrame(rows, columns=PREVALENCE_COLUMNS)

    # Top codes: most informants first, then most words per 1000, then codebook order.
    order = {c: k for k, c in enumerate(prep.codes)}
    top_rows = []
    for g in prep.groups:
        part = prevalence[(prevalence.group == g) & (prevalence.informants_with_code > 0)]
        ranked = sorted(part.itertuples(index=False),
                        key=lambda r: (-r.informants_with_code, -r.per_1000_words, order[r.code]))
        for rank, r in enumerate(ranked[:top_n], start=1):
            top_rows.append([g, rank, r.code, r.label, r.informants_with_code, r.informants_in_group,
                             r.pct_informants, r.per_1000_words])
    top_codes = pd.DataFrame(top_rows, columns=TOP_CODES_COLUMNS)

    cooccurrence = _cooccurrence(prep, order)
    tests = _tests(prep, members, mentioned, small_group_below)
    notes = list(prep.notes)
    small = [g for g in prep.groups if sizes[g] < small_group_below]
    if small:
        notes.append("Små grupper (færre enn " f"{small_group_below} informanter): "
                     + ", ".join(f"{g} (n={sizes[g]})" for g in small)
                     + ". Andeler og tester for disse er svært usikre.")
    return GroupComparison(
        by=by, groups=prep.groups, group_sizes=sizes, codes=prep.codes, code_labels=prep.labels,
        prevalence=prevalence, top_codes=top_codes, cooccurrence=cooccurrence, tests=tests,
        small_group_below=small_group_below, excluded_informants=prep.excluded, notes=notes,
        group_names=dict(group_names or {}),
    )


def _cooccurrence(prep: _Prepared, order: dict[str, int]) -> pd.DataFrame:
    """Segments (and informants) carrying both codes; the diagonal counts the code alone."""
    segments: dict[tuple[str, str, str], int] = {}
    informants: dict[tuple[str, str, str], set[str]] = {}
    for s in prep.segments:
        codes = sorted(prep.codes_of[s.segment_id], key=order.__getitem__)
        for x, a in enumerate(codes):
            for b in codes[x:]:
                for g in (prep.value_of[s.informant_id], ALL_GROUPS):
                    key = (g, a, b)
                    segments[key] = segments.get(key, 0) + 1
                    informants.setdefault(key, set()).add(s.informant_id)
    group_rank = {g: k for k, g in enumerate([ALL_GROUPS, *prep.groups])}
    keys = sorted(segments, key=lambda k: (group_rank[k[0]], order[k[1]], order[k[2]]))
    return pd.DataFrame([[g, a, b, segments[g, a, b], len(informants[g, a, b])] for g, a, b in keys],
                        columns=COOCCURRENCE_COLUMNS)


def _tests(prep: _Prepared, members: dict[str, list[str]], mentioned: dict[str, set[str]],
           small_group_below: int) -> pd.DataFrame:
    rows = []
    if len(prep.groups) < 2:
        return pd.DataFrame(rows, columns=TEST_COLUMNS)
    total = len(prep.informants)
    testable = [c for c in prep.codes if any(c in m for m in mentioned.values())]
    for g in prep.groups:
        ids = set(members[g])
        n_group, n_rest = len(ids), total - len(ids)
        group_rows = []
        for code in testable:
            a = sum(1 for i in ids if code in mentioned[i])
            c = sum(1 for i, m in mentioned.items() if i not in ids and code in m)
            smallest = min_achievable_p(n_group, n_rest, a + c)
            tested = smallest <= INFORMATIVE_P
            odds, p = fisher_exact_2x2(a, n_group - a, c, n_rest - c) if tested else (float("nan"), float("nan"))
            group_rows.append([code, prep.labels[code], g, a, n_group, c, n_rest,
                               100.0 * a / n_group, 100.0 * c / n_rest if n_rest else float("nan"),
                               odds, smallest, tested, p, float("nan"), n_group < small_group_below,
                               "fisher_exact_two_sided" if tested else "none"])
        # Holm over the tests actually made: an impossible test only makes the others stricter.
        made = [r for r in group_rows if r[11]]
        for row, adjusted in zip(made, holm([r[12] for r in made])):
            row[13] = adjusted
        rows.extend(group_rows)
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


# ------------------------------------------------------------------ clustering


def informant_profiles(
    informants: Sequence[Informant],
    segments: Sequence[Segment],
    codes_by_segment: Mapping[str, frozenset[str] | set[str]],
    codebook_codes: Mapping[str, str] | Sequence[str],
) -> pd.DataFrame:
    """Informant × code matrix of coded words per 1 000 of the informant's words."""
    prep = _prepare(informants, segments, codes_by_segment, codebook_codes, "group")
    return _profiles(prep)


def _profiles(prep: _Prepared) -> pd.DataFrame:
    ids = [i.id for i in prep.informants]
    column = {c: k for k, c in enumerate(prep.codes)}
    row = {i: k for k, i in enumerate(ids)}
    coded = np.zeros((len(ids), len(prep.codes)))
    words = np.zeros(len(ids))
    for s in prep.segments:
        n = prep.words_of[s.segment_id]
        words[row[s.informant_id]] += n
        for code in prep.codes_of[s.segment_id]:
            coded[row[s.informant_id], column[code]] += n
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(words[:, None] > 0, 1000.0 * coded / np.maximum(words, 1)[:, None], 0.0)
    frame = pd.DataFrame(values, index=pd.Index(ids, name="informant_id"), columns=prep.codes)
    return frame


def cluster_informants(
    informants: Sequence[Informant],
    segments: Sequence[Segment],
    codes_by_segment: Mapping[str, frozenset[str] | set[str]],
    codebook_codes: Mapping[str, str] | Sequence[str],
    by: str = "group",
    max_clusters: int = 6,
    method: str = "ward",
    group_order: Sequence[str] = (),
) -> InformantClustering:
    """Cluster informants by code profile; k by silhouette; compare with the groups of ``by``.

    Deterministic: informants sorted by id, scipy's hierarchical clustering
    (no random start), ties in k broken towards fewer clusters. Every informant
    is clustered; those without a value for ``by`` appear in the contingency
    table as ``(mangler)`` and are left out of the adjusted Rand index.
    Informants with no informant words are left out (with a note).
    """
    from scipy.cluster.hierarchy import dendrogram, fcluster, linkage
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    prep = _prepare(informants, segments, codes_by_segment, codebook_codes, by, group_order, keep_missing=True)
    notes = [n for n in prep.notes if "holdt utenfor" not in n]
    profiles = _profiles(prep)
    spoken = {s.informant_id for s in prep.segments if prep.words_of[s.segment_id] > 0}
    silent = [i for i in profiles.index if i not in spoken]
    if silent:
        notes.append(f"{len(silent)} informanter uten informantord er holdt utenfor klyngingen: {', '.join(silent)}.")
        profiles = profiles.drop(index=silent)
    ids = list(profiles.index)
    n = len(ids)
    values = profiles.to_numpy()
    metric = "euclidean"
    silhouettes: dict[int, float] = {}
    if n >= 2:
        Z = linkage(values, method=method, metric=metric)
        tree = dendrogram(Z, labels=ids, no_plot=True)
    else:
        Z = np.zeros((0, 4))
        tree = {"icoord": [], "dcoord": [], "ivl": ids, "leaves": list(range(n)), "color_list": [],
                "leaves_color_list": []}
    for k in range(2, min(max_clusters, n - 1) + 1):
        labels = fcluster(Z, t=k, criterion="maxclust")
        if len(set(labels)) < 2 or len(set(labels)) > n - 1:
            continue
        # Ten decimals: the last digits of a float sum depend on the machine's BLAS, and compare.json
        # is a committed output that must be the same bytes wherever the study is run.
        silhouettes[k] = round(float(silhouette_score(values, labels, metric=metric)), 10)
    if silhouettes:
        best = max(silhouettes.values())
        # Exact float ties are rare; round so near-ties go to the smaller, simpler k.
        k = min(k for k, v in silhouettes.items() if round(v, 10) == round(best, 10))
        cluster_of = fcluster(Z, t=k, criterion="maxclust")
        labels = {i: int(c) for i, c in zip(ids, cluster_of)}
    else:
        k = 1
        labels = {i: 1 for i in ids}
        notes.append(f"For få informanter ({n}) eller for like kodeprofiler til å velge antall klynger; "
                     "alle er lagt i én klynge.")
    # Number clusters by their first leaf in the dendrogram, so figure and table read in the same order.
    renumber: dict[int, int] = {}
    for leaf in tree["ivl"]:
        renumber.setdefault(labels[leaf], len(renumber) + 1)
    labels = {i: renumber[c] for i, c in labels.items()}

    groups_of = {i: prep.value_of.get(i) for i in ids}
    columns = list(prep.groups) + ([MISSING_VALUE] if any(v is None for v in groups_of.values()) else [])
    contingency = pd.DataFrame(0, index=pd.Index(range(1, k + 1), name="cluster"), columns=columns)
    for i in ids:
        contingency.loc[labels[i], groups_of[i] or MISSING_VALUE] += 1
    known = [i for i in ids if groups_of[i] is not None]
    ari = float(adjusted_rand_score([groups_of[i] for i in known], [labels[i] for i in known])) \
        if len(known) >= 2 else None
    return InformantClustering(
        informant_ids=ids, profiles=profiles, method=method, metric=metric, linkage=Z, dendrogram=tree,
        silhouette_by_k=silhouettes, k=k, labels=labels, by=by, contingency=contingency,
        adjusted_rand=ari, notes=notes, groups_of=groups_of,
    )


# ------------------------------------------------------------------ figures


def _short(text: str, width: int = 42) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _by_label(by: str) -> str:
    """The attribute's name in a figure: Norwegian for the built-in one."""
    return "gruppe" if by == "group" else by


def _group_tick(comparison: GroupComparison, group: str) -> str:
    star = "*" if comparison.group_sizes[group] < comparison.small_group_below else ""
    return f"{comparison.group_name(group)}{star}\n(n={comparison.group_sizes[group]})"


def _small_note(comparison: GroupComparison) -> str:
    if not comparison.small_groups:
        return ""
    return f"* Færre enn {comparison.small_group_below} informanter i gruppen: tolk andelene med stor varsomhet."


def plot_heatmap(comparison: GroupComparison):
    """Code × group heatmap of intensity: coded words per 1 000 informant words.

    Colour shows how much of what a group said is coded with each code; each
    cell also shows how many informants mention the code (n/N). Intensity is
    what distinguishes groups once almost every informant touches every theme.
    """
    import matplotlib
    from matplotlib.figure import Figure

    codes, groups = comparison.codes, comparison.groups
    table = comparison.prevalence.set_index(["code", "group"])
    values = np.array([[table.loc[(c, g), "per_1000_words"] for g in groups] for c in codes], dtype=float)
    values = np.nan_to_num(values)
    top = float(np.ceil(values.max() / 50.0) * 50.0) if values.size and values.max() > 0 else 1.0
    # Sizes in inches, fixed per code and group, so the same table gives the same picture.
    left, cell_w, right = 3.0, 1.5, 1.4
    bottom, cell_h, top_margin = 1.1, 0.5, 0.6
    width = left + cell_w * max(len(groups), 1) + right
    height = bottom + cell_h * max(len(codes), 1) + top_margin
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((left / width, bottom / height, cell_w * max(len(groups), 1) / width,
                           cell_h * max(len(codes), 1) / height))
        image = ax.imshow(values if values.size else np.zeros((1, 1)), cmap=SEQUENTIAL, vmin=0, vmax=top,
                          aspect="auto")
        ax.set_xticks(range(len(groups)), [_group_tick(comparison, g) for g in groups], fontsize=8)
        ax.set_yticks(range(len(codes)), [_short(comparison.code_labels[c]) for c in codes], fontsize=8)
        for y, c in enumerate(codes):
            for x, g in enumerate(groups):
                n, total = table.loc[(c, g), "informants_with_code"], table.loc[(c, g), "informants_in_group"]
                ax.text(x, y, f"{values[y, x]:.0f} ‰\n{n}/{total} inf.", ha="center", va="center", fontsize=7,
                        color="black" if values[y, x] > 0.55 * top else "white")
        ax.set_title(f"Kodede ord per 1 000 informantord, etter {_by_label(comparison.by)}", fontsize=10)
        cax = fig.add_axes(((left + cell_w * max(len(groups), 1) + 0.2) / width, bottom / height, 0.15 / width,
                            cell_h * max(len(codes), 1) / height))
        colorbar = fig.colorbar(image, cax=cax)
        colorbar.set_label("kodede ord per 1 000 ord", fontsize=8)
        norwegian_ticks(cax.yaxis)
        if comparison.small_groups:
            fig.text(0.01, 0.01, _small_note(comparison), fontsize=7)
    return fig


def plot_prevalence(comparison: GroupComparison):
    """Horizontal bars: share of informants per code and group, each bar labelled n/N."""
    import matplotlib
    from matplotlib.figure import Figure

    codes, groups = comparison.codes, comparison.groups
    table = comparison.prevalence.set_index(["code", "group"])
    per_code = max(len(groups), 1) * 0.16 + 0.12
    height = 1.8 + per_code * max(len(codes), 1)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(10, height))
        ax = fig.add_axes((0.34, 1.0 / height, 0.5, 1 - 1.7 / height))
        bar = 0.8 / max(len(groups), 1)
        for k, g in enumerate(groups):
            ys = [len(codes) - 1 - y + 0.4 - bar * (k + 0.5) for y in range(len(codes))]
            pct = [table.loc[(c, g), "pct_informants"] for c in codes]
            small = comparison.group_sizes[g] < comparison.small_group_below
            ax.barh(ys, pct, height=bar * 0.92, color=colour(k),
                    hatch="//" if small else None, edgecolor="white" if not small else "black", linewidth=0.3,
                    label=_group_tick(comparison, g).replace("\n", " "))
            for y, c, value in zip(ys, codes, pct):
                n, total = table.loc[(c, g), "informants_with_code"], table.loc[(c, g), "informants_in_group"]
                ax.text(value + 1, y, f"{n}/{total}", va="center", fontsize=6)
        ax.set_yticks(range(len(codes)), [_short(comparison.code_labels[c]) for c in reversed(codes)], fontsize=8)
        ax.set_xlim(0, 112)
        norwegian_ticks(ax.xaxis)
        ax.set_xlabel("Andel informanter som nevner koden (%) – tallene er n av N", fontsize=8)
        ax.set_title(f"Andel informanter som nevner koden, etter {_by_label(comparison.by)}", fontsize=10)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False,
                  title=_by_label(comparison.by), title_fontsize=8)
        if comparison.small_groups:
            fig.text(0.01, 0.01, _small_note(comparison) + " (skravert)", fontsize=7)
    return fig


def plot_dendrogram(clustering: InformantClustering, group_names: Mapping[str, str] | None = None):
    """Dendrogram of the informants (leaves labelled id · group, coloured by cluster), cut at k."""
    import matplotlib
    from matplotlib.figure import Figure

    tree = clustering.dendrogram
    leaves = list(tree["ivl"])
    names = group_names or {}
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(max(6.0, 0.45 * len(leaves) + 2), 5.2))
        ax = fig.add_axes((0.08, 0.3, 0.88, 0.6))
        for xs, ys in zip(tree["icoord"], tree["dcoord"]):
            ax.plot(xs, ys, color="#444444", linewidth=1)
        ax.set_xticks([5 + 10 * k for k in range(len(leaves))],
                      [f"{i} · {names.get(clustering.groups_of.get(i) or '', clustering.groups_of.get(i) or MISSING_VALUE)}"
                       for i in leaves],
                      rotation=90, fontsize=8)
        for tick, leaf in zip(ax.get_xticklabels(), leaves):
            tick.set_color(colour(clustering.labels[leaf] - 1))
        n = len(leaves)
        if clustering.k > 1 and len(clustering.linkage) >= clustering.k:
            heights = clustering.linkage[:, 2]
            cut = (heights[n - clustering.k - 1] + heights[n - clustering.k]) / 2
            ax.axhline(cut, color=PALETTE[5], linestyle="--", linewidth=1)
        ax.set_xlim(0, 10 * max(n, 1))
        norwegian_ticks(ax.yaxis)
        ax.set_ylabel("Avstand mellom kodeprofiler (Ward)", fontsize=8)
        silhouette = clustering.silhouette_by_k.get(clustering.k)
        score = f", silhuett {decimal(silhouette, 2)}" if silhouette is not None else ""
        ari = (f", justert Rand-indeks mot {_by_label(clustering.by)} {decimal(clustering.adjusted_rand, 2)}"
               if clustering.adjusted_rand is not None else "")
        ax.set_title(f"Informanter gruppert etter kodeprofil: k = {clustering.k}{score}{ari}", fontsize=9)
    return fig


# ------------------------------------------------------------------ CSV formatting


def _fmt(value, digits: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return ""
        if np.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.{digits}f}" if digits is not None else f"{value:.6g}"
    return str(value)


def frame_csv(frame: pd.DataFrame, digits: Mapping[str, int] | None = None) -> str:
    """Tidy CSV text of a DataFrame with stable number formatting (``digits``: fixed decimals per column)."""
    from .store import rows_to_csv

    digits = dict(digits or {})
    columns = list(frame.columns)
    rows = ([_fmt(v, digits.get(c)) for c, v in zip(columns, row)] for row in frame.itertuples(index=False))
    return rows_to_csv(columns, rows)


_DIGITS = {"pct_informants": 1, "per_1000_words": 2, "pct_group": 1, "pct_rest": 1}


def comparison_tables(comparison: GroupComparison) -> dict[str, str]:
    """File name (without suffix) -> CSV text of the comparison tables."""
    return {
        "compare_prevalence": frame_csv(comparison.prevalence, _DIGITS),
        "compare_top_codes": frame_csv(comparison.top_codes, _DIGITS),
        "compare_cooccurrence": frame_csv(comparison.cooccurrence),
        "compare_tests": frame_csv(comparison.tests, _DIGITS),
    }


def clustering_tables(clustering: InformantClustering) -> dict[str, str]:
    """File name (without suffix) -> CSV text of the clustering tables."""
    contingency = clustering.contingency.reset_index()
    silhouette = pd.DataFrame(sorted(clustering.silhouette_by_k.items()), columns=["k", "silhouette"])
    silhouette["chosen"] = silhouette["k"] == clustering.k
    profiles = clustering.profiles.reset_index()
    return {
        "clusters": frame_csv(clustering.assignments),
        "clusters_vs_groups": frame_csv(contingency),
        "clusters_silhouette": frame_csv(silhouette, {"silhouette": 4}),
        "clusters_profiles": frame_csv(profiles, {c: 2 for c in clustering.profiles.columns}),
    }


# ------------------------------------------------------------------ results on disk

RESULT_KIND = "compare"
# Bump when the record's shape changes: older files are then refused, not misread.
RESULT_VERSION = 1


def comparison_to_json(comparison: GroupComparison) -> dict:
    return {
        "by": comparison.by, "groups": comparison.groups, "group_sizes": comparison.group_sizes,
        "codes": comparison.codes, "code_labels": comparison.code_labels,
        "prevalence": frame_to_json(comparison.prevalence), "top_codes": frame_to_json(comparison.top_codes),
        "cooccurrence": frame_to_json(comparison.cooccurrence), "tests": frame_to_json(comparison.tests),
        "small_group_below": comparison.small_group_below, "excluded_informants": comparison.excluded_informants,
        "notes": comparison.notes, "group_names": comparison.group_names,
    }


def comparison_from_json(data: dict) -> GroupComparison:
    frames = {k: frame_from_json(data[k]) for k in ("prevalence", "top_codes", "cooccurrence", "tests")}
    return GroupComparison(
        by=data["by"], groups=list(data["groups"]), group_sizes={k: int(v) for k, v in data["group_sizes"].items()},
        codes=list(data["codes"]), code_labels=dict(data["code_labels"]), **frames,
        small_group_below=int(data["small_group_below"]), excluded_informants=list(data["excluded_informants"]),
        notes=list(data["notes"]), group_names=dict(data["group_names"]))


def clustering_to_json(clustering: InformantClustering) -> dict:
    return {
        "informant_ids": clustering.informant_ids, "profiles": frame_to_json(clustering.profiles),
        "method": clustering.method, "metric": clustering.metric, "linkage": plain(clustering.linkage),
        "dendrogram": plain(clustering.dendrogram), "silhouette_by_k": plain(clustering.silhouette_by_k),
        "k": clustering.k, "labels": clustering.labels, "by": clustering.by,
        "contingency": frame_to_json(clustering.contingency), "adjusted_rand": plain(clustering.adjusted_rand),
        "notes": clustering.notes, "groups_of": clustering.groups_of,
    }


def clustering_from_json(data: dict) -> InformantClustering:
    linkage = np.array([[number_from(v) for v in row] for row in data["linkage"]], dtype=float).reshape(-1, 4)
    return InformantClustering(
        informant_ids=list(data["informant_ids"]), profiles=frame_from_json(data["profiles"]),
        method=data["method"], metric=data["metric"], linkage=linkage, dendrogram=data["dendrogram"],
        silhouette_by_k={int(k): number_from(v) for k, v in data["silhouette_by_k"].items()}, k=int(data["k"]),
        labels={k: int(v) for k, v in data["labels"].items()}, by=data["by"],
        contingency=frame_from_json(data["contingency"]),
        adjusted_rand=None if data["adjusted_rand"] is None else float(data["adjusted_rand"]),
        notes=list(data["notes"]), groups_of=dict(data["groups_of"]))


@dataclass(frozen=True)
class CompareResult:
    """What the compare stage persists for one attribute: the comparison, the clustering, its figures."""

    comparison: GroupComparison
    clustering: InformantClustering
    figures: dict[str, StageFigure]  # "heatmap", "prevalence", "dendrogram" -> the PNG the stage wrote

    def to_json(self) -> dict:
        return {"comparison": comparison_to_json(self.comparison), "clustering": clustering_to_json(self.clustering),
                "figures": {role: f.to_json() for role, f in self.figures.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "CompareResult":
        return cls(comparison=comparison_from_json(data["comparison"]),
                   clustering=clustering_from_json(data["clustering"]),
                   figures={role: StageFigure.from_json(f) for role, f in data["figures"].items()})


def compare_settings_fingerprint(study: Study, by: str) -> str:
    """Hash of every setting that shapes the comparison of ``by`` (and its figures)."""
    settings = study.settings
    return content_hash({
        "by": by, "compare": settings.compare.model_dump(), "groups": settings.groups if by == "group" else [],
        "small_group_below": settings.report.small_group_warning_below,
        "group_names": settings.report.group_names if by == "group" else {},
    })


def result_path(study: Study, by: str = "group") -> Path:
    return study.root.joinpath(*TABLES_DIR) / f"compare{_suffix(by)}.json"


def read_compare_result(study: Study, analysis: AnalysisInput, by: str = "group") -> CompareResult:
    """The persisted comparison of ``by``, checked against the current data and settings."""
    data = read_result(result_path(study, by), RESULT_KIND, RESULT_VERSION, analysis.fingerprint,
                       compare_settings_fingerprint(study, by), "compare")
    return CompareResult.from_json(data)


# ------------------------------------------------------------------ stage


def write_outputs(study: Study, tables: Mapping[str, str], figures: Mapping[str, object],
                  results: Mapping[str, str] | None = None) -> list:
    """Guard every text first, then write: CSV and JSON under reports/tables/, PNG under reports/figures/.

    ``figures`` maps a name to a matplotlib figure or to (PNG bytes, drawn text)
    already rendered. Results (JSON) are written last, so a run killed half-way
    leaves a results file whose fingerprint still names the older data.
    """
    from .anonymise.guard import require_guard
    from .store import Shareable, write_shareable

    guard = require_guard(study)
    tables_dir = study.root.joinpath(*TABLES_DIR)
    figures_dir = study.root.joinpath(*FIGURES_DIR)
    csv_files = {tables_dir / f"{name}.csv": text for name, text in tables.items()}
    json_files = {tables_dir / f"{name}.json": text for name, text in (results or {}).items()}
    png_files = {figures_dir / f"{name}.png": fig if isinstance(fig, tuple) else png_and_text(fig)
                 for name, fig in figures.items()}
    # Labels drawn on figures are shareable text too: the guard reads them with every table.
    figure_files = {path: Shareable(data, shown=(text,)) for path, (data, text) in png_files.items()}
    # One set: a killed run leaves all old tables, figures and results or all new ones (results renamed
    # last). Shareable outputs, readable by others like the report.
    write_shareable(study.root, {**csv_files, **figure_files, **json_files}, guard, mode=SHARED_MODE)
    return [*csv_files, *png_files, *json_files]


def compare_attribute(study: Study, analysis: AnalysisInput, by: str) -> tuple[CompareResult, dict, dict]:
    """Compare and cluster by ``by``: (result, CSV texts, rendered figures) ready to be written."""
    settings = study.settings
    own_groups = by == "group"
    comparison = compare_groups(
        analysis.informants, analysis.segments, analysis.codes, analysis.codebook, by=by,
        small_group_below=settings.report.small_group_warning_below, top_n=settings.compare.top_codes,
        group_order=settings.groups if own_groups else (),
        group_names=settings.report.group_names if own_groups else None,
    )
    clustering = cluster_informants(analysis.informants, analysis.segments, analysis.codes, analysis.codebook,
                                    by=by, max_clusters=settings.compare.max_clusters,
                                    group_order=settings.groups if own_groups else ())
    suffix = _suffix(by)
    drawn = {
        "heatmap": (f"compare_heatmap{suffix}", plot_heatmap, (comparison,)),
        "prevalence": (f"compare_prevalence{suffix}", plot_prevalence, (comparison,)),
        "dendrogram": (f"clusters_dendrogram{suffix}", plot_dendrogram,
                       (clustering, settings.report.group_names if own_groups else None)),
    }
    # Each figure drawn and rendered by one task on the run's executor (--workers N: on the cluster,
    # while this process makes the tables); in this process when the tables are done. On two busy
    # cores the client drawing one of the three itself as well was slower (docs/scale.md). The
    # dendrogram is sent first: it has a leaf per informant and takes several times the others' time
    # in a large study, so two workers finish the three when it is done, not after it and another.
    sent = sorted(drawn, key=lambda role: role != "dendrogram")
    pictures = parallel.current().imap(figure_job, [drawn[role][1:] for role in sent])
    tables = {f"{name}{suffix}": text for name, text in
              {**comparison_tables(comparison), **clustering_tables(clustering)}.items()}
    made = dict(zip(sent, pictures))
    rendered, figures = {}, {}
    for role, (name, _plot, _args) in drawn.items():
        png, text = made[role]
        rendered[name] = (png, text)
        figures[role] = StageFigure(name=f"{name}.png", sha256=hashlib.sha256(png).hexdigest(), text=text)
    return CompareResult(comparison, clustering, figures), tables, rendered


def figure_job(item: tuple) -> tuple[bytes, str]:
    """The executor's task for one figure: ``item`` = (a plot function, its arguments); the figure's
    (PNG bytes, drawn text) (:func:`pipeline.plotting.png_and_text`)."""
    plot, args = item
    return png_and_text(plot(*args))


def compare_stage(study: Study, track: Track = no_progress, by: str | None = None) -> str:
    """Read the analysis input, compare and cluster, write tables, figures and results; a summary line.

    Writes to ``reports/tables/``: ``compare_prevalence.csv``,
    ``compare_top_codes.csv``, ``compare_cooccurrence.csv``, ``compare_tests.csv``,
    ``clusters.csv``, ``clusters_vs_groups.csv``, ``clusters_silhouette.csv``,
    ``clusters_profiles.csv`` and the typed result ``compare.json``; to
    ``reports/figures/``: ``compare_heatmap.png``, ``compare_prevalence.png``,
    ``clusters_dendrogram.png``. With ``by`` other than ``group`` the file names
    carry the attribute (``compare_prevalence_age_group.csv``). Without ``by``,
    ``compare.by`` from study.yaml is compared, and ``group`` too (the report's).
    """
    analysis = load_analysis_input(study)
    if analysis is None:
        return NOTHING_YET
    attributes = [by] if by else list(dict.fromkeys([study.settings.compare.by, "group"]))
    tables, figures, results, lines = {}, {}, {}, []
    for attribute in attributes:
        result, attribute_tables, rendered = compare_attribute(study, analysis, attribute)
        tables.update(attribute_tables)
        figures.update(rendered)
        results[f"compare{_suffix(attribute)}"] = result_text(
            RESULT_KIND, RESULT_VERSION, analysis.fingerprint, compare_settings_fingerprint(study, attribute),
            result.to_json())
        lines.extend(_summary(result))
    write_outputs(study, tables, figures, results)
    return "\n".join(dict.fromkeys(lines))


def _summary(result: CompareResult) -> list[str]:
    comparison, clustering = result.comparison, result.clustering
    sizes = ", ".join(f"{g} {comparison.group_sizes[g]}" for g in comparison.groups)
    tests = comparison.tests
    made = tests[tests.tested.astype(bool)] if len(tests) else tests
    significant = made[made.p_holm < 0.05] if len(made) else made
    ari = decimal(clustering.adjusted_rand, 2) if clustering.adjusted_rand is not None else "–"
    line = (f"sammenlignet {len(comparison.codes)} koder etter {comparison.by} ({sizes}); "
            f"{len(made)} av {len(tests)} tester kan gi p < 0,05 med disse gruppestørrelsene, "
            f"{len(significant)} forskjeller med Holm-justert p < 0,05; "
            f"{clustering.k} klynger av informanter (justert Rand-indeks {ari})")
    return [line, *comparison.notes, *[n for n in clustering.notes if n not in comparison.notes]]


def _suffix(by: str) -> str:
    return "" if by == "group" else f"_{_safe_name(by)}"


def _safe_name(value: str) -> str:
    import re

    return re.sub(r"[^0-9A-Za-z_-]+", "_", value).strip("_") or "attributt"
