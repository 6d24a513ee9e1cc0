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
``settings.report.small_group_warning_below``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .progress import Track, no_progress
from .records import Informant, Segment
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
    "pct_group", "pct_rest", "odds_ratio", "p_value", "p_holm", "small_group", "test",
]
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

    @property
    def assignments(self) -> pd.DataFrame:
        """CLUSTER_COLUMNS: informant id, cluster, declared group."""
        raise NotImplementedError


def informant_value(informant: Informant, by: str) -> str | None:
    """The informant's value of attribute ``by`` (``group`` or any table column); None if empty."""
    raise NotImplementedError


def fisher_exact_2x2(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    """Two-sided Fisher's exact test of [[a, b], [c, d]] -> (odds ratio, exact p).

    Rows: in group / rest; columns: with code / without. The odds ratio is the
    sample one (``inf`` or ``nan`` where a cell is zero), p as scipy computes it.
    """
    raise NotImplementedError


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p values (same order as given, capped at 1, monotone)."""
    raise NotImplementedError


def compare_groups(
    informants: Sequence[Informant],
    segments: Sequence[Segment],
    codes_by_segment: Mapping[str, frozenset[str] | set[str]],
    codebook_codes: Mapping[str, str] | Sequence[str],
    by: str = "group",
    small_group_below: int = 5,
    top_n: int = 5,
    group_order: Sequence[str] = (),
) -> GroupComparison:
    """Prevalence, top codes, co-occurrence and Fisher tests of codes across groups of ``by``.

    ``segments``: anonymised segments (interviewer segments are ignored).
    ``codes_by_segment``: effective codes. ``codebook_codes``: code id -> label
    (or a list of ids) in codebook order; codes found in ``codes_by_segment``
    but not in the codebook are kept, after the codebook's, with a note.
    Informants without a value for ``by`` are left out with a note saying how
    many. An attribute no informant has raises :class:`QualpipeError`.
    """
    raise NotImplementedError


def informant_profiles(
    informants: Sequence[Informant],
    segments: Sequence[Segment],
    codes_by_segment: Mapping[str, frozenset[str] | set[str]],
    codebook_codes: Mapping[str, str] | Sequence[str],
) -> pd.DataFrame:
    """Informant × code matrix of coded words per 1 000 of the informant's words."""
    raise NotImplementedError


def cluster_informants(
    informants: Sequence[Informant],
    segments: Sequence[Segment],
    codes_by_segment: Mapping[str, frozenset[str] | set[str]],
    codebook_codes: Mapping[str, str] | Sequence[str],
    by: str = "group",
    max_clusters: int = 6,
    method: str = "ward",
) -> InformantClustering:
    """Cluster informants by code profile; k by silhouette; compare with the groups of ``by``.

    Deterministic: informants sorted by id, scipy's hierarchical clustering
    (no random start), ties in k broken towards fewer clusters.
    """
    raise NotImplementedError


def compare_stage(study: Study, track: Track = no_progress, by: str | None = None) -> str:
    """Read the store, compare and cluster, write tables and figures; a Norwegian summary line.

    Writes to ``reports/tables/``: ``compare_prevalence.csv``,
    ``compare_top_codes.csv``, ``compare_cooccurrence.csv``, ``compare_tests.csv``,
    ``clusters.csv``, ``clusters_vs_groups.csv``, ``clusters_silhouette.csv``;
    to ``reports/figures/``: ``compare_heatmap.png``, ``compare_prevalence.png``,
    ``clusters_dendrogram.png``. With ``by`` other than ``group`` the file names
    carry the attribute (``compare_prevalence_age_group.csv``).
    """
    raise NotImplementedError
