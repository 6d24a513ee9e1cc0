"""Token counts read once for the many fits of a cross-validated figure; TF-IDF still learned per fit.

A held-out figure fits the whole coder once per outer fold, and each fit learned its TF-IDF blocks
(:func:`pipeline.coding.classifier.make_features`) by cutting every training text into words, word
pairs and character n-grams again: at ×3 of the demo about a third of the fits' time. Cutting a text
into tokens learns nothing (it is the same function of the text in every fold); what a fit learns
from its rows is which tokens form its vocabulary (``min_df``, ``max_features``) and their IDF.

:class:`TokenCounts` keeps, per block, each distinct text's tokens and counts, found once.
:class:`CountedTfidf` is the block's TF-IDF learned from one fit's rows out of those counts: the
vocabulary and the IDF come from the fit's training rows only, exactly as ``TfidfVectorizer`` learns
them (the same matrix, entry for entry: ``tests/test_coding_counts.py``), so a held-out informant's
text reaches no fit's vocabulary or weights; their counts only sit in the table, as their text sits
in the list of examples ``cross_val_predict`` is given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted


class TokenCounts:
    """Per block (a key), each distinct value's token ids (first occurrence first) and counts.

    Not an estimator: shared by the clones and folds of one evaluation (``__deepcopy__`` returns it),
    grown as values are met. Token ids are global to the table; :class:`CountedTfidf` maps them to a
    fit's own vocabulary.
    """

    def __init__(self):
        self._tables: dict = {}

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return f"TokenCounts({len(self._tables)} blocks)"

    def table(self, key, analyzer) -> _Table:
        found = self._tables.get(key)
        if found is None:
            found = self._tables[key] = _Table(analyzer)
        return found


class _Table:
    def __init__(self, analyzer):
        self.analyzer = analyzer
        self.rows: dict = {}  # value -> row number
        self.token_ids: dict[str, int] = {}
        self.tokens: list[str] = []
        self._ids: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []
        self._matrix = None  # CSR of every row, entries in first-occurrence order (rebuilt when rows grow)
        self._rank = None  # each token's place in sorted order (rebuilt when tokens grow)

    def row_numbers(self, values: Sequence) -> np.ndarray:
        rows, grown = self.rows, False
        numbers = np.empty(len(values), dtype=np.int64)
        for i, value in enumerate(values):
            number = rows.get(value)
            if number is None:
                number = rows[value] = len(self._ids)
                counter: dict[int, int] = {}
                for token in self.analyzer(value):
                    index = self.token_ids.get(token)
                    if index is None:
                        index = self.token_ids[token] = len(self.tokens)
                        self.tokens.append(token)
                    counter[index] = counter.get(index, 0) + 1
                self._ids.append(np.fromiter(counter.keys(), dtype=np.int64, count=len(counter)))
                self._counts.append(np.fromiter(counter.values(), dtype=np.float64, count=len(counter)))
                grown = True
            numbers[i] = number
        if grown:
            self._matrix = None
        return numbers

    def matrix(self):
        if self._matrix is None:
            lengths = np.fromiter((len(a) for a in self._ids), dtype=np.int64, count=len(self._ids))
            indptr = np.concatenate([[0], np.cumsum(lengths)])
            indices = np.concatenate(self._ids) if self._ids else np.zeros(0, np.int64)
            data = np.concatenate(self._counts) if self._counts else np.zeros(0)
            # Not csr_matrix((data, indices, indptr)) with sorting: each row keeps its first-occurrence order.
            self._matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(self._ids), len(self.tokens)))
        return self._matrix

    def rank(self) -> np.ndarray:
        if self._rank is None or len(self._rank) != len(self.tokens):
            order = sorted(range(len(self.tokens)), key=self.tokens.__getitem__)
            self._rank = np.empty(len(self.tokens), dtype=np.int64)
            self._rank[order] = np.arange(len(self.tokens))
        return self._rank


class CountedTfidf(TransformerMixin, BaseEstimator):
    """One TF-IDF block (the values ``ExampleField(field)`` gives) learned from :class:`TokenCounts`.

    ``vectorizer``: the ``TfidfVectorizer`` whose result it reproduces (its analyzer, ``min_df``,
    ``max_features``, ``sublinear_tf``; default ``norm``/``smooth_idf``/``use_idf``, ``max_df`` 1.0);
    ``counts``: the shared table, ``key``: this block's name in it. Without ``counts`` it is that
    vectorizer.
    """

    def __init__(self, vectorizer: TfidfVectorizer | None = None, counts: TokenCounts | None = None,
                 key: str = ""):
        self.vectorizer = vectorizer
        self.counts = counts
        self.key = key

    def fit(self, X, y=None):
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        from sklearn.base import clone

        vectorizer = clone(self.vectorizer)
        if self.counts is None:
            self.vectorizer_ = vectorizer
            return vectorizer.fit_transform(X)
        self._check_supported(vectorizer)
        table = self.counts.table(self.key, vectorizer.build_analyzer())
        numbers = table.row_numbers(X)  # first: it grows the table that matrix() reads
        counts = table.matrix()[numbers] if len(X) else None
        if counts is None or counts.nnz == 0:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        # The vocabulary in the order a CountVectorizer meets it (first row first), then kept and renumbered
        # as it keeps and sorts it: every entry of every row lands where TfidfVectorizer puts it.
        used, first = np.unique(counts.indices, return_index=True)
        met = np.empty(len(used), dtype=np.int64)
        met[np.argsort(first, kind="stable")] = np.arange(len(used))
        position = np.full(counts.shape[1], -1, dtype=np.int64)
        position[used] = np.arange(len(used))
        local = position[counts.indices]  # into ``used`` (sorted by global id)
        matrix = sparse.csr_matrix((counts.data, met[local], counts.indptr), shape=(counts.shape[0], len(used)))
        matrix.sort_indices()  # by first meeting, as CountVectorizer sorts its build-order ids
        by_met = used[np.argsort(met)]  # global id of each build-order id
        alphabetical = np.argsort(np.argsort(table.rank()[by_met], kind="stable"), kind="stable")
        kept = self._limit(matrix, alphabetical, vectorizer)
        renumber = np.full(len(used), -1, dtype=np.int64)
        renumber[kept] = np.argsort(np.argsort(alphabetical[kept], kind="stable"), kind="stable")
        entries = renumber[matrix.indices]
        keep = entries >= 0
        lengths = np.diff(matrix.indptr)
        rows = np.repeat(np.arange(matrix.shape[0]), lengths)[keep]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=matrix.shape[0]))])
        final = sparse.csr_matrix((matrix.data[keep], entries[keep], indptr), shape=(matrix.shape[0], len(kept)))
        global_ids = by_met[kept]
        self.columns_ = np.full(len(table.tokens), -1, dtype=np.int64)
        self.columns_[global_ids] = renumber[kept]
        self.n_features_ = len(kept)
        self.tfidf_ = TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                       smooth_idf=vectorizer.smooth_idf,
                                       sublinear_tf=vectorizer.sublinear_tf).fit(final)
        return self.tfidf_.transform(final, copy=False)

    @staticmethod
    def _check_supported(vectorizer: TfidfVectorizer) -> None:
        if vectorizer.max_df != 1.0 or vectorizer.binary or vectorizer.vocabulary is not None \
                or not isinstance(vectorizer.min_df, int):
            raise ValueError("CountedTfidf reproduces TfidfVectorizer with max_df=1.0, an integer min_df, "
                             "no fixed vocabulary and counts (not binary)")

    @staticmethod
    def _limit(matrix, alphabetical: np.ndarray, vectorizer: TfidfVectorizer) -> np.ndarray:
        """Build-order ids kept by ``min_df`` and ``max_features``, as ``CountVectorizer._limit_features``."""
        dfs = np.bincount(matrix.indices, minlength=matrix.shape[1])
        mask = dfs >= vectorizer.min_df
        limit = vectorizer.max_features
        if limit is not None and mask.sum() > limit:
            # CountVectorizer ranks by term frequency over the sorted vocabulary, ties as argsort leaves them.
            order = np.argsort(alphabetical)  # build-order id at each sorted place
            tfs = np.bincount(matrix.indices, weights=matrix.data, minlength=matrix.shape[1])[order]
            sorted_mask = mask[order]
            chosen = np.where(sorted_mask)[0][(-tfs[sorted_mask]).argsort()[:limit]]
            mask = np.zeros(len(mask), dtype=bool)
            mask[order[chosen]] = True
        kept = np.flatnonzero(mask)
        if not len(kept):
            raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
        return kept

    def transform(self, X):
        if self.counts is None:
            check_is_fitted(self, "vectorizer_")
            return self.vectorizer_.transform(X)
        check_is_fitted(self, "tfidf_")
        table = self.counts.table(self.key, None)
        numbers = table.row_numbers(X)  # a value never counted is counted; its new tokens are in no vocabulary
        counts = table.matrix()[numbers]
        columns = np.concatenate([self.columns_, np.full(counts.shape[1] - len(self.columns_), -1)])
        entries = columns[counts.indices]
        keep = entries >= 0
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[keep]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=counts.shape[0]))])
        matrix = sparse.csr_matrix((counts.data[keep], entries[keep], indptr),
                                   shape=(counts.shape[0], self.n_features_))
        matrix.sort_indices()
        return self.tfidf_.transform(matrix, copy=False)
