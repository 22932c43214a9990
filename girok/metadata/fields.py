"""Receipt number, applicant, addressee office and phone numbers in a form's OCR text.

Each finder takes text (normalized here) and returns ``(value, source)`` or
None; a value that does not read cleanly is None rather than a guess.
"""

from __future__ import annotations

import re
from typing import Iterable

from rapidfuzz.distance import Levenshtein

from ..text import pii
from ..text.hangul import SYLLABLES
from ..text.normalize import normalize
from .validate import valid_applicant
from .labels import (ALL_LABELS, LABEL, NAME_LABELS, RECEIPT_LABELS, SIGNER_LABELS, WORDCHARS, compact, label_of, labelled_values, lines_of)

_RECEIPT = re.compile(f"[0-9A-Za-z{SYLLABLES}]+(?:-[0-9A-Za-z{SYLLABLES}]+)*")
# quote and bracket specks OCR reads beside a hyphen (2021-서초-《68838): no receipt number holds one
_HYPHEN_SPECK = re.compile(r"""(?<=-)[《》「」『』〈〉<>"'‘’“”`|]+|[《》「」『』〈〉<>"'‘’“”`|]+(?=-)""")


def _clean_code(value: str) -> str | None:
    v = _HYPHEN_SPECK.sub("", re.sub(r"\s*-\s*", "-", value.strip()))
    v = re.sub(rf"(?<=[{SYLLABLES}])\s(?=[{SYLLABLES}])", "", v)   # 동 작 -> 동작: OCR spaces inside a word
    v = re.sub(r"(-\d{1,4}) (\d)", r"\1\2", v)        # -8 7593 -> -87593: and inside a number
    # single letters or symbols beside the code are OCR specks, not part of it
    toks = [t for t in v.split() if WORDCHARS.search(t) and (len(t) > 1 or t.isdigit())]
    if len(toks) != 1:
        return None
    tok = toks[0].strip(".,:;()[]")
    tok = re.sub(r"^제(?=\d)", "", tok)
    tok = re.sub(r"(?<=\d)호$", "", tok)
    if not _RECEIPT.fullmatch(tok) or sum(c.isdigit() for c in tok) < 2 or pii.find_rrns(tok):
        return None
    return tok


def find_receipt_no(text: str) -> tuple[str, str] | None:
    """(receipt number, "label") from ``접수번호 …``; a value that is not one clean code is no value."""
    for v in labelled_values(normalize(text), RECEIPT_LABELS):
        code = _clean_code(v.lstrip(":： "))
        if code:
            return code, LABEL
    return None


_NAME = re.compile(f"[{SYLLABLES}]{{2,5}}")
_HANGUL_WORD = re.compile(f"[{SYLLABLES}]+")
_SEAL_MARKS = {"인", "외", "등", "印"}  # 김지훈 인 (seal), 김지훈 외 2명: not part of the name


def _name(value: str) -> str | None:
    """The name a value starts with, joining the pieces OCR split it into (황 서연, 정 예 준, 정예 준)."""
    value = re.split(r"[(\[（]", value, maxsplit=1)[0]
    parts = []
    for t in value.replace(":", " ").split():
        if not _HANGUL_WORD.fullmatch(t):
            break
        parts.append(t)
    if not parts:
        return None
    name, rest = parts[0], parts[1:]
    if len(name) == 1:
        for t in rest:
            if len(name) + len(t) > 4:
                break
            name += t
    elif len(name) == 2 and rest and len(rest[0]) == 1 and rest[0] not in _SEAL_MARKS:
        name += rest[0]
    if not _NAME.fullmatch(name) or any(name.startswith(lab) for lab in ALL_LABELS):
        return None
    return name


_SIGNER = re.compile(r"^(?P<name>[^(]*?)\s*(?:\(|서\s*명|$)")


def applicant_readings(text: str) -> tuple[str | None, str | None]:
    """The name after ``성명`` and the name on the signature line (``신청인 … (서명 또는 인)``), as read, unchecked."""
    text = normalize(text)
    by_label = next((n for n in map(_name, labelled_values(text, NAME_LABELS, next_line=False)) if n), None)
    by_sign = None
    for line in lines_of(text):
        lab = label_of(line)
        if lab and lab.name in SIGNER_LABELS:
            m = _SIGNER.match(lab.value)
            n = _name(m.group("name")) if m else None
            if n:
                by_sign = n
                break
    return by_label, by_sign


