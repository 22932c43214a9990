"""Reading the audit trail: verify the chain (optionally against a recorded hash) and list events.

The chain itself (append, hashes, verify_events) is in audit.py. A chain that
verifies proves that no event was edited, removed, inserted or moved, unless
the whole table was rewritten with recomputed hashes. Against that, record the
head hash somewhere else (paper, another machine) and later pass it as an
``anchor``: if any event up to it was rewritten, no event has that hash any more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterator

from ..errors import UsageError
from ..catalog.audit import GENESIS, Verdict, verify_events
from ..catalog.repository import Catalog
from ..catalog.models import Event
from ..text.times import local_iso, parse_local
from ..i18n import _


@dataclass
class ChainReport:
    verdict: Verdict
    head_id: int | None
    head_hash: str
    anchor: str | None = None
    anchor_id: int | None = None  # the event that carries the anchor hash, if found
    last: dict[str, dict] = field(default_factory=dict)  # events picked by ``note`` (``event_dict`` form)

    @property
    def ok(self) -> bool:
        return self.verdict.ok and (self.anchor is None or self.anchor_id is not None)

    @property
    def problem(self) -> str:
        if not self.verdict.ok:
            return self.verdict.problem
        if self.anchor is not None and self.anchor_id is None:
            return _("no event has the recorded hash {anchor}: the trail was rewritten "
                     "(or the hash belongs to another archive)").format(anchor=self.anchor)
        return ""

    def as_dict(self) -> dict:
        return {"ok": self.ok, "events": self.verdict.events, "first_bad_id": self.verdict.first_bad_id,
                "problem": self.problem, "head_id": self.head_id, "head_hash": self.head_hash,
                "anchor": self.anchor, "anchor_id": self.anchor_id}


def check_chain(catalog: Catalog, anchor: str | None = None, *,
                note: Callable[[Event], str | None] | None = None) -> ChainReport:
    """Verify the whole chain in one pass; note the head and where ``anchor`` (a hash) stands.

    ``note(event)`` may name a key under which ``report.last`` keeps the event (the last one wins):
    doctor finds the last full fixity check in the same pass."""
    anchor = anchor.strip().lower() if anchor else None
    report = ChainReport(Verdict(True, 0), None, GENESIS, anchor)

    def walk(rows) -> Iterator[Event]:
        for ev in rows:
            report.head_id, report.head_hash = ev.id, ev.hash
            if anchor is not None and ev.hash == anchor and report.anchor_id is None:
                report.anchor_id = ev.id
            if note is not None and (key := note(ev)):
                report.last[key] = event_dict(ev)
            yield ev

    report.verdict = verify_events(walk(catalog.iter_events()))
    if not report.verdict.ok:  # the head of a broken chain means nothing
        report.head_id, report.head_hash = None, ""
    return report


def parse_since(text: str, tz=None) -> datetime:
    """A date or date-time in the archive's time zone (``tz``, default Korean time) unless it carries an offset,
    as naive UTC (how events store it)."""
    try:
        return parse_local(text, tz)
    except ValueError:
        raise UsageError(_("--since {text!r} is not a date").format(text=text),
                         hint=_("Give a date like 2026-03-01 or a time like 2026-03-01T09:00 (Korean time), or with "
                                "an offset: 2026-03-01T09:00+09:00.")) from None


def events(catalog: Catalog, *, since: datetime | None = None, reg_no: str | None = None,
           batch: int = 1000) -> Iterator[Event]:
    """Events in the order they were written; with ``reg_no``, those naming that document."""
    for ev in catalog.iter_events(since=since, reg_no=reg_no, batch=batch):
        # an event's reg_no holds one registration number or a comma-separated list
        if reg_no is None or reg_no in (ev.reg_no or "").split(","):
            yield ev


def event_dict(ev: Event, tz=None) -> dict:
    try:
        detail = json.loads(ev.detail)
    except ValueError:  # a damaged row is still shown, as it is
        detail = ev.detail
    return {"id": ev.id, "at": local_iso(ev.at, tz), "actor": ev.actor, "action": ev.action,
            "ids": [r for r in (ev.reg_no or "").split(",") if r], "detail": detail,
            "prev_hash": ev.prev_hash, "hash": ev.hash}
