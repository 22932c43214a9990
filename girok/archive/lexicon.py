"""The search lexicon: Kiwi's reading of every word of the archive's texts, kept in the catalog, so that
a query word needs no Kiwi (see ``search.analysis``, "the word lexicon").

Filled when documents are indexed (Kiwi is loaded for their nouns anyway) and by a full reindex;
a disposal removes the disposed documents' words and reads again those that other documents still
contain. Derived data: a missing reading only costs a search the loading of Kiwi.
"""

from __future__ import annotations

import logging
from typing import Iterable

from ..search.analysis import MORPH_VERSION, Reading, lexicon_words, read_word

log = logging.getLogger(__name__)


class CatalogLexicon:
    """The lexicon as ``SearchIndex`` asks for it."""

    def __init__(self, catalog):  # noqa: ANN001
        self.catalog = catalog

    def readings(self, words: Iterable[str]) -> dict[str, Reading]:
        rows = self.catalog.word_readings(words, MORPH_VERSION)
        return {w: Reading(stem, tuple(nouns.split())) for w, (stem, nouns) in rows.items()}


def read_words(words: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Readings of ``words`` and of their stems (전입신고서를 -> 전입신고서 too), as the catalog keeps them."""
    out: dict[str, tuple[str, str]] = {}
    todo = list(words)
    while todo:
        w = todo.pop()
        if w in out:
            continue
        r = read_word(w)
        out[w] = (r.stem, " ".join(r.nouns))
        if r.stem != w and r.stem not in out and lexicon_words(r.stem) == {r.stem}:
            todo.append(r.stem)
    return out


def fill_lexicon(catalog, texts: Iterable[str]) -> int:  # noqa: ANN001
    """Keep the readings of the words of ``texts`` that the lexicon lacks; how many were added."""
    found: set[str] = set()
    for t in texts:
        found |= lexicon_words(t)
    if not found:
        return 0
    missing = found - set(catalog.word_readings(found, MORPH_VERSION))
    if not missing:
        return 0
    new = read_words(missing)
    catalog.add_word_readings(new, MORPH_VERSION)
    return len(new)


def refill_lexicon(arch, words: set[str]) -> int:  # noqa: ANN001
    """After a disposal removed ``words`` from the lexicon: read again those that indexed documents still
    contain. Best effort (a failure only leaves searches for those words to load Kiwi)."""
    if not words:
        return 0
    try:
        still = arch.index.still_contains(sorted(words))
        if still:
            arch.catalog.add_word_readings(read_words(still), MORPH_VERSION)
        return len(still)
    except Exception as exc:  # noqa: BLE001 - derived data; logged
        log.warning("the search lexicon was not refilled after the disposal (%s); `girok reindex` does it", exc)
        return 0
