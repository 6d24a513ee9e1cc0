"""status tells the truth: every input the outputs are made from, compared with the last run."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import NEUTRAL_CODEBOOK
from pipeline.cli import app
from pipeline.ingest import ingest_study
from pipeline.settings import load_study
from pipeline.status import older_codebook_decisions, record_run_inputs, study_status
from pipeline.store import StudyStore

runner = CliRunner()
TRANSCRIPT = ("I: Hvordan har du det med hjelpen?\nIP: Jeg får hjelp hver dag, men jeg må vente lenge.\n"
              "I: Er du bekymret?\nIP: Litt redd av og til, ellers er det fint.\n")


@pytest.fixture
def recorded(make_study):
    """A study whose inputs are recorded as those of the last run."""
    root = make_study({"a.txt": TRANSCRIPT, "b.txt": TRANSCRIPT.replace("lenge", "litt")})
    study = load_study(root)
    ingest_study(study)
    with StudyStore(study.store_path) as store:  # what the anonymise stage would have stored (shareable names)
        store.conn.execute("INSERT INTO transcripts VALUES ('1.txt', '1', 'x', 0, 'now'), "
                           "('2.txt', '2', 'x', 0, 'now')")
    record_run_inputs(study)
    assert study_status(load_study(root)).stale == []
    return root


def write(root, relative, text):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


CHANGES = {
    "informants": (lambda r: write(r, "data/raw/informants.csv", "id,file,group,age\n1,a.txt,a,40\n2,b.txt,a,50\n"),
                   "informants.csv: changed since the last run"),
    "settings": (lambda r: write(r, "study.yaml", "name: Teststudie\nreport:\n  title: Ny tittel\n"),
                 "study.yaml: settings changed since the last run"),
    "codebook version": (lambda r: write(r, "codebook.yaml", NEUTRAL_CODEBOOK.replace('version: "1"', 'version: "2"')),
                         "codebook.yaml: version 1 -> 2 since the last run"),
    "codebook content": (lambda r: write(r, "codebook.yaml", NEUTRAL_CODEBOOK.replace("[tid, vente]", "[tid]")),
                         "codebook.yaml: changed since the last run (version 1 kept)"),
    "human file": (lambda r: write(r, "data/coded/human/forsker1.csv", "segment_id,codes,codebook_version\n"),
                   "data/coded/human/forsker1.csv: new since the last run"),
    "anonymisation decisions": (lambda r: write(r, "data/private/anonymisation_decisions.json", "{}"),
                                "anonymisation decisions (data/private/): changed since the last run"),
    "known identifiers": (lambda r: write(r, "data/private/known_identifiers.txt", "Kari Nordmann\n"),
                          "known identifiers file (data/private/): changed since the last run"),
    "transcript": (lambda r: write(r, "data/raw/transcripts/a.txt", TRANSCRIPT + "I: Takk.\n"),
                   "a.txt: changed since it was ingested"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_each_changed_input_makes_the_study_stale(recorded, change):
    apply, expected = CHANGES[change]
    apply(recorded)
    stale = study_status(load_study(recorded)).stale
    assert expected in stale, stale


def test_a_comment_in_study_yaml_changes_nothing(recorded):
    (recorded / "study.yaml").write_text("# a comment\nname:   Teststudie\n", encoding="utf-8")
    assert study_status(load_study(recorded)).stale == []


def test_another_spacy_pipeline_makes_the_study_stale(recorded, monkeypatch):
    import pipeline.status as status

    monkeypatch.setattr(status, "_model_fingerprint", lambda study: "nb_core_news_md-3.8.0")
    assert any(line.startswith("spaCy pipeline: ") and line.endswith("-> nb_core_news_md-3.8.0 since the last run")
               for line in study_status(load_study(recorded)).stale)


def test_a_changed_human_file_after_review_import_is_stale(recorded):
    write(recorded, "data/coded/human/forsker1.csv", "segment_id,codes,codebook_version\n")
    record_run_inputs(load_study(recorded))
    write(recorded, "data/coded/human/forsker1.csv", "segment_id,codes,codebook_version\nsx,time,1\n")
    assert "data/coded/human/forsker1.csv: changed since the last run (review import?)" in study_status(
        load_study(recorded)).stale


def test_outputs_without_a_recorded_run_are_not_called_up_to_date(make_study):
    root = make_study({"a.txt": TRANSCRIPT})
    ingest_study(load_study(root))
    assert any("no complete 'qualpipe run' recorded" in line for line in study_status(load_study(root)).stale)


def test_run_warns_about_decisions_under_an_older_codebook_and_the_report_repeats_it(make_study):
    root = make_study({"a.txt": TRANSCRIPT, "b.txt": TRANSCRIPT.replace("lenge", "litt")})
    first = runner.invoke(app, ["--study", str(root), "run", "--no-debug"])
    assert first.exit_code == 0, first.output
    assert "Advarsel" not in first.output
    assert "Alt er oppdatert." in runner.invoke(app, ["--study", str(root), "status"]).output
    with StudyStore(load_study(root).store_path) as store:
        segment = store.segments(speaker="informant")[0].segment_id
    write(root, "data/coded/human/forsker1.csv", f"segment_id,codes,codebook_version\n{segment},time,1\n")
    write(root, "codebook.yaml", NEUTRAL_CODEBOOK.replace('version: "1"', 'version: "2"'))
    status = runner.invoke(app, ["--study", str(root), "status"]).output
    assert "codebook.yaml: version 1 -> 2 since the last run" in status
    assert "data/coded/human/forsker1.csv: new since the last run" in status
    assert "Alt er oppdatert." not in status
    second = runner.invoke(app, ["--study", str(root), "run"])
    assert second.exit_code == 0, second.output
    warning = next(line for line in second.output.splitlines() if "Advarsel" in line)
    assert "forsker1: 1 av 1 avgjørelser" in warning and "gjeldende 2" in warning and "1 under 1" in warning
    assert older_codebook_decisions(load_study(root)) == [warning.split("Advarsel: ", 1)[1]]
    report = (root / "reports" / "rapport.md").read_text(encoding="utf-8")
    assert "forsker1: 1 av 1 avgjørelser er gjort under en annen kodebokversjon" in report
    assert "Alt er oppdatert." in runner.invoke(app, ["--study", str(root), "status"]).output


def test_a_no_op_run_only_checks_and_an_edited_output_is_redone(make_study):
    root = make_study({"a.txt": TRANSCRIPT, "b.txt": TRANSCRIPT.replace("lenge", "litt")})
    first = runner.invoke(app, ["--study", str(root), "run"])
    assert first.exit_code == 0, first.output
    report = root / "reports" / "rapport.md"
    made = report.read_bytes()
    second = runner.invoke(app, ["--study", str(root), "run"])
    assert second.exit_code == 0 and "ingenting er endret" in second.output and "[ingest]" not in second.output
    assert report.read_bytes() == made
    # an output edited (or lost) by hand is not "up to date": status says so and run makes it again
    report.write_text("redigert for hånd\n", encoding="utf-8")
    assert "reports/rapport.md: changed since the last run" in study_status(load_study(root)).stale
    third = runner.invoke(app, ["--study", str(root), "run"])
    assert third.exit_code == 0 and "[report]" in third.output
    assert report.read_text(encoding="utf-8") != "redigert for hånd\n"
    assert "Alt er oppdatert." in runner.invoke(app, ["--study", str(root), "status"]).output
    # a changed input runs the stages again
    write(root, "study.yaml", "name: Teststudie\nreport:\n  title: Ny tittel\n")
    fourth = runner.invoke(app, ["--study", str(root), "run"])
    assert fourth.exit_code == 0 and "[ingest]" in fourth.output and "Ny tittel" in report.read_text(encoding="utf-8")
