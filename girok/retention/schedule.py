"""Retention classes, the schedule in girok.toml, and classifying documents.

Korean public records carry one of seven retention periods (보존기간):
영구, 준영구, 30년, 10년, 5년, 3년, 1년. A period counts from 1 January of
the year after the business was completed, so a record completed in 2019
with 5년 may be disposed of from 2025-01-01. 영구 and 준영구 are never due.

Every document gets exactly one class and a completion date: from the
schedule when it is first classified (``classify_unclassified``, called
before every retention command and meant to be called at capture), and
afterwards only by an audited re-classification (``reclassify``).
The completion date is the document's filing date when known, else the
day it was captured (Korean time).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable

from ..config import CONFIG_NAME, ArchiveConfig, read_toml
from ..text.periods import ALIASES, CLASSES, SAFE_DEFAULT, YEARS, due_date, parse_class  # noqa: F401
from ..text.times import KST
from ..errors import ConfigError, Disposed, NotFound, UsageError
from ..catalog import repository as catalog
from ..catalog.models import Document
from ..catalog.repository import Tx
from ..i18n import _

log = logging.getLogger(__name__)


def korean_date(utc_naive: datetime) -> date:
    """The calendar day in Korea of a catalog time (stored as naive UTC)."""
    return utc_naive.replace(tzinfo=timezone.utc).astimezone(KST).date()


def today() -> date:
    return korean_date(catalog.now())


def parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise UsageError(_("{what}: {text!r} is not a date").format(what=what, text=text), hint=_("Write dates as YYYY-MM-DD, e.g. 2026-01-31.")) from None


# --- the schedule -------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    default: str
    types: dict[str, str]
    profiles: dict[str, str]

    def class_for(self, doc_type: str, profile: str) -> tuple[str, str]:
        """(class, basis): by document type, else the profile's default, else the archive default."""
        if doc_type in self.types:
            return self.types[doc_type], f"schedule: type {doc_type}"
        if profile in self.profiles:
            return self.profiles[profile], f"schedule: profile {profile}"
        return self.default, "schedule: default"


def _class_value(value: object, where: str) -> str:
    cls = parse_class(value) if isinstance(value, str) else None
    if cls is None:
        raise ConfigError(_("{where} must be one of {classes}, got {value!r}").format(
                              where=where, classes=', '.join(CLASSES), value=value))
    return cls


def _mapping(table: dict, key: str, where: str) -> dict[str, str]:
    raw = table.get(key, {})
    if not isinstance(raw, dict):
        raise ConfigError(_("{where}: [retention.{key}] must be a table of \"name\" = \"class\" entries").format(
                              where=where, key=key))
    return {name: _class_value(v, f"{where} [retention.{key}] {name!r}") for name, v in raw.items()}


def load_schedule(config: ArchiveConfig) -> Schedule:
    """The [retention] table of ARCHIVE/girok.toml, validated; errors name the file and the key."""
    path: Path = config.root / CONFIG_NAME
    raw = read_toml(path)
    table = raw.get("retention", {})
    if not isinstance(table, dict):
        raise ConfigError(_("{path}: 'retention' must be a table ([retention])").format(path=path))
    unknown = sorted(set(table) - {"default", "types", "profiles"})
    if unknown:  # a misspelt key in a retention schedule must not pass silently
        raise ConfigError(_("{path} [retention]: unknown key {value!r} (known: default, types, profiles)").format(
                              path=path, value=unknown[0]))
    default = _class_value(table.get("default", SAFE_DEFAULT), f"{path} [retention] 'default'")
    profiles = _mapping(table, "profiles", str(path))
    for name in profiles:
        if name not in config.profiles:
            raise ConfigError(_("{path} [retention.profiles]: no scanner profile named {name!r} (known: {items})").format(
                                  path=path, name=name, items=', '.join(sorted(config.profiles))))
    return Schedule(default=default, types=_mapping(table, "types", str(path)), profiles=profiles)


# --- looking documents up -------------------------------------------------------


def not_found(tx: Tx, reg_no: str) -> NotFound:
    """The error for a registration number that names no live document: disposed of, or never existed."""
    tomb = tx.tombstone(reg_no)
    if tomb is not None:
        return Disposed(_("{reg_no} was disposed of on {day} (certificate {certificate}); only its tombstone remains").format(
                            reg_no=reg_no, day=korean_date(tomb.disposed_at),
                            certificate=_certificate_number(tx, tomb.disposal_id)),
                        hint=_("`girok show {reg_no}` prints the tombstone.").format(reg_no=reg_no))
    return tx.catalog.not_found(reg_no)


def missing(arch, reg_no: str) -> NotFound:
    """``not_found`` for callers above the catalog: the error for a registration number with no live document."""
    with arch.catalog.reading() as tx:
        return not_found(tx, reg_no)


def _certificate_number(tx: Tx, disposal_id: int) -> str:
    row = tx.disposal(disposal_id)
    return row.number if row else "?"


def live_documents(tx: Tx, reg_nos: Iterable[str]) -> list[Document]:
    """The documents named, in the order given; the first unknown or disposed one raises."""
    wanted = list(dict.fromkeys(reg_nos))
    found = tx.documents(wanted)
    for reg in wanted:
        if reg not in found:
            raise not_found(tx, reg)
    return [found[r] for r in wanted]


# --- classification -------------------------------------------------------------


