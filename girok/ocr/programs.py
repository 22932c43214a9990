"""External programs OCR needs: checking they are there is kept apart from running them.

Each check has a timeout and, when something is missing, names the Debian
package that provides it.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from ..errors import MissingDependency
from ..i18n import _

DEBIAN_PACKAGES = {
    "tesseract": "tesseract-ocr",
    "gs": "ghostscript",
    "unpaper": "unpaper",
}
LANG_PACKAGES = {"kor": "tesseract-ocr-kor", "eng": "tesseract-ocr-eng", "Hangul": "tesseract-ocr-script-hang"}


def _run(args: list[str], *, timeout: float = 20.0) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    return proc.stdout + proc.stderr


@functools.cache
def version(program: str) -> str:
    """First line of ``program --version``, or raise MissingDependency."""
    path = shutil.which(program)
    if path is None:
        pkg = DEBIAN_PACKAGES.get(program, program)
        raise MissingDependency(
            _("{program} is not installed").format(program=program),
            hint=_("Install it with `sudo apt-get install {pkg}` (the README's set-up command does this).").format(
                     pkg=pkg),
        )
    out = _run([path, "--version"]).strip().splitlines()
    return out[0] if out else "unknown"


@functools.cache
def tesseract_languages() -> frozenset[str]:
    version("tesseract")
    lines = _run(["tesseract", "--list-langs"]).splitlines()
    return frozenset(x.strip() for x in lines[1:] if x.strip())


def check_ocr_ready(languages: tuple[str, ...], *, clean: bool = False) -> None:
    """Raise MissingDependency unless tesseract and the given languages are usable."""
    version("tesseract")
    missing = [lang for lang in languages if lang not in tesseract_languages()]
    if missing:
        pkgs = " ".join(LANG_PACKAGES.get(m, f"tesseract-ocr-{m}") for m in missing)
        raise MissingDependency(
            _("tesseract has no language data for {missing}").format(missing=', '.join(missing)),
            hint=_("Install it with `sudo apt-get install {pkgs}`.").format(pkgs=pkgs),
        )
    if clean:
        version("unpaper")


@functools.cache
def ghostscript_is_buggy() -> bool:
    """Ghostscript 10.0.0-10.02.0 corrupt PDFs with existing text (OCRmyPDF refuses them)."""
    try:
        out = _run(["gs", "--version"]).strip()
        major, minor, *_ = (int(x) for x in out.split(".")[:3])
    except (OSError, ValueError, subprocess.SubprocessError):
        return False
    return (major, minor) in ((10, 0), (10, 1)) or out.startswith("10.02.0")
