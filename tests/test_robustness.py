"""Kill -9 at chosen points, two writers at once, and human decisions under any sequence of runs.

* Kill test: ``qualpipe run`` is killed with SIGKILL at chosen steps (store.fault_point,
  ``QUALPIPE_FAULT_POINT``), in forked children of the test process (the models are
  loaded once, so each kill costs a fraction of a second) and once as a real
  ``qualpipe run`` subprocess. After every kill each output file is either the
  last good version or the new one, sets are whole, nothing is a bare header; the
  final re-run gives the same files as an uninterrupted run.
* Concurrency: two ``review import`` for one coder at the same moment lose nothing
  (20 trials); a second ``qualpipe run`` during a run fails fast with one line.
* Property (hypothesis): no sequence of human imports, machine runs and re-runs
  changes or drops a human decision.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import app
from pipeline.settings import load_study
from pipeline.store import PENDING_NAME, StudyStore, is_temp_file, lock_holder, rows_to_csv, study_lock

REPO = Path(__file__).resolve().parents[1]
TRANSCRIPTS = {
    "a.txt": "I: Hvordan har du hatt det?\nIP: Jeg fikk mye hjelp fra Kari Hansen på kontoret. Hun var til stor "
             "støtte.\nI: Og ventetiden?\nIP: Vi måtte vente lenge, og jeg var bekymret hele tiden. "
             "=HYPERLINK(\"http://x\",\"klikk\")\n",
    "b.txt": "I: Fortell om flyttingen.\nIP: Det tok tid. Naboen Per Olsen hjalp oss med støtte og råd.\n"
             "I: Var du redd?\nIP: Ja, jeg var redd for økonomien. +1+1 og @SUM(1) sa han.\n",
}
CHANGED = ("c.txt", "I: Hva tenker du nå?\nIP: Nå har vi tid. Jeg er ikke redd lenger, og familien gir "
                    "støtte.\nI: Noe mer?\nIP: -2+3 er regnestykket hun skrev. Vi venter ikke lenger.\n")
GENERATED = re.compile(r"Generert \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")


def run_cli(root: Path, *args: str) -> int:
    """The CLI in this process (exit code)."""
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["--study", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


def killed_child(root: Path, point: str) -> int:
    """``qualpipe run`` in a forked child, killed at ``point``; returns the signal that ended it."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.environ["QUALPIPE_FAULT_POINT"] = point
            app(["--study", str(root), "run"], standalone_mode=False)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else -os.WEXITSTATUS(status)


