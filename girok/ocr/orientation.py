"""Which way up a page is, when tesseract's orientation detection is unsure.

Tesseract's OSD is trained mostly on Latin script. On Korean forms it can
answer with a confidence near zero, and then either the wrong angle
(seed-4242 form-00: "0" for a page fed at 90 degrees, confidence 0.11) or
the right one below OCRmyPDF's rotation threshold (form-07: 0.78), so the
page is OCRed sideways and its text is lost. For such pages girok reads a
half-size copy at each of the four rotations with the Korean model and keeps
the rotation that yields the most confidently read Hangul. Upright pages
score many times higher than the others (measured: 80 vs <= 20 on forms,
837 vs <= 137 on an article), so the choice is clear-cut. It costs four
small recognitions (about 1-8 s), only on pages where OSD is unsure.
"""

from __future__ import annotations

import logging

from PIL import Image

from ..text.hangul import SYLLABLE_RE
from . import tsv as tsv_rows

log = logging.getLogger(__name__)

SCALE = 0.5
ANGLES = (0, 90, 180, 270)  # counter-clockwise turns that make the page upright (OCRmyPDF's angle)
CLEAR_MARGIN = 2.0  # the best rotation must score this many times the runner-up to be trusted


def hangul_score(tsv: str) -> float:
    """Confidence-weighted count of Hangul syllables in tesseract's TSV output."""
    return sum(len(SYLLABLE_RE.findall(w.text)) * w.conf / 100 for w in tsv_rows.parse(tsv) if w.conf > 0)


def rotation_scores(image: Image.Image, *, dpi: int = 300, timeout: float = 60.0) -> dict[int, float]:
    """Hangul score of the page turned counter-clockwise by each of 0, 90, 180, 270 degrees."""
    g = image.convert("L")
    small = g.resize((max(1, int(g.width * SCALE)), max(1, int(g.height * SCALE))), Image.Resampling.BOX)
    small_dpi = max(1, int(dpi * SCALE))
    return {a: hangul_score(tsv_rows.run_tesseract(small.rotate(a, expand=True) if a else small, small_dpi, timeout))
            for a in ANGLES}


def upright_angle(image: Image.Image, *, dpi: int = 300, timeout: float = 60.0) -> tuple[int, bool]:
    """(counter-clockwise turn that makes the page upright, whether the choice is clear)."""
    scores = rotation_scores(image, dpi=dpi, timeout=timeout)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    clear = top > 0 and top >= CLEAR_MARGIN * second
    log.info("orientation by recognition: scores %s -> %d%s", {a: round(s, 1) for a, s in scores.items()},
             best, "" if clear else " (not clear)")
    return best, clear
