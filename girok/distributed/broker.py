"""The Redis broker: one Celery app for every role, the Redis keys girok keeps beside Celery's, and the URL
as it may be shown (never with its password).

Celery settings, and why:

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a task is acknowledged when its answer is stored,
  so a worker killed mid-document gives the task back (a dead pool process at once; a dead machine when
  the visibility timeout has passed);
- ``worker_prefetch_multiplier = 1``: a worker holds only what it works on: nothing waits behind a long
  document on one machine while another is idle;
- ``visibility_timeout`` ([workers] visibility_timeout_seconds, longer than the slowest document): a task
  not acknowledged within it is handed out again;
- ``result_expires``: an answer nobody collected (its claiming process died) does not stay for ever;
- JSON only: a task carries an archive id, a job folder name and a token; an answer a status and a folder
  name. No pickle, no paths, no text of a document: those stay on the share.
"""

from __future__ import annotations

import re
from functools import cached_property

from ..config import WorkersSettings

TASK = "girok.prepare"
HEARTBEAT_SECONDS = 5.0  # how often a worker says it is alive
HEARTBEAT_TTL = 20  # seconds its word lasts in Redis
LOST_AFTER = 15.0  # a job whose worker's word has expired this long ago is lost (the claiming process offers it again)
RESULT_PREFIX = "celery-task-meta-"  # Celery's Redis result backend keeps a task's answer under this key
TIMEOUT = 5.0  # seconds for one Redis command (girok's own keys; Celery has its own retries)


def redact(url: str) -> str:
    """The URL without its password: ``redis://:***@server:6379/0``."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


class Keys:
    """The Redis keys of one archive (several archives may share a Redis: each has its own queue and keys)."""

    def __init__(self, archive_id: str):
        self.archive_id = archive_id
        self.base = f"girok:{archive_id}"
        self.queue = f"girok.{archive_id}"  # Celery's queue (a Redis list of that name)
        self.queued = f"{self.base}:queued"  # zset job -> claimed at (the oldest waiting file)
        self.sources = f"{self.base}:sources"  # hash job -> file name (RRN masked), for status
        self.running = f"{self.base}:running"  # hash job -> {node, host, pid, started}
        self.indexer = f"{self.base}:indexer"  # the indexer's heartbeat

    def worker(self, node: str) -> str:
        return f"{self.base}:worker:{node}"

    def workers_pattern(self) -> str:
        return f"{self.base}:worker:*"

    def done(self, node: str) -> str:
        return f"{self.base}:done:{node}"  # zset "job:pages" -> finished at (pages/min)

    def sent(self, task_id: str) -> str:
        return f"{self.base}:sent:{task_id}"  # set after the task is sent: gone means Redis lost it


class Broker:
    """The Celery app and a Redis client for one archive's queue."""

    def __init__(self, settings: WorkersSettings, archive_id: str):
        self.settings = settings
        self.url = settings.broker
        self.keys = Keys(archive_id)

    @property
    def shown(self) -> str:
        return redact(self.url)

    @cached_property
    def redis(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT,
                                    health_check_interval=10, decode_responses=True)

    @cached_property
    def app(self):
        """The workers' app: answers are stored in Redis (Celery's result backend)."""
        return self._make_app(backend=self.url)

    @cached_property
    def sender(self):
        """The claiming process's app: sends tasks, and reads answers itself (``answers``), so it subscribes to
        nothing (Celery's Redis backend would subscribe to every task it sends)."""
        return self._make_app(backend=None)

    def answers(self, task_ids: list[str]) -> list[dict | None]:
        """What Celery's result backend holds for each task (``{"status", "result", ...}``), None when nothing."""
        import json

        if not task_ids:
            return []
        out = []
        for raw in self.redis.mget([RESULT_PREFIX + t for t in task_ids]):
            try:
                out.append(json.loads(raw) if raw else None)
            except ValueError:
                out.append(None)
        return out

    def forget(self, task_ids: list[str]) -> None:
        if task_ids:
            self.redis.delete(*[RESULT_PREFIX + t for t in task_ids])

    def _make_app(self, backend: str | None):
        from celery import Celery

        app = Celery("girok", broker=self.url, backend=backend, set_as_current=False)
        visibility = int(self.settings.visibility_timeout)
        app.conf.update(
            task_serializer="json", result_serializer="json", accept_content=["json"],
            result_accept_content=["json"],
            task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
            task_track_started=True,  # STARTED names the worker: the claiming process sees when it dies
            result_expires=int(self.settings.result_expires),
            broker_transport_options={"visibility_timeout": visibility},
            result_backend_transport_options={"visibility_timeout": visibility},
            task_default_queue=self.keys.queue,
            broker_connection_retry_on_startup=True,
            worker_hijack_root_logger=False,
            worker_send_task_events=False,
            task_send_sent_event=False,
            worker_disable_rate_limits=True,
            broker_heartbeat=0,
        )
        return app

    def ping(self) -> None:
        """Raise a GirokError that says what is wrong when Redis cannot be reached or refuses us."""
        import redis

        from ..errors import GirokError

        try:
            self.redis.ping()
        except redis.AuthenticationError as exc:
            raise GirokError(f"Redis at {self.shown} refused girok's password ({exc})",
                             hint="Give every girok service GIROK_REDIS_URL=redis://:PASSWORD@server:6379/0 with "
                                  "the password of the server's requirepass.") from None
        except redis.ResponseError as exc:
            if "NOAUTH" in str(exc) or "auth" in str(exc).lower():
                raise GirokError(f"Redis at {self.shown} needs a password",
                                 hint="Set GIROK_REDIS_URL=redis://:PASSWORD@server:6379/0.") from None
            raise GirokError(f"Redis at {self.shown}: {exc}") from None
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            raise GirokError(f"cannot reach Redis at {self.shown} ({exc})",
                             hint="Is redis-server running on that machine, bound to the office network, and the "
                                  "port open? (README, 'Several machines')") from None

    def close(self) -> None:
        if "redis" in self.__dict__:
            self.redis.close()
        for name in ("app", "sender"):
            if name in self.__dict__:
                self.__dict__[name].close()
