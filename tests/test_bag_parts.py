"""Export from a batch scan (issue 17, item 1): a document's bag carries only its own pages of the original,
cut losslessly, with the whole original's SHA-256 and page numbers as provenance; ``--whole-original`` packs
the whole scan once per bag and says whose documents went along; import takes parts, whole originals and
bags from before, in any order."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zlib
from pathlib import Path

import bagit
import pikepdf
import pytest
from PIL import Image, ImageDraw

from girok.archive.indexing import index_documents
from girok.archive.layout import Archive
from girok.catalog.repository import NewCapture, NewDocument
from helpers_records import girok, sql
from conftest import json_lines
from test_bag import bagit_validate, show

# a batch: A's form, a separator sheet, B's form, C's two pages; each form with its applicant's 주민등록번호
RRN = {"A": "870501-1196406", "B": "920315-2345671", "C": "750823-1067852"}
BATCH = [f"Application A {RRN['A']}", "GIROK-SEPARATOR", f"Application B {RRN['B']}",
         f"Application C {RRN['C']}", "C page two, applicant C"]
PAGES = {"A": [1], "B": [3], "C": [4, 5]}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_pdf(path: Path, pages: list[str]) -> Path:
    """A PDF whose pages carry ``pages`` as text, in Flate-compressed content streams (as scanners write them)."""
    with pikepdf.new() as pdf:
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        for text in pages:
            page = pdf.add_blank_page(page_size=(595, 842))
            page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
            stream = pikepdf.Stream(pdf, b"")
            stream.write(zlib.compress(f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()),
                         filter=pikepdf.Name.FlateDecode)
            page.Contents = pdf.make_indirect(stream)
        pdf.save(path)
    return path


def add_batch(root: Path, original: Path, media_type: str, pages: dict[str, list[int]]) -> dict[str, str]:
    """Catalog ``original`` as one capture holding a document per key of ``pages``, as ingest records a batch."""
    made = root.parent / "made-up-sources"
    made.mkdir(exist_ok=True)
    with Archive.open(root) as arch:
        orig = arch.store.put("originals", original, sha(original.read_bytes()), original.suffix)
        docs = []
        for who, numbers in pages.items():
            texts = [f"{who} page {n}" for n in numbers]
            archival = text_pdf(made / f"{who}-{orig.sha256[:8]}.pdf", [f"archival {who} {RRN[who]}"])
            pdf = arch.store.put("archival", archival, sha(archival.read_bytes()), ".pdf")
            docs.append(NewDocument(first_page=numbers[0], page_count=len(numbers), archival_sha256=pdf.sha256,
                                    archival_relpath=pdf.relpath, archival_size=pdf.size, pdfa="2B",
                                    conversion={"tools": {"test": "1"}}, page_texts=texts, title=f"신청서 {who}",
                                    metadata_json=json.dumps({"pages_in_original": numbers})))
        cap = NewCapture(sha256=orig.sha256, size=orig.size, source_name=original.name,
                         source_path=f"/scans/{original.name}", hot_folder=None, profile="default",
                         media_type=media_type, original_relpath=orig.relpath, documents=docs)
        regs = arch.catalog.commit_capture(cap, prefix=arch.config.id_prefix)
        index_documents(arch, regs)
    return dict(zip(pages, regs))


@pytest.fixture
def batch(make_archive, tmp_path):
    root = make_archive("source")
    original = text_pdf(tmp_path / "batch.pdf", BATCH)
    return root, add_batch(root, original, "application/pdf", PAGES), original


def readable_text(path: Path) -> bytes:
    """A file's bytes, and for a PDF also every stream decoded and the text pdftotext finds."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        with pikepdf.open(path) as pdf:
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    data += obj.read_bytes()
        data += subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
    return data


def rrns_in(bag: Path) -> set[str]:
    found = set()
    for p in bag.rglob("*"):
        if p.is_file():
            text = readable_text(p)
            found |= {who for who, rrn in RRN.items() if rrn.encode() in text or rrn.replace("-", "").encode() in text}
    return found


def export(root: Path, out: Path, *regs: str, whole: bool = False) -> dict:
    args = [a for r in regs for a in ("--id", r)] + (["--whole-original"] if whole else [])
    proc = girok(root, "export", *args, "--out", str(out), "--json", check=True)
    return {**json_lines(proc.stdout)[0], "stderr": proc.stderr}


def originals_in(bag: Path) -> list[Path]:
    return sorted(p for p in (bag / "data").rglob("original*") if p.is_file())


# --- export ---------------------------------------------------------------------------


