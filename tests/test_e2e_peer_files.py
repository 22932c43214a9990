"""Every file of the peer's real-world test resources is archived as PDF/A or quarantined with a reason.

../shared/peer-files/ocrmypdf holds skewed, rotated, JBIG2, CCITT, huge and
broken PDFs and images (and some non-scans). Runs in CI; skips without ../shared.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHARED, json_lines, run_girok

pytestmark = pytest.mark.e2e

PEER = SHARED / "peer-files" / "ocrmypdf"


def test_every_peer_file_is_archived_or_quarantined_with_a_named_cause(make_archive):
    if not PEER.is_dir():
        pytest.skip(f"peer files not found at {PEER}")
    archive = make_archive()
    proc = run_girok(archive, "ingest", "--json", "--workers", "2", str(PEER), timeout=3000)
    assert proc.returncode in (0, 10), proc.stderr[-2000:]
    outcomes: dict[str, list[dict]] = {}
    for rec in json_lines(proc.stdout):
        outcomes.setdefault(Path(rec["file"]).name, []).append(rec)
    files = sorted(p.name for p in PEER.iterdir() if p.is_file())
    assert sorted(outcomes) == files, "every file has an outcome"
    for name, recs in outcomes.items():
        for rec in recs:
            assert rec["status"] in ("archived", "quarantined"), (name, rec)
            if rec["status"] == "quarantined":
                stage = rec["reason"].split(":", 1)[0]
                assert stage in ("detect", "normalize", "split", "ocr", "pdfa"), (name, rec["reason"])
            else:
                show = json_lines(run_girok(archive, "show", rec["id"], "--json").stdout)[0]
                assert show["pdfa"] in ("PDF/A-2B", "PDF/A-2U"), (name, show["pdfa"])
    quarantined = {n for n, r in outcomes.items() if r[0]["status"] == "quarantined"}
    assert {"invalid.pdf", "README.rst", "tagged.odt"} <= quarantined
    assert "skew.pdf" not in quarantined and "ccitt.pdf" not in quarantined and "jbig2.pdf" not in quarantined
    reasons = list((archive / "quarantine").glob("*.reason.txt"))
    assert len(reasons) == len(quarantined)
