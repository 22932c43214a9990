"""girok.metadata.extract: metadata from a form's OCR text, clean and with the noise tesseract adds."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from girok.metadata.extract import (DEFAULT_DOC_TYPES, LABEL, HEURISTIC, Metadata, extract, filing_date, find_applicant,
                                  find_dates, find_office, find_phones, find_receipt_no, match_doc_type, merge,
                                  parse_date)
from girok.text.normalize import fix_digits, fold_width

TYPES = DEFAULT_DOC_TYPES
TODAY = dt.date(2026, 1, 15)

FORM = """전입신고서
접수번호 2016-동작-27901
성명 정예준
주민등록번호 870501-1196406
주소 서울특별시 동작구 사당동 808-28
전화번호 010-1007-5420
신청일 2016년 7월 14일
위와 같이 전입신고를 하오니 처리하여 주시기 바랍니다.
신청인 정예준 (서명 또는 인)
동작구청장 귀하"""

# tesseract's reading of a degraded scan of the same kind of form (the dev corpus, form-11-04)
NOISY_FORM = """히드   위생 영업신고   서

접수번호 2021-서초 - O7925

성 명                       김서연

주민등록번호              680617 - 1O96670

주소                        서울특별시 서초구 잠원동 742-5
전화번호                      O10-1763-3887

신챙일                    2021년 8월 8일

위와 같이 식품위생 영업신고를 하오니 처리하여 주시기 바랍니다.

신청인 김서연 (서명 또는 인)

