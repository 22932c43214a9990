"""The record keeper's checks and transfers: audit trail verification and log, fixity, BagIt export and import.

Each writes its own audit event where the law asks for one (fixity checks, exports, imports).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..archive.layout import Archive
from ..errors import NotFound, UsageError
from ..i18n import _


def verify_audit(arch: Archive, *, expect: str | None = None):
    """Check the hash chain of the audit trail (and, with ``expect``, that a recorded head hash is still there).
    Returns the report (``archive.trail.ChainReport``); ``report.ok`` is False when the trail does not verify."""
    from ..archive.trail import check_chain

    return check_chain(arch.catalog, expect)


def audit_log(arch: Archive, *, since: str | None = None, document: str | None = None) -> Iterator[dict]:
    """Audit events oldest first, as dicts, times in the archive's zone with their offset (``since``: 2026-03-01
    or 2026-03-01T09:00 in that zone, or with an offset)."""
    from ..archive.trail import event_dict, events, parse_since

    tz = arch.tz
    for ev in events(arch.catalog, since=parse_since(since, tz) if since else None, reg_no=document):
        yield event_dict(ev, tz)


def fixity_check(arch: Archive, *, sample: int | None = None,
                 progress: Callable[[int, int], None] | None = None):
    """Re-hash stored files against the catalog (all, or ``sample`` at random); the result is audited.
    Returns ``archive.fixity.FixityReport``."""
    from ..archive import fixity

    return fixity.check(arch, sample=sample, progress=progress)


def export(arch: Archive, out_dir: Path, *, ids: list[str] | None = None, query: str | None = None,
           whole_original: bool = False, progress: Callable[[int, int], None] | None = None) -> dict:
    """Export documents named by ``ids`` or found by ``query`` as a BagIt bag in ``out_dir`` (new or empty).

    Each document carries only its own pages of its original; ``whole_original`` packs whole originals
    (once each) instead, and ``whole_originals`` in the result lists those holding documents that were
    not exported, for the caller to warn about."""
    from ..archive.bag import check_out_dir, export_bag
    from .shapes import documents_json

    if bool(ids) == bool(query):
        raise UsageError(_("give either --id (one or more) or --query"),
                         hint=_("e.g. girok export --id GR-2026-000001 --out DIR"))
    check_out_dir(arch, out_dir)  # before a long search
    reg_nos = list(ids) if ids else [h.reg_no for h in arch.index.search(query, limit=None)]
    if not reg_nos:
        raise NotFound(_("no documents match {query!r}; nothing was exported").format(query=query))
    result = export_bag(arch, reg_nos, out_dir, query=query, whole_original=whole_original, progress=progress)
    return {"out": str(result.out), "documents": documents_json(arch, result.reg_nos),
            "payload_oxum": result.payload_oxum, "tagmanifest_sha256": result.tagmanifest_sha256,
            "whole_originals": [{"sha256": w["sha256"], "ids": w["documents"], "other_ids": w["other_documents"]}
                                for w in result.whole_originals]}


@dataclass
class BagDownload:
    """A bag packed as one zip file for a download (``export_download``); ``remove()`` when it has been sent."""

    path: Path
    filename: str
    folder: Path

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def export_download(arch: Archive, ids: list[str]) -> BagDownload:
    """Export ``ids`` as a BagIt bag (as ``export``: audited, verified), packed as one zip in a private temporary
    folder, for a front end to send (the web's 내보내기). The bag's folder inside the zip is named for it."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="girok-export-"))
    try:
        name = f"{ids[0]}-bag" if len(ids) == 1 else f"girok-{len(ids)}-bag"
        export(arch, folder / name, ids=ids)
        zip_path = shutil.make_archive(str(folder / name), "zip", root_dir=folder, base_dir=name)
        shutil.rmtree(folder / name)
        return BagDownload(Path(zip_path), f"{name}.zip", folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def import_bag(arch: Archive, bag: Path) -> dict:
    """Validate a girok bag entirely, then restore its documents with their registration numbers (all or none)."""
    from ..archive.bag import import_bag as _import

    result = _import(arch, bag)
    return {"bag": str(result.bag.path), "imported": result.imported, "already_present": result.present,
            "unknown_fields": sorted(result.bag.unknown)}


def restore(arch: Archive, paths: list[Path], *, progress: Callable[[int, int], None] | None = None):
    """Put back changed or missing stored files from copies of them: files, folders, bags (``girok restore``).

    Every file of ``paths`` is matched by its SHA-256 against the catalog's originals and archival copies;
    a match for a damaged stored file replaces it (verified, atomically) and is audited (``restore``).
    Holds the store lock as an ingest does, so that `doctor --fix` does not run meanwhile.
    Returns ``archive.repair.RestoreReport``; ``report.ok`` is False when a restore failed or a path given
    matched no stored file.
    """
    from ..archive.repair import restore as _restore
    from ..ingest.locks import StoreLock

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(_("no such file or folder: {missing}").format(missing=', '.join(missing)),
                         hint=_("Give a copy of a stored file, a folder of copies, or a bag from `girok export`."))
    lock = StoreLock(arch.root).acquire(exclusive=False)
    try:
        return _restore(arch, paths, progress=progress)
    finally:
        lock.release()
