"""Disposal: only approved, due, unheld documents; files, index entry and catalog row gone; tombstone and
certificate kept; dry runs and re-runs change nothing; a missing file or an interruption is not fatal."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import json_lines, render_korean, run_girok
from girok.retention.disposal import dispose, tombstone
from girok.errors import Disposed
from helpers_retention import BACKENDS, approve, cli, dump, env, sql, store_files  # noqa: F401 (env is a fixture)


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    """``env`` on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
def due3(env):
    """Three 전입신고서 (5년) completed in 2019: due 2025-01-01; today is 2026-03-02."""
    regs = env.add("전입신고서", captured=datetime(2019, 5, 2, 3), docs=1) + \
        env.add("전입신고서", captured=datetime(2019, 6, 3, 3), docs=1) + \
        env.add("전입신고서", captured=datetime(2019, 7, 4, 3), docs=1)
    env.clock.set(2026, 3, 2)
    return regs


def hits(env, query="전입신고서"):
    return [h.reg_no for h in env.arch.index.search(query, limit=100)]


def test_dispose_destroys_what_was_approved_and_keeps_a_tombstone(env, due3):
    a, b, c = due3
    orig_a, pdf_a = env.files(a)
    doc_a = env.arch.catalog.get(a)
    review_id = approve(env, [a, b])
    assert set(hits(env)) == {a, b, c}

    rep = dispose(env.arch)
    assert rep.disposed == [a, b] and rep.problems == [] and rep.notes == []
    assert not orig_a.exists() and not pdf_a.exists()
    assert all(p.exists() for p in env.files(c))
    assert hits(env) == [c]  # search no longer finds them
    with pytest.raises(Disposed) as ei:
        live(env, a)
    assert "disposed of" in str(ei.value) and ei.value.exit_code == 6

    t = tombstone(env.arch, a)
    assert t["id"] == a and t["type"] == "전입신고서" and t["retention"]["class"] == "5년"
    assert (t["retention"]["completed_on"], t["retention"]["due_on"]) == ("2019-05-02", "2025-01-01")
    assert t["original"]["sha256"] == doc_a.capture.sha256 and t["archival"]["sha256"] == doc_a.archival_sha256
    assert t["files"] == {"original": "removed", "archival": "removed", "index": "removed"}
    assert t["decision"]["review"] == review_id and t["decision"]["meeting"] == "2026년 제1차 기록물평가심의회"
    assert t["certificate"]["number"] == "2026-0001"
    assert tombstone(env.arch, c) is None

    # no trace of content is left in the catalog, not even in SQLite's free pages or its write-ahead log
    # (PostgreSQL: the server's job, see dialect.PostgreSQLDialect.secure_delete)
    if env.backend == "sqlite":
        raw = b"".join(p.read_bytes() for p in env.root.glob("catalog.sqlite*"))
        assert "민원실 전입신고서 1-0".encode() not in raw and "민원실 전입신고서 2-0".encode() not in raw
        assert "민원실 전입신고서 3-0".encode() in raw  # (c is still there: the check can see text)
    assert sql(env.root, "select count(*) from documents where reg_no in (?, ?)", (a, b)) == [(0,)]
    assert sql(env.root, "select count(*) from captures where sha256=?", (doc_a.capture.sha256,)) == [(0,)]
    assert sql(env.root, "select count(*) from pages") == [(1,)]
    evs = env.events("retention-dispose")
    assert [e.reg_no for e in evs] == [a, b]
    assert json.loads(evs[0].detail)["archival_sha256"] == doc_a.archival_sha256
    assert env.arch.catalog.verify_audit().ok


def live(env, reg):
    from girok.retention.schedule import live_documents

    with env.arch.catalog.reading() as tx:
        return live_documents(tx, [reg])


