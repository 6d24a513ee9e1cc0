"""Ingest: formats, speaker turns, bad input, idempotence, incremental rounds, stable ids."""

from __future__ import annotations

import io

import docx
import pytest
from odf.opendocument import OpenDocumentText
from odf.text import P

from pipeline.errors import QualpipeError
from pipeline.ingest import ingest_study, read_study_transcripts
from pipeline.settings import load_study
from pipeline.store import PrivateStore, StudyStore

TXT = "Intervju 1, mars 2019\nI: Hvordan var det å kjøpe?\nIP: Det var fint. Vi fikk rabatt.\nI: Og etterpå?\nIP: Vi bor der ennå.\n"


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_bytes(paragraphs: list[str]) -> bytes:
    document = OpenDocumentText()
    for text in paragraphs:
        document.text.addElement(P(text=text))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def turns_of(root, file):
    study = load_study(root)
    _, transcripts = read_study_transcripts(study)
    return next(t for t in transcripts if t.file == file)


# ---------------------------------------------------------------- formats


def test_txt_turns_labels_header_and_continuation(make_study):
    root = make_study({"a.txt": "Header line\nI: Spørsmål?\nIP: Første linje.\nandre linje uten etikett.\n\nI: Takk.\n"})
    transcript = turns_of(root, "a.txt")
    assert [(t.speaker, t.label) for t in transcript.turns] == [
        ("interviewer", "I"), ("informant", "IP"), ("interviewer", "I")]
    assert transcript.turns[1].text == "Første linje.\nandre linje uten etikett."
    assert [t.turn_index for t in transcript.turns] == [0, 1, 2]
    assert any("header" in note for note in transcript.notes)


@pytest.mark.parametrize("interviewer,informant", [
    ("I", "IP"), ("Int", "B"), ("Intervjuer", "Informant"), ("Interviewer", "R"),
    ("intervjuer", "Inf"), ("I", "Intervjuperson")])
def test_default_labels(make_study, interviewer, informant):
    root = make_study({"a.txt": f"{interviewer}: Spørsmål?\n{informant}: Svar.\n"})
    assert [t.speaker for t in turns_of(root, "a.txt").turns] == ["interviewer", "informant"]


def test_configured_labels(make_study):
    settings = "name: T\nspeaker_labels:\n  interviewer: [Forsker]\n  informant: [Kari]\n"
    root = make_study({"a.txt": "Forsker: Hei?\nKari: Hei.\n"}, settings=settings)
    assert [t.speaker for t in turns_of(root, "a.txt").turns] == ["interviewer", "informant"]


def test_a_label_listed_in_two_spellings_of_one_role_is_one_label(make_study):
    settings = "name: T\nspeaker_labels:\n  interviewer: [Intervjuer, intervjuer]\n  informant: [Informant, informant]\n"
    root = make_study({"a.txt": "intervjuer: Hei?\nINFORMANT: Hei.\n"}, settings=settings)
    assert [t.speaker for t in turns_of(root, "a.txt").turns] == ["interviewer", "informant"]


def test_a_label_declared_for_both_roles_is_a_settings_error_naming_study_yaml(make_study):
    settings = "name: T\nspeaker_labels:\n  interviewer: [Intervjuer, Sønn]\n  informant: [IP, sønn]\n"
    root = make_study({"a.txt": "Intervjuer: Hei?\nIP: Hei.\n"}, settings=settings)
    with pytest.raises(QualpipeError, match=r"study\.yaml.*sønn.*both interviewer and informant"):
        load_study(root)


def test_timestamps_stripped_and_kept(make_study):
    root = make_study({"a.txt": "[00:00:05] I: Start?\nIP: [00:04:12] Ja, det var [00:04:20] bra. #00:04:30-2#\n"})
    turns = turns_of(root, "a.txt").turns
    assert turns[0].timestamps == ("00:00:05",)
    assert turns[1].text == "Ja, det var bra."
    assert turns[1].timestamps == ("00:04:12", "00:04:20", "00:04:30")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends(make_study, newline):
    root = make_study({"a.txt": TXT.replace("\n", newline).encode("utf-8")})
    turns = turns_of(root, "a.txt").turns
    assert len(turns) == 4 and "\r" not in "".join(t.text for t in turns)


