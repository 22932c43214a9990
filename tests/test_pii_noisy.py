"""girok.text.pii: RRNs found and masked through OCR noise (look-alike letters, full width, split digit groups)."""

from __future__ import annotations

import pytest

from girok.text.pii import find_rrns, mask_rrn


@pytest.mark.parametrize("text, found, masked", [
    ("87O5O1-1196406", "870501-1196406", "870501-1******"),         # O for 0
    ("870501-ㅣ196406", "870501-1196406", "870501-1******"),        # ㅣ for the gender digit
    ("870501-l196406", "870501-1196406", "870501-1******"),         # l for 1
    ("870501-I196406", "870501-1196406", "870501-1******"),
    ("８７０５０１－１１９６４０６", "870501-1196406", "870501-1******"),  # full width
    ("870501 -1 196406", "870501-1196406", "870501-1******"),       # a space inside the serial
    ("8705 01-1196406", "870501-1196406", "870501-1******"),        # a space inside the birth date
    ("|870501-1196406|", "870501-1196406", "|870501-1******|"),     # table rules around it
    ("870501 — 2196406", "870501-2196406", "870501-2******"),
])
def test_noisy_rrn_found_and_masked(text, found, masked):
    assert find_rrns(text) == [found]
    assert mask_rrn(text) == masked


def test_noisy_rrn_in_a_form_line():
    line = "주민등록번호              680617 - 1O96670     주소 서울"
    assert mask_rrn(line) == "주민등록번호              680617-1******     주소 서울"
    assert "1O96670" not in mask_rrn(line) and "096670" not in mask_rrn(line)


@pytest.mark.parametrize("text", [
    "OOOOOO-OOOOOOO",          # look-alikes only
    "87O5OI-lIlIlIl",           # too few real digits
    "Seoul870501-1196406",      # glued to a word
    "870501-1196406x",
    "871301-1196406",           # month 13, even with noise
    "87O532-1196406",           # day 32
    "2024-03-05",
    "010-1007-5420",
])
def test_noise_does_not_make_numbers_rrns(text):
    assert find_rrns(text) == []
    assert mask_rrn(text) == text
