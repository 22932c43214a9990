"""What is due (the list the records evaluation committee reviews) and recording its decisions.

``review`` lists every document whose retention period has run out as of a
date, grouped by class and type, with documents on hold and documents
already approved for disposal listed apart. The list is kept in the
catalog (``reviews``/``review_items``) so that ``decide`` can refuse a
decision file that does not match what the committee was shown. The same
list twice is the same review (its digest), so re-running is harmless.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from ..catalog import repository as catalog
from ..catalog.repository import Tx
from .schedule import CLASSES, classify_unclassified, korean_date

log = logging.getLogger(__name__)


@dataclass
class Item:
    reg_no: str
    doc_type: str
    title: str
    retention_class: str
    completed_on: date
    due_on: date
    captured_at: datetime
    holds: list[tuple[int, str]] = field(default_factory=list)
    receipt_no: str = ""  # 접수번호 (RRNs masked)
    applicant: str = ""  # 신청인, masked (홍*동)
    file_no: str = ""  # the record file (기록물철) it is filed in: classification number and title
    file_title: str = ""

    def key(self) -> list:
        return [self.reg_no, self.doc_type, self.retention_class, self.completed_on.isoformat(),
                self.due_on.isoformat()]

    def as_dict(self) -> dict:
        d = {"id": self.reg_no, "class": self.retention_class, "type": self.doc_type, "title": self.title,
             "completed_on": self.completed_on.isoformat(), "due_on": self.due_on.isoformat(),
             "captured_on": korean_date(self.captured_at).isoformat(),  # the day in Korea, as completed_on
             "receipt_no": self.receipt_no, "applicant": self.applicant, "file_no": self.file_no,
             "file_title": self.file_title}
        if self.holds:
            d["holds"] = [{"hold": h, "reason": r} for h, r in self.holds]
        return d


@dataclass
class ReviewList:
    id: int
    as_of: date
    digest: str
    created: bool
    due: list[Item]
    held: list[Item]
    approved: list[Item]  # approved for disposal earlier, not yet disposed of

    def files(self) -> list[tuple[str, str, list[Item]]]:
        """(classification number, title, due items) of every record file with due items: the committee may
        decide on a whole file (its row in the review file) instead of item by item."""
        by: dict[str, list[Item]] = {}
        for i in self.due:
            if i.file_no:
                by.setdefault(i.file_no, []).append(i)
        return [(no, items[0].file_title, items) for no, items in sorted(by.items())]

    def groups(self) -> list[tuple[str, str, list[Item]]]:
        return [(cls, typ, list(items)) for (cls, typ), items in
                groupby(self.due, key=lambda i: (i.retention_class, i.doc_type))]


def _order(item: Item):
    return CLASSES.index(item.retention_class), item.doc_type, item.reg_no


def digest(as_of: date, due: list[Item]) -> str:
    payload = json.dumps([as_of.isoformat(), [i.key() for i in due]], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def due_items(tx: Tx, as_of: date) -> list[Item]:
    """Every live document whose period has run out by ``as_of`` and that is not deferred past it."""
    rows = tx.due_rows(as_of)
    items = [Item(r.reg_no, r.doc_type, r.title, r.retention_class, r.completed_on, r.due_on, r.captured_at,
                  receipt_no=r.receipt_no or "", applicant=r.applicant or "") for r in rows]
    return sorted(items, key=_order)


def pending_disposals(tx: Tx, reg_nos: list[str]) -> set[str]:
    return tx.pending_dispose_reg_nos(reg_nos)


def review(arch, as_of: date) -> ReviewList:
    """List what is due as of ``as_of`` and keep the list; the same list again reuses its review."""
    from ..text.pii import mask_name, mask_rrn

    classify_unclassified(arch)
    at = catalog.now()
    with arch.catalog.transaction("the review") as tx:
        items = due_items(tx, as_of)
        files = tx.files_of([i.reg_no for i in items])
        for i in items:
            i.title, i.receipt_no, i.applicant = mask_rrn(i.title), mask_rrn(i.receipt_no), mask_name(i.applicant)
            if i.reg_no in files:
                i.file_no, i.file_title = files[i.reg_no].number, mask_rrn(files[i.reg_no].title)
        regs = [i.reg_no for i in items]
        held, approved = tx.active_holds(regs), pending_disposals(tx, regs)
        for i in items:
            i.holds = held.get(i.reg_no, [])
        due = [i for i in items if not i.holds and i.reg_no not in approved]
        apart_held = [i for i in items if i.holds]
        apart_approved = [i for i in items if not i.holds and i.reg_no in approved]
        dig = digest(as_of, due)
        row = tx.review_by_digest(dig)
        created = row is None
        if created:
            row = tx.add_review(as_of=as_of, created_at=at, actor=catalog.actor(), digest=dig, items=[
                {"reg_no": i.reg_no, "doc_type": i.doc_type, "retention_class": i.retention_class,
                 "completed_on": i.completed_on, "due_on": i.due_on} for i in due])
            tx.append_event(at=at, actor=row.actor, action="retention-review", reg_no=None,
                         detail={"review": row.id, "as_of": as_of.isoformat(), "due": len(due),
                                 "held": len(apart_held), "approved": len(apart_approved), "digest": dig})
            log.info("review %d as of %s: %d due, %d held, %d approved and awaiting disposal",
                     row.id, as_of, len(due), len(apart_held), len(apart_approved))
        return ReviewList(row.id, as_of, dig, created, due, apart_held, apart_approved)
