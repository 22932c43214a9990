"""Record files (기록물철) and standard registration numbers, as Korean public offices keep records.

An item (건) is registered with a standard number (생산·접수등록번호): the processing office's code
(처리과기관코드, 7 characters), the year, a 6-digit serial and a 2-digit split number, 19 characters in all
(``1234567`` ``2026`` ``000123`` ``00``); girok's own ``PREFIX-YEAR-NNNNNN`` stays beside it, never renumbered.
Items are filed in record files whose classification number (분류번호, 28 characters) joins the office code,
the unit task (단위과제, 8 characters), the year, a file serial (6 digits) and the volume (권호수, 3 digits).

Filing rules (girok.toml ``[files]``): a document type names its unit task; one file per unit task and year
(the year of the item's filing date, else of its capture, as its retention's completion date); a new volume
when the open one holds ``volume_size`` items. A file's retention class is its unit task's in the current
기록관리기준표 (retention.unittasks), and applies to every item filed in it: filing re-classifies an item whose
class differs (audited, as any re-classification).

Every step is an audit event with its actor and reason: ``record-number`` (numbers given, per batch),
``file-create``, ``file-add`` (items filed, per file and batch), ``file-move``, ``file-close``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from ..catalog import repository as catalog
from ..catalog.repository import Tx
from ..errors import NotFound, UsageError
from ..i18n import _
from ..text.times import local_iso
from .recordsconf import UNIT_TASK, RecordsConfig, load_records_config
from .schedule import apply_change, classify_unclassified, korean_date, live_documents, reindex_changed

log = logging.getLogger(__name__)

BATCH = 500


# --- numbers ------------------------------------------------------------------------------------------------


def record_number(office: str, year: int, serial: int, split: int = 0) -> str:
    """The 19-character standard registration number: office code, year, serial, split number."""
    return f"{office}{year:04d}{serial:06d}{split:02d}"


def file_number(office: str, unit_task: str, year: int, serial: int, volume: int) -> str:
    """The 28-character classification number of a record file (volume)."""
    return f"{office}{unit_task}{year:04d}{serial:06d}{volume:03d}"


def compact(text: str) -> str:
    """A number as typed (``1234567-2026-000123-00``, with spaces) in its canonical form."""
    return "".join(text.replace("-", " ").split())


def item_year(doc_date: date | None, captured_at: datetime) -> int:
    """The year an item belongs to: its filing date's, else its capture's (the day in Korea)."""
    return (doc_date or korean_date(captured_at)).year


def number_documents(tx: Tx, conf: RecordsConfig, rows, *, at: datetime, reason: str) -> list[tuple[str, str]]:
    """Give each of ``rows`` (id, reg_no, doc_date, captured_at) its standard number; one audit event."""
    office = conf.need_office_code()
    given = []
    for r in rows:
        year = item_year(r.doc_date, r.captured_at)
        number = record_number(office, year, tx.next_number(f"rec:{office}", year))
        tx.set_record_no(r.id, number)
        given.append((r.reg_no, number))
    if given:
        tx.append_event(at=at, actor=catalog.actor(), action="record-number", reg_no=",".join(g[0] for g in given),
                        detail={"documents": [list(g) for g in given], "reason": reason})
    return given


# --- files ----------------------------------------------------------------------------------------------------


@dataclass
class FileInfo:
    """A record file as front ends show it; ``as_dict`` is its JSON (``id`` the file's number in the catalog,
    ``number`` its classification number)."""

    id: int
    number: str
    title: str
    unit_task: str
    year: int
    serial: int
    volume: int
    closed: bool
    closed_at: datetime | None
    retention_class: str | None
    retention_basis: str
    created_at: datetime
    created_by: str
    count: int = 0

    def as_dict(self, tz=None) -> dict:
        return {"id": self.id, "number": self.number, "title": self.title, "unit_task": self.unit_task,
                "year": self.year, "serial": self.serial, "volume": self.volume, "closed": self.closed,
                "closed_at": local_iso(self.closed_at, tz) if self.closed_at else None,
                "class": self.retention_class, "class_basis": self.retention_basis,
                "created_at": local_iso(self.created_at, tz), "created_by": self.created_by, "count": self.count}


def file_info(row, count: int = 0) -> FileInfo:
    return FileInfo(row.id, row.number, row.title, row.unit_task, row.year, row.serial, row.volume, bool(row.closed),
                    row.closed_at, row.retention_class, row.retention_basis or "", row.created_at, row.created_by,
                    count)


def find_file(tx: Tx, ident: str):
    """A record file by its catalog id (``3``) or its classification number (hyphens and spaces allowed)."""
    text = compact(str(ident))
    row = tx.record_file(int(text)) if text.isdigit() and len(text) < 10 else tx.record_file_by_number(text)
    if row is None:
        raise NotFound(_("no record file {ident!r}").format(ident=ident),
                       hint=_("See the files with `girok file list`; a file is named by its id or its 28-character "
                              "classification number."))
    return row


def current_tasks(tx: Tx) -> tuple[int | None, dict]:
    """(version, code -> UnitTask) of the current 기록관리기준표 ((None, {}) before one is loaded)."""
    ver = tx.current_schedule()
    return (ver.id, tx.unit_tasks(ver.id)) if ver else (None, {})


def _task_class(tx: Tx, unit_task: str) -> tuple[str | None, str]:
    version, tasks = current_tasks(tx)
    task = tasks.get(unit_task)
    if task is None:
        return None, ""
    return task.retention_class, f"기록관리기준표 v{version}: {unit_task} {task.name}"


def _auto_title(tx: Tx, conf: RecordsConfig, unit_task: str, year: int) -> str:
    name = conf.titles.get(unit_task)
    if not name:
        _version, tasks = current_tasks(tx)
        name = tasks[unit_task].name if unit_task in tasks else ""
    if not name:
        name = ", ".join(sorted(t for t, c in conf.types.items() if c == unit_task)) or unit_task
    return f"{year}년 {name}"


def new_file(tx: Tx, conf: RecordsConfig, *, unit_task: str, year: int, title: str, at: datetime, reason: str,
             volume_of=None):
    """Create a record file (a new serial, volume 1), or the next volume of ``volume_of``; audited."""
    office = conf.need_office_code()
    if volume_of is not None:
        serial, volume = volume_of.serial, volume_of.volume + 1
    else:
        serial, volume = tx.next_number(f"file:{office}", year), 1
    if volume > 999 or serial > 999999:
        raise UsageError(_("no more numbers for files of {year}: serial {serial}, volume {volume}").format(
                             year=year, serial=serial, volume=volume))
    cls, basis = _task_class(tx, unit_task)
    actor = catalog.actor()
    row = tx.add_file(number=file_number(office, unit_task, year, serial, volume), office_code=office,
                      unit_task=unit_task, year=year, serial=serial, volume=volume, title=title.strip(),
                      closed=False, retention_class=cls, retention_basis=basis, created_at=at, created_by=actor)
    tx.append_event(at=at, actor=actor, action="file-create", reg_no=None, detail={
        "file": row.id, "number": row.number, "title": row.title, "unit_task": unit_task, "year": year,
        "volume": volume, "class": cls, "reason": reason})
    log.info("record file %s created: %s (%s)", row.number, row.title, reason)
    return row


def _close(tx: Tx, row, *, at: datetime, reason: str) -> None:
    tx.update_file(row.id, closed=True, closed_at=at)
    tx.append_event(at=at, actor=catalog.actor(), action="file-close", reg_no=None,
                    detail={"file": row.id, "number": row.number, "reason": reason})


def _follow_file_class(tx: Tx, reg_no: str, row, *, at: datetime, reason: str):
    """The item takes its file's retention class (an audited re-classification when it differs)."""
    if not row.retention_class:
        return None
    doc = tx.document(reg_no)
    if doc is None or tx.retention(doc.id) is None:
        return None
    change = apply_change(tx, doc, new_class=row.retention_class, completed_on=None, reason=reason,
                          basis=row.retention_basis or f"file {row.number}", at=at, extra={"file": row.number})
    return change if change.changed else None


