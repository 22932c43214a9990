"""Fields read as fields: a form's main fields checked, and read again from their place on the page when they fail.

The text of the page gives a first reading of each field (girok.metadata.extract).
Here, in the worker, every value is checked (girok.metadata.validate); a
value that fails is dropped. For a main field that is then empty (type,
filing date, receipt number, applicant), or whose two readings disagree
(성명 and the signature line), the field's label is found among the
page's OCR words (their boxes), the value beside it is cut out of the
page image, made black on white (Otsu's threshold), enlarged until its
letters are ``reread_height`` pixels tall (40; then grey at 40, black and
white at 60) and read again by tesseract as one line (``--psm 7``,
``kor``); a value that two readings give alike, and no reading
contradicts, passes its check and is kept (source ``reread``). On the dev corpus's 200 dpi forms
(letters ~28 px) that is about 1.5x; a fixed 3x read worse (the signature
line 홍하은 (서명 또는 인) came back as 옹이(서병 뚜영/). What still has no valid value stays empty:
never a guess. A field whose label is on the page but has no valid value
is listed in ``Metadata.unread`` and named in a warning, which the clerk
sees (the ingest line, ``girok show``).

Only fields that are missing or failed are read again: on a form read well
this costs nothing; each re-read is one small tesseract run (~0.2 s).
The settings used go into the document's conversion record (``record``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..config import FieldSettings
from ..metadata import validate
from ..metadata.dates import filing_date
from ..metadata.extract import Metadata, match_doc_type
from ..metadata.fields import applicant_readings, find_receipt_no
from ..metadata.labels import FILING_DATE_LABELS, HANGUL, NAME_LABELS, RECEIPT_LABELS, SIGNER_LABELS, label_of
from ..ocr import tsv
from ..ocr.base import PageResult, Word
from ..ocr.plugin_deskew import MIN_ANGLE
from ..ocr.skew import estimate_skew
from ..text.hangul import SYLLABLES

log = logging.getLogger(__name__)

MAIN_FIELDS = ("doc_type", "date", "receipt_no", "applicant")
REREAD = "reread"  # Metadata.sources: the value was read again from its crop of the page
REREAD_LANG, REREAD_PSM = "kor", 7
LABELS = {"receipt_no": RECEIPT_LABELS, "applicant": NAME_LABELS + SIGNER_LABELS, "date": FILING_DATE_LABELS}
TITLE_SHARE = 0.3  # the title is looked for in the top share of the page


def rules_for(settings: FieldSettings, known_types, known_offices=()) -> validate.FieldRules:
    """The checks an archive's settings ask for (girok's default receipt patterns when it names none)."""
    return validate.FieldRules(known_types=tuple(known_types), known_offices=tuple(known_offices),
                               receipt_patterns=settings.receipt_patterns or validate.DEFAULT_RECEIPT_PATTERNS,
                               by_office=dict(settings.receipt_patterns_by_office))


# --- where the values are on the page -------------------------------------------------------


@dataclass
class Spot:
    """Where a field's value is on the page: the region right of its label (pixels of the OCR image)."""

    field: str
    label: str
    box: tuple[int, int, int, int]  # left, top, right, bottom


def word_lines(words: list[Word]) -> list[list[Word]]:
    """The words in lines: a word joins the line before when their boxes share most of their height."""
    lines: list[list[Word]] = []
    for w in words:
        _, top, _, h = w.box
        if lines:
            last = lines[-1]
            ref = statistics.median(x.box[1] + x.box[3] / 2 for x in last)
            href = statistics.median(x.box[3] for x in last)
            if abs((top + h / 2) - ref) <= 0.5 * max(h, href) and w.box[0] >= last[-1].box[0]:
                last.append(w)
                continue
        lines.append([w])
    return lines


def _label_end(line: list[Word], label: str) -> tuple[int, int] | None:
    """(index of the word holding the label's last letter, x where the label ends) for a line starting with it."""
    need = len(label)
    seen = 0
    for i, w in enumerate(line):
        letters = HANGUL.findall(w.text)
        if not letters:
            if seen:
                return None
            continue  # leading junk (a table rule read as |)
        if seen + len(letters) >= need:
            take = need - seen
            left, _, width, _ = w.box
            return i, left + round(width * take / len(letters))
        seen += len(letters)
    return None


