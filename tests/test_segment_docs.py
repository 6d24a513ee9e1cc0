"""The anonymised segments' Docs, derived from ingest's one parse (pipeline/segment_docs.py)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from pipeline.anonymise.stage import anonymise_study
from pipeline.coding.classifier import Example
from pipeline.coding.machine import predict_with_cache
from pipeline.coding.text import coding_text
from pipeline.ingest import ingest_study
from pipeline.nlp import load_nlp
from pipeline.parse import read_docs
from pipeline.segment_docs import SegmentDocs, derive_docs
from pipeline.settings import load_study
from pipeline.store import PrivateStore, StudyStore

TRANSCRIPT = ("I: Hvordan kan vi nå deg?\n"
              "IP: Ring meg på 912 34 567 eller skriv til kari.berg@example.no. Vi flyttet i fjor.\n"
              "I: Hvorfor flyttet dere?\n"
              "IP: Leiligheten ble for trang. [latter] Nå har barna hvert sitt rom.\n")


@pytest.fixture
def anonymised(make_study):
    study = load_study(make_study({"a.txt": TRANSCRIPT}))
    ingest_study(study)
    anonymise_study(study)
    return study


def test_every_segment_has_a_doc_whose_text_is_the_anonymised_segment_as_coding_reads_it(anonymised):
    nlp = load_nlp(anonymised.settings.model)
    with StudyStore(anonymised.store_path) as store:
        segments = store.segments()
    docs = SegmentDocs(anonymised, nlp).of(segments[0].file)
    assert set(docs) == {s.segment_id for s in segments}
    assert all(docs[s.segment_id].text == coding_text(s.text) for s in segments)
    tagged = [t for s in segments for t in docs[s.segment_id] if t.text in ("TELEFON_X", "EPOST_X")]
    assert {t.text for t in tagged} == {"TELEFON_X", "EPOST_X"}
    assert all(t.lemma_ == t.text.lower() and t.pos_ == "PROPN" for t in tagged)
    assert not any("912" in d.text or "kari" in d.text.lower() for d in docs.values())


def test_words_outside_the_replacements_keep_the_lemmas_of_the_one_parse(anonymised):
    nlp = load_nlp(anonymised.settings.model)
    with PrivateStore(anonymised.private_store_path) as private:
        (file,) = private.files()
        raw = [t for doc in read_docs(private.parse(file)[1], nlp) for t in doc]
    parsed = {(t.text, t.lemma_, t.pos_) for t in raw}
    with StudyStore(anonymised.store_path) as store:
        segments = store.segments()
    docs = SegmentDocs(anonymised, nlp).of(segments[0].file)
    plain = [t for d in docs.values() for t in d if t.pos_ != "PROPN" or t.text not in ("TELEFON_X", "EPOST_X")]
    kept = [t for t in plain if t.text in ("flyttet", "Leiligheten", "barna")]
    assert len(kept) >= 3
    assert all((t.text, t.lemma_, t.pos_) in parsed for t in kept)


def test_a_token_partly_replaced_keeps_what_lies_outside_the_replacement():
    nlp = load_nlp("auto")
    text = "Jeg bodde i Oslos sentrum."
    start = text.index("Oslo")
    replaced = [(start, start + 4, "STED", "e1", "[STED_3]")]
    anonymised = text[:start] + "[STED_3]" + text[start + 4:]
    docs, redone = derive_docs(nlp, [text], [nlp(text)], [replaced],
                               [SimpleNamespace(turn_position=0, start=0, end=len(text))], [anonymised])
    assert redone == 0
    assert docs[0].text == "Jeg bodde i [STED_X]s sentrum."
    assert [t.text for t in docs[0]][3:6] == ["[", "STED_X", "]"]


def test_an_informant_label_is_read_as_a_detected_name_is():
    """A name is ``[PERSON_3]`` until its informant's transcript joins and "ansatt S5" after: the
    derived Doc (what coding and topics read) is the same token for both, possessive included."""
    from pipeline.coding.text import people_pattern

    nlp = load_nlp("auto")
    people = people_pattern(["ansatt S5", "boligkjøper 7"])
    text = "Jeg snakket med Kari Berg og Karis mann."
    first, second = text.index("Kari Berg"), text.index("Karis")

    def derived(new_first, new_second):
        replaced = [(first, first + 9, "PERSON", "e", new_first), (second, second + 5, "PERSON", "e", new_second)]
        anonymised = text[:first] + new_first + text[first + 9:second] + new_second + text[second + 5:]
        docs, redone = derive_docs(nlp, [text], [nlp(text)], [replaced],
                                   [SimpleNamespace(turn_position=0, start=0, end=len(text))], [anonymised],
                                   people=people)
        assert redone == 0
        return anonymised, [(t.text, t.lemma_, t.pos_) for t in docs[0]]

    tagged, tag_tokens = derived("[PERSON_3]", "[PERSON_3]s")
    labelled, label_tokens = derived("ansatt S5", "ansatt S5s")
    assert tagged != labelled
    assert coding_text(tagged, people) == coding_text(labelled, people) == \
        "Jeg snakket med [PERSON_X] og [PERSON_X]s mann."
    assert label_tokens == tag_tokens
    assert coding_text("ansatt S50 og boligkjøper 77", people) == "ansatt S50 og boligkjøper 77"  # other ids


def test_coding_and_topics_read_the_derived_docs_and_do_not_run_the_pipeline(anonymised, monkeypatch):
    import pipeline.coding.machine as machine
    import pipeline.topics as topics
    from pipeline.analysis import load_analysis_input
    from pipeline.coding.stage import code_stage

    def refuse(*args, **kwargs):
        raise AssertionError("the pipeline ran again on anonymised segments")

    monkeypatch.setattr(machine, "analyse", refuse)
    monkeypatch.setattr(topics, "content_lemmas", refuse)
    assert "informantsegmenter kodet" in code_stage(anonymised)
    analysis = load_analysis_input(anonymised)
    result = topics.study_topics(anonymised, analysis.informants, analysis.segments, analysis.codes,
                                 analysis.codebook)
    assert result.n_segments == len(analysis.segments)


def _examples(texts_by_turn):
    examples, position = [], 0
    for turn, texts in texts_by_turn:
        for text in texts:
            examples.append(Example(text=text, lemmas=tuple(text.split()), turn=("f", turn), position=position))
            position += 1
    return examples


class _CountingModel:
    classes_ = np.array(["a", "b"])

    def __init__(self):
        self.predicted = 0

    def predict_proba(self, X):
        self.predicted += len(X)
        return np.array([[len(e.text) / 97, 1 / (1 + len(e.lemmas))] for e in X])


def test_predictions_are_cached_per_turn_and_equal_the_fresh_ones():
    model = _CountingModel()
    examples = _examples([(0, ["ja", "vi flyttet"]), (1, ["det var trangt"]), (2, ["nei", "aldri"])])
    fresh, rows, predicted = predict_with_cache(model, examples, {})
    assert predicted == 5 and model.predicted == 5
    saved = json.loads(json.dumps(rows))  # as the coding stage stores them
    again, rows_again, predicted = predict_with_cache(model, examples, saved)
    assert predicted == 0 and model.predicted == 5
    assert np.array_equal(again, fresh) and rows_again == rows
    # One turn changes: only its examples are predicted again.
    changed = _examples([(0, ["ja", "vi flyttet"]), (1, ["det var for trangt"]), (2, ["nei", "aldri"])])
    matrix, _rows, predicted = predict_with_cache(model, changed, saved)
    assert predicted == 1
    assert np.array_equal(matrix, model.predict_proba(changed))


def test_the_stage_line_says_when_segments_had_to_be_lemmatised_again(make_study, monkeypatch):
    # A segment that does not line up with ingest's parse is read by the model instead; the
    # stage's summary says how many, so the fallback is never silent.
    import pipeline.segment_docs as segment_docs
    from pipeline.anonymise.stage import anonymise_stage

    study = load_study(make_study({"a.txt": TRANSCRIPT}))
    ingest_study(study)
    assert "lest av språkmodellen på nytt" not in anonymise_stage(study)
    monkeypatch.setattr(segment_docs, "start_segment_docs", lambda *args, **kwargs: lambda: (1, 3))
    assert "3 segmenter lest av språkmodellen på nytt" in anonymise_stage(study)


def test_the_stored_bytes_are_docbins_and_each_token_is_read_as_the_parse_has_it():
    """SegmentBin collects the strings from the columns' hashes and the turn's tokens are read as
    columns: the bytes must be what spaCy's own DocBin writes, every token what Token gives."""
    from spacy.tokens import DocBin

    from pipeline.segment_docs import ATTRS, _Names, _TurnTokens, derive_bytes, from_bytes, to_bytes

    nlp = load_nlp("auto")
    text = "Kari Berg bodde i Oslos sentrum i fjor.\nSå flyttet vi til Bergen, og det var fint."
    raw = nlp(text)
    rows = _TurnTokens(raw, text, _Names(nlp.vocab)).rows
    assert rows == [(t.text, t.lemma_ or t.text, t.pos_, t.tag_, str(t.morph), bool(t.is_sent_start)) for t in raw]
    start = text.index("Oslo")
    replaced = [(0, 9, "PERSON", "e1", "[PERSON_1]"), (start, start + 4, "STED", "e2", "[STED_3]")]
    anonymised = "[PERSON_1] bodde i [STED_3]s sentrum i fjor.\nSå flyttet vi til Bergen, og det var fint."
    cut = anonymised.index("\n")
    segments = [SimpleNamespace(turn_position=0, start=0, end=text.index("\n")),
                SimpleNamespace(turn_position=0, start=text.index("\n") + 1, end=len(text))]
    docs, redone = derive_docs(nlp, [text], [raw], [replaced], segments, [anonymised[:cut], anonymised[cut + 1:]])
    assert redone == 0 and len(docs) == 2
    reference = DocBin(attrs=ATTRS, store_user_data=False)
    for doc in docs:
        reference.add(doc)
    assert to_bytes(docs) == reference.to_bytes()
    # what the stage stores is built without the Docs: the same bytes
    assert derive_bytes(nlp, [text], [raw], [replaced], segments, [anonymised[:cut], anonymised[cut + 1:]]) == \
        (reference.to_bytes(), 0)
    # the derivation's look-ups serve every transcript a process derives (derive_job): after another
    # transcript has filled them, the same bytes
    from pipeline.segment_docs import _lookups

    writer, names = _lookups(nlp.vocab)
    other = "Vi bodde i Tromsø. Per kom i går."
    derive_bytes(nlp, [other], [nlp(other)], [[(11, 17, "STED", "e3", "[STED_1]")]],
                 [SimpleNamespace(turn_position=0, start=0, end=len(other))], ["Vi bodde i [STED_1]. Per kom i går."],
                 writer, names)
    assert derive_bytes(nlp, [text], [raw], [replaced], segments, [anonymised[:cut], anonymised[cut + 1:]],
                        writer, names) == (reference.to_bytes(), 0)
    again = from_bytes(to_bytes(docs), nlp)
    assert [[(t.text, t.lemma_, t.pos_, str(t.morph)) for t in d] for d in again] == \
        [[(t.text, t.lemma_, t.pos_, str(t.morph)) for t in d] for d in docs]


