"""A destroyed record does not come back (issue 17): the same scan, or its exported PDF/A, dropped in after
disposal is quarantined naming the certificate, with an audit event; `ingest --allow-destroyed` archives it as a
new record, audited; `watch` never allows it. No OCR: the scans are the made-up files of helpers_retention, and
the one re-capture that is archived is prepared by a fake executor."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import Future
from datetime import datetime

import pytest

import girok.ingest.pipeline as pipeline
from girok.ingest.prepare import Prepared, PreparedDoc
from girok.retention.disposal import dispose
from helpers_retention import approve, cli, make_env, sha, sql


class PrepareWithoutOcr:
    """Stands in for the local pool: each job becomes one document whose 'PDF/A' is a small made-up file."""

    capacity = 1
    lost_together = True

    def __init__(self, workers, *, log_file=None):
        pass

    def submit(self, job):
        pdf = job.work_dir / "doc.pdf"
        pdf.write_bytes(b"%PDF-1.7 re-captured " + job.original.read_bytes())
        doc = PreparedDoc(first_page=1, page_count=1, archival=pdf, archival_sha256=sha(pdf),
                          archival_size=pdf.stat().st_size, pdfa_level="2B", conversion={"tools": {"test": "1"}},
                          page_texts=["서초구 민원실 전입신고서 다시"], page_confidence=[None], rescan_suggested=False,
                          title="전입신고서")
        fut: Future = Future()
        fut.set_result(Prepared(job.job_id, [doc]))
        return fut

    def abandon(self):
        pass

    def shutdown(self):
        pass


@pytest.fixture
def env(make_archive, monkeypatch):
    """helpers_retention's archive with a schedule and a fixed clock."""
    e = make_env(make_archive, monkeypatch)
    yield e
    e.arch.close()


@pytest.fixture
def destroyed(env, tmp_path):
    """One 전입신고서 captured in 2019, disposed of at 2026-03-02 16:00 UTC (2026-03-03 in Korea); returns its
    registration number and copies of its scan and archival PDF/A taken before they were destroyed."""
    [reg] = env.add("전입신고서", captured=datetime(2019, 5, 2, 3))
    orig, pdf = env.files(reg)
    scan, export = tmp_path / "dropped-again.tif", tmp_path / "exported.pdf"
    shutil.copyfile(orig, scan)
    shutil.copyfile(pdf, export)
    env.clock.set(2026, 3, 2, 16, 0)
    approve(env, [reg])
    rep = dispose(env.arch)
    assert rep.disposed == [reg] and not orig.exists()
    return reg, scan, export


def _reasons(env) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in (env.root / "quarantine").glob("*.reason.txt")]


def _documents(env) -> int:
    return sql(env.root, "select count(*) from documents")[0][0]


def test_a_destroyed_scan_dropped_again_is_quarantined_naming_the_certificate(env, destroyed):
    reg, scan, _ = destroyed
    r = cli(env.root, "ingest", "--json", str(scan))
    assert r.returncode == 10, r.stdout + r.stderr
    [out] = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert out["status"] == "quarantined" and out["id"] is None
    assert out["reason"].startswith("destroyed: ")
    assert f"{reg} destroyed on 2026-03-03, certificate 2026-0001" in out["reason"]  # the day in Korea
    assert "폐기 확인서 2026-0001" in out["reason"]
    [note] = _reasons(env)
    assert "certificate 2026-0001" in note and reg in note and "--allow-destroyed" in note
    assert _documents(env) == 0 and sql(env.root, "select count(*) from captures") == [(0,)]
    [ev] = env.events("recapture-refused")
    assert ev.reg_no == reg
    detail = json.loads(ev.detail)
    assert detail["certificate"] == "2026-0001" and detail["sha256"] == sha(scan) and detail["file"] == "original"
    assert env.events("quarantine") and env.arch.catalog.verify_audit().ok
    assert scan.exists()  # one-shot ingest without --move leaves the source where it was


def test_the_exported_pdfa_of_a_destroyed_record_is_refused_too(env, destroyed):
    reg, _, export = destroyed
    r = cli(env.root, "ingest", str(export))
    assert r.returncode == 10 and "certificate 2026-0001" in r.stderr + r.stdout
    [ev] = env.events("recapture-refused")
    assert ev.reg_no == reg and json.loads(ev.detail)["file"] == "archival"
    assert _documents(env) == 0


def test_allow_destroyed_archives_it_as_a_new_record_and_audits_it(env, destroyed, monkeypatch):
    reg, scan, _ = destroyed
    monkeypatch.setattr(pipeline, "LocalPoolExecutor", PrepareWithoutOcr)
    r = cli(env.root, "ingest", "--allow-destroyed", "--json", str(scan))
    assert r.returncode == 0, r.stdout + r.stderr
    [out] = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert out["status"] == "archived" and out["id"] != reg
    assert not env.events("recapture-refused") and not _reasons(env)
    [ev] = env.events("recapture-allowed")
    assert ev.reg_no == out["id"]
    detail = json.loads(ev.detail)
    assert detail["destroyed"] == reg and detail["certificate"] == "2026-0001" and detail["sha256"] == sha(scan)
    assert env.arch.catalog.capture_by_sha(sha(scan)) is not None
    assert env.arch.catalog.verify_audit().ok
    # a live capture again: dropped once more, it is a plain duplicate
    again = cli(env.root, "ingest", "--json", str(scan))
    assert again.returncode == 0 and '"status": "duplicate"' in again.stdout
    assert len(env.events("recapture-refused")) == 0


def test_watch_never_allows_it(env, destroyed):
    reg, scan, _ = destroyed
    hot = env.root / "hot" / "default"
    hot.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(scan, hot / "scan.tif")
    r = cli(env.root, "watch", "--once", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert '"status": "quarantined"' in r.stdout and "certificate 2026-0001" in r.stdout
    assert not (hot / "scan.tif").exists()  # moved into quarantine, as hot folders do
    assert [e.reg_no for e in env.events("recapture-refused")] == [reg] and _documents(env) == 0


def test_a_batch_scan_with_live_documents_left_is_still_a_plain_duplicate(env, tmp_path):
    a, b = env.add("전입신고서", captured=datetime(2019, 5, 2, 3), docs=2)
    orig, _ = env.files(a)
    scan = tmp_path / "batch.tif"
    shutil.copyfile(orig, scan)
    env.clock.set(2026, 3, 2)
    approve(env, [a])
    assert dispose(env.arch).disposed == [a]
    assert env.arch.catalog.destroyed_by_sha(sha(scan))[0].reg_no == a  # the tombstone knows the scan
    r = cli(env.root, "ingest", "--json", str(scan))
    assert r.returncode == 0 and '"status": "duplicate"' in r.stdout and b in r.stdout
    assert not env.events("recapture-refused")
