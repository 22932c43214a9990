"""Is a scanned page blank (a duplex back)? Tuned to never call a page with content blank.

``ink_fraction(image)`` measures how much of the page carries marks:

1. the page is averaged down to about 100 dpi (scanner noise averages out,
   a pen stroke or a 10 pt letter does not) and 2 % is cut off each edge
   (scanner shadows, punch holes);
2. grey = the darkest colour channel, so a red stamp counts as much as black ink;
3. a pixel is a mark when it differs from the paper (the median) by more
   than the contrast: 5 x the scanner noise measured between neighbouring
   pixels, at least ``MIN_CONTRAST`` and at most ``MAX_CONTRAST`` grey
   levels. Lighter than the paper counts too (white on a dark page);
4. specks are dropped: a mark pixel is kept only with at least two more
   mark pixels around it (dust; a stroke or a dot of a full stop stays).

``is_blank(image, threshold)`` is ``ink_fraction <= threshold``. The default
threshold, 1e-5 of the page (about 0.6 mm² on A4), is below a single
small printed letter; the scanner profile may raise it for dirty paper.
A page whose paper is dark (median below 128) is never blank.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

DEFAULT_THRESHOLD = 1e-5
MIN_CONTRAST = 30.0   # grey levels at ~100 dpi: faint bleed-through of the other side stays below
MAX_CONTRAST = 64.0   # noise never hides a mark darker than this
MARGIN = 0.02
TARGET_DPI = 100


def _grey(image: Image.Image, factor: int) -> np.ndarray:
    """The page averaged down by ``factor`` (Pillow's box reduce), then its darkest channel, as float32."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = Image.alpha_composite(Image.new("RGBA", image.size, (255, 255, 255, 255)), image.convert("RGBA"))
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        a = np.asarray(image, dtype=np.float32)
        image = Image.fromarray((a * (255.0 / (65535.0 if a.max() > 255 else 255.0))).astype(np.uint8))
    image = image.convert("L" if image.mode in ("1", "L", "I", "F") else "RGB")
    if factor > 1 and min(image.size) >= factor:
        image = image.reduce(factor)
    a = np.asarray(image, dtype=np.float32)
    return a.min(axis=2) if a.ndim == 3 else a


def _dpi(image: Image.Image) -> float:
    dpi = image.info.get("dpi")
    try:
        if dpi and float(dpi[0]) >= 50:
            return float(dpi[0])
    except (TypeError, ValueError, IndexError):
        pass
    return min(image.size) / 8.27  # as if an A4 page


def ink_fraction(image: Image.Image) -> float:
    """Share of the page (0..1) covered by marks, after the steps in the module doc."""
    a = _grey(image, max(1, round(_dpi(image) / TARGET_DPI)))
    mh, mw = int(a.shape[0] * MARGIN), int(a.shape[1] * MARGIN)
    a = a[mh:a.shape[0] - mh, mw:a.shape[1] - mw]
    if a.size == 0:
        return 0.0
    paper = float(np.median(a))
    if paper < 128:
        return 1.0
    noise = 1.4826 * float(np.median(np.abs(np.diff(a, axis=1)))) / np.sqrt(2) if a.shape[1] > 1 else 0.0
    contrast = min(max(MIN_CONTRAST, 5 * noise), MAX_CONTRAST)
    ink = np.abs(a - paper) > contrast
    if not ink.any():
        return 0.0
    # neighbours: how many mark pixels in each 3x3 window
    p = np.pad(ink, 1).astype(np.uint8)
    h, w = ink.shape
    around = sum(p[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3))
    kept = ink & (around >= 3)
    return float(kept.sum()) / kept.size


def is_blank(image: Image.Image, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """True when the page carries no marks beyond ``threshold`` (share of the page area)."""
    return ink_fraction(image) <= threshold
