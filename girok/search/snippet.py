"""Snippets: a short piece of a document's text around what the query matched, matches in [[...]].

Made from the stored (already RRN-masked) text, the same way for every
engine. Matching ignores word spaces and line breaks (as the index does),
so 민원실 is marked inside "민원 실에서" too.
"""

from __future__ import annotations

import unicodedata

from ..pii import mask_rrn

WIDTH = 160


def _squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, lower-cased, and for each kept character its index in ``text``."""
    chars, where = [], []
    for i, c in enumerate(text):
        if not c.isspace():
            chars.append(c.lower())
            where.append(i)
    return "".join(chars), where


def make_snippet(content: str, needles: list[str], width: int = WIDTH) -> str:
    text = mask_rrn(unicodedata.normalize("NFKC", content or ""))
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
        return " ".join(text[:width].split())
    first = spans[0][0]
    lo = max(0, first - width // 4)
    hi = min(len(text), lo + width)
    out, pos = [], lo
    for s, e in spans:
        if s < lo or e > hi:
            continue
        out.append(text[pos:s])
        out.append("[[" + text[s:e] + "]]")
        pos = e
    out.append(text[pos:hi])
    snippet = " ".join("".join(out).split())
    return ("… " if lo > 0 else "") + snippet + (" …" if hi < len(text) else "")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged
