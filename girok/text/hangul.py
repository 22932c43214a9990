"""One definition of Hangul for every module: character classes for regular expressions, and tests.

- ``SYLLABLES``: the 11,172 precomposed syllables 가-힣 (U+AC00-U+D7A3): what Korean text, names and
  OCR output are made of.
- ``LETTERS``: syllables plus the conjoining jamo (U+1100-U+11FF) and the compatibility jamo
  (U+3130-U+318F) that OCR and keyboards produce for a lone consonant or vowel (ㄱ, ㅏ).

Use them inside brackets: ``re.compile(f"[{SYLLABLES}]+")``; ``SYLLABLE_RE`` finds one syllable.
"""

from __future__ import annotations

import re

SYLLABLES = "\uac00-\ud7a3"
JAMO = "\u1100-\u11ff"
COMPAT_JAMO = "\u3130-\u318f"
LETTERS = SYLLABLES + JAMO + COMPAT_JAMO

SYLLABLE_RE = re.compile(f"[{SYLLABLES}]")