def test_utf8_bom(make_study):
    root = make_study({"a.txt": b"\xef\xbb\xbf" + "I: Hei?\nIP: Blåbær og ærfugl.\n".encode("utf-8")})
    transcript = turns_of(root, "a.txt")
    assert transcript.turns[0].label == "I" and transcript.encoding == "utf-8-sig"
    assert transcript.turns[1].text == "Blåbær og ærfugl."


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_encodings_detected_and_reported(make_study, encoding):
    root = make_study({"a.txt": "I: Hvordan gikk flyttingen?\nIP: Først på Ørlandet, så Åsen. Ærlig talt fint.\n".encode(encoding)})
    transcript = turns_of(root, "a.txt")
    assert transcript.turns[1].text.startswith("Først på Ørlandet, så Åsen.")
    assert transcript.encoding in ("cp1252", "latin-1")
    assert any("not UTF-8" in note for note in transcript.notes)


def test_docx_paragraphs_and_tables(make_study):
    document = docx.Document()
    document.add_heading("Intervju 3", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("IP:").bold = True
    paragraph.add_run(" Vi kjøpte i 2011.")
    document.add_paragraph("Det var greit.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "I", "Og prisen?"
    table.cell(1, 0).text, table.cell(1, 1).text = "IP", "Rabatten hjalp."
    buffer = io.BytesIO()
    document.save(buffer)
    root = make_study({"a.docx": buffer.getvalue()})
    turns = turns_of(root, "a.docx").turns
    assert [(t.speaker, t.text) for t in turns] == [
        ("informant", "Vi kjøpte i 2011.\nDet var greit."), ("interviewer", "Og prisen?"),
        ("informant", "Rabatten hjalp.")]


def test_odt(make_study):
    root = make_study({"a.odt": odt_bytes(["Intervju", "I: Hei, hvordan går det?", "IP: Bra, takk.", "Vi trives."])})
    turns = turns_of(root, "a.odt").turns
    assert [(t.speaker, t.text) for t in turns] == [
        ("interviewer", "Hei, hvordan går det?"), ("informant", "Bra, takk.\nVi trives.")]


def test_webvtt_cues_labels_and_voice_spans(make_study):
    vtt = ("WEBVTT\n\nNOTE laget av transkripsjonsverktøy\n\n1\n00:00:01.000 --> 00:00:04.000\nIntervjuer: Hvordan var det?\n\n"
           "2\n00:00:04.500 --> 00:00:08.000\nIP: Det var bra. Vi fikk\n\n00:00:08.000 --> 00:00:10.000\nrabatt på femti tusen.\n\n"
           "00:00:10.000 --> 00:00:12.000\n<v Intervjuer>Takk.</v>\n")
    root = make_study({"a.vtt": vtt})
    turns = turns_of(root, "a.vtt").turns
    assert [(t.speaker, t.text) for t in turns] == [
        ("interviewer", "Hvordan var det?"), ("informant", "Det var bra. Vi fikk rabatt på femti tusen."),
        ("interviewer", "Takk.")]
    assert turns[1].timestamps == ("00:00:04.500",)


def test_srt(make_study):
    srt = ("1\r\n00:00:01,000 --> 00:00:03,000\r\nI: Bor du der fortsatt?\r\n\r\n"
           "2\r\n00:00:03,500 --> 00:00:06,000\r\nIP: Ja, siden 2012.\r\n\r\n"
           "3\r\n00:00:06,000 --> 00:00:07,000\r\nDet er hjemme.\r\n")
    root = make_study({"a.srt": srt})
    turns = turns_of(root, "a.srt").turns
    assert [(t.speaker, t.text) for t in turns] == [("interviewer", "Bor du der fortsatt?"),
                                                    ("informant", "Ja, siden 2012. Det er hjemme.")]
    assert turns[0].timestamps == ("00:00:01.000",)


# ---------------------------------------------------------------- bad input

GOOD = "I: Hei?\nIP: Hei.\n"


def ingest_error(root) -> str:
    with pytest.raises(QualpipeError) as caught:
        ingest_study(load_study(root))
    message = str(caught.value)
    assert "\n" not in message  # one line
    return message


def nothing_written(root) -> bool:
    return not (root / "data" / "private").exists() and not (root / "data" / "coded" / "study.sqlite").exists()


@pytest.mark.parametrize("name,content,expected", [
    ("a.txt", b"", "file is empty"),
    ("a.txt", b"  \n\n ", "file is empty"),
    ("a.txt", bytes(range(256)) * 4, "undecodable bytes"),
    ("a.docx", b"this is not a word document at all", "not a valid .docx"),
    ("a.docx", docx_bytes(["I: Hei?", "IP: Hei."])[:1500], "not a valid .docx"),
    ("a.odt", b"PK\x03\x04garbage", "not a valid .odt"),
    ("a.txt", "Bare tekst uten etiketter.\nMer tekst.\n".encode(), "no speaker label"),
    ("a.vtt", b"00:00:01.000 --> 00:00:02.000\nI: Hei\n", "not a WebVTT file"),
    ("a.pdf", b"%PDF-1.4", "unsupported transcript format"),
])
def test_bad_transcript_is_one_line_error_naming_the_file(make_study, name, content, expected):
    root = make_study({name: content})
    message = ingest_error(root)
    assert expected in message and name in message
    assert nothing_written(root)


def test_one_bad_file_among_good_ones_writes_nothing(make_study):
    root = make_study({"a.txt": GOOD, "b.txt": GOOD, "c.docx": b"not a docx"})
    assert "c.docx" in ingest_error(root)
    assert nothing_written(root)


@pytest.mark.parametrize("table,expected", [
    ("id,file,group\n1,a.txt,stayed\n1,b.txt,stayed\n", "duplicate informant id '1'"),
    ("id,file,group\n1,a.txt,stayed\n2,b.txt,owners\n", "unknown group 'owners'"),
    ("id,file,group\n1,a.txt,stayed\n2,b.txt,stayed\n3,c.txt,stayed\n", "'c.txt' not found"),
    ("id,file,group\n1,a.txt,stayed\n", "b.txt: transcript has no row"),
    ("id,group\n1,stayed\n", "missing column(s) file"),
    ("", "informants table is empty"),
])
def test_bad_informants_table(make_study, table, expected):
    root = make_study({"a.txt": GOOD, "b.txt": GOOD}, informants=table, settings="name: T\ngroups: [stayed]\n")
    message = ingest_error(root)
    assert expected in message
    assert "informants.csv" in message or "b.txt" in message
    assert nothing_written(root)


def test_informants_xlsx_and_attributes(make_study):
    import openpyxl

    root = make_study({"a.txt": GOOD, "b.txt": GOOD})
    (root / "data" / "raw" / "informants.csv").unlink()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "file", "group", "name", "year_bought"])
    sheet.append([1, "a.txt", "stayed", "Kari Nordmann", 2010])
    sheet.append([2, "b.txt", "sold_bought", None, 2012])
    workbook.save(root / "data" / "raw" / "informants.xlsx")
    result = ingest_study(load_study(root))
    assert [(i.id, i.group, i.attributes) for i in result.informants] == [
        ("1", "stayed", {"year_bought": "2010"}), ("2", "sold_bought", {"year_bought": "2012"})]
    # The private name column never reaches the shareable store.
    with StudyStore(load_study(root).store_path) as store:
        assert "Kari" not in str([(i.attributes, i.file) for i in store.informants()])


