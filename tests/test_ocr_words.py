"""Word-level text-layer corrections (girok.ocr.words): junk dropped, Latin words re-read, lines in order.

Real tesseract: the Latin re-reading and the PDF rewrite run on what tesseract writes.
"""

import subprocess

import img2pdf
import pikepdf
import pytest
from conftest import render_korean

from girok.config import OcrSettings
from girok.ocr.engine import run_ocr
from girok.ocr.text import page_texts
from girok.ocr.words import (
    Word,
    junk_words,
    latin_candidates,
    lines_of,
    read_rows,
    reading_order,
    rewrite_words,
)

LINES = [
    "서초구는 민원실에 AI 안내 로봇을 두었다.",
    "스마트폰으로 QR 코드를 찍으면 번호표가 나온다.",
    "자세한 내용은 누리집을 참고하면 된다.",
]


def _word(i, text, conf, height=40, line=(1, 1, 1, 1)):
    return Word(i, line, 100 + 50 * i, 100, 40, height, conf, text)


def test_junk_is_tiny_and_unsure_not_just_unsure():
    words = [_word(i, "민원실", 90) for i in range(6)]
    words += [_word(6, "고니", 0.0, height=11),  # a speck row read as Hangul
              _word(7, "2.320", 0.0),  # a number read without confidence: still on the paper
              _word(8, "ㅣ", 75.0, height=12),  # small but read confidently
              _word(9, "3", 47.0, height=10),  # bleed-through read as a digit
              _word(10, "ㆍ", 30.0, height=6)]  # a middle dot is small by nature
    assert junk_words(words) == {6, 9}


def test_latin_candidates_are_unsure_words_without_hangul():
    words = [_word(0, "41", 60.0), _word(1, "민원", 50.0), _word(2, "2024", 95.0), _word(3, "-", 10.0),
             _word(4, "|", 40.0)]
    assert [w.text for w in latin_candidates(words, set())] == ["41", "|"]


