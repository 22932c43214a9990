"""What a field's value must be before girok keeps it: receipt numbers, names, dates, RRNs, document types.

A reading that fails its check is no value: the field stays empty (and the
worker says so) rather than hold a misreading. The checks:

- receipt number: one of the archive's patterns (``girok.toml``
  ``[fields] receipt_patterns``, per office in ``[fields.receipt_patterns_by_office]``).
  A pattern is written as the number looks: ``YYYY`` a year (1948 to next
  year), ``N`` one digit, ``+`` after an ``N`` "and more digits",
  ``{office}`` the office's name, whole or short (동작구, 동작), one of
  ``girok.toml``'s ``offices`` (the form's own when it is one); any 1 to 6
  Hangul syllables when the archive lists no offices;
  anything else stands for itself. ``YYYY-서초-NNNNN`` is 서초구's; the
  default, ``YYYY-{office}-NNNNN``, is the form the offices' numbers take
  (2016-동작-27901). A looser default (``NNN+``) kept 2017-동작-5792, a
  blurred number missing its last digit; an office whose numbers look
  otherwise says so in ``girok.toml``.
- applicant: 2 to 5 Hangul syllables starting with a Korean surname, and
  a given name whose syllables a name can have (``plausible_given``).
- date: a real calendar date (the parser only makes those), not before
  1948 (the Republic's first forms) and not after ``today``.
- RRN: a birth date that exists, a gender digit that fits its century,
  and not born after ``today``. The check digit (``rrn_check_digit_ok``)
  holds only for numbers issued before October 2020 and is reported, not
  required.
- document type: one of the archive's known types.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from ..text.hangul import SYLLABLES

__all__ = ["DEFAULT_RECEIPT_PATTERNS", "FieldRules", "ReceiptPattern", "invalid_fields", "office_names",
           "plausible_given", "receipt_offices",
           "rrn_check_digit_ok", "valid_applicant", "valid_date", "valid_doc_type", "valid_receipt",
           "valid_rrn"]

DEFAULT_RECEIPT_PATTERNS = ("YYYY-{office}-NNNNN",)
EARLIEST = dt.date(1948, 8, 15)

# Korean surnames (well over 99.9 % of people): a name read off a scan must start with one.
SURNAMES = frozenset(
    "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원천방공현함변염여추"
    "도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감음빈동온호범좌팽승간상갈단견당화창"
    "옹순라계시초랑궉묵아요뇌담근평후빙십애야엽판풍필학환묘미번보삼섭돈로리림려뢰"
) | {"남궁", "황보", "제갈", "선우", "사공", "서문", "독고", "동방"}

_BASE = 0xAC00
# final consonants (jongseong index) a given-name syllable can end in: none, ㄱ ㄴ ㄹ ㅁ ㅂ ㅅ ㅇ ㅊ (빛나, 샛별);
# the rest (ㄲ ㄳ ㄵ ㄶ ㄷ ㄺ ... ㅋ ㅌ ㅍ ㅎ) end no syllable of a Hanja reading nor of the usual native names
_NAME_FINALS = {0, 1, 4, 8, 16, 17, 19, 21, 23}
# initial consonants (choseong index) of the tense series ㄲ ㄸ ㅃ ㅆ ㅉ: no Hanja reading starts with one
_TENSE_INITIALS = {1, 4, 8, 10, 13}


def _jamo(syllable: str) -> tuple[int, int, int]:
    code = ord(syllable) - _BASE
    return code // 588, (code % 588) // 28, code % 28


def plausible_given(given: str) -> bool:
    """A given name's syllables could be a name's: Hangul, no tense initial, a final names end in."""
    if not 1 <= len(given) <= 3 or not all("가" <= c <= "힣" for c in given):
        return False
    for c in given:
        initial, _vowel, final = _jamo(c)
        if initial in _TENSE_INITIALS or final not in _NAME_FINALS:
            return False
    return True


def valid_applicant(name: str | None) -> bool:
    """2-5 Hangul syllables: a surname (one syllable, or a two-syllable one) and a plausible given name."""
    if not name or not re.fullmatch(f"[{SYLLABLES}]{{2,5}}", name):
        return False
    for n in (2, 1):
        if name[:n] in SURNAMES and len(name) > n and plausible_given(name[n:]):
            return True
    return False


def valid_date(d: dt.date | None, today: dt.date | None = None) -> bool:
    return d is not None and EARLIEST <= d <= (today or dt.date.today())


_CENTURY = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000,
            "9": 1800, "0": 1800}


def valid_rrn(rrn: str | None, today: dt.date | None = None) -> bool:
    """YYMMDD-GNNNNNN with a birth date that exists in the century the gender digit says, not in the future."""
    m = re.fullmatch(r"(\d{2})(\d{2})(\d{2})-(\d)(\d{6})", rrn or "")
    if not m:
        return False
    try:
        born = dt.date(_CENTURY[m.group(4)] + int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    return born <= (today or dt.date.today())


def rrn_check_digit_ok(rrn: str) -> bool:
    """The 13th digit's check (weights 2-9, 2-5, mod 11); numbers issued from October 2020 carry none."""
    d = [int(c) for c in rrn if c.isdigit()]
    if len(d) != 13:
        return False
    s = sum(a * b for a, b in zip(d[:12], (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)))
    return (11 - s % 11) % 10 == d[12]


