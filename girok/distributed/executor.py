"""CeleryExecutor: the Executor seam (girok.ingest.executor) over a Redis queue of `girok worker` processes.

``submit(job)`` writes ``job.json`` into the job's (shared) work folder, sends the task and returns a
Future. A collector thread resolves the Futures from the tasks' answers (Celery's result backend, polled):

- ``ok``: the Prepared is read from the worker's run folder (girok.distributed.jobs.read_result);
- ``rejected``: InputRejected (the Ingestor quarantines the file); ``error``: MissingDependency, a full disk
  (OSError ENOSPC) or an internal error, as a local worker would raise them;
- ``lost``, or the worker that started the task has fallen silent for ``LOST_AFTER`` seconds, or the task
  was revoked: WorkerLost (the Ingestor offers the file again; the second time it quarantines it);
- ``gone``: the worker could not see the job's work folder while this process still holds it: that
  worker's archive folder is not the shared one; WorkerLost with that said.

A task is sent again when Redis lost it (a restart without its data): after sending, a key notes the task;
when that key is gone the message may be gone too, so the job is sent once more. Whichever answer comes
first settles the Future, once; a later one is ignored. The Ingestor keeps exactly once per Future, and the
catalog refuses a second record of the same SHA-256, so a job prepared twice is never archived twice.

``lost_together`` is False: one dead worker loses only its own job.
"""

from __future__ import annotations

import errno
import logging
import secrets
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field

from ..errors import InputRejected, MissingDependency
from ..ingest.executor import WorkerLost
from ..ingest.prepare import Job
from ..text.pii import mask_rrn
from . import registry
from .broker import LOST_AFTER, TASK, Broker
from .jobs import write_job

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # how often the answers of the jobs in hand are looked at
RESEND_CHECK_SECONDS = 5.0  # how often the notes of sent tasks are looked for (Redis lost its data?)
CAPACITY_SECONDS = 5.0  # how long the count of live worker processes is trusted


@dataclass
class _Track:
    job: Job
    future: Future
    token: str
    claimed: float
    task_ids: list[str] = field(default_factory=list)
    node: str | None = None  # the worker that started it (Celery's STARTED state names it)
    silent_since: float | None = None


