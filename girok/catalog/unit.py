"""The unit of work: one catalog transaction, with the statements domain code may run in it.

``Catalog.transaction()`` (write lock, commit at the end or nothing) and
``Catalog.reading()`` hand out a ``Tx``. Domain code (retention, restore)
decides what to do and calls its methods with plain arguments; the SQL is
here and in the repository modules (retention_repo, records_repo) that
add methods to it. Rows come back as ORM objects of this transaction:
read them; change them only through a method.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .models import Capture, Document, Event
from .retention_models import Tombstone


def storable(value):  # noqa: ANN001, ANN201 - a str or anything else
    """A text as the catalog keeps it: U+0000 (which PostgreSQL cannot store in text, and which means nothing
    in a page's text) becomes U+FFFD, on every backend alike. Anything but a str is returned as it is."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value


class TxBase:
    def __init__(self, session: Session, catalog):  # noqa: ANN001
        self.s = session
        self.catalog = catalog

    def append_event(self, *, at: datetime, actor: str, action: str, reg_no: str | None,
                     detail: dict[str, Any]) -> Event:
        """Append to the audit chain in this transaction (see audit.append)."""
        return audit.append(self.s, at=at, actor=actor, action=action, reg_no=reg_no, detail=detail)

    # -- lookups shared by every kind of work --------------------------------------------

    def document(self, reg_no: str) -> Document | None:
        return self.s.scalars(select(Document).where(Document.reg_no == reg_no)).first()

    def documents(self, reg_nos: Iterable[str]) -> dict[str, Document]:
        """reg_no -> live document, for those of ``reg_nos`` that exist."""
        wanted = list(reg_nos)
        return {d.reg_no: d for d in self.s.scalars(select(Document).where(Document.reg_no.in_(wanted)))}

    def documents_by_id(self, reg_nos: Iterable[str]) -> list[Document]:
        """The live documents among ``reg_nos``, in the order they were captured."""
        return list(self.s.scalars(select(Document).where(Document.reg_no.in_(list(reg_nos)))
                                   .order_by(Document.id)))

    def capture_by_sha(self, sha256: str) -> Capture | None:
        return self.s.scalars(select(Capture).where(Capture.sha256 == sha256)).first()

    def tombstone(self, reg_no: str) -> Tombstone | None:
        return self.s.get(Tombstone, reg_no)
