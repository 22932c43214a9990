"""Legal holds (litigation, audit, an order not to dispose): held documents are never due, never disposed of.

A hold names its documents when it is placed, by registration number or by
a search query (resolved then; documents captured later are not added).
A document is held while any hold naming it is active. Placing and
releasing a hold are audit events, one per document, with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from ..text.times import local_iso
from ..errors import NotFound, UsageError
from ..catalog import repository as catalog
from ..catalog.repository import Tx
from ..catalog.retention_models import Hold
from .schedule import live_documents
from ..i18n import _

log = logging.getLogger(__name__)

QUERY_LIMIT = 10000  # a query matching more is surely too broad for a hold


@dataclass
class HoldInfo:
    id: int
    reason: str
    query: str | None
    placed_at: datetime
    placed_by: str
    released_at: datetime | None = None
    released_by: str | None = None
    release_reason: str | None = None
    documents: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.released_at is None

    def as_dict(self, tz=None) -> dict:
        """The hold; ``documents`` its registration numbers (the app layer gives document objects instead);
        times in ``tz`` (default Korean time) with the offset."""
        d = {k: v for k, v in self.__dict__.items() if k != "documents"}
        for k in ("placed_at", "released_at"):
            d[k] = local_iso(d[k], tz) if d[k] else None
        return {**d, "active": self.active, "count": len(self.documents), "documents": self.documents}


def _info(tx: Tx, h: Hold) -> HoldInfo:
    docs = tx.hold_reg_nos(h.id)
    return HoldInfo(h.id, h.reason, h.query, h.placed_at, h.placed_by, h.released_at, h.released_by,
                    h.release_reason, docs)


def active_holds(tx: Tx, reg_nos: Iterable[str] | None = None) -> dict[str, list[tuple[int, str]]]:
    """reg_no -> [(hold id, reason)] for every document under an active hold (or only those named)."""
    return tx.active_holds(reg_nos)


def _query_reg_nos(arch, query: str) -> list[str]:
    hits = arch.index.search(query, limit=QUERY_LIMIT)
    if len(hits) >= QUERY_LIMIT:
        raise UsageError(_("the query {query!r} matches {query_limit} or more documents").format(
                             query=query, query_limit=QUERY_LIMIT),
                         hint=_("Narrow the query, or name the documents with --id."))
    if not hits:
        raise NotFound(_("no documents match {query!r}").format(query=query), hint=_("Check the query with `girok search` first."))
    return [h.reg_no for h in hits]


def add_hold(arch, *, reason: str, reg_nos: list[str] = (), query: str | None = None,
             dry_run: bool = False) -> HoldInfo:
    """Place a hold on the named documents, or on those the query finds now."""
    if not reason.strip():
        raise UsageError(_("a hold needs a reason"), hint=_("Give --reason, e.g. --reason \"소송 2026가합1234\"."))
    if bool(reg_nos) == bool(query):
        raise UsageError(_("name the documents to hold with --id or with --query (one of them)"))
    wanted = list(reg_nos) if reg_nos else _query_reg_nos(arch, query)
    at = catalog.now()
    with arch.catalog.transaction("the hold") as tx:
        # A query may find index entries of documents since disposed of: hold only live ones.
        docs = live_documents(tx, wanted) if reg_nos else tx.documents_by_id(wanted)
        if not docs:
            raise NotFound(_("no documents match {query!r}").format(query=query))
        if dry_run:  # what would be held; hold number 0 is never used
            return HoldInfo(0, reason.strip(), query, at, catalog.actor(), documents=[d.reg_no for d in docs])
        hold = tx.add_hold(reason=reason.strip(), query=query, placed_at=at, placed_by=catalog.actor())
        info = HoldInfo(hold.id, hold.reason, query, at, hold.placed_by, documents=[d.reg_no for d in docs])
        for d in docs:
            tx.add_hold_item(hold.id, d.reg_no)
            tx.append_event(at=at, actor=hold.placed_by, action="hold-add", reg_no=d.reg_no,
                         detail={"hold": hold.id, "reason": hold.reason, "query": query})
    log.info("hold %d placed on %d document(s): %s", info.id, len(info.documents), info.reason)
    return info


def release_hold(arch, hold_id: int, *, reason: str) -> tuple[HoldInfo, bool]:
    """Release a hold; (the hold, whether it was released now). Releasing a released hold changes nothing."""
    if not reason.strip():
        raise UsageError(_("releasing a hold needs a reason"), hint=_("Give --reason, e.g. --reason \"판결 확정\"."))
    at = catalog.now()
    with arch.catalog.transaction("the release of a hold") as tx:
        hold = tx.hold(hold_id)
        if hold is None:
            raise NotFound(_("no hold with number {hold_id}").format(hold_id=hold_id), hint=_("See the holds with `girok hold list --all`."))
        if hold.released_at is not None:
            return _info(tx, hold), False
        tx.release_hold(hold.id, at=at, by=catalog.actor(), reason=reason.strip())
        info = _info(tx, hold)
        for reg in info.documents:
            tx.append_event(at=at, actor=hold.released_by, action="hold-release", reg_no=reg,
                         detail={"hold": hold.id, "reason": hold.release_reason})
    log.info("hold %d released (%d document(s)): %s", hold_id, len(info.documents), reason)
    return info, True


def list_holds(arch, *, include_released: bool = False) -> list[HoldInfo]:
    with arch.catalog.reading() as tx:
        return [_info(tx, h) for h in tx.holds(include_released=include_released)]

