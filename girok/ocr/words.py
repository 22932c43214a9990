"""Word-level corrections of tesseract's text layer, made in the PDF tesseract writes.

Tesseract's text-only PDF (the "sandwich" renderer) writes every word as
one ``[<hex>] TJ`` text operation, in the same order as the word rows of its
TSV output. So a word can be replaced or dropped in the PDF by its TSV row,
without re-rendering the page. girok corrects four things that way:

- junk: specks and bleed-through come out as words read with almost no
  confidence and far smaller than the page's letters; they are dropped
  (``junk_words``).
- quotation marks: the Korean model reads ‘ ’ and “ ” alike; the marks are
  counted on the page (``quote_marks``).
- Latin in Korean lines: the Korean model reads Latin letters as digits or
  symbols (AI -> 41, QR -> 0)#, www.asiae.co.kr -> \\\\.359186.00.67). Unsure
  words without Hangul are cut out of the page, stacked on one strip and
  read once with the English model (``english_rereads``).
- reading order: lines top to bottom, side by side left to right
  (``reading_order``).

If the PDF's words do not match the TSV rows one to one, nothing is changed.
The page confidence (re-scan flag) is computed from the unedited TSV.
"""

from __future__ import annotations

import logging
import re
import statistics
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image

from ..text.hangul import COMPAT_JAMO, SYLLABLES
from . import tsv as tsv_rows
from .tsv import Word

log = logging.getLogger(__name__)

_HANGUL = re.compile(f"[{SYLLABLES}{COMPAT_JAMO}]")  # syllables and lone jamo (ㄱ, ㅏ), not the conjoining ones
_LATIN = re.compile(r"[A-Za-z]")


def read_rows(tsv: Path) -> list[Word]:
    """The word rows of a tesseract TSV file, in its order; [] when it cannot be read, or a row cannot."""
    return tsv_rows.read(tsv, strict=True)


def parse_rows(tsv: str) -> list[Word]:
    return tsv_rows.parse(tsv, strict=True)


# --- junk ----------------------------------------------------------------------------

JUNK_CONF = 50.0  # below this confidence a word is a guess
SMALL = 0.5  # a word less than this share of the page's typical letter height is not a letter of the text
_MARKS = set("ㆍ·'\"`‘’“”,.:;")  # punctuation is small by nature: never junk for its size


def junk_words(words: list[Word]) -> set[int]:
    """Indexes of words that are noise read as text: unsure, and far smaller than the page's letters.

    Size matters more than script: a number or a bracket read with no
    confidence is still usually there on the paper (dev: "2.320", ">"), while
    bleed-through and specks read as "3", "주" or "수교" are a third of the
    letter height. Marks (dots, quotes, commas) are small and stay.
    Measured on cached psm-4 readings (legible articles and forms, with the
    other corrections): confidence below 20 -> 50 took dev from 248 to 224
    errors and seed 4242 from 44 to 38.
    """
    heights = [w.height for w in words if w.conf >= 60 and _HANGUL.search(w.text)]
    typical = statistics.median(heights) if len(heights) >= 5 else None
    if not typical:
        return set()
    return {w.index for w in words
            if w.conf < JUNK_CONF and w.height < SMALL * typical and not set(w.text) <= _MARKS}


# --- quotation marks ---------------------------------------------------------------

_COUNT = {"'": 1, "`": 1, "‘": 1, "’": 1, '"': 2, "“": 2, "”": 2}
_AS = {1: {'"': "'", "“": "‘", "”": "’"}, 2: {"'": '"', "`": '"', "‘": "“", "’": "”"}}
MARK_ZONE = 0.45  # a quotation mark sits in the top part of the line: this share of the word's height
DOUBLE_WIDTH = 0.2  # a lone mark wider than this share of the page's letter height is a double one


