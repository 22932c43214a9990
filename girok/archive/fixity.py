"""Fixity: re-hash stored files against the SHA-256 the catalog recorded for them.

Every catalogued file is looked for (``missing``) and its size compared
(``changed``); all of them, or a random sample of ``sample``, are re-hashed
(``changed``, ``unreadable``); every file in the store the catalog does not
reference is an ``orphan``. The result is written to the audit trail as a
``fixity`` event, whether or not problems were found.

The store is listed before the catalog is read, and each catalogued file is
looked up by itself, so an ingest running meanwhile adds no false "missing";
an orphan can be a file stored a moment before its record was committed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

from ..fsutil import sha256_file
from .layout import Archive

# At most this many paths per kind go into the audit event (the report itself has them all).
EVENT_LIST_LIMIT = 100


@dataclass
class Expected:
    relpath: str  # relative to the store root
    sha256: str
    size: int
    role: str  # "original" or "archival"
    reg_nos: list[str] = field(default_factory=list)


@dataclass
class Problem:
    kind: str  # missing | changed | unreadable | orphan
    path: str  # "store/<relpath>", as `show` prints it
    detail: str = ""
    reg_nos: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "path": self.path, "detail": self.detail, "ids": self.reg_nos}


@dataclass
class FixityReport:
    files: int = 0  # catalogued files
    hashed: int = 0  # of those, re-hashed
    bytes_hashed: int = 0
    sample: int | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def of_kind(self, kind: str) -> list[Problem]:
        return [p for p in self.problems if p.kind == kind]

    def summary(self) -> dict:
        counts = {k: len(self.of_kind(k)) for k in ("missing", "changed", "unreadable", "orphan")}
        return {"ok": self.ok, "files": self.files, "hashed": self.hashed, "bytes_hashed": self.bytes_hashed,
                "sample": self.sample, **counts}

    def as_dict(self) -> dict:
        return {**self.summary(), "problems": [p.as_dict() for p in self.problems]}


def expected_files(arch: Archive) -> dict[str, Expected]:
    """Every file the catalog references, with the SHA-256 and size it recorded."""
    return expected_in(arch.catalog)


def expected_in(catalog) -> dict[str, Expected]:  # noqa: ANN001
    """``expected_files`` of any catalog (a backup's copy too)."""
    files: dict[str, Expected] = {}
    originals: dict[int, Expected] = {}
    stored_originals, stored_archival = catalog.stored_files()
    for cap_id, rel, sha, size in stored_originals:
        files[rel] = originals[cap_id] = Expected(rel, sha, size, "original")
    for cap_id, reg, rel, sha, size in stored_archival:
        files.setdefault(rel, Expected(rel, sha, size, "archival")).reg_nos.append(reg)
        originals[cap_id].reg_nos.append(reg)
    return files


def check(arch: Archive, *, sample: int | None = None, rng: random.Random | None = None,
          progress: Callable[[int, int], None] | None = None, record: bool = True,
          note: dict | None = None) -> FixityReport:
    """Check the store against the catalog; ``progress(done, total)`` is called per re-hashed file.
    ``note`` goes into the audit event as well (e.g. which command ran the check)."""
    on_disk = {str(p.relative_to(arch.store.root)) for p in arch.store.iter_files()}
    files = expected_files(arch)
    report = FixityReport(files=len(files), sample=sample)
    present: list[Expected] = []
    for rel in sorted(files):
        exp = files[rel]
        try:
            size = arch.store.resolve(rel).stat().st_size
        except FileNotFoundError:
            report.problems.append(Problem("missing", "store/" + rel, f"{exp.role} copy, SHA-256 {exp.sha256}",
                                           exp.reg_nos))
            continue
        if size != exp.size:
            report.problems.append(Problem("changed", "store/" + rel,
                                           f"size {size} bytes, recorded {exp.size}", exp.reg_nos))
            continue
        present.append(exp)
    to_hash = present
    if sample is not None and sample < len(present):
        to_hash = sorted((rng or random.SystemRandom()).sample(present, sample), key=lambda e: e.relpath)
    for i, exp in enumerate(to_hash, start=1):
        _rehash(arch, exp, report)
        if progress:
            progress(i, len(to_hash))
    for rel in sorted(on_disk - files.keys()):
        report.problems.append(Problem("orphan", "store/" + rel, "not referenced by the catalog"))
    if record:
        _record(arch, report, note or {})
    return report


def _rehash(arch: Archive, exp: Expected, report: FixityReport) -> None:
    path = arch.store.resolve(exp.relpath)
    try:
        actual = sha256_file(path)
    except FileNotFoundError:
        report.problems.append(Problem("missing", "store/" + exp.relpath, "vanished while being checked",
                                       exp.reg_nos))
        return
    except OSError as exc:
        report.problems.append(Problem("unreadable", "store/" + exp.relpath, exc.strerror or str(exc),
                                       exp.reg_nos))
        return
    report.hashed += 1
    report.bytes_hashed += exp.size
    if actual != exp.sha256:
        report.problems.append(Problem("changed", "store/" + exp.relpath,
                                       f"SHA-256 {actual}, recorded {exp.sha256}", exp.reg_nos))


def _record(arch: Archive, report: FixityReport, note: dict) -> None:
    affected = sorted({r for p in report.problems for r in p.reg_nos})
    detail = {**report.summary(), **note}
    for kind in ("missing", "changed", "unreadable", "orphan"):
        paths = [p.path for p in report.of_kind(kind)]
        if paths:
            detail[f"{kind}_paths"] = paths[:EVENT_LIST_LIMIT]
    arch.catalog.add_event("fixity", reg_no=",".join(affected) or None, **detail)
