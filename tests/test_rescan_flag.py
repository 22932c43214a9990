"""The "re-scan suggested" signal: page confidence = word confidence x share of text ink read."""

import img2pdf
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import NANUM, render_korean
from girok.config import OcrSettings
from girok.ocr.coverage import text_ink, unread_share
from girok.ocr.engine import run_ocr
from test_orientation import LINES as ORIENTATION_LINES

LINES = ORIENTATION_LINES + [
    "접수 담당자는 신청서의 기재 사항을 확인한 뒤 등본을 교부합니다.",
    "본인 확인이 어려운 경우에는 교부가 제한될 수 있습니다.",
]


def test_table_rules_are_not_text_ink():
    page = Image.new("L", (1000, 800), 255)
    d = ImageDraw.Draw(page)
    for y in (100, 300, 500):
        d.line([(50, y), (950, y)], fill=0, width=3)
    for x in (50, 500, 950):
        d.line([(x, 100), (x, 500)], fill=0, width=3)
    d.rectangle([100, 150, 130, 180], outline=0, width=3)  # a "character": strokes shorter than a rule
    ink = text_ink(np.asarray(page))
    assert 31 * 31 - 25 * 25 <= ink.sum() <= 31 * 31 - 25 * 25 + 9 * 3 * 3  # the character, and the 9 crossings


def test_unread_share_counts_ink_outside_confident_words():
    page = Image.new("L", (2000, 1000), 255)
    d = ImageDraw.Draw(page)
    d.rectangle([10, 10, 49, 29], outline=0, width=2)  # read
    d.rectangle([100, 10, 139, 29], outline=0, width=2)  # read with low confidence
    assert unread_share(page, [(10, 10, 40, 20, 95.0), (100, 10, 40, 20, 20.0)]) == pytest.approx(0.5)
    assert unread_share(Image.new("L", (50, 50), 255), []) == 0.0  # a blank page has nothing unread


def _page_confidence(png, tmp_path) -> float:
    src = tmp_path / "page.pdf"
    src.write_bytes(img2pdf.convert(str(png)))
    run = run_ocr(src, tmp_path / "out.pdf", OcrSettings(), image_dpi=300, pdf_input=False)
    return run.confidence[1]


def test_clean_page_is_not_flagged(tmp_path):
    png = render_korean(tmp_path / "clean.png", LINES, size=(2480, 1800))
    assert _page_confidence(png, tmp_path) >= OcrSettings().rescan_below


def test_page_with_a_dark_streak_over_its_text_is_flagged(tmp_path):
    png = render_korean(tmp_path / "streak.png", LINES, size=(2480, 1800))
    with Image.open(png) as im:
        page = im.copy()
    d = ImageDraw.Draw(page)
    # a dark scanner streak over lines 3-5 (render_korean: 14 pt lines from y=120, 104 px apart); the text under it is barely there
    d.rectangle([0, 420, 2480, 710], fill=30)
    font = ImageFont.truetype(str(NANUM), int(300 * 14 / 72))
    for i, line in enumerate(LINES[3:6]):
        d.text((120, 432 + 104 * i), line, font=font, fill=15)
    page.save(png, dpi=(300, 300))
    assert _page_confidence(png, tmp_path) < OcrSettings().rescan_below