TITLE_SIZE = 1.75  # a line whose letters are this many times the page's usual height is a title (titles: ~2)
SURE = 50.0  # word confidence above which a word is taken as text, not a speck, when placing a spot
GAP = 6  # a value ends at a gap wider than this many letter heights
FAR = 25  # ... and starts no further than this from its label (the table's label column is ~45 mm wide)
SPOT_HEIGHTS = 1.8  # a spot is this many letter heights tall


def _height(words: list[Word]) -> int:
    sure = [w for w in words if w.conf >= SURE and HANGUL.search(w.text)] or words
    return max(1, int(statistics.median(min(w.box[3], 2 * w.box[2]) for w in sure)))


def _loose_label(line: list[Word]) -> str | None:
    """성명 read with its second letter wrong (성병, 성멍), as the first word of a line: only to know where to read
    again (the text's own reading never takes a two-letter label with a wrong letter; a value read there must
    still pass its check)."""
    first = next((w for w in line if HANGUL.search(w.text)), None)
    word = "".join(HANGUL.findall(first.text)) if first else ""
    for label in NAME_LABELS:
        if len(word) == len(label) == 2 and word[0] == label[0] and word != label:
            return label
    return None


def find_spots(words: list[Word], page_size: tuple[int, int]) -> list[Spot]:
    """The value regions of the labelled fields on a page, and the title's line."""
    width, height = page_size
    spots: list[Spot] = []
    lines = word_lines(words)
    first_label_top = height
    body = _height(words)  # the page's usual letter height
    for line in lines:
        text = " ".join(w.text for w in line)
        lab = label_of(text)
        label = lab.name if lab else _loose_label(line)
        if not label:
            continue
        name = next((f for f, labs in LABELS.items() if label in labs), None)
        end = _label_end(line, label) if name else None
        if not end:
            continue
        i, x = end
        label_words = [w for w in line[:i + 1] if HANGUL.search(w.text)]
        h = _height(label_words)
        if h > TITLE_SIZE * body:
            continue  # a title's letters (위임장 read as the label 위임인, one letter off), not a label's
        middle = statistics.median(w.box[1] + w.box[3] / 2 for w in label_words)
        first_label_top = min(first_label_top, int(middle - h))
        value = []
        for w in line[i + 1:]:
            if w.conf < SURE / 2 and not HANGUL.search(w.text):
                continue  # a speck
            if w.box[0] - (value[-1].box[0] + value[-1].box[2] if value else x) > (GAP if value else FAR) * h:
                break  # the value's words stand together; its first may be across a table cell
            value.append(w)
        # from just before the value's first word (a table rule between label and value is left out) to past
        # its last; with no word read there, a stretch of 20 letters after the label
        left = value[0].box[0] - h // 4 if value else x + max(2, h // 5)
        right = max(w.box[0] + w.box[2] for w in value) + 2 * h if value else x + 20 * h
        spots.append(Spot(name, label, (left, max(0, int(middle - SPOT_HEIGHTS / 2 * h)), min(width, right),
                                           min(height, int(middle + SPOT_HEIGHTS / 2 * h)))))
    # the title: the line of the tallest letters above the first label
    top_lines = [ln for ln in lines if ln[0].box[1] + ln[0].box[3] <= first_label_top
                 and sum(len(HANGUL.findall(w.text)) for w in ln if w.conf >= SURE) >= 2]
    if top_lines:
        title = max(top_lines, key=_height)
        h = _height(title)
        sure = [w for w in title if w.conf >= SURE] or title
        middle = statistics.median(w.box[1] + w.box[3] / 2 for w in sure)
        box = (min(w.box[0] for w in sure) - 2 * h, int(middle - SPOT_HEIGHTS / 2 * h),
               max(w.box[0] + w.box[2] for w in sure) + 2 * h, int(middle + SPOT_HEIGHTS / 2 * h))
        spots.append(Spot("doc_type", "", (max(0, box[0]), max(0, box[1]), min(width, box[2]), min(height, box[3]))))
    return spots


# --- reading a spot again -------------------------------------------------------------------


