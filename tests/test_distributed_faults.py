"""Several machines, faults against real services: a worker SIGKILLed mid-document (on a SQLite and on a
PostgreSQL catalog), the watcher SIGKILLed mid-claim, Redis restarted (losing everything) with tasks queued,
the catalog's PostgreSQL server restarted in the middle of a transaction keeping a document. Afterwards nothing
is lost, nothing is archived twice, and `girok doctor` finds nothing. No mock of Celery, Redis or PostgreSQL.
"""

from __future__ import annotations

import re
import signal

import pytest
from conftest import wait_for
import helpers_distributed as hd
from helpers_distributed import BACKENDS, Cluster, RedisServer, drop, inputs, running_on, sha, worker_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    yield from hd.redis_url(tmp_path_factory)


@pytest.mark.parametrize("archive_catalog", BACKENDS, indirect=True)
def test_worker_killed_mid_document(archive_catalog, make_archive, redis_url, tmp_path):
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
        assert len(cluster.captured_shas()) < 4 and any(hot.iterdir()), "killed with work left"
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


def test_postgresql_restart_mid_transaction(make_archive, redis_url, tmp_path, monkeypatch):
    """The catalog's PostgreSQL server restarts (`pg_ctl restart -m fast`: every connection cut) while the claiming
    process is inside the transaction that keeps a document, with more documents in hand: the watcher, the
    workers and the indexer carry on once it is back, every file is archived once, nothing is lost."""
    import psycopg

    from girok.catalog.dialect import PG_WRITE_LOCK_KEY

    server = hd.PostgresServer().start()  # a server of this test's own: it is restarted
    try:
        with hd._pg_database(server.admin_url) as name:
            monkeypatch.setenv("GIROK_CATALOG_URL", hd._pg_database_url(server.admin_url, name))
            cluster = Cluster(make_archive(), redis_url, tmp_path / "logs")
            try:
                files = inputs(tmp_path / "in", 3, corpus=False)
                shas = [sha(f) for f in files]
                watcher = cluster.watcher()
                worker = cluster.worker(concurrency=2)
                indexer = cluster.indexer()
                # Hold the catalog's write lock: the first keep waits for it inside its transaction (the lock is
                # the transaction's first statement), and that is when the server goes down.
                holder = psycopg.connect(cluster.catalog_url)
                holder.execute("SELECT pg_advisory_xact_lock(%s)", [PG_WRITE_LOCK_KEY])
                hot = cluster.archive / "hot" / "default"
                drop(files, hot)

                def keeping() -> bool:
                    return holder.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
                        "pg_backend_pid() AND wait_event_type = 'Lock' AND wait_event = 'advisory'").fetchone()[0] > 0

                wait_for(keeping, timeout=120, what="the watcher to be keeping a document")
                assert cluster.captured_shas() == []
                server.restart("fast", down=3)  # long enough for the indexer, polling, to find it away
                with pytest.raises(psycopg.OperationalError):  # its connection was cut too: the lock is gone
                    holder.execute("SELECT 1")
                holder.close()
                cluster.wait_archived(shas, hot, watcher=watcher, timeout=300)
                assert watcher.poll() is None and indexer.poll() is None and worker.poll() is None
                log = (cluster.archive / "logs" / "girok.log").read_text()
                # the keep cut mid-transaction (it was waiting inside it when the server went down: what the driver says
                # depends on when it noticed, "terminating connection" or "could not connect"), done again once the
                # server answered; the indexer found it away too
                assert re.search(r"keeping 민원 \d\.png: the catalog cannot be reached \(", log), log[-3000:]
                assert re.search(r"keeping 민원 \d\.png: the catalog answers again", log), log[-3000:]
                assert "indexer: the catalog cannot be reached" in log and "indexer: the catalog answers again" in log
                assert cluster.stop(watcher, signal.SIGINT) == 0, watcher.err_path.read_text()[-3000:]
                assert sorted(o["status"] for o in cluster.outcomes(watcher)) == ["archived"] * 3, cluster.outcomes(watcher)
                assert cluster.stop(worker) == 0
                cluster.wait_indexed()
                assert cluster.stop(indexer) == 0, indexer.err_path.read_text()[-3000:]
                cluster.assert_consistent(shas)
            finally:
                cluster.stop_all()
                for f in (server.log,):
                    if f.exists():
                        (tmp_path / "logs" / "postgresql.log").write_bytes(f.read_bytes())
    finally:
        server.stop()
