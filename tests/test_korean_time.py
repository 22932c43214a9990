"""Issue 17, item 6: times stored in UTC, shown in the archive's zone (Asia/Seoul by default) with the offset,
and typed in that zone."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from helpers_records import add_document, girok, sql

from girok.text.times import local_iso, parse_local


def test_local_iso_and_parse_local_round_trip():
    utc = datetime(2026, 3, 1, 0, 30)
    assert local_iso(utc) == "2026-03-01T09:30:00+09:00"
    assert parse_local("2026-03-01T09:30") == utc
    assert parse_local("2026-03-01T00:30+00:00") == utc
    with pytest.raises(ValueError):
        parse_local("yesterday")


@pytest.fixture
def archive(make_archive):
    root = make_archive()
    reg = add_document(root, ["전입신고서 서초구"], name="a.png")
    return root, reg


def _captured_utc(root, reg) -> datetime:
    [(at,)] = sql(root, "SELECT captured_at FROM documents WHERE reg_no = ?", params=(reg,))
    return datetime.fromisoformat(at)


def test_show_search_and_audit_log_speak_korean_time(archive):
    root, reg = archive
    utc = _captured_utc(root, reg)
    shown = json.loads(girok(root, "show", "--json", reg).stdout)
    assert shown["captured_at"] == (utc + timedelta(hours=9)).isoformat(timespec="seconds") + "+09:00"
    [hit] = [json.loads(x) for x in girok(root, "search", "--json", "서초구").stdout.splitlines()]
    assert hit["captured_at"] == shown["captured_at"]
    events = [json.loads(x) for x in girok(root, "audit", "log", "--json").stdout.splitlines()]
    assert events and all(e["at"].endswith("+09:00") for e in events)


def test_since_is_read_in_korean_time(archive):
    root, _ = archive
    [(last_id, at)] = sql(root, "SELECT id, at FROM events ORDER BY id DESC LIMIT 1")
    local = datetime.fromisoformat(at) + timedelta(hours=9)
    after = (local + timedelta(seconds=1)).isoformat(timespec="seconds")
    before = (local - timedelta(seconds=1)).isoformat(timespec="seconds")
    ids_before = [json.loads(x)["id"] for x in girok(root, "audit", "log", "--json", "--since", before).stdout.splitlines()]
    ids_after = [json.loads(x)["id"] for x in girok(root, "audit", "log", "--json", "--since", after).stdout.splitlines()]
    assert last_id in ids_before and last_id not in ids_after


def test_the_zone_is_configurable_and_checked(archive):
    root, reg = archive
    cfg = root / "girok.toml"
    text = cfg.read_text()
    assert 'timezone = "Asia/Seoul"' in text  # what init writes
    cfg.write_text(text.replace('timezone = "Asia/Seoul"', 'timezone = "UTC"'))
    assert json.loads(girok(root, "show", "--json", reg).stdout)["captured_at"].endswith("+00:00")
    cfg.write_text(text.replace('timezone = "Asia/Seoul"', 'timezone = "Mars/Olympus"'))
    r = girok(root, "status")
    assert r.returncode == 3 and "timezone" in r.stderr
