"""girok.ingest.blank: duplex backs are dropped, and a page with anything on it never is."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps, ImageSequence

from girok.ingest.blank import DEFAULT_THRESHOLD, ink_fraction, is_blank
from girok.ingest.split import classify_page, split_pages
from helpers_pages import blank_page, code_image, font, korean_page, noisy, with_code

DPIS = [100, 150, 200, 300]


def one_line(dpi, text="확인", pt=9, at=(3.5, 5.0)):
    return korean_page([text], dpi, pt=pt, at=at)


def stamp(dpi, *, grey=205, mode="L", colour=None, at=(6.0, 9.0)):
    """A seal impression: a circle outline 0.5 mm wide with a letter in it, in light grey or colour."""
    im = blank_page(dpi, mode=mode)
    d = ImageDraw.Draw(im)
    x, y, r = round(at[0] * dpi), round(at[1] * dpi), round(0.3 * dpi)
    ink = colour if colour else grey
    d.ellipse([x - r, y - r, x + r, y + r], outline=ink, width=max(2, round(0.5 / 25.4 * dpi)))
    d.text((x - r // 2, y - r // 2), "인", font=font(r), fill=ink)
    return im


def scribble(dpi, grey=150):
    """A signature in pencil: one thin grey stroke."""
    im = blank_page(dpi)
    pts = [(round((4 + 0.1 * k) * dpi), round((8 + 0.05 * (-1) ** k) * dpi)) for k in range(12)]
    ImageDraw.Draw(im).line(pts, fill=grey, width=max(1, round(0.2 / 25.4 * dpi)))
    return im


CONTENT = {
    "short line": lambda dpi: one_line(dpi),
    "one letter": lambda dpi: one_line(dpi, "인", pt=10),
    "page number at the foot": lambda dpi: one_line(dpi, "- 3 -", pt=9, at=(4.0, 11.1)),
    "note in a corner": lambda dpi: one_line(dpi, "사본", pt=9, at=(0.3, 0.3)),
    "faint grey stamp": lambda dpi: stamp(dpi),
    "very faint stamp (40 grey levels)": lambda dpi: stamp(dpi, grey=215),
    "faint red stamp": lambda dpi: stamp(dpi, mode="RGB", colour=(255, 160, 160)),
    "pencil signature": lambda dpi: scribble(dpi),
    "small QR code": lambda dpi: with_code(blank_page(dpi), code_image("x", scale=2), (4, 5)),
    "light text on grey paper": lambda dpi: one_line(dpi).point(lambda v: 190 + (255 - v) * 65 // 255),
}


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name", list(CONTENT))
def test_a_page_with_content_is_never_blank(name, dpi):
    page = CONTENT[name](dpi)
    assert not is_blank(page), f"{name} at {dpi} dpi: ink {ink_fraction(page):.2e}"


@pytest.mark.parametrize("name", list(CONTENT))
def test_content_survives_scanner_noise_and_every_mode(name):
    page = CONTENT[name](150)
    assert not is_blank(noisy(page, sigma=6, specks=300)), name
    for mode in ("L", "RGB", "RGBA", "P"):
        assert not is_blank(page.convert(mode)), (name, mode)


def test_bilevel_g4_page_with_one_line():
    page = one_line(300).convert("1")
    assert not is_blank(page)
    assert is_blank(blank_page(300).convert("1"))


def bleed_through(dpi, delta=15):
    """The back of a printed page: the other side's text, mirrored and faint."""
    front = korean_page(["위와 같이 전입신고를 하오니 처리하여 주시기 바랍니다."] * 12, dpi, pt=11)
    back = ImageOps.mirror(front)
    return back.point(lambda v: 255 - round((255 - v) * delta / 255))


def edge_shadow(dpi):
    im = blank_page(dpi)
    d = ImageDraw.Draw(im)
    w = max(1, round(0.01 * im.width))
    d.rectangle([0, 0, w, im.height], fill=40)                # a dark strip along the left edge
    d.rectangle([0, im.height - w, im.width, im.height], fill=60)
    return im