서초 구청장  귀하
"""


# --- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("2024년 3월 5일", dt.date(2024, 3, 5)),
    ("2024년3월5일", dt.date(2024, 3, 5)),
    ("2024 년 3 월 5 일", dt.date(2024, 3, 5)),
    ("2024년 03월 05일", dt.date(2024, 3, 5)),
    ("2024. 3. 5.", dt.date(2024, 3, 5)),
    ("2024.3.5", dt.date(2024, 3, 5)),
    ("2024.03.05", dt.date(2024, 3, 5)),
    ("2024 . 03 . 05", dt.date(2024, 3, 5)),
    ("2024-03-05", dt.date(2024, 3, 5)),
    ("2024 - 03 - 05", dt.date(2024, 3, 5)),
    ("2024/03/05", dt.date(2024, 3, 5)),
    ("24.03.05", dt.date(2024, 3, 5)),
    ("24. 3. 5.", dt.date(2024, 3, 5)),
    ("99.12.31", dt.date(1999, 12, 31)),          # two-digit year in the future -> last century
    # OCR noise
    ("2O24년 3월 5일", dt.date(2024, 3, 5)),       # O for 0
    ("2024넌 3윌 5일", dt.date(2024, 3, 5)),       # 년/월 misread
    ("2024년 3월 5", dt.date(2024, 3, 5)),         # 일 lost
    ("２０２４年".replace("年", "년") + " ３월 ５일", dt.date(2024, 3, 5)),  # full-width digits
    ("２０２４－０３－０５", dt.date(2024, 3, 5)),
    ("2024.O3.O5", dt.date(2024, 3, 5)),
    ("2Oㅣ6. 7. 14.", dt.date(2016, 7, 14)),      # O and ㅣ inside the year
    ("2024–03–05", dt.date(2024, 3, 5)),           # en dashes
])
def test_parse_date(text, want):
    assert parse_date(text, today=TODAY) == want


@pytest.mark.parametrize("text", [
    "2024년 13월 5일", "2024.02.30", "2024-00-10", "870501-1196406", "010-1007-5420",
    "2016-동작-27901", "1.2.3", "v1.2.3.4", "3.14", "12.345.678", "2099년 1월 1일", "",
])
def test_not_a_date(text):
    assert parse_date(text, today=TODAY) is None


def test_find_dates_in_order_without_overlaps():
    text = "생년월일 1987. 5. 1.\n신청일 2024년 3월 5일\n(처리 2024-03-08)"
    assert [d.date for d in find_dates(text, today=TODAY)] == [
        dt.date(1987, 5, 1), dt.date(2024, 3, 5), dt.date(2024, 3, 8)]


@pytest.mark.parametrize("label", ["신청일", "신고일", "작성일", "신청일자", "신 청 일", "신챙일", "신고 일"])
def test_labelled_filing_date_wins_over_other_dates(label):
    text = f"전입일 2024. 2. 28.\n{label} 2024년 3월 5일\n생년월일 1987. 5. 1.\n처리 완료 2024-04-01"
    assert filing_date(text, today=TODAY) == (dt.date(2024, 3, 5), LABEL)


def test_labelled_date_on_the_next_line():
    # a table row OCRed as label line + value line
    assert filing_date("신청일\n2024. 3. 5.\n발급 2025. 1. 1.", today=TODAY) == (dt.date(2024, 3, 5), LABEL)


def test_unlabelled_date_is_the_last_one_not_a_birth_date():
    text = "접수 안내 2024. 1. 2.\n생년월일 1987. 5. 1.\n\n  2024년 3월 5일\n신청인 홍길동 (서명 또는 인)"
    assert filing_date(text, today=TODAY) == (dt.date(2024, 3, 5), HEURISTIC)
    assert filing_date("생년월일 1987. 5. 1.", today=TODAY) is None


def test_no_date():
    assert filing_date("날짜가 없는 문서", today=TODAY) is None


# --- receipt number, applicant, office, phones -------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("접수번호 2016-동작-27901", "2016-동작-27901"),
    ("접수번호: 2016-동작-27901", "2016-동작-27901"),
    ("접 수 번 호 2016 - 동작 - 27901", "2016-동작-27901"),
    ("접수번호 2O16-동작-279O1", "2016-동작-27901"),
    ("접수번효 2016-동작-27901", "2016-동작-27901"),        # one letter of the label misread
    ("접수번호    2016-동작-27901          %", "2016-동작-27901"),  # junk after the number
    ("접수번호 제2024-123호", "2024-123"),
    ("접수번호\n2024-0012345", "2024-0012345"),            # value on the next line
    ("* 접수번호 2016-동작-27901", "2016-동작-27901"),      # junk before the label
    ("접수번호 2016-동작-27901  신청일 2016. 7. 14.", "2016-동작-27901"),
    ("접 수 번호 2020- 동 작 -09621", "2020-동작-09621"),   # kor+eng OCR: spaces inside every word
    ("접 수 번호 2015- 서 초 -83386 t", "2015-서초-83386"),  # and a speck read as a letter
    ("접 수 번호 2020- 서 초 -8 7593", "2020-서초-87593"),
])
def test_receipt_no(text, want):
    assert find_receipt_no(text) == (want, LABEL)


@pytest.mark.parametrize("text", [
    "접수번호",                          # left empty on the form
    "접수번호 2021-서초 느0 7925",       # broken by OCR: no value rather than a wrong one
    "접수번호 (담당자 기재)",
    "2016-동작-27901",                   # no label
    "접수번호 870501-1196406",           # an RRN in the wrong cell is no receipt number
])
def test_no_receipt_no(text):
    assert find_receipt_no(text) is None


@pytest.mark.parametrize("text, want", [
    ("성명 정예준", "정예준"),
    ("성명: 정예준", "정예준"),
    ("성 명                  정예준", "정예준"),
    ("성명 정 예 준", "정예준"),
    ("성명 남궁민수 (한자 南宮民秀)", "남궁민수"),
    ("성명 정예준  주민등록번호 870501-1196406", "정예준"),
    ("신청인 정예준 (서명 또는 인)", "정예준"),
    ("선청인 정예준 (서명 또는 인)", "정예준"),          # label misread
    ("신고인 정예준 (서명 또는 인)", "정예준"),
    ("신청인 정예준 (인)", "정예준"),
    ("위임인 정예준", "정예준"),
    # OCR (kor+eng) splits names: joined back
    ("성명 황 서연", "황서연"),
    ("신청인 황 서연 (서명 또는 인)", "황서연"),
    ("신청인 정예 준 (서명 또는 인)", "정예준"),
    ("성명 황 서연 서울특별시 동작구", "황서연"),
    ("신청인 김지훈 인", "김지훈"),                   # the seal mark without its parentheses
    ("신청인 김지훈 외 2명", "김지훈"),
])
def test_applicant(text, want):
    assert find_applicant(text) == (want, LABEL)


@pytest.mark.parametrize("text", [
    "성명", "성명서를 제출합니다", "신청인            (서명 또는 인)", "성명 Kim", "신청서 정예준",
    "성명 흥하은\n신청인 흥하은 (서명 또는 인)",   # no Korean surname: a misreading, not a name
    "성명 김",
])
def test_no_applicant(text):
    warnings: list[str] = []
    assert find_applicant(text, warnings=warnings) is None
    assert ("흥하은" in text) == any("surname" in w for w in warnings)


def test_applicant_sources_disagree():
    warnings: list[str] = []
    # a surname decides: 흥 is none, 홍 is one
    assert find_applicant("성명 홍하은\n신청인 흥하은 (서명 또는 인)", warnings=warnings) == ("홍하은", LABEL)
    assert any("흥하은" in w for w in warnings)
    # both plausible: the signature line (running text) wins
    assert find_applicant("성명 황수야\n신청인 황수아 (서명 또는 인)") == ("황수아", LABEL)


@pytest.mark.parametrize("line, want", [
    ("동작구청장 귀하", "동작구"),
    ("서초구청장 귀하", "서초구"),
    ("동작구청장귀하", "동작구"),
    ("동작 구청장 귀하", "동작구"),
    ("동 작 구 청 장 귀 하", "동작구"),
    ("서울특별시 동작구청장 귀하", "동작구"),
    ("서울특별시장 귀하", "서울특별시"),
    ("수원시장 귀하", "수원시"),
    ("사당1동장 귀하", "사당1동"),
    ("양평군수 귀하", "양평군"),
    ("경기도지사 귀하", "경기도"),
    ("서초세무서장 귀하", "서초세무서"),
    ("경찰청장 귀하", "경찰청"),
    ("동작구청장 , 귀하", "동작구"),
])
def test_office(line, want):
    assert find_office(f"위와 같이 신청합니다.\n{line}") == (want, LABEL)


@pytest.mark.parametrize("line", [
    "서추 추.  구청장  귀하",      # OCR lost the name: nothing rather than a wrong office
    "서조규청장,귀하",              # 규 is no 구: not an office name
    "귀하의 민원을 처리했습니다",
    "구청장 귀하",
])
def test_no_office(line):
    assert find_office(line) is None


def test_office_corrected_to_a_known_one():
    assert find_office("서조구청장 귀하", ["서초구", "동작구"]) == ("서초구", LABEL)
    assert find_office("서조규청장 귀하", ["서초구", "동작구"]) is None  # two letters off: no
    assert find_office("중구청장 귀하", ["서구"]) == ("중구", LABEL)   # short names must match exactly


@pytest.mark.parametrize("text, want", [
    ("전화번호 010-1007-5420", ["010-1007-5420"]),
    ("전화번호 010 - 1007 - 5420", ["010-1007-5420"]),
    ("전화번호 O1O-1OO7-542O", ["010-1007-5420"]),
    ("휴대전화 010.1007.5420", ["010-1007-5420"]),
    ("휴대전화 010 1007 5420", ["010-1007-5420"]),
    ("휴대전화 01010075420", ["010-1007-5420"]),
    ("(02)2155-6114", ["02-2155-6114"]),
    ("문의 02-820-1234, 031-123-4567", ["02-820-1234", "031-123-4567"]),
    ("대표번호 1588-1234", ["1588-1234"]),
    ("０１０－１００７－５４２０", ["010-1007-5420"]),
    ("010-1007-5420 / 010-1007-5420", ["010-1007-5420"]),
])
def test_phones(text, want):
    assert find_phones(text) == want


@pytest.mark.parametrize("text", [
    "870501-1196406", "2024-03-05", "2016-동작-27901", "계좌 110-123-456789", "214-86-12345",
    "2024.03.05", "12345678901",
])
def test_not_a_phone(text):
    assert find_phones(text) == []


# --- document type -------------------------------------------------------------------------------

@pytest.mark.parametrize("title, want", [
    ("전입신고서", "전입신고서"),
    ("혼인신고서", "혼인신고서"),
    ("위임장", "위임장"),
    ("건축허가신청서", "건축허가신청서"),
    ("식품위생 영업신고서", "식품위생 영업신고서"),
    ("통신판매업 신고서", "통신판매업 신고서"),
    ("주민등록표 등본 교부 신청서", "주민등록표 등본 교부 신청서"),
    # OCR noise
    ("전 입 신 고 서", "전입신고서"),
    ("혼인실고서", "혼인신고서"),
    ("히드   위생 영업신고   서", "식품위생 영업신고서"),
    ("주민등록표등본교부신청서", "주민등록표 등본 교부 신청서"),
    ("통신판매업 신고서  ㅁ ㅎ", "통신판매업 신고서"),       # junk from a QR code beside the title
    ("[전입신고서]", "전입신고서"),
    ("건축허가신청셔", "건축허가신청서"),
])
def test_doc_type_from_title(title, want):
    page = f"{title}\n접수번호 2024-동작-00001\n성명 홍길동"
    assert match_doc_type(page, TYPES) == (want, LABEL)


@pytest.mark.parametrize("title", [
    "신고서",             # names no type
    "전잎신고시",         # two letters off a five-letter type: too far
    "위임잠",             # one letter off a three-letter type: too far
    "영업신고서",         # between two types
    "사업자등록 신청서",  # a form girok does not know
    "출생신고서",
])
def test_unknown_title_stays_unknown(title):
    page = f"{title}\n접수번호 2024-동작-00001\n성명 홍길동"
    assert match_doc_type(page, TYPES) is None


def test_body_sentence_names_the_type_when_the_title_is_lost():
    page = "접수번호 2015-서초-83386\n성명 황수아\n위와 같이 통신판매업 신고를 하오니 처리하여 주시기 바랍니다."
    assert match_doc_type(page, TYPES) == ("통신판매업 신고서", HEURISTIC)


def test_title_and_body_disagree_leaves_it_unknown():
    warnings: list[str] = []
    page = "전입신고서\n위와 같이 혼인신고를 하오니 처리하여 주시기 바랍니다."
    assert match_doc_type(page, TYPES, warnings=warnings) is None
    assert warnings


@pytest.mark.parametrize("text", [
    # articles that talk about the forms: never a type
    "서초구, 디지털 민원실 운영\n구의 '디지털 민원실'에서는 식품위생 영업신고, 통신판매업 등 총 186종의\n민원을 QR코드로 신청할 수 있다.",
    "전입신고서 작성 요령 안내\n전입신고는 이사 후 14일 이내에 해야 한다.",
    "민원편의 증진을 위해\n혼인신고서와 위임장을 한 번에 받는다",
    "",
])
def test_non_forms_stay_unknown(text):
    assert match_doc_type(text, TYPES) is None
    assert extract([text], TYPES).doc_type is None


def test_no_known_types_no_type():
    assert match_doc_type("전입신고서", []) is None


def test_office_types_are_used_as_written():
    assert match_doc_type("여권발급신청서\n접수번호 1", ["여권 발급 신청서"]) == ("여권 발급 신청서", LABEL)


# --- the whole form -------------------------------------------------------------------------------

def test_extract_clean_form():
    md = extract([FORM], TYPES, today=TODAY)
    assert md.doc_type == "전입신고서" and md.title == "전입신고서"
    assert md.date == dt.date(2016, 7, 14)
    assert md.receipt_no == "2016-동작-27901"
    assert md.applicant == "정예준"
    assert md.office == "동작구"
    assert md.phones == ["010-1007-5420"]
    assert md.rrns == ["870501-1196406"]
    assert md.sources == {"doc_type": LABEL, "title": LABEL, "date": LABEL, "receipt_no": LABEL,
                          "applicant": LABEL, "office": LABEL, "phones": HEURISTIC, "rrns": HEURISTIC}
    assert md.warnings == []


def test_extract_noisy_form():
    md = extract([NOISY_FORM], TYPES, today=TODAY)
    assert md.doc_type == "식품위생 영업신고서"
    assert md.date == dt.date(2021, 8, 8)
    assert md.receipt_no == "2021-서초-07925"
    assert md.applicant == "김서연"
    assert md.office == "서초구"
    assert md.phones == ["010-1763-3887"]
    assert md.rrns == ["680617-1096670"]


def test_extract_reads_every_page_but_takes_the_type_from_the_first():
    md = extract(["", "혼인신고서\n접수번호 2017-동작-57925", "신청일 2017. 6. 22."], TYPES, today=TODAY)
    assert (md.doc_type, md.receipt_no, md.date) == ("혼인신고서", "2017-동작-57925", dt.date(2017, 6, 22))


def test_extract_empty():
    md = extract([], TYPES)
    assert md == Metadata()


def test_title_of_an_unknown_document_is_its_first_line():
    md = extract(["\n  민원 처리 결과 안내  \n본문"], TYPES)
    assert md.doc_type is None and md.title == "민원 처리 결과 안내" and md.sources["title"] == HEURISTIC


def test_to_dict_masks_rrns_and_is_json():
    md = extract([FORM], TYPES, today=TODAY)
    d = md.to_dict()
    text = json.dumps(d, ensure_ascii=False)
    assert "1196406" not in text and d["rrn_masked"] == ["870501-1******"]
    assert d["date"] == "2016-07-14" and d["doc_type"] == "전입신고서" and d["phones"] == ["010-1007-5420"]


def test_to_dict_masks_an_rrn_wherever_it_slipped_in():
    md = Metadata(receipt_no="870501-1196406", applicant="870501-1196406", title="870501 - 1196406",
                  warnings=["applicant: 성명 reads 870501-1196406"], qr='{"rrn": "870501-1196406"}')
    assert "1196406" not in json.dumps(md.to_dict(), ensure_ascii=False)


def test_merge_first_wins_and_keeps_sources():
    qr = Metadata(doc_type="혼인신고서", applicant="홍하은", qr="{}", sources={"doc_type": "qr", "applicant": "qr"})
    ocr = extract([FORM], TYPES, today=TODAY)
    m = merge(qr, ocr)
    assert m.doc_type == "혼인신고서" and m.sources["doc_type"] == "qr"
    assert m.applicant == "홍하은" and m.sources["applicant"] == "qr"
    assert m.receipt_no == "2016-동작-27901" and m.sources["receipt_no"] == LABEL
    assert m.rrns == ["870501-1196406"] and m.qr == "{}"
    assert any(w.startswith("doc_type:") for w in m.warnings)   # they disagree: say so
    assert ocr.doc_type == "전입신고서"                           # inputs untouched


# --- text normalization -----------------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("２０２４．０３．０５", "2024.03.05"),
    ("Ｏ１Ｏ", "010"),
    ("2O16-동작-279O1", "2016-동작-27901"),
    ("2ㅣ0ㅣ6", "21016"),
    ("|2024|", "|2024|"),          # a table rule beside a number stays a rule
    ("Seoul 2024 html", "Seoul 2024 html"),
    ("Oil 10", "Oil 10"),
    ("ㅣ이", "ㅣ이"),
])
def test_fix_digits(text, want):
    assert fix_digits(fold_width(text)) == want
