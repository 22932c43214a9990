"""The executor seam (girok.ingest.executor): Ingestor with a fake executor, and the real local pool."""

import os
import time
from concurrent.futures import Future

import pytest

from girok.archive.layout import Archive
from girok.errors import InputRejected
from girok.ingest.executor import LocalPoolExecutor, WorkerLost
from girok.ingest.pipeline import Ingestor, Item
from girok.ingest.prepare import Job


class FakeExecutor:
    """Answers each job with what ``answers`` says, in order: an exception to fail with."""

    capacity = 2
    lost_together = True

    def __init__(self, answers):
        self.answers = list(answers)
        self.jobs: list[Job] = []
        self.abandoned = self.shut = 0

    def submit(self, job):
        self.jobs.append(job)
        fut: Future = Future()
        fut.set_exception(self.answers.pop(0))
        return fut

    def abandon(self):
        self.abandoned += 1

    def shutdown(self):
        self.shut += 1


@pytest.fixture
def arch(make_archive):
    a = Archive.open(make_archive())
    yield a
    a.close()


def _item(arch, path):
    return Item(path, next(iter(arch.config.profiles.values())), "scans", move_source=False)


def test_ingestor_takes_the_executor_it_is_given(arch, tmp_path):
    src = tmp_path / "scan.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    bad = InputRejected("cannot read it", stage="ocr", advice="rescan")
    ex = FakeExecutor([bad])
    ing = Ingestor(arch, executor=ex)
    assert ing.workers == 2 and ing.has_room()
    assert ing.offer(_item(arch, src)) == []
    assert ing.busy == 1 and ing.in_hand() == {src}
    [job] = ex.jobs
    # what a worker elsewhere needs, and nothing only this process can use
    assert job.source_name == "scan.png" and job.original.read_bytes() == src.read_bytes()
    assert not any(hasattr(job, k) for k in ("source", "source_stat", "move_source", "hot_folder", "sha256"))
    [out] = ing.finish()
    assert out.status == "quarantined" and "cannot read it" in out.reason
    assert not job.work_dir.exists()
    ing.close()
    assert ex.shut == 1


def test_a_lost_worker_is_retried_then_quarantined(arch, tmp_path):
    src = tmp_path / "scan.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\1" * 100)
    ex = FakeExecutor([WorkerLost("killed"), WorkerLost("killed")])
    ing = Ingestor(arch, executor=ex)
    ing.offer(_item(arch, src))
    assert ing.finish() == [] and [i.path for i in ing.retry] == [src] and ex.abandoned == 1
    ing.offer(ing.retry.pop(0))
    [out] = ing.finish()
    assert out.status == "quarantined" and "crashed the OCR worker twice" in out.reason
    ing.abandon()
    assert ex.abandoned == 3
    ing.close()


@pytest.mark.e2e
def test_local_pool_runs_workers_in_their_own_session():
    ex = LocalPoolExecutor(1, task=os.getsid)
    try:
        sid = ex.submit(0).result(timeout=120)
        assert sid != os.getsid(0) and sid in ex.worker_pids()
    finally:
        ex.shutdown()


@pytest.mark.e2e
def test_local_pool_abandon_kills_running_work_and_starts_afresh():
    ex = LocalPoolExecutor(1, task=time.sleep)
    fut = ex.submit(600)
    deadline = time.time() + 120
    while not ex.worker_pids() and time.time() < deadline:
        time.sleep(0.05)
    [pid] = ex.worker_pids()
    time.sleep(1.0)  # the worker is sleeping in the job now
    start = time.time()
    ex.abandon()
    assert time.time() - start < 30
    with pytest.raises(WorkerLost):
        fut.result(timeout=10)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    try:  # usable again: fresh workers
        assert ex.submit(0.0).result(timeout=120) is None and ex.worker_pids() != [pid]
    finally:
        ex.shutdown()


def test_a_step_waits_for_the_catalog_server_then_gives_up(monkeypatch):
    """pipeline.patiently: a keep (or lookup) cut by a catalog server restart is done again, ``again`` said, with
    longer pauses; past its patience the error goes on (the watcher waits, the file stays in its hot folder)."""
    from girok.errors import CatalogUnavailable
    from girok.ingest import pipeline

    slept: list[float] = []
    monkeypatch.setattr(pipeline.time, "sleep", slept.append)
    calls: list[bool] = []

    def step(again: bool) -> str:
        calls.append(again)
        if len(calls) < 4:
            raise CatalogUnavailable("the server restarts")
        return "kept"

    assert pipeline.patiently("keeping scan.png", step) == "kept"
    assert calls == [False, True, True, True] and slept == [0.25, 0.5, 1.0]

    def away(again: bool):
        raise CatalogUnavailable("the server is gone")

    with pytest.raises(CatalogUnavailable):
        pipeline.patiently("keeping scan.png", away, patience=1.0)
