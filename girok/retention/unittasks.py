"""The office's 기록관리기준표 (records management schedule): each unit task (단위과제) with its retention period
(보존기간) and the reason for it (책정 사유), loaded from a CSV file and kept in the catalog in versions (who
loaded which file, when, why), and applied to record files and their items.

The CSV has a heading row, Korean or English, in any column order:

    단위과제코드, 단위과제명, 보존기간, 보존기간 책정사유
    00890120, 전입신고, 5년, 주민등록법 시행령 ...

(``code``/``unit_task``, ``name``, ``retention``/``class``, ``reason`` in English), UTF-8 (with or without a
byte-order mark) or CP949 as Korean Excel saves it. A version that is the same file as the current one is not
loaded again.

``apply`` sets every record file's class from its unit task in the current version and re-classifies the items
whose class differs (one audited event per change, ``--dry-run`` to see them first), so that a schedule loaded
after documents were archived never leaves them as they were without a word.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..catalog import repository as catalog
from ..errors import UsageError
from ..i18n import _
from ..text.periods import CLASSES, parse_class
from ..text.times import local_iso
from .recordsconf import UNIT_TASK
from .schedule import Change, apply_change, classify_unclassified, due_date, reindex_changed

log = logging.getLogger(__name__)

HEADINGS = {
    "code": ("단위과제코드", "단위과제 코드", "단위과제식별번호", "단위과제", "code", "unit_task", "unit task"),
    "name": ("단위과제명", "단위과제 명", "과제명", "name"),
    "retention": ("보존기간", "retention", "class", "retention period"),
    "reason": ("보존기간 책정사유", "보존기간책정사유", "책정사유", "책정 사유", "사유", "reason"),
}
SHOWN = 5


@dataclass
class Task:
    code: str
    name: str
    retention_class: str
    reason: str

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "class": self.retention_class, "reason": self.reason}


def _decode(path: Path) -> tuple[str, bytes]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(_("{path}: cannot read ({strerror})").format(path=path, strerror=exc.strerror)) from None
    for enc in ("utf-8-sig", "cp949"):
        try:
            return data.decode(enc), data
        except UnicodeDecodeError:
            continue
    raise UsageError(_("{name}: neither UTF-8 nor CP949 text").format(name=path.name))


def _column(heading: str) -> str | None:
    h = " ".join(heading.replace("\ufeff", "").split()).lower()
    for col, names in HEADINGS.items():
        if h in names or h.replace(" ", "") in {n.replace(" ", "") for n in names}:
            return col
    return None


def read_tasks(path: Path) -> tuple[list[Task], str]:
    """The unit tasks of a 기록관리기준표 CSV, checked (all problems at once), and the file's SHA-256."""
    text, data = _decode(path)
    rows = list(csv.reader(io.StringIO(text)))
    while rows and not any(c.strip() for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise UsageError(_("{name}: empty file").format(name=path.name))
    cols = [_column(h) for h in rows[0]]
    missing = [c for c in ("code", "retention") if c not in cols]
    if missing:
        raise UsageError(_("{name}: no column for {column} (the heading row needs 단위과제코드 and 보존기간; "
                           "단위과제명 and 보존기간 책정사유 are read too)").format(name=path.name, column=missing[0]))
    problems: list[str] = []
    tasks: dict[str, Task] = {}
    for n, raw in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        rec = {col: (raw[i].strip() if i < len(raw) else "") for i, col in enumerate(cols) if col}
        code, cls = rec.get("code", ""), parse_class(rec.get("retention", ""))
        where = _("line {n}").format(n=n)
        if not UNIT_TASK.fullmatch(code):
            problems.append(_("{where}: unit task code {code!r} is not 8 letters or digits").format(where=where, code=code))
        elif code in tasks:
            problems.append(_("{where}: unit task {code} is listed twice").format(where=where, code=code))
        if cls is None:
            problems.append(_("{where}: retention period {value!r} is not one of {classes}").format(
                                where=where, value=rec.get("retention", ""), classes=", ".join(CLASSES)))
        if UNIT_TASK.fullmatch(code) and code not in tasks and cls is not None:
            tasks[code] = Task(code, rec.get("name", ""), cls, rec.get("reason", ""))
    if problems:
        more = "\n  " + _("... and {n} more").format(n=len(problems) - SHOWN) if len(problems) > SHOWN else ""
        raise UsageError(_("{name}: nothing was loaded:").format(name=path.name) + "\n  "
                         + "\n  ".join(problems[:SHOWN]) + more)
    if not tasks:
        raise UsageError(_("{name}: no unit tasks in it").format(name=path.name))
    return list(tasks.values()), hashlib.sha256(data).hexdigest()


@dataclass
class Version:
    id: int
    loaded_at: object
    loaded_by: str
    source: str
    sha256: str
    reason: str
    tasks: list[Task] = field(default_factory=list)

    def as_dict(self, tz=None) -> dict:
        return {"version": self.id, "loaded_at": local_iso(self.loaded_at, tz), "loaded_by": self.loaded_by,
                "file": self.source, "sha256": self.sha256, "reason": self.reason, "count": len(self.tasks),
                "tasks": [t.as_dict() for t in self.tasks]}


def _version(tx, row) -> Version:
    return Version(row.id, row.loaded_at, row.loaded_by, row.source, row.sha256, row.reason,
                   [Task(t.code, t.name, t.retention_class, t.reason) for t in tx.unit_tasks(row.id).values()])


@dataclass
class Loaded:
    version: Version
    created: bool  # False: the same file as the current version; nothing loaded
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (code, from class, to class)
    files_to_change: int = 0  # record files whose class `retention apply` would change


def load(arch, path: Path, *, reason: str) -> Loaded:
    """Load a 기록관리기준표 CSV as a new version (audited: ``schedule-load``, with what changed)."""
    if not reason.strip():
        raise UsageError(_("loading a 기록관리기준표 needs a reason"),
                         hint=_("Give --reason, e.g. --reason \"2027년 기록관리기준표 개정\"."))
    tasks, digest = read_tasks(path)
    at = catalog.now()
    with arch.catalog.transaction("the 기록관리기준표") as tx:
        cur = tx.current_schedule()
        if cur is not None and cur.sha256 == digest:
            return Loaded(_version(tx, cur), created=False)
        old = tx.unit_tasks(cur.id) if cur else {}
        new = {t.code: t for t in tasks}
        row = tx.add_schedule_version(at=at, by=catalog.actor(), source=path.name, sha256=digest,
                                      reason=reason.strip(), tasks=[
                                          {"code": t.code, "name": t.name, "retention_class": t.retention_class,
                                           "reason": t.reason} for t in tasks])
        res = Loaded(_version(tx, row), created=True, added=sorted(set(new) - set(old)),
                     removed=sorted(set(old) - set(new)),
                     changed=[(c, old[c].retention_class, new[c].retention_class) for c in sorted(set(old) & set(new))
                              if old[c].retention_class != new[c].retention_class])
        res.files_to_change = sum(1 for f in tx.record_files()
                                  if f.unit_task in new and f.retention_class != new[f.unit_task].retention_class)
        tx.append_event(at=at, actor=row.loaded_by, action="schedule-load", reg_no=None, detail={
            "version": row.id, "source": row.source, "sha256": digest, "tasks": len(tasks), "added": res.added,
            "removed": res.removed, "changed": [list(c) for c in res.changed], "reason": row.reason})
    log.info("기록관리기준표 version %d loaded from %s (%d unit tasks): %s", row.id, path.name, len(tasks), reason)
    return res


def versions(arch) -> list[Version]:
    with arch.catalog.reading() as tx:
        return [_version(tx, v) for v in tx.schedule_versions()]


# --- applying the current version ---------------------------------------------------------------------------


@dataclass
class FileChange:
    id: int
    number: str
    title: str
    unit_task: str
    old_class: str | None
    new_class: str

    def as_dict(self) -> dict:
        return {"id": self.id, "number": self.number, "title": self.title, "unit_task": self.unit_task,
                "previous_class": self.old_class, "class": self.new_class}


@dataclass
class Applied:
    dry_run: bool
    version: int | None
    files: list[FileChange] = field(default_factory=list)
    documents: list[Change] = field(default_factory=list)
    not_in_schedule: list[str] = field(default_factory=list)  # unit tasks of files the table does not list
    unfiled: int = 0  # documents in no file: the table reaches them once they are filed (`girok file auto`)

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "version": self.version, "files": [f.as_dict() for f in self.files],
                "documents": [c.as_dict() for c in self.documents], "not_in_schedule": self.not_in_schedule,
                "unfiled": self.unfiled}


