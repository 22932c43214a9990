"""Small image helpers for unit tests: Korean text rendered with fonts-nanum.

Images are kept small (a few hundred pixels) so tests stay fast; they are
real raster images, encoded by Pillow, so decoders see genuine files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
KOREAN_LINE = "서초구 민원실 전입신고서 2024"


def korean_font(px: int = 40) -> ImageFont.FreeTypeFont:
    if not NANUM.exists():
        pytest.skip("fonts-nanum is not installed (apt-get install fonts-nanum)")
    return ImageFont.truetype(str(NANUM), px)


def render_korean_line(text: str = KOREAN_LINE, *, size: tuple[int, int] = (640, 96), mode: str = "L",
                       font_px: int = 40) -> Image.Image:
    """One line of black Korean text on white, converted to ``mode`` ("1", "L", "RGB", "RGBA", "CMYK", "P")."""
    im = Image.new("L", size, 255)
    ImageDraw.Draw(im).text((8, (size[1] - font_px) // 2), text, font=korean_font(font_px), fill=0)
    if mode == "L":
        return im
    if mode == "P":
        return im.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return im.convert(mode)


def save_multipage_tiff(path: Path, frames: list[Image.Image], *, compression: str | None, dpi: int) -> Path:
    frames[0].save(path, format="TIFF", compression=compression, dpi=(dpi, dpi),
                   save_all=True, append_images=frames[1:])
    return path


def truncate(path: Path, fraction: float = 0.5) -> Path:
    """Cut ``path`` to ``fraction`` of its size in place (an interrupted copy)."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path
