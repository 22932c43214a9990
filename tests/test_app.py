"""The application layer called directly, as a web front end would: plain arguments in, plain data out, and the
audit events the use cases owe (view, search, RRN look-up) written by the use case, not by a front end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers_records import add_document

from girok.app import admin, documents
from girok.app.documents import DocumentView, SearchRequest
from girok.errors import NotFound, UsageError

GIROK = Path(__file__).resolve().parent.parent / "girok"


def _events(arch, action: str) -> list[dict]:
    from girok.app.records import audit_log

    return [e for e in audit_log(arch) if e["action"] == action]


@pytest.fixture
def arch(make_archive):
    root = make_archive()
    add_document(root, ["전입신고서\n신청인 홍길동 주민등록번호 870501-1234567\n서초구청장 귀하"], name="a.png")
    add_document(root, ["위임장\n민원실에서 토지대장 발급을 위임합니다"], name="b.png")
    arch = admin.open_archive(root, log_to_file=False)
    yield arch
    arch.close()


def test_show_returns_the_public_shape_and_audits_a_text_view(arch):
    view = documents.show(arch, "GR-%d-000001" % _year(arch))
    assert isinstance(view, DocumentView)
    d = view.as_dict()
    assert d["id"].endswith("-000001") and "text" not in d
    assert list(d)[:3] == ["id", "title", "type"]
    assert not _events(arch, "view")  # metadata only: no access to the text
    with_text = documents.show(arch, d["id"], with_text=True).as_dict()
    assert "870501-1******" in with_text["text"][0] and "1234567" not in json.dumps(with_text, ensure_ascii=False)
    [ev] = _events(arch, "view")
    assert ev["ids"] == [d["id"]]


def test_show_of_an_unknown_number_raises_not_found(arch):
    with pytest.raises(NotFound):
        documents.show(arch, "GR-1999-999999")


def test_search_pages_and_audits(arch):
    page = documents.search(arch, SearchRequest(text="민원실", limit=1))
    assert page.total == 1 and page.pages == 1 and page.rows()[0]["rank"] == 1
    assert page.rows()[0]["id"] == page.hits[0].reg_no
    [ev] = _events(arch, "search")
    assert ev["detail"]["query"] == "민원실" and ev["ids"] == [page.hits[0].reg_no]
    with pytest.raises(UsageError):
        documents.search(arch, SearchRequest(text="  "))


def test_rrn_lookup_is_audited_and_masked(arch):
    found = documents.rrn_lookup(arch, "870501-1234567")  # these made-up documents carry no keyed hashes
    assert found.masked == "870501-1******" and found.rows == []
    [ev] = _events(arch, "rrn-lookup")
    assert ev["detail"]["rrn"] == "870501-1******" and "1234567" not in json.dumps(ev, ensure_ascii=False)
    with pytest.raises(UsageError):
        documents.rrn_lookup(arch, "12345")


def test_doctor_finds_and_repairs_a_stray_store_file(arch):
    assert admin.doctor(arch).ok
    stray = arch.store.root / "originals" / "ff" / ("f" * 64 + ".png")
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"left by an interrupted ingest")
    report = admin.doctor(arch)
    assert not report.ok and any("not in catalog" in f for f in report.findings)
    fixed = admin.doctor(arch, fix=True)
    assert fixed.ok and fixed.problems == 0 and not stray.exists()


def test_front_ends_write_no_audit_event_or_catalog_row():
    """The front ends (the CLI, the web) parse, call girok.app and render: no audit events, catalog sessions or
    catalog writes there (a web session, WebSession, is the web's own and no catalog session)."""
    bad = re.compile(r"add_event|audit\.append|\bSession\b|commit_capture|sqlalchemy|\.catalog\.")
    paths = sorted((GIROK / "cli").glob("*.py")) + sorted((GIROK / "web").glob("*.py"))
    assert any(p.parent.name == "web" for p in paths)
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not bad.search(line), f"{path.name}:{n}: {line.strip()}"


def _year(arch) -> int:
    from girok.catalog.repository import now

    return now().year
