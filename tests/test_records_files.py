"""Record files (issue 16, items 2 and 5): filing at capture by girok.toml [files] with a fixed clock, volume
roll-over, one file per unit task and year, the standard numbers (19 and 28 characters), `girok file
list|show|create|move|close|auto` audited with actor and reason, and an archive made before migration 0010."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from girok.errors import ConfigError
from girok.retention.files import file_documents
from girok.retention.schedule import classify_documents
from helpers_files import BACKENDS, paper, rec  # noqa: F401 (rec is a fixture)
from helpers_retention import cli, make_env, sql

OFFICE, TASK = "3210000", "00890120"


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    return request.param


def captured(rec, doc_type="전입신고서", *, when=datetime(2026, 3, 2, 1), doc_date=None) -> str:
    """One document archived as ingest keeps it: catalogued, then the capture-time hook (class, number, file)."""
    [reg] = rec.add(doc_type, captured=when, doc_date=doc_date)
    classify_documents(rec.arch, [reg])
    return reg


def files(rec) -> list[dict]:
    return [json.loads(x) for x in cli(rec.root, "file", "list", "--json", check=True).stdout.splitlines()]


def test_filing_at_capture_rolls_over_to_a_new_volume(rec):
    regs = [captured(rec, when=datetime(2026, 3, 2, 1, i)) for i in range(4)]  # volume_size = 3
    got = files(rec)
    assert [(f["number"], f["volume"], f["count"], f["closed"]) for f in got] == [
        (f"{OFFICE}{TASK}2026000001001", 1, 3, True), (f"{OFFICE}{TASK}2026000001002", 2, 1, False)]
    assert all(len(f["number"]) == 28 and f["title"] == "2026년 전입신고" and f["unit_task"] == TASK for f in got)
    assert got[0]["created_at"] == "2026-03-02T10:00:00+09:00"  # the fixed clock, in Korean time
    shown = [json.loads(cli(rec.root, "show", r, "--json", check=True).stdout) for r in regs]
    assert [d["record_no"] for d in shown] == [f"{OFFICE}2026{n:06d}00" for n in range(1, 5)]
    assert all(len(d["record_no"]) == 19 and d["id"] == r for d, r in zip(shown, regs))  # girok's number stays
    f2 = json.loads(cli(rec.root, "file", "show", got[1]["number"], "--json", check=True).stdout)
    assert [d["id"] for d in f2["documents"]] == [regs[3]]
    actions = [e.action for e in rec.events() if e.action.startswith(("file-", "record-"))]
    assert actions.count("file-create") == 2 and actions.count("file-close") == 1
    assert actions.count("record-number") == 4 and actions.count("file-add") == 4
    close = next(e for e in rec.events("file-close"))
    assert json.loads(close.detail)["reason"] == "volume full (3 items)" and close.actor
    assert rec.arch.catalog.verify_audit().ok


def test_one_file_per_unit_task_and_year(rec):
    a = captured(rec, doc_date=date(2025, 12, 30))  # the paper's year, not the scanning year
    b = captured(rec)
    c = captured(rec, "개인정보동의서")
    d = captured(rec, "혼인신고서")  # no rule: numbered, not filed
    got = {(f["unit_task"], f["year"]): f for f in files(rec)}
    assert set(got) == {(TASK, 2025), (TASK, 2026), ("00890999", 2026)}
    assert got[(TASK, 2025)]["number"] == f"{OFFICE}{TASK}2025000001001"  # serials count per year
    assert got[("00890999", 2026)]["number"] == f"{OFFICE}00890999" + "2026000002001"
    numbers = {r: json.loads(cli(rec.root, "show", r, "--json", check=True).stdout)["record_no"] for r in (a, b, c, d)}
    assert numbers[a] == f"{OFFICE}202500000100" and numbers[d].startswith(f"{OFFICE}2026")
    auto = json.loads(cli(rec.root, "file", "auto", "--json", check=True).stdout)
    assert auto["filed"] == [] and auto["unruled"] == {"혼인신고서": 1}


def test_create_move_close_are_audited(rec):
    a, b = captured(rec), captured(rec)
    made = json.loads(cli(rec.root, "file", "create", "--unit-task", "00890999", "--year", "2026", "--title",
                          "2026년 민원 기타", "--reason", "분류 정리", "--json", check=True).stdout)
    assert made["number"] == f"{OFFICE}008909992026000002001" and made["class"] is None
    assert cli(rec.root, "file", "move", a, "--to", str(made["id"])).returncode == 2  # --reason is required
    moved = json.loads(cli(rec.root, "file", "move", a, "--to", made["number"], "--reason", "잘못 편철", "--json",
                           check=True).stdout)
    assert moved["moved"] and moved["from"] == f"{OFFICE}{TASK}2026000001001" and moved["to"]["count"] == 1
    again = json.loads(cli(rec.root, "file", "move", a, "--to", str(made["id"]), "--reason", "x", "--json",
                           check=True).stdout)
    assert not again["moved"]
    closed = json.loads(cli(rec.root, "file", "close", str(made["id"]), "--reason", "연말 종결", "--json",
                            check=True).stdout)
    assert closed["closed"] and closed["closed_now"] and closed["closed_at"].endswith("+09:00")
    refused = cli(rec.root, "file", "move", b, "--to", str(made["id"]), "--reason", "x")
    assert refused.returncode == 2 and "closed" in refused.stderr
    assert cli(rec.root, "file", "show", "999").returncode == 6
    [ev] = rec.events("file-move")
    assert ev.reg_no == a and json.loads(ev.detail)["reason"] == "잘못 편철" and ev.actor
    assert [json.loads(e.detail)["reason"] for e in rec.events("file-close")] == ["연말 종결"]
    listed = cli(rec.root, "file", "list", check=True).stdout
    assert made["number"] in listed  # (titles may wrap at 80 columns)


def test_an_item_takes_its_files_class(rec, tmp_path):
    """Filed in a file whose unit task the 기록관리기준표 lists, an item is re-classified to the file's class."""
    from helpers_files import TABLE

    table = tmp_path / "기준표.csv"
    table.write_text(TABLE, encoding="utf-8")
    cli(rec.root, "schedule", "load", str(table), "--reason", "2026 기준표", check=True)
    reg = captured(rec)  # 전입신고서: 5년 by girok.toml [retention]; its unit task: 10년
    assert rec.retention(reg).retention_class == "10년"
    [ev] = rec.events("retention-reclassify")
    d = json.loads(ev.detail)
    assert (d["from"], d["to"], d["file"]) == ("5년", "10년", f"{OFFICE}{TASK}2026000001001")


