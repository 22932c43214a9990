"""Snippets: a short piece of a document's text around what the query matched, matches in [[...]].

Made from the stored (already RRN-masked) text, the same way for every
engine; phone numbers and address details are masked in a snippet too (not
in the stored text: it may be searched by them). Matching ignores word
spaces and line breaks (as the index does), so 민원실 is marked inside
"민원 실에서" too.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate

from ..text.pii import mask_contacts, mask_rrn

WIDTH = 160


_RUN = re.compile(r"\S+")


class _RunMap:
    """The index in ``text`` of each character of ``text`` without whitespace, kept per run of non-space characters
    (a 2 KB page has ~300 words, ~2,000 characters): what ``_squeeze``'s list holds, looked up by bisection."""

    __slots__ = ("flat_starts", "spaces_before")

    def __init__(self, text: str, words: list[str]):
        self.flat_starts = list(accumulate(map(len, words), initial=0))  # where each run starts, squeezed
        self.spaces_before = list(accumulate(map(len, _RUN.split(text))))  # whitespace before each run

    def __getitem__(self, f: int) -> int:
        r = bisect_right(self.flat_starts, f) - 1
        return f + self.spaces_before[r]


def _squeeze_runs(text: str):
    """``text`` without whitespace, lower-cased, and for each kept character its index in ``text``: exactly
    ``_squeeze_chars``, with the positions as a ``_RunMap`` (a per-character list took ~0.4 ms a page, which every
    hit of every search paid: half of a search page's time)."""
    words = text.split()
    flat = "".join(words)
    if "\u03a3" in flat:
        return _squeeze_chars(text)
    if len(flat) == len(text):
        return flat.lower(), range(len(text))
    return flat.lower(), _RunMap(text, words)


def _squeeze_chars(text: str) -> tuple[str, list[int]]:
    chars, where = [], []
    for i, c in enumerate(text):
        if not c.isspace():
            chars.append(c.lower())
            where.append(i)
    return "".join(chars), where


def make_snippet(content: str, needles: list[str], width: int = WIDTH) -> str:
    """Up to ``width`` characters of ``content`` around the first match, matches in [[...]]; RRNs, phone numbers
    and address details masked (``girok.text.pii.mask_contacts``)."""
    text = mask_rrn(unicodedata.normalize("NFKC", content or ""))
    start, end = _region(text, needles, width)
    lo, hi, _ = _window(text[start:end], needles, width)
    lo, hi = lo + start, hi + start
    # phones and addresses are masked only around the window (~0.2 ms a 2 KB page for the whole text), with a
    # margin so that a number the window cuts is masked whole; then the window is found again in the masked part
    a, b = max(0, lo - width // 2), min(len(text), hi + width // 2)
    part = mask_contacts(text[a:b])
    lo, hi, spans = _window(part, needles, width)
    if not spans:  # no match, or the match was a phone number or an address, masked now
        return ("… " if a else "") + " ".join(part[:width].split())
    out, pos = [], lo
    for s, e in spans:
        if s < lo or e > hi:
            continue
        out.append(part[pos:s])
        out.append("[[" + part[s:e] + "]]")
        pos = e
    out.append(part[pos:hi])
    snippet = " ".join("".join(out).split())
    return ("… " if a + lo > 0 else "") + snippet + (" …" if hi < len(part) or b < len(text) else "")


def _region(text: str, needles: list[str], width: int) -> tuple[int, int]:
    """Where to look for the first match: around the first place a needle stands as it is (no word space inside
    it: most matches), found without squeezing the page (squeezing a whole 2 KB page for each hit of a search was
    most of a search page's time); the whole text when none does. A match split by a word space before that place
    is then not the one the snippet shows; one inside the region still is."""
    low = text.lower()
    if len(low) != len(text):
        return 0, len(text)
    found = [i for i in (low.find(_squeeze_runs(unicodedata.normalize("NFKC", n))[0]) for n in needles if n.strip())
             if i >= 0]
    if not found:
        return 0, len(text)
    first = min(found)
    return max(0, first - width), min(len(text), first + 2 * width)


def _window(text: str, needles: list[str], width: int) -> tuple[int, int, list[tuple[int, int]]]:
    """Where a snippet of ``text`` goes (from a quarter of ``width`` before the first match), and the matches."""
    flat, where = _squeeze_runs(text)
    spans: list[tuple[int, int]] = []
    for needle in needles:
        n = _squeeze_runs(unicodedata.normalize("NFKC", needle))[0]
        if not n:
            continue
        start = flat.find(n)
        while start != -1:
            spans.append((where[start], where[start + len(n) - 1] + 1))
            start = flat.find(n, start + len(n))
    spans = _merge(spans)
    if not spans:
        return 0, min(len(text), width), []
    lo = max(0, spans[0][0] - width // 4)
    return lo, min(len(text), lo + width), spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged
