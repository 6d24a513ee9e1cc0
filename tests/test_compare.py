"""Group comparison: statistics on hand-made tables with known answers, missing values, the stage."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy.stats import fisher_exact

from pipeline.compare import (
    ALL_GROUPS,
    compare_groups,
    compare_stage,
    fisher_exact_2x2,
    holm,
    min_achievable_p,
    plot_heatmap,
    plot_prevalence,
)
from pipeline.errors import QualpipeError
from pipeline.ingest.informants import read_informants
from pipeline.plotting import drawn_text
from pipeline.records import Coding, Informant, Segment
from pipeline.settings import load_study
from pipeline.store import PrivateStore, StudyStore, read_csv

REPO = Path(__file__).resolve().parents[1]


def seg(segment_id: str, informant: str, text: str, speaker: str = "informant", turn: int = 0, start: int = 0):
    return Segment(segment_id, informant, f"{informant}.txt", turn, speaker, start, start + len(text), text)


# ---------------------------------------------------------------- Fisher and Holm


def test_fisher_matches_hand_computed_hypergeometric():
    # [[3, 1], [1, 3]]: P(a=k) = C(4,k)^2 / C(8,4) = (1, 16, 36, 16, 1) / 70;
    # two-sided p sums the tables no more likely than the observed: (1+16+16+1)/70.
    odds, p = fisher_exact_2x2(3, 1, 1, 3)
    assert odds == pytest.approx(9.0)
    assert p == pytest.approx(34 / 70)
    _, p = fisher_exact_2x2(4, 0, 0, 4)
    assert p == pytest.approx(2 / 70)
    odds, p = fisher_exact_2x2(2, 2, 2, 2)
    assert odds == pytest.approx(1.0) and p == pytest.approx(1.0)


@pytest.mark.parametrize("table", [(0, 5, 7, 3), (1, 0, 4, 12), (5, 3, 2, 8), (0, 1, 0, 17)])
def test_fisher_agrees_with_scipy(table):
    a, b, c, d = table
    expected = fisher_exact([[a, b], [c, d]])
    odds, p = fisher_exact_2x2(a, b, c, d)
    assert p == pytest.approx(min(1.0, expected.pvalue))
    assert (math.isnan(odds) and math.isnan(expected.statistic)) or odds == pytest.approx(expected.statistic)


def test_fisher_rejects_negative_counts():
    with pytest.raises(ValueError):
        fisher_exact_2x2(1, -1, 2, 2)


def test_holm_known_values():
    # sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> monotone 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])  # capped at 1
    assert holm([0.02]) == pytest.approx([0.02])
    assert holm([]) == []
    # ties keep their order and get the same value
    assert holm([0.01, 0.01, 0.2]) == pytest.approx([0.03, 0.03, 0.2])


# ---------------------------------------------------------------- comparison on a hand-made table

# Group A: informants 1, 2, 3; group B: 4, 5. Words per segment are counted by whitespace.
INFORMANTS = [
    Informant("1", "1.txt", "A", {"age": "40-49"}),
    Informant("2", "2.txt", "A", {"age": ""}),
    Informant("3", "3.txt", "A", {"age": "50-59"}),
    Informant("4", "4.txt", "B", {"age": "40-49"}),
    Informant("5", "5.txt", "B", {}),
]
SEGMENTS = [
    seg("1a", "1", "en to tre fire"),  # gjeld            4 words
    seg("1b", "1", "en to tre fire fem seks"),  # gjeld, bolig   6 words
    seg("2a", "2", "en to"),  # bolig                 2 words
    seg("2b", "2", "en to tre fire fem seks sju åtte"),  # none  8 words
    seg("3a", "3", "en to tre fire fem seks sju åtte ni ti"),  # none  10 words
    seg("4a", "4", "en to tre fire fem"),  # gjeld            5 words
    seg("5a", "5", "en to tre"),  # gjeld, bolig          3 words
    seg("5b", "5", "en to tre fire fem seks sju"),  # none  7 words
    seg("4q", "4", "intervjuerens spørsmål om gjeld", speaker="interviewer"),
]
CODES = {"1a": {"gjeld"}, "1b": {"gjeld", "bolig"}, "2a": {"bolig"}, "4a": {"gjeld"}, "5a": {"gjeld", "bolig"},
         "4q": {"gjeld"}}
CODEBOOK = {"gjeld": "Gjeld og lån", "bolig": "Bolig og trygghet", "nabo": "Naboer"}


def prevalence_row(comparison, code, group):
    frame = comparison.prevalence
    rows = frame[(frame.code == code) & (frame.group == group)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_prevalence_counts_words_and_per_1000():
    comparison = compare_groups(INFORMANTS, SEGMENTS, CODES, CODEBOOK, small_group_below=3)
    assert comparison.groups == ["A", "B"]
    assert comparison.group_sizes == {"A": 3, "B": 2}
    assert comparison.codes == ["gjeld", "bolig", "nabo"]
    row = prevalence_row(comparison, "gjeld", "A")
    assert (row.informants_with_code, row.informants_in_group) == (1, 3)
    assert row.pct_informants == pytest.approx(100 / 3)
    assert (row.coded_segments, row.coded_words, row.informant_words) == (2, 10, 30)
    assert row.per_1000_words == pytest.approx(1000 * 10 / 30)
    row = prevalence_row(comparison, "bolig", "A")
    assert (row.informants_with_code, row.coded_segments, row.coded_words) == (2, 2, 8)
    row = prevalence_row(comparison, "gjeld", "B")  # interviewer's segment does not count
    assert (row.informants_with_code, row.informants_in_group, row.coded_segments, row.coded_words,
            row.informant_words) == (2, 2, 2, 8, 15)
    assert bool(row.small_group) is True and bool(prevalence_row(comparison, "gjeld", "A").small_group) is False
    row = prevalence_row(comparison, "gjeld", ALL_GROUPS)
    assert (row.informants_with_code, row.informants_in_group, row.coded_words, row.informant_words) == (3, 5, 18, 45)
    row = prevalence_row(comparison, "nabo", "B")
    assert (row.informants_with_code, row.coded_segments, row.per_1000_words) == (0, 0, 0.0)
    assert comparison.small_groups == ["B"]
    assert any("B (n=2)" in note for note in comparison.notes)


def test_top_codes_rank_by_informants_then_words():
    comparison = compare_groups(INFORMANTS, SEGMENTS, CODES, CODEBOOK, top_n=5)
    a = comparison.top_codes[comparison.top_codes.group == "A"]
    assert list(a.code) == ["bolig", "gjeld"]  # 2 informants before 1; 'nabo' never mentioned
    assert list(a["rank"]) == [1, 2]
    b = comparison.top_codes[comparison.top_codes.group == "B"]
    assert list(b.code) == ["gjeld", "bolig"]  # both 2/2 and 1/2 -> gjeld first by informants


def test_cooccurrence_overall_and_per_group():
    comparison = compare_groups(INFORMANTS, SEGMENTS, CODES, CODEBOOK)
    frame = comparison.cooccurrence.set_index(["group", "code_a", "code_b"])
    assert frame.loc[(ALL_GROUPS, "gjeld", "bolig"), "segments"] == 2  # 1b and 5a
    assert frame.loc[(ALL_GROUPS, "gjeld", "bolig"), "informants"] == 2
    assert frame.loc[(ALL_GROUPS, "gjeld", "gjeld"), "segments"] == 4  # diagonal: the code alone
    assert frame.loc[("A", "gjeld", "bolig"), "segments"] == 1
    assert frame.loc[("B", "bolig", "bolig"), "segments"] == 1
    assert ("A", "bolig", "gjeld") not in frame.index  # each pair once, in codebook order


def test_tests_are_made_only_where_the_margins_allow_p_below_005():
    comparison = compare_groups(INFORMANTS, SEGMENTS, CODES, CODEBOOK, small_group_below=3)
    tests = comparison.tests
    assert set(tests.code) == {"gjeld", "bolig"}  # a code no one mentions is not tested
    row = tests[(tests.code == "gjeld") & (tests.group == "A")].iloc[0]
    assert (row.with_code_in_group, row.n_group, row.with_code_in_rest, row.n_rest) == (1, 3, 2, 2)
    # 3 against 2 informants, 3 of 5 mention the code: the most lopsided table has p = 0.1.
    assert row.min_p == pytest.approx(0.1)
    assert not bool(row.tested) and math.isnan(row.p_value) and math.isnan(row.p_holm) and row.test == "none"
    assert not tests.tested.any()  # five informants: no test can inform
    assert all(tests[tests.group == "B"].small_group)


def _camps(n_a: int, n_b: int, a_with: int, b_with: int):
    informants = [Informant(f"a{k}", f"a{k}.txt", "A") for k in range(n_a)]
    informants += [Informant(f"b{k}", f"b{k}.txt", "B") for k in range(n_b)]
    segments, codes = [], {}
    for k, informant in enumerate(informants):
        sid = f"s{k}"
        segments.append(seg(sid, informant.id, "ord ord ord"))
        mentions = (informant.group == "A" and int(informant.id[1:]) < a_with) or \
                   (informant.group == "B" and int(informant.id[1:]) < b_with)
        codes[sid] = {"x", "alle"} if mentions else {"alle"}
    return informants, segments, codes


def test_informative_tests_are_exact_fisher_with_holm_over_the_tests_made():
    informants, segments, codes = _camps(8, 8, 7, 1)
    comparison = compare_groups(informants, segments, codes, {"x": "X", "alle": "Alle"}, small_group_below=3)
    tests = comparison.tests.set_index(["group", "code"])
    row = tests.loc[("A", "x")]
    assert bool(row.tested) and row.p_value == pytest.approx(fisher_exact([[7, 1], [1, 7]]).pvalue)
    # Everyone mentions "alle": no table with these margins can differ, so it is not tested ...
    assert not bool(tests.loc[("A", "alle")].tested) and tests.loc[("A", "alle")].min_p == pytest.approx(1.0)
    # ... and does not make Holm stricter for the test that was made.
    assert row.p_holm == pytest.approx(row.p_value)


@pytest.mark.parametrize("n_group,n_rest", [(1, 17), (4, 2), (2, 2), (3, 5), (5, 13), (6, 6)])
def test_min_achievable_p_is_the_smallest_p_of_all_tables(n_group, n_rest):
    total = n_group + n_rest
    for n_with in range(total + 1):
        tables = [(a, n_group - a, n_with - a, n_rest - n_with + a)
                  for a in range(max(0, n_with - n_rest), min(n_group, n_with) + 1)]
        smallest = min(fisher_exact([[a, b], [c, d]]).pvalue for a, b, c, d in tables)
        assert min_achievable_p(n_group, n_rest, n_with) == pytest.approx(min(1.0, smallest))
    # One informant against 17, 4 against 2: nothing can reach 0.05.
    if (n_group, n_rest) in ((1, 17), (4, 2)):
        assert min(min_achievable_p(n_group, n_rest, m) for m in range(total + 1)) > 0.05


def test_missing_attribute_values_are_left_out_with_a_note():
    comparison = compare_groups(INFORMANTS, SEGMENTS, CODES, CODEBOOK, by="age")
    assert comparison.groups == ["40-49", "50-59"]
    assert comparison.group_sizes == {"40-49": 2, "50-59": 1}
    assert comparison.excluded_informants == ["2", "5"]
    note = next(n for n in comparison.notes if "mangler" in n)
    assert "2 av 5" in note and "'age'" in note
    assert prevalence_row(comparison, "gjeld", ALL_GROUPS).informants_in_group == 3


def test_unknown_attribute_is_a_clear_error():
    with pytest.raises(QualpipeError, match="unknown informant attribute 'alder'.*known: group, age"):
        compare_groups(INFORMANTS, SEGMENTS, CODES, CODEBOOK, by="alder")


def test_codes_outside_the_codebook_are_kept_with_a_note():
    comparison = compare_groups(INFORMANTS, SEGMENTS, {**CODES, "3a": {"ukjent"}}, CODEBOOK)
    assert comparison.codes[-1] == "ukjent"
    assert any("ukjent" in n for n in comparison.notes)


def test_group_order_and_input_order_do_not_change_results():
    first = compare_groups(INFORMANTS, SEGMENTS, CODES, CODEBOOK, group_order=["B", "A"])
    assert first.groups == ["B", "A"]
    again = compare_groups(list(reversed(INFORMANTS)), list(reversed(SEGMENTS)), CODES, CODEBOOK, group_order=["B", "A"])
    assert first.prevalence.equals(again.prevalence)
    assert first.tests.equals(again.tests)
    assert first.cooccurrence.equals(again.cooccurrence)


def test_demo_study_group_sizes_from_informants_table():
    study = load_study(REPO)
    table = read_informants(REPO / "data" / "raw" / "informants.csv", study.settings.groups)
    comparison = compare_groups(table.informants, [], {}, [], group_order=study.settings.groups)
    assert comparison.group_sizes == {"stayed": 8, "sold_bought": 4, "back_to_rental": 1, "staff": 5}
    assert comparison.groups == ["stayed", "sold_bought", "back_to_rental", "staff"]
    assert comparison.small_groups == ["sold_bought", "back_to_rental"]


def test_figures_carry_norwegian_letters_and_n():
    comparison = compare_groups(INFORMANTS, SEGMENTS, CODES, {"gjeld": "Gjeld og lån", "bolig": "Økonomi, små marginer"},
                                small_group_below=3)
    for fig in (plot_heatmap(comparison), plot_prevalence(comparison)):
        text = drawn_text(fig)
        assert "Gjeld og lån" in text and "Økonomi, små marginer" in text
        assert "1/3" in text and "2/2" in text  # n of N on every cell/bar
        assert "(n=2)" in text and "Færre enn 3" in text  # the small-group caveat is visible


# ---------------------------------------------------------------- the stage

TRANSCRIPT = "I: Hvordan var det?\nIP: {a} Vi hadde lån i banken. {b}\nI: Og naboene?\nIP: Naboene i borettslaget er greie.\n"
STUDY_CODEBOOK = """\
version: "1.0"
codes:
  - id: gjeld
    label: Gjeld og lån
    colour: "#1b9e77"
    definition: Lån og gjeld.
  - id: naboer
    label: Naboer og nærmiljø – både på godt og vondt
    colour: "#d95f02"
    definition: Naboer.
