"""Records as plain data and back: what a bag carries for each document, and restoring it.

``to_record`` turns a catalogued document (with its capture, pages and
retention class) into JSON-ready data, column by column, so fields added to
the catalog later travel too. ``parse_record`` checks such data and converts it back to column
values. ``restore`` writes parsed records into a catalog in one transaction
with the ``import`` event: documents keep their registration numbers, and the
counters move past them so a number is never issued twice.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ..errors import BagRejected
from ..catalog import repository
from ..catalog.records_repo import LOCAL, Column, columns
from ..catalog.repository import Catalog, Tx
from ..catalog.models import Capture, Document
from ..text.periods import CLASSES
from ..catalog.retention_models import Retention
from ..i18n import _

REG_NO_RE = re.compile(r"^([A-Z0-9]{1,8})-(\d{4})-(\d{6,9})$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (datetime, date)) else value


def _row(obj, kind: str) -> dict[str, Any]:
    return {c.key: _plain(getattr(obj, c.key)) for c in columns(kind)}


def to_record(doc: Document, retention: Retention | None = None) -> dict[str, Any]:
    """A document with its capture and pages (loaded) and its retention row as JSON-ready data."""
    return {"document": _row(doc, "document"), "capture": _row(doc.capture, "capture"),
            "pages": [_row(p, "page") for p in doc.pages],
            "retention": _row(retention, "retention") if retention is not None else None}


def retention_of(catalog: Catalog, doc: Document) -> Retention | None:
    return catalog.retention_of(doc.id)


PART_KEY = "part_of_original"  # in a document's metadata_json: its capture holds only these pages of that original


def _meta(metadata_json: str | None) -> dict:
    try:
        meta = json.loads(metadata_json or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def pages_in_original(first_page: int, page_count: int, metadata_json: str | None) -> list[int]:
    """A document's 1-based pages in its original (a batch drops separator and blank pages between documents)."""
    pages = _meta(metadata_json).get("pages_in_original")
    if isinstance(pages, list) and pages and all(isinstance(p, int) and not isinstance(p, bool) and p >= 1
                                                 for p in pages):
        return pages
    return list(range(first_page, first_page + page_count))


def part_of_original(metadata_json: str | None) -> dict | None:
    """{"sha256", "pages"} when the document's capture is only its own pages of a larger original (from a bag)."""
    part = _meta(metadata_json).get(PART_KEY)
    return part if isinstance(part, dict) and SHA256_RE.match(str(part.get("sha256", ""))) else None


def with_part(metadata_json: str | None, sha256: str, pages: list[int]) -> str:
    """``metadata_json`` recording that the capture stored with the document is ``pages`` of original ``sha256``."""
    return json.dumps({**_meta(metadata_json), PART_KEY: {"sha256": sha256, "pages": pages}}, ensure_ascii=False)


def _original_shas(capture_sha256: str, metadata_json: str | None) -> set[str]:
    """The originals a document can say it came from: its capture's and, for a part, the whole one's."""
    part = part_of_original(metadata_json)
    return {capture_sha256, part["sha256"]} if part else {capture_sha256}


@dataclass
class Record:
    document: dict[str, Any]
    capture: dict[str, Any]
    pages: list[dict[str, Any]]
    retention: dict[str, Any] | None = None  # None: classified by this archive's schedule later
    unknown: set[str] = field(default_factory=set)  # fields this girok does not have (from a newer one)

    @property
    def reg_no(self) -> str:
        return self.document["reg_no"]


def _value(col: Column, v: Any, where: str) -> Any:
    if v is None:
        if col.nullable:
            return None
        raise ValueError(f"{where}.{col.key} must not be empty")
    kind = col.python_type
    try:
        if kind is datetime:
            at = datetime.fromisoformat(v)
            return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at
        if kind is date:
            return date.fromisoformat(v)
    except (TypeError, ValueError):
        raise ValueError(f"{where}.{col.key} is not a date: {v!r}") from None
    ok = {bool: lambda x: isinstance(x, bool), int: lambda x: isinstance(x, int) and not isinstance(x, bool),
          float: lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
          str: lambda x: isinstance(x, str)}.get(kind, lambda x: True)
    if not ok(v):
        raise ValueError(f"{where}.{col.key} should be {kind.__name__}, got {type(v).__name__}")
    return float(v) if kind is float else v


def _parse_row(data: Any, kind: str, where: str, unknown: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"{where} is not an object")
    cols = {c.key: c for c in columns(kind)}
    unknown.update(f"{where}.{k}" for k in data if k not in cols and k not in LOCAL[kind])
    row = {}
    for key, col in cols.items():
        if key in data:
            row[key] = _value(col, data[key], where)
        elif not col.nullable and not col.has_default:
            raise ValueError(f"{where}.{key} is missing")
    return row