@dataclass
class FilingReport:
    numbered: list[tuple[str, str]] = field(default_factory=list)  # (reg_no, standard number)
    filed: list[tuple[str, str]] = field(default_factory=list)  # (reg_no, file number)
    created: list[FileInfo] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)  # file numbers closed because they were full
    unruled: dict[str, int] = field(default_factory=dict)  # document type -> documents with no filing rule
    reclassified: list[str] = field(default_factory=list)

    def as_dict(self, tz=None) -> dict:
        return {"numbered": [{"reg": r, "record_no": n} for r, n in self.numbered],
                "filed": [{"reg": r, "file": f} for r, f in self.filed],
                "created": [f.as_dict(tz) for f in self.created], "closed": self.closed,
                "unruled": self.unruled, "reclassified": self.reclassified}


def file_documents(arch, reg_nos: list[str] | None = None, *, reason: str = "") -> FilingReport:
    """Number and file the documents that are not yet (all of them, or ``reg_nos``), by the rules of
    girok.toml ``[files]``; documents whose type has no rule stay unfiled (counted in ``unruled``).

    Numbers need ``[records] office_code``; without it nothing is numbered or filed (an empty report)."""
    conf = load_records_config(arch.root)
    report = FilingReport()
    if not conf.office_code:
        return report
    reason = reason.strip() or "filing rules (girok.toml [files])"
    classify_unclassified(arch)  # a file's class re-classifies its items: they need one first
    while True:  # numbers
        at = catalog.now()
        with arch.catalog.transaction("the registration numbers") as tx:
            rows = tx.unnumbered(BATCH, reg_nos=reg_nos)
            if not rows:
                break
            report.numbered += number_documents(tx, conf, rows, at=at, reason=reason)
    after = 0
    while conf.types:
        at = catalog.now()
        with arch.catalog.transaction("the filing") as tx:
            rows = tx.unfiled(BATCH, after_id=after, reg_nos=reg_nos)
            if not rows:
                break
            after = rows[-1].id
            _file_rows(tx, conf, rows, at=at, reason=reason, report=report)
    if report.reclassified:
        reindex_changed(arch, report.reclassified)
    return report