def page_image(pdf: Path, pageno: int = 1, *, deskew: bool = True) -> Image.Image | None:
    """Page ``pageno`` of the archival PDF as the OCR read it: upright, at its scan's resolution, levelled as
    girok.ocr.plugin_deskew levels the OCR image; None for a page with no scanned image."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[pageno - 1]
        images = [o for o in page.get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
        if not images:
            return None
        px = max(max(o.get_px_size()) for o in images)
        scale = px / max(page.get_size())
        image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    if deskew:
        angle = estimate_skew(image)
        if abs(angle) >= MIN_ANGLE:
            image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    return image


def otsu(image: Image.Image) -> int:
    """The grey level that best splits ``image`` into ink and paper (Otsu's threshold)."""
    hist = np.bincount(np.asarray(image, dtype=np.uint8).ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    total, mean = w0[-1], m0[-1]
    w1 = total - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean * w0 - total * m0) ** 2 / (w0 * w1)
    return int(np.nanargmax(between[:-1])) if total else 128


def read_spot(image: Image.Image, spot: Spot, letter_height: int, timeout: float, *,
              binarize: bool = True) -> list[tsv.Word]:
    """The spot's region (made black on white at its Otsu threshold, unless not ``binarize``), enlarged until its
    letters are ``letter_height`` pixels tall (never shrunk), on a white margin, read by tesseract as one line:
    its words, with their boxes."""
    crop = image.crop(spot.box)
    if crop.width < 4 or crop.height < 4:
        return []
    if binarize:
        level = otsu(crop)
        crop = crop.point(lambda v: 0 if v <= level else 255)
    scale = max(1.0, letter_height / max(1.0, crop.height / SPOT_HEIGHTS))
    big = crop.resize((round(crop.width * scale), round(crop.height * scale)), Image.Resampling.BICUBIC)
    pad = big.height // 2
    canvas = Image.new("L", (big.width + 2 * pad, big.height + 2 * pad), 255)
    canvas.paste(big, (pad, pad))
    return tsv.parse(tsv.run_tesseract(canvas, 300, timeout, lang=REREAD_LANG, psm=REREAD_PSM))


def parse_value(spot: Spot, text: str, rules: validate.FieldRules, office: str | None,
                today: dt.date | None, rows: list[tsv.Word] | None = None) -> Any:
    """The checked value a re-read line holds for the spot's field, or None.

    The line is read as the text is (label, then value); failing that, a damaged crop's specks around the value
    are looked through: the one receipt number of the office's pattern in it, or (with the words' boxes,
    ``rows``) the one name standing apart from every other mark (``"| 홍 하은 ×‥…``). A name touching a mark is
    not taken: ``& 하은`` is 홍하은 with its 홍 misread, not 하은. Two different candidates are none."""
    text = text.strip().lstrip("|[]!:;' ")  # a table rule or speck at the crop's left edge
    if spot.field == "receipt_no":
        found = find_receipt_no(f"{spot.label} {text}")
        v = found[0] if found else None
        if validate.valid_receipt(v, rules, office, today):
            return v
        offices = validate.receipt_offices(rules, office)
        return _only({m for p in rules.patterns_for(office) for m in p.find(_squeeze(text), today, offices)})
    if spot.field == "applicant":
        by_label, by_sign = applicant_readings(f"{spot.label} {text}")
        v = by_label or by_sign
        if validate.valid_applicant(v):
            return v
        names = {applicant_readings(f"{spot.label} {r}")[0] for r in _apart_runs(rows or [])}
        return _only({n for n in names if validate.valid_applicant(n)})
    if spot.field == "date":
        found = filing_date(f"{spot.label} {text}", today=today)
        v = found[0] if found else None
        return v if validate.valid_date(v, today) else None
    if spot.field == "doc_type":
        found = match_doc_type(text, rules.known_types)
        return found[0] if found else None
    return None


APART = 0.3  # letter heights: a word standing at least this far from the marks beside it is a word of its own


def _apart_runs(rows: list[tsv.Word]) -> list[str]:
    """Runs of all-Hangul words (a name split by OCR's spaces) with room on both sides; a narrow table rule
    (``|``) beside a run is room."""
    hangul = [w.height for w in rows if _SYLLABLE_WORD.fullmatch(w.text)]
    if not hangul:
        return []
    h = statistics.median(hangul)

    def room(a: tsv.Word, b: tsv.Word) -> bool:  # a left of b
        rule = min(a, b, key=lambda w: w.width)
        return b.left - (a.left + a.width) >= APART * h or (rule.text in "|[]!l" and rule.width < 0.35 * h)

    out, i = [], 0
    while i < len(rows):
        if not _SYLLABLE_WORD.fullmatch(rows[i].text):
            i += 1
            continue
        j = i
        while j + 1 < len(rows) and _SYLLABLE_WORD.fullmatch(rows[j + 1].text) and \
                rows[j + 1].left - (rows[j].left + rows[j].width) < h:
            j += 1
        if (i == 0 or room(rows[i - 1], rows[i])) and (j + 1 == len(rows) or room(rows[j], rows[j + 1])):
            out.append(" ".join(w.text for w in rows[i:j + 1]))
        i = j + 1
    return out


_SYLLABLE_WORD = re.compile(f"[{SYLLABLES}]+")


def _squeeze(text: str) -> str:
    """OCR's spaces out of a code: around hyphens, inside Hangul words and digit groups."""
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(f"(?<=[{SYLLABLES}]) (?=[{SYLLABLES}])", "", text)
    return re.sub(r"(?<=\d) (?=\d)", "", text)


def _only(values: set) -> Any:
    return next(iter(values)) if len(values) == 1 else None


# --- the check ------------------------------------------------------------------------------


@dataclass
class FieldReport:
    dropped: list[str] = field(default_factory=list)  # fields whose text reading failed its check
    reread: list[str] = field(default_factory=list)  # fields read again from the page
    kept: list[str] = field(default_factory=list)  # fields whose value came from a re-read
    rrn_check_digit: dict[str, int] = field(default_factory=dict)  # RRNs whose 13th digit checks, and not
    seconds: float = 0.0


def drop_invalid(md: Metadata, rules: validate.FieldRules, today: dt.date | None = None) -> list[str]:
    """Empty every field of ``md`` whose value fails its check (RRNs: only the failing ones); their names."""
    bad = validate.invalid_fields(md, rules, today=today)
    for name in bad:
        if name == "rrns":
            kept = [r for r in md.rrns if validate.valid_rrn(r, today)]
            md.warnings.append(f"rrns: {len(md.rrns) - len(kept)} number(s) with no valid birth date dropped")
            md.rrns = kept
            if not kept:
                md.sources.pop("rrns", None)
            continue
        md.warnings.append(f"{name}: the reading fails its check; left empty")
        if name == "doc_type" and md.title == md.doc_type:
            md.title = None
            md.sources.pop("title", None)
        setattr(md, name, None)
        md.sources.pop(name, None)
    return bad


def labels_in_text(text: str) -> set[str]:
    """The fields whose label starts a line of ``text``."""
    out = set()
    for line in text.splitlines():
        lab = label_of(line)
        if lab:
            out |= {f for f, labs in LABELS.items() if lab.name in labs}
    return out


def check_fields(md: Metadata, pdf: Path, pages: dict[int, PageResult], texts: list[str],
                 rules: validate.FieldRules, settings: FieldSettings, *, deskew: bool = True,
                 timeout: float = 30.0, today: dt.date | None = None) -> FieldReport:
    """Check ``md`` (read from ``texts``) in place: drop what fails, read missing main fields again from page 1
    of ``pdf`` (``pages``: the OCR engine's words), list what stays empty though its label is there."""
    t0 = time.perf_counter()
    report = FieldReport(dropped=drop_invalid(md, rules, today))
    # reported, not required: numbers issued since October 2020 carry no check digit
    checks = [validate.rrn_check_digit_ok(r) for r in md.rrns]
    report.rrn_check_digit = {"holds": sum(checks), "fails": len(checks) - sum(checks)}
    first = pages.get(1)
    words = first.words if first else []
    spots = find_spots(words, _extent(words)) if words else []
    in_text = labels_in_text(texts[0] if texts else "")
    labelled = {s.field for s in spots if s.field != "doc_type"} | in_text
    need = [f for f in MAIN_FIELDS if getattr(md, f) is None and (f in labelled or (f == "doc_type" and labelled))]
    by_label, by_sign = applicant_readings("\n".join(texts[:1]))
    disagree = (validate.valid_applicant(by_label) and validate.valid_applicant(by_sign) and by_label != by_sign)
    if disagree and "applicant" not in need:
        need.append("applicant")
    image = None
    if need and settings.reread:
        image = page_image(pdf, 1, deskew=deskew)
    if image is not None:
        # the words' boxes are pixels of the OCR image; a render of another size has other pixels
        spots = find_spots(words, image.size)
        for f in need:
            readings = [r for r in (_reread(image, s, rules, md.office, settings, timeout, today)
                                    for s in spots if s.field == f) if r is not None]
            report.reread.append(f)
            if f == "applicant":
                value = _vote([v for v in (by_label, by_sign) if validate.valid_applicant(v)] + readings)
                if disagree and value is None:
                    md.warnings.append("applicant: 성명 and the signature line disagree, and reading them again "
                                       "settles nothing; left empty")
                    md.applicant = None
                    md.sources.pop("applicant", None)
            else:
                value = readings[0] if readings else None
            if value is not None and value != getattr(md, f):
                setattr(md, f, value)
                md.sources[f] = REREAD
                report.kept.append(f)
                if f == "doc_type":
                    md.title, md.sources["title"] = value, REREAD
    labelled = {s.field for s in spots if s.field != "doc_type"} | in_text
    md.unread = [f for f in MAIN_FIELDS
                 if getattr(md, f) is None and (f in labelled or (f == "doc_type" and labelled))]
    for f in md.unread:
        md.warnings.append(f"{f}: its label is on the page, but no reading of its value passes the check; "
                           "left empty for the clerk")
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


def _extent(words: list[Word]) -> tuple[int, int]:
    return (max(w.box[0] + w.box[2] for w in words) + 1, max(w.box[1] + w.box[3] for w in words) + 1)


def reread_variants(settings: FieldSettings) -> tuple[tuple[int, bool], ...]:
    """(letter height, black on white) of each re-read, in order: the crop made black and white reads best
    (seed 777's form 44: 2023-서초-26763 at every size, grey: 20823-쩌초-26063 but at 60 px)."""
    h = settings.reread_height
    return ((h, True), (h, False), (round(h * 1.5), True))


AGREE = 2  # readings (at different enlargements) that must give the same checked value, none giving another


def _reread(image, spot: Spot, rules, office, settings: FieldSettings, timeout: float, today) -> Any:
    """The spot's value when ``AGREE`` of its re-reads (``reread_variants``) give the same checked value and none
    gives another; else None. One reading alone is not trusted: on seed 777 a single re-read took
    2020-서초-66880 for 66849 and 장런 for 장린, values that pass every check."""
    values: list[Any] = []
    for height, black_white in reread_variants(settings):
        rows = read_spot(image, spot, height, timeout, binarize=black_white)
        text = " ".join(w.text for w in rows)
        value = parse_value(spot, text, rules, office, today, rows)
        log.debug("re-read %s at %d px: %r -> %r", spot.field, height, text, value)
        if value is not None:
            values.append(value)
        if len(set(values)) > 1:
            return None  # two readings, two values: neither is sure
        if len(values) >= AGREE:
            return values[0]
    return None


def _vote(readings: list) -> Any:
    """The reading most readings agree on (ahead of every other), or the only one; None when they split."""
    if not readings:
        return None
    counts = {v: readings.count(v) for v in readings}
    ranked = sorted(counts.values(), reverse=True)
    best = max(counts, key=counts.get)
    return best if len(ranked) == 1 or ranked[0] > ranked[1] else None


def record(settings: FieldSettings, rules: validate.FieldRules, report: FieldReport | None) -> dict:
    """The conversion record's ``fields``: the checks, the re-read settings, and what this document needed."""
    out: dict[str, Any] = {
        "checked": list(MAIN_FIELDS) + ["rrns"], **rules.record(),
        "reread": {"enabled": settings.reread,
                   "variants": [{"letter_height_px": h, "black_white": b} for h, b in reread_variants(settings)],
                   "readings_that_must_agree": AGREE, "lang": REREAD_LANG,
                   "psm": REREAD_PSM, "page": 1},
    }
    if report is not None:
        out.update(dropped=report.dropped, reread_fields=report.reread, kept_from_reread=report.kept,
                   rrn_check_digit=report.rrn_check_digit, seconds=report.seconds)
    return out
