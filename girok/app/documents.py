"""Finding and reading documents: show (with its view event and a disposed document's tombstone), full-text
search (with its search event) and the exact 주민등록번호 look-up (audited).

Each use case takes plain arguments and returns plain data with one JSON shape (``as_dict``); the CLI and a
web front end render the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..archive.layout import RRN_KEY_NAME, Archive
from ..errors import NotFound, UsageError
from ..text.pii import find_rrns, mask_rrn
from ..i18n import _
from .shapes import document_json, documents_json


@dataclass
class DocumentView:
    """The public shape of a document (``girok show --json``): the full document object of ``app.shapes``
    (``id``, ``title``, ``type``, ``date``, ..., ``source``, ``qr``, hashes, conversion; ``text`` when asked)."""

    data: dict

    @property
    def id(self) -> str:
        return self.data["id"]

    def as_dict(self) -> dict:
        return self.data


def document_view(doc, *, with_text: bool = False, tz=None, retention=None) -> DocumentView:
    """The view of a catalogued document (RRNs masked in the title and the text; times in ``tz``, default
    Korean time, with their offset)."""
    return DocumentView(document_json(doc, tz=tz, retention=retention, full=True, with_text=with_text))


@dataclass
class TombstoneView:
    """What remains of a lawfully disposed document, and the error (exit 6) a front end reports with it."""

    data: dict
    error: NotFound

    def as_dict(self) -> dict:
        return self.data


def show(arch: Archive, reg_no: str, *, with_text: bool = False):
    """A document by registration number; reading its text is an access the audit trail keeps.

    A disposed document gives its tombstone (with the Disposed error to report); an unknown number raises
    NotFound. What is not a registration number is looked up as a standard number (19 characters) or a
    receipt number (접수번호): one document is shown, several are returned as ``app.cases.Matches`` to list.
    """
    from .cases import is_reg_no, lookup, matches

    if not is_reg_no(reg_no):
        found = lookup(arch, reg_no)
        if len(found) > 1:
            return matches(arch, reg_no, found)
        if not found:
            raise NotFound(_("no document with registration number, standard number or receipt number "
                             "{text!r}").format(text=reg_no.strip()),
                           hint=_("Registration numbers look like {example}; find documents with `girok search`.")
                           .format(example=f"{arch.config.id_prefix}-2026-000123"))
        reg_no = found[0]
    reg_no = reg_no.strip().upper()  # sc-2026-000007 is SC-2026-000007
    try:
        doc = arch.catalog.get(reg_no)
    except NotFound:
        from ..retention.disposal import tombstone
        from ..retention.schedule import missing

        tomb = tombstone(arch, reg_no, tz=arch.tz)
        if tomb is None:
            raise
        return TombstoneView(data=tomb, error=missing(arch, reg_no))
    with arch.catalog.reading() as tx:
        ret = tx.retention_by_reg_no(doc.reg_no)
    view = document_view(doc, with_text=with_text, tz=arch.tz, retention=ret)
    if with_text:
        arch.catalog.add_event("view", reg_no=doc.reg_no, what="text")
    return view


# --- search -------------------------------------------------------------------------------------------


@dataclass
class SearchRequest:
    """A search as a person asks it: words in the query language, optional filters, order and page."""

    text: str = ""
    doc_type: str | None = None
    office: str | None = None
    date: str | None = None  # 2023, 2023-03, 2023-01-01..2023-06-30, ..2023-12-31
    retention: str | None = None
    receipt: str | None = None
    sort: str = "relevance"
    limit: int = 10
    page: int = 1


@dataclass
class SearchPage:
    """One page of results: hits in rank order (``rank`` counts from 1 over all pages) and the total."""

    hits: list  # search.base.Hit
    total: int
    offset: int
    page: int
    limit: int
    rrn_in_query: bool = False  # a 주민등록번호 was typed as a word: only `--rrn` finds it (the index holds none)
    documents: list[dict] = field(default_factory=list)  # each hit's document object (app.shapes), in hit order

    @property
    def pages(self) -> int:
        return (self.total + self.limit - 1) // self.limit

    @property
    def last(self) -> int:
        return min(self.offset + len(self.hits), self.total)

    def rows(self) -> list[dict]:
        """One object a hit: the document object (summary) with ``rank`` (from 1 over all pages), ``total``,
        ``score`` and ``snippet`` (matched words in ``[[...]]``, RRNs masked)."""
        return [{**doc, "rank": rank, "total": self.total, "score": h.score, "snippet": h.snippet}
                for rank, (h, doc) in enumerate(zip(self.hits, self.documents), start=self.offset + 1)]

    def as_dict(self) -> dict:
        return {"total": self.total, "page": self.page, "pages": self.pages, "limit": self.limit,
                "hits": self.rows()}


def search(arch: Archive, req: SearchRequest) -> SearchPage:
    """Full-text search with filters, sorting and paging; the search is recorded in the audit trail."""
    from ..search import query as q

    filters = [q.Filter(name, value) for name, value in
               (("type", req.doc_type), ("office", req.office), ("retention", req.retention),
                ("receipt", req.receipt)) if value]
    if req.date:
        filters.append(q.parse_date_range(req.date))
    text = req.text.strip()
    if not text and not filters:
        raise UsageError(_("give words to search for, a filter, or --rrn NUMBER"),
                         hint=_("e.g. girok search 민원실, or girok search --type 위임장"))
    node = q.parse(text) if text else q.All()
    offset = (req.page - 1) * req.limit
    result = arch.index.find(node, limit=req.limit, offset=offset, sort=req.sort, filters=filters)
    hits = result.hits
    documents = documents_json(arch, [h.reg_no for h in hits])  # one catalog query for the page
    by_id = {d["id"]: d for d in documents}
    for h in hits:  # titles are masked when archived; a title from an older girok is masked here too
        h.title = mask_rrn(h.title)
        h.applicant = by_id.get(h.reg_no, {}).get("applicant", "")  # masked, as in the document object
        h.snippet = mask_rrn(h.snippet)
    extra = {"filters": [mask_rrn(_filter_text(f)) for f in filters]} if filters else {}
    if result.total > len(hits):
        extra["total"] = result.total
    arch.catalog.add_event("search", reg_no=",".join(h.reg_no for h in hits) or None,
                           query=mask_rrn(text), hits=len(hits), **extra)
    return SearchPage(hits=hits, total=result.total, offset=result.offset, page=req.page, limit=req.limit,
                      rrn_in_query=bool(find_rrns(text)), documents=documents)


def _filter_text(f) -> str:
    """A filter as the query language writes it (type:위임장, date:2023-01-01..2023-12-31), for the audit trail."""
    if hasattr(f, "name"):
        return f"{f.name}:{f.value}"
    start, end = (d.isoformat() if d else "" for d in (f.start, f.end))
    return f"date:{start}..{end}"


@dataclass
class RrnLookup:
    """The documents that hold one 주민등록번호, found through its keyed hash; the number only masked."""

    masked: str
    rows: list[dict] = field(default_factory=list)  # document objects (app.shapes summary)

    def json_rows(self) -> list[dict]:
        """One object a document, ranked as search hits are: the document object with ``rank`` and ``total``."""
        return [{**row, "rank": i, "total": len(self.rows)} for i, row in enumerate(self.rows, start=1)]

    def as_dict(self) -> dict:
        return {"rrn": self.masked, "documents": self.rows}


@dataclass(frozen=True)
class RrnQuery:
    """A 주민등록번호 to look up, without the number: its keyed hash (what the catalog is searched by) and its
    masked form (what is shown). What a front end keeps between asking and looking up (a web session)."""

    hmac: str
    masked: str


def rrn_query(arch: Archive, rrn: str) -> RrnQuery:
    """The look-up of ``rrn`` (YYMMDD-NNNNNNN, any spelling), its number kept nowhere."""
    from ..text.pii import load_or_create_secret, normalize_rrn, rrn_hmac

    try:
        digits = normalize_rrn(rrn)
    except ValueError:
        raise UsageError(_("that is not a 주민등록번호 (13 digits, YYMMDD-GNNNNNN)")) from None
    return RrnQuery(hmac=rrn_hmac(digits, load_or_create_secret(arch.root / RRN_KEY_NAME)),
                    masked=mask_rrn(f"{digits[:6]}-{digits[6:]}"))


def rrn_lookup(arch: Archive, rrn: str | RrnQuery) -> RrnLookup:
    """Exact look-up by 주민등록번호 (YYMMDD-NNNNNNN, or a prepared ``RrnQuery``) through the archive's keyed
    hash; always audited."""
    query = rrn if isinstance(rrn, RrnQuery) else rrn_query(arch, rrn)
    reg_nos = arch.catalog.reg_nos_by_rrn_hmac(query.hmac)
    arch.catalog.add_event("rrn-lookup", reg_no=",".join(reg_nos) or None, rrn=query.masked, hits=len(reg_nos))
    live = arch.catalog.get_many(reg_nos)
    return RrnLookup(masked=query.masked, rows=documents_json(arch, [r for r in reg_nos if r in live]))
