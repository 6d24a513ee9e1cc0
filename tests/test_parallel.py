"""`qualpipe run --workers N`: per-transcript work on a dask.distributed LocalCluster gives the
same files as the in-process run; a worker that dies is replaced and its task retried; without
Dask the option says how to install it."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import parallel
from pipeline.cli import app
from pipeline.errors import QualpipeError
from pipeline.settings import load_study
from pipeline.store import copy_study_inputs
from pipeline.workflow import run_all

SOURCE = Path(__file__).parent / "data" / "study2"

pytestmark = pytest.mark.slow


def _study(target: Path) -> Path:
    root = copy_study_inputs(SOURCE, target, human_coding=False)
    (root / "data" / "private").mkdir(parents=True)
    shutil.copy(SOURCE / "researcher_inputs" / "known_identifiers.txt", root / "data" / "private" / "known_identifiers.txt")
    return root


def _outputs(root: Path) -> dict[str, bytes]:
    """Every output file but the derived SQLite store (its rows carry the time they were written)."""
    return {str(p.relative_to(root)): p.read_bytes() for folder in ("data/coded", "reports")
            for p in sorted((root / folder).rglob("*")) if p.is_file() and p.suffix != ".sqlite"}


def test_two_worker_processes_write_the_same_files(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1560000000")
    # Several transcripts a task, as at the demo x10 (this study is too small for it otherwise).
    monkeypatch.setattr(parallel, "TASKS_PER_WORKER", 1)
    runner = CliRunner()
    # The researcher's keep decisions (README "Your own study", step 3), imported once ...
    reviewed = _study(tmp_path / "reviewed")
    decisions = SOURCE / "researcher_inputs" / "anonymisation_decisions.csv"
    for command in (["ingest"], ["anonymise", "--decisions", str(decisions)]):
        result = runner.invoke(app, [*command, "--study", str(reviewed)])
        assert result.exit_code == 0, result.output
    # ... then the whole run from nothing, in this process and on two worker processes.
    taken = []
    prefetched = parallel.DaskExecutor.prefetched

    def recorded(self, name):
        found = prefetched(self, name)
        taken.append((name, found is not None))
        return found

    monkeypatch.setattr(parallel.DaskExecutor, "prefetched", recorded)
    kept = []
    keep = parallel.DaskExecutor.keep
    monkeypatch.setattr(parallel.DaskExecutor, "keep",
                        lambda self, name, inputs, results: kept.append((name, len(results))) or keep(self, name, inputs,
                                                                                                      results))
    from pipeline import topics

    from pipeline.coding import machine

    inputs = []
    fit_inputs = topics._fit_inputs
    monkeypatch.setattr(topics, "_fit_inputs", lambda *args: inputs.append(fit_inputs(*args)) or inputs[-1])
    analysis_inputs = []
    made = machine.analysis_inputs
    monkeypatch.setattr(machine, "analysis_inputs",
                        lambda *args: analysis_inputs.append(made(*args)) or analysis_inputs[-1])
    outputs = []
    for name, options in (("one", []), ("two", ["--workers", "2"])):
        root = _study(tmp_path / name)
        for name in ("anonymisation_decisions.json", "study_secret.json"):  # the same study: its decisions and secret
            shutil.copy(reviewed / "data" / "private" / name, root / "data" / "private" / name)
        result = runner.invoke(app, ["run", *options, "--study", str(root)])
        assert result.exit_code == 0, result.output
        outputs.append(_outputs(root))
    first, second = outputs
    assert sorted(first) == sorted(second) and len(first) > 10
    assert [name for name in first if first[name] != second[name]] == []
    # the coding stage's reading of the segment Docs and the topics' fit (the topic words and BERTopic)
    # were made on the workers from the end of anonymise on, and their stages took them: each prefetch's
    # inputs are those its stage reads (only the two-worker run has prefetches; each is made once there,
    # and compared once when taken)
    assert taken == [("coding-analysis", True), ("topics-fit", True)]
    # the coding stage's reading was made by the tasks that derived the Docs, one result per transcript
    assert [name for name, _n in kept] == ["coding-analysis"] and kept[0][1] == len(analysis_inputs[0][2])
    assert len(inputs) == 2 and inputs[0] == inputs[1]
    assert len(analysis_inputs) == 2 and analysis_inputs[0] == analysis_inputs[1] and analysis_inputs[0][2]
    assert analysis_inputs[0][3]  # the informant labels the Docs read as [PERSON_X] are named


def _dies_once(item: int, marker: str) -> int:
    """Kills its worker process the first time it runs (the marker file says it did)."""
    if not os.path.exists(marker):
        Path(marker).write_text("died", encoding="utf-8")
        os._exit(1)
    return item * item


@pytest.fixture(scope="module")
def cluster():
    executor = parallel.DaskExecutor(workers=2, retries=1)
    yield executor
    executor.close()


def test_a_task_whose_worker_dies_is_retried(cluster, tmp_path):
    assert cluster.map(_dies_once, list(range(6)), str(tmp_path / "marker")) == [i * i for i in range(6)]
    assert (tmp_path / "marker").exists()


def _with(item: int, words: frozenset, table: dict, pairs: list) -> tuple:
    return item in words, table.get(item), pairs[item]


def test_objects_every_call_shares_arrive_whole(cluster):
    """A set, dict or list handed to every call reaches it as that object, not spread over its elements."""
    words, table, pairs = frozenset({1, 3}), {1: "en", 2: "to"}, [(0, 0), (1, 1), (2, 2), (3, 3)]
    expected = [_with(i, words, table, pairs) for i in range(4)]
    assert cluster.map(_with, list(range(4)), words, table, pairs) == expected


def _with_words(item: int, words: frozenset) -> int:
    return item * 10 + len(words)


def _shared_plugins(dask_scheduler) -> list[str]:
    return sorted(name for name in dask_scheduler.worker_plugins if name.startswith("qualpipe-shared"))


def test_every_worker_killed_between_two_batches_the_shared_objects_are_set_up_again():
    """Every worker process killed (SIGKILL) after the first results of an imap: the nannies start new
    ones, which are given the shared object before any task (scattered data was lost for good with
    the last worker holding it, and the tasks needing it cancelled); the imap completes in order, and
    its end takes the object off the workers and the scheduler."""
    import signal
    import time

    executor = parallel.DaskExecutor(workers=2)
    try:
        client = executor._connect()
        executor.in_flight = 2  # the later items' tasks are submitted after the kill
        results = executor.imap(_with_words, list(range(12)), frozenset({"a", "b", "c"}))
        first = [next(results) for _ in range(2)]
        assert client.run_on_scheduler(_shared_plugins) != []
        old = set(client.scheduler_info()["workers"])
        for pid in client.run(os.getpid).values():
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 180
        while True:  # until the scheduler has seen both deaths and both replacements joined
            now = set(client.scheduler_info()["workers"])
            if len(now) == 2 and not now & old:
                break
            assert time.monotonic() < deadline, "the nannies did not start new workers"
            time.sleep(0.2)
        rest = list(results)
        assert first + rest == [i * 10 + 3 for i in range(12)]
        assert client.run_on_scheduler(_shared_plugins) == []
    finally:
        executor.close()


def _length(item: list) -> int:
    return len(item)


def test_items_are_read_as_tasks_are_sent_and_few_are_in_flight(cluster):
    """A large study's items (each transcript's parse) are not all read and sent at once: at most
    ``in_flight`` are submitted and not yet handed over, and the results still come in item order."""
    made: list[int] = []

    def make(n: int) -> list:
        made.append(n)
        return [[n]] * n  # nested lists: sent whole, as one item

    before, cluster.in_flight = cluster.in_flight, 3
    try:
        seen = []
        for handed, result in enumerate(cluster.imap(_length, parallel.Lazy(make, range(12))), start=1):
            seen.append(result)
            assert len(made) <= handed + cluster.in_flight
        assert seen == list(range(12)) and made == list(range(12))
    finally:
        cluster.in_flight = before


def _worker_settings(_item: int) -> tuple:
    import dask

    return os.environ.get("MALLOC_TRIM_THRESHOLD_"), dask.config.get("distributed.worker.memory.spill")


def test_local_workers_never_spill_and_keep_the_default_malloc_trim(cluster):
    """Nothing reaches a worker's disk; and Dask's MALLOC_TRIM_THRESHOLD_ (which made spaCy cost a
    worker 1.7 times the CPU) is not set on the workers."""
    assert set(cluster.map(_worker_settings, [1, 2, 3, 4])) == {(None, False)}


def _profiles(dask_worker) -> bool:
    return "profile" in dask_worker.periodic_callbacks


def test_local_workers_do_not_sample_their_tasks_stacks(cluster):
    """Dask's statistical profiler (every 10 ms, on the worker's event loop) costs a worker's tasks
    10-15 % more CPU; a local cluster serves no dashboard to show it."""
    cluster.map(_with, [0], frozenset(), {}, [(0, 0)])  # the cluster is open
    assert set(cluster.client.run(_profiles).values()) == {False}


def _settings_of(dask_worker) -> tuple:
    import dask

    return (os.environ.get("MALLOC_TRIM_THRESHOLD_"), dask.config.get("distributed.worker.memory.spill"),
            type(dask_worker.data) is dict, "profile" in dask_worker.periodic_callbacks)


def test_workers_the_cluster_starts_later_keep_its_settings(tmp_path):
    """A worker process its nanny restarts (it died), a worker that replaces one the scheduler lost
    (its nanny closed after the lost-worker timeout, as under load) and one added later are started
    outside the cluster's start: they too never spill (raw text on their disks), do not profile and
    keep the default malloc trim."""
    executor = parallel.DaskExecutor(workers=2)
    try:
        client = executor._connect()
        cluster = executor.cluster
        assert executor.map(_dies_once, list(range(4)), str(tmp_path / "marker")) == [0, 1, 4, 9]
        client.wait_for_workers(2, timeout=60)
        restarted = client.run(_settings_of)
        assert len(restarted) == 2 and set(restarted.values()) == {(None, False, True, False)}
        lost = sorted(cluster.workers)[0]
        cluster.sync(cluster.workers[lost].close)
        del cluster.workers[lost]  # what SpecCluster does once the lost-worker timeout has passed
        cluster.sync(cluster._correct_state)  # re-created from the worker spec
        cluster.scale(3)
        client.wait_for_workers(3, timeout=60)
        found = client.run(_settings_of)
        assert len(found) == 3 and set(found.values()) == {(None, False, True, False)}
        assert executor.map(_worker_settings, [1, 2, 3, 4, 5, 6]) == [(None, False)] * 6
    finally:
        executor.close()


def test_a_cluster_whose_workers_may_spill_gets_no_raw_text():
    """An external cluster (--scheduler) started with Dask's defaults (spill 0.7: a worker writes
    task data to its disk) is refused before any task is sent; a task that reaches such a worker
    (one that joined later) fails there before it reads its item."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as external:
        executor = parallel.DaskExecutor(scheduler=external.scheduler_address)
        with pytest.raises(QualpipeError, match="1 worker.* may spill task data to disk"):
            executor.map(_length, [[1]])
        assert executor.client is None
        with Client(external) as client:
            task = client.submit(parallel._call, _length, parallel.Parcel([1, 2]), pure=False)
            with pytest.raises(QualpipeError, match="may spill task data to disk"):
                task.result()