def test_certificate_lists_what_was_destroyed_and_when(env, due3):
    a, b, _ = due3
    approve(env, [a, b])
    env.clock.set(2026, 3, 2, 5, 30)
    [cert] = dispose(env.arch).certificates
    assert cert["number"] == "2026-0001" and cert["documents"] == 2
    csv_path, txt_path = Path(cert["csv"]), Path(cert["txt"])
    assert csv_path.parent == env.root / "disposal" and csv_path.name == "certificate-2026-0001.csv"
    rows = list(csv.DictReader(csv_path.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["reg_no"] for r in rows] == [a, b]
    assert rows[0]["disposed_at"] == "2026-03-02 14:30:00 KST" and rows[0]["class"] == "5년"
    assert rows[0]["original_file"] == "removed" and rows[0]["meeting"] == "2026년 제1차 기록물평가심의회"
    text = txt_path.read_text(encoding="utf-8")
    assert "기록물 폐기 확인서" in text and "2026-0001" in text and a in text and b in text
    assert "2026-03-02 14:30:00 KST" in text and "not overwritten" in text
    # the certificate's hashes are in the catalog and the audit chain
    [ev] = env.events("retention-certificate")
    files = json.loads(ev.detail)["files"]
    assert set(files) == {csv_path.name, txt_path.name}
    import hashlib
    assert files[txt_path.name] == hashlib.sha256(txt_path.read_bytes()).hexdigest()
    assert tombstone(env.arch, a)["certificate"]["files"] == files


def test_dry_run_changes_nothing(env, due3):
    approve(env, due3[:2])
    before, files = dump(env.root), store_files(env.root)
    rep = dispose(env.arch, dry_run=True)
    assert [(p.reg_no, p.status) for p in rep.planned] == [(due3[0], "dispose"), (due3[1], "dispose")]
    assert rep.disposed == [] and rep.certificates == []
    assert dump(env.root) == before and store_files(env.root) == files
    assert not (env.root / "disposal").exists()
    assert set(hits(env)) == set(due3)


def test_running_dispose_again_is_a_no_op(env, due3):
    approve(env, due3[:1])
    assert dispose(env.arch).disposed == [due3[0]]
    before, files = dump(env.root), store_files(env.root)
    certs = sorted((env.root / "disposal").iterdir())
    rep = dispose(env.arch)
    assert (rep.planned, rep.disposed, rep.certificates, rep.problems) == ([], [], [], [])
    assert dump(env.root) == before and store_files(env.root) == files
    assert sorted((env.root / "disposal").iterdir()) == certs


def test_a_file_already_missing_is_reported_not_fatal(env, due3):
    a = due3[0]
    orig, pdf = env.files(a)
    pdf.unlink()
    approve(env, [a])
    rep = dispose(env.arch)
    assert rep.disposed == [a] and rep.problems == []
    assert rep.notes == [f"{a}: the archival file store/{pdf.relative_to(env.root / 'store')} was already missing"]
    assert not orig.exists()
    assert tombstone(env.arch, a)["files"]["archival"] == "already missing"
    rows = list(csv.DictReader(Path(rep.certificates[0]["csv"]).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0]["archival_file"] == "already missing"


def test_original_is_kept_while_documents_of_its_capture_remain(env):
    a, b = env.add("전입신고서", captured=datetime(2019, 5, 2, 3), docs=2)
    env.clock.set(2026, 3, 2)
    orig, pdf_a = env.files(a)
    _, pdf_b = env.files(b)
    approve(env, [a])
    dispose(env.arch)
    assert orig.exists() and not pdf_a.exists() and pdf_b.exists()
    assert tombstone(env.arch, a)["files"]["original"].startswith("kept: 1 other document")
    assert env.arch.catalog.get(b).capture.original_relpath  # the capture stays with b
    approve(env, [b])
    dispose(env.arch)
    assert not orig.exists() and not pdf_b.exists()
    assert sql(env.root, "select count(*) from captures") == [(0,)]
    assert env.arch.catalog.verify_audit().ok


def test_both_documents_of_a_capture_in_one_run(env):
    regs = env.add("전입신고서", captured=datetime(2019, 5, 2, 3), docs=2)
    env.clock.set(2026, 3, 2)
    orig, _ = env.files(regs[0])
    approve(env, regs)
    rep = dispose(env.arch)
    assert rep.disposed == regs and rep.notes == [] and not orig.exists()
    assert store_files(env.root) == set()


def test_approved_in_advance_is_not_disposed_before_it_is_due(env):
    [a] = env.add("전입신고서", captured=datetime(2021, 5, 2, 3))  # due 2027-01-01
    env.clock.set(2026, 12, 1)
    approve(env, [a], on=date(2027, 1, 1))  # the committee meets in December for the new year
    rep = dispose(env.arch)
    assert rep.disposed == [] and [(p.status, p.reason) for p in rep.planned] == [("not due", "due 2027-01-01")]
    env.clock.set(2026, 12, 31, 14, 59)  # 23:59 on 31 December in Korea
    assert dispose(env.arch).disposed == []
    env.clock.set(2026, 12, 31, 15, 0)  # 1 January, 00:00 in Korea
    assert dispose(env.arch).disposed == [a]


def test_an_interrupted_run_is_finished_by_the_next(env, due3, monkeypatch):
    a = due3[0]
    orig, pdf = env.files(a)
    approve(env, [a])
    real_unlink = Path.unlink

    def refuse(self, *args, **kw):
        if self == pdf:
            raise PermissionError(13, "Permission denied")
        return real_unlink(self, *args, **kw)

    monkeypatch.setattr(Path, "unlink", refuse)
    rep = dispose(env.arch)
    assert rep.disposed == [a] and rep.certificates == []
    assert rep.problems == [f"{a}: could not delete store/{pdf.relative_to(env.root / 'store')}: Permission denied"]
    assert pdf.exists() and not orig.exists()
    assert dispose(env.arch, dry_run=True).pending_purge == 1
    monkeypatch.setattr(Path, "unlink", real_unlink)
    rep = dispose(env.arch)
    assert rep.disposed == [] and rep.problems == [] and not pdf.exists()
    assert [c["number"] for c in rep.certificates] == ["2026-0001"]
    assert tombstone(env.arch, a)["files"] == {"original": "removed", "archival": "removed", "index": "removed"}


def test_index_failure_is_reported_and_finished_later(env, due3, monkeypatch):
    a = due3[0]
    approve(env, [a])

    def broken(reg_nos):
        raise OSError("index locked")

    monkeypatch.setattr(env.arch.index, "delete", broken)
    rep = dispose(env.arch)
    assert rep.disposed == [a] and "index locked" in rep.problems[0] and rep.certificates == []
    monkeypatch.undo()
    rep = dispose(env.arch)
    assert rep.problems == [] and len(rep.certificates) == 1 and a not in hits(env)


# --- the command line -------------------------------------------------------------------------------


def test_full_cycle_on_the_command_line(env, due3, tmp_path):
    """review -> the committee edits the CSV -> decide -> dispose --dry-run -> dispose -> show, search."""
    a, b, c = due3
    root = env.root
    out = tmp_path / "심의 목록.csv"
    rv = cli(root, "retention", "review", "--out", str(out), "--json", check=True)
    summary = json_lines(rv.stdout)[0]
    assert summary["due"] == 3 and summary["groups"] == [{"class": "5년", "type": "전입신고서", "count": 3}]
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    for r in rows:
        if r["reg_no"] == a:
            r["decision"] = "폐기"
        elif r["reg_no"] == b:
            r["decision"], r["defer_until"] = "보류", "2030-01-01"
    with out.open("w", encoding="cp949", newline="") as fh:  # as Korean Excel saves it
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    no_meeting = cli(root, "retention", "decide", str(out))  # the meeting is required, before the file is read
    assert no_meeting.returncode == 2 and "--meeting" in no_meeting.stderr
    future = cli(root, "retention", "decide", str(out), "--meeting", "제1차 심의회", "--meeting-date", "2026-03-03")
    assert future.returncode == 2 and "future" in future.stderr
    dec = cli(root, "retention", "decide", str(out), "--meeting", "제1차 심의회", "--meeting-date", "2026-03-02",
              "--json", check=True)
    assert json_lines(dec.stdout)[0]["counts"] == {"dispose": 1, "reset": 0, "defer": 1, "undecided": 1, "already": 0}

    dry = cli(root, "retention", "dispose", "--dry-run", check=True)
    assert f"would dispose {a}" in dry.stderr
    assert all(p.exists() for p in env.files(a))

    done = cli(root, "retention", "dispose", "--json", check=True)
    rep = json_lines(done.stdout)[0]
    assert rep["disposed"] == [a] and rep["certificates"][0]["documents"] == 1
    again = cli(root, "retention", "dispose", check=True)
    assert "nothing to dispose of" in again.stderr

    show = run_girok(root, "show", a, "--json")  # through main(): the exit code of a disposed document
    assert show.returncode == 6 and "disposed of" in show.stderr
    tomb = json_lines(show.stdout)[0]
    assert tomb["disposed"] and tomb["certificate"]["number"] and tomb["decision"]["meeting"] == "제1차 심의회 (2026-03-02)"
    plain = cli(root, "show", a)
    assert plain.returncode == 6 and "disposed of (폐기)" in plain.stdout
    assert cli(root, "show", "GR-1999-000001").returncode == 6
    found = json_lines(cli(root, "search", "--json", "전입신고서").stdout)
    assert a not in [h["id"] for h in found] and b in [h["id"] for h in found]

    # a tampered file: refused with exit 13, nothing recorded
    bad = tmp_path / "bad.csv"
    bad.write_text(out.read_text(encoding="cp949").replace("5년", "1년"), encoding="utf-8")
    refused = cli(root, "retention", "decide", str(bad), "--meeting", "제1차 심의회", "--meeting-date", "2026-03-02")
    assert refused.returncode == 13 and "does not match review" in refused.stderr
    assert cli(root, "retention", "review", "--out", str(tmp_path / "x.xlsx")).returncode == 2
    assert cli(root, "retention", "review", "--as-of", "2026-13-01").returncode == 2
    assert env.arch.catalog.verify_audit().ok


def test_classify_on_the_command_line(env, due3):
    p = cli(env.root, "retention", "classify", due3[0], "--class", "10년", "--reason", "감사 지적", "--json",
            check=True)
    [doc] = json_lines(p.stdout)[0]["documents"]
    assert doc["class"] == "10년" and doc["previous_class"] == "5년" and doc["due_on"] == "2030-01-01"
    assert cli(env.root, "retention", "classify", due3[0], "--class", "7년", "--reason", "x").returncode == 2
    assert cli(env.root, "retention", "classify", "GR-1999-000001", "--class", "1년",
            "--reason", "x").returncode == 6
    sched = json_lines(cli(env.root, "retention", "schedule", "--json", check=True).stdout)[0]
    assert sched["types"]["전입신고서"] == "5년" and sched["documents"]["10년"] == 1


@pytest.mark.e2e
def test_a_real_scan_through_the_whole_cycle(make_archive, tmp_path):
    """tesseract, OCRmyPDF, the store and the index: ingest, re-date the backlog paper, review, decide, dispose."""
    root = make_archive()
    with (root / "girok.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[retention]\ndefault = "3년"\n')
    scan = render_korean(tmp_path / "동의서.png", ["개인정보 수집 이용 동의서", "서초구 민원여권과"])
    [rec] = json_lines(run_girok(root, "ingest", "--json", str(scan), check=True).stdout)
    reg = rec["id"]
    shown = json_lines(run_girok(root, "show", reg, "--json", check=True).stdout)[0]
    files = [root / shown["original"]["path"], root / shown["archival"]["path"]]
    assert all(f.exists() for f in files)
    run_girok(root, "retention", "classify", reg, "--completed", "2020-06-30", "--reason", "2020년 서류 일괄 스캔",
              check=True)
    out = tmp_path / "review.json"
    run_girok(root, "retention", "review", "--out", str(out), check=True)
    data = json.loads(out.read_text(encoding="utf-8"))
    [doc] = data["groups"][0]["documents"]
    assert doc["id"] == reg and doc["due_on"] == "2024-01-01"
    doc["decision"] = "dispose"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    run_girok(root, "retention", "decide", str(out), "--meeting", "제1차 심의회", "--meeting-date",
              date.today().isoformat(), check=True)
    run_girok(root, "retention", "dispose", check=True)
    assert not any(f.exists() for f in files)
    assert run_girok(root, "search", "동의서").returncode == 1
    assert run_girok(root, "show", reg).returncode == 6
    cert = next((root / "disposal").glob("*.txt")).read_text(encoding="utf-8")
    assert reg in cert
    run_girok(root, "reindex", check=True)  # an index rebuilt from the catalog does not bring it back
    assert run_girok(root, "search", "동의서").returncode == 1
