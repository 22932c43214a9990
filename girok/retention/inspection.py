"""Digitization inspection (검수), re-scans that supersede a document, and the paper originals afterwards.

Each digitized document is inspected against its paper: passed or failed, by whom, when, why (an audit event
each, ``inspect-pass``/``inspect-fail``). A failed document, or one OCR flagged "re-scan suggested", can be
superseded by its re-scan (``supersede``): the two are linked both ways, both stay archived, and the registry,
the production report and file counts count the re-scan only. The paper original of a document whose latest
inspection passed may be destroyed ``[records] paper_keep_months`` (default 6) after that inspection; ``due``
lists them (documents on a legal hold apart, never due), ``destroyed`` records it (``paper-destroy``).
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from ..catalog import repository as catalog
from ..errors import UsageError
from ..i18n import _
from ..text.times import local_iso
from .recordsconf import load_records_config
from .schedule import korean_date, live_documents, today

log = logging.getLogger(__name__)

RESULTS = ("pass", "fail")


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _reason(reason: str, example: str) -> str:
    if not reason or not reason.strip():
        raise UsageError(_("this needs a reason"), hint=_("Give --reason, e.g. --reason \"{example}\".").format(
                             example=example))
    return reason.strip()


def targets(tx, target: str, *, batch: bool) -> list:
    """The documents ``target`` names: a registration number, or a receipt number (the whole case); with
    ``batch`` also every document scanned in the same batch (capture) as those."""
    text = target.strip()
    regs = [text.upper()] if tx.document(text.upper()) is not None else tx.reg_nos_by_receipt(text)
    if not regs:
        live_documents(tx, [text.upper()])  # raises: disposed of, or no such number
    if batch:
        more = tx.batch_reg_nos(regs)
        regs = list(dict.fromkeys(r for reg in regs for r in more.get(reg, [reg])))
    return live_documents(tx, regs)


@dataclass
class Inspected:
    reg_no: str
    result: str
    reason: str
    at: datetime
    actor: str

    def as_dict(self, tz=None) -> dict:
        return {"reg": self.reg_no, "result": self.result, "reason": self.reason, "at": local_iso(self.at, tz),
                "by": self.actor}


def inspect(arch, target: str, result: str, *, reason: str, batch: bool = False) -> list[Inspected]:
    """Record the inspection of the documents ``target`` names (see ``targets``); one event per document."""
    if result not in RESULTS:
        raise UsageError(_("an inspection passes or fails, not {result!r}").format(result=result))
    reason = _reason(reason, "원본 대조 이상 없음" if result == "pass" else "2쪽 흐림, 재스캔 필요")
    at, actor = catalog.now(), catalog.actor()
    out = []
    with arch.catalog.transaction("the inspection") as tx:
        for doc in targets(tx, target, batch=batch):
            tx.add_inspection(reg_no=doc.reg_no, result=result, reason=reason, at=at, actor=actor)
            tx.append_event(at=at, actor=actor, action=f"inspect-{result}", reg_no=doc.reg_no,
                            detail={"result": result, "reason": reason})
            out.append(Inspected(doc.reg_no, result, reason, at, actor))
    log.info("inspection %s of %s: %s", result, ",".join(i.reg_no for i in out), reason)
    return out


@dataclass
class InspectionState:
    reg_no: str
    state: str  # pending | pass | fail | superseded
    last: Inspected | None = None
    rescan_suggested: bool = False
    superseded_by: str | None = None
    supersedes: list[str] = field(default_factory=list)
    paper_due_on: date | None = None
    paper_destroyed_at: datetime | None = None

    def as_dict(self, tz=None) -> dict:
        return {"reg": self.reg_no, "state": self.state,
                "inspection": self.last.as_dict(tz) if self.last else None,
                "rescan_suggested": self.rescan_suggested, "superseded_by": self.superseded_by,
                "supersedes": self.supersedes,
                "paper_due_on": self.paper_due_on.isoformat() if self.paper_due_on else None,
                "paper_destroyed_at": local_iso(self.paper_destroyed_at, tz) if self.paper_destroyed_at else None}


def _states(tx, docs, months: int) -> list[InspectionState]:
    regs = [d.reg_no for d in docs]
    last = tx.last_inspections(regs)
    by, of = tx.supersessions(regs)
    paper = tx.paper_destroyed(regs)
    out = []
    for d in docs:
        i = last.get(d.reg_no)
        ins = Inspected(i.reg_no, i.result, i.reason, i.at, i.actor) if i else None
        state = "superseded" if d.reg_no in by else (ins.result if ins else "pending")
        due = add_months(korean_date(ins.at), months) if ins and ins.result == "pass" else None
        out.append(InspectionState(d.reg_no, state, ins, bool(d.rescan_suggested), by.get(d.reg_no),
                                   of.get(d.reg_no, []), due, paper[d.reg_no].at if d.reg_no in paper else None))
    return out


def states(arch, reg_nos: list[str] | None = None, *, which: str = "open") -> list[InspectionState]:
    """The inspection state of documents (all, or ``reg_nos``): ``open`` (pending or failed), ``all``, or those
    in one state (pending, pass, fail, superseded)."""
    months = load_records_config(arch.root).paper_keep_months
    with arch.catalog.reading() as tx:
        docs = live_documents(tx, reg_nos) if reg_nos else tx.all_documents()
        found = _states(tx, docs, months)
    if which == "open":
        return [s for s in found if s.state in ("pending", "fail")]
    return found if which == "all" else [s for s in found if s.state == which]


@dataclass
class Superseded:
    old: str
    new: str
    reason: str
    at: datetime

    def as_dict(self, tz=None) -> dict:
        return {"reg": self.old, "by": self.new, "reason": self.reason, "at": local_iso(self.at, tz)}


def supersede(arch, old: str, new: str, *, reason: str) -> Superseded:
    """``new`` (the re-scan) replaces ``old``, whose inspection failed or which OCR flagged for a re-scan."""
    reason = _reason(reason, "검수 불합격 재스캔")
    at, actor = catalog.now(), catalog.actor()
    with arch.catalog.transaction("the supersession") as tx:
        if old.strip().upper() == new.strip().upper():
            raise UsageError(_("a document cannot supersede itself"))
        a, b = live_documents(tx, [old.strip().upper(), new.strip().upper()])
        last = tx.last_inspections([a.reg_no]).get(a.reg_no)
        if not (a.rescan_suggested or (last is not None and last.result == "fail")):
            raise UsageError(_("{reg_no} neither failed its inspection nor was flagged for a re-scan").format(
                                 reg_no=a.reg_no),
                             hint=_("Record the failed inspection first: girok inspect fail {reg_no} --reason ...")
                             .format(reg_no=a.reg_no))
        by, _of = tx.supersessions([a.reg_no, b.reg_no])
        if a.reg_no in by:
            raise UsageError(_("{reg_no} was already superseded by {by}").format(reg_no=a.reg_no, by=by[a.reg_no]))
        if b.reg_no in by:
            raise UsageError(_("{reg_no} was itself superseded by {by}").format(reg_no=b.reg_no, by=by[b.reg_no]))
        tx.add_supersession(reg_no=a.reg_no, by_reg_no=b.reg_no, at=at, actor=actor, reason=reason)
        tx.append_event(at=at, actor=actor, action="supersede", reg_no=f"{a.reg_no},{b.reg_no}",
                        detail={"superseded": a.reg_no, "by": b.reg_no, "reason": reason})
    log.info("%s superseded by its re-scan %s: %s", a.reg_no, b.reg_no, reason)
    return Superseded(a.reg_no, b.reg_no, reason, at)


# --- paper originals ------------------------------------------------------------------------------------------------


@dataclass
class PaperDue:
    due: list[InspectionState] = field(default_factory=list)
    held: list[tuple[InspectionState, list]] = field(default_factory=list)  # due, but on a legal hold
    as_of: date | None = None


def paper_due(arch, *, as_of: date | None = None) -> PaperDue:
    """Documents whose paper original may be destroyed by ``as_of`` (default today): inspection passed at least
    ``paper_keep_months`` before, not superseded, paper not yet destroyed; those on a hold listed apart."""
    months = load_records_config(arch.root).paper_keep_months
    when = as_of or today()
    with arch.catalog.reading() as tx:
        passed = [reg for reg, i in tx.last_inspections().items() if i.result == "pass"]
        docs = tx.documents_by_id(passed)
        found = [s for s in _states(tx, docs, months) if s.state == "pass" and s.paper_destroyed_at is None
                 and s.paper_due_on is not None and s.paper_due_on <= when]
        held = tx.active_holds([s.reg_no for s in found])
    res = PaperDue(as_of=when)
    for s in found:
        (res.held.append((s, held[s.reg_no])) if s.reg_no in held else res.due.append(s))
    return res


def paper_destroyed(arch, reg_nos: list[str], *, reason: str) -> list[str]:
    """Record that the paper originals of ``reg_nos`` were destroyed; all must be due (else nothing is recorded)."""
    reason = _reason(reason, "검수 후 6개월 경과, 종이 원본 파쇄")
    wanted = list(dict.fromkeys(r.strip().upper() for raw in reg_nos for r in raw.split(",") if r.strip()))
    if not wanted:
        raise UsageError(_("no documents named"), hint=_("Give the registration numbers `girok paper due` lists."))
    due = {s.reg_no for s in paper_due(arch).due}
    at, actor = catalog.now(), catalog.actor()
    with arch.catalog.transaction("the paper destruction") as tx:
        live_documents(tx, wanted)
        done = tx.paper_destroyed(wanted)
        fresh = [r for r in wanted if r not in done]
        bad = [r for r in fresh if r not in due]
        if bad:
            raise UsageError(_("the paper of {ids} may not be destroyed yet (not inspected and passed long enough, "
                               "superseded, or on hold); nothing was recorded").format(ids=", ".join(bad[:10])),
                             hint=_("`girok paper due` lists the papers that may be destroyed."))
        for reg in fresh:
            tx.add_paper_destruction(reg_no=reg, at=at, actor=actor, reason=reason)
        if fresh:
            tx.append_event(at=at, actor=actor, action="paper-destroy", reg_no=",".join(fresh),
                            detail={"documents": fresh, "reason": reason})
    return fresh

