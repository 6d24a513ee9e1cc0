"""Subword word vectors trained offline, for the classifier's vector features.

FastText (gensim) learns a vector per lemma and per character 3–5-gram, so a
word never seen in training (a Nynorsk or dialect form, a second-language
spelling, a compound) still gets a vector from its pieces. The corpus is what
is here, nothing fetched: the lemmas of the Norwegian Dependency Treebank's
Bokmål text (``../shared/data/norne/ndt/nob``, about 300 000 tokens; see
:func:`treebank_path`) and the lemmas of the study's own anonymised segments.

Training is deterministic (one worker, a fixed seed) and is cached by the
digest of its inputs (corpus, parameters, gensim version) under the study's
private folder: the vectors are learned from the study's text, so they are as
private as the trained model.

:class:`LemmaVectors` is what the classifier holds: the vectors and the corpus
frequencies (for SIF weights). It is immutable and copies as itself, so
``sklearn.clone`` and cross-validation share one instance.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

VECTOR_VERSION = "1"
DIMENSIONS = 100
EPOCHS = 10
MIN_COUNT = 2
BUCKETS = 200_000  # hash buckets for character n-grams (gensim's default of 2 million is 800 MB at 100 dimensions)
SIF_A = 1e-3  # smooth inverse frequency: a lemma weighs a / (a + p(lemma))


def treebank_path(root: Path | None = None) -> Path | None:
    """The NDT Bokmål folder: ``../shared/data/norne/ndt/nob`` beside the study root or the repository; None if absent."""
    relative = Path("..") / "shared" / "data" / "norne" / "ndt" / "nob"
    candidates = ([root / relative] if root else []) + [Path(__file__).resolve().parents[2] / relative]
    return next((path.resolve() for path in candidates if path.is_dir()), None)


def treebank_sentences(folder: Path) -> list[tuple[str, ...]]:
    """Lower-case lemmas of every sentence of the CoNLL files in ``folder`` (punctuation left out)."""
    sentences: list[tuple[str, ...]] = []
    for path in sorted(folder.glob("*.conll*")):
        current: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            columns = line.split("\t")
            if len(columns) < 4 or not columns[0].isdigit():
                if current:
                    sentences.append(tuple(current))
                current = []
                continue
            lemma = columns[2].lower()
            if lemma.startswith("$") or columns[3] in ("clb", "<komma>", "<strek>", "<parentes-beg>",
                                                       "<parentes-slutt>", "<anf>"):
                continue
            current.append(lemma)
        if current:
            sentences.append(tuple(current))
    return sentences


class LemmaVectors:
    """Vectors for lemmas (subword-composed for unseen ones) and the corpus frequencies."""

    def __init__(self, keyed_vectors, counts: dict[str, int], digest: str):
        self.keyed_vectors = keyed_vectors
        self.counts = counts
        self.total = max(sum(counts.values()), 1)
        self.digest = digest
        self.dimensions = int(keyed_vectors.vector_size)
        self._memo: dict[str, np.ndarray] = {}

    def __deepcopy__(self, memo):
        return self  # immutable: clones and folds share it

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_memo"] = {}
        return state

    def vector(self, lemma: str) -> np.ndarray:
        found = self._memo.get(lemma)
        if found is None:
            found = np.asarray(self.keyed_vectors.get_vector(lemma, norm=True), dtype=np.float32)
            self._memo[lemma] = found
        return found

    def sif_weight(self, lemma: str) -> float:
        return SIF_A / (SIF_A + self.counts.get(lemma, 0) / self.total)

    def mean(self, lemmas: Sequence[str]) -> np.ndarray:
        """SIF-weighted mean of the lemmas' unit vectors, scaled to length 1 (zeros for no lemma)."""
        if not lemmas:
            return np.zeros(self.dimensions, dtype=np.float32)
        weights = np.array([self.sif_weight(lemma) for lemma in lemmas], dtype=np.float32)
        total = np.stack([self.vector(lemma) for lemma in lemmas]).T @ weights
        norm = float(np.linalg.norm(total))
        return total / norm if norm else total


def _gensim():
    try:
        import gensim
    except ImportError:
        from ..errors import QualpipeError

        raise QualpipeError("coding.model.vector_weight / similarity_weight need gensim: "
                            "pip install 'qualpipe[vectors]' (scripts/setup.sh installs it)", Path("study.yaml")) from None
    return gensim


def corpus_digest(sentences: Sequence[Sequence[str]], seed: int) -> str:
    gensim = _gensim()

    digest = hashlib.sha256(json.dumps({"version": VECTOR_VERSION, "gensim": gensim.__version__, "seed": seed,
                                        "dimensions": DIMENSIONS, "epochs": EPOCHS, "min_count": MIN_COUNT,
                                        "buckets": BUCKETS}).encode())
    for sentence in sentences:
        digest.update(("\x1f".join(sentence) + "\x1e").encode("utf-8"))
    return digest.hexdigest()


