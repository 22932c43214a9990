"""The clerk's re-scan list: documents with pages OCR could not read well.

Each hot folder gets a CSV next to it (``<folder>.rescan.csv`` in the folder's
parent, so the watcher never takes it as a scan), opened fine by Excel
(UTF-8 with BOM). One line per flagged document, newest last, so the clerk
can re-scan while the paper is still at the counter: the receipt number
(접수번호), the applicant (신청인, masked: 홍*동), the document type and the
pages to re-scan (pages of the document; ``pages_in_file``: of the scanned
file) say which paper it is. Documents from `girok ingest` go to
``ARCHIVE/reports/rescan.csv``.

A re-scan supersedes a flagged document when a later document with the same
receipt number and document type is archived with no page flagged: its line
is then removed from the list (the file is rewritten atomically), and a
``rescan-superseded`` event records which document replaced it. Lists of an
older layout are rewritten in the new one the first time they change.
"""

from __future__ import annotations

import csv
import fcntl
import logging
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import GirokError
from ..i18n import every_language, pgettext
from ..text.pii import mask_name, mask_rrn

log = logging.getLogger(__name__)

HEADER = ["time", "file", "registration_no", "receipt_no", "applicant", "doc_type", "pages_to_rescan",
          "pages_in_file", "lowest_confidence", "what_to_do"]
TODO = "다시 스캔하세요 (rescan these pages; the archived copy is kept)"
LOCK_NAME = ".rescan.lock"  # in ARCHIVE/reports: one writer of any re-scan list at a time


def headings() -> list[str]:
    """The HEADER columns as the list's first line names them, in the interface language (the clerk's
    Excel shows Korean headings); read back whichever language wrote them (:func:`_read`)."""
    return [{
        "time": pgettext("csv", "time"), "file": pgettext("csv", "file"),
        "registration_no": pgettext("csv", "registration_no"), "receipt_no": pgettext("csv", "receipt_no"),
        "applicant": pgettext("csv", "applicant"), "doc_type": pgettext("csv", "doc_type"),
        "pages_to_rescan": pgettext("csv", "pages_to_rescan"), "pages_in_file": pgettext("csv", "pages_in_file"),
        "lowest_confidence": pgettext("csv", "lowest_confidence"), "what_to_do": pgettext("csv", "what_to_do"),
    }[k] for k in HEADER]


def low_pages(confidence: list[float | None], threshold: float) -> list[int]:
    """The 1-based pages of a document read below ``threshold`` (pages without OCR are never flagged)."""
    return [i for i, c in enumerate(confidence, start=1) if c is not None and c < threshold]


def paper(receipt_no: str | None, applicant: str | None, doc_type: str | None) -> dict[str, str]:
    """What finds the paper at the counter, as it may be shown: the applicant's name masked, no RRN anywhere."""
    return {"receipt_no": mask_rrn(receipt_no or ""), "applicant": mask_name(applicant or ""),
            "doc_type": mask_rrn(doc_type or "")}


def report_path(archive_root: Path, hot_folder: str | None) -> Path:
    if hot_folder:
        folder = Path(hot_folder)
        return folder.parent / f"{folder.name}.rescan.csv"
    return archive_root / "reports" / "rescan.csv"


@contextmanager
def _locked(archive_root: Path) -> Iterator[None]:
    lock = archive_root / "reports" / LOCK_NAME
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield  # closing the file drops the lock


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """(header as written, rows as dicts keyed by HEADER's columns) of a list; ([], []) when there is none."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        return [], []
    if not rows:
        return [], []
    header = rows[0]
    known = {label: k for k in HEADER for label in every_language("csv", k)}
    keys = [known.get(h, h) for h in header]
    return header, [dict(zip(keys, r)) for r in rows[1:] if r]


def _rewrite(path: Path, rows: list[dict[str, str]]) -> None:
    """Replace the list with ``rows`` in the current layout: a temporary file, fsync'd, renamed over it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(headings())
            for row in rows:
                w.writerow([row.get(k, "") for k in HEADER])
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _append(path: Path, row: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header, rows = _read(path)
    if header and header != headings():  # an older layout or another language: rewritten, its lines kept
        _rewrite(path, [*rows, row])
        return
    new = not header
    with path.open("a", newline="", encoding="utf-8-sig" if new else "utf-8") as fh:
        w = csv.writer(fh)
        if new:
            w.writerow(headings())
        w.writerow([row.get(k, "") for k in HEADER])


def record(archive_root: Path, hot_folder: str | None, source: Path, reg_no: str, first_page: int,
           confidence: list[float | None], threshold: float, *, receipt_no: str = "", applicant: str = "",
           doc_type: str = "", pages_in_original: list[int] | None = None) -> Path:
    """Add a flagged document to its folder's report; returns the report's path.

    ``pages_in_original``: the document's 0-based pages in the scanned file (a batch split into
    documents); without it the document's pages follow ``first_page``.
    """
    pages = low_pages(confidence, threshold)
    in_file = [pages_in_original[p - 1] + 1 if pages_in_original and len(pages_in_original) >= p
               else first_page + p - 1 for p in pages]
    lowest = min((c for c in confidence if c is not None), default=0.0)
    row = {"time": datetime.now().isoformat(timespec="seconds"), "file": mask_rrn(source.name),
           "registration_no": reg_no, **paper(receipt_no, applicant, doc_type),
           "pages_to_rescan": " ".join(map(str, pages)), "pages_in_file": " ".join(map(str, in_file)),
           "lowest_confidence": f"{lowest:.0f}", "what_to_do": TODO}
    path = report_path(archive_root, hot_folder)
    with _locked(archive_root):
        try:
            _append(path, row)
        except OSError as exc:  # a read-only share: fall back to the archive's own report
            log.warning("cannot write %s (%s); using the archive's report", path, exc)
            path = report_path(archive_root, None)
            _append(path, row)
    return path


def remove(archive_root: Path, hot_folders: Iterable[str | None], reg_nos: Iterable[str]) -> int:
    """Remove the lines of ``reg_nos`` from the lists of ``hot_folders`` (and the archive's own list, where
    a line may have fallen back to); returns how many lines went."""
    gone = set(reg_nos)
    paths = dict.fromkeys([*(report_path(archive_root, h) for h in hot_folders), report_path(archive_root, None)])
    removed = 0
    with _locked(archive_root):
        for path in paths:
            header, rows = _read(path)
            keep = [r for r in rows if r.get("registration_no") not in gone]
            if len(keep) == len(rows):
                continue
            try:
                _rewrite(path, keep)
            except OSError as exc:
                log.warning("cannot rewrite %s (%s); its re-scanned lines stay", path, exc)
                continue
            removed += len(rows) - len(keep)
    return removed


def supersede(arch, reg_nos: Iterable[str]) -> list[str]:
    """After ``reg_nos`` were archived: the flagged documents they supersede leave the re-scan lists,
    and an event records each; returns the registration numbers superseded."""
    done: list[str] = []
    try:
        for reg in reg_nos:
            old = arch.catalog.rescans_superseded_by(reg)
            if not old:
                continue
            remove(arch.root, {r["hot_folder"] for r in old}, [r["reg_no"] for r in old])
            for r in old:
                arch.catalog.add_event("rescan-superseded", reg_no=r["reg_no"], by=reg)
                done.append(r["reg_no"])
    except (OSError, GirokError) as exc:  # the scan is archived: a list left as it was must not cost it
        log.warning("could not clear re-scanned documents from the re-scan lists: %s", exc)
    return done
