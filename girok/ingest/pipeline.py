"""The ingest pipeline, main-process side: claim -> (worker: prepare) -> keep -> release source.

    claim    copy the source into a work folder while hashing it; a file that
             changed meanwhile is left for later; known SHA-256 -> duplicate
    prepare  in a worker (girok.ingest.executor; a local process pool by default):
             normalize, OCR to PDF/A, check, text
    keep     store both files, catalog transaction, index
    release  remove the source (hot folders only) once it is committed
    failure  quarantine with a reason; nothing is deleted before it is safe

A catalog on a database server that goes away for a while (a restart, a fail-over: CatalogUnavailable) is
waited for, up to ``CATALOG_PATIENCE`` seconds, and the step is done again on a fresh connection: a keep
cut mid-transaction, even while committing, is kept once (keep(again=True)). Past that the error goes on;
the document's source stays where it is (`girok watch` waits and takes it again).

One ``Ingestor`` serves `girok ingest` (a list of paths) and `girok watch`
(paths from a queue): it keeps at most ``2 x workers`` documents in hand,
so memory and disk use stay bounded however many files arrive.
"""

from __future__ import annotations

import errno
import logging
import shutil
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..archive.layout import Archive
from .keep import keep, paper
from ..config import Profile
from ..errors import CatalogUnavailable, GirokError, InputRejected, MissingDependency, StorageError
from ..fsutil import copy_and_hash, fault_point, fsync_dir
from ..text.times import local
from ..text.pii import mask_rrn
from ..ocr import engines
from . import progress, rescan_report, signature
from .detect import sniff
from .locks import StoreLock
from .executor import Executor, LocalPoolExecutor, WorkerLost
from .prepare import Job, Prepared
from .progress import Progress
from .quarantine import quarantine
from .workarea import new_work_dir
from ..i18n import _

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 0.5  # how often the files in hand are looked at for progress (with a listener)
CATALOG_PATIENCE = 120.0  # seconds a step waits for the catalog's database server to answer again
T = TypeVar("T")


def patiently(what: str, step: Callable[[bool], T], *, patience: float | None = None) -> T:
    """``step(again)``, and again (``again`` True) while the catalog's database server cannot be reached
    (CatalogUnavailable: restarting, failing over), pausing longer each time, for up to ``patience`` seconds
    (CATALOG_PATIENCE); then the last CatalogUnavailable goes on. ``what`` names the step in the log (a file's
    name in it with any RRN masked)."""
    deadline = time.monotonic() + (CATALOG_PATIENCE if patience is None else patience)
    pause, again = 0.25, False
    while True:
        try:
            result = step(again)
        except CatalogUnavailable as exc:
            if time.monotonic() + pause > deadline:
                log.error("%s: the catalog still cannot be reached; giving up (%s)", what, exc.message)
                raise
            if not again:
                log.warning("%s: the catalog cannot be reached (%s); trying again", what, exc.message)
            time.sleep(pause)
            pause, again = min(2 * pause, 5.0), True
            continue
        if again:
            log.warning("%s: the catalog answers again", what)
        return result


@dataclass
class Item:
    path: Path
    profile: Profile
    hot_folder: str | None = None
    move_source: bool = False  # hot folders: the source goes once committed


@dataclass
class Outcome:
    id: str | None
    source: str
    pages: int
    status: str  # archived | duplicate | quarantined | skipped (one-shot only: file changed or vanished)
    reason: str = ""
    # An archived document with pages read below the profile's rescan_below: which pages (1-based, of the
    # document) and what finds the paper at the counter (applicant masked: 홍*동; never an RRN).
    rescan: bool = False
    rescan_pages: list[int] = field(default_factory=list)
    receipt_no: str = ""
    applicant: str = ""
    doc_type: str = ""
    # (front ends print app.ingest.Settled: this outcome with the document object, README "JSON output")


@dataclass
class Claim:
    """A claimed file, main-process side: the job handed to a worker, and what only this process needs to
    settle it (where the source is, whether it goes once committed, what it looked like when claimed)."""
    job: Job
    source: Path  # where it came from (hot folder or a path given to `ingest`)
    sha256: str
    size: int
    profile: Profile
    hot_folder: str | None
    move_source: bool
    source_stat: tuple[int, int, int]  # (inode, size, mtime_ns) at claim time
    recapture_of: list = field(default_factory=list)  # DestroyedRecord: destroyed records it is taken again for

    @property
    def original(self) -> Path:
        return self.job.original

    @property
    def work_dir(self) -> Path:
        return self.job.work_dir

    @property
    def media_type(self) -> str:
        return self.job.media_type

    @property
    def ext(self) -> str:
        return self.job.ext


