"""`girok audit verify` and `girok audit log` through the CLI: tampering is found and the event named,
views and searches are recorded, and no clear 주민등록번호 ever enters the trail."""

from __future__ import annotations

import json

import pytest

from conftest import json_lines, run_girok
from girok.catalog.audit import GENESIS, event_hash
from girok.catalog.repository import Catalog
from girok.errors import AuditBroken
from helpers_records import add_document, girok, sql

RRN = "870501-1196406"


@pytest.fixture
def archive(make_archive):
    root = make_archive()
    add_document(root, ["서초구 민원실 전입신고서", f"신청서 신청인 홍길동 {RRN}"], name=f"홍길동_{RRN}.png")
    add_document(root, ["토지대장 발급 신청서"], name="토지대장.png")
    return root  # events: 1 init, 2 capture, 3 capture


def verify(archive, *args):
    return girok(archive, "audit", "verify", *args)


def test_intact_trail_verifies_and_prints_its_head(archive):
    proc = verify(archive)
    assert proc.returncode == 0, proc.stderr
    assert "3 event(s)" in proc.stdout
    [d] = json_lines(verify(archive, "--json").stdout)
    assert d["ok"] and d["events"] == 3 and d["head_id"] == 3 and len(d["head_hash"]) == 64
    assert d["head_hash"] in proc.stdout


def _flip_one_byte(archive, event_id):
    [(detail,)] = sql(archive, f"select detail from events where id={event_id}")
    i = detail.index("default")  # the profile name in a capture event
    changed = detail[:i] + ("D" if detail[i] != "D" else "d") + detail[i + 1:]
    sql(archive, f"update events set detail=? where id={event_id}", params=(changed,))


def _delete(archive, event_id):
    sql(archive, f"delete from events where id={event_id}")


def _insert(archive, event_id):
    # a copy of event 1 lands at event_id; the events from there on move up by one
    sql(archive, f"update events set id=id+100 where id>={event_id}",
        f"insert into events (id, at, actor, action, reg_no, detail, prev_hash, hash) "
        f"select {event_id}, at, actor, action, reg_no, detail, prev_hash, hash from events where id=1")


def _swap(archive, event_id):
    other = event_id + 1
    sql(archive, f"update events set id=-1 where id={event_id}", f"update events set id={event_id} where id={other}",
        f"update events set id={other} where id=-1")


@pytest.mark.parametrize("tamper, event_id, words", [
    (_flip_one_byte, 2, "altered"), (_delete, 2, "removed"), (_insert, 2, "inserted"), (_swap, 2, "moved"),
])
def test_tampering_fails_verify_and_names_the_event(archive, tamper, event_id, words):
    tamper(archive, event_id)
    proc = run_girok(archive, "audit", "verify")  # a real process: the exit code a cron job sees
    assert proc.returncode == AuditBroken.exit_code, proc.stdout + proc.stderr
    # deleting event 2 leaves event 3 as the first that does not fit
    named = 3 if tamper is _delete else event_id
    assert f"event {named} (" in proc.stderr and words in proc.stderr
    [d] = json_lines(verify(archive, "--json").stdout)
    assert not d["ok"] and d["first_bad_id"] == named and d["head_hash"] == ""


def test_a_rewritten_trail_is_caught_only_against_a_recorded_hash(archive):
    [before] = json_lines(verify(archive, "--json").stdout)
    # someone rewrites event 2 and recomputes every hash after it: the chain alone cannot tell
    sql(archive, "update events set detail='{\"profile\": \"forged\"}' where id=2")
    c = Catalog(archive / "catalog.sqlite")
    prev = GENESIS
    for ev in c.events(limit=10)[::-1]:
        h = event_hash(prev, ev.at, ev.actor, ev.action, ev.reg_no, ev.detail)
        sql(archive, f"update events set prev_hash='{prev}', hash='{h}' where id={ev.id}")
        prev = h
    c.close()
    assert verify(archive).returncode == 0
    proc = verify(archive, "--expect", before["head_hash"])
    assert proc.returncode == AuditBroken.exit_code
    assert "no event has the recorded hash" in proc.stderr


def test_expect_accepts_an_earlier_head_after_more_events(archive):
    [before] = json_lines(verify(archive, "--json").stdout)
    add_document(archive, ["건축물대장"], name="건축물대장.png")
    proc = verify(archive, "--expect", before["head_hash"])
    assert proc.returncode == 0 and "event 3" in proc.stdout


def test_views_and_searches_are_events_without_clear_rrns(archive):
    assert girok(archive, "search", "--json", "민원실").returncode == 0
    assert girok(archive, "search", "--json", RRN).returncode == 1  # no hits: exit 1, as without --json (issue 17)
    [hit] = json_lines(girok(archive, "search", "--json", "토지대장").stdout)
    girok(archive, "show", hit["id"], check=True)  # metadata only: not a view of the text
    girok(archive, "show", hit["id"], "--text", check=True)
    log = json_lines(girok(archive, "audit", "log", "--json", check=True).stdout)
    actions = [e["action"] for e in log]
    assert actions == ["init", "capture", "capture", "search", "search", "search", "view"]
    searches = [e for e in log if e["action"] == "search"]
    assert searches[0]["detail"] == {"query": "민원실", "hits": 1} and searches[0]["ids"] == ["GR-2026-000001"]
    assert searches[1]["detail"]["query"] == "870501-1******"
    assert log[-1]["ids"] == [hit["id"]] and log[-1]["detail"] == {"what": "text"}
    assert log[1]["detail"]["source"] == "홍길동_870501-1******.png"  # masked when the event was written
    everything = json.dumps(sql(archive, "select * from events"), ensure_ascii=False)
    assert "1196406" not in everything
    assert verify(archive).returncode == 0


def test_log_filters_by_document_and_date(archive):
    girok(archive, "search", "--json", "신청서", check=True)  # finds both documents
    both = json_lines(girok(archive, "audit", "log", "--json", "--document", "GR-2026-000002").stdout)
    assert [e["action"] for e in both] == ["capture", "search"]
    assert sorted(both[1]["ids"]) == ["GR-2026-000001", "GR-2026-000002"]
    # 'GR-2026-00000_' must not match like a SQL pattern
    assert json_lines(girok(archive, "audit", "log", "--json", "--document", "GR-2026-00000_").stdout) == []
    assert len(json_lines(girok(archive, "audit", "log", "--json", "--since", "2000-01-01").stdout)) == 4
    assert json_lines(girok(archive, "audit", "log", "--json", "--since", "2999-01-01").stdout) == []
    text = girok(archive, "audit", "log", "--document", "GR-2026-000001").stdout
    assert "capture" in text and "GR-2026-000001" in text
    bad = girok(archive, "audit", "log", "--since", "yesterday")
    assert bad.returncode == 2 and "not a date" in bad.stderr
