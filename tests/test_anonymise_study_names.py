"""Study-level evidence for places in transcripts without capitals (study_names.py): a place the
study's other transcripts write as a name is taken in lower case after a place preposition, for
review; an ordinary word is never taken on the key alone. Forms are invented."""

from __future__ import annotations

from pipeline.anonymise.detection import ORG, STED, Detection
from pipeline.anonymise.operators import Entity
from pipeline.anonymise.study_names import SCORE, StudyPlaces
from pipeline.settings import load_study


def _places(*entries: tuple[str, str], explained=frozenset()) -> StudyPlaces:
    return StudyPlaces([(o, Entity(id=f"{k}_{i}", type=k, originals=[o])) for i, (o, k) in enumerate(entries, 1)],
                       explained)


def _found(places: StudyPlaces, text: str) -> list[tuple[str, str, str | None]]:
    return [(d.text, d.type, e.id if e else None) for d, e in places.find(text)]


def test_a_keyed_place_that_is_a_word_is_taken_only_after_a_place_preposition():
    places = _places(("Tjeld", STED))
    assert _found(places, "vi bodde på tjeld før vi flytta") == [("tjeld", STED, "STED_1")]
    assert _found(places, "ho kjem frå tjeld") == [("tjeld", STED, "STED_1")]
    # The same word as a word: no slot, no place.
    assert _found(places, "en tjeld satt på steinen") == []
    assert _found(places, "tjeld er en fugl") == []


def test_a_place_cut_into_words_is_joined_after_a_place_preposition():
    places = _places(("Tjeldvikneset", STED))
    assert _found(places, "eg er frå tjeld vik neset eigentleg") == [("tjeld vik neset", STED, "STED_1")]
    assert _found(places, "vi bur på tjeldvik neset") == [("tjeldvik neset", STED, "STED_1")]
    assert _found(places, "ein tjeld vik neset") == []  # no place preposition before it
    # A short place is not joined: two words that spell it are mostly the two words.
    assert _found(_places(("Lysås", STED)), "vi bodde på lys ås") == []


def test_the_name_part_of_a_school_or_home_is_a_place():
    places = _places(("Bjørkelia skule", ORG), ("Nordre Kvam sjukeheim", ORG), ("Gule Hus barnehage", ORG))
    # A new place (no entity of its own yet): typed STED by its slot.
    assert _found(places, "ungane går ute på bjørkelia no") == [("bjørkelia", STED, None)]
    assert _found(places, "bjørkelia er fint") == []
    # A compass word names no place on its own; so neither does "kvam" of "Nordre Kvam".
    assert _found(places, "han bur i nordre") == [] and _found(places, "han bur i kvam") == []
    # Only a name part written with capitals counts.
    assert "gule" in places.words
    assert _found(_places(("bjørkelia skule", ORG)), "ute på bjørkelia") == []


def test_the_study_s_own_words_and_spans_taken_already_are_no_evidence():
    assert _found(_places(("Tjeld", STED), explained={"tjeld"}), "vi bodde på tjeld") == []
    places = _places(("Tjeld", STED))
    text = "vi bodde på tjeld"
    assert places.find(text, [(text.index("tjeld"), len(text))]) == []
    assert not _places(("Kari Tjeld", "PERSON"))  # persons are the key's person rules' (stage.py)


def _caseless_study(make_study, cased: str, caseless: list[str], detections: list[Detection]):
    from pipeline.anonymise.stage import Anonymiser, fresh_key

    study = load_study(make_study({"a.txt": "I: Ja?\nIP: Ja.\n", "b.txt": "I: Ja?\nIP: Ja.\n"}))
    anon = Anonymiser(study, fresh_key(study), {})
    outputs = anon.anonymise_study_texts({"a.txt": [(cased, detections)], "b.txt": [(t, []) for t in caseless]},
                                         lower_files={"b.txt"})
    return outputs


def _det(text: str, form: str, kind: str) -> Detection:
    start = text.index(form)
    return Detection(start, start + len(form), kind, 0.85, "ner", form)


def test_the_stage_takes_a_place_written_as_a_name_elsewhere_for_review(make_study):
    cased = "Vi flyttet til Tjeld i fjor, og Bjørkelia skule ligger like ved."
    caseless = ["ja vi kjøpte hus på tjeld", "en tjeld satt på taket", "ungen går på bjørkelia"]
    outputs = _caseless_study(make_study, cased, caseless, [_det(cased, "Tjeld", STED),
                                                            _det(cased, "Bjørkelia skule", ORG)])
    first, word, school = outputs["b.txt"]
    assert "tjeld" not in first.text and first.text.startswith("ja vi kjøpte hus på [STED_")
    # One place, one pseudonym: the lower-case use is the key's entity of the capitalised one.
    assert first.replaced[0][3] == outputs["a.txt"][0].replaced[0][3]
    assert [(r["recognizer"], r["score"], r["replaced"]) for r in first.review] == [("key_study_place", SCORE, True)]
    assert word.text == "en tjeld satt på taket" and not word.replaced
    assert "bjørkelia" not in school.text and school.review[0]["replaced"]


def test_the_stage_takes_nothing_the_study_writes_in_lower_case_or_never_as_a_name(make_study):
    # "tjeld" in lower case in a transcript with capitals: the study's word, not a name.
    cased = "Vi flyttet til Tjeld i fjor. Der var en tjeld i fjæra."
    outputs = _caseless_study(make_study, cased, ["ja vi kjøpte hus på tjeld"], [_det(cased, "Tjeld", STED)])
    assert outputs["b.txt"][0].text == "ja vi kjøpte hus på tjeld"
    # Detected only opening a sentence: never written as a name, so no evidence either.
    cased = "Tjeld var fint."
    outputs = _caseless_study(make_study, cased, ["ja vi kjøpte hus på tjeld"], [_det(cased, "Tjeld", STED)])
    assert outputs["b.txt"][0].text == "ja vi kjøpte hus på tjeld"


