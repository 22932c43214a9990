"""Content-addressed file store: every file kept under its SHA-256.

``store/originals/ab/<sha256><ext>`` holds the bytes the clerk scanned,
``store/archival/ab/<sha256>.pdf`` the PDF/A preservation copy. Writes go
through a temp file, fsync and a hard link, so a file under its final name
is always complete; an existing file is never overwritten (same name means
same content), except by ``restore``, which puts back a verified copy of a
damaged file. After writing, the file is re-read and its hash checked.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

from ..errors import StorageError
from ..fsutil import HashMismatch, atomic_copy, fault_point, sha256_file
from ..i18n import _

KINDS = ("originals", "archival")


@dataclass(frozen=True)
class Stored:
    kind: str
    sha256: str
    relpath: str  # relative to the store root
    size: int


class Store:
    def __init__(self, root: Path):
        self.root = root

    def path_for(self, kind: str, sha256: str, ext: str) -> Path:
        if kind not in KINDS:
            raise ValueError(kind)
        ext = ext.lower() if ext.startswith(".") and len(ext) <= 6 and ext[1:].isalnum() else ""
        return self.root / kind / sha256[:2] / f"{sha256}{ext}"

    def put(self, kind: str, src: Path, sha256: str, ext: str) -> Stored:
        dest = self.path_for(kind, sha256, ext)
        try:
            if not dest.exists():
                fault_point("enospc-store")
                try:
                    atomic_copy(src, dest, expect_sha256=sha256)
                except FileExistsError:
                    pass  # a concurrent writer stored the same content
            actual = sha256_file(dest)  # read back what is on disk now
        except HashMismatch as exc:
            raise StorageError(_("could not store {name}: its content changed while being stored ({exc})").format(
                                   name=src.name, exc=exc)) from exc
        except OSError as exc:
            what = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror
            raise StorageError(_("could not store {name} in {parent}: {what}").format(
                                   name=src.name, parent=dest.parent, what=what)) from exc
        if actual != sha256:
            raise StorageError(
                _("stored file {dest} has SHA-256 {actual}..., expected {expected}...: the store is damaged or the disk "
                  "is failing").format(dest=dest, actual=actual[:12], expected=sha256[:12]),
            )
        if kind == "archival":
            fault_point("after-store")
        return Stored(kind, sha256, str(dest.relative_to(self.root)), dest.stat().st_size)

    def restore(self, relpath: str, src: Path, sha256: str) -> Stored:
        """Put a copy of a catalogued file back under its name, replacing a changed file: a repair
        (`girok restore`), the only write that replaces a stored file. The copy is hashed before it takes
        the name (atomically, fsync'd) and read back after, so the name holds ``sha256``'s bytes or what it
        held before, never a mix."""
        kind, *rest = Path(relpath).parts
        if kind not in KINDS or not rest or ".." in rest:
            raise ValueError(f"{relpath!r} is not a path in the store")
        dest = self.resolve(relpath)
        try:
            atomic_copy(src, dest, expect_sha256=sha256, replace=True)
            actual = sha256_file(dest)
        except HashMismatch as exc:
            raise StorageError(_("could not restore {relpath} from {src}: the copy is not the stored file ({exc})").format(
                                   relpath=relpath, src=src, exc=exc)) from exc
        except OSError as exc:
            what = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror
            raise StorageError(_("could not restore {relpath} from {src}: {what}").format(
                                   relpath=relpath, src=src, what=what)) from exc
        if actual != sha256:
            raise StorageError(_("restored file {dest} reads back with SHA-256 {actual}..., expected {expected}...: the "
                                 "disk is failing").format(dest=dest, actual=actual[:12], expected=sha256[:12]))
        return Stored(kind, sha256, relpath, dest.stat().st_size)

    def resolve(self, relpath: str) -> Path:
        return self.root / relpath

    def temp_files(self):
        """Temporary files of copies that never got their final name (the writer was killed mid-copy)."""
        for kind in KINDS:
            base = self.root / kind
            if base.exists():
                yield from base.rglob(".tmp-*")

    def iter_files(self):
        for kind in KINDS:
            base = self.root / kind
            if base.exists():
                for p in base.rglob("*"):
                    if p.is_file() and not p.name.startswith(".tmp-"):
                        yield p
