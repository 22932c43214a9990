"""Running an archive: create and open it, its status, doctor (checks and safe repairs), reindex."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..archive.layout import Archive


def open_archive(path: Path, *, log_to_file: bool = True) -> Archive:
    """Open the archive at ``path`` (exit 4 if it is none), logging to its logs/ folder."""
    arch = Archive.open(path)
    if log_to_file:
        arch.setup_logging()
    return arch


def init_archive(path: Path, *, name: str | None = None, prefix: str = "GR") -> Archive:
    """Create a new archive: config, scanner profiles, catalog, index, hot folders (the init event recorded)."""
    return Archive.create(path, name=name, prefix=prefix)


def status(arch: Archive) -> dict:
    """Queue, work in hand, quarantine and the last hour's throughput (``girok status --json``)."""
    from .status import archive_status

    return archive_status(arch)


def reindex(arch: Archive, *, engine: str | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the search index from the catalog aside, then switch; returns the number of documents indexed."""
    from ..archive.indexing import rebuild_index

    return rebuild_index(arch, engine=engine, progress=progress)


def document_count(arch: Archive) -> int:
    return arch.catalog.counts()["documents"]


@dataclass
class DoctorReport:
    """What doctor found (one line each) and, with ``fix``, what is left that it cannot repair."""

    findings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # catalogued files missing from the store: never repaired here
    fixed: bool = False

    @property
    def problems(self) -> int:
        """Problems still there: after a repair only missing files remain."""
        return len(self.missing) if self.fixed else len(self.findings)

    @property
    def ok(self) -> bool:
        return not self.missing and (self.fixed or not self.findings)

    def as_dict(self) -> dict:
        return {"findings": self.findings, "missing": self.missing, "fixed": self.fixed, "ok": self.ok}


def doctor(arch: Archive, *, fix: bool = False) -> DoctorReport:
    """Check the archive after an interruption: work folders, store vs catalog, index vs catalog.

    With ``fix``, repair what is safe to repair (clean work folders, remove unreferenced and half-written store
    files, catch up or rebuild the index) while holding the watch and store locks, so that no running ingest
    loses a file that is a moment from being committed (another girok running: ArchiveLocked, exit 5).
    """
    from ..archive.indexing import catch_up_index, index_problems, rebuild_index
    from ..ingest.workarea import clean_orphans, orphaned

    report = DoctorReport()
    orphans = orphaned(arch.work_dir)
    known = arch.catalog.stored_relpaths()
    on_disk = {str(p.relative_to(arch.store.root)) for p in arch.store.iter_files()}
    report.missing = sorted(known - on_disk)
    extra = sorted(on_disk - known)
    unindexed = arch.catalog.counts()["unindexed"]
    unfinished = [str(p.relative_to(arch.store.root)) for p in arch.store.temp_files()]
    for label, items in (("abandoned work folder", orphans),
                         ("catalogued file missing from store", report.missing),
                         ("stored file not in catalog (left by an interrupted ingest)", extra),
                         ("unfinished copy in the store (a write was interrupted)", unfinished)):
        report.findings += [f"{label}: {i}" for i in items]
    if unindexed:
        report.findings.append(f"{unindexed} document(s) not yet in the search index")
    index_issues, needs_reindex = index_problems(arch)
    report.findings += index_issues
    if fix:
        from ..ingest.locks import StoreLock, WatchLock

        with WatchLock(arch.root), StoreLock(arch.root):
            clean_orphans(arch.work_dir)
            arch.index.remove_stale()
            if needs_reindex:
                rebuild_index(arch)
            catch_up_index(arch)
            for rel in extra:
                (arch.store.root / rel).unlink(missing_ok=True)
            for tmp in arch.store.temp_files():  # no writer runs now: every one is left over
                tmp.unlink(missing_ok=True)
        report.fixed = True
    return report
