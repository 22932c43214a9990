"""Curly quotes and middle dots restored next to Hangul (girok.ocr.punctuation)."""

import pytest

from girok.ocr.punctuation import korean_punctuation


@pytest.mark.parametrize("read, printed", [
    ("콘텐츠 '플랫폼'을 구축", "콘텐츠 ‘플랫폼’을 구축"),
    ("텐 츠 ' 플 랫 폼 ' 을", "텐 츠 ‘ 플 랫 폼 ’ 을"),
    ("구청장은 \"구민들과 함께\"라고", "구청장은 “구민들과 함께”라고"),
    ("민원ㆍ공모 홈페이지", "민원·공모 홈페이지"),
    ("확 대 : 운 영", "확 대·운 영"),
    ("민원:제안", "민원·제안"),
    ("연장-확대", "연장·확대"),
])
def test_korean_marks_are_restored(read, printed):
    assert korean_punctuation(read) == printed


@pytest.mark.parametrize("text", [
    "운영시간 09:00~18:00",
    "접수번호 2016-동작-27901 전화 010-1234-5678",
    "성명: 홍길동",
    "He said \"yes\" and it's done",
    "주민등록번호 870501-1******",
])
def test_other_marks_keep_their_reading(text):
    assert korean_punctuation(text) == text


def test_a_particle_after_a_spaced_quote_marks_it_closing():
    # the closing mark was read, the opening one lost: the particle tells which it is
    assert korean_punctuation("두 드 리 소 ' 를 2015년") == "두 드 리 소 ’ 를 2015년"
