"""Cutting one document's pages out of a capture, losslessly, for export.

A batch scan holds several documents, and so other citizens' forms: a bag
for one document must carry only that document's pages of the original.
PDF pages are copied object for object with pikepdf (streams are neither
decoded nor re-encoded); TIFF frames are written again with Pillow, each
with its own compression and resolution, so the pixels are the scanned
ones (a JPEG-compressed frame is the one exception: re-encoding JPEG loses
detail, so its decoded pixels are kept with lossless Deflate instead, and
the cut says so). Other images are one page, the whole file.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pikepdf
from PIL import Image

PDF, TIFF = "application/pdf", "image/tiff"
LOSSY_TIFF = {"jpeg", "tiff_jpeg"}


class CannotCut(Exception):
    """The original cannot be read as pages (damaged, or a format girok does not cut)."""


def _kind(path: Path, media_type: str) -> str:
    if media_type == PDF:
        return "pdf"
    if media_type == TIFF or path.suffix.lower() in (".tif", ".tiff"):
        return "tiff"
    return "image"


def page_count(path: Path, media_type: str) -> int:
    """How many pages the original has (PDF pages, TIFF frames; any other image is one page)."""
    kind = _kind(path, media_type)
    try:
        if kind == "pdf":
            with pikepdf.open(path) as pdf:
                return len(pdf.pages)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # Pillow's notes on odd EXIF data: the pages still count
            with Image.open(path) as im:
                return getattr(im, "n_frames", 1) if kind == "tiff" else 1
    except (pikepdf.PdfError, OSError, ValueError, SyntaxError) as exc:
        raise CannotCut(f"{path.name} cannot be read as pages ({exc})") from None


def cut(src: Path, pages: list[int], dest: Path, media_type: str) -> str:
    """Write the 1-based ``pages`` of ``src`` to ``dest``, in that order; returns how the pages were copied."""
    kind = _kind(src, media_type)
    n = page_count(src, media_type)
    if not pages or any(p < 1 or p > n for p in pages):
        raise CannotCut(f"pages {pages} are not all within the original's {n} page(s)")
    if kind == "pdf":
        with pikepdf.open(src) as pdf, pikepdf.new() as out:
            for p in pages:
                out.pages.append(pdf.pages[p - 1])
            # streams as they are: nothing decoded, nothing compressed again; the same pages give the same bytes
            out.save(dest, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none,
                     deterministic_id=True, min_version=pdf.pdf_version)
        return "pdf pages copied (pikepdf)"
    if kind == "image":
        dest.write_bytes(src.read_bytes())
        return "whole image (one page)"
    return _cut_tiff(src, pages, dest)


def _cut_tiff(src: Path, pages: list[int], dest: Path) -> str:
    frames, recompressed = [], []
    try:
        with Image.open(src) as im:
            for p in pages:
                im.seek(p - 1)
                im.load()
                own = im.info.get("compression", "raw")
                buf = io.BytesIO()
                if own in LOSSY_TIFF:
                    recompressed.append(p)
                    im.save(buf, format="TIFF", compression="tiff_adobe_deflate")
                else:
                    im.save(buf, format="TIFF")  # the frame's own compression, resolution and ICC profile
                frames.append(buf)
        images = [Image.open(b) for b in frames]
        try:
            images[0].save(dest, format="TIFF", save_all=True, append_images=images[1:])
        finally:
            for i in images:
                i.close()
    except (OSError, ValueError, SyntaxError) as exc:
        raise CannotCut(f"the frames of {src.name} cannot be copied ({exc})") from None
    method = "tiff frames copied with their own compression (Pillow)"
    if recompressed:
        method += f"; JPEG frame(s) {recompressed} kept as decoded pixels with Deflate"
    return method

