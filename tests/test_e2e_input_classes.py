"""Every class of bad or unusual input through a real `girok ingest --move` run.

Each case drops the odd file and, after it, an ordinary Korean scan into one
batch. The odd file is either archived as PDF/A (right page count, original
kept byte for byte) or quarantined (the reason names the cause, the
quarantined copy is byte-identical, exit code 10); either way the next file
in the same run is archived: one bad file never stops a batch.
"""

from __future__ import annotations

import sqlite3
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import img2pdf
import pikepdf
import pytest
from conftest import json_lines, render_korean, run_girok
from PIL import Image

pytestmark = pytest.mark.e2e

LINES = ["민원실 전입신고서", "ARCHIVE 7731"]


def scan(path: Path, *, mode: str = "L", fmt: str | None = None, dpi: int = 150, **kw) -> Path:
    """A small Korean scan (a few hundred pixels: OCR takes a second)."""
    return render_korean(path, LINES, dpi=dpi, size=(700, 260), mode=mode, fmt=fmt, **kw)


def image_pdf(path: Path) -> Path:
    png = scan(path.with_suffix(".src.png"))
    path.write_bytes(img2pdf.convert(str(png)))
    png.unlink()
    return path


def truncated(make: Callable[[Path], Path], keep: float = 0.5) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        make(path)
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])
        return path
    return build


def encrypted(path: Path, *, user: str) -> Path:
    src = image_pdf(path.with_name("plain.pdf"))
    with pikepdf.open(src) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user=user, owner="owner-secret"))
    src.unlink()
    return path


def with_javascript(path: Path) -> Path:
    src = image_pdf(path.with_name("plain.pdf"))
    with pikepdf.open(src) as pdf:
        js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hi');")))
        pdf.Root.OpenAction = js
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([
            pikepdf.String("hello"), js])))
        pdf.save(path)
    src.unlink()
    return path


def with_field(path: Path, ft: str, value, **acroform) -> Path:
    """An image PDF with one form field (a widget on page 1) of type ``ft`` holding ``value``."""
    src = image_pdf(path.with_name("plain.pdf"))
    with pikepdf.open(src) as pdf:
        page = pdf.pages[0]
        v = pdf.make_indirect(value(pdf)) if callable(value) else value
        widget = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name(ft), T=pikepdf.String("f1"),
            V=v, Rect=[50, 50, 200, 70], P=page.obj, F=4))
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([widget]))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([widget]), **acroform)
        pdf.save(path)
    src.unlink()
    return path


def with_form(path: Path) -> Path:
    return with_field(path, "/Tx", pikepdf.String("Hong"))


def signed(path: Path) -> Path:
    """A PDF with a signature field whose value has /ByteRange and /Contents (the shape of a signed PDF)."""
    def sig(pdf):
        return pikepdf.Dictionary(
            Type=pikepdf.Name.Sig, Filter=pikepdf.Name("/Adobe.PPKLite"), SubFilter=pikepdf.Name("/adbe.pkcs7.detached"),
            ByteRange=[0, 100, 200, 300], Contents=pikepdf.String(b"\0" * 64), M=pikepdf.String("D:20260101120000Z"))
    return with_field(path, "/Sig", sig, SigFlags=3)


def with_text_layer(path: Path) -> Path:
    """A scan with an invisible text layer (as an earlier OCR leaves): the words 'ARCHIVE 7731'."""
    src = image_pdf(path.with_name("plain.pdf"))
    with pikepdf.open(src) as pdf:
        page = pdf.pages[0]
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        page.obj.Resources.Font = pikepdf.Dictionary(F9=font)
        page.contents_add(pdf.make_stream(b"BT 3 Tr /F9 12 Tf 20 40 Td (ARCHIVE 7731) Tj ET"), prepend=False)
        pdf.save(path)
    src.unlink()
    return path


