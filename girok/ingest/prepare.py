"""The CPU-heavy half of ingest, run in a worker process: normalize -> OCR -> check -> text.

It only reads the job's claimed copy and writes inside the job's work
folder; it never touches the hot folder, the store, the catalog or the
index (the main process does that, one writer at a time).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..text import pii
from ..archive import pdfa, xmp
from ..metadata.title import title_from_text
from ..config import FieldSettings, Profile
from ..errors import InputRejected
from ..fsutil import sha256_file
from ..ocr import engines
from ..ocr.text import page_texts
from ..metadata.extract import Metadata, extract, merge
from . import fields, progress
from .normalize import extract_pages, normalize, page_previews
from ..metadata.qr import eform_metadata, read_codes
from .split import classify_page, split_pages
from ..i18n import _


@dataclass
class Job:
    """Everything a worker needs to prepare one claimed file, and nothing that only the claiming process
    can use (the source's hot folder, its inode, whether it is moved: see girok.ingest.pipeline.Claim).
    The paths are inside the archive's work area; a worker on another machine sees them through a
    shared mount or gets the files sent (girok.ingest.executor)."""
    job_id: str
    work_dir: Path
    original: Path  # the claimed copy, inside work_dir
    source_name: str  # the file's name where it came from (for a title and the XMP record)
    media_type: str
    ext: str
    profile: Profile
    known_types: tuple[str, ...] = ()
    known_offices: tuple[str, ...] = ()
    fields: FieldSettings = field(default_factory=FieldSettings)  # [fields]: receipt patterns, re-reads


@dataclass
class PreparedDoc:
    first_page: int
    page_count: int
    archival: Path
    archival_sha256: str
    archival_size: int
    pdfa_level: str
    conversion: dict[str, Any]
    page_texts: list[str]
    page_confidence: list[float | None]  # mean word confidence per page; None where OCR was skipped
    rescan_suggested: bool
    pages_in_original: list[int] = field(default_factory=list)  # 0-based pages of the source file
    metadata: Metadata | None = None
    title: str = ""  # the form title, else the first line of text, else the file name; RRNs masked


@dataclass
class Prepared:
    job_id: str
    documents: list[PreparedDoc] = field(default_factory=list)


class _WorkingOn:
    """The file this worker process is preparing, and the pages of the part being OCRed (a worker prepares one
    file at a time; OCRmyPDF reads its pages in threads, which a context variable would not reach)."""

    source: str | None = None
    pages: list[int] | None = None  # 0-based pages of the source, for the part's pages 1, 2, ...


_working_on = _WorkingOn()


@contextmanager
def working_on(source: str | None = None, *, pages: list[int] | None = None) -> Iterator[None]:
    """Name ``source`` (and, for a part of it, which of its ``pages`` the part holds) in this worker's log lines
    (``SourceFilter``) while the block runs."""
    before = _working_on.source, _working_on.pages
    if source is not None:
        _working_on.source = pii.mask_rrn(source)  # a file name may hold a 주민등록번호: never in clear in a log
    _working_on.pages = pages
    try:
        yield
    finally:
        _working_on.source, _working_on.pages = before


class SourceFilter(logging.Filter):
    """Gives each log record ``where``: "전입신고서.tif page 3: " (the file being prepared, the page of the file
    when OCRmyPDF says which: its records carry ``pageno``, 1-based in the part it was given), or "".
    OCRmyPDF's own lines ("[tesseract] Error during processing.") name neither."""

    def filter(self, record: logging.LogRecord) -> bool:
        source, pages = _working_on.source, _working_on.pages
        record.where = ""
        if source:
            page = getattr(record, "pageno", None)
            if isinstance(page, int) and page >= 1:
                page = pages[page - 1] + 1 if pages and page <= len(pages) else page
                record.where = f"{source} page {page}: "
            else:
                record.where = f"{source}: "
        return True


WORKER_LOG_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(where)s%(message)s"


def worker_init(log_file: str | None = None) -> None:
    """Runs once in each worker process.

    Tesseract is single-threaded here (several workers use the cores). The
    worker leaves the terminal's process group, so Ctrl-C reaches only the
    main process, which decides whether to finish or abandon the work.
    OCRmyPDF's messages go to the archive's log file, not the clerk's screen.
    """
    os.environ["OMP_THREAD_LIMIT"] = "1"
    root = logging.getLogger()
    root.handlers[:] = []
    if log_file:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter(WORKER_LOG_FORMAT))
        handler.addFilter(SourceFilter())  # every line names the file (and page) it is about
        root.addHandler(handler)
    else:
        root.addHandler(logging.NullHandler())
    root.setLevel(logging.WARNING)
    try:
        os.setsid()  # our own session and process group: the terminal's Ctrl-C does not reach us
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """If the main process dies (SIGKILL, power cut), stop this worker and its tesseract children."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            try:
                os.killpg(0, signal.SIGKILL)  # our own process group: this worker and what it started
            finally:
                os._exit(1)


def prepare(job: Job) -> Prepared:
    """normalize -> split into documents -> for each: OCR to PDF/A, check, text, metadata."""
    with working_on(job.source_name):
        return _prepare(job)


def _prepare(job: Job) -> Prepared:
    norm = normalize(job.original, job.media_type, job.work_dir, assume_dpi=job.profile.assume_dpi)
    split = job.profile.split
    kinds, codes = [], []
    for img in page_previews(norm.pdf):
        page_codes = read_codes(img)
        codes.append(page_codes)
        kinds.append(classify_page(img, blank_threshold=split.blank_threshold, codes=page_codes,
                                   separators=split.separators))
    groups = split_pages(kinds)
    if not groups:
        raise InputRejected(_("the scan holds only separator sheets and blank pages"), stage="split",
                            advice=_("Check the paper was fed face down and the right pages were scanned."))
    total, read = sum(map(len, groups)), set()  # (part, page) read: a page read again (Ghostscript's retry) once
    progress.write(job.work_dir, done=0, pages=total)
    docs = []
    for n, group in enumerate(groups, start=1):
        part = norm.pdf if len(groups) == 1 and group == list(range(norm.pages)) else \
            extract_pages(norm.pdf, group, job.work_dir / f"part-{n}.pdf")

        def page_read(pageno: int, n: int = n) -> None:
            read.add((n, pageno))
            progress.write(job.work_dir, done=min(len(read), total), pages=total)

        with working_on(pages=group):
            doc, ocr_pages = _ocr_part(job, part, job.work_dir / f"archival-{n}.pdf", norm.method, group, page_read)
        doc.metadata = _metadata(job, doc, ocr_pages, codes[group[0]])
        _stamp_xmp(job, doc)
        docs.append(doc)
    dropped = {k: kinds.count(k) for k in ("separator", "blank") if kinds.count(k)}
    for doc in docs:
        doc.conversion["split"] = {"pages_in_original": [i + 1 for i in doc.pages_in_original],
                                   "documents_in_file": len(docs), "dropped": dropped}
    return Prepared(job.job_id, docs)


def _metadata(job: Job, doc: PreparedDoc, ocr_pages: dict, codes) -> Metadata:
    """The document's fields: read from its text, checked and, where missing, read again from the page
    (girok.ingest.fields); the first page's e-form QR payload over them. The check's settings and what it did
    go into the conversion record."""
    rules = fields.rules_for(job.fields, job.known_types, job.known_offices)
    md = extract(doc.page_texts, job.known_types, known_offices=job.known_offices)
    report = None
    try:
        report = fields.check_fields(md, doc.archival, ocr_pages, doc.page_texts, rules, job.fields,
                                     deskew=job.profile.ocr.deskew,
                                     timeout=min(30.0, float(job.profile.ocr.timeout_seconds)))
    except Exception:  # noqa: BLE001 - reading a field again must never cost the scan; its check still holds
        logging.getLogger(__name__).warning("re-reading the fields failed", exc_info=True)
    from_qr = eform_metadata(codes or (), job.known_types)
    if from_qr:
        md = merge(from_qr, md)
    fields.drop_invalid(md, rules)  # the QR payload's values too; and whatever a failed re-read left
    doc.conversion["fields"] = fields.record(job.fields, rules, report)
    return md


def _stamp_xmp(job: Job, doc: PreparedDoc) -> None:
    """The metadata into the archival PDF's XMP; its hash and size are taken again, of the final bytes."""
    md = doc.metadata.to_dict()  # every RRN masked
    doc.title = pii.mask_rrn(md["title"] or title_from_text(doc.page_texts, Path(job.source_name).stem))
    xmp.write_xmp(doc.archival, xmp.XmpRecord(
        title=doc.title, date=md["date"], doc_type=md["doc_type"] or job.profile.default_doc_type,
        receipt_no=md["receipt_no"], office=md["office"], applicant=md["applicant"], rrn_masked=md["rrn_masked"],
        source_name=pii.mask_rrn(job.source_name), source_pages=[i + 1 for i in doc.pages_in_original],
        profile=job.profile.name))
    if not pdfa.inspect(doc.archival).ok:
        raise InputRejected(_("writing the metadata into the archival copy lost its PDF/A identification"),
                            stage="xmp", advice=_("Send the file to support; the scan itself is fine."))
    doc.archival_sha256, doc.archival_size = sha256_file(doc.archival), doc.archival.stat().st_size


