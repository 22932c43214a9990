"""The OCR engine seam (girok.ocr.base): results per page returned by the engine, one TSV parser."""

import shutil
import threading

import img2pdf
import pytest
from conftest import render_korean
from PIL import Image, PngImagePlugin

from girok.config import OcrSettings, load_profile
from girok.errors import ConfigError
from girok.ocr import engines, plugin, tsv
from girok.ocr.engine import _run_ocr, fast_intermediate_png, ocr_options, run_ocr, write_variables
from girok.text.hangul import SYLLABLE_RE

TSV = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
       "1\t1\t0\t0\t0\t0\t0\t0\t1240\t900\t-1\t\n"
       "5\t1\t1\t1\t1\t1\t100\t120\t80\t40\t91.5\t민원실\n"
       "5\t1\t1\t1\t1\t2\t190\t120\t60\t40\tx\tAI\n"
       "5\t1\t1\t1\t2\t1\t100\t180\t80\t40\t88\t서초구\n"
       "5\t1\t1\t1\t2\t2\t190\t180\t60\t40\t70\t \n")


def test_one_tsv_parser_skips_or_refuses_unreadable_rows():
    words = tsv.parse(TSV)
    assert [(w.index, w.text, w.conf, w.line) for w in words] == [(0, "민원실", 91.5, (1, 1, 1, 1)),
                                                                   (1, "서초구", 88.0, (1, 1, 1, 2))]
    assert tsv.parse(TSV, strict=True) == []  # a row that cannot be read: no one-to-one match with the PDF
    assert tsv.path_for("/w/000001_ocr_tess.pdf").name == "000001_ocr_tess.tsv"


def test_the_engine_judges_its_own_options(tmp_path):
    assert engines.check_options(OcrSettings()) == []
    assert "pagesegmode" in engines.check_options(OcrSettings(pagesegmode=14))[0]
    (tmp_path / "p.toml").write_text('[ocr]\nengine = "abbyy"\n')
    with pytest.raises(ConfigError) as ei:
        load_profile(tmp_path / "p.toml")
    assert "'engine' must be one of tesseract" in str(ei.value) and "[ocr]" in str(ei.value)
    assert engines.get("tesseract").name == "tesseract"


def test_fast_png_writer_only_while_ocr_runs():
    pillow = Image.SAVE["PNG"]
    with fast_intermediate_png():
        assert Image.SAVE["PNG"] is not pillow
        with fast_intermediate_png():
            pass
        assert Image.SAVE["PNG"] is not pillow
    assert Image.SAVE["PNG"] is pillow is PngImagePlugin._save


def _pdf(tmp_path, name, lines):
    img = render_korean(tmp_path / f"{name}.png", lines, dpi=300)
    src = tmp_path / f"{name}.pdf"
    src.write_bytes(img2pdf.convert(str(img)))
    return src


@pytest.mark.e2e
def test_concurrent_runs_keep_their_own_results(tmp_path):
    """Two OCR runs at once in one process: each gets its own pages back (no shared module state)."""
    a = _pdf(tmp_path, "a", ["서초구 민원실에서 접수한 서류입니다"])
    b = _pdf(tmp_path, "b", ["토지대장을 발급합니다"])
    results = {}

    def go(name, src):
        results[name] = run_ocr(src, tmp_path / f"{name}-out.pdf", OcrSettings(), image_dpi=300, pdf_input=False)

    threads = [threading.Thread(target=go, args=x) for x in (("a", a), ("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ra, rb = results["a"], results["b"]
    assert "민원실" in ra.texts[1].replace(" ", "") and "토지대장" not in ra.texts[1].replace(" ", "")
    assert "토지대장" in rb.texts[1].replace(" ", "") and "민원실" not in rb.texts[1].replace(" ", "")
    assert set(ra.pages) == {1} and ra.confidence[1] > 50
    assert "".join(w.text for w in ra.pages[1].words) == ra.texts[1].replace(" ", "").replace("\n", "")
    assert ra.record["ocr"] == "OCRmyPDF" and "tesseract" in ra.record["tools"]
    assert "use_threads" not in ra.options and ra.options["language"] == ["kor", "eng"]
    assert ra.options["deskew"] == {"preservation_copy": False, "ocr_copy": True}  # not OCRmyPDF's "deskew": false
    assert not plugin.pages_dir(tmp_path / "a-out.pdf").exists()


@pytest.mark.e2e
def test_pages_come_back_from_worker_processes_too(tmp_path):
    """With use_threads=False OCRmyPDF reads pages in child processes: results still come back."""
    src = _pdf(tmp_path, "a", ["서초구 민원실에서 접수한 서류입니다"])
    dest = tmp_path / "out.pdf"
    opts = dict(ocr_options(OcrSettings(), image_dpi=300, pdf_input=False), use_threads=False)
    try:
        _run_ocr(src, dest, opts)
        pages = plugin.read_pages(plugin.pages_dir(dest))
    finally:
        shutil.rmtree(plugin.pages_dir(dest), ignore_errors=True)
    assert set(pages) == {1} and "민원실" in pages[1].text.replace(" ", "") and pages[1].confidence > 50


@pytest.mark.e2e
def test_profile_tesseract_variables_reach_recognition_and_the_record(tmp_path):
    """A variable with a visible effect (digits only) changes what tesseract reads; the record names it."""
    src = _pdf(tmp_path, "a", ["서초구 민원실 접수번호 2024"])
    digits = OcrSettings(tesseract_variables=(("tessedit_char_whitelist", "0123456789"),), rotate_pages=False)
    run = run_ocr(src, tmp_path / "out.pdf", digits, image_dpi=300, pdf_input=False)
    plain = run_ocr(src, tmp_path / "plain.pdf", OcrSettings(rotate_pages=False), image_dpi=300, pdf_input=False)
    assert "민원실" in plain.texts[1].replace(" ", "")
    assert "2024" in run.texts[1] and not SYLLABLE_RE.search(run.texts[1])
    assert run.options["tesseract_variables"] == {"tessedit_char_whitelist": "0123456789"}
    assert run.options["tesseract_config"] == ["tsv"]  # the file that carried them is gone, not recorded
    assert plain.options["tesseract_variables"] == dict(OcrSettings().tesseract_variables)
    assert not list(tmp_path.glob(".*.tessconfig"))


def test_variables_go_to_tesseract_as_a_config_file(tmp_path):
    s = OcrSettings(tesseract_variables=(("textord_use_cjk_fp_model", "1"),))
    cfg = write_variables(s, tmp_path / "v.cfg")
    assert cfg.read_text() == "textord_use_cjk_fp_model 1\n"
    assert ocr_options(s, image_dpi=None, variables_file=cfg)["tesseract_config"] == ["tsv", str(cfg)]
    assert write_variables(OcrSettings(tesseract_variables=()), tmp_path / "w.cfg") is None
