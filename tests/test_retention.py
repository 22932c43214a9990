"""Retention classes and due dates, the schedule in girok.toml, classification, review and decisions."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime

import pytest

from girok.retention.decide import decide
from girok.retention.schedule import (classify_unclassified, due_date, korean_date, load_schedule, parse_class,
                                     reclassify)
from girok.retention.review import review
from girok.retention.reviewfile import write_review
from girok.errors import ConfigError, NotFound, RetentionRefused, UsageError
from helpers_retention import BACKENDS, dump, env, sql  # noqa: F401 (env is a fixture)


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    """``env`` on SQLite and on PostgreSQL."""
    return request.param


# --- period arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize("cls, due", [("30년", date(2050, 1, 1)), ("10년", date(2030, 1, 1)),
                                      ("5년", date(2025, 1, 1)), ("3년", date(2023, 1, 1)),
                                      ("1년", date(2021, 1, 1)), ("영구", None), ("준영구", None)])
def test_period_counts_from_1_january_after_completion(cls, due):
    for completed in (date(2019, 1, 1), date(2019, 6, 30), date(2019, 12, 31)):
        assert due_date(cls, completed) == due


def test_year_boundary_and_leap_days():
    assert due_date("1년", date(2019, 12, 31)) == date(2021, 1, 1)
    assert due_date("1년", date(2020, 1, 1)) == date(2022, 1, 1)  # one day later, one year later
    assert due_date("5년", date(2020, 2, 29)) == date(2026, 1, 1)
    assert due_date("3년", date(2024, 2, 29)) == date(2028, 1, 1)
    assert due_date("1년", date(2023, 2, 28)) == due_date("1년", date(2023, 12, 31)) == date(2025, 1, 1)


def test_completion_day_is_the_korean_calendar_day():
    assert korean_date(datetime(2019, 12, 31, 14, 59)) == date(2019, 12, 31)
    assert korean_date(datetime(2019, 12, 31, 15, 0)) == date(2020, 1, 1)  # 00:00 KST
    assert korean_date(datetime(2024, 2, 28, 15, 30)) == date(2024, 2, 29)


@pytest.mark.parametrize("text, cls", [("5년", "5년"), (" 5 년 ", "5년"), ("5y", "5년"), ("permanent", "영구"),
                                       ("Semi-Permanent", "준영구"), ("준영구", "준영구"), ("7년", None), ("", None)])
def test_parse_class(text, cls):
    assert parse_class(text) == cls


# --- the schedule ---------------------------------------------------------------------------


def write_schedule(env, text: str):
    cfg = env.root / "girok.toml"
    base = cfg.read_text(encoding="utf-8").split("\n[retention]")[0]
    cfg.write_text(base + text, encoding="utf-8")


def test_schedule_is_read_from_girok_toml(env):
    s = load_schedule(env.arch.config)
    assert s.default == "10년"
    assert s.types == {"전입신고서": "5년", "주민등록표": "영구", "개인정보동의서": "1년"}
    assert s.profiles == {"backlog-duplex": "준영구"}
    assert s.class_for("전입신고서", "backlog-duplex") == ("5년", "schedule: type 전입신고서")
    assert s.class_for("", "backlog-duplex") == ("준영구", "schedule: profile backlog-duplex")
    assert s.class_for("기타", "default") == ("10년", "schedule: default")


def test_without_a_schedule_nothing_is_ever_due(env):
    write_schedule(env, "\n")
    assert load_schedule(env.arch.config).default == "영구"


@pytest.mark.parametrize("text, names", [
    ('\n[retention]\ndefault = "7년"\n', ["[retention] 'default'", "7년"]),
    ('\n[retention]\ndefault = 5\n', ["'default'", "5"]),
    ('\n[retention]\ndefualt = "5년"\n', ["unknown key 'defualt'"]),
    ('\n[retention.types]\n"전입신고서" = "5 years"\n', ["[retention.types] '전입신고서'"]),
    ('\n[retention]\ntypes = "5년"\n', ["[retention.types] must be a table"]),
    ('\n[retention.profiles]\n"no-such-scanner" = "5년"\n', ["no scanner profile named 'no-such-scanner'"]),
])
def test_schedule_errors_name_the_file_and_key(env, text, names):
    write_schedule(env, text)
    with pytest.raises(ConfigError) as ei:
        load_schedule(env.arch.config)
    msg = str(ei.value)
    assert str(env.root / "girok.toml") in msg and all(n in msg for n in names), msg
    assert ei.value.exit_code == 3


def test_schedule_that_is_not_a_table(env):
    write_schedule(env, "\n")
    cfg = env.root / "girok.toml"
    cfg.write_text("retention = 3\n" + cfg.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="'retention' must be a table"):
        load_schedule(env.arch.config)


# --- classification -------------------------------------------------------------------------------


def test_every_document_gets_one_class_and_a_completion_date(env):
    [a] = env.add("전입신고서", captured=datetime(2019, 5, 2, 3))
    [b] = env.add("", captured=datetime(2019, 12, 31, 16), profile="backlog-duplex")  # 2020-01-01 in Korea
    [c] = env.add("기타서류", captured=datetime(2020, 1, 1, 3), doc_date=date(2018, 7, 1))
    env.clock.set(2026, 3, 2)
    assert classify_unclassified(env.arch) == 3
    ra, rb, rc = env.retention(a), env.retention(b), env.retention(c)
    assert (ra.retention_class, ra.completed_on, ra.due_on) == ("5년", date(2019, 5, 2), date(2025, 1, 1))
    assert (rb.retention_class, rb.completed_on, rb.due_on) == ("준영구", date(2020, 1, 1), None)
    assert (rc.retention_class, rc.completed_on, rc.due_on) == ("10년", date(2018, 7, 1), date(2029, 1, 1))
    assert rc.basis == "schedule: default"
    [ev] = env.events("retention-classify")
    assert [d[0] for d in json.loads(ev.detail)["documents"]] == [a, b, c]
    # idempotent: nothing left to classify, nothing written
    before = dump(env.root)
    assert classify_unclassified(env.arch) == 0
    assert dump(env.root) == before


def test_classification_goes_in_batches(env):
    regs = env.add(docs=5)
    assert classify_unclassified(env.arch, batch=2) == 5
    assert len(env.events("retention-classify")) == 3
    assert all(env.retention(r).retention_class == "5년" for r in regs)


def test_reclassification_is_audited_with_its_reason(env):
    [a] = env.add("전입신고서", captured=datetime(2026, 1, 5, 3))
    [ch] = reclassify(env.arch, [a], new_class="10년", completed_on=date(2015, 3, 1), reason="2015년 종이 기록")
    assert ch.changed and (ch.old_class, ch.new_class, ch.due_on) == ("5년", "10년", date(2026, 1, 1))
    r = env.retention(a)
    assert (r.retention_class, r.completed_on, r.due_on, r.basis) == ("10년", date(2015, 3, 1), date(2026, 1, 1),
                                                                      "officer")
    [ev] = env.events("retention-reclassify")
    d = json.loads(ev.detail)
    assert ev.reg_no == a and d["from"] == "5년" and d["to"] == "10년" and d["reason"] == "2015년 종이 기록"
    # the same again changes nothing and writes no event
    [ch] = reclassify(env.arch, [a], new_class="10년", reason="again")
    assert not ch.changed and len(env.events("retention-reclassify")) == 1
    assert env.arch.catalog.verify_audit().ok


def test_reclassification_by_type(env):
    regs = env.add("전입신고서", docs=2) + env.add("기타")
    changes = reclassify(env.arch, doc_type="전입신고서", new_class="3년", reason="기준표 개정")
    assert [c.reg_no for c in changes] == regs[:2]
    assert env.retention(regs[2]).retention_class == "10년"


@pytest.mark.parametrize("kw, err", [
    ({"new_class": "5년", "reason": " "}, UsageError), ({"new_class": "7년", "reason": "x"}, UsageError),
    ({"reason": "x"}, UsageError), ({"new_class": "5년", "reason": "x", "regs": []}, UsageError),
    ({"new_class": "5년", "reason": "x", "regs": ["GR-2026-999999"]}, NotFound),
])
def test_reclassification_errors(env, kw, err):
    [a] = env.add()
    kw = dict(kw)  # the parameter's dict is shared by every run of it (one per backend)
    regs = kw.pop("regs", [a])
    before = len(env.events())
    with pytest.raises(err):
        reclassify(env.arch, regs, **kw)
    assert len(env.events()) <= before + 1  # at most the lazy first classification


# --- review -----------------------------------------------------------------------------------------


def test_due_exactly_on_1_january_and_never_for_permanent_classes(env):
    [five] = env.add("전입신고서", captured=datetime(2019, 5, 2, 3))  # due 2025-01-01
    [one] = env.add("개인정보동의서", captured=datetime(2019, 12, 31, 14, 59))  # 2019-12-31 KST: due 2021-01-01
    [one_late] = env.add("개인정보동의서", captured=datetime(2019, 12, 31, 15, 0))  # 2020-01-01 KST: due 2022
    [perm] = env.add("주민등록표", captured=datetime(2001, 1, 1, 3))
    [semi] = env.add("", captured=datetime(2001, 1, 1, 3), profile="backlog-duplex")
    env.clock.set(2026, 3, 2)

    def due(on):
        return [i.reg_no for i in review(env.arch, on).due]

    assert due(date(2020, 12, 31)) == []
    assert due(date(2021, 1, 1)) == [one]
    assert due(date(2021, 12, 31)) == [one]
    assert due(date(2022, 1, 1)) == [one, one_late]
    assert set(due(date(2025, 1, 1))) == {one, one_late, five}
    assert perm not in due(date(9999, 12, 31)) and semi not in due(date(9999, 12, 31))


def test_review_groups_by_class_and_type_and_is_kept(env):
    regs = env.add("전입신고서", captured=datetime(2019, 5, 2, 3), docs=2) + \
        env.add("개인정보동의서", captured=datetime(2019, 5, 2, 3)) + env.add("기타", captured=datetime(2010, 1, 4))
    rl = review(env.arch, date(2026, 3, 2))
    assert rl.created and [(c, t, len(i)) for c, t, i in rl.groups()] == [
        ("10년", "기타", 1), ("5년", "전입신고서", 2), ("1년", "개인정보동의서", 1)]
    assert {i.reg_no for i in rl.due} == set(regs)
    [ev] = env.events("retention-review")
    assert json.loads(ev.detail)["due"] == 4
    again = review(env.arch, date(2026, 3, 2))  # the same list again: the same review, nothing written
    assert again.id == rl.id and not again.created and len(env.events("retention-review")) == 1


def test_review_file_csv_has_groups_with_counts_and_held_apart(env, tmp_path):
    from girok.retention.holds import add_hold

    regs = env.add("전입신고서", captured=datetime(2019, 5, 2, 3), docs=3)
    add_hold(env.arch, reason="소송 2026가합1", reg_nos=[regs[2]])
    rl = review(env.arch, date(2026, 3, 2))
    path = tmp_path / "due.csv"
    write_review(rl, "test", path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel shows Korean
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["row"], r["reg_no"], r["count"]) for r in rows] == [
        ("group", "", "2"), ("due", regs[0], ""), ("due", regs[1], ""), ("held", regs[2], "")]
    assert "소송 2026가합1" in rows[-1]["hold"]
    assert all(r["review"] == str(rl.id) and r["as_of"] == "2026-03-02" for r in rows)


def test_review_file_titles_cannot_start_a_spreadsheet_formula(env, tmp_path):
    [a] = env.add("전입신고서", captured=datetime(2019, 5, 2, 3))
    sql(env.root, "update documents set title=? where reg_no=?", ('=HYPERLINK("http://x","클릭")', a))
    path = tmp_path / "due.csv"
    write_review(review(env.arch, date(2026, 3, 2)), "test", path)
    [due] = [r for r in csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()) if r["row"] == "due"]
    assert due["title"] == '\'=HYPERLINK("http://x","클릭")'


# --- decisions ---------------------------------------------------------------------------------------


def review_file(env, on=date(2026, 3, 2), suffix=".csv"):
    rl = review(env.arch, on)
    path = env.root.parent / f"review-{rl.id}{suffix}"
    write_review(rl, "test", path)
    return rl, path


def fill(path, decisions: dict[str, dict], *, encoding="utf-8-sig"):
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    for r in rows:
        r.update(decisions.get(r["reg_no"], {}) if r["row"] == "due" else {})
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


@pytest.fixture
def three(env):
    regs = env.add("전입신고서", captured=datetime(2019, 5, 2, 3), docs=3)
    env.clock.set(2026, 3, 2)
    return regs


def test_decide_records_dispose_reset_and_defer(env, three):
    a, b, c = three
    rl, path = review_file(env)
    fill(path, {a: {"decision": "폐기", "note": "보존 가치 없음"}, b: {"decision": "reset", "new_class": "10년"},
                c: {"decision": "보류", "defer_until": "2027-06-30"}})
    res = decide(env.arch, path, meeting="2026년 제1차 기록물평가심의회")
    assert res.counts() == {"dispose": 1, "reset": 1, "defer": 1, "undecided": 0, "already": 0}
    rb, rc = env.retention(b), env.retention(c)
    assert (rb.retention_class, rb.due_on) == ("10년", date(2030, 1, 1))
    assert rc.deferred_until == date(2027, 6, 30)
    evs = env.events("retention-decide")
    assert [e.reg_no for e in evs] == [a, b, c]
    assert json.loads(evs[0].detail)["meeting"] == "2026년 제1차 기록물평가심의회"
    assert [e.reg_no for e in env.events("retention-reclassify")] == [b]
    # next review: a is approved (apart), b is no longer due, c is deferred
    nxt = review(env.arch, date(2026, 3, 3))
    assert nxt.due == [] and [i.reg_no for i in nxt.approved] == [a]
    assert [i.reg_no for i in review(env.arch, date(2027, 6, 29)).due] == []
    assert [i.reg_no for i in review(env.arch, date(2027, 6, 30)).due] == [c]  # due again on the deferred date
    assert env.arch.catalog.verify_audit().ok


def test_decide_twice_is_a_no_op_and_a_changed_decision_is_refused(env, three):
    a, b, _ = three
    rl, path = review_file(env)
    fill(path, {a: {"decision": "dispose"}})
    decide(env.arch, path)
    before = dump(env.root)
    res = decide(env.arch, path)
    assert res.counts()["already"] == 1 and res.counts()["dispose"] == 0
    assert dump(env.root) == before
    fill(path, {a: {"decision": "defer", "defer_until": "2030-01-01"}})
    with pytest.raises(RetentionRefused, match="already decided"):
        decide(env.arch, path)
    assert dump(env.root) == before


def edit_rows(path, change):
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    rows = change(rows)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


def _set(rows, i, **kw):
    due = [r for r in rows if r["row"] == "due"]
    due[i].update(kw)
    return rows


@pytest.mark.parametrize("change, says", [
    (lambda rows: _set(rows, 0, **{"class": "10년", "decision": "dispose"}), "were changed in the file"),
    (lambda rows: _set(rows, 0, due_on="2020-01-01", decision="dispose"), "were changed in the file"),
    (lambda rows: [r for r in rows if r["reg_no"] != rows[1]["reg_no"]], "missing from the file"),
    (lambda rows: rows + [{**rows[1], "reg_no": "GR-2019-999999"}], "was not in review"),
    (lambda rows: rows + [dict(rows[1])], "appears twice"),
    (lambda rows: _set(rows, 0, review="999"), "different reviews"),
    (lambda rows: _set(rows, 0, decision="버림"), "is not dispose"),
    (lambda rows: _set(rows, 0, decision="reset"), "reset needs new_class"),
    (lambda rows: _set(rows, 0, decision="reset", new_class="5년"), "reset to the class it already has"),
    (lambda rows: _set(rows, 0, decision="defer", defer_until="2026-03-02"), "a date after the review date"),
    (lambda rows: _set(rows, 0, decision="dispose", defer_until="2027-01-01"), "only for defer"),
    (lambda rows: _set(rows, 0, new_class="10년"), "but no decision"),
])
def test_decide_refuses_a_file_that_does_not_match_the_review(env, three, change, says):
    rl, path = review_file(env)
    fill(path, {three[2]: {"decision": "dispose"}})
    edit_rows(path, change)
    before = dump(env.root)
    with pytest.raises(RetentionRefused) as ei:
        decide(env.arch, path)
    assert says in str(ei.value)
    assert ei.value.exit_code == 13
    assert dump(env.root) == before  # nothing recorded, not even the valid rows


def test_decide_refuses_unknown_review_and_foreign_files(env, three, tmp_path):
    rl, path = review_file(env)
    sql(env.root, "delete from review_items where review_id=?", (rl.id,))
    sql(env.root, "delete from reviews where id=?", (rl.id,))
    with pytest.raises(RetentionRefused, match="not in this archive"):
        decide(env.arch, path)
    other = tmp_path / "other.csv"
    other.write_text("name,value\na,1\n", encoding="utf-8")
    with pytest.raises(RetentionRefused, match="not a girok review file"):
        decide(env.arch, other)
    with pytest.raises(UsageError):
        decide(env.arch, tmp_path / "decisions.xlsx")


def test_decide_refuses_a_document_reclassified_since_the_review(env, three):
    rl, path = review_file(env)
    reclassify(env.arch, [three[0]], new_class="3년", reason="정정")
    fill(path, {three[0]: {"decision": "dispose"}})
    with pytest.raises(RetentionRefused, match="re-classified since the review"):
        decide(env.arch, path)


def test_decide_reads_excel_cp949_and_reformatted_dates(env, three):
    rl, path = review_file(env)
    a = three[0]
    completed = env.retention(a).completed_on
    fill(path, {a: {"decision": "폐기", "completed_on": f"{completed.year}/{completed.month}/{completed.day}",
                    "due_on": "2025. 1. 1."}}, encoding="cp949")
    assert decide(env.arch, path).counts()["dispose"] == 1


def test_decide_reads_the_json_review_file(env, three):
    rl, path = review_file(env, suffix=".json")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["groups"][0]["documents"][1]["decision"] = "defer"
    data["groups"][0]["documents"][1]["defer_until"] = "2028-01-01"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    res = decide(env.arch, path)
    assert [(d.reg_no, d.action) for d in res.decided] == [(three[1], "defer")]
    assert res.counts()["undecided"] == 2
    data["groups"][0]["documents"][0]["due_on"] = "2024-01-01"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RetentionRefused, match="changed in the file"):
        decide(env.arch, path)


def test_decide_reads_a_json_review_file_of_the_keys_before_id(env, three):
    """A review written as JSON before documents were "id" and "type" (reg_no, doc_type) still decides: the
    committee may return it after an upgrade."""
    rl, path = review_file(env, suffix=".json")
    data = json.loads(path.read_text(encoding="utf-8"))
    for g in data["groups"]:
        g["doc_type"] = g.pop("type")
        for d in g["documents"]:
            d["reg_no"], d["doc_type"] = d.pop("id"), d.pop("type")
    data["groups"][0]["documents"][0]["decision"] = "dispose"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert [(d.reg_no, d.action) for d in decide(env.arch, path).decided] == [(three[0], "dispose")]


def test_reclassifying_voids_an_approval(env, three):
    from girok.retention.disposal import dispose

    rl, path = review_file(env)
    fill(path, {three[0]: {"decision": "dispose"}})
    decide(env.arch, path)
    reclassify(env.arch, [three[0]], new_class="영구", reason="역사적 가치")
    [(status, outcome)] = sql(env.root, "select status, outcome from decisions")
    assert status == "void" and "역사적 가치" in outcome
    assert dispose(env.arch).disposed == []
    assert env.arch.catalog.get(three[0])


def test_models_match_migration_0004(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from girok.catalog.repository import Catalog
    from girok.catalog.models import Base

    c = Catalog(tmp_path / "c.sqlite")
    with c.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    c.close()
    mine = ("retention", "holds", "hold_items", "reviews", "review_items", "decisions", "disposals", "tombstones")
    assert [d for d in diff if any(f"'{t}'" in repr(d) or f"{t}." in repr(d) for t in mine)] == []
