"""Korean dates: 2024년 3월 5일, 2024. 3. 5., 2024.03.05, 2024-03-05, 24.03.05, and the filing date among them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..text.normalize import normalize
from .labels import FILING_DATE_LABELS, HEURISTIC, LABEL, OTHER_DATE_LABELS, label_of, lines_of

_Y4 = r"(?<!\d)((?:19|20)\d{2})"
# specks OCR puts beside the 년/월/일 anchors (2021년 6월'15일, 2024년. 3월, 5일): the anchors say what each number is
_SPECK = r"[\s'\"‘’`,.·ㆍ]*"
_DATE_RES = (
    re.compile(_Y4 + rf"\s*[년넌녀]{_SPECK}(\d{{1,2}})\s*[월윌웜]{_SPECK}(\d{{1,2}})(?!\d)(?:\s*[일잎입])?"),
    # 년 lost (2024 3월 5일): only with both 월 and 일 there to say what the numbers are
    re.compile(_Y4 + rf"{_SPECK}(\d{{1,2}})\s*[월윌웜]{_SPECK}(\d{{1,2}})\s*[일잎입]"),
    # 2024. 3. 5. with one of the dots read as a comma (2024, 3. 5. / 2024. 3, 5.), never two
    re.compile(_Y4 + r"\s*(?:\.\s*(\d{1,2})\s*[.,]|,\s*(\d{1,2})\s*\.)\s*(\d{1,2})(?!\d)\.?"),
    re.compile(_Y4 + r"\s*([-/])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<![\d.])(\d{2})\s?\.\s?(\d{1,2})\s?\.\s?(\d{1,2})(?!\d)(?!\.\d)\.?"),
)


@dataclass(frozen=True)
class FoundDate:
    date: dt.date
    start: int
    end: int


def _make_date(y: str, m: str, d: str, today: dt.date) -> dt.date | None:
    year = int(y)
    if len(y) == 2:  # 24.03.05: this century unless that is in the future
        year += 2000 if 2000 + year <= today.year + 1 else 1900
    try:
        out = dt.date(year, int(m), int(d))
    except ValueError:
        return None
    return out if 1900 <= out.year <= today.year + 1 else None


def find_dates(text: str, *, today: dt.date | None = None) -> list[FoundDate]:
    """Every Korean-written date in ``text`` (already normalized), in order of position, overlaps removed."""
    today = today or dt.date.today()
    hits: list[FoundDate] = []
    for rx in _DATE_RES:
        for m in rx.finditer(text):
            g = [x for x in m.groups() if x is not None and x not in ("-", "/")]
            d = _make_date(g[0], g[1], g[2], today)
            if d:
                hits.append(FoundDate(d, m.start(), m.end()))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[FoundDate] = []
    for h in hits:
        if not out or h.start >= out[-1].end:
            out.append(h)
    return out


def parse_date(s: str, *, today: dt.date | None = None) -> dt.date | None:
    """The date a string holds (``2024년 3월 5일``, ``2024. 3. 5.``, ``2024-03-05``, ``24.03.05`` ...), or None."""
    found = find_dates(normalize(s), today=today)
    return found[0].date if found else None


def filing_date(text: str, *, today: dt.date | None = None) -> tuple[dt.date, str] | None:
    """(date, source): the date after a filing label (신청일, 신고일, 작성일) or, failing that, a heuristic pick.

    The value may be on the label's line or, in a table OCRed into two
    lines, on the next line. Without a label: the last date that follows no
    other date label (생년월일 ...), since the filing date stands at the
    foot of a form, above the signature.
    """
    lines = lines_of(normalize(text))
    pending = False
    unlabelled: list[dt.date] = []
    for line in lines:
        lab = label_of(line)
        if lab and lab.name in FILING_DATE_LABELS:
            found = find_dates(lab.value, today=today)
            if found:
                return found[0].date, LABEL
            pending = True
            continue
        found = find_dates(line, today=today)
        if pending and found and found[0].start <= 2:
            return found[0].date, LABEL
        pending = False
        if lab and lab.name in OTHER_DATE_LABELS:
            continue
        unlabelled += [f.date for f in found]
    return (unlabelled[-1], HEURISTIC) if unlabelled else None

