"""The OCRmyPDF run: one PDF in, one PDF/A with a Korean+English text layer out.

This is girok's one OCR engine today (``TesseractEngine``, the seam is
``girok.ocr.base.OcrEngine``): tesseract through OCRmyPDF, with girok's
plugin (girok.ocr.plugin) for orientation, skew, word corrections and page
confidence. Each page's result comes back from the plugin through files
beside the output (``plugin.pages_dir``), not through module state.

Runs inside a worker process: tesseract single-threaded (OMP_THREAD_LIMIT=1
is set in the worker's environment by ``girok.ingest.prepare.worker_init``),
one page at a time (jobs=1); parallelism comes from several workers.

PDF/A is made by OCRmyPDF's internal (pikepdf) backend first, which passes
images through untouched and avoids Ghostscript's slow re-write of the
Korean text layer; Ghostscript is used only when the validator rejects that
result ("auto").
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ocrmypdf
import ocrmypdf.exceptions as ox
import pikepdf
from PIL import Image, PngImagePlugin

from ..config import OcrSettings
from ..errors import InputRejected, MissingDependency
from . import plugin, programs
from .base import DESKEW_PLUGIN, OcrResult, deskew_record
from ..i18n import _

log = logging.getLogger(__name__)

_MODE = {"skip": "skip", "redo": "redo", "force": "force"}


def ocr_options(settings: OcrSettings, *, image_dpi: int | None, pdf_input: bool = True,
                variables_file: Path | None = None) -> dict[str, Any]:
    """OCRmyPDF options from a profile. Scanned images (wrapped by img2pdf)
    have no text layer, so the existing-text mode only applies to PDF inputs.
    ``variables_file``: the profile's tesseract variables written as a tesseract config file
    (``write_variables``); OCRmyPDF passes config files to tesseract's recognition, not -c."""
    opts: dict[str, Any] = {
        "language": list(settings.languages),
        "output_type": settings.output_type,
        "pdfa_backend": "internal",
        "mode": _MODE[settings.existing_text] if pdf_input else "skip",
        "rotate_pages": settings.rotate_pages,
        "deskew": False,  # girok levels only the OCR input (plugin_deskew); the kept page stays as scanned
        "clean": settings.clean,
        "optimize": 1,
        "pdf_renderer": settings.pdf_renderer,
        "tesseract_timeout": settings.timeout_seconds,
        "jobs": 1,
        "progress_bar": False,
        "plugins": ["girok.ocr.plugin"] + ([DESKEW_PLUGIN] if settings.deskew else []),
        "use_threads": True,  # pages in threads of this worker (results come back through plugin.pages_dir either way)
        "tesseract_config": ["tsv"],  # word confidences for each page, next to tesseract's PDF
    }
    if settings.tesseract_variables and variables_file is not None:
        opts["tesseract_config"] = ["tsv", str(variables_file)]
    if settings.rotate_pages:  # OCRmyPDF refuses a threshold without rotation
        opts["rotate_pages_threshold"] = settings.rotate_pages_threshold
    if settings.pagesegmode is not None:
        opts["tesseract_pagesegmode"] = settings.pagesegmode
    if settings.oversample:
        opts["oversample"] = settings.oversample
    if image_dpi:
        opts["image_dpi"] = image_dpi
    return opts


def write_variables(settings: OcrSettings, path: Path) -> Path | None:
    """The profile's tesseract variables as a tesseract config file at ``path`` (one "name value" a line);
    None when the profile sets none."""
    if not settings.tesseract_variables:
        return None
    path.write_text("".join(f"{name} {value}\n" for name, value in settings.tesseract_variables), encoding="ascii")
    return path


def tool_versions() -> dict[str, str]:
    versions = {
        "ocrmypdf": ocrmypdf.__version__,
        "pikepdf": pikepdf.__version__,
        "tesseract": programs.version("tesseract"),
    }
    try:
        versions["ghostscript"] = programs.version("gs")
    except Exception:  # ghostscript is optional with the internal PDF/A backend
        versions["ghostscript"] = "not installed"
    return versions


