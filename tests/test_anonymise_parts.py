"""A surname standing alone after the person's full name (pipeline/anonymise/parts.py), with
hand-made detections, so the test holds for any spaCy pipeline."""

from __future__ import annotations

from pipeline.anonymise.detection import PERSON, STED, Detection
from pipeline.anonymise.parts import NamePartRecognizer


def _found(text: str, part: str, kind: str = PERSON, score: float = 0.95) -> list[Detection]:
    start = text.index(part)
    return [Detection(start, start + len(part), kind, score, "ner", part)]


def test_the_surname_alone_is_the_person_also_opening_a_sentence():
    text = "Takstmannen er Geir Arne Berg, han har tatt nesten alle. Berg er grundig, og Bergs rapport kom fort."
    found = NamePartRecognizer().analyze(text, None, _found(text, "Geir Arne Berg"))
    assert [(d.text, d.type) for d in found] == [("Berg", PERSON), ("Berg", PERSON)]
    assert text[found[1].start:found[1].end + 1] == "Bergs"


def test_an_ordinary_word_a_place_or_a_single_name_gives_no_part():
    text = "Geir Arne Berg bodde oppe på et berg. Vi dro til Nedre Vik. Vik var fint. Kari kom. Kari sa ja."
    recognizer = NamePartRecognizer()
    assert recognizer.analyze(text, None, _found(text, "Geir Arne Berg")) == []  # "berg" in lower case
    assert recognizer.analyze(text, None, _found(text, "Nedre Vik", STED)) == []
    assert recognizer.analyze(text, None, _found(text, "Kari")) == []  # one word: the key's job
    assert recognizer.analyze(text, None, _found(text, "Geir Arne Berg", score=0.45)) == []  # review only
