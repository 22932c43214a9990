"""girok's query language, parsed into a small tree that every search engine compiles.

    서초구 민원실            both words (AND is implied)
    "토지 대장"              a phrase (word spaces inside do not matter)
    민원 OR 민원실           either;  NOT 위임장 / -위임장: without
    (전입 OR 혼인) 신고      grouping
    type:위임장  office:서초구  receipt:2024-0001  retention:10년
    date:2023-01-01..2023-12-31  date:2023  date:2023-03  date:..2023-06-30

Operators are upper case (AND, OR, NOT) so that the Korean or English
words "and", "or" stay searchable. A ``name:value`` whose name is not a
field above is searched as a word (``10:30`` finds 10:30).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from ..errors import UsageError
from ..i18n import N_, _

FIELDS = ("type", "office", "date", "retention", "receipt")
# translated when shown (GirokError.__str__ translates hints)
_HINT = N_('Queries look like: 서초구 민원실, "토지 대장", 민원 OR 민원실, NOT 위임장, '
           "type:위임장, office:서초구, date:2023-01-01..2023-12-31, retention:10년, receipt:2024-0001")


@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class Filter:
    """An exact field match: type, office (a phrase inside the office name), retention, receipt."""

    name: str
    value: str


@dataclass(frozen=True)
class DateRange:
    start: date | None
    end: date | None  # inclusive


@dataclass(frozen=True)
class And:
    items: tuple = field(default_factory=tuple)


@dataclass(frozen=True)
class Or:
    items: tuple = field(default_factory=tuple)


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class All:
    """Every document (a query of filters only, or NOT alone)."""


Node = Word | Phrase | Filter | DateRange | And | Or | Not | All

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"?|([^\s()"]+))')


def _lex(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        lpar, rpar, quoted, bare = m.groups()
        if lpar:
            out.append(("(", "("))
        elif rpar:
            out.append((")", ")"))
        elif quoted is not None:
            out.append(("phrase", quoted))
        elif bare in ("AND", "OR", "NOT"):
            out.append((bare, bare))
        else:
            out.append(("word", bare))
    # field:"quoted value" arrives as word 'field:' then a phrase: glue them
    glued: list[tuple[str, str]] = []
    for kind, val in out:
        if kind == "phrase" and glued and glued[-1][0] == "word" and glued[-1][1].endswith(":") \
                and glued[-1][1][:-1].lower() in FIELDS:
            glued[-1] = ("word", glued[-1][1] + val)
        else:
            glued.append((kind, val))
    return glued


def parse_date_range(value: str) -> DateRange:
    """``2023-01-01..2023-12-31``, ``2023``, ``2023-03``, ``..2023-06-30``, ``2023-01-01..``."""
    if ".." in value:
        a, b = value.split("..", 1)
        start = _date_bound(a, first=True) if a else None
        end = _date_bound(b, first=False) if b else None
        if start is None and end is None:
            raise UsageError(_("date:{value} gives no date").format(value=value), hint=_("Use e.g. date:2023-01-01..2023-12-31"))
        if start and end and start > end:
            raise UsageError(_("date:{value} ends before it starts").format(value=value), hint=_("Put the earlier date first."))
        return DateRange(start, end)
    return DateRange(_date_bound(value, first=True), _date_bound(value, first=False))


def _date_bound(text: str, *, first: bool) -> date:
    m = re.fullmatch(r"(\d{4})(?:[-.](\d{1,2})(?:[-.](\d{1,2}))?)?", text.strip())
    if not m:
        raise UsageError(_("{text!r} is not a date").format(text=text), hint=_("Dates are YYYY, YYYY-MM or YYYY-MM-DD, e.g. date:2023-03"))
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    try:
        if d:
            return date(y, int(mo), int(d))
        if mo:
            mo = int(mo)
            return date(y, mo, 1) if first else date(y, mo, calendar.monthrange(y, mo)[1])
        return date(y, 1, 1) if first else date(y, 12, 31)
    except ValueError as exc:
        raise UsageError(_("{text!r} is not a valid date ({exc})").format(text=text, exc=exc), hint=_("e.g. date:2023-02-28")) from None


class _Parser:
    def __init__(self, toks: list[tuple[str, str]]):
        self.toks = toks
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            if self.peek() in (None, ")", "OR"):
                raise UsageError(_("OR needs a word on both sides"), hint=_HINT)
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        items = [self.parse_unary()]
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
                if self.peek() in (None, ")", "OR", "AND"):
                    raise UsageError(_("AND needs a word on both sides"), hint=_HINT)
            items.append(self.parse_unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self) -> Node:
        kind = self.peek()
        if kind == "NOT":
            self.take()
            if self.peek() in (None, ")", "OR", "AND"):
                raise UsageError(_("NOT needs a word after it"), hint=_HINT)
            return Not(self.parse_unary())
        if kind == "(":
            self.take()
            if self.peek() == ")":
                raise UsageError(_("empty parentheses"), hint=_HINT)
            node = self.parse_or()
            if self.peek() != ")":
                raise UsageError(_("a parenthesis is not closed"), hint=_HINT)
            self.take()
            return node
        if kind == ")":
            raise UsageError(_("a closing parenthesis has no opening one"), hint=_HINT)
        if kind in ("AND", "OR"):
            raise UsageError(_("{kind} needs a word before it").format(kind=kind), hint=_HINT)
        kind, val = self.take()
        if kind == "phrase":
            return Phrase(val)
        if val.startswith("-") and len(val) > 1:
            return Not(_word_or_filter(val[1:]))
        return _word_or_filter(val)


def _word_or_filter(val: str) -> Node:
    name, sep, value = val.partition(":")
    if sep and name.lower() in FIELDS:
        name = name.lower()
        if not value:
            raise UsageError(_("{name}: needs a value").format(name=name), hint=_HINT)
        if name == "date":
            return parse_date_range(value)
        return Filter(name, value)
    return Word(val)


def parse(text: str) -> Node:
    """The query tree for ``text``; UsageError (exit 2) with an example when it cannot be read."""
    toks = [t for t in _lex(text) if not (t[0] == "phrase" and not t[1].strip())]
    if not toks:
        raise UsageError(_("empty query"), hint=_("Give words to search for, e.g. girok search 민원실"))
    p = _Parser(toks)
    node = p.parse_or()
    if p.i < len(toks):
        raise UsageError(_("a closing parenthesis has no opening one"), hint=_HINT)
    return node


def positive_texts(node: Node) -> list[str]:
    """The words and phrases a hit must or may contain (not under NOT): what snippets highlight."""
    if isinstance(node, (Word, Phrase)):
        return [node.text]
    if isinstance(node, (And, Or)):
        return [t for item in node.items for t in positive_texts(item)]
    return []


def word_texts(node: Node) -> list[str]:
    """Every word of the query, also under NOT: what is planned word by word (``plan.word_plan``)."""
    if isinstance(node, Word):
        return [node.text]
    if isinstance(node, (And, Or)):
        return [t for item in node.items for t in word_texts(item)]
    if isinstance(node, Not):
        return word_texts(node.item)
    return []


def is_negative(node: Node) -> bool:
    """True when the query matches only by exclusion (NOT x alone): engines start from all documents."""
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(is_negative(i) for i in node.items)
    return False
