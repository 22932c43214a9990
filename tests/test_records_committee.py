"""The committee's paperwork (issue 16, item 4): the review file names receipt number, masked applicant, record
file and title and has a row per file; the committee decides a whole file; `decide` needs the meeting; `hold
list` names the held documents and their files; `dispose` certifies every item and leaves the destroyed text in
no search index file."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest

from girok import i18n
from girok.retention.reviewfile import heading
from girok.retention.schedule import classify_documents
from helpers_files import BACKENDS, paper, rec  # noqa: F401 (rec is a fixture)
from helpers_retention import cli

OFFICE, TASK = "3210000", "00890120"
FILE = f"{OFFICE}{TASK}2019000001001"
SECRET = b"zqxdestroyedword"


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    return request.param


@pytest.fixture
def due_file(rec, tmp_path):
    """A 2019 record file of three items (전입신고서 with its 위임장, and another 전입신고서), 5년 by the
    기록관리기준표: due 2025-01-01; today is 2026-03-02. A fourth document, of 2026, is not due."""
    table = tmp_path / "기준표.csv"
    table.write_text("단위과제코드,단위과제명,보존기간,보존기간 책정사유\n00890120,전입신고,5년,예시\n", encoding="utf-8")
    cli(rec.root, "schedule", "load", str(table), "--reason", "기준표", check=True)
    regs = []
    for i, (t, receipt, who) in enumerate([("전입신고서", "2019-서초-00001", "홍길동"), ("위임장", "2019-서초-00001", "홍길동"),
                                           ("전입신고서", "2019-서초-00002", "김철수")]):
        [reg] = rec.add(t, captured=datetime(2019, 5, 2, 3, i), text=f"서초구 민원실 {t} zqxdestroyedword")
        paper(rec, reg, doc_type=t, receipt_no=receipt, applicant=who)
        classify_documents(rec.arch, [reg])
        regs.append(reg)
    [kept] = rec.add("전입신고서", captured=datetime(2026, 2, 2, 3), text="서초구 민원실 전입신고서 2026")
    classify_documents(rec.arch, [kept])
    rec.clock.set(2026, 3, 2)
    return regs, kept


def review_rows(rec, out: Path) -> list[dict]:
    cli(rec.root, "retention", "review", "--out", str(out), check=True)
    return list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))


def write_rows(out: Path, rows: list[dict]) -> None:
    with out.open("w", encoding="cp949", newline="") as fh:  # as Korean Excel saves it
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_the_review_file_names_case_and_file(rec, due_file, tmp_path):
    regs, kept = due_file
    rows = review_rows(rec, tmp_path / "review.csv")
    [f] = [r for r in rows if r["row"] == "file"]
    assert (f["file_no"], f["file_title"], f["count"], f["class"]) == (FILE, "2019년 전입신고", "3", "5년")
    due = {r["reg_no"]: r for r in rows if r["row"] == "due"}
    assert set(due) == set(regs) and kept not in due
    assert (due[regs[0]]["receipt_no"], due[regs[0]]["applicant"]) == ("2019-서초-00001", "홍*동")
    assert (due[regs[2]]["receipt_no"], due[regs[2]]["applicant"]) == ("2019-서초-00002", "김*수")
    assert all(r["file_no"] == FILE and r["file_title"] == "2019년 전입신고" for r in due.values())


def test_the_review_headings_are_korean(monkeypatch):
    was = i18n.language()
    try:
        i18n.set_language("ko")
        got = [heading(c) for c in ("reg_no", "receipt_no", "applicant", "file_no", "file_title", "decision")]
    finally:
        i18n.set_language(was)
    assert got == ["등록번호", "접수번호", "신청인", "기록물철 분류번호", "기록물철 제목", "결정"], got


def test_a_whole_file_decided_disposed_and_certified(rec, due_file, tmp_path):
    regs, kept = due_file
    out = tmp_path / "심의.csv"
    rows = review_rows(rec, out)
    for r in rows:
        if r["row"] == "file":
            r["decision"], r["note"] = "폐기", "보존기간 경과, 민원 종결"
    write_rows(out, rows)

    missing = cli(rec.root, "retention", "decide", str(out), "--meeting", "2026년 제1차 기록물평가심의회")
    assert missing.returncode == 2 and "--meeting-date" in missing.stderr  # required before anything is read
    assert rec.events("retention-decide") == []
    dec = json.loads(cli(rec.root, "retention", "decide", str(out), "--meeting", "2026년 제1차 기록물평가심의회",
                         "--meeting-date", "2026-02-27", "--json", check=True).stdout)
    assert dec["counts"]["dispose"] == 3 and dec["meeting"] == "2026년 제1차 기록물평가심의회 (2026-02-27)"
    assert {d["id"]: d["note"] for d in dec["decisions"]} == {r: "보존기간 경과, 민원 종결" for r in regs}

    index = rec.root / "index"
    assert any(SECRET in p.read_bytes() for p in index.rglob("*") if p.is_file())  # the check can see it
    done = cli(rec.root, "retention", "dispose", "--json", check=True)
    rep = json.loads(done.stdout)
    assert sorted(rep["disposed"]) == regs and rep["index"] == {"deleted": 3, "files": "merged"}
    assert not [p for p in index.rglob("*") if p.is_file() and SECRET in p.read_bytes()], \
        "the destroyed text is still in a search index file"
    assert [h.reg_no for h in rec.arch.index.search("전입신고서", limit=10)] == [kept]

    [cert] = rep["certificates"]
    lines = list(csv.DictReader(Path(cert["csv"]).read_text(encoding="utf-8-sig").splitlines()))
    assert [ln["reg_no"] for ln in lines] == regs  # every item of the file
    assert {ln["file_no"] for ln in lines} == {FILE}
    assert [ln["record_no"] for ln in lines] == [f"{OFFICE}2019{n:06d}00" for n in (1, 2, 3)]
    text = Path(cert["txt"]).read_text(encoding="utf-8")
    assert all(r in text for r in regs) and FILE in text and "(2026-02-27)" in text
    shown = json.loads(cli(rec.root, "file", "show", FILE, "--json", check=True).stdout)
    assert [d["id"] for d in shown["documents"]] == regs and all(d["disposed"] for d in shown["documents"])
    registry = tmp_path / "reg"
    cli(rec.root, "registry", "export", "--year", "2019", "--out", str(registry), check=True)
    listed = list(csv.DictReader((registry / "기록물등록대장-2019.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [r["girok 등록번호"] for r in listed] == regs and all(r["상태"].startswith("폐기") for r in listed)

    human = cli(rec.root, "retention", "dispose", "--dry-run", check=True)
    assert human.returncode == 0
    assert cli(rec.root, "audit", "verify", check=True).returncode == 0


def test_an_item_decided_against_its_file_is_refused(rec, due_file, tmp_path):
    regs, _ = due_file
    out = tmp_path / "review.csv"
    rows = review_rows(rec, out)
    for r in rows:
        if r["row"] == "file":
            r["decision"] = "dispose"
        if r["reg_no"] == regs[1]:
            r["decision"], r["defer_until"] = "defer", "2030-01-01"
    write_rows(out, rows)
    r = cli(rec.root, "retention", "decide", str(out), "--meeting", "제1차", "--meeting-date", "2026-03-01")
    assert r.returncode == 13 and "differs from its file's" in r.stderr
    assert rec.events("retention-decide") == []


def test_hold_list_names_the_held_documents_and_files(rec, due_file):
    regs, _ = due_file
    held = json.loads(cli(rec.root, "hold", "add", "--file", FILE, "--reason", "소송 2026가합1", "--json",
                          check=True).stdout)
    assert [d["id"] for d in held["documents"]] == regs
    listed = cli(rec.root, "hold", "list", check=True).stdout
    assert all(r in listed for r in regs) and FILE in listed
    [line] = [json.loads(x) for x in cli(rec.root, "hold", "list", "--json", check=True).stdout.splitlines()]
    assert {d["file"]["number"] for d in line["documents"]} == {FILE}


def test_a_tantivy_index_is_rebuilt_without_the_destroyed_text(rec, due_file, tmp_path):
    """tantivy-py cannot merge segments on request: dispose rebuilds the index from the catalog instead."""
    from girok.archive.indexing import rebuild_index

    regs, kept = due_file
    rebuild_index(rec.arch, engine="tantivy")
    out = tmp_path / "review.csv"
    rows = review_rows(rec, out)
    for r in rows:
        if r["row"] == "file":
            r["decision"] = "dispose"
    write_rows(out, rows)
    cli(rec.root, "retention", "decide", str(out), "--meeting", "제1차", "--meeting-date", "2026-03-01", check=True)
    rep = json.loads(cli(rec.root, "retention", "dispose", "--json", check=True).stdout)
    assert rep["index"] == {"deleted": 3, "files": "rebuilt"}
    assert rec.arch.index.engine_name == "tantivy"
    assert [h.reg_no for h in rec.arch.index.search("전입신고서", limit=10)] == [kept]
    said = cli(rec.root, "retention", "dispose", check=True).stderr
    assert "nothing to dispose of" in said


def test_a_json_review_decides_a_file_too(rec, due_file, tmp_path):
    regs, _ = due_file
    out = tmp_path / "review.json"
    cli(rec.root, "retention", "review", "--out", str(out), check=True)
    data = json.loads(out.read_text(encoding="utf-8"))
    [f] = data["files"]
    assert f["file_no"] == FILE and sorted(f["ids"]) == regs and f["count"] == 3
    f["decision"], f["defer_until"] = "보류", "2030-01-01"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    dec = json.loads(cli(rec.root, "retention", "decide", str(out), "--meeting", "제1차", "--meeting-date",
                         "2026-03-01", "--json", check=True).stdout)
    assert dec["counts"]["defer"] == 3 and {d["defer_until"] for d in dec["decisions"]} == {"2030-01-01"}
