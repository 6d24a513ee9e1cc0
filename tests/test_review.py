"""Review export/import: the sheet, its order, the round trip, and whole-file rejection."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.coding.review import FIXED_COLUMNS, export_review, import_review
from pipeline.coding.stage import code_stage
from pipeline.errors import QualpipeError
from pipeline.settings import load_study
from pipeline.store import StudyStore
from test_coding_corpus import CODES, build_corpus, write_human


@pytest.fixture
def reviewed(make_study):
    root, truth = build_corpus(make_study, n_informants=4, settings_extra="  min_examples_per_code: 3\n")
    # The first half is decided; the sheet offers the rest.
    write_human(root, "forsker1", {sid: truth[sid] for sid in sorted(truth)[: len(truth) // 2]})
    study = load_study(root)
    code_stage(study)
    return study, truth


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_export_writes_xlsx_and_csv_of_undecided_segments_most_uncertain_first(reviewed):
    study, truth = reviewed
    exported = export_review(study)
    rows = read_rows(exported.csv)
    header, body = rows[0], rows[1:]
    assert header == FIXED_COLUMNS + CODES + ["comment"]
    decided = set(sorted(truth)[: len(truth) // 2])
    assert {r[0] for r in body} == set(truth) - decided
    uncertainty = [float(r[header.index("uncertainty")]) for r in body]
    assert uncertainty == sorted(uncertainty, reverse=True)
    with StudyStore(study.store_path) as store:
        texts = {s.segment_id: s.text for s in store.segments()}
    assert all(r[header.index("text")] == texts[r[0]] for r in body)
    assert all(r[header.index("question")].endswith("?") for r in body)  # the interviewer's question as context
    # Suggested codes are pre-marked in the code columns.
    for r in body:
        suggested = set(filter(None, r[header.index("suggested")].split("; ")))
        assert suggested == {c for c in CODES if r[header.index(c)] == "x"}
    sheet = load_workbook(exported.xlsx).active
    assert [c.value for c in sheet[1]] == header
    assert sheet.max_row == len(body) + 1
    assert export_review(study).xlsx.read_bytes() == exported.xlsx.read_bytes()  # deterministic


def test_round_trip_records_reviewed_rows_as_human_decisions(reviewed, tmp_path):
    study, truth = reviewed
    exported = export_review(study)
    rows = read_rows(exported.csv)
    header = rows[0]
    marked = rows[1:6]
    for row in marked:
        row[header.index("reviewed")] = "x"
        for code in CODES:
            row[header.index(code)] = "x" if code in truth[row[0]] else ""
    filled = tmp_path / "filled.csv"
    write_rows(filled, rows)
    result = import_review(study, filled, "forsker2")
    assert result.decided == 5
    human_file = study.human_dir / "forsker2.csv"
    lines = human_file.read_text().splitlines()
    assert lines[0] == "segment_id,codes,codebook_version,file,turn_index,start,end,text_hash" and len(lines) == 6
    with StudyStore(study.store_path) as store:
        assert set(store.human_reviews(coder="forsker2")) == {r[0] for r in marked}
        human = {(c.segment_id, c.code) for c in store.codings(source="human", coder="forsker2")}
    assert human == {(r[0], code) for r in marked for code in truth[r[0]]}
    # A later run re-imports the file and keeps the decisions.
    code_stage(study)
    with StudyStore(study.store_path) as store:
        assert set(store.human_reviews(coder="forsker2")) == {r[0] for r in marked}


def test_round_trip_through_xlsx(reviewed, tmp_path):
    study, truth = reviewed
    exported = export_review(study, tmp_path / "ark.xlsx")
    workbook = load_workbook(exported.xlsx)
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    segment_id = sheet.cell(row=2, column=1).value
    sheet.cell(row=2, column=header.index("reviewed") + 1).value = "X"
    for code in CODES:
        sheet.cell(row=2, column=header.index(code) + 1).value = "x" if code == "standard" else None
    workbook.save(tmp_path / "filled.xlsx")
    assert import_review(study, tmp_path / "filled.xlsx", "forsker3").decided == 1
    assert (study.human_dir / "forsker3.csv").read_text().splitlines()[1].startswith(f"{segment_id},standard,1.0,")


@pytest.mark.parametrize("edit,message", [
    ("unknown_code", "unknown code column 'prise'"),
    ("unknown_segment", "row 2: unknown segment id 'sukjent'"),
    ("duplicate_segment", "appears twice"),
    ("edited_text", "row 2: the text of segment"),
    ("bad_mark", "is not a mark"),
    ("missing_code", "the column for code 'discount' is missing"),
])
def test_bad_review_file_is_rejected_whole(reviewed, tmp_path, edit, message):
    study, _ = reviewed
    rows = read_rows(export_review(study).csv)
    header = rows[0]
    for row in rows[1:4]:
        row[header.index("reviewed")] = "x"
    if edit == "unknown_code":
        header.append("prise")
        for row in rows[1:]:
            row.append("")
    elif edit == "unknown_segment":  # an id that is gone, and no segment of that turn has that text
        rows[1][0] = "sukjent"
        rows[1][header.index("turn")] = "999"
    elif edit == "duplicate_segment":
        rows[3] = list(rows[2])
    elif edit == "edited_text":
        rows[1][header.index("text")] += " (rettet)"
    elif edit == "bad_mark":
        rows[2][header.index("stability")] = "kanskje"
    elif edit == "missing_code":
        index = header.index("discount")
        rows = [row[:index] + row[index + 1:] for row in rows]
    filled = tmp_path / "filled.csv"
    write_rows(filled, rows)
    with pytest.raises(QualpipeError) as error:
        import_review(study, filled, "forsker2")
    assert message in str(error.value) and "filled.csv" in str(error.value)
    assert not (study.human_dir / "forsker2.csv").exists()
    with StudyStore(study.store_path) as store:
        assert "forsker2" not in store.human_coders()


def test_cli_review_export_and_import(reviewed, tmp_path):
    study, _ = reviewed
    runner = CliRunner()
    out = tmp_path / "r.xlsx"
    result = runner.invoke(app, ["--study", str(study.root), "review", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and out.with_suffix(".csv").exists()
    rows = read_rows(out.with_suffix(".csv"))
    rows[1][rows[0].index("reviewed")] = "x"
    write_rows(out.with_suffix(".csv"), rows)
    result = runner.invoke(app, ["--study", str(study.root), "review", "import", str(out.with_suffix(".csv")),
                                 "--coder", "forsker2"])
    assert result.exit_code == 0, result.output
    assert (study.human_dir / "forsker2.csv").exists()
    result = runner.invoke(app, ["--study", str(study.root), "review", "import", str(tmp_path / "none.csv"),
                                 "--coder", "forsker2"])
    assert result.exit_code == 1 and "not found" in result.output


# ------------------------------------------------ anonymisation changed the text since the export


@pytest.mark.parametrize("exported,current,same", [
    ("Vi kjører ruta hver dag.", "Vi kjører [PERSON_2] hver dag.", True),
    ("Vi kjører [PERSON_2] hver dag.", "Vi kjører ruta hver dag.", True),
    ("Det var [PERSON_3]s idé, sa hun.", "Det var Hildes idé, sa hun.", True),
    ("Hilde Strand ringte meg.", "ansatt S1 ringte meg.", True),
    ("Jeg snakket med Kari i går.", "Jeg snakket med Ingrid i går.", True),  # invented names (surrogates)
    ("Vi bodde i [ADRESSE_1] fra 2004.", "Vi bodde i Saupstadringen 41B fra 2004.", True),
    ("Vi kjører ruta hver dag.", "Vi kjører ikke ruta hver dag.", False),
    ("Det var fint.", "Det var ikke fint i det hele tatt, nei.", False),
    ("Vi fikk hjelp.", "[PERSON_1] [PERSON_2] [STED_1] [STED_2] [PERSON_3].", False),
])
def test_differs_only_by_anonymisation(exported, current, same):
    from pipeline.coding.review import differs_only_by_anonymisation

    assert differs_only_by_anonymisation(exported, current, frozenset({"ansatt S1"})) is same


def _mark(rows, truth, count):
    header = rows[0]
    for row in rows[1:count + 1]:
        row[header.index("reviewed")] = "x"
        for code in CODES:
            row[header.index(code)] = "x" if code in truth[row[0]] else ""
    return header


def test_a_row_whose_text_an_anonymisation_decision_changed_is_accepted(reviewed, tmp_path):
    study, truth = reviewed
    rows = read_rows(export_review(study).csv)
    header = _mark(rows, truth, 3)
    changed = rows[1][0]
    words = rows[1][header.index("text")].split()
    with StudyStore(study.store_path) as store:  # a later decision replaced one word by a tag
        store.conn.execute("UPDATE segments SET text = ? WHERE segment_id = ?",
                           (" ".join(["[PERSON_9]", *words[1:]]), changed))
    write_rows(tmp_path / "filled.csv", rows)
    result = import_review(study, tmp_path / "filled.csv", "forsker2")
    assert result.decided == 3 and result.reanchored == 1 and "forankret på nytt" in result.summary()
    with StudyStore(study.store_path) as store:
        assert changed in store.human_reviews(coder="forsker2")


def test_a_row_whose_segment_id_is_gone_is_re_found_in_its_turn(reviewed, tmp_path):
    study, truth = reviewed
    rows = read_rows(export_review(study).csv)
    _mark(rows, truth, 2)
    old = rows[1][0]
    with StudyStore(study.store_path) as store:
        store.conn.execute("UPDATE segments SET segment_id = 'snew' WHERE segment_id = ?", (old,))
    write_rows(tmp_path / "filled.csv", rows)
    result = import_review(study, tmp_path / "filled.csv", "forsker2")
    assert result.reanchored == 1
    lines = (study.human_dir / "forsker2.csv").read_text().splitlines()
    assert any(line.startswith("snew,") for line in lines) and not any(line.startswith(f"{old},") for line in lines)


def test_blind_export_for_a_second_coder(reviewed, tmp_path):
    study, truth = reviewed
    exported = export_review(study, blind=True)
    assert exported.xlsx.name == "review_blind.xlsx"
    rows = read_rows(exported.csv)
    header, body = rows[0], rows[1:]
    assert header == FIXED_COLUMNS + CODES + ["comment"]
    assert {r[0] for r in body} == set(truth)  # decided segments too: the point is to code them again
    for name in ("suggested", "confidence", "keyword_hits", "uncertainty", "reviewed", *CODES):
        assert all(r[header.index(name)] == "" for r in body), name
    with StudyStore(study.store_path) as store:
        order = [s.segment_id for s in store.segments(speaker="informant")]
    assert [r[0] for r in body] == [sid for sid in order if sid in truth]  # transcript order, not uncertainty
    _mark(rows, truth, len(body))
    write_rows(tmp_path / "blind.csv", rows)
    assert import_review(study, tmp_path / "blind.csv", "forsker2").decided == len(truth)
    result = CliRunner().invoke(app, ["review", "export", "--blind", "--study", str(study.root)])
    assert result.exit_code == 0, result.output and "review_blind.xlsx" in result.output