def parse_record(data: Any) -> Record:
    """Check a record as exported by ``to_record``; raises ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("the record is not an object")
    unknown: set[str] = set()
    doc = _parse_row(data.get("document"), "document", "document", unknown)
    cap = _parse_row(data.get("capture"), "capture", "capture", unknown)
    pages = data.get("pages")
    if not isinstance(pages, list):
        raise ValueError("pages is not a list")
    rows = [_parse_row(p, "page", f"pages[{i}]", unknown) for i, p in enumerate(pages)]
    if not REG_NO_RE.match(doc["reg_no"]):
        raise ValueError(f"document.reg_no {doc['reg_no']!r} is not a registration number")
    for where, sha in (("document.archival_sha256", doc["archival_sha256"]), ("capture.sha256", cap["sha256"])):
        if not SHA256_RE.match(sha):
            raise ValueError(f"{where} is not a SHA-256")
    numbers = [p["page_no"] for p in rows]
    if len(set(numbers)) != len(numbers) or any(n < 1 for n in numbers):
        raise ValueError("page numbers must be distinct and start at 1")
    retention = None
    if data.get("retention") is not None:
        retention = _parse_row(data["retention"], "retention", "retention", unknown)
        if retention["retention_class"] not in CLASSES:
            raise ValueError(f"retention.retention_class {retention['retention_class']!r} is not a retention class")
    return Record(doc, cap, rows, retention, unknown)


# --- writing -------------------------------------------------------------------------


@dataclass
class Incoming:
    record: Record
    original_relpath: str  # where the original now is in this archive's store
    archival_relpath: str


@dataclass
class RestoreResult:
    imported: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)  # already here, identical: left alone


def _state(tx: Tx, rec: Record, bag_regs: set[str]) -> tuple[str, Capture | None]:
    """("new" | "present", the existing capture to attach to); raises BagRejected on a conflict."""
    reg = rec.reg_no
    if tx.tombstone(reg) is not None:  # lawfully disposed of here
        raise BagRejected(_("{reg} was disposed of in this archive; its number cannot come back").format(reg=reg),
                          hint=_("Nothing was imported. Leave this document out of the bag, or import it elsewhere."))
    doc = tx.document(reg)
    cap = tx.capture_by_sha(rec.capture["sha256"])
    if doc is not None:
        # the same document, whether it or this record came with the whole original or with its own pages of it
        same_original = _original_shas(doc.capture.sha256, doc.metadata_json) & _original_shas(
            rec.capture["sha256"], rec.document.get("metadata_json"))
        if doc.archival_sha256 == rec.document["archival_sha256"] and same_original:
            return "present", doc.capture
        raise BagRejected(_("{reg} already exists in this archive with other content").format(reg=reg),
                          hint=_("Nothing was imported. A registration number is never reused; import this bag into "
                                 "another archive, or ask the sender."))
    siblings = tx.reg_nos_of_capture(cap.id) if cap else set()
    if cap is not None and not siblings & bag_regs and _overlaps(cap, rec):
        other = ", ".join(sorted(siblings)) or "a capture without documents"
        raise BagRejected(_("the original of {reg} is already archived here as {other}").format(reg=reg, other=other),
                          hint=_("Nothing was imported. The same scan is already a record here; decide with the "
                                 "sender which registration number stands."))
    return "new", cap


def _overlaps(cap: Capture, rec: Record) -> bool:
    """Whether the record claims pages of the original that a document here already has (the same scan
    catalogued under two numbers) rather than other pages of it (another document of the same batch)."""
    d = rec.document
    mine = set(pages_in_original(d["first_page"], d["page_count"], d.get("metadata_json")))
    return any(mine & set(pages_in_original(o.first_page, o.page_count, o.metadata_json)) for o in cap.documents) \
        or not cap.documents


def check_conflicts(catalog: Catalog, records: list[Record]) -> list[str]:
    """Registration numbers already present (identical); raises BagRejected on any conflict."""
    regs = {r.reg_no for r in records}
    with catalog.reading() as tx:
        return [r.reg_no for r in records if _state(tx, r, regs)[0] == "present"]


def _bump_counter(tx: Tx, reg_no: str) -> None:
    prefix, year, n = REG_NO_RE.match(reg_no).groups()
    tx.counter_at_least(prefix, int(year), int(n))


def restore(catalog: Catalog, items: list[Incoming], *, detail: dict[str, Any]) -> RestoreResult:
    """Write the records and the ``import`` event in one transaction, or nothing."""
    result = RestoreResult()
    regs = {it.record.reg_no for it in items}
    with catalog.transaction("the imported records", refused="the catalog refused the imported records") as tx:
        for it in items:
            rec = it.record
            state, cap = _state(tx, rec, regs)
            if state == "present":
                result.present.append(rec.reg_no)
                continue
            if cap is None:
                cap = tx.add_capture(**rec.capture, original_relpath=it.original_relpath)
            doc = tx.add_document(**rec.document, capture_id=cap.id, archival_relpath=it.archival_relpath)
            tx.add_pages(doc.id, rec.pages)
            if rec.retention is not None:  # as the sending archive decided it, re-classifications included
                tx.add_retention_row(doc.id, rec.retention)
            _bump_counter(tx, rec.reg_no)
            result.imported.append(rec.reg_no)
        tx.flush()
        tx.append_event(at=repository.now(), actor=repository.actor(), action="import",
                        reg_no=",".join(r.record.reg_no for r in items) or None,
                        detail={**detail, "imported": len(result.imported), "already_present": result.present})
    return result
