"""Snippets: a short piece of a document's text around what the query matched, matches in [[...]].

Made from the stored (already RRN-masked) text, the same way for every
engine; phone numbers and address details are masked in a snippet too (not
in the stored text: it may be searched by them). Matching ignores word
spaces and line breaks (as the index does), so 민원실 is marked inside
"민원 실에서" too.
"""

from __future__ import annotations

import re
import sys
import unicodedata

from ..text.pii import mask_contacts, mask_rrn

WIDTH = 160


def _squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, lower-cased, and for each kept character its index in ``text``.

    With string and array operations (a stored page is ~2 KB: the character loop took ~1 ms per
    hit, half of a query's time at 1M documents); exactly ``_squeeze_chars``."""
    flat = "".join(text.split())
    if "\u03a3" in flat:  # Σ: lower() of a whole string makes a final ς, lower() of the letter alone σ
        return _squeeze_chars(text)
    if len(flat) == len(text):
        return flat.lower(), list(range(len(text)))
    return flat.lower(), _kept(text)


_NON_SPACE = re.compile(r"\S")  # \s is str.isspace(), as str.split() uses


def _kept(text: str) -> list[int]:
    """The indexes of the non-whitespace characters of ``text``.

    Where numpy is already loaded (a long-running process, a bulk build), whitespace is decided once
    per distinct character (~0.06 ms for 2 KB); a one-shot `girok search` would pay ~0.1 s to import
    numpy for that, so it takes a regular expression instead (~0.25 ms for 2 KB). The same result.
    There is no table over every code point here: building one cost ~0.6 s per process."""
    if "numpy" not in sys.modules:
        return [m.start() for m in _NON_SPACE.finditer(text)]
    import numpy as np

    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    distinct, at = np.unique(cp, return_inverse=True)
    space = np.fromiter((chr(c).isspace() for c in distinct.tolist()), dtype=bool, count=len(distinct))
    return np.flatnonzero(~space[at.reshape(-1)]).tolist()


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
    lo, hi, _ = _window(text, needles, width)
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


def _window(text: str, needles: list[str], width: int) -> tuple[int, int, list[tuple[int, int]]]:
    """Where a snippet of ``text`` goes (from a quarter of ``width`` before the first match), and the matches."""
    flat, where = _squeeze(text)
    spans: list[tuple[int, int]] = []
    for needle in needles:
        n, _ = _squeeze(unicodedata.normalize("NFKC", needle))
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
