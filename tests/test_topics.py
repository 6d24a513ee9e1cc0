"""Emergent topics: stop words, lemmas, document building, BERTopic offline, determinism, the stage."""

from __future__ import annotations

import random

import pytest

from pipeline.records import Coding, Informant, Segment
from pipeline.settings import TopicSettings, load_study
from pipeline.topics import (
    study_topics,
    build_documents,
    content_lemmas,
    find_topics,
    stop_words,
    topic_tables,
    topics_stage,
)

VOCABULARIES = {
    "gjeld": ["lån", "bank", "rente", "gjeld", "avdrag", "startlån", "betaling", "økonomi"],
    "naboer": ["nabo", "borettslag", "styre", "dugnad", "oppgang", "trapp", "fellesareal", "bråk"],
    "skole": ["skole", "barn", "barnehage", "lærer", "lekse", "klasse", "venn", "fotball"],
}


def seg(segment_id, informant, turn, start, text="", speaker="informant"):
    return Segment(segment_id, informant, f"{informant}.txt", turn, speaker, start, start + max(len(text), 1), text)


def corpus(seed: int = 7, per_theme: int = 30):
    """Documents drawn from three separate vocabularies; the 'skole' theme is never coded."""
    rng = random.Random(seed)
    informants = [Informant(str(i), f"{i}.txt", "stayed" if i <= 4 else "staff") for i in range(1, 7)]
    segments, lemmas, codes = [], {}, {}
    n = 0
    for theme, words in VOCABULARIES.items():
        for k in range(per_theme):
            informant = str(1 + (k % 6))
            sid = f"{theme}-{k}"
            segments.append(seg(sid, informant, n, 0, f"tekst om {theme} {k}"))
            lemmas[sid] = tuple(rng.choice(words) for _ in range(6))
            if theme != "skole":
                codes[sid] = frozenset({theme})
            n += 1
    return informants, segments, lemmas, codes


SETTINGS = TopicSettings(min_topic_size=10, n_topics=3, n_components=10, reduced_components=3, min_content_lemmas=4)
CODEBOOK = {"gjeld": "Gjeld og lån", "naboer": "Naboer"}


def test_stop_words_combine_spacy_fillers_and_extra():
    stops = stop_words(["kommune"])
    assert {"og", "det", "liksom", "altså", "sånn", "eh", "ehm", "kommune"} <= stops
    assert "lån" not in stops


def test_content_lemmas_drop_tags_fillers_numbers_and_names():
    from pipeline.nlp import load_nlp

    nlp = load_nlp("auto")
    [lemmas] = content_lemmas(["Eh, [PERSON_3] kjøpte liksom leiligheten i 2012, og lånet i banken var dyrt."], nlp)
    assert "leilighet" in lemmas and "bank" in lemmas
    assert not any("person" in lemma or lemma.isdigit() for lemma in lemmas)
    assert "liksom" not in lemmas and "eh" not in lemmas
    assert content_lemmas(["Ja."], nlp) == [()]


def test_build_documents_joins_short_segments_within_a_turn():
    segments = [
        seg("a1", "1", 1, 0), seg("a2", "1", 1, 10), seg("a3", "1", 1, 20), seg("a4", "1", 1, 30),
        seg("b1", "1", 3, 0),  # a turn that never gets enough: skipped
        seg("c1", "2", 1, 0), seg("q", "2", 2, 0, speaker="interviewer"),
    ]
    lemmas = {"a1": ("x",), "a2": ("x", "y", "z"), "a3": ("x", "y", "z", "w"), "a4": ("ja",),
              "b1": ("x",), "c1": ("a", "b", "c", "d"), "q": ("a", "b", "c", "d", "e")}
    documents, skipped = build_documents(list(reversed(segments)), lemmas, min_content_lemmas=4)
    assert [d.segment_ids for d in documents] == [("a1", "a2"), ("a3", "a4"), ("c1",)]
    assert documents[0].doc_id == "a1" and documents[0].lemmas == ("x", "x", "y", "z")
    assert skipped == 1


