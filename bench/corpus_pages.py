"""Corpus pages for the benchmarks: upright page images and a cached tesseract text.

Independent of girok's pipeline on purpose: a metadata benchmark must not move
when the OCR stage changes, so it OCRs each page itself with pytesseract
(``lang="kor"``, ``--psm 4``, the choice the README explains) after turning it
upright with the corpus's ``fed_rotated``. PDFs are rasterized with pypdfium2
at 300 dpi. The text is cached under ``bench/out/ocr-cache/``, keyed by the
file's SHA-256, the page number, the tesseract version and the options, so a
re-run costs nothing and a changed file or tesseract is OCRed again.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / "out" / "ocr-cache"
OCR_LANG = "kor"
OCR_CONFIG = "--psm 4"
PDF_DPI = 300


def load_pages(path: Path, fed_rotated: int = 0) -> list[Image.Image]:
    """Every page of a TIFF/PNG/JPEG/PDF as an upright PIL image (grey or RGB)."""
    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(path))
        try:
            pages = [doc[i].render(scale=PDF_DPI / 72).to_pil() for i in range(len(doc))]
        finally:
            doc.close()
    else:
        with Image.open(path) as im:
            pages = [frame.copy() for frame in ImageSequence.Iterator(im)]
    out = []
    for p in pages:
        if p.mode not in ("L", "RGB"):
            p = p.convert("RGB" if p.mode in ("RGBA", "P", "CMYK") else "L")
        # fed_rotated is how far the sheet was turned (counter-clockwise) when fed: turn it back.
        dpi = (PDF_DPI, PDF_DPI) if path.suffix.lower() == ".pdf" else p.info.get("dpi")
        if fed_rotated % 360:
            p = p.rotate(-fed_rotated, expand=True)
        if dpi:
            p.info["dpi"] = dpi
        out.append(p)
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _long_runs(dark: np.ndarray, min_len: int) -> np.ndarray:
    """Pixels of the dark runs along each row that are at least ``min_len`` long."""
    out = np.zeros_like(dark)
    for i, row in enumerate(dark):
        d = np.diff(np.concatenate(([0], row.view(np.int8), [0])))
        for a, b in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)):
            if b - a >= min_len:
                out[i, a:b] = True
    return out


def remove_rules(page: Image.Image, dpi: float) -> Image.Image:
    """The page with its table rules (straight dark lines over 0.8 inch) painted white: a diagnostic.

    tesseract (psm 4) drops whole table rows of the corpus's forms when the
    rules are there; this variant shows what OCR would give without them.
    """
    a = np.asarray(page.convert("L")).copy()
    dark = a < 160
    n = int(0.8 * dpi)
    rules = _long_runs(dark, n) | _long_runs(np.ascontiguousarray(dark.T), n).T
    grown = rules.copy()
    grown[1:] |= rules[:-1]
    grown[:-1] |= rules[1:]
    grown[:, 1:] |= rules[:, :-1]
    grown[:, :-1] |= rules[:, 1:]
    a[grown] = 255
    return Image.fromarray(a)


def ocr_pages(path: Path, fed_rotated: int = 0, *, pages: list[Image.Image] | None = None,
              without_rules: bool = False) -> list[str]:
    """tesseract text of every page of ``path`` (cached); ``without_rules``: after ``remove_rules``."""
    import pytesseract

    version = str(pytesseract.get_tesseract_version())
    variant = "|norules" if without_rules else ""
    key = hashlib.sha256(
        f"{_sha256(path)}|{fed_rotated}|{version}|{OCR_LANG}|{OCR_CONFIG}|{PDF_DPI}{variant}".encode()).hexdigest()[:24]
    cache = CACHE / f"{path.name}.{key}.json"
    if cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))["pages"]
    pages = pages if pages is not None else load_pages(path, fed_rotated)
    if without_rules:
        pages = [remove_rules(p, _page_dpi(path, p)) for p in pages]
    texts = [unicodedata.normalize("NFC", pytesseract.image_to_string(p, lang=OCR_LANG, config=OCR_CONFIG))
             for p in pages]
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps({"file": path.name, "tesseract": version, "lang": OCR_LANG, "config": OCR_CONFIG,
                               "fed_rotated": fed_rotated, "without_rules": without_rules, "pages": texts},
                              ensure_ascii=False, indent=1),
                   encoding="utf-8")
    tmp.replace(cache)
    return texts


def _page_dpi(path: Path, page: Image.Image) -> float:
    if path.suffix.lower() == ".pdf":
        return PDF_DPI
    dpi = page.info.get("dpi")
    return float(dpi[0]) if dpi and float(dpi[0]) >= 50 else min(page.size) / 8.27


def ground_truth_pages(gt: Path) -> list[str]:
    """The corpus's ``.gt.txt``: pages separated by form feeds."""
    return unicodedata.normalize("NFC", gt.read_text(encoding="utf-8")).split("\f")


if __name__ == "__main__":  # warm the cache: python bench/corpus_pages.py [CORPUS]
    import sys

    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else (REPO / ".." / "shared" / "corpus" / "dev").resolve()
    for entry in json.loads((corpus / "MANIFEST.json").read_text(encoding="utf-8")):
        f = corpus / entry["file"]
        texts = ocr_pages(f, entry.get("fed_rotated") or 0)
        print(f"{entry['file']}: {len(texts)} pages", flush=True)
