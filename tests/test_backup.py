"""Issue 19: verified backups, incremental, that reach disposals; repair and a whole archive rebuilt from one;
a killed backup run leaves nothing counted as good that is not."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from conftest import girok_cmd
from girok.app.backup import backup, backup_state, restore_archive, verify
from girok.errors import BackupFailed, UsageError
from girok.retention.disposal import dispose
from helpers_retention import approve, cli, env, sha  # noqa: F401 (env is a fixture)


def store_files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): sha(p) for p in (root / "store").rglob("*") if p.is_file()}


def test_a_second_backup_copies_only_what_is_new_and_the_copy_verifies(env, tmp_path):
    target = tmp_path / "copy"
    env.add(text="서초구 민원실 전입신고서 하나")
    env.add(text="서초구 민원실 전입신고서 둘")
    first = backup(env.arch, target)
    assert first.ok and first.files == 4 and first.copied == 4 and first.already == 0
    assert store_files(target) == store_files(env.root)
    assert (target / "catalog.sqlite").exists() and (target / "girok.toml").exists()
    assert (target / "rrn.key").exists() == (env.root / "rrn.key").exists()  # made with the first RRN

    env.add(text="서초구 민원실 혼인신고서 셋")
    second = backup(env.arch, target)
    assert (second.copied, second.already, second.files) == (2, 4, 6)  # only the new capture's two files
    assert second.copied_bytes == sum(p.stat().st_size for p in (env.root / "store").rglob("*")
                                      if p.is_file()) - first.copied_bytes
    rep = verify(target, arch=env.arch)
    assert rep.ok and rep.files >= 6 and rep.hashed == rep.files
    state = backup_state(env.arch)
    assert state["last_verified"]["ok"] and state["warning"] is None
    assert state["last_verified"]["at"].endswith("+09:00")
    actions = [e.action for e in env.events()]
    assert actions.count("backup") == 2 and actions.count("backup-verify") == 1


def test_status_warns_without_a_verified_backup(env):
    env.add()
    assert "no verified backup" in backup_state(env.arch)["warning"]
    out = cli(env.root, "status").stdout
    assert "backup: no verified backup" in out


def test_a_flipped_byte_and_a_deleted_file_are_repaired_from_the_backup(env, tmp_path):
    target = tmp_path / "copy"
    reg = env.add(text="서초구 민원실 위임장")[0]
    backup(env.arch, target)
    orig, pdf = env.files(reg)
    good = sha(pdf)
    data = bytearray(pdf.read_bytes())
    data[5] ^= 0xFF
    pdf.write_bytes(bytes(data))
    orig.unlink()
    assert cli(env.root, "fixity", "check").returncode == 21
    res = cli(env.root, "restore", str(target))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "2 restored" in res.stdout
    assert sha(pdf) == good and orig.exists()
    assert cli(env.root, "fixity", "check").returncode == 0


def test_a_damaged_backup_is_named_file_by_file(env, tmp_path):
    target = tmp_path / "copy"
    env.add()
    env.add()
    backup(env.arch, target)
    victim = sorted((target / "store" / "archival").rglob("*.pdf"))[0]
    victim.write_bytes(victim.read_bytes() + b"x")
    gone = sorted((target / "store" / "originals").rglob("*"))[-1]
    if gone.is_dir():
        gone = next(p for p in gone.rglob("*") if p.is_file())
    gone.unlink()
    res = cli(env.root, "backup", "verify", str(target), "--json")
    assert res.returncode == 23
    d = json.loads(res.stdout.strip().splitlines()[-1])
    kinds = {(p["kind"], p["path"]) for p in d["problems"]}
    assert ("changed", str(victim.relative_to(target))) in kinds
    assert ("missing", str(gone.relative_to(target))) in kinds
    assert d["ok"] is False
    assert "verification failed" in backup_state(env.arch)["warning"]
    # a damaged copy is never used to repair the archive: its bytes do not match the catalog
    # and the next backup run puts the good file back into the copy
    again = backup(env.arch, target)
    assert again.copied == 2 and verify(target).ok


def test_the_whole_archive_comes_back_from_a_backup_and_is_searchable(env, tmp_path):
    target = tmp_path / "copy"
    regs = env.add(text="서초구 민원실 전입신고서 복원") + env.add("혼인신고서", text="강남구 혼인신고서 복원")
    backup(env.arch, target)
    new = tmp_path / "restored"
    d = restore_archive(target, new)
    assert d["indexed"] == 2
    for args, code in ((("doctor",), 0), (("audit", "verify"), 0), (("fixity", "check"), 0)):
        res = subprocess.run(girok_cmd(new, *args), capture_output=True, text=True)
        assert res.returncode == code, (args, res.stdout, res.stderr)
    res = subprocess.run(girok_cmd(new, "search", "혼인신고서", "--json"), capture_output=True, text=True)
    assert res.returncode == 0 and regs[1] in res.stdout and regs[0] not in res.stdout
    with pytest.raises(UsageError):
        restore_archive(target, new)  # never over an existing archive


def test_a_backup_that_does_not_verify_is_not_restored(env, tmp_path):
    target = tmp_path / "copy"
    env.add()
    backup(env.arch, target)
    cat = target / "catalog.sqlite"
    cat.write_bytes(cat.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(Exception) as ei:
        restore_archive(target, tmp_path / "restored")
    assert "does not verify" in str(ei.value)
    assert not (tmp_path / "restored" / "catalog.sqlite").exists()


def test_disposal_reaches_the_copy_at_the_next_backup(env, tmp_path):
    target = tmp_path / "copy"
    gone = env.add(text="홍길순 전입신고서", captured=datetime(2019, 5, 2, 3))
    kept = env.add("주민등록표", text="서초구 주민등록표", captured=datetime(2019, 6, 2, 3))
    backup(env.arch, target)
    orig, pdf = env.files(gone[0])
    copies = {target / "store" / p.relative_to(env.root / "store") for p in (orig, pdf)}
    assert all(p.exists() for p in copies)
    env.clock.set(2026, 3, 2)
    approve(env, gone)
    rep = dispose(env.arch)
    assert rep.disposed == gone
    after = backup(env.arch, target)
    assert sorted(after.removed) == sorted(str(p.relative_to(target)) for p in copies)
    assert after.destroyed == {"2026-0001": gone}
    assert not any(p.exists() for p in copies)
    assert all((target / "store" / p.relative_to(env.root / "store")).exists() for p in env.files(kept[0]))
    note = (env.root / "disposal" / "copies.txt").read_text(encoding="utf-8")
    assert "certificate 2026-0001" in note and gone[0] in note and str(target) in note
    assert verify(target).ok
    assert (target / "disposal" / "certificate-2026-0001.txt").exists()  # the certificate is in the copy too


def test_a_damaged_archive_file_is_never_copied(env, tmp_path):
    target = tmp_path / "copy"
    reg = env.add()[0]
    _, pdf = env.files(reg)
    good = pdf.read_bytes()
    pdf.write_bytes(b"damaged")
    res = cli(env.root, "backup", str(target))
    assert res.returncode == 23 and "changed in the archive" in res.stderr
    assert not (target / "store" / pdf.relative_to(env.root / "store")).exists()
    rep = verify(target)
    assert not rep.ok and rep.problems[0]["kind"] == "incomplete"
    pdf.write_bytes(good)  # repaired (e.g. `girok restore` from an export)
    assert cli(env.root, "backup", str(target)).returncode == 0
    assert verify(target).ok


def test_a_backup_refuses_a_folder_inside_the_archive(env):
    with pytest.raises(UsageError):
        backup(env.arch, env.root / "backups")


def _run(root: Path, target: Path, fault: str | None = None) -> subprocess.CompletedProcess:
    envs = {**os.environ, **({"GIROK_FAULT": fault} if fault else {})}
    return subprocess.run(girok_cmd(root, "backup", str(target)), capture_output=True, text=True, env=envs)


def test_a_backup_killed_mid_file_is_completed_by_the_next_run(env, tmp_path):
    target = tmp_path / "copy"
    for i in range(3):
        env.add(text=f"서초구 민원실 문서 {i}")
    env.arch.close()
    killed = _run(env.root, target, "backup-mid-copy")
    assert killed.returncode == 137
    assert list(target.rglob(".tmp-*")), "the hook leaves a half-written file, as a kill would"
    with pytest.raises(UsageError):  # no manifest yet: nothing in the folder counts as a backup
        verify(target)
    env.add(text="서초구 민원실 문서 추가")  # the archive moves on meanwhile
    env.arch.close()
    again = _run(env.root, target)
    assert again.returncode == 0, again.stderr
    assert not list(target.rglob(".tmp-*"))
    rep = verify(target)
    assert rep.ok and rep.files >= 8
    assert {k for k in store_files(target)} == {k for k in store_files(env.root)}


def test_a_backup_killed_after_some_files_then_rerun_trusts_only_verified_files(env, tmp_path):
    target = tmp_path / "copy"
    for i in range(3):
        env.add(text=f"서초구 민원실 문서 {i}")
    env.arch.close()
    assert _run(env.root, target).returncode == 0  # a first complete backup
    for i in range(3):
        env.add(text=f"강남구 민원실 문서 {i}")
    env.arch.close()
    assert _run(env.root, target, "backup-after-copy").returncode == 137  # died after one new file
    # a file the manifest does not list yet is hashed before it counts; make it bad to prove it
    new_files = set(store_files(target)) - set(json.loads((target / "girok-backup.json").read_text())["files"])
    assert len(new_files) == 1
    bad = target / new_files.pop()
    bad.write_bytes(bad.read_bytes()[:-1] + b"!")
    done = _run(env.root, target)
    assert done.returncode == 0, done.stderr
    assert verify(target).ok
    assert store_files(target) == store_files(env.root)


def test_sigkill_midway_then_rerun_ends_complete_and_verified(env, tmp_path):
    target = tmp_path / "copy"
    for i in range(40):
        env.add(text=f"서초구 민원실 문서 {i}")
    env.arch.close()
    proc = subprocess.Popen(girok_cmd(env.root, "backup", str(target)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if (target / "store").exists() and any(p.is_file() for p in (target / "store").rglob("*")):
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if proc.returncode != -signal.SIGKILL:
        pytest.fail(f"the backup finished (exit {proc.returncode}) before it could be killed: make it bigger")
    assert not (target / "girok-backup.json").exists() or not verify(target).ok or \
        len(store_files(target)) < len(store_files(env.root))
    done = _run(env.root, target)
    assert done.returncode == 0, done.stderr
    rep = verify(target)
    assert rep.ok and not list(target.rglob(".tmp-*"))
    assert store_files(target) == store_files(env.root)


def test_backup_verify_needs_no_archive(env, tmp_path):
    target = tmp_path / "copy"
    env.add()
    backup(env.arch, target)
    res = subprocess.run([sys.executable, "-m", "girok.cli", "--archive", str(tmp_path / "none"), "backup", "verify",
                          str(target)], capture_output=True, text=True)
    assert res.returncode == 0 and "0 problem(s)" in res.stdout and "Not recorded" in res.stdout
    with pytest.raises(BackupFailed):
        (target / "girok.toml").write_text("changed")
        rep = verify(target)
        if not rep.ok:
            raise BackupFailed("x")


def test_a_backup_taken_while_documents_are_archived_is_consistent(env, tmp_path):
    """The catalog snapshot is one moment; the files it references are all in the copy, whatever is archived
    meanwhile (which the next run picks up)."""
    import threading

    target = tmp_path / "copy"
    for i in range(5):
        env.add(text=f"서초구 민원실 문서 {i}")
    stop = threading.Event()
    added = []

    def archive_more():
        i = 0
        while not stop.is_set() and i < 30:
            added.extend(env.add(text=f"강남구 민원실 동시 {i}"))
            i += 1

    t = threading.Thread(target=archive_more)
    t.start()
    try:
        reports = [backup(env.arch, target) for _ in range(3)]
    finally:
        stop.set()
        t.join()
    assert all(r.ok for r in reports) and verify(target).ok
    final = backup(env.arch, target)
    assert final.ok and verify(target).ok and store_files(target) == store_files(env.root)
    assert final.files == 2 * (5 + len(added))
