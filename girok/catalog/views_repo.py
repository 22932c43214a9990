"""The catalog's reads for the web front end's pages: activity per hot folder and scanner profile, documents that
share a receipt number, and the disposals with their certificates. Methods of the unit of work (``Tx``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from .models import Capture, Document, Page
from .retention_models import Disposal
from .unit import TxBase


class ViewsTx(TxBase):
    def activity_since(self, since: datetime) -> list[tuple]:
        """(captured_at, hot folder, profile, pages, mean OCR confidence or None) of every document captured at
        or after ``since`` (naive UTC), oldest first; grouping by day is left to the caller (days are local)."""
        conf = (select(Page.document_id, func.avg(Page.confidence).label("conf"))
                .group_by(Page.document_id).subquery())
        rows = self.s.execute(
            select(Document.captured_at, Capture.hot_folder, Capture.profile, Document.page_count, conf.c.conf)
            .join(Capture, Capture.id == Document.capture_id)
            .outerjoin(conf, conf.c.document_id == Document.id)
            .where(Document.captured_at >= since).order_by(Document.id))
        return [tuple(r) for r in rows]

    def same_receipt(self, reg_no: str, limit: int = 50) -> list[dict]:
        """The other live documents with the receipt number of ``reg_no`` (none without one), newest first:
        ``reg_no`` and ``rescan_suggested`` (the app layer gives each as its document object)."""
        receipt = self.s.scalar(select(Document.receipt_no).where(Document.reg_no == reg_no))
        if not receipt:
            return []
        rows = self.s.execute(select(Document.reg_no, Document.rescan_suggested)
                              .where(Document.receipt_no == receipt, Document.reg_no != reg_no)
                              .order_by(Document.id.desc()).limit(limit))
        return [r._asdict() for r in rows]

    def disposals(self, limit: int = 200) -> list[Disposal]:
        """Disposal runs, newest first."""
        return list(self.s.scalars(select(Disposal).order_by(Disposal.id.desc()).limit(limit)))

    def disposal_by_number(self, number: str) -> Disposal | None:
        return self.s.scalars(select(Disposal).where(Disposal.number == number)).first()
