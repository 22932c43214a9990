"""BagIt (RFC 8493) export and import of documents, with the ``bagit`` package.

A girok bag::

    bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
    data/<registration number>/original.<ext>   this document's pages of the capture
                              /archival.pdf     the PDF/A preservation copy
                              /metadata.json    the catalog record: document, capture, pages, retention,
                                                and "original": the whole original's SHA-256, the pages

A batch scan holds several documents, other citizens' among them, so a
document's original in the bag is only its own pages, cut losslessly
(girok.archive.cut) unless they are all of it; "original" records the
whole original's SHA-256 and the page numbers, "whole": false. With
``whole_original`` the whole capture goes instead ("whole": true), once per
bag: the other documents from it name the folder holding it in
files.original.folder and hold no original themselves. Bags from before
"original" carry the whole capture in every folder; import takes all three.

Folder and file names are made by girok from a fixed set of characters,
whatever the catalog holds; the registration number and everything else is
read back from metadata.json. Export copies each file out of the store while
hashing it and refuses to package a file that no longer matches its recorded
SHA-256. Import checks the whole bag (bagit's validation, then girok's own
layout and cross-checks) before it stores anything.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

import bagit

from .. import __version__
from ..errors import BagRejected, FixityFailed, StorageError, UsageError
from ..fsutil import copy_and_hash, sha256_file
from . import cut, restore
from .layout import Archive
from .indexing import index_documents
from ..i18n import _

FORMAT = "girok-bag/1"
ALGORITHM = "sha256"
METADATA, ARCHIVAL = "metadata.json", "archival.pdf"
ORIGINAL_RE = re.compile(r"^original(\.[a-z0-9]{1,5})?$")
FOLDER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
MAX_METADATA_BYTES = 64 << 20

# bagit logs every file it moves and every mismatch it finds; girok reports what matters itself.
logging.getLogger("bagit").setLevel(logging.CRITICAL)


def folder_name(reg_no: str, taken: set[str]) -> str:
    """A folder name safe on any file system (FAT and Windows included), unique in ``taken`` (casefolded)."""
    name = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9._-]", "_", reg_no))[:60].strip("._-") or "document"
    if name.split(".")[0].upper() in WINDOWS_RESERVED:
        name = f"doc-{name}"
    unique, n = name, 1
    while unique.casefold() in taken:
        n += 1
        unique = f"{name}-{n}"
    taken.add(unique.casefold())
    return unique


def original_name(relpath: str) -> str:
    ext = PurePosixPath(relpath).suffix.lower()
    return "original" + ext if ORIGINAL_RE.match("original" + ext) else "original"


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


# --- export --------------------------------------------------------------------------


@dataclass
class ExportResult:
    out: Path
    reg_nos: list[str]
    payload_oxum: str
    tagmanifest_sha256: str
    whole_originals: list[dict] = field(default_factory=list)  # whole originals holding documents not exported


def check_out_dir(arch: Archive, out: Path) -> Path:
    out = out.expanduser().resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(_("{out} is not an empty folder").format(out=out), hint=_("Export into a new or empty folder."))
    inside = [arch.root.resolve(), *(hf.path.resolve() for hf in arch.config.hot_folders)]
    if any(out == p or p in out.parents for p in inside):
        raise UsageError(_("{out} is inside the archive or one of its hot folders").format(out=out),
                         hint=_("Export to a folder outside the archive, e.g. on a USB drive."))
    return out


def _copy_checked(src: Path, dest: Path, sha256: str, what: str) -> None:
    try:
        actual, _size = copy_and_hash(src, dest)
    except FileNotFoundError:
        raise FixityFailed(_("{what} is missing from the store ({src}); nothing was exported").format(
                               what=what, src=src)) from None
    if actual != sha256:
        raise FixityFailed(_("{what} ({src}) no longer matches its recorded SHA-256; nothing was exported").format(
                               what=what, src=src))


@dataclass
class _Shared:
    """Whole originals already in the bag (``--whole-original``): capture id -> (folder, file name)."""
    files: dict[int, tuple[str, str]] = field(default_factory=dict)
    whole: dict[str, dict] = field(default_factory=dict)  # sha256 -> what the warning says about it


def _own_pages_of(arch: Archive, doc, folder: Path, orig: str) -> dict:
    """Write the document's own pages of its original into ``folder/orig``; returns the ``original`` provenance."""
    cap = doc.capture
    src = arch.store.resolve(cap.original_relpath)
    pages = restore.pages_in_original(doc.first_page, doc.page_count, doc.metadata_json)
    what = f"the original of {doc.reg_no}"
    part = restore.part_of_original(doc.metadata_json)
    if part is not None and part["sha256"] != cap.sha256:  # imported as its own pages already: ship them as they are
        _copy_checked(src, folder / orig, cap.sha256, what)
        return {"sha256": part["sha256"], "pages": part["pages"], "whole": False, "cut": "as received"}
    try:
        if sha256_file(src) != cap.sha256:
            raise FixityFailed(_("{what} ({src}) no longer matches its recorded SHA-256; nothing was exported").format(
                                   what=what, src=src))
    except FileNotFoundError:
        raise FixityFailed(_("{what} is missing from the store ({src}); nothing was exported").format(
                               what=what, src=src)) from None
    try:
        total = cut.page_count(src, cap.media_type)
    except cut.CannotCut as exc:
        siblings = arch.catalog.capture_by_sha(cap.sha256)
        if siblings is not None and len(siblings.documents) == 1:  # no one else's pages in it
            _copy_checked(src, folder / orig, cap.sha256, what)
            return {"sha256": cap.sha256, "pages": pages, "whole": True}
        raise UsageError(_("{what} cannot be cut to its own pages: {exc}; nothing was exported").format(
                             what=what, exc=exc),
                         hint=_("The original holds other documents too. Export with --whole-original only if all of "
                                "them may leave the archive.")) from None
    if pages == list(range(1, total + 1)):  # all of it is this document's
        _copy_checked(src, folder / orig, cap.sha256, what)
        return {"sha256": cap.sha256, "pages": pages, "whole": True}
    try:
        method = cut.cut(src, pages, folder / orig, cap.media_type)
    except cut.CannotCut as exc:
        raise UsageError(_("{what} cannot be cut to its own pages: {exc}; nothing was exported").format(
                             what=what, exc=exc),
                         hint=_("Export with --whole-original only if every document in it may leave the archive.")) \
            from None
    return {"sha256": cap.sha256, "pages": pages, "whole": False, "cut": method}


