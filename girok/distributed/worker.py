"""`girok worker`: a Celery worker that prepares the archive's queued jobs, on any machine that mounts the share.

Each pool process takes one job at a time (prefetch 1, late acknowledgement): it checks the task (this
archive's, a work folder inside the shared work area: girok.distributed.jobs), prepares the claimed copy
into a run folder of its own inside the job's work folder (girok.ingest.prepare, as a local worker does)
and answers with the run folder's name. The claiming process keeps the result.

SIGTERM (systemd's stop) is Celery's warm shutdown: no new job is taken, the jobs in hand are finished,
then the worker exits (more SIGTERMs are ignored); SIGQUIT, or a second Ctrl-C, stops at once and the jobs
in hand are offered again (late acknowledgement; the claiming process sees the worker fall silent). A worker killed outright (SIGKILL, power cut) falls silent: the
claiming process notices within ``LOST_AFTER`` seconds and offers the file again; the task itself comes
back when the visibility timeout has passed and is then answered "gone" (its file was settled).
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from ..config import ArchiveConfig
from ..errors import InputRejected, MissingDependency
from ..ingest.prepare import SourceFilter, WORKER_LOG_FORMAT, prepare
from . import registry
from .broker import TASK, Broker
from .jobs import JOB_FILE, Refused, end_run, load_job, new_run, unfinished_runs
from .share import check_marks

log = logging.getLogger(__name__)

MAX_UNFINISHED = 2  # a job whose preparation died this many times is answered "lost" (the claiming process decides)


@dataclass
class WorkerContext:
    root: Path
    config: ArchiveConfig
    archive_id: str
    node: str
    broker: Broker
    log_file: Path | None = None

    @property
    def work_root(self) -> Path:
        return self.root / "work"


_ctx: WorkerContext | None = None  # set in the worker's main process, inherited by its pool processes (fork)


def node_name(pid: int | None = None) -> str:
    """This worker's Celery node name: ``girok-PID@HOST`` (unique per process, so several workers may share a host)."""
    return f"girok-{pid or os.getpid()}@{registry.host()}"


