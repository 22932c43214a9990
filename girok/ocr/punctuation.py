"""Korean typographic punctuation that tesseract's Korean model reads as ASCII.

Printed Korean uses curly quotes ‘ ’ “ ” and the middle dot · ("민원·공모").
The Korean model has no separate classes for them: it answers ' " ` for the
quotes and ㆍ (U+318D, an archaic vowel letter no modern text uses), ':' or
'-' for the dot. On the dev corpus that was about a quarter of all character
errors on legible pages. The rules here only touch a mark standing next to
Hangul, where the ASCII reading is the unlikely one (in the reference texts,
77 curly quotes touch Hangul and 4 straight ones do); quotes in Latin text,
times (09:00), phone and receipt numbers (010-1234-5678, 2016-동작-27901)
keep their reading.
"""

from __future__ import annotations

import re

from ..text.hangul import SYLLABLES as _H

_SINGLE = re.compile(r"['`‘’]")
_DOUBLE = re.compile(r"[\"“”]")
# ':' or '-' between two Hangul syllables (tesseract puts spaces between them at times): a middle dot
_DOT = re.compile(rf"(?<=[{_H}])(?:[:\-ㆍ]| [:\-ㆍ] )(?=[{_H}])")  # "성명: 홍길동" keeps its colon
_HANGUL = re.compile(rf"[{_H}]")  # syllables only: a lone jamo is not a word's letter here
_JOSA = set("을를은는이가에의로과와도")


def _touches_hangul(text: str, i: int) -> bool:
    before = text[max(0, i - 2):i].strip()
    after = text[i + 1:i + 3].strip()
    return bool(_HANGUL.search(before[-1:] or "") or _HANGUL.search(after[:1] or ""))


def _is_opening(text: str, i: int, expect_open: bool) -> bool:
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if prev.isspace() or prev in "([{<" or i == 0:
        if not nxt.isspace():
            return True
    if nxt.isspace() or nxt in ".,;:!?)]}>" or i + 1 == len(text):
        if not prev.isspace():
            return False
    after = text[i + 1:i + 4].lstrip(" ")
    if after[:1] in _JOSA and (len(after) < 2 or not _HANGUL.match(after[1]) or after[:2] in ("에서", "으로", "이라")):
        return False  # ' 를 / ' 은 / ' 에서: a particle follows the closing mark
    return expect_open  # spaced on both sides (or neither): the quotes pair up in order


def _curl(text: str, pattern: re.Pattern, opening: str, closing: str) -> str:
    chars = list(text)
    expect_open, prev_end = True, 0
    for m in pattern.finditer(text):
        i = m.start()
        if text[i] in (opening, closing):
            expect_open = text[i] == closing
            continue
        if "\n" in text[prev_end:i]:
            expect_open = True  # a quotation rarely runs on past its line in OCR text; a lost mark stays local
        prev_end = i
        if not _touches_hangul(text, i):
            continue
        is_open = _is_opening(text, i, expect_open)
        chars[i] = opening if is_open else closing
        expect_open = not is_open
    return "".join(chars)


def korean_punctuation(text: str) -> str:
    """Curly quotes and middle dots where the page's Korean text has them; everything else as read."""
    text = text.replace("ㆍ", "·")
    text = _DOT.sub("·", text)
    text = _curl(text, _SINGLE, "‘", "’")
    return _curl(text, _DOUBLE, "“", "”")