def _mark_count(box: np.ndarray, w: Word, at_start: bool, typical: float) -> int | None:
    """How many strokes (1: ‘ ’, 2: “ ”) the mark at the start (or end) of ``w`` has; ``box``: the word's ink."""
    if box.size == 0:
        return None
    cols = box if at_start else box[:, ::-1]
    zone = max(1, round(w.height * MARK_ZONE))
    if len(w.text) == 1:
        if w.height > 0.6 * typical:
            return None  # a box this tall holds more than a mark
        upper = cols.any(axis=0)
        width = w.width
    else:
        low = cols[zone:].any(axis=0)  # the first letter starts where ink reaches below the mark zone
        start = int(np.argmax(low)) if low.any() else cols.shape[1]
        upper = cols[:zone, :start].any(axis=0)
        nz = np.flatnonzero(upper)
        width = int(nz[-1] - nz[0] + 1) if nz.size else 0
    if not upper.any() or width > 0.6 * typical:
        return None
    strokes = int(np.count_nonzero(np.diff(np.concatenate(([0], upper.astype(np.int8), [0]))) == 1))
    if strokes >= 2:
        return 2
    return 2 if width > DOUBLE_WIDTH * typical else 1


def quote_marks(words: list[Word], image: Image.Image) -> dict[int, str]:
    """Index -> the word with its quotation marks single or double as printed.

    The Korean model reads ‘ ’ and “ ” alike (often as "), which the page
    tells apart at a glance: one stroke or two. Each mark at a word's start
    or end is counted on the page; the direction stays as read (the curling
    rules of girok.ocr.punctuation decide it for straight ones).
    """
    heights = [w.height for w in words if w.conf >= 60 and _HANGUL.search(w.text)]
    if len(heights) < 5 or not any(w.text[0] in _COUNT or w.text[-1] in _COUNT for w in words):
        return {}
    page_typical = statistics.median(heights)
    by_line: dict[tuple, list[int]] = {}
    for w in words:
        if w.conf >= 60 and _HANGUL.search(w.text):
            by_line.setdefault(w.line, []).append(w.height)
    out = {}
    for w in words:
        line = by_line.get(w.line, [])
        typical = statistics.median(line) if len(line) >= 3 else page_typical  # headings differ in size
        text = w.text
        for at_start in (True, False):
            ch = text[0] if at_start else text[-1]
            if ch not in _COUNT or (not at_start and len(text) == 1):
                continue
            box = np.asarray(image.crop((w.left, w.top, w.left + w.width, w.top + w.height)).convert("L")) < 128
            n = _mark_count(box, w, at_start, typical)
            if n is None or n == _COUNT[ch]:
                continue
            new = _AS[n][ch]
            text = new + text[1:] if at_start else text[:-1] + new
        if text != w.text:
            out[w.index] = text
    return out


# --- Latin words ---------------------------------------------------------------------

LATIN_BELOW = 90.0  # kor's confidence under which a word without Hangul is read again in English (QR -> "0" at 80)
EN_CONF = 60.0  # the English reading must be at least this confident (a speck read as "kos" is not)
PAD = 6  # pixels of margin around each cut-out word
GAP = 24  # blank pixels between words on the strip


def latin_candidates(words: list[Word], skip: set[int]) -> list[Word]:
    """Words kor read unsurely with no Hangul but a letter, digit or bar (AI comes out as 41, | or 0)."""
    return [w for w in words
            if w.index not in skip and w.conf < LATIN_BELOW and not _HANGUL.search(w.text)
            and any(ch.isalnum() or ch == "|" for ch in w.text) and w.width > 0 and w.height > 0]


