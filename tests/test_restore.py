"""`girok restore FILE-OR-BAG`: a changed or missing stored file comes back from a bag made by `girok export` or
from any copy whose SHA-256 the catalog recorded, audited; a file matching nothing is refused (issue 17)."""

from __future__ import annotations

import shutil

import pytest

from conftest import json_lines
from girok.app import records
from girok.archive.layout import Archive
from girok.errors import StorageError
from helpers_records import flip_a_byte, girok, sha, stored_file, three_documents


@pytest.fixture
def archive(make_archive):
    return three_documents(make_archive)


stored = stored_file  # (path, sha256)


def restore_events(root):
    return [e for e in json_lines(girok(root, "audit", "log", "--json").stdout) if e["action"] == "restore"]


def test_a_changed_file_comes_back_from_an_exported_bag(archive, tmp_path):
    bag = tmp_path / "bag"
    girok(archive, "export", "--id", "GR-2026-000001", "--id", "GR-2026-000002", "--out", str(bag), check=True)
    path, digest = stored(archive, "GR-2026-000002", "archival")
    flip_a_byte(path)
    assert girok(archive, "import", str(bag)).returncode == 0  # "already here": import leaves the damage
    assert sha(path) != digest

    proc = girok(archive, "restore", str(bag))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rel = str(path.relative_to(archive))
    assert any(line.startswith("restored (changed)") and rel in line and "GR-2026-000002" in line
               for line in proc.stdout.splitlines()), proc.stdout
    assert "1 restored, 3 already intact, 0 failed" in proc.stdout  # metadata.json and tag files are no candidates
    assert sha(path) == digest
    assert girok(archive, "fixity", "check").returncode == 0
    assert girok(archive, "doctor").stdout.strip().endswith("No problems found.")

    [ev] = restore_events(archive)
    assert ev["ids"] == ["GR-2026-000002"] and ev["detail"]["path"] == str(path.relative_to(archive / "store"))
    assert ev["detail"]["sha256"] == digest and ev["detail"]["was"] == "changed"
    assert ev["detail"]["damaged_sha256"] not in ("", digest)
    assert girok(archive, "audit", "verify").returncode == 0

    again = girok(archive, "restore", str(bag), "--json")  # nothing left to do
    [d] = json_lines(again.stdout)
    assert again.returncode == 0 and d["restored"] == [] and len(d["intact"]) == 4
    assert len(restore_events(archive)) == 1


def test_a_missing_file_comes_back_from_a_plain_copy(archive, tmp_path):
    path, digest = stored(archive, "GR-2026-000003", "original")
    copy = tmp_path / "backup" / "어디선가 찾은 사본.bin"  # any name: only the SHA-256 counts
    copy.parent.mkdir()
    shutil.copyfile(path, copy)
    path.unlink()
    assert girok(archive, "fixity", "check").returncode == 21

    proc = girok(archive, "restore", str(copy), "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [d] = json_lines(proc.stdout)
    [m] = d["restored"]
    assert m["was"] == "missing" and m["ids"] == ["GR-2026-000003"] and m["path"] == str(path.relative_to(archive))
    assert sha(path) == digest and copy.exists()
    assert girok(archive, "fixity", "check").returncode == 0
    assert [e["detail"]["was"] for e in restore_events(archive)] == ["missing"]


def test_a_file_matching_nothing_is_refused(archive, tmp_path):
    path, digest = stored(archive, "GR-2026-000001", "archival")
    impostor = tmp_path / "impostor.pdf"  # same size, one byte different: not the archived file
    shutil.copyfile(path, impostor)
    flip_a_byte(impostor)
    good = tmp_path / "good.pdf"
    shutil.copyfile(path, good)
    path.unlink()

    proc = girok(archive, "restore", str(impostor))
    assert proc.returncode == 21, proc.stdout + proc.stderr
    assert "matches nothing" in proc.stdout and str(impostor) in proc.stdout
    assert "matches no original or archival copy" in proc.stderr and "nothing restored" in proc.stderr
    assert not path.exists() and restore_events(archive) == []

    # in a folder, a file that matches nothing is reported and left, the others are restored
    folder = tmp_path / "backup"
    folder.mkdir()
    shutil.move(impostor, folder / impostor.name)
    shutil.move(good, folder / good.name)
    proc = girok(archive, "restore", str(folder))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sha(path) == digest and "matches nothing" in proc.stdout and (folder / impostor.name).exists()


def test_a_failed_restore_exits_fixity_failed(archive, tmp_path, monkeypatch):
    path, _ = stored(archive, "GR-2026-000001", "original")
    copy = tmp_path / "copy.png"
    shutil.copyfile(path, copy)
    path.unlink()

    def refuse(self, relpath, src, sha256):
        raise StorageError(f"could not restore {relpath}: the disk is full")

    monkeypatch.setattr("girok.archive.store.Store.restore", refuse)
    with Archive.open(archive) as arch:
        report = records.restore(arch, [copy])
    [m] = report.of("failed")
    assert not report.ok and m.was == "missing" and "disk is full" in m.detail
    proc = girok(archive, "restore", str(copy))
    assert proc.returncode == 21 and "could not be restored" in proc.stderr
    assert restore_events(archive) == []


def test_a_path_that_does_not_exist_is_a_usage_error(archive, tmp_path):
    assert girok(archive, "restore", str(tmp_path / "nowhere")).returncode == 2
