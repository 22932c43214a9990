"""Undo the usual OCR noise in Korean form text before looking for numbers.

Pure string functions, shared by ``girok.text.pii`` and ``girok.metadata.extract``:

- ``fold_width``: full-width ASCII (``２０２４－０３－０５``) to ASCII, the
  ideographic space and no-break space to a space, every dash-like mark to
  ``-``; then NFC. Not NFKC: that would also turn Hangul compatibility jamo
  (``ㅣ``) into conjoining jamo and change the text a reader sees.
- ``fix_digits``: inside a run that already holds a digit, read the
  letters OCR confuses with digits as digits: ``O``/``o``/``ㅇ`` -> 0
  anywhere in the run, ``l``/``I``/``|``/``ㅣ`` -> 1 only between two digits
  (a table rule ``|`` next to a number is not a 1). A run that touches a
  Latin letter is left alone, so words (``Seoul``, ``html``) never change.
- ``normalize``: both, in that order.
"""

from __future__ import annotations

import re
import unicodedata

_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}  # ！..～ -> !..~
_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2007: 0x20, 0x202F: 0x20})
# hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus, small/full-width hyphen-minus
_WIDTH.update({cp: ord("-") for cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63, 0xFF0D)})

ZERO_LIKE = "OoㅇᄋＯ"
ONE_LIKE = "lI|ㅣᅵ"
DIGIT_LOOKALIKES = {**{c: "0" for c in ZERO_LIKE}, **{c: "1" for c in ONE_LIKE}}
LOOKALIKE_CLASS = "".join(re.escape(c) for c in DIGIT_LOOKALIKES)  # for a regex character class
_RUN = re.compile(rf"(?<![A-Za-z])[0-9{LOOKALIKE_CLASS}]*[0-9][0-9{LOOKALIKE_CLASS}]*(?![A-Za-z])")
_ZERO = str.maketrans({c: "0" for c in ZERO_LIKE})
_ONE_INSIDE = re.compile(rf"(?<=[0-9])[{re.escape(ONE_LIKE)}]+(?=[0-9])")


def _fix_run(m: re.Match) -> str:
    run = m.group(0).translate(_ZERO)
    return _ONE_INSIDE.sub(lambda x: "1" * len(x.group(0)), run)


def fold_width(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(_WIDTH))


def fix_digits(text: str) -> str:
    return _RUN.sub(_fix_run, text)


def digits_only(text: str) -> str:
    """Every digit of ``text`` after reading all look-alikes as digits (for numbers of known length)."""
    return "".join(c for c in text.translate(str.maketrans(DIGIT_LOOKALIKES)) if c.isascii() and c.isdigit())


def normalize(text: str) -> str:
    return fix_digits(fold_width(text))