def huge(path: Path) -> Path:
    Image.new("1", (15000, 15000), 1).save(path, format="PNG")  # 225 million pixels, a small file
    return path


def with_dpi(dpi: int | None, fmt: str = "PNG"):
    def build(path: Path) -> Path:
        im = Image.open(scan(path.with_name("src.png"))).convert("L")
        kw = {"dpi": (dpi, dpi)} if dpi else {}
        im.save(path, format=fmt, **kw)
        if not dpi:
            assert "dpi" not in Image.open(path).info
        return path
    return build


def mode_png(mode: str, **kw):
    return lambda path: scan(path, mode=mode, fmt="PNG", **kw)


def palette_transparent(path: Path) -> Path:
    im = Image.open(scan(path.with_name("src.png"))).convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE,
                                                                          colors=8)
    background = im.getpixel((0, 0))  # the paper is transparent, the text stays
    im.save(path, format="PNG", transparency=background, dpi=(150, 150))
    return path


def transparent_alpha(mode: str):
    """Black text on fully transparent paper (as some phone apps export)."""
    def build(path: Path) -> Path:
        grey = Image.open(scan(path.with_name("src.png"))).convert("L")
        alpha = grey.point(lambda v: 255 - v)
        im = Image.merge("LA", (grey, alpha)) if mode == "LA" else Image.merge("RGBA", (grey, grey, grey, alpha))
        im.save(path, format="PNG", dpi=(150, 150))
        return path
    return build


def docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>민원</w:document>")
    return path


def plain_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("scan.txt", "not a scan")
    return path


def exe(path: Path) -> Path:
    path.write_bytes(b"MZ\x90\x00" + b"\0" * 60 + b"PE\0\0" + bytes(range(256)) * 4)
    return path


def empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def renamed(make: Callable[[Path], Path], real_suffix: str):
    def build(path: Path) -> Path:
        made = make(path.with_name("real" + real_suffix))
        made.rename(path)
        return path
    return build


@dataclass
class Case:
    id: str
    name: str
    build: Callable[[Path], Path]
    status: str  # archived | quarantined
    stage: str = ""
    words: tuple[str, ...] = ()  # the reason names the cause with one of these
    pages: int = 1
    check: Callable | None = field(default=None, repr=False)
    profile: str = "default"


LONG_KOREAN = "가" * 80 + ".png"  # 244 bytes in UTF-8, near the 255-byte limit


def no_javascript(case_dir, show, archival: Path):
    with pikepdf.open(archival) as pdf:
        assert "/OpenAction" not in pdf.Root or pdf.Root.OpenAction.get("/S") != "/JavaScript"
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary):
                assert obj.get("/S") != "/JavaScript", "JavaScript survived into the PDF/A copy"


