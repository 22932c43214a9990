"""What every search engine behind ``SearchIndex`` takes and gives.

An engine (Whoosh, Tantivy) stores ``IndexDoc``s in one folder and answers
a parsed query (``girok.search.query``) with ``StoredHit``s; the facade in
``index.py`` adds snippets, paging and the schema-version check, so every
engine gives the same results in the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Protocol

from .analysis import index_text, morph_text

SORTS = ("relevance", "newest", "oldest")


@dataclass
class IndexDoc:
    reg_no: str
    title: str
    doc_type: str
    source: str
    captured: datetime
    pages: int
    text: str
    profile: str = ""
    doc_date: date | None = None
    office: str = ""
    receipt_no: str = ""
    retention: str = ""
    morphs: str | None = None  # Kiwi nouns of title and text (kept in the catalog); None: analyse now

    @property
    def date(self) -> date:
        """The date a search filters and sorts on: the filing date on the document, else the capture day."""
        return self.doc_date or self.captured.date()

    def fields(self) -> dict:
        """The values an engine indexes: RRNs masked, receipt numbers normalized."""
        morphs = self.morphs if self.morphs is not None else morph_text(self.title + "\n" + self.text)
        return {
            "reg_no": self.reg_no, "title": index_text(self.title), "doc_type": self.doc_type,
            "source": index_text(self.source), "captured": self.captured, "pages": self.pages,
            "content": index_text(self.text), "profile": self.profile, "date": self.date,
            "office": self.office, "receipt": normalize_receipt(self.receipt_no),
            "retention": self.retention, "morph": morphs,
        }


def normalize_receipt(value: str) -> str:
    return "".join(value.split()).lower()


@dataclass
class StoredHit:
    """What an engine returns for one matching document."""

    reg_no: str
    title: str
    doc_type: str
    source: str
    captured: datetime
    date: date
    pages: int
    content: str
    office: str
    receipt: str
    retention: str
    score: float


@dataclass
class Hit:
    reg_no: str
    title: str
    doc_type: str
    date: str
    office: str
    receipt_no: str
    retention: str
    source: str
    captured: str
    pages: int
    score: float
    snippet: str
    applicant: str = ""  # masked (홍*동); the index does not hold it: girok.app.documents.search fills it in

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class SearchResult:
    total: int
    offset: int
    limit: int
    hits: list[Hit] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"total": self.total, "offset": self.offset, "limit": self.limit,
                "hits": [h.as_dict() for h in self.hits]}


class Engine(Protocol):
    """One index folder of one engine. ``create`` makes it empty; the facade owns the folder's life."""

    name: str

    def __init__(self, path: Path): ...

    def create(self) -> None: ...

    def add(self, docs: Iterable[IndexDoc]) -> int:
        """Add or replace (by reg_no) documents; one commit."""

    def delete(self, reg_nos: Iterable[str]) -> None: ...

    def compact(self) -> bool:
        """Rewrite the index's files without deleted documents (True), or say it cannot (False)."""

    def bulk(self):
        """A writer for a full build: ``with engine.bulk() as w: w.add(doc)``; on error nothing is kept."""

    def doc_count(self) -> int: ...

    def morph_terms_known(self, words: Iterable[str]) -> set[str]:
        """Those of ``words`` (as ``analysis.morph_key`` spells them) that are terms of the ``morph``
        field: nouns Kiwi read in some document. A term look-up per word; cheap."""

    def text_terms_known(self, terms: Iterable[str]) -> set[str]:
        """Those of ``terms`` (index tokens: bigrams, lower-cased Latin words) found in ``content``
        or ``title``."""

    def search(self, node, *, limit: int, offset: int, sort: str) -> tuple[int, list[StoredHit]]:
        """(total matching, the hits of this page), sorted by ``sort`` (one of SORTS)."""