def _file_rows(tx: Tx, conf: RecordsConfig, rows, *, at: datetime, reason: str, report: FilingReport) -> None:
    by_file: dict[int, list[str]] = {}
    files: dict[int, object] = {}
    counts: dict[int, int] = {}
    for r in rows:
        task = conf.types.get(r.doc_type)
        if task is None:
            key = r.doc_type or "-"
            report.unruled[key] = report.unruled.get(key, 0) + 1
            continue
        year = item_year(r.doc_date, r.captured_at)
        row = tx.open_file_for(task, year)
        if row is not None and row.id not in counts:
            counts[row.id] = tx.file_counts([row.id]).get(row.id, 0)
        if row is not None and counts[row.id] >= conf.volume_size:
            _close(tx, row, at=at, reason=f"volume full ({conf.volume_size} items)")
            report.closed.append(row.number)
            row = None
        if row is None:
            last = tx.last_volume(task, year)
            row = new_file(tx, conf, unit_task=task, year=year, title=last.title if last else
                           _auto_title(tx, conf, task, year), at=at, reason=reason, volume_of=last)
            counts[row.id] = 0
            report.created.append(file_info(row))
        tx.add_file_item(r.reg_no, row.id, at=at, by=catalog.actor())
        counts[row.id] += 1
        files[row.id] = row
        by_file.setdefault(row.id, []).append(r.reg_no)
        report.filed.append((r.reg_no, row.number))
    for file_id, regs in by_file.items():
        row = files[file_id]
        tx.append_event(at=at, actor=catalog.actor(), action="file-add", reg_no=",".join(regs),
                        detail={"file": row.id, "number": row.number, "documents": regs, "reason": reason})
        for reg in regs:
            if _follow_file_class(tx, reg, row, at=at, reason=f"filed in {row.number}: {reason}"):
                report.reclassified.append(reg)


# --- the officer's commands -------------------------------------------------------------------------------------


def _need_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise UsageError(_("this needs a reason"), hint=_("Give --reason, e.g. --reason \"기록물철 정리\"."))
    return reason.strip()


