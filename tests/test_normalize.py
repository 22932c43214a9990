"""girok.ingest.normalize: scans become a PDF with the right page count and physical size."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from girok.errors import InputRejected
from girok.ingest.normalize import Normalized, normalize
from helpers_images import render_korean_line, save_multipage_tiff, truncate

W, H = 640, 96  # pixels; not square, so a swapped width/height shows


def pdf_pages(pdf: Path) -> list[tuple[float, float, int, int, str]]:
    """Per page: (width pt, height pt, image width px, image height px, image filter)."""
    out = []
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            box = [float(x) for x in page.mediabox]
            [(_, img)] = list(page.get_images().items())
            filt = img.get("/Filter")
            filt = str(filt[0] if isinstance(filt, pikepdf.Array) else filt)
            out.append((box[2] - box[0], box[3] - box[1], int(img.Width), int(img.Height), filt))
    return out


def expect_size(pages, dpi: float, w: int = W, h: int = H):
    for pw, ph, iw, ih, _ in pages:
        assert (iw, ih) == (w, h)  # pixels kept: no resampling
        assert pw == pytest.approx(w / dpi * 72, abs=0.01)
        assert ph == pytest.approx(h / dpi * 72, abs=0.01)


def run(src: Path, media: str, tmp_path: Path, assume_dpi: int = 300) -> Normalized:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    res = normalize(src, media, work, assume_dpi=assume_dpi)
    assert res.pdf.exists() and res.pdf.read_bytes().startswith(b"%PDF-")
    return res


@pytest.mark.parametrize("compression, mode, dpi", [
    ("group4", "1", 300),
    ("tiff_lzw", "L", 400),
    ("jpeg", "RGB", 200),
])
def test_multipage_tiff(tmp_path, compression, mode, dpi):
    frames = [render_korean_line(f"서초구 민원실 {i + 1}쪽", size=(W, H), mode=mode) for i in range(3)]
    src = save_multipage_tiff(tmp_path / "scan.tif", frames, compression=compression, dpi=dpi)
    with Image.open(src) as im:
        assert im.n_frames == 3 and im.info["compression"] == compression  # the fixture is what it claims
    res = run(src, "image/tiff", tmp_path, assume_dpi=150)
    assert res.pages == 3
    assert res.image_dpi is None  # the file's own resolution was used
    pages = pdf_pages(res.pdf)
    assert len(pages) == 3
    expect_size(pages, dpi)
    if compression == "group4":
        assert {p[4] for p in pages} == {"/CCITTFaxDecode"}  # G4 wrapped as is, not re-encoded


@pytest.mark.parametrize("compression, mode", [("tiff_lzw", "L"), ("jpeg", "L"), ("raw", "1"), ("tiff_lzw", "RGB")])
def test_tiff_pages_pdf_cannot_carry_are_stored_with_their_exact_pixels(tmp_path, compression, mode):
    """girok encodes these pages as PNG itself (at a faster zlib effort than img2pdf would): same pixels."""
    frames = [render_korean_line(f"민원실 {i + 1}쪽", size=(W, H), mode=mode) for i in range(2)]
    src = save_multipage_tiff(tmp_path / "scan.tif", frames, compression=compression, dpi=300)
    res = run(src, "image/tiff", tmp_path)
    expect_size(pdf_pages(res.pdf), 300)
    assert res.method == "Pillow lossless PNG + img2pdf"
    with Image.open(src) as im, pikepdf.open(res.pdf) as doc:
        for i, page in enumerate(doc.pages):
            im.seek(i)
            [(_, img)] = list(page.get_images().items())
            kept = pikepdf.PdfImage(img).as_pil_image()
            assert kept.mode == im.mode and kept.tobytes() == im.tobytes()


def test_jpeg_at_200_dpi_is_wrapped_unchanged(tmp_path):
    src = tmp_path / "scan.jpg"
    render_korean_line(size=(W, H), mode="RGB").save(src, dpi=(200, 200), quality=90)
    res = run(src, "image/jpeg", tmp_path, assume_dpi=300)
    assert res.pages == 1 and res.image_dpi is None
    pages = pdf_pages(res.pdf)
    expect_size(pages, 200)  # the JPEG's 200 dpi wins over assume_dpi
    assert pages[0][4] == "/DCTDecode"
    with pikepdf.open(res.pdf) as doc:
        [(_, img)] = list(doc.pages[0].get_images().items())
        assert img.read_raw_bytes() == src.read_bytes()  # lossless: the very same JPEG bytes


@pytest.mark.parametrize("assume_dpi", [150, 300])
def test_png_without_dpi_gets_assume_dpi(tmp_path, assume_dpi):
    src = tmp_path / "scan.png"
    render_korean_line(size=(W, H)).save(src)
    with Image.open(src) as im:
        assert "dpi" not in im.info
    res = run(src, "image/png", tmp_path, assume_dpi=assume_dpi)
    assert res.pages == 1
    assert res.image_dpi == assume_dpi
    assert f"assumed {assume_dpi} dpi" in res.method
    expect_size(pdf_pages(res.pdf), assume_dpi)


def test_png_with_alpha(tmp_path):
    src = tmp_path / "scan.png"
    im = render_korean_line(size=(W, H), mode="RGBA")
    im.putalpha(200)
    im.save(src, dpi=(300, 300))
    res = run(src, "image/png", tmp_path)
    assert res.pages == 1
    expect_size(pdf_pages(res.pdf), 300)


@pytest.mark.parametrize("transparency", [False, True])
def test_palette_png(tmp_path, transparency):
    src = tmp_path / "scan.png"
    im = render_korean_line(size=(W, H), mode="P")
    assert im.mode == "P"
    im.save(src, dpi=(300, 300), **({"transparency": 0} if transparency else {}))
    res = run(src, "image/png", tmp_path)
    assert res.pages == 1
    expect_size(pdf_pages(res.pdf), 300)


def test_cmyk_jpeg(tmp_path):
    src = tmp_path / "scan.jpg"
    im = render_korean_line(size=(W, H), mode="CMYK")
    im.save(src, dpi=(300, 300))
    with Image.open(src) as check:
        assert check.mode == "CMYK"
    res = run(src, "image/jpeg", tmp_path)
    assert res.pages == 1
    pages = pdf_pages(res.pdf)
    expect_size(pages, 300)
    with pikepdf.open(res.pdf) as doc:
        [(_, img)] = list(doc.pages[0].get_images().items())
        assert str(img.ColorSpace) == "/DeviceCMYK"


def test_pdf_passes_through(tmp_path):
    src = tmp_path / "in.pdf"
    pdf = pikepdf.new()
    for _ in range(2):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.save(src)
    res = normalize(src, "application/pdf", tmp_path, assume_dpi=300)
    assert res.pdf == src and res.pages == 2 and res.image_dpi is None


def test_truncated_jpeg_is_rejected(tmp_path):
    src = tmp_path / "scan.jpg"
    render_korean_line(size=(W, H), mode="RGB").save(src, dpi=(200, 200))
    truncate(src, 0.5)
    with pytest.raises(InputRejected) as ei:
        run(src, "image/jpeg", tmp_path)
    assert ei.value.stage == "normalize"
    assert "scan the paper again" in ei.value.advice


@pytest.mark.parametrize("pages, compression, mode", [
    (1, "tiff_lzw", "L"),
    (3, "tiff_lzw", "L"),
    (3, "group4", "1"),
    (3, "jpeg", "RGB"),
], ids=["1-page-lzw", "3-page-lzw", "3-page-g4", "3-page-jpeg"])
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_truncated_tiff_is_rejected(tmp_path, pages, compression, mode):
    frames = [render_korean_line(f"민원실 {i}", size=(W, H), mode=mode) for i in range(pages)]
    src = save_multipage_tiff(tmp_path / "scan.tif", frames, compression=compression, dpi=300)
    truncate(src, 0.5)  # a copy from the scanner's share cut off half-way
    with pytest.raises(InputRejected) as ei:
        run(src, "image/tiff", tmp_path)
    assert ei.value.stage == "normalize"


def test_garbage_after_image_magic_is_rejected(tmp_path):
    src = tmp_path / "scan.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20)
    with pytest.raises(InputRejected) as ei:
        run(src, "image/png", tmp_path)
    assert ei.value.stage == "normalize"


@pytest.mark.parametrize("user", ["u", ""], ids=["user-password", "owner-password-only"])
def test_encrypted_pdf_is_rejected(tmp_path, user):
    src = tmp_path / "secret.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(src, encryption=pikepdf.Encryption(owner="o", user=user))
    with pytest.raises(InputRejected) as ei:
        normalize(src, "application/pdf", tmp_path, assume_dpi=300)
    assert ei.value.stage == "normalize"
    assert "password" in ei.value.args[0] or "encrypted" in ei.value.args[0]
    assert "without a password" in ei.value.advice


def test_truncated_pdf_is_rejected(tmp_path):
    src = tmp_path / "cut.pdf"
    src.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    with pytest.raises(InputRejected) as ei:
        normalize(src, "application/pdf", tmp_path, assume_dpi=300)
    assert ei.value.stage == "normalize"


def test_pdf_without_pages_is_rejected(tmp_path):
    src = tmp_path / "empty.pdf"
    pikepdf.new().save(src)
    with pytest.raises(InputRejected, match="no pages"):
        normalize(src, "application/pdf", tmp_path, assume_dpi=300)
