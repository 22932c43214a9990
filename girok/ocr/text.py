"""Text of an OCRed PDF, one string per page, in reading order.

Pages girok OCRed take their text from tesseract's words (``ocr_texts``,
the same words the text layer holds), because text pulled back out of the
PDF gets a space between most Hangul syllables (민 원 실). Pages that kept
their born-digital text are read out of the PDF.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pypdfium2 as pdfium

from .punctuation import korean_punctuation


def page_texts(pdf: Path, ocr_texts: dict[int, str] | None = None) -> list[str]:
    ocr_texts = ocr_texts or {}
    doc = pdfium.PdfDocument(str(pdf))
    try:
        out = []
        for i in range(len(doc)):
            if i + 1 in ocr_texts:
                out.append(korean_punctuation(unicodedata.normalize("NFC", ocr_texts[i + 1])).strip())
                continue
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