def _whole_original(arch: Archive, doc, folder: Path, orig: str, shared: _Shared) -> tuple[dict, str | None]:
    """The whole original, once per bag; returns the provenance and the folder already holding it (or None)."""
    cap = doc.capture
    pages = restore.pages_in_original(doc.first_page, doc.page_count, doc.metadata_json)
    if cap.id in shared.files:
        there = shared.files[cap.id][0]
        shared.whole[cap.sha256]["documents"].append(doc.reg_no)
        return {"sha256": cap.sha256, "pages": pages, "whole": True}, there
    part = restore.part_of_original(doc.metadata_json)
    if part is not None and part["sha256"] != cap.sha256:  # only its own pages are here to give
        _copy_checked(arch.store.resolve(cap.original_relpath), folder / orig, cap.sha256,
                      f"the original of {doc.reg_no}")
        return {"sha256": part["sha256"], "pages": part["pages"], "whole": False, "cut": "as received"}, None
    _copy_checked(arch.store.resolve(cap.original_relpath), folder / orig, cap.sha256, f"the original of {doc.reg_no}")
    shared.files[cap.id] = (folder.name, orig)
    full = arch.catalog.capture_by_sha(cap.sha256)
    shared.whole[cap.sha256] = {"sha256": cap.sha256, "documents": [doc.reg_no],
                                "catalogued": [d.reg_no for d in full.documents] if full else [doc.reg_no]}
    return {"sha256": cap.sha256, "pages": pages, "whole": True}, None


