"""Fifteenth session, privC15: the anonymiser and the guard agree (issue 10).

The design promise (stage.py, guard.py): the anonymiser replaces every original from the key found in
a text by the guard's own matching rule, so whatever the guard would refuse in an anonymised turn, the
anonymiser has already replaced. A property test builds small studies from name lists — first names
that are also words, surnames said as two words, possessive -s, hyphen/underscore/dot separators,
caseless and cased transcripts, ordinary-word entries, overlapping originals and detections — runs the
stage's steps 2 and 3 (``Anonymiser.anonymise_study_texts``), builds the guard from the key they
leave (``guard_for_key``, as the stage does) and asserts that it accepts every rendered turn.

Invented names and sentences only (no gold set's text)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline.anonymise.detection import Detection
from pipeline.anonymise.guard import guard_for_key
from pipeline.anonymise.stage import Anonymiser, fresh_key, map_offset
from pipeline.errors import LeakError
from pipeline.settings import load_study

# Names of the forms where the key's rules and the guard could part: first names that are ordinary
# words (Liv, Sol, Storm, Dag, Vår, Per), a surname that is a word (Strand, Berg), surnames that
# speech recognition says as two words (Skjelvåg, Hammervoll), hyphenated names, and plain ones.
_PERSONS = ["Liv Strand", "Sol Hammervoll", "Storm Skjelvåg", "Dag Berg", "Vår Eikrem", "Per Lien",
            "Kari Nordmann", "Hamid Rahimi", "Anne-Lise Dahle", "Ingrid Moe", "Ruta Solberg", "Hege Halvorsrud"]
_PLACES = ["Lade", "Strand", "Moholt", "Ila", "Bakken"]
_FILLERS = ["og", "så", "sa", "at", "vi", "hadde", "møte", "med", "i", "går", "det", "var", "fint", "på", "ja",
            "eh", "liv", "sol", "berg", "strand", "storm", "dag", "vår", "per", "lade", "ila", "ruta", "her",
            "startlån", "Startlån", "NAV", "Husbanken", "k a r i", "M-O-E"]
_SEPARATORS = [" ", " ", " ", "_", "-", ".", " - ", ", "]


def _forms(name: str) -> list[str]:
    """How a transcript may write ``name`` (a person or a place): whole, first name, surname,
    possessive, joined by a separator, a surname of two words said as its parts."""
    words = name.split()
    forms = [name, words[0], words[-1], words[-1] + "s", name + "s"]
    if len(words) > 1:
        forms += [sep.join(words) for sep in ("_", "-", ".")]
        last = words[-1]
        if len(last) >= 8 and "-" not in last:
            forms.append(f"{words[0]} {last[:len(last) // 2]} {last[len(last) // 2:]}")
    return forms


_NAME = st.sampled_from(_PERSONS + _PLACES)


@st.composite
def _turn(draw, names: list[str]) -> tuple[str, list[tuple[str, str, int]]]:
    """A turn of fillers and name forms, and the forms placed in it as (form, name, offset)."""
    pieces, placed = [], []
    text = ""
    for _ in range(draw(st.integers(2, 12))):
        if draw(st.booleans()):
            name = draw(st.sampled_from(names))
            form = draw(st.sampled_from(_forms(name)))
            placed.append((form, name, len(text)))
            piece = form
        else:
            piece = draw(st.sampled_from(_FILLERS))
        text += piece + draw(st.sampled_from(_SEPARATORS))
    return text.rstrip(), placed


@st.composite
def _study(draw):
    """Two or three transcripts of a few turns each, some in lower case (captions), with detections
    on some of the name forms: whole, cut short, or grown over the next word (overlapping spans)."""
    names = draw(st.lists(_NAME, min_size=1, max_size=4, unique=True))
    files = {}
    lower_files = set()
    cuts: dict[str, set[tuple[int, int]]] = {}
    for f in ("a.txt", "b.txt", "c.txt")[:draw(st.integers(2, 3))]:
        caseless = draw(st.booleans())
        turns = []
        for _ in range(draw(st.integers(1, 3))):
            text, placed = draw(_turn(names))
            if caseless:
                text = text.lower()
                placed = [(form.lower(), name, at) for form, name, at in placed]
            elif draw(st.booleans()):  # a turn with sentence punctuation; else one without (captions)
                text = text[:1].upper() + text[1:] + "."
            dets = []
            for form, name, at in placed:
                how = draw(st.sampled_from(["none", "none", "whole", "whole", "short", "long"]))
                kind = "STED" if name in _PLACES else "PERSON"
                end = at + len(form)
                if how == "short" and " " in form:
                    end = at + form.index(" ")
                elif how == "long" and end < len(text):
                    nxt = text.find(" ", end + 1)
                    end = len(text) if nxt < 0 else nxt
                    kind = draw(st.sampled_from([kind, "ORGANISASJON"]))
                if how != "none" and text[at:end].strip():
                    score = draw(st.sampled_from([0.8, 0.85, 0.9, 0.99]))
                    dets.append(Detection(at, end, kind, score, "ner", text[at:end]))
            turns.append((text, dets))
            # Its segments: the turn cut in two at a space (segments.csv holds each one's text).
            spaces = [i for i, c in enumerate(text) if c == " "]
            if spaces:
                cut = draw(st.sampled_from(spaces))
                cuts.setdefault(text, set()).update({(0, cut), (cut + 1, len(text))})
        files[f] = turns
        if caseless:
            lower_files.add(f)
    return files, lower_files, cuts


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("privc15") / "study"
    folder = root / "data" / "raw" / "transcripts"
    folder.mkdir(parents=True)
    for name in "abc":
        (folder / f"{name}.txt").write_text("I: Hei.\nIP: Hei.\n", encoding="utf-8")
    (root / "data" / "raw" / "informants.csv").write_text(
        "id,file,group,name\n1,a.txt,a,Tone Vik\n2,b.txt,a,\n3,c.txt,a,\n", encoding="utf-8")
    (root / "study.yaml").write_text("name: Teststudie\n", encoding="utf-8")
    from tests.conftest import NEUTRAL_CODEBOOK

    (root / "codebook.yaml").write_text(NEUTRAL_CODEBOOK, encoding="utf-8")
    return load_study(root)


def _run(study, files, lower_files, segment_cuts=None):
    anon = Anonymiser(study, fresh_key(study), {})
    anon.segment_cuts = segment_cuts or {}
    outputs = anon.anonymise_study_texts(files, lower_files)
    return anon, outputs, guard_for_key(study, anon.key.to_json())


def _refused(guard, text: str) -> str:
    try:
        guard.check(text, Path("study.sqlite"), "the anonymised transcript")
    except LeakError as e:
        return str(e).split(";")[0]
    return ""


def _refusals(study, files, lower_files, cuts=None) -> list[tuple[str, str, str]]:
    """(file, rendered text, the guard's refusal) of every turn and segment the guard refuses after
    steps 2 and 3; a segment's text is the rendered turn's slice, as the stage stores it
    (``anonymise_segments``)."""
    _anon, outputs, guard = _run(study, files, lower_files, cuts)
    refused = []
    for f, results in outputs.items():
        for (raw, _dets), r in zip(files[f], results):
            texts = [r.text] + [r.text[map_offset(a, r.replaced, "start"):map_offset(b, r.replaced, "end")]
                                for a, b in sorted((cuts or {}).get(raw, ()))]
            refused += [(f, t, _refused(guard, t)) for t in texts if _refused(guard, t)]
    return refused


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(_study())
def test_the_guard_accepts_every_turn_the_anonymiser_writes(study, example):
    files, lower_files, cuts = example
    assert _refusals(study, files, lower_files, cuts) == []


# The classes the property test found before the fix (docs/anonymisation.md, "Fifteenth session: privC15"),
# each as one example that failed on the code before it.

def _detected(text: str, word: str, kind: str = "PERSON", score: float = 0.9) -> Detection:
    start = text.index(word)
    return Detection(start, start + len(word), kind, score, "ner", word)


def test_a_name_joined_to_the_next_word_by_an_underscore_is_replaced(study):
    # The key read "Strand_" as one token (``\w`` holds "_"), the guard reads "Strand " (an underscore
    # separates words for it: "Hamid_Rahimi"); before session 15, the turn was refused with 1 × PERSON.
    # Since session 16 (privE16) the key's matcher reads "_" as the guard does: the key replaces it.
    cased = "Vi snakket med Liv Strand i går."
    turn = "Og Liv Strand_ kom."
    anon, outputs, guard = _run(study, {"a.txt": [(cased, [_detected(cased, "Liv Strand")])],
                                        "b.txt": [(turn, [])]}, set())
    rendered = outputs["b.txt"][0]
    assert "Strand" not in rendered.text and _refused(guard, rendered.text) == ""
    assert not any(item["recognizer"] == "guard" for item in rendered.review)


def test_a_segment_the_guard_reads_on_its_own_is_replaced_where_its_turn_keeps_a_term(study):
    # A keep term written in lower case ("startlån", a default) keeps a capitalised "Startlån" in a turn
    # without sentence punctuation (the capital may open a sentence there), not in a segment of
    # fewer than 8 words cut from it: the segment's cell of segments.csv was refused while its turn passed.
    cased = "Vi snakket med Startlån om saken."
    turn = "ja så fikk vi Startlån og så gikk det bra med banken og kommunen etterpå"
    cut = turn.index(" og så gikk")
    files = {"a.txt": [(cased, [_detected(cased, "Startlån", "ORGANISASJON")])], "b.txt": [(turn, [])]}
    anon, outputs, guard = _run(study, files, {"b.txt"}, {turn: {(0, cut), (cut + 1, len(turn))}})
    rendered = outputs["b.txt"][0].text
    end = rendered.index(" og så gikk")
    assert _refused(guard, rendered) == "" and _refused(guard, rendered[:end]) == ""
    # Without the segments the turn alone is read, and its segment is refused (what happened before).
    _anon, outputs, guard = _run(study, files, {"b.txt"})
    rendered = outputs["b.txt"][0].text
    assert _refused(guard, rendered) == ""
    assert "ORGANISASJON" in _refused(guard, rendered[:rendered.index(" og så gikk")])


def test_a_hit_inside_a_pseudonym_is_left_to_the_guard_which_refuses(tmp_path):
    # A known identifier that the tool's own tag holds ("Person" in "[PERSON_1]") cannot be replaced:
    # the anonymiser stops (no endless rounds) and the guard refuses the turn (fails closed).
    root = tmp_path / "study"
    (root / "data" / "raw" / "transcripts").mkdir(parents=True)
    (root / "data" / "raw" / "transcripts" / "a.txt").write_text("I: Hei.\n", encoding="utf-8")
    (root / "data" / "raw" / "informants.csv").write_text("id,file,group,name\n1,a.txt,a,\n", encoding="utf-8")
    (root / "study.yaml").write_text("name: Teststudie\nanonymisation:\n  known_identifiers: [Person]\n",
                                     encoding="utf-8")
    from tests.conftest import NEUTRAL_CODEBOOK

    (root / "codebook.yaml").write_text(NEUTRAL_CODEBOOK, encoding="utf-8")
    turn = "Vi møtte Kari Nordmann i går."
    _anon, outputs, guard = _run(load_study(root), {"a.txt": [(turn, [_detected(turn, "Kari Nordmann")])]}, set())
    assert "Kari" not in outputs["a.txt"][0].text
    assert _refused(guard, outputs["a.txt"][0].text) != ""


def test_a_key_match_cut_by_a_sure_detection_leaves_no_name(study):
    # The key's "anne-lise dahles" (0.9) overlaps the model's "dahles-så" (0.99, an anchor): the merge
    # cuts the weaker span around the anchor and dropped the piece before it; the guard found "anne-lise".
    cased = "Vi møtte Anne-Lise Dahle i går."
    turn = "og så kom anne-lise dahles-så sa ho"
    files = {"a.txt": [(cased, [_detected(cased, "Anne-Lise Dahle")])],
             "b.txt": [(turn, [_detected(turn, "dahles-så", score=0.99)])]}
    _anon, outputs, guard = _run(study, files, {"b.txt"})
    rendered = outputs["b.txt"][0].text
    assert "anne" not in rendered and _refused(guard, rendered) == ""
