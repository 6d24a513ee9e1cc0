"""Time the compare and topics analyses on the demo study (run by hand, not in tests).

    .venv/bin/python benchmarks/topics.py [--repeat 3]

Ingests a private copy of the demo study in a temporary folder (only
informants whose transcript exists), then times lemmatisation, BERTopic and
the group comparison/clustering on the informant segments, and on the corpus
replicated ×2 and ×4 to show how time grows with size. Uses the raw segments
in memory only (nothing is written outside the temporary folder) and prints
numbers only, never text.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.compare import cluster_informants, compare_groups  # noqa: E402
from pipeline.ingest import ingest_study  # noqa: E402
from pipeline.nlp import load_nlp  # noqa: E402
from pipeline.settings import load_study  # noqa: E402
from pipeline.store import PrivateStore, copy_study_inputs  # noqa: E402
from pipeline.topics import content_lemmas, find_topics, stop_words  # noqa: E402


def demo_copy(root: Path) -> Path:
    return copy_study_inputs(REPO, root, human_coding=False)


def timed(func, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        study = load_study(demo_copy(Path(tmp)))
        result = ingest_study(study)
        with PrivateStore(study.private_store_path) as store:
            segments = [s for s in store.segments() if s.speaker == "informant"]
        informants = result.informants
    settings = study.settings.topics
    nlp = load_nlp(study.settings.model)
    stops = stop_words(settings.extra_stop_words)
    print(f"informants {len(informants)}, informant segments {len(segments)}, "
          f"words {sum(len(s.text.split()) for s in segments)}")
    seconds, lemmas = timed(lambda: content_lemmas([s.text for s in segments], nlp, stops), 1)
    print(f"lemmatise: {seconds:.2f} s ({len(segments) / seconds:.0f} segments/s)")
    lemmas_by_segment = {s.segment_id: found for s, found in zip(segments, lemmas)}
    # Fake codes so the comparison has something to count: a code per frequent lemma.
    codes = {s.segment_id: frozenset(f"k_{w}" for w in found if w in ("lån", "borettslag", "trygg", "kommune"))
             for s, found in zip(segments, lemmas)}
    baseline = None
    for factor in (1, 2, 4):
        corpus = [replace(s, segment_id=f"{s.segment_id}~{k}", turn_index=s.turn_index + 10_000 * k)
                  for k in range(factor) for s in segments]
        by_id = {s.segment_id: lemmas_by_segment[s.segment_id.split("~")[0]] for s in corpus}
        coded = {s.segment_id: codes[s.segment_id.split("~")[0]] for s in corpus}
        seconds, topics = timed(lambda: find_topics(corpus, by_id, informants, coded, [], settings), args.repeat)
        baseline = baseline or seconds
        print(f"topics ×{factor}: {len(corpus)} segments -> {topics.n_documents} documents, "
              f"{len(topics.topics)} topics in {seconds:.2f} s (×{seconds / baseline:.1f} of ×1)")
        seconds, _ = timed(lambda: (compare_groups(informants, corpus, coded, [], group_order=study.settings.groups),
                                    cluster_informants(informants, corpus, coded, [])), args.repeat)
        print(f"compare+cluster ×{factor}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
