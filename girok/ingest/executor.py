"""Where the workers' half of ingest (girok.ingest.prepare) runs: the executor seam.

``Ingestor`` claims files and keeps results in the main process; an
``Executor`` runs ``prepare(job)`` somewhere and hands back a
``concurrent.futures.Future`` for its ``Prepared``. The local process pool
(``LocalPoolExecutor``) is the one implementation today; a queue of remote
workers (Celery) is another. The model is OCRmyPDF's ``_concurrent.Executor``.

The contract:

- ``submit(job)`` -> a Future of ``Prepared``. The future fails with the
  worker's exception (InputRejected, ...), or with ``WorkerLost`` when the
  worker died (killed, out of memory) before it answered.
- ``capacity``: how many jobs run at once (the Ingestor keeps twice that in
  hand).
- ``abandon()``: stop now. Running work is killed (the worker and the
  programs it started), queued work dropped; the executor can be used again
  afterwards (it starts fresh workers on the next submit).
- ``shutdown()``: wait for submitted work, then release the workers.
- ``lost_together``: True when one lost worker means every job in flight is
  lost (a local pool is broken by one dead worker); the Ingestor then offers
  them all again.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Protocol

from .prepare import Job, Prepared, prepare, worker_init


class WorkerLost(Exception):
    """The worker running a job died before it answered."""


class Executor(Protocol):
    capacity: int
    lost_together: bool

    def submit(self, job: Job) -> Future: ...

    def abandon(self) -> None: ...

    def shutdown(self) -> None: ...


class _RecordingSpawn(SpawnContext):
    """The spawn context, keeping every worker process it starts, so the pool's workers can be killed
    without reaching into the pool's private state."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[SpawnProcess] = []
        self._lock = threading.Lock()

    def Process(self, *args, **kwargs) -> SpawnProcess:
        proc = SpawnProcess(*args, **kwargs)
        with self._lock:
            self.started = [p for p in self.started if p.pid is None or p.is_alive()] + [proc]
        return proc

    def processes(self) -> list[SpawnProcess]:
        with self._lock:
            return list(self.started)


class LocalPoolExecutor:
    """Workers as local processes (spawned, each in its own session: the terminal's Ctrl-C reaches only
    the main process, which decides whether to finish or abandon). The pool starts on first use."""

    lost_together = True

    def __init__(self, workers: int, *, log_file: str | None = None,
                 initializer: Callable[..., None] = worker_init, task: Callable[[Job], Prepared] = prepare):
        self.capacity = workers
        self.log_file = log_file
        self._initializer = initializer
        self._task = task
        self._pool: ProcessPoolExecutor | None = None
        self._context: _RecordingSpawn | None = None

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._context = _RecordingSpawn()
            self._pool = ProcessPoolExecutor(self.capacity, mp_context=self._context,
                                             initializer=self._initializer, initargs=(self.log_file,))
        return self._pool

    def submit(self, job: Job) -> Future:
        inner = self._ensure_pool().submit(self._task, job)
        outer: Future = Future()
        outer.set_running_or_notify_cancel()
        inner.add_done_callback(lambda f: _pass_on(f, outer))
        return outer

    def worker_pids(self) -> list[int]:
        return [p.pid for p in (self._context.processes() if self._context else []) if p.pid is not None]

    def abandon(self) -> None:
        if self._pool is None:
            return
        for proc in self._context.processes():
            if proc.pid is None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the worker and its tesseract children
            except (ProcessLookupError, PermissionError):
                pass
            proc.kill()  # a worker not yet in its own process group (just started)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._context = None

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = self._context = None


def _pass_on(inner: Future, outer: Future) -> None:
    if inner.cancelled():
        outer.set_exception(WorkerLost("the job was dropped with its workers"))
        return
    exc = inner.exception()
    if isinstance(exc, BrokenProcessPool):
        lost = WorkerLost(str(exc) or "a worker process died")
        lost.__cause__ = exc
        outer.set_exception(lost)
    elif exc is not None:
        outer.set_exception(exc)
    else:
        outer.set_result(inner.result())


def default_executor(workers: int, log_file: str | None = None) -> LocalPoolExecutor:
    return LocalPoolExecutor(workers, log_file=log_file)


__all__ = ["Executor", "LocalPoolExecutor", "WorkerLost", "default_executor"]
