"""Several machines: which executor ingest and watch use, `girok worker`, `girok indexer`, and what status shows
of them (README, "Several machines"; the design is in girok.distributed).

Nothing here runs on one machine: without [workers] broker (or GIROK_REDIS_URL) ``executor_for`` answers
None and ingest/watch use the local process pool as they always have.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Callable

from ..archive.layout import Archive
from ..config import ArchiveConfig
from ..ingest.locks import IndexerLock

log = logging.getLogger(__name__)


def distributed(config: ArchiveConfig) -> bool:
    return config.distributed.distributed


def executor_for(arch: Archive, workers: int | None = None):
    """A CeleryExecutor when the archive has a broker (the shared folder checked, Redis reached), else None.
    ``workers`` caps the jobs in hand at twice that; by default twice the worker processes alive."""
    if not distributed(arch.config):
        return None
    from ..distributed.broker import Broker
    from ..distributed.executor import CeleryExecutor
    from ..distributed.share import ensure_marks

    aid = ensure_marks(arch.root)
    broker = Broker(arch.config.distributed, aid)
    broker.ping()
    return CeleryExecutor(broker, capacity=workers or None)


def worker_context(root: Path, config: ArchiveConfig):
    """Everything `girok worker` checks before it takes a job (shared folder, Redis, OCR programs)."""
    from ..errors import ConfigError

    if not distributed(config):
        raise ConfigError(f"{root / 'girok.toml'} names no broker: `girok worker` takes jobs from a Redis queue",
                          hint="Set [workers] broker in girok.toml, or GIROK_REDIS_URL=redis://:PASSWORD@server:6379/0 "
                               "(README, 'Several machines').")
    from ..distributed.worker import start_context

    return start_context(root, config)


def run_worker(ctx, *, concurrency: int | None = None, on_ready: Callable | None = None) -> int:
    from ..distributed.worker import run_worker as run

    return run(ctx, concurrency=concurrency or max(1, os.cpu_count() or 1), on_ready=on_ready)


def run_indexer(arch: Archive, *, poll: float = 2.0, once: bool = False,
                on_indexed: Callable[[int], None] = lambda n: None, stop: Callable[[], bool] = lambda: False) -> int:
    """Index what the catalog says is not indexed yet, every ``poll`` seconds until stopped (or once); returns how
    many documents it indexed. The one writer of the search index when several machines archive."""
    from ..archive.indexing import catch_up_index
    from ..errors import CatalogUnavailable

    heartbeat = None
    with IndexerLock(arch.root):
        if distributed(arch.config):
            heartbeat = _indexer_heartbeat(arch)
        total = 0
        away = False  # the catalog's server is away (a restart): said once, then looked at again every poll
        try:
            while True:
                try:
                    n = catch_up_index(arch)
                except CatalogUnavailable as exc:
                    if once:
                        raise
                    if not away:
                        log.warning("indexer: the catalog cannot be reached (%s); trying again", exc.message)
                    away, n = True, 0
                else:
                    if away:
                        log.warning("indexer: the catalog answers again")
                    away = False
                if n:
                    total += n
                    on_indexed(n)
                if once or stop():
                    return total
                time.sleep(poll)
        finally:
            if heartbeat is not None:
                heartbeat.stop()


def _indexer_heartbeat(arch: Archive):
    from ..distributed import registry
    from ..distributed.broker import Broker
    from ..distributed.share import check_marks

    aid = check_marks(arch.root)
    broker = Broker(arch.config.distributed, aid)
    beat = registry.Heartbeat(broker, broker.keys.indexer, {"node": "indexer", "host": registry.host(),
                                                            "pid": os.getpid(), "started": time.time()})
    beat.start()
    return beat


def workers_status(arch: Archive) -> dict:
    """For `girok status`: {} on one machine; else ``{"distributed": {broker, queue: {depth, oldest}, workers:
    [{host, pid, in_hand, pages_per_minute, ...}], indexer}}``, or the reason Redis could not be read."""
    if not distributed(arch.config):
        return {}
    from ..distributed import registry
    from ..distributed.broker import Broker, redact
    from ..distributed.share import archive_id

    aid = archive_id(arch.root)
    if aid is None:
        return {"distributed": {"broker": redact(arch.config.distributed.broker), "error":
                                "no claiming process has started with the broker yet (no archive id)"}}
    broker = Broker(arch.config.distributed, aid)
    try:
        return {"distributed": registry.snapshot(broker)}
    except Exception as exc:
        return {"distributed": {"broker": broker.shown, "error": f"Redis could not be read: {type(exc).__name__}"}}
    finally:
        broker.close()