class SourceChanged(Exception):
    """The file changed while it was being claimed: it is still being written."""


def _stat_key(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


class Ingestor:
    """Claims files, hands them to an ``Executor`` (girok.ingest.executor; a local process pool unless
    another is given) and keeps what comes back."""

    def __init__(self, arch: Archive, *, workers: int | None = None, keep_work: bool = False,
                 executor: Executor | None = None, allow_destroyed: bool = False,
                 on_progress: Callable[[Progress], None] | None = None, index: bool = True):
        self.arch = arch
        self.on_progress = on_progress  # hears how far a file in hand is (girok.ingest.progress), while collecting
        self._told: dict[str, tuple[int, int]] = {}  # job id -> the progress last told
        self.keep_work = keep_work
        self.allow_destroyed = allow_destroyed  # a lawful re-capture of destroyed records (`ingest --allow-destroyed`)
        self.index = index  # False: `girok indexer` indexes what is kept (several machines: one index writer)
        self.inflight: dict[Future, Claim] = {}
        self.crashes: dict[str, int] = {}
        self.retry: list[Item] = []  # in hand when a worker crashed: to be offered again
        if executor is None:  # a remote executor's workers check their own OCR programs
            by_engine: dict[str, list] = {}
            for p in arch.config.profiles.values():
                by_engine.setdefault(p.ocr.engine, []).append(p.ocr)
            for name, settings in sorted(by_engine.items()):
                engines.get(name).check_ready(settings)
            log_file = arch.root / "logs" / "girok.log"
            log_file.parent.mkdir(exist_ok=True)
            executor = LocalPoolExecutor(workers or arch.config.effective_workers(), log_file=str(log_file))
        self.executor = executor
        self._store_lock = StoreLock(arch.root).acquire(exclusive=False)  # keeps `doctor --fix` out

    # -- the public surface --------------------------------------------------

    @property
    def workers(self) -> int:
        """How many jobs run at once (a queue of remote workers grows and shrinks as machines come and go)."""
        return self.executor.capacity

    @property
    def busy(self) -> int:
        return len(self.inflight)

    def has_room(self) -> bool:
        return len(self.inflight) < 2 * self.workers

    def in_hand(self) -> set[Path]:
        return {job.source for job in self.inflight.values()}

    def offer(self, item: Item) -> list[Outcome]:
        """Claim ``item`` and hand it to a worker. Duplicates and bad files are settled at once."""
        try:
            job = self._claim(item)
        except SourceChanged:
            log.info("%s changed while being claimed", item.path)
            if item.move_source:
                return []  # a hot folder: taken again once it is stable
            return [Outcome(None, str(item.path), 0, "skipped",
                            "the file changed while it was being read; run ingest again once it is complete")]
        except FileNotFoundError:
            if item.move_source:
                return []  # gone before we got it (the clerk moved it back out)
            return [Outcome(None, str(item.path), 0, "skipped", "the file disappeared before it could be read")]
        except InputRejected as exc:
            return [self._quarantine(item.path, item, exc.stage, exc.message, exc.advice)]
        if isinstance(job, Outcome):
            return [job]
        self.inflight[self.executor.submit(job.job)] = job
        return []

    def collect(self, timeout: float | None = None) -> list[Outcome]:
        """Wait up to ``timeout`` for finished work and keep it; returns what was settled."""
        if not self.inflight:
            return []
        done = self._wait(timeout)
        outcomes: list[Outcome] = []
        for fut in done:
            job = self.inflight.pop(fut, None)
            if job is not None:  # None: dropped when a crashed pool was replaced
                self._told.pop(job.job.job_id, None)
                outcomes.extend(self._settle(fut, job))
        return outcomes

    def _wait(self, timeout: float | None) -> set[Future]:
        """Wait for finished work as ``concurrent.futures.wait`` does; with ``on_progress``, look at the progress
        of the files in hand every ``PROGRESS_SECONDS`` meanwhile."""
        if self.on_progress is None:
            return wait(list(self.inflight), timeout=timeout, return_when=FIRST_COMPLETED).done
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = PROGRESS_SECONDS if deadline is None else max(0.0, min(PROGRESS_SECONDS, deadline - time.monotonic()))
            done = wait(list(self.inflight), timeout=left, return_when=FIRST_COMPLETED).done
            self._tell_progress()
            if done or (deadline is not None and time.monotonic() >= deadline):
                return done

    def _tell_progress(self) -> None:
        for fut, job in list(self.inflight.items()):
            now = None if fut.done() else progress.read(job.work_dir)
            if now is None or self._told.get(job.job.job_id) == now:
                continue
            self._told[job.job.job_id] = now
            try:
                self.on_progress(Progress(str(job.source), *now))
            except Exception:  # progress is for the eyes: it never stops ingest
                log.debug("progress listener failed", exc_info=True)

    def finish(self) -> list[Outcome]:
        """Wait for every document in hand and keep it."""
        out: list[Outcome] = []
        while self.inflight:
            out.extend(self.collect(timeout=None))
        return out

    def abandon(self) -> None:
        """Stop now: kill the workers, drop work folders. Sources stay where they are."""
        self.executor.abandon()
        for job in self.inflight.values():
            self._drop_work(job, force=True)
        self.inflight.clear()
        self._told.clear()

    def close(self) -> None:
        self.executor.shutdown()
        self._store_lock.release()

    # -- steps ---------------------------------------------------------------

    def _claim(self, item: Item) -> Claim | Outcome:
        before = _stat_key(item.path)
        media, ext = sniff(item.path)
        work = None
        try:
            work = new_work_dir(self.arch.work_dir, item.path)
            original = work / f"original{ext}"
            sha, size = copy_and_hash(item.path, original)
            if _stat_key(item.path) != before or size != before[1]:
                raise SourceChanged(str(item.path))
        except BaseException as exc:
            if work is not None:
                shutil.rmtree(work, ignore_errors=True)
            if disk_full(exc):
                raise StorageError(_("could not copy {name} into the work area {work_dir}: the disk is full; the "
                                     "file stays where it is").format(
                                       name=item.path.name, work_dir=self.arch.work_dir)) from exc
            raise
        fault_point("after-claim")  # test hook (GIROK_FAULT): killed with the copy in work/
        try:
            existing = patiently(f"looking up {mask_rrn(item.path.name)}", lambda _: self.arch.catalog.capture_by_sha(sha))
            # Not a live capture, but maybe a destroyed record (its scan, or its PDF/A exported and dropped back):
            # never archived again silently.
            destroyed = [] if existing is not None else patiently(
                f"looking up {mask_rrn(item.path.name)}", lambda _: self.arch.catalog.destroyed_by_sha(sha))
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        if existing is not None:
            shutil.rmtree(work, ignore_errors=True)
            return self._duplicate(item.path, item.move_source, before, existing)
        if destroyed and not self.allow_destroyed:
            shutil.rmtree(work, ignore_errors=True)
            raise self._refuse_destroyed(item.path, sha, destroyed)
        job = Job(job_id=work.name, work_dir=work, original=original, source_name=item.path.name, media_type=media,
                  ext=ext, profile=item.profile, known_types=self.arch.config.document_types,
                  known_offices=self.arch.config.offices, fields=self.arch.config.fields)
        return Claim(job=job, source=item.path, sha256=sha, size=size, profile=item.profile,
                     hot_folder=item.hot_folder, move_source=item.move_source, source_stat=before,
                     recapture_of=destroyed)

    def _refuse_destroyed(self, source: Path, sha: str, destroyed: list) -> InputRejected:
        """Audit the refusal; the error quarantines the file with the destroyed records and their certificates."""
        regs = [d.reg_no for d in destroyed]
        certs = list(dict.fromkeys(d.certificate for d in destroyed))
        patiently(f"auditing {mask_rrn(source.name)}", lambda _: self.arch.catalog.add_event(
            "recapture-refused", reg_no=",".join(regs), source=mask_rrn(source.name), sha256=sha,
            certificate=",".join(certs), file=",".join(dict.fromkeys(d.file for d in destroyed))))
        en = "; ".join(f"{d.reg_no} destroyed on {local(d.disposed_at).date().isoformat()}, certificate {d.certificate}"
                       for d in destroyed)
        ko = "; ".join(f"{d.reg_no} {local(d.disposed_at).date().isoformat()} 폐기, 폐기 확인서 {d.certificate}" for d in destroyed)
        return InputRejected(
            f"폐기된 기록물입니다 ({ko}) / this file is a destroyed record: {en}", stage="destroyed",
            advice="The record was lawfully destroyed and is not archived again: destroy this copy too. Only for a "
                   "lawful re-capture, run `girok ingest --allow-destroyed FILE` (it is audited). / 폐기된 기록물은 "
                   "다시 등록하지 않습니다. 이 사본도 폐기하십시오. 법에 따라 다시 보존해야 할 때만 "
                   "`girok ingest --allow-destroyed 파일`로 등록하십시오(감사 기록에 남습니다).")

    def _duplicate(self, source: Path, move: bool, stat_key, existing) -> Outcome:
        reg = existing.documents[0].reg_no if existing.documents else None
        pages = sum(d.page_count for d in existing.documents)
        if move:
            self._release_source(source, stat_key)
        patiently(f"auditing {mask_rrn(source.name)}", lambda _: self.arch.catalog.add_event(
            "duplicate", reg_no=reg, source=source.name, sha256=existing.sha256))
        return Outcome(id=reg, source=str(source), pages=pages, status="duplicate",
                       reason=f"same content already archived as {reg} (from {existing.source_name})")

    def _settle(self, fut: Future, job: Claim) -> list[Outcome]:
        try:
            prepared: Prepared = fut.result()
        except InputRejected as exc:
            out = self._quarantine(job.source, job, exc.stage, exc.message, exc.advice)
            self._drop_work(job)
            return [out]
        except WorkerLost:
            return self._worker_crashed(job)
        except MissingDependency:
            self._drop_work(job, force=True)
            raise
        except Exception as exc:
            if disk_full(exc):  # not the file's fault: it stays in its hot folder and is taken again
                self._drop_work(job, force=True)
                raise StorageError(_("could not prepare {name} in the work area: the disk is full; the file stays "
                                     "where it is").format(name=job.source.name)) from exc
            # a bug or an unexpected failure: still never lose the file
            log.exception("unexpected failure on %s", job.source)
            out = self._quarantine(job.source, job, "internal", f"{type(exc).__name__}: {exc}",
                                   "This is a girok problem, not the clerk's: send the quarantined file "
                                   "and logs/girok.log to support.")
            self._drop_work(job)
            return [out]
        signed = job.media_type == "application/pdf" and signature.file_is_signed(job.original)
        if signed:
            for doc in prepared.documents:
                doc.conversion["digital_signature"] = signature.NOTE
        try:
            reg_nos = patiently(f"keeping {mask_rrn(job.source.name)}", lambda again: keep(
                self.arch, original=job.original, sha256=job.sha256, size=job.size, ext=job.ext, source=job.source,
                media_type=job.media_type, hot_folder=job.hot_folder, profile=job.profile.name,
                documents=prepared.documents, doc_type=job.profile.default_doc_type, index=self.index, again=again))
        except FileExistsError:  # another girok process archived the same content meanwhile
            self._drop_work(job, force=True)
            existing = patiently(f"looking up {mask_rrn(job.source.name)}", lambda _: self.arch.catalog.capture_by_sha(job.sha256))
            return [self._duplicate(job.source, job.move_source, job.source_stat, existing)]
        except (StorageError, CatalogUnavailable):
            self._drop_work(job, force=True)  # the source stays in its hot folder
            raise
        except OSError as exc:  # the disk is full outside the store and the catalog (which raise StorageError)
            if not disk_full(exc):
                raise
            self._drop_work(job, force=True)
            raise StorageError(_("could not keep {name}: the disk is full; the file stays where it is").format(
                                   name=job.source.name)) from exc
        threshold = job.profile.ocr.rescan_below
        papers = [paper(d, job.profile.default_doc_type) for d in prepared.documents]
        for reg, doc, found in zip(reg_nos, prepared.documents, papers):
            if doc.rescan_suggested:
                rescan_report.record(self.arch.root, job.hot_folder, job.source, reg, doc.first_page,
                                     doc.page_confidence, threshold, pages_in_original=doc.pages_in_original,
                                     **found)
        rescan_report.supersede(self.arch, [r for r, d in zip(reg_nos, prepared.documents) if not d.rescan_suggested])
        if job.recapture_of:  # `ingest --allow-destroyed`: a new record, the old ones named in the audit trail
            patiently(f"auditing {mask_rrn(job.source.name)}", lambda _: self.arch.catalog.add_event(
                "recapture-allowed", reg_no=",".join(reg_nos), source=mask_rrn(job.source.name), sha256=job.sha256,
                destroyed=",".join(d.reg_no for d in job.recapture_of),
                certificate=",".join(dict.fromkeys(d.certificate for d in job.recapture_of))))
        if signed:
            patiently(f"auditing {mask_rrn(job.source.name)}", lambda _: self.arch.catalog.add_event(
                "signature-not-carried", reg_no=",".join(reg_nos), source=job.source.name, note=signature.NOTE))
        fault_point("before-release")  # test hook (GIROK_FAULT): committed, source not yet removed
        if job.move_source:
            self._release_source(job.source, job.source_stat)
        self._drop_work(job)
        return [Outcome(id=r, source=str(job.source), pages=d.page_count, status="archived",
                        reason=_archived_note(d.rescan_suggested, signed), rescan=d.rescan_suggested,
                        rescan_pages=rescan_report.low_pages(d.page_confidence, threshold) if d.rescan_suggested
                        else [], **rescan_report.paper(**p))
                for r, d, p in zip(reg_nos, prepared.documents, papers)]

    def _worker_crashed(self, job: Claim) -> list[Outcome]:
        """A worker died (killed, out of memory). Its file is quarantined on the second crash."""
        n = self.crashes[job.sha256] = self.crashes.get(job.sha256, 0) + 1
        others: list[Claim] = []
        if self.executor.lost_together:  # a local pool is broken by one dead worker: every job in it is redone
            self.executor.abandon()
            others = list(self.inflight.values())
            self.inflight.clear()
        for other in others:
            self._drop_work(other, force=True)  # their sources are still in place: offer them again
            self.retry.append(Item(other.source, other.profile, other.hot_folder, other.move_source))
        if n >= 2:
            out = self._quarantine(job.source, job, "ocr", "processing this file crashed the OCR worker twice",
                                   "The scan may be too large or damaged: rescan at 300 dpi or less.")
            self._drop_work(job, force=True)
            return [out]
        self._drop_work(job, force=True)
        self.retry.append(Item(job.source, job.profile, job.hot_folder, job.move_source))
        return []

    def _release_source(self, source: Path, stat_key) -> None:
        try:
            if _stat_key(source) == stat_key:
                source.unlink()
                fsync_dir(source.parent)
            else:
                log.warning("%s was replaced after it was claimed; the new file is left to be ingested", source)
        except FileNotFoundError:
            pass

    def _quarantine(self, source: Path, item, stage: str, reason: str, advice: str) -> Outcome:
        profile = item.profile.name
        try:
            dest = quarantine(source, self.arch.quarantine_dir, stage=stage, reason=reason, advice=advice,
                              move=item.move_source, hot_folder=item.hot_folder, profile=profile)
        except OSError as exc:
            if disk_full(exc):
                raise StorageError(_("could not quarantine {name}: the disk is full; the file stays where it is").format(
                                       name=source.name)) from exc
            raise
        patiently(f"auditing {mask_rrn(source.name)}", lambda _: self.arch.catalog.add_event(
            "quarantine", source=source.name, stage=stage, reason=reason, quarantined_as=dest.name))
        log.warning("quarantined %s at %s: %s", source, stage, reason)
        return Outcome(id=None, source=str(source), pages=0, status="quarantined", reason=f"{stage}: {reason}")

    def _drop_work(self, job: Claim, *, force: bool = False) -> None:
        if self.keep_work and not force:
            return
        shutil.rmtree(job.work_dir, ignore_errors=True)



def _archived_note(rescan: bool, signed: bool) -> str:
    notes = (["re-scan suggested: some pages read poorly"] if rescan else []) + ([signature.NOTE] if signed else [])
    return "; ".join(notes)


def run_batch(ingestor: Ingestor, items, on_outcome=lambda o: None) -> list[Outcome]:
    """Ingest ``items`` (an iterable) with bounded work in hand; returns every outcome."""
    results: list[Outcome] = []

    def emit(outs):
        for o in outs:
            results.append(o)
            on_outcome(o)

    def give(item):
        while not ingestor.has_room():
            emit(ingestor.collect(timeout=None))
        emit(ingestor.offer(item))

    try:
        for item in items:
            give(item)
        while ingestor.inflight or ingestor.retry:
            while ingestor.retry:
                give(ingestor.retry.pop(0))
            emit(ingestor.collect(timeout=None))
    except (StorageError, CatalogUnavailable):  # disk full, catalog gone: stop; sources not committed stay put
        ingestor.abandon()
        raise
    return results


def disk_full(exc: BaseException) -> bool:
    """ENOSPC/EDQUOT from the OS (the catalog raises StorageError itself for its full disk)."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


__all__ = ["Ingestor", "Item", "Outcome", "Progress", "run_batch", "GirokError"]