def test_bad_settings_are_one_line_errors(make_study):
    root = make_study({"a.txt": GOOD}, settings="groups: [stayed]\ncoding:\n  unit: paragraph\n")
    with pytest.raises(QualpipeError, match=r"study.yaml: setting 'coding.unit'"):
        load_study(root)
    root2 = make_study({"a.txt": GOOD}, settings="groups: [stayed\n", root=root.parent / "s2")
    with pytest.raises(QualpipeError, match=r"study.yaml: line \d+: invalid YAML"):
        load_study(root2)


# ------------------------------------------------- store, ids, incremental runs


def private_segments(root):
    with PrivateStore(load_study(root).private_store_path) as private:
        return private.segments()


def test_segments_have_offsets_within_turn(make_study):
    root = make_study({"a.txt": "I: Hvordan var det?\nIP: Det var fint. Vi fikk rabatt på prisen. Og vi ble boende.\n"})
    ingest_study(load_study(root))
    segments = [s for s in private_segments(root) if s.speaker == "informant"]
    with PrivateStore(load_study(root).private_store_path) as private:
        turn = private.turns("a.txt")[1]
    assert [s.text for s in segments] == ["Det var fint.", "Vi fikk rabatt på prisen.", "Og vi ble boende."]
    assert all(turn.text[s.start:s.end] == s.text and s.turn_index == 1 for s in segments)


