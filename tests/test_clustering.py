"""Informant clustering: profiles, k by silhouette, comparison with groups, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.compare import (
    MISSING_VALUE,
    cluster_informants,
    clustering_tables,
    informant_profiles,
    plot_dendrogram,
)
from pipeline.plotting import drawn_text, png_bytes
from pipeline.records import Informant, Segment


def seg(segment_id: str, informant: str, words: int) -> Segment:
    text = " ".join(["ord"] * words)
    return Segment(segment_id, informant, f"{informant}.txt", 0, "informant", 0, len(text), text)


def two_camps(group_of: dict[str, str]):
    """Informants 1-3 talk about 'gjeld', 4-6 about 'naboer'; amounts differ a little."""
    informants = [Informant(i, f"{i}.txt", g, {"region": "nord" if i in "135" else ""}) for i, g in group_of.items()]
    segments, codes = [], {}
    for k, i in enumerate(group_of):
        code = "gjeld" if i in ("1", "2", "3") else "naboer"
        segments.append(seg(f"{i}-a", i, 10 + k))
        segments.append(seg(f"{i}-b", i, 90))
        codes[f"{i}-a"] = {code}
    return informants, segments, codes


GROUPS = {"1": "stayed", "2": "stayed", "3": "stayed", "4": "staff", "5": "staff", "6": "staff"}


def test_profiles_are_coded_words_per_1000():
    informants, segments, codes = two_camps(GROUPS)
    profiles = informant_profiles(informants, segments, codes, ["gjeld", "naboer"])
    assert list(profiles.index) == ["1", "2", "3", "4", "5", "6"]
    assert profiles.loc["1", "gjeld"] == pytest.approx(1000 * 10 / 100)
    assert profiles.loc["1", "naboer"] == 0
    assert profiles.loc["6", "naboer"] == pytest.approx(1000 * 15 / 105)


def test_two_clear_camps_give_two_clusters_matching_the_groups():
    informants, segments, codes = two_camps(GROUPS)
    result = cluster_informants(informants, segments, codes, ["gjeld", "naboer"], max_clusters=4)
    assert result.k == 2
    assert set(result.silhouette_by_k) == {2, 3, 4}
    assert result.silhouette_by_k[2] == max(result.silhouette_by_k.values())
    assert result.labels["1"] == result.labels["2"] == result.labels["3"]
    assert result.labels["4"] == result.labels["5"] == result.labels["6"] != result.labels["1"]
    assert result.adjusted_rand == pytest.approx(1.0)
    assert result.contingency.to_numpy().sum() == 6
    assert sorted(result.contingency.max(axis=1)) == [3, 3]
    assert sorted(result.dendrogram["ivl"]) == ["1", "2", "3", "4", "5", "6"]
    assert result.linkage.shape == (5, 4)


def test_groups_that_cut_across_the_camps_give_a_low_adjusted_rand():
    crossed = {"1": "stayed", "2": "staff", "3": "stayed", "4": "staff", "5": "stayed", "6": "staff"}
    informants, segments, codes = two_camps(crossed)
    result = cluster_informants(informants, segments, codes, ["gjeld", "naboer"], max_clusters=3)
    assert result.k == 2
    assert result.adjusted_rand < 0.1


def test_deterministic_and_independent_of_input_order():
    informants, segments, codes = two_camps(GROUPS)
    first = cluster_informants(informants, segments, codes, ["gjeld", "naboer"])
    again = cluster_informants(list(reversed(informants)), list(reversed(segments)), codes, ["gjeld", "naboer"])
    assert first.labels == again.labels
    assert first.silhouette_by_k == again.silhouette_by_k
    assert np.array_equal(first.linkage, again.linkage)
    assert clustering_tables(first) == clustering_tables(again)
    assert png_bytes(plot_dendrogram(first)) == png_bytes(plot_dendrogram(again))


def test_missing_attribute_values_shown_apart_and_left_out_of_rand_index():
    informants, segments, codes = two_camps(GROUPS)
    result = cluster_informants(informants, segments, codes, ["gjeld", "naboer"], by="region")
    assert list(result.contingency.columns) == ["nord", MISSING_VALUE]
    assert result.contingency[MISSING_VALUE].sum() == 3
    assert len(result.informant_ids) == 6  # everyone is clustered
    assert result.adjusted_rand is not None
    assert set(result.assignments.group) == {"nord", ""}


def test_too_few_informants_give_one_cluster_with_a_note():
    informants, segments, codes = two_camps({"1": "stayed", "4": "staff"})
    result = cluster_informants(informants, segments, codes, ["gjeld", "naboer"])
    assert result.k == 1 and set(result.labels.values()) == {1}
    assert any("én klynge" in n for n in result.notes)


def test_dendrogram_labels_name_id_and_group():
    informants, segments, codes = two_camps({**GROUPS, "6": "back_to_rental"})
    fig = plot_dendrogram(cluster_informants(informants, segments, codes, {"gjeld": "Gjeld og lån", "naboer": "Naboer"}))
    text = drawn_text(fig)
    assert "6 · back_to_rental" in text and "1 · stayed" in text
    assert "kodeprofil" in text
