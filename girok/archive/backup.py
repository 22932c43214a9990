"""Backups: a second, verified copy of the whole archive elsewhere, kept up to date incrementally.

A backup folder (TARGET, on another disk or a mounted share) holds::

    girok-backup.json      the manifest: what the copy holds (every file's SHA-256 and size), the
                           catalog copy's hash, the audit chain's head, when it was made
    catalog.sqlite         the catalog, copied with SQLite's online backup (a snapshot of one
                           moment, taken while ingestion goes on)
    store/...              the content-addressed store, file for file (same relative paths)
    girok.toml profiles/ rrn.key disposal/ reports/     configuration, the RRN key, certificates

``backup`` takes the catalog snapshot first and copies exactly the stored files that snapshot
references: files archived later belong to the next run, so the copy is always consistent. A
file already in the copy (listed in the last manifest with the same size) is not copied again;
a file the last manifest does not list (left by a killed run) is hashed before it is trusted.
Every copy is hashed as it is written and takes its name only when it matches (temp file,
fsync, rename), so a partial file never counts. The manifest is written last: until then the
previous manifest and catalog copy stand. Files of the copy that the snapshot no longer
references (destroyed records) are deleted from the copy, and each disposal certificate gets a
note of which copy was updated, and when: destruction reaches the copies.

``verify`` checks a copy alone (no archive needed): every file against the manifest, the catalog
copy's files against the manifest, the catalog copy's audit chain. ``restore_archive`` builds a
working archive from a verified copy. Repair of single files is ``girok restore TARGET`` (any copy
whose SHA-256 the catalog recorded: see ``repair``).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable, Iterator

from ..catalog.repository import Catalog
from ..errors import ArchiveLocked, BackupFailed, StorageError, UsageError
from ..fsutil import FAULT_ENV, HashMismatch, atomic_copy, fault_point, fsync_dir, sha256_file
from ..i18n import _
from ..text.times import local_iso
from .fixity import expected_in
from .layout import CONFIG_NAME, RRN_KEY_NAME, Archive

log = logging.getLogger(__name__)

MANIFEST = "girok-backup.json"
FORMAT = 1
CATALOG = "catalog.sqlite"
LOCK = ".girok-backup.lock"
# Besides the store and the catalog: configuration, the RRN key, certificates and reports.
EXTRA_FILES = (CONFIG_NAME, RRN_KEY_NAME)
EXTRA_DIRS = ("profiles", "disposal", "reports")
COPIES_NOTE = "copies.txt"  # in disposal/: which backup removed which certificate's files, and when


@dataclass
class BackupReport:
    target: str
    files: int = 0  # stored files the copy holds now
    copied: int = 0  # of those, copied in this run
    copied_bytes: int = 0
    already: int = 0  # already in the copy
    removed: list[str] = field(default_factory=list)  # store/<rel> deleted from the copy
    destroyed: dict[str, list[str]] = field(default_factory=dict)  # certificate -> reg_nos whose files went
    catalog_bytes: int = 0
    problems: list[str] = field(default_factory=list)  # archive files that could not be copied
    audit_events: int = 0
    audit_head: str = ""
    at: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "target": self.target, "files": self.files, "copied": self.copied,
                "copied_bytes": self.copied_bytes, "already": self.already, "removed": self.removed,
                "destroyed": [{"certificate": c, "ids": sorted(r)} for c, r in sorted(self.destroyed.items())],
                "catalog_bytes": self.catalog_bytes, "problems": self.problems,
                "audit_events": self.audit_events, "audit_head": self.audit_head, "at": self.at}


@dataclass
class VerifyReport:
    target: str
    files: int = 0
    hashed: int = 0
    bytes_hashed: int = 0
    problems: list[dict] = field(default_factory=list)  # {"kind", "path", "detail"}
    made_at: str = ""  # when the verified backup was made
    audit_events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, path: str, detail: str) -> None:
        self.problems.append({"kind": kind, "path": path, "detail": detail})

    def as_dict(self) -> dict:
        return {"ok": self.ok, "target": self.target, "files": self.files, "hashed": self.hashed,
                "bytes_hashed": self.bytes_hashed, "made_at": self.made_at, "audit_events": self.audit_events,
                "problems": self.problems}


def read_manifest(target: Path) -> dict | None:
    try:
        data = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UsageError(_("{path} cannot be read ({why})").format(path=target / MANIFEST, why=exc),
                         hint=_("The backup's manifest is damaged: make a new backup into an empty folder.")) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(_("{path} is not a girok backup manifest this girok can read").format(path=target / MANIFEST))
    return data


def _write_json(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextmanager
def _target_lock(target: Path) -> Iterator[None]:
    with open(target / LOCK, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ArchiveLocked(_("another `girok backup` is writing to {target}").format(target=target),
                                hint=_("Wait for it to finish, then run this again.")) from None
        yield


def _check_target(arch: Archive, target: Path) -> None:
    root = arch.root.resolve()
    t = target.resolve()
    if t == root or root in t.parents or t in root.parents:
        raise UsageError(_("the backup folder {target} is inside the archive (or holds it)").format(target=target),
                         hint=_("Back up to another disk or a mounted share, outside the archive folder."))


def _clean_temp(target: Path) -> int:
    n = 0
    for p in list(target.rglob(".tmp-*")):
        try:
            p.unlink()
            n += 1
        except OSError:
            pass
    return n


def _copy_verified(src: Path, dest: Path, sha256: str | None) -> str:
    """Copy ``src`` to ``dest`` through a temp file that takes the name only once complete (and, with
    ``sha256``, only when it matches); the SHA-256 written."""
    if sha256 is None:
        sha256 = sha256_file(src)
    if "backup-mid-copy" in os.environ.get(FAULT_ENV, ""):  # test hook: die halfway through writing a copy
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest.parent / f".tmp-killed{dest.suffix}", "wb") as fh:
            fh.write(src.read_bytes()[: max(1, src.stat().st_size // 2)])
        fault_point("backup-mid-copy")
    atomic_copy(src, dest, expect_sha256=sha256, replace=True)
    fault_point("backup-after-copy")
    return sha256


def backup(arch: Archive, target: Path, *, progress: Callable[[int, int], None] | None = None) -> BackupReport:
    """Bring the copy in ``target`` up to date with the archive (see the module text)."""
    _check_target(arch, target)
    if arch.catalog.path is None:
        raise UsageError(_("`girok backup` copies a SQLite catalog; this archive's catalog is a server database"),
                         hint=_("Back the database up with its own tools (pg_dump) and the store with this command "
                                "once it supports it."))
    target.mkdir(parents=True, exist_ok=True)
    report = BackupReport(target=str(target.resolve()))
    with _target_lock(target):
        _clean_temp(target)
        old = read_manifest(target)
        if old is not None and old.get("archive", {}).get("prefix") not in (None, arch.config.id_prefix):
            raise UsageError(_("{target} holds a backup of another archive ({name})").format(
                target=target, name=old["archive"].get("name")), hint=_("Give each archive its own backup folder."))
        old_files: dict[str, dict] = (old or {}).get("files", {})

        # 1. the catalog snapshot, aside until the files it references are in the copy
        snap = target / f".tmp-{CATALOG}"
        snap.unlink(missing_ok=True)
        arch.catalog.backup_to(snap)
        copy_cat = Catalog(snap, migrate=False)
        try:
            expected = expected_in(copy_cat)
            events, head = copy_cat.audit_head()
        finally:
            copy_cat.close()
        report.audit_events, report.audit_head = events, head

        # 2. the stored files it references
        files: dict[str, dict] = {}
        todo = sorted(expected)
        for i, rel in enumerate(todo, start=1):
            exp = expected[rel]
            key = "store/" + rel
            dest = target / "store" / rel
            have = old_files.get(key)
            try:
                size = dest.stat().st_size
            except FileNotFoundError:
                size = None
            if size == exp.size and have and have.get("sha256") == exp.sha256 and have.get("size") == exp.size:
                report.already += 1
                files[key] = have
            elif size == exp.size and sha256_file(dest) == exp.sha256:  # left by a killed run: hashed first
                report.already += 1
                files[key] = {"sha256": exp.sha256, "size": exp.size}
            else:
                src = arch.store.resolve(rel)
                try:
                    _copy_verified(src, dest, exp.sha256)
                except FileNotFoundError:
                    report.problems.append(f"{key} is missing in the archive: not copied (run `girok fixity check`)")
                    if have:
                        files[key] = have  # the copy's good file stays: it can repair the archive
                    continue
                except HashMismatch:
                    report.problems.append(f"{key} is changed in the archive (SHA-256 differs from the catalog): "
                                           "not copied (run `girok fixity check`, then `girok restore`)")
                    if have:
                        files[key] = have
                    continue
                except OSError as exc:
                    raise StorageError(_("could not write {path}: {why}").format(path=dest, why=exc.strerror or exc),
                                       hint=_("Check that the backup disk is mounted, writable and not full.")) from exc
                report.copied += 1
                report.copied_bytes += exp.size
                files[key] = {"sha256": exp.sha256, "size": exp.size}
            if progress:
                progress(i, len(todo))
        report.files = len(files)

        # 3. configuration, key, certificates, reports (small: compared by hash each time)
        for rel, src in _extras(arch.root):
            key = str(rel)
            sha = sha256_file(src)
            if (target / rel).exists() and old_files.get(key, {}).get("sha256") == sha:
                files[key] = old_files[key]
                continue
            _copy_verified(src, target / rel, sha)
            files[key] = {"sha256": sha, "size": src.stat().st_size}

        # 4. the catalog copy takes its name, then the manifest says what the copy holds
        fault_point("backup-before-catalog")
        cat_sha = sha256_file(snap)
        report.catalog_bytes = snap.stat().st_size
        os.replace(snap, target / CATALOG)
        fsync_dir(target)
        report.at = local_iso(datetime.now(UTC).replace(tzinfo=None), arch.tz)
        manifest = {
            "format": FORMAT,
            "archive": {"name": arch.config.name, "prefix": arch.config.id_prefix, "root": str(arch.root)},
            "made_at": report.at, "complete": report.ok,
            "catalog": {"file": CATALOG, "sha256": cat_sha, "size": report.catalog_bytes,
                        "audit_events": events, "audit_head": head},
            "files": files,
        }
        _write_json(target / MANIFEST, manifest)

        # 5. what the archive no longer holds leaves the copy (destroyed records)
        stale = sorted(set(_store_files(target)) - {k for k in files if k.startswith("store/")})
        for key in stale:
            path = target / key
            sha = path.name.split(".")[0]
            for rec in arch.catalog.destroyed_by_sha(sha):
                regs = report.destroyed.setdefault(rec.certificate, [])
                if rec.reg_no not in regs:
                    regs.append(rec.reg_no)
            path.unlink(missing_ok=True)
            report.removed.append(key)
        if stale:
            fsync_dir(target / "store")
    _note_certificates(arch, report)
    arch.catalog.add_event("backup", target=report.target, files=report.files, copied=report.copied,
                           copied_bytes=report.copied_bytes, removed=len(report.removed),
                           destroyed=report.destroyed, problems=report.problems[:20], ok=report.ok,
                           audit_head=head)
    log.info("backup to %s: %d files, %d copied (%d bytes), %d removed", report.target, report.files,
             report.copied, report.copied_bytes, len(report.removed))
    return report


def _extras(root: Path) -> Iterator[tuple[Path, Path]]:
    for name in EXTRA_FILES:
        if (root / name).is_file():
            yield Path(name), root / name
    for d in EXTRA_DIRS:
        base = root / d
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file() and not p.name.startswith(".tmp-"):
                    yield p.relative_to(root), p


def _store_files(target: Path) -> Iterator[str]:
    base = target / "store"
    if base.is_dir():
        for p in base.rglob("*"):
            if p.is_file() and not p.name.startswith(".tmp-"):
                yield str(p.relative_to(target))


def _note_certificates(arch: Archive, report: BackupReport) -> None:
    """Each disposal whose files this run removed from a copy gets a line in disposal/copies.txt."""
    if not report.destroyed:
        return
    folder = arch.root / "disposal"
    folder.mkdir(exist_ok=True)
    at = report.at
    with open(folder / COPIES_NOTE, "a", encoding="utf-8") as fh:
        for cert, regs in sorted(report.destroyed.items()):
            fh.write(f"{at}\tcertificate {cert}\tbackup copy {report.target} updated: the files of "
                     f"{', '.join(sorted(regs))} removed\n")
        fh.flush()
        os.fsync(fh.fileno())


def verify(target: Path, *, progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    """Check a backup alone: every file against its manifest, the catalog copy against both, its audit chain."""
    report = VerifyReport(target=str(target.resolve()))
    manifest = read_manifest(target)
    if manifest is None:
        raise UsageError(_("{target} holds no girok backup (no {manifest})").format(target=target, manifest=MANIFEST),
                         hint=_("Give the folder you passed to `girok backup`."))
    report.made_at = manifest.get("made_at", "")
    files: dict[str, dict] = manifest.get("files", {})
    cat = manifest.get("catalog", {})
    report.files = len(files)
    if not manifest.get("complete", False):
        report.add("incomplete", MANIFEST, "the last backup run could not copy every file; run `girok backup` again")

    # the catalog copy: its hash, then (on a scratch copy: opening a database may touch it) its content
    cat_path = target / CATALOG
    try:
        actual = sha256_file(cat_path)
    except FileNotFoundError:
        report.add("missing", CATALOG, "the catalog copy is missing")
        actual = None
    if actual is not None and actual != cat.get("sha256"):
        report.add("changed", CATALOG, f"SHA-256 {actual}, manifest {cat.get('sha256')}")
    elif actual is not None:
        with tempfile.TemporaryDirectory(prefix="girok-verify-") as tmp:
            scratch = Path(tmp) / CATALOG
            shutil.copyfile(cat_path, scratch)
            c = Catalog(scratch, migrate=False)
            try:
                expected = expected_in(c)
                verdict = c.verify_audit()
                events, head = c.audit_head()
            finally:
                c.close()
        report.audit_events = events
        if not verdict.ok:
            report.add("audit", CATALOG, f"the audit trail of the catalog copy does not verify at event "
                                         f"{verdict.first_bad_id}: {verdict.problem}")
        elif head != cat.get("audit_head"):
            report.add("audit", CATALOG, "the audit chain's head differs from the manifest's")
        for rel, exp in expected.items():
            have = files.get("store/" + rel)
            if have is None or have.get("sha256") != exp.sha256:
                report.add("missing", "store/" + rel, "the catalog copy references it; the backup does not hold it")

    # every file the manifest lists
    keys = sorted(files)
    for i, key in enumerate(keys, start=1):
        want = files[key]
        path = target / key
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            report.add("missing", key, f"SHA-256 {want.get('sha256')}")
            continue
        if size != want.get("size"):
            report.add("changed", key, f"size {size} bytes, manifest {want.get('size')}")
            continue
        try:
            sha = sha256_file(path)
        except OSError as exc:
            report.add("unreadable", key, exc.strerror or str(exc))
            continue
        report.hashed += 1
        report.bytes_hashed += size
        if sha != want.get("sha256"):
            report.add("changed", key, f"SHA-256 {sha}, manifest {want.get('sha256')}")
        if progress:
            progress(i, len(keys))
    for key in sorted(set(_store_files(target)) - set(files)):
        report.add("orphan", key, "in the backup's store, not in its manifest")
    return report


def restore_archive(target: Path, new_root: Path, *, progress: Callable[[int, int], None] | None = None) -> Path:
    """Make a working archive in ``new_root`` from the verified backup in ``target``; the folder."""
    new_root = new_root.resolve()
    if new_root.exists() and any(new_root.iterdir()):
        raise UsageError(_("{path} exists and is not empty").format(path=new_root),
                         hint=_("Restore into a new or empty folder; the damaged archive stays as it is."))
    rep = verify(target, progress=progress)
    if not rep.ok:
        first = rep.problems[0]
        raise BackupFailed(_("the backup in {target} does not verify ({n} problem(s); first: {kind} {path})").format(
            target=target, n=len(rep.problems), kind=first["kind"], path=first["path"]),
            hint=_("Run `girok backup verify {target}` for the list; restore from another copy.").format(target=target))
    manifest = read_manifest(target) or {}
    new_root.mkdir(parents=True, exist_ok=True)
    for key, want in manifest.get("files", {}).items():
        _copy_verified(target / key, new_root / key, want["sha256"])
    _copy_verified(target / CATALOG, new_root / CATALOG, manifest["catalog"]["sha256"])
    for sub in ("store", "work", "quarantine", "logs", "hot"):
        (new_root / sub).mkdir(parents=True, exist_ok=True)
    return new_root
