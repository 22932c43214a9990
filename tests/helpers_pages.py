"""Whole scanned pages for the extraction tests: Korean text (fonts-nanum), QR codes and barcodes
(zxing-cpp writes them), Kodak patch sheets, and scanner noise. Pages are made at a low resolution
(100-200 dpi) so the tests stay fast; decoders see real pixels."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from conftest import NANUM

A4_IN = (8.27, 11.69)


def font(px: int) -> ImageFont.FreeTypeFont:
    if not NANUM.exists():
        pytest.skip("fonts-nanum is not installed (apt-get install fonts-nanum)")
    return ImageFont.truetype(str(NANUM), px)


def blank_page(dpi: int = 150, *, grey: int = 255, mode: str = "L") -> Image.Image:
    im = Image.new(mode, (round(A4_IN[0] * dpi), round(A4_IN[1] * dpi)), grey if mode == "L" else (grey,) * 3)
    im.info["dpi"] = (dpi, dpi)
    return im


def korean_page(lines: list[str], dpi: int = 150, *, pt: float = 11, at: tuple[float, float] = (1.0, 1.0),
                fill=0, mode: str = "L") -> Image.Image:
    """Lines of Korean text from ``at`` (inches from the top left), ``pt`` points high."""
    im = blank_page(dpi, mode=mode)
    f = font(max(6, round(dpi * pt / 72)))
    d = ImageDraw.Draw(im)
    x, y = round(at[0] * dpi), round(at[1] * dpi)
    for line in lines:
        d.text((x, y), line, font=f, fill=fill)
        y += round(f.size * 1.8)
    return im


def code_image(text: str, fmt=zxingcpp.BarcodeFormat.QRCode, *, scale: int = 4) -> Image.Image:
    bc = zxingcpp.create_barcode(text, fmt)
    return Image.fromarray(np.asarray(zxingcpp.write_barcode_to_image(bc, scale=scale)))


def with_code(page: Image.Image, code: Image.Image, at: tuple[float, float]) -> Image.Image:
    """``page`` with ``code`` pasted at ``at`` (inches from the top left)."""
    dpi = page.info["dpi"][0]
    out = page.copy()
    out.paste(code.convert(page.mode), (round(at[0] * dpi), round(at[1] * dpi)))
    out.info["dpi"] = page.info["dpi"]
    return out


def patch_sheet(pattern: str = "NWNW", dpi: int = 150, *, at_in: float = 1.0, length_in: float = 4.0,
                rotate: int = 0) -> Image.Image:
    """A Kodak patch sheet: bars across the page, ``pattern`` from the top (N 0.08", W 0.20", spaces 0.08")."""
    im = blank_page(dpi)
    d = ImageDraw.Draw(im)
    y = at_in * dpi
    x0 = round((A4_IN[0] - length_in) / 2 * dpi)
    for k in pattern:
        h = (0.08 if k == "N" else 0.20) * dpi
        d.rectangle([x0, round(y), x0 + round(length_in * dpi), round(y + h) - 1], fill=0)
        y += h + 0.08 * dpi
    if rotate:
        im = im.rotate(rotate, expand=True, fillcolor=255)
        im.info["dpi"] = (dpi, dpi)
    return im


def noisy(page: Image.Image, *, sigma: float = 4.0, specks: int = 0, seed: int = 1) -> Image.Image:
    """Scanner noise: Gaussian grain of ``sigma`` grey levels and ``specks`` isolated dark pixels (dust)."""
    rng = np.random.default_rng(seed)
    a = np.asarray(page.convert("L"), dtype=np.float32)
    a = a + rng.normal(0, sigma, a.shape)
    if specks:
        ys = rng.integers(0, a.shape[0], specks)
        xs = rng.integers(0, a.shape[1], specks)
        a[ys, xs] = rng.integers(0, 120, specks)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    out.info["dpi"] = page.info.get("dpi", (150, 150))
    return out
