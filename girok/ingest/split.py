"""Splitting a batch scan into documents: which pages are separators, which are blank backs.

``classify_page`` looks at one page image; ``split_pages`` turns the
kinds of all pages into the page numbers of each document. Separator sheets
end one document and start the next and are never part of one; blank pages
are dropped; a batch of separators and blanks only gives no document.
"""

from __future__ import annotations

from typing import Literal, Sequence

from PIL import Image

from .blank import DEFAULT_THRESHOLD, is_blank
from ..metadata.qr import Code, read_codes, separator_kind

PageKind = Literal["content", "separator", "blank"]


def classify_page(image: Image.Image, *, blank_threshold: float | None = DEFAULT_THRESHOLD,
                  codes: Sequence[Code] | None = None, separators: bool = True) -> PageKind:
    """``separator`` (when ``separators``), ``blank`` (when ``blank_threshold`` is not None) or ``content``.

    Pass ``codes`` (from ``read_codes``) when the page was decoded already,
    e.g. to read an e-form QR code on the same page.
    """
    if separators:
        codes = read_codes(image) if codes is None else codes
        if separator_kind(image, codes):
            return "separator"
    if blank_threshold is not None and is_blank(image, blank_threshold):
        return "blank"
    return "content"


def split_pages(kinds: Sequence[PageKind]) -> list[list[int]]:
    """0-based page numbers of each document: content pages between separators, blanks left out."""
    docs: list[list[int]] = [[]]
    for i, kind in enumerate(kinds):
        if kind == "separator":
            docs.append([])
        elif kind == "content":
            docs[-1].append(i)
    return [d for d in docs if d]
