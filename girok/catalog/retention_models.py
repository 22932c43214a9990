"""Catalog tables for retention, holds and disposal (migration 0004_retention).

Kept apart from models.py but on the same ``Base``, so one metadata holds
the whole catalog. Holds, reviews and decisions refer to documents by
registration number (a document may be disposed of while they stay);
``retention`` has one row per live document and goes with it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class Retention(Base):
    """The one retention class and completion date of a live document."""

    __tablename__ = "retention"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    retention_class: Mapped[str] = mapped_column(String(8))
    completed_on: Mapped[date] = mapped_column()  # the business was completed (counting starts next 1 January)
    due_on: Mapped[date | None] = mapped_column(nullable=True)  # None: never due (영구, 준영구)
    deferred_until: Mapped[date | None] = mapped_column(nullable=True)  # the committee deferred it (보류)
    basis: Mapped[str] = mapped_column(Text)  # why this class: schedule entry, officer, committee
    classified_at: Mapped[datetime] = mapped_column()


class Hold(Base):
    """A legal hold (litigation, audit, an order not to dispose): its documents are never disposed of."""

    __tablename__ = "holds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    query: Mapped[str | None] = mapped_column(Text, nullable=True)
    placed_at: Mapped[datetime] = mapped_column()
    placed_by: Mapped[str] = mapped_column(String(64))
    released_at: Mapped[datetime | None] = mapped_column(nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    release_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class HoldItem(Base):
    __tablename__ = "hold_items"
    hold_id: Mapped[int] = mapped_column(ForeignKey("holds.id"), primary_key=True)
    reg_no: Mapped[str] = mapped_column(String(32), primary_key=True)


class Review(Base):
    """One listing of what was due as of a date: what the committee was shown."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 over as_of and the items


class ReviewItem(Base):
    __tablename__ = "review_items"
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    reg_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    doc_type: Mapped[str] = mapped_column(Text)
    retention_class: Mapped[str] = mapped_column(String(8))
    completed_on: Mapped[date] = mapped_column()
    due_on: Mapped[date] = mapped_column()


class Decision(Base):
    """The committee's decision on one reviewed document: dispose, reset (re-set the class) or defer."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("review_id", "reg_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"))
    reg_no: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(8))
    new_class: Mapped[str | None] = mapped_column(String(8), nullable=True)
    defer_until: Mapped[date | None] = mapped_column(nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    meeting: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default="pending")  # pending | done | void
    executed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="")  # what became of it, in words


class Disposal(Base):
    """One disposal run and its certificate (폐기 확인서)."""

    __tablename__ = "disposals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # e.g. 2026-0001
    started_at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    certificate: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: files and their SHA-256


class Tombstone(Base):
    """What remains of a disposed document: no content, enough to prove what was destroyed, when and why."""

    __tablename__ = "tombstones"
    reg_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    doc_type: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)  # RRNs masked
    retention_class: Mapped[str] = mapped_column(String(8))
    completed_on: Mapped[date] = mapped_column()
    due_on: Mapped[date] = mapped_column()
    doc_date: Mapped[date | None] = mapped_column(nullable=True)
    captured_at: Mapped[datetime] = mapped_column()
    page_count: Mapped[int] = mapped_column(Integer)
    original_sha256: Mapped[str] = mapped_column(String(64))
    archival_sha256: Mapped[str] = mapped_column(String(64))
    original_relpath: Mapped[str | None] = mapped_column(Text, nullable=True)
    archival_relpath: Mapped[str | None] = mapped_column(Text, nullable=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    disposal_id: Mapped[int] = mapped_column(ForeignKey("disposals.id"))
    disposed_at: Mapped[datetime] = mapped_column()
    purged_at: Mapped[datetime | None] = mapped_column(nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="{}")


Index("ix_retention_due_on", Retention.due_on)
Index("ix_hold_items_reg_no", HoldItem.reg_no)
Index("ix_reviews_digest", Review.digest)
Index("ix_decisions_reg_no", Decision.reg_no)
Index("ix_tombstones_disposal", Tombstone.disposal_id)
Index("ix_tombstones_original_sha256", Tombstone.original_sha256)  # migration 0006: ingest's
Index("ix_tombstones_archival_sha256", Tombstone.archival_sha256)  # look-up of destroyed records