def test_the_stored_columns_read_without_docs_are_what_the_docs_give():
    """``parse.read_columns`` (the derivation reads the raw parse so) and ``stored_tokens`` (the topic
    words read the segment Docs so) skip building the Docs: each column as the Docs would give it."""
    from pipeline.parse import new_docbin, read_columns
    from pipeline.segment_docs import TURN_COLUMNS, _TurnTokens, _Names, stored_tokens, to_bytes

    nlp = load_nlp("auto")
    texts = ["Kari Berg bodde i Oslos sentrum i fjor.\nSå flyttet vi til Bergen.", "Ja.", "",
             "Nei,  det var  [latter] fint på NAV-kontoret, 23. mai."]
    raw = list(nlp.pipe(texts))
    box = new_docbin()
    for doc in raw:
        box.add(doc)
    columns = read_columns(box.to_bytes(), nlp, TURN_COLUMNS)
    assert len(columns) == len(raw)
    for doc, array in zip(raw, columns):
        expected = doc.to_array(TURN_COLUMNS)
        assert array.dtype == expected.dtype and array.shape == expected.shape and (array == expected).all()
    names = _Names(nlp.vocab)
    assert [_TurnTokens(a, t, names).rows for a, t in zip(columns, texts)] == \
        [_TurnTokens(d, t, names).rows for d, t in zip(raw, texts)]
    read = stored_tokens(to_bytes(raw), nlp.vocab)
    assert [(r.text, r.words, r.spaces, r.lemmas, r.pos) for r in read] == \
        [(d.text, [t.text for t in d], [bool(t.whitespace_) for t in d], [t.lemma_ for t in d], [t.pos_ for t in d])
         for d in raw]
    assert [list(r.rows()) for r in read] == [[(t.idx, t.text, t.pos_, t.lemma_) for t in d] for d in raw]


