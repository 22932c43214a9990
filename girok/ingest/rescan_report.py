"""The clerk's re-scan list: documents with pages OCR could not read well.

Each hot folder gets a CSV next to it (``<folder>.rescan.csv`` in the folder's
parent, so the watcher never takes it as a scan), opened fine by Excel
(UTF-8 with BOM). One line per flagged document, newest last, so the clerk
can re-scan while the paper is still at the counter. Documents from
`girok ingest` go to ``ARCHIVE/reports/rescan.csv``.
"""

from __future__ import annotations

import csv
import logging
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

HEADER = ["time", "file", "registration_no", "pages_to_rescan", "lowest_confidence", "what_to_do"]


def report_path(archive_root: Path, hot_folder: str | None) -> Path:
    if hot_folder:
        folder = Path(hot_folder)
        return folder.parent / f"{folder.name}.rescan.csv"
    return archive_root / "reports" / "rescan.csv"


def _append(path: Path, row: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8-sig" if new else "utf-8") as fh:
        w = csv.writer(fh)
        if new:
            w.writerow(HEADER)
        w.writerow(row)


def record(archive_root: Path, hot_folder: str | None, source: Path, reg_no: str, first_page: int,
           confidence: list[float | None], threshold: float) -> Path:
    """Add a flagged document to its folder's report; returns the report's path."""
    pages = [first_page + i for i, c in enumerate(confidence) if c is not None and c < threshold]
    lowest = min(c for c in confidence if c is not None)
    row = [datetime.now().isoformat(timespec="seconds"), source.name, reg_no, " ".join(map(str, pages)),
           f"{lowest:.0f}", "다시 스캔하세요 (rescan these pages; the archived copy is kept)"]
    path = report_path(archive_root, hot_folder)
    try:
        _append(path, row)
    except OSError as exc:  # a read-only share: fall back to the archive's own report
        log.warning("cannot write %s (%s); using the archive's report", path, exc)
        path = report_path(archive_root, None)
        _append(path, row)
    return path
