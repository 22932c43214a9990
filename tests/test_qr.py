"""girok.metadata.qr: QR e-form payloads, separator sheets (GIROK-SEPARATOR QR, PATCHT barcode, Kodak PATCH-T bars)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageSequence

from girok.metadata.extract import DEFAULT_DOC_TYPES, extract, merge
from girok.metadata.qr import (GIROK_SEPARATOR, PATCH_T, document_metadata, eform_metadata, find_patch_code,
                             is_separator, parse_eform, read_codes, separator_kind)
from helpers_pages import blank_page, code_image, korean_page, noisy, patch_sheet, with_code

PAYLOAD = {"form": "전입신고서", "receipt_no": "2016-동작-27901", "applicant": "정예준", "date": "2016-07-14",
           "office": "동작구"}
FORM_LINES = ["전입신고서", "접수번호 2016-동작-27901", "성명 정예증", "주민등록번호 870501-1196406",
              "전화번호 010-1007-5420", "신청일 2016년 7월 14일", "신청인 정예증 (서명 또는 인)", "동작구청장 귀하"]


def eform_page(payload: dict | str, *, rotate: int = 0, dpi: int = 150) -> Image.Image:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    page = with_code(korean_page(FORM_LINES, dpi), code_image(text, scale=3), (6.2, 0.4))
    if rotate:
        page = page.rotate(rotate, expand=True, fillcolor=255)
    return page


# --- reading codes ----------------------------------------------------------------------------

@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_read_eform_qr_on_a_page_any_orientation(rotate):
    codes = read_codes(eform_page(PAYLOAD, rotate=rotate))
    assert len(codes) == 1
    assert codes[0].format == "QRCode"
    assert json.loads(codes[0].text) == PAYLOAD
    assert codes[0].raw.decode("utf-8") == codes[0].text


def test_read_codes_on_grainy_rgb_scan():
    page = noisy(eform_page(PAYLOAD), sigma=10).convert("RGB")
    assert [json.loads(c.text) for c in read_codes(page)] == [PAYLOAD]


def test_read_codes_finds_nothing_on_text():
    assert read_codes(korean_page(FORM_LINES)) == []
    assert read_codes(blank_page()) == []


def test_read_codes_other_symbologies():
    page = with_code(blank_page(), code_image("A-123", zxingcpp.BarcodeFormat.Code128, scale=3), (1, 1))
    page = with_code(page, code_image("DM 1", zxingcpp.BarcodeFormat.DataMatrix, scale=6), (1, 4))
    assert sorted((c.format, c.text) for c in read_codes(page)) == [("Code128", "A-123"), ("DataMatrix", "DM 1")]


# --- e-form payloads ------------------------------------------------------------------------

def test_parse_eform_fills_metadata_and_keeps_the_payload_verbatim():
    text = json.dumps(PAYLOAD, ensure_ascii=False)
    md = parse_eform(text, DEFAULT_DOC_TYPES)
    assert (md.doc_type, md.receipt_no, md.applicant, md.date, md.office) == (
        "전입신고서", "2016-동작-27901", "정예준", dt.date(2016, 7, 14), "동작구")
    assert md.qr == text
    assert md.title == "전입신고서"
    assert set(md.sources.values()) == {"qr"}
    assert set(md.sources) == {"doc_type", "receipt_no", "applicant", "date", "office", "title"}


def test_parse_eform_spells_a_known_type_as_configured():
    md = parse_eform(json.dumps({"form": "식품위생영업신고서", "receipt_no": "1"}), DEFAULT_DOC_TYPES)
    assert md.doc_type == "식품위생 영업신고서"
    # an e-form the archive does not list is still what the QR code declares
    assert parse_eform(json.dumps({"form": "여권발급신청서"}), DEFAULT_DOC_TYPES).doc_type == "여권발급신청서"


@pytest.mark.parametrize("date, want", [
    ("2016-07-14", dt.date(2016, 7, 14)), ("2016.07.14", dt.date(2016, 7, 14)),
    ("2016년 7월 14일", dt.date(2016, 7, 14)), ("20160714", None), ("soon", None),
])
def test_parse_eform_dates(date, want):
    md = parse_eform(json.dumps({"form": "위임장", "date": date}))
    assert md.date == want
    assert bool(md.warnings) == (want is None)


def test_parse_eform_phones_and_rrns():
    md = parse_eform(json.dumps({"form": "위임장", "phone": "010-1007-5420", "rrn": "870501-1196406"}))
    assert md.phones == ["010-1007-5420"] and md.rrns == ["870501-1196406"]
    assert "1196406" in md.qr                                   # verbatim on the Metadata ...
    d = md.to_dict()
    assert "1196406" not in json.dumps(d, ensure_ascii=False)  # ... masked everywhere in what is stored
    assert d["rrn_masked"] == ["870501-1******"] and "870501-1******" in d["qr"]


@pytest.mark.parametrize("payload", [
    "GIROK-SEPARATOR", "https://www.seocho.go.kr/", "[1, 2]", '"전입신고서"', "{}", '{"name": "x"}', "{broken",
])
def test_not_an_eform(payload):
    assert parse_eform(payload) is None


def test_qr_wins_over_ocr():
    page = eform_page(PAYLOAD)
    qr_md = eform_metadata(read_codes(page), DEFAULT_DOC_TYPES)
    ocr_md = extract(["\n".join(FORM_LINES)], DEFAULT_DOC_TYPES)
    assert ocr_md.applicant == "정예증"                     # misread on paper
    md = merge(qr_md, ocr_md)
    assert md.applicant == "정예준" and md.sources["applicant"] == "qr"
    assert md.receipt_no == "2016-동작-27901" and md.sources["receipt_no"] == "qr"
    assert md.rrns == ["870501-1196406"] and md.sources["rrns"] == "heuristic"   # only on paper
    assert md.qr == json.dumps(PAYLOAD, ensure_ascii=False)
    assert any(w.startswith("applicant:") for w in md.warnings)


def test_document_metadata_qr_over_text():
    page = eform_page(PAYLOAD)
    text = ["\n".join(FORM_LINES)]
    md = document_metadata(text, page, DEFAULT_DOC_TYPES)
    assert md.applicant == "정예준" and md.sources["applicant"] == "qr" and md.qr
    assert document_metadata(text, page, DEFAULT_DOC_TYPES, codes=[]).applicant == "정예증"  # no code given: text only
    plain = document_metadata(text, korean_page(FORM_LINES), DEFAULT_DOC_TYPES)
    assert plain.qr is None and plain.applicant == "정예증" and plain.sources["applicant"] == "label"
    assert document_metadata(text).doc_type is None          # no known types given: no type
    assert document_metadata(text, None, DEFAULT_DOC_TYPES).doc_type == "전입신고서"


def test_eform_metadata_skips_codes_that_are_not_eforms():
    page = with_code(eform_page(PAYLOAD), code_image("https://example.org/", scale=3), (0.5, 9))
    md = eform_metadata(read_codes(page))
    assert md is not None and md.receipt_no == "2016-동작-27901"
    assert eform_metadata([]) is None


# --- separator sheets ------------------------------------------------------------------------

def separator_page(text: str = "GIROK-SEPARATOR", fmt=zxingcpp.BarcodeFormat.QRCode, scale: int = 6) -> Image.Image:
    return with_code(blank_page(), code_image(text, fmt, scale=scale), (3.2, 4.5))


def test_girok_separator_qr():
    page = separator_page()
    assert separator_kind(page) == GIROK_SEPARATOR
    assert is_separator(page)
    assert is_separator(page.rotate(90, expand=True)) and is_separator(noisy(page, sigma=8))


@pytest.mark.parametrize("text, fmt", [
    ("PATCHT", zxingcpp.BarcodeFormat.Code128), ("PATCHT", zxingcpp.BarcodeFormat.Code39),
    ("PATCH-T", zxingcpp.BarcodeFormat.Code128), ("PATCHT", zxingcpp.BarcodeFormat.QRCode),
])
def test_patcht_barcode_sheet(text, fmt):
    assert separator_kind(separator_page(text, fmt, scale=3)) == PATCH_T


@pytest.mark.parametrize("rotate", [0, 90])
def test_kodak_patch_t_bars(rotate):
    page = patch_sheet("NWNW", rotate=rotate)
    assert find_patch_code(page) == "T"
    assert separator_kind(page) == PATCH_T


@pytest.mark.parametrize("dpi", [100, 200, 300])
def test_kodak_patch_t_at_any_resolution(dpi):
    assert find_patch_code(patch_sheet("NWNW", dpi)) == "T"
    assert find_patch_code(noisy(patch_sheet("NWNW", dpi), sigma=12, specks=2000)) == "T"


def test_patch_t_fed_upside_down_reads_as_patch_3():
    page = patch_sheet("NWNW", rotate=180)
    assert find_patch_code(page) == "3"
    assert is_separator(page)                                  # accepted by default ...
    assert not is_separator(page, patch_either_way=False)      # ... unless told to read T only


@pytest.mark.parametrize("pattern, name", [("WWNN", "1"), ("WNNW", "2"), ("NWWN", "4"), ("NNWW", "6")])
def test_other_patch_codes_are_read_but_are_not_separators(pattern, name):
    page = patch_sheet(pattern)
    assert find_patch_code(page) == name
    assert not is_separator(page)


def test_short_bars_are_not_a_patch():
    # the same widths, but bars only 0.3" long: a drawing, not a patch
    assert find_patch_code(patch_sheet("NWNW", length_in=0.3)) is None


def table_page(dpi: int = 150) -> Image.Image:
    """Thick table rules and bold black boxes: bars, but not a patch."""
    im = korean_page(FORM_LINES, dpi)
    d = ImageDraw.Draw(im)
    for k in range(4):
        y = round((6 + 0.25 * k) * dpi)
        d.rectangle([dpi, y, 7 * dpi, y + round(0.03 * dpi)], fill=0)
    d.rectangle([dpi, 9 * dpi, 2 * dpi, round(9.5 * dpi)], fill=0)
    return im


@pytest.mark.parametrize("make", [
    lambda: eform_page(PAYLOAD),                                               # an e-form is a document
    lambda: korean_page(FORM_LINES),
    lambda: blank_page(),
    table_page,
    lambda: separator_page("A-123", zxingcpp.BarcodeFormat.Code128, scale=2),  # a barcode with other text
    lambda: separator_page("GIROK-SEPARATOR-2"),
    lambda: with_code(korean_page(FORM_LINES), code_image("1234567890128", zxingcpp.BarcodeFormat.EAN13,
                                                          scale=4), (1, 8)),
])
def test_not_separators(make):
    page = make()
    assert separator_kind(page) is None
    assert find_patch_code(page) is None


def test_separator_kind_uses_given_codes():
    page = separator_page()
    assert separator_kind(page, codes=[]) is None          # trusts the caller's decoding
    assert separator_kind(blank_page(), codes=read_codes(page)) == GIROK_SEPARATOR


# --- the dev corpus ------------------------------------------------------------------------------

def _frames(path):
    with Image.open(path) as im:
        return [f.copy() for f in ImageSequence.Iterator(im)]


def test_corpus_eform_qr_codes(corpus):
    checked = 0
    for meta_path in sorted(corpus.glob("form-*.meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta["format"] == "pdf":
            continue
        md = eform_metadata(read_codes(_frames(corpus / meta["file"])[0]), DEFAULT_DOC_TYPES)
        if meta["qr"] is None:
            assert md is None, meta["file"]
            continue
        checked += 1
        assert json.loads(md.qr) == meta["qr"]
        assert (md.doc_type, md.receipt_no, md.applicant, md.date.isoformat(), md.office) == (
            meta["doc_type"], meta["receipt_no"], meta["applicant"], meta["date"], meta["office"]), meta["file"]
    assert checked >= 1


def test_corpus_batch_separators(corpus):
    for meta_path in sorted(corpus.glob("batch-*.meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        pages = _frames(corpus / meta["file"])
        gt = (corpus / meta["file"]).with_suffix(".gt.txt").read_text(encoding="utf-8").split("\f")
        seps = [i for i, p in enumerate(pages) if is_separator(p)]
        assert len(seps) == len(meta["documents"]) - 1, meta["file"]
        assert all(not gt[i].strip() for i in seps), meta["file"]   # never a page with text
