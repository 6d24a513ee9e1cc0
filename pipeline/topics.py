"""Emergent topics with BERTopic, fully offline, over anonymised informant segments.

BERTopic is installed without its heavy dependencies (no torch,
sentence-transformers, UMAP or HDBSCAN packages), so every part is given
explicitly and is deterministic:

* documents: informant segments, with the lemmas and tags of ingest's one spaCy parse
  (pipeline/segment_docs.py);
  content lemmas only (no stop words, fillers, anonymisation tags, numbers,
  punctuation or proper names). A segment with fewer than
  ``settings.topics.min_content_lemmas`` content lemmas ("Ja.", "Nei, altså …")
  is joined to the following segments of the same turn until the document has
  enough; a short remainder at the end of a turn joins the turn's previous
  document, and a turn that never gets enough is skipped (counted in the notes);
* embeddings: TF-IDF on lemmas + TruncatedSVD (scikit-learn, fixed seed);
* "UMAP" step: PCA with a fixed seed; clustering: KMeans with fixed seed;
* topic words: CountVectorizer on lemmas with Norwegian stop words and c-TF-IDF.

Same documents and settings give the same topics.

A topic with fewer documents than ``settings.topics.min_topic_size`` is not
kept (KMeans, unlike HDBSCAN, has no minimum): its documents count as "no
topic" (-1) and a note says how many were dropped.

Layers as in :mod:`pipeline.compare`: :func:`find_topics` works on plain data;
:func:`topics_stage` does the I/O (reads the analysis input, writes
``reports/tables/``, including the typed result ``topics.json`` the report reads).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from spacy.tokens import Doc
from threadpoolctl import threadpool_limits

from . import parallel
from .analysis import NOTHING_YET, AnalysisInput, content_hash, load_analysis_input
from .progress import Track, no_progress
from .records import Informant, Segment
from .results import frame_from_json, frame_to_json, read_result, result_text
from .settings import Study, TopicSettings

# Things people say that carry no topic; added to spaCy's Norwegian stop words.
# Light verbs and vague nouns ("tenke", "ting") are in too: they top every topic otherwise.
FILLERS = frozenset({
    "eh", "ehm", "em", "hm", "hmm", "mm", "mhm", "øh", "øhm", "ah", "å", "ja", "jo", "nei", "ok", "okei",
    "liksom", "altså", "sånn", "sånt", "slik", "bare", "egentlig", "veldig", "litt", "mye", "ganske",
    "tenke", "vite", "si", "gå", "få", "komme", "gjøre", "ha", "være", "bli", "kunne", "skulle", "måtte",
    "ting", "type", "greie", "nå", "da", "så", "vel", "kanskje", "helt", "egen", "mene", "huske", "lure",
    "hvor", "hvordan", "hvorfor", "hva", "hvem",
})

# Anonymisation tags such as [PERSON_3] or [STED]: never topic words.
TAG = re.compile(r"\[[^\[\]\s]{1,40}\]")
# Part-of-speech tags that carry content; names (PROPN) are left out so surrogates never become topics.
CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ", "ADV"})
NO_TOPIC = -1
MISSING_VALUE = "(mangler)"

TOPIC_COLUMNS = ["topic", "label", "documents", "informants", "top_lemmas", "best_code", "best_code_share",
                 "candidate_new_code"]
DOCUMENT_COLUMNS = ["doc_id", "topic", "informant_id", "group", "segment_ids"]
TOPIC_BY_GROUP_COLUMNS = ["topic", "label", "group", "documents", "informants_with_topic", "informants_in_group",
                          "pct_informants", "pct_group_documents"]
OVERLAP_COLUMNS = ["topic", "label", "code", "documents_with_code", "topic_documents", "share"]
REPRESENTATIVE_COLUMNS = ["topic", "label", "rank", "segment_ids", "informant_id", "text"]


@dataclass(frozen=True)
class TopicDocument:
    """One unit for topic modelling: one or more consecutive segments of one informant turn."""

    doc_id: str  # the first segment's id
    segment_ids: tuple[str, ...]
    informant_id: str
    file: str
    turn_index: int
    text: str  # anonymised text of the segments, joined with spaces
    lemmas: tuple[str, ...]  # content lemmas


@dataclass(frozen=True)
class Topic:
    topic_id: int  # 0, 1, ... by size (largest first), as BERTopic numbers them
    label: str  # "0: lån, bank, rente"
    top_lemmas: tuple[tuple[str, float], ...]  # (lemma, c-TF-IDF weight), best first
    documents: int
    informants: int
    representative: tuple[TopicDocument, ...]  # closest to the topic centre, best first
    best_code: str | None  # the code most of its documents carry
    best_code_share: float  # share of the topic's documents carrying ``best_code``
    candidate_new_code: bool  # no code covers at least ``settings.topics.code_overlap_min``


@dataclass(frozen=True)
class TopicModelResult:
    """Topics and the tables built on them (tidy DataFrames; columns in the ``*_COLUMNS`` lists)."""

    topics: list[Topic]
    documents: pd.DataFrame  # DOCUMENT_COLUMNS; topic -1 = no topic (outlier), where the clusterer gives one
    topic_table: pd.DataFrame  # TOPIC_COLUMNS
    topic_by_group: pd.DataFrame  # TOPIC_BY_GROUP_COLUMNS
    code_overlap: pd.DataFrame  # OVERLAP_COLUMNS, every topic × code with at least one document
    representatives: pd.DataFrame  # REPRESENTATIVE_COLUMNS
    n_segments: int  # informant segments offered
    n_documents: int
    n_skipped_segments: int  # in turns too short to make a document
    notes: list[str] = field(default_factory=list)

    @property
    def candidates(self) -> list[Topic]:
        """Topics no codebook code covers well: for the researcher to consider as new codes."""
        return [t for t in self.topics if t.candidate_new_code]


def informant_references(informants: Sequence[Informant], group_labels: Mapping[str, str]) -> re.Pattern | None:
    """How quotes name informants ("bruker 3": group label and id): not topic words."""
    labels = sorted({group_labels.get(i.group, "") for i in informants} - {""}, key=len, reverse=True)
    ids = sorted({i.id for i in informants}, key=len, reverse=True)
    if not labels or not ids:
        return None
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, labels))})\s+(?:{'|'.join(map(re.escape, ids))})\b",
                      re.IGNORECASE)


def study_topics(study: Study, informants: Sequence[Informant], segments: Sequence[Segment],
                 codes: Mapping[str, frozenset[str]], codebook: Mapping[str, str] | Sequence[str],
                 track: Track | None = None) -> TopicModelResult:
    """Topics of a study's anonymised informant segments: lemmatise and fit (:func:`fit_topics`),
    then :func:`tabulate_topics` with the codes.

    The one path used by the topics stage and the report, so both show the same topics.
    """
    return tabulate_topics(study_fit(study, informants, segments, track), informants, codes, codebook,
                           study.settings.topics, group_order=study.settings.groups)


PREFETCH = "topics-fit"  # the name of the topics' fit, prefetched on the run's executor


def study_fit(study: Study, informants: Sequence[Informant], segments: Sequence[Segment],
              track: Track | None = None) -> TopicFit:
    """The :class:`TopicFit` of a study's informant segments: made on the run's cluster during the
    coding stage where the run started it (:func:`prefetch_topics`) from these same inputs, else here,
    the lemmas read from the Docs derived from ingest's one parse, one transcript per task on the run's
    executor (--workers N; the stop words travel to each worker once)."""
    from .nlp import load_nlp
    from .segment_docs import SegmentDocs

    nlp = load_nlp(study.settings.model)
    stops, drop, files, by_file, items = _lemma_work(study, informants, segments, SegmentDocs(study, nlp))
    executor = parallel.current()
    taken = executor.prefetched(PREFETCH)
    if taken is not None:
        found = taken.results_for(_fit_inputs(study, stops, drop, files, by_file))
        if found is not None:
            return found[0]
    lemmas = executor.imap(_file_lemmas_job, items, stops, drop, track=track or no_progress,
                           description="Leser lemmaer")
    return fit_topics(segments, _lemmas_by_segment(files, by_file, lemmas, study.settings.model, stops, drop),
                      study.settings.topics)


def _lemmas_by_segment(files, by_file, lemmas, model: str, stops, drop) -> dict[str, tuple[str, ...]]:
    """Segment id -> content lemmas, from each file's lemmas (None for a segment without a Doc: such
    segments, of a study not yet anonymised by this version, are lemmatised here)."""
    lemmas_by_segment: dict[str, tuple[str, ...]] = {}
    pending: list[Segment] = []
    for file, found in zip(files, lemmas):
        for s, its in zip(by_file[file], found):
            if its is not None:
                lemmas_by_segment[s.segment_id] = its
            else:
                pending.append(s)
    if pending:
        from .nlp import load_nlp

        nlp = load_nlp(model)
        for k in range(0, len(pending), 250):
            chunk = pending[k:k + 250]
            found = content_lemmas([s.text for s in chunk], nlp, stops, drop)
            lemmas_by_segment.update({s.segment_id: its for s, its in zip(chunk, found)})
    return lemmas_by_segment


def _by_file(segments: Sequence[Segment]) -> tuple[list[str], dict[str, list[Segment]]]:
    by_file: dict[str, list[Segment]] = {}
    for s in segments:
        by_file.setdefault(s.file, []).append(s)
    return sorted(by_file), by_file


def _lemma_work(study: Study, informants: Sequence[Informant], segments: Sequence[Segment], stored) -> tuple:
    """(stop words, informant references, files, file -> its segments, the lemma tasks' items) of
    :func:`study_fit`'s reading of the topic words; the items are read as their tasks are sent."""
    stops = stop_words(study.settings.topics.extra_stop_words)
    drop = informant_references(informants, study.settings.group_labels)
    files, by_file = _by_file(segments)
    items = parallel.Lazy(lambda file: (study.settings.model, stored.stored(file), [s.segment_id for s in by_file[file]]),
                          files)
    return stops, drop, files, by_file, items


def _lemma_inputs(study: Study, stops, drop, files, by_file) -> tuple:
    """What the lemma tasks' results are a function of: a prefetch made on other inputs is not used."""
    from .store import PrivateStore

    doc_keys = {}
    if study.private_store_path.exists():
        with PrivateStore(study.private_store_path) as private:
            doc_keys = private.segment_doc_keys()
    return (study.settings.model, stops, drop, tuple((file, tuple(s.segment_id for s in by_file[file])) for file in files),
            sorted(doc_keys.items()))


def _fit_inputs(study: Study, stops, drop, files, by_file) -> tuple:
    """What the fit is a function of: the lemmas' inputs, the topic settings and what the documents
    take of each informant segment (its text, place and informant)."""
    segments = tuple((s.segment_id, s.informant_id, s.file, s.turn_index, s.speaker, s.start, s.end, s.text)
                     for file in files for s in by_file[file])
    return (_lemma_inputs(study, stops, drop, files, by_file), study.settings.topics.model_dump(), segments)


def prefetch_topics(study: Study) -> None:
    """Start the topics' fit (:func:`fit_topics`, with the reading of the topic words from the derived
    segment Docs) on the run's cluster as soon as the anonymised segments and their Docs are stored
    (after the anonymisation stage): a worker fits while this process runs the coding stage, whose
    codes the fit does not read; the topics stage takes it (:func:`study_fit`) and adds the codes.
    The same functions on the same inputs as the topics stage's own, so the same topics. Nothing on
    one process."""
    from .nlp import load_nlp
    from .segment_docs import SegmentDocs
    from .store import StudyStore

    executor = parallel.current()
    if not executor.remote or not study.private_store_path.exists() or not study.store_path.exists():
        return
    # What the topics stage's analysis input holds of them (pipeline/analysis.py), read the same way.
    with StudyStore(study.store_path) as store:
        informants, segments = store.informants(), store.segments(speaker="informant")
    if not segments:
        return
    stored = SegmentDocs(study, load_nlp(study.settings.model))
    stops, drop, files, by_file, _items = _lemma_work(study, informants, segments, stored)
    # One task: the reading of the words (some 0.6 CPU s at x10) and the fit; the item is read (every
    # transcript's stored Docs) in the prefetch's thread as the task is sent.
    item = parallel.Lazy(lambda _key: _fit_item(study, stored, segments, stops, drop), [0])
    executor.prefetch(PREFETCH, _fit_job, item, inputs=_fit_inputs(study, stops, drop, files, by_file))


def _fit_item(study: Study, stored, segments: Sequence[Segment], stops, drop) -> tuple:
    """The item of :func:`_fit_job` for the informant ``segments`` (``stored``: the study's
    ``SegmentDocs``)."""
    files, by_file = _by_file(segments)
    return (study.settings.model, study.settings.topics,
            [(stored.stored(f), [s.segment_id for s in by_file[f]]) for f in files], list(segments), stops, drop)


def _fit_job(item: tuple) -> TopicFit:
    """The executor's task of :func:`prefetch_topics`: ``item`` = (model setting, topic settings, each
    file's (stored derived Docs or None, segment ids), the informant segments, stop words, informant
    references); the topic words of each file (:func:`_file_lemmas_job`) and :func:`fit_topics`."""
    model, settings, stored, segments, stops, drop = item
    files, by_file = _by_file(segments)
    lemmas = [_file_lemmas_job((model, blob, ids), stops, drop) for blob, ids in stored]
    return fit_topics(segments, _lemmas_by_segment(files, by_file, lemmas, model, stops, drop), settings)


def _file_lemmas_job(item: tuple, stops: frozenset[str], drop: re.Pattern | None) -> list[tuple[str, ...] | None]:
    """The executor's task for one transcript: :func:`doc_content_lemmas` of each segment asked for
    (``item`` = (model setting, its stored derived Docs (ids, DocBin bytes) or None, segment ids)),
    None for a segment without a Doc."""
    from .nlp import load_nlp
    from .segment_docs import from_bytes, stored_tokens

    model, stored, wanted = item
    docs: dict = {}
    if stored is not None:
        ids, blob = stored
        nlp = load_nlp(model)
        # Read as columns: the topic words need only each token's text, lemma and part of speech.
        decoded = stored_tokens(blob, nlp.vocab)
        if decoded is None:
            decoded = from_bytes(blob, nlp)
        if len(decoded) == len(ids):
            docs = dict(zip(ids, decoded))
    return [doc_content_lemmas(docs[sid], stops, drop) if sid in docs else None for sid in wanted]


def stop_words(extra: Sequence[str] = ()) -> frozenset[str]:
    """spaCy's Norwegian Bokmål stop words, transcript fillers, and ``extra``; lower-case."""
    from spacy.lang.nb.stop_words import STOP_WORDS

    return frozenset(w.lower() for w in (*STOP_WORDS, *FILLERS, *extra))


def content_lemmas(texts: Sequence[str], nlp, stops: frozenset[str] | None = None,
                   drop: re.Pattern | None = None) -> list[tuple[str, ...]]:
    """Lower-case content lemmas of each text; anonymisation tags like ``[PERSON_3]`` are dropped.

    Content: nouns, verbs, adjectives and adverbs made of letters, at least two
    long, neither the word nor its lemma a stop word or filler.
    """
    stops = stop_words() if stops is None else stops
    # Only what the lemmatiser needs; sentence splitting and NER would only cost time.
    disable = [name for name in nlp.pipe_names if name in ("ner", "senter", "parser")]
    cleaned = [TAG.sub(" ", text) for text in texts]
    if drop is not None:  # informant references such as "boligkjøper 7"
        cleaned = [drop.sub(" ", text) for text in cleaned]
    return [_content(_rows(doc), stops) for doc in nlp.pipe(cleaned, disable=disable, batch_size=256)]


def doc_content_lemmas(doc, stops: frozenset[str], drop: re.Pattern | None = None) -> tuple[str, ...]:
    """:func:`content_lemmas` of an analysed Doc (no pipeline run): tokens inside a tag such as
    ``[PERSON_X]`` or ``[latter]``, or inside an informant reference (``drop``), are left out.
    ``doc``: a Doc, or a stored one read as columns (``segment_docs.StoredTokens``)."""
    text = doc.text
    blocked = [m.span() for m in TAG.finditer(text)]
    if drop is not None:
        blocked += [m.span() for m in drop.finditer(text)]
    rows = _rows(doc)
    if not blocked:
        return _content(rows, stops)
    return _content((row for row in rows if not any(s < row[0] + len(row[1]) and row[0] < e for s, e in blocked)),
                    stops)


def _rows(doc):
    """(offset, text, part of speech, lemma) of each token of a Doc or of ``StoredTokens``."""
    if isinstance(doc, Doc):
        return ((t.idx, t.text, t.pos_, t.lemma_) for t in doc)
    return doc.rows()


def _content(rows, stops: frozenset[str]) -> tuple[str, ...]:
    # ``str.isalpha`` and ``str.lower`` of the text are spaCy's ``is_alpha`` and ``lower_`` (its lexeme
    # attributes, spacy.lang.lex_attrs), so a Doc and its stored columns give the same lemmas.
    lemmas = []
    for _idx, word, pos, lemma in rows:
        if not word.isalpha() or pos not in CONTENT_POS:
            continue
        lemma = (lemma or word).lower()
        if len(lemma) < 2 or not lemma.isalpha() or lemma in stops or word.lower() in stops:
            continue
        lemmas.append(lemma)
    return tuple(lemmas)


def build_documents(
    segments: Sequence[Segment],
    lemmas_by_segment: Mapping[str, Sequence[str]],
    min_content_lemmas: int,
) -> tuple[list[TopicDocument], int]:
    """Join short informant segments within a turn (see module docstring) -> (documents, skipped segments)."""
    turns: dict[tuple[str, int], list[Segment]] = {}
    for s in segments:
        if s.speaker == "informant":
            turns.setdefault((s.file, s.turn_index), []).append(s)
    documents: list[TopicDocument] = []
    skipped = 0

    def make(parts: list[Segment]) -> TopicDocument:
        first = parts[0]
        return TopicDocument(
            doc_id=first.segment_id, segment_ids=tuple(p.segment_id for p in parts),
            informant_id=first.informant_id, file=first.file, turn_index=first.turn_index,
            text=" ".join(p.text.strip() for p in parts),
            lemmas=tuple(lemma for p in parts for lemma in lemmas_by_segment.get(p.segment_id, ())))

    for key in sorted(turns, key=lambda k: (k[0], k[1])):
        parts = sorted(turns[key], key=lambda s: s.start)
        in_turn: list[list[Segment]] = []
        buffer: list[Segment] = []
        count = 0
        for s in parts:
            buffer.append(s)
            count += len(lemmas_by_segment.get(s.segment_id, ()))
            if count >= min_content_lemmas:
                in_turn.append(buffer)
                buffer, count = [], 0
        if buffer:
            if in_turn:  # a short tail belongs with what the informant just said
                in_turn[-1] = in_turn[-1] + buffer
            else:
                skipped += len(buffer)
        documents.extend(make(group) for group in in_turn)
    return documents, skipped


def _code_labels(codebook_codes: Mapping[str, str] | Sequence[str]) -> dict[str, str]:
    if isinstance(codebook_codes, Mapping):
        return {str(k): str(v or k) for k, v in codebook_codes.items()}
    return {str(c): str(c) for c in codebook_codes}


def _empty_result(n_segments: int, documents: list[TopicDocument], skipped: int, note: str) -> TopicModelResult:
    return TopicModelResult(
        topics=[], documents=pd.DataFrame(columns=DOCUMENT_COLUMNS), topic_table=pd.DataFrame(columns=TOPIC_COLUMNS),
        topic_by_group=pd.DataFrame(columns=TOPIC_BY_GROUP_COLUMNS), code_overlap=pd.DataFrame(columns=OVERLAP_COLUMNS),
        representatives=pd.DataFrame(columns=REPRESENTATIVE_COLUMNS), n_segments=n_segments,
        n_documents=len(documents), n_skipped_segments=skipped, notes=[note])


def build_topic_model(settings: TopicSettings, n_documents: int, n_features_hint: int | None = None):
    """The offline BERTopic configuration: (BERTopic model, embedding pipeline).

    Nothing here needs torch, sentence-transformers, UMAP or the hdbscan package.
    """
    from bertopic import BERTopic
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA, TruncatedSVD
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import Normalizer

    stops = sorted(stop_words(settings.extra_stop_words))
    # Documents reach BERTopic as space-joined lemmas: split on spaces only.
    embedder = make_pipeline(
        TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True, min_df=1),
        TruncatedSVD(n_components=settings.n_components, random_state=settings.seed),
        # Unit length, so the Euclidean geometry of PCA and KMeans is cosine geometry.
        Normalizer(copy=False),
    )
    k = max(2, min(settings.n_topics, n_documents // max(settings.min_topic_size, 1)))
    model = BERTopic(
        embedding_model=embedder,
        umap_model=PCA(n_components=settings.reduced_components, random_state=settings.seed),
        hdbscan_model=KMeans(n_clusters=k, random_state=settings.seed, n_init=10),
        # BERTopic runs this on one joined document per topic: a lemma found in a single
        # topic is the best label it can have, so no min_df.
        vectorizer_model=CountVectorizer(token_pattern=r"\S+", lowercase=False, stop_words=stops),
        top_n_words=settings.top_lemmas,
        min_topic_size=settings.min_topic_size,
        calculate_probabilities=False,
        verbose=False,
    )
    return model, embedder


@dataclass(frozen=True)
class FittedTopic:
    """A topic as the fit makes it, before any code is read: its documents (indices into
    :attr:`TopicFit.documents`), words and representative documents (closest to its centre first)."""

    topic_id: int
    label: str
    top_lemmas: tuple[tuple[str, float], ...]
    members: tuple[int, ...]
    representative: tuple[int, ...]


@dataclass(frozen=True)
class TopicFit:
    """What :func:`fit_topics` makes of the informant segments and their lemmas: everything of the
    topics that does not depend on the codes (so it can be made while the coding stage runs)."""

    documents: list[TopicDocument]
    n_segments: int
    skipped: int
    empty_note: str | None  # too few documents: no model was fitted
    assigned: tuple[int, ...] = ()  # per document, NO_TOPIC for a topic below the minimum size
    too_small: tuple[int, ...] = ()
    topics: tuple[FittedTopic, ...] = ()


def fit_topics(segments: Sequence[Segment], lemmas_by_segment: Mapping[str, Sequence[str]],
               settings: TopicSettings | None = None) -> TopicFit:
    """Documents from the informant segments, BERTopic fitted on their lemmas, each topic's words and
    representative documents: a function of the segments, their lemmas and the settings only.

    One thread for BLAS and OpenMP throughout, so the fit is the same bytes in this process and on a
    cluster's worker (whose BLAS Dask starts on one thread), whatever the machine's cores."""
    with threadpool_limits(limits=1):
        return _fit_topics(segments, lemmas_by_segment, settings or TopicSettings())


def _fit_topics(segments: Sequence[Segment], lemmas_by_segment: Mapping[str, Sequence[str]],
                settings: TopicSettings) -> TopicFit:
    informant_segments = [s for s in segments if s.speaker == "informant"]
    documents, skipped = build_documents(informant_segments, lemmas_by_segment, settings.min_content_lemmas)
    n_segments = len(informant_segments)
    needed = 2 * max(settings.min_topic_size, 1)
    if len(documents) < needed:
        return TopicFit(documents, n_segments, skipped,
                        f"For få dokumenter til temamodellering ({len(documents)}; trenger minst {needed}).")
    vocabulary = {lemma for d in documents for lemma in d.lemmas}
    # SVD and PCA need fewer dimensions than documents and words; small studies get smaller settings.
    n_components = max(2, min(settings.n_components, len(documents) - 1, len(vocabulary) - 1))
    reduced = max(2, min(settings.reduced_components, n_components - 1))
    effective = settings.model_copy(update={"n_components": n_components, "reduced_components": reduced})
    model, embedder = build_topic_model(effective, len(documents))
    texts = [" ".join(d.lemmas) for d in documents]
    embeddings = np.asarray(embedder.fit_transform(texts), dtype=np.float64)
    # KMeans adds up its threads' partial sums in the order the threads finish: one thread (fit_topics)
    # gives the same sums whatever the number of cores or their timing, and at this size threads cost
    # far more CPU than they save; BLAS (SVD, PCA) on one thread too, as on a Dask worker.
    assigned, _ = model.fit_transform(texts, embeddings=embeddings)
    assigned = [int(t) for t in assigned]

    # KMeans has no minimum cluster size: a topic below the study's own minimum is no topic.
    sizes = {t: assigned.count(t) for t in set(assigned) if t != NO_TOPIC}
    too_small = sorted(t for t, n in sizes.items() if n < settings.min_topic_size)
    assigned = [NO_TOPIC if t in too_small else t for t in assigned]
    topic_ids = sorted({t for t in assigned if t != NO_TOPIC})
    topics: list[FittedTopic] = []
    for t in topic_ids:
        members = [k for k, a in enumerate(assigned) if a == t]
        words = tuple((w, float(score)) for w, score in (model.get_topic(t) or []) if w)
        label = f"{t}: " + ", ".join(w for w, _ in words[:3])
        centre = embeddings[members].mean(axis=0)
        norm = np.linalg.norm(centre)
        closeness = embeddings[members] @ (centre / norm if norm else centre)
        # Closest to the topic's centre first; document order breaks ties.
        best = sorted(range(len(members)), key=lambda m: (-round(float(closeness[m]), 12), members[m]))
        topics.append(FittedTopic(t, label, words, tuple(members),
                                  tuple(members[m] for m in best[: settings.representative_documents])))
    return TopicFit(documents, n_segments, skipped, None, tuple(assigned), tuple(too_small), tuple(topics))


def find_topics(
    segments: Sequence[Segment],
    lemmas_by_segment: Mapping[str, Sequence[str]],
    informants: Sequence[Informant],
    codes_by_segment: Mapping[str, frozenset[str] | set[str]],
    codebook_codes: Mapping[str, str] | Sequence[str],
    settings: TopicSettings | None = None,
    by: str = "group",
    group_order: Sequence[str] = (),
) -> TopicModelResult:
    """Fit BERTopic on the informant segments; label topics; tabulate by group and code overlap.

    ``lemmas_by_segment`` comes from :func:`content_lemmas` (tests may give it
    directly). A document's codes are the union of its segments' effective codes.
    Informants without a value for ``by`` are tabulated as ``(mangler)``.
    """
    settings = settings or TopicSettings()
    return tabulate_topics(fit_topics(segments, lemmas_by_segment, settings), informants, codes_by_segment,
                           codebook_codes, settings, by, group_order)


def tabulate_topics(
    fit: TopicFit,
    informants: Sequence[Informant],
    codes_by_segment: Mapping[str, frozenset[str] | set[str]],
    codebook_codes: Mapping[str, str] | Sequence[str],
    settings: TopicSettings | None = None,
    by: str = "group",
    group_order: Sequence[str] = (),
) -> TopicModelResult:
    """The topics of a :class:`TopicFit` with their codes, by group and code overlap (what
    :func:`find_topics` adds to the fit: the part that reads the codes)."""
    from .compare import informant_value
    from .store import natural_key

    settings = settings or TopicSettings()
    documents, skipped, n_segments = fit.documents, fit.skipped, fit.n_segments
    if fit.empty_note is not None:
        return _empty_result(n_segments, documents, skipped, fit.empty_note)
    assigned, too_small = list(fit.assigned), list(fit.too_small)

    value_of = {i.id: informant_value(i, by) or MISSING_VALUE for i in informants}
    present = {value_of.get(d.informant_id, MISSING_VALUE) for d in documents} | set(value_of.values())
    groups = [g for g in group_order if g in present] + sorted(present - set(group_order), key=natural_key)
    labels = _code_labels(codebook_codes)
    doc_codes = [frozenset().union(*(codes_by_segment.get(sid, frozenset()) for sid in d.segment_ids))
                 for d in documents]
    used = set().union(*doc_codes)
    code_order = [*labels, *sorted(used - set(labels), key=natural_key)]
    rank = {c: k for k, c in enumerate(code_order)}

    topics: list[Topic] = []
    overlap_rows, representative_rows = [], []
    for fitted in fit.topics:
        t, label, words, members = fitted.topic_id, fitted.label, fitted.top_lemmas, fitted.members
        representative = tuple(documents[k] for k in fitted.representative)
        counts: dict[str, int] = {}
        for k in members:
            for code in doc_codes[k]:
                counts[code] = counts.get(code, 0) + 1
        for code in sorted(counts, key=rank.__getitem__):
            overlap_rows.append([t, label, code, counts[code], len(members), counts[code] / len(members)])
        best_code = min(counts, key=lambda c: (-counts[c], rank[c])) if counts else None
        share = counts[best_code] / len(members) if best_code else 0.0
        topics.append(Topic(
            topic_id=t, label=label, top_lemmas=words, documents=len(members),
            informants=len({documents[k].informant_id for k in members}), representative=representative,
            best_code=best_code, best_code_share=share, candidate_new_code=share < settings.code_overlap_min))
        for r, doc in enumerate(representative, start=1):
            representative_rows.append([t, label, r, " ".join(doc.segment_ids), doc.informant_id, doc.text])

    label_of = {t.topic_id: t.label for t in topics}
    document_frame = pd.DataFrame(
        [[d.doc_id, a, d.informant_id, value_of.get(d.informant_id, MISSING_VALUE), " ".join(d.segment_ids)]
         for d, a in zip(documents, assigned)], columns=DOCUMENT_COLUMNS)
    members_of = {g: {i for i, v in value_of.items() if v == g} for g in groups}
    docs_in_group = document_frame.groupby("group")["doc_id"].count().to_dict()
    by_group_rows = []
    for t in topics:
        part = document_frame[document_frame.topic == t.topic_id]
        for g in groups:
            rows = part[part.group == g]
            n_group = len(members_of[g])
            with_topic = rows.informant_id.nunique()
            by_group_rows.append([
                t.topic_id, t.label, g, len(rows), with_topic, n_group,
                100.0 * with_topic / n_group if n_group else float("nan"),
                100.0 * len(rows) / docs_in_group[g] if docs_in_group.get(g) else float("nan")])
    topic_table = pd.DataFrame(
        [[t.topic_id, t.label, t.documents, t.informants, " ".join(w for w, _ in t.top_lemmas),
          t.best_code or "", t.best_code_share, t.candidate_new_code] for t in topics], columns=TOPIC_COLUMNS)
    notes = [
        f"{len(documents)} dokumenter av {n_segments} informantsegmenter "
        f"(segmenter med færre enn {settings.min_content_lemmas} innholdslemmaer slått sammen innen turen; "
        f"{skipped} segmenter i for korte turer hoppet over).",
    ]
    if too_small:
        notes.append(f"{len(too_small)} tema med færre enn {settings.min_topic_size} dokumenter "
                     f"(topics.min_topic_size) er ikke tatt med; dokumentene deres regnes som uten tema.")
    n_outliers = sum(1 for a in assigned if a == NO_TOPIC)
    if n_outliers:
        notes.append(f"{n_outliers} dokumenter fikk ikke noe tema.")
    candidates = [t for t in topics if t.candidate_new_code]
    if candidates:
        notes.append("Tema som ingen kode dekker godt (kandidater til nye koder): "
                     + "; ".join(label_of[t.topic_id] for t in candidates) + ".")
    return TopicModelResult(
        topics=topics, documents=document_frame, topic_table=topic_table,
        topic_by_group=pd.DataFrame(by_group_rows, columns=TOPIC_BY_GROUP_COLUMNS),
        code_overlap=pd.DataFrame(overlap_rows, columns=OVERLAP_COLUMNS),
        representatives=pd.DataFrame(representative_rows, columns=REPRESENTATIVE_COLUMNS),
        n_segments=n_segments, n_documents=len(documents), n_skipped_segments=skipped, notes=notes)


def topic_tables(result: TopicModelResult) -> dict[str, str]:
    """File name (without suffix) -> CSV text of the topic tables."""
    from .compare import frame_csv

    candidates = result.topic_table[result.topic_table.candidate_new_code.astype(bool)] \
        if len(result.topic_table) else result.topic_table
    return {
        "topics": frame_csv(result.topic_table, {"best_code_share": 3}),
        "topics_by_group": frame_csv(result.topic_by_group, {"pct_informants": 1, "pct_group_documents": 1}),
        "topics_code_overlap": frame_csv(result.code_overlap, {"share": 3}),
        "topics_representative": frame_csv(result.representatives),
        "topics_documents": frame_csv(result.documents),
        "topics_candidates": frame_csv(candidates, {"best_code_share": 3}),
    }


# ------------------------------------------------------------------ results on disk

RESULT_KIND = "topics"
# Bump when the record's shape changes: older files are then refused, not misread.
RESULT_VERSION = 1


def _document_to_json(doc: TopicDocument) -> dict:
    return {"doc_id": doc.doc_id, "segment_ids": list(doc.segment_ids), "informant_id": doc.informant_id,
            "file": doc.file, "turn_index": doc.turn_index, "text": doc.text, "lemmas": list(doc.lemmas)}


def _document_from_json(data: dict) -> TopicDocument:
    return TopicDocument(doc_id=data["doc_id"], segment_ids=tuple(data["segment_ids"]),
                         informant_id=data["informant_id"], file=data["file"], turn_index=int(data["turn_index"]),
                         text=data["text"], lemmas=tuple(data["lemmas"]))


def result_to_json(result: TopicModelResult) -> dict:
    topics = [{"topic_id": t.topic_id, "label": t.label, "top_lemmas": [[w, s] for w, s in t.top_lemmas],
               "documents": t.documents, "informants": t.informants,
               "representative": [_document_to_json(d) for d in t.representative], "best_code": t.best_code,
               "best_code_share": t.best_code_share, "candidate_new_code": t.candidate_new_code}
              for t in result.topics]
    return {"topics": topics, "documents": frame_to_json(result.documents),
            "topic_table": frame_to_json(result.topic_table), "topic_by_group": frame_to_json(result.topic_by_group),
            "code_overlap": frame_to_json(result.code_overlap),
            "representatives": frame_to_json(result.representatives), "n_segments": result.n_segments,
            "n_documents": result.n_documents, "n_skipped_segments": result.n_skipped_segments,
            "notes": result.notes}


def result_from_json(data: dict) -> TopicModelResult:
    topics = [Topic(topic_id=int(t["topic_id"]), label=t["label"],
                    top_lemmas=tuple((w, float(s)) for w, s in t["top_lemmas"]), documents=int(t["documents"]),
                    informants=int(t["informants"]),
                    representative=tuple(_document_from_json(d) for d in t["representative"]),
                    best_code=t["best_code"], best_code_share=float(t["best_code_share"]),
                    candidate_new_code=bool(t["candidate_new_code"]))
              for t in data["topics"]]
    return TopicModelResult(
        topics=topics, documents=frame_from_json(data["documents"]), topic_table=frame_from_json(data["topic_table"]),
        topic_by_group=frame_from_json(data["topic_by_group"]), code_overlap=frame_from_json(data["code_overlap"]),
        representatives=frame_from_json(data["representatives"]), n_segments=int(data["n_segments"]),
        n_documents=int(data["n_documents"]), n_skipped_segments=int(data["n_skipped_segments"]),
        notes=list(data["notes"]))


def topics_settings_fingerprint(study: Study) -> str:
    """Hash of every setting that shapes the topics (the language model lemmatises)."""
    settings = study.settings
    return content_hash({"topics": settings.topics.model_dump(), "model": settings.model,
                         "groups": settings.groups, "group_labels": settings.group_labels})


def result_path(study: Study):
    from .compare import TABLES_DIR

    return study.root.joinpath(*TABLES_DIR) / "topics.json"


def read_topics_result(study: Study, analysis: AnalysisInput) -> TopicModelResult:
    """The persisted topics, checked against the current data and settings."""
    data = read_result(result_path(study), RESULT_KIND, RESULT_VERSION, analysis.fingerprint,
                       topics_settings_fingerprint(study), "topics")
    return result_from_json(data)


def topics_stage(study: Study, track: Track = no_progress) -> str:
    """Read the analysis input, find topics, write tables and the typed result; a Norwegian summary line.

    Writes ``reports/tables/topics.csv``, ``topics_by_group.csv``,
    ``topics_code_overlap.csv``, ``topics_representative.csv``,
    ``topics_documents.csv``, ``topics_candidates.csv`` and ``topics.json``.
    """
    from .compare import write_outputs

    analysis = load_analysis_input(study)
    if analysis is None:
        return NOTHING_YET
    result = study_topics(study, analysis.informants, analysis.segments, analysis.codes, analysis.codebook, track)
    persisted = result_text(RESULT_KIND, RESULT_VERSION, analysis.fingerprint, topics_settings_fingerprint(study),
                            result_to_json(result))
    write_outputs(study, topic_tables(result), {}, {"topics": persisted})
    line = (f"{len(result.topics)} tema fra {result.n_documents} dokumenter; "
            f"{len(result.candidates)} tema uten dekkende kode (kandidater til nye koder)")
    return "\n".join([line, *result.notes])
