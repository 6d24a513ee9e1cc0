"""Machine coding: rules and classifier combined, by one documented rule.

Combination rule (what the coding stage stores as suggestions):

* A code with at least ``coding.min_examples_per_code`` human-coded positive
  examples (and some negatives) is served by the **classifier**: it applies
  where the model's probability reaches the code's cross-validated threshold.
  The rule hits are features of the model, so the keywords still count, but
  the model decides. Stored as coder ``model``, confidence = probability.
* A code with fewer examples is served by the **rules** alone: it applies
  where a pattern matches. Stored as coder ``rules``, confidence
  :data:`~pipeline.coding.rules.RULE_CONFIDENCE`.
* Human decisions always win: :mod:`pipeline.coding.effective` uses a
  human's decision wherever one exists, and nothing here touches human codings.

Only suggestions that pass this rule are stored, because every stored,
non-rejected machine coding counts where no human decided the segment.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..codebook import Codebook
from ..records import Coding
from .classifier import FEATURE_VERSION, Example, TwoStageCoder
from .rules import RULE_CONFIDENCE, RuleCoder, RuleResult
from .text import analyse, coding_text, content_lemmas, people_pattern, stored_keys_and_lemmas
from .units import Unit


@dataclass
class AnalysedUnits:
    """Units with their rule results and classifier inputs, in the same order."""

    units: list[Unit]
    rules: list[RuleResult]
    examples: list[Example]
    informant_labels: tuple[str, ...] = ()  # read as a detected name (``coding_text``, ``people_pattern``)

    @property
    def people(self):
        return people_pattern(self.informant_labels)

    def index(self) -> dict[str, int]:
        return {u.segment_id: i for i, u in enumerate(self.units)}


CHUNK = 2000  # segments analysed at a time: spaCy docs are dropped once lemmas and rule hits are taken


def analyse_units(units: Sequence[Unit], codebook: Codebook, nlp, segment_docs=None,
                  informant_labels: Sequence[str] = (),
                  read: dict[str, dict[str, tuple[tuple[str, ...], RuleResult]] | None] | None = None) -> AnalysedUnits:
    """Lemmas and rule hits of every unit, its question and previous segment.

    ``segment_docs`` (a :class:`pipeline.segment_docs.SegmentDocs`): the anonymised segments'
    Docs derived from ingest's one parse, read one transcript at a time; the pipeline does not
    run on them again. A transcript without them (a folder analysed outside a study run) is
    lemmatised here: each distinct text once ("Ja.", "[latter]" and the question of a turn
    repeat). ``informant_labels``: the study's (:func:`~pipeline.coding.text.study_labels`), read as a
    detected name is; the derived Docs were made with the same. ``read``: shareable file name -> what
    :func:`analyse_file_job` made of its stored Docs with this codebook (a run's cluster read them:
    :func:`prefetch_analysis`); a transcript not in it is read here, the same way.
    """
    from itertools import groupby

    units = list(units)
    informant_labels = tuple(sorted(set(informant_labels)))
    people = people_pattern(informant_labels)
    coder = RuleCoder(codebook, nlp)
    derived: dict[str, tuple[tuple[str, ...], RuleResult]] = {}  # segment id -> (lemmas, rule result)
    question_parts: dict[str, tuple[str, ...]] = {}  # interviewer segment id -> lemmas
    pending: list[Unit] = []
    lexemes: dict[tuple[int, int], tuple[str, str | None]] = {}  # a token's (orth, lemma) -> its key and lemma
    for file, group in groupby(units, key=lambda u: u.segment.file):
        group = list(group)
        asked = {sid for u in group for sid in u.question_ids}
        wanted = {u.segment_id for u in group} | asked
        if read is not None and file in read:
            found = read[file]
        else:
            # Read as columns; a segment's Doc is built only for the rules' matcher (stored_docs).
            docs = segment_docs.stored_docs(file) if segment_docs is not None else None
            found = None
            if docs is not None and wanted <= docs.keys():
                found = {sid: _analyse_stored(docs[sid], coder, nlp.vocab, lexemes)
                         for sid in [*(u.segment_id for u in group), *sorted(asked)]}
        if found is None or not wanted <= found.keys():
            pending += group
            continue
        for unit in group:
            derived[unit.segment_id] = found[unit.segment_id]
        question_parts.update((sid, found[sid][0]) for sid in asked)
    by_text = _analyse_texts(pending, coder, nlp, people)
    rules: list[RuleResult] = []
    examples: list[Example] = []
    for unit in units:
        text = coding_text(unit.segment.text, people)
        if unit.segment_id in derived:
            lemmas, result = derived[unit.segment_id]
            question = tuple(lemma for sid in unit.question_ids for lemma in question_parts[sid])
            previous = derived[unit.previous_id][0] if unit.previous_id else ()
        else:
            lemmas, result = by_text[text]
            question = by_text[coding_text(unit.question, people)][0]
            previous = by_text[coding_text(unit.previous, people)][0]
        rules.append(result)
        examples.append(Example(text=text, lemmas=lemmas, question_lemmas=question, previous_lemmas=previous,
                                rule_codes=result.codes))
    return AnalysedUnits(units=units, rules=rules, examples=with_turn_context(units, examples),
                         informant_labels=informant_labels)


def _analyse_stored(stored, coder: RuleCoder, vocab, lexemes: dict) -> tuple[tuple[str, ...], RuleResult]:
    """(lemmas, rule result) of one stored segment Doc (:class:`pipeline.segment_docs.StoredDoc`)."""
    keys, lemmas = stored_keys_and_lemmas(*stored.hashes(), vocab, lexemes)
    return tuple(lemmas), coder.code_keys(keys, stored.doc)


ANALYSIS_PREFETCH = "coding-analysis"  # the name of the stored Docs' reading on a run's cluster


def analyse_file_job(item: tuple, codebook: Codebook) -> dict[str, tuple[tuple[str, ...], RuleResult]] | None:
    """The executor's task for one transcript: (lemmas, rule result) of each of its stored segment
    Docs, both speakers (``item`` = (model setting, its stored derived Docs (ids, DocBin bytes) or
    None)); None where it has none that line up. What :func:`analyse_units` reads of each segment,
    by the same function; a worker keeps one rule coder per codebook."""
    from ..nlp import load_nlp
    from ..segment_docs import stored_docs_of

    model, stored = item
    nlp = load_nlp(model)
    docs = stored_docs_of(stored, nlp.vocab)
    if docs is None:
        return None
    coder, lexemes = _worker_coder(codebook, nlp)
    return {sid: _analyse_stored(doc, coder, nlp.vocab, lexemes) for sid, doc in docs.items()}


_CODERS: dict = {}  # (codebook, pipeline) -> (rule coder, token cache) in a worker process


def _worker_coder(codebook: Codebook, nlp) -> tuple[RuleCoder, dict]:
    key = (codebook.model_dump_json(), id(nlp))
    if key not in _CODERS:
        _CODERS.clear()  # one codebook a run: the last one is kept
        _CODERS[key] = (RuleCoder(codebook, nlp), {})
    return _CODERS[key]


def analysis_inputs(study, codebook: Codebook) -> tuple:
    """What :func:`analyse_file_job`'s results are a function of besides the code: the pipeline,
    the codebook, the stored segment Docs' keys (by shareable file name, in its order) and the
    informant labels the Docs read as ``[PERSON_X]``. A Doc's key covers the labels its own text
    held already; the labels are named too, so a reading made under other labels is never taken
    (a stale reading would give other features than :func:`analyse_units` in process)."""
    from ..store import PrivateStore

    doc_keys: dict[str, str] = {}
    if study.private_store_path.exists():
        with PrivateStore(study.private_store_path) as private:
            doc_keys = private.shared_segment_doc_keys()
    return _inputs(study.settings.model, codebook, doc_keys, _study_labels(study))


def _inputs(model: str, codebook: Codebook, doc_keys: dict[str, str], labels: Sequence[str]) -> tuple:
    return model, codebook.model_dump_json(), tuple(sorted(doc_keys.items())), tuple(sorted(set(labels)))


def _study_labels(study) -> tuple[str, ...]:
    """:func:`~pipeline.coding.text.study_labels` of the study's store (none before ingest made it)."""
    from ..store import StudyStore
    from .text import study_labels

    if not study.store_path.exists():
        return ()
    with StudyStore(study.store_path) as store:
        return study_labels(study, store)