def test_file_auto_needs_the_office_code(make_archive, monkeypatch):
    env = make_env(make_archive, monkeypatch)
    try:
        env.add("전입신고서")
        r = cli(env.root, "file", "auto")
        assert r.returncode == 3 and "office_code" in r.stderr
        with (env.root / "girok.toml").open("a", encoding="utf-8") as fh:
            fh.write('\n[records]\noffice_code = "12345"\n')
        with pytest.raises(ConfigError):
            file_documents(env.arch)
    finally:
        env.arch.close()


def test_an_archive_from_before_the_migration(rec):
    """Documents archived before migration 0010 keep their numbers; `girok file auto` gives them standard
    numbers and files them; both are shown."""
    from alembic import command

    from girok.archive.layout import Archive
    from girok.catalog.repository import HEAD_REVISION, _alembic_config

    old = rec.add("전입신고서", captured=datetime(2025, 6, 1, 1)) + rec.add("위임장", captured=datetime(2025, 7, 1, 1))
    cat = rec.arch.catalog
    with cat.engine.connect() as conn, cat.dialect.schema_change(conn):
        with conn.begin():
            command.downgrade(_alembic_config(conn), "0009")
    rec.arch.close()
    assert "record_no" not in {c for (c,) in _columns(rec)}
    rec.arch = Archive.open(rec.root)  # opening migrates it to the newest revision
    assert cat.current_revision() == HEAD_REVISION
    before = [json.loads(cli(rec.root, "show", r, "--json", check=True).stdout) for r in old]
    assert [d["record_no"] for d in before] == [None, None] and [d["id"] for d in before] == old
    auto = json.loads(cli(rec.root, "file", "auto", "--reason", "기존 기록 편철", "--json", check=True).stdout)
    assert [n["reg"] for n in auto["numbered"]] == old and len(auto["filed"]) == 2
    after = [json.loads(cli(rec.root, "show", r, "--json", check=True).stdout) for r in old]
    assert [d["id"] for d in after] == old  # never renumbered
    assert [d["record_no"] for d in after] == [f"{OFFICE}202500000100", f"{OFFICE}202500000200"]
    human = cli(rec.root, "show", old[0], check=True).stdout
    assert old[0] in human and f"{OFFICE}202500000100" in human
    assert rec.arch.catalog.verify_audit().ok


def _columns(rec) -> list[tuple]:
    if rec.backend == "sqlite":
        return [(r[1],) for r in sql(rec.root, "pragma table_info(documents)")]
    return sql(rec.root, "select column_name from information_schema.columns where table_name = 'documents'")