def train_vectors(sentences: Sequence[Sequence[str]], seed: int = 2019):
    """FastText skip-gram on the sentences: one worker and a seed, so the same corpus gives the same vectors."""
    _gensim()
    from gensim.models import FastText

    model = FastText(vector_size=DIMENSIONS, window=5, min_count=MIN_COUNT, sg=1, min_n=3, max_n=5,
                     bucket=BUCKETS, epochs=EPOCHS, workers=1, seed=seed)
    corpus = [list(s) for s in sentences if s]
    model.build_vocab(corpus_iterable=corpus)
    model.train(corpus_iterable=corpus, total_examples=len(corpus), epochs=EPOCHS)
    return model.wv


def lemma_vectors(study_sentences: Iterable[Sequence[str]], cache_dir: Path | None, seed: int = 2019,
                  treebank: Path | None = None) -> LemmaVectors:
    """Vectors trained on the treebank's lemmas plus ``study_sentences``; loaded from ``cache_dir`` when trained before.

    Without the treebank (no ``../shared``) the study's own sentences are the whole corpus.
    """
    import pickle

    from ..store import PRIVATE_MODE, atomic_write_bytes

    sentences = (treebank_sentences(treebank) if treebank else []) + [tuple(s) for s in study_sentences if s]
    digest = corpus_digest(sentences, seed)
    counts = Counter(lemma for sentence in sentences for lemma in sentence)
    path = cache_dir / f"vectors-{digest[:24]}.kv" if cache_dir else None
    if path is not None and path.exists():
        try:
            return LemmaVectors(pickle.loads(path.read_bytes()), dict(counts), digest)
        except Exception:  # noqa: BLE001 - an unreadable cache is rebuilt
            pass
    keyed = train_vectors(sentences, seed)
    if path is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, pickle.dumps(keyed, protocol=pickle.HIGHEST_PROTOCOL), mode=PRIVATE_MODE)
    return LemmaVectors(keyed, dict(counts), digest)


# ------------------------------------------------------------------ count-based vectors (scikit-learn only)

PPMI_VOCABULARY = 30_000  # most frequent lemmas given a vector
PPMI_SMOOTHING = 0.75  # context counts raised to this power (Levy, Goldberg & Dagan 2015)


class _Table:
    """A lemma -> row lookup with the two methods :class:`LemmaVectors` reads of gensim's KeyedVectors."""

    def __init__(self, vocabulary: dict[str, int], rows: np.ndarray):
        self.vocabulary = vocabulary
        self.rows = rows
        self.vector_size = rows.shape[1]

    def get_vector(self, lemma: str, norm: bool = True) -> np.ndarray:
        index = self.vocabulary.get(lemma)
        return self.rows[index] if index is not None else np.zeros(self.vector_size, dtype=np.float32)