def test_one_part_of_a_batch_leaves_with_its_own_pages_only(batch, tmp_path):
    root, regs, original = batch
    out = tmp_path / "bag"
    export(root, out, regs["B"])
    assert bagit_validate(out).returncode == 0
    assert rrns_in(out) == {"B"}  # no other citizen's number in any file of the bag
    [part] = originals_in(out)
    assert part == out / "data" / regs["B"] / "original.pdf"
    meta = json.loads((out / "data" / regs["B"] / "metadata.json").read_text(encoding="utf-8"))
    assert meta["original"]["sha256"] == sha(original.read_bytes()) == meta["capture"]["sha256"]
    assert meta["original"]["pages"] == [3] and meta["original"]["whole"] is False
    assert meta["files"]["original"]["sha256"] == sha(part.read_bytes()) != meta["original"]["sha256"]
    assert f"{meta['files']['original']['sha256']}  data/{regs['B']}/original.pdf" in \
        (out / "manifest-sha256.txt").read_text()
    with pikepdf.open(part) as cut, pikepdf.open(original) as whole:  # copied, not re-encoded
        assert len(cut.pages) == 1
        assert cut.pages[0].Contents.read_raw_bytes() == whole.pages[2].Contents.read_raw_bytes()
        assert cut.pages[0].Contents.Filter == pikepdf.Name.FlateDecode