def outputs(root: Path) -> dict[str, bytes]:
    """Every shareable output and human file, the report's generated-at line masked."""
    found = {}
    for folder in ("data/coded", "reports"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in (".csv", ".md", ".png") and not is_temp_file(path):
                data = path.read_bytes()
                if path.suffix == ".md":
                    data = GENERATED.sub("Generert X", data.decode()).encode()
                found[str(path.relative_to(root))] = data
    return found


def output_sets(files: dict[str, bytes]) -> dict[str, list[str]]:
    """The files each stage writes as one set."""
    def named(*prefixes):
        return [n for n in files if n.startswith(prefixes)]

    return {
        "anonymise": ["data/coded/segments.csv", "data/coded/informants.csv", "data/coded/anonymisation_audit.csv"],
        "compare": named("reports/tables/compare_", "reports/tables/clusters", "reports/figures/compare_",
                         "reports/figures/clusters_"),
        "topics": named("reports/tables/topics"),
        "report": named("reports/rapport.md", "reports/figures/rapport_", "reports/figures/kontekst_"),
    }


def add_input_change(root: Path) -> None:
    name, text = CHANGED
    (root / "data" / "raw" / "transcripts" / name).write_text(text, encoding="utf-8")
    with open(root / "data" / "raw" / "informants.csv", "a", encoding="utf-8") as handle:
        handle.write(f"3,{name},a\n")


@pytest.fixture(scope="module")
def ran_study(tmp_path_factory):
    """A small study after one complete run (its outputs are the 'last good' ones)."""
    root = tmp_path_factory.mktemp("kill") / "base"
    folder = root / "data" / "raw" / "transcripts"
    folder.mkdir(parents=True)
    for name, text in TRANSCRIPTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (root / "data" / "raw" / "informants.csv").write_text("id,file,group\n1,a.txt,a\n2,b.txt,a\n", encoding="utf-8")
    (root / "study.yaml").write_text("name: Teststudie\n", encoding="utf-8")
    from conftest import NEUTRAL_CODEBOOK

    (root / "codebook.yaml").write_text(NEUTRAL_CODEBOOK, encoding="utf-8")
    assert run_cli(root, "run") == 0
    return root


# Steps to kill at, in run order: the names are store.fault_point calls (":N" = the N-th time).
KILL_POINTS = [
    "temp-written:1",  # the first private file written atomically (secret / detection cache / key)
    "db-commit:4",  # inside a SQLite transaction
    "stage:anonymise",
    "set-swap:2",  # between two renames of the anonymise stage's export set
    "stage:code",  # the case that left codings.csv as a bare header
    "set-journal-written:2",  # the coding stage's set, journal written, nothing renamed yet
    "set-swap:8",  # inside the compare stage's tables and figures
    "set-temps-written:4",  # the report: every file written, not yet committed
]


def test_kill_at_chosen_points_leaves_last_good_outputs_and_rerun_matches(ran_study, tmp_path):
    reference = shutil.copytree(ran_study, tmp_path / "reference")
    add_input_change(reference)
    assert run_cli(reference, "run") == 0
    expected = outputs(reference)

    killed = shutil.copytree(ran_study, tmp_path / "killed")
    add_input_change(killed)
    # As in a fresh clone of a study repository: the CSVs are there, the derived store is not
    # (so the anonymise stage starts from a store without codings).
    for path in (killed / "data" / "coded").glob("study.sqlite*"):
        path.unlink()
    last_good = outputs(killed)
    assert "a," not in last_good["data/coded/codings.csv"].decode().splitlines()[0]
    for point in KILL_POINTS:
        assert killed_child(killed, point) == signal.SIGKILL, f"{point} was never reached"
        with study_lock(killed, command="check"):  # what any next command does first
            pass
        now = outputs(killed)
        for name, data in now.items():
            assert data in (last_good.get(name), expected.get(name)), f"{name} is neither old nor new after {point}"
        for name in ("data/coded/codings.csv", "data/coded/segments.csv"):
            assert len(now[name].splitlines()) > 1, f"{name} emptied after {point}"
        for name, members in output_sets(expected).items():
            whole = (all(now.get(n) == last_good.get(n) for n in members)
                     or all(now.get(n) == expected.get(n) for n in members))
            assert whole, f"the {name} stage's outputs are from different runs after {point}"
        assert not [p for p in killed.rglob("*") if is_temp_file(p)]
        assert not (killed / "data" / "private" / PENDING_NAME).exists()
        last_good = now
    assert run_cli(killed, "run") == 0
    assert outputs(killed) == expected


def test_qualpipe_run_killed_as_a_subprocess_and_a_second_run_meanwhile(ran_study, tmp_path):
    study = shutil.copytree(ran_study, tmp_path / "s")
    add_input_change(study)
    before = (study / "data" / "coded" / "codings.csv").read_bytes()
    hold = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO), "QUALPIPE_FAULT_POINT": "stage:code",
           "QUALPIPE_FAULT_HOLD": str(hold)}
    first = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "--study", str(study), "run"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reached = Path(f"{hold}.reached")
    deadline = time.monotonic() + 300
    while not reached.exists():
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    # The first run holds the lock before its coding stage: a second run fails fast, one line.
    assert f"pid {first.pid}" in lock_holder(study) and "qualpipe run" in lock_holder(study)
    second = subprocess.run([sys.executable, "-m", "pipeline.cli", "--study", str(study), "run"],
                            env={**os.environ, "PYTHONPATH": str(REPO), "QUALPIPE_LOCK_WAIT": "0"},
                            capture_output=True, text=True, timeout=300)
    lines = [line for line in second.stderr.splitlines() + second.stdout.splitlines() if line.strip()]
    assert second.returncode == 1 and len(lines) == 1 and f"pid {first.pid}" in lines[0], lines
    assert "Traceback" not in second.stderr
    hold.write_text("go")
    first.communicate(timeout=60)
    assert first.returncode == -signal.SIGKILL
    assert (study / "data" / "coded" / "codings.csv").read_bytes() == before  # not rewritten, not emptied
    assert run_cli(study, "run") == 0


# ------------------------------------------------------------------ concurrency


def review_sheet(path: Path, segments: list, code_ids: list[str], decide) -> dict[str, set[str]]:
    from pipeline.coding.review import COMMENT_COLUMN, FIXED_COLUMNS

    header = FIXED_COLUMNS + code_ids + [COMMENT_COLUMN]
    rows, decided = [], {}
    for segment in segments:
        codes = decide(segment)
        decided[segment.segment_id] = codes
        cells = {"segment_id": segment.segment_id, "informant_id": segment.informant_id,
                 "turn": str(segment.turn_index), "text": segment.text, "reviewed": "x"}
        rows.append([cells.get(name, "") for name in FIXED_COLUMNS] + ["x" if c in codes else "" for c in code_ids]
                    + [""])
    path.write_text(rows_to_csv(header, rows), encoding="utf-8")
    return decided