def _http_address(dask_scheduler) -> str:
    return dask_scheduler.http_server.address


def test_a_local_cluster_serves_no_dashboard_and_its_http_routes_on_this_machine_only(cluster):
    """Task names and progress must not be served to the network, and two clusters on one
    machine (two studies, or a test beside a run) must not compete for Dask's fixed port 8787."""
    cluster.map(_with, [0], frozenset(), {}, [(0, 0)])  # the cluster is open
    assert cluster.client.run_on_scheduler(_http_address) == "127.0.0.1"
    second = parallel.DaskExecutor(workers=2)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert second.map(_with, [0], frozenset(), {}, [(0, 0)]) == [(False, None, (0, 0))]
        assert not [w for w in caught if "already in use" in str(w.message)]
        assert second.client.run_on_scheduler(_http_address) == "127.0.0.1"
    finally:
        second.close()


def _fails(item: int) -> int:
    raise ValueError("no good")


def test_a_task_that_always_fails_stops_with_one_line(cluster):
    with pytest.raises(QualpipeError, match="a task failed on the Dask cluster"):
        cluster.map(_fails, [1, 2])


def test_a_prefetch_runs_on_the_workers_while_the_client_goes_on_and_is_taken_once(cluster):
    made: list[int] = []

    def make(n: int) -> int:
        made.append(n)
        return n

    # 40 items: tasks of 3 (about 8 tasks a worker), the last one of 1; each item read once, in order
    cluster.prefetch("squares", _where, parallel.Lazy(make, range(40)), inputs=("settings", 1))
    taken = cluster.prefetched("squares")
    assert taken is not None and taken.error is None
    assert taken.results_for(("settings", 2)) is None  # made from other inputs: not used
    results = taken.results_for(("settings", 1))
    assert taken.inputs == ("settings", 1) and [item for item, _pid in results] == list(range(40))
    assert os.getpid() not in {pid for _item, pid in results} and made == list(range(40))
    assert cluster.prefetched("squares") is None and cluster.prefetched("never started") is None


