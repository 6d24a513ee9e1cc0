"""Coding speed: segments per second for rules, training and prediction.

Run by hand (not a test):

    .venv/bin/python benchmarks/code.py                 # demo study, then a 100x corpus
    .venv/bin/python benchmarks/code.py --scale 10      # a smaller multiple
    .venv/bin/python benchmarks/code.py --train-only --scale 10 --scale 100 --solver sgd --solver liblinear

``--train-only`` times training alone, per solver (``coding.model.solver``), on the demo
and on copies of its analysed segments (no spaCy pass): whether training time grows
linearly with the number of examples.

The demo study is copied to a temporary folder and run through ingest and
anonymisation there (the repository is not touched). The large corpus repeats
the demo's anonymised informant segments ``--scale`` times under new ids (a new
informant and transcript per copy; each copy's texts end in the copy number, so
repeated texts are not analysed once for all copies), so every stage sees
``scale`` times the work.

Labels for training: the primary human coder's file when it exists
(data/coded/human/forsker1.csv); otherwise the rule codes stand in, and the
script says so (speed does not depend on who made the labels).

Figures: "rules" includes lemmatising the segments and their context with
spaCy (the bulk of the time); "training" is the classifier with its
cross-validated thresholds; "prediction" is featurising + scoring.
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

from pipeline.codebook import load_codebook  # noqa: E402
from pipeline.coding.human import chosen_human_codes, import_human_files  # noqa: E402
from pipeline.coding.machine import analyse_units, combine, fit_model, plan_codes  # noqa: E402
from pipeline.coding.units import load_units  # noqa: E402
from pipeline.nlp import load_nlp  # noqa: E402
from pipeline.settings import load_study  # noqa: E402
from pipeline.store import StudyStore  # noqa: E402


def prepare_demo(tmp: Path):
    from pipeline.store import copy_study_inputs

    root = copy_study_inputs(REPO, tmp / "demo")
    from pipeline.workflow import stages

    study = load_study(root)
    for name, stage in stages():
        if name in ("ingest", "anonymise"):
            stage(study)
    return study


def measure(label: str, n: int, func):
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    print(f"  {label:<11} {n:>8} segmenter  {seconds:8.2f} s  {n / seconds:10.0f} segmenter/s", flush=True)
    return result, seconds


def replicate(analysed, labels, scale: int):
    """``scale`` copies of the analysed demo under new ids, informants, turns and texts (no spaCy pass)."""
    from pipeline.coding.machine import AnalysedUnits

    units, rules, examples, big_labels = [], [], [], {}
    for copy in range(scale):
        for unit, result, example in zip(analysed.units, analysed.rules, analysed.examples):
            segment = replace(unit.segment, segment_id=f"{unit.segment_id}x{copy}",
                              informant_id=f"{unit.segment.informant_id}x{copy}", file=f"{copy}/{unit.segment.file}",
                              text=f"{unit.segment.text} {copy}")
            units.append(replace(unit, segment=segment))
            rules.append(result)
            examples.append(replace(example, text=segment.text, lemmas=example.lemmas + (str(copy),),
                                    turn=(segment.file, unit.segment.turn_index), informant=segment.informant_id))
            if unit.segment_id in labels:
                big_labels[segment.segment_id] = labels[unit.segment_id]
    return AnalysedUnits(units=units, rules=rules, examples=examples), big_labels


def train_only(study, units, labels, scales, solvers) -> None:
    codebook = load_codebook(study.codebook_path)
    nlp = load_nlp(study.settings.model)
    analysed = analyse_units(units, codebook, nlp)
    labels = {sid: codes for sid, codes in labels.items() if sid in analysed.index()}
    plan = plan_codes(codebook, list(labels.values()), study.settings.coding.min_examples_per_code)
    params = study.settings.coding.model.params()
    for solver in solvers:
        rates = {}
        for scale in [1, *scales]:
            data, chosen = (analysed, labels) if scale == 1 else replicate(analysed, labels, scale)
            print(f"{solver}, {scale}× demo:", flush=True)
            _, seconds = measure("trening", len(chosen), lambda: fit_model(
                data, chosen, plan, codebook, study.settings.coding.seed, {**params, "solver": solver}))
            rates[scale] = len(chosen) / seconds
        print(f"{solver}: forhold segmenter/s mot demo (1.0 = lineær): "
              + ", ".join(f"{scale}× {rates[scale] / rates[1]:.2f}" for scale in scales), flush=True)


def run(study, units, labels, label_source: str, title: str) -> dict[str, float]:
    codebook = load_codebook(study.codebook_path)
    nlp = load_nlp(study.settings.model)
    print(f"{title}: {len(units)} informantsegmenter, {len(labels)} med etiketter ({label_source})")
    analysed, t_rules = measure("regler", len(units), lambda: analyse_units(units, codebook, nlp))
    if label_source == "regler":
        labels = {u.segment_id: r.codes for u, r in zip(analysed.units, analysed.rules)}
    plan = plan_codes(codebook, list(labels.values()), study.settings.coding.min_examples_per_code)
    model, t_train = measure("trening", len(labels), lambda: fit_model(
        analysed, labels, plan, codebook, study.settings.coding.seed, study.settings.coding.model.params()))
    _, t_predict = measure("prediksjon", len(units), lambda: combine(analysed, model, plan))
    return {"rules": len(units) / t_rules, "train": len(labels) / t_train, "predict": len(units) / t_predict}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, action="append", default=None)
    parser.add_argument("--train-only", action="store_true", help="time training alone, per --solver")
    parser.add_argument("--solver", action="append", default=None, choices=["sgd", "liblinear", "saga"])
    args = parser.parse_args()
    scales = args.scale or [100]
    with tempfile.TemporaryDirectory() as tmp:
        study = prepare_demo(Path(tmp))
        codebook = load_codebook(study.codebook_path)
        with StudyStore(study.store_path) as store:
            import_human_files(study, store, codebook.ids)
            units = load_units(store)
            labels = chosen_human_codes(store, study.settings.coding.primary_coder)
        source = "menneskelig koding" if labels else "regler"
        load_nlp(study.settings.model)  # loading the model is not part of the figures
        if args.train_only:
            train_only(study, units, labels, scales, args.solver or ["sgd"])
            return
        small = run(study, units, labels, source, "Demostudien")
        big_units, big_labels = [], {}
        for copy in range(scales[0]):
            for unit in units:
                segment = replace(unit.segment, segment_id=f"{unit.segment_id}x{copy}",
                                  informant_id=f"{unit.segment.informant_id}x{copy}",
                                  file=f"{copy}/{unit.segment.file}",  # own turns per copy
                                  # a different text per copy, so no copy is served from another's analysis
                                  text=f"{unit.segment.text} {copy}")
                big_units.append(replace(unit, segment=segment, question=f"{unit.question} {copy}",
                                         previous=f"{unit.previous} {copy}" if unit.previous else ""))
                if unit.segment_id in labels:
                    big_labels[segment.segment_id] = labels[unit.segment_id]
        big = run(study, big_units, big_labels, source, f"{scales[0]}× korpus")
        print("Forhold (stort/demo, segmenter/s; 1.0 = lineær skalering):")
        for key, name in (("rules", "regler"), ("train", "trening"), ("predict", "prediksjon")):
            print(f"  {name:<11} {big[key] / small[key]:.2f}")


if __name__ == "__main__":
    main()
