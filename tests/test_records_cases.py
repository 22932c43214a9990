"""A civil-service case (issue 16, item 1): an application scanned with its 위임장 and 등본 in one batch, under
one receipt number, is shown together by `girok case`, and `girok show` takes a receipt number too."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from helpers_files import BACKENDS, paper, rec  # noqa: F401 (rec is a fixture)
from helpers_retention import cli


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    return request.param


@pytest.fixture
def batch(rec):
    """One scanned batch: 전입신고서 + 위임장 under 2026-서초-00123 and a 등본 whose receipt number OCR missed;
    another case scanned alone."""
    app, poa, copy = rec.add("전입신고서", captured=datetime(2026, 3, 2, 1), docs=3)
    paper(rec, app, doc_type="전입신고서", receipt_no="2026-서초-00123", applicant="홍길동")
    paper(rec, poa, doc_type="위임장", receipt_no="2026-서초-00123", applicant="홍길동")
    paper(rec, copy, doc_type="주민등록표 등본", applicant="홍길동")
    [other] = rec.add("전입신고서", captured=datetime(2026, 3, 2, 2))
    paper(rec, other, doc_type="전입신고서", receipt_no="2026-서초-00999", applicant="김철수")
    return app, poa, copy, other


def test_case_shows_the_receipt_and_its_batch_together(rec, batch):
    app, poa, copy, other = batch
    r = cli(rec.root, "case", "2026 - 서초 - 00123", "--json", check=True)  # spaces do not matter
    d = json.loads(r.stdout)
    assert d["receipt_no"] == "2026 - 서초 - 00123" and d["count"] == 3
    assert [(x["id"], x["type"], x["in_case"]) for x in d["documents"]] == [
        (app, "전입신고서", "receipt"), (poa, "위임장", "receipt"), (copy, "주민등록표 등본", "batch")]
    assert {x["applicant"] for x in d["documents"]} == {"홍*동"}  # masked, as everywhere
    assert all(x["file"] is None and x["superseded_by"] is None for x in d["documents"])
    human = cli(rec.root, "case", "2026-서초-00123", check=True).stdout
    assert app in human and poa in human and copy in human and other not in human
    assert "batch" in human  # (same batch: the column may wrap at 80 columns)


def test_case_of_an_unknown_receipt_is_not_found(rec, batch):
    r = cli(rec.root, "case", "2026-서초-99999")
    assert r.returncode == 6 and "no document has receipt number" in r.stderr


def test_show_takes_a_receipt_number(rec, batch):
    app, poa, copy, other = batch
    one = json.loads(cli(rec.root, "show", "2026-서초-00999", "--json", check=True).stdout)
    assert one["id"] == other and one["receipt_no"] == "2026-서초-00999"
    several = cli(rec.root, "show", "2026-서초-00123", "--json", check=True)
    d = json.loads(several.stdout)
    assert [x["id"] for x in d["documents"]] == [app, poa] and d["count"] == 2
    listed = cli(rec.root, "show", "2026-서초-00123", check=True)
    assert "2 documents have receipt number 2026-서초-00123" in listed.stdout
    assert app in listed.stdout and poa in listed.stdout and "girok case" in listed.stderr
    assert json.loads(cli(rec.root, "show", app.lower(), "--json", check=True).stdout)["id"] == app
    missing = cli(rec.root, "show", "2026-서초-55555")
    assert missing.returncode == 6 and "receipt number" in missing.stderr


def test_show_takes_the_standard_registration_number(rec, batch):
    from girok.retention.files import file_documents

    file_documents(rec.arch)
    app = batch[0]
    number = json.loads(cli(rec.root, "show", app, "--json", check=True).stdout)["record_no"]
    assert len(number) == 19 and number.startswith("32100002026")
    hyphened = f"{number[:7]}-{number[7:11]}-{number[11:17]}-{number[17:]}"
    assert json.loads(cli(rec.root, "show", hyphened, "--json", check=True).stdout)["id"] == app