def run_job(ctx: WorkerContext, message, node: str | None = None) -> dict:
    """The task: prepare the job ``message`` names; never raises (the answer says what happened)."""
    node = node or ctx.node
    try:
        job = load_job(ctx.work_root, message, ctx.config, ctx.archive_id)
    except Refused as exc:
        log.warning("refused a task: %s", exc)
        return {"status": "refused", "reason": str(exc)}
    if job is None:
        _quietly(registry.note_settled, ctx.broker, str(message.get("job")))
        return {"status": "gone", "host": registry.host()}
    died = unfinished_runs(job)
    if died >= MAX_UNFINISHED:
        return {"status": "lost", "host": registry.host(),
                "message": f"preparing this file stopped {died} times without an answer (worker killed or out "
                           "of memory)"}
    try:
        run = new_run(job, {"node": node, "host": registry.host(), "pid": os.getpid(), "started": time.time()})
    except FileNotFoundError:
        return {"status": "gone", "host": registry.host()}
    _quietly(registry.note_running, ctx.broker, job.job_id, node)
    prepared, pages = None, 0
    try:
        prepared = prepare(dataclasses.replace(job, work_dir=run))
        pages = sum(d.page_count for d in prepared.documents)
        answer = {"status": "ok", "run": run.name, "pages": pages}
    except InputRejected as exc:
        answer = {"status": "rejected", "stage": exc.stage, "message": exc.message, "advice": exc.advice}
    except MissingDependency as exc:
        answer = {"status": "error", "kind": "missing", "message": exc.message, "hint": exc.hint}
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            answer = {"status": "error", "kind": "disk-full", "message": str(exc)}
        else:
            log.exception("unexpected failure preparing job %s", job.job_id)
            answer = {"status": "error", "kind": "internal", "message": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:  # a bug: the claiming process quarantines the file with this
        log.exception("unexpected failure preparing job %s", job.job_id)
        answer = {"status": "error", "kind": "internal", "message": f"{type(exc).__name__}: {exc}"}
    try:
        end_run(run, prepared)
    except OSError as exc:  # the job folder went away meanwhile (abandoned), or the share is full
        answer = {"status": "error", "kind": "disk-full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "internal",
                  "message": f"could not write the result: {exc}"}
    if not (job.work_dir / JOB_FILE).exists():  # its claiming process gave it up meanwhile: leave nothing behind
        shutil.rmtree(run, ignore_errors=True)
        try:
            job.work_dir.rmdir()
        except OSError:
            pass
        answer = {"status": "gone"}
    _quietly(registry.note_done, ctx.broker, job.job_id, node, pages if answer["status"] == "ok" else 0)
    return {**answer, "host": registry.host()}


def _quietly(fn, *args) -> None:
    """Bookkeeping for status: never fails a job (Redis may be restarting)."""
    try:
        fn(*args)
    except Exception as exc:
        log.debug("%s not noted: %s", fn.__name__, exc)


def _task(self, message):
    return run_job(_ctx, message, node=self.request.hostname)


def _pool_process_init(**_) -> None:
    """A pool process: one tesseract thread (several processes use the cores), its own Redis connection, log
    lines naming the file and page (girok.ingest.prepare.SourceFilter), Ctrl-C left to the main process."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _ctx is not None:
        _ctx.broker.__dict__.pop("redis", None)  # not the parent's connection
        root = logging.getLogger()
        root.handlers[:] = []
        if _ctx.log_file is not None:
            handler = logging.FileHandler(_ctx.log_file, encoding="utf-8")
            handler.setFormatter(logging.Formatter(WORKER_LOG_FORMAT))
            handler.addFilter(SourceFilter())
            root.addHandler(handler)
        root.setLevel(logging.WARNING)


def start_context(root: Path, config: ArchiveConfig) -> WorkerContext:
    """Checks before a worker takes anything: the shared folder, Redis, the OCR engine. Raises a GirokError that
    says what is wrong."""
    from ..ocr import engines

    aid = check_marks(root)
    broker = Broker(config.distributed, aid)
    broker.ping()
    by_engine: dict[str, list] = {}
    for p in config.profiles.values():
        by_engine.setdefault(p.ocr.engine, []).append(p.ocr)
    for name, settings in sorted(by_engine.items()):
        engines.get(name).check_ready(settings)
    logs = root / "logs"
    log_file = None
    try:
        logs.mkdir(exist_ok=True)
        log_file = logs / f"worker-{registry.host()}.log"
    except OSError:
        pass
    return WorkerContext(root=root, config=config, archive_id=aid, node=node_name(), broker=broker,
                         log_file=log_file)


def run_worker(ctx: WorkerContext, *, concurrency: int, on_ready=None) -> int:
    """Run the Celery worker until it is stopped (SIGTERM: finish the jobs in hand); returns its exit code."""
    from celery.signals import worker_process_init, worker_ready

    global _ctx
    _ctx = ctx
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if ctx.log_file is not None:  # the main process's own lines (a lost connection, a refused task)
        handler = logging.FileHandler(ctx.log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("girok").setLevel(logging.INFO)
    try:
        os.setpgid(0, 0)  # the worker, its pool and their tesseracts: one group, killed together
    except OSError:
        pass  # already a group or session leader (a terminal job, systemd)
    app = ctx.broker.app
    app.conf.worker_redirect_stdouts = False
    app.task(name=TASK, bind=True, acks_late=True, reject_on_worker_lost=True, track_started=True)(_task)
    worker_process_init.connect(_pool_process_init, weak=False)
    beat = registry.Heartbeat(ctx.broker, ctx.broker.keys.worker(ctx.node), {
        "node": ctx.node, "host": registry.host(), "pid": os.getpid(), "concurrency": concurrency,
        "archive": ctx.archive_id, "root": str(ctx.root), "started": time.time()})
    if on_ready is not None:
        worker_ready.connect(lambda **_: on_ready(ctx), weak=False)
    beat.start()
    try:
        worker = app.Worker(hostname=ctx.node, concurrency=concurrency, pool="prefork", queues=[ctx.broker.keys.queue],
                            loglevel="WARNING", quiet=True, without_gossip=True, without_mingle=True,
                            without_heartbeat=True, optimization="fair")
        worker.start()
        return worker.exitcode or 0
    finally:
        beat.stop()