def _ocr_part(job: Job, src: Path, out: Path, method: str, group: list[int],
              page_read=None) -> tuple[PreparedDoc, dict]:
    """The part OCRed into ``out``, and the engine's pages (words with their boxes) for the field re-reads."""
    run = engines.get(job.profile.ocr.engine).run(src, out, job.profile.ocr,
                                                  pdf_input=job.media_type == "application/pdf", progress=page_read)
    info = pdfa.inspect(out)
    if not info.ok:
        raise InputRejected(
            _("the archival copy is not a valid PDF/A (claims {level}, output intent {intent})").format(
                level=info.level or _('nothing'), intent=_('present') if info.output_intent else _('missing')),
            stage="pdfa", advice=_("Rescan the paper as an image; born-digital PDFs with odd fonts can fail."),
        )
    if info.pages != len(group):
        raise InputRejected(_("OCR output has {pages} pages, the input {n}").format(pages=info.pages, n=len(group)), stage="ocr",
                            advice=_("Scan the paper again; if it repeats, send the file to support."))
    conversion = {
        "normalize": method,
        **run.record,  # the engine names itself: "ocr", "options", "tools"
        "profile": job.profile.name,
        "output": f"PDF/A-{info.level}",
    }
    confidence = [run.confidence.get(i) for i in range(1, info.pages + 1)]
    flagged = any(c is not None and c < job.profile.ocr.rescan_below for c in confidence)
    return PreparedDoc(
        first_page=group[0] + 1, page_count=info.pages, archival=out, archival_sha256=sha256_file(out),
        archival_size=out.stat().st_size, pdfa_level=info.level, conversion=conversion,
        page_texts=page_texts(out, run.texts), page_confidence=confidence, rescan_suggested=flagged,
        pages_in_original=group,
    ), run.pages
