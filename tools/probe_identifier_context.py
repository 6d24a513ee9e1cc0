"""Would the learned identifier recognizer gain from the parse's own token vectors? A held-out probe.

    PYTHONPATH=$PWD python tools/probe_identifier_context.py                      # every readable set
    PYTHONPATH=$PWD python tools/probe_identifier_context.py --sets anon_gold_blind17,anon_gold_blind18

The learned recognizer (pipeline/anonymise/learned.py) reads word shape, lexicon class and the
neighbours' forms; the names it misses on new material (lower-case names that are also words,
misheard names, organisations) get identifier probabilities near 0. This tool asks whether the
spaCy pipeline's tok2vec vectors would tell them apart, without changing the shipped recognizer.
For each held-out readable set it trains, on the other readable sets' cached features
(tools/train_identifier_model.py extract), the shipped feature set plus one of:

* ``static``: the k-means cluster (fitted on the training sets' words) of the token's, the previous
  and the next word's context-free embedding (tok2vec's hash-embedding layer, the CNN left out);
* ``context``: the same for the contextual tok2vec vectors (the whole layer over each transcript's
  turns, as ingest parses them);
* ``dense``: the token's contextual vector itself as 96 real-valued features;

and prints, beside the shipped feature set, what the evaluation would score with the model's spans
added (``train_identifier_model.score``: direct, all, precision, kept, spans added at the shipped
threshold) and the identifier probability the model gives each gold direct-identifier token that
the rules left unreplaced (count, mean, how many reach 0.2 and the threshold).

The stored parse holds no tensor (pipeline/parse.py DOC_ATTRS), so ``context`` and ``dense`` would
mean running tok2vec again in anonymise (about 0.4 of a bare ``nlp.pipe``) or storing the vectors
in ingest; ``static`` costs a look-up per distinct word. docs/anonymisation.md ("Context features
for the learned recognizer") has the figures. Only the readable sets are read (READABLE).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import train_identifier_model as tool  # noqa: E402

from pipeline.anonymise import learned  # noqa: E402
from pipeline.anonymise.detection import DIRECT_TYPES  # noqa: E402

VARIANTS = ("static", "context", "dense")


def _unit(a: np.ndarray) -> np.ndarray:
    return a / (np.linalg.norm(a, axis=-1, keepdims=True) + 1e-9)


def attach_vectors(sets: dict, nlp) -> None:
    """Give each cached turn its word tokens' contextual (``V``) and context-free (``S``) vectors,
    and the index of each feature row's token among them (``widx``)."""
    from spacy.tokens import Doc

    from pipeline.parse import parsed_texts

    t2v = nlp.get_pipe("tok2vec").model
    embed = t2v.layers[0]  # the hash embeddings and their mixing layer, before the CNN
    static: dict[str, np.ndarray] = {}
    for data in sets.values():
        by_file: dict[str, list] = {}
        for t in data["turns"]:
            by_file.setdefault(t["file"], []).append(t)
        for turns in by_file.values():
            docs = [nlp.make_doc(text) for text in parsed_texts([t["text"] for t in turns])]
            for t, doc, vectors in zip(turns, docs, t2v.predict(docs)):
                keep = [i for i, tok in enumerate(doc) if not tok.is_space]
                t["V"] = np.asarray(vectors)[keep]
                t["words"] = [doc[i].text for i in keep]
                at = {doc[i].idx: j for j, i in enumerate(keep)}
                t["widx"] = [at.get(start) for start, _end in t["tokens"]]
    words = sorted({w for data in sets.values() for t in data["turns"] for w in t["words"]})
    if words:
        for w, v in zip(words, embed.predict([Doc(nlp.vocab, words=words)])[0]):
            static[w] = np.asarray(v)
    for data in sets.values():
        for t in data["turns"]:
            t["S"] = np.array([static[w] for w in t["words"]]).reshape(len(t["words"]), -1)


def _with_clusters(data: dict, km, key: str, tag: str) -> dict:
    turns = []
    for t in data["turns"]:
        ids = km.predict(_unit(t[key]).astype(np.float32)) if len(t[key]) else []
        n, rows = len(ids), []
        for f, i in zip(t["X"], t["widx"]):
            f = dict(f)
            if i is not None:
                f.update({f"{tag}0={ids[i]}": 1, f"{tag}p={ids[i - 1] if i > 0 else 'e'}": 1,
                          f"{tag}n={ids[i + 1] if i + 1 < n else 'e'}": 1})
            rows.append(f)
        turns.append({**t, "X": rows})
    return {"name": data["name"], "turns": turns}


