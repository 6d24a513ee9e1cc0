"""Objects every task of an ``imap`` needs (a recognizer registry, the stop words), kept on each
worker of a Dask cluster by a worker plugin (imported only where a cluster is used).

``client.scatter(..., broadcast=True)`` put such an object in the workers' memory as data with no
task behind it: once every worker holding it was gone (a worker killed, or both restarted by their
nannies under load; Dask's memory manager keeps one copy where no task waits for another), the
scheduler "lost scattered data, which can't be recovered" and cancelled every task that needed it.
A plugin is kept by the scheduler and set up on every worker that joins it, a replacement too,
before the worker is given a task: the object is there wherever a task runs, and tasks depend on no
data key (so the scheduler places them by load, not where the one copy is)."""

from __future__ import annotations

import uuid
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from .errors import QualpipeError

# The objects of the plugins set up in this worker process, by the plugin's name.
_HELD: dict[str, Any] = {}


class Shared:
    """What a task is given in place of a shared object: the name its value is kept under on the
    worker (a small object, which Dask passes through untouched)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def value(self) -> Any:
        try:
            return _HELD[self.name]
        except KeyError:
            raise QualpipeError(f"a Dask worker lacks the shared object {self.name} (its plugin was not set up "
                                "there: a worker that may spill, or one of another run) — run again") from None


class SharedObjectPlugin(WorkerPlugin):
    """Keeps one object on each worker while registered (``setup``/``teardown``). A worker that may
    spill task data to disk is not given it: the raw text the object may hold (the known
    identifiers of the study) stays off its disk, and its tasks fail before they run
    (``parallel._call``)."""

    idempotent = False

    def __init__(self, name: str, obj: Any):
        self.name = name
        self.obj = obj

    def setup(self, worker) -> None:
        from .parallel import _keeps_data_in_memory

        if _keeps_data_in_memory(worker):
            _HELD[self.name] = self.obj

    def teardown(self, worker) -> None:
        _HELD.pop(self.name, None)


def share(client, obj: Any) -> Shared:
    """Put ``obj`` on every worker of ``client``'s cluster, now and joining later (waits for the
    workers there now); the handle its tasks are given."""
    name = f"qualpipe-shared-{type(obj).__name__}-{uuid.uuid4().hex}"
    client.register_plugin(SharedObjectPlugin(name, obj), name=name)
    return Shared(name)


def unshare(client, handle: Shared) -> None:
    """Remove the object from the cluster's workers (and from what the scheduler gives new ones)."""
    client.unregister_worker_plugin(handle.name)