def read_while_deriving(study, codebook: Codebook) -> None:
    """On a run's cluster: each task that derives a transcript's segment Docs (end of the anonymise
    stage) also reads them for the coding stage (:func:`analyse_file_job`), on the worker that holds
    them, while the client checks and writes the anonymised text; the stage keeps what they read
    under :data:`ANALYSIS_PREFETCH`, which the coding stage takes as it takes a prefetch
    (:func:`prefetched_analysis`, with the same inputs: a run that derived only some transcripts'
    Docs has the rest read after the anonymise stage, :func:`prefetch_analysis`). Nothing on one process."""
    from .. import parallel
    from ..segment_docs import DERIVED

    executor = parallel.current()
    if executor.remote:
        model = study.settings.model
        # The labels when the Docs are stored (this runs before ingest writes the informants).
        executor.add_reader(DERIVED, ANALYSIS_PREFETCH, analyse_file_job, codebook,
                            inputs=lambda doc_keys: _inputs(model, codebook, doc_keys, _study_labels(study)))


def prefetch_analysis(study) -> None:
    """Start reading every transcript's stored segment Docs for the coding stage on the run's cluster
    as soon as the anonymisation stage has stored them: the workers read them while this process
    starts the coding stage (the codebook, the human files, the units); the coding stage takes
    them (:func:`prefetched_analysis`). Nothing on one process."""
    from .. import parallel
    from ..codebook import load_codebook
    from ..segment_docs import SegmentDocs

    executor = parallel.current()
    if not executor.remote or not study.private_store_path.exists() or not study.codebook_path.exists():
        return
    codebook = load_codebook(study.codebook_path)
    inputs = analysis_inputs(study, codebook)
    files = [file for file, _key in inputs[2]]
    if not files:
        return
    stored = SegmentDocs(study, None)
    items = parallel.Lazy(lambda file: (study.settings.model, stored.stored(file)), files)
    # Before the topic words' prefetch: the coding stage needs these first.
    executor.prefetch(ANALYSIS_PREFETCH, analyse_file_job, items, codebook, inputs=inputs, priority=1)