def one_text_layer(case_dir, show, archival: Path):
    text = subprocess.run(["pdftotext", str(archival), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("7731") == 1, f"the text layer must appear once, not doubled: {text!r}"


def signature_said(case_dir, show, archival: Path):
    note = show["conversion"].get("digital_signature", "")
    assert "cannot carry the signature" in note, show["conversion"]


def dpi_assumed(case_dir, show, archival: Path):
    assert "assumed 300 dpi" in show["conversion"]["normalize"], show["conversion"]
    with pikepdf.open(archival) as pdf:  # 700 px at the assumed 300 dpi: 168 pt wide, not 7 m or 5 cm
        width = float(pdf.pages[0].mediabox[2]) - float(pdf.pages[0].mediabox[0])
    assert abs(width - 700 * 72 / 300) < 2, width


def reads_text(case_dir, show, archival: Path):
    """Transparent paper is flattened onto white: the page is read, not taken for a black or blank sheet."""
    text = subprocess.run(["pdftotext", str(archival), "-"], capture_output=True, text=True, check=True).stdout
    assert "7731" in text, text


def kept_extension(ext):
    def check(case_dir, show, archival):
        assert show["original"]["path"].endswith(ext), show["original"]["path"]
    return check


CASES = [
    Case("zero-byte-pdf", "empty.pdf", empty, "quarantined", "detect", ("empty", "0 bytes")),
    Case("zero-byte-tiff", "empty.tif", empty, "quarantined", "detect", ("empty", "0 bytes")),
    Case("zero-byte-jpeg", "empty.jpg", empty, "quarantined", "detect", ("empty", "0 bytes")),
    Case("truncated-pdf", "cut.pdf", truncated(image_pdf, 0.6), "quarantined", "normalize",
         ("incomplete", "damaged")),
    Case("truncated-tiff", "cut.tif", truncated(lambda p: scan(p, fmt="TIFF")), "quarantined", "normalize",
         ("truncated", "damaged", "incomplete")),
    Case("truncated-jpeg", "cut.jpg", truncated(lambda p: scan(p, fmt="JPEG")), "quarantined", "normalize",
         ("truncated", "damaged", "incomplete")),
    Case("pdf-user-password", "locked.pdf", lambda p: encrypted(p, user="1234"), "quarantined", "normalize",
         ("password",)),
    Case("pdf-owner-password", "restricted.pdf", lambda p: encrypted(p, user=""), "quarantined", "normalize",
         ("encrypted",)),
    Case("pdf-javascript", "script.pdf", with_javascript, "archived", check=no_javascript),
    Case("pdf-form-fields", "form.pdf", with_form, "archived"),
    Case("pdf-text-layer-skip", "ocred.pdf", with_text_layer, "archived", check=one_text_layer),
    Case("pdf-text-layer-redo", "ocred.pdf", with_text_layer, "archived", check=one_text_layer, profile="redo"),
    Case("pdf-signed", "signed.pdf", signed, "archived", check=signature_said),
    Case("image-no-dpi", "nodpi.png", with_dpi(None), "archived", check=dpi_assumed),
    Case("image-dpi-1", "dpi1.jpg", with_dpi(1, "JPEG"), "archived", check=dpi_assumed),
    Case("image-dpi-10000", "dpi10000.png", with_dpi(10000), "archived", check=dpi_assumed),
    Case("image-huge", "huge.png", huge, "quarantined", "normalize", ("200 million pixels",)),
    Case("image-1-bit", "bw.png", mode_png("1"), "archived"),
    Case("image-cmyk", "cmyk.jpg", lambda p: scan(p, mode="CMYK", fmt="JPEG"), "archived"),
    Case("image-rgba", "alpha.png", transparent_alpha("RGBA"), "archived", check=reads_text),
    Case("image-la", "grey-alpha.png", transparent_alpha("LA"), "archived", check=reads_text),
    Case("image-palette", "palette.png", mode_png("P"), "archived"),
    Case("image-palette-transparent", "palette-t.png", palette_transparent, "archived", check=reads_text),
    Case("png-named-pdf", "really-a-png.pdf", renamed(mode_png("L"), ".png"), "archived",
         check=kept_extension(".png")),
    Case("pdf-named-jpg", "really-a-pdf.jpg", renamed(image_pdf, ".pdf"), "archived",
         check=kept_extension(".pdf")),
    Case("docx", "letter.docx", docx, "quarantined", "detect", ("Office document",)),
    Case("zip", "scans.zip", plain_zip, "quarantined", "detect", ("ZIP",)),
    Case("exe", "setup.exe", exe, "quarantined", "detect", ("program",)),
    Case("korean-name", "전입신고서 홍길동.png", mode_png("L"), "archived"),
    Case("long-name", LONG_KOREAN, mode_png("L"), "archived"),
    Case("long-name-quarantined", "나" * 80 + ".pdf", empty, "quarantined", "detect", ("empty",)),
    Case("spaces-in-name", "  scan of   form .png", mode_png("L"), "archived"),
]


def add_redo_profile(archive: Path) -> None:
    (archive / "profiles" / "redo.toml").write_text(
        'name = "redo"\ndescription = "re-OCR scans that already have text"\n\n[ocr]\nexisting_text = "redo"\n')


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_input_class(case: Case, make_archive, tmp_path):
    archive = make_archive()
    add_redo_profile(archive)
    drop = tmp_path / "drop"
    drop.mkdir()
    odd = case.build(drop / case.name)
    odd_bytes = odd.read_bytes()
    nxt = scan(tmp_path / "zz-next.png", fmt="PNG", dpi=120)
    proc = run_girok(archive, "ingest", "--json", "--move", "--workers", "1", "--profile", case.profile,
                     str(odd), str(nxt), timeout=600)
    recs = {Path(r["file"]).name: r for r in json_lines(proc.stdout)}
    assert set(recs) == {case.name, "zz-next.png"}, (proc.stdout, proc.stderr[-2000:])

    assert recs["zz-next.png"]["status"] == "archived", "the batch goes on after the odd file"
    assert not nxt.exists(), "--move: the next file's source is released once committed"

    rec = recs[case.name]
    if case.status == "quarantined":
        assert rec["status"] == "quarantined", rec
        assert proc.returncode == 10, proc.stderr[-2000:]
        assert rec["reason"].startswith(case.stage + ":"), rec["reason"]
        assert any(w.lower() in rec["reason"].lower() for w in case.words), rec["reason"]
        assert not odd.exists(), "--move: the quarantined file left the drop folder"
        kept = [p for p in (archive / "quarantine").iterdir() if not p.name.endswith((".reason.txt", ".reason.json"))]
        assert len(kept) == 1 and kept[0].read_bytes() == odd_bytes, "quarantined copy is byte-identical"
        note = Path(str(kept[0]) + ".reason.txt").read_text(encoding="utf-8")
        assert case.name in note and rec["reason"].split(": ", 1)[1][:40] in note
        return

    assert rec["status"] == "archived", rec
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert rec["pages"] == case.pages
    show = json_lines(run_girok(archive, "show", rec["id"], "--json", check=True).stdout)[0]
    assert show["pdfa"] == "PDF/A-2B", show["pdfa"]
    assert show["source"]["name"] == case.name
    assert (archive / show["original"]["path"]).read_bytes() == odd_bytes, "stored original is byte-identical"
    archival = archive / show["archival"]["path"]
    with pikepdf.open(archival) as pdf:
        assert len(pdf.pages) == case.pages
    assert not list((archive / "quarantine").iterdir())
    if case.check:
        case.check(tmp_path, show, archival)


def test_huge_image_reason_gives_the_limit_and_the_size(make_archive, tmp_path):
    """The decompression-bomb guard says what the limit is and how big the image was."""
    archive = make_archive()
    big = huge(tmp_path / "huge.png")
    proc = run_girok(archive, "ingest", "--json", str(big))
    [rec] = json_lines(proc.stdout)
    assert proc.returncode == 10 and rec["status"] == "quarantined"
    assert "15000 x 15000" in rec["reason"] and "200 million pixels" in rec["reason"], rec["reason"]


def test_signed_pdf_outcome_and_event_say_the_signature_is_not_carried(make_archive, tmp_path):
    archive = make_archive()
    src = signed(tmp_path / "signed.pdf")
    proc = run_girok(archive, "ingest", "--json", str(src), check=True)
    [rec] = json_lines(proc.stdout)
    assert rec["status"] == "archived" and "cannot carry the signature" in rec["reason"], rec
    human = run_girok(archive, "show", rec["id"], check=True).stdout
    assert "signature" in human, human
    db = sqlite3.connect(archive / "catalog.sqlite")
    try:
        events = [d for a, d in db.execute("select action, detail from events") if "signature" in d]
    finally:
        db.close()
    assert events, "an event records that the archival copy does not carry the signature"
