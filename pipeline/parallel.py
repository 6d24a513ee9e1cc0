"""Per-transcript work on several processes or machines (``qualpipe run --workers N``).

The stages hand their per-transcript work — the one spaCy pass at ingest, the
recognizers and what the pseudonym key finds in each turn at anonymisation — to
the *executor* of the run as a pure function and a list of items; the
study-wide steps (growing the key, training, tables, the report) stay in this
process, the client.

* :class:`InProcess` (``--workers 1``, the default) calls the function on each
  item here, in order.
* :class:`DaskExecutor` runs the calls on a ``dask.distributed`` cluster: a
  ``LocalCluster`` of N worker processes, or an existing cluster
  (``--scheduler tcp://HOST:PORT``) whose workers have the same qualpipe and
  spaCy pipeline installed. Results are put back in the order of the items, so
  every output is byte for byte what the in-process run writes. A task whose
  worker dies is retried (``retries``); a task that fails for good stops the
  run before any stage writes its outputs.

Privacy: raw turn text travels to the workers inside the cluster's connections
and is never written on their disks (spilling to disk is switched off for every
worker of a local cluster; a task fails on a worker that may spill, and ``--scheduler``
refuses a cluster with one: see docs/scale.md for external workers). Workers must be trusted
machines covered by the study's data-processing agreement.

Each item is one transcript, in both executors: the work per call is the same,
so the results do not depend on how the calls were spread (a cluster's task may
carry several consecutive items, each its own call: :meth:`DaskExecutor.task_items`).
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import gc
import itertools
import multiprocessing
import tempfile
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import QualpipeError
from .progress import Track, no_progress

INSTALL_HINT = ("--workers/--scheduler need Dask: install the extra with "
                "`.venv/bin/pip install -e '.[dask]'` (scripts/setup.sh does this)")


class Lazy(Sequence):
    """Items made one by one as the executor reads them (``make(key)`` for each key): a
    transcript's bytes are read from the store only when its call comes (in this process) or its
    task is submitted (a cluster keeps a bounded number in flight), so no list of every
    transcript's parse is held."""

    def __init__(self, make: Callable[[Any], Any], keys: Sequence):
        self.make, self.keys = make, list(keys)

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):
        return self.make(self.keys[index])

    def __iter__(self) -> Iterator:
        return (self.make(key) for key in self.keys)


@dataclass(frozen=True)
class Reader:
    """A later stage's reading of a kind of per-transcript result (:meth:`DaskExecutor.add_reader`)."""

    name: str
    fn: Callable
    shared: tuple
    inputs: Callable[[dict], Any]


@dataclass(frozen=True)
class Prefetch:
    """What :meth:`DaskExecutor.prefetch` made: the ``inputs`` it was started with, and its
    results or the error that stopped it."""

    inputs: Any
    results: list | None
    error: BaseException | None

    def results_for(self, inputs: Any) -> list | None:
        """The results where they were made from ``inputs``, else None (the caller computes them
        itself). The inputs are compared first: a prefetch made from other inputs is discarded
        whatever its outcome, while a failed task of a matching one stops the run, as in ``imap``."""
        if self.inputs != inputs:
            return None
        if self.error is not None:
            raise self.error
        return self.results


