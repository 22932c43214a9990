"""Quarantined files (ARCHIVE/quarantine/): what is there and why, trying one again, or dismissing one.

A file is named by its name in the quarantine folder, which is checked against the folder's listing: never a
path. Retrying and dismissing need a reason and are audited (``quarantine-retry``, ``quarantine-dismiss``).
Retrying runs the file through the pipeline again with its profile: archived, it leaves quarantine; refused
again, it is quarantined again with the new reason (the old note goes). Dismissing deletes the file and its
note (its SHA-256 stays in the audit trail): for a scan that is not to be archived (blank, wrong paper, a
duplicate made by mistake).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..archive.layout import Archive
from ..errors import NotFound, UsageError
from ..i18n import _
from ..text.pii import mask_rrn
from ..text.times import zone
from ..fsutil import sha256_file
from ..ingest.quarantine import NOTE_SUFFIXES


@dataclass
class Quarantined:
    name: str  # the file's name in the quarantine folder
    file: str  # its name when it arrived (RRNs masked)
    quarantined_at: str | None  # in the archive's zone with its offset (README "JSON output")
    stage: str
    reason: str
    advice: str
    profile: str
    hot_folder: str | None
    size: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _entries(arch: Archive) -> dict[str, Path]:
    q = arch.quarantine_dir
    if not q.is_dir():
        return {}
    return {p.name: p for p in sorted(q.iterdir()) if p.is_file() and not p.name.endswith(NOTE_SUFFIXES)}


def _note(path: Path) -> dict:
    try:
        return json.loads((path.parent / (path.name + ".reason.json")).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _when(value, tz) -> str | None:
    """The note's ``when`` (this machine's local time, without an offset, as ingest writes it) in ``tz``."""
    try:
        return datetime.fromisoformat(str(value)).astimezone(tz).isoformat(timespec="seconds")
    except (TypeError, ValueError):
        return None


def _item(path: Path, tz=None) -> Quarantined:
    n = _note(path)
    return Quarantined(name=mask_rrn(path.name), file=mask_rrn(str(n.get("file", path.name))),
                       quarantined_at=_when(n.get("when"), tz or zone()), stage=str(n.get("stage", "")),
                       reason=mask_rrn(str(n.get("reason", ""))), advice=mask_rrn(str(n.get("advice", ""))),
                       profile=str(n.get("profile") or "default"), hot_folder=n.get("hot_folder"),
                       size=path.stat().st_size)


def list_quarantined(arch: Archive) -> list[Quarantined]:
    """Every quarantined file with its reason, oldest first."""
    return [_item(p, arch.tz) for p in _entries(arch).values()]


def _find(arch: Archive, name: str) -> Path:
    entries = _entries(arch)
    path = entries.get(name)
    if path is None:  # also a masked name as listed (an RRN in a file name is shown masked)
        path = next((p for n, p in entries.items() if mask_rrn(n) == name), None)
    if path is None:
        raise NotFound(_("no quarantined file {name!r}").format(name=name[:80]),
                       hint=_("See them with `girok quarantine list`."))
    return path


def _drop_notes(path: Path) -> None:
    for suffix in NOTE_SUFFIXES:
        (path.parent / (path.name + suffix)).unlink(missing_ok=True)


def _need_reason(reason: str) -> str:
    if not reason.strip():
        raise UsageError(_("give a reason"), hint=_('e.g. --reason "다시 스캔한 원본"'))
    return reason.strip()


def retry(arch: Archive, name: str, *, reason: str) -> dict:
    """Run a quarantined file through the pipeline again (its profile); audited. Returns ``{"name", "status",
    "ids", "reason"}``: status archived, duplicate or quarantined (then ``reason`` says why, again); ``ids`` the
    registration numbers of its documents."""
    from .ingest import ingest

    why = _need_reason(reason)
    path = _find(arch, name)
    item = _item(path, arch.tz)
    profile = item.profile if item.profile in arch.config.profiles else "default"
    sha = sha256_file(path)
    outcomes = []
    ingest(arch, [path], profile=profile, move=True, on_outcome=outcomes.append)
    if not path.exists():
        _drop_notes(path)
    statuses = [o.status for o in outcomes]
    status = "quarantined" if "quarantined" in statuses or "skipped" in statuses else (
        "duplicate" if statuses and all(s == "duplicate" for s in statuses) else "archived")
    ids = [o.id for o in outcomes if o.id and o.status in ("archived", "duplicate")]
    again = next((mask_rrn(str(getattr(o, "reason", "") or "")) for o in outcomes if o.status != "archived"
                  and o.status != "duplicate"), "")
    arch.catalog.add_event("quarantine-retry", reg_no=",".join(ids) or None, file=item.name, sha256=sha,
                           reason=why, outcome=status, **({"again": again} if again else {}))
    return {"name": item.name, "status": status, "ids": ids, "reason": again}


def dismiss(arch: Archive, name: str, *, reason: str) -> dict:
    """Delete a quarantined file and its note for good (it is not to be archived); audited with its SHA-256."""
    why = _need_reason(reason)
    path = _find(arch, name)
    item = _item(path, arch.tz)
    sha = sha256_file(path)
    arch.catalog.add_event("quarantine-dismiss", reg_no=None, file=item.name, sha256=sha, size=item.size,
                           stage=item.stage, reason=why)
    path.unlink()
    _drop_notes(path)
    return {"name": item.name, "sha256": sha, "status": "dismissed"}
