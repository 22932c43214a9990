"""Several machines, faults against real services: a worker SIGKILLed mid-document, the watcher SIGKILLed
mid-claim, Redis restarted (losing everything) with tasks queued. Afterwards nothing is lost, nothing is
archived twice, and `girok doctor` finds nothing. No mock of Celery or Redis.
"""

from __future__ import annotations

import signal

import pytest
from conftest import wait_for
import helpers_distributed as hd
from helpers_distributed import Cluster, RedisServer, drop, inputs, running_on, sha, worker_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    yield from hd.redis_url(tmp_path_factory)


def test_worker_killed_mid_document(make_archive, redis_url, tmp_path):
    """The killed worker's file is offered again and prepared by the other one; archived once."""
    cluster = Cluster(make_archive(), redis_url, tmp_path / "logs")
    try:
        files = inputs(tmp_path / "in", 3, corpus=False)
        shas = [sha(f) for f in files]
        watcher = cluster.watcher()
        doomed, survivor = cluster.worker(), cluster.worker()
        hot = cluster.archive / "hot" / "default"
        drop(files, hot)
        node = worker_node(doomed)
        wait_for(lambda: node in running_on(cluster.url, cluster.archive).values(), timeout=300,
                 what="the doomed worker to start a document")
        cluster.kill(doomed)  # the machine is gone: worker, pool and tesseract
        cluster.wait_archived(shas, hot, watcher=watcher)
        assert f"worker {node} stopped answering" in (cluster.archive / "logs" / "girok.log").read_text()
        assert cluster.stop(watcher, signal.SIGINT) == 0
        assert sorted(o["status"] for o in cluster.outcomes(watcher)) == ["archived"] * 3, cluster.outcomes(watcher)
        assert cluster.stop(survivor) == 0
        assert cluster.girok("indexer", "--once").returncode == 0
        cluster.assert_consistent(shas)
    finally:
        cluster.stop_all()


def test_watcher_killed_mid_claim_then_restarted(make_archive, redis_url, tmp_path):
    """Killed with one file archived, one with a worker and one just copied into the work area: the restarted
    watcher cleans the work area and takes the rest; a worker's job that vanished under it leaves nothing."""
    cluster = Cluster(make_archive(), redis_url, tmp_path / "logs")
    try:
        files = inputs(tmp_path / "in", 4, corpus=False)
        shas = [sha(f) for f in files]
        first = cluster.watcher(env={"GIROK_FAULT": "after-claim@3"})
        worker = cluster.worker()
        hot = cluster.archive / "hot" / "default"
        drop(files, hot)
        assert first.wait(timeout=600) == 137, first.err_path.read_text()[-3000:]
        cluster.kill(first)
        assert len(hd.captured_shas(cluster.archive)) < 4 and any(hot.iterdir()), "killed with work left"
        second = cluster.watcher()
        cluster.wait_archived(shas, hot)
        assert cluster.stop(second, signal.SIGINT) == 0
        wait_for(lambda: not running_on(cluster.url, cluster.archive), timeout=300, what="the worker to be idle")
        assert cluster.stop(worker) == 0
        assert cluster.girok("indexer", "--once").returncode == 0
        cluster.assert_consistent(shas)
    finally:
        cluster.stop_all()


def test_redis_restart_with_tasks_queued(make_archive, tmp_path):
    """Redis restarts and loses every task, answer and note: the claiming process sends its jobs again, the
    worker reconnects, every file is archived once."""
    if not hd.Path(hd.REDIS_SERVER).exists():
        pytest.skip(hd.NO_REDIS)
    server = RedisServer(tmp_path / "redis").start()
    cluster = Cluster(make_archive(), server.url, tmp_path / "logs")
    try:
        files = inputs(tmp_path / "in", 4, corpus=False)
        shas = [sha(f) for f in files]
        watcher = cluster.watcher("--workers", "2")  # 4 files in hand: one with the worker, three queued
        worker = cluster.worker()
        hot = cluster.archive / "hot" / "default"
        drop(files, hot)
        wait_for(lambda: cluster.status().get("distributed", {}).get("queue", {}).get("depth", 0) >= 2,
                 timeout=300, what="tasks waiting in the queue")
        server.restart()  # no persistence: the queue, the answers and girok's notes are gone
        cluster.wait_archived(shas, hot, watcher=watcher)
        assert "not in Redis any more: sent again" in (cluster.archive / "logs" / "girok.log").read_text()
        assert cluster.stop(watcher, signal.SIGINT) == 0
        assert sorted(o["status"] for o in cluster.outcomes(watcher)) == ["archived"] * 4, cluster.outcomes(watcher)
        wait_for(lambda: not running_on(cluster.url, cluster.archive), timeout=300, what="the worker to be idle")
        assert cluster.stop(worker) == 0
        assert cluster.girok("indexer", "--once").returncode == 0
        cluster.assert_consistent(shas)
    finally:
        cluster.stop_all()
        server.stop()