class CeleryExecutor:
    """Jobs prepared by `girok worker` processes anywhere; see the module's docstring."""

    lost_together = False

    def __init__(self, broker: Broker, *, capacity: int | None = None, poll: float = POLL_SECONDS):
        self.broker = broker
        self._fixed_capacity = capacity
        self._poll = poll
        self._tracks: dict[str, _Track] = {}
        self._lock = threading.Lock()
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None
        self._capacity = (0.0, 1)
        self._last_resend_check = 0.0

    # -- the seam --------------------------------------------------------------------------------------

    @property
    def capacity(self) -> int:
        """The worker processes alive now (``--workers`` when given): the Ingestor keeps twice that in hand."""
        if self._fixed_capacity:
            return self._fixed_capacity
        at, n = self._capacity
        if time.monotonic() - at > CAPACITY_SECONDS:
            try:
                n = max(1, sum(int(w.get("concurrency") or 1) for w in registry.live_workers(self.broker).values()))
            except Exception as exc:  # Redis away: keep the last count
                log.debug("worker count not read: %s", exc)
            self._capacity = (time.monotonic(), n)
        return n

    def submit(self, job: Job) -> Future:
        token = secrets.token_hex(8)
        write_job(job, token)
        fut: Future = Future()
        fut.set_running_or_notify_cancel()
        track = _Track(job=job, future=fut, token=token, claimed=time.time())
        with self._lock:
            self._tracks[job.job_id] = track
        try:
            self._send(track)
        except Exception as exc:  # Redis away: the collector sends it when it is back
            log.warning("job %s not sent yet (%s); sent again when Redis answers", job.job_id, exc)
        self._start()
        return fut

    def abandon(self) -> None:
        with self._lock:
            tracks = list(self._tracks.values())
            self._tracks.clear()
        ids = [t for tr in tracks for t in tr.task_ids]
        if ids:
            try:
                self.broker.sender.control.revoke(ids)
            except Exception as exc:
                log.debug("revoke not sent: %s", exc)
        for tr in tracks:
            self._forget(tr)
            if not tr.future.done():
                tr.future.set_exception(WorkerLost("the job was abandoned"))

    def shutdown(self) -> None:
        self._halt.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._halt.clear()
        with self._lock:
            left = list(self._tracks.values())
        if left:
            self.abandon()
        self.broker.close()

    # -- sending ---------------------------------------------------------------------------------------

    def _send(self, track: _Track) -> None:
        job, keys = track.job, self.broker.keys
        task_id = uuid.uuid4().hex
        self.broker.sender.send_task(TASK, args=[{"archive": keys.archive_id, "job": job.job_id, "token": track.token}],
                                  task_id=task_id, queue=keys.queue,
                                  retry=True, retry_policy={"max_retries": 2, "interval_start": 0.5})
        with self._lock:
            track.task_ids.append(task_id)
        r = self.broker.redis
        r.set(keys.sent(task_id), job.job_id, ex=int(self.broker.settings.result_expires))  # after the send: see _resend_lost
        registry.note_queued(self.broker, job.job_id, mask_rrn(job.source_name), track.claimed)

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._collect, daemon=True, name="girok-collector")
            self._thread.start()

    # -- collecting ------------------------------------------------------------------------------------

    def _collect(self) -> None:
        away = False  # said once per outage, not every round
        while not self._halt.is_set():
            try:
                self._round()
                if away:
                    log.warning("Redis at %s answers again", self.broker.shown)
                away = False
            except Exception as exc:  # Redis restarting: look again shortly
                if not away:
                    log.warning("Redis at %s does not answer (%s: %s); the jobs in hand wait", self.broker.shown,
                                type(exc).__name__, exc)
                away = True
            self._halt.wait(self._poll)

    def _round(self) -> None:
        with self._lock:
            tracks = list(self._tracks.values())
        if not tracks:
            return
        workers = None
        for tr in tracks:
            answer = None
            for meta in self.broker.answers(list(tr.task_ids)):
                state = (meta or {}).get("status")
                result = (meta or {}).get("result")
                if state == "SUCCESS":
                    answer = result if isinstance(result, dict) else {"status": "error", "kind": "internal",
                                                                      "message": repr(result)}
                    break
                if state in ("FAILURE", "REVOKED"):
                    kind = result.get("exc_type") if isinstance(result, dict) else None
                    lost = state == "REVOKED" or kind == "WorkerLostError"
                    answer = {"status": "lost" if lost else "error", "kind": "internal",
                              "message": f"{kind or state}: {(result or {}).get('exc_message') if isinstance(result, dict) else result}"}
                    break
                if state == "STARTED" and isinstance(result, dict) and result.get("hostname"):
                    tr.node = result["hostname"]
            if answer is not None:
                self._settle(tr, answer)
                continue
            if tr.node:
                if workers is None:
                    workers = registry.live_workers(self.broker)
                if tr.node in workers:
                    tr.silent_since = None
                elif tr.silent_since is None:
                    tr.silent_since = time.monotonic()
                elif time.monotonic() - tr.silent_since > LOST_AFTER:
                    self._settle(tr, {"status": "lost", "message": f"worker {tr.node} stopped answering"})
        if time.monotonic() - self._last_resend_check > RESEND_CHECK_SECONDS:
            self._last_resend_check = time.monotonic()
            self._resend_lost()

    def _resend_lost(self) -> None:
        """Send again every job none of whose tasks Redis still knows (it restarted without its data)."""
        r, keys = self.broker.redis, self.broker.keys
        with self._lock:
            tracks = [t for t in self._tracks.values() if not t.future.done()]
        for tr in tracks:
            if tr.task_ids and r.exists(*[keys.sent(t) for t in tr.task_ids]):
                continue
            log.warning("job %s (%s) was not in Redis any more: sent again", tr.job.job_id, mask_rrn(tr.job.source_name))
            tr.node, tr.silent_since = None, None
            self._send(tr)

    def _settle(self, tr: _Track, answer: dict) -> None:
        with self._lock:
            if self._tracks.get(tr.job.job_id) is not tr:
                return
            del self._tracks[tr.job.job_id]
        self._forget(tr)
        if answer.get("status") in ("lost", "gone", "refused"):
            log.warning("job %s (%s) lost: %s", tr.job.job_id, mask_rrn(tr.job.source_name),
                        answer.get("message") or answer.get("reason") or answer.get("status"))
        try:
            result = self._result(tr, answer)
        except BaseException as exc:
            if not tr.future.done():
                tr.future.set_exception(exc)
            return
        if not tr.future.done():
            tr.future.set_result(result)

    def _result(self, tr: _Track, answer: dict):
        from .jobs import read_result

        status = answer.get("status")
        host = answer.get("host") or "?"
        if status == "ok":
            return read_result(tr.job, answer.get("run"))
        if status == "rejected":
            raise InputRejected(str(answer.get("message")), stage=str(answer.get("stage") or "ocr"),
                                advice=str(answer.get("advice") or ""))
        if status == "lost":
            raise WorkerLost(str(answer.get("message") or "the worker was lost"))
        if status == "gone":
            raise WorkerLost(f"the worker on {host} could not see the job's work folder {tr.job.work_dir}: "
                             "its archive folder is not the shared one (see README, 'Several machines')")
        if status == "refused":
            raise WorkerLost(f"the worker on {host} refused the job: {answer.get('reason')}")
        kind = answer.get("kind")
        message = f"on {host}: {answer.get('message')}"
        if kind == "missing":
            raise MissingDependency(message, hint=str(answer.get("hint") or ""))
        if kind == "disk-full":
            raise OSError(errno.ENOSPC, message)
        raise RuntimeError(message)

    def _forget(self, tr: _Track) -> None:
        """Take away what Redis holds for a settled job (its answers, notes); harmless when Redis is away."""
        try:
            r, keys = self.broker.redis, self.broker.keys
            if tr.task_ids:
                r.delete(*[keys.sent(t) for t in tr.task_ids])
            registry.note_settled(self.broker, tr.job.job_id)
            self.broker.forget(tr.task_ids)
        except Exception as exc:
            log.debug("answers of job %s not forgotten: %s", tr.job.job_id, exc)