class TaskFailedError(QualpipeError):
    """A task failed on the cluster on every try (``kind``: its exception's type name). Said where
    its result is asked for, before the stage wrote anything; a caller that asks after its stage
    wrote (``segment_docs.start_segment_docs``) says what was written instead."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(f"a task failed on the Dask cluster ({kind}); nothing was written — run again, "
                         "or with --workers 1 to see the error")


class InProcess:
    """Every call here, one after the other."""

    workers = 1
    remote = False  # calls run here, when their results are asked for

    def map(self, fn: Callable, items: Sequence, *shared: Any, track: Track = no_progress,
            description: str = "") -> list:
        return list(self.imap(fn, items, *shared, track=track, description=description))

    def imap(self, fn: Callable, items: Sequence, *shared: Any, track: Track = no_progress,
             description: str = "", ahead: int | None = None, priority: int = 0) -> Iterator:
        """The results one by one, in item order, each computed when it is asked for (``ahead`` and
        ``priority`` mean nothing here: there is no one to compute ahead)."""
        for item in track(items, description=description, total=len(items)):
            yield fn(item, *shared)

    def when_idle(self, job: Callable[[], Any]) -> None:
        """Nothing here: this process loads what it needs when it needs it."""

    def prefetch(self, name: str, fn: Callable, items: Sequence, *shared: Any, inputs: Any = None,
                 priority: int = 0) -> None:
        """Nothing here: the stage that needs the results computes them when it comes."""

    def prefetched(self, name: str) -> Prefetch | None:
        return None

    def add_reader(self, kind: str, name: str, fn: Callable, *shared: Any, inputs: Callable[[dict], Any]) -> None:
        """Nothing here: each stage reads what it needs itself."""

    def readers(self, kind: str) -> list[Reader]:
        return []

    def keep(self, name: str, inputs: Any, results: list) -> None:
        pass

    def close_soon(self) -> None:
        pass

    def close(self) -> None:
        pass


class DaskExecutor:
    """Calls spread over a ``dask.distributed`` cluster; results in item order."""

    def __init__(self, workers: int = 2, scheduler: str | None = None, retries: int = 2):
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise QualpipeError(INSTALL_HINT) from None
        if not scheduler and workers < 2:
            raise QualpipeError("a local cluster needs --workers 2 or more (1 runs in this process)")
        self.workers = workers
        self.scheduler = scheduler
        self.retries = retries
        self.client = None
        self.cluster = None
        self._scratch = None
        self._starting: threading.Thread | None = None
        self._start_error: BaseException | None = None
        self._prepared: list = []  # the workers' preparation tasks, held until the cluster closes
        self._prepared_later: list = []
        self._closing: threading.Thread | None = None
        self._calls = 0  # one name per map call for its tasks' keys
        self._idle_jobs: collections.deque = collections.deque()  # see when_idle
        self._prefetches: dict[str, tuple[threading.Thread, dict]] = {}  # see prefetch
        self._readers: dict[str, list[Reader]] = collections.defaultdict(list)  # see add_reader
        self._kept: dict[str, Prefetch] = {}  # see keep
        self._shared: list = []  # the imaps' shared objects still on the workers (dask_shared.share)
        # Tasks submitted and not yet handed over: enough to keep every worker busy while the
        # client works on a result or one slow transcript holds back those after it.
        self.in_flight = max(8, 4 * workers)

    @property
    def remote(self) -> bool:
        """Whether calls go to the cluster (until the run closes it): tasks then run while the client does other work."""
        return self._closing is None

    def start_soon(self, model: str) -> None:
        """Start the cluster now, in the background, and have each worker load the study's spaCy
        pipeline and the anonymiser's dictionaries (:func:`prepare_worker`): the workers start and
        load while this process reads the transcripts and loads its own. A failure (an unreachable
        scheduler) is raised by the first task."""
        def start() -> None:
            try:
                client = self._open()
                workers = sorted(client.scheduler_info()["workers"])
                self._prepared = [client.submit(prepare_worker, model, workers=[address], allow_other_workers=True,
                                                pure=False, key=f"prepare_worker-{i}")
                                  for i, address in enumerate(workers)]
                # What only the later stages' tasks need, loaded when a worker has nothing more urgent
                # to do (a lower priority than every task of the stages): not before its first parse.
                self._prepared_later = [client.submit(prepare_worker_later, workers=[address], pure=False,
                                                      priority=-1, key=f"prepare_worker_later-{i}")
                                        for i, address in enumerate(workers)]
            except BaseException as exc:  # noqa: BLE001 - raised again in the client's thread
                self._start_error = exc

        self._starting = threading.Thread(target=start, name="qualpipe-dask-start", daemon=True)
        self._starting.start()

    def when_idle(self, job: Callable[[], Any]) -> None:
        """Have the client run ``job`` (a load the client needs later in the run, such as the
        anonymiser's dictionaries) the first time it waits for the workers with no result to hand
        over, while the tasks in flight keep them busy, instead of later while they wait for it. A
        job that fails is left for the stage that needs what it loads, which meets the failure itself."""
        self._idle_jobs.append(job)

    def _run_idle_job(self) -> None:
        job = self._idle_jobs.popleft()
        with contextlib.suppress(Exception):
            job()

    def prefetch(self, name: str, fn: Callable, items: Sequence, *shared: Any, inputs: Any = None,
                 priority: int = 0) -> None:
        """Start ``imap(fn, items, *shared)`` now for a later stage, which takes the results with
        :meth:`prefetched`: the workers compute them while this process runs the stages in between
        (the workers would otherwise wait for it). A thread of this process submits the tasks and
        collects the results (at most ``in_flight`` tasks out at once, as ``imap``, each of up to
        :data:`PREFETCH_BATCH` items); it mostly waits.
        ``inputs``: what the results are a function of besides ``items``, handed back with them for
        the taker to compare with its own; ``priority``: the tasks' on the cluster (higher runs first,
        where two prefetches are out at once). Nothing is started once the cluster is closing."""
        if self._closing is not None:
            return
        kept = self._kept.pop(name, None)
        if kept is not None and kept.inputs == inputs:  # read already, from the same inputs (keep)
            self._kept[name] = kept
            return
        state: dict = {"inputs": inputs, "results": None, "error": None}
        # Several items a task: each task costs this process (the client, and a local cluster's
        # scheduler) the same whatever its size, and nobody waits for the first result here.
        size = max(1, min(PREFETCH_BATCH, -(-len(items) // (8 * self.workers))))
        batches = Lazy(lambda start: [items[i] for i in range(start, min(start + size, len(items)))],
                       range(0, len(items), size))

        def run() -> None:
            try:
                state["results"] = [result for batch in self.imap(_each, batches, fn, *shared, priority=priority)
                                    for result in batch]
            except BaseException as exc:  # noqa: BLE001 - raised again when matching inputs take the results
                state["error"] = exc

        thread = threading.Thread(target=run, name=f"qualpipe-prefetch-{name}", daemon=True)
        self._prefetches[name] = (thread, state)
        thread.start()

    def prefetched(self, name: str) -> Prefetch | None:
        """What :meth:`prefetch` started under ``name`` (waiting for it), or None where none was
        started; the caller takes the results with :meth:`Prefetch.results_for` and its own inputs,
        so a failed task stops the run only where the caller would have used the results."""
        if name in self._kept:
            return self._kept.pop(name)
        entry = self._prefetches.pop(name, None)
        if entry is None:
            return None
        thread, state = entry
        thread.join()
        return Prefetch(state["inputs"], state["results"], state["error"])

    def add_reader(self, kind: str, name: str, fn: Callable, *shared: Any, inputs: Callable[[dict], Any]) -> None:
        """Have the tasks that make a ``kind`` of per-transcript result (``segment_docs.DERIVED``: a
        transcript's derived segment Docs) also call ``fn((model setting, result), *shared)`` on it, on
        the worker that holds it, and the stage that sends them :meth:`keep` what it gave under
        ``name`` for a later stage, with ``inputs(what the results were made from, by transcript)``:
        the later stage takes it with :meth:`prefetched`, as if it were prefetched. A later stage's
        reading then runs while the workers would wait for the client's checks and writes."""
        if self._closing is None:
            self._readers[kind].append(Reader(name, fn, shared, inputs))

    def readers(self, kind: str) -> list[Reader]:
        return list(self._readers.get(kind, ()))

    def keep(self, name: str, inputs: Any, results: list) -> None:
        """What a reader (:meth:`add_reader`) gave, for :meth:`prefetched` (a :meth:`prefetch` of the
        same name from the same inputs then starts nothing)."""
        self._kept[name] = Prefetch(inputs, results, None)

    def _connect(self):
        """The cluster: started on first use, unless :meth:`start_soon` started it already."""
        if self._starting is not None:
            self._starting.join()
            self._starting = None
            if self._start_error is not None:
                raise self._start_error
        return self.client if self.client is not None else self._open()

    def _open(self):
        import dask
        from dask.distributed import Client, LocalCluster

        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout="20s")
            except OSError as exc:
                raise QualpipeError(f"cannot reach the Dask scheduler at {self.scheduler} ({exc})") from None
            # External workers are started by whoever runs the cluster: refuse before any raw text
            # is sent where one may spill it to its disk (each task checks its worker again: _call).
            spilling = sorted(address for address, safe in self.client.run(_keeps_data_in_memory).items() if not safe)
            if spilling:
                self.client.close()
                self.client = None
                raise QualpipeError(f"{len(spilling)} worker(s) of the Dask cluster at {self.scheduler} may spill "
                                    "task data to disk: start them with DASK_DISTRIBUTED__WORKER__MEMORY__TARGET=False "
                                    "and DASK_DISTRIBUTED__WORKER__MEMORY__SPILL=False (docs/scale.md)")
        else:
            # Raw text must not reach a worker's disk (WORKER_SETTINGS: no spilling), and the
            # workers' scratch folder is a private temporary one, removed with the cluster.
            self._scratch = tempfile.TemporaryDirectory(prefix="qualpipe-dask-")
            # Where the system has it, the worker processes are forked from one server process that
            # imported the stages' modules once (WORKER_MODULES), instead of each importing them
            # afresh (spawned): about 2.5 CPU s a worker (docs/scale.md).
            # A nanny takes its worker's settings from the global dask.config when it is made, so
            # every nanny the cluster makes applies them itself (_nanny_class): one that replaces a
            # worker the scheduler lost (under load) is made long after this block.
            method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            settings = {**WORKER_SETTINGS, "distributed.worker.multiprocessing-method": method}
            with dask.config.set(settings):
                if method == "forkserver":
                    _preload_forkserver()
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                            worker_class=_nanny_class(settings),
                                            dashboard_address=None, local_directory=self._scratch.name,
                                            silence_logs=40,
                                            # no dashboard; the scheduler's own HTTP routes (health,
                                            # metrics) on this machine only, on a free port
                                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
                self.client = Client(self.cluster)
        return self.client

    def map(self, fn: Callable, items: Sequence, *shared: Any, track: Track = no_progress,
            description: str = "") -> list:
        return list(self.imap(fn, items, *shared, track=track, description=description))

    def imap(self, fn: Callable, items: Sequence, *shared: Any, track: Track = no_progress,
             description: str = "", ahead: int | None = None, priority: int = 0) -> Iterator:
        """The results in item order, each as soon as it and those before it are done: the
        client works on the first results while the workers compute the rest.

        The first tasks are submitted at this call, so the workers start while the client does
        something else before it reads the results. Items are read one by one as tasks are
        submitted, and at most ``in_flight`` tasks (``ahead``, where the caller has other work for
        the client first and the items are already in memory) are submitted and not yet handed
        over: the client and the scheduler hold a bounded number of payloads and results, whatever
        the size of the study. Each item travels as one opaque :class:`Parcel`, so Dask does not
        walk its lists (a transcript's turns) looking for tasks inside it. A result handed over is
        released on the cluster. ``priority``: the tasks' on the cluster (Dask runs higher first).

        While the workers of a cluster started by :meth:`start_soon` are still starting (none has
        loaded the pipeline yet), the client calls ``fn`` on the next items itself instead of
        waiting: the same pure function on the same item, so the results are the same wherever
        they were computed."""
        from dask.distributed import as_completed

        if self._closing is not None:  # the run said it needs the cluster no more: here, as --workers 1 does
            return InProcess().imap(fn, items, *shared, track=track, description=description)
        if not items:
            return iter(())
        client = self._connect()
        from .dask_shared import share

        # Objects every call needs (a recognizer registry, the stop words) travel to each worker once
        # and are set up again on a worker that replaces one (dask_shared: scattered data was lost
        # for good once every worker holding it had died).
        handles = [share(client, obj) for obj in shared]
        self._shared.extend(handles)
        self._calls += 1
        # Unique per run: Dask takes two tasks of one key for the same task, and a shared scheduler
        # (--scheduler) may hold another run's tasks of the same function.
        prefix = f"{fn.__name__}-{uuid.uuid4().hex}-{self._calls}"
        source = iter(items)
        # Several consecutive items a task where there are many (task_items): each task costs the client
        # and a local cluster's scheduler (in this process) the same whatever its size.
        per_task = self.task_items(len(items))
        # Submitted or computed here, not yet handed over, in item order: futures (each of one or more
        # items, sizes[key]) and _Here results.
        waiting: collections.deque = collections.deque()
        sizes: dict[str, int] = {}
        running = as_completed()
        submitted = 0
        pending = 0  # futures submitted and not yet seen completed

        def submit_next() -> None:
            nonlocal submitted, pending
            batch = list(itertools.islice(source, per_task))
            if not batch:
                return
            parcel = Parcel(batch[0]) if per_task == 1 else Parcel(batch, several=True)
            key = f"{prefix}-{submitted}"
            future = client.submit(_call, fn, parcel, *handles, pure=False, retries=self.retries,
                                   key=key, priority=priority)
            sizes[key] = len(batch)
            submitted += 1
            pending += 1
            waiting.append(future)
            running.add(future)

        def compute_here() -> _Here | None:
            for item in source:
                here = _Here(fn(item, *shared))
                waiting.append(here)
                return here
            return None

        for _ in range(max(self.in_flight, -(-(ahead or 0) // per_task))):
            submit_next()

        def done() -> Iterator:
            """One entry each time an item is done, here or on the cluster (the consumer hands over
            what it can, and submits the next items, between two entries)."""
            nonlocal pending
            while True:
                # Bounded: results computed here wait for the cluster's first ones before they are handed over.
                here = (compute_here() if not self._workers_ready()
                        and sum(isinstance(e, _Here) for e in waiting) < 4 * self.in_flight else None)
                if here is not None:
                    yield here
                elif pending:
                    if self._idle_jobs and not running.has_ready():
                        self._run_idle_job()  # the workers compute the tasks in flight meanwhile
                    pending -= 1
                    future = next(running)
                    for _ in range(sizes[future.key]):  # one entry per item (the progress counts items)
                        yield future
                else:  # every item submitted or computed, and every one of them seen done
                    return

        def handed() -> Iterator:
            finished: set = set()
            try:
                for entry in track(done(), description=description, total=len(items)):
                    if not isinstance(entry, _Here) and entry.key in sizes:  # not yet handed over
                        finished.add(entry.key)
                    while waiting and (isinstance(waiting[0], _Here) or waiting[0].key in finished):
                        first = waiting.popleft()
                        if isinstance(first, _Here):
                            results = [first.result]
                        else:
                            finished.discard(first.key)
                            try:
                                result = self._result(first)
                            finally:
                                first.release()
                            del sizes[first.key]
                            results = result if per_task > 1 else [result]
                        submit_next()  # before the client works on this result: the workers stay busy
                        yield from results
            finally:
                for future in waiting:
                    if not isinstance(future, _Here):
                        future.release()
                self._unshare(handles)

        return handed()

    def _unshare(self, handles: list) -> None:
        """Take an imap's shared objects off the workers (once: here when it ends, else at ``_shut``,
        so none stays on a ``--scheduler`` cluster's workers after the run)."""
        from .dask_shared import unshare

        for handle in handles:
            if handle in self._shared:
                self._shared.remove(handle)
                try:
                    unshare(self.client, handle)
                except Exception as exc:  # noqa: BLE001 - a local cluster closing meanwhile takes them with it
                    if self.scheduler:  # an external one keeps them until its scheduler stops
                        warnings.warn(f"could not remove a shared object ({handle.name}) from the Dask cluster at "
                                      f"{self.scheduler} ({type(exc).__name__}): restart its scheduler to drop it "
                                      "from memory", stacklevel=2)

    def task_items(self, n_items: int) -> int:
        """How many consecutive items one task of an ``imap`` over ``n_items`` carries: one, unless
        every worker would still get at least :data:`TASKS_PER_WORKER` tasks of up to
        :data:`TASK_ITEMS` items (a transcript's parse or detection is some 0.03-0.1 CPU s at the demo's
        size, and each task costs the client and a local cluster's scheduler about 3 ms of CPU)."""
        return max(1, min(TASK_ITEMS, n_items // (TASKS_PER_WORKER * self.workers)))

    def _workers_ready(self) -> bool:
        """Whether a worker has loaded the pipeline (:meth:`start_soon`), or no one waits for that."""
        return not self._prepared or any(future.done() for future in self._prepared)

    @staticmethod
    def _result(future) -> Any:
        try:
            return future.result()
        except QualpipeError:
            raise
        except Exception as exc:  # a task that failed on every try: the run stops, nothing is written
            raise TaskFailedError(type(exc).__name__) from None

    def close_soon(self) -> None:
        """The run has no more tasks for the cluster: it closes in the background (stopping the
        worker processes takes seconds) while the client goes on; ``close`` waits for it. A call
        after this one runs in this process."""
        if self._closing is None:
            self._closing = threading.Thread(target=self._shut, name="qualpipe-dask-close", daemon=True)
            self._closing.start()

    def close(self) -> None:
        if self._closing is not None:
            self._closing.join()
        else:
            self._shut()

    def _shut(self) -> None:
        if self._starting is not None:
            self._starting.join()
        for thread, _state in list(self._prefetches.values()):  # their results are kept for prefetched
            thread.join()
        for future in [*self._prepared, *self._prepared_later]:
            with contextlib.suppress(Exception):
                future.release()
        self._unshare(list(self._shared))
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()
        if self._scratch is not None:
            self._scratch.cleanup()


class _Here:
    """A result the client computed itself (:meth:`DaskExecutor.imap`, while the workers start)."""

    __slots__ = ("result",)

    def __init__(self, result: Any):
        self.result = result


class Parcel:
    """One item of a task, passed through Dask untouched: Dask looks for futures and tasks inside
    the lists, tuples and dicts a task is given, element by element (every turn of every
    transcript, 840 000 calls for the anonymise stage at ×30); a parcel it does not open.
    ``several``: ``item`` is a list of consecutive items, each called on its own (:meth:`run`)."""

    __slots__ = ("item", "several")

    def __init__(self, item: Any, several: bool = False):
        self.item = item
        self.several = several

    def run(self, fn: Callable, shared: tuple) -> Any:
        """``fn`` on the item, or the list of ``fn`` on each item, in order; ``shared``: the handles
        of the objects every call is given (``dask_shared.Shared``), read on this worker."""
        shared = tuple(handle.value() for handle in shared)
        if self.several:
            return [fn(item, *shared) for item in self.item]
        return fn(self.item, *shared)


# What every worker is started with (DaskExecutor._open: a local cluster's; docs/scale.md). Raw text
# must not reach a worker's disk: no spilling (memory target and spill off). Dask starts its workers
# with MALLOC_TRIM_THRESHOLD_=65536 (memory back to the system sooner); spaCy allocates and frees so
# much that the same parse then costs a worker about 1.7 times the CPU it costs this process, so the
# workers keep the C library's default (None unsets it). Dask's statistical profiler walks the
# running task's stack every 10 ms: 10-15 % on top of the task's own CPU, for a dashboard a local
# cluster does not serve. The periodic checks (event-loop ticks every 20 ms, system monitors every
# 0.5 s) cost an idle local cluster about 0.05 CPU s a second on the client alone; less often, a
# third of that.
WORKER_SETTINGS = {"distributed.worker.memory.target": False,
                   "distributed.worker.memory.spill": False,
                   "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                   "distributed.admin.tick.interval": "1s",
                   "distributed.admin.system-monitor.interval": "2s",
                   "distributed.worker.profile.enabled": False}


def _nanny_class(settings: dict) -> type:
    """A Nanny that makes itself under ``settings``: its worker's dask.config and the environment it
    spawns the worker process with are taken from the global config in ``Nanny.__init__``, which
    for a nanny that replaces a lost worker runs outside the cluster's start. The config is its own
    copy: Nanny keeps a shallow merge of the global one, whose nested sections ``dask.config.set``
    puts back on leaving, so a worker process the nanny restarts (after it died) would get Dask's
    defaults."""
    import copy

    import dask
    from dask.distributed import Nanny

    class QualpipeNanny(Nanny):
        def __init__(self, *args, config: dict | None = None, **kwargs):
            with dask.config.set(settings):
                super().__init__(*args, config=copy.deepcopy({**dask.config.config, **(config or {})}), **kwargs)

    return QualpipeNanny


def _keeps_data_in_memory(dask_worker=None) -> bool:
    """Whether a worker holds its task data in memory only: Dask's spill buffer (a target or spill
    fraction set) writes it to the worker's disk."""
    if dask_worker is None:
        from dask.distributed import get_worker

        dask_worker = get_worker()
    return type(dask_worker.data) is dict


def _call(fn: Callable, parcel: Parcel, *shared: Any) -> Any:
    # Fails closed on a worker that may spill (started without the settings, or joined later):
    # before the task makes anything of the raw text it was sent.
    if not _keeps_data_in_memory():
        raise QualpipeError("a Dask worker may spill task data to disk: start it with spilling off (docs/scale.md)")
    return parcel.run(fn, shared)


PREFETCH_BATCH = 16  # at most this many items a prefetch task (DaskExecutor.prefetch)
TASK_ITEMS = 3  # at most this many items a task of DaskExecutor.imap (task_items)
TASKS_PER_WORKER = 16  # ... so long as every worker still gets this many tasks of it


def _each(items: list, fn: Callable, *shared: Any) -> list:
    """One prefetch task: ``fn`` on each of several items, in order."""
    return [fn(item, *shared) for item in items]


# What a worker's tasks import (the stages' task functions and their libraries: spaCy, scikit-learn,
# matplotlib); a local cluster's server process imports them before it forks the workers.
WORKER_MODULES = ("distributed", "pipeline.ingest.segment", "pipeline.anonymise.analyzer", "pipeline.segment_docs",
                  "pipeline.compare")


def _preload_forkserver() -> None:
    """Have the forkserver import :data:`WORKER_MODULES` when it starts (the first local cluster of
    this process starts it; a later one reuses it). Dask sets its own preload list on its first call
    of ``get_mp_context``, so that call comes first and this list replaces it."""
    from distributed.utils import get_mp_context

    get_mp_context().set_forkserver_preload([name.replace("pipeline", __package__, 1) for name in WORKER_MODULES])


def prepare_worker(model: str) -> None:
    """What every worker's first tasks would load anyway, loaded as soon as it starts: the modules of
    the stages' tasks, the study's spaCy pipeline (parse, detection, derived Docs) and the
    full-form dictionaries of the anonymiser's rules (``anonymise/lexicon.py``)."""
    import importlib

    from .anonymise.lexicon import in_dictionary
    from .nlp import load_nlp

    for name in ("ingest.segment", "anonymise.analyzer", "segment_docs"):
        importlib.import_module(f"{__package__}.{name}")
    load_nlp(model)
    in_dictionary("hus")
    # What was just loaded lives as long as the worker: out of the cyclic collector's sight, so its
    # collections, run while the tasks allocate, do not walk the pipeline and the dictionaries each
    # time (about 4 % of a worker's parse and detection CPU; docs/scale.md, eighteenth session).
    gc.freeze()


def prepare_worker_later() -> None:
    """What compare's figure tasks load on a worker's first one: their module, and matplotlib's
    fonts (the first text a process renders reads the font cache and the font); and BERTopic, which
    the topics' fit (``topics._fit_job``) imports."""
    import bertopic  # noqa: F401

    from . import compare  # noqa: F401
    from .plotting import new_figure, png_bytes

    figure = new_figure(1, 1)
    figure.text(0.5, 0.5, "æøå 0,5")
    png_bytes(figure)


def prepare_client() -> None:
    """What this process loads later in a run anyway and can load while it waits for the workers:
    the full-form dictionaries that the anonymiser's key reads (``anonymise/lexicon.py``), which
    would otherwise load while the workers wait for the key."""
    from .anonymise.lexicon import in_dictionary

    in_dictionary("hus")


_current: contextvars.ContextVar = contextvars.ContextVar("qualpipe_executor", default=InProcess())


def current() -> InProcess | DaskExecutor:
    """The executor of the run in progress (in-process outside ``using``)."""
    return _current.get()


@contextlib.contextmanager
def using(workers: int = 1, scheduler: str | None = None,
          model: str | None = None) -> Iterator[InProcess | DaskExecutor]:
    """The executor for ``--workers``/``--scheduler`` for the duration of a run; with ``model`` (the
    study's pipeline setting) a cluster is started at once and its workers load that pipeline."""
    executor = DaskExecutor(workers, scheduler) if scheduler or workers > 1 else InProcess()
    if model is not None and isinstance(executor, DaskExecutor):
        executor.start_soon(model)
        executor.when_idle(prepare_client)
    token = _current.set(executor)
    try:
        yield executor
    finally:
        _current.reset(token)
        executor.close()
