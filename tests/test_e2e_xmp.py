"""The archival PDF carries the record's metadata in its XMP, equal to what `show --json` says (real OCR)."""

from __future__ import annotations

import hashlib

import pikepdf
import pytest
from conftest import json_lines, render_korean, run_girok

from girok.archive import pdfa
from girok.archive.xmp import read_xmp, schema_problems

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
    assert show["doc_type"] == "전입신고서" and show["date"] == "2024-03-05"  # OCR read the form
    assert (xmp["title"], xmp["date"]) == (show["title"], show["date"])
    assert {k: xmp[x] for k, x in (("doc_type", "docType"), ("receipt_no", "receiptNo"),
                                    ("applicant", "applicant"))} == \
        {k: show[k] for k in ("doc_type", "receipt_no", "applicant")}
    assert xmp["office"] == show["office"] == "서초구"
    assert xmp["rrnMasked"] == show["rrn_masked"] == ["870501-1******"]
    assert xmp["sourceName"] == show["source"]["name"] == "전입 신고.png"
    assert xmp["sourcePages"] == ",".join(map(str, show["pages_in_original"])) == "1"
    assert xmp["profile"] == show["source"]["profile"]
    assert pdfa.inspect(stored).level == "2B" and show["pdfa"] == "PDF/A-2B"
    with pikepdf.open(stored) as pdf:
        packet = pdf.Root.Metadata.read_bytes()
        assert len(pdf.pages) == 1
    assert schema_problems(packet) == []
    assert b"1234567" not in packet  # only the masked RRN is in the XMP