def find_applicant(text: str, *, warnings: list[str] | None = None) -> tuple[str, str] | None:
    """(name, "label") from ``성명 …`` or the signature line ``신청인 … (서명 또는 인)``.

    A reading that is no plausible name (``validate.valid_applicant``: no
    Korean surname, as 흥하은 for 홍하은) is a misreading and is dropped. When both readings remain and differ,
    the signature line wins: it is running text, which OCR reads better than
    a table cell. Dropped and disagreeing readings are added to ``warnings``.
    """
    by_label, by_sign = applicant_readings(text)
    notes = []
    for n in (by_label, by_sign):
        if n and not valid_applicant(n):
            notes.append(f"applicant: {n} is no plausible name (surname, syllables; misread?); not taken")
    by_label, by_sign = [n if n and valid_applicant(n) else None for n in (by_label, by_sign)]
    name = by_sign or by_label
    if by_label and by_sign and by_label != by_sign:
        notes.append(f"applicant: 성명 reads {by_label}, signature line {by_sign}; took {name}")
    if warnings is not None:
        warnings += notes
    return (name, LABEL) if name else None


_ADDRESSEE = re.compile(r"(?P<before>.*?)(?P<title>청\s*장|군\s*수|도\s*지\s*사|교\s*육\s*감|장)\s*[,.]?\s*귀\s*하")
_AGENCIES = ("경찰", "국세", "관세", "조달", "통계", "검찰", "병무", "소방", "산림", "특허", "기상", "문화재",
             "질병관리", "해양경찰", "교육")
_JANG_ENDS = "동읍면리시도구군서소원관단회부처국실과청"


def _office_name(before: str) -> str | None:
    toks = before.split()
    if not toks:
        return None
    parts = [toks.pop()]
    while toks and len(parts[0]) == 1 and re.fullmatch(f"[{SYLLABLES}0-9]+", toks[-1]):
        parts.insert(0, toks.pop())
        if len(parts[0]) > 1:
            break
    name = "".join(parts)
    return name if re.fullmatch(f"[{SYLLABLES}][{SYLLABLES}0-9]+", name) else None


def find_office(text: str, known_offices: Iterable[str] = ()) -> tuple[str, str] | None:
    """(office, "label") from the addressee line: ``동작구청장 귀하`` -> 동작구, ``사당1동장 귀하`` -> 사당1동.

    ``…청장``: a 구/시/군 (동작구), or a national agency (경찰 -> 경찰청);
    ``…군수`` -> …군, ``…도지사`` -> …도, ``…교육감`` -> …교육청, ``…장`` -> the
    office it heads (…동, …시, …세무서). A name that reads as none of these is
    no office. With ``known_offices``, a close reading (one letter off) is
    corrected to the known name.
    """
    for line in reversed(lines_of(normalize(text))):
        m = _ADDRESSEE.search(line)
        if not m:
            continue
        name = _office_name(m.group("before"))
        title = re.sub(r"\s", "", m.group("title"))
        office = _office_of(name, title) if name else None
        known = {compact(k): k for k in known_offices}
        if known and name:
            mine = compact(office or name)
            best = min(known, key=lambda k: Levenshtein.distance(mine, k))
            if mine == best or (len(best) >= 3 and Levenshtein.distance(mine, best) <= 1):
                return known[best], LABEL
        if office:
            return office, LABEL
    return None


def _office_of(name: str, title: str) -> str | None:
    if title == "청장":
        if name[-1] in "구시군":
            return name
        return name + "청" if name.endswith(_AGENCIES) else None
    if title == "군수":
        return name if name.endswith("군") else name + "군"
    if title == "도지사":
        return name if name.endswith("도") else name + "도"
    if title == "교육감":
        return name + "교육청"
    return name if name[-1] in _JANG_ENDS else None


_PHONE_RES = (
    # area code, then separators (or a space) between the groups; not part of a longer hyphenated number
    re.compile(r"(?<![\d-])(01[016789]|02|0[3-6][1-5]|070|050\d?)\s*(?:[-.)]|\s)\s*(\d{3,4})\s*[-.\s]\s*(\d{4})"
               r"(?!\d)(?!\s*-\s*\d)"),
    re.compile(r"(?<![\d-])(01[016789])(\d{4})(\d{4})(?!\d)"),
    re.compile(r"(?<![\d-])(1[568]\d{2})\s*-\s*(\d{4})(?![\d-])"),
)


def find_phones(text: str) -> list[str]:
    """Korean phone numbers (010-1234-5678, 02-2155-6114, 1588-1234), normalized with hyphens, first seen first."""
    text = normalize(text)
    rrn_spans = [m.span() for m in pii.NOISY_RRN_RE.finditer(text)]
    found: list[tuple[int, str]] = []
    for rx in _PHONE_RES:
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in rrn_spans):
                continue
            found.append((m.start(), "-".join(m.groups())))
    found.sort()
    return list(dict.fromkeys(p for _, p in found))

