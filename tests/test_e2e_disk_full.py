"""Disk full while archiving: the input is kept, the error is clear, the archive stays consistent.

Two ways: an injected ENOSPC in the store's write path (the GIROK_FAULT
test hook), and a real, small tmpfs holding the whole archive (mounted in a
private mount namespace with `unshare`; skipped where the sandbox forbids it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import json_lines, render_korean, run_girok, wait_for
from test_e2e_faults import assert_consistent, captured_shas, drop_scans

pytestmark = pytest.mark.e2e


def assert_kept_and_reported(proc, files: list[Path], data: dict[Path, bytes]) -> None:
    assert proc.returncode == 11, (proc.returncode, proc.stderr[-2000:])
    assert "disk is full" in proc.stderr and "Check free space" in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    for f in files:
        assert f.read_bytes() == data[f], f"{f.name} must stay where it was, unchanged"


def test_injected_enospc_while_storing_keeps_the_input(make_archive, tmp_path):
    archive = make_archive()
    drop = tmp_path / "drop"
    files = drop_scans(drop)
    data = {f: f.read_bytes() for f in files}
    proc = subprocess.run([sys.executable, "-m", "girok.cli", "--archive", str(archive), "ingest", "--json",
                           "--move", "--workers", "1", str(drop)], capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "GIROK_FAULT": "enospc-store"})
    assert_kept_and_reported(proc, files, data)
    assert not list((archive / "quarantine").iterdir()), "a full disk is not the file's fault"
    assert captured_shas(archive) == []
    assert not [p for p in (archive / "work").iterdir() if p.is_dir()], "work folders dropped"
    doctor = run_girok(archive, "doctor")
    assert doctor.returncode == 0 and "No problems found" in doctor.stdout, doctor.stdout

    again = run_girok(archive, "ingest", "--json", "--move", "--workers", "1", str(drop))  # space is back
    assert again.returncode == 0, again.stderr[-2000:]
    assert [r["status"] for r in json_lines(again.stdout)] == ["archived", "archived"]
    assert_consistent(archive, [sha_bytes(b) for b in data.values()])


# --- a real small filesystem -------------------------------------------------------------


class SmallFs:
    """A tmpfs mounted at ``mnt`` inside a private mount namespace held by a sleeping process."""

    def __init__(self, mnt: Path, size: str):
        self.mnt = mnt
        mnt.mkdir()
        user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
        self.holder = subprocess.Popen(
            ["unshare", *user, "--mount", "--propagation", "private", "sh", "-c",
             'mount -t tmpfs -o size="$1" girok-test "$0" && echo mounted && exec sleep 3600', str(mnt), size],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.holder.stdout.readline().strip()
        if line != "mounted":
            self.close()
            pytest.skip(f"cannot mount a small tmpfs here ({self.holder.stderr.read().strip()[:200]})")
        self.enter = ["nsenter", "-t", str(self.holder.pid), "-m"] + (
            [] if os.geteuid() == 0 else ["-U", "--preserve-credentials"])
        if not self.view(mnt).exists():
            self.close()
            pytest.skip("the namespace's files are not visible through /proc/PID/root")

    def view(self, path: Path) -> Path:
        """``path`` as the namespace sees it."""
        return Path(f"/proc/{self.holder.pid}/root{path}")

    def girok(self, archive: Path, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.enter, sys.executable, "-m", "girok.cli", "--archive", str(archive), *args],
                              capture_output=True, text=True, timeout=600, check=False)

    def free(self) -> int:
        st = os.statvfs(self.view(self.mnt))
        return st.f_bavail * st.f_frsize

    def close(self) -> None:
        if self.holder.poll() is None:
            self.holder.kill()
        self.holder.wait()


@pytest.fixture
def small_fs(tmp_path):
    if not shutil.which("unshare") or not shutil.which("nsenter"):
        pytest.skip("unshare/nsenter (util-linux) not installed")
    fs = SmallFs(tmp_path / "small", "48m")
    yield fs
    fs.close()


def test_real_full_filesystem_keeps_the_input_and_recovers(small_fs, tmp_path):
    archive = small_fs.mnt / "archive"
    init = small_fs.girok(archive, "init")
    assert init.returncode == 0, init.stderr
    drop = tmp_path / "drop"  # on the big disk, like a scanner share
    # an uncompressed scan: the claim copy fits, the store copy does not
    scan = render_korean(drop.mkdir() or drop / "민원 대장.tif", ["민원실 전입신고서", "접수 번호 5521"], dpi=150,
                         size=(1240, 1400), fmt="TIFF")
    data = scan.read_bytes()
    filler = small_fs.view(small_fs.mnt / "filler.bin")
    room = int(len(data) * 1.4)
    with filler.open("wb") as fh:
        fh.write(b"\0" * max(0, small_fs.free() - room))
    assert small_fs.free() < 2 * len(data)

    proc = small_fs.girok(archive, "ingest", "--json", "--move", "--workers", "1", str(drop))
    assert_kept_and_reported(proc, [scan], {scan: data})
    view = small_fs.view(archive)
    assert not [p for p in (view / "work").iterdir() if p.is_dir()], "work folders dropped"
    assert captures(small_fs, archive) == 0
    doctor = small_fs.girok(archive, "doctor", "--fix")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert small_fs.girok(archive, "doctor").returncode == 0

    filler.unlink()  # the clerk frees space
    again = small_fs.girok(archive, "ingest", "--json", "--move", "--workers", "1", str(drop))
    assert again.returncode == 0, again.stderr[-2000:]
    [rec] = json_lines(again.stdout)
    assert rec["status"] == "archived" and not scan.exists()
    assert captures(small_fs, archive) == 1
    stored = next((view / "store" / "originals").rglob("*.tif"))
    assert stored.read_bytes() == data and stored.name.startswith(sha_bytes(data))


def captures(fs: SmallFs, archive: Path) -> int:
    return json_lines(fs.girok(archive, "status", "--json").stdout)[0]["captures"]


def sha_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_watcher_keeps_running_on_a_full_disk_and_says_so(make_archive, tmp_path):
    archive = make_archive()
    hot = archive / "hot" / "default"
    [scan] = drop_scans(tmp_path / "drop", 1)
    data = scan.read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "girok.cli", "--archive", str(archive), "watch", "--poll", "0.2",
                             "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "GIROK_FAULT": "enospc-store"}, start_new_session=True)
    try:
        wait_for(lambda: (archive / "watch.lock").exists(), timeout=60, what="watcher start")
        os.rename(scan, hot / scan.name)
        log = archive / "logs" / "girok.log"
        wait_for(lambda: log.exists() and "disk is full" in log.read_text(), timeout=300, what="the full disk")
        assert proc.poll() is None, "the watcher keeps running"
        assert (hot / scan.name).read_bytes() == data, "the file waits in its hot folder"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    assert "error:" in err and "the disk is full" in err and "nothing is lost" in err, err[-2000:]
    assert captured_shas(archive) == []

    again = run_girok(archive, "watch", "--once", "--workers", "1")  # space is back
    assert again.returncode == 0, again.stderr[-2000:]
    assert not (hot / scan.name).exists()
    assert captured_shas(archive) == [sha_bytes(data)]