def _write_document(arch: Archive, doc, folder: Path, *, whole_original: bool, shared: _Shared) -> None:
    cap = doc.capture
    folder.mkdir()
    orig = original_name(cap.original_relpath)
    there = None
    if whole_original:
        original, there = _whole_original(arch, doc, folder, orig, shared)
    else:
        original = _own_pages_of(arch, doc, folder, orig)
    _copy_checked(arch.store.resolve(doc.archival_relpath), folder / ARCHIVAL, doc.archival_sha256,
                  f"the archival copy of {doc.reg_no}")
    if there is None:
        orig_file = {"name": orig, "sha256": sha256_file(folder / orig), "size": (folder / orig).stat().st_size}
    else:  # stored once, in the folder of the first document from it
        orig_file = {"name": shared.files[cap.id][1], "folder": there, "sha256": cap.sha256, "size": cap.size}
    meta = {"format": FORMAT,
            "files": {"original": orig_file,
                      "archival": {"name": ARCHIVAL, "sha256": doc.archival_sha256, "size": doc.archival_size}},
            "original": original,
            **restore.to_record(doc, restore.retention_of(arch.catalog, doc))}
    (folder / METADATA).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


def _clear(out: Path, created: bool) -> None:
    if created:
        shutil.rmtree(out, ignore_errors=True)
        return
    for child in out.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def export_bag(arch: Archive, reg_nos: list[str], out: Path, *, query: str | None = None,
               whole_original: bool = False,
               progress: Callable[[int, int], None] | None = None) -> ExportResult:
    """Package the documents as a bag in ``out`` (new or empty); on any failure ``out`` is left empty.

    Each document carries its own pages of its original (cut losslessly), with the whole original's
    SHA-256 and the page numbers as provenance; with ``whole_original`` the whole original instead, once
    per bag however many of its documents are exported (``ExportResult.whole_originals`` says which
    hold documents that were not asked for)."""
    out = check_out_dir(arch, out)
    reg_nos = list(dict.fromkeys(reg_nos))
    docs = [arch.catalog.get(r) for r in reg_nos]  # NotFound before anything is written
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        taken: set[str] = set()
        shared = _Shared()
        for i, doc in enumerate(docs, start=1):
            _write_document(arch, doc, out / folder_name(doc.reg_no, taken), whole_original=whole_original,
                            shared=shared)
            if progress:
                progress(i, len(docs))
        info = {"Source-Organization": _one_line(arch.config.name),
                "External-Description": f"{len(docs)} document(s) from the girok archive {_one_line(arch.config.name)}",
                "Bag-Software-Agent": f"girok {__version__} (bagit.py {bagit.VERSION})",
                "Girok-Bag-Format": FORMAT, "Girok-Documents": str(len(docs))}
        bag = bagit.make_bag(str(out), info, checksums=[ALGORITHM])
        others = [{"sha256": w["sha256"], "documents": w["documents"],
                   "other_documents": sorted(set(w["catalogued"]) - set(w["documents"]))}
                  for w in shared.whole.values()]
        result = ExportResult(out, reg_nos, bag.info["Payload-Oxum"], sha256_file(out / f"tagmanifest-{ALGORITHM}.txt"),
                              [w for w in others if w["other_documents"]])
        # no bag without its event: if the trail cannot be written, the bag goes too
        arch.catalog.add_event("export", reg_no=",".join(reg_nos), out=str(out), documents=len(reg_nos),
                               query=query, whole_original=whole_original,
                               other_documents=sorted({r for w in result.whole_originals for r in w["other_documents"]}),
                               payload_oxum=result.payload_oxum,
                               tagmanifest_sha256=result.tagmanifest_sha256)
    except BaseException as exc:
        _clear(out, created)
        if isinstance(exc, (bagit.BagError, OSError, RuntimeError)):
            raise StorageError(_("could not write the bag in {out}: {exc}").format(out=out, exc=exc)) from exc
        raise
    return result


# --- import --------------------------------------------------------------------------


@dataclass
class BagDocument:
    record: restore.Record
    original: Path
    archival: Path


@dataclass
class LoadedBag:
    path: Path
    info: dict
    documents: list[BagDocument]
    tagmanifest_sha256: str | None
    unknown: set[str] = field(default_factory=set)


def _reject(path: Path, why: str) -> BagRejected:
    return BagRejected(_("{path} was refused: {why}; nothing was imported").format(path=path, why=why))