def test_topics_recover_three_vocabularies_and_flag_the_uncoded_one():
    informants, segments, lemmas, codes = corpus()
    result = find_topics(segments, lemmas, informants, codes, CODEBOOK, SETTINGS)
    assert len(result.topics) == 3
    assert result.n_documents == 90 and result.n_skipped_segments == 0
    by_theme = {}
    for topic in result.topics:
        top = {w for w, _ in topic.top_lemmas[:5]}
        [theme] = [t for t, words in VOCABULARIES.items() if top <= set(words)]
        by_theme[theme] = topic
        assert topic.documents == 30 and topic.informants == 6
        assert len(topic.representative) == SETTINGS.representative_documents
        assert all(d.doc_id.startswith(theme) for d in topic.representative)
    assert by_theme["gjeld"].best_code == "gjeld" and by_theme["gjeld"].best_code_share == pytest.approx(1.0)
    assert not by_theme["gjeld"].candidate_new_code and not by_theme["naboer"].candidate_new_code
    assert by_theme["skole"].candidate_new_code and by_theme["skole"].best_code is None
    assert [t.topic_id for t in result.candidates] == [by_theme["skole"].topic_id]
    assert any("kandidater til nye koder" in n for n in result.notes)

    table = result.topic_by_group
    assert set(table.group) == {"stayed", "staff"}
    assert table.groupby("topic").documents.sum().tolist() == [30, 30, 30]
    stayed = table[(table.topic == by_theme["gjeld"].topic_id) & (table.group == "stayed")].iloc[0]
    assert (stayed.informants_with_topic, stayed.informants_in_group) == (4, 4)
    overlap = result.code_overlap
    assert set(overlap[overlap.topic == by_theme["naboer"].topic_id].code) == {"naboer"}


def test_same_data_same_topics():
    informants, segments, lemmas, codes = corpus()
    first = find_topics(segments, lemmas, informants, codes, CODEBOOK, SETTINGS)
    again = find_topics(segments, lemmas, informants, codes, CODEBOOK, SETTINGS)
    assert topic_tables(first) == topic_tables(again)
    assert [t.top_lemmas for t in first.topics] == [t.top_lemmas for t in again.topics]


def test_too_few_documents_give_no_topics_and_a_note():
    informants, segments, lemmas, codes = corpus(per_theme=3)
    result = find_topics(segments, lemmas, informants, codes, CODEBOOK, SETTINGS)
    assert result.topics == [] and result.n_documents == 9
    assert "For få dokumenter" in result.notes[0]
    assert set(topic_tables(result)) >= {"topics", "topics_by_group", "topics_candidates"}


# ---------------------------------------------------------------- the stage

SENTENCES = {
    "gjeld": "Lånet i banken hadde høy rente, og avdraget på startlånet var tungt for økonomien.",
    "naboer": "Naboene i borettslaget krangler om dugnaden, og styret rydder aldri trappen i oppgangen.",
    "skole": "Barna går på skolen her, læreren er flink og vennene spiller fotball etter barnehagen.",
}


