"""The catalog's side of records management (migration 0010_records): record files (기록물철) and their items,
the 기록관리기준표 in versions, inspections (검수), supersessions by re-scans, paper destructions, and the
standard registration numbers of documents.

Tables and statements only: girok.retention.files and its siblings decide, these read and write rows.
Items, inspections, supersessions and paper destructions refer to documents by registration number, as holds
do, so that what the registry says of an item stays after it is disposed of.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, Counter, Document, Page
from .retention_models import Retention, Tombstone
from .unit import TxBase, storable


class RecordFile(Base):
    """One record file (기록물철): the items of one unit task (단위과제) and year, one volume (권) of it."""

    __tablename__ = "record_files"
    __table_args__ = (UniqueConstraint("office_code", "year", "serial", "volume"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(28), unique=True)  # 분류번호 (28 characters)
    office_code: Mapped[str] = mapped_column(String(7))
    unit_task: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    volume: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    retention_class: Mapped[str | None] = mapped_column(String(8), nullable=True)
    retention_basis: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))


class FileItem(Base):
    """A document filed in a record file (exactly one: the registration number is the key)."""

    __tablename__ = "file_items"
    reg_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id"))
    record_no: Mapped[str | None] = mapped_column(String(19), nullable=True)  # kept after disposal (registry)
    filed_at: Mapped[datetime] = mapped_column()
    filed_by: Mapped[str] = mapped_column(String(64))


class ScheduleVersion(Base):
    """One loading of the office's 기록관리기준표: who, when, from which file (its SHA-256) and why."""

    __tablename__ = "schedule_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loaded_at: Mapped[datetime] = mapped_column()
    loaded_by: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    tasks: Mapped[int] = mapped_column(Integer)


class UnitTask(Base):
    """A unit task (단위과제) of one version of the 기록관리기준표, with its retention period and the reason."""

    __tablename__ = "unit_tasks"
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_versions.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    retention_class: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)


class Inspection(Base):
    """One inspection (검수) of a digitized document: passed or failed, by whom, when, why."""

    __tablename__ = "inspections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reg_no: Mapped[str] = mapped_column(String(32))
    result: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(64))


class Supersession(Base):
    """A document replaced by its re-scan (both stay archived; the registry counts the re-scan only)."""

    __tablename__ = "supersessions"
    reg_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    by_reg_no: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)


class PaperDestruction(Base):
    """The paper original of a digitized document, recorded as destroyed."""

    __tablename__ = "paper_destructions"
    reg_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)


Index("ix_record_files_task_year", RecordFile.unit_task, RecordFile.year)
Index("ix_file_items_file", FileItem.file_id)
Index("ix_inspections_reg_no", Inspection.reg_no, Inspection.id)
Index("ix_supersessions_by", Supersession.by_reg_no)


def _receipt_key(column):
    """A receipt number compared without its spaces, case-blind (as search's receipt: filter)."""
    return func.lower(func.replace(column, " ", ""))


