"""girok.text.pii: phone numbers and address details masked in what a search shows (issue 17, item 7)."""

from __future__ import annotations

import pytest

from girok.search.snippet import make_snippet
from girok.text.pii import mask_addresses, mask_contacts, mask_phones


@pytest.mark.parametrize("text, masked", [
    ("010-1234-5678", "010-****-****"),
    ("02-123-4567", "02-***-****"),
    ("0212345678", "02********"),
    ("01012345678", "010********"),
    ("전화 010 1234 5678", "전화 010 **** ****"),
    ("연락처:031.123.4567", "연락처:031.***.****"),
    ("(02)2155-6114", "(02)****-****"),
    ("070–1234–5678", "070–****–****"),  # an en dash
])
def test_mask_phones(text, masked):
    assert mask_phones(text) == masked


@pytest.mark.parametrize("text, masked", [
    ("서울특별시 서초구 서초대로 123, 101동 1203호", "서울특별시 서초구 서초대로 ***"),
    ("서울특별시 서초구 서초대로 123, 101동 1203호 (서초동)", "서울특별시 서초구 서초대로 *** (서초동)"),
    ("서초대로74길 10-3", "서초대로74길 ***"),
    ("반포대로 58길 7 지하 1층", "반포대로 58길 ***"),
    ("경기도 성남시 분당구 판교역로 235, 에이치스퀘어 N동 3층", "경기도 성남시 분당구 판교역로 ***"),
    ("서초동 1234-5번지", "서초동 ***"),
    ("서초구 서초동 1234-5, 302호", "서초구 서초동 ***"),
    ("래미안아파트 101동 1203호에 삽니다", "래미안아파트 ***에 삽니다"),
])
def test_mask_addresses_keeps_the_city_district_and_road(text, masked):
    assert mask_addresses(text) == masked


@pytest.mark.parametrize("text", [
    "접수번호 2024-서초-0001",
    "2016-동작-27901",
    "GR-2026-000001",
    "SC-2026-000007",
    "2024-05-01", "2024.05.01", "2024. 5. 1.", "20240501", "2024년 5월 1일",
    "동작구 사당1동 2024-05-01",
    "동작구 사당1동 2024년",
    "민원실로 2024-서초-0001",
    "앞으로 10일 이내",
    "사업자등록번호 214-86-12345",
    "계좌 110-123-456789",
    "접수번호 2024-0212-3456",
    "대표번호 1588-1234",  # a business's number, no person's
    "수수료 1,200원, 처리기간 3일",
    "870501-1******",
])
def test_numbers_that_are_no_phone_or_address_are_left_alone(text):
    assert mask_contacts(text) == text


def test_mask_contacts_masks_rrns_too_and_is_idempotent():
    text = "홍길동 870501-1196406 전화 010-1007-5420 서초대로 123, 101동 1203호 접수번호 2024-서초-0001"
    once = mask_contacts(text)
    assert once == "홍길동 870501-1****** 전화 010-****-**** 서초대로 *** 접수번호 2024-서초-0001"
    assert mask_contacts(once) == once


def test_snippets_mask_phones_and_addresses_but_not_the_stored_text():
    text = ("신청인 홍길동 전화 010-1234-5678 주소 서울특별시 서초구 서초대로 123, 101동 1203호 "
            + "안내문 " * 60 + "민원실 02-123-4567 서초동 1234-5번지 " + "안내 " * 60)
    first = make_snippet(text, ["홍길동"])
    assert first.startswith("신청인 [[홍길동]] 전화 010-****-**** 주소 서울특별시 서초구 서초대로 *** 안내문")
    later = make_snippet(text, ["민원실"])
    assert later.startswith("… ") and "[[민원실]] 02-***-**** 서초동 *** 안내" in later and later.endswith(" …")
    for snippet in (first, later, make_snippet(text, ["없는말"]), make_snippet(text, ["010-1234-5678"])):
        assert not any(d in snippet for d in ("5678", "4567", "1203", "1234")), snippet
