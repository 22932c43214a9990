"""Batch splitting, metadata from forms (QR and text) and RRN protection, end to end with real OCR."""

from __future__ import annotations

import json
import shutil
import zlib

import pytest

from conftest import json_lines, run_girok
from girok.text.pii import mask_name

pytestmark = pytest.mark.e2e


def test_batch_splits_into_its_documents_with_their_metadata(make_archive, corpus, tmp_path):
    archive = make_archive()
    meta = json.loads((corpus / "batch-11-00.meta.json").read_text())
    src = tmp_path / "batch.tif"
    shutil.copy(corpus / "batch-11-00.tif", src)
    recs = json_lines(run_girok(archive, "ingest", "--json", str(src), check=True).stdout)
    assert [r["status"] for r in recs] == ["archived"] * len(meta["documents"])
    shown = [json_lines(run_girok(archive, "show", r["id"], "--json").stdout)[0] for r in recs]
    assert [s["type"] for s in shown] == [d["doc_type"] for d in meta["documents"]]
    assert [s["date"] for s in shown] == [d["date"] for d in meta["documents"]]
    # the original is kept whole, once, as the original of every part
    assert len({s["original"]["sha256"] for s in shown}) == 1
    assert len(list((archive / "store" / "originals").rglob("*.*"))) == 1
    pages = [p for s in shown for p in s["source"]["pages_in_file"]]
    assert len(pages) == len(set(pages)), "no page in two documents"


def test_form_metadata_and_rrn_never_in_clear_outside_the_archival_pdf(make_archive, corpus, tmp_path):
    archive = make_archive()
    meta = json.loads((corpus / "form-11-00.meta.json").read_text())
    [rec] = json_lines(run_girok(archive, "ingest", "--json", str(corpus / "form-11-00.tif"), check=True).stdout)
    show = json_lines(run_girok(archive, "show", rec["id"], "--json", "--text").stdout)[0]
    for key, of in (("type", "doc_type"), ("date", "date"), ("receipt_no", "receipt_no")):
        assert show[key] == meta[of], key
    assert show["applicant"] == mask_name(meta["applicant"])  # masked in every JSON output
    rrn = meta["rrn"][0]
    assert show["rrn_masked"] == [rrn[:8] + "******"]
    hits = json_lines(run_girok(archive, "search", "--json", "--rrn", rrn).stdout)
    assert [h["id"] for h in hits] == [rec["id"]]
    run_girok(archive, "search", "--json", "전입신고", check=True)
    # every file of the archive except the stored original and archival PDF: no clear RRN digits
    clear = [rrn.replace("-", ""), rrn, rrn[7:]]
    stored = {archive / "store" / show["original"]["path"].removeprefix("store/"),
              archive / "store" / show["archival"]["path"].removeprefix("store/")}
    for path in archive.rglob("*"):
        if not path.is_file() or path in stored:
            continue
        data = path.read_bytes()
        blobs = [data]
        for i in range(len(data)):  # zlib streams inside Whoosh segments and SQLite pages
            if data[i:i + 1] == b"\x78" and data[i + 1:i + 2] in (b"\x01", b"\x5e", b"\x9c", b"\xda"):
                try:
                    blobs.append(zlib.decompressobj().decompress(data[i:]))
                except zlib.error:
                    pass
        for blob in blobs:
            for c in clear:
                assert c.encode() not in blob and c.encode("utf-16-le") not in blob, f"clear RRN in {path}"
    events = run_girok(archive, "audit", "log", "--json").stdout
    assert "rrn-lookup" in events and rrn not in events
