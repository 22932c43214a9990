"""A document's files for a reader: page images rendered from its archival PDF, the PDF itself (download or
print), the other documents of its receipt number and its audit history.

Everything is found by registration number, never by a path a caller gives; every look at a page image or the
PDF is an audit event naming who looked (``view`` with ``what``: ``page 2``, ``pdf``, ``print``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..archive.layout import Archive
from ..errors import MissingDependency, NotFound, StorageError, UsageError
from ..i18n import _

REG_NO_RE = re.compile(r"[A-Z0-9]{1,16}-\d{4}-\d{6}")
PAGE_DPI = 110  # a readable A4 page on a screen (~900 x 1300 pixels)
RENDER_TIMEOUT = 60


def check_reg_no(reg_no: str) -> str:
    """A registration number as typed (any case, spaces around), or UsageError: never a path."""
    reg = reg_no.strip().upper()
    if not REG_NO_RE.fullmatch(reg):
        raise UsageError(_("{reg_no!r} is not a registration number").format(reg_no=reg_no[:40]),
                         hint=_("e.g. GR-2026-000123"))
    return reg


@dataclass(frozen=True)
class ArchivalFile:
    path: Path
    filename: str  # what a download is called: GR-2026-000001.pdf
    sha256: str
    pages: int


def _archival(arch: Archive, reg_no: str) -> ArchivalFile:
    doc = arch.catalog.get(check_reg_no(reg_no))  # NotFound for an unknown or disposed-of number
    path = arch.store.resolve(doc.archival_relpath)
    if not path.is_file():
        raise StorageError(_("the archival copy of {id} is missing from the store").format(id=doc.reg_no),
                           hint=_("Run `girok doctor`; `girok restore` puts a copy back."))
    return ArchivalFile(path, f"{doc.reg_no}.pdf", doc.archival_sha256, doc.page_count)


def archival_pdf(arch: Archive, reg_no: str, *, purpose: str = "pdf") -> ArchivalFile:
    """The archival PDF/A of a document to download (``purpose`` pdf) or to print (print); audited."""
    if purpose not in ("pdf", "print"):
        raise UsageError(_("unknown purpose {purpose!r}").format(purpose=purpose))
    f = _archival(arch, reg_no)
    arch.catalog.add_event("view", reg_no=check_reg_no(reg_no), what=purpose, sha256=f.sha256)
    return f


def archival_key(arch: Archive, reg_no: str) -> tuple[str, int]:
    """(SHA-256 of the archival copy, pages): what a cache of rendered pages is keyed by."""
    doc = arch.catalog.get(check_reg_no(reg_no))
    return doc.archival_sha256, doc.page_count


def page_image(arch: Archive, reg_no: str, page: int, *, dpi: int = PAGE_DPI, audit: bool = True) -> bytes:
    """Page ``page`` (1-based) of a document's archival PDF as PNG, rendered by pdftoppm (poppler-utils);
    audited (``view``, what ``page N``) unless the caller audits it itself."""
    f = _archival(arch, reg_no)
    if not 1 <= page <= f.pages:
        raise NotFound(_("{id} has no page {page} (it has {pages})").format(id=reg_no, page=page, pages=f.pages))
    if audit:
        audit_page_view(arch, reg_no, page)
    return render_page(f.path, page, dpi=dpi)


def audit_page_view(arch: Archive, reg_no: str, page: int) -> None:
    arch.catalog.add_event("view", reg_no=check_reg_no(reg_no), what=f"page {page}")


def render_page(pdf: Path, page: int, *, dpi: int = PAGE_DPI) -> bytes:
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise MissingDependency(_("pdftoppm is not installed: page images cannot be shown"),
                                hint=_("Install poppler-utils (apt-get install poppler-utils)."))
    with tempfile.TemporaryDirectory(prefix="girok-page-") as tmp:
        out = Path(tmp) / "page"
        proc = subprocess.run([exe, "-png", "-r", str(int(dpi)), "-f", str(page), "-l", str(page), "-singlefile",
                               str(pdf), str(out)], capture_output=True, timeout=RENDER_TIMEOUT)
        png = out.with_suffix(".png")
        if proc.returncode != 0 or not png.is_file():
            raise StorageError(_("page {page} could not be rendered: {error}").format(
                page=page, error=proc.stderr.decode(errors="replace").strip()[:200]))
        return png.read_bytes()


def related(arch: Archive, reg_no: str) -> list[dict]:
    """The other documents with the same receipt number (접수번호), newest first: each the document object
    (app.shapes summary: ``id``, ``title``, ``type``, ``captured_at``, ...) with ``rescan_suggested``."""
    from .shapes import documents_json

    with arch.catalog.reading() as tx:
        rows = tx.same_receipt(check_reg_no(reg_no))
    docs = documents_json(arch, [r["reg_no"] for r in rows])
    return [{**doc, "rescan_suggested": bool(r["rescan_suggested"])} for r, doc in zip(rows, docs)]


def history(arch: Archive, reg_no: str, limit: int = 200) -> list[dict]:
    """The audit events that name the document, oldest first (at most the newest ``limit``)."""
    from .records import audit_log

    return list(audit_log(arch, document=check_reg_no(reg_no)))[-limit:]
