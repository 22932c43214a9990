"""One definition of Hangul for every module: character classes for regular expressions, and tests.

- ``SYLLABLES``: the 11,172 precomposed syllables 가-힣 (U+AC00-U+D7A3): what Korean text, names and
  OCR output are made of.
- ``LETTERS``: syllables plus the conjoining jamo (U+1100-U+11FF) and the compatibility jamo
  (U+3130-U+318F) that OCR and keyboards produce for a lone consonant or vowel (ㄱ, ㅏ).

Use them inside brackets: ``re.compile(f"[{SYLLABLES}]+")``.
"""

from __future__ import annotations

import re

SYLLABLES = "\uac00-\ud7a3"
JAMO = "\u1100-\u11ff"
COMPAT_JAMO = "\u3130-\u318f"
LETTERS = SYLLABLES + JAMO + COMPAT_JAMO

SYLLABLE_RE = re.compile(f"[{SYLLABLES}]")
LETTER_RE = re.compile(f"[{LETTERS}]")


def has_hangul(text: str) -> bool:
    """True when ``text`` holds at least one Hangul letter (syllable or jamo)."""
    return LETTER_RE.search(text) is not None


def is_syllable(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"
