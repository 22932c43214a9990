"""girok.ingest.detect: file type by magic bytes, never by name."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from girok.errors import InputRejected
from girok.ingest.detect import sniff
from helpers_images import render_korean_line


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def encoded(fmt: str, mode: str = "L", **kw) -> bytes:
    buf = io.BytesIO()
    render_korean_line(size=(160, 48), mode=mode).save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("name, data, media, ext", [
    ("a.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf", ".pdf"),
    ("junk-before-header.pdf", b"\r\n\x00\x00" + b" " * 500 + b"%PDF-1.4\n", "application/pdf", ".pdf"),
    ("little.tif", b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32, "image/tiff", ".tif"),
    ("big.tif", b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 32, "image/tiff", ".tif"),
    ("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg", ".jpg"),
    ("a.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", ".png"),
])
def test_magic_bytes(tmp_path, name, data, media, ext):
    assert sniff(write(tmp_path / name, data)) == (media, ext)


@pytest.mark.parametrize("fmt, media, ext, kw", [
    ("TIFF", "image/tiff", ".tif", {"compression": "tiff_lzw"}),
    ("JPEG", "image/jpeg", ".jpg", {}),
    ("PNG", "image/png", ".png", {}),
    ("PDF", "application/pdf", ".pdf", {}),
])
def test_real_files_written_by_pillow(tmp_path, fmt, media, ext, kw):
    assert sniff(write(tmp_path / f"스캔{ext}", encoded(fmt, **kw))) == (media, ext)


@pytest.mark.parametrize("fmt, wrong_name, media", [
    ("PNG", "scan.pdf", "image/png"),
    ("JPEG", "scan.tif", "image/jpeg"),
    ("TIFF", "scan.jpg", "image/tiff"),
    ("PDF", "scan.png", "application/pdf"),
    ("JPEG", "no-extension", "image/jpeg"),
    ("PNG", "전입신고서.HWP", "image/png"),
])
def test_wrong_extension_is_detected_by_content(tmp_path, fmt, wrong_name, media):
    assert sniff(write(tmp_path / wrong_name, encoded(fmt)))[0] == media


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize("name, data, says", [
    ("empty.pdf", b"", "empty"),
    ("docs.zip", _zip_bytes(), "ZIP"),
    ("report.pdf", _zip_bytes(), "ZIP"),  # a .docx renamed .pdf
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, "Windows program"),
    ("scan.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "program"),
    ("old.hwp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "HWP"),
    ("memo.txt", "서초구 민원실 메모\n전화 02-2155-6114\n".encode(), "not a scanned image or PDF"),
    ("memo.pdf", "PDF 파일입니다".encode("utf-8"), "not a scanned image or PDF"),
])
def test_rejected_inputs(tmp_path, name, data, says):
    with pytest.raises(InputRejected) as ei:
        sniff(write(tmp_path / name, data))
    exc = ei.value
    assert exc.stage == "detect"
    assert says in exc.args[0]
    assert len(exc.advice) > 20
    assert exc.advice in str(exc)  # the clerk sees the advice with the message
    assert exc.exit_code == 10


@pytest.mark.parametrize("fmt, says", [("GIF", "GIF"), ("BMP", "BMP")])
def test_other_image_formats_are_named(tmp_path, fmt, says):
    with pytest.raises(InputRejected, match=says) as ei:
        sniff(write(tmp_path / f"x.{fmt.lower()}", encoded(fmt)))
    assert ei.value.stage == "detect"


def test_only_the_head_is_read(tmp_path):
    # A PDF header beyond the first KiB does not make a file a PDF.
    with pytest.raises(InputRejected):
        sniff(write(tmp_path / "x.pdf", b"x" * 2048 + b"%PDF-1.4\n"))