def prefetched_analysis(study, codebook: Codebook) -> dict | None:
    """What the run's cluster read for the coding stage (the derive tasks, :func:`read_while_deriving`,
    or :func:`prefetch_analysis`), by file, where it was read from the stored Docs and codebook the
    stage reads now; else None (the stage reads them itself)."""
    from .. import parallel

    taken = parallel.current().prefetched(ANALYSIS_PREFETCH)
    if taken is None:
        return None
    inputs = analysis_inputs(study, codebook)
    results = taken.results_for(inputs)
    return None if results is None else dict(zip((file for file, _key in inputs[2]), results))


def _analyse_texts(units: Sequence[Unit], coder: RuleCoder, nlp, people=None
                   ) -> dict[str, tuple[tuple[str, ...], RuleResult]]:
    """coding text -> (lemmas, rule result) of these units' segments, questions and previous segments, by the pipeline."""
    analysed: dict[str, tuple[tuple[str, ...], RuleResult]] = {}
    texts = list(dict.fromkeys(coding_text(u.segment.text, people) for u in units))
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start:start + CHUNK]
        for text, doc in zip(chunk, analyse(nlp, chunk)):
            analysed[text] = (tuple(content_lemmas(doc)), coder.code_doc(doc))
    contexts = sorted(({coding_text(u.question, people) for u in units}
                       | {coding_text(u.previous, people) for u in units})
                      - set(analysed))
    empty = RuleResult(codes=frozenset(), hits=())
    for start in range(0, len(contexts), CHUNK):
        chunk = contexts[start:start + CHUNK]
        analysed.update((text, (tuple(content_lemmas(d)), empty)) for text, d in zip(chunk, analyse(nlp, chunk)))
    return analysed


def mark_current_round(analysed: AnalysedUnits, segment_ids) -> AnalysedUnits:
    """The same units with ``Example.current_round`` set for these segments (they weigh ``round_weight``)."""
    from dataclasses import replace

    current = set(segment_ids)
    if not current:
        return analysed
    examples = [replace(e, current_round=u.segment_id in current) for u, e in zip(analysed.units, analysed.examples)]
    return AnalysedUnits(units=analysed.units, rules=analysed.rules, examples=examples,
                         informant_labels=analysed.informant_labels)


