"""OCR engines by the name a profile gives them (``[ocr] engine``), and each engine's own option checks.

Light on purpose: ``girok.config`` calls ``check_options`` while it reads a
profile (config only parses; what is a valid language code or page
segmentation mode is the engine's business), and that must not import
OCRmyPDF. ``get`` imports the engine itself.
"""

from __future__ import annotations

import importlib
import re

from ..config import OcrSettings

ENGINES = {"tesseract": "girok.ocr.engine:TesseractEngine"}  # name -> "module:class" (an OcrEngine)


def _tesseract_problems(settings: OcrSettings) -> list[str]:
    problems = []
    langs = settings.languages
    if not langs or not all(isinstance(x, str) and re.fullmatch(r"[a-z_]+|[A-Z][A-Za-z_]+", x) for x in langs):
        problems.append("'languages' must be a list of tesseract language codes like ['kor', 'eng'] "
                        "or script models like 'Hangul'")
    psm = settings.pagesegmode
    if psm is not None and not 0 <= psm <= 13:
        problems.append(f"'pagesegmode' must be 0..13 (tesseract --psm), got {psm}")
    bad = [name for name, value in settings.tesseract_variables
           if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or not re.fullmatch(r"[\w.+-]+", value)]
    if bad:
        problems.append(f"'tesseract_variables' must be tesseract parameter names with plain values, got {bad}")
    return problems


_CHECKS = {"tesseract": _tesseract_problems}


def check_options(settings: OcrSettings) -> list[str]:
    """What is wrong with ``settings`` for the engine it names, each as "'field' must be ..."; [] if nothing."""
    if settings.engine not in ENGINES:
        return [f"'engine' must be one of {', '.join(ENGINES)}, got {settings.engine!r}"]
    return _CHECKS[settings.engine](settings)


def get(name: str = "tesseract"):
    """An instance of the engine called ``name``."""
    module, cls = ENGINES[name].split(":")
    return getattr(importlib.import_module(module), cls)()