def test_the_coding_stage_takes_the_cluster_s_reading_of_the_docs_only_where_made_from_its_own_inputs(make_study):
    from pipeline import parallel
    from pipeline.codebook import load_codebook
    from pipeline.coding import machine
    from pipeline.coding.text import study_labels
    from pipeline.coding.units import load_units

    # two transcripts, and rules that hit (the neutral codebook's "hjelp", "vente")
    anonymised = load_study(make_study({"a.txt": TRANSCRIPT, "b.txt": "I: Hva trengte dere?\nIP: Vi fikk hjelp av "
                                        "naboen. Vi måtte vente lenge på svar.\nI: Og så?\nIP: Det gikk bra.\n"}))
    ingest_study(anonymised)
    anonymise_study(anonymised)

    codebook = load_codebook(anonymised.codebook_path)
    nlp = load_nlp(anonymised.settings.model)
    with StudyStore(anonymised.store_path) as store:
        units = load_units(store)
        labels = study_labels(anonymised, store)
    own = machine.analyse_units(units, codebook, nlp, SegmentDocs(anonymised, nlp), labels)
    # What a worker reads of each transcript's stored Docs (both speakers) is what the stage reads of them:
    # with it the stage reads no Docs (none given here) and lemmatises nothing.
    inputs = machine.analysis_inputs(anonymised, codebook)
    files = [file for file, _key in inputs[2]]
    read = [machine.analyse_file_job((anonymised.settings.model, SegmentDocs(anonymised, None).stored(file)), codebook)
            for file in files]
    assert files and all(read) and len(read[0]) > len([u for u in units if u.segment.file == files[0]])
    taken = machine.analyse_units(units, codebook, nlp, None, labels, read=dict(zip(files, read)))
    assert taken.rules == own.rules and taken.examples == own.examples and any(r.codes for r in own.rules)

    class Cluster(parallel.InProcess):
        def __init__(self, prefetch):
            self.prefetch_ = prefetch

        def prefetched(self, name):
            assert name == machine.ANALYSIS_PREFETCH
            return self.prefetch_

    def take(prefetch, with_codebook=codebook):
        token = parallel._current.set(Cluster(prefetch))
        try:
            return machine.prefetched_analysis(anonymised, with_codebook)
        finally:
            parallel._current.reset(token)

    assert take(parallel.Prefetch(inputs, read, None)) == dict(zip(files, read))
    # made under another codebook or from other Docs: left, and the stage reads the Docs itself
    assert take(parallel.Prefetch(inputs, read, None), codebook.model_copy(update={"version": "other"})) is None
    assert take(parallel.Prefetch((*inputs[:2], (), *inputs[3:]), read, None)) is None
    # made under other informant labels (what the Docs read as [PERSON_X]): left too
    assert inputs[3] and take(parallel.Prefetch((*inputs[:3], (*inputs[3], "annen S9")), read, None)) is None
    assert take(None) is None


