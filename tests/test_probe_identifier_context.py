"""The context probe of the learned recognizer (tools/probe_identifier_context.py): its vectors,
cluster features and the count of missed direct identifiers, on invented turns."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.cluster import KMeans

from pipeline.nlp import load_nlp

TOOLS = Path(__file__).resolve().parents[1] / "tools"


@pytest.fixture(scope="module")
def probe():
    sys.path.insert(0, str(TOOLS))
    spec = importlib.util.spec_from_file_location("probe_identifier_context", TOOLS / "probe_identifier_context.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sets():
    text = "jeg snakket med torbjørn i går"  # an invented name, lower case
    tokens = [(0, 3), (4, 11), (12, 15), (16, 24), (25, 26), (27, 30)]
    return {"s": {"name": "s", "turns": [{"file": "a.txt", "text": text, "gold": [(16, 24, "PERSON")],
                                          "replaced": [], "keep": [], "tokens": tokens,
                                          "X": [{"shape=<low>": 1} for _ in tokens],
                                          "y": ["O", "O", "O", "PERSON", "O", "O"], "taken": []}]}}


def test_vectors_line_up_with_the_feature_rows(probe):
    sets = _sets()
    probe.attach_vectors(sets, load_nlp("auto"))
    t = sets["s"]["turns"][0]
    assert t["widx"] == list(range(6))
    assert t["V"].shape == t["S"].shape == (6, 96)
    # the context-free vector of a word is the same wherever it stands; the contextual one is not
    other = {"o": {"name": "o", "turns": [{**t, "text": "torbjørn er her", "tokens": [(0, 8), (9, 11), (12, 15)],
                                          "X": [{}, {}, {}], "y": ["PERSON", "O", "O"], "gold": []}]}}
    probe.attach_vectors(other, load_nlp("auto"))
    o = other["o"]["turns"][0]
    assert np.allclose(o["S"][0], t["S"][3])
    assert not np.allclose(o["V"][0], t["V"][3])


def test_cluster_features_name_a_cluster_never_the_word(probe):
    sets = _sets()
    probe.attach_vectors(sets, load_nlp("auto"))
    t = sets["s"]["turns"][0]
    km = KMeans(2, n_init=1, random_state=0).fit(probe._unit(t["V"]).astype(np.float32))
    rows = probe._with_clusters(sets["s"], km, "V", "c")["turns"][0]["X"]
    assert all(len(r) == 4 for r in rows)  # the shipped feature, the token's and each neighbour's cluster
    assert rows[0]["cp=e"] == 1 and rows[-1]["cn=e"] == 1
    assert not any("torbj" in name for r in rows for name in r)


def test_missed_direct_counts_what_the_rules_left(probe, monkeypatch):
    sets = _sets()

    class Model:  # P(identifier) 0.9 for the fourth token, 0.1 for the others
        classes_ = np.array(["O", "PERSON"])
        vectorizer_ = None

    monkeypatch.setattr(probe, "_identifier_proba", lambda model, X: np.array([[0.1, 0.9] if i == 3 else [0.9, 0.1] for i in range(len(X))]))
    p = probe.missed_direct(Model(), sets["s"])
    assert np.allclose(p, [0.9])
    sets["s"]["turns"][0]["replaced"] = [(16, 24, "PERSON")]
    assert len(probe.missed_direct(Model(), sets["s"])) == 0
