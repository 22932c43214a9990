"""A civil-service case (민원 건): the application scanned with its 위임장 and supporting documents, all under
one receipt number (접수번호), shown together with whatever else was scanned in the same batch.

``case(arch, receipt_no)`` gives every document with that receipt number and every document of the same
captures (the same scanned batch: a 등본 whose receipt number OCR missed is still there), each marked
``in_case`` ``receipt`` or ``batch``, with its record file and re-scan links. ``lookup`` resolves what a person
typed where a registration number is expected: a standard number (19 characters) or a receipt number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..archive.layout import Archive
from ..errors import NotFound
from ..i18n import _
from .shapes import documents_json

REG_NO = re.compile(r"^[A-Z0-9]{1,8}-\d{4}-\d{6}$")


def is_reg_no(text: str) -> bool:
    return bool(REG_NO.match(text.strip().upper()))


def lookup(arch: Archive, text: str) -> list[str]:
    """The registration numbers ``text`` names: a standard number (``1234567202600012300``, hyphens allowed)
    gives its document, else a receipt number every document of it (spaces and case aside), in capture order."""
    compact = "".join(text.replace("-", " ").split())
    with arch.catalog.reading() as tx:
        if len(compact) == 19:
            doc = tx.document_by_record_no(compact)
            if doc is not None:
                return [doc.reg_no]
        return tx.reg_nos_by_receipt(text)


@dataclass
class CaseView:
    receipt_no: str
    documents: list[dict] = field(default_factory=list)  # document objects with in_case, file, superseded_by

    def as_dict(self) -> dict:
        return {"receipt_no": self.receipt_no, "count": len(self.documents), "documents": self.documents}


def case(arch: Archive, receipt_no: str) -> CaseView:
    """Every document of a receipt number and of the batches they were scanned in (NotFound: none)."""
    text = receipt_no.strip()
    with arch.catalog.reading() as tx:
        regs = tx.reg_nos_by_receipt(text) if text else []
        if not regs:
            raise NotFound(_("no document has receipt number {receipt_no!r}").format(receipt_no=text),
                           hint=_("Receipt numbers are compared without spaces; find one with `girok search "
                                  "--receipt NUMBER` or `girok search WORDS`."))
        batches = tx.batch_reg_nos(regs)
        order = {r: i for i, r in enumerate(tx.reg_nos_in_capture_order(
            {m for members in batches.values() for m in members} | set(regs)))}
        members = sorted(order, key=order.get)
        files = tx.files_of(members)
        superseded_by, supersedes = tx.supersessions(members)
    docs = documents_json(arch, members)
    own = set(regs)
    for d in docs:
        reg = d["id"]
        f = files.get(reg)
        d["in_case"] = "receipt" if reg in own else "batch"
        d["file"] = {"id": f.id, "number": f.number, "title": f.title} if f else None
        d["superseded_by"] = superseded_by.get(reg)
        d["supersedes"] = supersedes.get(reg, [])
    return CaseView(text, docs)


@dataclass
class Matches:
    """Several documents for what was typed as one (a receipt number): ``girok show`` lists them."""

    query: str
    documents: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"receipt_no": self.query, "count": len(self.documents), "documents": self.documents}


def matches(arch: Archive, query: str, reg_nos: list[str]) -> Matches:
    return Matches(query.strip(), documents_json(arch, reg_nos))