def test_a_transcript_whose_informant_others_name_re_derives_only_itself(make_study):
    """When Kari's own interview joins, her name in a.txt becomes her label there ("a 2" for
    "[PERSON_1]"): a.txt's text changes, what the features read of it does not, so its Docs stay."""
    a = ("I: Hvem hjalp deg?\n"
         "IP: Kari Berg på kontoret hjalp meg mye. Vi flyttet i fjor.\n")
    b = ("I: Hva gjør du?\n"
         "IP: Jeg jobber på kontoret og hjelper folk med søknader.\n")
    root = make_study({"a.txt": a}, informants="id,file,group,name\n1,a.txt,a,Ola Nordmann\n")
    study = load_study(root)
    ingest_study(study)
    anonymise_study(study)
    with StudyStore(study.store_path) as store:
        before = {s.file: s.text for s in store.segments() if "Kari" not in s.text and "PERSON" in s.text}
    assert before  # the name was detected: a person tag in a.txt
    make_study({"a.txt": a, "b.txt": b}, informants="id,file,group,name\n1,a.txt,a,Ola Nordmann\n"
               "2,b.txt,a,Kari Berg\n", root=root)
    study = load_study(root)
    ingest_study(study)
    result = anonymise_study(study)
    with StudyStore(study.store_path) as store:
        after = [s.text for s in store.segments() if s.file == "1.txt"]
    assert any("a 2" in text for text in after)  # the informant's label now
    assert result.derived[0] == 1  # only b.txt's Docs were derived


