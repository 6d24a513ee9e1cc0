"""A second worked study end to end: another domain, codebook, groups, attributes and file formats.

tests/data/study2 is synthetic (pupils and parents on the move to upper secondary school): five
short interviews as .txt (one in a transcription tool's timestamp-range form with SPEAKER_00/01),
.docx (bold labels and a two-column table), .vtt (voices named by the informant's first name, declared
in the informants table's speaker_label column) and .srt (Nynorsk labels). Invented identifiers
are planted in every interview and listed in tests/data/study2/planted.txt; the researchers' known identifiers
and review decisions are in tests/data/study2/researcher_inputs/ (synthetic; a real study keeps them in data/private/). After `qualpipe run`
the report exists in three formats with nothing of the demo study in it, its tables count the
informants of each group, and no planted identifier is in data/coded/ or reports/.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.settings import load_study
from pipeline.store import PrivateStore, copy_study_inputs

SOURCE = Path(__file__).parent / "data" / "study2"
GROUPS = {"pupil": 3, "parent": 2}
# Words of the demo study (its prose, groups, codes, attributes, places) that another study's report must not hold.
DEMO_WORDS = ["boligkjøper", "leie til eie", "Trondheim", "Husbanken", "startlån", "Boligkontoret",
              "kommunal", "Stabilitet og trygghet", "Informasjon og oppfølging", "Boligens standard",
              "Pris og rabatt", "Kjøpt (år)", "Solgt (år)", "stayed", "sold_bought", "back_to_rental",
              "year_bought", "refugee_background", "offentlig statistikk", "strategisk valgt"]


@pytest.fixture(scope="module")
def study2(tmp_path_factory):
    root = copy_study_inputs(SOURCE, tmp_path_factory.mktemp("study2") / "study", human_coding=False)
    (root / "data" / "private").mkdir(parents=True)
    shutil.copy(SOURCE / "researcher_inputs" / "known_identifiers.txt", root / "data" / "private" / "known_identifiers.txt")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1560000000")
    runner = CliRunner()
    # The researcher's keep decisions after reading the anonymiser's review sheet (README, "Your own
    # study", step 3): ordinary words the anonymiser took for names on this material.
    for command in (["ingest"], ["anonymise", "--decisions", str(SOURCE / "researcher_inputs" / "anonymisation_decisions.csv")],
                    ["run"]):
        result = runner.invoke(app, [*command, "--study", str(root)])
        assert result.exit_code == 0, result.output
    status = runner.invoke(app, ["status", "--study", str(root)])
    mp.undo()
    assert status.exit_code == 0 and "Alt er oppdatert." in status.output, status.output
    return root, result.output


def shareable_texts(root: Path) -> dict[str, str]:
    """Every shareable text: data/coded/ CSVs, the report's Markdown and tables, visible HTML text, DOCX text."""
    reports = root / "reports"
    texts = {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in (root / "data" / "coded").rglob("*.csv")}
    texts |= {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in reports.rglob("*")
              if p.suffix in (".md", ".csv")}
    html = (reports / "rapport.html").read_text(encoding="utf-8")
    texts["reports/rapport.html"] = re.sub(r"<style.*?</style>|data:image/png;base64,[A-Za-z0-9+/=]+|<[^>]+>", " ",
                                           html, flags=re.S)
    with zipfile.ZipFile(reports / "rapport.docx") as archive:
        texts["reports/rapport.docx"] = re.sub(r"<[^>]+>", " ", archive.read("word/document.xml").decode("utf-8"))
    return texts


def test_every_format_and_label_style_is_read_into_turns(study2):
    root, output = study2
    assert "[ingest] 5 informanter; 0 transkripsjoner segmentert, 5 uendret" in output
    with PrivateStore(load_study(root).private_store_path) as private:
        for file in private.files():
            turns = private.turns(file)
            speakers = [t.speaker for t in turns]
            assert {"interviewer", "informant"} == set(speakers), file
            words = {s: sum(len(t.text.split()) for t in turns if t.speaker == s) for s in set(speakers)}
            assert words["informant"] > words["interviewer"], file
        amira = private.turns("elev_amira.vtt")
        assert [t.label for t in amira if t.speaker == "informant"][0] == "Amira"  # from the speaker_label column
        # Consecutive cues of one voice are one turn: the interviewer asks, the informant answers.
        assert all(a.speaker != b.speaker for a, b in zip(amira, amira[1:]))


def test_the_report_in_three_formats_counts_the_informants_of_each_group(study2):
    root, output = study2
    reports = root / "reports"
    assert all((reports / name).is_file() for name in ("rapport.html", "rapport.md", "rapport.docx"))
    with open(root / "data" / "coded" / "informants.csv", encoding="utf-8") as handle:
        informants = list(csv.DictReader(handle))
    assert {g: sum(1 for i in informants if i["group"] == g) for g in GROUPS} == GROUPS
    assert set(informants[0]) == {"id", "file", "group", "grade", "programme"}  # name and speaker_label are private
    with open(reports / "tables" / "compare_prevalence.csv", encoding="utf-8") as handle:
        prevalence = list(csv.DictReader(handle))
    assert {r["code"] for r in prevalence} == {"belonging", "workload", "guidance"}
    assert {r["group"]: int(r["informants_in_group"]) for r in prevalence if r["group"] in GROUPS} == GROUPS
    markdown = (reports / "rapport.md").read_text(encoding="utf-8")
    for label in ("Tilhørighet", "Arbeidsmengde", "Veiledning", "Elever", "Foreldre"):
        assert label in markdown
    assert re.search(r"\((elev E\d|forelder F\d)\)", markdown)  # quotes attributed by the study's group labels


def test_the_report_holds_no_word_of_the_demo_study(study2):
    root, _ = study2
    texts = shareable_texts(root)
    found = sorted((word, name) for name, text in texts.items() if name.startswith("reports/")
                   for word in DEMO_WORDS if word.lower() in text.lower())
    assert found == [], found


def test_no_planted_identifier_in_data_coded_or_reports(study2):
    root, _ = study2
    planted = [line.strip() for line in (SOURCE / "planted.txt").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    assert len(planted) >= 30
    leaks = sorted((item, name) for item in planted for name, text in shareable_texts(root).items()
                   if re.search(r"(?<!\w)" + re.escape(item) + r"(?!\w)", text, re.IGNORECASE))
    assert leaks == []