def test_rerun_is_idempotent(make_study):
    root = make_study({"a.txt": TXT, "b.txt": TXT.replace("rabatt", "hjelp")})
    first = ingest_study(load_study(root))
    before = private_segments(root)
    second = ingest_study(load_study(root))
    assert sorted(first.segmented) == ["a.txt", "b.txt"]
    assert second.segmented == [] and sorted(second.unchanged) == ["a.txt", "b.txt"]
    assert private_segments(root) == before


def test_new_round_is_added_incrementally(make_study):
    root = make_study({"a.txt": TXT})
    ingest_study(load_study(root))
    old = {s.segment_id for s in private_segments(root)}
    (root / "data" / "raw" / "transcripts" / "b.txt").write_text("I: Ny runde?\nIP: Ja, ny runde.\n", encoding="utf-8")
    with open(root / "data" / "raw" / "informants.csv", "a", encoding="utf-8") as table:
        table.write("2,b.txt,stayed\n")
    result = ingest_study(load_study(root))
    assert result.segmented == ["b.txt"] and result.unchanged == ["a.txt"]
    assert old < {s.segment_id for s in private_segments(root)}


def test_segment_ids_stable_across_edits_elsewhere(make_study):
    root = make_study({"a.txt": TXT})
    ingest_study(load_study(root))
    before = {s.text: s.segment_id for s in private_segments(root)}
    edited = TXT.replace("I: Og etterpå?\n", "I: Og etterpå, hvordan gikk det?\nIP: Helt greit.\nI: Og så?\n")
    (root / "data" / "raw" / "transcripts" / "a.txt").write_text(edited, encoding="utf-8")
    assert ingest_study(load_study(root)).segmented == ["a.txt"]
    after = {s.text: s.segment_id for s in private_segments(root)}
    for text in ("Det var fint.", "Vi fikk rabatt.", "Vi bor der ennå.", "Hvordan var det å kjøpe?"):
        assert before[text] == after[text]
    assert len(set(after.values())) == len(after)


def test_repeated_short_answers_get_distinct_ids(make_study):
    root = make_study({"a.txt": "I: Var det fint?\nIP: Ja.\nI: Og prisen?\nIP: Ja.\n"})
    ingest_study(load_study(root))
    ids = [s.segment_id for s in private_segments(root) if s.text == "Ja."]
    assert len(ids) == 2 and len(set(ids)) == 2


def test_removed_transcript_is_removed_from_stores(make_study):
    root = make_study({"a.txt": TXT, "b.txt": GOOD})
    ingest_study(load_study(root))
    (root / "data" / "raw" / "transcripts" / "b.txt").unlink()
    (root / "data" / "raw" / "informants.csv").write_text("id,file,group\n1,a.txt,stayed\n", encoding="utf-8")
    result = ingest_study(load_study(root))
    assert result.removed == ["b.txt"]
    assert {s.file for s in private_segments(root)} == {"a.txt"}


def test_private_store_is_private(make_study):
    root = make_study({"a.txt": TXT})
    ingest_study(load_study(root))
    path = load_study(root).private_store_path
    assert path.parent.name == "private" and (path.stat().st_mode & 0o077) == 0


def test_numbered_labels_bare_leading_timestamps_and_nynorsk_label(make_study):
    text = ("00:00:05 Intervjuar: Kva tenkjer du om prisen?\nIP1: Han var grei.\n"
            "Intervjuer 2: Og du?\nIP 2: Eg er einig.\nI 2012 kjøpte vi: det står i papira.\n")
    root = make_study({"a.txt": text})
    turns = turns_of(root, "a.txt").turns
    assert [(t.speaker, t.label) for t in turns] == [
        ("interviewer", "Intervjuar"), ("informant", "IP"), ("interviewer", "Intervjuer"), ("informant", "IP")]
    assert turns[0].timestamps == ("00:00:05",) and turns[0].text == "Kva tenkjer du om prisen?"
    # "I 2012 kjøpte vi:" is speech that continues the turn, not a label.
    assert turns[3].text == "Eg er einig.\nI 2012 kjøpte vi: det står i papira."


