"""Several machines, end to end against real services: a watcher, two `girok worker` processes (each its own
process group, a stand-in for a machine) and an indexer over one archive, through a real Redis.

No mock of Celery, Redis or PostgreSQL; the catalog is SQLite (the claiming process is its one writer), and for
the test of two workers also a PostgreSQL database of its own (``catalog``).
"""

from __future__ import annotations

import os
import signal
import time
from urllib.parse import urlsplit

import pytest
from conftest import wait_for
import helpers_distributed as hd
from helpers_distributed import BACKENDS, Cluster, drop, inputs, sha

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    yield from hd.redis_url(tmp_path_factory)


@pytest.fixture
def cluster(archive_catalog, make_archive, redis_url, tmp_path):
    c = Cluster(make_archive(), redis_url, tmp_path / "logs")
    yield c
    c.stop_all()


@pytest.mark.parametrize("archive_catalog", BACKENDS, indirect=True)
def test_two_workers_archive_every_input_exactly_once(cluster, tmp_path):
    files = inputs(tmp_path / "in", 4)
    shas = [sha(f) for f in files]
    watcher = cluster.watcher()
    workers = [cluster.worker(), cluster.worker()]
    indexer = cluster.indexer()
    wait_for(lambda: len(cluster.status()["distributed"]["workers"]) == 2, timeout=60, what="both workers in status")

    hot = cluster.archive / "hot" / "default"
    drop(files, hot)
    cluster.wait_archived(shas, hot, watcher=watcher)
    cluster.wait_indexed()

    st = cluster.status()["distributed"]
    assert st["queue"]["depth"] == 0 and st["queue"]["oldest"] is None, st
    by_pid = {w["pid"]: w for w in st["workers"]}
    assert set(by_pid) == {w.pid for w in workers}, st
    assert all(by_pid[w.pid]["pages_last_hour"] >= 1 for w in workers), f"both workers prepared pages: {st}"
    assert st["indexer"] and st["indexer"]["pid"] == indexer.pid, st

    assert cluster.stop(watcher, signal.SIGINT) == 0, watcher.err_path.read_text()[-3000:]
    for w in workers:  # SIGTERM: a warm shutdown, nothing in hand
        assert cluster.stop(w) == 0, w.err_path.read_text()[-3000:]
    assert cluster.stop(indexer) == 0
    out = cluster.outcomes(watcher)
    assert sorted(o["status"] for o in out) == ["archived"] * len(files), out
    cluster.assert_consistent(shas)
    passwords = [urlsplit(cluster.url).password]  # Redis's, and the catalog server's: never shown
    if cluster.catalog.dialect.name == "postgresql":
        passwords.append(urlsplit(cluster.catalog_url).password)
    shown = cluster.girok("status")
    for password in passwords:
        for p in [*cluster.logs.iterdir(), *(cluster.archive / "logs").iterdir()]:
            assert password not in p.read_text(), p.name
        assert password not in shown.stdout + shown.stderr and "***" in shown.stdout, shown.stdout


def test_worker_sigterm_finishes_the_document_in_hand(cluster, tmp_path):
    files = inputs(tmp_path / "in", 1, corpus=False)
    watcher = cluster.watcher()
    worker = cluster.worker()
    drop(files, cluster.archive / "hot" / "default")
    wait_for(lambda: hd.running_on(cluster.url, cluster.archive), timeout=120, what="the worker to take the file")
    worker.send_signal(signal.SIGTERM)  # to the worker itself, as systemd's KillMode=mixed does
    assert worker.wait(timeout=300) == 0, worker.err_path.read_text()[-3000:]
    wait_for(lambda: cluster.captured_shas() == [sha(files[0])], timeout=60,
             what="the document it finished to be archived")
    assert cluster.stop(watcher, signal.SIGINT) == 0
    assert [o["status"] for o in cluster.outcomes(watcher)] == ["archived"]


def test_a_worker_refuses_a_task_whose_paths_leave_the_work_area(cluster, tmp_path):
    """A task is not trusted: one naming a folder outside the shared work area is answered "refused" and
    nothing is read or written there."""
    from girok.distributed.broker import Broker
    from girok.distributed.share import ensure_marks
    from girok.config import load_archive_config

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "job.json").write_text('{"job": "outside", "original": "x.png", "token": "t"}')
    aid = ensure_marks(cluster.archive)
    worker = cluster.worker()
    os.environ["GIROK_REDIS_URL"] = cluster.url
    try:
        broker = Broker(load_archive_config(cluster.archive).distributed, aid)
    finally:
        del os.environ["GIROK_REDIS_URL"]
    try:
        forged = [{"archive": aid, "job": "../../outside", "token": "t"},
                  {"archive": aid, "job": str(outside), "token": "t"},
                  {"archive": "0" * 32, "job": "abc", "token": "t"}]
        ids = [broker.sender.send_task("girok.prepare", args=[m], queue=broker.keys.queue).id for m in forged]
        deadline = time.monotonic() + 120
        answers = []
        while time.monotonic() < deadline:
            answers = broker.answers(ids)
            if all(a and a["status"] == "SUCCESS" for a in answers):
                break
            time.sleep(0.5)
        assert [a["result"]["status"] for a in answers] == ["refused"] * 3, answers
        assert "outside" in answers[0]["result"]["reason"] or "work folder" in answers[0]["result"]["reason"]
        assert sorted(p.name for p in outside.iterdir()) == ["job.json"], "nothing written outside"
    finally:
        broker.close()
        cluster.stop(worker)
