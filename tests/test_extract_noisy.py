"""More OCR noise seen on a generated corpus nobody tuned on (seed 7321): the reading is recovered, or left unknown."""

from __future__ import annotations

import datetime as dt

import pytest

from girok.metadata.extract import (
    DEFAULT_DOC_TYPES,
    LABEL,
    extract,
    filing_date,
    find_receipt_no,
    match_doc_type,
    parse_date,
)

TODAY = dt.date(2026, 1, 15)


@pytest.mark.parametrize("text, want", [
    ("2021년 6월'15일", dt.date(2021, 6, 15)),        # a speck between 월 and the day
    ("2021년 6월 ‘15일", dt.date(2021, 6, 15)),
    ("2024년. 3월, 5일", dt.date(2024, 3, 5)),
    ("2024년 ·3월 5일", dt.date(2024, 3, 5)),
    ("2024, 3. 5.", dt.date(2024, 3, 5)),              # one dot read as a comma
    ("2024. 3, 5.", dt.date(2024, 3, 5)),
    ("2024 . 03 , 05", dt.date(2024, 3, 5)),
])
def test_date_through_specks(text, want):
    assert parse_date(text, today=TODAY) == want


@pytest.mark.parametrize("text", [
    "2024, 3, 5",          # commas only: a list of numbers, not a date
    "2018년0월 14윌",       # a digit lost: no month 0, no date rather than a wrong one
    "2024년 3월'",
    "2024, 13. 5.",
])
def test_specks_make_no_date_out_of_non_dates(text):
    assert parse_date(text, today=TODAY) is None


def test_labelled_date_with_a_speck_is_the_filing_date():
    text = "생년월일 1989. 9. 7.\n신청일            2021년 6월'15일\n위와 같이 신고합니다."
    assert filing_date(text, today=TODAY) == (dt.date(2021, 6, 15), LABEL)


@pytest.mark.parametrize("text, want", [
    ("접수번호 2021-서초-《68838", "2021-서초-68838"),
    ("접수번호 2021-서초》-68838", "2021-서초-68838"),
    ("접수번호 2021 -「서초」- 68838", "2021-서초-68838"),
    ("접수번호 2021-'서초-68838", "2021-서초-68838"),
])
def test_receipt_no_through_bracket_specks(text, want):
    assert find_receipt_no(text) == (want, LABEL)


@pytest.mark.parametrize("text", [
    "접수번호 2021-서초 느0 7925",   # a letter where the hyphen was: still no guess
    "접수번호 《2021》",              # one number is no receipt code
    "접수번호 2021-서초-6《8838",    # a speck inside a number is not beside a hyphen
])
def test_receipt_no_specks_never_make_a_value_up(text):
    assert find_receipt_no(text) is None


@pytest.mark.parametrize("title, want", [
    ("주민등록표 등본 교\n부 신청서", "주민등록표 등본 교부 신청서"),   # a long title wrapped by OCR
    ("즈ㅁ1.드  그 드   년\n주민등록표 등본 교\n부 신청서", "주민등록표 등본 교부 신청서"),
    ("통신판매업\n신고서", "통신판매업 신고서"),
    ("건축허가\n신청서", "건축허가신청서"),
])
def test_title_wrapped_onto_two_lines(title, want):
    page = f"{title}\n접수번호 2024-서초-45647\n신청일"
    assert match_doc_type(page, DEFAULT_DOC_TYPES) == (want, LABEL)


@pytest.mark.parametrize("title", [
    "주민등록표 등본\n발급 안내",   # joined it names no type
    "영업\n신고서",                 # between two types
    "위임칭",                       # one letter off a three-letter type: 위원장 would read as one too
])
def test_wrapped_lines_name_no_type_unless_they_do(title):
    page = f"{title}\n접수번호 2024-서초-45647\n신청일"
    assert match_doc_type(page, DEFAULT_DOC_TYPES) is None


def test_extract_wrapped_title_and_specks_together():
    page = ("주민등록표 등본 교\n부 신청서\n접수번호 2024-서초-《45647\n성명 박서연\n"
            "신청일 2024년 4월'24일\n신청인 박서연 (서명 또는 인)\n서초구청장 귀하")
    md = extract([page], DEFAULT_DOC_TYPES, today=TODAY)
    assert (md.doc_type, md.date, md.receipt_no, md.applicant, md.office) == (
        "주민등록표 등본 교부 신청서", dt.date(2024, 4, 24), "2024-서초-45647", "박서연", "서초구")


@pytest.mark.parametrize("text, want", [
    ("2024 3월 5일", dt.date(2024, 3, 5)),          # 년 lost, 월 and 일 kept
    ("2024  03월 05일", dt.date(2024, 3, 5)),
    ("신청일 2021 6월'15일", dt.date(2021, 6, 15)),
])
def test_date_without_its_year_mark(text, want):
    assert parse_date(text, today=TODAY) == want


@pytest.mark.parametrize("text", [
    "2024 3월 5",         # without 년 both other anchors must be there
    "2024 3 5일",
    "2024명 3월 5일",      # another word is no 년
    "12024 3월 5일",
])
def test_no_date_without_enough_anchors(text):
    assert parse_date(text, today=TODAY) is None