def _validated(path: Path) -> tuple[bagit.Bag, dict[str, dict[str, str]]]:
    """bagit's full validation plus girok's layout; returns the bag and {folder: {name: sha256}}."""
    for parent, dirs, files in os.walk(path):
        for name in dirs + files:
            if os.path.islink(os.path.join(parent, name)):
                raise _reject(path, _("it contains a symbolic link ({relpath})").format(
                                        relpath=os.path.relpath(os.path.join(parent, name), path)))
    try:
        bag = bagit.Bag(str(path))
        if ALGORITHM not in bag.algorithms:
            raise _reject(path, _("it has no {algorithm} manifest").format(algorithm=ALGORITHM))
        if any(True for _ in bag.fetch_entries()):
            raise _reject(path, _("it lists files to fetch from elsewhere (fetch.txt)"))
        folders = _folders(path, bag)  # before hashing: a bag with odd names is refused at once
        bag.validate()
    except bagit.BagValidationError as exc:
        details = [str(d) for d in exc.details] or [str(exc.message)]
        more = f" (and {len(details) - 5} more)" if len(details) > 5 else ""
        raise _reject(path, "it failed validation: " + "; ".join(details[:5]) + more) from None
    except bagit.BagError as exc:
        raise _reject(path, _("it is not a valid bag: {exc}").format(exc=exc)) from None
    if bag.info.get("Girok-Bag-Format") != FORMAT:
        raise _reject(path, _("it is not a girok bag (bag-info.txt has no Girok-Bag-Format: {format})").format(
                                format=FORMAT))
    return bag, folders


def _manifest_paths(bag: bagit.Bag) -> list[str]:
    """The paths in the payload manifests exactly as written (bagit normalizes them)."""
    paths = []
    for manifest in bag.manifest_files():
        with open(manifest, encoding="utf-8") as fh:
            for line in fh:
                parts = line.strip().split(None, 1)
                if len(parts) == 2 and not parts[0].startswith("#"):
                    paths.append(parts[1].lstrip("*"))
    return paths


def _folders(path: Path, bag: bagit.Bag) -> dict[str, dict[str, str]]:
    """Every payload path must be data/<folder>/<name> as girok writes them; anything else is refused."""
    folders: dict[str, dict[str, str]] = {}
    for entry in _manifest_paths(bag):
        parts = entry.split("/")
        if len(parts) != 3 or parts[0] != "data" or not FOLDER_RE.match(parts[1]) or not (
                parts[2] in (METADATA, ARCHIVAL) or ORIGINAL_RE.match(parts[2])):
            raise _reject(path, _("{entry!r} is not where a girok bag keeps files").format(entry=entry))
        folders.setdefault(parts[1], {})[parts[2]] = bag.entries[entry][ALGORITHM]
    for folder, names in folders.items():
        originals = [n for n in names if ORIGINAL_RE.match(n)]
        # no original: the document's whole original is in the folder of another document from it
        if METADATA not in names or ARCHIVAL not in names or len(originals) > 1:
            raise _reject(path, _("data/{folder} must hold {metadata}, {archival} and at most one original").format(
                                    folder=folder, metadata=METADATA, archival=ARCHIVAL))
    return folders


def _provenance(meta: dict) -> dict | None:
    """The ``original`` entry: None for a bag from before it (the whole original), else checked."""
    original = meta.get("original")
    if original is None:
        return None
    if not isinstance(original, dict) or not isinstance(original.get("whole"), bool) \
            or not restore.SHA256_RE.match(str(original.get("sha256", ""))):
        raise ValueError("original must say whole (true or false) and the whole original's sha256")
    pages = original.get("pages")
    if not isinstance(pages, list) or not pages or any(
            not isinstance(p, int) or isinstance(p, bool) or p < 1 for p in pages) or len(set(pages)) != len(pages):
        raise ValueError("original.pages must be distinct page numbers from 1")
    return original