def test_a_prefetch_whose_task_fails_stops_the_run_when_taken_with_its_inputs(cluster):
    cluster.prefetch("failing", _fails, [1, 2], inputs=("settings", 1))
    taken = cluster.prefetched("failing")
    assert isinstance(taken.error, QualpipeError)
    # Made from other inputs, the taker would have thrown it away: its error stops nothing.
    assert taken.results_for(("settings", 2)) is None
    with pytest.raises(QualpipeError, match="a task failed on the Dask cluster"):
        taken.results_for(("settings", 1))


def _read(item: tuple, scale: int) -> tuple:
    model, (ids, blob) = item
    return model, ids, len(blob) * scale


def test_a_reader_of_derived_results_is_kept_and_taken_as_a_prefetch_of_the_same_inputs(cluster):
    from pipeline.segment_docs import DERIVED

    cluster.add_reader(DERIVED, "read", _read, 10, inputs=lambda keys: ("settings", tuple(sorted(keys.items()))))
    [reader] = cluster.readers(DERIVED)
    assert cluster.readers("another kind") == []
    # as a derive task calls it, on the worker
    found = cluster.map(_call_reader, [("m", (["s1", "s2"], b"abc"))], (reader.fn, reader.shared))
    assert found == [("m", ["s1", "s2"], 30)]
    inputs = reader.inputs({"b": "k2", "a": "k1"})
    cluster.keep("read", inputs, found)
    cluster.prefetch("read", _fails, [1, 2], inputs=inputs)  # read already from these inputs: nothing starts
    assert cluster.prefetched("read").results_for(inputs) == found
    cluster.keep("read", inputs, found)
    cluster.prefetch("read", _where, [1, 2], inputs=("other",))  # from other inputs: read again
    assert [item for item, _pid in cluster.prefetched("read").results_for(("other",))] == [1, 2]
    assert cluster.prefetched("read") is None
    cluster._readers.clear()


