"""Issue 17, item 7: small traps a records officer fell into, each fixed or answered with what to do."""

from __future__ import annotations

import json
import re

import pytest
from helpers_records import add_document, girok

from girok.cli.main import archive_option_first


@pytest.fixture
def archive(make_archive):
    root = make_archive()
    reg = add_document(root, ["혼인신고서\n서초구 민원실 신고서"], name="a.png")
    add_document(root, ["전입신고서\n서초구 민원실 신고서"], name="b.png")
    return root, reg


def test_archive_option_after_the_command(archive):
    root, _ = archive
    r = girok(root.parent / "elsewhere", "status", "--json", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["documents"] == 2
    assert archive_option_first(["show", "X", "-a", "A"]) == ["-a", "A", "show", "X"]
    assert archive_option_first(["search", "--", "-a", "A"]) == ["search", "--", "-a", "A"]
    assert archive_option_first(["status", "--archive=A"]) == ["--archive=A", "status"]


def test_version_option(archive):
    r = girok(archive[0], "--version")
    assert r.returncode == 0 and r.stdout.startswith("girok ")


def test_show_takes_a_lower_case_number_and_hints_with_the_archive_prefix(make_archive):
    root = make_archive()
    (root / "girok.toml").write_text((root / "girok.toml").read_text().replace('id_prefix = "GR"', 'id_prefix = "SC"'))
    reg = add_document(root, ["위임장"], name="c.png")
    assert reg.startswith("SC-")
    r = girok(root, "show", "--json", reg.lower())
    assert r.returncode == 0 and json.loads(r.stdout)["id"] == reg
    r = girok(root, "show", "sc-1999-999999")
    assert r.returncode == 6 and "SC-" in r.stderr and "GR-" not in r.stderr


def test_minus_word_in_search_is_not(archive):
    root, _ = archive
    r = girok(root, "search", "--json", "신고서", "-혼인")
    assert r.returncode == 0, r.stderr
    hits = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(hits) == 1 and "전입" in hits[0]["title"]


def test_a_pasted_rrn_points_to_rrn_lookup(archive):
    r = girok(archive[0], "search", "870501-1234567")
    assert r.returncode == 1 and "--rrn" in r.stderr and "1234567" not in r.stderr


def test_no_hits_is_exit_1_with_and_without_json_and_rrn_lines_are_ranked(archive):
    root, _ = archive
    for args in (("없는말",), ("--json", "없는말"), ("--rrn", "870501-1234567"), ("--json", "--rrn", "870501-1234567")):
        r = girok(root, "search", *args)
        assert r.returncode == 1 and not r.stdout.strip(), (args, r.stdout)
    assert girok(root, "search", "--json", "신고서").returncode == 0


def test_search_filters_are_audited_as_the_query_language_writes_them(archive):
    root, _ = archive
    girok(root, "search", "--json", "신고서", "--type", "혼인신고서", "--date", "2024")
    from helpers_records import sql

    [(detail,)] = sql(root, "SELECT detail FROM events WHERE action='search' ORDER BY id DESC LIMIT 1")
    filters = json.loads(detail)["filters"]
    assert filters == ["type:혼인신고서", "date:2024-01-01..2024-12-31"]


@pytest.mark.parametrize("columns", [80, 120])
def test_search_table_has_receipt_number_and_masked_applicant_and_fits_the_width(make_archive, monkeypatch,
                                                                                 columns):
    from rich.cells import cell_len

    from girok.archive.indexing import index_documents
    from girok.archive.layout import Archive
    from helpers_records import sql

    root = make_archive()
    reg = add_document(root, ["혼인신고서\n접수번호 2024-서초-0001\n" + "서초구 민원실 신고서 안내문 " * 30], name="d.png")
    other = add_document(root, ["[긴급] 전입신고서 " + "아주 긴 제목 " * 20 + "\n민원실"], name="e.png")
    sql(root, f"UPDATE documents SET applicant='홍길동', receipt_no='2024-서초-0001' WHERE reg_no='{reg}'",
        f"UPDATE documents SET applicant='남궁민수', receipt_no='2024-서초구-민원과-000123456' WHERE reg_no='{other}'")
    with Archive.open(root) as arch:
        index_documents(arch, [reg, other])
    monkeypatch.setenv("COLUMNS", str(columns))
    r = girok(root, "search", "민원실")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert all(cell_len(line) <= columns for line in lines), r.stdout
    assert "접수번호" in lines[0] and "applicant" in lines[0]
    [first] = [line for line in lines if line.startswith(reg)]
    assert "2024-서초-0001" in first and "홍*동" in first and "홍길동" not in r.stdout
    [second] = [line for line in lines if line.startswith(other)]  # the ID whole, however long the title
    assert "남**수" in second and "[긴급]" in r.stdout  # a title is not markup
    assert len(lines) <= 1 + 2 * 3, r.stdout  # a header, then a line and a two-line snippet a hit
    hits = [json.loads(line) for line in girok(root, "search", "--json", "민원실").stdout.splitlines()]
    assert {h["applicant"] for h in hits} == {"홍*동", "남**수"}


@pytest.mark.parametrize("options, said", [
    ({"deskew": {"preservation_copy": False, "ocr_copy": True}, "plugins": ["girok.ocr.plugin"]},
     "the OCR image only (the archived page is as scanned)"),
    ({"deskew": False, "plugins": ["girok.ocr.plugin", "girok.ocr.plugin_deskew"]},  # a record before girok said so
     "the OCR image only (the archived page is as scanned)"),
    ({"deskew": False, "plugins": ["girok.ocr.plugin"]}, "no (the archived page is as scanned)"),
    ({"deskew": True}, "the archived page"),  # OCRmyPDF's own --deskew
])
def test_the_conversion_record_says_which_copy_was_deskewed(make_archive, options, said):
    from helpers_records import sql

    root = make_archive()
    reg = add_document(root, ["혼인신고서"], name="f.png")
    sql(root, "UPDATE documents SET conversion=? WHERE reg_no=?",
        params=(json.dumps({"tools": {"tesseract": "5.3.0"}, "options": options}), reg))
    r = girok(root, "show", reg)
    assert r.returncode == 0, r.stderr
    assert [line.split(None, 1)[1] for line in map(str.strip, r.stdout.splitlines()) if line.startswith("deskew")] == [said]
    shown = json.loads(girok(root, "show", "--json", reg).stdout)["conversion"]["options"]["deskew"]
    assert shown == {"preservation_copy": "as scanned" not in said, "ocr_copy": "OCR image" in said}


def test_a_mistyped_search_option_is_still_an_error(archive):
    r = girok(archive[0], "search", "신고서", "--limti", "5")
    assert r.returncode == 2 and "--limti" in r.stderr


def test_worker_log_lines_name_the_file_and_the_page_of_the_file():
    import logging

    from girok.ingest.prepare import SourceFilter, working_on

    def where(**attrs) -> str:
        record = logging.LogRecord("ocrmypdf._exec.tesseract", logging.ERROR, __file__, 1,
                                   "[tesseract] Error during processing.", None, None)
        record.__dict__.update(attrs)
        SourceFilter().filter(record)
        return record.where

    assert where() == "" and where(pageno=2) == ""  # not preparing a file: nothing to name
    with working_on("전입신고서 870501-1196406.tif"):
        assert where() == "전입신고서 870501-1******.tif: "  # a file name is masked as everything else in the log
        assert where(pageno=2) == "전입신고서 870501-1******.tif page 2: "
        with working_on(pages=[3, 4, 5]):  # the second document of the file: OCRmyPDF's page 2 is the file's 5
            assert where(pageno=2) == "전입신고서 870501-1******.tif page 5: "
            assert where(pageno=None) == "전입신고서 870501-1******.tif: "
    assert where(pageno=2) == ""


@pytest.mark.e2e
def test_a_tesseract_error_in_the_log_names_the_file_and_page(make_archive, tmp_path):
    """Provoked for real: a timeout makes tesseract fail ("[tesseract] Error during processing.")."""
    from conftest import run_girok
    from helpers_images import save_multipage_tiff
    from helpers_pages import korean_page

    root = make_archive()
    profile = root / "profiles" / "default.toml"
    profile.write_text(profile.read_text().replace("timeout_seconds = 300", "timeout_seconds = 0.01"))
    src = save_multipage_tiff(tmp_path / "전입신고서 870501-1196406.tif",
                              [korean_page(["전입신고서", "서초구 민원실"]), korean_page(["혼인신고서", "동작구"])],
                              compression="tiff_lzw", dpi=150)
    run_girok(root, "ingest", "--json", str(src))
    log = (root / "logs" / "girok.log").read_text(encoding="utf-8")
    tess = [line for line in log.splitlines() if "[tesseract]" in line]
    assert tess, log
    assert all("전입신고서 870501-1******.tif page " in line for line in tess), tess
    assert "1196406" not in log


def _scan(path, pages: int):
    from helpers_images import save_multipage_tiff
    from helpers_pages import korean_page

    return save_multipage_tiff(path, [korean_page([f"전입신고서 {i}쪽", "서초구 민원실에서 접수한 서류입니다"])
                                      for i in range(1, pages + 1)], compression="tiff_lzw", dpi=150)


@pytest.mark.e2e
def test_a_worker_reports_each_page_it_reads(make_archive, tmp_path, monkeypatch):
    from girok.config import load_profile
    from girok.ingest import prepare as worker
    from girok.ingest import progress

    root = make_archive()
    work = tmp_path / "work"
    work.mkdir()
    src = _scan(work / "original.tif", 4)
    told = []
    write = progress.write
    monkeypatch.setattr(progress, "write", lambda d, **kw: (told.append((kw["done"], kw["pages"])), write(d, **kw)))
    job = worker.Job(job_id="j", work_dir=work, original=src, source_name="전입신고서.tif", media_type="image/tiff",
                     ext=".tif", profile=load_profile(root / "profiles" / "default.toml"))
    worker.prepare(job)
    assert told == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert progress.read(work) == (4, 4)


@pytest.mark.e2e
def test_ingest_shows_pages_read_before_the_file_is_done(make_archive, tmp_path):
    from conftest import run_girok

    root = make_archive()
    src = _scan(tmp_path / "전입신고서.tif", 4)
    r = run_girok(root, "ingest", str(src))
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    done = next(i for i, line in enumerate(lines) if line.startswith("archived"))
    read = [line for line in lines[:done] if line.startswith("전입신고서.tif: ")]
    assert read and all(re.fullmatch(r"전입신고서\.tif: (page [1-4]/4 read|reading 4 page\(s\)\.\.\.)", x) for x in read)
    r = run_girok(root, "ingest", "--json", str(_scan(tmp_path / "혼인신고서.tif", 2)))  # stdout is for JSON only
    assert r.returncode == 0 and json.loads(r.stdout)["status"] == "archived" and "read" not in r.stderr


def test_progress_never_breaks_ingest_and_an_executor_may_report_none(make_archive, tmp_path):
    import threading
    import time
    from concurrent.futures import Future

    from girok.archive.layout import Archive
    from girok.errors import InputRejected
    from girok.ingest import progress
    from girok.ingest.pipeline import Ingestor, Item

    class Slow:
        """A worker elsewhere: tells (or not) how far it is in the job's work folder, then gives up on the file."""
        capacity, lost_together = 1, False

        def __init__(self, tells: bool):
            self.tells = tells

        def submit(self, job):
            fut: Future = Future()

            def work():
                for done in range(3):
                    if self.tells:
                        progress.write(job.work_dir, done=done, pages=2)
                    time.sleep(0.6)
                fut.set_exception(InputRejected("cannot read it", stage="ocr", advice="rescan"))

            threading.Thread(target=work, daemon=True).start()
            return fut

        def abandon(self): ...

        def shutdown(self): ...

    def broken_listener(p):
        heard.append((p.done, p.pages))
        raise RuntimeError("a front end's bug")

    with Archive.open(make_archive()) as arch:
        for tells in (True, False):
            heard = []
            src = tmp_path / f"scan-{tells}.png"
            src.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([tells]) * 100)
            ing = Ingestor(arch, executor=Slow(tells), on_progress=broken_listener)
            ing.offer(Item(src, arch.config.profile("default"), None))
            [out] = ing.finish()
            ing.close()
            assert out.status == "quarantined" and "cannot read it" in out.reason
            if tells:  # every half second, each change once (0.6 s apart here: most likely all three)
                assert heard and heard == sorted(set(heard)) and {p for _, p in heard} == {2}, heard
            else:
                assert heard == []
