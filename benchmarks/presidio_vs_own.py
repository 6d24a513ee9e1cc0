"""Should detection be built on Microsoft Presidio? Measure it against our own analyzer.

Run by hand where presidio-analyzer is installed (it is NOT a project dependency):

    python -m venv /tmp/pvenv && /tmp/pvenv/bin/pip install presidio-analyzer
    echo "$PWD/.venv/lib/python3.11/site-packages" > /tmp/pvenv/lib/python3.11/site-packages/q.pth
    echo "$PWD" >> /tmp/pvenv/lib/python3.11/site-packages/q.pth
    /tmp/pvenv/bin/python benchmarks/presidio_vs_own.py

On the gold set (tests/data/anon_gold) it times, per word, and scores recall
(gold spans fully covered by detections scoring >= min_score) of:

1. ``presidio-ner``: Presidio's AnalyzerEngine over the same spaCy pipeline,
   its spaCy NER recognizer plus its generic e-mail/phone recognizers for
   "nb" (what Presidio gives a Norwegian study out of the box),
2. ``presidio+ours``: the same engine with our recognizers registered as
   Presidio recognizers (how we would build on it),
3. ``ours``: our analyzer (``detect`` + keep terms + merge), no key;
4. and prints the full stage's recall from ``evaluate_anonymisation`` (with the
   study-wide key) for comparison.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
GOLD = REPO / "tests" / "data" / "anon_gold"

try:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import EmailRecognizer, PhoneRecognizer, SpacyRecognizer
except ImportError:  # pragma: no cover - depends on the machine
    print("presidio-analyzer is not installed; see the docstring for how to measure it in a side venv.")
    sys.exit(0)

from pipeline.anonymise.analyzer import apply_keep, detect, merge  # noqa: E402
from pipeline.anonymise.matcher import StringMatcher  # noqa: E402
from pipeline.anonymise.recognizers import NER_TYPES  # noqa: E402
from pipeline.anonymise.registry import default_recognizers  # noqa: E402
from pipeline.evaluate import evaluate_anonymisation, load_gold  # noqa: E402
from pipeline.ingest import ingest_study  # noqa: E402
from pipeline.nlp import load_nlp, resolve_model_name  # noqa: E402
from pipeline.settings import load_study  # noqa: E402
from pipeline.store import PrivateStore  # noqa: E402


def gold_turns():
    tmp = Path(tempfile.mkdtemp(prefix="qualpipe-presidio-"))
    root = tmp / "study"
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copytree(GOLD / "transcripts", root / "data" / "raw" / "transcripts")
    shutil.copy(GOLD / "informants.csv", root / "data" / "raw" / "informants.csv")
    shutil.copy(GOLD / "study.yaml", root / "study.yaml")
    study = load_study(root)
    ingest_study(study)
    with PrivateStore(study.private_store_path) as private:
        turns = {f: [t.text for t in private.turns(f)] for f in private.files()}
    gold = load_gold(GOLD)
    spans = [(f, s["turn"], s["start"], s["end"]) for f, record in gold.items() for s in record["spans"]]
    return study, turns, spans


def recall(found: dict[tuple[str, int], list[tuple[int, int]]], turns, spans) -> float:
    hit = 0
    for f, ti, start, end in spans:
        text = turns[f][ti]
        covered = found.get((f, ti), [])
        hit += all(not text[i].isalnum() or any(s <= i < e for s, e in covered) for i in range(start, end))
    return hit / len(spans)


class Ours(EntityRecognizer):
    """One of our recognizers inside Presidio's registry."""

    def __init__(self, recognizer):
        self.inner = recognizer
        super().__init__(supported_entities=["PERSON", "STED", "ORGANISASJON", "ADRESSE", "TELEFON", "EPOST",
                                             "FØDSELSNUMMER", "KONTONUMMER", "DATO", "SAKSNUMMER"],
                         supported_language="nb", name=recognizer.name)

    def load(self):
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        doc = nlp_artifacts.tokens if nlp_artifacts is not None else None
        return [RecognizerResult(d.type, d.start, d.end, d.score) for d in self.inner.analyze(text, doc)]


def presidio_engine(model: str, ours: bool, settings) -> AnalyzerEngine:
    config = {"nlp_engine_name": "spacy", "models": [{"lang_code": "nb", "model_name": model}],
              "ner_model_configuration": {"model_to_presidio_entity_mapping": {k: v for k, v in NER_TYPES.items()},
                                          "labels_to_ignore": ["DRV", "EVT", "MISC", "PROD"]}}
    nlp_engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    registry = RecognizerRegistry(supported_languages=["nb"])
    if ours:
        keep = set(settings.anonymisation.keep_terms)
        for r in default_recognizers(settings.anonymisation.ner_labels, keep):
            registry.add_recognizer(Ours(r))
    else:
        registry.add_recognizer(SpacyRecognizer(supported_language="nb",
                                                supported_entities=sorted(set(NER_TYPES.values()))))
        registry.add_recognizer(EmailRecognizer(supported_language="nb"))
        registry.add_recognizer(PhoneRecognizer(supported_language="nb", supported_regions=("NO",)))
    return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["nb"])


def main() -> None:
    study, turns, spans = gold_turns()
    settings = study.settings
    model = resolve_model_name(settings.model)
    items = [(f, i, t) for f in sorted(turns) for i, t in enumerate(turns[f])]
    words = sum(len(t.split()) for _, _, t in items)
    min_score = settings.anonymisation.min_score
    print(f"gold set: {len(turns)} transcripts, {len(items)} turns, {words} words, {len(spans)} gold spans; "
          f"model {model}")
    rows = []
    for name, ours in (("presidio-ner", False), ("presidio+ours", True)):
        engine = presidio_engine(model, ours, settings)
        engine.analyze("Oppvarming.", language="nb")
        start = time.perf_counter()
        found = {}
        for f, i, text in items:
            results = engine.analyze(text, language="nb", score_threshold=min_score)
            found[(f, i)] = [(r.start, r.end) for r in results]
        seconds = time.perf_counter() - start
        rows.append((name, seconds, recall(found, turns, spans)))
    nlp = load_nlp(settings.model)
    recognizers = default_recognizers(settings.anonymisation.ner_labels, set(settings.anonymisation.keep_terms))
    keep = StringMatcher([(k, "KEEP") for k in settings.anonymisation.keep_terms], strict_common=False,
                         digit_types=set())
    start = time.perf_counter()
    found = {}
    for (f, i, text), dets in zip(items, detect([t for _, _, t in items], recognizers, nlp)):
        replace, _ = merge(text, apply_keep(text, dets, keep), min_score)
        found[(f, i)] = [(d.start, d.end) for d in replace]
    rows.append(("ours (analyzer only)", time.perf_counter() - start, recall(found, turns, spans)))
    for name, seconds, rec in rows:
        print(f"  {name:22s} {seconds * 1e6 / words:8.0f} µs/word   recall {rec:.3f}")
    full = evaluate_anonymisation(GOLD)
    print(f"  ours, full stage (study-wide key): recall {full.total.recall:.3f}, "
          f"direct {full.direct.recall:.3f}, precision {full.total.precision:.3f}")


if __name__ == "__main__":
    main()
