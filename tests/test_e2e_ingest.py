"""End to end with real tesseract, OCRmyPDF, SQLite, Whoosh and files: `girok ingest`, show, search."""

from __future__ import annotations

import hashlib
import re
import shutil

import pikepdf
import pytest

from conftest import json_lines, render_korean, run_girok

pytestmark = pytest.mark.e2e


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_pdfa2b(path) -> None:
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "2"
        assert str(meta.get("pdfaid:conformance")).upper() == "B"
        intents = pdf.Root.get("/OutputIntents")
        assert intents and str(intents[0].get("/S")) == "/GTS_PDFA1"


def test_corpus_form_archived_as_pdfa_and_found(make_archive, corpus, tmp_path):
    archive = make_archive()
    src = tmp_path / "form-11-00.tif"
    shutil.copy(corpus / "form-11-00.tif", src)
    proc = run_girok(archive, "ingest", "--json", str(src), check=True)
    [rec] = json_lines(proc.stdout)
    assert rec["status"] == "archived" and rec["pages"] == 1 and rec["reason"] == ""
    assert src.exists(), "ingest without --move leaves the source in place"

    show = json_lines(run_girok(archive, "show", rec["id"], "--json", "--text", check=True).stdout)[0]
    assert show["pdfa"] == "PDF/A-2B"
    original = archive / show["original"]["path"]
    assert original.read_bytes() == src.read_bytes(), "stored original must be byte-identical"
    assert show["original"]["sha256"] == sha(src)
    archival = archive / show["archival"]["path"]
    assert show["archival"]["sha256"] == sha(archival)
    assert_pdfa2b(archival)
    conv = show["conversion"]
    assert conv["tools"]["ocrmypdf"] and "tesseract" in conv["tools"]["tesseract"]
    assert conv["options"]["language"] == ["kor", "eng"]
    text = "\n".join(show["text"])
    assert "전입신고" in text.replace(" ", "")
    assert "870501-1196406" not in text and "870501-1******" in text.replace(" ", "")

    hits = json_lines(run_girok(archive, "search", "--json", "전입신고", check=True).stdout)
    assert [h["id"] for h in hits] == [rec["id"]]
    # a Korean noun with a particle in the text: 동작구청장 contains 동작구
    hits = json_lines(run_girok(archive, "search", "--json", "동작구", check=True).stdout)
    assert rec["id"] in [h["id"] for h in hits]
    assert all("1196406" not in h["snippet"] for h in hits)


def test_inputs_of_every_kind_and_duplicates(make_archive, tmp_path):
    archive = make_archive()
    lines = ["서초구 민원실에서 접수한 서류입니다", "토지대장을 발급합니다"]
    files = [
        render_korean(tmp_path / "scan.png", lines, dpi=300),
        render_korean(tmp_path / "scan.jpg", lines + ["JPEG 사본"], dpi=200, quality=90),
        render_korean(tmp_path / "batch-g4.tif", lines, dpi=300, pages=3, mode="1", compression="group4"),
        render_korean(tmp_path / "lzw.tif", lines + ["LZW"], dpi=300, compression="tiff_lzw"),
    ]
    proc = run_girok(archive, "ingest", "--json", *map(str, files))
    assert proc.returncode == 0, proc.stderr
    recs = {r["file"].rsplit("/", 1)[-1]: r for r in json_lines(proc.stdout)}
    assert {r["status"] for r in recs.values()} == {"archived"}
    assert recs["batch-g4.tif"]["pages"] == 3
    # image resolution kept: a 1240 px wide page at 300 dpi is 297.6 pt wide
    show = json_lines(run_girok(archive, "show", recs["scan.png"]["id"], "--json").stdout)[0]
    with pikepdf.open(archive / show["archival"]["path"]) as pdf:
        assert abs(float(pdf.pages[0].mediabox[2]) - 1240 / 300 * 72) < 1.0
    hits = {h["id"] for h in json_lines(run_girok(archive, "search", "--json", "민원실").stdout)}
    assert recs["scan.png"]["id"] in hits
    # the same bytes again (under another name): reported as a duplicate, not stored twice
    again = tmp_path / "다시 스캔.png"
    shutil.copy(files[0], again)
    proc = run_girok(archive, "ingest", "--json", str(again))
    [rec] = json_lines(proc.stdout)
    assert proc.returncode == 0
    assert rec["status"] == "duplicate" and rec["id"] == recs["scan.png"]["id"]
    originals = list((archive / "store" / "originals").rglob("*.png"))
    assert len(originals) == 1