def valid_doc_type(doc_type: str | None, known_types: Iterable[str]) -> bool:
    return doc_type is not None and doc_type in set(known_types)


@dataclass(frozen=True)
class ReceiptPattern:
    """A receipt-number pattern as ``girok.toml`` writes it (``YYYY-서초-NNNNN``), and its regular expression."""

    template: str
    regex: re.Pattern = field(compare=False, repr=False)

    @classmethod
    def parse(cls, template: str) -> "ReceiptPattern":
        """Raises ValueError for a template with no digit in it (no receipt number is all letters)."""
        out, i, digits = [], 0, False
        while i < len(template):
            if template.startswith("YYYY", i):
                out.append(r"(?P<year>(?:19|20)\d\d)")
                i, digits = i + 4, True
                continue
            if template.startswith("{office}", i):
                out.append(f"(?P<office>[{SYLLABLES}]{{1,6}})")
                i += len("{office}")
                continue
            if template[i] == "N":
                j = i
                while j < len(template) and template[j] == "N":
                    j += 1
                more = j < len(template) and template[j] == "+"
                out.append(rf"\d{{{j - i},}}" if more else rf"\d{{{j - i}}}")
                i, digits = j + (1 if more else 0), True
                continue
            out.append(re.escape(template[i]))
            i += 1
        if not digits:
            raise ValueError(f"receipt pattern {template!r} has no digits (YYYY or N)")
        return cls(template, re.compile("".join(out)))

    def find(self, text: str, today: dt.date | None = None, offices: Iterable[str] | None = None) -> list[str]:
        """The numbers of this pattern standing in ``text`` (not inside a longer run of digits or letters)."""
        rx = re.compile(rf"(?<![0-9A-Za-z{SYLLABLES}-])(?:{self.regex.pattern})(?![0-9A-Za-z{SYLLABLES}-])")
        return [m.group(0) for m in rx.finditer(text) if self.matches(m.group(0), today, offices)]

    def matches(self, value: str, today: dt.date | None = None, offices: Iterable[str] | None = None) -> bool:
        """``offices``: the names ``{office}`` may stand for (None: any)."""
        m = self.regex.fullmatch(value)
        if not m:
            return False
        found = m.groupdict()
        if found.get("office") is not None and offices is not None and found["office"] not in set(offices):
            return False
        year = found.get("year")
        return year is None or EARLIEST.year <= int(year) <= (today or dt.date.today()).year + 1


@dataclass(frozen=True)
class FieldRules:
    """What the fields are checked against: the archive's document types and receipt patterns.

    ``by_office`` maps an office (as ``find_office`` names it: 서초구) to its own patterns; a number on
    another office's form, or on a form whose office was not read, must match one of ``receipt_patterns``
    or of any office's."""

    known_types: tuple[str, ...] = ()
    known_offices: tuple[str, ...] = ()
    receipt_patterns: tuple[str, ...] = DEFAULT_RECEIPT_PATTERNS
    by_office: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def patterns_for(self, office: str | None) -> list[ReceiptPattern]:
        if office and office in self.by_office:
            return [ReceiptPattern.parse(t) for t in self.by_office[office]]
        every = list(self.receipt_patterns) + [t for ts in self.by_office.values() for t in ts]
        return [ReceiptPattern.parse(t) for t in dict.fromkeys(every)]

    def record(self) -> dict:
        """For the conversion record."""
        return {"receipt_patterns": list(self.receipt_patterns),
                "receipt_patterns_by_office": {k: list(v) for k, v in self.by_office.items()}}


def office_names(office: str) -> set[str]:
    """How a receipt number may name an office: 동작구 -> 동작구, 동작."""
    return {office} | ({office[:-1]} if len(office) > 2 and office[-1] in "구시군동읍면" else set())


def receipt_offices(rules: FieldRules, office: str | None) -> set[str] | None:
    """The names ``{office}`` may stand for: the archive's ``offices`` (the form's own, when it is one of them);
    None (any) when the archive lists none. An office read off the form but not on the list is no check: on
    seed 4242's form 24 it read 서추구, and the right 2018-서초-13595 would have failed against it."""
    if not rules.known_offices:
        return None
    known = [office] if office in rules.known_offices else list(rules.known_offices)
    return {n for o in known for n in office_names(o)}


def valid_receipt(value: str | None, rules: FieldRules, office: str | None = None,
                  today: dt.date | None = None) -> bool:
    offices = receipt_offices(rules, office)
    return bool(value) and any(p.matches(value, today, offices) for p in rules.patterns_for(office))


def invalid_fields(md, rules: FieldRules | None = None, *, known_types: Sequence[str] | None = None,
                   today: dt.date | None = None) -> list[str]:
    """The names of ``md``'s fields (a ``Metadata``) that hold a value failing its check."""
    rules = rules or FieldRules(known_types=tuple(known_types or ()))
    bad = []
    if md.doc_type is not None and not valid_doc_type(md.doc_type, rules.known_types or known_types or ()):
        bad.append("doc_type")
    if md.date is not None and not valid_date(md.date, today):
        bad.append("date")
    if md.receipt_no is not None and not valid_receipt(md.receipt_no, rules, md.office, today):
        bad.append("receipt_no")
    if md.applicant is not None and not valid_applicant(md.applicant):
        bad.append("applicant")
    if any(not valid_rrn(r, today) for r in md.rrns):
        bad.append("rrns")
    return bad
