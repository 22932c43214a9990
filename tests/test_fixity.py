"""`girok fixity check`: changed, missing and orphan files are all reported, with a non-zero exit and an
audit event; a sample re-hashes only some files but still looks for every one."""

from __future__ import annotations

import random

import pytest

from conftest import json_lines, run_girok
from girok.archive import fixity
from girok.archive.layout import Archive
from girok.errors import FixityFailed
from helpers_records import flip_a_byte, girok, stored_file, three_documents


@pytest.fixture
def archive(make_archive):
    return three_documents(make_archive)


def stored(root, reg_no, which):
    return stored_file(root, reg_no, which)[0]


def test_clean_archive_passes_and_records_the_check(archive):
    proc = girok(archive, "fixity", "check", "--json")
    assert proc.returncode == 0, proc.stderr
    [d] = json_lines(proc.stdout)
    assert d["ok"] and d["files"] == 6 and d["hashed"] == 6 and d["problems"] == []
    [ev] = [e for e in json_lines(girok(archive, "audit", "log", "--json").stdout) if e["action"] == "fixity"]
    assert ev["detail"]["ok"] is True and ev["detail"]["hashed"] == 6 and ev["ids"] == []


def test_changed_missing_and_orphan_files_are_all_reported(archive):
    changed = stored(archive, "GR-2026-000001", "archival")
    missing = stored(archive, "GR-2026-000002", "original")
    flip_a_byte(changed)  # same size: only re-hashing can tell
    missing.unlink()
    stray = archive / "store" / "originals" / "ff" / ("f" * 64 + ".png")
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"left by someone")

    proc = run_girok(archive, "fixity", "check")  # a real process: the exit code a nightly job sees
    assert proc.returncode == FixityFailed.exit_code, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    rel = lambda p: str(p.relative_to(archive))  # noqa: E731
    assert any(line.startswith("changed") and rel(changed) in line and "GR-2026-000001" in line for line in lines)
    assert any(line.startswith("missing") and rel(missing) in line and "GR-2026-000002" in line for line in lines)
    assert any(line.startswith("orphan") and rel(stray) in line for line in lines)
    assert "1 missing, 1 changed, 0 unreadable, 1 orphan" in proc.stdout
    assert "fixity check found 3 problem(s)" in proc.stderr

    [d] = json_lines(girok(archive, "fixity", "check", "--json").stdout)
    assert {(p["kind"], p["path"]) for p in d["problems"]} == {
        ("changed", rel(changed)), ("missing", rel(missing)), ("orphan", rel(stray))}

    # the trail keeps the result, and names the damaged documents
    ev = json_lines(girok(archive, "audit", "log", "--json", "--document", "GR-2026-000002").stdout)[-1]
    assert ev["action"] == "fixity" and ev["detail"]["ok"] is False
    assert ev["detail"]["missing_paths"] == [rel(missing)] and ev["detail"]["changed_paths"] == [rel(changed)]
    assert ev["detail"]["orphan_paths"] == [rel(stray)]
    assert sorted(ev["ids"]) == ["GR-2026-000001", "GR-2026-000002"]
    assert girok(archive, "audit", "verify").returncode == 0


def test_a_sample_rehashes_some_files_but_looks_for_all(archive):
    with Archive.open(archive) as arch:
        files = fixity.expected_files(arch)
        victim = sorted(files)[0]
        flip_a_byte(arch.store.resolve(victim))
        other = sorted(files)[-1]
        arch.store.resolve(other).unlink()
        seen = []
        report = fixity.check(arch, sample=2, rng=random.Random(7), progress=lambda done, total: seen.append(total),
                              record=False)
        assert report.files == 6 and report.hashed == 2 and seen == [2, 2]
        assert [p.path for p in report.of_kind("missing")] == ["store/" + other]  # found without re-hashing
        full = fixity.check(arch, record=False)
        assert [p.path for p in full.of_kind("changed")] == ["store/" + victim]
        assert arch.catalog.events(limit=1)[0].action == "capture"  # record=False wrote nothing


def test_a_changed_size_is_found_without_rehashing(archive):
    with Archive.open(archive) as arch:
        victim = sorted(fixity.expected_files(arch))[0]
        with arch.store.resolve(victim).open("ab") as fh:
            fh.write(b"appended")
        report = fixity.check(arch, sample=1, rng=random.Random(0), record=False)
    [p] = report.of_kind("changed")
    assert p.path == "store/" + victim and "size" in p.detail


def test_sample_option_through_the_cli(archive):
    proc = girok(archive, "fixity", "check", "--sample", "2", "--json")
    [d] = json_lines(proc.stdout)
    assert proc.returncode == 0 and d["sample"] == 2 and d["hashed"] == 2 and d["files"] == 6
    assert girok(archive, "fixity", "check", "--sample", "0").returncode == 2