"""


def build_coded_study(make_study, informants: str) -> Path:
    """A study whose store holds segments and rule codings, as anonymise and coding would leave it."""
    transcripts = {f"k{i}.txt": TRANSCRIPT.format(a="Det var fint." * (i % 3), b="Ja." * i) for i in range(1, 7)}
    root = make_study(transcripts, informants=informants, codebook=STUDY_CODEBOOK,
                      settings="name: T\ngroups: [stayed, sold_bought, back_to_rental, staff]\n")
    study = load_study(root)
    from pipeline.workflow import ingest_stage

    ingest_stage(study)
    with PrivateStore(study.private_store_path) as private, StudyStore(study.store_path) as store:
        for file in private.files():
            segments = private.segments(file)
            store.replace_segments(file, segments[0].informant_id, "sha", 0, segments)
        codings = []
        for s in store.segments(speaker="informant"):
            if "lån" in s.text:
                codings.append(Coding(s.segment_id, "gjeld", "rule", "rules"))
            if "Naboene" in s.text and s.informant_id in ("1", "2", "3"):
                codings.append(Coding(s.segment_id, "naboer", "rule", "rules"))
        store.replace_machine_codings("rule", codings)
    return root


INFORMANTS_CSV = (
    "id,file,group,age_group\n"
    "1,k1.txt,stayed,40-49\n2,k2.txt,stayed,\n3,k3.txt,stayed,50-59\n"
    "4,k4.txt,sold_bought,40-49\n5,k5.txt,sold_bought,\n6,k6.txt,back_to_rental,50-59\n")


def test_stage_writes_tables_and_figures_stable_across_runs(make_study):
    root = build_coded_study(make_study, INFORMANTS_CSV)
    study = load_study(root)
    line = compare_stage(study)
    assert "stayed 3, sold_bought 2, back_to_rental 1" in line
    tables, figures = root / "reports" / "tables", root / "reports" / "figures"
    prevalence = read_csv(tables / "compare_prevalence.csv")
    naboer = {r["group"]: r for r in prevalence if r["code"] == "naboer"}
    assert (naboer["stayed"]["informants_with_code"], naboer["stayed"]["informants_in_group"]) == ("3", "3")
    assert naboer["stayed"]["pct_informants"] == "100.0" and naboer["sold_bought"]["pct_informants"] == "0.0"
    assert naboer["back_to_rental"]["small_group"] == "true"
    tests = read_csv(tables / "compare_tests.csv")
    assert {r["group"] for r in tests} == {"stayed", "sold_bought", "back_to_rental"}
    assert (tables / "clusters.csv").exists() and (tables / "clusters_vs_groups.csv").exists()
    pngs = sorted(figures.glob("*.png"))
    assert [p.name for p in pngs] == ["clusters_dendrogram.png", "compare_heatmap.png", "compare_prevalence.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    before = {p: p.read_bytes() for p in [*pngs, *tables.glob("*.csv")]}
    compare_stage(study)
    assert {p: p.read_bytes() for p in before} == before


def test_stage_by_attribute_with_missing_values_says_so(make_study):
    root = build_coded_study(make_study, INFORMANTS_CSV)
    line = compare_stage(load_study(root), by="age_group")
    assert "2 av 6 informanter mangler verdi for 'age_group'" in line
    rows = read_csv(root / "reports" / "tables" / "compare_prevalence_age_group.csv")
    assert {r["group"] for r in rows} == {"40-49", "50-59", ALL_GROUPS}
    assert (root / "reports" / "figures" / "compare_heatmap_age_group.png").exists()


def test_cli_compare_by_unknown_attribute_is_one_line(make_study):
    from typer.testing import CliRunner

    from pipeline.cli import app

    root = build_coded_study(make_study, INFORMANTS_CSV)
    result = CliRunner().invoke(app, ["--study", str(root), "compare", "--by", "alder"])
    assert result.exit_code == 1
    assert "unknown informant attribute 'alder'" in result.output


def test_stage_without_anonymised_segments_skips(make_study):
    root = make_study({"k1.txt": TRANSCRIPT.format(a="", b="")})
    assert "hoppet over" in compare_stage(load_study(root))
    assert not (root / "reports" / "tables").exists()


def test_guard_sees_every_file_and_a_refusal_writes_nothing(make_study, monkeypatch):
    from pipeline.anonymise.guard import Guard
    from pipeline.errors import LeakError

    root = build_coded_study(make_study, INFORMANTS_CSV)
    seen: list[str] = []

    def refusing_check(self, text, path, source=None):
        seen.append(Path(path).name)
        if Path(path).name == "compare_heatmap.png":
            raise LeakError("refusing to write", path)

    monkeypatch.setattr(Guard, "check", refusing_check)
    with pytest.raises(LeakError):
        compare_stage(load_study(root))
    assert "compare_prevalence.csv" in seen and "clusters.csv" in seen
    assert not (root / "reports" / "tables").exists()  # checked everything first, wrote nothing


def test_stage_persists_the_typed_result_the_report_reads(make_study):
    import hashlib

    from pipeline.analysis import load_analysis_input
    from pipeline.compare import read_compare_result

    root = build_coded_study(make_study, INFORMANTS_CSV)
    study = load_study(root)
    compare_stage(study)
    analysis = load_analysis_input(study)
    persisted = read_compare_result(study, analysis)
    fresh = compare_groups(analysis.informants, analysis.segments, analysis.codes, analysis.codebook,
                           small_group_below=study.settings.report.small_group_warning_below,
                           group_order=study.settings.groups)
    # Full precision (the CSVs round), NaN and infinite odds ratios included.
    for name in ("prevalence", "top_codes", "cooccurrence", "tests"):
        a, b = getattr(persisted.comparison, name), getattr(fresh, name)
        assert list(a.columns) == list(b.columns) and a.equals(b), name
    assert persisted.comparison.group_sizes == fresh.group_sizes
    assert persisted.clustering.labels and persisted.clustering.k >= 1
    # The figures it describes are the PNGs on disk, byte for byte.
    for figure in persisted.figures.values():
        png = (root / "reports" / "figures" / figure.name).read_bytes()
        assert hashlib.sha256(png).hexdigest() == figure.sha256 and figure.text
    # Each role holds its own figure, in the stage's order (the dendrogram is drawn first).
    assert {role: f.name for role, f in persisted.figures.items()} == {
        "heatmap": "compare_heatmap.png", "prevalence": "compare_prevalence.png",
        "dendrogram": "clusters_dendrogram.png"}
    assert list(persisted.figures) == ["heatmap", "prevalence", "dendrogram"]
    # Other data: the persisted result is refused with the command that refreshes it.
    with StudyStore(study.store_path) as store:
        store.replace_machine_codings("rule", [])
    with pytest.raises(QualpipeError, match="older than the coded data.*qualpipe compare"):
        read_compare_result(study, load_analysis_input(study))


def test_compare_by_another_attribute_also_refreshes_the_groups_comparison(make_study):
    root = build_coded_study(make_study, INFORMANTS_CSV)
    (root / "study.yaml").write_text((root / "study.yaml").read_text(encoding="utf-8")
                                     + "compare: {by: age_group}\n", encoding="utf-8")
    compare_stage(load_study(root))
    tables = root / "reports" / "tables"
    assert (tables / "compare_age_group.json").exists() and (tables / "compare.json").exists()


def test_the_dendrogram_is_handed_to_the_executor_first(make_study, monkeypatch):
    """The figure with a leaf per informant goes out first: on a cluster two workers then draw the
    other two while it is drawn, instead of one of them after it."""
    from pipeline import compare, parallel

    sent = []

    class Recording(parallel.InProcess):
        def imap(self, fn, items, *shared, **kwargs):
            sent.extend(plot.__name__ for plot, _args in items)
            return super().imap(fn, items, *shared, **kwargs)

    root = build_coded_study(make_study, INFORMANTS_CSV)
    monkeypatch.setattr(parallel, "current", lambda: Recording())
    compare.compare_stage(load_study(root), by="group")
    assert sent == ["plot_dendrogram", "plot_heatmap", "plot_prevalence"]