def test_a_transcript_s_columns_looked_up_at_once_give_what_the_tokens_give():
    """derive_bytes looks up the strings of a stored parse's columns once per transcript (_Names.fill)
    and _TurnTokens reads them without a look-up of its own: each token's row and character offsets
    are what the Tokens give, and the derived bytes are those derived from the Docs."""
    from pipeline.parse import new_docbin, read_columns
    from pipeline.segment_docs import TURN_COLUMNS, _Names, _TurnTokens, derive_bytes

    nlp = load_nlp("auto")
    texts = ["Kari Berg bodde i Oslos sentrum i fjor.\nSå flyttet vi til Bergen.", "", "Ja.",
             "Nei,  det var  [latter] fint på NAV-kontoret, 23. mai.  "]
    raw = list(nlp.pipe(texts))
    box = new_docbin()
    for doc in raw:
        box.add(doc)
    columns = read_columns(box.to_bytes(), nlp, TURN_COLUMNS)
    names = _Names(nlp.vocab)
    names.fill(columns)
    for doc, array, text in zip(raw, columns, texts):
        tokens = _TurnTokens(array, text, names, filled=True)
        assert tokens.starts == [t.idx for t in doc] and tokens.ends == [t.idx + len(t.text) for t in doc]
        assert tokens.rows == [(t.text, t.lemma_ or t.text, t.pos_, t.tag_, str(t.morph), bool(t.is_sent_start))
                               for t in doc]
    # a look-up the fill did not make is an error, never an empty string
    with pytest.raises(KeyError):
        _TurnTokens(columns[0], texts[0], _Names(nlp.vocab), filled=True)
    start = texts[0].index("Oslo")
    replaced = [[(0, 9, "PERSON", "e1", "[PERSON_1]"), (start, start + 4, "STED", "e2", "[STED_3]")], [], [], []]
    segments = [SimpleNamespace(turn_position=0, start=0, end=len(texts[0])),
                SimpleNamespace(turn_position=2, start=0, end=3),
                SimpleNamespace(turn_position=3, start=0, end=len(texts[3]))]
    anonymised = ["[PERSON_1] bodde i [STED_3]s sentrum i fjor.\nSå flyttet vi til Bergen.", "Ja.", texts[3]]
    assert derive_bytes(nlp, texts, columns, replaced, segments, anonymised) == \
        derive_bytes(nlp, texts, raw, replaced, segments, anonymised)