def test_bad_inputs_quarantined_with_reason_and_nonzero_exit(make_archive, tmp_path):
    archive = make_archive()
    good = render_korean(tmp_path / "good.png", ["정상 문서"], dpi=300)
    zipfile = tmp_path / "보고서.docx"
    zipfile.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    broken = tmp_path / "truncated.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    proc = run_girok(archive, "ingest", "--json", *map(str, (good, zipfile, empty, broken)))
    assert proc.returncode == 10, proc.stderr
    recs = {r["file"].rsplit("/", 1)[-1]: r for r in json_lines(proc.stdout)}
    assert recs["good.png"]["status"] == "archived"
    for name in ("보고서.docx", "empty.pdf", "truncated.pdf"):
        assert recs[name]["status"] == "quarantined" and recs[name]["reason"]
        assert (tmp_path / name).exists(), "one-shot ingest never removes the user's file"
    q = archive / "quarantine"
    reasons = sorted(p.name for p in q.glob("*.reason.txt"))
    assert len(reasons) == 3
    kept = [p for p in q.iterdir() if p.name.endswith("보고서.docx")]
    assert kept and kept[0].read_bytes() == zipfile.read_bytes()
    note = next(q.glob("*보고서.docx.reason.txt")).read_text()
    assert "What to do" in note and "PDF, TIFF, JPEG or PNG" in note


def test_reindex_rebuilds_and_search_still_finds(make_archive, tmp_path):
    archive = make_archive()
    f = render_korean(tmp_path / "a.png", ["혼인신고서 접수 안내"], dpi=300)
    [rec] = json_lines(run_girok(archive, "ingest", "--json", str(f), check=True).stdout)
    before = (archive / "index" / "CURRENT").read_text()
    run_girok(archive, "reindex", check=True)
    after = (archive / "index" / "CURRENT").read_text()
    assert before != after, "reindex builds a new index aside and switches to it"
    hits = json_lines(run_girok(archive, "search", "--json", "혼인신고", check=True).stdout)
    assert [h["id"] for h in hits] == [rec["id"]]


def test_english_page_is_read_with_the_english_model(make_archive, tmp_path):
    archive = make_archive()
    f = render_korean(tmp_path / "english.png", ["The sequencer is a composition and performance tool",
                                                  "for the professional musician. It is simple to learn."], dpi=300)
    [rec] = json_lines(run_girok(archive, "ingest", "--json", str(f), check=True).stdout)
    text = " ".join(json_lines(run_girok(archive, "show", rec["id"], "--json", "--text").stdout)[0]["text"])
    assert "composition" in text and "musician" in text


@pytest.mark.parametrize("threshold,flagged", [(101, True), (0, False)])
def test_confidence_is_kept_and_low_pages_are_flagged_for_rescan(make_archive, tmp_path, threshold, flagged):
    archive = make_archive()
    prof = archive / "profiles" / "default.toml"
    text, n = re.subn(r"rescan_below = [0-9.]+", f"rescan_below = {threshold}", prof.read_text())
    assert n == 1
    prof.write_text(text)
    f = render_korean(tmp_path / "page.png", ["주민등록번호 870501-1196406", "서초구청장 귀하"], dpi=300)
    [rec] = json_lines(run_girok(archive, "ingest", "--json", str(f), check=True).stdout)
    show = json_lines(run_girok(archive, "show", rec["id"], "--json", "--text").stdout)[0]
    [conf] = show["page_confidence"]
    assert 50 < conf <= 100, "a clean rendered page reads with high confidence"
    assert show["rescan_suggested"] is flagged
    report = archive / "reports" / "rescan.csv"
    assert report.exists() is flagged
    if flagged:
        assert rec["id"] in report.read_text(encoding="utf-8-sig")
    human = run_girok(archive, "show", rec["id"], "--text").stdout
    assert ("re-scan suggested" in human) is flagged
    assert "870501-1******" in human.replace(" ", "") and "1196406" not in human
