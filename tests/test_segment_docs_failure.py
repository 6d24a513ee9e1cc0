"""A derive task failing for good after the anonymise stage wrote its outputs: the message says
what was written (the stage's outputs, complete) and what not (the private Docs cache)."""

from __future__ import annotations

import pytest

from pipeline import parallel, segment_docs
from pipeline.errors import QualpipeError

TRANSCRIPT = "I: Hvor bodde du?\nIP: Jeg bodde i Storgata 5 i Lillestrøm, og Kari Nordmann var naboen.\n"


class DeriveFailsOnCluster(parallel.InProcess):
    """In process, but as a cluster would be (``remote``), and every derive task fails for good."""

    remote = True

    def imap(self, fn, items, *shared, **options):
        if fn is segment_docs.derive_job:
            def failing():
                raise parallel.TaskFailedError("KilledWorker")
                yield  # a generator, as the cluster's results are
            return failing()
        return super().imap(fn, items, *shared, **options)


def test_a_derive_task_failing_after_the_stage_wrote_says_so(make_study):
    from pipeline.anonymise import anonymise_stage
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study
    from pipeline.store import StudyStore

    study = load_study(make_study({"a.txt": TRANSCRIPT}))
    ingest_study(study)
    token = parallel._current.set(DeriveFailsOnCluster())
    try:
        with pytest.raises(QualpipeError) as caught:
            anonymise_stage(study)
    finally:
        parallel._current.reset(token)
    message = str(caught.value)
    assert "nothing was written" not in message
    assert message == segment_docs.derive_failed_message("KilledWorker")
    # What it says was written was written: the anonymised segments and the stage's shareable files.
    with StudyStore(study.store_path) as store:
        texts = [s.text for s in store.segments()]
    assert texts and "Kari" not in " ".join(texts)
    assert (study.coded_dir / "segments.csv").is_file()


def test_a_task_failing_before_anything_is_written_says_nothing_was():
    assert "nothing was written" in str(parallel.TaskFailedError("KilledWorker"))
    assert isinstance(parallel.TaskFailedError("x"), QualpipeError)