def _call_reader(item: tuple, reader: tuple) -> tuple:
    fn, shared = reader
    return fn(item, *shared)


def test_nothing_is_prefetched_in_process_or_once_the_cluster_closes():
    executor = parallel.InProcess()
    executor.prefetch("squares", _where, [1, 2])
    assert executor.prefetched("squares") is None
    closing = parallel.DaskExecutor(workers=2)
    closing.close_soon()  # never started: closing it starts nothing
    closing.prefetch("squares", _where, [1, 2])
    assert closing.prefetched("squares") is None
    closing.close()


def test_without_dask_the_option_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails as if not installed
    with pytest.raises(QualpipeError, match=r"pip install -e '\.\[dask\]'"):
        parallel.DaskExecutor(workers=2)


def test_one_worker_runs_in_process():
    with parallel.using(1) as executor:
        assert isinstance(executor, parallel.InProcess) and parallel.current() is executor
        assert executor.map(lambda x, k: x + k, [1, 2], 10) == [11, 12]
    assert isinstance(parallel.current(), parallel.InProcess)


def _pid(_item: int) -> int:
    return os.getpid()


def test_a_run_s_cluster_starts_at_once_its_workers_load_the_pipeline_and_it_closes_when_told():
    from dask.distributed import wait

    from pipeline.nlp import load_nlp

    model = load_study(SOURCE).settings.model
    with parallel.using(2, model=model) as executor:
        # Started in the background by ``using``; the first call waits for it.
        assert os.getpid() not in executor.map(_pid, [1, 2, 3])
        wait(executor._prepared)
        loaded = executor.client.run(lambda: load_nlp.cache_info().currsize)
        assert len(loaded) == 2 and all(n >= 1 for n in loaded.values())
        # what they loaded is out of the cyclic collector's full collections for their lifetime
        frozen = executor.client.run(lambda: __import__("gc").get_freeze_count())
        assert all(n > 0 for n in frozen.values())
        # and, when idle, what the code and compare stages' tasks need
        wait(executor._prepared_later)
        later = executor.client.run(lambda: "pipeline.coding.machine" in sys.modules)
        assert list(later.values()) == [True, True]
        # After the last stage that needs it, the cluster closes while the client goes on: a later call runs here.
        executor.close_soon()
        assert executor.map(_pid, [1, 2]) == [os.getpid()] * 2
    assert executor.cluster.status.name == "closed"


