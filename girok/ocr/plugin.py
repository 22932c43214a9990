"""girok's OCRmyPDF plugin: the same tesseract OCR, with cheaper page analysis.

OCRmyPDF asks its OCR engine for two things before recognizing a page: the
page's orientation (for --rotate-pages) and its skew angle (for --deskew).
The built-in engine runs tesseract on the full 300 dpi page for each; on the
dev corpus that was about 2.3 s and 1.4 s per page, more than the
recognition itself. Here orientation runs tesseract's OSD on a half-size
preview (same answers on the corpus, half the time; where OSD is unsure,
girok.ocr.orientation compares recognition of the four rotations) and skew comes from
projection profiles (girok.ocr.skew, ~0.1 s). Recognition is unchanged.
"""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path

from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine
from ocrmypdf.pluginspec import OrientationConfidence
from PIL import Image

from .coverage import ink_share, unread_share
from .orientation import upright_angle
from .skew import estimate_skew_file
from .words import correct_text_layer

log = logging.getLogger(__name__)

OSD_DPI = 150.0  # orientation detection reads a copy of the page at about this resolution
COVERAGE_REDUCE = 3  # the unread-ink share is measured on a third-size copy (same answer, a ninth of the work)

# Page confidence (0-100: mean word confidence scaled by the share of ink read) per page number (1-based) of the current OCRmyPDF run.
# The worker runs OCRmyPDF with threads (use_threads=True), so this module is the
# one the caller imported; the caller clears it before a run and reads it after.
PAGE_CONFIDENCE: dict[int, float | None] = {}  # None: no words on the page (blank), nothing to judge
UNREAD_INK = 0.002  # share of a page's pixels that are text ink: above it, a page with no word read is not blank
PAGE_TEXT: dict[int, str] = {}  # page number -> text from tesseract's words, as the text layer holds it
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def mostly_latin(text: str) -> bool:
    """True when the Korean model's reading of a page is not Korean text.

    The Korean model reads an English page as Latin letters, digits and
    symbols with few Hangul syllables, so: enough characters, and less than
    a third of them Hangul (Korean pages run well above half).
    """
    chars = [c for c in text if not c.isspace()]
    hangul = len(_HANGUL.findall(text))
    return len(chars) >= 20 and hangul < len(chars) / 3


def _tsv_of(output) -> Path:
    return Path(output).parent / (Path(output).stem + ".tsv")


def _word_rows(tsv: Path) -> list[list[str]]:
    """The word rows (level 5, with text) of tesseract's TSV output."""
    try:
        lines = tsv.read_text(encoding="utf-8", errors="ignore").splitlines()[1:]
    except OSError:
        return []
    return [cols for cols in (line.split("\t") for line in lines)
            if len(cols) >= 12 and cols[0] == "5" and cols[11].strip()]


def read_words(tsv: Path) -> list[tuple[str, float]]:
    """(word, confidence) for every recognized word in tesseract's TSV output."""
    words = []
    for cols in _word_rows(tsv):
        try:
            conf = float(cols[10])
        except ValueError:
            continue
        if conf >= 0:
            words.append((cols[11].strip(), conf))
    return words


def read_boxes(tsv: Path) -> list[tuple[int, int, int, int, float]]:
    """(left, top, width, height, confidence) of every recognized word in tesseract's TSV output."""
    boxes = []
    for cols in _word_rows(tsv):
        try:
            boxes.append((int(cols[6]), int(cols[7]), int(cols[8]), int(cols[9]), float(cols[10])))
        except ValueError:
            continue
    return boxes


