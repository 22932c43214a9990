"""The archival PDF carries the record's metadata in its XMP, equal to what `show --json` says (real OCR)."""

from __future__ import annotations

import hashlib
import json

import pikepdf
import pytest
from conftest import json_lines, render_korean, run_girok

from girok.archive import pdfa
from girok.archive.xmp import read_xmp, schema_problems
from girok.text.pii import mask_name

pytestmark = pytest.mark.e2e

FORM = ["전입신고서", "접수번호 2024-서초-00123", "성명 홍길동", "주민등록번호 870501-1234567",
        "신고일 2024년 3월 5일", "신고인 홍길동 (서명 또는 인)", "서초구청장 귀하"]


def test_xmp_of_the_stored_pdf_equals_show_json(make_archive, tmp_path):
    archive = make_archive()
    scan = render_korean(tmp_path / "전입 신고.png", FORM, size=(1240, 1100))
    [rec] = json_lines(run_girok(archive, "ingest", "--json", str(scan), check=True).stdout)
    show = json_lines(run_girok(archive, "show", rec["id"], "--json").stdout)[0]
    stored = archive / show["archival"]["path"]
    # the store is content-addressed: the recorded hash is of the final bytes, XMP included
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == show["archival"]["sha256"]
    assert stored.stat().st_size == show["archival"]["size"]
    xmp = read_xmp(stored)
    assert show["type"] == "전입신고서" and show["date"] == "2024-03-05"  # OCR read the form
    assert (xmp["title"], xmp["date"]) == (show["title"], show["date"])
    assert (xmp["docType"], xmp["receiptNo"], mask_name(xmp["applicant"])) == \
        (show["type"], show["receipt_no"], show["applicant"])  # the applicant masked in JSON, whole in the PDF
    assert xmp["office"] == show["office"] == "서초구"
    assert xmp["rrnMasked"] == show["rrn_masked"] == ["870501-1******"]
    assert xmp["sourceName"] == show["source"]["name"] == "전입 신고.png"
    assert xmp["sourcePages"] == ",".join(map(str, show["source"]["pages_in_file"])) == "1"
    assert xmp["profile"] == show["source"]["profile"]
    assert pdfa.inspect(stored).level == "2B" and show["pdfa"] == "PDF/A-2B"
    with pikepdf.open(stored) as pdf:
        packet = pdf.Root.Metadata.read_bytes()
        assert len(pdf.pages) == 1
    assert schema_problems(packet) == []
    assert b"1234567" not in packet  # only the masked RRN is in the XMP


def test_each_part_of_a_batch_carries_its_own_xmp(make_archive, tmp_path):
    from helpers_pages import blank_page, code_image, korean_page, with_code

    payload = {"form": "혼인신고서", "receipt_no": "2023-동작-00777", "applicant": "김지훈", "date": "2023-11-02",
               "office": "동작구"}
    first = korean_page(["위임장", "접수번호 2023-동작-00555", "성명 이서윤", "신청일 2023년 10월 30일",
                         "신청인 이서윤 (서명 또는 인)", "동작구청장 귀하"], dpi=200, pt=14)
    separator = with_code(blank_page(200), code_image("GIROK-SEPARATOR", scale=8), (3.0, 4.0))
    second = with_code(korean_page(["혼인신고서", "접수번호 2023-동작-00777", "성명 김지훈", "동작구청장 귀하"],
                                   dpi=200, pt=14), code_image(json.dumps(payload, ensure_ascii=False), scale=4),
                       (5.5, 0.5))
    scan = tmp_path / "batch.tif"
    first.save(scan, save_all=True, append_images=[separator, second], dpi=(200, 200), compression="tiff_lzw")
    archive = make_archive()
    recs = json_lines(run_girok(archive, "ingest", "--json", str(scan), check=True).stdout)
    assert [r["status"] for r in recs] == ["archived", "archived"]
    shows = [json_lines(run_girok(archive, "show", r["id"], "--json").stdout)[0] for r in recs]
    xmps = [read_xmp(archive / s["archival"]["path"]) for s in shows]
    assert [x["sourcePages"] for x in xmps] == ["1", "3"]  # the separator sheet is in neither part
    assert [x["docType"] for x in xmps] == [s["type"] for s in shows] == ["위임장", "혼인신고서"]
    assert [x["date"] for x in xmps] == [s["date"] for s in shows] == ["2023-10-30", "2023-11-02"]
    assert xmps[1]["applicant"] == "김지훈" and shows[1]["applicant"] == "김*훈"  # from the e-form QR payload
    assert xmps[1]["receiptNo"] == shows[1]["receipt_no"] == "2023-동작-00777"
    for s in shows:
        path = archive / s["archival"]["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == s["archival"]["sha256"]