def test_stage_writes_topic_tables(make_study):
    rng = random.Random(3)
    transcripts = {}
    for i in range(1, 5):
        lines = []
        for _ in range(12):
            theme = rng.choice(list(SENTENCES))
            lines.append(f"I: Fortell.\nIP: Ja. {SENTENCES[theme]}\n")
        transcripts[f"k{i}.txt"] = "".join(lines)
    informants = "id,file,group\n1,k1.txt,stayed\n2,k2.txt,stayed\n3,k3.txt,staff\n4,k4.txt,staff\n"
    settings = ("name: T\ngroups: [stayed, staff]\n"
                "topics: {min_topic_size: 5, n_topics: 3, n_components: 10, reduced_components: 3}\n")
    root = make_study(transcripts, informants=informants, settings=settings)
    study = load_study(root)
    from pipeline.store import PrivateStore, StudyStore
    from pipeline.workflow import ingest_stage

    ingest_stage(study)
    with PrivateStore(study.private_store_path) as private, StudyStore(study.store_path) as store:
        for file in private.files():
            found = private.segments(file)
            store.replace_segments(file, found[0].informant_id, "sha", 0, found)
        store.replace_machine_codings("rule", [Coding(s.segment_id, "gjeld", "rule", "rules")
                                               for s in store.segments(speaker="informant") if "Lånet" in s.text])
    line = topics_stage(study)
    assert line.startswith("3 tema")
    tables = root / "reports" / "tables"
    names = {p.name for p in tables.glob("*.csv")}
    assert names == {"topics.csv", "topics_by_group.csv", "topics_code_overlap.csv", "topics_representative.csv",
                     "topics_documents.csv", "topics_candidates.csv"}
    before = {p: p.read_bytes() for p in [*tables.glob("*.csv"), tables / "topics.json"]}
    topics_stage(study)
    assert {p: p.read_bytes() for p in before} == before

    # The typed result beside the tables reads back as the same topics; the report uses it, never refits.
    from pipeline.analysis import load_analysis_input
    from pipeline.errors import QualpipeError
    from pipeline.topics import read_topics_result, topic_tables

    analysis = load_analysis_input(study)
    persisted = read_topics_result(study, analysis)
    from pipeline.store import read_csv

    assert [t.label for t in persisted.topics] == [r["label"] for r in read_csv(tables / "topics.csv")]
    fresh = study_topics(study, analysis.informants, analysis.segments, analysis.codes, analysis.codebook)
    assert topic_tables(persisted) == topic_tables(fresh)
    # New codes make the persisted topics stale: one clear error naming the fix.
    with StudyStore(study.store_path) as store:
        store.replace_machine_codings("rule", [])
    with pytest.raises(QualpipeError, match="older than the coded data.*qualpipe topics"):
        read_topics_result(study, load_analysis_input(study))
    # Other topic settings: stale too.
    (root / "study.yaml").write_text(settings.replace("n_topics: 3", "n_topics: 2"), encoding="utf-8")
    topics_stage(load_study(root))
    (root / "study.yaml").write_text(settings, encoding="utf-8")
    with pytest.raises(QualpipeError, match="other settings"):
        read_topics_result(load_study(root), load_analysis_input(study))


def test_topics_below_the_minimum_size_are_not_kept():
    informants, segments, lemmas, codes = corpus()
    # Ask for more topics than the corpus has: KMeans splits a theme into small pieces.
    many = SETTINGS.model_copy(update={"n_topics": 6, "min_topic_size": 14})
    result = find_topics(segments, lemmas, informants, codes, CODEBOOK, many)
    kept = [t.documents for t in result.topics]
    assert kept and all(n >= 14 for n in kept)
    dropped = result.n_documents - sum(kept)
    assert dropped > 0 and dropped == int((result.documents.topic == -1).sum())
    assert any("4 tema med færre enn 14 dokumenter" in n for n in result.notes)
    assert set(result.topic_table.topic) == {t.topic_id for t in result.topics}


def test_informant_references_are_not_topic_words():
    """The anonymiser calls informants "boligkjøper 7"; that must not become a topic word."""
    from pipeline.records import Informant
    from pipeline.topics import informant_references

    informants = [Informant("7", "a.txt", "stayed"), Informant("S1", "b.txt", "staff")]
    pattern = informant_references(informants, {"stayed": "boligkjøper", "staff": "ansatt"})
    text = "Jeg snakket med boligkjøper 7 og Ansatt S1 om boligkjøperne og de ansatte."
    assert pattern.sub(" ", text).split() == ["Jeg", "snakket", "med", "og", "om", "boligkjøperne", "og", "de", "ansatte."]
    assert informant_references(informants, {}) is None


