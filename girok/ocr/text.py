"""Text out of an OCRed PDF, one string per page, in reading order."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pypdfium2 as pdfium

from .punctuation import korean_punctuation


def page_texts(pdf: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            text = tp.get_text_bounded()
            tp.close()
            page.close()
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            out.append(korean_punctuation(unicodedata.normalize("NFC", text)).strip())
        return out
    finally:
        doc.close()