def _reject(stage: str, message: str, advice: str) -> InputRejected:
    return InputRejected(message, stage=stage, advice=advice)


def _ghostscript_fallback(opts: dict[str, Any]) -> dict[str, Any]:
    """Options for a second try with Ghostscript making the PDF/A.

    Debian 12's Ghostscript 10.0.0 corrupts existing text in skip/redo mode
    (OCRmyPDF refuses it), so with that version the page is rasterized and
    OCRed again; the original keeps the born-digital text byte for byte.
    """
    retry = dict(opts, pdfa_backend="ghostscript")
    if opts["mode"] in ("skip", "redo") and programs.ghostscript_is_buggy():
        retry["mode"] = "force"
    return retry


FAST_PNG_LEVEL = 1
_fast_png_depth = 0  # > 0 while some run_ocr runs in this process
_fast_png_lock = threading.Lock()
_pillow_png_save = None  # Pillow's own PNG writer while ours is registered


def _save_png(im, fp, filename, chunk=PngImagePlugin.putchunk, save_all=False):
    if "compress_level" not in im.encoderinfo:
        im.encoderinfo["compress_level"] = FAST_PNG_LEVEL
    return _pillow_png_save(im, fp, filename, chunk, save_all)


@contextmanager
def fast_intermediate_png():
    """While OCRmyPDF runs, its page images for tesseract (rasterized pages, the OCR image) are PNG files
    read once and deleted: zlib level 1 instead of 6. Profiled: PNG encoding was ~65% of the worker's
    Python time. The archival PDF keeps the scanned image as img2pdf embedded it (normalize runs
    outside this), so nothing stored changes. Pillow's own PNG writer is back once the last OCR run in
    this process ends: the rest of the process saves PNGs as Pillow does."""
    global _fast_png_depth, _pillow_png_save
    with _fast_png_lock:
        if _fast_png_depth == 0:
            _pillow_png_save = Image.SAVE.get("PNG", PngImagePlugin._save)
            Image.register_save("PNG", _save_png)
        _fast_png_depth += 1
    try:
        yield
    finally:
        with _fast_png_lock:
            _fast_png_depth -= 1
            if _fast_png_depth == 0:
                Image.register_save("PNG", _pillow_png_save)


class TesseractEngine:
    """Tesseract through OCRmyPDF (girok.ocr.base.OcrEngine)."""

    name = "tesseract"

    def check_ready(self, settings: list[OcrSettings]) -> None:
        langs = {lang for s in settings for lang in s.languages}
        programs.check_ocr_ready(tuple(sorted(langs)))

    def run(self, src: Path, dest: Path, settings: OcrSettings, *, image_dpi: int | None = None,
            pdf_input: bool = True, progress: Callable[[int], None] | None = None) -> OcrResult:
        """OCR ``src`` (a PDF) into ``dest`` (PDF/A). Raises InputRejected with a clerk-readable reason.
        ``progress(pageno)`` hears of each page read (girok.ocr.plugin.listen).

        PDF/A is made with OCRmyPDF's internal backend (pikepdf) first; only a
        file its validator rejects goes through Ghostscript.
        """
        pages = plugin.pages_dir(dest)
        shutil.rmtree(pages, ignore_errors=True)
        variables = write_variables(settings, dest.parent / f".{dest.name}.tessconfig")
        opts = ocr_options(settings, image_dpi=image_dpi, pdf_input=pdf_input, variables_file=variables)
        try:
            with fast_intermediate_png(), plugin.listen(dest, progress):
                opts = _run_ocr(src, dest, opts)
            results = plugin.read_pages(pages)
        finally:
            shutil.rmtree(pages, ignore_errors=True)
            if variables is not None:
                variables.unlink(missing_ok=True)
        options = {k: v for k, v in opts.items() if k not in ("progress_bar", "use_threads")}
        options["tesseract_config"] = ["tsv"]  # the variables file is gone; what it said is recorded just below
        options["tesseract_variables"] = dict(settings.tesseract_variables)
        options["deskew"] = deskew_record(opts)  # not OCRmyPDF's "deskew": false where the OCR copy was levelled
        record = {"ocr": "OCRmyPDF", "options": options, "tools": tool_versions()}
        return OcrResult(output=dest, pages=results, record=record)


