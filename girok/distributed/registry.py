"""Who is working on what, in Redis beside Celery's own keys: read by `girok status` and the claiming process.

- each `girok worker` says every few seconds that it is alive (a key with a short lifetime: host, pid,
  processes); a worker that dies falls silent and its key expires;
- a pool process notes the job it holds (``running``) and, when done, its pages (``done``: pages/min);
- the claiming process notes each job it enqueues with the time it claimed it (``queued``, the oldest
  waiting file), and takes the note away when the job is settled.

Everything here is a convenience for operators and for noticing a dead worker quickly: it never decides
whether a file is archived. A Redis that lost these keys (restarted without its data) is told again within
seconds.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time

from .broker import HEARTBEAT_SECONDS, HEARTBEAT_TTL, Broker

log = logging.getLogger(__name__)
DONE_WINDOW = 3600.0  # pages/min over the last hour, as `girok status` shows the archive's


def host() -> str:
    return socket.gethostname()


class Heartbeat(threading.Thread):
    """A worker's (or the indexer's) word that it is alive, every HEARTBEAT_SECONDS while it runs."""

    def __init__(self, broker: Broker, key: str, info: dict):
        super().__init__(daemon=True, name="girok-heartbeat")
        self.broker, self.key, self.info = broker, key, info
        self.halt = threading.Event()

    def beat(self) -> None:
        self.broker.redis.set(self.key, json.dumps({**self.info, "seen": time.time()}), ex=HEARTBEAT_TTL)

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                self.beat()
            except Exception as exc:  # Redis away (restarting): say it again when it is back
                log.debug("heartbeat not sent: %s", exc)
            self.halt.wait(HEARTBEAT_SECONDS)

    def stop(self) -> None:
        self.halt.set()
        try:
            self.broker.redis.delete(self.key)
        except Exception:
            pass


def live_workers(broker: Broker) -> dict[str, dict]:
    """node -> what the worker last said about itself, for every worker alive now."""
    r = broker.redis
    keys = list(r.scan_iter(match=broker.keys.workers_pattern(), count=200))
    out = {}
    for key, raw in zip(keys, r.mget(keys) if keys else []):
        if raw:
            try:
                info = json.loads(raw)
                out[info["node"]] = info
            except (ValueError, KeyError, TypeError):
                continue
    return out


def note_running(broker: Broker, job: str, node: str) -> None:
    r = broker.redis
    r.zrem(broker.keys.queued, job)
    r.hset(broker.keys.running, job, json.dumps({"node": node, "host": host(), "pid": os.getpid(),
                                                 "started": time.time()}))


def note_done(broker: Broker, job: str, node: str, pages: int) -> None:
    r, now = broker.redis, time.time()
    key = broker.keys.done(node)
    r.hdel(broker.keys.running, job)
    if pages:
        r.zadd(key, {f"{job}:{pages}": now})
        r.zremrangebyscore(key, 0, now - DONE_WINDOW)
        r.expire(key, int(2 * DONE_WINDOW))


def note_queued(broker: Broker, job: str, source: str, claimed: float) -> None:
    r = broker.redis
    r.zadd(broker.keys.queued, {job: claimed})
    r.hset(broker.keys.sources, job, source)


def note_settled(broker: Broker, job: str) -> None:
    r = broker.redis
    r.zrem(broker.keys.queued, job)
    r.hdel(broker.keys.sources, job)
    r.hdel(broker.keys.running, job)


def pages_per_minute(broker: Broker, node: str, now: float | None = None) -> tuple[int, float]:
    """(pages prepared in the last hour, pages/min over the span from the first to the last, at least a minute)."""
    now = now or time.time()
    rows = broker.redis.zrangebyscore(broker.keys.done(node), now - DONE_WINDOW, now, withscores=True)
    pages = 0
    for member, _ in rows:
        try:
            pages += int(member.rsplit(":", 1)[1])
        except (ValueError, IndexError):
            continue
    if not rows:
        return 0, 0.0
    minutes = max(1.0, (rows[-1][1] - rows[0][1]) / 60)
    return pages, round(pages / minutes, 1)


def snapshot(broker: Broker) -> dict:
    """Workers (host, pid, documents in hand, pages/min), queue depth and the oldest waiting file, indexer."""
    r, keys, now = broker.redis, broker.keys, time.time()
    workers = live_workers(broker)
    running: dict[str, int] = {}
    for raw in r.hvals(keys.running):
        try:
            node = json.loads(raw)["node"]
        except (ValueError, KeyError, TypeError):
            continue
        running[node] = running.get(node, 0) + 1
    rows = []
    for node, info in sorted(workers.items(), key=lambda kv: (kv[1].get("host", ""), kv[1].get("pid", 0))):
        pages, rate = pages_per_minute(broker, node, now)
        rows.append({"node": node, "host": info.get("host"), "pid": info.get("pid"),
                     "processes": info.get("concurrency"), "in_hand": running.get(node, 0),
                     "pages_last_hour": pages, "pages_per_minute": rate})
    oldest = None
    first = r.zrange(keys.queued, 0, 0, withscores=True)
    if first:
        job, claimed = first[0]
        oldest = {"source": r.hget(keys.sources, job) or job, "waiting_seconds": int(max(0.0, now - claimed))}
    indexer = None
    raw = r.get(keys.indexer)
    if raw:
        try:
            info = json.loads(raw)
            indexer = {"host": info.get("host"), "pid": info.get("pid")}
        except ValueError:
            pass
    return {"broker": broker.shown, "queue": {"depth": int(r.llen(keys.queue)), "oldest": oldest},
            "workers": rows, "indexer": indexer}
