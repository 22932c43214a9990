"""The words of a text, as a searcher types them: runs of letters and digits (NFKC), punctuation and
spaces between. ``search.analysis`` keeps Kiwi's reading of each such word of the archive (the word
lexicon, so that a query word needs no Kiwi); the catalog forgets the words of a disposed document."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
WORD_MAX = 40  # characters: longer runs are OCR noise or codes, not words anybody types


def words(text: str) -> set[str]:
    """The distinct words of ``text``, NFKC-normalized, 2 to ``WORD_MAX`` characters."""
    return {w for w in _WORD.findall(unicodedata.normalize("NFKC", text)) if 2 <= len(w) <= WORD_MAX}