def _load_document(path: Path, folder: str, names: dict[str, str], folders: dict[str, dict[str, str]]) -> BagDocument:
    base = path / "data" / folder
    where = f"data/{folder}/{METADATA}"
    if (base / METADATA).stat().st_size > MAX_METADATA_BYTES:
        raise _reject(path, _("{where} is too large").format(where=where))
    try:
        meta = json.loads((base / METADATA).read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ValueError(f"format is not {FORMAT}")
        rec = restore.parse_record(meta)
        files = meta.get("files") or {}
        original = _provenance(meta)
        listed = files.get("original") or {}
        there = listed.get("folder", folder)
        if there != folder and (not isinstance(there, str) or there not in folders
                                or any(ORIGINAL_RE.match(n) for n in names)):
            raise ValueError("files.original.folder is not another folder of this bag, or this one has its own")
        holder = folders[there]
        orig = next((n for n in holder if ORIGINAL_RE.match(n)), None)
        if orig is None:
            raise ValueError(f"data/{there} holds no original")
        size = (path / "data" / there / orig).stat().st_size
        part = original is not None and not original["whole"]
        if part and len(original["pages"]) != rec.document["page_count"]:
            raise ValueError("original.pages does not hold the document's page count")
        checks = [(listed.get("name") == orig, f"files.original.name is not {orig}"),
                  (listed.get("sha256") in (None, holder[orig]), f"files.original.sha256 is not that of {orig}"),
                  (part or rec.capture["sha256"] == holder[orig], f"the SHA-256 of {orig} is not the capture's"),
                  (original is None or part or original["sha256"] == rec.capture["sha256"],
                   "original.sha256 is not the capture's"),
                  (rec.document["archival_sha256"] == names[ARCHIVAL], f"the SHA-256 of {ARCHIVAL} is not the record's"),
                  (part or rec.capture["size"] == size, f"the size of {orig} is not the capture's"),
                  (rec.document["archival_size"] == (base / ARCHIVAL).stat().st_size,
                   f"the size of {ARCHIVAL} is not the record's")]
        for ok, why in checks:
            if not ok:
                raise ValueError(why)
        if part:  # the capture here is this document's pages only; the whole original's hash stays as provenance
            rec.capture.update(sha256=holder[orig], size=size)
            rec.document["metadata_json"] = restore.with_part(rec.document.get("metadata_json"), original["sha256"],
                                                              original["pages"])
    except (ValueError, AttributeError, TypeError, UnicodeDecodeError) as exc:
        raise _reject(path, _("{where}: {exc}").format(where=where, exc=exc)) from None
    return BagDocument(rec, path / "data" / there / orig, base / ARCHIVAL)


def read_bag(path: Path) -> LoadedBag:
    """Validate a bag completely and load its records; raises BagRejected, having changed nothing."""
    path = path.expanduser().resolve()
    if not path.is_dir():
        raise BagRejected(_("{path} is not a folder").format(path=path), hint=_("Give the bag's folder (the one with bagit.txt)."))
    bag, folders = _validated(path)
    docs = [_load_document(path, folder, names, folders) for folder, names in sorted(folders.items())]
    seen: set[str] = set()
    for d in docs:
        if d.record.reg_no in seen:
            raise _reject(path, _("it holds {reg_no} twice").format(reg_no=d.record.reg_no))
        seen.add(d.record.reg_no)
    tag = path / f"tagmanifest-{ALGORITHM}.txt"
    return LoadedBag(path, dict(bag.info), docs, sha256_file(tag) if tag.exists() else None,
                     set().union(*(d.record.unknown for d in docs)))


@dataclass
class ImportResult:
    bag: LoadedBag
    imported: list[str]
    present: list[str]


def import_bag(arch: Archive, path: Path) -> ImportResult:
    """Validate, store the files, restore the records (one transaction, with the event), index."""
    loaded = read_bag(path)
    present = set(restore.check_conflicts(arch.catalog, [d.record for d in loaded.documents]))
    items = []
    for d in loaded.documents:
        rec = d.record
        if rec.reg_no in present:
            items.append(restore.Incoming(rec, "", ""))
            continue
        orig = arch.store.put("originals", d.original, rec.capture["sha256"], d.original.suffix)
        copy = arch.store.put("archival", d.archival, rec.document["archival_sha256"], ".pdf")
        items.append(restore.Incoming(rec, orig.relpath, copy.relpath))
    info = loaded.info
    result = restore.restore(arch.catalog, items, detail={
        "bag": str(loaded.path), "documents": len(items), "source_organization": info.get("Source-Organization"),
        "bagging_date": info.get("Bagging-Date"), "tagmanifest_sha256": loaded.tagmanifest_sha256})
    index_documents(arch, result.imported)
    return ImportResult(loaded, result.imported, result.present)
