"""Which pages the Korean model hands on to kor+eng (girok.ocr.plugin.mostly_latin)."""

import pytest

from girok.ocr.plugin import mostly_latin


@pytest.mark.parametrize("text", [
    "The LinnSequencer is a state-of-the-art composition and performance tool",
    "[16 52620460066[ 15 ㅎㅇ 0010 ㅁ 05110 20 ㅁ ㅁ 0 00110 10[ 타 16",  # kor's reading of an English page
])
def test_non_korean_readings_go_to_the_full_language_list(text):
    assert mostly_latin(text)


@pytest.mark.parametrize("text", [
    "전입신고서 접수번호 2016-동작-27901 성명 정예준 전화번호 010-1007-5420",
    "서초구는 AI 기반 민원 안내 서비스와 QR 코드 전자서식을 2023년부터 운영하고 있다.",
    "짧은 글",  # too short to judge: stays with kor
    "",
])
def test_korean_pages_stay_with_the_korean_model(text):
    assert not mostly_latin(text)


def test_doubtful_latin_counts_low_confidence_non_hangul_words():
    from girok.ocr.plugin import doubtful_latin

    words = [("서초구는", 91.0), ("41", 40.0), ("0)#", 30.0), ("2023년", 95.0), ("010-1234-5678", 60.0), ("AI", 90.0)]
    assert doubtful_latin(words) == 3  # 41, 0)#, the phone number read with low confidence


def test_mean_confidence_weights_by_length():
    from girok.ocr.plugin import mean_confidence

    assert mean_confidence([("가나다라", 90.0), ("a", 40.0)]) == 80.0
    assert mean_confidence([]) is None  # a blank page: nothing to judge, never flagged


def test_a_few_acronyms_in_a_korean_page_do_not_cost_a_second_reading():
    from girok.ocr.plugin import english_lines_likely

    korean = [("서초구는", 91.0)] * 200 + [("41", 40.0), ("0)#", 30.0), ("8l", 50.0)]
    assert not english_lines_likely(korean)
    mixed = [("서초구는", 91.0)] * 20 + [("8orn-digita1", 40.0), ("PDf", 50.0), ("wlth", 45.0), ("1ayer", 30.0)]
    assert english_lines_likely(mixed)
