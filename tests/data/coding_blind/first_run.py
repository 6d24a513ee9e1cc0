"""First-run figures: the classifier as it was before any change (commit 01ed544) on the blind set.

Run with the baseline checkout first on the path, from the repository root:
    git -C /work/main worktree add /work/wt-baseline-coding 01ed544
    PYTHONPATH=/work/wt-baseline-coding python tests/data/coding_blind/first_run.py
Trains on the demo's forsker1 coding (every informant), predicts the blind set, scores turns
against the blind coder (gold/turns.csv). Kept as the record of how the first-run figure was made;
the reusable command is `qualpipe evaluate coding --against tests/data/coding_blind`.
"""

import csv
import sys
import tempfile
import time
from pathlib import Path

import pipeline
from pipeline.anonymise.stage import anonymise_study
from pipeline.codebook import load_codebook
from pipeline.coding.agreement import cohen_kappa
from pipeline.coding.human import coder_decisions, import_human_files
from pipeline.coding.machine import analyse_units, combine, fit_model, plan_codes
from pipeline.coding.units import load_units, turn_key
from pipeline.ingest import ingest_study
from pipeline.nlp import load_nlp
from pipeline.settings import load_study
from pipeline.store import PrivateStore, StudyStore, copy_study_inputs

HERE = Path(__file__).resolve().parent
DEMO = Path(__file__).resolve().parents[3]


def prepared(source: Path, target: Path, blind: bool):
    if blind:
        (target / "data" / "raw").mkdir(parents=True)
        import shutil
        shutil.copytree(source / "transcripts", target / "data" / "raw" / "transcripts")
        for name in ("informants.csv",):
            shutil.copy(source / name, target / "data" / "raw" / name)
        for name in ("study.yaml", "codebook.yaml"):
            shutil.copy(source / name, target / name)
    else:
        copy_study_inputs(source, target)
    study = load_study(target)
    ingest_study(study)
    anonymise_study(study)
    return study


def main() -> None:
    print("pipeline from", Path(pipeline.__file__).parent, file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        train = prepared(DEMO, Path(tmp) / "demo", blind=False)
        target = prepared(HERE, Path(tmp) / "blind", blind=True)
        codebook = load_codebook(train.codebook_path)
        nlp = load_nlp(train.settings.model)
        with StudyStore(train.store_path) as store:
            import_human_files(train, store, codebook.ids)
            labels = coder_decisions(store, "forsker1")
            units = load_units(store)
        analysed = analyse_units(units, codebook, nlp)
        index = analysed.index()
        labels = {s: c for s, c in labels.items() if s in index}
        plan = plan_codes(codebook, list(labels.values()), train.settings.coding.min_examples_per_code)
        start = time.perf_counter()
        model = fit_model(analysed, labels, plan, codebook, train.settings.coding.seed)
        print(f"trained on {len(labels)} segments in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        with StudyStore(target.store_path) as store:
            target_units = load_units(store)
        target_analysed = analyse_units(target_units, codebook, nlp)
        suggestions = combine(target_analysed, model, plan)
        predicted, keyword = {}, {}
        for unit, found, rules in zip(target_analysed.units, suggestions.applied, target_analysed.rules):
            predicted.setdefault(unit.turn, set()).update(found)
            keyword.setdefault(unit.turn, set()).update(rules.codes)
        with PrivateStore(target.private_store_path) as private:
            raw = {f: [t for t in private.turns(f) if t.speaker == "informant"] for f in private.files()}
    gold = list(csv.DictReader(open(HERE / "gold" / "turns.csv", encoding="utf-8")))
    truth, model_turns, keyword_turns = [], [], []
    for row in gold:
        turn = raw[row["file"]][int(row["informant_turn"])]
        assert turn.text.startswith(row["text_start"]), (row, turn.text[:60])
        key = (row["file"], turn.turn_index)
        truth.append(set(filter(None, row["codes"].split(";"))))
        model_turns.append(predicted.get(key, set()))
        keyword_turns.append(keyword.get(key, set()))
    print(f"{len(gold)} informant turns; codes {', '.join(codebook.ids)}")
    for name, pred in (("model", model_turns), ("keyword", keyword_turns)):
        pooled_t, pooled_p = [], []
        for code in codebook.ids:
            t = [int(code in s) for s in truth]
            p = [int(code in s) for s in pred]
            pooled_t += t
            pooled_p += p
            print(name, code, *_scores(t, p))
        print(name, "micro", *_scores(pooled_t, pooled_p))


def _scores(t, p):
    tp = sum(a and b for a, b in zip(t, p))
    precision = tp / sum(p) if sum(p) else 0.0
    recall = tp / sum(t) if sum(t) else 0.0
    f1 = 2 * tp / (sum(t) + sum(p)) if sum(t) + sum(p) else 1.0
    return (f"P {precision:.3f}", f"R {recall:.3f}", f"F1 {f1:.3f}", f"kappa {cohen_kappa(t, p):.3f}",
            f"n+ {sum(t)}", f"pred+ {sum(p)}")


if __name__ == "__main__":
    main()
