"""A transcript named after its informant leaves no trace of the name or number in anything shareable:
data/coded/ (study.sqlite included), reports/ and a .qdpx export. Shareable output names a transcript
by its informant id (docs/anonymisation.md, "File names")."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from pipeline.exchange import export_qdpx
from pipeline.settings import load_study
from pipeline.workflow import run_all

SETTINGS = """\
name: Filnavnstudie
groups: [stayed, sold_bought]
group_labels: {stayed: boligkjøper, sold_bought: boligkjøper}
"""
TEXT = """I: Hvordan var det å kjøpe boligen gjennom leie til eie?
IP: Det var en stor lettelse for oss. Vi hadde leid i mange år og visste ikke om banken ville si ja.
I: Hva betydde rabatten?
IP: Rabatten gjorde at vi fikk råd. Prisen var lavere enn markedet, og startlånet dekket resten.
I: Og naboene?
IP: Naboene var trygge og ungene slapp å bytte skole. Det var viktig for oss.
"""
INFORMANTS = ("id,file,group,name,age_group\n"
              "1,Hamid_Rahimi.txt,stayed,Hamid Rahimi,40-49\n"
              "2,intervju_Amina_Yusuf_Abdi_92418337.txt,sold_bought,Amina Yusuf Abdi,50-59\n")
TRACES = ("hamid", "rahimi", "amina", "yusuf", "abdi")
NUMBER = "92418337"


def traces_in(data: bytes) -> list[str]:
    text = data.decode("utf-8", errors="ignore").lower()
    found = [t for t in TRACES if t in text]
    if NUMBER in re.sub(r"[\s._\-/,]", "", text):
        found.append(NUMBER)
    return found


@pytest.mark.slow
def test_a_transcript_named_after_its_informant_leaves_no_trace(make_study, tmp_path):
    root = make_study({"Hamid_Rahimi.txt": TEXT, "intervju_Amina_Yusuf_Abdi_92418337.txt": TEXT.replace(
        "leid i mange år", "leid i seks år")}, informants=INFORMANTS, settings=SETTINGS)
    study = load_study(root)
    lines: list[str] = []
    run_all(study, echo=lines.append)
    qdpx = export_qdpx(study, root / "reports" / "exchange" / "study.qdpx").path

    shareable = [p for folder in (study.coded_dir, study.reports_dir) for p in folder.rglob("*") if p.is_file()]
    assert study.store_path in shareable and (study.coded_dir / "segments.csv") in shareable
    leaks = {str(p.relative_to(root)): traces_in(p.read_bytes()) for p in shareable}
    with zipfile.ZipFile(qdpx) as archive:
        leaks |= {f"{qdpx.name}/{n}": traces_in(archive.read(n)) for n in archive.namelist()}
    assert {where: found for where, found in leaks.items() if found} == {}
    assert not [line for line in lines if traces_in(line.encode())]  # nor the stage summaries

    segments = (study.coded_dir / "segments.csv").read_text(encoding="utf-8")
    assert ",1.txt," in segments and ",2.txt," in segments  # the neutral names
    # The raw names stay private: the raw folder and data/private/ still know them.
    assert (root / "data" / "raw" / "transcripts" / "Hamid_Rahimi.txt").exists()


def test_shareable_file_name_is_the_informant_id_and_suffix():
    from pipeline.ingest.informants import shareable_file_name

    assert shareable_file_name("7", "Hamid_Rahimi.TXT") == "7.txt"
    assert shareable_file_name("S1", "intervju_Amina_Yusuf_Abdi_92418337.docx") == "S1.docx"
    assert Path(shareable_file_name("3", "Kari Nordmann")).suffix == ""


def test_an_attribute_naming_someone_the_transcripts_name_is_refused_with_its_column_and_informant(make_study):
    from pipeline.errors import LeakError

    text = TEXT.replace("Og naboene?", "Hvem hjalp dere?\nIP: Det var Halimo Warsame Nuur på boligkontoret. "
                        "Halimo Warsame Nuur ringte oss hver uke.\nI: Og naboene?")
    informants = ("id,file,group,role\n1,a.txt,stayed,kjøper (intervjuet sammen med Halimo Warsame Nuur)\n"
                  "2,b.txt,sold_bought,kjøper\n")
    root = make_study({"a.txt": text, "b.txt": TEXT}, informants=informants, settings=SETTINGS)
    with pytest.raises(LeakError) as caught:
        run_all(load_study(root), echo=lambda _line: None)
    message = str(caught.value)
    assert "column 'role', row 2" in message, message
    assert "halimo" not in message.lower() and "warsame" not in message.lower()
    assert not (root / "data" / "coded" / "informants.csv").exists()
