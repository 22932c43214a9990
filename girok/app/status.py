"""What a clerk needs to see at a glance: the queue, work in hand, quarantine and recent throughput.

Everything is read from the archive folder and the catalog; nothing needs
the watcher's cooperation, so `girok status` works whether it runs or not.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from ..archive.layout import Archive
from .backup import backup_state
from .workers import workers_status
from ..config import OcrSettings
from ..fsutil import pid_alive
from ..ingest import rescan_report
from ..ingest.stability import candidate_files
from ..ingest.locks import WATCH_LOCK_NAME as LOCK_NAME
from ..ingest.quarantine import NOTE_SUFFIXES
from ..ingest.workarea import orphaned

WINDOW = timedelta(hours=1)
RESCAN_SHOWN = 5  # the newest documents awaiting a re-scan that status names


def watcher_pid(arch: Archive) -> int | None:
    """The pid of the running `girok watch`, from its lock file (never locked here: that could refuse one starting)."""
    try:
        words = (arch.root / LOCK_NAME).read_text().split()
        pid = int(words[1]) if len(words) >= 2 and words[0] == "pid" else 0
    except (OSError, ValueError):
        return None
    return pid if pid and pid_alive(pid) else None


def throughput(arch: Archive, *, now: datetime | None = None) -> dict:
    """Documents and pages archived in the last hour, and pages per minute while archiving in that hour.

    The rate is over the span from the first to the last document of the
    window (at least one minute), so it shows the speed of a run that started
    ten minutes ago rather than diluting it over the hour.
    """
    now = now or datetime.now(UTC).replace(tzinfo=None)  # the catalog keeps naive UTC
    since = now - WINDOW
    docs, pages, first, last = arch.catalog.captured_since(since)
    minutes = max(1.0, (last - first).total_seconds() / 60) if docs else 0.0
    return {"window_minutes": int(WINDOW.total_seconds() // 60), "documents": docs, "pages": int(pages),
            "pages_per_minute": round(pages / minutes, 1) if minutes else 0.0}


def _in_hand(arch: Archive) -> tuple[set[str], int]:
    """(sources of documents in hand of a live process, number of work folders left by a dead one)."""
    work = [p for p in arch.work_dir.iterdir() if p.is_dir()] if arch.work_dir.exists() else []
    dead = set(orphaned(arch.work_dir))
    sources = set()
    for d in work:
        if d not in dead:
            try:
                sources.add(json.loads((d / "owner.json").read_text()).get("source", str(d)))
            except (OSError, ValueError):
                sources.add(str(d))
    return sources, len(dead)


def awaiting_rescan(arch: Archive, limit: int = RESCAN_SHOWN) -> dict:
    """Documents flagged "re-scan suggested" that no re-scan has superseded yet (a later document with the
    same receipt number and type, no page flagged): how many, and the newest ``limit``, each the document
    object (its receipt number, applicant masked and type find the paper) with ``rescan_pages``."""
    from .shapes import documents_json

    n, rows = arch.catalog.awaiting_rescan(limit)
    docs = documents_json(arch, [r["reg_no"] for r in rows])
    newest = []
    for r, doc in zip(rows, docs):
        prof = arch.config.profiles.get(r["profile"])
        threshold = prof.ocr.rescan_below if prof else OcrSettings().rescan_below
        newest.append({**doc, "rescan_pages": rescan_report.low_pages(r["page_confidence"], threshold)})
    return {"count": n, "newest": newest}


def archive_status(arch: Archive) -> dict:
    counts = arch.catalog.counts()
    in_hand, abandoned = _in_hand(arch)  # their sources stay in the hot folder until committed: not "waiting"
    folders = [{"path": str(hf.path), "profile": hf.profile,
                "waiting": sum(1 for p in candidate_files(hf.path) if str(p) not in in_hand)}
               for hf in arch.hot_folders()]
    quarantined = sum(1 for p in arch.quarantine_dir.glob("*")
                      if not p.name.endswith(NOTE_SUFFIXES) and not p.name.startswith(".")) \
        if arch.quarantine_dir.exists() else 0
    return {"archive": str(arch.root), **counts, "waiting": sum(f["waiting"] for f in folders),
            "in_progress": len(in_hand), "abandoned": abandoned, "quarantined": quarantined,
            "watcher_pid": watcher_pid(arch), "last_hour": throughput(arch), "hot_folders": folders,
            "rescan": awaiting_rescan(arch), "backup": backup_state(arch), **workers_status(arch)}
