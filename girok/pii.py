"""Personal data in text: 주민등록번호 (resident registration numbers).

An RRN is YYMMDD-GNNNNNN. OCR adds noise (spaces around the hyphen, a
long dash). ``mask_rrn`` keeps the birth date and the gender digit and
masks the rest (``YYMMDD-G******``), the form the law allows to show.
"""

from __future__ import annotations

import re

# 6 digits (a plausible date), a hyphen-like mark with optional spaces, 7 digits.
RRN_RE = re.compile(
    r"(?<!\d)(\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))\s?[-‐‑–—−~]\s?([1-8])(\d{6})(?!\d)"
)


def mask_rrn(text: str) -> str:
    return RRN_RE.sub(lambda m: f"{m.group(1)}-{m.group(2)}******", text)


def find_rrns(text: str) -> list[str]:
    return [f"{m.group(1)}-{m.group(2)}{m.group(3)}" for m in RRN_RE.finditer(text)]