def _spans(words: list[Word], all_words: list[Word], width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Crop box of each word, widened to its neighbours on the line: kor's box can miss letters it did not
    read (QR read as "0" boxes the Q alone)."""
    by_line: dict[tuple, list[Word]] = {}
    for w in all_words:
        by_line.setdefault(w.line, []).append(w)
    boxes = []
    for w in words:
        line = sorted(by_line.get(w.line, [w]), key=lambda x: x.left)
        left, right = w.left, w.left + w.width
        before = [x.left + x.width for x in line if x.left + x.width <= w.left]
        after = [x.left for x in line if x.left >= w.left + w.width]
        reach = 2 * w.height  # at most this far: a wide gap is a column gap, not unread letters
        left = max(max(before) + PAD, left - reach) if before else left - reach
        right = min(min(after) - PAD, right + reach) if after else right + reach
        boxes.append((max(0, min(left, w.left - 1)), max(0, w.top - PAD),
                      min(width, max(right, w.left + w.width + 1)), min(height, w.top + w.height + PAD)))
    return boxes


def english_rereads(image: Image.Image, words: list[Word], *, all_words: list[Word] | None = None,
                    timeout: float = 60.0) -> dict[int, str]:
    """Index -> English reading, for the candidates the English model reads more confidently as a Latin word.

    A Latin word here has at least two letters and no more digits than
    letters: numbers stay as kor read them (it reads digits well).
    """
    if not words:
        return {}
    dpi = image.info.get("dpi", (300, 300))
    crops = [image.crop(box).convert("L") for box in _spans(words, all_words or words, image.width, image.height)]
    strip = Image.new("L", (max(c.width for c in crops) + 2 * GAP, sum(c.height + GAP for c in crops) + GAP), 255)
    tops, y = [], GAP
    for c in crops:
        strip.paste(c, (GAP, y))
        tops.append((y, y + c.height))
        y += c.height + GAP
    tsv = tsv_rows.run_tesseract(strip, int(dpi[0]), timeout, lang="eng", psm=6)
    if not tsv:
        return {}
    found = parse_rows(tsv)
    log.debug("English re-reading: %s",
              [(w.text, round(w.conf), "".join(f.text for f in found if y0 <= f.top + f.height / 2 < y1))
               for w, (y0, y1) in zip(words, tops)])
    out = {}
    for w, (y0, y1) in zip(words, tops):
        mine = [f for f in found if y0 <= f.top + f.height / 2 < y1]
        if not mine:
            continue
        text = _trim_like(_capital_i("".join(f.text for f in sorted(mine, key=lambda f: f.left))), w.text)
        conf = min(f.conf for f in mine)
        letters = len(_LATIN.findall(text))
        surer = conf > w.conf or sum(c.isalnum() for c in text) > sum(c.isalnum() for c in w.text)  # kor lost letters
        if conf >= EN_CONF and surer and letters >= 2 and letters >= sum(c.isdigit() for c in text) and text != w.text:
            out[w.index] = text
    return out


def _trim_like(text: str, kor: str) -> str:
    """Marks at either end of the English reading only where kor saw a mark there too (the widened crop
    can catch a speck or a neighbour's edge: "QR." for QR)."""
    if kor[-1:].isalnum():
        text = text.rstrip(".,:;'\"`|!-_")
    if kor[:1].isalnum():
        text = text.lstrip(".,:;'\"`|!-_")
    return text


def _capital_i(text: str) -> str:
    """'l' in an all-capitals word is a capital I (sans-serif fonts draw them alike: AI read as Al)."""
    letters = [c for c in text if c.isalpha()]
    if any(c.isupper() for c in letters) and all(c.isupper() or c == "l" for c in letters):
        return text.replace("l", "I")
    return text


# --- the PDF -------------------------------------------------------------------------


def _decode(operand) -> str | None:
    try:
        parts = [bytes(x) for x in operand if isinstance(x, pikepdf.String)]
    except (TypeError, ValueError):
        return None
    try:
        return b"".join(parts).decode("utf-16-be")
    except UnicodeDecodeError:
        return None


def lines_of(words: list[Word]) -> list[list[Word]]:
    """The page's text lines: runs of words with the same TSV (page, block, paragraph, line)."""
    lines: list[list[Word]] = []
    for w in words:
        if not lines or lines[-1][0].line != w.line:
            lines.append([])
        lines[-1].append(w)
    return lines


def reading_order(words: list[Word]) -> list[int]:
    """Line indexes top to bottom; lines side by side (sharing a row) left to right.

    girok reads pages as one column of text (tesseract --psm 4), where the
    order of lines is their order down the page. Tesseract still groups
    lines into blocks and emits block by block, so a line it put in a block
    of its own can come out after lines printed below it (dev article-11-00:
    a paragraph's first line after the paragraph). On forms, a label and its
    value read as two blocks come out as one row again.
    """
    lines = lines_of(words)
    if len(lines) < 2:
        return list(range(len(lines)))
    boxes = []
    for i, ln in enumerate(lines):
        top = min(w.top for w in ln)
        bottom = max(w.top + w.height for w in ln)
        boxes.append((i, (top + bottom) / 2, min(w.left for w in ln), bottom - top))
    half = statistics.median(b[3] for b in boxes) / 2
    rows: list[list[tuple]] = []
    for b in sorted(boxes, key=lambda b: b[1]):
        if rows and abs(b[1] - rows[-1][0][1]) <= half:
            rows[-1].append(b)
        else:
            rows.append([b])
    return [b[0] for row in rows for b in sorted(row, key=lambda b: b[2])]


def rewrite_words(pdf: Path, words: list[Word], edits: dict[int, str], order: list[int] | None = None) -> bool:
    """Edit tesseract's one-page text PDF by TSV rows: replace words (or drop them, with ""), reorder lines.

    ``order``: line indexes (``lines_of``) in the order to write them. False: the PDF was left as it was.
    """
    lines = lines_of(words)
    if order == list(range(len(lines))):
        order = None
    if not edits and order is None:
        return False
    try:
        with pikepdf.open(pdf) as doc:
            if len(doc.pages) != 1:
                return False
            page = doc.pages[0]
            ops = list(pikepdf.parse_content_stream(page))
            shown = [i for i, (_, op) in enumerate(ops) if op == pikepdf.Operator("TJ")]
            if len(shown) != len(words):
                log.debug("%s: %d words in the PDF, %d in the TSV; left as read", pdf.name, len(shown), len(words))
                return False
            texts = [_decode(ops[i][0][0]) for i in shown]
            if any(t is None or t.strip() != w.text for t, w in zip(texts, words)):
                log.debug("%s: PDF words differ from the TSV; left as read", pdf.name)
                return False
            for index, replacement in edits.items():
                i, old = shown[index], texts[index]
                tail = old[len(old.rstrip()):]
                value = (replacement + tail) if replacement else ""
                ops[i] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Array([pikepdf.String(value.encode("utf-16-be"))])], pikepdf.Operator("TJ"))
            if order is not None:
                ops = _reordered(ops, lines, order) or ops
            page.Contents = doc.make_stream(pikepdf.unparse_content_stream(ops))
            tmp = pdf.with_name(pdf.name + ".edit")
            doc.save(tmp)
        tmp.replace(pdf)
        return True
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        log.debug("%s: text layer not edited (%s)", pdf.name, exc)
        return False