def test_semicolon_informants_table_as_norwegian_excel_writes_it(make_study):
    root = make_study({"a.txt": GOOD, "b.txt": GOOD},
                      informants="id;file;group;age_group\n1;a.txt;stayed;40-49\n2;b.txt;staff;\n")
    result = ingest_study(load_study(root))
    assert [(i.id, i.group, i.attributes) for i in result.informants] == [
        ("1", "stayed", {"age_group": "40-49"}), ("2", "staff", {"age_group": ""})]


def test_label_alone_on_its_line_takes_the_following_lines(make_study):
    root = make_study({"a.txt": "I:\nHvordan var det?\nIP:\nDet var fint.\nVeldig fint.\n"})
    turns = turns_of(root, "a.txt").turns
    assert [(t.speaker, t.text) for t in turns] == [("interviewer", "Hvordan var det?"),
                                                    ("informant", "Det var fint.\nVeldig fint.")]


def test_misspelt_setting_is_named_as_the_unknown_key(make_study):
    root = make_study({"a.txt": GOOD}, settings="name: T\nspeaker_labels:\n  informants: [Elev]\n")
    with pytest.raises(QualpipeError, match=r"setting 'speaker_labels.informants': unknown key 'informants' "
                                            r"\(did you mean 'informant'\?\)"):
        load_study(root)


def test_segments_from_spans_found_elsewhere_equal_those_found_here():
    """--workers N finds the sentence spans on a worker; the segments must be the same."""
    from pipeline.ingest.segment import parse_transcript_job, segment_turns
    from pipeline.nlp import load_nlp, model_id
    from pipeline.parse import parse_key, read_docs
    from pipeline.records import Turn

    turns = [Turn("a.txt", 0, "interviewer", "I", "Hvordan var det? Fortell."),
             Turn("a.txt", 1, "informant", "IP", "Det var fint. Vi ble boende.\nOg ungene var glade.")]
    here = segment_turns(turns, "1", load_nlp("auto"), "segment", b"k" * 32)
    spans, key, blob = parse_transcript_job((turns, "auto", "segment"))
    elsewhere = segment_turns(turns, "1", None, "segment", b"k" * 32, spans=spans)
    assert here == elsewhere and len(here) >= 4
    # the one parse is kept: the same texts, every component's output, keyed by text and pipeline
    nlp = load_nlp("auto")
    docs = list(read_docs(blob, nlp))
    assert [d.text for d in docs] == [t.text for t in turns]
    assert key == parse_key([t.text for t in turns], model_id(nlp)) != parse_key(["x"], model_id(nlp))
    fresh = [nlp(t.text) for t in turns]
    assert [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in docs] == \
        [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in fresh]
    assert [[t.lemma_ for t in d] for d in docs] == [[t.lemma_ for t in d] for d in fresh]


def test_the_stored_parse_reads_back_as_spacys_own_docbin_would():
    """ParseBin collects the strings from the stored columns' hashes instead of visiting every
    token: read into a fresh vocabulary (a worker's), its Docs equal those of spaCy's DocBin."""
    import spacy
    from spacy.tokens import DocBin

    from pipeline.nlp import load_nlp
    from pipeline.parse import DOC_ATTRS, new_docbin

    nlp = load_nlp("auto")
    texts = ["Kari Nordmann flyttet til Bergen i 2019, sa hun.", "Ja.\n\nVi   bodde på Sandnes hos Ola Hansen!", ""]
    ours, theirs = new_docbin(), DocBin(attrs=DOC_ATTRS, store_user_data=False)
    for doc in nlp.pipe(texts):
        ours.add(doc)
        theirs.add(doc)

    def read(blob):
        vocab = spacy.blank(nlp.lang).vocab  # none of the model's or the texts' strings
        return [[(t.text, t.whitespace_, t.lemma_, t.tag_, t.pos_, str(t.morph), t.is_sent_start, t.ent_iob_,
                  t.ent_type_) for t in doc] for doc in DocBin().from_bytes(blob).get_docs(vocab)]

    assert read(ours.to_bytes()) == read(theirs.to_bytes())
    assert [tok[0] for tok in read(ours.to_bytes())[0]][:2] == ["Kari", "Nordmann"]