def _with_dense(data: dict) -> dict:
    turns = []
    for t in data["turns"]:
        rows = []
        for f, i in zip(t["X"], t["widx"]):
            f = dict(f)
            if i is not None:
                f.update({f"v{j}": float(x) for j, x in enumerate(t["V"][i])})
            rows.append(f)
        turns.append({**t, "X": rows})
    return {"name": data["name"], "turns": turns}


def _identifier_proba(model, X: list[dict]) -> np.ndarray:
    # The vectorizer's product, not decision_function: the dense variant's features are not 0/1.
    scores = np.asarray(model.vectorizer_.transform(X) @ model.coef_.T) + model.intercept_
    return model.proba_from_scores(scores)


def _added(model, data: dict, threshold: float) -> list[list]:
    classes, out = list(model.classes_), []
    for t in data["turns"]:
        if not t["X"]:
            out.append([])
            continue
        rows = [(s, e, f) for (s, e), f in zip(t["tokens"], t["X"])]
        out.append([(s, e, k) for s, e, k, sc in
                    learned.pick_spans(t["text"], rows, _identifier_proba(model, t["X"]), classes, t["taken"],
                                       threshold) if sc >= learned.LOW_SCORE])
    return out


def missed_direct(model, data: dict) -> np.ndarray:
    """The identifier probability of each word token of a gold direct identifier the rules left."""
    out = []
    outside = list(model.classes_).index(learned.OUTSIDE)
    for t in data["turns"]:
        if not t["X"]:
            continue
        proba = 1.0 - _identifier_proba(model, t["X"])[:, outside]
        for (s, e), p in zip(t["tokens"], proba):
            kinds = [k for gs, ge, k in t["gold"] if gs < e and s < ge]
            if (kinds and kinds[0] in DIRECT_TYPES and any(c.isalpha() for c in t["text"][s:e])
                    and not any(rs < e and s < re_ for rs, re_, _k in t["replaced"])):
                out.append(p)
    return np.array(out)


def _summary(p: np.ndarray, threshold: float) -> str:
    if not len(p):
        return "missed n=0"
    return f"missed n={len(p)} mean {p.mean():.3f} >=0.2 {(p >= 0.2).sum()} >={threshold} {(p >= threshold).sum()}"


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default=",".join(tool.READABLE), help="held-out sets, comma-separated (readable only)")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--k", type=int, default=64, help="k-means clusters")
    ap.add_argument("--threshold", type=float, default=learned.THRESHOLD)
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                    / "qualpipe-identifier-features")
    args = ap.parse_args(argv)
    held = [n for n in args.sets.split(",") if n]
    unknown = [n for n in held if n not in tool.READABLE]
    if unknown:
        raise SystemExit(f"--sets: {', '.join(unknown)} not among the readable sets (READABLE)")
    variants = [v for v in args.variants.split(",") if v]
    if set(variants) - set(VARIANTS):
        raise SystemExit(f"--variants: choose from {', '.join(VARIANTS)}")

    from sklearn.cluster import KMeans

    from pipeline.nlp import load_nlp, model_id

    sets = tool.load(args.cache)
    nlp = load_nlp()  # the pipeline the gold sets' studies parse with (model: auto)
    print("vectors of", model_id(nlp), flush=True)
    attach_vectors(sets, nlp)
    for name in held:
        train = [n for n in tool.READABLE if n != name]
        lines = []
        base = tool.train(sets, train)
        s = tool.score(sets[name], _added(base, sets[name], args.threshold))
        lines.append(f"shipped  {tool._fmt(s)} +{s['added']}  {_summary(missed_direct(base, sets[name]), args.threshold)}")
        for variant in variants:
            if variant == "dense":
                aug = {n: _with_dense(sets[n]) for n in tool.READABLE}
            else:
                key = "S" if variant == "static" else "V"
                # Fitted on the training sets' tokens only (a sample: k-means on every token is slow).
                vectors = np.vstack([t[key] for n in train for t in sets[n]["turns"] if len(t[key])])
                pick = np.random.default_rng(0).choice(len(vectors), min(20000, len(vectors)), replace=False)
                km = KMeans(args.k, n_init=2, random_state=0).fit(_unit(vectors[pick]).astype(np.float32))
                aug = {n: _with_clusters(sets[n], km, key, variant[0]) for n in tool.READABLE}
            model = tool.train(aug, train)
            s = tool.score(aug[name], _added(model, aug[name], args.threshold))
            lines.append(f"{variant:8} {tool._fmt(s)} +{s['added']}  "
                         f"{_summary(missed_direct(model, aug[name]), args.threshold)}")
        print(name, "(direct all precision kept +added)\n  " + "\n  ".join(lines), flush=True)


if __name__ == "__main__":
    main()