def test_several_parts_of_one_batch(batch, tmp_path):
    root, regs, original = batch
    out = tmp_path / "bag"
    d = export(root, out, regs["A"], regs["C"])
    assert d["whole_originals"] == [] and "Warning" not in d["stderr"]
    assert rrns_in(out) == {"A", "C"}
    assert [p.parent.name for p in originals_in(out)] == [regs["A"], regs["C"]]
    with pikepdf.open(out / "data" / regs["C"] / "original.pdf") as pdf:
        assert len(pdf.pages) == 2
    text = subprocess.run(["pdftotext", str(out / "data" / regs["C"] / "original.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert RRN["C"] in text and "C page two" in text and RRN["A"] not in text


def test_whole_original_goes_once_and_says_whose_documents_go_along(batch, tmp_path, make_archive):
    root, regs, original = batch
    out = tmp_path / "bag"
    d = export(root, out, regs["A"], regs["B"], whole=True)
    assert d["whole_originals"] == [{"sha256": sha(original.read_bytes()), "ids": [regs["A"], regs["B"]],
                                     "other_ids": [regs["C"]]}]
    assert "1 other document(s)" in d["stderr"] and regs["C"] in d["stderr"]
    assert [p.read_bytes() for p in originals_in(out)] == [original.read_bytes()]  # once per bag
    meta_b = json.loads((out / "data" / regs["B"] / "metadata.json").read_text(encoding="utf-8"))
    assert meta_b["files"]["original"]["folder"] == regs["A"] and meta_b["original"]["whole"] is True
    assert bagit_validate(out).returncode == 0
    [ev] = [e for e in json_lines(girok(root, "audit", "log", "--json").stdout) if e["action"] == "export"]
    assert ev["detail"]["whole_original"] is True and ev["detail"]["other_documents"] == [regs["C"]]
    target = make_archive("target")
    girok(target, "import", str(out), check=True)
    assert sql(target, "select count(*) from captures") == [(1,)]
    assert show(target, regs["B"])["original"]["sha256"] == sha(original.read_bytes())
    assert girok(target, "fixity", "check").returncode == 0


def test_a_single_document_capture_still_travels_whole(make_archive, tmp_path):
    root = make_archive("source")
    original = text_pdf(tmp_path / "one.pdf", [f"Application A {RRN['A']}", "A page two"])
    regs = add_batch(root, original, "application/pdf", {"A": [1, 2]})
    out = tmp_path / "bag"
    export(root, out, regs["A"])
    [orig] = originals_in(out)
    assert orig.read_bytes() == original.read_bytes()
    meta = json.loads((out / "data" / regs["A"] / "metadata.json").read_text(encoding="utf-8"))
    assert meta["original"] == {"sha256": sha(original.read_bytes()), "pages": [1, 2], "whole": True}


def tiff_batch(path: Path) -> Path:
    """Three frames as a scanner might mix them: G4 bilevel, LZW grey, JPEG colour."""
    frames = []
    for i, (mode, compression) in enumerate([("1", "group4"), ("L", "tiff_lzw"), ("RGB", "jpeg")]):
        im = Image.new(mode, (300, 120), "white")
        ImageDraw.Draw(im).text((10, 50), f"frame {i + 1} {list(RRN.values())[i]}", fill="black")
        frames.append(im)
    images = []
    for im, c in zip(frames, ["group4", "tiff_lzw", "jpeg"]):
        buf = path.with_suffix(f".{c}.tif")
        im.save(buf, format="TIFF", compression=c, dpi=(300, 300))
        images.append(Image.open(buf))
    images[0].save(path, format="TIFF", save_all=True, append_images=images[1:])
    for im in images:
        im.close()
    return path


def test_tiff_frames_are_copied_with_their_own_compression(make_archive, tmp_path):
    root = make_archive("source")
    original = tiff_batch(tmp_path / "batch.tif")
    regs = add_batch(root, original, "image/tiff", {"A": [1], "B": [2, 3]})
    out = tmp_path / "bag"
    export(root, out, regs["B"])
    part = out / "data" / regs["B"] / "original.tif"
    with Image.open(part) as cut, Image.open(original) as whole:
        assert cut.n_frames == 2
        for i, page in enumerate([2, 3]):
            cut.seek(i)
            whole.seek(page - 1)
            assert cut.tobytes() == whole.tobytes() and cut.mode == whole.mode  # the scanned pixels
            assert cut.info["dpi"] == whole.info["dpi"]
        cut.seek(0)
        assert cut.info["compression"] == "tiff_lzw"
    meta = json.loads((out / "data" / regs["B"] / "metadata.json").read_text(encoding="utf-8"))
    assert meta["original"]["pages"] == [2, 3] and "JPEG frame(s) [3]" in meta["original"]["cut"]


# --- import ---------------------------------------------------------------------------


def test_parts_and_the_whole_original_import_in_any_order(batch, tmp_path, make_archive):
    root, regs, original = batch
    whole_sha = sha(original.read_bytes())
    part_b, part_c, whole_ab, whole_c = (tmp_path / n for n in ("b", "c", "ab", "cw"))
    export(root, part_b, regs["B"])
    export(root, part_c, regs["C"])
    export(root, whole_ab, regs["A"], regs["B"], whole=True)
    export(root, whole_c, regs["C"], whole=True)

    target = make_archive("target")
    girok(target, "import", str(part_b), check=True)
    shown = show(target, regs["B"])
    assert shown["original"]["sha256"] == sha((part_b / "data" / regs["B"] / "original.pdf").read_bytes())
    meta = json.loads(sql(target, "select metadata_json from documents")[0][0])
    assert meta["part_of_original"] == {"sha256": whole_sha, "pages": [3]}
    assert girok(target, "fixity", "check").returncode == 0
    # another part of the same original: a document of its own
    girok(target, "import", str(part_c), check=True)
    # then the whole original with A and B: B is already here (from its part), A arrives with the whole scan
    d = json_lines(girok(target, "import", str(whole_ab), "--json", check=True).stdout)[0]
    assert d["imported"] == [regs["A"]] and d["already_present"] == [regs["B"]]
    # and the parts again: nothing changes
    for bag in (part_b, part_c, whole_c):
        again = json_lines(girok(target, "import", str(bag), "--json", check=True).stdout)[0]
        assert again["imported"] == []
    assert sql(target, "select count(*) from documents") == [(3,)]
    assert sql(target, "select count(*) from captures") == [(3,)]  # A's whole scan, B's and C's parts
    assert girok(target, "fixity", "check").returncode == 0 and girok(target, "audit", "verify").returncode == 0
    # a part exported again from here still names the whole original and its pages, and nothing more
    again = tmp_path / "again"
    export(target, again, regs["B"])
    meta = json.loads((again / "data" / regs["B"] / "metadata.json").read_text(encoding="utf-8"))
    assert meta["original"]["sha256"] == whole_sha and meta["original"]["pages"] == [3]
    assert rrns_in(again) == {"B"}
    fresh = make_archive("fresh")
    girok(fresh, "import", str(again), check=True)
    assert show(fresh, regs["B"])["original"] == show(target, regs["B"])["original"] | {
        "path": show(fresh, regs["B"])["original"]["path"]}


def test_documents_of_one_batch_exported_whole_at_different_times_share_the_capture(batch, tmp_path, make_archive):
    root, regs, original = batch
    export(root, tmp_path / "ab", regs["A"], regs["B"], whole=True)
    export(root, tmp_path / "c", regs["C"], whole=True)
    target = make_archive("target")
    girok(target, "import", str(tmp_path / "ab"), check=True)
    girok(target, "import", str(tmp_path / "c"), check=True)  # other pages of the same scan: a sibling
    assert sql(target, "select count(*) from captures") == [(1,)]
    assert sql(target, "select count(*) from documents") == [(3,)]


def test_a_bag_from_before_parts_still_imports(batch, tmp_path, make_archive):
    """Old bags: the whole original in every document's folder, no "original" entry."""
    root, regs, original = batch
    out = tmp_path / "old"
    export(root, out, regs["A"], regs["B"], whole=True)
    for r in (regs["A"], regs["B"]):
        folder = out / "data" / r
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
        del meta["original"]
        meta["files"]["original"] = {"name": "original.pdf", "sha256": meta["capture"]["sha256"],
                                     "size": meta["capture"]["size"]}
        (folder / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        if not (folder / "original.pdf").exists():
            shutil.copy(original, folder / "original.pdf")
    bagit.Bag(str(out)).save(manifests=True)
    target = make_archive("target")
    d = json_lines(girok(target, "import", str(out), "--json", check=True).stdout)[0]
    assert sorted(d["imported"]) == sorted([regs["A"], regs["B"]])
    assert sql(target, "select count(*) from captures") == [(1,)]


def test_a_part_that_does_not_match_its_record_is_refused(batch, tmp_path, make_archive):
    from test_bag import assert_refused

    root, regs, _ = batch
    out = tmp_path / "bag"
    export(root, out, regs["C"])
    meta_path = out / "data" / regs["C"] / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["original"]["pages"] = [4]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    bagit.Bag(str(out)).save(manifests=True)
    assert_refused(make_archive, out, "original.pages does not hold the document's page count")
