"""What kind of file is this? Decided by its first bytes, never by its name."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputRejected
from ..i18n import N_, _, translate

SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"II*\x00", "image/tiff", ".tif"),
    (b"MM\x00*", "image/tiff", ".tif"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
]
OTHER = [  # what the file is, in "this file is {what}" (translated where used)
    (b"PK\x03\x04", N_("a ZIP archive or an Office document (.docx/.xlsx/.hwpx)")),
    (b"\xd0\xcf\x11\xe0", N_("an old Office or HWP document")),
    (b"MZ", N_("a Windows program")),
    (b"\x7fELF", N_("a program")),
    (b"GIF8", N_("a GIF image")),
    (b"BM", N_("a BMP image")),
]


def sniff(path: Path) -> tuple[str, str]:
    """(media type, canonical extension) for a scan girok can take, else InputRejected."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise InputRejected(_("the file is empty (0 bytes)"), stage="detect",
                            advice=_("The scan or copy did not finish: scan the paper again."))
    for magic, media, ext in SIGNATURES:
        if head.startswith(magic) or (magic == b"%PDF-" and magic in head):
            return media, ext
    what = next((translate(desc) for magic, desc in OTHER if head.startswith(magic)), None)
    raise InputRejected(_("this file is {what}").format(what=what) if what else _("this file is not a scanned image or PDF"),
                        stage="detect",
                        advice=_("Hot folders take scans only: PDF, TIFF, JPEG or PNG. Print and scan the document, "
                                 "or export it to PDF."))
