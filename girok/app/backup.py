"""Copies that survive a lost disk: backup, verification of a copy, a whole archive rebuilt from one.

Repair of single files from a backup is ``app.records.restore`` (``girok restore TARGET``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Callable

from ..archive.layout import Archive
from ..catalog import repository
from ..i18n import _


def backup(arch: Archive, target: Path, *, progress: Callable[[int, int], None] | None = None):
    """Bring the copy in ``target`` up to date (``archive.backup.BackupReport``; audited as ``backup``)."""
    from ..archive.backup import backup as _backup

    return _backup(arch, target, progress=progress)


def verify(target: Path, *, arch: Archive | None = None, progress: Callable[[int, int], None] | None = None):
    """Check the copy in ``target`` alone (``archive.backup.VerifyReport``); with ``arch``, the result is
    audited there as ``backup-verify`` (what `girok status` reports as the last verified backup)."""
    from ..archive.backup import verify as _verify

    report = _verify(target, progress=progress)
    if arch is not None:
        arch.catalog.add_event("backup-verify", target=report.target, ok=report.ok, files=report.files,
                               hashed=report.hashed, made_at=report.made_at,
                               problems=[f"{p['kind']} {p['path']}" for p in report.problems[:20]])
    return report


def restore_archive(target: Path, new_root: Path, *, progress: Callable[[int, int], None] | None = None) -> dict:
    """A working archive in ``new_root`` from the verified copy in ``target``: files, catalog (migrated if an
    older girok made it), a fresh search index; audited as ``restore-archive`` in the new archive."""
    from ..archive.backup import read_manifest, restore_archive as _restore
    from ..archive.indexing import rebuild_index
    from .admin import open_archive

    root = _restore(target, new_root, progress=progress)
    arch = open_archive(root)
    try:
        n = rebuild_index(arch)
        manifest = read_manifest(target) or {}
        arch.catalog.add_event("restore-archive", source=str(Path(target).resolve()),
                               made_at=manifest.get("made_at"), from_archive=manifest.get("archive", {}).get("root"),
                               indexed=n)
        return {"archive": str(root), "indexed": n, "backup_made_at": manifest.get("made_at")}
    finally:
        arch.close()


def backup_state(arch: Archive) -> dict:
    """The last backup and the last verified one, as `girok status` shows them, with a warning when the last
    verified copy is older than ``[backup] max_age_days`` (or there is none)."""
    from ..text.times import local_iso

    max_days = arch.config.backup_max_age_days
    out: dict = {"max_age_days": max_days, "last_backup": None, "last_verified": None, "warning": None}
    events = {key: arch.catalog.last_event(action) for key, action in
              (("last_backup", "backup"), ("last_verified", "backup-verify"))}
    for key, ev in events.items():
        if ev is not None:
            d = _detail(ev)
            out[key] = {"at": local_iso(ev.at, arch.tz), "target": d.get("target"), "ok": d.get("ok", True)}
    checked = events["last_verified"]
    if checked is None:
        out["warning"] = _("no verified backup: run `girok backup TARGET` and `girok backup verify TARGET`")
    elif not out["last_verified"]["ok"]:
        out["warning"] = _("the last backup verification failed: see `girok backup verify TARGET`")
    elif (age := repository.now() - checked.at) > timedelta(days=max_days):  # naive UTC, as events are stored
        out["warning"] = _("the last verified backup is {days} days old (limit {limit}): run `girok backup verify`"
                           ).format(days=age.days, limit=max_days)
    return out


def _detail(ev) -> dict:  # noqa: ANN001
    import json

    try:
        return json.loads(ev.detail or "{}")
    except ValueError:
        return {}