@pytest.fixture(scope="module")
def coded_corpus(tmp_path_factory):
    from test_coding_corpus import build_corpus

    base = tmp_path_factory.mktemp("corpus")

    def make(files, informants=None, settings="", codebook=None, root=None):
        from conftest import DEMO_CODEBOOK, with_codebook_keep_terms

        root = base / "study"
        (root / "data" / "raw" / "transcripts").mkdir(parents=True)
        for name, text in files.items():
            (root / "data" / "raw" / "transcripts" / name).write_text(text, encoding="utf-8")
        informants = informants or "id,file,group\n" + "".join(
            f"{i},{n},stayed\n" for i, n in enumerate(sorted(files), start=1))
        (root / "data" / "raw" / "informants.csv").write_text(informants, encoding="utf-8")
        (root / "study.yaml").write_text(with_codebook_keep_terms(settings, codebook or DEMO_CODEBOOK), encoding="utf-8")
        (root / "codebook.yaml").write_text(codebook or DEMO_CODEBOOK, encoding="utf-8")
        return root

    root, truth = build_corpus(make, n_informants=2, turns=6, settings_extra="  min_examples_per_code: 3\n")
    return load_study(root), truth


def test_two_review_imports_for_one_coder_at_once_lose_nothing(coded_corpus, tmp_path):
    from pipeline.codebook import load_codebook
    from pipeline.coding.human import coder_decisions, human_file, read_human_file
    from pipeline.coding.review import import_review

    study, truth = coded_corpus
    code_ids = load_codebook(study.codebook_path).ids
    with StudyStore(study.store_path) as store:
        segments = store.segments(speaker="informant")
    half = len(segments) // 2
    sheets = [tmp_path / "first.csv", tmp_path / "second.csv"]
    wanted = {**review_sheet(sheets[0], segments[:half], code_ids, lambda s: set(truth[s.segment_id])),
              **review_sheet(sheets[1], segments[half:], code_ids, lambda s: set(truth[s.segment_id]))}
    path = human_file(study, "forsker9")
    for _trial in range(20):
        path.unlink(missing_ok=True)
        with StudyStore(study.store_path) as store:
            store.delete_human_coder("forsker9")
        go = tmp_path / "go"
        go.unlink(missing_ok=True)
        children = []
        for sheet in sheets:
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                ok = False
                try:
                    while not go.exists():
                        time.sleep(0.001)
                    import_review(study, sheet, "forsker9")
                    ok = True
                finally:
                    os._exit(0 if ok else 1)
            children.append(pid)
        go.write_text("go")
        assert [os.WEXITSTATUS(os.waitpid(pid, 0)[1]) for pid in children] == [0, 0]
        ids = {s.segment_id for s in segments}
        on_file = read_human_file(path, ids, set(code_ids))
        assert {sid: set(d.codes) for sid, d in on_file.items()} == wanted
        with StudyStore(study.store_path) as store:
            assert {sid: set(c) for sid, c in coder_decisions(store, "forsker9").items()} == wanted


# ------------------------------------------------------------------- property

operation = st.one_of(
    st.tuples(st.just("import"), st.sampled_from(["forsker1", "forsker2"]),
              st.lists(st.tuples(st.integers(0, 10_000), st.sets(st.integers(0, 3), max_size=2)),
                       min_size=1, max_size=4)),
    st.tuples(st.just("code")),
    st.tuples(st.just("rerun")),
    st.tuples(st.just("retrain")),
)


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=5))
def test_no_sequence_of_imports_and_runs_changes_or_drops_a_human_decision(coded_corpus, operations):
    from pipeline.codebook import load_codebook
    from pipeline.coding.human import apply_human_decisions, coder_decisions, human_file, import_human_files
    from pipeline.coding.stage import code_stage

    study, _ = coded_corpus
    codebook = load_codebook(study.codebook_path)
    codes = codebook.ids
    for coder in ("forsker1", "forsker2"):
        human_file(study, coder).unlink(missing_ok=True)
    with StudyStore(study.store_path) as store:
        for coder in store.human_coders():
            store.delete_human_coder(coder)
        segments = [s.segment_id for s in store.segments(speaker="informant")]
    expected: dict[str, dict[str, set[str]]] = {"forsker1": {}, "forsker2": {}}
    for op in operations:
        if op[0] == "import":
            _, coder, picks = op
            decisions = {segments[i % len(segments)]: {codes[c % len(codes)] for c in chosen} for i, chosen in picks}
            with StudyStore(study.store_path) as store:
                apply_human_decisions(study, store, coder, decisions, codebook.version, codes)
            expected[coder].update(decisions)
        elif op[0] == "code":
            code_stage(study)
        elif op[0] == "retrain":
            code_stage(study, retrain=True)
        else:
            with StudyStore(study.store_path) as store:
                import_human_files(study, store, codes)
        with StudyStore(study.store_path) as store:
            for coder, decided in expected.items():
                assert {sid: set(c) for sid, c in coder_decisions(store, coder).items()} == decided
        for coder, decided in expected.items():
            path = human_file(study, coder)
            if decided:
                with open(path, encoding="utf-8", newline="") as handle:
                    on_file = {row["segment_id"]: set(filter(None, row["codes"].split(";")))
                               for row in csv.DictReader(handle)}
                assert on_file == decided
