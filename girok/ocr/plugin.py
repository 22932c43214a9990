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

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine
from ocrmypdf.pluginspec import OrientationConfidence
from PIL import Image

from ..text.hangul import SYLLABLE_RE
from . import tsv as tsv_rows
from .base import PageResult, Word
from .coverage import ink_share, unread_share
from .orientation import upright_angle
from .skew import estimate_skew_file
from .words import correct_text_layer

log = logging.getLogger(__name__)

OSD_DPI = 150.0  # orientation detection reads a copy of the page at about this resolution
COVERAGE_REDUCE = 3  # the unread-ink share is measured on a third-size copy (same answer, a ninth of the work)
KOREAN_MODELS = ("kor", "Hangul")  # tesseract's Korean language model and its Hangul script model
UNREAD_INK = 0.002  # share of a page's pixels that are text ink: above it, a page with no word read is not blank


def mostly_latin(text: str) -> bool:
    """True when the Korean model's reading of a page is not Korean text.

    The Korean model reads an English page as Latin letters, digits and
    symbols with few Hangul syllables, so: enough characters, and less than
    a third of them Hangul (Korean pages run well above half).
    """
    chars = [c for c in text if not c.isspace()]
    hangul = len(SYLLABLE_RE.findall(text))
    return len(chars) >= 20 and hangul < len(chars) / 3


# --- each page's result, handed back to girok.ocr.engine ---------------------------------
# OCRmyPDF reads pages in threads or in processes; either way a page's result is written as a file in a
# folder beside the run's output file (``pages_dir``), which run_ocr reads once OCRmyPDF is done.


def pages_dir(output_file) -> Path:
    """Where the pages of the OCRmyPDF run writing ``output_file`` leave their results."""
    out = Path(output_file)
    return out.parent / f".{out.name}.pages"


def write_page(options, pageno: int, page: PageResult) -> None:
    out = getattr(options, "output_file", None)
    if not isinstance(out, (str, os.PathLike)):
        return  # OCRmyPDF writes to a stream: no folder to hand results back through
    folder = pages_dir(out)
    folder.mkdir(exist_ok=True)
    data = {"text": page.text, "confidence": page.confidence,
            "words": [[w.text, *w.box, w.conf] for w in page.words]}
    tmp = folder / f"{pageno:06d}.json.tmp"
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(folder / f"{pageno:06d}.json")
    with _listeners_lock:
        listener = _listeners.get(folder)
    if listener is not None:
        try:
            listener(pageno)
        except Exception:  # progress is for the eyes: it never fails a page
            log.debug("page listener failed", exc_info=True)


_listeners: dict[Path, Callable[[int], None]] = {}  # pages_dir -> told each page number read
_listeners_lock = threading.Lock()


@contextmanager
def listen(output_file, listener: Callable[[int], None] | None) -> Iterator[None]:
    """While the block runs, ``listener(pageno)`` is called as each page of the run writing ``output_file`` is
    read (pages read in threads of this process; OCRmyPDF's page processes, use_threads=False, tell no one)."""
    if listener is None:
        yield
        return
    folder = pages_dir(output_file)
    with _listeners_lock:
        _listeners[folder] = listener
    try:
        yield
    finally:
        with _listeners_lock:
            _listeners.pop(folder, None)


def read_pages(folder: Path) -> dict[int, PageResult]:
    """Page number -> result, of every page a run wrote into ``folder``."""
    pages = {}
    for f in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        data = json.loads(f.read_text(encoding="utf-8"))
        words = [Word(w[0], (w[1], w[2], w[3], w[4]), w[5]) for w in data["words"]]
        pages[int(f.stem)] = PageResult(text=data["text"], words=words, confidence=data["confidence"])
    return pages


def _tsv_of(output) -> Path:
    return tsv_rows.path_for(output)


def _scores(rows: list[tsv_rows.Word]) -> list[tuple[str, float]]:
    return [(w.text, w.conf) for w in rows if w.conf >= 0]


def read_words(tsv: Path) -> list[tuple[str, float]]:
    """(word, confidence) for every recognized word in tesseract's TSV output."""
    return _scores(tsv_rows.read(tsv))


def read_boxes(tsv: Path) -> list[tuple[int, int, int, int, float]]:
    """(left, top, width, height, confidence) of every recognized word in tesseract's TSV output."""
    return [(w.left, w.top, w.width, w.height, w.conf) for w in tsv_rows.read(tsv)]


def page_confidence(input_file, tsv: Path) -> float | None:
    """Mean word confidence scaled by the share of the page's text ink that was read (girok.ocr.coverage).

    None for a blank page (no words, no text ink): nothing to judge, never flagged. A page with text ink
    but no word read gets 0: the clerk must see it (it happened on a sideways page read as nothing).
    """
    return _page_confidence(input_file, tsv_rows.read(tsv))