@pytest.fixture(scope="module")
def tesseract_page(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("words")
    img = render_korean(tmp / "page.png", LINES, size=(2480, 1000))
    base = tmp / "page"
    subprocess.run(["tesseract", str(img), str(base), "-l", "kor", "--psm", "4", "-c", "textonly_pdf=1",
                    "pdf", "tsv"], check=True, capture_output=True)
    return img, base.with_suffix(".pdf"), base.with_suffix(".tsv")


def _pdf_words(pdf):
    with pikepdf.open(pdf) as doc:
        ops = pikepdf.parse_content_stream(doc.pages[0])
        return [b"".join(bytes(x) for x in operands[0] if isinstance(x, pikepdf.String)).decode("utf-16-be").strip()
                for operands, op in ops if op == pikepdf.Operator("TJ")]


def test_rewrite_replaces_and_drops_words_by_tsv_row(tesseract_page, tmp_path):
    _, pdf, tsv = tesseract_page
    words = read_rows(tsv)
    assert [w.text for w in words] == _pdf_words(pdf)  # the one-to-one match the rewrite relies on
    copy = tmp_path / "text.pdf"
    copy.write_bytes(pdf.read_bytes())
    assert rewrite_words(copy, words, {0: "", 1: "REPLACED"})
    got = _pdf_words(copy)
    assert got[0] == "" and got[1] == "REPLACED" and got[2:] == [w.text for w in words[2:]]


def test_reading_order_is_down_the_page_and_rows_left_to_right():
    def w(i, key, left, top):
        return Word(i, (1, key, 1, 1), left, top, 100, 40, 90.0, "글")
    # tesseract's order: a block at 300, then a line at 200 in a block of its own, then label/value blocks
    words = [w(0, 1, 100, 300), w(1, 2, 100, 200), w(2, 3, 900, 500), w(3, 4, 100, 505)]
    assert reading_order(words) == [1, 0, 3, 2]


def _pdf_lines(pdf):
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[0]
        tp = page.get_textpage()
        text = tp.get_text_bounded()
        boxes = {tp.get_text_range(i, 1): tp.get_charbox(i) for i in range(tp.count_chars())}
        tp.close()
        page.close()
        return [ln.strip() for ln in text.splitlines() if ln.strip()], boxes
    finally:
        doc.close()


def test_rewrite_puts_lines_in_the_order_given_and_leaves_them_where_they_were(tesseract_page, tmp_path):
    _, pdf, tsv = tesseract_page
    words = read_rows(tsv)
    n = len(lines_of(words))
    assert n >= len(LINES)
    copy = tmp_path / "text.pdf"
    copy.write_bytes(pdf.read_bytes())
    assert rewrite_words(copy, words, {}, list(reversed(range(n))))
    lines = lines_of(words)
    assert _pdf_words(copy) == [w.text for ln in reversed(lines) for w in ln]
    _, boxes_before = _pdf_lines(pdf)
    after, boxes_after = _pdf_lines(copy)
    assert after[0].replace(" ", "").startswith("자세한")  # the page's last line now comes first
    for ch in "서초구번호표누리집":  # every letter keeps its place on the page (highlighting, copy)
        assert boxes_after[ch] == pytest.approx(boxes_before[ch], abs=0.5)


def test_rewrite_refuses_when_the_pdf_does_not_match_the_tsv(tesseract_page, tmp_path):
    _, pdf, tsv = tesseract_page
    words = read_rows(tsv)[1:]
    copy = tmp_path / "text.pdf"
    copy.write_bytes(pdf.read_bytes())
    assert not rewrite_words(copy, words, {0: "X"})
    assert copy.read_bytes() == pdf.read_bytes()


def test_latin_words_in_korean_lines_come_out_latin(tesseract_page, tmp_path):
    img, _, _ = tesseract_page
    src = tmp_path / "in.pdf"
    src.write_bytes(img2pdf.convert(str(img)))
    out = tmp_path / "out.pdf"
    run_ocr(src, out, OcrSettings(), image_dpi=300, pdf_input=False)
    [text] = page_texts(out)
    assert "AI" in text and "QR" in text, text
    compact = "".join(text.split())
    assert "민원실" in compact and "번호표" in compact, text


def test_quotation_marks_are_counted_on_the_page():
    from PIL import Image, ImageDraw

    from girok.ocr.words import quote_marks
    page = Image.new("L", (1000, 200), 255)
    d = ImageDraw.Draw(page)
    words = [Word(i, (1, 1, 1, 1), 100 + 60 * i, 50, 40, 40, 95.0, "민원") for i in range(5)]
    for w in words:
        d.rectangle((w.left, w.top, w.left + w.width - 1, w.top + w.height - 1), fill=0)
    d.rectangle((500, 50, 505, 60), fill=0)  # one stroke: a single mark, read as "
    words.append(Word(5, (1, 1, 1, 1), 500, 50, 6, 11, 80.0, '"'))
    d.rectangle((600, 50, 604, 60), fill=0)  # two strokes, then a letter reaching down: “ before a word
    d.rectangle((608, 50, 612, 60), fill=0)
    d.rectangle((620, 50, 660, 90), fill=0)
    words.append(Word(6, (1, 1, 1, 1), 600, 50, 61, 41, 80.0, "'민원"))
    d.rectangle((700, 50, 712, 60), fill=0)  # a mark as wide as a double one, strokes merged by blur
    words.append(Word(7, (1, 1, 1, 1), 700, 50, 13, 11, 80.0, "‘"))
    assert quote_marks(words, page) == {5: "'", 6: '"민원', 7: "“"}


def test_page_text_keeps_tesseracts_word_spaces_not_its_syllable_boxes():
    from girok.ocr.words import page_text, spaces_before

    words = [_word(0, "서", 90), _word(1, "초", 90), _word(2, "구의", 90), _word(3, "189", 90),
             _word(4, "개", 90), _word(5, "민원실", 90, line=(1, 1, 1, 2)), _word(6, "AI", 90, line=(1, 1, 2, 1))]
    txt = "서초구의 189개\n민원실\n\nAI\n"
    spaced = spaces_before(words, txt)
    assert spaced == [False, False, False, True, False, True, True]
    assert page_text(words, spaced=spaced) == "서초구의 189개\n민원실\n\nAI"
    assert page_text(words, {6: "", 2: "구는"}, spaced=spaced) == "서초구는 189개\n민원실"
    assert spaces_before(words, "서초 구의 다른 글") is None  # rows and text disagree: no guessing
    assert page_text(words).startswith("서 초 구의 189 개")  # without the text: a space between rows


def test_ocr_text_has_word_spaces_not_a_space_per_syllable(tesseract_page, tmp_path):
    img, _, _ = tesseract_page
    src = tmp_path / "in.pdf"
    src.write_bytes(img2pdf.convert(str(img)))
    out = tmp_path / "out.pdf"
    run = run_ocr(src, out, OcrSettings(), image_dpi=300, pdf_input=False)
    [text] = page_texts(out, run.texts)
    words = text.split()
    assert "서초구는" in words or "민원실에" in words, text  # words whole, as printed
    single = sum(1 for w in words if len(w) == 1 and "\uac00" <= w <= "\ud7a3")
    assert single <= 2, f"{single} lone syllables: {text}"
