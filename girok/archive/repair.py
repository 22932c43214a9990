"""Repair: put back a changed or missing stored file from any copy of it (a bag, a backup, a single file).

A copy is recognised by its SHA-256 alone: it must equal what the catalog
recorded for an original or an archival copy, so nothing but the archived
bytes can ever enter the store this way, whatever the copy's name or folder.
Only catalogued files of documents still held are candidates (a disposed
document's files are not in the catalog, so they never come back).

Each given file is matched against the catalog (files of a size no stored
file has are not even hashed); for each stored file a copy matches, the
stored file is checked: ``intact`` ones are left, ``missing``, ``changed``
or ``unreadable`` ones are replaced through ``Store.restore`` (verified copy,
fsync, atomic rename) and each repair is an audit event ``restore`` with the
documents, the path (relative to the store), the SHA-256 and what was wrong
(with a changed file's SHA-256 at the time, as evidence; its bytes are not
kept, as a disposal must be able to destroy every copy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ..errors import StorageError
from ..fsutil import sha256_file
from .fixity import Expected, expected_files
from .layout import Archive

BAG_TAG_FILES = ("bagit.txt", "bag-info.txt", "fetch.txt")  # plus manifest-*.txt, tagmanifest-*.txt
BAG_METADATA = "metadata.json"


@dataclass
class Match:
    """A stored file that a given copy matched, and what became of it."""

    path: str  # "store/<relpath>"
    sha256: str
    source: str  # the copy it was matched with
    documents: list[str]
    outcome: str  # restored | intact | failed
    was: str = ""  # for restored and failed: missing | changed | unreadable
    detail: str = ""

    def as_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "copy": self.source, "ids": self.documents,
                "outcome": self.outcome, "was": self.was, "detail": self.detail}


@dataclass
class RestoreReport:
    matches: list[Match] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # given files that are no stored file of this archive
    refused: list[str] = field(default_factory=list)  # given paths (arguments) of which no file matched
    files: int = 0  # files looked at
    hashed: int = 0  # of those, hashed (the others have a size no stored file has)

    def of(self, outcome: str) -> list[Match]:
        return [m for m in self.matches if m.outcome == outcome]

    @property
    def ok(self) -> bool:
        """Every damaged stored file a copy was given for is restored, and every path given matched."""
        return not self.of("failed") and not self.refused

    def as_dict(self) -> dict:
        return {"ok": self.ok, "files": self.files, "hashed": self.hashed,
                "restored": [m.as_dict() for m in self.of("restored")],
                "intact": [m.as_dict() for m in self.of("intact")],
                "failed": [m.as_dict() for m in self.of("failed")],
                "unmatched": self.unmatched, "refused": self.refused}


def candidate_files(path: Path) -> Iterator[Path]:
    """The files of ``path``: itself, or every file under a folder; of a BagIt bag, the payload files
    without the tag files and girok's metadata.json (no stored file is one of them)."""
    if not path.is_dir():
        yield path
        return
    is_bag = (path / "bagit.txt").is_file()
    for p in sorted(path.rglob("*")):
        if not p.is_file():
            continue
        if is_bag and p.parent == path and (p.name in BAG_TAG_FILES or p.name.startswith(("manifest-", "tagmanifest-"))):
            continue
        if is_bag and p.name == BAG_METADATA and p.parent.parent == path / "data":
            continue
        yield p


def _state(arch: Archive, exp: Expected) -> tuple[str, str]:
    """(missing | changed | unreadable | intact, detail) of a stored file."""
    path = arch.store.resolve(exp.relpath)
    try:
        size = path.stat().st_size
        if size != exp.size:
            return "changed", f"size {size} bytes, recorded {exp.size}"
        actual = sha256_file(path)
    except FileNotFoundError:
        return "missing", ""
    except OSError as exc:
        return "unreadable", exc.strerror or str(exc)
    if actual != exp.sha256:
        return "changed", f"SHA-256 {actual}"
    return "intact", ""


def restore(arch: Archive, paths: list[Path], *, progress: Callable[[int, int], None] | None = None) -> RestoreReport:
    """Match every file of ``paths`` against the catalog and restore the damaged stored files they match.

    The caller holds the store lock (shared, as an ingest does: restore writes no file an ingest or
    ``doctor --fix`` could be writing or removing at the same time)."""
    report = RestoreReport()
    by_sha: dict[str, list[Expected]] = {}
    for exp in expected_files(arch).values():
        by_sha.setdefault(exp.sha256, []).append(exp)
    sizes = {e.size for group in by_sha.values() for e in group}
    seen: dict[str, Match] = {}  # relpath -> the first copy that matched it
    todo = [(arg, f) for arg in paths for f in candidate_files(arg)]
    matched_args: set[Path] = set()
    for i, (arg, src) in enumerate(todo, start=1):
        report.files += 1
        try:
            sha = sha256_file(src) if src.stat().st_size in sizes else None
        except OSError as exc:
            report.unmatched.append(f"{src} (unreadable: {exc.strerror or exc})")
            continue
        finally:
            if progress:
                progress(i, len(todo))
        report.hashed += sha is not None
        if sha is None or sha not in by_sha:
            report.unmatched.append(str(src))
            continue
        matched_args.add(arg)
        for exp in by_sha[sha]:
            if exp.relpath not in seen:
                seen[exp.relpath] = _repair(arch, exp, src)
                report.matches.append(seen[exp.relpath])
            elif seen[exp.relpath].outcome == "failed":  # another copy may do
                retry = _repair(arch, exp, src)
                if retry.outcome != "failed":
                    report.matches[report.matches.index(seen[exp.relpath])] = seen[exp.relpath] = retry
    report.refused = [str(a) for a in paths if a not in matched_args]
    return report


def _repair(arch: Archive, exp: Expected, src: Path) -> Match:
    state, detail = _state(arch, exp)
    match = Match("store/" + exp.relpath, exp.sha256, str(src), list(exp.reg_nos), "intact")
    if state == "intact":
        return match
    match.was, match.detail = state, detail
    try:
        arch.store.restore(exp.relpath, src, exp.sha256)
    except (StorageError, ValueError) as exc:
        match.outcome, match.detail = "failed", str(exc)
        return match
    match.outcome = "restored"
    damaged = {"damaged_sha256": detail.removeprefix("SHA-256 ")} if detail.startswith("SHA-256 ") else {}
    arch.catalog.add_event("restore", reg_no=",".join(exp.reg_nos) or None, path=exp.relpath, sha256=exp.sha256,
                           role=exp.role, was=state, source=str(src), **damaged,
                           **({"detail": detail} if detail and not damaged else {}))
    return match
