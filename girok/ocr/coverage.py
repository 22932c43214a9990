"""How much of a page's ink tesseract actually read: the "re-scan suggested" signal.

Mean word confidence alone misses the worst pages: under a dark streak or a
noise band tesseract drops whole lines and stays confident about what it did
read (dev article-11-01: confidence 83, CER 0.40). What it skipped is still
on the page as ink outside every word box. So girok measures the share of
ink not covered by a confidently read word, after removing long straight
rules (table lines on forms, which no word covers and which are fine), and
scales the page's confidence by the share that was read.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

INK = 128  # grey level below which a pixel is ink
RULE = 0.04  # a straight run of ink at least this share of the page width/height is a rule, not text
READ_CONF = 50.0
BLOCK = 12  # pixels (of the third-size copy) per cell when looking for dense areas
DENSE = 0.35  # a cell at least this much ink is dense (text cells measured below ~0.25)
COMPACT = 0.3  # a dense area within this share of the page width and height is a code or picture, not a streak  # a word read at least this confidently covers its ink


def _runs(mask: np.ndarray, length: int) -> np.ndarray:
    """Pixels of `mask` inside a horizontal run of at least `length` True pixels."""
    if length <= 1 or mask.shape[1] < length:
        return np.zeros_like(mask)
    width = mask.shape[1]
    c = np.cumsum(np.pad(mask, ((0, 0), (1, 0))).astype(np.int32), axis=1)
    full = (c[:, length:] - c[:, :-length]) == length  # the window starting at each column is all ink
    start = np.pad(full, ((0, 0), (0, length - 1))).astype(np.int32)
    s = np.cumsum(np.pad(start, ((0, 0), (1, 0))), axis=1)
    first = np.maximum(0, np.arange(width) - length + 1)
    covered = s[:, 1:] - s[:, first]  # full windows starting within `length` columns before each pixel
    return covered > 0


def _compact_blobs(ink: np.ndarray) -> np.ndarray:
    """Pixels of dense, compact ink areas: QR codes, photos, stamps (a streak or band runs across the page)."""
    h, w = ink.shape
    bh, bw = h // BLOCK, w // BLOCK
    if bh == 0 or bw == 0:
        return np.zeros_like(ink)
    dense = ink[:bh * BLOCK, :bw * BLOCK].reshape(bh, BLOCK, bw, BLOCK).mean(axis=(1, 3)) >= DENSE
    out = np.zeros((bh, bw), dtype=bool)
    seen = np.zeros_like(dense)
    for y0, x0 in zip(*np.nonzero(dense)):
        if seen[y0, x0]:
            continue
        stack, cells = [(y0, x0)], []
        seen[y0, x0] = True
        while stack:  # the connected dense blocks around (y0, x0)
            y, x = stack.pop()
            cells.append((y, x))
            for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                if 0 <= ny < bh and 0 <= nx < bw and dense[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
        ys, xs = [c[0] for c in cells], [c[1] for c in cells]
        if len(cells) >= 4 and max(xs) - min(xs) + 1 <= COMPACT * bw and max(ys) - min(ys) + 1 <= COMPACT * bh:
            for y, x in cells:
                out[y, x] = True
    mask = np.zeros_like(ink)
    mask[:bh * BLOCK, :bw * BLOCK] = np.repeat(np.repeat(out, BLOCK, axis=0), BLOCK, axis=1)
    return mask


def text_ink(gray: np.ndarray) -> np.ndarray:
    """Ink pixels of a greyscale page without long straight rules and compact dense areas (QR codes, photos)."""
    ink = gray < INK
    across = _runs(ink, int(gray.shape[1] * RULE))
    down = _runs(ink.T, int(gray.shape[0] * RULE)).T
    rules = across ^ down  # long one way only: a rule; long both ways: a solid streak or band, which stays
    return ink & ~rules & ~_compact_blobs(ink)


def ink_share(image: Image.Image) -> float:
    """Share (0-1) of the page's pixels that are text ink (rules and blobs left out, as for unread_share)."""
    ink = text_ink(np.asarray(image.convert("L")))
    return float(ink.sum()) / max(1, ink.size)


def unread_share(image: Image.Image, boxes: list[tuple[int, int, int, int, float]]) -> float:
    """Share (0-1) of the page's text ink outside the boxes (left, top, width, height, conf) read confidently."""
    gray = np.asarray(image.convert("L"))
    ink = text_ink(gray)
    total = int(ink.sum())
    if total == 0:
        return 0.0
    read = np.zeros_like(ink)
    for left, top, width, height, conf in boxes:
        if conf >= READ_CONF:
            read[max(0, top):top + height, max(0, left):left + width] = True
    return float((ink & ~read).sum()) / total