def ppmi_vectors(sentences: Sequence[Sequence[str]], dimensions: int = DIMENSIONS, window: int = 5,
                 min_count: int = MIN_COUNT, seed: int = 2019) -> LemmaVectors:
    """Count-based word vectors: positive PMI of lemma co-occurrences within ``window``, reduced by truncated SVD.

    No gensim: the co-occurrence matrix (symmetric, the :data:`PPMI_VOCABULARY` most frequent lemmas seen
    ``min_count`` times), its PPMI with context-distribution smoothing, and ``TruncatedSVD`` (rows ``U·√Σ``,
    unit length). A lemma outside the vocabulary gets a zero vector (no subword pieces: that is FastText's
    advantage, :func:`train_vectors`). Deterministic for a corpus and ``seed``.
    """
    from scipy import sparse
    from sklearn.decomposition import TruncatedSVD

    counts = Counter(lemma for sentence in sentences for lemma in sentence)
    kept = [lemma for lemma, n in counts.most_common(PPMI_VOCABULARY) if n >= min_count]
    vocabulary = {lemma: i for i, lemma in enumerate(kept)}
    ids, sentence_ids = [], []
    for s, sentence in enumerate(sentences):
        for lemma in sentence:
            ids.append(vocabulary.get(lemma, -1))
            sentence_ids.append(s)
    ids, sentence_ids = np.asarray(ids), np.asarray(sentence_ids)
    rows, cols = [], []
    for offset in range(1, window + 1):
        same = (sentence_ids[offset:] == sentence_ids[:-offset]) & (ids[offset:] >= 0) & (ids[:-offset] >= 0)
        rows.append(ids[:-offset][same])
        cols.append(ids[offset:][same])
    rows, cols = np.concatenate(rows + cols), np.concatenate(cols + rows)
    n = len(vocabulary)
    cooc = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    cooc.sum_duplicates()
    total = cooc.sum()
    word = np.asarray(cooc.sum(axis=1)).ravel()
    context = np.asarray(cooc.sum(axis=0)).ravel() ** PPMI_SMOOTHING
    context /= context.sum()
    coo = cooc.tocoo()
    pmi = np.log(coo.data * 1.0 / (word[coo.row] / total) / context[coo.col] / total)
    positive = pmi > 0
    ppmi = sparse.csr_matrix((pmi[positive], (coo.row[positive], coo.col[positive])), shape=(n, n))
    svd = TruncatedSVD(min(dimensions, n - 1), algorithm="randomized", n_iter=5, random_state=seed)
    reduced = svd.fit_transform(ppmi) / np.sqrt(np.maximum(svd.singular_values_, 1e-12))  # U·Σ -> U·√Σ
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    reduced = (reduced / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    digest = hashlib.sha256(json.dumps({"kind": "ppmi", "version": VECTOR_VERSION, "dimensions": dimensions,
                                        "window": window, "min_count": min_count, "seed": seed}).encode())
    for sentence in sentences:
        digest.update(("\x1f".join(sentence) + "\x1e").encode("utf-8"))
    return LemmaVectors(_Table(vocabulary, reduced), dict(counts), digest.hexdigest())


class FoldVectors:
    """Vectors each fit learns from its own training rows (plus the treebank), for a cross-validated figure.

    A figure on held-out informants must not have read their text anywhere, and word vectors (FastText's
    or the PPMI counts) are learned from text: trained once on the whole study they carry what the held-out
    informants said into every fold. Given as ``TwoStageCoder(vectors=FoldVectors(...))``, the estimator
    calls :meth:`learn` in ``fit`` on the rows it is given and keeps the result as ``vectors_``. ``kind``:
    ``"fasttext"`` (:func:`lemma_vectors`, cached in ``cache_dir`` by the corpus digest) or ``"ppmi"``
    (:func:`ppmi_vectors`). ``background``: sentences every fit adds (``()``; the benchmarks' transductive
    variants pass other studies' text here). Immutable: clones and folds share it.
    """

    def __init__(self, kind: str = "fasttext", treebank: Path | None = None, seed: int = 2019,
                 cache_dir: Path | None = None, background: Sequence[Sequence[str]] = ()):
        if kind not in ("fasttext", "ppmi"):
            raise ValueError(f"unknown vector kind '{kind}' (fasttext, ppmi)")
        self.kind = kind
        self.treebank = treebank
        self.seed = seed
        self.cache_dir = cache_dir
        self.background = tuple(tuple(s) for s in background)

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return (f"FoldVectors({self.kind!r}, treebank={self.treebank}, seed={self.seed}, "
                f"background={len(self.background)} sentences)")

    def learn(self, examples: Iterable) -> LemmaVectors:
        sentences = list(self.background) + example_sentences(examples)
        if self.kind == "fasttext":
            return lemma_vectors(sentences, self.cache_dir, self.seed, self.treebank)
        treebank = treebank_sentences(self.treebank) if self.treebank else []
        return ppmi_vectors(treebank + sentences, seed=self.seed)


# ------------------------------------------------------------------ feature blocks


class MeanVectors(TransformerMixin, BaseEstimator):
    """Dense block: the SIF-weighted mean vector of one lemma field of each example (``lemmas``, ``turn_lemmas`` …)."""

    def __init__(self, vectors: LemmaVectors | None = None, field: str = "lemmas"):
        self.vectors = vectors
        self.field = field

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        if self.vectors is None:
            raise ValueError("MeanVectors needs vectors")
        return np.vstack([self.vectors.mean(getattr(e, self.field)) for e in X]) if len(X) else \
            np.zeros((0, DIMENSIONS), dtype=np.float32)


class CodeSimilarity(MeanVectors):
    """Dense block: cosine of each example's mean vector (``field``) with each code's centroid.

    ``code_texts``: (code, lemma tuples) pairs, what the codebook says a code is (its
    positive examples and inclusion criteria); the centroid is the normalised sum of
    their mean vectors.
    """

    def __init__(self, vectors: LemmaVectors | None = None, field: str = "lemmas", code_texts: Sequence = ()):
        self.vectors = vectors
        self.field = field
        self.code_texts = code_texts

    def fit(self, X, y=None):
        if self.vectors is None:
            raise ValueError("CodeSimilarity needs vectors")
        centroids = []
        for _, texts in self.code_texts:
            total = np.sum([self.vectors.mean(t) for t in texts], axis=0) if texts else \
                np.zeros(self.vectors.dimensions, dtype=np.float32)
            norm = float(np.linalg.norm(total))
            centroids.append(total / norm if norm else total)
        self.centroids_ = np.vstack(centroids) if centroids else np.zeros((0, self.vectors.dimensions))
        return self

    def transform(self, X):
        return super().transform(X) @ self.centroids_.T


def example_sentences(examples: Iterable) -> list[tuple[str, ...]]:
    """The distinct segment and question lemma tuples of classifier examples, in first-seen order."""
    seen: dict[tuple[str, ...], None] = {}
    for example in examples:
        for lemmas in (example.question_lemmas, example.lemmas):
            if lemmas:
                seen.setdefault(tuple(lemmas), None)
    return list(seen)