def with_turn_context(units: Sequence[Unit], examples: Sequence[Example]) -> list[Example]:
    """Give each example the lemmas and rule hits of its whole turn (a sentence's topic is the turn's)."""
    lemmas: dict[tuple[str, int], list[str]] = {}
    hits: dict[tuple[str, int], set[str]] = {}
    for unit, example in zip(units, examples):
        lemmas.setdefault(unit.turn, []).extend(example.lemmas)
        hits.setdefault(unit.turn, set()).update(example.rule_codes)
    # One tuple and one frozenset per turn, shared by its segments' examples (both immutable); the
    # examples are made directly: ``dataclasses.replace`` costs about 10 µs an example.
    context = {turn: (tuple(found), frozenset(hits[turn])) for turn, found in lemmas.items()}
    made = []
    for position, (unit, e) in enumerate(zip(units, examples)):
        turn = unit.turn
        turn_lemmas, turn_hits = context[turn]
        made.append(Example(text=e.text, lemmas=e.lemmas, question_lemmas=e.question_lemmas,
                            previous_lemmas=e.previous_lemmas, rule_codes=e.rule_codes, turn_lemmas=turn_lemmas,
                            turn_rule_codes=turn_hits, turn=turn, position=position, informant=unit.informant_id,
                            current_round=e.current_round))
    return made


@dataclass
class Plan:
    """Which codes the model serves, which the rules serve, and why."""

    model_codes: list[str]
    rule_codes: list[str]
    positives: dict[str, int]
    negatives: dict[str, int] = field(default_factory=dict)


def plan_codes(codebook: Codebook, labels: Sequence[frozenset[str]], min_examples: int) -> Plan:
    positives = {code: sum(1 for label in labels if code in label) for code in codebook.ids}
    negatives = {code: len(labels) - positives[code] for code in codebook.ids}
    model_codes = [c for c in codebook.ids if positives[c] >= max(min_examples, 1) and negatives[c] >= 1]
    return Plan(model_codes=model_codes, rule_codes=[c for c in codebook.ids if c not in model_codes],
                positives=positives, negatives=negatives)


def training_fingerprint(analysed: AnalysedUnits, labels: dict[str, frozenset[str]], plan: Plan,
                         codebook: Codebook, seed: int, params: dict | None = None) -> str:
    """Changes whenever retraining could change the model: decisions, texts, codebook, settings, code.

    Only the labelled units enter, with what their features read (their turn's other
    segments, the question, the previous segment), as they read it (``coding_text`` with the
    informant labels ``analysed`` was read with): a new transcript nobody has coded does not
    change it, so its segments are predicted by the saved model, nor does its informant's
    label where other transcripts named the person before.
    """
    import sklearn

    index = analysed.index()
    turns: dict = {}
    for example in analysed.examples:
        turns.setdefault(example.turn, []).append(example.text)
    payload = {
        "feature_version": FEATURE_VERSION, "sklearn": sklearn.__version__, "seed": seed,
        "codebook": codebook.model_dump(mode="json"), "model_codes": plan.model_codes, "params": params or {},
        "training": [(sid, sorted(labels[sid]), analysed.examples[index[sid]].text,
                      coding_text(analysed.units[index[sid]].question, analysed.people),
                      coding_text(analysed.units[index[sid]].previous, analysed.people),
                      turns[analysed.units[index[sid]].turn])
                     for sid in sorted(labels) if sid in index],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
                          ).hexdigest()


def needs_vectors(params: dict | None) -> bool:
    return bool((params or {}).get("vector_weight") or (params or {}).get("similarity_weight"))


def study_vectors(params: dict | None, analysed: AnalysedUnits, cache_dir, root, seed: int):
    """The subword vectors the parameters ask for (None when they ask for none).

    Trained on the treebank's lemmas and the lemmas of ``analysed`` (its segments and
    questions), cached in ``cache_dir`` (private: learned from the study's text).
    """
    if not needs_vectors(params):
        return None
    from .vectors import example_sentences, lemma_vectors, treebank_path

    return lemma_vectors(example_sentences(analysed.examples), cache_dir, seed, treebank_path(root))


def fold_vectors(params: dict | None, cache_dir, root, seed: int):
    """For a cross-validated figure: vectors every fit learns from its own training rows and the treebank
    (:class:`~pipeline.coding.vectors.FoldVectors`; None when the parameters ask for none).

    :func:`study_vectors` reads every segment of the study, as the coding stage's model may (it codes
    that same text); a figure on held-out informants must not have read theirs.
    """
    if not needs_vectors(params):
        return None
    from .vectors import FoldVectors, treebank_path

    return FoldVectors("fasttext", treebank_path(root), seed, cache_dir)


