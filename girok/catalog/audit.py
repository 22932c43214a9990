"""The audit trail: an append-only chain of events in the catalog.

Every event stores the hash of the event before it and its own hash over
(prev_hash, time, actor, action, registration numbers, detail). Editing,
removing, inserting or reordering an event breaks the chain at that point,
which ``verify`` finds and names. Events are appended inside the writing
transaction, and every catalog write transaction holds the catalog's write
lock from its first statement (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
advisory lock; see dialect.py), so two processes, on one machine or on
several, can never chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..i18n import _
from ..text.pii import mask_rrn
from .models import Event, EventDocument

GENESIS = "0" * 64


def canonical_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


def event_hash(prev_hash: str, at: datetime, actor: str, action: str, reg_no: str | None, detail: str) -> str:
    payload = json.dumps([prev_hash, canonical_time(at), actor, action, reg_no or "", detail],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(session: Session, *, at: datetime, actor: str, action: str, reg_no: str | None,
           detail: dict[str, Any]) -> Event:
    """Append one event to the chain within ``session``'s (immediate) transaction.

    A 주민등록번호 in any string of ``detail`` (a file name, a query) is masked first:
    the trail cannot be edited, so clear personal data must never get into it.
    """
    last = session.scalars(select(Event.hash).order_by(Event.id.desc()).limit(1)).first()
    prev = last or GENESIS
    text = mask_rrn(json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str))
    ev = Event(at=at, actor=actor, action=action, reg_no=reg_no, detail=text, prev_hash=prev,
               hash=event_hash(prev, at, actor, action, reg_no, text))
    session.add(ev)
    session.flush()
    if reg_no:
        session.execute(insert(EventDocument), [{"reg_no": r, "event_id": ev.id}
                                                for r in dict.fromkeys(reg_no.split(",")) if r])
    return ev


@dataclass
class Verdict:
    ok: bool
    events: int
    first_bad_id: int | None = None
    problem: str = ""


def verify_events(events: Iterable[Event]) -> Verdict:
    """Walk the chain in id order; the first event that does not fit is named."""
    prev = GENESIS
    n = 0
    for ev in events:
        n += 1
        if ev.prev_hash != prev:
            return Verdict(False, n, ev.id, _("event {id} ({action}) does not follow the event before it: "
                                              "an event was removed, inserted or moved here").format(
                                                id=ev.id, action=ev.action))
        if ev.hash != event_hash(ev.prev_hash, ev.at, ev.actor, ev.action, ev.reg_no, ev.detail):
            return Verdict(False, n, ev.id, _("event {id} ({action}) was altered after it was written").format(
                id=ev.id, action=ev.action))
        prev = ev.hash
    return Verdict(True, n)
