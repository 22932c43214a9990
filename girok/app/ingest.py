"""Taking scans in: one-shot ingest of files and folders, and watching the hot folders.

Front ends pass callbacks to hear of each settled document (``Outcome``: archived, duplicate, quarantined,
skipped) and of what the watcher does; they decide how to show it. Ctrl-C arrives here as KeyboardInterrupt:
a first one finishes the documents in hand, a second abandons them (their files stay where they were).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..archive.layout import Archive
from ..errors import UsageError
from ..i18n import N_, _, translate

log = logging.getLogger(__name__)

STATUSES = ("archived", "duplicate", "quarantined", "skipped")


NO_FILES = (N_("no files to ingest"), N_("Give scans (PDF, TIFF, JPEG, PNG) or folders holding them."))


def expand(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the candidate files inside the folders named (recursively); none is an error."""
    from ..ingest.stability import candidate_files

    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += candidate_files(p)
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(_("{p}: no such file or folder").format(p=p))
    if not files:
        raise UsageError(translate(NO_FILES[0]), hint=NO_FILES[1])
    return files


@dataclass
class Settled:
    """One settled file as front ends show it: the pipeline's ``Outcome`` (its attributes read through) and the
    document it made or found (the document object of ``app.shapes``; None when there is none)."""

    outcome: object  # ingest.pipeline.Outcome
    document: dict | None = None

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "outcome":  # copy/pickle look before the field is set
            raise AttributeError(name)
        return getattr(self.outcome, name)

    def as_dict(self) -> dict:
        """The JSON line: ``status``, ``reason``, ``file`` (the file as given), the document object (or
        ``"id": null``), ``rescan`` and ``rescan_pages``."""
        from ..text.pii import mask_rrn

        o = self.outcome
        return {"status": o.status, "reason": mask_rrn(o.reason), "file": mask_rrn(o.source),
                **(self.document or {"id": o.id}), "rescan": o.rescan, "rescan_pages": o.rescan_pages}


def settled(arch: Archive, outcome) -> Settled:
    """``outcome`` with the document object of the document it names, if any."""
    from .shapes import documents_json

    if not outcome.id:
        return Settled(outcome)
    try:
        return Settled(outcome, documents_json(arch, [outcome.id])[0])
    except Exception:  # noqa: BLE001 - describing a document must never stop an ingest or the watcher
        log.warning("could not describe %s for its outcome line", outcome.id, exc_info=True)
        return Settled(outcome)


@dataclass
class IngestSummary:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    @property
    def all_archived(self) -> bool:
        """Everything archived or already archived (else the front end reports quarantine: exit 10)."""
        return not self.counts["quarantined"] and not self.counts["skipped"]

    def as_dict(self) -> dict:
        return dict(self.counts)


def ingest(arch: Archive, files: list[Path], *, profile: str = "default", move: bool = False,
           workers: int | None = None, keep_work: bool = False, allow_destroyed: bool = False,
           on_outcome: Callable = lambda outcome: None, on_progress: Callable | None = None) -> IngestSummary:
    """Archive ``files`` now through the hot-folder pipeline; ``on_outcome`` hears of each resulting document
    (a ``Settled``: the pipeline's outcome and the document object), ``on_progress`` (if given) how far a file
    in hand is (``girok.ingest.progress.Progress``: pages read).

    A file that is a destroyed record (the SHA-256 of a tombstone's original or archival file) is quarantined
    unless ``allow_destroyed`` (a lawful re-capture: archived as a new record, audited). ``watch`` never allows it.

    Interrupted (KeyboardInterrupt), the documents in hand are abandoned and their sources left untouched,
    then the interruption goes on to the caller.
    """
    from ..ingest.pipeline import Ingestor, Item, run_batch
    from .workers import executor_for

    if not files:
        raise UsageError(translate(NO_FILES[0]), hint=NO_FILES[1])
    prof = arch.config.profile(profile)
    summary = IngestSummary()
    remote = executor_for(arch, workers)  # several machines ([workers] broker): `girok worker` prepares, else None
    ingestor = Ingestor(arch, workers=workers or None, keep_work=keep_work, allow_destroyed=allow_destroyed,
                        on_progress=on_progress, executor=remote, index=remote is None)

    def report(o):
        summary.counts[o.status] += 1
        on_outcome(settled(arch, o))

    try:
        run_batch(ingestor, (Item(f.resolve(), prof, None, move_source=move) for f in files), report)
    except KeyboardInterrupt:
        ingestor.abandon()
        raise
    finally:
        ingestor.close()
    return summary


class WatchListener:
    """What a front end hears from ``watch``; every method is optional (override what you show)."""

    def started(self, folders: list, workers: int, cleaned: int, caught_up: int) -> None: ...
    def outcome(self, outcome) -> None: ...
    def progress(self, progress) -> None: ...  # how far a file in hand is (girok.ingest.progress.Progress)
    def error(self, message: str) -> None: ...  # e.g. a full disk: the watcher waits and retries
    def stopping(self, in_hand: int) -> None: ...  # first Ctrl-C: finishing the documents in hand
    def abandoned(self) -> None: ...  # second Ctrl-C: documents in hand abandoned, files still waiting


def watch(arch: Archive, *, poll: float = 1.0, workers: int | None = None, once: bool = False,
          listener: WatchListener | None = None):
    """Watch every configured hot folder and archive what arrives, until interrupted (or, with ``once``, until
    nothing waits). Refuses to run beside another watcher (ArchiveLocked, exit 5). Returns the watcher's stats.

    Before starting it recovers from an interruption: orphaned work folders are cleaned and documents
    catalogued but not indexed are indexed (with several machines, `girok indexer` indexes them).
    """
    from ..archive.indexing import catch_up_index
    from ..ingest.pipeline import Ingestor
    from ..ingest.locks import WatchLock
    from ..ingest.watcher import Watcher
    from ..ingest.workarea import clean_orphans
    from .workers import executor_for

    ear = listener or WatchListener()
    with WatchLock(arch.root):
        remote = executor_for(arch, workers)  # several machines ([workers] broker): `girok worker` prepares, else None
        cleaned = clean_orphans(arch.work_dir)
        caught = catch_up_index(arch) if remote is None else 0  # else the one index writer is `girok indexer`
        ingestor = Ingestor(arch, workers=workers or None, on_progress=ear.progress, executor=remote,
                            index=remote is None)
        watcher = Watcher(arch, ingestor, poll_seconds=poll, on_outcome=lambda o: ear.outcome(settled(arch, o)),
                          on_error=ear.error)
        ear.started(watcher.folders, ingestor.workers, len(cleaned), caught)
        try:
            watcher.run(until=watcher.idle if once else (lambda: False))
            watcher.emit(ingestor.finish())
        except KeyboardInterrupt:
            watcher.stopping = True
            ear.stopping(ingestor.busy)
            try:
                watcher.emit(ingestor.finish())
            except KeyboardInterrupt:
                ingestor.abandon()
                ear.abandoned()
        finally:
            ingestor.close()
        return watcher.stats