def run_ocr(src: Path, dest: Path, settings: OcrSettings, *, image_dpi: int | None = None,
            pdf_input: bool = True) -> OcrResult:
    """``TesseractEngine().run``: OCR ``src`` (a PDF) into ``dest`` (PDF/A)."""
    return TesseractEngine().run(src, dest, settings, image_dpi=image_dpi, pdf_input=pdf_input)


def _run_ocr(src: Path, dest: Path, opts: dict[str, Any]) -> dict[str, Any]:
    """Run OCRmyPDF; the options of the run that made ``dest`` (Ghostscript's, when it had to)."""
    try:
        try:
            rc = ocrmypdf.ocr(src, dest, **opts)
        except ox.PdfaConversionFailedError:
            log.info("internal PDF/A backend rejected %s; retrying with Ghostscript", src.name)
            opts = _ghostscript_fallback(opts)
            dest.unlink(missing_ok=True)
            rc = ocrmypdf.ocr(src, dest, **opts)
    except ox.EncryptedPdfError:
        raise _reject("ocr", _("the PDF is encrypted or password-protected"),
                      _("Scan the paper again, or save the PDF without a password, and drop it in again.")) from None
    except ox.DigitalSignatureError:
        raise _reject("ocr", _("the PDF carries a digital signature that OCR would invalidate"),
                      _("Archive signed PDFs with a profile that keeps existing text, or ask the records officer.")) from None
    except ox.DpiError as exc:
        raise _reject("ocr", _("the image resolution is not usable ({exc})").format(exc=exc),
                      _("Rescan at 200-300 dpi.")) from None
    except (ox.InputFileError, ox.UnsupportedImageFormatError) as exc:
        raise _reject("ocr", _("OCRmyPDF cannot read the file ({exc})").format(exc=exc),
                      _("Check the file opens in a viewer; rescan it if it is damaged.")) from None
    except (ox.PriorOcrFoundError, ox.TaggedPDFError) as exc:
        raise _reject("ocr", _("the PDF already has text ({exc})").format(exc=exc),
                      _("Use a profile with existing_text = \"skip\" or \"redo\".")) from None
    except ox.SubprocessOutputError as exc:
        raise _reject("ocr", _("tesseract or ghostscript failed on this file ({error})").format(error=str(exc)[:300]),
                      _("Rescan the paper; if it happens again, send the quarantined file to support.")) from None
    except ox.PdfaConversionFailedError as exc:
        raise _reject("pdfa", _("could not make a valid PDF/A from this file ({exc})").format(exc=exc),
                      _("Rescan the paper as an image (TIFF/PDF) rather than a born-digital PDF.")) from None
    except Image.DecompressionBombError as exc:
        raise _reject("ocr", _("a page image is too large to process safely ({exc})").format(exc=exc),
                      _("Scan at 300 dpi or less; split very large drawings into parts.")) from None
    except ox.MissingDependencyError as exc:  # a set-up problem, not the file's fault: stop the run
        raise MissingDependency(_("OCRmyPDF is missing a program: {exc}").format(exc=exc),
                                hint=_("Run the README's set-up command, which installs the Debian packages.")) from None
    except ox.ExitCodeException as exc:
        raise _reject("ocr", _("OCRmyPDF refused the file ({error}: {exc})").format(
                                 error=type(exc).__name__, exc=exc),
                      _("Rescan the paper and drop the new scan in again.")) from None
    if rc != ocrmypdf.ExitCode.ok and rc != ocrmypdf.ExitCode.pdfa_conversion_failed:
        raise _reject("ocr", _("OCRmyPDF exited with {rc!r}").format(rc=rc), _("Rescan the paper and drop it in again."))
    if not dest.exists() or dest.stat().st_size == 0:
        raise _reject("ocr", _("OCRmyPDF reported success but wrote no output"), _("Drop the file in again."))
    return opts
