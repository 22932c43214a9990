"""Digitally signed PDFs: kept as they are, archived through an unsigned copy.

A signature covers exact bytes; OCR and PDF/A conversion rewrite the file,
so the PDF/A copy can never carry it. The signed original is stored byte
for byte (its SHA-256 in the catalog), and girok says so: in the ingest
outcome, in the audit trail and in the document's conversion record.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

NOTE = ("the original PDF is digitally signed; the archival PDF/A copy cannot carry the signature "
        "(the signed original is kept byte for byte in the store)")


def _fields(pdf: pikepdf.Pdf):
    acro = pdf.Root.get("/AcroForm")
    stack = list(acro.get("/Fields", [])) if isinstance(acro, pikepdf.Dictionary) else []
    seen = set()
    while stack:
        f = stack.pop()
        if not isinstance(f, pikepdf.Dictionary) or (f.objgen in seen and f.objgen != (0, 0)):
            continue
        seen.add(f.objgen)
        yield f
        stack.extend(f.get("/Kids", []))


def is_signed(pdf: pikepdf.Pdf) -> bool:
    """True for a signed PDF: SigFlags says so, or a /Sig field has a value with a /ByteRange."""
    acro = pdf.Root.get("/AcroForm")
    if isinstance(acro, pikepdf.Dictionary) and int(acro.get("/SigFlags", 0)) & 1:
        return True
    if "/Perms" in pdf.Root:
        return True
    for f in _fields(pdf):
        v = f.get("/V")
        if f.get("/FT") == "/Sig" and isinstance(v, pikepdf.Dictionary) and "/ByteRange" in v:
            return True
    return False


def file_is_signed(path: Path) -> bool:
    try:
        with pikepdf.open(path) as pdf:
            return is_signed(pdf)
    except (pikepdf.PdfError, OSError, ValueError):
        return False


def unsigned_copy(pdf: pikepdf.Pdf, dest: Path) -> Path:
    """Write ``pdf`` to ``dest`` without its signatures, so OCR may rewrite it (the original is untouched)."""
    acro = pdf.Root.get("/AcroForm")
    if isinstance(acro, pikepdf.Dictionary) and "/SigFlags" in acro:
        del acro["/SigFlags"]
    if "/Perms" in pdf.Root:
        del pdf.Root["/Perms"]
    for f in _fields(pdf):
        if f.get("/FT") == "/Sig" and "/V" in f:
            del f["/V"]
    pdf.save(dest)
    return dest
