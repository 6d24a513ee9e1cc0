"""Speaker turns are never silently wrong: undeclared labels, missing informants, one-sided
transcripts, the forms transcription tools write, and speech with a colon that is no label."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.errors import QualpipeError
from pipeline.ingest import ingest_study, read_study_transcripts
from pipeline.ingest.readers import read_transcript
from pipeline.settings import load_study
from pipeline.store import StudyStore

REPO = Path(__file__).resolve().parents[1]
NEUTRAL = "name: Test\n"


def turns_of(root, file="a.txt"):
    _, transcripts = read_study_transcripts(load_study(root))
    return next(t for t in transcripts if t.file == file).turns


def parse_error(root) -> str:
    with pytest.raises(QualpipeError) as caught:
        read_study_transcripts(load_study(root))
    message = str(caught.value)
    assert "\n" not in message
    return message


def answer(n: int) -> str:
    """An informant answer of about n words."""
    words = "vi fikk hjelp av tjenesten og det var godt for oss i hverdagen".split()
    return " ".join(words[i % len(words)] for i in range(n)).capitalize() + "."


# ------------------------------------------------------------ undeclared labels


def test_informant_labelled_by_name_stops_with_file_count_and_fix_but_no_name(make_study):
    text = ("I: Hvordan har du det?\nRagnhild: Det går bra.\nI: Og tjenesten?\n"
            "Ragnhild: Den er grei.\nI: Takk.\nRagnhild: Bare hyggelig.\n")
    root = make_study({"a.txt": text}, settings=NEUTRAL)
    message = parse_error(root)
    assert "a.txt" in message and "3×" in message and "first on line 2" in message
    assert "speaker_label" in message and "speaker_labels" in message
    assert "Ragnhild" not in message  # error messages reach logs: a name is not echoed
    assert not (root / "data" / "private").exists()


def test_undeclared_role_label_is_named_with_its_count(make_study):
    settings = "name: Test\nspeaker_labels:\n  interviewer: [I]\n  informant: [IP]\n"
    text = ("Intervjuar: Kva tenkjer du?\nIP: Det er greitt.\nIntervjuar: Og elles?\nIP: Fint.\n"
            "Intervjuar: Takk.\nIP: Takk sjølv.\n")
    message = parse_error(make_study({"a.txt": text}, settings=settings))
    assert "'Intervjuar:' 3×" in message and "a.txt" in message


def test_transcription_tool_labels_are_named_even_once(make_study):
    text = "I: Hei.\nIP: Hei.\nSPEAKER_00: Ja.\nSPEAKER_01: Nei.\nSPEAKER_00: Kanskje.\nPerson 2: Hm.\n"
    message = parse_error(make_study({"a.txt": text}, settings=NEUTRAL))
    assert "'SPEAKER_00:' 2×" in message and "'SPEAKER_01:' 1×" in message and "'Person 2:' 1×" in message


def test_lower_case_tool_labels_of_speech_recognition_are_found(make_study):
    text = "I: Hei.\nIP: Hei.\nspeaker_00: ja\nspeaker_01: nei\n"
    message = parse_error(make_study({"a.txt": text}, settings=NEUTRAL))
    assert "'speaker_00:' 1×" in message and "'speaker_01:' 1×" in message


def test_a_numbered_word_once_is_speech(make_study):
    text = "I: Hva er viktigst?\nIP: To ting.\nPunkt 2: tiden.\nI: Og så?\nIP: Ja.\n"
    assert "Punkt 2: tiden." in turns_of(make_study({"a.txt": text}, settings=NEUTRAL))[1].text


def test_declared_tool_labels_are_read(make_study):
    settings = "name: Test\nspeaker_labels:\n  interviewer: [SPEAKER_00]\n  informant: [SPEAKER_01]\n"
    root = make_study({"a.txt": "SPEAKER_00: Hvordan var det?\nSPEAKER_01: Det var fint.\n"}, settings=settings)
    assert [t.speaker for t in turns_of(root)] == ["interviewer", "informant"]


def test_speaker_label_column_of_the_informants_table(make_study):
    text = "I: Hvordan har du det?\nRagnhild: Det går bra.\nI: Og tjenesten?\nRagnhild: Den er grei.\n"
    other = "Kari: Hvordan har du det?\nIP: Bra.\nKari: Takk.\nIP: Takk.\n"
    table = "id,file,group,speaker_label,interviewer_label\n1,a.txt,g,Ragnhild,\n2,b.txt,g,,Kari\n"
    root = make_study({"a.txt": text, "b.txt": other}, informants=table, settings=NEUTRAL)
    assert [t.speaker for t in turns_of(root, "a.txt")] == ["interviewer", "informant"] * 2
    assert [t.speaker for t in turns_of(root, "b.txt")] == ["interviewer", "informant"] * 2
    result = ingest_study(load_study(root))
    assert all(i.attributes == {} for i in result.informants)  # label columns are private
    with StudyStore(load_study(root).store_path) as store:
        assert "Ragnhild" not in str([i.attributes for i in store.informants()])


def test_a_file_label_declared_for_both_sides_is_an_error(make_study):
    table = "id,file,group,speaker_label,interviewer_label\n1,a.txt,g,Kari,kari\n"
    message = parse_error(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"}, informants=table, settings=NEUTRAL))
    assert "informants.csv" in message and "'Kari'" in message and "both" in message


def test_a_file_label_wins_over_the_study_label(make_study):
    """SPEAKER_00 asks in one file and answers in another (the tool numbers by who speaks first)."""
    settings = "name: T\nspeaker_labels:\n  interviewer: [SPEAKER_00]\n  informant: [SPEAKER_01]\n"
    table = "id,file,group,speaker_label,interviewer_label\n1,a.txt,g,,\n2,b.txt,g,SPEAKER_00,SPEAKER_01\n"
    files = {"a.txt": "SPEAKER_00: Hvordan?\nSPEAKER_01: Bra.\n", "b.txt": "SPEAKER_01: Hvordan?\nSPEAKER_00: Bra.\n"}
    root = make_study(files, informants=table, settings=settings)
    assert [t.speaker for t in turns_of(root, "a.txt")] == ["interviewer", "informant"]
    assert [t.speaker for t in turns_of(root, "b.txt")] == ["interviewer", "informant"]


def test_ignored_words_are_speech(make_study, tmp_path):
    text = "I: Hva er viktig?\nIP: Mye.\nHusk: ta medisinen.\nHusk: ring legen.\n"
    assert "'Husk:' 2×" in parse_error(make_study({"a.txt": text}, settings=NEUTRAL))
    settings = "name: Test\nspeaker_labels:\n  ignore: [Husk]\n"
    root = make_study({"a.txt": text}, settings=settings, root=tmp_path / "second")
    assert turns_of(root)[1].text == "Mye.\nHusk: ta medisinen.\nHusk: ring legen."


# ------------------------------------------------------------ one-sided transcripts


def test_no_informant_turn_is_an_error(make_study):
    message = parse_error(make_study({"a.txt": "I: Hei.\nI: Er du der?\nInt: Hallo?\n"}, settings=NEUTRAL))
    assert "no informant turn" in message and "a.txt" in message


def test_one_side_with_over_90_percent_of_the_words_is_an_error(make_study, tmp_path):
    text = f"I: Fortell.\nIP: {answer(150)}\nI: Mer?\nIP: {answer(150)}\n"
    message = parse_error(make_study({"a.txt": text}, settings=NEUTRAL))
    assert "the informant holds 99" in message and "max_speaker_share" in message
    settings = "name: Test\nspeaker_labels:\n  max_speaker_share: 1.0\n"
    root = make_study({"a.txt": text}, settings=settings, root=tmp_path / "second")
    assert len(turns_of(root)) == 4


def narrative(questions: int, words: int) -> list[tuple[str, str]]:
    """A narrative interview: short questions, long answers of about ``words`` words each."""
    lines = []
    for _ in range(questions):
        lines += [("I", "Og hvordan var det da?"), ("IP", answer(words))]
    return lines


def test_a_narrative_interview_with_a_normal_interviewer_passes_over_90_percent(make_study):
    # The informant holds about 95 % of the words, the interviewer asks between every answer.
    text = "".join(f"{label}: {line}\n" for label, line in narrative(8, 110))
    turns = turns_of(make_study({"a.txt": text}, settings=NEUTRAL))
    informant = sum(len(t.text.split()) for t in turns if t.speaker == "informant")
    assert informant / sum(len(t.text.split()) for t in turns) > 0.9 and len(turns) == 16


def test_interviewer_labels_lost_after_the_second_question_are_an_error_naming_the_setting(make_study):
    # From the third question on the interviewer's lines carry no label: they join the informant's
    # turn, which then holds most of the interview.
    lines = narrative(8, 110)
    text = "".join(f"{label}: {line}\n" if i < 4 or label == "IP" and i == 5 else f"{line}\n"
                   for i, (label, line) in enumerate(lines))
    message = parse_error(make_study({"a.txt": text}, settings=NEUTRAL))
    assert "a.txt" in message and "speaker_labels.max_turn_share" in message and "max_speaker_share" in message


def test_an_interviewer_with_too_few_turns_is_an_error_naming_the_setting(make_study, tmp_path):
    text = "".join(f"{label}: {line}\n" for label, line in narrative(3, 150))
    message = parse_error(make_study({"a.txt": text}, settings="name: Test\nspeaker_labels:\n  max_turn_share: 1.0\n"))
    assert "the interviewer has 3 turn(s)" in message and "speaker_labels.min_other_turns" in message
    settings = "name: Test\nspeaker_labels:\n  min_other_turns: 3\n  max_turn_share: 0.5\n"
    assert len(turns_of(make_study({"a.txt": text}, settings=settings, root=tmp_path / "second"))) == 6


def test_a_balanced_interview_passes(make_study):
    text = f"I: {answer(40)}\nIP: {answer(150)}\nI: {answer(30)}\nIP: {answer(150)}\n"
    assert [t.speaker for t in turns_of(make_study({"a.txt": text}, settings=NEUTRAL))] == [
        "interviewer", "informant"] * 2


# ------------------------------------------------------------ transcription tool forms


def test_nynorsk_and_other_default_labels(make_study):
    text = "Intervjuar: Kva meiner du?\nDeltakar: Eg meiner det er bra.\nForskar: Takk.\nRespondent: Ja.\n"
    assert [t.speaker for t in turns_of(make_study({"a.txt": text}, settings=NEUTRAL))] == [
        "interviewer", "informant"] * 2


def test_timestamp_range_before_the_label(make_study):
    text = ("[00:03:12.480 --> 00:03:19.020] Int: Korleis var det?\n"
            "[00:03:19.500 --> 00:03:25.000] IP: Det var fint.\n"
            "00:03:25.100 --> 00:03:30.000 Int: Og så?\n")
    turns = turns_of(make_study({"a.txt": text}, settings=NEUTRAL))
    assert [(t.speaker, t.text, t.timestamps) for t in turns] == [
        ("interviewer", "Korleis var det?", ("00:03:12.480",)), ("informant", "Det var fint.", ("00:03:19.500",)),
        ("interviewer", "Og så?", ("00:03:25.100",))]


def test_same_label_on_consecutive_lines_is_one_turn(make_study):
    text = ("I: Hvordan var det?\nIP: Det var fint.\nIP: Vi fikk hjelp.\n\nIP: Og det hjalp.\n"
            "I: Takk.\nIP1: Ja.\nIP2: Nei.\n")
    turns = turns_of(make_study({"a.txt": text}, settings=NEUTRAL))
    assert [(t.speaker, t.text) for t in turns] == [
        ("interviewer", "Hvordan var det?"), ("informant", "Det var fint.\nVi fikk hjelp.\nOg det hjalp."),
        ("interviewer", "Takk."), ("informant", "Ja."), ("informant", "Nei.")]


def test_same_label_on_consecutive_subtitle_cues_is_one_turn(make_study):
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nI: Hvordan var det?\n\n"
           "00:00:02.000 --> 00:00:04.000\nIP: Det var fint, og vi\n\n"
           "00:00:04.000 --> 00:00:06.000\nIP: fikk hjelp.\n")
    turns = turns_of(make_study({"a.vtt": vtt}, settings=NEUTRAL), "a.vtt")
    assert [(t.text, t.timestamps) for t in turns][1] == ("Det var fint, og vi fikk hjelp.",
                                                          ("00:00:02.000", "00:00:04.000"))


# ------------------------------------------------------------ speech with a colon is no label


@pytest.mark.parametrize("line", [
    "Det jeg sa var: vi trenger mer tid.",
    "Kl. 10:30 kommer de, og kl. 14:00 igjen.",
    "Husk: dette er bare én gang.",
    "I 2012 kjøpte vi: det står i papira.",
    "Men altså: det går greit.",
    "Hun sa: Nei, det går ikke.",
    "https://example.org: der sto det.",
    "10:30: da kommer de.",
])
def test_speech_with_a_colon_continues_the_turn(make_study, line):
    text = f"I: Hvordan er dagen?\nIP: Sånn er det.\n{line}\nI: Og så?\nIP: Ja.\n{line}\n"
    if line.startswith("Husk"):
        text = text.replace(f"IP: Ja.\n{line}\n", "IP: Ja.\n")  # once: a word alone is not a label
    turns = turns_of(make_study({"a.txt": text}, settings=NEUTRAL))
    assert [t.speaker for t in turns] == ["interviewer", "informant"] * 2
    assert line in turns[1].text


def test_demo_transcripts_take_no_line_for_a_label_that_was_speech():
    """Every demo turn opens at a declared label; no undeclared label, no merged turn."""
    study = load_study(REPO)
    _, transcripts = read_study_transcripts(study)
    labels = [*study.settings.speaker_labels.interviewer, *study.settings.speaker_labels.informant]
    naive = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?\**(" + "|".join(map(re.escape, labels)) + r")\**\s*:", re.I)
    for transcript in transcripts:
        lines = read_transcript(study.transcripts_dir / transcript.file).lines
        opened = sum(1 for line in lines if naive.match(line.text))
        assert len(transcript.turns) == opened, transcript.file
        assert {t.speaker for t in transcript.turns} == {"interviewer", "informant"}
