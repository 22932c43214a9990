"""`girok doctor` tells the truth: it re-hashes stored files and verifies the audit chain besides its structural
checks, names each problem with what to do, says what it checked and what it did not, and `--fix` never
"repairs" a changed or missing stored file or a broken trail (issue 17)."""

from __future__ import annotations

import shutil

import pytest

from conftest import json_lines
from girok.app import admin
from girok.archive.layout import Archive
from helpers_records import flip_a_byte, girok, sql, stored_file, three_documents


@pytest.fixture
def archive(make_archive):
    return three_documents(make_archive)


def stored(root, reg_no, which):
    return stored_file(root, reg_no, which)[0]


def test_a_clean_archive_says_what_was_checked_and_what_was_not(archive):
    proc = girok(archive, "doctor")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert out.strip().endswith("No problems found.")
    checked, not_checked = out.split("Checked:")[1].split("Not checked:")
    assert "6 catalogued file(s)" in checked and "6 re-hashed" in checked
    assert "audit trail" in checked and "hash chain intact" in checked
    assert "--expect HASH" in not_checked and "PDF/A" in not_checked
    # the re-hash is a fixity check like any other: in the trail
    [ev] = [e for e in json_lines(girok(archive, "audit", "log", "--json").stdout) if e["action"] == "fixity"]
    assert ev["detail"]["by"] == "doctor" and ev["detail"]["hashed"] == 6 and ev["detail"]["ok"] is True


def test_a_flipped_byte_is_reported_and_not_fixed_by_fix(archive):
    changed = stored(archive, "GR-2026-000002", "archival")
    flip_a_byte(changed)  # same size: only re-hashing finds it
    damaged = changed.read_bytes()
    rel = str(changed.relative_to(archive))

    proc = girok(archive, "doctor")
    assert proc.returncode == 1, proc.stdout
    assert f"changed: {rel} (GR-2026-000002): restore it with `girok restore BAG-or-FILE`" in proc.stdout
    assert "No problems found" not in proc.stdout

    fix = girok(archive, "doctor", "--fix")
    assert fix.returncode == 1 and f"changed: {rel}" in fix.stdout, fix.stdout
    assert "Not repaired (1)" in fix.stdout and "No problems found" not in fix.stdout
    assert changed.read_bytes() == damaged, "doctor --fix leaves a changed file as it is"
    assert girok(archive, "fixity", "check").returncode == 21


def test_a_missing_file_stays_a_problem_after_fix(archive):
    missing = stored(archive, "GR-2026-000003", "original")
    missing.unlink()
    fix = girok(archive, "doctor", "--fix")
    assert fix.returncode == 1
    assert f"missing: {missing.relative_to(archive)} (GR-2026-000003): restore it with" in fix.stdout
    assert not missing.exists()


def test_a_broken_audit_chain_is_reported(archive):
    sql(archive, "update events set detail='{\"edited\": true}' where id=2")
    proc = girok(archive, "doctor")
    assert proc.returncode == 1, proc.stdout
    assert "audit trail broken: event 2" in proc.stdout and "altered" in proc.stdout
    assert "broken at event 2" in proc.stdout.split("Checked:")[1]
    fix = girok(archive, "doctor", "--fix")
    assert fix.returncode == 1 and "audit trail broken: event 2" in fix.stdout


def test_quick_rehashes_a_sample_and_says_how_many_were_not(archive, monkeypatch):
    girok(archive, "fixity", "check", check=True)  # a full check, which --quick then points to
    monkeypatch.setattr(admin, "QUICK_SAMPLE", 2)
    with Archive.open(archive) as arch:
        report = admin.doctor(arch, quick=True)
    assert report.ok and report.fixity["hashed"] == 2 and report.fixity["files"] == 6
    [line] = [n for n in report.not_checked if "not re-hashed" in n]
    assert line.startswith("4 stored file(s) not re-hashed") and "the last check of every file was at" in line
    # every file is still looked for
    shutil.move(stored(archive, "GR-2026-000001", "original"), archive.parent / "elsewhere.png")
    with Archive.open(archive) as arch:
        report = admin.doctor(arch, quick=True)
    assert [f.kind for f in report.issues] == ["missing"] and report.problems == 1


def test_json(archive):
    flip_a_byte(stored(archive, "GR-2026-000001", "original"))
    proc = girok(archive, "doctor", "--json")
    assert proc.returncode == 1
    [d] = json_lines(proc.stdout)
    assert not d["ok"] and d["problems"] == 1 and d["audit"]["ok"] and d["fixity"]["changed"] == 1
    [f] = d["findings"]
    assert f["kind"] == "changed" and f["ids"] == ["GR-2026-000001"] and not f["repairable"]
    assert "girok restore" in f["todo"] and d["checked"] and d["not_checked"]
