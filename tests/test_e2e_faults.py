"""`girok ingest` killed at every stage, then `girok doctor --fix` and ingest again: nothing lost, nothing twice.

The kill comes from the GIROK_FAULT test hook (girok.fsutil.fault_point):
the process ends with ``os._exit(137)`` exactly at the named point, as
SIGKILL or a power cut would; then its whole process group is killed (the
OCR workers too), as systemd does with a stopped service.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import girok_cmd, json_lines, render_korean, run_girok

pytestmark = pytest.mark.e2e

# stage -> what `girok doctor` must report before the repair
STAGES = {
    "after-claim": "abandoned work folder",
    "after-store": "stored file not in catalog",
    "after-catalog": "not yet in the search index",
    "before-release": "abandoned work folder",  # committed and indexed; the source and work copy remain
}


def drop_scans(folder: Path, n: int = 2) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [render_korean(folder / f"민원 {i}.png", ["민원실 전입신고서", f"접수 번호 {4410 + i}"], dpi=120,
                          size=(620, 220), fmt="PNG") for i in range(n)]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def captured_shas(archive: Path) -> list[str]:
    db = sqlite3.connect(archive / "catalog.sqlite")
    try:
        return sorted(r[0] for r in db.execute("select sha256 from captures"))
    finally:
        db.close()


def killed_ingest(archive: Path, folder: Path, fault: str) -> subprocess.CompletedProcess:
    """`girok ingest --move` with the fault hook; afterwards its whole process group is gone."""
    proc = subprocess.Popen(girok_cmd(archive, "ingest", "--json", "--move", "--workers", "1", str(folder)),
                            env={**os.environ, "GIROK_FAULT": fault}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    out, err = proc.communicate(timeout=600)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the OCR workers go with it
    except ProcessLookupError:
        pass
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def assert_consistent(archive: Path, expected_shas: list[str]) -> None:
    """Each input archived once; catalog == store; index caught up; nothing in work/."""
    assert captured_shas(archive) == sorted(expected_shas), "every input archived exactly once"
    doctor = run_girok(archive, "doctor")
    assert doctor.returncode == 0 and "No problems found" in doctor.stdout, doctor.stdout + doctor.stderr
    status = json_lines(run_girok(archive, "status", "--json", check=True).stdout)[0]
    assert status["unindexed"] == 0 and status["documents"] == len(expected_shas), status
    assert not [p for p in (archive / "work").iterdir() if p.is_dir()], "nothing left in work/"
    hits = json_lines(run_girok(archive, "search", "--json", "--limit", "50", "전입신고서", check=True).stdout)
    assert len({h["id"] for h in hits}) == len(hits) == len(expected_shas), hits


@pytest.mark.parametrize("stage", list(STAGES))
def test_killed_at_stage_then_doctor_and_ingest_again(stage, make_archive, tmp_path):
    archive = make_archive()
    drop = tmp_path / "drop"
    files = drop_scans(drop)
    shas = [sha(f) for f in files]

    proc = killed_ingest(archive, drop, stage)
    assert proc.returncode == 137, f"the fault point {stage} was not reached: {proc.stderr[-2000:]}"
    assert all(f.exists() for f in files), "nothing leaves the folder before it is committed"

    doctor = run_girok(archive, "doctor")
    assert doctor.returncode == 1 and STAGES[stage] in doctor.stdout, doctor.stdout
    fixed = run_girok(archive, "doctor", "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr

    again = run_girok(archive, "ingest", "--json", "--move", "--workers", "1", str(drop))
    assert again.returncode == 0, again.stderr[-2000:]
    statuses = sorted(r["status"] for r in json_lines(again.stdout))
    expect_dup = ["duplicate"] if stage in ("after-catalog", "before-release") else []
    assert statuses == sorted(expect_dup + ["archived"] * (len(files) - len(expect_dup))), again.stdout
    assert not any(f.exists() for f in files), "sources released once committed"
    assert_consistent(archive, shas)


def test_doctor_fix_never_repairs_under_a_running_ingest(make_archive, tmp_path):
    """A stored file not yet catalogued belongs to an ingest in progress: doctor --fix must wait for it."""
    from girok.ingest.locks import StoreLock

    archive = make_archive()
    pending = archive / "store" / "originals" / "ab" / ("ab" + "0" * 62 + ".png")
    pending.parent.mkdir(parents=True)
    pending.write_bytes(b"stored a moment before its record is committed")
    ingest_lock = StoreLock(archive).acquire(exclusive=False)  # what a running Ingestor holds
    try:
        fix = run_girok(archive, "doctor", "--fix")
        assert fix.returncode == 5, fix.stdout + fix.stderr
        assert "girok ingest" in fix.stderr and pending.exists()
    finally:
        ingest_lock.release()
    fix = run_girok(archive, "doctor", "--fix")
    assert fix.returncode == 0 and not pending.exists(), fix.stdout + fix.stderr


def test_ingest_waits_for_no_repair(make_archive, tmp_path):
    from girok.ingest.locks import StoreLock

    archive = make_archive()
    [scan] = drop_scans(tmp_path / "drop", 1)
    with StoreLock(archive):  # what `doctor --fix` holds
        proc = run_girok(archive, "ingest", str(scan))
    assert proc.returncode == 5 and "doctor --fix" in proc.stderr, proc.stderr
    assert scan.exists() and captured_shas(archive) == []


def test_watch_stops_on_sigint_even_when_started_with_sigint_ignored(make_archive):
    """Started from a script with `&` or nohup, a process inherits SIGINT ignored; Ctrl-C/KillSignal must still work."""
    archive = make_archive()
    proc = subprocess.Popen(girok_cmd(archive, "watch", "--poll", "0.2"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        assert proc.stderr.readline().startswith("Watching"), "the watcher is past start-up"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    # 0: stopped in its loop ("Stopped."); 130: the signal came in the instant before the loop began.
    # Either way it obeyed SIGINT; ignored, it would still be running (TimeoutExpired above).
    assert proc.returncode in (0, 130), err[-2000:]



def test_doctor_reports_and_removes_an_interrupted_store_copy(make_archive):
    """atomic_copy writes .tmp-* then links it into place; a kill mid-copy leaves the temp file behind."""
    archive = make_archive()
    tmp = archive / "store" / "archival" / "cd" / ".tmp-k1ll3d.pdf"
    tmp.parent.mkdir(parents=True)
    tmp.write_bytes(b"%PDF-1.7 half written")
    doctor = run_girok(archive, "doctor")
    assert doctor.returncode == 1 and "unfinished copy in the store" in doctor.stdout, doctor.stdout
    assert run_girok(archive, "doctor", "--fix").returncode == 0
    assert not tmp.exists()
    assert run_girok(archive, "doctor").returncode == 0
