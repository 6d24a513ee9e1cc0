"""Evaluation commands: one function per evaluation, each returning a result with its table.

* :func:`evaluate_anonymisation` — the anonymiser against a gold-annotated
  set of transcripts (format: docs/anonymisation.md).
* :func:`evaluate_ner` — the study's spaCy pipeline's NER on a NorNE CoNLL-U file.
* :func:`evaluate_coding` — see pipeline.coding.evaluation.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import QualpipeError
from .ingest.informants import PRIVATE_COLUMNS, REQUIRED
from .progress import Track, no_progress

# The targets for the anonymiser.
TARGET_DIRECT_RECALL = 0.99
TARGET_ALL_RECALL = 0.95
TARGET_PRECISION = 0.85
TARGET_KEPT = 0.90


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


# ------------------------------------------------------------- anonymisation


@dataclass
class TypeScore:
    type: str
    gold: int = 0
    covered: int = 0  # gold spans fully replaced
    predicted: int = 0
    correct: int = 0  # predicted spans overlapping a gold span

    @property
    def recall(self) -> float | None:
        return _ratio(self.covered, self.gold)

    @property
    def precision(self) -> float | None:
        return _ratio(self.correct, self.predicted)


@dataclass
class AnonymisationEvaluation:
    files: list[str]
    by_type: dict[str, TypeScore]
    direct: TypeScore
    total: TypeScore
    keep_total: int
    keep_replaced: int
    leaks: int  # distinct gold identifiers still found in data/coded/ outputs
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # file, type, context (private!)
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)
    keep_lost: list[tuple[str, str, str]] = field(default_factory=list)  # keep terms replaced
    direct_leaks: int = 0  # of ``leaks``, those of a direct type (PERSON, FØDSELSNUMMER, ...)
    leaked: list[tuple[str, str, str]] = field(default_factory=list)  # type, gold string, context in data/coded (private!)

    @property
    def kept(self) -> float | None:
        return _ratio(self.keep_total - self.keep_replaced, self.keep_total)

    def targets(self) -> list[tuple[str, float, float | None, bool]]:
        rows = [("recall, direct identifiers", TARGET_DIRECT_RECALL, self.direct.recall),
                ("recall, all types", TARGET_ALL_RECALL, self.total.recall),
                ("precision, all types", TARGET_PRECISION, self.total.precision),
                ("keep terms kept", TARGET_KEPT, self.kept if self.keep_total else 1.0)]
        out = [(name, need, got, got is not None and got >= need) for name, need, got in rows]
        out.append(("leaked identifiers", 0.0, float(self.leaks), self.leaks == 0))
        return out

    @property
    def met(self) -> bool:
        return all(ok for *_rest, ok in self.targets())


def load_gold(gold_dir: Path) -> dict[str, dict]:
    """file name -> gold record, from ``gold_dir/gold/*.json``."""
    folder = gold_dir / "gold"
    if not folder.is_dir():
        raise QualpipeError("gold folder not found (expected gold/*.json beside transcripts/)", folder)
    records = {}
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise QualpipeError(f"invalid JSON ({exc})", path) from None
        if not isinstance(record, dict) or "file" not in record or not isinstance(record.get("spans"), list):
            raise QualpipeError("gold record needs 'file' and a list 'spans'", path)
        record["_path"] = str(path)
        records[record["file"]] = record
    if not records:
        raise QualpipeError("no gold records (*.json)", folder)
    return records


def scratch_study(folder: Path, into: Path, informant_columns: tuple[str, ...] | None = None) -> Path:
    """A study folder under ``into`` (a temporary directory) holding an evaluation folder's
    transcripts, informants table and study.yaml, as a researcher's study holds them.

    ``informant_columns``: the only columns of informants.csv the copy keeps (None: all of them)."""
    root = into / "study"
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copytree(folder / "transcripts", root / "data" / "raw" / "transcripts")
    if informant_columns is None:
        shutil.copy(folder / "informants.csv", root / "data" / "raw" / "informants.csv")
    else:
        _copy_columns(folder / "informants.csv", root / "data" / "raw" / "informants.csv", informant_columns)
    if (folder / "study.yaml").exists():
        shutil.copy(folder / "study.yaml", root / "study.yaml")
    return root


def _copy_columns(source: Path, target: Path, columns: tuple[str, ...]) -> None:
    """``source``'s informants table with only ``columns`` (those it has, in its order), read as
    ingest reads it: an error in the table is one about ``source``."""
    import csv

    from .ingest.informants import _read_rows

    rows = _read_rows(source)
    if not rows:
        shutil.copy(source, target)  # no cells: nothing to leave out, and ingest says what is wrong
        return
    header = [c for c in rows[0] if c in columns]
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([row[c] for c in header] for row in rows)


# The columns of a gold folder's informants.csv the anonymisation evaluation reads: the required
# ones and the private ones the anonymiser uses (the name seeds the key, the labels find the turns).
# The rest are the set author's notes about each informant (``role``): shared attributes in a
# study, which the guard checks as the researcher's own text, and nothing the transcripts are
# scored on.
ANONYMISATION_INFORMANT_COLUMNS = (*REQUIRED, *PRIVATE_COLUMNS)

# Where each input of the copy came from in the evaluation folder.
_COPIED = {Path("study.yaml"): Path("study.yaml"), Path("data/raw/informants.csv"): Path("informants.csv"),
           Path("data/raw/transcripts"): Path("transcripts")}


@contextmanager
def scratch_copy(folder: Path, prefix: str, informant_columns: tuple[str, ...] | None = None):
    """:func:`scratch_study` in a temporary directory that is removed afterwards.

    An error about a file of the copy names the evaluation folder's own file (the copy is gone
    when the message is read): ``tests/data/X/study.yaml: ...``, not ``/tmp/qualpipe-.../study.yaml``;
    an output of the copy is named as ``X/<evaluation copy>/data/coded/...``."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        root = scratch_study(folder, Path(tmp), informant_columns)
        try:
            yield root
        except QualpipeError as error:
            if error.path is None or not error.path.is_relative_to(root):
                raise
            rel = error.path.relative_to(root)
            origin = next((folder / mine / rel.relative_to(theirs) for theirs, mine in _COPIED.items()
                           if rel.is_relative_to(theirs)), folder / "<evaluation copy>" / rel)
            error.path = origin
            error.args = (f"{origin}: {error.problem}",)
            raise


# A cell of five digits or fewer is the tool's own number (a turn index, a character offset, a count):
# no direct identifier is that short on its own, and a gold piece of a number split over cues ("209"
# of a phone said in three cues) would otherwise be "found" wherever an offset happens to equal it.
_TOOL_NUMBER = re.compile(r"\d{1,5}")


def scanned_cells(csv_text: str) -> str:
    """The cells of a shareable CSV that the leak count reads: every cell but the short whole numbers
    the tool writes itself (``_TOOL_NUMBER``), one cell a line so no two cells join into one number."""
    import csv
    import io

    return "\n".join(cell for row in csv.reader(io.StringIO(csv_text)) for cell in row
                     if not _TOOL_NUMBER.fullmatch(cell))


def evaluate_anonymisation(gold_dir: str | Path, track: Track = no_progress,
                           without: list[str] = ()) -> AnonymisationEvaluation:
    """Run ingest + anonymise on a copy of the gold study and score it span by span.

    ``without``: recognizers (registry names) switched off for this run, as study.yaml's
    ``anonymisation.recognizers.NAME.enabled: false`` would (the ablation)."""
    from .anonymise.gazetteer import load_gazetteer
    from .anonymise.matcher import StringMatcher
    from .anonymise.detection import DIRECT_TYPES
    from .anonymise.stage import anonymise_study
    from .ingest import ingest_study
    from .settings import RecognizerSetting, load_study
    from .store import PrivateStore

    gold_dir = Path(gold_dir).resolve()
    if not (gold_dir / "transcripts").is_dir():
        raise QualpipeError("gold folder needs transcripts/, informants.csv, gold/ (see docs/anonymisation.md)",
                            gold_dir)
    gold = load_gold(gold_dir)
    with scratch_copy(gold_dir, "qualpipe-gold-", ANONYMISATION_INFORMANT_COLUMNS) as root:
        study = load_study(root)
        for name in without:
            study.settings.anonymisation.recognizers[name] = RecognizerSetting(enabled=False)
        ingest_study(study, track)
        result = anonymise_study(study, track)
        with PrivateStore(study.private_store_path) as private:
            turns = {f: private.turns(f) for f in private.files()}
        outputs = "\n".join(scanned_cells(p.read_bytes().decode("utf-8", "ignore"))
                            for p in sorted(study.coded_dir.rglob("*")) if p.is_file() and p.suffix == ".csv")
    by_type: dict[str, TypeScore] = {}
    direct, total = TypeScore("direkte"), TypeScore("alle")
    keep_total = keep_replaced = 0
    misses, fps, keep_lost = [], [], []
    gold_strings: set[tuple[str, str]] = set()
    for file, record in sorted(gold.items()):
        if file not in turns:
            raise QualpipeError(f"gold names transcript '{file}', which is not in transcripts/", record["_path"])
        file_turns = turns[file]
        spans: dict[int, list[tuple[int, int, str]]] = {}
        for n, span in enumerate(record["spans"]):
            try:
                ti, start, end, kind = int(span["turn"]), int(span["start"]), int(span["end"]), str(span["type"])
            except (KeyError, TypeError, ValueError):
                raise QualpipeError(f"span {n}: needs turn, start, end, type", record["_path"]) from None
            if ti >= len(file_turns) or file_turns[ti].text[start:end] != span.get("text", file_turns[ti].text[start:end]):
                raise QualpipeError(f"span {n}: text does not match turn {ti} at {start}:{end}", record["_path"])
            spans.setdefault(ti, []).append((start, end, kind))
            gold_strings.add((file_turns[ti].text[start:end], kind))
        keep = StringMatcher([(k, "KEEP") for k in record.get("keep", [])], load_gazetteer(), strict_common=False,
                             digit_types=set())
        for turn, out in zip(file_turns, result.outputs[file]):
            replaced = [(s, e, k) for s, e, k, _id, _new in out.replaced]
            for start, end, kind in spans.get(turn.turn_index, []):
                covered = all(not turn.text[i].isalnum() or any(s <= i < e for s, e, _k in replaced)
                              for i in range(start, end))
                for score in (by_type.setdefault(kind, TypeScore(kind)), total,
                              *((direct,) if kind in DIRECT_TYPES else ())):
                    score.gold += 1
                    score.covered += covered
                if not covered:
                    misses.append((file, kind, _context(turn.text, start, end)))
            for s, e, kind in replaced:
                ok = any(s < ge and gs < e for gs, ge, _k in spans.get(turn.turn_index, []))
                for score in (by_type.setdefault(kind, TypeScore(kind)), total,
                              *((direct,) if kind in DIRECT_TYPES else ())):
                    score.predicted += 1
                    score.correct += ok
                if not ok:
                    fps.append((file, kind, _context(turn.text, s, e)))
            for m in keep.find(turn.text):
                if any(m.start < ge and gs < m.end for gs, ge, _k in spans.get(turn.turn_index, [])):
                    continue  # part of an identifier ("Bergen Bussdrift", "…@husbanken.no"): it goes with it
                keep_total += 1
                lost = any(s < m.end and m.start < e for s, e, _k in replaced)
                keep_replaced += lost
                if lost:
                    keep_lost.append((file, "behold", _context(turn.text, m.start, m.end)))
    # Leaks: gold identifiers the guard's rule still finds in the shareable outputs.
    # Not the dictionary-word leniency of the key: a gold name that is a dictionary word counts as leaked in lower case too.
    leak_matcher = StringMatcher(sorted(gold_strings), load_gazetteer(), strict_dictionary=False)
    found = leak_matcher.find(outputs)
    leaked = {(m.original.lower(), m.payload) for m in found}
    leaks = len({o for o, _k in leaked})
    direct_leaks = len({o for o, k in leaked if k in DIRECT_TYPES})
    first: dict[tuple[str, str], tuple[str, str, str]] = {}
    for m in found:  # each leaked string once, where it first stands
        first.setdefault((m.original.lower(), m.payload), (m.payload, m.original, _context(outputs, m.start, m.end)))
    listed = sorted(first.values(), key=lambda row: (row[0] not in DIRECT_TYPES, row[0], row[1]))
    return AnonymisationEvaluation(sorted(gold), dict(sorted(by_type.items())), direct, total, keep_total,
                                   keep_replaced, leaks, misses, fps, keep_lost, direct_leaks, listed)


def ablation(gold_dir: str | Path, names: list[str] | None = None,
             track: Track = no_progress) -> list[tuple[str, AnonymisationEvaluation]]:
    """The evaluation with everything on ("alle"), then with each recognizer switched off in turn."""
    from .anonymise.registry import default_registry
    from .settings import load_study

    gold_dir = Path(gold_dir).resolve()
    if names is None:
        names = default_registry(load_study(gold_dir).settings.anonymisation).names
    return [("alle", evaluate_anonymisation(gold_dir, track))] + [
        (name, evaluate_anonymisation(gold_dir, track, without=[name])) for name in names]


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    return (text[max(0, start - width):start] + "⟦" + text[start:end] + "⟧" + text[end:end + width]).replace("\n", " ")


# ----------------------------------------------------------------------- NER


@dataclass
class LabelScore:
    label: str
    gold: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def precision(self) -> float | None:
        return _ratio(self.correct, self.predicted)

    @property
    def recall(self) -> float | None:
        return _ratio(self.correct, self.gold)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)


@dataclass
class NerEvaluation:
    path: Path
    model: str
    sentences: int
    by_label: dict[str, LabelScore]
    micro: LabelScore


_NAME = re.compile(r"name=([BI])-([A-Z_]+)")


def read_conllu(path: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(sentence text, gold entity char spans) from a NorNE CoNLL-U file (BIO in MISC ``name=``)."""
    if not path.exists():
        raise QualpipeError("CoNLL-U file not found (use --conllu PATH)", path)
    sentences = []
    words: list[tuple[str, bool, str | None, str | None]] = []

    def flush():
        if not words:
            return
        text, spans, current = "", [], None
        for form, space_after, bio, label in words:
            start = len(text)
            text += form
            if bio == "B" or (bio == "I" and (current is None or current[2] != label)):
                if current:
                    spans.append(tuple(current))
                current = [start, len(text), label]
            elif bio == "I":
                current[1] = len(text)
            else:
                if current:
                    spans.append(tuple(current))
                current = None
            if space_after:
                text += " "
        if current:
            spans.append(tuple(current))
        sentences.append((text.rstrip(), spans))
        words.clear()

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            flush()
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            raise QualpipeError(f"line {number}: expected 10 tab-separated columns", path)
        if not cols[0].isdigit():
            continue  # multi-word token ranges and empty nodes
        misc = cols[9]
        found = _NAME.search(misc)
        words.append((cols[1], "SpaceAfter=No" not in misc, found.group(1) if found else None,
                      found.group(2) if found else None))
    flush()
    return sentences


def evaluate_ner(conllu: str | Path, model: str = "auto", track: Track = no_progress,
                 labels: list[str] | None = None) -> NerEvaluation:
    """Exact-span P/R/F per label of the pipeline's NER against the gold names."""
    from .nlp import load_nlp, model_id

    path = Path(conllu)
    sentences = read_conllu(path)
    nlp = load_nlp(model)
    keep = {"ner", "tok2vec", "transformer"}
    disable = [n for n in nlp.pipe_names if n not in keep]
    by_label: dict[str, LabelScore] = {}
    micro = LabelScore("alle")
    with nlp.select_pipes(disable=disable):
        docs = nlp.pipe((s for s, _ in sentences), batch_size=128)
        for (text, gold), doc in track(zip(sentences, docs), description="NER", total=len(sentences)):
            predicted = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
            expected = set(gold)
            if labels:
                predicted = {p for p in predicted if p[2] in labels}
                expected = {g for g in expected if g[2] in labels}
            for s, e, label in expected:
                for score in (by_label.setdefault(label, LabelScore(label)), micro):
                    score.gold += 1
            for s, e, label in predicted:
                hit = (s, e, label) in expected
                for score in (by_label.setdefault(label, LabelScore(label)), micro):
                    score.predicted += 1
                    score.correct += hit
    return NerEvaluation(path, model_id(nlp), len(sentences), dict(sorted(by_label.items())), micro)


# -------------------------------------------------------------------- coding


def evaluate_coding(*args, **kwargs):
    """Leave-one-informant-out evaluation of the coding (pipeline.coding.evaluation)."""
    from .coding.evaluation import evaluate_coding as run

    return run(*args, **kwargs)