def make_estimator(plan: Plan, codebook: Codebook, seed: int, params: dict | None = None,
                   nlp=None, vectors=None) -> TwoStageCoder:
    """The study's estimator: ``coding.model`` parameters (``params``) over the defaults.

    With ``prior_weight`` (or ``codebook_weight``, ``redirect_weight``) > 0 the codebook's own
    examples and criteria are analysed (needs ``nlp``) and passed in as ``prior_examples``. ``vectors``: see :func:`study_vectors`.
    """
    params = dict(params or {})
    priors = ()
    if any(params.get(key) for key in ("prior_weight", "codebook_weight", "redirect_weight")) and nlp is not None:
        priors = codebook_examples(codebook, nlp)
    if vectors is not None:
        params["vectors"] = vectors
    return TwoStageCoder(codes=tuple(plan.model_codes), rule_codes=tuple(codebook.ids), random_state=seed,
                         prior_examples=priors, **params)


def decided_ids(analysed: AnalysedUnits, labels: Mapping[str, object]) -> list[str]:
    """The labelled units' ids in the units' order (transcript, then position).

    Never in the ids' own order: segment ids are keyed with the study's secret, and the fits
    depend on the order of their rows, so a sorted-id order would make a model (and every
    held-out figure) depend on the secret, different for each new secret of the same material."""
    return [u.segment_id for u in analysed.units if u.segment_id in labels]


def training_set(analysed: AnalysedUnits, labels: dict[str, frozenset[str]], codes: Sequence[str]):
    """(examples, indicator matrix, informant groups) of the labelled units, in :func:`decided_ids` order."""
    index = analysed.index()
    decided = decided_ids(analysed, labels)
    examples = [analysed.examples[index[sid]] for sid in decided]
    y = np.array([[1 if code in labels[sid] else 0 for code in codes] for sid in decided], dtype=int)
    groups = np.array([analysed.units[index[sid]].informant_id for sid in decided])
    return examples, y.reshape(len(decided), len(codes)), groups


def fit_model(analysed: AnalysedUnits, labels: dict[str, frozenset[str]], plan: Plan, codebook: Codebook,
              seed: int, params: dict | None = None, nlp=None, search: dict | None = None, vectors=None
              ) -> TwoStageCoder | None:
    """Train on the human-decided units; None when no code has enough examples.

    With a ``search`` grid (``coding.model.search``) the parameters are chosen first
    by :func:`search_parameters` on these same decisions, folds grouped by informant.
    """
    if not plan.model_codes:
        return None
    examples, y, groups = training_set(analysed, labels, plan.model_codes)
    estimator = make_estimator(plan, codebook, seed, params, nlp, vectors)
    if search:
        estimator = search_parameters(estimator, search, examples, y, groups)
    return estimator.fit(examples, y, groups=groups)


SEARCH_FOLDS = 3


def search_parameters(estimator: TwoStageCoder, grid: dict, examples, y, groups) -> TwoStageCoder:
    """The estimator with the grid's parameters that give the best micro-F1 on held-out informants.

    ``GridSearchCV`` over ``GroupKFold`` (at most :data:`SEARCH_FOLDS` folds): no fold
    scores an informant its model trained on. Ties go to the first grid point
    (``GridSearchCV`` keeps the first best). Inside an evaluation's outer folds
    this is nested cross-validation.
    """
    from sklearn.model_selection import GridSearchCV, GroupKFold

    groups = np.asarray(groups if groups is not None else [e.informant for e in examples])
    n_groups = len(set(groups.tolist()))
    if n_groups < 2:
        return estimator
    search = GridSearchCV(estimator, {k: list(v) for k, v in sorted(grid.items())},
                          cv=GroupKFold(n_splits=min(SEARCH_FOLDS, n_groups)), refit=False, error_score="raise")
    search.fit(examples, y, groups=groups)
    return estimator.set_params(**search.best_params_)


def codebook_examples(codebook: Codebook, nlp) -> tuple:
    """The codebook's examples and criteria as (Example, positive codes, negative codes).

    Positive examples and inclusion criteria say "this is code X"; negative examples and
    exclusion criteria say "this is not code X" (and nothing about the other codes).
    """
    from .text import analyse as analyse_texts

    items: list[tuple[str, str, bool]] = []
    for code in codebook.codes:
        items += [(text, code.id, True) for text in [*code.examples.positive, *code.include]]
        items += [(text, code.id, False) for text in [*code.examples.negative, *code.exclude]]
    texts = list(dict.fromkeys(text for text, _, _ in items))
    docs = analyse_texts(nlp, texts)
    lemmas = {text: tuple(content_lemmas(doc)) for text, doc in zip(texts, docs)}
    rules = {text: result.codes for text, result in zip(texts, RuleCoder(codebook, nlp).code_docs(docs))}
    result = []
    for n, (text, code, positive) in enumerate(items):
        example = Example(text=text, lemmas=lemmas[text], rule_codes=rules[text], turn_lemmas=lemmas[text],
                          turn_rule_codes=rules[text], turn=("<kodebok>", n), position=n, informant="<kodebok>")
        result.append((example, frozenset({code}) if positive else frozenset(),
                       frozenset() if positive else frozenset({code})))
    return tuple(result)


