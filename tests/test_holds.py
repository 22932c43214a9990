"""Legal holds: held documents are listed apart, never due, never disposed of, whatever was decided."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from conftest import json_lines
from girok.retention.disposal import dispose
from girok.retention.holds import add_hold, list_holds, release_hold
from girok.retention.review import review
from girok.errors import Disposed, NotFound, UsageError
from helpers_retention import BACKENDS, approve, cli, dump, env  # noqa: F401 (env is a fixture)


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    """``env`` on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
def due3(env):
    regs = env.add("전입신고서", captured=datetime(2019, 5, 2, 3), text="서초구 전입신고서") + \
        env.add("전입신고서", captured=datetime(2019, 6, 3, 3), text="강남구 전입신고서") + \
        env.add("개인정보동의서", captured=datetime(2018, 1, 2, 3), text="서초구 동의서")
    env.clock.set(2026, 3, 2)
    return regs


def test_held_documents_are_listed_apart_and_never_due(env, due3):
    a, b, c = due3
    h = add_hold(env.arch, reason="소송 2026가합1234", reg_nos=[a])
    assert h.id == 1 and h.documents == [a]
    for on in (date(2026, 3, 2), date(2100, 1, 1)):
        rl = review(env.arch, on)
        assert a not in [i.reg_no for i in rl.due]
        assert [(i.reg_no, i.holds) for i in rl.held] == [(a, [(1, "소송 2026가합1234")])]
    [ev] = env.events("hold-add")
    assert ev.reg_no == a and json.loads(ev.detail) == {"hold": 1, "reason": "소송 2026가합1234", "query": None}


def test_a_hold_stops_an_approved_disposal_until_released(env, due3):
    a, b, c = due3
    approve(env, [a, b])
    add_hold(env.arch, reason="감사원 감사", reg_nos=[a])  # placed after the committee decided
    files = env.files(a)
    rep = dispose(env.arch)
    assert rep.disposed == [b]
    assert [(p.reg_no, p.status, p.reason) for p in rep.planned] == [(a, "held", "hold 1: 감사원 감사"),
                                                                      (b, "dispose", "")]
    assert all(f.exists() for f in files) and env.arch.catalog.get(a)
    assert dispose(env.arch).disposed == []  # still held: every run leaves it
    _, released = release_hold(env.arch, 1, reason="감사 종료")
    assert released
    assert dispose(env.arch).disposed == [a]  # the approval stands once the hold is gone
    assert not any(f.exists() for f in files)
    assert env.arch.catalog.verify_audit().ok


def test_any_active_hold_is_enough(env, due3):
    a = due3[0]
    approve(env, [a])
    add_hold(env.arch, reason="소송 A", reg_nos=[a])
    add_hold(env.arch, reason="소송 B", reg_nos=[a])
    release_hold(env.arch, 1, reason="A 종결")
    assert dispose(env.arch).disposed == []
    release_hold(env.arch, 2, reason="B 종결")
    assert dispose(env.arch).disposed == [a]


def test_hold_by_query_holds_what_the_search_finds_now(env, due3):
    a, b, c = due3
    before = dump(env.root)
    dry = add_hold(env.arch, reason="정보공개 청구", query="서초구", dry_run=True)
    assert dry.id == 0 and sorted(dry.documents) == sorted([a, c])
    assert dump(env.root) == before  # a dry run changes nothing
    h = add_hold(env.arch, reason="정보공개 청구", query="서초구")
    assert sorted(h.documents) == sorted([a, c]) and h.query == "서초구"
    assert sorted(i.reg_no for i in review(env.arch, date(2026, 3, 2)).held) == sorted([a, c])
    later = env.add("전입신고서", text="서초구 새 서류")  # captured after the hold: not held
    assert later[0] not in list_holds(env.arch)[0].documents


def test_release_and_list(env, due3):
    a, b, _ = due3
    add_hold(env.arch, reason="소송 1", reg_nos=[a, b])
    add_hold(env.arch, reason="소송 2", reg_nos=[b])
    info, now = release_hold(env.arch, 1, reason="판결 확정")
    assert now and info.released_at == env.clock.now and info.release_reason == "판결 확정"
    assert [e.reg_no for e in env.events("hold-release")] == [a, b]
    again, now = release_hold(env.arch, 1, reason="again")  # idempotent
    assert not now and again.release_reason == "판결 확정" and len(env.events("hold-release")) == 2
    assert [h.id for h in list_holds(env.arch)] == [2]
    assert [(h.id, h.active) for h in list_holds(env.arch, include_released=True)] == [(1, False), (2, True)]
    assert [i.reg_no for i in review(env.arch, date(2026, 3, 2)).held] == [b]


@pytest.mark.parametrize("kw, err, says", [
    ({"reason": "", "reg_nos": ["X"]}, UsageError, "needs a reason"),
    ({"reason": "r"}, UsageError, "--id or with --query"),
    ({"reason": "r", "reg_nos": ["GR-2019-000001"], "query": "서초구"}, UsageError, "--id or with --query"),
    ({"reason": "r", "reg_nos": ["GR-1999-000001"]}, NotFound, "no document"),
    ({"reason": "r", "query": "없는말"}, NotFound, "no documents match"),
])
def test_hold_errors(env, due3, kw, err, says):
    before = dump(env.root)
    with pytest.raises(err, match=says):
        add_hold(env.arch, **kw)
    assert dump(env.root) == before


def test_a_disposed_document_cannot_be_held(env, due3):
    approve(env, [due3[0]])
    dispose(env.arch)
    with pytest.raises(Disposed, match="disposed of"):
        add_hold(env.arch, reason="너무 늦음", reg_nos=[due3[0]])
    with pytest.raises(NotFound, match="no hold with number 9"):
        release_hold(env.arch, 9, reason="x")


def test_holds_on_the_command_line(env, due3):
    a, b, c = due3
    p = cli(env.root, "hold", "add", "--id", f"{a},{b}", "--reason", "소송 2026가합1234", "--json", check=True)
    h = json_lines(p.stdout)[0]
    assert h["id"] == 1 and [d["id"] for d in h["documents"]] == [a, b] and h["active"] and not h["dry_run"]
    assert h["documents"][0]["type"] == "전입신고서" and h["placed_at"].endswith("+09:00")
    p = cli(env.root, "hold", "add", "--query", "동의서", "--reason", "감사", check=True)
    assert f"hold 2: {c}" in p.stderr and "placed hold 2 on 1 document(s)" in p.stderr
    listed = json_lines(cli(env.root, "hold", "list", "--json", check=True).stdout)
    assert [(x["id"], x["count"]) for x in listed] == [(1, 2), (2, 1)]
    assert "released hold 1" in cli(env.root, "hold", "release", "1", "--reason", "취하", check=True).stderr
    assert "already released" in cli(env.root, "hold", "release", "1", "--reason", "취하", check=True).stderr
    assert "소송 2026가합1234" in cli(env.root, "hold", "list", "--all", check=True).stdout
    assert cli(env.root, "hold", "add", "--reason", "r").returncode == 2
    assert cli(env.root, "hold", "add", "--id", "GR-1999-000001", "--reason", "r").returncode == 6
    assert cli(env.root, "hold", "release", "7", "--reason", "r").returncode == 6
    assert cli(env.root, "hold", "add", "--id", a).returncode == 2  # --reason is required
