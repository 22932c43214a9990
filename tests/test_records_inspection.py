"""Digitization inspection (issue 16, item 7): pass/fail by document or by case (receipt number), with who,
when, why; a failed or flagged document superseded by its re-scan (linked both ways, both kept, counted
once); paper originals due a configurable time after inspection passed, and their destruction recorded."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from girok.retention.schedule import classify_documents
from helpers_files import BACKENDS, paper, rec  # noqa: F401 (rec is a fixture)
from helpers_retention import cli, sql


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    return request.param


@pytest.fixture
def scanned(rec):
    """A case (application + 위임장, one batch) and a 전입신고서 OCR flagged for a re-scan; today 2026-03-02."""
    app, poa = rec.add("전입신고서", captured=datetime(2026, 3, 2, 1), docs=2)
    paper(rec, app, doc_type="전입신고서", receipt_no="2026-서초-00123", applicant="홍길동")
    paper(rec, poa, doc_type="위임장", receipt_no="2026-서초-00123", applicant="홍길동")
    [blurred] = rec.add("전입신고서", captured=datetime(2026, 3, 2, 2))
    sql(rec.root, "update documents set rescan_suggested=? where reg_no=?", (True, blurred))
    for r in (app, poa, blurred):
        classify_documents(rec.arch, [r])
    rec.clock.set(2026, 3, 2)  # 10:00 in Korea
    return app, poa, blurred


def states(rec, state="all") -> dict:
    out = cli(rec.root, "inspect", "list", "--state", state, "--json", check=True).stdout
    return {d["reg"]: d for d in map(json.loads, out.splitlines())}


def test_inspection_by_case_with_who_when_why(rec, scanned):
    app, poa, blurred = scanned
    assert set(states(rec, "open")) == {app, poa, blurred}  # nothing inspected yet
    r = json.loads(cli(rec.root, "inspect", "pass", "2026-서초-00123", "--reason", "원본 대조 이상 없음", "--json",
                       check=True).stdout)
    assert [(i["reg"], i["result"], i["at"]) for i in r["inspections"]] == [
        (app, "pass", "2026-03-02T10:00:00+09:00"), (poa, "pass", "2026-03-02T10:00:00+09:00")]
    assert cli(rec.root, "inspect", "fail", blurred).returncode == 2  # --reason is required
    cli(rec.root, "inspect", "fail", blurred, "--reason", "2쪽 흐림", check=True)
    got = states(rec)
    assert got[app]["state"] == "pass" and got[app]["inspection"]["by"] and got[app]["paper_due_on"] == "2026-09-02"
    assert got[blurred]["state"] == "fail" and got[blurred]["inspection"]["reason"] == "2쪽 흐림"
    assert set(states(rec, "open")) == {blurred}
    events = rec.events("inspect-pass") + rec.events("inspect-fail")
    assert sorted(e.reg_no for e in events) == sorted([app, poa, blurred])
    assert all(e.actor and json.loads(e.detail)["reason"] for e in events)
    assert cli(rec.root, "inspect", "pass", "GR-1999-000001", "--reason", "x").returncode == 6


def test_batch_option_reaches_the_whole_scan(rec, scanned):
    app, poa, _ = scanned
    r = json.loads(cli(rec.root, "inspect", "pass", app, "--batch", "--reason", "묶음 검수", "--json",
                       check=True).stdout)
    assert [i["reg"] for i in r["inspections"]] == [app, poa]


def test_a_rescan_supersedes_and_is_counted_once(rec, scanned):
    app, poa, blurred = scanned
    refused = cli(rec.root, "inspect", "supersede", app, "--by", poa, "--reason", "x")
    assert refused.returncode == 2 and "neither failed" in refused.stderr
    [rescan] = rec.add("전입신고서", captured=datetime(2026, 3, 3, 1))
    classify_documents(rec.arch, [rescan])
    file_no = json.loads(cli(rec.root, "show", blurred, "--json", check=True).stdout)
    files = [json.loads(x) for x in cli(rec.root, "file", "list", "--json", check=True).stdout.splitlines()]
    before = sum(f["count"] for f in files)
    s = json.loads(cli(rec.root, "inspect", "supersede", blurred, "--by", rescan, "--reason", "재스캔", "--json",
                       check=True).stdout)
    assert (s["reg"], s["by"]) == (blurred, rescan)
    again = cli(rec.root, "inspect", "supersede", blurred, "--by", rescan, "--reason", "x")
    assert again.returncode == 2 and "already superseded" in again.stderr
    got = states(rec)
    assert got[blurred]["state"] == "superseded" and got[blurred]["superseded_by"] == rescan
    assert got[rescan]["supersedes"] == [blurred]  # linked both ways
    files = [json.loads(x) for x in cli(rec.root, "file", "list", "--json", check=True).stdout.splitlines()]
    assert sum(f["count"] for f in files) == before - 1  # the re-scan counts, the superseded copy not
    assert cli(rec.root, "show", blurred, "--json", check=True).returncode == 0  # both stay archived
    assert file_no["id"] == blurred
    [ev] = rec.events("supersede")
    assert ev.reg_no == f"{blurred},{rescan}" and json.loads(ev.detail)["reason"] == "재스캔"


def test_paper_is_due_six_months_after_inspection(rec, scanned):
    app, poa, blurred = scanned
    cli(rec.root, "inspect", "pass", "2026-서초-00123", "--reason", "이상 없음", check=True)
    cli(rec.root, "inspect", "fail", blurred, "--reason", "흐림", check=True)
    early = json.loads(cli(rec.root, "paper", "due", "--as-of", "2026-09-01", "--json", check=True).stdout)
    assert early["due"] == []
    assert [d["reg"] for d in json.loads(cli(rec.root, "paper", "due", "--as-of", "2026-09-02", "--json",
                                             check=True).stdout)["due"]] == [app, poa]
    rec.clock.set(2026, 9, 2)
    cli(rec.root, "hold", "add", "--id", poa, "--reason", "감사 2026", check=True)
    due = json.loads(cli(rec.root, "paper", "due", "--json", check=True).stdout)
    assert [d["reg"] for d in due["due"]] == [app] and [d["reg"] for d in due["held"]] == [poa]
    refused = cli(rec.root, "paper", "destroyed", app, poa, "--reason", "파쇄")
    assert refused.returncode == 2 and poa in refused.stderr and rec.events("paper-destroy") == []
    assert cli(rec.root, "paper", "destroyed", blurred, "--reason", "파쇄").returncode == 2  # failed inspection
    done = json.loads(cli(rec.root, "paper", "destroyed", app, "--reason", "검수 후 6개월, 파쇄", "--json",
                          check=True).stdout)
    assert done["ids"] == [app]
    assert json.loads(cli(rec.root, "paper", "destroyed", app, "--reason", "again", "--json",
                          check=True).stdout)["ids"] == []
    assert json.loads(cli(rec.root, "paper", "due", "--json", check=True).stdout)["due"] == []
    [ev] = rec.events("paper-destroy")
    assert ev.reg_no == app and json.loads(ev.detail)["reason"] == "검수 후 6개월, 파쇄" and ev.actor
    assert states(rec)[app]["paper_destroyed_at"] == "2026-09-02T10:00:00+09:00"
    assert rec.arch.catalog.verify_audit().ok


def test_the_keeping_time_is_configurable(rec, scanned):
    text = (rec.root / "girok.toml").read_text(encoding="utf-8").replace("paper_keep_months = 6",
                                                                         "paper_keep_months = 1")
    (rec.root / "girok.toml").write_text(text, encoding="utf-8")
    cli(rec.root, "inspect", "pass", scanned[0], "--reason", "ok", check=True)
    due = json.loads(cli(rec.root, "paper", "due", "--as-of", "2026-04-02", "--json", check=True).stdout)
    assert [d["reg"] for d in due["due"]] == [scanned[0]]
