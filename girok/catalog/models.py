"""Catalog tables (SQLAlchemy 2). Changes go through a migration in migrations/versions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Capture(Base):
    """One input file as received: the original, byte for byte."""

    __tablename__ = "captures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)  # bytes; 64-bit (migration 0008 on PostgreSQL)
    source_name: Mapped[str] = mapped_column(Text)
    source_path: Mapped[str] = mapped_column(Text)
    hot_folder: Mapped[str | None] = mapped_column(Text, nullable=True)
    profile: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(64))
    original_relpath: Mapped[str] = mapped_column(Text)
    captured_at: Mapped[datetime] = mapped_column()
    documents: Mapped[list["Document"]] = relationship(back_populates="capture", order_by="Document.id")


class Document(Base):
    """One record in the archive: an archival PDF/A made from (part of) a capture."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reg_no: Mapped[str] = mapped_column(String(32), unique=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id"))
    first_page: Mapped[int] = mapped_column(Integer)  # 1-based, in the original
    page_count: Mapped[int] = mapped_column(Integer)
    archival_sha256: Mapped[str] = mapped_column(String(64))
    archival_relpath: Mapped[str] = mapped_column(Text)
    archival_size: Mapped[int] = mapped_column(BigInteger)
    pdfa: Mapped[str] = mapped_column(String(16))  # e.g. "2B"
    conversion: Mapped[str] = mapped_column(Text)  # JSON: tools, versions, options
    title: Mapped[str] = mapped_column(Text, default="")
    doc_type: Mapped[str] = mapped_column(Text, default="")
    captured_at: Mapped[datetime] = mapped_column()
    indexed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    rescan_suggested: Mapped[bool] = mapped_column(Boolean, default=False)
    doc_date: Mapped[date | None] = mapped_column(nullable=True)  # the filing date on the document
    receipt_no: Mapped[str] = mapped_column(Text, default="")
    office: Mapped[str] = mapped_column(Text, default="")
    applicant: Mapped[str] = mapped_column(Text, default="")
    metadata_json: Mapped[str] = mapped_column(Text, default="{}")  # extracted fields, QR payload; RRNs masked
    morphs: Mapped[str | None] = mapped_column(Text, nullable=True)  # "v<MORPH_VERSION>:" + Kiwi nouns (search)
    # the standard registration number (생산등록번호, 19 characters; migration 0010), beside reg_no
    record_no: Mapped[str | None] = mapped_column(String(19), nullable=True)
    capture: Mapped[Capture] = relationship(back_populates="documents")
    pages: Mapped[list["Page"]] = relationship(back_populates="document", order_by="Page.page_no")


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "page_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    page_no: Mapped[int] = mapped_column(Integer)  # 1-based within the document
    text: Mapped[str] = mapped_column(Text, default="")
    text_source: Mapped[str] = mapped_column(String(16), default="ocr")  # ocr | existing
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)  # mean word confidence 0-100
    document: Mapped[Document] = relationship(back_populates="pages")


class RrnKey(Base):
    """A keyed hash (HMAC-SHA256, per-archive secret) of an RRN found in a document: exact lookup, no clear text."""

    __tablename__ = "rrn_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    hmac: Mapped[str] = mapped_column(String(64), index=True)


class Event(Base):
    """What happened, when, by whom (the audit chain builds on this table)."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    reg_no: Mapped[str | None] = mapped_column(String(32), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class EventDocument(Base):
    """A document an event names (``Event.reg_no`` holds them comma-separated): a document's history by index.
    Written with the event, in its transaction; not part of the chain's hash (the event's reg_no is)."""

    __tablename__ = "event_documents"
    reg_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no foreign key: see migration 0011


class Counter(Base):
    """Next registration number per prefix and year."""

    __tablename__ = "counters"
    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class WordReading(Base):
    """Kiwi's reading of one word of the archive's texts (the search lexicon; see ``search.analysis``):
    a query word found here needs no Kiwi. Derived and disposable: a missing row only costs time."""

    __tablename__ = "word_readings"
    word: Mapped[str] = mapped_column(Text, primary_key=True)
    stem: Mapped[str] = mapped_column(Text)
    nouns: Mapped[str] = mapped_column(Text, default="")  # space-separated
    version: Mapped[int] = mapped_column(Integer)  # search.analysis.MORPH_VERSION it was read with


Index("ix_events_reg_no", Event.reg_no)
Index("ix_events_action", Event.action, Event.id)
Index("ix_documents_capture", Document.capture_id)
Index("ix_documents_doc_date", Document.doc_date)
Index("ix_documents_record_no", Document.record_no, unique=True)
Index("ix_documents_receipt_no", Document.receipt_no)
