"""An outsider's audit of the texts a researcher writes (redteam10, docs/anonymisation.md "Tenth session").

study.yaml's texts, codebook.yaml's texts and the informants table's cells are written from the
material and reach the report, the .qdpx, study.sqlite and error lines; a name there that no list of
the study holds (named in no transcript, in no name column, in no package list, or in lower case)
went through. Each test failed before its fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.anonymise.guard import check_codebook, require_guard, shareable_message
from pipeline.errors import LeakError
from pipeline.settings import load_study

REPO = Path(__file__).resolve().parents[1]
SETTINGS = "name: Teststudie\ngroups: [stayed]\n"
TRANSCRIPT = {"a.txt": "I: Hei.\nIP: Hei.\n"}
ONE = "id,file,group\n1,a.txt,stayed\n"


@pytest.mark.parametrize("field,text,forms", [
    ("title", "Leie til eie – for Solveig Eidsvaag", ("solveig", "eidsvaag")),  # a surname in no list
    ("subtitle", "Funn fra intervjuer (intervjuer: petter fagerbakk)", ("petter", "fagerbakk")),  # lower case
    ("context_note", "Tall fra kontoret til halvor nordbø.", ("halvor", "nordbø")),
    ("sample_note", "Rekruttert via Ulvestad Eiendom.", ("ulvestad",)),  # a compound of words, capitalised
])
def test_a_name_in_no_list_in_a_text_of_study_yaml_is_refused(make_study, field, text, forms):
    study = load_study(make_study(TRANSCRIPT, informants=ONE, settings=SETTINGS + f'report:\n  {field}: "{text}"\n'))
    with pytest.raises(LeakError) as error:
        require_guard(study)
    message = str(error.value)
    assert f"report.{field}" in message and "keep_terms" in message
    assert not any(form in message.lower() for form in forms), message


def test_a_keep_term_keeps_a_word_of_study_yaml_the_dictionaries_do_not_know(make_study):
    settings = (SETTINGS + 'report:\n  title: "Leie til eie på Fagerbakk"\n'
                "anonymisation:\n  keep_terms: [Fagerbakk]\n")
    require_guard(load_study(make_study(TRANSCRIPT, informants=ONE, settings=settings)))


def test_a_word_of_a_keep_term_of_several_words_is_kept_only_inside_the_term(make_study):
    keep = "anonymisation:\n  keep_terms: [Kari Nordmanns minnefond]\n"
    ok = SETTINGS + 'report:\n  subtitle: "Støtte fra Kari Nordmanns minnefond (kari_nordmanns_minnefond)"\n' + keep
    require_guard(load_study(make_study(TRANSCRIPT, informants=ONE, settings=ok)))
    bad = SETTINGS + 'report:\n  subtitle: "Funn fra intervjuer (intervjuer: kari nordmann)"\n' + keep
    with pytest.raises(LeakError) as error:
        require_guard(load_study(make_study(TRANSCRIPT, informants=ONE, settings=bad, root=None)))
    assert "report.subtitle" in str(error.value) and "nordmann" not in str(error.value).lower()


CODEBOOK = """\
version: "1"
name: Kodebok
codes:
  - id: stability
    label: Stabilitet
    colour: "#1b9e77"
    definition: Trygghet i bosituasjonen.
    examples:
      positive: ["{positive}"]
