"""OCRmyPDF plugin: level the image that OCR reads, never the page that is kept.

OCRmyPDF's own --deskew rotates the page image and stores the rotated,
re-encoded copy in the output PDF. girok keeps the archival page image as
scanned, so it deskews only the copy handed to tesseract (the
``filter_ocr_image`` hook). Pages within 0.3 degrees of level are left
alone, so most pages cost nothing. The invisible text layer follows the
levelled image: on a page skewed by a few degrees, highlighted words sit a
few millimetres off the printed ones; search and copy are unaffected.
"""

from __future__ import annotations

import logging

from ocrmypdf import hookimpl
from PIL import Image

from .skew import estimate_skew

log = logging.getLogger(__name__)

MIN_ANGLE = 0.3


@hookimpl
def filter_ocr_image(page, image: Image.Image) -> Image.Image:
    angle = estimate_skew(image)
    if abs(angle) < MIN_ANGLE:
        return image
    log.info("page %d: levelling the OCR image by %.2f degrees", page.pageno + 1, angle)
    fill = 255 if image.mode in ("L", "1") else (255,) * len(image.getbands())
    work = image.convert("L") if image.mode == "1" else image
    out = work.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)
    out.info.update(image.info)
    return out
