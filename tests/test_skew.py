"""The fast skew estimate (girok.ocr.skew) recovers known rotations of a rendered Korean page."""

from __future__ import annotations

import pytest
from PIL import Image

from conftest import render_korean
from girok.ocr.skew import estimate_skew


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    p = render_korean(tmp_path_factory.mktemp("skew") / "page.png",
                      ["서초구 민원실에서 접수한 서류입니다 토지대장 발급"] * 10, size=(2480, 3508))
    return Image.open(p).convert("L")


@pytest.mark.parametrize("angle", [0.0, 0.7, 1.5, -2.3, 4.0, -5.5])
def test_recovers_rotation_within_a_quarter_degree(page, angle):
    skewed = page.rotate(-angle, fillcolor=255, resample=Image.Resampling.BICUBIC)
    assert estimate_skew(skewed) == pytest.approx(angle, abs=0.25)


def test_blank_page_is_level():
    assert estimate_skew(Image.new("L", (1000, 1400), 255)) == 0.0
