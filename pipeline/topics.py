"""Emergent topics with BERTopic, fully offline, over anonymised informant segments.

BERTopic is installed without its heavy dependencies (no torch,
sentence-transformers, UMAP or HDBSCAN packages), so every part is given
explicitly and is deterministic:

* documents: informant segments lemmatised with the study's spaCy pipeline;
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

Layers as in :mod:`pipeline.compare`: :func:`find_topics` works on plain data;
:func:`topics_stage` does the I/O (reads the store, writes ``reports/tables/``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .progress import Track, no_progress
from .records import Informant, Segment
from .settings import Study, TopicSettings

# Things people say that carry no topic; added to spaCy's Norwegian stop words.
FILLERS = frozenset({
    "eh", "ehm", "em", "hm", "hmm", "mm", "mhm", "øh", "øhm", "ah", "å", "ja", "jo", "nei", "ok", "okei",
    "liksom", "altså", "sånn", "sånt", "slik", "bare", "egentlig", "veldig", "litt", "mye", "ganske",
    "tenke", "vite", "si", "gå", "få", "komme", "gjøre", "ha", "være", "bli", "kunne", "skulle", "måtte",
    "ting", "type", "greie", "nå", "da", "så", "jo", "vel", "kanskje", "helt", "egen",
})

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


def stop_words(extra: Sequence[str] = ()) -> frozenset[str]:
    """spaCy's Norwegian Bokmål stop words, transcript fillers, and ``extra``; lower-case."""
    raise NotImplementedError


def content_lemmas(texts: Sequence[str], nlp, stops: frozenset[str] | None = None) -> list[tuple[str, ...]]:
    """Lower-case content lemmas of each text; anonymisation tags like ``[PERSON_3]`` are dropped."""
    raise NotImplementedError


def build_documents(
    segments: Sequence[Segment],
    lemmas_by_segment: Mapping[str, Sequence[str]],
    min_content_lemmas: int,
) -> tuple[list[TopicDocument], int]:
    """Join short informant segments within a turn (see module docstring) -> (documents, skipped segments)."""
    raise NotImplementedError


def find_topics(
    segments: Sequence[Segment],
    lemmas_by_segment: Mapping[str, Sequence[str]],
    informants: Sequence[Informant],
    codes_by_segment: Mapping[str, frozenset[str] | set[str]],
    codebook_codes: Mapping[str, str] | Sequence[str],
    settings: TopicSettings | None = None,
    by: str = "group",
) -> TopicModelResult:
    """Fit BERTopic on the informant segments; label topics; tabulate by group and code overlap.

    ``lemmas_by_segment`` comes from :func:`content_lemmas` (tests may give it
    directly). A document's codes are the union of its segments' effective codes.
    """
    raise NotImplementedError


def topics_stage(study: Study, track: Track = no_progress) -> str:
    """Read the store, find topics, write tables; a Norwegian summary line.

    Writes ``reports/tables/topics.csv``, ``topics_by_group.csv``,
    ``topics_code_overlap.csv``, ``topics_representative.csv``,
    ``topics_documents.csv`` and ``topics_candidates.csv``.
    """
    raise NotImplementedError