BLANK = {
    "white": lambda dpi: blank_page(dpi),
    "scanner grain": lambda dpi: noisy(blank_page(dpi), sigma=6),
    "heavy grain": lambda dpi: noisy(blank_page(dpi, grey=235), sigma=12),
    "dust specks": lambda dpi: noisy(blank_page(dpi), sigma=3, specks=400),
    "grey recycled paper": lambda dpi: noisy(blank_page(dpi, grey=215), sigma=4),
    "bleed-through of the front": lambda dpi: bleed_through(dpi),
    "scanner edge shadow": lambda dpi: edge_shadow(dpi),
    "colour scan of white paper": lambda dpi: noisy(blank_page(dpi), sigma=4).convert("RGB"),
}


@pytest.mark.parametrize("dpi", [150, 300])
@pytest.mark.parametrize("name", list(BLANK))
def test_duplex_backs_are_blank(name, dpi):
    page = BLANK[name](dpi)
    assert is_blank(page), f"{name} at {dpi} dpi: ink {ink_fraction(page):.2e}"


def test_dark_page_is_never_blank():
    assert not is_blank(blank_page(150, grey=40))          # a lid left open, a black sheet: keep it
    assert ink_fraction(blank_page(150, grey=40)) == 1.0


def test_threshold_is_the_share_of_the_page_that_may_carry_marks():
    page = one_line(200)
    ink = ink_fraction(page)
    assert 0 < ink < 1e-3
    assert not is_blank(page, threshold=ink / 2)
    assert is_blank(page, threshold=ink * 2)                # a profile may raise it for dirty paper
    assert is_blank(blank_page(200), threshold=0.0)
    assert DEFAULT_THRESHOLD < min(ink_fraction(CONTENT[n](150)) for n in CONTENT)


def test_dpi_is_estimated_when_the_image_has_none():
    page = one_line(200)
    page.info.pop("dpi")
    assert not is_blank(page)
    empty = blank_page(200)
    empty.info.pop("dpi")
    assert is_blank(empty)


def test_tiny_images():
    assert is_blank(Image.new("L", (1, 1), 255))
    assert is_blank(Image.new("L", (10, 3), 255))


# --- splitting a batch ------------------------------------------------------------------------

def test_split_pages():
    kinds = ["content", "blank", "separator", "content", "content", "separator", "blank", "content", "blank"]
    assert split_pages(kinds) == [[0], [3, 4], [7]]
    assert split_pages(["separator", "content", "separator"]) == [[1]]
    assert split_pages(["blank", "separator", "blank"]) == []
    assert split_pages([]) == []


def test_classify_pages_of_a_batch():
    sep = with_code(blank_page(150), code_image("GIROK-SEPARATOR", scale=6), (3.2, 4.5))
    pages = [korean_page(["전입신고서", "접수번호 1"]), noisy(blank_page(), sigma=5), sep, blank_page(), one_line(150)]
    kinds = [classify_page(p) for p in pages]
    assert kinds == ["content", "blank", "separator", "blank", "content"]
    assert split_pages(kinds) == [[0], [4]]
    assert classify_page(pages[1], blank_threshold=None) == "content"     # blank detection off in a profile
    assert classify_page(sep, separators=False) == "content"


# --- the dev corpus -------------------------------------------------------------------------------

def test_corpus_batches_blank_pages(corpus):
    """Every page with ground-truth text is content, with a wide margin; the duplex backs are blank."""
    content_min, blanks = 1.0, 0
    for meta_path in sorted(corpus.glob("batch-*.meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        path = corpus / meta["file"]
        gt = path.with_suffix(".gt.txt").read_text(encoding="utf-8").split("\f")
        with Image.open(path) as im:
            for i, page in enumerate(ImageSequence.Iterator(im)):
                ink = ink_fraction(page)
                if gt[i].strip():
                    content_min = min(content_min, ink)
                else:
                    blanks += ink <= DEFAULT_THRESHOLD   # the rest are separator sheets
    assert blanks >= 1
    assert content_min > 100 * DEFAULT_THRESHOLD


def test_corpus_forms_and_articles_are_not_blank(corpus):
    for meta_path in sorted(corpus.glob("*-*.meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta["kind"] == "batch" or meta["format"] == "pdf":
            continue
        with Image.open(corpus / meta["file"]) as im:
            for k, frame in enumerate(ImageSequence.Iterator(im)):
                assert not is_blank(frame), (meta["file"], k + 1)


def test_ink_fraction_is_fast_enough():
    import time

    page = noisy(blank_page(300), sigma=5)
    t = time.perf_counter()
    ink_fraction(page)
    assert time.perf_counter() - t < 2.0
    assert np.asarray(page).shape[0] > 3000