def test_a_place_the_key_spreads_anyway_is_found_cut_in_the_same_transcript():
    # "Kråkholmen" is no word: the key re-applies it in lower case, so its cut form is a name too,
    # even where only a transcript in lower case wrote it.
    entity = Entity(id="STED_1", type=STED, originals=["kråkholmen"])
    places = StudyPlaces([], frozenset(), [("kråkholmen", entity)])
    assert _found(places, "eg er frå kråk holmen opphavleg") == [("kråk holmen", STED, "STED_1")]
    assert not places.words  # only the joined form: the word itself is the key matcher's


def _persons(*names: str, explained=frozenset()):
    from pipeline.anonymise.study_names import StudyNameForms

    return StudyNameForms([(n, Entity(id=f"PERSON_{i}", type="PERSON", originals=[n])) for i, n in enumerate(names, 1)],
                        explained)


def _found_persons(persons, text: str, explained=frozenset()):
    return [(d.text, e.id) for d, e in persons.find(text, (), explained)]


def test_a_name_of_several_words_cut_otherwise_is_the_same_person():
    persons = _persons("Torvild Sandmo")
    assert _found_persons(persons, "det var torvil d sandmo som ringte") == [("torvil d sandmo", "PERSON_1")]
    assert _found_persons(persons, "det var tor vild sand mo") == [("tor vild sand mo", "PERSON_1")]
    # Cut as the key has it: the key's own matcher finds it, not this rule.
    assert _found_persons(persons, "det var torvild sandmo") == []
    assert _found_persons(_persons("Ola Moe"), "ola mo e") == []  # too short to tell from words


def test_a_misspelt_name_is_one_edit_from_a_name_of_the_key():
    from pipeline.anonymise.study_names import one_edit

    assert one_edit("hodmar", "hoddmar") and one_edit("hoddmar", "hodmar") and one_edit("ketil", "ketel")
    assert not one_edit("ketil", "ketil") and not one_edit("ketil", "kjetill")
    persons = _persons("Hodmar Quist")
    assert _found_persons(persons, "altså hoddmar ringde meg") == [("hoddmar", "PERSON_1")]
    assert _found_persons(persons, "og quistt kom") == [("quistt", "PERSON_1")]
    # A Norwegian word one edit from a name is the word ("hammer" is not "Hammar"); so is the study's own word.
    assert _found_persons(_persons("Eli Hammar"), "med en hammer") == []
    assert _found_persons(persons, "altså hoddmar ringde meg", explained={"hoddmar"}) == []
    # A name that is an ordinary word gives no variants.
    assert _found_persons(_persons("Stein Olsen"), "steinn kom") == []


def test_a_firm_of_several_words_cut_otherwise_keeps_its_entity_and_type():
    from pipeline.anonymise.study_names import StudyNameForms

    forms = StudyNameForms([("Vestre Brygge", Entity(id="ORGANISASJON_2", type=ORG, originals=["Vestre Brygge"]))])
    assert [(d.text, d.type, e.id) for d, e in forms.find("vi var hos vest rebrygge")] == \
        [("vest rebrygge", ORG, "ORGANISASJON_2")]
    assert not forms.names  # misspellings are read of persons only


def test_a_name_that_is_a_word_is_listed_for_review_where_no_slot_says_it_is_one(make_study):
    from pipeline.anonymise.study_names import LISTED

    cased = "Vi møtte Storm i går."
    caseless = ["vi hadde en storm i natt", "det var en storm i natt"]
    outputs = _caseless_study(make_study, cased, caseless, [_det(cased, "Storm", "PERSON")])
    for result, text in zip(outputs["b.txt"], caseless):
        assert result.text == text and not result.replaced  # not replaced on the key alone ...
        assert [(r["recognizer"], r["replaced"], text[r["start"]:r["end"]]) for r in result.review] == \
            [(LISTED, False, "storm")]  # ... but every use is on the review sheet
    # The study writes it in lower case with capitals elsewhere: its word, nothing listed.
    cased = "Vi møtte Storm i går. Det var storm i natt."
    outputs = _caseless_study(make_study, cased, caseless, [_det(cased, "Storm", "PERSON")])
    assert not any(r.review for r in outputs["b.txt"])


def test_a_keyed_name_that_is_a_word_is_the_subject_before_a_verb(make_study):
    # The study detected "Eik" as a person; in a transcript in lower case, opening a clause with a
    # finite verb after it, the word is that person (replaced, for review); after an article, or
    # with no verb after it, it stays listed only.
    cased = "Vi snakket med Eik om leiligheten."
    caseless = ["ja og eik har flytta nå, men eik e fornøyd", "det står en eik i hagen"]
    outputs = _caseless_study(make_study, cased, caseless, [_det(cased, "Eik", "PERSON")])
    subject, tree = outputs["b.txt"]
    assert "eik" not in subject.text and [(r["recognizer"], r["replaced"]) for r in subject.review] == \
        [("key_caseless", True), ("key_caseless", True)]
    assert tree.text == caseless[1] and not tree.replaced
    # The study writes the word in lower case in a transcript with capitals: its word, not replaced.
    cased = "Vi snakket med Eik om leiligheten. Det var en eik der."
    outputs = _caseless_study(make_study, cased, caseless[:1], [_det(cased, "Eik", "PERSON")])
    assert outputs["b.txt"][0].text == caseless[0]