"""


@pytest.mark.parametrize("quote,forms", [
    ("Vi flyttet i 2003, sa sigrun aalbu.", ("sigrun", "aalbu")),
    ("Det viktigste var at Torstein Myrvold slapp å bytte skole.", ("torstein", "myrvold")),
])
def test_a_name_in_no_list_in_a_codebook_example_is_refused(make_study, quote, forms):
    from pipeline.codebook import load_codebook

    root = make_study(TRANSCRIPT, informants=ONE, settings=SETTINGS, codebook=CODEBOOK.format(positive=quote))
    study = load_study(root)
    with pytest.raises(LeakError) as error:
        check_codebook(require_guard(study), load_codebook(root / "codebook.yaml"), root / "reports")
    message = str(error.value)
    assert "code 1: examples.positive 1" in message
    assert not any(form in message.lower() for form in forms), message


@pytest.mark.parametrize("column,cell,forms", [
    ("note", "bor med kona gudrun heggelund", ("gudrun", "heggelund")),  # lower case: no list's capital
    ("role", "prosjektmedarbeider (leder ragnhild hovdenak)", ("ragnhild", "hovdenak")),
    ("note", "leder: tveitnes", ("tveitnes",)),  # a surname alone, lower case
    ("situation", "kjøpt bolig hos Ulvestad Eiendom", ("ulvestad",)),
    ("note", "bor med kari nordmann", ("kari", "nordmann")),  # both ordinary words, a name together
])
def test_a_table_cell_with_a_name_in_no_list_is_refused(make_study, column, cell, forms):
    from pipeline.ingest import ingest_study

    informants = f"id,file,group,{column}\n1,a.txt,stayed,{cell}\n"
    study = load_study(make_study(TRANSCRIPT, informants=informants, settings=SETTINGS))
    with pytest.raises(LeakError) as error:
        ingest_study(study)
    message = str(error.value)
    assert f"column '{column}', row 2" in message
    assert not any(form in message.lower() for form in forms), message


def test_the_demo_texts_pass(tmp_path):
    # Precision: the demo's study.yaml, codebook.yaml and informants table pass the rule that refuses
    # the names above (its keep terms keep "Trondheim" and "startlån").
    from pipeline.codebook import load_codebook
    from pipeline.ingest import load_informant_table
    from pipeline.anonymise.guard import check_context
    from pipeline.ingest.informants import check_shareable_informants
    from pipeline.report.context import read_context_tables

    study = load_study(REPO)
    guard = require_guard(study)
    check_codebook(guard, load_codebook(REPO / "codebook.yaml"), tmp_path / "x")
    check_shareable_informants(study, load_informant_table(study))
    check_context(guard, read_context_tables(study.context_dir), tmp_path / "x")


@pytest.mark.parametrize("informants,forms", [
    ("id,file,group\n1,a.txt,sigve aasheim\n", ("sigve", "aasheim")),  # lower case, in no list
    ("id,file,group\nkari nordmann,a.txt,a\nkari nordmann,b.txt,a\n", ("kari", "nordmann")),
    ("id,file,group\n1,a.txt,sigve o'neill\n", ("sigve", "neill")),  # an apostrophe inside the value
])
def test_an_error_quoting_a_lower_case_name_of_a_cell_drops_it(make_study, informants, forms):
    from typer.testing import CliRunner

    from pipeline.cli import app

    transcripts = {f"{c}.txt": "I: Hei.\nIP: Hei.\n" for c in "ab"}
    root = make_study(transcripts, informants=informants, settings="name: Test\ngroups: [a]\n")
    result = CliRunner().invoke(app, ["--study", str(root), "ingest"])
    assert result.exit_code == 1 and "'…'" in result.output, result.output
    assert not any(form in result.output.lower() for form in forms), result.output


@pytest.mark.parametrize("label,forms", [
    ("oddvar", ("oddvar",)),
    ("d'souza", ("souza",)),  # repr() wrote it in double quotes, which the filter did not read
])
def test_an_error_naming_a_speaker_label_unquoted_drops_it(make_study, label, forms):
    # settings.py named the labels declared for both sides without quotes: a label is often a first name.
    settings = f'name: Test\ngroups: [a]\nspeaker_labels:\n  interviewer: ["{label}"]\n  informant: ["{label}"]\n'
    root = make_study(TRANSCRIPT, informants="id,file,group\n1,a.txt,a\n", settings=settings)
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["--study", str(root), "ingest"])
    assert result.exit_code == 1, result.output
    assert not any(form in result.output.lower() for form in forms), result.output


CONTEXT = """\
# Tittel: {title}
# Kilde: {source}
år,{column}
2010,5
2011,7
"""


CONTEXT_CASES = [
    ("tall.csv", "Startlån (fra Liv Rødsandberg)", "Husbanken", "kjøp (antall)", "title", ("rødsandberg",)),
    ("tall.csv", "Startlån", "Husbanken, saksbehandler bjarne tverås", "kjøp (antall)", "source", ("bjarne", "tverås")),
    ("tall.csv", "Startlån", "Husbanken", "kjøp (talt av Gunnvor Skjæran)", "column 2", ("gunnvor", "skjæran")),
    ("tall_fra_sigve_aasheim.csv", "Startlån", "Husbanken", "kjøp (antall)", "file name", ("sigve", "aasheim")),
]


def test_a_name_in_a_context_table_is_refused_by_the_report(make_study):
    # A context table's title, source, column names and file name (the figure's file, the default
    # title) reach the report's prose, its tables and the figures' pixels.
    from pipeline.anonymise.stage import anonymise_stage
    from pipeline.coding.stage import code_stage
    from pipeline.compare import compare_stage
    from pipeline.report.model import build_report
    from pipeline.workflow import ingest_stage

    root = make_study({"a.txt": "I: Hei.\nIP: Naboen hjalp meg.\n"}, informants=ONE, settings=SETTINGS)
    study = load_study(root)
    for stage in (ingest_stage, anonymise_stage, code_stage, compare_stage):
        stage(study)
    folder = root / "data" / "raw" / "context"
    folder.mkdir()
    for name, title, source, column, where, forms in CONTEXT_CASES:
        for old in folder.iterdir():
            old.unlink()
        (folder / name).write_text(CONTEXT.format(title=title, source=source, column=column), encoding="utf-8")
        with pytest.raises(LeakError) as error:
            build_report(load_study(root), with_topics=False)
        message = str(error.value)
        assert f"data/raw/context (table 1 of 1: {where})" in message, message
        assert not any(form in message.lower() for form in forms), message
