"""PDF/A checks with pikepdf: which level a file claims, and that it has an output intent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf


@dataclass(frozen=True)
class PdfaInfo:
    part: str  # "1", "2", "3" or "" when not PDF/A
    conformance: str  # "A", "B", "U" or ""
    output_intent: bool
    pages: int

    @property
    def level(self) -> str:
        return f"{self.part}{self.conformance}" if self.part else ""

    @property
    def ok(self) -> bool:
        return bool(self.part) and self.output_intent


def inspect(path: Path) -> PdfaInfo:
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        part = str(meta.get("pdfaid:part", "") or "")
        conf = str(meta.get("pdfaid:conformance", "") or "").upper()
        intents = pdf.Root.get("/OutputIntents")
        has_intent = bool(intents) and any(
            str(i.get("/S", "")) == "/GTS_PDFA1" for i in intents
        )
        return PdfaInfo(part=part, conformance=conf, output_intent=has_intent, pages=len(pdf.pages))
