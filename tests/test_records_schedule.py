"""The 기록관리기준표 (issue 16, item 3): `girok schedule load` (Korean headings, CP949 from Excel, versions
with who and when, the same file twice is one version), and `girok retention apply` with a dry run, so that a
table loaded after documents were archived classifies them, one audited event per change."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from girok.retention.schedule import classify_documents
from helpers_files import BACKENDS, TABLE, rec  # noqa: F401 (rec is a fixture)
from helpers_retention import cli, dump

OFFICE, TASK = "3210000", "00890120"


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    return request.param


@pytest.fixture
def archived(rec):
    """Documents archived and filed before any 기록관리기준표 was loaded: their files have no class."""
    regs = []
    for i, t in enumerate(["전입신고서", "위임장", "개인정보동의서"]):
        [reg] = rec.add(t, captured=datetime(2026, 3, 2, 1, i))
        classify_documents(rec.arch, [reg])
        regs.append(reg)
    return regs


def test_load_keeps_versions_with_who_and_when(rec, tmp_path):
    path = tmp_path / "기록관리기준표.csv"
    path.write_text(TABLE, encoding="cp949")  # as Korean Excel saves it
    first = json.loads(cli(rec.root, "schedule", "load", str(path), "--reason", "2026년 기준표", "--json",
                           check=True).stdout)
    assert first["created"] and first["version"] == 1 and first["count"] == 2
    assert first["loaded_at"] == "2026-03-02T10:00:00+09:00" and first["loaded_by"]
    assert first["tasks"][0] == {"code": TASK, "name": "전입신고", "class": "10년", "reason": "주민등록법 시행령 (예시)"}
    same = json.loads(cli(rec.root, "schedule", "load", str(path), "--reason", "again", "--json", check=True).stdout)
    assert not same["created"] and same["version"] == 1
    rec.clock.set(2027, 1, 5)
    english = tmp_path / "schedule-2027.csv"
    english.write_text("code,name,retention,reason\n00890120,전입신고,5년,개정\n00890777,신규,1년,신설\n",
                       encoding="utf-8-sig")
    second = json.loads(cli(rec.root, "schedule", "load", str(english), "--reason", "2027년 개정", "--json",
                            check=True).stdout)
    assert second["version"] == 2 and second["added"] == ["00890777"] and second["removed"] == ["00890999"]
    assert second["changed"] == [[TASK, "10년", "5년"]]
    shown = [json.loads(x) for x in cli(rec.root, "schedule", "show", "--json", check=True).stdout.splitlines()]
    assert [v["version"] for v in shown] == [1, 2] and shown[1]["loaded_at"].startswith("2027-01-05")
    events = rec.events("schedule-load")
    assert [json.loads(e.detail)["reason"] for e in events] == ["2026년 기준표", "2027년 개정"]
    assert all(e.actor for e in events)
    human = cli(rec.root, "schedule", "show", check=True).stdout
    assert "00890777" in human and "신규" in human


@pytest.mark.parametrize("bad, why", [
    ("단위과제코드,보존기간\n123,5년\n", "not 8 letters or digits"),
    ("단위과제코드,보존기간\n00890120,7년\n", "is not one of"),
    ("단위과제코드,보존기간\n00890120,5년\n00890120,3년\n", "listed twice"),
    ("이름,기간\n00890120,5년\n", "no column"),
])
def test_a_bad_table_loads_nothing(rec, tmp_path, bad, why):
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    r = cli(rec.root, "schedule", "load", str(path), "--reason", "x")
    assert r.returncode == 2 and why in r.stderr
    assert rec.events("schedule-load") == []


def test_a_table_loaded_later_is_applied_with_a_dry_run_first(rec, archived, tmp_path):
    a, b, c = archived
    assert [rec.retention(r).retention_class for r in archived] == ["5년", "10년", "1년"]  # girok.toml [retention]
    path = tmp_path / "기준표.csv"
    path.write_text(TABLE, encoding="utf-8")
    loaded = cli(rec.root, "schedule", "load", str(path), "--reason", "기준표 등록", check=True)
    assert "2 record file(s) have another class" in loaded.stderr and "retention apply" in loaded.stderr

    before = dump(rec.root)
    dry = json.loads(cli(rec.root, "retention", "apply", "--dry-run", "--json", check=True).stdout)
    assert dump(rec.root) == before  # a dry run changes nothing
    assert dry["dry_run"] and dry["version"] == 1 and dry["unfiled"] == 0
    assert [(f["unit_task"], f["previous_class"], f["class"]) for f in dry["files"]] == [
        (TASK, None, "10년"), ("00890999", None, "3년")]
    assert sorted((d["id"], d["previous_class"], d["class"]) for d in dry["documents"]) == [
        (a, "5년", "10년"), (c, "1년", "3년")]  # b (위임장) is 10년 already

    applied = json.loads(cli(rec.root, "retention", "apply", "--json", check=True).stdout)
    assert applied["files"] == dry["files"] and applied["documents"] == dry["documents"]
    assert [rec.retention(r).retention_class for r in archived] == ["10년", "10년", "3년"]
    assert len(rec.events("file-classify")) == 2
    changes = [e for e in rec.events("retention-reclassify") if json.loads(e.detail).get("version") == 1]
    assert sorted(e.reg_no for e in changes) == [a, c] and all(e.actor for e in changes)
    assert json.loads(changes[0].detail)["reason"] == "기록관리기준표 v1 (기준표.csv)"
    again = json.loads(cli(rec.root, "retention", "apply", "--json", check=True).stdout)
    assert again["files"] == [] and again["documents"] == []
    files = [json.loads(x) for x in cli(rec.root, "file", "list", "--json", check=True).stdout.splitlines()]
    assert {f["unit_task"]: f["class"] for f in files} == {TASK: "10년", "00890999": "3년"}
    assert rec.arch.catalog.verify_audit().ok


def test_apply_says_what_it_cannot_reach(rec, tmp_path):
    [reg] = rec.add("혼인신고서")  # no filing rule
    classify_documents(rec.arch, [reg])
    none = cli(rec.root, "retention", "apply", check=True)
    assert "no 기록관리기준표 loaded" in none.stderr
    path = tmp_path / "t.csv"
    path.write_text("단위과제코드,보존기간\n00890120,10년\n", encoding="utf-8")
    cli(rec.root, "schedule", "load", str(path), "--reason", "x", check=True)
    r = cli(rec.root, "retention", "apply", check=True)
    assert "1 document(s) are in no record file" in r.stderr and "girok file auto" in r.stderr
