"""girok.text.pii: resident registration numbers (주민등록번호) found and masked."""

from __future__ import annotations

import pytest

from girok.text.pii import find_rrns, mask_rrn


@pytest.mark.parametrize("text, masked", [
    ("870501-1196406", "870501-1******"),
    ("870501 - 1196406", "870501-1******"),
    ("870501 -1196406", "870501-1******"),
    ("870501- 1196406", "870501-1******"),
    ("870501–1196406", "870501-1******"),  # en dash
    ("870501—1196406", "870501-1******"),  # em dash
    ("870501−1196406", "870501-1******"),  # minus sign
    ("870501~1196406", "870501-1******"),
    ("020229-4123456", "020229-4******"),  # born 2002, gender digit 4
    ("991231-2000001", "991231-2******"),
])
def test_mask_rrn(text, masked):
    assert mask_rrn(text) == masked


def test_mask_rrn_in_a_form():
    text = ("성명: 홍길동\n주민등록번호: 870501 - 1196406\n"
            "배우자 주민등록번호 900101–2345678, 전화 010-1007-5420\n접수번호 2016-동작-27901 (2024-05-01)")
    assert mask_rrn(text) == (
        "성명: 홍길동\n주민등록번호: 870501-1******\n"
        "배우자 주민등록번호 900101-2******, 전화 010-1007-5420\n접수번호 2016-동작-27901 (2024-05-01)"
    )


@pytest.mark.parametrize("text", [
    "010-1007-5420",
    "02-2155-6114",
    "2024-05-01",
    "2024.05.01",
    "2016-동작-27901",
    "12345678901234",  # 14-digit run
    "87050111964061",  # 14 digits, starts like a birth date
    "8705011196406",  # 13 digits, no separator
    "870501-11964061",  # 8 digits after the hyphen
    "1870501-1196406",  # 7 digits before the hyphen
    "871301-1196406",  # month 13
    "870532-1196406",  # day 32
    "870501-9196406",  # gender digit 9
    "870501-0196406",  # gender digit 0
    "870501  -  1196406",  # too far apart to be one number
    "사업자등록번호 214-86-12345",
    "계좌 110-123-456789",
])
def test_not_an_rrn_is_left_alone(text):
    assert mask_rrn(text) == text
    assert find_rrns(text) == []


def test_mask_is_idempotent_and_hides_the_serial():
    once = mask_rrn("870501-1196406")
    assert mask_rrn(once) == once
    assert "196406" not in once
    assert find_rrns(once) == []


def test_find_rrns_normalizes_separators():
    text = "870501 - 1196406 및 900101–2345678, 전화 010-1007-5420"
    assert find_rrns(text) == ["870501-1196406", "900101-2345678"]


def test_find_rrns_empty():
    assert find_rrns("") == [] and mask_rrn("") == ""
