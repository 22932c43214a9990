"""The catalog's statements for retention: classes, reviews, decisions, holds, disposals, tombstones.

Methods of the unit of work (``Tx``); girok.retention decides, these execute.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

from sqlalchemy import delete, exists, func, or_, select, update

from ..text.words import words
from .models import Capture, Document, Page, RrnKey, WordReading
from .retention_models import Decision, Disposal, Hold, HoldItem, Retention, Review, ReviewItem, Tombstone
from .unit import TxBase


class RetentionTx(TxBase):
    # -- classes ---------------------------------------------------------------------------

    def unclassified(self, limit: int) -> list:
        """Rows (id, reg_no, doc_type, doc_date, captured_at, profile) of documents without a class."""
        return self.s.execute(
            select(Document.id, Document.reg_no, Document.doc_type, Document.doc_date, Document.captured_at,
                   Capture.profile)
            .join(Capture, Capture.id == Document.capture_id)
            .outerjoin(Retention, Retention.document_id == Document.id)
            .where(Retention.document_id.is_(None)).order_by(Document.id).limit(limit)
        ).all()

    def add_retention(self, *, document_id: int, retention_class: str, completed_on: date, due_on: date | None,
                      basis: str, classified_at: datetime) -> None:
        self.s.add(Retention(document_id=document_id, retention_class=retention_class, completed_on=completed_on,
                             due_on=due_on, basis=basis, classified_at=classified_at))

    def retention(self, document_id: int) -> Retention | None:
        return self.s.get(Retention, document_id)

    def retention_by_reg_no(self, reg_no: str) -> Retention | None:
        return self.s.execute(select(Retention).join(Document, Document.id == Retention.document_id)
                              .where(Document.reg_no == reg_no)).scalar_one_or_none()

    def retentions_by_reg_no(self, reg_nos: list[str]) -> dict[str, Retention]:
        return dict(self.s.execute(select(Document.reg_no, Retention)
                                   .join(Retention, Retention.document_id == Document.id)
                                   .where(Document.reg_no.in_(reg_nos))).all())

    def update_retention(self, document_id: int, **values: Any) -> None:
        """Set columns of a document's retention row (class, completed_on, due_on, basis, deferred_until...)."""
        row = self.s.get(Retention, document_id)
        for key, value in values.items():
            setattr(row, key, value)

    def documents_of_type(self, doc_type: str) -> list[Document]:
        return list(self.s.scalars(select(Document).where(Document.doc_type == doc_type).order_by(Document.id)))

    def class_counts(self) -> dict[str, int]:
        return dict(self.s.execute(select(Retention.retention_class, func.count())
                                   .group_by(Retention.retention_class)).all())

    # -- reviews and decisions ----------------------------------------------------------

    def due_rows(self, as_of: date) -> list:
        """Rows (reg_no, doc_type, title, captured_at, retention_class, completed_on, due_on, receipt_no,
        applicant) of every live document whose period has run out by ``as_of`` and that is not deferred past it."""
        return self.s.execute(
            select(Document.reg_no, Document.doc_type, Document.title, Document.captured_at,
                   Retention.retention_class, Retention.completed_on, Retention.due_on, Document.receipt_no,
                   Document.applicant)
            .join(Retention, Retention.document_id == Document.id)
            .where(Retention.due_on.is_not(None), Retention.due_on <= as_of,
                   or_(Retention.deferred_until.is_(None), Retention.deferred_until <= as_of))
        ).all()

    def pending_dispose_reg_nos(self, reg_nos: list[str]) -> set[str]:
        return set(self.s.scalars(select(Decision.reg_no).where(Decision.reg_no.in_(reg_nos),
                                                                Decision.action == "dispose",
                                                                Decision.status == "pending")))

    def review_by_digest(self, digest: str) -> Review | None:
        return self.s.scalars(select(Review).where(Review.digest == digest).order_by(Review.id.desc())
                              .limit(1)).first()

    def add_review(self, *, as_of: date, created_at: datetime, actor: str, digest: str,
                   items: Iterable[dict[str, Any]]) -> Review:
        """A review and its items (dicts of reg_no, doc_type, retention_class, completed_on, due_on)."""
        row = Review(as_of=as_of, created_at=created_at, actor=actor, digest=digest)
        self.s.add(row)
        self.s.flush()
        for item in items:
            self.s.add(ReviewItem(review_id=row.id, **item))
        return row

    def review(self, review_id: int) -> Review | None:
        return self.s.get(Review, review_id)

    def review_items(self, review_id: int) -> dict[str, ReviewItem]:
        return {i.reg_no: i for i in self.s.scalars(select(ReviewItem).where(ReviewItem.review_id == review_id))}

    def review_item(self, review_id: int, reg_no: str) -> ReviewItem | None:
        return self.s.get(ReviewItem, (review_id, reg_no))

    def decisions_of_review(self, review_id: int) -> dict[str, Decision]:
        return {d.reg_no: d for d in self.s.scalars(select(Decision).where(Decision.review_id == review_id))}

    def decision(self, decision_id: int) -> Decision | None:
        return self.s.get(Decision, decision_id)

    def pending_dispose_decisions(self) -> list[Decision]:
        return list(self.s.scalars(select(Decision).where(Decision.action == "dispose", Decision.status == "pending")
                                   .order_by(Decision.id)))

    def add_decision(self, **values: Any) -> Decision:
        row = Decision(**values)
        self.s.add(row)
        self.s.flush()
        return row

    def finish_decision(self, decision_id: int, *, status: str, at: datetime, outcome: str) -> None:
        d = self.s.get(Decision, decision_id)
        d.status, d.executed_at, d.outcome = status, at, outcome

    def void_pending_decisions(self, reg_no: str, outcome: str) -> int:
        """Void the pending decisions on a document; how many there were."""
        return self.s.execute(update(Decision).where(Decision.reg_no == reg_no, Decision.status == "pending")
                              .values(status="void", outcome=outcome)).rowcount

    # -- holds -------------------------------------------------------------------------

    def active_holds(self, reg_nos: Iterable[str] | None = None) -> dict[str, list[tuple[int, str]]]:
        """reg_no -> [(hold id, reason)] for every document under an active hold (or only those named)."""
        q = select(HoldItem.reg_no, Hold.id, Hold.reason).join(Hold, Hold.id == HoldItem.hold_id) \
            .where(Hold.released_at.is_(None)).order_by(Hold.id)
        if reg_nos is not None:
            q = q.where(HoldItem.reg_no.in_(list(reg_nos)))
        held: dict[str, list[tuple[int, str]]] = {}
        for reg, hid, reason in self.s.execute(q):
            held.setdefault(reg, []).append((hid, reason))
        return held

    def hold(self, hold_id: int) -> Hold | None:
        return self.s.get(Hold, hold_id)

    def holds(self, *, include_released: bool = False) -> list[Hold]:
        q = select(Hold).order_by(Hold.id)
        if not include_released:
            q = q.where(Hold.released_at.is_(None))
        return list(self.s.scalars(q))

    def hold_reg_nos(self, hold_id: int) -> list[str]:
        return list(self.s.scalars(select(HoldItem.reg_no).where(HoldItem.hold_id == hold_id)
                                   .order_by(HoldItem.reg_no)))

    def add_hold(self, *, reason: str, query: str | None, placed_at: datetime, placed_by: str) -> Hold:
        hold = Hold(reason=reason, query=query, placed_at=placed_at, placed_by=placed_by)
        self.s.add(hold)
        self.s.flush()
        return hold

    def add_hold_item(self, hold_id: int, reg_no: str) -> None:
        self.s.add(HoldItem(hold_id=hold_id, reg_no=reg_no))

    def release_hold(self, hold_id: int, *, at: datetime, by: str, reason: str) -> None:
        hold = self.s.get(Hold, hold_id)
        hold.released_at, hold.released_by, hold.release_reason = at, by, reason

    # -- disposals and tombstones ------------------------------------------------------

    def secure_delete(self) -> None:
        """What this transaction deletes is overwritten, not left in free pages."""
        self.catalog.dialect.secure_delete(self.s)

    def disposals_numbered(self, prefix: str) -> int:
        return self.s.scalar(select(func.count(Disposal.id)).where(Disposal.number.like(f"{prefix}%"))) or 0

    def add_disposal(self, *, number: str, started_at: datetime, actor: str) -> Disposal:
        row = Disposal(number=number, started_at=started_at, actor=actor)
        self.s.add(row)
        self.s.flush()
        return row

    def disposal(self, disposal_id: int) -> Disposal | None:
        return self.s.get(Disposal, disposal_id)

    def count_documents(self, *, capture_id: int | None = None, archival_relpath: str | None = None,
                        excluding: Iterable[int] = ()) -> int:
        """Documents of a capture, or with an archival file, other than the ids ``excluding``."""
        q = select(func.count(Document.id)).where(Document.id.not_in(list(excluding)))
        if capture_id is not None:
            q = q.where(Document.capture_id == capture_id)
        if archival_relpath is not None:
            q = q.where(Document.archival_relpath == archival_relpath)
        return self.s.scalar(q) or 0

    def replace_by_tombstone(self, doc: Document, *, drop_capture: bool, **tombstone: Any) -> Tombstone:
        """Add the tombstone and delete the document's rows (and its capture's, if ``drop_capture`` and no
        document of it remains). Call ``forget_words`` first: the text is gone after this."""
        tomb = Tombstone(**tombstone)
        self.s.add(tomb)
        self.s.execute(delete(Page).where(Page.document_id == doc.id))
        self.s.execute(delete(RrnKey).where(RrnKey.document_id == doc.id))
        self.s.execute(delete(Retention).where(Retention.document_id == doc.id))
        self.s.execute(delete(Document).where(Document.id == doc.id))
        if drop_capture:
            self.s.execute(delete(Capture).where(Capture.id == doc.capture_id,
                                                 ~exists().where(Document.capture_id == doc.capture_id)))
        return tomb

    def forget_words(self, doc: Document) -> set[str]:
        """Remove the words of ``doc``'s title and text from the search lexicon (a destroyed record leaves
        no words behind); the words it held. Those other documents still use are read again after the
        disposal (``archive.indexing.refill_lexicon``)."""
        texts = [doc.title or "", *self.s.scalars(select(Page.text).where(Page.document_id == doc.id))]
        found = words("\n".join(texts))
        gone: set[str] = set()
        ordered = sorted(found)
        for i in range(0, len(ordered), 500):
            chunk = ordered[i:i + 500]
            gone.update(self.s.scalars(select(WordReading.word).where(WordReading.word.in_(chunk))))
            self.s.execute(delete(WordReading).where(WordReading.word.in_(chunk)))
        return gone

    def file_claimed_by(self, relpath: str) -> str | None:
        """The capture (source name) or document (reg_no) that now refers to a stored file, if any."""
        return self.s.scalar(select(Capture.source_name).where(Capture.original_relpath == relpath).limit(1)) or \
            self.s.scalar(select(Document.reg_no).where(Document.archival_relpath == relpath).limit(1))

    def unpurged_tombstones(self) -> list[Tombstone]:
        return list(self.s.scalars(select(Tombstone).where(Tombstone.purged_at.is_(None))
                                   .order_by(Tombstone.disposal_id, Tombstone.reg_no)))

    def count_unpurged(self, disposal_id: int | None = None) -> int:
        q = select(func.count()).select_from(Tombstone).where(Tombstone.purged_at.is_(None))
        if disposal_id is not None:
            q = q.where(Tombstone.disposal_id == disposal_id)
        return self.s.scalar(q) or 0

    def set_tombstone_outcome(self, reg_no: str, *, outcome: str, purged_at: datetime | None) -> None:
        t = self.s.get(Tombstone, reg_no)
        t.outcome = outcome
        if purged_at is not None:
            t.purged_at = purged_at

    def open_disposals(self) -> list[Disposal]:
        return list(self.s.scalars(select(Disposal).where(Disposal.completed_at.is_(None)).order_by(Disposal.id)))

    def tombstones_with_decisions(self, disposal_id: int) -> list[tuple[Tombstone, Decision]]:
        return [tuple(r) for r in self.s.execute(
            select(Tombstone, Decision).join(Decision, Decision.id == Tombstone.decision_id)
            .where(Tombstone.disposal_id == disposal_id).order_by(Tombstone.reg_no))]

    def complete_disposal(self, disposal_id: int, *, at: datetime, certificate: str) -> None:
        d = self.s.get(Disposal, disposal_id)
        d.completed_at, d.certificate = at, certificate