def create_file(arch, *, unit_task: str, year: int, title: str, reason: str) -> FileInfo:
    """A new record file (volume 1) of a unit task and year, made by hand."""
    reason = _need_reason(reason)
    conf = load_records_config(arch.root)
    if not UNIT_TASK.fullmatch(unit_task or ""):
        raise UsageError(_("a unit task code (단위과제) is 8 letters or digits, got {value!r}").format(value=unit_task))
    if not 1900 <= year <= 9999:
        raise UsageError(_("{year} is not a year").format(year=year))
    if not title.strip():
        raise UsageError(_("a record file needs a title"), hint=_("Give --title, e.g. --title \"2026년 전입신고\"."))
    with arch.catalog.transaction("the record file") as tx:
        return file_info(new_file(tx, conf, unit_task=unit_task, year=year, title=title, at=catalog.now(),
                                  reason=reason))


def move_item(arch, reg_no: str, to: str, *, reason: str) -> tuple[str | None, FileInfo, bool]:
    """Re-file a document in another file; (the file it left, the file it is in, whether it moved)."""
    reason = _need_reason(reason)
    classify_unclassified(arch)
    at = catalog.now()
    changed = []
    with arch.catalog.transaction("the move") as tx:
        [doc] = live_documents(tx, [reg_no.strip().upper()])
        target = find_file(tx, to)
        item = tx.file_item(doc.reg_no)
        source = tx.record_file(item.file_id) if item else None
        if source is not None and source.id == target.id:
            return source.number, file_info(target), False
        if target.closed:
            raise UsageError(_("record file {number} is closed").format(number=target.number),
                             hint=_("Move the document to an open file, or create one with `girok file create`."))
        if item is None:
            tx.add_file_item(doc.reg_no, target.id, at=at, by=catalog.actor())
        else:
            tx.move_file_item(doc.reg_no, target.id, at=at, by=catalog.actor())
        tx.append_event(at=at, actor=catalog.actor(), action="file-move", reg_no=doc.reg_no, detail={
            "from": source.number if source else None, "to": target.number, "file": target.id, "reason": reason})
        if _follow_file_class(tx, doc.reg_no, target, at=at, reason=f"moved to {target.number}: {reason}"):
            changed.append(doc.reg_no)
        info = file_info(target, tx.file_counts([target.id]).get(target.id, 0))
    reindex_changed(arch, changed)
    return (source.number if source else None), info, True


def close_file(arch, ident: str, *, reason: str) -> tuple[FileInfo, bool]:
    """Close a record file (편철 종결): nothing more is filed in it. (the file, whether it was closed now)"""
    reason = _need_reason(reason)
    with arch.catalog.transaction("closing the file") as tx:
        row = find_file(tx, ident)
        if row.closed:
            return file_info(row, tx.file_counts([row.id]).get(row.id, 0)), False
        _close(tx, row, at=catalog.now(), reason=reason)
        return file_info(row, tx.file_counts([row.id]).get(row.id, 0)), True


def list_files(arch, *, year: int | None = None, unit_task: str | None = None) -> list[FileInfo]:
    with arch.catalog.reading() as tx:
        rows = tx.record_files(year=year, unit_task=unit_task)
        counts = tx.file_counts([r.id for r in rows])
        return [file_info(r, counts.get(r.id, 0)) for r in rows]


@dataclass
class FileItemRow:
    """An item of a file: a live document or what its tombstone keeps."""

    reg_no: str
    filed_at: datetime
    disposed: bool
    superseded_by: str | None = None


def file_detail(arch, ident: str) -> tuple[FileInfo, list[FileItemRow]]:
    with arch.catalog.reading() as tx:
        row = find_file(tx, ident)
        items = tx.item_rows([row.id])
        by, _of = tx.supersessions([i.reg_no for i in items])
        info = file_info(row, tx.file_counts([row.id]).get(row.id, 0))
        return info, [FileItemRow(i.reg_no, i.filed_at, i[3] is None, by.get(i.reg_no)) for i in items]


def files_of(arch, reg_nos: list[str]) -> dict[str, FileInfo]:
    """reg_no -> the file it is in, for those of ``reg_nos`` that are filed."""
    with arch.catalog.reading() as tx:
        return {reg: file_info(row) for reg, row in tx.files_of(reg_nos).items()}