class FilesTx(TxBase):
    # -- numbers --------------------------------------------------------------------------

    def next_number(self, key: str, year: int) -> int:
        """The next serial of ``key`` (e.g. ``rec:1234567``, ``file:1234567``) in ``year`` (the counters table;
        these keys hold a colon, which no registration prefix may)."""
        row = self.s.get(Counter, (key, year))
        if row is None:
            row = Counter(prefix=key, year=year, last=0)
            self.s.add(row)
        row.last += 1
        self.s.flush()
        return row.last

    def set_record_no(self, document_id: int, record_no: str) -> None:
        self.s.execute(update(Document).where(Document.id == document_id).values(record_no=record_no))
        reg = select(Document.reg_no).where(Document.id == document_id).scalar_subquery()
        self.s.execute(update(FileItem).where(FileItem.reg_no == reg).values(record_no=record_no))

    def unnumbered(self, limit: int, *, reg_nos: list[str] | None = None) -> list:
        """Rows (id, reg_no, doc_date, captured_at) of documents without a standard number (of ``reg_nos`` only,
        if given), oldest first."""
        q = select(Document.id, Document.reg_no, Document.doc_date, Document.captured_at) \
            .where(Document.record_no.is_(None)).order_by(Document.id).limit(limit)
        if reg_nos is not None:
            q = q.where(Document.reg_no.in_(reg_nos))
        return self.s.execute(q).all()

    def document_by_record_no(self, record_no: str) -> Document | None:
        return self.s.scalars(select(Document).where(Document.record_no == record_no)).first()

    # -- cases -------------------------------------------------------------------------------

    def reg_nos_by_receipt(self, receipt_no: str) -> list[str]:
        """Documents whose receipt number is ``receipt_no`` (spaces and case aside), in capture order."""
        key = "".join(receipt_no.split()).lower()
        return list(self.s.scalars(select(Document.reg_no).where(Document.receipt_no != "",
                                                                 _receipt_key(Document.receipt_no) == key)
                                   .order_by(Document.id)))

    def batch_reg_nos(self, reg_nos: list[str]) -> dict[str, list[str]]:
        """reg_no -> every document of the same capture (the same scanned batch), itself included."""
        rows = self.s.execute(select(Document.reg_no, Document.capture_id).where(Document.reg_no.in_(reg_nos))).all()
        caps = {c for _, c in rows}
        by_cap: dict[int, list[str]] = {}
        for reg, cap in self.s.execute(select(Document.reg_no, Document.capture_id)
                                       .where(Document.capture_id.in_(caps)).order_by(Document.id)):
            by_cap.setdefault(cap, []).append(reg)
        return {reg: by_cap.get(cap, []) for reg, cap in rows}

    def reg_nos_in_capture_order(self, reg_nos: Iterable[str]) -> list[str]:
        return list(self.s.scalars(select(Document.reg_no).where(Document.reg_no.in_(list(reg_nos)))
                                   .order_by(Document.id)))

    # -- files -------------------------------------------------------------------------------

    def add_file(self, **values) -> RecordFile:
        row = RecordFile(**{k: storable(v) for k, v in values.items()})
        self.s.add(row)
        self.s.flush()
        return row

    def record_file(self, file_id: int) -> RecordFile | None:
        return self.s.get(RecordFile, file_id)

    def record_file_by_number(self, number: str) -> RecordFile | None:
        return self.s.scalars(select(RecordFile).where(RecordFile.number == number)).first()

    def record_files(self, *, year: int | None = None, unit_task: str | None = None) -> list[RecordFile]:
        q = select(RecordFile).order_by(RecordFile.year, RecordFile.serial, RecordFile.volume)
        if year is not None:
            q = q.where(RecordFile.year == year)
        if unit_task is not None:
            q = q.where(RecordFile.unit_task == unit_task)
        return list(self.s.scalars(q))

    def open_file_for(self, unit_task: str, year: int) -> RecordFile | None:
        """The newest volume of the newest file of a unit task and year, unless it is closed."""
        row = self.s.scalars(select(RecordFile).where(RecordFile.unit_task == unit_task, RecordFile.year == year)
                             .order_by(RecordFile.serial.desc(), RecordFile.volume.desc()).limit(1)).first()
        return row if row is not None and not row.closed else None

    def last_volume(self, unit_task: str, year: int) -> RecordFile | None:
        return self.s.scalars(select(RecordFile).where(RecordFile.unit_task == unit_task, RecordFile.year == year)
                              .order_by(RecordFile.serial.desc(), RecordFile.volume.desc()).limit(1)).first()

    def update_file(self, file_id: int, **values) -> None:
        row = self.s.get(RecordFile, file_id)
        for k, v in values.items():
            setattr(row, k, v)

    def file_counts(self, file_ids: Iterable[int] | None = None) -> dict[int, int]:
        """Items per file (documents replaced by their re-scan are not counted: the re-scan is)."""
        q = select(FileItem.file_id, func.count()).outerjoin(Supersession, Supersession.reg_no == FileItem.reg_no) \
            .where(Supersession.reg_no.is_(None)).group_by(FileItem.file_id)
        if file_ids is not None:
            q = q.where(FileItem.file_id.in_(list(file_ids)))
        return dict(self.s.execute(q).all())

    def file_item(self, reg_no: str) -> FileItem | None:
        return self.s.get(FileItem, reg_no)

    def file_items(self, file_id: int) -> list[FileItem]:
        return list(self.s.scalars(select(FileItem).where(FileItem.file_id == file_id).order_by(FileItem.filed_at,
                                                                                                  FileItem.reg_no)))

    def files_of(self, reg_nos: Iterable[str]) -> dict[str, RecordFile]:
        """reg_no -> its record file, for those of ``reg_nos`` that are filed."""
        return dict(self.s.execute(select(FileItem.reg_no, RecordFile).join(RecordFile, RecordFile.id == FileItem.file_id)
                                   .where(FileItem.reg_no.in_(list(reg_nos)))).all())

    def add_file_item(self, reg_no: str, file_id: int, *, at: datetime, by: str) -> None:
        number = self.s.scalar(select(Document.record_no).where(Document.reg_no == reg_no))
        self.s.add(FileItem(reg_no=reg_no, file_id=file_id, record_no=number, filed_at=at, filed_by=by))
        self.s.flush()

    def move_file_item(self, reg_no: str, file_id: int, *, at: datetime, by: str) -> None:
        row = self.s.get(FileItem, reg_no)
        row.file_id, row.filed_at, row.filed_by = file_id, at, by

    def unfiled(self, limit: int, *, after_id: int = 0, reg_nos: list[str] | None = None) -> list:
        """Rows (id, reg_no, doc_type, doc_date, captured_at, record_no) of live documents in no file (of
        ``reg_nos`` only, if given), in id order after ``after_id``."""
        q = select(Document.id, Document.reg_no, Document.doc_type, Document.doc_date, Document.captured_at,
                   Document.record_no) \
            .outerjoin(FileItem, FileItem.reg_no == Document.reg_no) \
            .where(FileItem.reg_no.is_(None), Document.id > after_id).order_by(Document.id).limit(limit)
        if reg_nos is not None:
            q = q.where(Document.reg_no.in_(reg_nos))
        return self.s.execute(q).all()

    def count_unfiled(self) -> int:
        return self.s.scalar(select(func.count(Document.id)).outerjoin(FileItem, FileItem.reg_no == Document.reg_no)
                             .where(FileItem.reg_no.is_(None))) or 0

    def item_rows(self, file_ids: Iterable[int] | None = None, *, year: int | None = None) -> list:
        """The items of files (or of the files of ``year``), live or disposed of, in file and filing order:
        rows (file_id, reg_no, filed_at, document or None, retention or None, tombstone or None, record_no)."""
        q = select(FileItem.file_id, FileItem.reg_no, FileItem.filed_at, Document, Retention, Tombstone,
                   FileItem.record_no) \
            .join(RecordFile, RecordFile.id == FileItem.file_id) \
            .outerjoin(Document, Document.reg_no == FileItem.reg_no) \
            .outerjoin(Retention, Retention.document_id == Document.id) \
            .outerjoin(Tombstone, Tombstone.reg_no == FileItem.reg_no) \
            .order_by(RecordFile.year, RecordFile.serial, RecordFile.volume, FileItem.filed_at, FileItem.reg_no)
        if file_ids is not None:
            q = q.where(FileItem.file_id.in_(list(file_ids)))
        if year is not None:
            q = q.where(RecordFile.year == year)
        return self.s.execute(q).all()

    def page_confidences(self, document_ids: list[int]) -> dict[int, list]:
        out: dict[int, list] = {}
        for doc_id, conf in self.s.execute(select(Page.document_id, Page.confidence)
                                           .where(Page.document_id.in_(document_ids))
                                           .order_by(Page.document_id, Page.page_no)):
            out.setdefault(doc_id, []).append(conf)
        return out

    # -- the 기록관리기준표 -------------------------------------------------------------------

    def add_schedule_version(self, *, at: datetime, by: str, source: str, sha256: str, reason: str,
                             tasks: list[dict]) -> ScheduleVersion:
        row = ScheduleVersion(loaded_at=at, loaded_by=by, source=storable(source), sha256=sha256,
                              reason=storable(reason), tasks=len(tasks))
        self.s.add(row)
        self.s.flush()
        self.s.add_all(UnitTask(version_id=row.id, **{k: storable(v) for k, v in t.items()}) for t in tasks)
        self.s.flush()
        return row

    def schedule_versions(self) -> list[ScheduleVersion]:
        return list(self.s.scalars(select(ScheduleVersion).order_by(ScheduleVersion.id)))

    def current_schedule(self) -> ScheduleVersion | None:
        return self.s.scalars(select(ScheduleVersion).order_by(ScheduleVersion.id.desc()).limit(1)).first()

    def unit_tasks(self, version_id: int) -> dict[str, UnitTask]:
        return {t.code: t for t in self.s.scalars(select(UnitTask).where(UnitTask.version_id == version_id)
                                                   .order_by(UnitTask.code))}

    # -- inspection, supersession, paper --------------------------------------------------------

    def add_inspection(self, **values) -> Inspection:
        row = Inspection(**{k: storable(v) for k, v in values.items()})
        self.s.add(row)
        self.s.flush()
        return row

    def last_inspections(self, reg_nos: Iterable[str] | None = None) -> dict[str, Inspection]:
        """reg_no -> its latest inspection (of those named, or of every document inspected)."""
        q = select(Inspection).order_by(Inspection.id)
        if reg_nos is not None:
            q = q.where(Inspection.reg_no.in_(list(reg_nos)))
        return {i.reg_no: i for i in self.s.scalars(q)}

    def inspections_of(self, reg_no: str) -> list[Inspection]:
        return list(self.s.scalars(select(Inspection).where(Inspection.reg_no == reg_no).order_by(Inspection.id)))

    def all_documents(self) -> list[Document]:
        return list(self.s.scalars(select(Document).order_by(Document.id)))

    def uninspected(self) -> list[Document]:
        """Live documents never inspected, oldest first."""
        seen = select(Inspection.reg_no)
        return list(self.s.scalars(select(Document).where(Document.reg_no.not_in(seen)).order_by(Document.id)))

    def reg_nos_of_capture_of(self, reg_no: str) -> list[str]:
        cap = select(Document.capture_id).where(Document.reg_no == reg_no).scalar_subquery()
        return list(self.s.scalars(select(Document.reg_no).where(Document.capture_id == cap).order_by(Document.id)))

    def add_supersession(self, **values) -> None:
        self.s.add(Supersession(**{k: storable(v) for k, v in values.items()}))
        self.s.flush()

    def supersessions(self, reg_nos: Iterable[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
        """({reg_no: the document that superseded it}, {reg_no: the documents it superseded}) for ``reg_nos``."""
        regs = list(reg_nos)
        by, of = {}, {}
        for old, new in self.s.execute(select(Supersession.reg_no, Supersession.by_reg_no)
                                       .where(or_(Supersession.reg_no.in_(regs), Supersession.by_reg_no.in_(regs)))):
            if old in regs:
                by[old] = new
            if new in regs:
                of.setdefault(new, []).append(old)
        return by, of

    def superseded_reg_nos(self) -> set[str]:
        return set(self.s.scalars(select(Supersession.reg_no)))

    def add_paper_destruction(self, **values) -> None:
        self.s.add(PaperDestruction(**{k: storable(v) for k, v in values.items()}))
        self.s.flush()

    def paper_destroyed(self, reg_nos: Iterable[str] | None = None) -> dict[str, PaperDestruction]:
        q = select(PaperDestruction)
        if reg_nos is not None:
            q = q.where(PaperDestruction.reg_no.in_(list(reg_nos)))
        return {p.reg_no: p for p in self.s.scalars(q)}