@dataclass
class Suggestions:
    """Per unit: code -> (confidence, source) for suggestions that pass the combination rule."""

    applied: list[dict[str, tuple[float, str]]]
    probabilities: dict[str, np.ndarray]  # model codes only: probability for every unit
    thresholds: dict[str, float]


def turn_digests(examples: Sequence[Example]) -> dict[tuple, str]:
    """turn -> digest of what the model reads of it: each example's text, lemmas, context and rule hits,
    in order. A prediction depends on its turn only (stage 2 reads the neighbours in the turn)."""
    parts: dict[tuple, list] = {}
    for e in examples:
        parts.setdefault(e.turn, []).append((e.position, e.text, e.lemmas, e.question_lemmas, e.previous_lemmas,
                                             sorted(e.rule_codes)))
    return {turn: hashlib.sha256(json.dumps([p[1:] for p in sorted(rows)], ensure_ascii=False).encode("utf-8")
                                 ).hexdigest() for turn, rows in parts.items()}


def predict_with_cache(model: TwoStageCoder, examples: Sequence[Example], saved: dict[str, list]
                       ) -> tuple[np.ndarray, dict[str, list], int]:
    """The model's probabilities for every example, predicting only the turns ``saved`` lacks.

    ``saved``: turn digest -> probability rows of a previous run *of this same model*.
    Returns (matrix, the rows of every turn now, by digest, for the next run; examples predicted).
    The rows come back as they were computed (JSON keeps a float exactly), so a cached
    prediction is the fresh one.
    """
    digests = turn_digests(examples)
    members: dict[tuple, list[int]] = {}
    for i, e in enumerate(examples):
        members.setdefault(e.turn, []).append(i)
    matrix = np.zeros((len(examples), len(model.classes_)))
    fresh = {turn for turn, index in members.items() if len(saved.get(digests[turn], ())) != len(index)}
    todo = [i for turn in fresh for i in members[turn]]
    if todo:
        matrix[todo] = model.predict_proba([examples[i] for i in todo])
    rows: dict[str, list] = {}
    for turn, index in members.items():
        digest = digests[turn]
        if turn not in fresh:
            matrix[index] = np.asarray(saved[digest], dtype=float)
        rows[digest] = matrix[index].tolist()
    return matrix, rows, len(todo)


def combine(analysed: AnalysedUnits, model: TwoStageCoder | None, plan: Plan,
            matrix: np.ndarray | None = None) -> Suggestions:
    """``matrix``: the model's probabilities when the caller has them (:func:`predict_with_cache`)."""
    probabilities = {}
    if model is not None:
        if matrix is None:
            matrix = model.predict_proba(analysed.examples)
        probabilities = {code: matrix[:, j] for j, code in enumerate(model.classes_)}
    thresholds = dict(model.thresholds) if model is not None else {}
    applied: list[dict[str, tuple[float, str]]] = []
    for i, result in enumerate(analysed.rules):
        found: dict[str, tuple[float, str]] = {}
        for code in plan.model_codes:
            p = float(probabilities[code][i])
            if p >= thresholds[code]:
                found[code] = (p, "model")
        for code in plan.rule_codes:
            if code in result.codes:
                found[code] = (RULE_CONFIDENCE, "rule")
        applied.append(found)
    return Suggestions(applied=applied, probabilities=probabilities, thresholds=thresholds)


def machine_codings(analysed: AnalysedUnits, suggestions: Suggestions, codebook_version: str
                    ) -> dict[str, list[Coding]]:
    """Codings to store, by source ('rule', 'model')."""
    by_source: dict[str, list[Coding]] = {"rule": [], "model": []}
    for unit, found in zip(analysed.units, suggestions.applied):
        for code, (confidence, source) in sorted(found.items()):
            by_source[source].append(Coding(
                segment_id=unit.segment_id, code=code, source=source,
                coder="model" if source == "model" else "rules", confidence=round(confidence, 6),
                status="suggested", codebook_version=codebook_version))
    return by_source
