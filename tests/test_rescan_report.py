"""Issue 17, item 4: the clerk is told which paper to re-scan (console, `ingest --json`, status, the CSV list),
and a re-scan that reads well takes the document off the lists. No OCR here: catalog rows and outcomes made up."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from girok.archive.layout import Archive
from girok.app.ingest import Settled
from girok.catalog.repository import NewCapture, NewDocument
from girok.cli.admin import render_status
from girok.cli.ingest import outcome_line
from girok.ingest import rescan_report
from girok.ingest.pipeline import Outcome
from girok.text.pii import mask_name
from helpers_records import girok, sha


def add(root: Path, *, receipt: str = "", applicant: str = "", doc_type: str = "전입신고서",
        confidence: tuple = (90.0,), hot_folder: str | None = None, threshold: float = 50.0) -> str:
    """A document as keep records it, its pages read at ``confidence``; flagged below ``threshold``."""
    n = len(list((root.parent / "made-up").glob("*"))) if (root.parent / "made-up").exists() else 0
    src = root.parent / "made-up"
    src.mkdir(exist_ok=True)
    original, archival = src / f"{n}.png", src / f"{n}.pdf"
    original.write_bytes(f"scan {n}".encode())
    archival.write_bytes(f"%PDF-1.7 {n}".encode())
    with Archive.open(root) as arch:
        orig = arch.store.put("originals", original, sha(original), ".png")
        pdf = arch.store.put("archival", archival, sha(archival), ".pdf")
        flagged = any(c is not None and c < threshold for c in confidence)
        doc = NewDocument(first_page=1, page_count=len(confidence), archival_sha256=pdf.sha256,
                          archival_relpath=pdf.relpath, archival_size=pdf.size, pdfa="2B", conversion={},
                          page_texts=["text"] * len(confidence), page_confidence=list(confidence),
                          rescan_suggested=flagged, receipt_no=receipt, applicant=applicant, doc_type=doc_type)
        cap = NewCapture(sha256=orig.sha256, size=orig.size, source_name=f"scan{n}.png",
                         source_path=f"/scans/scan{n}.png", hot_folder=hot_folder, profile="default",
                         media_type="image/png", original_relpath=orig.relpath, documents=[doc])
        [reg] = arch.catalog.commit_capture(cap, prefix=arch.config.id_prefix)
    return reg


def test_names_are_masked_like_the_law_allows_to_show():
    assert mask_name("홍길동") == "홍*동"
    assert mask_name("남궁민수") == "남**수"
    assert mask_name("김수") == "김*"
    assert mask_name("") == ""
    assert "1196406" not in mask_name("870501-1196406")


def test_low_pages_are_the_documents_pages_below_the_threshold():
    assert rescan_report.low_pages([90.0, 12.0, None, 49.9, 50.0], 50.0) == [2, 4]


def test_outcome_json_and_console_line_name_the_pages_and_the_paper():
    o = Outcome("GR-2026-000004", "/hot/scan.tif", 3, "archived", "re-scan suggested: some pages read poorly",
                rescan=True, rescan_pages=[2, 3], **rescan_report.paper("2024-동작-001", "홍길동", "전입신고서"))
    d = Settled(o).as_dict()  # the JSON line without its document object (the e2e tests have one)
    assert d["rescan"] is True and d["rescan_pages"] == [2, 3]
    assert o.receipt_no == "2024-동작-001" and o.applicant == "홍*동" and o.doc_type == "전입신고서"
    assert d == {"status": "archived", "reason": "re-scan suggested: some pages read poorly", "file": "/hot/scan.tif",
                 "id": "GR-2026-000004", "rescan": True, "rescan_pages": [2, 3]}
    assert outcome_line(o, "scan.tif") == ("archived    scan.tif -> GR-2026-000004 (3 p.)  RE-SCAN pages 2, 3 "
                                           "(접수번호 2024-동작-001, 신청인 홍*동, 전입신고서)")
    clean = Outcome("GR-2026-000005", "/hot/ok.tif", 1, "archived")
    assert Settled(clean).as_dict()["rescan"] is False and Settled(clean).as_dict()["rescan_pages"] == []
    assert outcome_line(clean, "ok.tif") == "archived    ok.tif -> GR-2026-000005 (1 p.)"
    one = Outcome("GR-2026-000006", "/hot/x.tif", 1, "archived", rescan=True, rescan_pages=[1])
    assert outcome_line(one, "x.tif").endswith("RE-SCAN page 1")
    named = Outcome("GR-2026-000007", "/hot/a.tif", 1, "archived")  # a file named after the citizen
    assert "1234567" not in outcome_line(named, "홍길동 870501-1234567.tif")
    bad = Outcome(None, "/hot/b.tif", 0, "quarantined", "870501-1234567.tif: not an image")
    assert "1234567" not in outcome_line(bad, "870501-1234567.tif")


def test_status_lists_flagged_documents_until_a_clean_rescan_supersedes_them(make_archive):
    root = make_archive()
    old = add(root, receipt="2024-동작-001", applicant="홍길동", confidence=(90.0, 10.0, 20.0))
    other_type = add(root, receipt="2024-동작-002", applicant="김철수", doc_type="인감증명서", confidence=(5.0,))
    no_receipt = add(root, confidence=(5.0,))
    with Archive.open(root) as arch:
        from girok.app.status import awaiting_rescan

        r = awaiting_rescan(arch)
        assert r["count"] == 3
        assert [x["id"] for x in r["newest"]] == [no_receipt, other_type, old], "newest first"
        first = r["newest"][2]
        assert first["rescan_pages"] == [2, 3] and first["receipt_no"] == "2024-동작-001"
        assert first["applicant"] == "홍*동" and first["type"] == "전입신고서"
        assert awaiting_rescan(arch, limit=1)["count"] == 3 and len(awaiting_rescan(arch, limit=1)["newest"]) == 1

    add(root, receipt="2024-동작-001", applicant="홍길동", confidence=(30.0, 90.0))  # a re-scan, still poor
    add(root, receipt="2024-동작-002", applicant="김철수", doc_type="전입신고서", confidence=(90.0,))  # other type
    with Archive.open(root) as arch:
        assert arch.catalog.awaiting_rescan()[0] == 4, "a flagged re-scan and another type supersede nothing"
    new = add(root, receipt="2024-동작-001", applicant="홍길동", confidence=(90.0, 88.0, 91.0))
    with Archive.open(root) as arch:
        gone = [r["reg_no"] for r in arch.catalog.rescans_superseded_by(new)]
        n, rows = arch.catalog.awaiting_rescan()
    assert len(gone) == 2 and old in gone, "both flagged scans of 2024-동작-001 are superseded"
    assert n == 2 and {r["reg_no"] for r in rows} == {other_type, no_receipt}

    d = {"archive": str(root), "documents": 6, "pages": 9, "unindexed": 0, "watcher_pid": None, "waiting": 0,
         "in_progress": 0, "quarantined": 0, "abandoned": 0, "hot_folders": [],
         "last_hour": {"documents": 0, "pages": 0, "pages_per_minute": 0.0},
         "rescan": {"count": 2, "newest": [{"id": other_type, "receipt_no": "2024-동작-002", "applicant": "김*수",
                                             "type": "인감증명서", "rescan_pages": [1],
                                             "source": {"name": "scan1.png"}}]}}
    text = "\n".join(render_status(d, "test"))
    assert "re-scan: 2 document(s) awaiting a re-scan" in text and "(newest 1)" in text
    assert f"{other_type}: 접수번호 2024-동작-002, 신청인 김*수, 인감증명서, page 1, from scan1.png" in text


def test_status_command_shows_documents_awaiting_rescan(make_archive):
    root = make_archive()
    reg = add(root, receipt="2024-동작-009", applicant="홍길동", confidence=(20.0, 95.0))
    human = girok(root, "status", check=True).stdout
    assert "1 document(s) awaiting a re-scan" in human
    assert f"{reg}: 접수번호 2024-동작-009, 신청인 홍*동, 전입신고서, page 1" in human
    assert "홍길동" not in human
    import json

    d = json.loads(girok(root, "status", "--json", check=True).stdout)
    assert d["rescan"]["count"] == 1 and d["rescan"]["newest"][0]["rescan_pages"] == [1]
    assert d["rescan"]["newest"][0]["applicant"] == "홍*동"


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_the_csv_list_names_the_paper_and_loses_its_line_when_a_clean_rescan_arrives(make_archive, tmp_path):
    root = make_archive()
    hot = str(tmp_path / "hot" / "counter1")
    old = add(root, receipt="2024-동작-001", applicant="홍길동", confidence=(90.0, 10.0), hot_folder=hot)
    keep = add(root, receipt="2024-동작-003", applicant="이영희", confidence=(10.0,), hot_folder=hot)
    path = rescan_report.record(root, hot, Path("/h/scan.tif"), old, 5, [90.0, 10.0], 50.0,
                                receipt_no="2024-동작-001", applicant="홍길동", doc_type="전입신고서",
                                pages_in_original=[6, 7])
    rescan_report.record(root, hot, Path("/h/b.tif"), keep, 1, [10.0], 50.0, receipt_no="2024-동작-003",
                         applicant="이영희", doc_type="전입신고서")
    assert path == tmp_path / "hot" / "counter1.rescan.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), "Excel reads it as UTF-8"
    [row, _] = _rows(path)
    assert row["registration_no"] == old and row["receipt_no"] == "2024-동작-001"
    assert row["applicant"] == "홍*동" and row["doc_type"] == "전입신고서"
    assert row["pages_to_rescan"] == "2" and row["pages_in_file"] == "8"
    assert "홍길동" not in path.read_text(encoding="utf-8-sig")

    new = add(root, receipt="2024-동작-001", applicant="홍길동", confidence=(95.0, 90.0))
    again = add(root, receipt="2024-동작-001", applicant="홍길동", confidence=(96.0, 91.0))
    with Archive.open(root) as arch:
        assert rescan_report.supersede(arch, [new]) == [old]
        assert rescan_report.supersede(arch, [again]) == [], "superseded once, by the first clean re-scan"
        events = [e for e in arch.catalog.events() if e.action == "rescan-superseded"]
    assert [r["registration_no"] for r in _rows(path)] == [keep]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(events) == 1 and events[0].reg_no == old and new in events[0].detail
    assert not list(path.parent.glob(".*.tmp")), "rewritten through a temporary file, none left"


def test_a_list_of_the_old_layout_is_rewritten_in_the_new_one(tmp_path):
    path = rescan_report.report_path(tmp_path, None)
    path.parent.mkdir()
    path.write_text("time,file,registration_no,pages_to_rescan,lowest_confidence,what_to_do\n"
                    "2026-01-01T09:00:00,a.tif,GR-2026-000001,1,12,x\n", encoding="utf-8-sig")
    rescan_report.record(tmp_path, None, Path("b.tif"), "GR-2026-000002", 1, [5.0], 50.0, receipt_no="R-1")
    rows = _rows(path)
    assert list(rows[0]) == rescan_report.HEADER
    assert [(r["registration_no"], r["pages_to_rescan"], r["receipt_no"]) for r in rows] == [
        ("GR-2026-000001", "1", ""), ("GR-2026-000002", "1", "R-1")]


@pytest.mark.parametrize("applicant", ["870501-1196406"])
def test_no_rrn_reaches_the_list_or_the_outcome(applicant):
    p = rescan_report.paper("870501-1196406", applicant, "")
    assert "1196406" not in "".join(p.values())