def _page_confidence(input_file, rows: list[tsv_rows.Word], image: Image.Image | None = None) -> float | None:
    """``page_confidence`` from the TSV's rows; ``image``: the page image already decoded (else read from
    ``input_file``)."""
    conf = mean_confidence(_scores(rows))
    try:
        if image is None:
            with Image.open(input_file) as im:
                small = im.convert("L").reduce(COVERAGE_REDUCE)
        else:
            small = image.convert("L").reduce(COVERAGE_REDUCE)
    except OSError:
        return conf
    if conf is None:
        return 0.0 if ink_share(small) > UNREAD_INK else None
    r = COVERAGE_REDUCE
    boxes = [(w.left // r, w.top // r, -(-w.width // r), -(-w.height // r), w.conf) for w in rows]
    return round(conf * (1.0 - unread_share(small, boxes)), 1)


def mean_confidence(words: list[tuple[str, float]]) -> float | None:
    weight = sum(len(w) for w, _ in words)
    return round(sum(c * len(w) for w, c in words) / weight, 1) if weight else None


def doubtful_latin(words: list[tuple[str, float]], *, below: float = 75.0) -> int:
    """Words without Hangul that the Korean model read with low confidence: likely English it misread."""
    return sum(1 for w, c in words
               if c < below and len(w) >= 2 and not SYLLABLE_RE.search(w) and any(ch.isalnum() for ch in w))


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


def _korean_first(run, input_file, output, output_text, options,
                  image: Image.Image | None = None) -> tuple[list[tsv_rows.Word], float | None]:
    """Read the page (``_read_page``); the words of the reading kept and its confidence (girok.ocr.coverage).
    ``image``: the page image, decoded once for the Python work on it (else read from ``input_file``)."""
    _read_page(run, input_file, output, output_text, options)
    rows = tsv_rows.read(_tsv_of(output))
    return rows, _page_confidence(input_file, rows, image)


def _decoded(input_file) -> Image.Image | None:
    """The OCR image, decoded once for both the confidence and the text-layer corrections (profiled: each
    decoded it again, ~2% of a worker's time); None when it cannot be read (each then copes as before)."""
    try:
        with Image.open(input_file) as im:
            im.load()  # the pixels stay once the file is closed
        return im
    except OSError:
        return None


def _words(rows: list[tsv_rows.Word], edits: dict[int, str] | None = None) -> list[Word]:
    """The words as the text layer holds them: corrected (``edits``), dropped ones left out."""
    edits = edits or {}
    return [Word(edits.get(w.index, w.text), (w.left, w.top, w.width, w.height), w.conf)
            for w in rows if edits.get(w.index, w.text)]


def _read_page(run, input_file, output, output_text, options) -> None:
    """Recognize with Korean alone (the profile's first Korean model: ``kor`` or ``Hangul``); read again with
    every profile language only where English is likely.

    Tesseract with kor+eng tries both models on every word: on the Korean dev
    corpus that was about 35% slower than kor alone and less accurate (CER
    0.103 vs 0.075), because the English model "corrects" Hangul words. The
    Korean model reads digits well but misreads Latin words (AI -> 41). So a
    page is read again with the full list when kor's reading is not Korean
    (``mostly_latin``) or has doubtful non-Hangul words, and the reading with
    the higher mean word confidence is kept.
    """
    langs = list(options.languages)
    korean = next((lang for lang in langs if lang in KOREAN_MODELS), None)
    if korean is None or len(langs) == 1:
        run(input_file, output, output_text, options)
        return
    run(input_file, output, output_text, options.model_copy(update={"languages": [korean]}))
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
        image = _decoded(input_file)
        rows, confidence = _korean_first(TesseractOcrEngine.generate_pdf, input_file, output_pdf, output_text,
                                         options, image)
        # the text layer is tesseract's own PDF here: junk words out, Latin words read again (girok.ocr.words)
        try:
            txt = Path(output_text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            txt = None
        edits, text = correct_text_layer(input_file, output_pdf, _tsv_of(output_pdf),
                                         english="eng" in options.languages,
                                         timeout=float(options.tesseract_timeout or 60), txt=txt, image=image)
        if edits:
            log.info("%s: %d word(s) corrected in the text layer", Path(input_file).name, len(edits))
        write_page(options, _pageno(input_file) or 0, PageResult(text, _words(rows, edits), confidence))

    @staticmethod
    def generate_hocr(input_file, output_hocr, output_text, options):
        rows, confidence = _korean_first(TesseractOcrEngine.generate_hocr, input_file, output_hocr, output_text,
                                         options)
        write_page(options, _pageno(input_file) or 0, PageResult(None, _words(rows), confidence))

    @staticmethod
    def get_deskew(input_file, options) -> float:
        return estimate_skew_file(Path(input_file))


@hookimpl
def get_ocr_engine(options):
    if options is not None and getattr(options, "ocr_engine", "auto") not in ("auto", "tesseract"):
        return None
    return GirokTesseractEngine()