def apply(arch, *, dry_run: bool = False, reason: str = "") -> Applied:
    """Classify every record file (and its items) under the current 기록관리기준표; with ``dry_run`` only say
    what would change. One audited event per change (``file-classify``, ``retention-reclassify``)."""
    classify_unclassified(arch)
    at = catalog.now()
    ctx = arch.catalog.reading() if dry_run else arch.catalog.transaction("applying the 기록관리기준표")
    with ctx as tx:
        cur = tx.current_schedule()
        res = Applied(dry_run, cur.id if cur else None, unfiled=tx.count_unfiled())
        if cur is None:
            return res
        tasks = tx.unit_tasks(cur.id)
        why = reason.strip() or f"기록관리기준표 v{cur.id} ({cur.source})"
        missing = set()
        for f in tx.record_files():
            task = tasks.get(f.unit_task)
            if task is None:
                missing.add(f.unit_task)
                continue
            basis = f"기록관리기준표 v{cur.id}: {f.unit_task} {task.name}"
            if f.retention_class != task.retention_class:
                res.files.append(FileChange(f.id, f.number, f.title, f.unit_task, f.retention_class,
                                            task.retention_class))
                if not dry_run:
                    tx.update_file(f.id, retention_class=task.retention_class, retention_basis=basis)
                    tx.append_event(at=at, actor=catalog.actor(), action="file-classify", reg_no=None, detail={
                        "file": f.id, "number": f.number, "from": f.retention_class, "to": task.retention_class,
                        "version": cur.id, "reason": why})
            for _fid, reg, _filed, doc, ret, _tomb, _no in tx.item_rows([f.id]):
                if doc is None or ret is None or ret.retention_class == task.retention_class:
                    continue
                if dry_run:
                    res.documents.append(Change(reg, ret.retention_class, task.retention_class, ret.completed_on,
                                                ret.completed_on, due_date(task.retention_class, ret.completed_on),
                                                True))
                else:
                    res.documents.append(apply_change(tx, doc, new_class=task.retention_class, completed_on=None,
                                                      reason=why, basis=basis, at=at,
                                                      extra={"file": f.number, "version": cur.id}))
        res.not_in_schedule = sorted(missing)
    if not dry_run:
        reindex_changed(arch, [c.reg_no for c in res.documents])
    return res
