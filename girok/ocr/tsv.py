"""Tesseract's TSV output: the one parser (plugin, words and orientation all read it here), and a runner.

Tesseract writes one row per layout element; the word rows (level 5) carry
the word's place in the layout (page, block, paragraph, line), its box in
pixels and its confidence (0-100; -1 for rows that are not words). Only word
rows with text are kept, in tesseract's order: the order it writes the
words into its own PDF, which ``girok.ocr.words`` relies on.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image


@dataclass
class Word:
    index: int  # position among the page's word rows
    line: tuple[int, int, int, int]  # (page, block, paragraph, line) of the TSV
    left: int
    top: int
    width: int
    height: int
    conf: float
    text: str


def parse(tsv: str, *, strict: bool = False) -> list[Word]:
    """The word rows of tesseract's TSV text, in its order.

    A word row whose numbers cannot be read is left out; with ``strict``, it
    makes the whole answer [] (a caller matching rows one to one with
    tesseract's PDF has lost the match).
    """
    words: list[Word] = []
    for line in tsv.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            key = (int(cols[1]), int(cols[2]), int(cols[3]), int(cols[4]))
            box = [int(c) for c in cols[6:10]]
            conf = float(cols[10])
        except ValueError:
            if strict:
                return []
            continue
        words.append(Word(len(words), key, *box, conf, cols[11].strip()))
    return words


def read(path: Path, *, strict: bool = False) -> list[Word]:
    """``parse`` of a TSV file; [] when it cannot be read."""
    try:
        return parse(Path(path).read_text(encoding="utf-8", errors="ignore"), strict=strict)
    except OSError:
        return []


def path_for(output) -> Path:
    """Where tesseract wrote the TSV for an output file (``x.pdf`` / ``x.hocr`` -> ``x.tsv``)."""
    return Path(output).parent / (Path(output).stem + ".tsv")


def run_tesseract(image: Image.Image, dpi: int, timeout: float, *, lang: str = "kor", psm: int = 4) -> str:
    """Tesseract's TSV output for an in-memory image, single-threaded; "" when it times out."""
    with tempfile.TemporaryDirectory(prefix="girok-tsv-") as tmp:
        path = Path(tmp) / "page.png"
        image.save(path, dpi=(dpi, dpi))
        env = dict(os.environ)
        env.setdefault("OMP_THREAD_LIMIT", "1")
        try:
            proc = subprocess.run(["tesseract", str(path), "stdout", "-l", lang, "--psm", str(psm), "tsv"],
                                  capture_output=True, text=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            return ""
        return proc.stdout
