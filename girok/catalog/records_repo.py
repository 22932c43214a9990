"""The catalog's side of moving records between archives (bags): column descriptions and the restore writes.

``columns(kind)`` describes the columns of a record's parts ("capture",
"document", "page", "retention") as plain data, leaving out those that
belong to one catalog and are set anew on import, so that fields added to
the catalog later travel in bags without changes to archive.restore.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy import select

from .models import Capture, Counter, Document, Page
from .retention_models import Retention
from .unit import TxBase, storable

MODELS = {"capture": Capture, "document": Document, "page": Page, "retention": Retention}

# Columns that belong to one catalog and are set anew on import.
LOCAL = {
    "capture": {"id", "original_relpath"},
    "document": {"id", "capture_id", "archival_relpath", "indexed_at", "record_no"},  # record_no: numbered anew by each archive
    "page": {"id", "document_id"},
    "retention": {"document_id"},
}


@dataclass(frozen=True)
class Column:
    key: str
    python_type: type
    nullable: bool
    has_default: bool


def columns(kind: str) -> list[Column]:
    return [Column(c.key, c.type.python_type, bool(c.nullable), c.default is not None or c.server_default is not None)
            for c in sa.inspect(MODELS[kind]).columns if c.key not in LOCAL[kind]]


def _storable(values: dict[str, Any]) -> dict[str, Any]:
    """Texts as the catalog keeps them (see unit.storable): a bag from an older catalog may hold U+0000."""
    return {k: storable(v) for k, v in values.items()}


class RecordsTx(TxBase):
    def reg_nos_of_capture(self, capture_id: int) -> set[str]:
        return set(self.s.scalars(select(Document.reg_no).where(Document.capture_id == capture_id)))

    def add_capture(self, **values: Any) -> Capture:
        row = Capture(**_storable(values))
        self.s.add(row)
        self.s.flush()
        return row

    def add_document(self, **values: Any) -> Document:
        row = Document(**_storable(values))
        self.s.add(row)
        self.s.flush()
        return row

    def add_pages(self, document_id: int, pages: Iterable[dict[str, Any]]) -> None:
        self.s.add_all(Page(**_storable(p), document_id=document_id) for p in pages)

    def add_retention_row(self, document_id: int, values: dict[str, Any]) -> None:
        self.s.add(Retention(**_storable(values), document_id=document_id))

    def counter_at_least(self, prefix: str, year: int, last: int) -> None:
        """Move the registration counter of (prefix, year) to at least ``last``: never issue a number twice."""
        row = self.s.get(Counter, (prefix, year))
        if row is None:
            self.s.add(Counter(prefix=prefix, year=year, last=last))
        elif row.last < last:
            row.last = last
        self.s.flush()

    def flush(self) -> None:
        self.s.flush()
