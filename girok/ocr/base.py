"""The OCR engine seam: what girok asks of an OCR engine and what it gets back.

An engine turns one PDF into a PDF/A with a text layer and returns, per page
it read, the text, the words with their boxes and confidences, and a page
confidence; plus what the conversion record names (the engine, its options,
the programs and their versions). Results are returned, never left in module
state, so an engine may read pages in threads or processes.

Tesseract through OCRmyPDF (``girok.ocr.engine.TesseractEngine``) is the one
implementation today; OCRmyPDF's own ``OcrEngine`` plugin hook is the model.
Engines are looked up by the name a profile gives (``[ocr] engine``) in
``girok.ocr.engines``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..config import OcrSettings


@dataclass(frozen=True)
class Word:
    text: str
    box: tuple[int, int, int, int]  # left, top, width, height in pixels of the page image the engine read
    conf: float  # 0-100


@dataclass
class PageResult:
    text: str | None  # the page's text as its text layer holds it; None: the engine has no text of its own
    words: list[Word] = field(default_factory=list)
    confidence: float | None = None  # 0-100; None: nothing to judge (a blank page)


@dataclass
class OcrResult:
    output: Path
    pages: dict[int, PageResult]  # page number (1-based) -> result; pages the engine did not read are absent
    record: dict[str, Any]  # for the conversion record: {"ocr": ..., "options": ..., "tools": ...}

    @property
    def options(self) -> dict[str, Any]:
        return self.record["options"]

    @property
    def tools(self) -> dict[str, str]:
        return self.record["tools"]

    @property
    def confidence(self) -> dict[int, float | None]:
        """Page number -> page confidence, for the pages read."""
        return {n: p.confidence for n, p in self.pages.items()}

    @property
    def texts(self) -> dict[int, str]:
        """Page number -> the engine's own text of the page, where it has one."""
        return {n: p.text for n, p in self.pages.items() if p.text is not None}


DESKEW_PLUGIN = "girok.ocr.plugin_deskew"


def deskew_record(options: dict[str, Any]) -> dict[str, bool]:
    """What was levelled, from a conversion record's options: the page kept in the PDF/A (the preservation copy)
    and the image OCR read (the OCR copy). girok levels only the OCR copy (``girok.ocr.plugin_deskew``): a record
    says so as ``{"preservation_copy": false, "ocr_copy": true}``; one written before it did said
    ``"deskew": false`` (OCRmyPDF's own option, off) with the plugin in ``"plugins"``, and reads the same."""
    said = options.get("deskew")
    if isinstance(said, dict):
        return {"preservation_copy": bool(said.get("preservation_copy")), "ocr_copy": bool(said.get("ocr_copy"))}
    return {"preservation_copy": bool(said), "ocr_copy": DESKEW_PLUGIN in options.get("plugins", ())}


class OcrEngine(Protocol):
    name: str

    def check_ready(self, settings: list[OcrSettings]) -> None:
        """Raise girok.errors.MissingDependency unless the engine can run with every one of ``settings``."""

    def run(self, src: Path, dest: Path, settings: OcrSettings, *, image_dpi: int | None = None,
            pdf_input: bool = True, progress: Callable[[int], None] | None = None) -> OcrResult:
        """OCR ``src`` (a PDF) into ``dest`` (PDF/A); raise girok.errors.InputRejected with a clerk-readable
        reason when the file cannot be made into one. ``progress(pageno)``, if given, is called as each page
        (1-based) is read, where the engine can tell; an engine that cannot calls it never."""
