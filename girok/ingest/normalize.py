"""Turn any accepted scan into a PDF for OCR: images via img2pdf (lossless, DPI kept).

PDFs pass through unchanged (OCRmyPDF reads them). TIFF pages, JPEG and
PNG are wrapped by img2pdf without re-encoding where the PDF format allows
it (JPEG, CCITT G4); other encodings are stored losslessly. Images that
img2pdf cannot take as they are (alpha channel, 16-bit, odd modes) are
converted losslessly with Pillow first. Images without a resolution get
the profile's ``assume_dpi``.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import img2pdf
import pikepdf
from PIL import Image, ImageSequence

from ..errors import InputRejected
from . import signature
from ..i18n import N_, _, translate

# Decompression-bomb guard: larger images are refused with a clear message.
MAX_PIXELS = 200_000_000  # e.g. A0 at 600 dpi is ~ 139 MP
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass
class Normalized:
    pdf: Path
    pages: int
    method: str
    image_dpi: int | None


def _dpi_of(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    if not dpi:
        return None
    try:
        x = float(dpi[0])
    except (TypeError, ValueError, IndexError):
        return None
    return x if 50 <= x <= 2400 else None


def _size_of(src: Path) -> str:
    """``W x H pixels (N million)`` read from the header only (the guard is off for just this read)."""
    saved = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = None
        with Image.open(src) as im:
            w, h = im.size
        return f"{w} x {h} pixels ({w * h / 1e6:.0f} million)"
    except (OSError, ValueError, SyntaxError):
        return "too many pixels to open safely"
    finally:
        Image.MAX_IMAGE_PIXELS = saved


# zlib effort of the PNG that holds a re-encoded page (a TIFF page compressed in a way PDF cannot carry: JPEG
# strips, LZW, none). Pillow's default 6 was a third of a worker's Python time on the dev TIFFs (JPEG strips);
# 3 takes about 40% of that time for a PNG about 12% larger. The pixels are the same at every level.
ARCHIVAL_PNG_LEVEL = 3
PASSED_THROUGH_TIFF = ("group3", "group4", "tiff_ccitt")  # compressions img2pdf puts into the PDF as they are


def _pillow_frames(src: Path, dpi: int) -> list[bytes]:
    """Each frame as a lossless PNG that img2pdf accepts (alpha flattened onto white)."""
    frames = []
    with Image.open(src) as im:
        for frame in ImageSequence.Iterator(im):
            f = frame.copy()
            if f.mode in ("RGBA", "LA", "PA") or (f.mode == "P" and "transparency" in f.info):
                f = f.convert("RGBA")
                bg = Image.new("RGB", f.size, "white")
                bg.paste(f, mask=f.getchannel("A"))
                f = bg
            elif f.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
                f = f.convert("L")
            elif f.mode not in ("1", "L", "RGB", "CMYK", "P"):
                f = f.convert("RGB")
            buf = io.BytesIO()
            f.save(buf, format="PNG", dpi=(dpi, dpi), compress_level=ARCHIVAL_PNG_LEVEL)
            frames.append(buf.getvalue())
    return frames


def _image_to_pdf(src: Path, dest: Path, assume_dpi: int) -> Normalized:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(src) as im:
                im.verify() if im.format != "TIFF" else None
            with Image.open(src) as im:
                n = getattr(im, "n_frames", 1)
                transparent = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
                # img2pdf would re-encode these pages as PNG itself, at Pillow's slowest default effort
                # (img2pdf also turns a page by its Orientation tag: such files keep img2pdf's own way)
                reencoded = im.format == "TIFF" and im.mode in ("1", "L", "RGB") and \
                    im.info.get("compression") not in PASSED_THROUGH_TIFF and im.tag_v2.get(274, 1) == 1
                dpi = _dpi_of(im)
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise Image.DecompressionBombError(f"{w} x {h}")
                for frame in ImageSequence.Iterator(im):
                    frame.load()  # decode every page now: truncated files fail here, not in OCR
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputRejected(
            _("the image is too large: {size}; the limit is {limit} million pixels").format(
                size=_size_of(src), limit=MAX_PIXELS // 1_000_000),
            stage="normalize", advice=_("Scan at 300 dpi or less; split very large drawings into parts."),
        ) from None
    except (OSError, SyntaxError, ValueError, TypeError, EOFError) as exc:
        raise InputRejected(_("the image cannot be decoded ({exc})").format(exc=exc), stage="normalize",
                            advice=_("The file is damaged or incomplete: scan the paper again.")) from None
    use_dpi = int(round(dpi)) if dpi else assume_dpi
    layout = None if dpi else img2pdf.get_fixed_dpi_layout_fun((use_dpi, use_dpi))
    method = "img2pdf (lossless wrap)"
    try:
        if transparent:  # img2pdf would keep it as a soft mask: OCR and page checks would see black paper
            raise ValueError("transparent image")
        if reencoded:
            raise ValueError("TIFF pages PDF cannot carry as they are")
        data = img2pdf.convert(str(src), layout_fun=layout, rotation=img2pdf.Rotation.ifvalid) if layout else \
            img2pdf.convert(str(src), rotation=img2pdf.Rotation.ifvalid)
    except Exception:  # img2pdf refuses 16-bit and some TIFF encodings; transparency: convert losslessly first
        frames = _pillow_frames(src, use_dpi)
        data = img2pdf.convert(frames, layout_fun=img2pdf.get_fixed_dpi_layout_fun((use_dpi, use_dpi)))
        method = "Pillow lossless PNG + img2pdf"
    dest.write_bytes(data)
    return Normalized(pdf=dest, pages=n, method=method + ("" if dpi else f", assumed {use_dpi} dpi"),
                      image_dpi=None if dpi else use_dpi)


PDF_ADVICE = N_("Save it without a password, or scan the paper, and drop it in again.")  # translate() where used


def _ends_complete(src: Path) -> bool:
    """A complete PDF ends with %%EOF (allowing some trailing bytes); a cut-off transfer does not."""
    with src.open("rb") as fh:
        fh.seek(max(0, src.stat().st_size - 2048))
        return b"%%EOF" in fh.read()


def _pdf_for_ocr(src: Path, work: Path) -> Normalized:
    """Check a PDF can be archived; a signed one is handed to OCR as an unsigned copy."""
    if not _ends_complete(src):
        raise InputRejected(_("the PDF is incomplete: it stops before its end-of-file marker (%%EOF)"),
                            stage="normalize", advice=_("The transfer or scan was cut off: scan or copy it again."))
    try:
        with pikepdf.open(src) as pdf:
            if pdf.is_encrypted:
                raise InputRejected(_("the PDF is encrypted or password-protected"), stage="normalize",
                                    advice=translate(PDF_ADVICE))
            n = len(pdf.pages)
            if n and signature.is_signed(pdf):
                unsigned = signature.unsigned_copy(pdf, work / "unsigned.pdf")
                return Normalized(pdf=unsigned, pages=n, method="signature removed for OCR: " + signature.NOTE,
                                  image_dpi=None)
    except pikepdf.PasswordError:
        raise InputRejected(_("the PDF is password-protected"), stage="normalize",
                            advice=translate(PDF_ADVICE)) from None
    except pikepdf.PdfError as exc:
        raise InputRejected(_("the PDF is damaged and cannot be read ({error})").format(
                                error=str(exc).replace(str(src) + ': ', '')), stage="normalize",
                            advice=_("The transfer may have been cut off: scan or copy it again.")) from None
    if n == 0:
        raise InputRejected(_("the PDF has no pages"), stage="normalize", advice=_("Scan the paper again."))
    return Normalized(pdf=src, pages=n, method="none (PDF input)", image_dpi=None)


def normalize(src: Path, media_type: str, work: Path, *, assume_dpi: int) -> Normalized:
    if media_type == "application/pdf":
        return _pdf_for_ocr(src, work)
    return _image_to_pdf(src, work / "normalized.pdf", assume_dpi)


PREVIEW_DPI = 150  # enough for QR codes, separator sheets and blank-page checks


def page_previews(pdf: Path, dpi: int = PREVIEW_DPI) -> Iterator[Image.Image]:
    """Each page rendered in grey at ``dpi``, one at a time (for splitting and codes, never stored).

    A generator, so a 500-page backlog batch holds one preview in memory, not 500.
    """
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        for i in range(len(doc)):
            page = doc[i]
            img = page.render(scale=dpi / 72, grayscale=True).to_pil()
            img.info["dpi"] = (dpi, dpi)
            page.close()
            yield img
    finally:
        doc.close()


def extract_pages(pdf: Path, pages: list[int], dest: Path) -> Path:
    """A new PDF with the given 0-based pages of ``pdf``, in order (page surgery with pikepdf)."""
    with pikepdf.open(pdf) as src, pikepdf.new() as out:
        for i in pages:
            out.pages.append(src.pages[i])
        out.save(dest)
    return dest