def classify_unclassified(arch, *, batch: int = 500) -> int:
    """Give every document without a class its class and completion date from the schedule.

    Idempotent; safe to run concurrently (each batch is one immediate
    transaction). Returns how many documents were classified. One audit
    event per batch lists each document with its class, completion date and basis.
    """
    schedule = load_schedule(arch.config)
    total = 0
    while True:
        at = catalog.now()
        with arch.catalog.transaction("retention classes") as tx:
            rows = tx.unclassified(batch)
            if not rows:
                return total
            listed = []
            for r in rows:
                cls, basis = schedule.class_for(r.doc_type, r.profile)
                completed = r.doc_date or korean_date(r.captured_at)
                tx.add_retention(document_id=r.id, retention_class=cls, completed_on=completed,
                                 due_on=due_date(cls, completed), basis=basis, classified_at=at)
                listed.append([r.reg_no, cls, completed.isoformat(), basis])
            tx.append_event(at=at, actor=catalog.actor(), action="retention-classify", reg_no=None,
                         detail={"documents": listed})
        total += len(rows)
        log.info("classified %d document(s) by the retention schedule", len(rows))


def classify_documents(arch, reg_nos: list[str]) -> int:
    """The capture-time hook: classify newly committed documents (any other unclassified ones too), then give
    them their standard registration numbers and file them (retention.files; girok.toml [records], [files])."""
    if not reg_nos:
        return 0
    n = classify_unclassified(arch)
    from ..errors import GirokError
    from .files import file_documents

    try:
        file_documents(arch, reg_nos, reason="filed when archived")
    except GirokError as exc:  # a typo in the filing rules must never cost a scan: `girok file auto` catches up
        log.warning("%s not numbered or filed (%s); `girok file auto` will do it", ",".join(reg_nos), exc)
    return n


@dataclass
class Change:
    reg_no: str
    old_class: str
    new_class: str
    old_completed: date
    new_completed: date
    due_on: date | None
    changed: bool

    def as_dict(self) -> dict:
        return {"id": self.reg_no, "changed": self.changed, "class": self.new_class, "previous_class": self.old_class,
                "completed_on": self.new_completed.isoformat(), "previous_completed_on": self.old_completed.isoformat(),
                "due_on": self.due_on.isoformat() if self.due_on else None}


def apply_change(tx: Tx, doc: Document, *, new_class: str | None, completed_on: date | None, reason: str,
                 basis: str, at: datetime, extra: dict | None = None) -> Change:
    """Re-set one document's class and/or completion date inside ``tx``, with its audit event.

    Pending disposal approvals for the document no longer apply to it and are voided.
    """
    row = tx.retention(doc.id)
    if row is None:
        raise NotFound(_("{reg_no} has no retention class yet").format(reg_no=doc.reg_no),
                       hint=_("Run any `girok retention` command once; documents are classified first."))
    cls, completed = new_class or row.retention_class, completed_on or row.completed_on
    change = Change(doc.reg_no, row.retention_class, cls, row.completed_on, completed, due_date(cls, completed),
                    changed=(cls, completed) != (row.retention_class, row.completed_on))
    if not change.changed:
        return change
    tx.update_retention(doc.id, retention_class=cls, completed_on=completed, due_on=change.due_on, basis=basis,
                        classified_at=at)
    voided = tx.void_pending_decisions(doc.reg_no, f"re-classified on {korean_date(at)}: {reason}")
    detail = {"from": change.old_class, "to": cls, "completed_from": change.old_completed.isoformat(),
              "completed_to": completed.isoformat(), "due_on": change.due_on, "reason": reason, "basis": basis,
              **(extra or {})}
    if voided:
        detail["voided_decisions"] = voided
    tx.append_event(at=at, actor=catalog.actor(), action="retention-reclassify", reg_no=doc.reg_no, detail=detail)
    log.info("re-classified %s: %s -> %s, completed %s (%s)", doc.reg_no, change.old_class, cls, completed, reason)
    return change


def reclassify(arch, reg_nos: list[str] = (), *, doc_type: str | None = None, new_class: str | None = None,
               completed_on: date | None = None, reason: str) -> list[Change]:
    """Audited re-classification of the named documents (or all of one type). All or nothing."""
    if not reason.strip():
        raise UsageError(_("a re-classification needs a reason"), hint=_("Give --reason, e.g. --reason \"기록관리기준표 개정\"."))
    if new_class is not None and new_class not in CLASSES:
        raise UsageError(_("unknown retention class {new_class!r}").format(new_class=new_class),
                         hint=_("Use one of {classes}.").format(classes=', '.join(CLASSES)))
    if new_class is None and completed_on is None:
        raise UsageError(_("nothing to change"), hint=_("Give --class, --completed, or both."))
    if not reg_nos and doc_type is None:
        raise UsageError(_("no documents named"), hint=_("Give registration numbers, or --type for all of one type."))
    classify_unclassified(arch)
    at = catalog.now()
    with arch.catalog.transaction("the re-classification") as tx:
        docs = live_documents(tx, reg_nos)
        if doc_type is not None:
            named = set(reg_nos)
            docs += [d for d in tx.documents_of_type(doc_type) if d.reg_no not in named]
        if not docs:
            raise NotFound(_("no documents of type {doc_type!r}").format(doc_type=doc_type))
        changes = [apply_change(tx, d, new_class=new_class, completed_on=completed_on, reason=reason.strip(),
                                basis="officer", at=at) for d in docs]
    reindex_changed(arch, [c.reg_no for c in changes if c.changed])
    return changes


def reindex_changed(arch, reg_nos: list[str]) -> None:
    """The index filters on the retention class (retention:10년): refresh the changed documents' entries."""
    from ..archive.indexing import index_documents  # records imports this module

    index_documents(arch, reg_nos)


def class_counts(arch) -> dict[str, int]:
    """Live documents per class, every class listed."""
    with arch.catalog.reading() as tx:
        rows = tx.class_counts()
    return {c: rows.get(c, 0) for c in CLASSES}