def test_topic_words_of_a_stored_doc_read_as_columns_are_those_of_the_doc():
    """The topics stage reads the segment Docs' columns (``segment_docs.stored_tokens``), not the Docs."""
    import re

    from pipeline.nlp import load_nlp
    from pipeline.segment_docs import stored_tokens, to_bytes
    from pipeline.topics import doc_content_lemmas

    nlp = load_nlp("auto")
    texts = ["[PERSON_X] flyttet til [STED_X] fordi leiligheten ble for trang.",
             "Boligkjøper 7 sa at banken ga lån, eh, [latter] og takstmannen kom.", "Ja.",
             "Vi kjøpte huset i fjor og pusset opp kjøkkenet."]
    docs = list(nlp.pipe(texts))
    stops = stop_words()
    drop = re.compile(r"\bboligkjøper\s+7\b", re.IGNORECASE)
    from_docs = [doc_content_lemmas(d, stops, drop) for d in docs]
    assert any(from_docs) and all(isinstance(lemmas, tuple) for lemmas in from_docs)
    assert [doc_content_lemmas(t, stops, drop) for t in stored_tokens(to_bytes(docs), nlp.vocab)] == from_docs


def test_the_topics_stage_discards_a_stale_prefetch_whatever_its_outcome(make_study, monkeypatch):
    from pipeline import parallel, topics
    from pipeline.analysis import load_analysis_input
    from pipeline.errors import QualpipeError
    from pipeline.nlp import load_nlp
    from pipeline.segment_docs import SegmentDocs
    from pipeline.store import PrivateStore, StudyStore
    from pipeline.workflow import ingest_stage

    rng = random.Random(5)
    transcripts = {f"k{i}.txt": "".join(f"I: Fortell.\nIP: Ja. {SENTENCES[rng.choice(list(SENTENCES))]}\n"
                                        for _ in range(12)) for i in range(1, 5)}
    informants = "id,file,group\n1,k1.txt,stayed\n2,k2.txt,stayed\n3,k3.txt,staff\n4,k4.txt,staff\n"
    settings = ("name: T\ngroups: [stayed, staff]\n"
                "topics: {min_topic_size: 5, n_topics: 3, n_components: 10, reduced_components: 3}\n")
    study = load_study(make_study(transcripts, informants=informants, settings=settings))
    ingest_stage(study)
    with PrivateStore(study.private_store_path) as private, StudyStore(study.store_path) as store:
        for file in private.files():
            found = private.segments(file)
            store.replace_segments(file, found[0].informant_id, "sha", 0, found)
    analysis = load_analysis_input(study)
    args = (study, analysis.informants, analysis.segments, analysis.codes, analysis.codebook)
    expected = topic_tables(study_topics(*args))
    failed = QualpipeError("a task failed on the Dask cluster: boom")

    class Cluster(parallel.InProcess):
        """A run's cluster with a prefetch already taken: ``imap`` counts the stage's own reading."""

        def __init__(self, prefetch):
            self.prefetch_, self.read_ = prefetch, 0

        def prefetched(self, name):
            assert name == topics.PREFETCH
            return self.prefetch_

        def imap(self, *a, **k):
            self.read_ += 1
            return super().imap(*a, **k)

    def run(prefetch):
        executor = Cluster(prefetch)
        token = parallel._current.set(executor)
        try:
            return topic_tables(study_topics(*args)), executor.read_
        finally:
            parallel._current.reset(token)

    # Made from other inputs (other Docs, settings or segments): the stage reads the words and fits itself,
    # whether the prefetch failed or not.
    assert run(parallel.Prefetch(("other",), None, failed)) == (expected, 1)
    assert run(parallel.Prefetch(("other",), [["stale"]], None)) == (expected, 1)
    # Made from the stage's own inputs: its error stops the run; its fit is used as it is (and tabulated
    # with the stage's codes).
    current = ("current",)
    monkeypatch.setattr(topics, "_fit_inputs", lambda *a: current)
    with pytest.raises(QualpipeError, match="boom"):
        run(parallel.Prefetch(current, None, failed))
    stops, drop, _files, _by_file, _items = topics._lemma_work(
        study, analysis.informants, analysis.segments, SegmentDocs(study, load_nlp(study.settings.model)))
    item = topics._fit_item(study, SegmentDocs(study, load_nlp(study.settings.model)), analysis.segments, stops, drop)
    own = list(parallel.InProcess().imap(topics._fit_job, [item]))
    assert run(parallel.Prefetch(current, own, None)) == (expected, 0)
