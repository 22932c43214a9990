"""`girok status`: queue, work in hand, quarantine, throughput of the last hour (real archive, real ingest)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from conftest import json_lines, render_korean, run_girok, wait_for

pytestmark = pytest.mark.e2e


def test_status_shows_queue_in_progress_quarantine_and_throughput(make_archive, tmp_path):
    archive = make_archive()
    drop = tmp_path / "drop"
    drop.mkdir()
    for i in range(2):
        render_korean(drop / f"doc{i}.png", ["민원실 전입신고서", f"번호 {i}"], dpi=120, size=(600, 200), fmt="PNG",
                      pages=1)
    render_korean(drop / "two.tif", ["민원실 두 쪽"], dpi=120, size=(600, 200), fmt="TIFF", pages=2)
    (drop / "broken.pdf").write_bytes(b"")
    ingest = run_girok(archive, "ingest", "--json", str(drop))
    assert ingest.returncode == 10, ingest.stderr[-2000:]
    archived = [r for r in json_lines(ingest.stdout) if r["status"] == "archived"]
    assert sorted(r["pages"] for r in archived) == [1, 1, 2]

    # one document was archived two hours ago: outside the last hour
    old = next(r["id"] for r in archived if r["pages"] == 1)
    db = sqlite3.connect(archive / "catalog.sqlite")
    two_hours_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=2)
    db.execute("update documents set captured_at = ? where reg_no = ?", (two_hours_ago.isoformat(sep=" "), old))
    db.commit()
    db.close()

    hot = archive / "hot" / "default"
    for name in ("a.pdf", "b.tif", "c.jpg"):
        (hot / name).write_bytes(b"%PDF-1.4 waiting")
    (hot / "partial.tmp").write_bytes(b"being copied")  # temporary names are not queued
    live = archive / "work" / "live"  # a document in hand of a running process (this one)
    live.mkdir()
    (live / "owner.json").write_text(json.dumps({"pid": os.getpid(), "source": str(hot / "a.pdf")}))
    dead = archive / "work" / "dead"  # left by a process that is gone
    dead.mkdir()
    (dead / "owner.json").write_text(json.dumps({"pid": _dead_pid(), "source": "y"}))

    d = json_lines(run_girok(archive, "status", "--json", check=True).stdout)[0]
    assert d["documents"] == 3 and d["pages"] == 4
    assert d["waiting"] == 2, "a.pdf is in hand, not waiting (its source stays until it is committed)"
    assert sum(f["waiting"] for f in d["hot_folders"]) == 2
    assert d["in_progress"] == 1 and d["abandoned"] == 1
    assert d["quarantined"] == 1
    assert d["watcher_pid"] is None
    last = d["last_hour"]
    assert last["documents"] == 2 and last["pages"] == 3, last
    assert last["pages_per_minute"] > 0

    human = run_girok(archive, "status", check=True).stdout
    assert "2 file(s) waiting" in human and "1 in progress" in human and "1 quarantined" in human
    assert "last hour: 2 documents, 3 pages" in human and "pages/min" in human
    assert "girok doctor --fix" in human and "watcher: not running" in human
    assert f"hot folder {hot} [default]: 2 waiting" in human, human


def test_status_names_the_running_watcher(make_archive):
    archive = make_archive()
    proc = subprocess.Popen([sys.executable, "-m", "girok.cli", "--archive", str(archive), "watch", "--poll", "0.2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        def running():
            d = json_lines(run_girok(archive, "status", "--json", check=True).stdout)[0]
            return d["watcher_pid"] == proc.pid
        wait_for(running, timeout=60, what="status to name the watcher")
        assert f"running (pid {proc.pid})" in run_girok(archive, "status", check=True).stdout
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=120)


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid
