"""`girok watch` end to end: real watcher process, real hot folders, real OCR.

Timing-dependent checks poll with a deadline; nothing sleeps and hopes.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import girok_cmd, render_korean, run_girok, wait_for

pytestmark = pytest.mark.e2e


def catalog_rows(archive: Path, sql: str) -> list[tuple]:
    import sqlite3

    db = sqlite3.connect(f"file:{archive / 'catalog.sqlite'}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        db.close()


def start_watch(archive: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(girok_cmd(archive, "watch", "--poll", "0.2", "--workers", "2", *extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def stop(proc: subprocess.Popen, sig=signal.SIGINT, timeout: float = 120) -> tuple[str, str]:
    if proc.poll() is None:
        os.kill(proc.pid, sig)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    return out, err


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_slowly_written_file_is_archived_once_and_only_when_complete(make_archive, tmp_path):
    archive = make_archive(stable=1.5)
    hot = archive / "hot" / "default"
    scan = render_korean(tmp_path / "slow.tif", ["전입신고서 민원실에서 접수", "천천히 복사되는 파일"],
                         dpi=300, pages=2, compression="tiff_lzw")
    data = scan.read_bytes()
    proc = start_watch(archive)
    try:
        wait_for(lambda: (archive / "watch.lock").exists(), timeout=60, what="watcher start")
        target = hot / "slow.tif"
        chunks = [data[i:i + len(data) // 6 + 1] for i in range(0, len(data), len(data) // 6 + 1)]
        with target.open("wb") as fh:
            for chunk in chunks:  # a network copy: chunks with pauses shorter than stable_seconds
                fh.write(chunk)
                fh.flush()
                time.sleep(0.6)
                assert not catalog_rows(archive, "select id from captures"), "taken before it was complete"
        rows = wait_for(lambda: catalog_rows(archive, "select sha256, source_name from captures"),
                        timeout=180, what="archiving")
        assert rows == [(sha(data), "slow.tif")]
        wait_for(lambda: not target.exists(), timeout=30, what="source removed after commit")
        assert not list((archive / "quarantine").iterdir())
    finally:
        out, err = stop(proc)
    assert proc.returncode == 0, err
    hits = run_girok(archive, "search", "--json", "민원실", check=True).stdout
    assert "slow.tif" in hits
    assert len(catalog_rows(archive, "select id from documents")) == 1


def test_second_watcher_refused(make_archive):
    archive = make_archive()
    first = start_watch(archive)
    try:
        wait_for(lambda: (archive / "watch.lock").exists() and "pid" in (archive / "watch.lock").read_text(),
                 timeout=60, what="first watcher start")
        second = run_girok(archive, "watch", timeout=60)
        assert second.returncode == 5
        assert "already watching" in second.stderr
        repair = run_girok(archive, "doctor", "--fix", timeout=60)
        assert repair.returncode == 5, "no repairs under a running watcher"
        assert first.poll() is None, "the first watcher keeps running"
    finally:
        stop(first)


def test_bad_file_does_not_stop_the_watcher(make_archive, tmp_path):
    archive = make_archive()
    hot = archive / "hot" / "counter"
    proc = start_watch(archive)
    try:
        (hot / "잘못 넣은 파일.zip").write_bytes(b"PK\x03\x04" + os.urandom(100))
        (hot / "~$lock.pdf").write_bytes(b"temp")  # a temporary name: never taken
        wait_for(lambda: list((archive / "quarantine").glob("*.reason.txt")), timeout=60, what="quarantine")
        render_korean(hot / "after.png", ["위임장 접수"], dpi=300)
        wait_for(lambda: catalog_rows(archive, "select id from captures where source_name='after.png'"),
                 timeout=180, what="good file archived after the bad one")
        assert proc.poll() is None
        assert (hot / "~$lock.pdf").exists()
        assert not (hot / "잘못 넣은 파일.zip").exists(), "moved to quarantine, not left to retry forever"
    finally:
        stop(proc)


def test_sigkill_mid_batch_loses_and_duplicates_nothing(make_archive, tmp_path):
    archive = make_archive(stable=0.3)
    hot = archive / "hot" / "backlog"
    inputs = {}
    words = ["사과나무", "포도주스", "딸기우유", "수박화채", "참외농장", "자두열매"]
    for i, word in enumerate(words):
        p = render_korean(tmp_path / f"doc{i}.png", [f"기록물 {word} 서초구 민원실", "일괄 스캔 테스트"], dpi=300)
        inputs[f"doc{i}.png"] = sha(p.read_bytes())
    for name in inputs:
        os.replace(tmp_path / name, hot / name)
    proc = start_watch(archive)
    try:
        wait_for(lambda: len(catalog_rows(archive, "select id from captures")) >= 1, timeout=180,
                 what="first document archived")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the main process and anything in its group
        proc.communicate()
    done_before = len(catalog_rows(archive, "select id from captures"))
    assert done_before < len(inputs), "the kill must land mid-batch for this test to mean anything"
    # every input is archived or still waiting; nothing lost
    waiting = {p.name for p in hot.iterdir()}
    archived = {name for (name,) in catalog_rows(archive, "select source_name from captures")}
    assert waiting | archived == set(inputs)
    # start again and let it finish
    proc = start_watch(archive)
    try:
        wait_for(lambda: not any(hot.iterdir()) and len(catalog_rows(archive, "select id from captures")) == 6,
                 timeout=300, what="batch finished after restart")
    finally:
        out, err = stop(proc)
    rows = catalog_rows(archive, "select sha256, source_name from captures")
    assert sorted(rows) == sorted((h, n) for n, h in inputs.items()), "each input exactly once"
    assert len(catalog_rows(archive, "select id from documents")) == 6
    assert not catalog_rows(archive, "select id from documents where indexed_at is null")
    assert not list((archive / "work").iterdir()), "no work folders left behind"
    doctor = run_girok(archive, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    for i, word in enumerate(words):
        hits = run_girok(archive, "search", "--json", word, check=True).stdout
        assert f"doc{i}.png" in hits