def _where(item: int) -> tuple[int, int]:
    return item, os.getpid()


def test_the_client_computes_items_itself_while_the_workers_start(cluster, monkeypatch):
    """While no worker has loaded the pipeline yet the client does not wait idle: it calls the
    function on the next items itself; the results still come in item order, and once a worker is
    ready the rest go to the cluster."""
    cluster.map(_where, [0])  # the cluster is open
    asked = []

    def ready() -> bool:  # not ready the first two times the executor asks, then ready
        asked.append(True)
        return len(asked) > 2

    monkeypatch.setattr(cluster, "_workers_ready", ready)
    before, cluster.in_flight = cluster.in_flight, 3
    try:
        results = list(cluster.imap(_where, parallel.Lazy(lambda n: n, range(10))))
    finally:
        cluster.in_flight = before
    assert [item for item, _pid in results] == list(range(10))
    # items 0-2 were submitted at the call; the client computed the next two while "starting"
    assert [item for item, pid in results if pid == os.getpid()] == [3, 4]


def test_a_cluster_whose_workers_never_started_loading_computes_nothing_here(cluster):
    """A cluster not started by start_soon (nothing to wait for) gets every item."""
    assert cluster._workers_ready()
    assert os.getpid() not in {pid for _item, pid in cluster.map(_where, list(range(6)))}


def _slow_square(item: int) -> int:
    import time

    time.sleep(0.2)
    return item * item


def test_the_client_runs_its_loads_while_it_waits_for_the_workers(cluster):
    """A job handed to when_idle runs once, while the client waits for results; one that fails
    leaves the map's results as they were (the stage that needs the load meets the failure)."""
    ran = []

    def fails() -> None:
        ran.append("fails")
        raise OSError("dictionary not found")

    cluster.when_idle(lambda: ran.append("loads"))
    cluster.when_idle(fails)
    assert cluster.map(_slow_square, list(range(6))) == [i * i for i in range(6)]
    assert ran == ["loads", "fails"]
    assert cluster.map(_slow_square, [3]) == [9] and ran == ["loads", "fails"]  # each job once
    parallel.InProcess().when_idle(fails)  # in this process nothing is loaded ahead
    assert ran == ["loads", "fails"]


def _imported(names: tuple[str, ...]) -> list[bool]:
    return [name in sys.modules for name in names]


@pytest.mark.skipif(sys.platform == "win32", reason="no forkserver")
def test_local_workers_are_forked_with_the_stages_modules_imported():
    """A local cluster's workers come from one server process that imported the stages' modules
    (spaCy, scikit-learn, the task functions) before forking them: no worker imports them itself."""
    executor = parallel.DaskExecutor(workers=2)
    try:
        client = executor._connect()
        found = client.run(_imported, parallel.WORKER_MODULES)
    finally:
        executor.close()
    assert len(found) == 2 and all(all(flags) for flags in found.values())


def _in_task(item: int) -> tuple[int, str]:
    from dask.distributed import get_worker

    return item, get_worker().get_current_task()


def test_many_items_travel_several_a_task_and_come_back_one_by_one_in_order(cluster, monkeypatch):
    """Where every worker still gets enough tasks, consecutive items share a task (each task costs the
    client and the scheduler the same whatever its size): the results are still one per item, in item
    order, the progress counts items, items are read as their tasks are sent, and few are out at once."""
    monkeypatch.setattr(parallel, "TASKS_PER_WORKER", 4)
    assert cluster.task_items(7) == 1 and cluster.task_items(100) == parallel.TASK_ITEMS == 3
    made, counted = [], []

    def make(n: int) -> int:
        made.append(n)
        return n

    def track(entries, description="", total=None):
        for entry in entries:
            counted.append(total)
            yield entry

    before, cluster.in_flight = cluster.in_flight, 4
    try:
        results = []
        for handed, result in enumerate(cluster.imap(_in_task, parallel.Lazy(make, range(100)), track=track), start=1):
            results.append(result)
            assert len(made) <= 3 * (cluster.in_flight + -(-handed // 3))
    finally:
        cluster.in_flight = before
    assert [item for item, _task in results] == list(range(100)) and made == list(range(100))
    tasks = [task for _item, task in results]
    assert [len(set(tasks[k:k + 3])) for k in range(0, 100, 3)] == [1] * 34 and len(set(tasks)) == 34
    assert counted == [100] * 100
    # the same results as one item a task, and as in this process
    monkeypatch.setattr(parallel, "TASK_ITEMS", 1)
    assert cluster.map(_length, [[0] * n for n in range(40)]) == list(range(40))
    assert len({task for _item, task in cluster.map(_in_task, list(range(40)))}) == 40


def _call_dying(task_name: str, marker: str, always: bool, fn, parcel, *shared):
    """``parallel._call`` that kills its worker process in the first task of ``task_name`` it meets
    (the marker file names that task's items): that task's first try only, or every try with ``always``."""
    if fn.__name__ == task_name:
        victim = hashlib.sha256(repr(parcel.item).encode("utf-8")).hexdigest()
        if not os.path.exists(marker) or (always and Path(marker).read_text(encoding="utf-8") == victim):
            Path(marker).write_text(victim, encoding="utf-8")
            os._exit(1)
    return _real_call(fn, parcel, *shared)


_real_call = parallel._call


def test_a_worker_dying_mid_run_leaves_the_same_files_or_none_of_the_stage(tmp_path, monkeypatch):
    """``qualpipe run --workers 2`` with a worker killed in the middle of a recognizer task: the task
    runs again on the worker its nanny starts, and the run writes every file the in-process run
    writes, byte for byte. Killed every time, the task fails for good: the run stops with one line
    and the anonymisation stage has written nothing shareable (no anonymised segment, none of its
    files), and the next run completes with the same files."""
    import functools

    import dask
    import dask.distributed  # noqa: F401 - its settings in dask.config

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1560000000")
    runner = CliRunner()
    secret = None
    outputs = {}
    for name, options, dying in (("one", [], None), ("retried", ["--workers", "2"], False),
                                 ("failed", ["--workers", "2"], True)):
        root = _study(tmp_path / name)
        if secret is not None:  # the same study: its secret
            shutil.copy(secret, root / "data" / "private" / "study_secret.json")
        marker = tmp_path / f"{name}.died"
        if dying is not None:
            monkeypatch.setattr(parallel, "_call", functools.partial(_call_dying, "detect_job", str(marker), dying))
        # A task that killed its worker is not given to another here (Dask's default: after 3 such
        # deaths): each try is one death, and the client's retries (2) decide. Set in place: a
        # dask.config.set context around the run raced with the cluster's start in its thread
        # (KeyError 'comm' reading the config).
        monkeypatch.setitem(dask.config.config["distributed"]["scheduler"], "allowed-failures", 0 if dying else 3)
        result = runner.invoke(app, ["run", *options, "--study", str(root)])
        monkeypatch.setattr(parallel, "_call", _real_call)
        secret = secret or root / "data" / "private" / "study_secret.json"
        if dying:
            assert result.exit_code == 1, result.output
            assert "a task failed on the Dask cluster" in result.output and marker.exists()
            from pipeline.store import StudyStore

            with StudyStore(load_study(root).store_path) as store:
                assert not store.has_segments()
            assert not (root / "data" / "coded" / "segments.csv").exists()
            assert not (root / "reports").exists() or not any((root / "reports").rglob("*.*"))
            # the next run, nothing killed, completes (with Dask's allowed failures: a worker that the
            # nannies restart under load does not fail its task there)
            monkeypatch.setitem(dask.config.config["distributed"]["scheduler"], "allowed-failures", 3)
            result = runner.invoke(app, ["run", "--workers", "2", "--study", str(root)])
        assert result.exit_code == 0, result.output
        if dying is False:
            assert marker.exists()  # a worker did die
        outputs[name] = _outputs(root)
    assert len(outputs["one"]) > 10
    for name in ("retried", "failed"):
        assert sorted(outputs[name]) == sorted(outputs["one"])
        assert [n for n in outputs["one"] if outputs["one"][n] != outputs[name][n]] == []
