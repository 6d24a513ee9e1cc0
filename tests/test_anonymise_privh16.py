"""Sixteenth session, privH16: the guard reads the study's own labels as the anonymiser does (issue 10).

The class (docs/anonymisation.md, "Sixteenth session: privH16"): an ordinary word of a group label
("kjøpte" of "Kjøpte og ble boende") detected as a name in a transcript enters the key; the guard takes
such a word only capitalised mid-sentence, and the tool writes the label after other words twice — in
study.yaml's check ("kjopar_budd Kjøpte og ble boende") and in every informant's pseudonym in a turn
("... heter Kjøpte og ble boende B1 ..."), a hit wholly inside a pseudonym, which the anonymiser
cannot replace. The guard refused study.yaml and each turn that says an informant's name. The guard
now reads a label where it is written as the label on its own (``Guard(labels=...)``), and the words of
the labels count as the study's own wording when the key marks ordinary words (``mark_ordinary_words``).

Invented names, labels and sentences only (no gold set's text)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline.anonymise.detection import Detection
from pipeline.anonymise.guard import Guard, _Typed, guard_for_key
from pipeline.anonymise.stage import Anonymiser, fresh_key, map_offset
from pipeline.errors import LeakError
from pipeline.settings import load_study

# Group labels of ordinary words (verbs, participles, adjectives) that open with a capital, and the words.
_LABELS = ["Kjøpte og ble boende", "Leide og flyttet", "Solgte og flyttet", "Bodde lenge", "Nye kjøpere",
           "Eide og solgte"]
_ORDINARY = ["kjøpte", "ble", "boende", "leide", "flyttet", "solgte", "bodde", "lenge", "nye", "eide", "kjøpere"]
_FILLERS = ["og", "vi", "så", "huset", "i", "fjor", "ja", "eh", "det", "var", "fint", "der", "med", "heter"]
# The informants' names as a turn says them (the informants table below), and one name of no informant.
_NAMES = ["tone vik", "tone", "vik", "hamid rahimi", "rahimi", "ingrid moe"]
_DETECTORS = ["stub", "stub", "ner", "fallback_capitalised"]


def _write_study(root: Path, labels: tuple[str, str]) -> None:
    folder = root / "data" / "raw" / "transcripts"
    folder.mkdir(parents=True)
    for name in "abc":
        (folder / f"{name}.txt").write_text("I: Hei.\nIP: Hei.\n", encoding="utf-8")
    (root / "data" / "raw" / "informants.csv").write_text(
        "id,file,group,name\nB1,a.txt,kjopar_budd,Tone Vik\nB2,b.txt,leie,Hamid Rahimi\nB3,c.txt,kjopar_budd,\n",
        encoding="utf-8")
    (root / "study.yaml").write_text(
        "name: Teststudie\ngroups: [kjopar_budd, leie]\n"
        f'group_labels: {{kjopar_budd: "{labels[0]}", leie: "{labels[1]}"}}\n', encoding="utf-8")
    from tests.conftest import NEUTRAL_CODEBOOK

    (root / "codebook.yaml").write_text(NEUTRAL_CODEBOOK, encoding="utf-8")


@pytest.fixture()
def study(tmp_path):
    _write_study(tmp_path / "study", ("Kjøpte og ble boende", "Leide og flyttet"))
    return load_study(tmp_path / "study")


def _run(study, files, lower_files, segment_cuts=None):
    anon = Anonymiser(study, fresh_key(study), {})
    anon.segment_cuts = segment_cuts or {}
    outputs = anon.anonymise_study_texts(files, lower_files)
    return anon, outputs


def _refusal(check) -> str:
    try:
        check()
    except LeakError as e:
        return str(e).split(";")[0]
    return ""


def _refusals(study, files, lower_files, cuts=None) -> list[tuple[str, str]]:
    """(where, the guard's refusal) of study.yaml's texts and of every turn and segment the guard
    refuses after steps 2 and 3, with the guard the stage builds from the key they leave."""
    anon, outputs = _run(study, files, lower_files, cuts)
    key_data = anon.key.to_json()
    refused = _refusal(lambda: guard_for_key(study, key_data))
    if refused:
        return [("study.yaml", refused)]
    guard = guard_for_key(study, key_data)
    found = []
    for f, results in outputs.items():
        for (raw, _dets), r in zip(files[f], results):
            texts = [r.text] + [r.text[map_offset(a, r.replaced, "start"):map_offset(b, r.replaced, "end")]
                                for a, b in sorted((cuts or {}).get(raw, ()))]
            for t in texts:
                why = _refusal(lambda t=t: guard.check(t, Path("study.sqlite"), "the anonymised transcript"))
                if why:
                    found.append((t, why))
    return found


@st.composite
def _turn(draw, caseless: bool) -> tuple[str, list[Detection]]:
    """A turn of fillers, ordinary words of the labels and the informants' names, with stub detections
    of ordinary words as PERSON (and of some names); in a transcript with capitals an ordinary word is
    sometimes capitalised mid-sentence, as captioners write them."""
    text, dets = "", []
    for _ in range(draw(st.integers(4, 14))):
        kind = draw(st.sampled_from(["filler", "filler", "ordinary", "ordinary", "name"]))
        if kind == "filler":
            text += draw(st.sampled_from(_FILLERS)) + " "
            continue
        word = draw(st.sampled_from(_ORDINARY if kind == "ordinary" else _NAMES))
        if not caseless and draw(st.booleans()):
            word = " ".join(w.capitalize() for w in word.split())
        if draw(st.booleans()):
            dets.append(Detection(len(text), len(text) + len(word), "PERSON", draw(st.sampled_from([0.8, 0.9, 0.99])),
                                  draw(st.sampled_from(_DETECTORS)), word))
        text += word + " "
    text = text.rstrip()
    if not caseless and draw(st.booleans()):
        text = text[:1].upper() + text[1:] + "."
    return text, dets


@st.composite
def _study(draw):
    labels = tuple(draw(st.lists(st.sampled_from(_LABELS), min_size=2, max_size=2, unique=True)))
    files, lower_files, cuts = {}, set(), {}
    for f in ("a.txt", "b.txt", "c.txt")[:draw(st.integers(2, 3))]:
        caseless = draw(st.booleans())
        files[f] = [draw(_turn(caseless)) for _ in range(draw(st.integers(1, 3)))]
        if caseless:
            lower_files.add(f)
        for text, _dets in files[f]:
            spaces = [i for i, c in enumerate(text) if c == " "]
            if spaces:
                cut = draw(st.sampled_from(spaces))
                cuts.setdefault(text, set()).update({(0, cut), (cut + 1, len(text))})
    return labels, files, lower_files, cuts


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_study())
def test_the_guard_accepts_the_study_texts_and_every_turn_when_label_words_are_detected_as_names(example):
    labels, files, lower_files, cuts = example
    with tempfile.TemporaryDirectory() as tmp:
        _write_study(Path(tmp) / "study", labels)
        assert _refusals(load_study(Path(tmp) / "study"), files, lower_files, cuts) == []


# The class as single examples: each failed on integ before the fix (two refusals each).

def _stub(text: str, word: str, recognizer: str = "stub", score: float = 0.9) -> Detection:
    start = text.index(word)
    return Detection(start, start + len(word), "PERSON", score, recognizer, word)


CASELESS = "ja vi kjøpte leiligheten og tone vik hjalp oss med alt sammen der oppe"


@pytest.mark.parametrize("cased", ["Vi kjøpte huset i fjor og ble boende.", "Vi fikk huset i fjor."],
                         ids=["the study writes the word in lower case", "only the label writes the word"])
def test_a_label_word_detected_in_a_caseless_transcript_refuses_neither_the_label_nor_the_pseudonym(study, cased):
    files = {"a.txt": [(cased, [])], "b.txt": [(CASELESS, [_stub(CASELESS, "kjøpte")])]}
    anon, outputs = _run(study, files, {"b.txt"})
    turn = outputs["b.txt"][0].text
    assert "Kjøpte og ble boende B1" in turn and "tone" not in turn  # the informant's pseudonym
    assert "kjøpte leiligheten" not in turn  # the detection was replaced (a stub's name, for review)
    entity = next(e for e in anon.key.entities.values() if e.originals == ["kjøpte"])
    assert entity.ordinary_word  # a word of the study's own label
    assert _refusals(study, files, {"b.txt"}) == []


def test_the_label_words_still_count_where_they_read_as_a_name(study):
    # Outside the label, the detected ordinary word capitalised mid-sentence is still the guard's hit
    # (and the anonymiser replaces it there): the label is read on its own, the word is not let off.
    files = {"a.txt": [("Vi kjøpte huset i fjor.", [])], "b.txt": [(CASELESS, [_stub(CASELESS, "kjøpte")])]}
    anon, _outputs = _run(study, files, {"b.txt"})
    guard = guard_for_key(study, anon.key.to_json())
    assert [m.original for m in guard.leaks("Vi snakket med Kjøpte i går.")] == ["kjøpte"]
    assert guard.leaks("han heter Kjøpte og ble boende B1 og bor der") == []
    turn = "Så kom Kjøpte inn og sa hei."
    files["a.txt"].append((turn, []))
    _anon, outputs = _run(study, files, {"b.txt"})
    assert "Kjøpte inn" not in outputs["a.txt"][1].text and _refusals(study, files, {"b.txt"}) == []


def test_a_label_is_read_on_its_own_by_the_guard():
    word = [("kjøpte", _Typed("PERSON", "detected", ordinary_word=True))]
    label = "Kjøpte og ble boende"
    text = "ja han heter Kjøpte og ble boende B1 og bodde der"
    assert Guard(word).leaks(text)  # without the study's labels: the capital mid-sentence is a hit
    assert Guard(word, labels=[label]).leaks(text) == []
    assert Guard(word, labels=[label]).leaks("ja vi Kjøpte huset") != []  # outside the label it counts
    Guard(word, labels=[label]).check_fields([("study.yaml (group_labels.kjopar_budd)", f"kjopar_budd {label}")],
                                             Path("study.yaml"))


@pytest.mark.parametrize("entry, label", [
    (("Kjøpte", _Typed("PERSON", "known")), "Kjøpte og ble boende"),          # a known identifier
    (("Rahimi", _Typed("PERSON", "detected")), "Familien Rahimi"),            # a detected name, no word
    (("Strand", _Typed("STED", "detected", ordinary_word=True)), "Bor på Strand"),  # capitalised mid-label
])
def test_a_name_in_a_label_is_still_refused(entry, label):
    guard = Guard([entry], labels=[label])
    assert guard.leaks(f"vi snakket med {label} B1 i går")
    with pytest.raises(LeakError, match="group_labels"):
        guard.check_fields([("study.yaml (group_labels.g)", f"g {label}")], Path("study.yaml"))


def test_a_real_name_in_a_group_label_still_refuses_the_study(tmp_path):
    # The informant's name and a first name with a surname of the lists in a label: refused as before.
    for label in ("Tone Vik sin gruppe", "kari nordmann og de andre"):
        root = tmp_path / label.replace(" ", "_") / "study"
        _write_study(root, (label, "Leide og flyttet"))
        study = load_study(root)
        anon, _outputs = _run(study, {"a.txt": [("Vi fikk huset.", [])], "b.txt": [("ja vi leide", [])]}, {"b.txt"})
        assert "group_labels.kjopar_budd" in _refusal(lambda: guard_for_key(study, anon.key.to_json()))
