"""The registers and the production report (issue 16, item 6): 기록물 등록대장 and 기록물철 대장 as CSV for Excel
(UTF-8 with BOM, Korean headings), and the 생산현황 통보 files read back by a parser written from the layout
retention/registry.py documents: EUC-KR, one record a line (CRLF between), NUL between fields, 27/27/5/12
fields, and the PROD_REPORT XML envelope with the year, the office code and each file's size."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

from girok.retention.schedule import classify_documents
from helpers_files import BACKENDS, TABLE, paper, rec  # noqa: F401 (rec is a fixture)
from helpers_retention import cli, sql

OFFICE, TASK = "3210000", "00890120"
FILE = f"{OFFICE}{TASK}2026000001001"
COUNTS = {"PROD_GFILE": 27, "PROD_DOC": 27, "PROD_PAGE": 5, "PROD_GFILEHIST": 12}


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    return request.param


@pytest.fixture
def year(rec, tmp_path):
    """2026: a file of 전입신고 (10년 by the 기록관리기준표) with an application, its 위임장 (a title EUC-KR cannot
    hold: 똠) and a flagged scan superseded by its re-scan; a 2025 document in another file."""
    cfg = rec.root / "girok.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("volume_size = 3", "volume_size = 10"), encoding="utf-8")
    table = tmp_path / "기준표.csv"
    table.write_text(TABLE, encoding="utf-8")
    cli(rec.root, "schedule", "load", str(table), "--reason", "기준표", check=True)
    app, poa = rec.add("전입신고서", captured=datetime(2026, 3, 2, 1), docs=2)
    paper(rec, app, doc_type="전입신고서", receipt_no="2026-서초-00123", applicant="홍길동")
    paper(rec, poa, doc_type="위임장", receipt_no="2026-서초-00123", applicant="홍길동")
    sql(rec.root, "update documents set title=? where reg_no=?", ("위임장 (똠방각하)", poa))
    [old] = rec.add("전입신고서", captured=datetime(2026, 3, 3, 1))
    sql(rec.root, "update documents set rescan_suggested=? where reg_no=?", (True, old))
    [new] = rec.add("전입신고서", captured=datetime(2026, 3, 3, 2))
    [other] = rec.add("전입신고서", captured=datetime(2026, 3, 4, 1), doc_date=datetime(2025, 12, 1).date())
    for r in (app, poa, old, new, other):
        classify_documents(rec.arch, [r])
    cli(rec.root, "inspect", "supersede", old, "--by", new, "--reason", "재스캔", check=True)
    cli(rec.root, "inspect", "pass", "2026-서초-00123", "--reason", "이상 없음", check=True)
    rec.clock.set(2027, 1, 10)
    return app, poa, old, new, other


def read_csv(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    text = data[3:].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(text.splitlines()))


def test_registry_export(rec, year, tmp_path):
    app, poa, old, new, other = year
    out = tmp_path / "대장"
    res = json.loads(cli(rec.root, "registry", "export", "--year", "2026", "--out", str(out), "--json",
                         check=True).stdout)
    assert res["items"] == 4 and res["files"] == 1
    items = read_csv(out / "기록물등록대장-2026.csv")
    assert list(items[0])[:4] == ["생산등록번호", "girok 등록번호", "등록일자", "제목"]
    by = {r["girok 등록번호"]: r for r in items}
    assert set(by) == {app, poa, old, new}
    assert by[app]["생산등록번호"] == f"{OFFICE}202600000100" and by[app]["신청인"] == "홍*동"
    assert by[app]["접수번호"] == "2026-서초-00123" and by[app]["검수"] == "합격" and by[new]["검수"] == "미검수"
    assert by[old]["재스캔 대체"] == new and by[app]["기록물철 분류번호"] == FILE
    assert by[app]["보존기간"] == "10년" and by[app]["상태"] == "보존"
    [f] = read_csv(out / "기록물철대장-2026.csv")
    assert f["분류번호"] == FILE and f["등록 건수"] == "3" and f["보존기간"] == "10년"  # the superseded copy not counted
    assert (f["단위과제코드"], f["철 일련번호"], f["권호수"], f["종결 여부"]) == (TASK, "000001", "001", "진행")
    [ev] = rec.events("registry-export")
    assert json.loads(ev.detail)["year"] == 2026 and ev.actor


# --- a reader of the production report, written from the documented layout --------------------------------------


def parse_report(folder: Path) -> tuple[dict, dict]:
    """({kind: [records as field lists]}, the envelope's attributes and files) of the one report in ``folder``."""
    [envelope] = folder.glob(f"{OFFICE}_PROD_REPORT_*.xml")
    raw = envelope.read_bytes()
    text = raw.decode("euc_kr")
    assert text.startswith('<?xml version="1.0" encoding="EUC-KR"?>')
    root = ET.fromstring(text.split("?>", 1)[1].split(">", 1)[1])  # without the declaration and the DOCTYPE
    assert root.tag == "exchange"
    listed = {f.get("name"): int(f.get("size")) for f in root.find("fileList")}
    records = {}
    for name, size in listed.items():
        kind = name[len(OFFICE) + 1:].rsplit("_", 1)[0]
        data = (folder / name).read_bytes()
        assert len(data) == size, name
        assert name.startswith(f"{OFFICE}_{kind}_") and name.endswith(".txt")
        lines = data.decode("euc_kr").split("\r\n") if data else []  # strict: not UTF-8, not CP949-only
        assert not data.endswith(b"\r\n")
        records[kind] = [line.split("\x00") for line in lines]
        for rec_ in records[kind]:
            assert len(rec_) == COUNTS[kind], (kind, len(rec_))
    return records, dict(root.attrib)


def test_production_report_parses(rec, year, tmp_path):
    app, poa, old, new, other = year
    out = tmp_path / "생산현황"
    res = json.loads(cli(rec.root, "report", "production", "--year", "2026", "--out", str(out), "--json",
                         check=True).stdout)
    assert res["unencodable"] == 1  # 똠 is not in EUC-KR (KS X 1001): written as '?', and said so
    records, env = parse_report(out)
    assert env["year"] == "2026" and env["orgCode"] == OFFICE and env["workCode"] == "PROD_REPORT"
    assert env["workDiv"] == "product"
    assert set(records) == set(COUNTS) and records["PROD_GFILEHIST"] == []
    [g] = records["PROD_GFILE"]
    gf = dict(zip(["dept", "name", "year", "series", "seq", "volume", "subject"], g))
    assert (gf["dept"], gf["year"], gf["series"], gf["seq"], gf["volume"]) == (OFFICE, "2026", TASK, "000001", "001")
    assert gf["subject"] == "2026년 전입신고" and g[9] == "10" and g[18] == "3"  # 10년; three items, not four
    docs = records["PROD_DOC"]
    assert len(docs) == 3  # the superseded scan is left out: its re-scan is the record
    by_num = {d[4]: d for d in docs}
    assert set(by_num) == {f"{OFFICE}{n:06d}" for n in (1, 2, 4)}  # 처리과기관코드 + 등록일련번호 (13)
    first = by_num[f"{OFFICE}000001"]
    assert first[3] == "202603021000" and first[6] == "00" and first[16] == FILE and first[12] == "홍*동"
    assert by_num[f"{OFFICE}000002"][7] == "위임장 (?방각하)"
    assert sorted(p[2] for p in records["PROD_PAGE"]) == sorted(by_num)
    assert all(p[0] == OFFICE and p[1] == "2026" and p[4] == "1" for p in records["PROD_PAGE"])
    [ev] = rec.events("production-report")
    d = json.loads(ev.detail)
    assert d["year"] == 2026 and len(d["files"]) == 5 and d["records"]["PROD_DOC"] == 3


def test_the_report_needs_the_office_code(rec, year, tmp_path):
    text = (rec.root / "girok.toml").read_text(encoding="utf-8").replace('office_code = "3210000"\n', "")
    (rec.root / "girok.toml").write_text(text, encoding="utf-8")
    r = cli(rec.root, "report", "production", "--year", "2026", "--out", str(tmp_path / "r"))
    assert r.returncode == 3 and "office_code" in r.stderr