_POSITION = {"Td", "Tm"}
_STATE = {"Tf", "Tz", "Tr", "TL", "Tc", "Tw", "Ts"}


def _reordered(ops: list, lines: list[list[Word]], order: list[int]) -> list | None:
    """The content stream with the page's text lines written in ``order``; None if its shape is not understood.

    Tesseract writes one text object (BT..ET) per block, places a block's
    first word with Tm and every later word relative to the one before
    (Td). Each line is written here as a text object of its own, placed
    absolutely (Tm) where it was, with the font size in force there; the
    words within a line keep their relative moves.
    """
    head: list = []
    words: list[list] = []  # per word: the ops since the previous word, its own TJ last
    starts: list[tuple] = []  # per word: (text matrix, Tf operands, Tr operands) when it is shown
    tail: list = []
    pending: list = []
    tm = None
    tf = tr = None
    inside = False
    for operands, op in ops:
        name = str(op)
        if name == "BT":
            if inside:
                return None
            inside, tm = True, None
            continue
        if name == "ET":
            if not inside:
                return None
            inside = False
            pending = []
            continue
        if not inside:
            (head if not words else tail).append(pikepdf.ContentStreamInstruction(operands, op))
            continue
        if name == "Tm":
            tm = [float(x) for x in operands]
        elif name == "Td":
            if tm is None:
                return None
            tx, ty = float(operands[0]), float(operands[1])
            a, b, c, d, e, f = tm
            tm = [a, b, c, d, tx * a + ty * c + e, tx * b + ty * d + f]
        elif name == "Tf":
            tf = operands
        elif name == "Tr":
            tr = operands
        elif name not in _STATE and name != "TJ":
            return None
        pending.append(pikepdf.ContentStreamInstruction(operands, op))
        if name == "TJ":
            if tm is None or tf is None:
                return None
            words.append(pending)
            starts.append((list(tm), tf, tr))
            pending = []
    if tail and any(str(i.operator) not in ("q", "Q", "cm") for i in tail):
        return None
    if len(words) != sum(len(ln) for ln in lines):
        return None
    firsts, k = [], 0
    for ln in lines:
        firsts.append(k)
        k += len(ln)
    out = list(head)
    for li in order:
        k0 = firsts[li]
        tm0, tf0, tr0 = starts[k0]
        out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("BT")))
        out.append(pikepdf.ContentStreamInstruction(tr0 if tr0 is not None else [3], pikepdf.Operator("Tr")))
        out.append(pikepdf.ContentStreamInstruction(tf0, pikepdf.Operator("Tf")))
        out.append(pikepdf.ContentStreamInstruction(tm0, pikepdf.Operator("Tm")))
        out += [i for i in words[k0] if str(i.operator) not in _POSITION and str(i.operator) not in ("Tf", "Tr")]
        for k in range(k0 + 1, k0 + len(lines[li])):
            out += words[k]
        out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("ET")))
    return out + tail