def page_confidence(input_file, tsv: Path) -> float | None:
    """Mean word confidence scaled by the share of the page's text ink that was read (girok.ocr.coverage).

    None for a blank page (no words, no text ink): nothing to judge, never flagged. A page with text ink
    but no word read gets 0: the clerk must see it (it happened on a sideways page read as nothing).
    """
    conf = mean_confidence(read_words(tsv))
    try:
        with Image.open(input_file) as im:
            small = im.convert("L").reduce(COVERAGE_REDUCE)
    except OSError:
        return conf
    if conf is None:
        return 0.0 if ink_share(small) > UNREAD_INK else None
    boxes = [(x // COVERAGE_REDUCE, y // COVERAGE_REDUCE, -(-w // COVERAGE_REDUCE), -(-h // COVERAGE_REDUCE), c)
             for x, y, w, h, c in read_boxes(tsv)]
    return round(conf * (1.0 - unread_share(small, boxes)), 1)


def mean_confidence(words: list[tuple[str, float]]) -> float | None:
    weight = sum(len(w) for w, _ in words)
    return round(sum(c * len(w) for w, c in words) / weight, 1) if weight else None


def doubtful_latin(words: list[tuple[str, float]], *, below: float = 75.0) -> int:
    """Words without Hangul that the Korean model read with low confidence: likely English it misread."""
    return sum(1 for w, c in words
               if c < below and len(w) >= 2 and not _HANGUL.search(w) and any(ch.isalnum() for ch in w))


def english_lines_likely(words: list[tuple[str, float]]) -> bool:
    """Enough doubtful non-Hangul words that the page likely has English sentences, not just acronyms.

    A Korean article with a few acronyms (AI, QR) is not worth a second,
    slower reading of the whole page (measured: 9-10 s instead of ~5 s per
    page); a page with English lines is (English read by kor is garbage).
    """
    doubtful = doubtful_latin(words)
    return doubtful >= 3 and doubtful >= 0.05 * len(words)


def _pageno(input_file) -> int | None:
    try:
        return int(Path(input_file).name.split("_", 1)[0])
    except ValueError:
        return None


def _korean_first(run, input_file, output, output_text, options) -> None:
    """Read the page (``_read_page``), then the confidence of the reading kept (girok.ocr.coverage)."""
    _read_page(run, input_file, output, output_text, options)
    PAGE_CONFIDENCE[_pageno(input_file) or 0] = page_confidence(input_file, _tsv_of(output))


def _read_page(run, input_file, output, output_text, options) -> None:
    """Recognize with Korean alone; read again with every profile language only where English is likely.

    Tesseract with kor+eng tries both models on every word: on the Korean dev
    corpus that was about 35% slower than kor alone and less accurate (CER
    0.103 vs 0.075), because the English model "corrects" Hangul words. The
    Korean model reads digits well but misreads Latin words (AI -> 41). So a
    page is read again with the full list when kor's reading is not Korean
    (``mostly_latin``) or has doubtful non-Hangul words, and the reading with
    the higher mean word confidence is kept.
    """
    langs = list(options.languages)
    if "kor" not in langs or len(langs) == 1:
        run(input_file, output, output_text, options)
        return
    run(input_file, output, output_text, options.model_copy(update={"languages": ["kor"]}))
    words = read_words(_tsv_of(output))
    text = Path(output_text).read_text(encoding="utf-8", errors="ignore")
    first = mean_confidence(words) or 0.0
    if not mostly_latin(text) and not english_lines_likely(words):
        return
    kept = [Path(output), Path(output_text), _tsv_of(output)]
    for f in kept:
        if f.exists():
            f.replace(f.with_name(f.name + ".kor"))
    run(input_file, output, output_text, options)
    second = mean_confidence(read_words(_tsv_of(output))) or 0.0
    if second >= first or mostly_latin(text):
        for f in kept:
            f.with_name(f.name + ".kor").unlink(missing_ok=True)
        log.info("%s: read again with %s (confidence %.0f -> %.0f)", Path(input_file).name, "+".join(langs),
                 first, second)
    else:
        for f in kept:
            f.with_name(f.name + ".kor").replace(f)


class GirokTesseractEngine(TesseractOcrEngine):
    @staticmethod
    def get_orientation(input_file, options):
        with Image.open(input_file) as im:
            dpi = im.info.get("dpi", (300, 300))
            # OSD at ~150 dpi: a 300 dpi page at half size; a 200 dpi page at 3/4 (at half size, 100 dpi,
            # OSD called a sideways Korean page upright with confidence 4.3; at 150 dpi it is right)
            scale = min(1.0, OSD_DPI / max(1.0, float(dpi[0])))
            small = im.convert("L").resize(
                (max(1, int(im.width * scale)), max(1, int(im.height * scale))), Image.Resampling.BOX,
            )
        with tempfile.TemporaryDirectory(prefix="girok-osd-") as tmp:
            path = Path(tmp) / "osd.png"
            small.save(path, dpi=(max(1, int(dpi[0] * scale)), max(1, int(dpi[1] * scale))))
            osd = TesseractOcrEngine.get_orientation(path, options)
        threshold = getattr(options, "rotate_pages_threshold", 2.0)
        if osd.confidence >= threshold:
            return osd
        # OSD is unsure (often so on Korean forms): let recognition confidence decide
        with Image.open(input_file) as im:
            angle, clear = upright_angle(im, dpi=int(dpi[0]), timeout=float(options.tesseract_timeout or 60))
        if not clear:
            return osd
        if angle != osd.angle:
            log.info("%s: OSD said %d (confidence %.2f); recognition says %d", Path(input_file).name,
                     osd.angle, osd.confidence, angle)
        return OrientationConfidence(angle=angle, confidence=max(threshold, 10.0))

    @staticmethod
    def generate_pdf(input_file, output_pdf, output_text, options):
        _korean_first(TesseractOcrEngine.generate_pdf, input_file, output_pdf, output_text, options)
        # the text layer is tesseract's own PDF here: junk words out, Latin words read again (girok.ocr.words)
        try:
            txt = Path(output_text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            txt = None
        edits, text = correct_text_layer(input_file, output_pdf, _tsv_of(output_pdf),
                                         english="eng" in options.languages,
                                         timeout=float(options.tesseract_timeout or 60), txt=txt)
        if text is not None:
            PAGE_TEXT[_pageno(input_file) or 0] = text
        if edits:
            log.info("%s: %d word(s) corrected in the text layer", Path(input_file).name, len(edits))

    @staticmethod
    def generate_hocr(input_file, output_hocr, output_text, options):
        _korean_first(TesseractOcrEngine.generate_hocr, input_file, output_hocr, output_text, options)

    @staticmethod
    def get_deskew(input_file, options) -> float:
        return estimate_skew_file(Path(input_file))


@hookimpl
def get_ocr_engine(options):
    if options is not None and getattr(options, "ocr_engine", "auto") not in ("auto", "tesseract"):
        return None
    return GirokTesseractEngine()