def spaces_before(words: list[Word], txt: str) -> list[bool] | None:
    """For each word, whether tesseract's plain text has a space before it on its line.

    Tesseract cuts Korean into boxes of a syllable or two (its TSV rows) but writes a space only where
    the page has one (서초구의 is 서|초|구|의 in the TSV, one word in the text). None when the text and
    the rows do not match."""
    flags, pos = [], 0
    for w in words:
        start = pos
        while pos < len(txt) and txt[pos].isspace():
            pos += 1
        if not txt.startswith(w.text, pos):
            return None
        flags.append(pos > start)
        pos += len(w.text)
    return flags


def page_text(words: list[Word], edits: dict[int, str] | None = None, order: list[int] | None = None,
              spaced: list[bool] | None = None) -> str:
    """The page's text from tesseract's words: its word spaces (``spaced``, else a space between every
    two words), one line per line, a blank line between paragraphs. (Text pulled back out of the PDF
    puts a space between most Hangul syllables: extractors guess word gaps from glyph positions.)"""
    edits = edits or {}
    lines = lines_of(words)
    out: list[str] = []
    prev = None
    for li in (order if order is not None else range(len(lines))):
        ln = lines[li]
        text = ""
        for j, w in enumerate(ln):
            t = edits.get(w.index, w.text)
            if not t:
                continue
            if text and (spaced is None or spaced[w.index] or j == 0):
                text += " "
            text += t
        if not text:
            continue
        para = ln[0].line[:3]
        if out and para != prev:
            out.append("")
        out.append(text)
        prev = para
    return "\n".join(out)


def correct_text_layer(image_path, pdf_path, tsv: Path, *, english: bool = True, timeout: float = 60.0,
                       txt: str | None = None, image: Image.Image | None = None) -> tuple[dict[int, str], str | None]:
    """Drop junk words and (``english``: the profile reads English) re-read Latin words of one page.
    ``image``: the page image at ``image_path``, already decoded by the caller (else it is read here).

    Returns the edits made (index -> new text, "" for a dropped word) and the page's text as the text
    layer now holds it (None when the TSV could not be read).
    """
    words = read_rows(tsv)
    if not words:
        return {}, None
    edits = {i: "" for i in junk_words(words)}
    try:
        with (Image.open(image_path) if image is None else nullcontext(image)) as im:
            im.load()
            edits.update(quote_marks([w for w in words if w.index not in edits], im))
            if english:
                edits.update(english_rereads(im, latin_candidates(words, set(edits)), all_words=words,
                                             timeout=timeout))
    except OSError as exc:
        log.debug("%s: page image not read (%s)", Path(image_path).name, exc)
    order = reading_order(words)
    spaced = spaces_before(words, txt) if txt is not None else None
    if rewrite_words(Path(pdf_path), words, edits, order):
        return edits, page_text(words, edits, order, spaced)
    return {}, page_text(words, spaced=spaced)
